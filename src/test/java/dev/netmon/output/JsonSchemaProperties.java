package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.event.EventArbitraries;
import dev.netmon.event.LogLine;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Whatever the kernel and the enricher hand over, the writer prints a line that the schema accepts. */
class JsonSchemaProperties {

    @Property
    void everyLineTheWriterPrintsValidates(
            @ForAll("lines") List<LogLine> lines, @ForAll long bootTimeNs, @ForAll boolean podLabels)
            throws IOException {
        for (String line : JsonLines.write(lines, ns -> ns + bootTimeNs, podLabels)) {
            Statistics.collect(JsonLines.parse(line).get("type").asText());
            assertEquals(List.of(), NetmonSchema.errors(line), line);
        }
    }

    @Provide
    Arbitrary<List<LogLine>> lines() {
        Arbitrary<LogLine> line = Arbitraries.oneOf(
                EventArbitraries.netEvents(EventArbitraries.comms()),
                EventArbitraries.attributed(EventArbitraries.comms(), names()),
                EventArbitraries.lost(),
                EventArbitraries.dropped(),
                EventArbitraries.rateLimited(names()));
        return line.list().ofMaxSize(8);
    }

    /** Container, pod and unit names and labels: the schema constrains none of their text, only their place. */
    private static Arbitrary<String> names() {
        Arbitrary<String> plain = Arbitraries.strings().withCharRange(' ', '~').withChars("é日\u2028").ofMaxLength(20);
        return Arbitraries.oneOf(plain, Arbitraries.of("app.kubernetes.io/name", "sshd.service", "🦀", ""));
    }
}
