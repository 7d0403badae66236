package dev.netmon.event;

/**
 * Events netmon received from the kernel but did not write, because its output was slower than the events came
 * (the bounded queue before stdout was full). Reported once per interval, never silently.
 *
 * @param count dropped since the previous report
 * @param total dropped since netmon started
 * @param reason why: "output_slow"
 */
public record Dropped(long monotonicNs, long count, long total, String reason) implements LogLine {
    public static final String OUTPUT_SLOW = "output_slow";
}
