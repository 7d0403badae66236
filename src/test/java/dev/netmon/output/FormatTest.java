package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.event.Lost;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each --format value opens its own writer; the same LOST record tells them apart. */
class FormatTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "JSON | {\"timestamp\":\"2023-11-14T22:13:20.000000000Z\",\"node\":\"node-a\",\"schema\":\"netmon/1\",\"type\":\"LOST\",",
        "ECS  | {\"@timestamp\":\"2023-11-14T22:13:20.000000000Z\",\"ecs\":{\"version\":\"8.11.0\"},",
        "TEXT | 22:13:20.000Z LOST    3 events lost",
    })
    void opensItsWriter(Format format, String start) throws IOException {
        List<String> lines = JsonLines.writeWith(List.of(new Lost(0, 3, 3, "ringbuf")),
                out -> format.open(out, JsonLines.NODE, Samples.BOOTED_AT_1_7E9, false));
        assertEquals(start, lines.getFirst().substring(0, start.length()));
    }
}
