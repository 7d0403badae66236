package dev.netmon.output;

import dev.netmon.event.EventArbitraries;
import dev.netmon.event.LogLine;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the records, each value of each line lands in a field its template maps with a type that takes it. */
class OpenSearchTemplatesProperties {

    @Property
    void everyDefaultLineFitsTheDefaultTemplate(
            @ForAll("lines") List<LogLine> lines, @ForAll long bootTimeNs, @ForAll boolean podLabels)
            throws IOException {
        for (String line : JsonLines.write(lines, ns -> ns + bootTimeNs, podLabels)) {
            OpenSearchTemplates.assertFits(OpenSearchTemplates.JSON, JsonLines.parse(line));
        }
    }

    @Property
    void everyEcsLineFitsTheEcsTemplate(
            @ForAll("lines") List<LogLine> lines, @ForAll long bootTimeNs, @ForAll boolean podLabels)
            throws IOException {
        for (String line : JsonLines.writeWith(lines,
                out -> new EcsLineWriter(out, JsonLines.NODE, ns -> ns + bootTimeNs, podLabels))) {
            OpenSearchTemplates.assertFits(OpenSearchTemplates.ECS, JsonLines.parse(line));
        }
    }

    @Provide
    Arbitrary<List<LogLine>> lines() {
        Arbitrary<LogLine> line = Arbitraries.oneOf(
                EventArbitraries.netEvents(EventArbitraries.comms()),
                EventArbitraries.attributed(EventArbitraries.comms(), Arbitraries.strings().ofMaxLength(12)),
                EventArbitraries.lost(),
                EventArbitraries.dropped(),
                EventArbitraries.rateLimited(Arbitraries.strings().ofMaxLength(12)));
        return line.list().ofMaxSize(8);
    }
}
