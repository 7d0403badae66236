package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Timestamps always carry nine fractional digits and 'Z', so that they sort as text; the cache must not leak. */
class Rfc3339Test {
    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    /** Nanoseconds in a long end in 2262, which bounds the range rather than the 2400 one might want. */
    private static final long MAX_NS = Long.MAX_VALUE;

    /** What java.time prints for the same instant. */
    static String reference(long unixNs) {
        return REFERENCE.format(
                Instant.ofEpochSecond(Math.floorDiv(unixNs, 1_000_000_000L), Math.floorMod(unixNs, 1_000_000_000L)));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 1970-01-01T00:00:00.000000000Z",
        "1, 1970-01-01T00:00:00.000000001Z",
        "999999999, 1970-01-01T00:00:00.999999999Z",
        "1000000000, 1970-01-01T00:00:01.000000000Z",
        "1700000000123456789, 2023-11-14T22:13:20.123456789Z",
        "951782400000000000, 2000-02-29T00:00:00.000000000Z", // leap day
        "9223372036854775807, 2262-04-11T23:47:16.854775807Z", // Long.MAX_VALUE
    })
    void formatsKnownInstants(long unixNs, String expected) {
        assertEquals(expected, new Rfc3339().format(unixNs));
    }

    @Property
    void matchesJavaTime(@ForAll("unixNs") long unixNs) {
        assertEquals(reference(unixNs), new Rfc3339().format(unixNs));
    }

    @Property
    void cachedSecondNeverLeaksIntoAnotherSecond(@ForAll("sequences") List<Long> unixNs) {
        Rfc3339 shared = new Rfc3339();
        for (long ns : unixNs) {
            assertEquals(reference(ns), shared.format(ns));
        }
    }

    /** Half of them within a nanosecond of a second boundary, where an off-by-one shows. */
    @Provide
    Arbitrary<Long> unixNs() {
        Arbitrary<Long> seconds = Arbitraries.longs().between(1, MAX_NS / 1_000_000_000L - 1);
        Arbitrary<Long> nearBoundary = Combinators.combine(seconds, Arbitraries.of(-1L, 0L, 1L))
                .as((s, delta) -> s * 1_000_000_000L + delta);
        Arbitrary<Long> anywhere = Arbitraries.longs().between(0, MAX_NS);
        return Arbitraries.oneOf(nearBoundary, anywhere);
    }

    /** Few distinct seconds, revisited in any order, as bursts from several CPUs would arrive. */
    @Provide
    Arbitrary<List<Long>> sequences() {
        long margin = 4 * 1_000_000_001L; // room for the jitter below without overflow
        Arbitrary<Long> bases = unixNs().map(ns -> Math.clamp(ns, margin, MAX_NS - margin));
        return bases.list().ofMinSize(1).ofMaxSize(4).flatMap(pool ->
                Combinators.combine(Arbitraries.of(pool), Arbitraries.longs().between(-3, 3))
                        .as((ns, jitter) -> ns + jitter * 1_000_000_001L)
                        .list().ofMinSize(2).ofMaxSize(20));
    }
}
