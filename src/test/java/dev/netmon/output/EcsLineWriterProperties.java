package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netmon.event.Attributed;
import dev.netmon.event.Direction;
import dev.netmon.event.EventArbitraries;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Whatever the kernel reports, each record becomes one ECS document that Elasticsearch maps as ECS. */
class EcsLineWriterProperties {

    @Property
    void everyLineIsAnEcsDocument(
            @ForAll("lines") List<LogLine> lines, @ForAll long bootTimeNs, @ForAll boolean podLabels)
            throws IOException {
        LongUnaryOperator toUnixNs = ns -> ns + bootTimeNs;
        List<String> written = JsonLines.writeWith(lines, out -> new EcsLineWriter(out, JsonLines.NODE, toUnixNs, podLabels));
        for (int i = 0; i < lines.size(); i++) {
            LogLine line = lines.get(i);
            JsonNode json = JsonLines.parse(written.get(i));
            Statistics.collect(line.getClass().getSimpleName(), json.has("orchestrator") ? "pod" : "no pod");
            assertEquals(Rfc3339Test.reference(toUnixNs.applyAsLong(line.monotonicNs())), json.get("@timestamp").asText());
            assertEquals(EcsLineWriter.ECS_VERSION, json.at("/ecs/version").asText());
            assertEquals(JsonLines.NODE, json.at("/host/name").asText());
            assertTrue(Set.of("event", "metric").contains(json.at("/event/kind").asText()), json.toString());
            assertFalse(json.has("kubernetes"), "a top-level kubernetes object belongs to Fluent Bit's filter");
            assertNoDottedKeys(json, "");
            switch (line) {
                case Lost lost -> assertEquals(lost.count(), json.at("/netmon/lost/count").asLong());
                case NetEvent event -> assertEventFields(event, json);
                case Attributed a -> assertEventFields(a.event(), json);
                case dev.netmon.event.Dropped d -> assertEquals(d.count(), json.at("/netmon/dropped/count").asLong());
                case dev.netmon.event.RateLimited r ->
                        assertEquals(r.count(), json.at("/netmon/rate_limited/count").asLong());
            }
        }
    }

    /** Dotted keys would be read as paths by some consumers and as plain names by others; ECS here is nested. */
    private static void assertNoDottedKeys(JsonNode node, String path) {
        for (var field : node.properties()) {
            String at = path + "/" + field.getKey();
            assertFalse(field.getKey().contains("."), "dotted key " + at);
            assertNoDottedKeys(field.getValue(), at);
        }
        for (JsonNode element : node) {
            if (element.isContainerNode()) {
                assertNoDottedKeys(element, path + "[]");
            }
        }
    }

    private static void assertEventFields(NetEvent event, JsonNode json) {
        var flow = event.flow();
        assertEquals(event.typeName().toLowerCase(Locale.ROOT), json.at("/event/action").asText());
        assertEquals(flow.src().ip(), json.at("/source/ip").asText());
        assertEquals(flow.src().port(), json.at("/source/port").asInt());
        assertEquals(flow.dst().ip(), json.at("/destination/ip").asText());
        assertEquals(flow.dst().port(), json.at("/destination/port").asInt());
        assertEquals(String.valueOf(flow.protocol().number()), json.at("/network/iana_number").asText());
        assertEquals(event.header().process().name(), json.at("/process/name").asText());
        assertEquals(event.header().process().pid(), json.at("/process/pid").asInt());
        assertEquals(event.header().netns(), json.at("/netmon/netns").asLong());
        if (event instanceof NetEvent.Close c && c.traffic() != null) {
            boolean local = c.direction() == Direction.OUTBOUND;
            assertEquals(local ? c.traffic().sent() : c.traffic().received(), json.at("/source/bytes").asLong());
            assertEquals(local ? c.traffic().received() : c.traffic().sent(), json.at("/destination/bytes").asLong());
        } else {
            assertTrue(json.at("/source/bytes").isMissingNode() && json.at("/destination/bytes").isMissingNode());
        }
    }

    @Provide
    Arbitrary<List<LogLine>> lines() {
        return EventArbitraries.logLines().list().ofMaxSize(12);
    }
}
