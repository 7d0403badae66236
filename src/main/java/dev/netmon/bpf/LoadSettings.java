package dev.netmon.bpf;

import java.util.Set;

/**
 * What is fixed before the BPF object is loaded.
 *
 * @param events NETMON_EV_* mask of the event types to emit
 * @param pids tgids to trace; empty traces every process
 * @param buffer ring or perf buffer
 * @param bufferBytes ring buffer size, or the size of each CPU's perf buffer; a power of two
 * @param wakeupBytes wake the reader once this much data waits (both buffers)
 * @param maxTracked open connections remembered for their CLOSE
 */
public record LoadSettings(
        int events, Set<Integer> pids, BufferKind buffer, int bufferBytes, int wakeupBytes, int maxTracked) {

    public static final int DEFAULT_BUFFER_BYTES = 8 << 20;
    public static final int DEFAULT_WAKEUP_BYTES = 256 << 10;
    public static final int DEFAULT_MAX_TRACKED = 65536;

    public LoadSettings {
        pids = Set.copyOf(pids);
        if (Integer.bitCount(bufferBytes) != 1 || bufferBytes < 4096) {
            throw new IllegalArgumentException("buffer size must be a power of two of at least 4096: " + bufferBytes);
        }
    }

    public static LoadSettings defaults() {
        return new LoadSettings(
                ConfigLayout.EV_CONNECT | ConfigLayout.EV_ACCEPT | ConfigLayout.EV_CLOSE,
                Set.of(),
                BufferKind.RINGBUF,
                DEFAULT_BUFFER_BYTES,
                DEFAULT_WAKEUP_BYTES,
                DEFAULT_MAX_TRACKED);
    }

    public LoadSettings withEvents(int mask) {
        return new LoadSettings(mask, pids, buffer, bufferBytes, wakeupBytes, maxTracked);
    }

    public LoadSettings withPids(Set<Integer> tgids) {
        return new LoadSettings(events, tgids, buffer, bufferBytes, wakeupBytes, maxTracked);
    }

    public LoadSettings withBuffer(BufferKind kind) {
        return new LoadSettings(events, pids, kind, bufferBytes, wakeupBytes, maxTracked);
    }
}
