package dev.netmon.metrics;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints a {@link StatsLine} every interval on its own thread, so that a quiet log still shows netmon is alive. */
public final class StatsReporter implements AutoCloseable {
    private final ScheduledExecutorService timer;

    private StatsReporter(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** @param intervalSeconds 0 for none: the reporter then does nothing */
    public static StatsReporter start(long intervalSeconds, Supplier<StatsLine> read, PrintStream err) {
        if (intervalSeconds <= 0) {
            return new StatsReporter(null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("netmon-stats").factory());
        timer.scheduleAtFixedRate(() -> {
            try {
                err.println(read.get().format());
            } catch (RuntimeException e) {
                err.println("netmon: stats: unavailable (" + e + ")"); // and try again next time
            }
        }, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        return new StatsReporter(timer);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
