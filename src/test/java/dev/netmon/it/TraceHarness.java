package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netmon.bpf.LibBpf;
import dev.netmon.bpf.LoadSettings;
import dev.netmon.event.LogLine;
import dev.netmon.output.JsonLineWriter;
import dev.netmon.output.LineSink;
import dev.netmon.pipeline.TraceStats;
import dev.netmon.pipeline.Tracer;
import dev.netmon.pipeline.WallClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the real tracer in this JVM on a reader thread and collects its JSON lines, parsed. Tracing is host-wide,
 * so tests pick out their own events by pid and port.
 */
final class TraceHarness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tracer tracer;
    private final BlockingQueue<JsonNode> arriving = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private Thread reader;
    private volatile TraceStats finalStats;

    private TraceHarness(LoadSettings settings) throws Exception {
        Privileges.requireRoot();
        LibBpf lib = LibBpf.load();
        tracer = Tracer.attach(lib, settings, new ParsingSink(new WallClock(lib)), 0);
    }

    /** Attached and reading. */
    static TraceHarness start(LoadSettings settings) throws Exception {
        TraceHarness h = attachOnly(settings);
        h.startReading();
        return h;
    }

    dev.netmon.bpf.KernelReads kernelReads() {
        return tracer.kernelReads();
    }

    /** Attached, so events fill the buffer, but nothing reads it until {@link #startReading()}. */
    static TraceHarness attachOnly(LoadSettings settings) throws Exception {
        return new TraceHarness(settings);
    }

    void startReading() {
        reader = Thread.ofPlatform().name("trace-reader").start(() -> {
            try {
                finalStats = tracer.run(Long.MAX_VALUE);
            } catch (Exception e) {
                arriving.add(JSON.createObjectNode().put("harness_error", e.toString()));
            }
        });
    }

    /** The first line (already seen or arriving within {@link #WAIT}) that matches. */
    JsonNode await(String what, Predicate<JsonNode> match) throws InterruptedException {
        for (JsonNode n : seen) {
            if (match.test(n)) {
                return n;
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            JsonNode n = arriving.poll(left, TimeUnit.NANOSECONDS);
            if (n == null) {
                break;
            }
            if (n.has("harness_error")) {
                fail("tracer failed: " + n.get("harness_error").asText());
            }
            seen.add(n);
            if (match.test(n)) {
                return n;
            }
        }
        return fail("no " + what + " within " + WAIT + "; lines from this process: " + linesOf(ProcessHandle.current().pid()));
    }

    /** Every line seen so far, after draining what has arrived. */
    List<JsonNode> seen() {
        arriving.drainTo(seen);
        return List.copyOf(seen);
    }

    private List<JsonNode> linesOf(long pid) {
        return seen().stream().filter(n -> n.path("pid").asLong() == pid).toList();
    }

    /** Stops reading, detaches, and returns the tracer's final counts. */
    TraceStats stop() throws InterruptedException {
        tracer.stop();
        if (reader != null) {
            reader.join(WAIT.toMillis());
        }
        tracer.close();
        return finalStats;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** JSON through the real writer, one parsed node per line. */
    private final class ParsingSink implements LineSink {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final JsonLineWriter writer;

        ParsingSink(WallClock clock) throws IOException {
            writer = new JsonLineWriter(bytes, "it-node", clock);
        }

        @Override
        public void write(LogLine line) throws IOException {
            writer.write(line);
            writer.flush();
            String text = bytes.toString(StandardCharsets.UTF_8);
            bytes.reset();
            assertEquals('\n', text.charAt(text.length() - 1), "each line ends with a newline");
            assertEquals(1, text.lines().count(), "one line per record: " + text);
            arriving.add(JSON.readTree(text));
        }

        @Override
        public void flush() {}
    }
}
