package dev.netmon.output;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * RFC 3339 UTC timestamps with nanoseconds, e.g. 2026-11-25T06:19:00.000123456Z. Formatted as ASCII bytes into one
 * reused array, because a writer does it for every line and a String per line is most of what a line allocated.
 * Not thread-safe: one instance per writer.
 */
public final class Rfc3339 {
    /** "YYYY-MM-DDTHH:MM:SS." + nine digits + 'Z'; years stay four digits up to Long.MAX_VALUE nanoseconds. */
    static final int LENGTH = 30;
    private static final int PREFIX = 20;

    private final byte[] text = new byte[LENGTH];
    private long cachedSecond = Long.MIN_VALUE;

    /**
     * Formats nanoseconds since the Unix epoch into the array this returns, which holds {@link #LENGTH} bytes and
     * is overwritten by the next call.
     */
    byte[] ascii(long unixNs) {
        long second = Math.floorDiv(unixNs, 1_000_000_000L);
        int nanos = (int) Math.floorMod(unixNs, 1_000_000_000L);
        if (second != cachedSecond) {
            // Events arrive in bursts within the same second; the date part is formatted once per second.
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            String prefix = String.format("%04d-%02d-%02dT%02d:%02d:%02d.",
                    t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
            System.arraycopy(prefix.getBytes(StandardCharsets.US_ASCII), 0, text, 0, PREFIX);
            cachedSecond = second;
        }
        for (int i = PREFIX + 8, n = nanos; i >= PREFIX; i--, n /= 10) {
            text[i] = (byte) ('0' + n % 10);
        }
        text[LENGTH - 1] = 'Z';
        return text;
    }

    /** The same as a String, for callers that are not on a per-line path. */
    public String format(long unixNs) {
        return new String(ascii(unixNs), 0, LENGTH, StandardCharsets.US_ASCII);
    }
}
