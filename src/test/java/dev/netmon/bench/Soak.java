package dev.netmon.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * netmon's RSS, sampled every few seconds under a long storm, to show that it stays flat. The output file is opened
 * with O_APPEND and truncated at each sample, so minutes of storm do not fill the disk.
 */
final class Soak {
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
    /** One storm thread: the soak is about memory over time, and the other core stays free for the machine. */
    static final int THREADS = 1;

    record Point(double seconds, Proc.Memory memory) {}

    record Result(List<Point> points, LoadGen.Result load, List<String> stderr) {}

    private final Settings settings;

    Soak(Settings settings) {
        this.settings = settings;
    }

    Result run() throws IOException, InterruptedException {
        Path out = Files.createTempFile(settings.scratch(), "soak", ".out");
        try (TracedProcess t = TracedProcess.start(Tool.NETMON, settings.home(), out, true)) {
            CompletableFuture<LoadGen.Result> storm = CompletableFuture.supplyAsync(() -> {
                try {
                    return new LoadGen(settings.loadgen()).run(THREADS, settings.soakSeconds());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RuntimeException(e);
                }
            });
            List<Point> points = new ArrayList<>();
            long start = System.nanoTime();
            // Bounded by count as well as by the storm's end.
            int maxSamples = (int) (settings.soakSeconds() / SAMPLE_EVERY.toSeconds()) + 2;
            for (int i = 0; i < maxSamples && !storm.isDone(); i++) {
                Thread.sleep(SAMPLE_EVERY);
                points.add(new Point((System.nanoTime() - start) / 1e9, t.memory()));
                try (FileChannel f = FileChannel.open(out, StandardOpenOption.WRITE)) {
                    f.truncate(0);
                }
                Runs.progress("soak: %.0f s, RSS %.1f MB", points.getLast().seconds(),
                        points.getLast().memory().rssMb());
            }
            LoadGen.Result load;
            try {
                load = storm.get();
            } catch (ExecutionException e) {
                throw new IOException("soak storm failed", e.getCause());
            }
            return new Result(points, load, t.stop());
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
