package dev.netmon;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.netmon.cli.Options;
import dev.netmon.enrich.CgroupAttribution;
import dev.netmon.enrich.CgroupIndex;
import dev.netmon.enrich.CgroupMounts;
import dev.netmon.enrich.CgroupPaths;
import dev.netmon.enrich.ProcessIds;
import dev.netmon.enrich.RateLimitedLog;
import dev.netmon.enrich.Resolver;
import dev.netmon.enrich.cri.CriCallObserver;
import dev.netmon.enrich.cri.CriDirectory;
import dev.netmon.enrich.cri.CriSockets;
import dev.netmon.event.Attribution;
import dev.netmon.event.EventHeader;
import dev.netmon.output.JsonLineWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Collectors;

/** Builds the attribution chain from the flags, and runs {@code netmon resolve}. */
final class Enrichments {
    private static final long TOMBSTONE_NS = Duration.ofMinutes(5).toNanos();
    private static final int MAX_TOMBSTONES = 65_536;

    private Enrichments() {}

    static Resolver resolver(Options.Enrich e, PrintStream err) {
        return resolver(e, err, CriCallObserver.NONE);
    }

    /** @param criCalls told of every CRI call, for the metrics */
    static Resolver resolver(Options.Enrich e, PrintStream err, CriCallObserver criCalls) {
        CgroupMounts mounts = CgroupMounts.ofThisHost();
        CgroupIndex v2 = mounts.unified().map(p -> new CgroupIndex(p, MAX_TOMBSTONES, TOMBSTONE_NS)).orElse(null);
        CgroupIndex v1 = mounts.memoryV1().map(p -> new CgroupIndex(p, MAX_TOMBSTONES, TOMBSTONE_NS)).orElse(null);
        if (v2 == null && v1 == null) {
            err.println("netmon: no cgroup filesystem is mounted, so containers cannot be told apart"
                    + " (enrichment: none); mount the host's /sys/fs/cgroup");
        }
        CriDirectory cri = null;
        if (e.cri()) {
            Optional<Path> socket = CriSockets.choose(e.criSocket(), CriSockets.WELL_KNOWN);
            if (socket.isEmpty()) {
                err.println("netmon: no CRI socket found (tried " + CriSockets.WELL_KNOWN.stream().map(Path::toString)
                        .collect(Collectors.joining(", ")) + "): containers are named by cgroup only"
                        + " (enrichment: partial); pass --cri-socket PATH, or --no-cri to silence this");
            } else {
                var settings = new CriDirectory.Settings(Duration.ofMillis(e.criTimeoutMs()), Duration.ofSeconds(10),
                        e.cacheSize(), Duration.ofSeconds(e.cacheTtlSeconds()), Duration.ofSeconds(30),
                        Duration.ofMinutes(5));
                cri = CriDirectory.start(socket.get(), settings,
                        new RateLimitedLog(err, Duration.ofSeconds(30).toNanos(), System::nanoTime), criCalls);
            }
        }
        return new Resolver(v2, v1, cri);
    }

    /** {@code netmon resolve --cgroup LINE}: what the path alone says. */
    static void resolveCgroup(String line, OutputStream out) throws IOException {
        CgroupAttribution a = CgroupPaths.parse(line);
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeStringField("runtime", a.runtime() == null ? null : a.runtime().text());
            json.writeStringField("container_id", a.containerId());
            json.writeStringField("pod_uid", a.podUid());
            json.writeStringField("qos", a.qos() == null ? null : a.qos().text());
            json.writeStringField("unit", a.unit());
            json.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    /**
     * {@code netmon resolve --pid N}: the attribution its events would carry, CRI included.
     *
     * @return false if there is no such process
     */
    static boolean resolvePid(int pid, Options.Enrich e, OutputStream out, PrintStream err) throws IOException {
        Optional<EventHeader> ids = ProcessIds.of(pid, CgroupMounts.ofThisHost());
        if (ids.isEmpty()) {
            return false;
        }
        Attribution a;
        try (Resolver resolver = resolver(e, err)) {
            a = waitFor(resolver, ids.get(), Duration.ofMillis(e.criTimeoutMs() + 1000));
        }
        EventHeader h = ids.get();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeNumberField("pid", pid);
            json.writeStringField("process", h.process().name());
            json.writeNumberField("cgroup_id", h.cgroupId());
            json.writeNumberField("cgroup_v1_id", h.cgroupV1Id());
            json.writeStringField("cgroup_path", a.cgroupPath());
            json.writeNumberField("netns", h.netns());
            JsonLineWriter.writeContainerField(json, a.container(), true);
            json.writeStringField("unit", a.unit());
            json.writeStringField("enrichment", a.enrichment().text());
            json.writeEndObject();
        }
        out.write('\n');
        out.flush();
        return true;
    }

    /** A one-shot command may wait for its lookups, unlike the tracer; bounded by the CRI deadline. */
    private static Attribution waitFor(Resolver resolver, EventHeader h, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        for (int i = 0; i < 10_000 && System.nanoTime() - deadline < 0; i++) {
            Attribution a = resolver.tryResolve(h);
            if (a != null) {
                return a;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return resolver.now(h);
    }
}
