package dev.netmon.output;

import static dev.netmon.output.AsciiValues.unsignedField;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Dropped;
import dev.netmon.event.Enrichment;
import dev.netmon.event.Errno;
import dev.netmon.event.Family;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import dev.netmon.event.Protocol;
import dev.netmon.event.RateLimited;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * The default schema: one JSON object per line, fields as documented in README.md.
 *
 * <p>Written for a storm of events: field names and fixed values are encoded once (SerializedString), timestamps and
 * addresses go in as ASCII bytes, and a container's object is encoded once per container, so that a line costs
 * little more than copying bytes into the generator's buffer.
 */
public final class JsonLineWriter implements LineSink {
    /**
     * The "schema" field of every line: this schema's name and major version, described by
     * schema/netmon-v1.schema.json. Within a version fields are only added; removing or changing one bumps it.
     */
    static final String SCHEMA = "netmon/1";

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private static final SerializableString TIMESTAMP = text("timestamp");
    private static final SerializableString NODE = text("node");
    private static final SerializableString SCHEMA_NAME = text("schema");
    private static final SerializableString SCHEMA_VALUE = text(SCHEMA);
    private static final SerializableString TYPE = text("type");
    private static final SerializableString PROTOCOL = text("protocol");
    private static final SerializableString FAMILY = text("family");
    private static final SerializableString DIRECTION = text("direction");
    private static final SerializableString SRC_IP = text("src_ip");
    private static final SerializableString SRC_PORT = text("src_port");
    private static final SerializableString DST_IP = text("dst_ip");
    private static final SerializableString DST_PORT = text("dst_port");
    private static final SerializableString PID = text("pid");
    private static final SerializableString TID = text("tid");
    private static final SerializableString UID = text("uid");
    private static final SerializableString PROCESS = text("process");
    private static final SerializableString NETNS = text("netns");
    private static final SerializableString CGROUP_ID = text("cgroup_id");
    private static final SerializableString RESULT = text("result");
    private static final SerializableString DURATION_NS = text("duration_ns");
    private static final SerializableString BYTES_SENT = text("bytes_sent");
    private static final SerializableString BYTES_RECEIVED = text("bytes_received");
    private static final SerializableString CONTAINER = text("container");
    private static final SerializableString UNIT = text("unit");
    private static final SerializableString ENRICHMENT = text("enrichment");
    private static final SerializableString CONNECT = text("CONNECT");
    private static final SerializableString ACCEPT = text("ACCEPT");
    private static final SerializableString CLOSE = text("CLOSE");
    private static final SerializableString OK = text(Errno.connectResult(0));
    private static final int EINPROGRESS = -115;
    private static final SerializableString IN_PROGRESS = text(Errno.connectResult(EINPROGRESS));
    private static final SerializableString[] PROTOCOLS = texts(Protocol.values(), Protocol::name);
    private static final SerializableString[] FAMILIES = texts(Family.values(), Family::name);
    private static final SerializableString[] DIRECTIONS = texts(Direction.values(), Direction::text);
    private static final SerializableString[] ENRICHMENTS = texts(Enrichment.values(), Enrichment::text);

    private final JsonGenerator json;
    private final SerializableString node;
    private final LongUnaryOperator toUnixNs;
    private final AsciiValues ascii = new AsciiValues();
    private final PerContainer<SerializableString> containers;

    /**
     * @param node the node name printed on every line
     * @param toUnixNs converts kernel CLOCK_MONOTONIC nanoseconds to Unix-epoch nanoseconds
     */
    public JsonLineWriter(OutputStream out, String node, LongUnaryOperator toUnixNs) throws IOException {
        this(out, node, toUnixNs, false);
    }

    /** @param podLabels include the pod's labels in {@code container.pod_labels} (--pod-labels) */
    public JsonLineWriter(OutputStream out, String node, LongUnaryOperator toUnixNs, boolean podLabels)
            throws IOException {
        this.json = lineGenerator(out);
        this.node = rawJson(g -> g.writeString(node));
        this.toUnixNs = toUnixNs;
        this.containers = new PerContainer<>(c -> rawJson(g -> writeContainerValue(g, c, podLabels)));
    }

    /** A UTF-8 generator for one object per line; the caller writes the '\n' after each object. */
    static JsonGenerator lineGenerator(OutputStream out) throws IOException {
        JsonGenerator json = FACTORY.createGenerator(out, JsonEncoding.UTF8);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        json.setRootValueSeparator(null); // each object ends with its own newline instead of a space
        return json;
    }

    /** A string encoded (and escaped) once, for a name or value written on many lines. */
    static SerializableString text(String s) {
        return new SerializedString(s);
    }

    /** One encoded text per constant, indexed by ordinal. */
    static <E extends Enum<E>> SerializableString[] texts(E[] values, java.util.function.Function<E, String> text) {
        SerializableString[] texts = new SerializableString[values.length];
        for (E e : values) {
            texts[e.ordinal()] = text(text.apply(e));
        }
        return texts;
    }

