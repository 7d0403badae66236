package dev.netmon.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * make bench: load runs with and without tracers, BPF program run time, microbenchmarks, then the tables on
 * stdout (progress on stderr). {@code soak} as the only argument runs the soak alone (make bench-soak). Needs root.
 * Prints numbers; never fails on them.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("netmon.home", ".")).toAbsolutePath().normalize();
        Settings settings;
        try {
            settings = Settings.fromEnvironment(home);
        } catch (IllegalArgumentException e) {
            // A knob set wrong is the user's mistake: one line, not a stack trace.
            System.err.println("netmon bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean soakOnly = args.length == 1 && args[0].equals("soak");
        Files.createDirectories(settings.scratch());
        long clockTicks = Proc.clockTicksPerSecond();
        String loadBefore = Proc.loadAverage();

        // Waiting for other jobs to pause may add at most this to the run.
        Machine machine = new Machine(Duration.ofSeconds(90));
        List<Runs.Sample> samples = List.of();
        List<KernelCost.Result> kernel = new ArrayList<>();
        List<Micro.Score> micro = List.of();
        if (!soakOnly) {
            samples = new Runs(settings, machine).all();
            Runs.progress("BPF program run time");
            KernelCost cost = new KernelCost(settings, machine);
            for (Tool tool : settings.toolsAt(Settings.FULL_LOAD_THREADS)) {
                kernel.add(cost.measure(tool, Settings.FULL_LOAD_THREADS));
            }
            if (settings.jmh()) {
                Runs.progress("microbenchmarks (JMH)");
                machine.awaitQuiet();
                micro = Micro.run();
            }
        }
        Soak.Result soak = null;
        if (soakOnly || settings.soak()) {
            Runs.progress("soak, %d s", settings.soakSeconds());
            soak = new Soak(settings).run();
        }

        Report report = new Report(System.out, settings, clockTicks, samples);
        System.out.printf("%nnetmon bench, %s: %d CPUs, kernel %s, load average %s before, %s after%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
                kernelRelease(), loadBefore, Proc.loadAverage());
        System.out.printf("netmon launched as %s%n", Tool.launcher(home));
        if (!soakOnly) {
            report.loadTable();
            report.tracerTable();
            report.targetTable();
            report.kernelTable(kernel);
            if (settings.jmh()) {
                report.microTable(micro);
            }
        }
        if (soak != null) {
            report.soakTable(soak);
        }
    }

    private static String kernelRelease() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    }
}
