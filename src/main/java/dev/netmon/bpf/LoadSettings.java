package dev.netmon.bpf;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What is fixed before the BPF object is loaded.
 *
 * @param events NETMON_EV_* mask of the event types to emit
 * @param pids tgids to trace; empty traces every process
 * @param buffer ring or perf buffer
 * @param bufferBytes ring buffer size, or the size of each CPU's perf buffer; a power of two
 * @param wakeupBytes a CPU wakes the reader once it has written this much since its last wakeup (both buffers)
 * @param maxTracked open connections remembered for their CLOSE
 * @param protocols NETMON_PROTO_* mask of the protocols to emit
 * @param ports trace only connections with one of these ports at either end; empty for all
 * @param processNames trace only processes with one of these names (comm, at most 15 bytes); empty for all
 * @param kernelReads how the programs read kernel memory: AUTO for the cheapest way this kernel allows
 */
public record LoadSettings(
        int events,
        Set<Integer> pids,
        BufferKind buffer,
        int bufferBytes,
        int wakeupBytes,
        int maxTracked,
        int protocols,
        Set<Integer> ports,
        Set<String> processNames,
        KernelReads kernelReads) {

    /**
     * 4 MiB holds about 32 000 events, 150 ms of a two-core storm at 210 000 events/s; the reader is woken at
     * {@link #DEFAULT_WAKEUP_BYTES} per CPU, so it has about that long to be late before anything is lost. 2 MiB
     * lost 4 000-16 000 events of the bench's storm while the JVM was still compiling (its first second). netmon
     * maps a ring buffer's data pages once (RingBuffer), so its size is its share of RSS.
     */
    public static final int DEFAULT_BUFFER_BYTES = 4 << 20;
    public static final int MIN_BUFFER_BYTES = 4096;
    public static final int MAX_BUFFER_BYTES = 1 << 30;
    public static final int DEFAULT_WAKEUP_BYTES = 256 << 10;
    public static final int DEFAULT_MAX_TRACKED = 65536;
    /** The kernel's TASK_COMM_LEN less its NUL. */
    public static final int MAX_PROCESS_NAME_BYTES = 15;

    public LoadSettings {
        pids = Set.copyOf(pids);
        ports = Set.copyOf(ports);
        processNames = Set.copyOf(processNames);
        if (Integer.bitCount(bufferBytes) != 1 || bufferBytes < MIN_BUFFER_BYTES) {
            throw new IllegalArgumentException("buffer size must be a power of two of at least 4096: " + bufferBytes);
        }
        for (String name : processNames) {
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_PROCESS_NAME_BYTES) {
                throw new IllegalArgumentException("process name longer than 15 bytes: " + name);
            }
        }
    }

    /** The old shape, for callers that filter by nothing but events and pids. */
    public LoadSettings(int events, Set<Integer> pids, BufferKind buffer, int bufferBytes, int wakeupBytes,
            int maxTracked) {
        this(events, pids, buffer, bufferBytes, wakeupBytes, maxTracked,
                ConfigLayout.PROTO_TCP | ConfigLayout.PROTO_UDP, Set.of(), Set.of(), KernelReads.AUTO);
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
        return new LoadSettings(mask, pids, buffer, bufferBytes, wakeupBytes, maxTracked, protocols, ports,
                processNames, kernelReads);
    }

    public LoadSettings withPids(Set<Integer> tgids) {
        return new LoadSettings(events, tgids, buffer, bufferBytes, wakeupBytes, maxTracked, protocols, ports,
                processNames, kernelReads);
    }

    public LoadSettings withBufferBytes(int bytes) {
        return new LoadSettings(events, pids, buffer, bytes, wakeupBytes, maxTracked, protocols, ports,
                processNames, kernelReads);
    }

    public LoadSettings withBuffer(BufferKind kind) {
        return new LoadSettings(events, pids, kind, bufferBytes, wakeupBytes, maxTracked, protocols, ports,
                processNames, kernelReads);
    }

    /** Protocol, port and process-name filters, all applied in the kernel. */
    public LoadSettings withFlowFilters(int protocolMask, Set<Integer> anyPort, Set<String> names) {
        return new LoadSettings(events, pids, buffer, bufferBytes, wakeupBytes, maxTracked, protocolMask, anyPort,
                names, kernelReads);
    }

    /** A fixed way of reading kernel memory: how tests run the paths of older kernels on a newer one. */
    public LoadSettings withKernelReads(KernelReads reads) {
        return new LoadSettings(events, pids, buffer, bufferBytes, wakeupBytes, maxTracked, protocols, ports,
                processNames, reads);
    }
}
