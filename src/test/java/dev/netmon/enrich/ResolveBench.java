package dev.netmon.enrich;

import dev.netmon.event.Attribution;
import dev.netmon.event.EventHeader;
import dev.netmon.event.ProcessRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Attribution of one event with everything cached (--no-cri): cgroup id to path through the index, path to
 * container or unit. The index walks a temp directory tree shaped like a node's cgroupfs, whose directory inodes
 * stand in for cgroup ids exactly as in CgroupIndexTest.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResolveBench {
    private static final int PODS = 100;
    private static final Duration WARM_LIMIT = Duration.ofSeconds(10);

    /** A container's cgroup (systemd driver, containerd), or a host service's. */
    @Param({"pod", "host-service"})
    public String cgroup;

    private Path root;
    private Resolver resolver;
    private EventHeader header;

    @Setup
    public void warm() throws IOException, InterruptedException {
        root = Files.createTempDirectory("netmon-resolve-bench");
        Path target = null;
        // A node with PODS pods of one container each, and some services: the index holds a few hundred ids.
        for (int i = 0; i < PODS; i++) {
            String uid = "%08x_1111_2222_3333_444455556666".formatted(i);
            Path c = Files.createDirectories(root.resolve("kubepods.slice/kubepods-burstable.slice/"
                    + "kubepods-burstable-pod" + uid + ".slice/cri-containerd-" + "%064x".formatted(i) + ".scope"));
            target = i == PODS / 2 && cgroup.equals("pod") ? c : target;
        }
        for (String service : new String[] {"sshd", "kubelet", "containerd", "systemd-journald", "cron"}) {
            Path s = Files.createDirectories(root.resolve("system.slice/" + service + ".service"));
            target = service.equals("kubelet") && cgroup.equals("host-service") ? s : target;
        }
        if (target == null) {
            throw new IllegalArgumentException("no such cgroup kind " + cgroup);
        }
        long id = (Long) Files.getAttribute(target, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        header = new EventHeader(1, new ProcessRef(4242, 4242, 0, "nginx"), id, 4026531833L, 0);
        resolver = new Resolver(new CgroupIndex(root, 65_536, Duration.ofMinutes(5).toNanos()), null, null);
        // The first index walk runs in the background; the benchmark measures what comes after it.
        long deadline = System.nanoTime() + WARM_LIMIT.toNanos();
        while (resolver.tryResolve(header) == null) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the cgroup index did not warm up within " + WARM_LIMIT);
            }
            Thread.sleep(1);
        }
    }

    @Benchmark
    public Attribution resolve() {
        return resolver.tryResolve(header);
    }

    @TearDown
    public void remove() throws IOException {
        resolver.close();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
