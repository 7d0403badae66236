package dev.netmon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The STATS line is read by people and grepped by scripts: its exact shape is pinned here. */
class StatsLineTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void theDocumentedExample() {
        var s = new StatsLine(6000, 3000, 3345, 0, 0, 0, 12, 0, 12_246, 12_345, 0, 16_384, 41 * MIB + 5);
        assertEquals("netmon: stats: 12345 events (connect 6000, accept 3000, close 3345), 0 lost, 0 dropped,"
                + " 0 rate-limited, 12 filtered, enrichment full 99.1%, queue 0/16384, rss 41 MiB", s.format());
    }

    @Test
    void everyCountInItsPlace() {
        var s = new StatsLine(1, 2, 3, 4, 5, 6, 7, 0, 1, 1, 9, 10, 100 * MIB);
        assertEquals("netmon: stats: 6 events (connect 1, accept 2, close 3), 4 lost, 5 dropped, 6 rate-limited,"
                + " 7 filtered, enrichment full 100.0%, queue 9/10, rss 100 MiB", s.format());
    }

    @Test
    void decodeErrorsOnlyWhenThereAreAny() {
        var s = new StatsLine(1, 0, 0, 0, 0, 0, 0, 3, 1, 1, 0, 64, MIB);
        assertTrue(s.format().contains(", 0 filtered, 3 decode errors, enrichment full"), s.format());
    }

    @Test
    void beforeAnyEventTheShareIsADash() {
        var s = new StatsLine(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16_384, 40 * MIB);
        assertEquals("netmon: stats: 0 events (connect 0, accept 0, close 0), 0 lost, 0 dropped, 0 rate-limited,"
                + " 0 filtered, enrichment full -, queue 0/16384, rss 40 MiB", s.format());
    }

    /** Rounded down: 100.0% must mean every event, and a sliver is not 0.0% unless it is under a thousandth. */
    @ParameterizedTest
    @CsvSource({
        "9999, 10000, 99.9%",
        "10000, 10000, 100.0%",
        "1, 3, 33.3%",
        "2, 3, 66.6%",
        "0, 5, 0.0%",
        "1, 1000, 0.1%",
        "1, 1001, 0.0%",
        "999999999999, 1000000000000, 99.9%",
    })
    void enrichmentShare(long full, long all, String shown) {
        var s = new StatsLine(all, 0, 0, 0, 0, 0, 0, 0, full, all, 0, 1, MIB);
        assertTrue(s.format().contains("enrichment full " + shown + ","), s.format());
    }

    @Test
    void unknownMemoryIsAQuestionMark() {
        var s = new StatsLine(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, -1);
        assertTrue(s.format().endsWith(", rss ?"), s.format());
    }

    @Test
    void thisProcessHasAResidentSize() {
        assertTrue(StatsLine.residentBytes() > MIB, "VmRSS of a JVM is more than a MiB");
    }

    @Test
    void oneLine() {
        var s = new StatsLine(Long.MAX_VALUE / 4, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 1, MIB);
        assertEquals(1, s.format().lines().count());
    }
}
