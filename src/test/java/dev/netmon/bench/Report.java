package dev.netmon.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * The tables make bench prints. Numbers are medians over the runs with their range; targets say PASS or MISS and
 * never fail the build: they are goals to steer by, measured on whatever machine runs this.
 */
final class Report {
    private final PrintStream out;
    private final Settings settings;
    private final long clockTicks;
    private final List<Runs.Sample> samples;

    Report(PrintStream out, Settings settings, long clockTicks, List<Runs.Sample> samples) {
        this.out = out;
        this.settings = settings;
        this.clockTicks = clockTicks;
        this.samples = samples;
    }

    private List<Runs.Sample> cell(int threads, Tool tool) {
        return samples.stream().filter(s -> s.threads() == threads && s.tool() == tool).toList();
    }

    private Stats stats(int threads, Tool tool, ToDoubleFunction<Runs.Sample> metric) {
        return Stats.of(cell(threads, tool).stream().map(metric::applyAsDouble).toList());
    }

    private Stats cyclesPerSecond(int threads, Tool tool) {
        return stats(threads, tool, s -> s.load().cyclesPerSecond());
    }

    /**
     * (1/traced - 1/untraced) in ns, each traced storm against the untraced one of its own round: the machine's
     * drift between rounds (other work, frequency) moves both alike, where differences of medians over all rounds
     * swung by a microsecond from one bench to the next.
     */
    Stats added(int threads, Tool tool) {
        return paired(threads, tool, null, (t, u) -> 1e9 / t - 1e9 / u);
    }

    /** traced / untraced cycles per second, round by round as {@link #added}. */
    Stats ratio(int threads, Tool tool) {
        return paired(threads, tool, null, (t, u) -> t / u);
    }

    /** {@code f(rate under tool, rate under base)} for each round that ran both; base null is untraced. */
    private Stats paired(int threads, Tool tool, Tool base, DoubleBinaryOperator f) {
        List<Double> values = new ArrayList<>();
        for (Runs.Sample s : cell(threads, tool)) {
            cell(threads, base).stream().filter(b -> b.round() == s.round()).findFirst().ifPresent(b ->
                    values.add(f.applyAsDouble(s.load().cyclesPerSecond(), b.load().cyclesPerSecond())));
        }
        return Stats.of(values);
    }

    double addedNsPerCycle(int threads, Tool tool) {
        return added(threads, tool).median();
    }

    /** How busy other work kept the machine just before this row's storms, as "median (min-max)" percent. */
    private String busy(int threads, Tool tool) {
        return range(stats(threads, tool, s -> s.busyBefore() * 100), "%.0f");
    }

    double cpuMicrosPerEvent(Runs.Sample s) {
        return microsPerEvent(s, s.traced().cpuTicks());
    }

    /** The JIT compiler threads' share of {@link #cpuMicrosPerEvent}: warm-up still under way, not per-event work. */
    double compilerMicrosPerEvent(Runs.Sample s) {
        return microsPerEvent(s, s.traced().compilerTicks());
    }

    private double microsPerEvent(Runs.Sample s, long ticks) {
        long events = s.traced().delivered().ofLoad();
        return events == 0 ? Double.NaN : ticks * 1e6 / clockTicks / events;
    }

    private static double eventsPerSecond(Runs.Sample s) {
        return s.traced().delivered().ofLoad() / s.load().seconds();
    }

    /** LOST lines' counts, or the exit summary's if it says more. */
    private static long lost(Runs.Sample s) {
        return Math.max(s.traced().delivered().lost(), s.traced().exitLost());
    }

    private static long missing(Runs.Sample s) {
        return s.load().expectedEvents() - s.traced().delivered().ofLoad();
    }

    void loadTable() {
        out.printf("%nLoad: loopback connect-accept-close cycles, 4 events each; %d runs x %.0f s per row, interleaved;"
                + " median (min-max)%n", settings.runs(), settings.seconds());
        String row = "%-8s %-9s %-26s %-7s %-22s %s%n";
        out.printf(row, "threads", "tracer", "cycles/s", "ratio", "added ns/cycle", "other work %");
        for (int threads : Settings.THREADS) {
            Stats base = cyclesPerSecond(threads, null);
            out.printf(row, threads, "none", range(base, "%.0f"), "1.00", "-", busy(threads, null));
            for (Tool tool : settings.stormsAt(threads)) {
                Stats t = cyclesPerSecond(threads, tool);
                out.printf(row, threads, tool.label(), range(t, "%.0f"),
                        "%.2f".formatted(ratio(threads, tool).median()), range(added(threads, tool), "%.0f"),
                        busy(threads, tool));
            }
        }
        if (settings.floor()) {
            out.println("empty: bench/empty.bt, programs that return at once on netmon's five tracepoints (bpftrace):"
                    + " what running any program there costs the storm, which no program can take back");
        }
        Stats busy = Stats.of(samples.stream().map(s -> s.busyBefore() * 100).toList());
        long busyStarts = samples.stream().filter(s -> s.busyBefore() >= Machine.QUIET).count();
        out.printf("other work: the share of both CPUs busy in the 0.5 s before each storm (after waiting for it to"
                + " fall below %.0f%%, 90 s in all at most): median %.0f%%, max %.0f%%; %d of %d storms started busy%n",
                Machine.QUIET * 100, busy.median(), busy.max(), busyStarts, samples.size());
    }

