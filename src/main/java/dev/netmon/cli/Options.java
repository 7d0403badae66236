package dev.netmon.cli;

import dev.netmon.bpf.BufferKind;
import dev.netmon.output.Format;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed command line.
 *
 * @param events NETMON_EV_* mask
 * @param count stop after this many events; 0 for no limit
 * @param durationNs stop after this long; 0 for no limit
 * @param enrich how container and pod attribution is looked up
 * @param resolveCgroup for {@code netmon resolve --cgroup LINE}: the line, else null
 * @param resolvePid for {@code netmon resolve --pid N}: the pid, else 0
 * @param bufferBytes the ring buffer's size, or all CPUs' perf buffers together; a power of two
 * @param metricsAddress where to serve Prometheus metrics; empty: nowhere
 * @param statsIntervalSeconds how often a STATS line goes to stderr; 0 for never
 */
public record Options(
        Command command,
        Format format,
        BufferKind buffer,
        int bufferBytes,
        int events,
        Set<Integer> pids,
        long count,
        long durationNs,
        Enrich enrich,
        String resolveCgroup,
        int resolvePid,
        Filters filters,
        int queueSize,
        long rateLimit,
        Optional<MetricsAddress> metricsAddress,
        long statsIntervalSeconds) {

    public enum Command {
        TRACE,
        RESOLVE,
        HELP,
        VERSION
    }

    /**
     * @param criSocket --cri-socket, else discovery
     * @param cri false with --no-cri: attribution from cgroups only, no socket is opened
     * @param waitMs how long an event may wait for its own lookups before it goes out with what is known
     */
    public record Enrich(Optional<Path> criSocket, boolean cri, boolean podLabels, long waitMs, long criTimeoutMs,
            int cacheSize, long cacheTtlSeconds) {
        public static Enrich defaults() {
            return new Enrich(Optional.empty(), true, false, 100, 2000, 4096, 600);
        }
    }

    /**
     * What to leave out. Protocols, ports and process names are handed to the kernel; the rest is applied after
     * enrichment.
     *
     * @param protocols NETMON_PROTO_* mask
     */
    public record Filters(int protocols, Set<Integer> ports, Set<String> processNames, Set<String> namespaces,
            Set<String> excludeNamespaces, Set<String> pods, java.util.List<dev.netmon.pipeline.Cidr> cidrs,
            java.util.List<dev.netmon.pipeline.Cidr> excludeCidrs) {
        public static Filters none() {
            return new Filters(dev.netmon.bpf.ConfigLayout.PROTO_TCP | dev.netmon.bpf.ConfigLayout.PROTO_UDP,
                    Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), java.util.List.of(), java.util.List.of());
        }

        public dev.netmon.pipeline.LineFilter lineFilter() {
            return new dev.netmon.pipeline.LineFilter(namespaces, excludeNamespaces, pods, cidrs, excludeCidrs);
        }
    }

    /** Lines the output queue holds: about 5 MB of events, a few hundred ms of a busy node's burst. */
    public static final int DEFAULT_QUEUE_SIZE = 16_384;
    public static final long DEFAULT_STATS_INTERVAL_SECONDS = 60;

    public Options {
        pids = Set.copyOf(pids);
    }

    /** The trace command's options, as the tests and older callers build them. */
    public Options(Command command, Format format, BufferKind buffer, int events, Set<Integer> pids, long count,
            long durationNs) {
        this(command, format, buffer, dev.netmon.bpf.LoadSettings.DEFAULT_BUFFER_BYTES, events, pids, count, durationNs, Enrich.defaults(), null, 0, Filters.none(),
                DEFAULT_QUEUE_SIZE, 0, Optional.empty(), DEFAULT_STATS_INTERVAL_SECONDS);
    }
}
