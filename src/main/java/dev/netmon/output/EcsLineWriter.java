package dev.netmon.output;

import static dev.netmon.output.JsonLineWriter.fieldRun;
import static dev.netmon.output.JsonLineWriter.rawJson;
import static dev.netmon.output.JsonLineWriter.text;
import static dev.netmon.output.JsonLineWriter.texts;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Dropped;
import dev.netmon.event.Endpoint;
import dev.netmon.event.Enrichment;
import dev.netmon.event.Errno;
import dev.netmon.event.Family;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import dev.netmon.event.Protocol;
import dev.netmon.event.RateLimited;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * Elastic Common Schema 8.11 (--format ecs): one JSON object per line, fields as nested objects, so that
 * Elasticsearch, Filebeat and Fluent Bit take lines as they are. The mapping is documented in README.md.
 *
 * <p>Unknown values are left out rather than written as null. netmon's own data goes under {@code netmon}; there is
 * never a top-level {@code kubernetes} object, because Fluent Bit's kubernetes filter adds one describing the pod
 * that logged the line, which is netmon's own, not the one that made the connection.
 *
 * <p>As in the default format, names and fixed values are encoded once, and what is the same on every line of a
 * writer (the ecs and host objects) or of a container (its container and orchestrator objects) is encoded once too.
 */
public final class EcsLineWriter implements LineSink {
    static final String ECS_VERSION = "8.11.0";

    /** A container's two objects, each null where the container has nothing to put in it. */
    private record ContainerObjects(SerializableString container, SerializableString orchestrator) {}

    private static final SerializableString TIMESTAMP = text("@timestamp");
    private static final SerializableString DURATION = text("duration");
    private static final SerializableString COMMUNITY_ID = text("community_id");
    private static final SerializableString SOURCE = text("source");
    private static final SerializableString DESTINATION = text("destination");
    private static final SerializableString IP = text("ip");
    private static final SerializableString PORT = text("port");
    private static final SerializableString BYTES = text("bytes");
    private static final SerializableString PROCESS = text("process");
    private static final SerializableString PID = text("pid");
    private static final SerializableString NAME = text("name");
    private static final SerializableString THREAD = text("thread");
    private static final SerializableString ID = text("id");
    private static final SerializableString USER = text("user");
    private static final SerializableString CONTAINER = text("container");
    private static final SerializableString ORCHESTRATOR = text("orchestrator");
    private static final SerializableString NETMON = text("netmon");
    private static final SerializableString NETNS = text("netns");
    private static final SerializableString CGROUP_ID = text("cgroup_id");
    private static final SerializableString RESULT = text("result");
    private static final SerializableString UNIT = text("unit");
    private static final SerializableString ENRICHMENT = text("enrichment");
    private static final SerializableString[] ENRICHMENTS = texts(Enrichment.values(), Enrichment::text);
    private static final int EINPROGRESS = -115;
    private static final SerializableString CONNECT_SUCCEEDED = eventRun("start", "connect", "success", false);
    private static final SerializableString CONNECT_FAILED = eventRun("start", "connect", "failure", false);
    private static final SerializableString ACCEPTED = eventRun("start", "accept", "success", false);
    private static final SerializableString CLOSED_OPEN = eventRun("end", "close", "success", true);
    private static final SerializableString CLOSE_BRACE = text("}");
    private static final SerializableString[] NETWORK_OPEN = networkRuns();

    private final JsonGenerator json;
    /** ,"ecs":{...},"host":{...}: the same on every line of this writer. */
    private final SerializableString ecsAndHost;
    private final LongUnaryOperator toUnixNs;
    private final AsciiValues ascii = new AsciiValues();
    private final CommunityId communityIds = new CommunityId();
    private final boolean podLabels;
    private final PerContainer<ContainerObjects> containers;

    /**
     * @param node the node name, written as {@code host.name}
     * @param toUnixNs converts kernel CLOCK_MONOTONIC nanoseconds to Unix-epoch nanoseconds
     * @param podLabels write the pod's labels as {@code orchestrator.resource.label} (--pod-labels)
     */
    public EcsLineWriter(OutputStream out, String node, LongUnaryOperator toUnixNs, boolean podLabels)
            throws IOException {
        this.json = JsonLineWriter.lineGenerator(out);
        this.ecsAndHost = fieldRun(g -> {
            g.writeObjectFieldStart("ecs");
            g.writeStringField("version", ECS_VERSION);
            g.writeEndObject();
            g.writeObjectFieldStart("host");
            g.writeStringField("name", node);
            g.writeEndObject();
        });
        this.toUnixNs = toUnixNs;
        this.podLabels = podLabels;
        this.containers = new PerContainer<>(c -> new ContainerObjects(
                hasContainer(c) ? rawJson(g -> writeContainer(g, c)) : null,
                hasOrchestrator(c) ? rawJson(g -> writeOrchestrator(g, c)) : null));
    }