    void tracerTable() {
        out.printf("%nTracers under that load (stdout to a file on disk); median (min-max) unless summed%n");
        String row = "%-7s %-8s %-22s %-9s %-12s %-19s %-5s %-5s %-17s %-8s %s%n";
        out.printf(row, "threads", "tracer", "events/s", "delivered", "lost/missing", "CPU us/event", "JIT",
                "cores", "RSS MB", "peak MB", "attach ms");
        for (int threads : Settings.THREADS) {
            for (Tool tool : settings.toolsAt(threads)) {
                List<Runs.Sample> cell = cell(threads, tool);
                long delivered = cell.stream().mapToLong(s -> s.traced().delivered().ofLoad()).sum();
                long expected = cell.stream().mapToLong(s -> s.load().expectedEvents()).sum();
                long lost = cell.stream().mapToLong(Report::lost).sum();
                long missing = cell.stream().mapToLong(Report::missing).sum();
                out.printf(row, threads, tool.label(),
                        range(stats(threads, tool, Report::eventsPerSecond), "%.0f"),
                        "%.4f".formatted((double) delivered / expected), lost + "/" + missing,
                        range(stats(threads, tool, this::cpuMicrosPerEvent), "%.2f"),
                        "%.2f".formatted(stats(threads, tool, this::compilerMicrosPerEvent).median()),
                        "%.2f".formatted(stats(threads, tool, this::cores).median()),
                        range(stats(threads, tool, s -> s.traced().memory().rssMb()), "%.0f"),
                        "%.0f".formatted(stats(threads, tool, s -> s.traced().memory().hwmMb()).max()),
                        range(stats(threads, tool, s -> s.traced().attachMs()), "%.0f"));
            }
        }
        out.println("delivered: the storm's event lines written / 4 x cycles, summed over the runs; lost: LOST lines"
                + " (netmon) or lost_events (bpftrace); missing: expected lines not written");
        out.println("RSS: VmRSS at the storm's end; peak: the largest VmHWM of the runs; attach: from spawning the"
                + " process to its attached line");
        out.println("CPU: utime+stime of the tracer from the storm's start until its output stopped growing, per"
                + " storm event (other hosts' events are few and counted as cost); JIT: the part of it spent by the"
                + " JVM's C1 and C2 compiler threads (compiling, not per-event work); cores: that CPU / storm seconds");
    }

    private double cores(Runs.Sample s) {
        return s.traced().cpuTicks() / (double) clockTicks / s.load().seconds();
    }

    /** A target, its measured value and whether it is met. */
    record Target(String name, String measured, String goal, boolean met) {}

