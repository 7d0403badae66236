package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.event.EventArbitraries;
import dev.netmon.event.LogLine;
import java.io.IOException;
import java.util.List;
import java.util.function.LongUnaryOperator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Whatever the kernel reports, each record becomes one line that a JSON parser reads back to the same values. */
class JsonLineWriterProperties {

    @Property
    void everyRecordIsOneParsableLineWithTheDocumentedFields(
            @ForAll("lines") List<LogLine> lines, @ForAll long bootTimeNs) throws IOException {
        LongUnaryOperator toUnixNs = ns -> ns + bootTimeNs;
        List<String> written = JsonLines.write(lines, toUnixNs);
        for (int i = 0; i < lines.size(); i++) {
            Statistics.collect(lines.get(i).getClass().getSimpleName());
            assertEquals(JsonLines.expected(lines.get(i), toUnixNs), JsonLines.parse(written.get(i)));
        }
    }

    @Provide
    Arbitrary<List<LogLine>> lines() {
        return EventArbitraries.logLines().list().ofMaxSize(12);
    }
}
