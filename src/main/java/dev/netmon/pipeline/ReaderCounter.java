package dev.netmon.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count that only the buffer reader thread changes and any thread may read (the metrics endpoint, the STATS
 * line). One writer needs no lock and no compare-and-set: the writer stores opaquely, which on x86 and arm64 is an
 * ordinary store, and readers load opaquely, so they see a whole value that is at most a moment old.
 */
final class ReaderCounter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(ReaderCounter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long value;

    /** Reader thread only. */
    void increment() {
        VALUE.setOpaque(this, value + 1);
    }

    /** Reader thread only. */
    void set(long v) {
        VALUE.setOpaque(this, v);
    }

    long get() {
        return (long) VALUE.getOpaque(this);
    }
}
