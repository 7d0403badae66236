package dev.netmon.output;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Dropped;
import dev.netmon.event.Errno;
import dev.netmon.event.RateLimited;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * The --format json writer as it was before the writers were made to encode once and write bytes (commit "WriteBench
 * measures every format"), kept as the reference that the fast writer must match byte for byte
 * (PreviousWritersProperties). The generator's settings are JsonLineWriter.lineGenerator's, called rather than
 * copied (the rewrite left them as they were). Its own comment follows.
 *
 * The default schema: one JSON object per line, fields as documented in README.md.
 */
final class PreviousJsonLineWriter implements LineSink {
    /**
     * The "schema" field of every line: this schema's name and major version, described by
     * schema/netmon-v1.schema.json. Within a version fields are only added; removing or changing one bumps it.
     */
    static final String SCHEMA = "netmon/1";


    private final JsonGenerator json;
    private final String node;
    private final LongUnaryOperator toUnixNs;
    private final Rfc3339 timestamps = new Rfc3339();
    private final boolean podLabels;

    /**
     * @param node the node name printed on every line
     * @param toUnixNs converts kernel CLOCK_MONOTONIC nanoseconds to Unix-epoch nanoseconds
     */
    PreviousJsonLineWriter(OutputStream out, String node, LongUnaryOperator toUnixNs) throws IOException {
        this(out, node, toUnixNs, false);
    }

    /** @param podLabels include the pod's labels in {@code container.pod_labels} (--pod-labels) */
    PreviousJsonLineWriter(OutputStream out, String node, LongUnaryOperator toUnixNs, boolean podLabels)
            throws IOException {
        this.json = JsonLineWriter.lineGenerator(out);
        this.node = node;
        this.toUnixNs = toUnixNs;
        this.podLabels = podLabels;
    }

    @Override
    public void write(LogLine line) throws IOException {
        json.writeStartObject();
        json.writeStringField("timestamp", timestamps.format(toUnixNs.applyAsLong(line.monotonicNs())));
        json.writeStringField("node", node);
        json.writeStringField("schema", SCHEMA);
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
                writeUnsignedField("cgroup_id", r.cgroupId());
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
        json.writeStringField("type", event.typeName());
        json.writeStringField("protocol", flow.protocol().name());
        json.writeStringField("family", flow.family().name());
        json.writeStringField("direction", event.direction().text());
        json.writeStringField("src_ip", flow.src().ip());
        json.writeNumberField("src_port", flow.src().port());
        json.writeStringField("dst_ip", flow.dst().ip());
        json.writeNumberField("dst_port", flow.dst().port());
        json.writeNumberField("pid", Integer.toUnsignedLong(process.pid()));
        json.writeNumberField("tid", Integer.toUnsignedLong(process.tid()));
        json.writeNumberField("uid", Integer.toUnsignedLong(process.uid()));
        json.writeStringField("process", process.name());
        json.writeNumberField("netns", header.netns());
        writeUnsignedField("cgroup_id", header.cgroupId());
        switch (event) {
            case NetEvent.Connect c -> json.writeStringField("result", Errno.connectResult(c.result()));
            case NetEvent.Accept a -> {}
            case NetEvent.Close c -> {
                writeUnsignedField("duration_ns", c.durationNs());
                if (c.traffic() == null) {
                    json.writeNullField("bytes_sent");
                    json.writeNullField("bytes_received");
                } else {
                    writeUnsignedField("bytes_sent", c.traffic().sent());
                    writeUnsignedField("bytes_received", c.traffic().received());
                }
            }
        }
        writeContainer(attribution.container());
        json.writeStringField("unit", attribution.unit());
        json.writeStringField("enrichment", attribution.enrichment().text());
    }

    private void writeUnsignedField(String name, long value) throws IOException {
        writeUnsignedField(json, name, value);
    }

    /** A kernel __u64 held in a long: above Long.MAX_VALUE its bits would otherwise print as a negative number. */
    static void writeUnsignedField(JsonGenerator json, String name, long value) throws IOException {
        json.writeFieldName(name);
        if (value >= 0) {
            json.writeNumber(value);
        } else {
            json.writeNumber(Long.toUnsignedString(value));
        }
    }

    private void writeContainer(ContainerInfo c) throws IOException {
        writeContainerField(json, c, podLabels);
    }

    /**
     * The default schema's {@code container} field: the object, or null outside a container. Shared with
     * {@code netmon resolve --pid}, whose answer is to match the lines exactly.
     */
    public static void writeContainerField(JsonGenerator json, ContainerInfo c, boolean podLabels) throws IOException {
        if (c == null) {
            json.writeNullField("container");
            return;
        }
        json.writeObjectFieldStart("container");
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
