package dev.netmon.output;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Endpoint;
import dev.netmon.event.Errno;
import dev.netmon.event.LogLine;
import dev.netmon.event.Dropped;
import dev.netmon.event.Lost;
import dev.netmon.event.RateLimited;
import dev.netmon.event.NetEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * The --format ecs writer as it was before the writers were made to encode once and write bytes (commit "WriteBench
 * measures every format"), kept unchanged as the reference that the fast writer must match byte for byte
 * (PreviousWritersProperties). Its own comment follows.
 *
 * Elastic Common Schema 8.11 (--format ecs): one JSON object per line, fields as nested objects, so that
 * Elasticsearch, Filebeat and Fluent Bit take lines as they are. The mapping is documented in README.md.
 *
 * <p>Unknown values are left out rather than written as null. netmon's own data goes under {@code netmon}; there is
 * never a top-level {@code kubernetes} object, because Fluent Bit's kubernetes filter adds one describing the pod
 * that logged the line, which is netmon's own, not the one that made the connection.
 */
final class PreviousEcsLineWriter implements LineSink {
    static final String ECS_VERSION = "8.11.0";

    private final JsonGenerator json;
    private final String node;
    private final LongUnaryOperator toUnixNs;
    private final Rfc3339 timestamps = new Rfc3339();
    private final CommunityId communityIds = new CommunityId();
    private final boolean podLabels;

    /**
     * @param node the node name, written as {@code host.name}
     * @param toUnixNs converts kernel CLOCK_MONOTONIC nanoseconds to Unix-epoch nanoseconds
     * @param podLabels write the pod's labels as {@code orchestrator.resource.label} (--pod-labels)
     */
    PreviousEcsLineWriter(OutputStream out, String node, LongUnaryOperator toUnixNs, boolean podLabels)
            throws IOException {
        this.json = JsonLineWriter.lineGenerator(out);
        this.node = node;
        this.toUnixNs = toUnixNs;
        this.podLabels = podLabels;
    }

    @Override
    public void write(LogLine line) throws IOException {
        json.writeStartObject();
        json.writeStringField("@timestamp", timestamps.format(toUnixNs.applyAsLong(line.monotonicNs())));
        json.writeObjectFieldStart("ecs");
        json.writeStringField("version", ECS_VERSION);
        json.writeEndObject();
        json.writeObjectFieldStart("host");
        json.writeStringField("name", node);
        json.writeEndObject();
        switch (line) {
            case NetEvent event -> writeEvent(event, Attribution.UNKNOWN);
            case Attributed a -> writeEvent(a.event(), a.attribution());
            case Lost lost -> writeLost(lost);
            case Dropped d -> {
                writeReportEvent("dropped");
                json.writeObjectFieldStart("netmon");
                json.writeObjectFieldStart("dropped");
                writeUnsigned("count", d.count());
                writeUnsigned("total", d.total());
                json.writeEndObject();
                json.writeStringField("reason", d.reason());
                json.writeEndObject();
            }
            case RateLimited r -> {
                writeReportEvent("rate_limited");
                ContainerInfo container = r.attribution().container();
                if (container != null) {
                    writeContainer(container);
                    writeOrchestrator(container);
                }
                json.writeObjectFieldStart("netmon");
                writeUnsigned("cgroup_id", r.cgroupId());
                stringIfKnown("unit", r.attribution().unit());
                json.writeObjectFieldStart("rate_limited");
                writeUnsigned("count", r.count());
                writeUnsigned("limit_per_second", r.limitPerSecond());
                json.writeEndObject();
                json.writeEndObject();
            }
        }
        json.writeEndObject();
        json.writeRaw('\n');
    }

    /** The event object of a report about the stream (LOST, DROPPED, RATE_LIMITED): a metric, not a connection. */
    private void writeReportEvent(String action) throws IOException {
        json.writeObjectFieldStart("event");
        json.writeStringField("kind", "metric");
        stringArray("category", "network");
        stringArray("type", "info");
        json.writeStringField("action", action);
        json.writeEndObject();
    }

    /** A measurement about the stream itself, hence kind "metric": not a connection, and no detection either. */
    private void writeLost(Lost lost) throws IOException {
        writeReportEvent("lost");
        json.writeObjectFieldStart("netmon");
        json.writeObjectFieldStart("lost");
        writeUnsigned("count", lost.count());
        writeUnsigned("total", lost.total());
        json.writeEndObject();
        json.writeStringField("buffer", lost.buffer());
        json.writeEndObject();
    }

    private void writeEvent(NetEvent event, Attribution attribution) throws IOException {
        writeEventFields(event);
        writeNetwork(event);
        writeEnds(event);
        var header = event.header();
        var process = header.process();
        json.writeObjectFieldStart("process");
        json.writeNumberField("pid", Integer.toUnsignedLong(process.pid()));
        json.writeStringField("name", process.name());
        json.writeObjectFieldStart("thread");
        json.writeNumberField("id", Integer.toUnsignedLong(process.tid()));
        json.writeEndObject();
        json.writeEndObject();
        json.writeObjectFieldStart("user");
        json.writeStringField("id", Integer.toUnsignedString(process.uid()));
        json.writeEndObject();
        ContainerInfo container = attribution.container();
        if (container != null) {
            writeContainer(container);
            writeOrchestrator(container);
        }
        json.writeObjectFieldStart("netmon");
        json.writeNumberField("netns", header.netns());
        writeUnsigned("cgroup_id", header.cgroupId());
        if (event instanceof NetEvent.Connect c) {
            json.writeStringField("result", Errno.connectResult(c.result()));
        }
        stringIfKnown("unit", attribution.unit());
        json.writeStringField("enrichment", attribution.enrichment().text());
        json.writeEndObject();
    }

    private void writeEventFields(NetEvent event) throws IOException {
        json.writeObjectFieldStart("event");
        json.writeStringField("kind", "event");
        stringArray("category", "network");
        switch (event) {
            case NetEvent.Connect c -> {
                stringArray("type", "connection", "start");
                json.writeStringField("action", "connect");
                // A non-blocking connect in progress has not failed; how it ends is not reported.
                String result = Errno.connectResult(c.result());
                boolean failed = !result.equals("ok") && !result.equals("in_progress");
                json.writeStringField("outcome", failed ? "failure" : "success");
            }
            case NetEvent.Accept a -> {
                stringArray("type", "connection", "start");
                json.writeStringField("action", "accept");
                json.writeStringField("outcome", "success");
            }
            case NetEvent.Close c -> {
                stringArray("type", "connection", "end");
                json.writeStringField("action", "close");
                json.writeStringField("outcome", "success");
                writeUnsigned("duration", c.durationNs());
            }
        }
        json.writeEndObject();
    }

    private void writeNetwork(NetEvent event) throws IOException {
        var flow = event.flow();
        json.writeObjectFieldStart("network");
        json.writeStringField("transport", switch (flow.protocol()) {
            case TCP -> "tcp";
            case UDP -> "udp";
        });
        json.writeStringField("type", switch (flow.family()) {
            case IPv4 -> "ipv4";
            case IPv6 -> "ipv6";
        });
        // ECS: from a host's point of view the direction is ingress or egress (inbound/outbound are perimeter terms).
        json.writeStringField("direction", event.direction() == Direction.OUTBOUND ? "egress" : "ingress");
        json.writeStringField("iana_number", Integer.toString(flow.protocol().number()));
        json.writeStringField("community_id", communityIds.of(flow));
        json.writeEndObject();
    }

    /** ECS source is the initiator, as netmon's src is; X.bytes are the bytes X sent. */
    private void writeEnds(NetEvent event) throws IOException {
        var flow = event.flow();
        Long sourceBytes = null;
        Long destinationBytes = null;
        if (event instanceof NetEvent.Close c && c.traffic() != null) {
            boolean localIsSource = c.direction() == Direction.OUTBOUND;
            sourceBytes = localIsSource ? c.traffic().sent() : c.traffic().received();
            destinationBytes = localIsSource ? c.traffic().received() : c.traffic().sent();
        }
        writeEnd("source", flow.src(), sourceBytes);
        writeEnd("destination", flow.dst(), destinationBytes);
    }

    private void writeEnd(String name, Endpoint end, Long bytes) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeStringField("ip", end.ip());
        json.writeNumberField("port", end.port());
        if (bytes != null) {
            writeUnsigned("bytes", bytes);
        }
        json.writeEndObject();
    }

    private void writeContainer(ContainerInfo c) throws IOException {
        if (c.containerId() == null && c.containerName() == null && c.image() == null && c.runtime() == null) {
            return; // a process in a pod's network namespace only: the pod is known, no container
        }
        json.writeObjectFieldStart("container");
        stringIfKnown("id", c.containerId());
        stringIfKnown("name", c.containerName());
        if (c.image() != null) {
            json.writeObjectFieldStart("image");
            json.writeStringField("name", c.image());
            json.writeEndObject();
        }
        stringIfKnown("runtime", c.runtime());
        json.writeEndObject();
    }

    private void writeOrchestrator(ContainerInfo c) throws IOException {
        boolean labels = podLabels && !c.podLabels().isEmpty();
        if (c.podName() == null && c.podNamespace() == null && c.podUid() == null && !labels) {
            return; // a container outside any pod (docker, podman)
        }
        json.writeObjectFieldStart("orchestrator");
        json.writeStringField("type", "kubernetes");
        stringIfKnown("namespace", c.podNamespace());
        json.writeObjectFieldStart("resource");
        json.writeStringField("type", "pod");
        stringIfKnown("name", c.podName());
        stringIfKnown("id", c.podUid());
        if (labels) {
            // ECS keeps labels as "key:value" keywords; label keys hold dots and slashes, never a colon.
            json.writeArrayFieldStart("label");
            for (var label : new TreeMap<>(c.podLabels()).entrySet()) {
                json.writeString(label.getKey() + ":" + label.getValue());
            }
            json.writeEndArray();
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    private void stringArray(String name, String... values) throws IOException {
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /** The kernel's unsigned values print unsigned, as in the default format. */
    private void writeUnsigned(String name, long value) throws IOException {
        PreviousJsonLineWriter.writeUnsignedField(json, name, value);
    }

    private void stringIfKnown(String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    @Override
    public void flush() throws IOException {
        json.flush();
    }
}
