package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Errno;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/** Runs JsonLineWriter into memory and states the schema independently of it, as README promises it. */
final class JsonLines {
    static final String NODE = "node-a";
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonLines() {}

    /** A writer of one of the formats, writing into {@code out}. */
    interface SinkFactory {
        LineSink open(OutputStream out) throws IOException;
    }

    /** What the writer produced, checked to be strict UTF-8 and to end each line with exactly one '\n'. */
    static List<String> write(List<? extends LogLine> lines, LongUnaryOperator toUnixNs) throws IOException {
        return write(lines, toUnixNs, false);
    }

    /** @param podLabels as with --pod-labels */
    static List<String> write(List<? extends LogLine> lines, LongUnaryOperator toUnixNs, boolean podLabels)
            throws IOException {
        return writeWith(lines, out -> new JsonLineWriter(out, NODE, toUnixNs, podLabels));
    }

    /** What any format's writer produced, checked as {@link #write(List, LongUnaryOperator)} says. */
    static List<String> writeWith(List<? extends LogLine> lines, SinkFactory sink) throws IOException {
        var out = new ByteArrayOutputStream();
        var writer = sink.open(out);
        for (LogLine line : lines) {
            writer.write(line);
        }
        writer.flush();
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(out.toByteArray()))
                .toString();
        if (lines.isEmpty()) {
            assertEquals("", text);
            return List.of();
        }
        assertTrue(text.endsWith("\n"), "last line unterminated");
        List<String> written = Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1));
        assertEquals(lines.size(), written.size(), "one line per record");
        return written;
    }

    /** One JSON object filling the whole line: no leading space, nothing after the closing brace. */
    static JsonNode parse(String line) throws IOException {
        assertTrue(line.startsWith("{") && line.endsWith("}"), line);
        JsonNode node = MAPPER.readTree(line);
        assertTrue(node.isObject(), line);
        return node;
    }

    /** The documented fields of a line, with their values for this record. */
    static JsonNode expected(LogLine line, LongUnaryOperator toUnixNs) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", Rfc3339Test.reference(toUnixNs.applyAsLong(line.monotonicNs())));
        m.put("node", NODE);
        m.put("schema", "netmon/1");
        switch (line) {
            case Lost lost -> {
                m.put("type", "LOST");
                m.put("count", lost.count());
                m.put("total", lost.total());
                m.put("buffer", lost.buffer());
            }
            case NetEvent event -> putEvent(m, event, Attribution.UNKNOWN);
            case Attributed a -> putEvent(m, a.event(), a.attribution());
            case dev.netmon.event.Dropped d -> {
                m.put("type", "DROPPED");
                m.put("count", d.count());
                m.put("total", d.total());
                m.put("reason", d.reason());
            }
            case dev.netmon.event.RateLimited r -> {
                m.put("type", "RATE_LIMITED");
                m.put("cgroup_id", unsigned(r.cgroupId()));
                m.put("container", container(r.attribution().container()));
                m.put("unit", r.attribution().unit());
                m.put("count", r.count());
                m.put("limit_per_second", r.limitPerSecond());
            }
        }
        // Through text, so that numbers compare by value and not by the node type Jackson picked.
        return MAPPER.readTree(MAPPER.writeValueAsString(m));
    }

    private static Map<String, Object> container(ContainerInfo c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("container_id", c.containerId());
        m.put("container_name", c.containerName());
        m.put("pod_name", c.podName());
        m.put("pod_namespace", c.podNamespace());
        m.put("pod_uid", c.podUid());
        m.put("runtime", c.runtime());
        m.put("image", c.image());
        return m;
    }

    private static void putEvent(Map<String, Object> m, NetEvent event, Attribution attribution) {
        var flow = event.flow();
        var header = event.header();
        var process = header.process();
        m.put("protocol", flow.protocol().name());
        m.put("family", flow.family().name());
        m.put("src_ip", flow.src().ip());
        m.put("src_port", flow.src().port());
        m.put("dst_ip", flow.dst().ip());
        m.put("dst_port", flow.dst().port());
        m.put("pid", Integer.toUnsignedLong(process.pid()));
        m.put("tid", Integer.toUnsignedLong(process.tid()));
        m.put("uid", Integer.toUnsignedLong(process.uid()));
        m.put("process", process.name());
        m.put("netns", header.netns());
        m.put("cgroup_id", unsigned(header.cgroupId()));
        m.put("container", container(attribution.container()));
        m.put("unit", attribution.unit());
        m.put("enrichment", attribution.enrichment().text());
        switch (event) {
            case NetEvent.Connect c -> {
                m.put("type", "CONNECT");
                m.put("direction", "outbound");
                m.put("result", Errno.connectResult(c.result()));
            }
            case NetEvent.Accept a -> {
                m.put("type", "ACCEPT");
                m.put("direction", "inbound");
            }
            case NetEvent.Close c -> {
                m.put("type", "CLOSE");
                m.put("direction", c.direction() == Direction.INBOUND ? "inbound" : "outbound");
                m.put("duration_ns", unsigned(c.durationNs()));
                m.put("bytes_sent", c.traffic() == null ? null : unsigned(c.traffic().sent()));
                m.put("bytes_received", c.traffic() == null ? null : unsigned(c.traffic().received()));
            }
        }
    }

    /** The kernel's __u64 fields, which Java holds in a long. */
    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }
}
