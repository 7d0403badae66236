package dev.netmon.bench;

import dev.netmon.enrich.CgroupIndex;
import dev.netmon.enrich.RateLimitedLog;
import dev.netmon.enrich.Resolver;
import dev.netmon.enrich.cri.CriDirectory;
import dev.netmon.enrich.cri.FakeCriServer;
import dev.netmon.event.Attribution;
import dev.netmon.event.EventHeader;
import dev.netmon.event.ProcessRef;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.UUID;

/**
 * A soak for the attribution caches: thousands of container ids are born, looked up and removed through the real
 * cgroup index, CRI directory and resolver (against an in-process CRI server on a unix socket), while the heap
 * after GC and the RSS are sampled. Memory must stay flat: caches are bounded, tombstones expire, nothing leaks.
 * Prints numbers; asserts nothing. Usage: CacheChurnSoak [seconds, default 300].
 */
public final class CacheChurnSoak {
    private static final int LIVE = 200;          // containers alive at any time
    private static final int CHURN_PER_TICK = 20; // born and removed every 100 ms: 200 ids a second
    private static final int LOOKUPS_PER_TICK = 2_000;

    private CacheChurnSoak() {}

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 300;
        Path root = Files.createTempDirectory("netmon-churn");
        Path cgroupfs = Files.createDirectories(root.resolve("cgroup"));
        try (FakeCriServer cri = new FakeCriServer(root.resolve("cri.sock"))) {
            cri.start();
            var settings = new CriDirectory.Settings(Duration.ofSeconds(2), Duration.ofSeconds(1), 4096,
                    Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(20));
            var log = new RateLimitedLog(new PrintStream(PrintStream.nullOutputStream()), Long.MAX_VALUE, System::nanoTime);
            var index = new CgroupIndex(cgroupfs, 65_536, Duration.ofSeconds(20).toNanos());
            try (Resolver resolver = new Resolver(index, null, CriDirectory.start(cri.socket(), settings, log))) {
                run(seconds, cgroupfs, cri, resolver);
            }
        } finally {
            deleteTree(root);
        }
    }

    private record Live(String id, String sandbox, Path dir, long cgroupId) {}

    private static void run(long seconds, Path cgroupfs, FakeCriServer cri, Resolver resolver) throws Exception {
        ArrayDeque<Live> live = new ArrayDeque<>();
        long born = 0;
        long lookups = 0;
        long full = 0;
        LongSummaryStatistics heap = new LongSummaryStatistics();
        LongSummaryStatistics rss = new LongSummaryStatistics();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long nextSample = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        System.out.printf("%8s %10s %12s %10s %10s  %s%n", "t (s)", "ids born", "lookups", "heap MiB", "rss MiB",
                "cache sizes");
        long start = System.nanoTime();
        for (long tick = 0; System.nanoTime() - end < 0 && tick < 100_000_000L; tick++) {
            for (int i = 0; i < CHURN_PER_TICK; i++) {
                live.add(birth(cgroupfs, cri, born++));
                if (live.size() > LIVE) {
                    death(cri, live.poll());
                }
            }
            Live[] now = live.toArray(Live[]::new);
            for (int i = 0; i < LOOKUPS_PER_TICK; i++) {
                Live l = now[(int) ((tick * 31 + i) % now.length)];
                Attribution a = resolver.tryResolve(new EventHeader(0, new ProcessRef(1, 1, 0, "churn"), l.cgroupId(),
                        4026531840L, 0));
                lookups++;
                if (a != null && a.container() != null && a.container().podName() != null) {
                    full++;
                }
            }
            Thread.sleep(100); // the churn's pace: 200 new ids a second
            if (System.nanoTime() - nextSample >= 0) {
                nextSample += Duration.ofSeconds(10).toNanos();
                System.gc();
                long heapMiB = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
                long rssMiB = rssKiB() >> 10;
                heap.accept(heapMiB);
                rss.accept(rssMiB);
                Map<String, Integer> sizes = resolver.cacheSizes();
                System.out.printf("%8d %10d %12d %10d %10d  %s%n", (System.nanoTime() - start) / 1_000_000_000L, born,
                        lookups, heapMiB, rssMiB, sizes);
            }
        }
        System.out.printf("churn soak: %d container ids born and removed, %d lookups (%.1f%% named by the CRI),"
                        + " heap after GC %d..%d MiB, RSS %d..%d MiB%n", born, lookups, 100.0 * full / Math.max(1, lookups),
                heap.getMin(), heap.getMax(), rss.getMin(), rss.getMax());
    }

    private static Live birth(Path cgroupfs, FakeCriServer cri, long n) throws IOException {
        String uid = new UUID(n, ~n).toString();
        String id = HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(32).putLong(n).putLong(n * 31).putLong(~n)
                .putLong(n ^ 0x5a5a5a5a).array());
        String sandbox = "sb-" + n;
        cri.addSandbox(sandbox, "pod-" + n, "churn", uid, Map.of("app", "churn"), null);
        cri.addContainer(id, sandbox, "app", "sha256:" + id, "netmon.test/churn:1");
        Path dir = Files.createDirectories(cgroupfs.resolve("kubepods/besteffort/pod" + uid + "/" + id));
        long ino = (Long) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        return new Live(id, sandbox, dir, ino);
    }

    private static void death(FakeCriServer cri, Live l) throws IOException {
        cri.removeContainer(l.id());
        cri.removeSandbox(l.sandbox());
        Files.delete(l.dir());
        Files.delete(l.dir().getParent());
    }

    private static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
