package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * schema/netmon-v1.schema.json as the jar carries it (so the pom's resource entry is tested too), with formats
 * asserted as well as annotated: a consumer whose validator checks "format" must get the same answer.
 */
final class NetmonSchema {
    static final String RESOURCE = "/schema/netmon-v1.schema.json";
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final Schema SCHEMA = REGISTRY.getSchema(text(), InputFormat.JSON);

    private NetmonSchema() {}

    /** What the schema finds wrong with one line; empty when it validates. */
    static List<String> errors(String line) {
        return SCHEMA.validate(line, InputFormat.JSON).stream().map(Object::toString).toList();
    }

    /** What the draft 2020-12 meta-schema finds wrong with the schema itself. */
    static List<String> metaSchemaErrors() {
        Schema meta = REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
        return meta.validate(text(), InputFormat.JSON).stream().map(Object::toString).toList();
    }

    static String text() {
        try (InputStream in = NetmonSchema.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is not on the classpath: see the <resource> for schema/ in pom.xml");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