    /** Writes one value through a generator like the lines' own. */
    interface ValueWriting {
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * A JSON value encoded by a generator like the lines' own (so escaped exactly as they would escape it), for
     * writeRawValue on many lines.
     */
    static SerializableString rawJson(ValueWriting value) {
        var bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = lineGenerator(bytes)) {
            value.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding into memory failed", e);
        }
        return text(bytes.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void write(LogLine line) throws IOException {
        json.writeStartObject();
        json.writeFieldName(TIMESTAMP);
        ascii.timestamp(json, toUnixNs.applyAsLong(line.monotonicNs()));
        json.writeFieldName(NODE);
        json.writeRawValue(node);
        json.writeFieldName(SCHEMA_NAME);
        json.writeString(SCHEMA_VALUE);
        switch (line) {
            case NetEvent event -> writeEvent(event, Attribution.UNKNOWN);
            case Attributed a -> writeEvent(a.event(), a.attribution());
            case Lost lost -> {
                json.writeStringField("type", "LOST");
                json.writeNumberField("count", lost.count());
                json.writeNumberField("total", lost.total());
                json.writeStringField("buffer", lost.buffer());
            }
            case Dropped d -> {
                json.writeStringField("type", "DROPPED");
                json.writeNumberField("count", d.count());
                json.writeNumberField("total", d.total());
                json.writeStringField("reason", d.reason());
            }
            case RateLimited r -> {
                json.writeStringField("type", "RATE_LIMITED");
                unsignedField(json, CGROUP_ID, r.cgroupId());
                writeContainer(r.attribution().container());
                json.writeStringField("unit", r.attribution().unit());
                json.writeNumberField("count", r.count());
                json.writeNumberField("limit_per_second", r.limitPerSecond());
            }
        }
        json.writeEndObject();
        json.writeRaw('\n');
    }

    private void writeEvent(NetEvent event, Attribution attribution) throws IOException {
        var flow = event.flow();
        var header = event.header();
        var process = header.process();
        json.writeFieldName(TYPE);
        json.writeString(switch (event) {
            case NetEvent.Connect c -> CONNECT;
            case NetEvent.Accept a -> ACCEPT;
            case NetEvent.Close c -> CLOSE;
        });
        json.writeFieldName(PROTOCOL);
        json.writeString(PROTOCOLS[flow.protocol().ordinal()]);
        json.writeFieldName(FAMILY);
        json.writeString(FAMILIES[flow.family().ordinal()]);
        json.writeFieldName(DIRECTION);
        json.writeString(DIRECTIONS[event.direction().ordinal()]);
        json.writeFieldName(SRC_IP);
        ascii.ip(json, flow.src());
        json.writeFieldName(SRC_PORT);
        json.writeNumber(flow.src().port());
        json.writeFieldName(DST_IP);
        ascii.ip(json, flow.dst());
        json.writeFieldName(DST_PORT);
        json.writeNumber(flow.dst().port());
        json.writeFieldName(PID);
        json.writeNumber(Integer.toUnsignedLong(process.pid()));
        json.writeFieldName(TID);
        json.writeNumber(Integer.toUnsignedLong(process.tid()));
        json.writeFieldName(UID);
        json.writeNumber(Integer.toUnsignedLong(process.uid()));
        json.writeFieldName(PROCESS);
        json.writeString(process.name());
        json.writeFieldName(NETNS);
        json.writeNumber(header.netns());
        unsignedField(json, CGROUP_ID, header.cgroupId());
        switch (event) {
            case NetEvent.Connect c -> {
                json.writeFieldName(RESULT);
                switch (c.result()) {
                    case 0 -> json.writeString(OK);
                    case EINPROGRESS -> json.writeString(IN_PROGRESS);
                    default -> json.writeString(Errno.connectResult(c.result()));
                }
            }
            case NetEvent.Accept a -> {}
            case NetEvent.Close c -> {
                unsignedField(json, DURATION_NS, c.durationNs());
                if (c.traffic() == null) {
                    json.writeFieldName(BYTES_SENT);
                    json.writeNull();
                    json.writeFieldName(BYTES_RECEIVED);
                    json.writeNull();
                } else {
                    unsignedField(json, BYTES_SENT, c.traffic().sent());
                    unsignedField(json, BYTES_RECEIVED, c.traffic().received());
                }
            }
        }
        writeContainer(attribution.container());
        json.writeFieldName(UNIT);
        json.writeString(attribution.unit());
        json.writeFieldName(ENRICHMENT);
        json.writeString(ENRICHMENTS[attribution.enrichment().ordinal()]);
    }

    private void writeContainer(ContainerInfo c) throws IOException {
        json.writeFieldName(CONTAINER);
        if (c == null) {
            json.writeNull();
        } else {
            json.writeRawValue(containers.get(c));
        }
    }

    /**
     * The default schema's {@code container} field: the object, or null outside a container. Shared with
     * {@code netmon resolve --pid}, whose answer is to match the lines exactly.
     */
    public static void writeContainerField(JsonGenerator json, ContainerInfo c, boolean podLabels) throws IOException {
        json.writeFieldName("container");
        writeContainerValue(json, c, podLabels);
    }

    private static void writeContainerValue(JsonGenerator json, ContainerInfo c, boolean podLabels)
            throws IOException {
        if (c == null) {
            json.writeNull();
            return;
        }
        json.writeStartObject();
        json.writeStringField("container_id", c.containerId());
        json.writeStringField("container_name", c.containerName());
        json.writeStringField("pod_name", c.podName());
        json.writeStringField("pod_namespace", c.podNamespace());
        json.writeStringField("pod_uid", c.podUid());
        json.writeStringField("runtime", c.runtime());
        json.writeStringField("image", c.image());
        if (podLabels) {
            json.writeObjectFieldStart("pod_labels");
            for (var label : new TreeMap<>(c.podLabels()).entrySet()) {
                json.writeStringField(label.getKey(), label.getValue());
            }
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    @Override
    public void flush() throws IOException {
        json.flush();
    }
}
