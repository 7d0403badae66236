package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The index templates in schema/ as the jar carries them, and the one question the unit tests ask of them: would
 * OpenSearch put this line's every value into a field the template maps, with a type that takes the value?
 * (OpenSearchIngestIT asks a real node the same with real lines.)
 */
final class OpenSearchTemplates {
    static final JsonNode ECS = read("/schema/opensearch-ecs-template.json");
    static final JsonNode JSON = read("/schema/opensearch-json-template.json");

    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final Map<String, BigInteger[]> NUMERIC_RANGES = Map.of(
            "integer", new BigInteger[] {BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE)},
            "long", new BigInteger[] {BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE)},
            "unsigned_long", new BigInteger[] {BigInteger.ZERO, U64_MAX});
    private static final Set<String> STRING_TYPES = Set.of("keyword", "ip", "date_nanos");

    private OpenSearchTemplates() {}

    private static JsonNode read(String resource) {
        try (InputStream in = OpenSearchTemplates.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " in the jar's resources");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails naming the field unless every value of {@code line} fits its mapping in {@code template}. */
    static void assertFits(JsonNode template, JsonNode line) {
        assertFits(template.at("/template/mappings/properties"), line, "");
    }

    private static void assertFits(JsonNode properties, JsonNode object, String path) {
        for (var field : object.properties()) {
            String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode mapping = properties.get(field.getKey());
            JsonNode value = field.getValue();
            if (mapping == null) {
                fail(at + " is not in the template (dynamic false would keep it out of the index): " + object);
            }
            if (value.isNull()) {
                continue; // a null is indexed as absent, whatever the type
            }
            String type = mapping.path("type").asText("object");
            switch (type) {
                case "object" -> {
                    assertTrue(value.isObject(), () -> at + " is mapped as an object: " + value);
                    assertFits(mapping.get("properties"), value, at);
                }
                case "flat_object" -> {
                    assertTrue(value.isObject(), () -> at + " is a flat_object: " + value);
                    value.properties().forEach(e -> assertTrue(e.getValue().isTextual(), () -> at + ": " + value));
                }
                default -> assertValueFits(type, mapping.path("ignore_malformed").asBoolean(), value, at);
            }
        }
    }

    /** @param ignoreMalformed the field drops a value out of its range instead of rejecting the document */
    private static void assertValueFits(String type, boolean ignoreMalformed, JsonNode value, String at) {
        if (value.isArray()) {
            value.forEach(element -> assertValueFits(type, ignoreMalformed, element, at + "[]"));
        } else if (STRING_TYPES.contains(type)) {
            assertTrue(value.isTextual(), () -> at + " (" + type + ") holds text, not " + value);
        } else if (NUMERIC_RANGES.containsKey(type)) {
            BigInteger[] range = NUMERIC_RANGES.get(type);
            assertTrue(value.isIntegralNumber(), () -> at + " (" + type + ") holds an integer, not " + value);
            BigInteger v = value.bigIntegerValue();
            assertTrue(ignoreMalformed || v.compareTo(range[0]) >= 0 && v.compareTo(range[1]) <= 0,
                    () -> at + " (" + type + ") cannot hold " + v);
        } else {
            fail(at + " has a type this test does not know: " + type);
        }
    }

    /** Every field the template maps, by dotted path, with its type ("object" for one with properties). */
    static Map<String, String> fields(JsonNode template) {
        Map<String, String> out = new TreeMap<>();
        collect(template.at("/template/mappings/properties"), "", out);
        return out;
    }

    private static void collect(JsonNode properties, String path, Map<String, String> out) {
        for (var field : properties.properties()) {
            String at = path + field.getKey();
            JsonNode mapping = field.getValue();
            if (mapping.has("properties")) {
                collect(mapping.get("properties"), at + ".", out);
            } else {
                out.put(at, mapping.get("type").asText());
            }
        }
    }
}
