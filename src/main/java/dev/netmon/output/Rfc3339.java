package dev.netmon.output;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** RFC 3339 UTC timestamps with nanoseconds, e.g. 2026-11-25T06:19:00.000123456Z. */
public final class Rfc3339 {
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedPrefix = "";

    /** Formats nanoseconds since the Unix epoch. Not thread-safe: one instance per writer. */
    public String format(long unixNs) {
        long second = Math.floorDiv(unixNs, 1_000_000_000L);
        int nanos = (int) Math.floorMod(unixNs, 1_000_000_000L);
        if (second != cachedSecond) {
            // Events arrive in bursts within the same second; the date part is formatted once per second.
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            cachedPrefix = String.format("%04d-%02d-%02dT%02d:%02d:%02d.",
                    t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
            cachedSecond = second;
        }
        char[] digits = new char[9];
        for (int i = 8, n = nanos; i >= 0; i--, n /= 10) {
            digits[i] = (char) ('0' + n % 10);
        }
        return cachedPrefix + new String(digits) + 'Z';
    }
}
