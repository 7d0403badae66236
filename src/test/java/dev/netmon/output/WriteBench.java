package dev.netmon.output;

import dev.netmon.bench.SampleEvents;
import dev.netmon.event.Attributed;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Serialising one event line per format into a stream that discards it: the writer's own cost, no I/O. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WriteBench {
    /** How a format's writer is opened. */
    public interface Opener {
        LineSink open(OutputStream out, String node, LongUnaryOperator toUnixNs) throws IOException;
    }

    /**
     * Every output format by its --format name. Adding a format is one entry here: the bench runner passes every
     * key as the format parameter.
     */
    public static final Map<String, Opener> FORMATS = Map.of(
            "json", (out, node, clock) -> new JsonLineWriter(out, node, clock, false),
            "ecs", (out, node, clock) -> new EcsLineWriter(out, node, clock, false),
            "text", (out, node, clock) -> new TextLineWriter(out, clock));

    /** Overridden by the runner with every key of FORMATS; "json" when run alone. */
    @Param({"json"})
    public String format;

    /** The storm's lines as they are on this VM (host process), or the same processes in a pod (container object). */
    @Param({"host", "pod"})
    public String attribution;

    private LineSink writer;
    private Attributed[] lines;
    private int next;
    private long clockAdvance;

    @Setup
    public void open() throws IOException {
        // Each line is 10 us after the previous one, as at 100k events/s, so timestamps change as they do live.
        writer = FORMATS.get(format).open(OutputStream.nullOutputStream(), "vm",
                ns -> ns + 1_795_612_533_000_000_000L + (clockAdvance += 10_000));
        List<Attributed> cycle = SampleEvents.cycle(attribution.equals("pod") ? SampleEvents.POD : SampleEvents.HOST);
        lines = cycle.toArray(Attributed[]::new);
    }

    /** One line of the cycle CONNECT, ACCEPT, CLOSE, CLOSE per call. */
    @Benchmark
    public void write() throws IOException {
        writer.write(lines[next++ & 3]);
    }
}
