package dev.netmon.output;

import static dev.netmon.output.JsonLineWriterTest.CLOSE_LINE;
import static dev.netmon.output.JsonLineWriterTest.CONNECT_LINE;
import static dev.netmon.output.JsonLineWriterTest.LOST_LINE;
import static dev.netmon.output.JsonLineWriterTest.POD_LINE;
import static dev.netmon.output.Samples.BOOTED_AT_1_7E9;
import static dev.netmon.output.Samples.header;
import static dev.netmon.output.Samples.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Enrichment;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * schema/opensearch-*-template.json against what netmon writes: the default format's template maps exactly the
 * fields of netmon-v1.schema.json, each with the type its values need; the ECS template maps exactly the fields the
 * ECS writer can print; and an index name picks the right one.
 */
class OpenSearchTemplatesTest {

    @Test
    void defaultTemplateMapsEachSchemaFieldWithTheTypeItsValuesNeed() throws IOException {
        JsonNode schema;
        try (InputStream in = getClass().getResourceAsStream(NetmonSchema.RESOURCE)) {
            schema = new ObjectMapper().readTree(in);
        }
        Map<String, String> expected = new TreeMap<>();
        for (String line : List.of("connect_line", "accept_line", "close_line", "lost_line", "dropped_line",
                "rate_limited_line")) {
            schema.at("/$defs/" + line + "/properties").properties()
                    .forEach(p -> expected.putAll(indexType(schema, p.getKey(), p.getValue())));
        }
        assertEquals(expected, OpenSearchTemplates.fields(OpenSearchTemplates.JSON));
    }

    /**
     * What a schema property needs in the index: kernel u64 values unsigned_long (a long would reject the top
     * half), u32 long (an integer would reject netns inodes), ports integer, addresses ip, the nanosecond
     * timestamp date_nanos, pod labels flat_object (their keys hold dots), and the rest keyword.
     */
    private static Map<String, String> indexType(JsonNode schema, String path, JsonNode property) {
        Map<String, String> byName = Map.of("u64", "unsigned_long", "u32", "long", "port", "integer", "ip", "ip",
                "timestamp", "date_nanos");
        JsonNode p = property;
        while (p.has("$ref")) {
            String ref = p.get("$ref").asText();
            String name = ref.substring(ref.lastIndexOf('/') + 1);
            if (byName.containsKey(name)) {
                return Map.of(path, byName.get(name));
            }
            p = schema.at(ref.substring(1));
        }
        if ("18446744073709551615".equals(p.path("maximum").asText())) {
            return Map.of(path, "unsigned_long");
        }
        if (p.has("properties")) {
            Map<String, String> nested = new TreeMap<>();
            p.get("properties").properties()
                    .forEach(c -> nested.putAll(indexType(schema, path + "." + c.getKey(), c.getValue())));
            return nested;
        }
        return Map.of(path, p.path("type").asText().equals("object") ? "flat_object" : "keyword");
    }

    @Test
    void defaultLinesFitTheDefaultTemplate() throws IOException {
        for (String line : List.of(CONNECT_LINE, POD_LINE, CLOSE_LINE, LOST_LINE)) {
            OpenSearchTemplates.assertFits(OpenSearchTemplates.JSON, JsonLines.parse(line));
        }
    }

    /** Records that between them make the ECS writer print every field it has. */
    @Test
    void ecsTemplateMapsExactlyTheFieldsTheEcsWriterPrints() throws IOException {
        var pod = new ContainerInfo("a".repeat(64), "app", "web-7d4b9", "shop", "8f1a2b3c-1111-2222-3333-444455556666",
                "containerd", "docker.io/library/nginx:1.27", Map.of("app.kubernetes.io/name", "web", "tier", "front"));
        var connect = new Attributed(new NetEvent.Connect(header(0, "nginx"), tcp("10.244.1.7", 40000, "10.96.0.10", 53), 0),
                new Attribution(pod, null, Enrichment.FULL, "/kubepods/besteffort/pod8f1a/" + "a".repeat(64)));
        var close = new Attributed(new NetEvent.Close(header(1, "sshd"), tcp("10.0.0.2", 50000, "10.0.0.1", 22),
                Direction.INBOUND, 2_032_075, new NetEvent.Traffic(1074, 79)),
                new Attribution(null, "sshd.service", Enrichment.FULL, "/system.slice/ssh.service"));
        List<LogLine> records = List.of(connect, close, new Lost(2, 7, 19, "perf"),
                new dev.netmon.event.Dropped(3, 5, 9, dev.netmon.event.Dropped.OUTPUT_SLOW),
                new dev.netmon.event.RateLimited(4, 5821, connect.attribution(), 2891, 100));
        Map<String, String> printed = new TreeMap<>();
        for (String line : JsonLines.writeWith(records, out -> new EcsLineWriter(out, JsonLines.NODE, BOOTED_AT_1_7E9, true))) {
            JsonNode json = JsonLines.parse(line);
            OpenSearchTemplates.assertFits(OpenSearchTemplates.ECS, json);
            leaves(json, "", printed);
        }
        assertEquals(printed.keySet(), OpenSearchTemplates.fields(OpenSearchTemplates.ECS).keySet());
    }

    private static void leaves(JsonNode node, String path, Map<String, String> out) {
        if (node.isObject()) {
            node.properties().forEach(f -> leaves(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey(), out));
        } else {
            out.put(path, node.getNodeType().toString());
        }
    }

    /**
     * netmon-* (the default template) also matches netmon-ecs-*: the ECS template wins there by priority. Both leave
     * fields they do not list out of the index (dynamic false), so a shipper's extra field cannot reject a line.
     */
    @Test
    void anIndexNamePicksItsTemplateAndUnlistedFieldsStayOut() {
        assertEquals("[\"netmon-ecs-*\"]", OpenSearchTemplates.ECS.get("index_patterns").toString());
        assertEquals("[\"netmon-*\"]", OpenSearchTemplates.JSON.get("index_patterns").toString());
        assertTrue(OpenSearchTemplates.ECS.get("priority").asInt() > OpenSearchTemplates.JSON.get("priority").asInt());
        for (JsonNode template : List.of(OpenSearchTemplates.ECS, OpenSearchTemplates.JSON)) {
            assertEquals("false", template.at("/template/mappings/dynamic").asText());
        }
    }
}
