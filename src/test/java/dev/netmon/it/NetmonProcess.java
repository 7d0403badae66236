package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** bin/netmon (or a command wrapping it) as users run it, with its stdout and stderr collected line by line. */
final class NetmonProcess implements AutoCloseable {
    static final Path LAUNCHER = Path.of(System.getProperty("netmon.home", "."), "bin", "netmon").toAbsolutePath();

    private final Process process;
    private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
    private final BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    private final List<String> stderrSeen = new ArrayList<>();
    private final Thread[] pumps = new Thread[2];

    private NetmonProcess(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        process = pb.start();
        process.getOutputStream().close();
        pumps[0] = pump(process.getInputStream(), stdout::add);
        pumps[1] = pump(process.getErrorStream(), stderr::add);
    }

    /** Runs the launcher with {@code args}. */
    static NetmonProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return new NetmonProcess(command, Map.of());
    }

    /** Runs an arbitrary command line (which names the launcher itself), with extra environment. */
    static NetmonProcess command(Map<String, String> env, String... command) throws IOException {
        return new NetmonProcess(List.of(command), env);
    }

    private static Thread pump(InputStream in, java.util.function.Consumer<String> sink) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process went away; what was read is kept
            }
        });
    }

    /** Waits for netmon's "tracing with ..." line on stderr, i.e. until its programs are attached. */
    void awaitAttached() throws InterruptedException {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = stderr.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            stderrSeen.add(line);
            if (line.startsWith("netmon: tracing with")) {
                return;
            }
        }
        fail("netmon did not attach within " + TraceHarness.WAIT + "; stderr: " + stderrSeen);
    }

    /** Waits for exit and for both streams to be read to their end; returns the exit status. */
    int awaitExit() throws InterruptedException {
        assertTrue(process.waitFor(TraceHarness.WAIT.toSeconds(), TimeUnit.SECONDS),
                "netmon exited within " + TraceHarness.WAIT + "; stderr so far: " + stderr());
        for (Thread t : pumps) {
            t.join(TraceHarness.WAIT.toMillis());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    ProcessHandle toHandle() {
        return process.toHandle();
    }

    long pid() {
        return process.pid();
    }

    List<String> stdout() {
        return List.copyOf(stdout);
    }

    List<String> stderr() {
        stderr.drainTo(stderrSeen);
        return List.copyOf(stderrSeen);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
