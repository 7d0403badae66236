package dev.netmon.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** bench/loadgen.c, compiled by the Makefile: a loopback connect-accept-close storm of bounded length. */
final class LoadGen {
    /** Every cycle is a CONNECT, an ACCEPT and two CLOSEs. */
    static final int EVENTS_PER_CYCLE = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;

    LoadGen(Path binary) {
        this.binary = binary;
    }

    /**
     * One storm's numbers.
     *
     * @param pid the load generator's process id, which the traced lines carry
     */
    record Result(long pid, int threads, double seconds, long cycles, double cyclesPerSecond, long errors) {
        long expectedEvents() {
            return cycles * EVENTS_PER_CYCLE;
        }
    }

    /** Runs {@code threads} threads for {@code seconds}; waits at most a minute past that. */
    Result run(int threads, double seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("netmon-bench-loadgen", ".json");
        try {
            Process p = new ProcessBuilder(binary.toString(), "-t", Integer.toString(threads), "-d",
                    Double.toString(seconds)).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor((long) seconds + 60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("loadgen did not finish within a minute of its " + seconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("loadgen exited " + p.exitValue() + ": " + Files.readString(out).strip());
            }
            JsonNode r = JSON.readTree(Files.readString(out));
            return new Result(p.pid(), r.get("threads").asInt(), r.get("seconds").asDouble(), r.get("cycles").asLong(),
                    r.get("cycles_per_s").asDouble(), r.get("errors").asLong());
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
