package dev.netmon.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load runs: for each round, for each thread count, the storm untraced and then under each tracer, so that
 * drift in the machine (other work, frequency, caches) falls on all of them alike.
 */
final class Runs {
    private static final Pattern NETMON_SUMMARY = Pattern.compile("^netmon: (\\d+) events, (\\d+) lost");
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(10);

    /**
     * One storm; {@code tool} null when nothing traced it.
     *
     * @param busyBefore the share of the machine other work kept busy just before (see {@link Machine})
     */
    record Sample(int round, int threads, Tool tool, LoadGen.Result load, Traced traced, double busyBefore) {}

    /**
     * What a tracer did over the measured storm.
     *
     * @param cpuTicks user + system ticks from the storm's start until its events were written
     * @param compilerTicks the part of them spent by the JVM's JIT compiler threads (0 for bpftrace)
     * @param memory RSS at the end of the storm, and the peak
     * @param exitLost what the tool's own exit summary counts as lost (netmon), -1 where it has none
     */
    record Traced(double attachMs, long cpuTicks, long compilerTicks, Proc.Memory memory,
            TracedProcess.Delivered delivered, long exitLost, List<String> stderr) {}

    private final Settings settings;
    private final LoadGen loadGen;
    private final Machine machine;

    Runs(Settings settings, Machine machine) {
        this.settings = settings;
        this.loadGen = new LoadGen(settings.loadgen());
        this.machine = machine;
    }

    /** Every round; progress on stderr so that the table on stdout stays clean. */
    List<Sample> all() throws IOException, InterruptedException {
        List<Sample> samples = new ArrayList<>();
        for (int round = 1; round <= settings.runs(); round++) {
            for (int threads : Settings.THREADS) {
                progress("round %d/%d, %d thread(s): untraced", round, settings.runs(), threads);
                double busy = machine.awaitQuiet();
                samples.add(new Sample(round, threads, null, loadGen.run(threads, settings.seconds()), null, busy));
                // Each round runs the tracers in another order: what a storm measures can depend on what ran just
                // before it (the previous output file's pages, caches), so no tracer always follows the same one.
                List<Tool> tools = new ArrayList<>(settings.stormsAt(threads));
                Collections.rotate(tools, -(round - 1));
                for (Tool tool : tools) {
                    progress("round %d/%d, %d thread(s): %s", round, settings.runs(), threads, tool.label());
                    samples.add(traced(round, tool, threads));
                }
            }
        }
        return samples;
    }

    /** One storm under {@code tool}: start it, warm it up, measure the storm, let it drain, stop it, count. */
    Sample traced(int round, Tool tool, int threads) throws IOException, InterruptedException {
        double busy = machine.awaitQuiet();
        Path out = Files.createTempFile(settings.scratch(), tool.label(), ".out");
        try (TracedProcess t = TracedProcess.start(tool, settings.home(), out, false)) {
            // JIT and caches warm up on a short storm first: the numbers are those of a running daemon.
            loadGen.run(threads, settings.warmupSeconds());
            t.awaitQuiet(DRAIN_LIMIT);
            long ticksBefore = t.cpuTicks();
            long compilerBefore = t.compilerTicks();
            LoadGen.Result load = loadGen.run(threads, settings.seconds());
            Proc.Memory memory = t.memory();
            t.awaitQuiet(DRAIN_LIMIT);
            long ticks = t.cpuTicks() - ticksBefore;
            long compiler = t.compilerTicks() - compilerBefore;
            List<String> stderr = t.stop();
            Traced traced = new Traced(t.attachMillis(), ticks, compiler, memory, t.count(load.pid()),
                    exitLost(stderr), stderr);
            return new Sample(round, threads, tool, load, traced, busy);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static long exitLost(List<String> stderr) {
        for (String line : stderr) {
            Matcher m = NETMON_SUMMARY.matcher(line);
            if (m.find()) {
                return Long.parseLong(m.group(2));
            }
        }
        return -1;
    }

    static void progress(String format, Object... args) {
        System.err.printf("bench: " + format + "%n", args);
    }
}
