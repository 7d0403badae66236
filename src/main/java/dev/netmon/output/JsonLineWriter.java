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
import dev.netmon.event.EventHeader;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
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
    private static final SerializableString OK = text(Errno.connectResult(0));
    private static final int EINPROGRESS = -115;
    private static final SerializableString IN_PROGRESS = text(Errno.connectResult(EINPROGRESS));
    private static final SerializableString[] ENRICHMENTS = texts(Enrichment.values(), Enrichment::text);
    private static final SerializableString[] EVENT_KINDS = eventKinds();
    private static final SerializableString[] UNCONTAINED_ENDS = uncontainedEnds();

    private final JsonGenerator json;
    /** ,"node":...,"schema":"netmon/1": the same on every line of this writer. */
    private final SerializableString nodeAndSchema;
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
        this.nodeAndSchema = fieldRun(g -> {
            g.writeStringField("node", node);
            g.writeStringField("schema", SCHEMA);
        });
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

    /**
     * Fields that always go together, encoded once as they would be written one by one, with the comma that
     * precedes them. For {@code writeRaw} after a value inside an object: the generator does not count them, and
     * needs not, since it already writes a comma before the next field.
     */
    static SerializableString fieldRun(ValueWriting fields) {
        String object = rawJson(g -> {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        }).getValue();
        return text("," + object.substring(1, object.length() - 1));
    }

    /** type, protocol, family and direction of an event, by {@link #kindIndex}. */
    private static SerializableString[] eventKinds() {
        String[] types = {"CONNECT", "ACCEPT", "CLOSE"};
        var runs = new SerializableString[types.length * 2 * 2 * 2];
        for (int t = 0; t < types.length; t++) {
            for (Protocol p : Protocol.values()) {
                for (Family f : Family.values()) {
                    for (Direction d : Direction.values()) {
                        String type = types[t];
                        runs[kindIndex(t, p, f, d)] = fieldRun(g -> {
                            g.writeStringField("type", type);
                            g.writeStringField("protocol", p.name());
                            g.writeStringField("family", f.name());
                            g.writeStringField("direction", d.text());
                        });
                    }
                }
            }
        }
        return runs;
    }

    private static int kindIndex(int type, Protocol p, Family f, Direction d) {
        return ((type * 2 + p.ordinal()) * 2 + f.ordinal()) * 2 + d.ordinal();
    }

    /** The end of a line outside any container and unit, by enrichment. */
    private static SerializableString[] uncontainedEnds() {
        var runs = new SerializableString[Enrichment.values().length];
        for (Enrichment e : Enrichment.values()) {
            runs[e.ordinal()] = fieldRun(g -> {
                g.writeNullField("container");
                g.writeNullField("unit");
                g.writeStringField("enrichment", e.text());
            });
        }
        return runs;
    }

    @Override
    public void write(LogLine line) throws IOException {
        if (line instanceof Attributed a) { // nearly every line
            writeEvent(a.event(), a.attribution());
            return;
        }
        start(line.monotonicNs());
        switch (line) {
            case NetEvent event -> writeEventFields(event, Attribution.UNKNOWN);
            case Attributed a -> writeEventFields(a.event(), a.attribution());
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
        end();
    }

    /** The fields every line starts with: timestamp, node, schema. */
    private void start(long monotonicNs) throws IOException {
        json.writeStartObject();
        json.writeFieldName(TIMESTAMP);
        ascii.timestamp(json, toUnixNs.applyAsLong(monotonicNs));
        json.writeRaw(nodeAndSchema);
    }

    private void end() throws IOException {
        json.writeEndObject();
        json.writeRaw('\n');
    }

    private void writeEvent(NetEvent event, Attribution attribution) throws IOException {
        // Each variant's own accessors, once: through the interface every call would be a megamorphic dispatch.
        EventHeader header;
        Flow flow;
        int type;
        Direction direction;
        switch (event) {
            case NetEvent.Connect c -> {
                header = c.header();
                flow = c.flow();
                type = 0;
                direction = Direction.OUTBOUND;
            }
            case NetEvent.Accept a -> {
                header = a.header();
                flow = a.flow();
                type = 1;
                direction = Direction.INBOUND;
            }
            case NetEvent.Close c -> {
                header = c.header();
                flow = c.flow();
                type = 2;
                direction = c.direction();
            }
        }
        start(header.monotonicNs());
        json.writeRaw(EVENT_KINDS[kindIndex(type, flow.protocol(), flow.family(), direction)]);
        writeEventBody(event, header, flow, attribution);
        end();
    }

    /** An event inside a line already started (the rare paths: a bare NetEvent). */
    private void writeEventFields(NetEvent event, Attribution attribution) throws IOException {
        Flow flow = event.flow();
        json.writeRaw(EVENT_KINDS[kindIndex(switch (event) {
            case NetEvent.Connect c -> 0;
            case NetEvent.Accept a -> 1;
            case NetEvent.Close c -> 2;
        }, flow.protocol(), flow.family(), event.direction())]);
        writeEventBody(event, event.header(), flow, attribution);
    }

    private void writeEventBody(NetEvent event, EventHeader header, Flow flow, Attribution attribution)
            throws IOException {
        var process = header.process();
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
        ContainerInfo container = attribution.container();
        if (container == null && attribution.unit() == null) {
            json.writeRaw(UNCONTAINED_ENDS[attribution.enrichment().ordinal()]);
            return;
        }
        writeContainer(container);
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
