package dev.netmon.pipeline;

import dev.netmon.event.Enrichment;
import dev.netmon.event.NetEvent;

/**
 * Running totals of what happened to the kernel's events on their way out, since start. The reader thread counts;
 * any thread reads. Until --count is reached or stdout closes, every event the kernel sent ends in exactly one of:
 * delivered (by type), lost, rate-limited, filtered, a decode error, or dropped (which the output stage counts).
 */
public final class TraceCounts {
    private final ReaderCounter connects = new ReaderCounter();
    private final ReaderCounter accepts = new ReaderCounter();
    private final ReaderCounter closes = new ReaderCounter();
    private final ReaderCounter lost = new ReaderCounter();
    private final ReaderCounter rateLimited = new ReaderCounter();
    private final ReaderCounter filtered = new ReaderCounter();
    private final ReaderCounter decodeErrors = new ReaderCounter();
    private final ReaderCounter[] enriched = {new ReaderCounter(), new ReaderCounter(), new ReaderCounter()};
    private final ReaderCounter releasedUnresolved = new ReaderCounter();

    void countDelivered(NetEvent e) {
        switch (e) {
            case NetEvent.Connect c -> connects.increment();
            case NetEvent.Accept a -> accepts.increment();
            case NetEvent.Close c -> closes.increment();
        }
    }

    void countEnriched(Enrichment level) {
        enriched[level.ordinal()].increment();
    }

    void countLost(long total) {
        lost.set(total);
    }

    void countRateLimited() {
        rateLimited.increment();
    }

    void countFiltered() {
        filtered.increment();
    }

    void countDecodeError() {
        decodeErrors.increment();
    }

    void countReleasedUnresolved(int n) {
        releasedUnresolved.set(releasedUnresolved.get() + n);
    }

    /** Event lines handed to the output stage (written, or queued to be). */
    public long events() {
        return connects() + accepts() + closes();
    }

    public long connects() {
        return connects.get();
    }

    public long accepts() {
        return accepts.get();
    }

    public long closes() {
        return closes.get();
    }

    /** Records the kernel could not buffer, as reported in LOST lines so far. */
    public long lost() {
        return lost.get();
    }

    /** Events the per-cgroup rate limit left out (each summarised in a RATE_LIMITED line). */
    public long rateLimited() {
        return rateLimited.get();
    }

    /** Events that user-space filters (--namespace, --pod, --cidr ...) held back. */
    public long filtered() {
        return filtered.get();
    }

    /** Records that did not decode. */
    public long decodeErrors() {
        return decodeErrors.get();
    }

    /** Events by the attribution they went out with, counted before the user-space filters. */
    public long enriched(Enrichment level) {
        return enriched[level.ordinal()].get();
    }

    /** Held events that went out unresolved because their --enrich-wait ended first. */
    public long releasedUnresolved() {
        return releasedUnresolved.get();
    }
}
