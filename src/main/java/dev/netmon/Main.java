package dev.netmon;

import dev.netmon.bpf.LibBpf;
import dev.netmon.bpf.LibBpfException;
import dev.netmon.bpf.LibBpfUnavailableException;
import dev.netmon.bpf.LoadSettings;
import dev.netmon.cli.HostCheck;
import dev.netmon.cli.MetricsAddress;
import dev.netmon.cli.OptionParser;
import dev.netmon.cli.Options;
import dev.netmon.cli.UsageException;
import dev.netmon.enrich.Resolver;
import dev.netmon.enrich.cri.CriSockets;
import dev.netmon.enrich.cri.CriCallObserver;
import dev.netmon.metrics.NetmonMetrics;
import dev.netmon.metrics.StatsLine;
import dev.netmon.metrics.StatsReporter;
import dev.netmon.output.NativeOutputStream;
import dev.netmon.pipeline.OutputStage;
import dev.netmon.pipeline.TraceStats;
import dev.netmon.pipeline.Tracer;
import dev.netmon.pipeline.WallClock;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import sun.misc.Signal;

/** netmon's entry point: arguments, checks, wiring, signals and exit codes. */
public final class Main {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    private static final int STDOUT_FD = 1;
    /** How often a DROPPED line may report events the output queue could not take. */
    private static final long DROPPED_REPORT_NS = 1_000_000_000L;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        // Parse the command line; a mistake is one line and status 2.
        Options options;
        try {
            options = OptionParser.parse(args);
        } catch (UsageException e) {
            return fail(EXIT_USAGE, e.getMessage() + " (see 'netmon --help')");
        }
        switch (options.command()) {
            case HELP -> {
                System.out.print(OptionParser.USAGE);
                return EXIT_OK;
            }
            case VERSION -> {
                System.out.println("netmon " + version());
                return EXIT_OK;
            }
            case RESOLVE -> {
                return resolve(options);
            }
            case TRACE -> {}
        }

        // A CRI socket the user named must be one netmon can use; a missing one may still appear.
        if (options.enrich().cri() && options.enrich().criSocket().isPresent()) {
            Optional<String> bad = CriSockets.problem(options.enrich().criSocket().get());
            if (bad.isPresent()) {
                return fail(EXIT_FAILURE, bad.get());
            }
        }

        // Check the host: privileges, BTF, tracefs, libbpf.
        Optional<String> problem = HostCheck.problem();
        if (problem.isPresent()) {
            return fail(EXIT_FAILURE, problem.get());
        }
        LibBpf lib;
        try {
            lib = LibBpf.load();
        } catch (LibBpfUnavailableException e) {
            return fail(EXIT_FAILURE, e.getMessage() + ": install it with 'apt-get install libbpf1' (Debian, Ubuntu)"
                    + " or 'dnf install libbpf' (Fedora, RHEL)");
        }

        // Serve metrics first, when asked: a port that is taken fails before anything is loaded.
        NetmonMetrics metrics = null;
        if (options.metricsAddress().isPresent()) {
            MetricsAddress address = options.metricsAddress().get();
            try {
                metrics = NetmonMetrics.serve(address);
            } catch (IOException e) {
                return fail(EXIT_FAILURE, "cannot serve metrics on " + address.authority(address.port()) + ": "
                        + e.getMessage() + "; give --metrics-addr a free port on an address of this host");
            }
        }
        CriCallObserver criCalls = metrics == null ? CriCallObserver.NONE : metrics.criObserver();

