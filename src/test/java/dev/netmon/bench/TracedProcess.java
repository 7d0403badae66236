package dev.netmon.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A tracer running with its stdout to a file on disk, as in production, and its stderr read line by line. */
final class TracedProcess implements AutoCloseable {
    private static final Duration ATTACH_LIMIT = Duration.ofSeconds(60);
    private static final Duration EXIT_LIMIT = Duration.ofSeconds(20);
    private static final long POLL_MS = 5;

    private final Tool tool;
    private final Path out;
    private final Process process;
    private final long spawnedAt;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private volatile long attachedOnStderrAt;
    private long attachedAt;

    private TracedProcess(Tool tool, Path home, Path out, boolean append) throws IOException {
        this.tool = tool;
        this.out = out;
        ProcessBuilder pb = new ProcessBuilder(tool.command(home)).redirectOutput(
                append ? ProcessBuilder.Redirect.appendTo(out.toFile()) : ProcessBuilder.Redirect.to(out.toFile()));
        this.spawnedAt = System.nanoTime();
        this.process = pb.start();
        process.getOutputStream().close();
        Thread.ofPlatform().daemon().name("bench-stderr").start(this::pumpStderr);
    }

    /**
     * Starts the tool and waits until it says it is attached.
     *
     * @param append open the output with O_APPEND, so that the file can be truncated under the writer (soak)
     */
    static TracedProcess start(Tool tool, Path home, Path out, boolean append)
            throws IOException, InterruptedException {
        TracedProcess t = new TracedProcess(tool, home, out, append);
        try {
            t.awaitAttached();
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void pumpStderr() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (attachedOnStderrAt == 0 && tool.attachedOnStderr(line)) {
                    attachedOnStderrAt = System.nanoTime();
                }
                stderr.add(line);
            }
        } catch (IOException e) {
            // the process is gone; what was read is kept
        }
    }

    private void awaitAttached() throws IOException, InterruptedException {
        long deadline = spawnedAt + ATTACH_LIMIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (attachedOnStderrAt != 0) {
                attachedAt = attachedOnStderrAt;
                return;
            }
            if (tool.attachedOnStdout(firstLine())) {
                attachedAt = System.nanoTime();
                return;
            }
            if (!process.isAlive()) {
                throw new IOException(tool.label() + " exited " + process.exitValue() + " before attaching: " + stderr);
            }
            Thread.sleep(POLL_MS);
        }
        throw new IOException(tool.label() + " did not attach within " + ATTACH_LIMIT + ": " + stderr);
    }

    private String firstLine() throws IOException {
        try (BufferedReader r = Files.newBufferedReader(out, StandardCharsets.ISO_8859_1)) {
            String line = r.readLine();
            return line == null ? "" : line;
        }
    }

    /** From spawning the process to its "attached" line, in ms. */
    double attachMillis() {
        return (attachedAt - spawnedAt) / 1e6;
    }

    long pid() {
        return process.pid();
    }

    long cpuTicks() throws IOException {
        return Proc.cpuTicks(process.pid());
    }

    long compilerTicks() throws IOException {
        return Proc.compilerTicks(process.pid());
    }

    Proc.Memory memory() throws IOException {
        return Proc.memory(process.pid());
    }

    /**
     * Waits until the output file has stopped growing (two checks 250 ms apart: more than netmon's 100 ms poll),
     * at most {@code limit}: what the load produced has then been written.
     */
    void awaitQuiet(Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long size = Files.size(out);
        int stableChecks = 0;
        while (stableChecks < 2 && System.nanoTime() - deadline < 0) {
            Thread.sleep(250);
            long now = Files.size(out);
            stableChecks = now == size ? stableChecks + 1 : 0;
            size = now;
        }
    }

    /**
     * SIGTERM, on which both tools detach and print their summary; returns the stderr lines once it has exited.
     * Not SIGINT: a shell starting make in the background sets SIGINT to ignored, every child inherits that, and
     * the JVM then leaves it ignored.
     */
    List<String> stop() throws InterruptedException {
        // Through the handle: Process.destroy() would also close our end of stderr before the summary is read.
        process.toHandle().destroy();
        if (!process.waitFor(EXIT_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(EXIT_LIMIT.toSeconds(), TimeUnit.SECONDS);
            stderr.add("(killed: did not exit within " + EXIT_LIMIT + " of SIGTERM)");
        }
        Thread.sleep(50); // the stderr pump reads the last lines
        return List.copyOf(stderr);
    }

    /** What reached the output file. */
    record Delivered(long lines, long ofLoad, long lost) {}

    /** Counts the output: all lines, the events of process {@code loadPid}, and events reported lost. */
    Delivered count(long loadPid) throws IOException {
        long lines = 0;
        long ofLoad = 0;
        long lost = 0;
        // ISO-8859-1: one char per byte, the cheapest decoding; every pattern matched is ASCII.
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(Files.newInputStream(out), StandardCharsets.ISO_8859_1), 1 << 20)) {
            for (String line; (line = r.readLine()) != null; ) {
                lines++;
                if (tool.isEventOf(line, loadPid)) {
                    ofLoad++;
                } else {
                    lost += tool.lostIn(line);
                }
            }
        }
        return new Delivered(lines, ofLoad, lost);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
