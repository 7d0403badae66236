package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.event.EventArbitraries;
import dev.netmon.event.LogLine;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Whatever a process calls itself, the terminal gets one line per record and nothing it would act on. */
class TextLineWriterProperties {

    @Property
    void linesCarryNoCharacterATerminalActsOn(@ForAll("lines") List<LogLine> lines, @ForAll long bootTimeNs)
            throws IOException {
        List<String> written = JsonLines.writeWith(lines, out -> new TextLineWriter(out, ns -> ns + bootTimeNs));
        for (String line : written) {
            Statistics.collect(line.substring(14, 21).strip());
            assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (CONNECT|ACCEPT |CLOSE  |LOST   |DROPPED|LIMITED) .*"), line);
            line.codePoints().forEach(cp -> assertFalse(
                    switch (Character.getType(cp)) {
                        case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR,
                                Character.PARAGRAPH_SEPARATOR, Character.SURROGATE -> true;
                        default -> false;
                    },
                    () -> "U+%04X in %s".formatted(cp, line)));
        }
    }

    @Provide
    Arbitrary<List<LogLine>> lines() {
        return EventArbitraries.logLines().list().ofMaxSize(12);
    }
}
