package dev.netmon.event;

/**
 * Events of one cgroup (a container, or a host unit) left out by the per-cgroup rate limit, summarised once per
 * interval so that one noisy pod cannot flood the log and the gap stays visible.
 *
 * @param attribution who the cgroup belongs to, as far as known when the summary was written
 * @param count events of this cgroup left out since its previous summary
 * @param limitPerSecond the configured limit (--rate-limit)
 */
public record RateLimited(long monotonicNs, long cgroupId, Attribution attribution, long count, long limitPerSecond)
        implements LogLine {}
