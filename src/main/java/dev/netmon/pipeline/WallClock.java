package dev.netmon.pipeline;

import dev.netmon.bpf.LibBpf;
import java.util.function.LongUnaryOperator;

/**
 * Converts kernel CLOCK_MONOTONIC nanoseconds to Unix-epoch nanoseconds. The offset is re-read once a second
 * of event time, so that NTP steps of the wall clock show up in the output within a second.
 */
public final class WallClock implements LongUnaryOperator {
    private static final long REFRESH_NS = 1_000_000_000L;

    private final LibBpf lib;
    private long offsetNs;
    private long refreshedAtNs;

    public WallClock(LibBpf lib) {
        this.lib = lib;
        refresh();
    }

    private void refresh() {
        offsetNs = lib.monotonicToRealtimeOffsetNs();
        refreshedAtNs = lib.monotonicNs();
    }

    @Override
    public long applyAsLong(long monotonicNs) {
        if (monotonicNs - refreshedAtNs > REFRESH_NS) {
            refresh();
        }
        return monotonicNs + offsetNs;
    }
}
