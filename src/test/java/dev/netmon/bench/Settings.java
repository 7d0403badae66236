package dev.netmon.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What one benchmark run does, from the environment (all optional): BENCH_RUNS (3) runs per cell, BENCH_SECONDS
 * (5) per storm, BENCH_WARMUP_SECONDS (3) of storm before each measured one, BENCH_BPFTRACE (1) to compare with
 * bpftrace, BENCH_FLOOR (1) to run the storm under empty programs on the same tracepoints, BENCH_JMH (1) for the microbenchmarks, BENCH_SOAK (0) to add the soak, BENCH_SOAK_SECONDS (300).
 */
record Settings(Path home, int runs, double seconds, double warmupSeconds, boolean bpftrace, boolean floor,
        boolean jmh, boolean soak, int soakSeconds) {
    /** The storm runs with one thread (a core left for the tracer) and two (both cores busy). */
    static final List<Integer> THREADS = List.of(1, 2);
    /** The load at which netmon must lose nothing, and at which it is compared with bpftrace. */
    static final int FULL_LOAD_THREADS = 2;

    static Settings fromEnvironment(Path home) {
        return fromEnvironment(home, System::getenv);
    }

    /** The knobs from {@code env}; IllegalArgumentException naming the first one set wrong. */
    static Settings fromEnvironment(Path home, UnaryOperator<String> env) {
        return new Settings(home,
                (int) number(env, "BENCH_RUNS", 3, 1, 20),
                number(env, "BENCH_SECONDS", 5, 1, 120),
                // 3 s: the JIT's C2 compilations of the hot paths take a few seconds on two busy cores, and their
                // CPU is not what a running daemon spends per event (with 1 s the 2-thread storm measured 1.25 us per
                // event, with 3 s 0.99).
                number(env, "BENCH_WARMUP_SECONDS", 3, 0.1, 30),
                number(env, "BENCH_BPFTRACE", 1, 0, 1) == 1,
                number(env, "BENCH_FLOOR", 1, 0, 1) == 1,
                number(env, "BENCH_JMH", 1, 0, 1) == 1,
                number(env, "BENCH_SOAK", 0, 0, 1) == 1,
                (int) number(env, "BENCH_SOAK_SECONDS", 300, 10, 3600));
    }

    private static double number(UnaryOperator<String> env, String name, double fallback,
            double min, double max) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        double d;
        try {
            d = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number from " + min + " to " + max + ", got " + v);
        }
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", got " + v);
        }
        return d;
    }

    Path loadgen() {
        return home.resolve("target/bench/loadgen");
    }

    /** Where the tracers' output files go: on disk, in the build directory. */
    Path scratch() {
        return home.resolve("target/bench/scratch");
    }

    /** The tracers whose events, CPU and memory are measured at this thread count. */
    List<Tool> toolsAt(int threads) {
        return bpftrace && threads == FULL_LOAD_THREADS ? List.of(Tool.NETMON, Tool.BPFTRACE) : List.of(Tool.NETMON);
    }

    /** Everything the storm runs under at this thread count: the tracers, then the empty programs (the floor). */
    List<Tool> stormsAt(int threads) {
        List<Tool> tools = new ArrayList<>(toolsAt(threads));
        if (floor) {
            tools.add(Tool.EMPTY);
        }
        return tools;
    }
}
