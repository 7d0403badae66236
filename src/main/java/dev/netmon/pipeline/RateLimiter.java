package dev.netmon.pipeline;

import dev.netmon.event.EventHeader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A token bucket per cgroup (the pair of v2 and v1 ids, so hybrid hosts tell containers apart too): one noisy pod
 * cannot flood the log. Each cgroup may emit {@code perSecond} events a second on average, in bursts of up to
 * one second's worth. What is left out is counted per cgroup and summarised, never dropped silently.
 * Runs on the reader thread only; memory is bounded by {@code maxCgroups} (least recently seen go first, their
 * pending counts summarised before they go).
 */
final class RateLimiter {
    /** The cgroups an event may be attributed to; also what a summary reports. */
    record Key(long cgroupId, long cgroupV1Id) {}

    /** Events of one cgroup left out since its last summary, with one of its events' ids to attribute them. */
    record Summary(EventHeader sample, long count) {}

    private static final class Bucket {
        double tokens;
        long lastNs;
        long limited;
        EventHeader sample;
    }

    private final long perSecond;
    private final int maxCgroups;
    private final LinkedHashMap<Key, Bucket> buckets;
    private final List<Summary> evicted = new ArrayList<>();

    /** @param perSecond events per second per cgroup; 0 turns limiting off */
    RateLimiter(long perSecond, int maxCgroups) {
        this.perSecond = perSecond;
        this.maxCgroups = maxCgroups;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Bucket> eldest) {
                if (size() <= RateLimiter.this.maxCgroups) {
                    return false;
                }
                if (eldest.getValue().limited > 0) {
                    evicted.add(new Summary(eldest.getValue().sample, eldest.getValue().limited));
                }
                return true;
            }
        };
    }

    boolean enabled() {
        return perSecond > 0;
    }

    long perSecond() {
        return perSecond;
    }

    /** True if the event may go out; false if its cgroup is over its rate (the event is then counted). */
    boolean allow(EventHeader h, long nowNs) {
        if (perSecond <= 0) {
            return true;
        }
        Key key = new Key(h.cgroupId(), h.cgroupV1Id());
        Bucket b = buckets.get(key);
        if (b == null) {
            b = new Bucket();
            b.tokens = perSecond;
            b.lastNs = nowNs;
            buckets.put(key, b);
        }
        b.tokens = Math.min(perSecond, b.tokens + (nowNs - b.lastNs) * (perSecond / 1e9));
        b.lastNs = nowNs;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        b.limited++;
        b.sample = h;
        return false;
    }

    /** Every cgroup's count left out since the last call, and resets them. */
    List<Summary> drain() {
        List<Summary> out = new ArrayList<>(evicted);
        evicted.clear();
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            if (b.limited > 0) {
                out.add(new Summary(b.sample, b.limited));
                b.limited = 0;
            }
        }
        return out;
    }
}
