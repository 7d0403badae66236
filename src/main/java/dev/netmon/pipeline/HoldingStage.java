package dev.netmon.pipeline;

import dev.netmon.enrich.Resolver;
import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.EventHeader;
import dev.netmon.event.NetEvent;
import dev.netmon.output.LineSink;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongSupplier;

/**
 * Between decode and output: attaches attribution to each event. An event whose attribution is cached goes out at
 * once. One whose lookup is still running is held, up to {@code maxWaitNs}, and then goes out with what is known;
 * holding it never holds back events of other cgroups. Events of the same cgroup and netns queue behind a held one,
 * so a connection's CONNECT always precedes its CLOSE. Runs on the reader thread and never blocks.
 */
final class HoldingStage {
    /** What decides an attribution: the same key always resolves the same way. */
    private record Key(long cgroupId, long cgroupV1Id, long netns) {
        static Key of(EventHeader h) {
            return new Key(h.cgroupId(), h.cgroupV1Id(), h.netns());
        }
    }

    private record Held(NetEvent event, long deadlineNs) {}

    /** Beyond this many held events the oldest go out unresolved: memory stays bounded in a burst of new pods. */
    static final int MAX_HELD = 65_536;

    private final Resolver resolver;
    private final long maxWaitNs;
    private final LineSink sink;
    private final LinkedHashMap<Key, ArrayDeque<Held>> held = new LinkedHashMap<>();
    private final TraceCounts counts;
    private int heldCount;
    private long written;

    /** @param resolver null to write every event with unknown attribution (no enrichment) */
    HoldingStage(Resolver resolver, long maxWaitNs, LineSink sink) {
        this(resolver, maxWaitNs, sink, new TraceCounts());
    }

    /** @param counts where the enrichment levels and unresolved releases are counted */
    HoldingStage(Resolver resolver, long maxWaitNs, LineSink sink, TraceCounts counts) {
        this.resolver = resolver;
        this.maxWaitNs = maxWaitNs;
        this.sink = sink;
        this.counts = counts;
    }

    /** @param nowNs the clock (nanoTime), read only if the event is held: most events go out at once */
    void offer(NetEvent event, LongSupplier nowNs) throws IOException {
        if (resolver == null) {
            write(event, Attribution.UNKNOWN);
            return;
        }
        // Nearly always nothing is held: then no key is made (an object per event, a tenth of the reader's).
        ArrayDeque<Held> queue = held.isEmpty() ? null : held.get(Key.of(event.header()));
        if (queue != null) {
            queue.add(new Held(event, nowNs.getAsLong() + maxWaitNs));
            heldCount++;
        } else {
            Attribution a = maxWaitNs > 0 ? resolver.tryResolve(event.header()) : resolver.now(event.header());
            if (a != null) {
                write(event, a);
                return;
            }
            queue = new ArrayDeque<>();
            queue.add(new Held(event, nowNs.getAsLong() + maxWaitNs));
            held.put(Key.of(event.header()), queue);
            heldCount++;
        }
        if (heldCount > MAX_HELD) {
            releaseOldest();
        }
    }

    /** Writes every held event whose attribution is now known or whose wait is over; all of them if {@code all}. */
    void release(long nowNs, boolean all) throws IOException {
        for (Iterator<ArrayDeque<Held>> it = held.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Held> queue = it.next();
            Held head = queue.peekFirst();
            Attribution a = resolver.tryResolve(head.event().header());
            if (a == null) {
                if (!all && nowNs - head.deadlineNs() < 0) {
                    continue;
                }
                a = resolver.now(head.event().header());
                counts.countReleasedUnresolved(queue.size());
            }
            for (Held h : queue) {
                write(h.event(), a);
            }
            heldCount -= queue.size();
            it.remove();
        }
    }

    private void releaseOldest() throws IOException {
        var it = held.values().iterator();
        ArrayDeque<Held> queue = it.next();
        Attribution a = resolver.now(queue.peekFirst().event().header());
        for (Held h : queue) {
            write(h.event(), a);
        }
        counts.countReleasedUnresolved(queue.size());
        heldCount -= queue.size();
        it.remove();
    }

    /** The earliest deadline of a held event, as a nanoTime; Long.MAX_VALUE when nothing is held. */
    long nextDeadlineNs() {
        // Queues are kept in the order their first event was held, so the first one's head waits longest.
        var first = held.values().iterator();
        return first.hasNext() ? first.next().peekFirst().deadlineNs() : Long.MAX_VALUE;
    }

    int heldCount() {
        return heldCount;
    }

    long written() {
        return written;
    }

    /** Events that went out with partial attribution because their wait ended first. */
    long releasedUnresolved() {
        return counts.releasedUnresolved();
    }

    private void write(NetEvent event, Attribution a) throws IOException {
        counts.countEnriched(a.enrichment());
        sink.write(new Attributed(event, a));
        written++;
    }
}