    @Override
    public void write(LogLine line) throws IOException {
        json.writeStartObject();
        json.writeFieldName(TIMESTAMP);
        ascii.timestamp(json, toUnixNs.applyAsLong(line.monotonicNs()));
        json.writeRaw(ecsAndHost);
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
                writeContainerObjects(r.attribution().container());
                json.writeObjectFieldStart("netmon");
                writeUnsigned("cgroup_id", r.cgroupId());
                stringIfKnown(UNIT, r.attribution().unit());
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
        stringArray(json, "category", "network");
        stringArray(json, "type", "info");
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
        json.writeFieldName(PROCESS);
        json.writeStartObject();
        json.writeFieldName(PID);
        json.writeNumber(Integer.toUnsignedLong(process.pid()));
        json.writeFieldName(NAME);
        json.writeString(process.name());
        json.writeFieldName(THREAD);
        json.writeStartObject();
        json.writeFieldName(ID);
        json.writeNumber(Integer.toUnsignedLong(process.tid()));
        json.writeEndObject();
        json.writeEndObject();
        json.writeFieldName(USER);
        json.writeStartObject();
        json.writeFieldName(ID);
        json.writeString(Integer.toUnsignedString(process.uid()));
        json.writeEndObject();
        writeContainerObjects(attribution.container());
        json.writeFieldName(NETMON);
        json.writeStartObject();
        json.writeFieldName(NETNS);
        json.writeNumber(header.netns());
        AsciiValues.unsignedField(json, CGROUP_ID, header.cgroupId());
        if (event instanceof NetEvent.Connect c) {
            json.writeFieldName(RESULT);
            json.writeString(Errno.connectResult(c.result()));
        }
        stringIfKnown(UNIT, attribution.unit());
        json.writeFieldName(ENRICHMENT);
        json.writeString(ENRICHMENTS[attribution.enrichment().ordinal()]);
        json.writeEndObject();
    }

    /**
     * The event object, encoded once per kind of event; a CLOSE's is left open for its duration. Written raw, as the
     * default format's field runs (JsonLineWriter.fieldRun): the generator writes the comma before the next field.
     */
    private void writeEventFields(NetEvent event) throws IOException {
        switch (event) {
            // A non-blocking connect in progress has not failed; how it ends is not reported.
            case NetEvent.Connect c -> json.writeRaw(c.result() == 0 || c.result() == EINPROGRESS
                    ? CONNECT_SUCCEEDED : CONNECT_FAILED);
            case NetEvent.Accept a -> json.writeRaw(ACCEPTED);
            case NetEvent.Close c -> {
                json.writeRaw(CLOSED_OPEN);
                AsciiValues.unsignedField(json, DURATION, c.durationNs());
                json.writeRaw(CLOSE_BRACE);
            }
        }
    }

    private static SerializableString eventRun(String type, String action, String outcome, boolean open) {
        SerializableString run = fieldRun(g -> {
            g.writeObjectFieldStart("event");
            g.writeStringField("kind", "event");
            stringArray(g, "category", "network");
            stringArray(g, "type", "connection", type);
            g.writeStringField("action", action);
            g.writeStringField("outcome", outcome);
            g.writeEndObject();
        });
        String text = run.getValue();
        return open ? text(text.substring(0, text.length() - 1)) : run;
    }

    /** The network object up to its community_id, by protocol, family and direction. */
    private static SerializableString[] networkRuns() {
        var runs = new SerializableString[2 * 2 * 2];
        for (Protocol p : Protocol.values()) {
            for (Family f : Family.values()) {
                for (Direction d : Direction.values()) {
                    String run = fieldRun(g -> {
                        g.writeObjectFieldStart("network");
                        g.writeStringField("transport", p.name().toLowerCase(Locale.ROOT));
                        g.writeStringField("type", f.name().toLowerCase(Locale.ROOT));
                        // ECS: from a host's point of view the direction is ingress or egress (inbound/outbound
                        // are perimeter terms).
                        g.writeStringField("direction", d == Direction.OUTBOUND ? "egress" : "ingress");
                        g.writeStringField("iana_number", Integer.toString(p.number()));
                        g.writeEndObject();
                    }).getValue();
                    runs[networkIndex(p, f, d)] = text(run.substring(0, run.length() - 1));
                }
            }
        }
        return runs;
    }

