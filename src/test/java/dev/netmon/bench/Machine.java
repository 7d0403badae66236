package dev.netmon.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How busy the machine is with work that is not the benchmark's. On a shared 2-core machine another job's burst
 * halves a storm's rate, so each storm waits, within a budget, for the machine to be quiet, and the report says
 * how busy it was.
 */
final class Machine {
    /** A storm starts when less than this share of all CPUs was busy over the last window. */
    static final double QUIET = 0.10;
    private static final Duration WINDOW = Duration.ofMillis(500);

    private long waitBudgetNs;

    /** @param waitBudget the most all waits together may take, so that make bench stays bounded */
    Machine(Duration waitBudget) {
        this.waitBudgetNs = waitBudget.toNanos();
    }

    /**
     * Waits until the machine is quiet or the budget is spent; returns the busy share of the last window (0-1).
     */
    double awaitQuiet() throws IOException, InterruptedException {
        long start = System.nanoTime();
        double busy = busyOver(WINDOW);
        // Bounded by the budget, and by count in case the clock misbehaves.
        for (int i = 0; i < 10_000 && busy >= QUIET && System.nanoTime() - start < waitBudgetNs; i++) {
            busy = busyOver(WINDOW);
        }
        waitBudgetNs = Math.max(0, waitBudgetNs - (System.nanoTime() - start));
        return busy;
    }

    /** The share of all CPUs' time that was not idle (nor iowait) over {@code window}, from /proc/stat. */
    static double busyOver(Duration window) throws IOException, InterruptedException {
        long[] a = cpuTimes();
        Thread.sleep(window);
        long[] b = cpuTimes();
        long total = b[0] - a[0];
        long idle = b[1] - a[1];
        return total <= 0 ? 0 : (double) (total - idle) / total;
    }

    /** {total, idle + iowait} in ticks, from the "cpu" line of /proc/stat. */
    private static long[] cpuTimes() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/stat")).getFirst();
        String[] f = line.trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal; guest time is already inside user.
        for (int i = 1; i <= 8 && i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }
}
