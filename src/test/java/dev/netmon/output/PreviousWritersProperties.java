package dev.netmon.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.EventArbitraries;
import dev.netmon.event.LogLine;
import dev.netmon.event.RateLimited;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The writers write exactly the bytes the previous ones did, for any lines: the speed-ups (names encoded once,
 * values written as bytes, per-container objects encoded once) changed how, not what.
 */
class PreviousWritersProperties {

    @Property
    void jsonIsByteForByteThePrevious(@ForAll("lines") List<LogLine> lines, @ForAll("nodes") String node,
            @ForAll boolean podLabels, @ForAll long bootTimeNs) throws IOException {
        LongUnaryOperator clock = ns -> ns + bootTimeNs;
        assertSameBytes(lines,
                out -> new PreviousJsonLineWriter(out, node, clock, podLabels),
                out -> new JsonLineWriter(out, node, clock, podLabels));
    }

    @Property
    void ecsIsByteForByteThePrevious(@ForAll("lines") List<LogLine> lines, @ForAll("nodes") String node,
            @ForAll boolean podLabels, @ForAll long bootTimeNs) throws IOException {
        LongUnaryOperator clock = ns -> ns + bootTimeNs;
        assertSameBytes(lines,
                out -> new PreviousEcsLineWriter(out, node, clock, podLabels),
                out -> new EcsLineWriter(out, node, clock, podLabels));
    }

    @Property
    void textIsByteForByteThePrevious(@ForAll("lines") List<LogLine> lines, @ForAll long bootTimeNs)
            throws IOException {
        LongUnaryOperator clock = ns -> ns + bootTimeNs;
        assertSameBytes(lines, out -> new PreviousTextLineWriter(out, clock), out -> new TextLineWriter(out, clock));
    }

    private static void assertSameBytes(List<LogLine> lines, JsonLines.SinkFactory previous,
            JsonLines.SinkFactory current) throws IOException {
        Statistics.collect(lines.stream().anyMatch(l -> container(l) != null) ? "with containers" : "none");
        assertEquals(written(lines, previous), written(lines, current));
    }

    private static String written(List<LogLine> lines, JsonLines.SinkFactory factory) throws IOException {
        var out = new ByteArrayOutputStream();
        LineSink sink = factory.open(out);
        for (LogLine line : lines) {
            sink.write(line);
        }
        sink.flush();
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Lines, then the same lines again with containers that are equal but not the same objects (as the resolver
     * builds them), then again as they were: whatever a writer keeps per container must not change a line.
     */
    @Provide
    Arbitrary<List<LogLine>> lines() {
        return EventArbitraries.logLines().list().ofMaxSize(8).map(lines -> {
            List<LogLine> all = new ArrayList<>(lines);
            lines.forEach(l -> all.add(withCopiedContainer(l)));
            all.addAll(lines);
            return all;
        });
    }

    /** Node names with what JSON escapes and what UTF-8 encodes in several bytes. */
    @Provide
    Arbitrary<String> nodes() {
        return EventArbitraries.processNames();
    }

    private static ContainerInfo container(LogLine line) {
        return switch (line) {
            case Attributed a -> a.attribution().container();
            case RateLimited r -> r.attribution().container();
            default -> null;
        };
    }

    private static LogLine withCopiedContainer(LogLine line) {
        return switch (line) {
            case Attributed a -> new Attributed(a.event(), copied(a.attribution()));
            case RateLimited r -> new RateLimited(r.monotonicNs(), r.cgroupId(), copied(r.attribution()), r.count(),
                    r.limitPerSecond());
            default -> line;
        };
    }

    private static Attribution copied(Attribution a) {
        ContainerInfo c = a.container();
        ContainerInfo copy = c == null ? null : new ContainerInfo(c.containerId(), c.containerName(), c.podName(),
                c.podNamespace(), c.podUid(), c.runtime(), c.image(), c.podLabels());
        return new Attribution(copy, a.unit(), a.enrichment(), a.cgroupPath());
    }
}
