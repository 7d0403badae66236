package dev.netmon.event;

/** Everything netmon writes to its output stream: connection events and reports about the stream itself. */
public sealed interface LogLine permits NetEvent, Attributed, Lost, Dropped, RateLimited {
    /** Kernel CLOCK_MONOTONIC time in nanoseconds, converted to wall-clock time at output. */
    long monotonicNs();
}
