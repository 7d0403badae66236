package dev.netmon.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.event.EventHeader;
import dev.netmon.event.ProcessRef;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;

/** The per-cgroup token bucket: bounded rate, nothing unaccounted, cgroups independent. */
class RateLimiterProperties {
    private static final long SECOND = 1_000_000_000L;

    /** Events at arbitrary times: per cgroup, allowed stays within rate x time + one burst, and all add up. */
    @Property
    void allowedWithinTheRateAndEveryEventAccountedFor(@ForAll @LongRange(min = 1, max = 1000) long perSecond,
            @ForAll("arrivals") List<long[]> arrivals) {
        RateLimiter limiter = new RateLimiter(perSecond, 1024);
        long[] allowed = new long[3];
        long[] offered = new long[3];
        long now = 0;
        for (long[] a : arrivals) {
            now += a[0];
            int cgroup = (int) a[1];
            offered[cgroup]++;
            if (limiter.allow(header(cgroup), now)) {
                allowed[cgroup]++;
            }
        }
        long limitedTotal = limiter.drain().stream().mapToLong(RateLimiter.Summary::count).sum();
        long allowedTotal = allowed[0] + allowed[1] + allowed[2];
        assertEquals(offered[0] + offered[1] + offered[2], allowedTotal + limitedTotal);
        for (int c = 0; c < 3; c++) {
            double bound = perSecond + perSecond * (now / (double) SECOND);
            assertTrue(allowed[c] <= Math.ceil(bound) + 1, "cgroup " + c + ": " + allowed[c] + " > " + bound);
        }
        Statistics.collect(limitedTotal > 0 ? "some limited" : "none limited");
        assertEquals(List.of(), limiter.drain(), "drain resets the counts");
    }

    @Provide
    Arbitrary<List<long[]>> arrivals() {
        Arbitrary<Long> gaps = Arbitraries.oneOf(Arbitraries.longs().between(0, 1000),
                Arbitraries.longs().between(0, SECOND / 10), Arbitraries.longs().between(0, 3 * SECOND));
        return net.jqwik.api.Combinators.combine(gaps, Arbitraries.longs().between(0, 2))
                .as((g, c) -> new long[] {g, c}).list().ofMaxSize(3000);
    }

    @Example
    void aBurstBeyondTheRateIsSummarisedWithItsCount() {
        RateLimiter limiter = new RateLimiter(10, 16);
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            allowed += limiter.allow(header(7), 0) ? 1 : 0;
        }
        assertEquals(10, allowed, "a second's worth passes at once");
        List<RateLimiter.Summary> s = limiter.drain();
        assertEquals(1, s.size());
        assertEquals(90, s.getFirst().count());
        assertEquals(7, s.getFirst().sample().cgroupId());
        assertTrue(limiter.allow(header(7), SECOND / 5), "200 ms later two more tokens are there");
    }

    @Example
    void offAllowsEverything() {
        RateLimiter off = new RateLimiter(0, 16);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(off.allow(header(1), 0));
        }
        assertEquals(List.of(), off.drain());
    }

    @Example
    void evictedCgroupsStillReportWhatTheyLost() {
        RateLimiter limiter = new RateLimiter(1, 2);
        for (int c = 0; c < 5; c++) { // each cgroup: one allowed, one limited; only two buckets are kept
            limiter.allow(header(c), 0);
            limiter.allow(header(c), 0);
        }
        assertEquals(5, limiter.drain().stream().mapToLong(RateLimiter.Summary::count).sum());
    }

    private static EventHeader header(int cgroup) {
        return new EventHeader(0, new ProcessRef(1, 1, 0, "p"), cgroup, 4026531840L, 0);
    }
}