    List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        int full = Settings.FULL_LOAD_THREADS;
        List<Runs.Sample> fullLoad = cell(full, Tool.NETMON);
        long lost = fullLoad.stream().mapToLong(Report::lost).sum();
        long missing = fullLoad.stream().mapToLong(Report::missing).sum();
        targets.add(new Target("events lost at the %d-thread rate (%.0f events/s)".formatted(full,
                stats(full, Tool.NETMON, Report::eventsPerSecond).median()),
                "%d lost, %d missing".formatted(lost, missing), "0", lost == 0 && missing == 0));
        for (int threads : Settings.THREADS) {
            double cpu = stats(threads, Tool.NETMON, this::cpuMicrosPerEvent).median();
            double jit = stats(threads, Tool.NETMON, this::compilerMicrosPerEvent).median();
            targets.add(new Target("CPU per event, %d thread(s)".formatted(threads),
                    "%.2f us (JIT %.2f)".formatted(cpu, jit), "<= 1 us", cpu <= 1.0));
        }
        for (int threads : Settings.THREADS) {
            double added = addedNsPerCycle(threads, Tool.NETMON);
            String floor = settings.floor() ? " (empty: %.2f)".formatted(addedNsPerCycle(threads, Tool.EMPTY) / 1000)
                    : "";
            targets.add(new Target("added per cycle, %d thread(s)".formatted(threads),
                    "%.2f us".formatted(added / 1000) + floor, "<= 2 us", added <= 2000));
        }
        double peak = samples.stream().filter(s -> s.tool() == Tool.NETMON)
                .mapToDouble(s -> s.traced().memory().hwmMb()).max().orElse(Double.NaN);
        targets.add(new Target("RSS, peak over all runs (VmHWM)", "%.1f MB".formatted(peak), "<= 64 MB",
                peak <= 64));
        double attach = Stats.of(samples.stream().filter(s -> s.tool() == Tool.NETMON)
                .map(s -> s.traced().attachMs()).toList()).median();
        targets.add(new Target("start to attached, median", "%.0f ms".formatted(attach), "<= 300 ms",
                attach <= 300));
        return targets;
    }

    void targetTable() {
        out.printf("%nTargets (netmon)%n");
        out.printf("%-52s %-22s %-10s %s%n", "target", "measured", "goal", "");
        for (Target t : targets()) {
            out.printf("%-52s %-22s %-10s %s%n", t.name(), t.measured(), t.goal(), t.met() ? "PASS" : "MISS");
        }
    }

    void kernelTable(List<KernelCost.Result> results) {
        out.printf("%nBPF program run time (kernel.bpf_stats_enabled=1, one %.0f s storm at %d threads; runs count"
                + " every process's syscalls; programs that did not run are left out)%n", settings.seconds(),
                Settings.FULL_LOAD_THREADS);
        out.printf("%-9s %-17s %12s %10s %12s%n", "tracer", "program", "runs", "ns/run", "ns/cycle");
        for (KernelCost.Result r : results) {
            for (KernelCost.Program p : r.programs().stream().filter(p -> p.runs() > 0).toList()) {
                out.printf("%-9s %-17s %12d %10.0f %12.0f%n", r.tool().label(), p.name(), p.runs(), p.nsPerRun(),
                        (double) p.runTimeNs() / r.load().cycles());
            }
            out.printf("%-9s %-17s %12s %10s %12.0f   (%.0f cycles/s during this run)%n", r.tool().label(), "total",
                    "", "", r.nsPerCycle(), r.load().cyclesPerSecond());
        }
        int full = Settings.FULL_LOAD_THREADS;
        int cpus = Runtime.getRuntime().availableProcessors();
        for (KernelCost.Result r : results) {
            double added = addedNsPerCycle(full, r.tool());
            double cpu = cpuNsPerCycle(added, full, cpus);
            double tracer = 1000 * LoadGen.EVENTS_PER_CYCLE
                    * stats(full, r.tool(), this::cpuMicrosPerEvent).median();
            out.printf("%s: its programs take %.0f ns of CPU per cycle and the tracer's own threads %.0f; tracing adds"
                    + " %.0f ns of wall time per cycle to the %d-thread storm, %.0f ns of CPU on %d CPUs: the two are"
                    + " %.0f%% of that (the rest: syscall tracepoint dispatch outside the programs, caches and"
                    + " scheduling)%n", r.tool().label(), r.nsPerCycle(), tracer, added, full, cpu,
                    Math.min(full, cpus), 100 * (r.nsPerCycle() + tracer) / cpu);
        }
        if (settings.floor()) {
            for (int threads : Settings.THREADS) {
                Stats above = paired(threads, Tool.NETMON, Tool.EMPTY, (n, e) -> 1e9 / n - 1e9 / e);
                out.printf("%d thread(s): empty programs on the same tracepoints add %s ns per cycle, netmon %s:"
                        + " %s ns above them, round by round%n", threads, range(added(threads, Tool.EMPTY), "%.0f"),
                        range(added(threads, Tool.NETMON), "%.0f"), range(above, "%.0f"));
            }
        }
    }

    /**
     * Wall time per cycle of the whole storm, as CPU time: its threads run cycles side by side, one CPU each while
     * there are CPUs, so each cycle took that many times the wall time of the storm's rate.
     */
    static double cpuNsPerCycle(double wallNsPerCycle, int threads, int cpus) {
        return wallNsPerCycle * Math.min(threads, cpus);
    }

    void microTable(List<Micro.Score> scores) {
        out.printf("%nMicrobenchmarks: user-space cost per event (%s)%n", Micro.SETTINGS);
        out.printf("%-56s %10s %10s%n", "benchmark", "ns/op", "+-");
        for (Micro.Score s : scores) {
            out.printf("%-56s %10.1f %10.1f%n", s.name(), s.nsPerOp(), s.error());
        }
    }

    void soakTable(Soak.Result soak) {
        out.printf("%nSoak: netmon RSS every %d s under a %d-thread storm of %d s (%.0f cycles/s)%n",
                Soak.SAMPLE_EVERY.toSeconds(), Soak.THREADS, settings.soakSeconds(), soak.load().cyclesPerSecond());
        StringBuilder series = new StringBuilder();
        for (Soak.Point p : soak.points()) {
            series.append("%.0fs=%.1f ".formatted(p.seconds(), p.memory().rssMb()));
        }
        out.println("RSS MB: " + series.toString().strip());
        Stats rss = Stats.of(soak.points().stream().map(p -> p.memory().rssMb()).toList());
        double hwm = soak.points().isEmpty() ? Double.NaN : soak.points().getLast().memory().hwmMb();
        out.printf("RSS min %.1f MB, max %.1f MB, last %.1f MB, peak (VmHWM) %.1f MB%n", rss.min(), rss.max(),
                soak.points().isEmpty() ? Double.NaN : soak.points().getLast().memory().rssMb(), hwm);
        soak.stderr().stream().filter(l -> !l.startsWith("netmon: tracing with"))
                .forEach(l -> out.println("stderr: " + l));
    }

    private static String range(Stats s, String format) {
        return (format + " (" + format + "-" + format + ")").formatted(s.median(), s.min(), s.max());
    }
}