    private static int networkIndex(Protocol p, Family f, Direction d) {
        return (p.ordinal() * 2 + f.ordinal()) * 2 + d.ordinal();
    }

    private void writeNetwork(NetEvent event) throws IOException {
        var flow = event.flow();
        json.writeRaw(NETWORK_OPEN[networkIndex(flow.protocol(), flow.family(), event.direction())]);
        json.writeFieldName(COMMUNITY_ID);
        communityIds.write(json, flow);
        json.writeRaw(CLOSE_BRACE);
    }

    /** ECS source is the initiator, as netmon's src is; X.bytes are the bytes X sent. */
    private void writeEnds(NetEvent event) throws IOException {
        var flow = event.flow();
        boolean bytes = false;
        long sourceBytes = 0;
        long destinationBytes = 0;
        if (event instanceof NetEvent.Close c && c.traffic() != null) {
            boolean localIsSource = c.direction() == Direction.OUTBOUND;
            bytes = true;
            sourceBytes = localIsSource ? c.traffic().sent() : c.traffic().received();
            destinationBytes = localIsSource ? c.traffic().received() : c.traffic().sent();
        }
        writeEnd(SOURCE, flow.src(), bytes, sourceBytes);
        writeEnd(DESTINATION, flow.dst(), bytes, destinationBytes);
    }

    private void writeEnd(SerializableString name, Endpoint end, boolean hasBytes, long bytes) throws IOException {
        json.writeFieldName(name);
        json.writeStartObject();
        json.writeFieldName(IP);
        ascii.ip(json, end);
        json.writeFieldName(PORT);
        json.writeNumber(end.port());
        if (hasBytes) {
            AsciiValues.unsignedField(json, BYTES, bytes);
        }
        json.writeEndObject();
    }

    private void writeContainerObjects(ContainerInfo c) throws IOException {
        if (c == null) {
            return;
        }
        ContainerObjects objects = containers.get(c);
        if (objects.container() != null) {
            json.writeFieldName(CONTAINER);
            json.writeRawValue(objects.container());
        }
        if (objects.orchestrator() != null) {
            json.writeFieldName(ORCHESTRATOR);
            json.writeRawValue(objects.orchestrator());
        }
    }

    /** A process in a pod's network namespace only has no container object: the pod is known, no container. */
    private static boolean hasContainer(ContainerInfo c) {
        return c.containerId() != null || c.containerName() != null || c.image() != null || c.runtime() != null;
    }

    private static void writeContainer(JsonGenerator json, ContainerInfo c) throws IOException {
        json.writeStartObject();
        stringIfKnown(json, ID, c.containerId());
        stringIfKnown(json, NAME, c.containerName());
        if (c.image() != null) {
            json.writeObjectFieldStart("image");
            json.writeStringField("name", c.image());
            json.writeEndObject();
        }
        stringIfKnown(json, text("runtime"), c.runtime());
        json.writeEndObject();
    }

    /** A container outside any pod (docker, podman) has no orchestrator object. */
    private boolean hasOrchestrator(ContainerInfo c) {
        return c.podName() != null || c.podNamespace() != null || c.podUid() != null || labels(c);
    }

    private boolean labels(ContainerInfo c) {
        return podLabels && !c.podLabels().isEmpty();
    }

    private void writeOrchestrator(JsonGenerator json, ContainerInfo c) throws IOException {
        json.writeStartObject();
        json.writeStringField("type", "kubernetes");
        stringIfKnown(json, text("namespace"), c.podNamespace());
        json.writeObjectFieldStart("resource");
        json.writeStringField("type", "pod");
        stringIfKnown(json, NAME, c.podName());
        stringIfKnown(json, ID, c.podUid());
        if (labels(c)) {
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

    private static void stringArray(JsonGenerator json, String name, String... values) throws IOException {
        json.writeFieldName(name);
        arrayValue(json, values);
    }

    private static void arrayValue(JsonGenerator json, String... values) throws IOException {
        json.writeStartArray();
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /** The kernel's unsigned values print unsigned, as in the default format. */
    private void writeUnsigned(String name, long value) throws IOException {
        AsciiValues.unsignedField(json, text(name), value);
    }

    private void stringIfKnown(SerializableString name, String value) throws IOException {
        stringIfKnown(json, name, value);
    }

    private static void stringIfKnown(JsonGenerator json, SerializableString name, String value) throws IOException {
        if (value != null) {
            json.writeFieldName(name);
            json.writeString(value);
        }
    }

    @Override
    public void flush() throws IOException {
        json.flush();
    }
}
