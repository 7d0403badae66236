package dev.netmon.event;

/**
 * Events the kernel produced but could not hand over because the buffer was full.
 *
 * @param count lost since the previous report
 * @param total lost since netmon started
 * @param buffer "ringbuf" or "perf"
 */
public record Lost(long monotonicNs, long count, long total, String buffer) implements LogLine {}