        // Load and attach; from here on events flow into the buffer.
        LoadSettings settings = LoadSettings.defaults()
                .withBufferBytes(options.bufferBytes())
                .withEvents(options.events())
                .withPids(options.pids())
                .withBuffer(options.buffer())
                .withFlowFilters(options.filters().protocols(), options.filters().ports(),
                        options.filters().processNames());
        // 256 KiB a write() under load, a quarter of the syscalls of 64 KiB (the writer flushes whenever it catches
        // up, so a quiet host's lines are not held back). What that saves per event is below what a storm here can
        // resolve: identical builds differ by up to 15% in CPU per event from one 5 s storm to the next. Written
        // from native memory: FileOutputStream would copy each 256 KiB once more on its way to write().
        OutputStream stdout = new NativeOutputStream((from, length) -> lib.writeFully(STDOUT_FD, from, length),
                1 << 18);
        // Attribution: cgroup indexes and the CRI client start in the background; events never wait on them
        // longer than --enrich-wait.
        // Output: a bounded queue and its own writer thread, so that a slow reader of stdout costs DROPPED lines,
        // counted and reported, instead of stalling the buffer reader into kernel-side LOST events.
        // Self-observation: metrics and the STATS line read the pipeline's counts on their own threads.
        try (NetmonMetrics served = metrics;
                Resolver resolver = Enrichments.resolver(options.enrich(), System.err, criCalls);
                OutputStage output = new OutputStage(
                        options.format().open(stdout, nodeName(), new WallClock(lib), options.enrich().podLabels()),
                        options.queueSize(), DROPPED_REPORT_NS, lib::monotonicNs);
                Tracer tracer = Tracer.attach(lib, settings, output, options.count(), resolver,
                        options.enrich().waitMs() * 1_000_000, options.filters().lineFilter(), options.rateLimit());
                StatsReporter stats = StatsReporter.start(options.statsIntervalSeconds(),
                        () -> StatsLine.read(tracer, output), System.err)) {
            // Signals end the read loop; the try block then detaches everything.
            Signal.handle(new Signal("INT"), sig -> tracer.stop());
            Signal.handle(new Signal("TERM"), sig -> tracer.stop());
            if (served != null) {
                served.watch(tracer, output, resolver);
                System.err.println("netmon: serving metrics at " + served.url());
            }
            // Which reads the programs use says why the kernel side costs more on an older kernel.
            System.err.printf("netmon: tracing with %d programs attached, %s buffer, %s; Ctrl-C stops%n",
                    tracer.attachedPrograms(), tracer.bufferKind().text(), tracer.kernelReads().text());
            if (options.buffer() == dev.netmon.bpf.BufferKind.AUTO && tracer.bufferKind() != options.buffer().resolve(true)) {
                System.err.println("netmon: this kernel has no BPF ring buffer (5.8+): using per-CPU perf buffers");
            }

            // Read until stopped, counted out, timed out or the reader of stdout goes away.
            long deadline = options.durationNs() > 0 ? System.nanoTime() + options.durationNs() : Long.MAX_VALUE;
            TraceStats end = tracer.run(deadline);
            System.err.printf("netmon: %d events, %d lost, %d dropped, %d decode errors%s%s%n", end.events(),
                    end.lost(), end.dropped(), end.decodeErrors() + end.sinkFailures(),
                    (tracer.filtered() > 0 ? ", " + tracer.filtered() + " filtered out" : "")
                            + (tracer.rateLimited() > 0 ? ", " + tracer.rateLimited() + " rate-limited" : ""),
                    tracer.outputClosed() ? ", stdout closed" : "");
            return EXIT_OK;
        } catch (LibBpfException e) {
            return fail(EXIT_FAILURE, "cannot trace: " + e.getMessage() + hint(e));
        } catch (IOException e) {
            return fail(EXIT_FAILURE, "cannot write to stdout: " + e.getMessage());
        }
    }

    private static int resolve(Options options) {
        try {
            if (options.resolveCgroup() != null) {
                Enrichments.resolveCgroup(options.resolveCgroup(), System.out);
                return EXIT_OK;
            }
            if (!Enrichments.resolvePid(options.resolvePid(), options.enrich(), System.out, System.err)) {
                return fail(EXIT_FAILURE, "no process " + options.resolvePid() + " (or its /proc entry is not readable:"
                        + " run as root)");
            }
            return EXIT_OK;
        } catch (IOException e) {
            return fail(EXIT_FAILURE, "cannot write to stdout: " + e.getMessage());
        }
    }

    private static String hint(LibBpfException e) {
        return switch (e.errno()) {
            case 1, 13 -> "; run as root, or with CAP_BPF and CAP_PERFMON (kernel lockdown also forbids BPF)";
            case 2 -> "; is tracefs mounted at /sys/kernel/tracing with syscall tracepoints?";
            default -> "";
        };
    }

    /** NODE_NAME (set from the downward API in the DaemonSet), else the kernel's hostname. */
    static String nodeName() {
        String env = System.getenv("NODE_NAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    private static int fail(int status, String message) {
        System.err.println("netmon: " + message);
        return status;
    }
}
