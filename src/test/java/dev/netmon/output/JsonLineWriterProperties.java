package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.event.EventArbitraries;
import dev.netmon.event.LogLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongUnaryOperator;
import net.jqwik.api.Arbitraries;
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
        Arbitrary<LogLine> line = Arbitraries.oneOf(
                EventArbitraries.netEvents(processNames()),
                EventArbitraries.attributed(processNames(), processNames()),
                EventArbitraries.lost());
        return line.list().ofMaxSize(12);
    }

    /** What a decoded comm can be (any bytes read as UTF-8), plus characters JSON must escape. */
    @Provide
    Arbitrary<String> processNames() {
        Arbitrary<String> decodedComm = Arbitraries.bytes().filter(b -> b != 0).array(byte[].class).ofMaxSize(15)
                .map(b -> new String(b, StandardCharsets.UTF_8));
        Arbitrary<String> escapes = Arbitraries.strings()
                .withChars("\"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028\u2029é日")
                .withCharRange('a', 'z')
                .ofMaxLength(15);
        return Arbitraries.oneOf(decodedComm, escapes, Arbitraries.of("🦀", "java", ""));
    }
}
