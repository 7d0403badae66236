package dev.netmon.metrics;

import dev.netmon.bpf.LibBpfException;
import dev.netmon.bpf.ProgramStats;
import dev.netmon.cli.MetricsAddress;
import dev.netmon.enrich.Resolver;
import dev.netmon.enrich.cri.CriCallObserver;
import dev.netmon.event.Enrichment;
import dev.netmon.pipeline.OutputStage;
import dev.netmon.pipeline.TraceCounts;
import dev.netmon.pipeline.Tracer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * netmon's own metrics in Prometheus form, served over HTTP at /metrics. Almost every metric is read when scraped
 * from the counts the pipeline keeps anyway, so the reader thread pays nothing extra; only the CRI calls are
 * recorded as they happen, on the CRI client's threads. The README's Metrics section lists every one.
 */
public final class NetmonMetrics implements AutoCloseable {
    /** CRI calls take a millisecond on a quiet node and up to --cri-timeout (2 s by default) on a struggling one. */
    private static final double[] CRI_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
        10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final HTTPServer server;
    private final MetricsAddress address;
    private final CriCallObserver criObserver;

    private NetmonMetrics(MetricsAddress address) throws IOException {
        this.address = address;
        this.server = HTTPServer.builder().inetAddress(address.host()).port(address.port()).registry(registry)
                .buildAndStart();
        Histogram duration = Histogram.builder()
                .name("netmon_cri_request_duration_seconds").unit(Unit.SECONDS)
                .help("Time each CRI call took, failed ones included, by method.")
                .labelNames("method")
                .classicOnly().classicUpperBounds(CRI_SECONDS)
                .register(registry);
        Counter errors = Counter.builder()
                .name("netmon_cri_errors_total")
                .help("CRI calls that did not end OK, by method and gRPC status code.")
                .labelNames("method", "code")
                .register(registry);
        this.criObserver = (method, code, durationNs) -> {
            duration.labelValues(method).observe(Unit.nanosToSeconds(durationNs));
            if (!code.equals("OK")) {
                errors.labelValues(method, code).inc();
            }
        };
    }

    /**
     * Binds {@code address} and serves from now on; what to read is added by {@link #watch}.
     *
     * @throws IOException the address is taken (BindException) or not this host's
     */
    public static NetmonMetrics serve(MetricsAddress address) throws IOException {
        return new NetmonMetrics(address);
    }

    /** What the CRI client reports its calls to. */
    public CriCallObserver criObserver() {
        return criObserver;
    }

    /** The URL scrapers use, with the port really bound. */
    public String url() {
        return "http://" + address.authority(server.getPort()) + "/metrics";
    }

    public int port() {
        return server.getPort();
    }

    /** Registers everything read at scrape time; called once the pipeline exists. */
    public void watch(Tracer tracer, OutputStage output, Resolver resolver) {
        TraceCounts c = tracer.counts();
        CounterWithCallback.builder()
                .name("netmon_events_total")
                .help("Connection events handed to output (written to stdout or queued for it), by type.")
                .labelNames("type")
                .callback(cb -> {
                    cb.call(c.connects(), "connect");
                    cb.call(c.accepts(), "accept");
                    cb.call(c.closes(), "close");
                })
                .register(registry);
        count("netmon_events_lost_total", "Events the kernel could not put in the buffer (LOST lines).",
                tracer, t -> t.counts().lost());
        count("netmon_events_dropped_total", "Events dropped because the output queue was full (DROPPED lines).",
                tracer, t -> t.stats().dropped());
        count("netmon_events_rate_limited_total", "Events left out by --rate-limit (RATE_LIMITED lines).",
                tracer, t -> t.counts().rateLimited());
        count("netmon_events_filtered_total",
                "Events held back by the user-space filters (--namespace, --pod, --cidr and their exclusions).",
                tracer, t -> t.counts().filtered());
        count("netmon_decode_errors_total",
                "Kernel records that did not decode or failed in the buffer callback; counted, never fatal.",
                tracer, t -> t.stats().decodeErrors() + t.stats().sinkFailures());
        CounterWithCallback.builder()
                .name("netmon_enrichment_total")
                .help("Events by the attribution they got (the enrichment field), before user-space filters.")
                .labelNames("level")
                .callback(cb -> {
                    for (Enrichment level : Enrichment.values()) {
                        cb.call(c.enriched(level), level.text());
                    }
                })
                .register(registry);
        count("netmon_enrichment_released_unresolved_total",
                "Events that waited --enrich-wait for their lookup and went out without it.",
                tracer, t -> t.counts().releasedUnresolved());
        GaugeWithCallback.builder()
                .name("netmon_cache_entries")
                .help("Entries in each attribution cache: cgroups indexed (cgroup_v2, cgroup_v1) and the CRI"
                        + " directory's containers and pod network namespaces (cri_containers, cri_pods).")
                .labelNames("cache")
                .callback(cb -> resolver.cacheSizes().forEach((cache, size) -> cb.call(size, cache)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("netmon_output_queue_depth")
                .help("Event lines waiting for stdout.")
                .callback(cb -> cb.call(output.depth()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("netmon_output_queue_capacity")
                .help("Event lines the output queue holds before it drops (--queue-size).")
                .callback(cb -> cb.call(output.capacity()))
                .register(registry);
        CounterWithCallback.builder()
                .name("netmon_bpf_program_run_time_seconds").unit(Unit.SECONDS)
                .help("Time the kernel spent in each of netmon's BPF programs; counted only while BPF statistics"
                        + " are enabled (sysctl kernel.bpf_stats_enabled=1), else 0.")
                .labelNames("program")
                .callback(cb -> programStats(tracer).forEach(
                        p -> cb.call(Unit.nanosToSeconds(p.runTimeNs()), p.program())))
                .register(registry);
        CounterWithCallback.builder()
                .name("netmon_bpf_program_runs_total")
                .help("Times each of netmon's BPF programs ran; counted only while BPF statistics are enabled"
                        + " (sysctl kernel.bpf_stats_enabled=1), else 0.")
                .labelNames("program")
                .callback(cb -> programStats(tracer).forEach(p -> cb.call(p.runCount(), p.program())))
                .register(registry);
    }

    private void count(String name, String help, Tracer tracer, ToLongFunction<Tracer> value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsLong(tracer)))
                .register(registry);
    }

    /** Empty when the kernel refuses (the scrape goes on without these series) or the programs are detached. */
    private static List<ProgramStats> programStats(Tracer tracer) {
        try {
            return tracer.programStats();
        } catch (LibBpfException e) {
            return List.of();
        }
    }

    /** Stops serving; a scrape in progress may finish. */
    @Override
    public void close() {
        server.close();
    }
}
