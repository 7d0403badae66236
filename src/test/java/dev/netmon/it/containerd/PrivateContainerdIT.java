package dev.netmon.it.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.enrich.cri.v1.ContainerState;
import dev.netmon.enrich.cri.v1.VersionRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The harness itself: a private containerd runs a pod through the CRI as the kubelet would, the pod's process
 * sits in the kubelet's cgroup layout and a network namespace of its own, and down.sh leaves nothing behind.
 */
@Tag("privileged")
class PrivateContainerdIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int PORT = 9000;
    /** A listener and a bounded loop of connections to it over the pod's loopback (about a minute at most). */
    private static final String[] LOOPBACK_TRAFFIC = {"sh", "-c",
            "nc -ll -p " + PORT + " -e true & for i in $(seq 1 300); do echo x | nc -w 1 127.0.0.1 " + PORT
                    + "; sleep 0.2; done"};

    @Test
    void podRunsInKubeletCgroupsAndItsOwnNetworkNamespaceAndLeavesNothingBehind() throws Exception {
        requireRoot();
        long t0 = System.nanoTime();
        PrivateContainerd containerd = PrivateContainerd.start();
        Path stateDir = containerd.stateDir();
        CriPods.Pod pod;
        Duration runTime;
        Duration removeTime;
        long closing;
        try (containerd) {
            Supplier<String> log = containerd::logTail;
            CriPods pods = containerd.pods();
            assertEquals("containerd", pods.runtime().version(VersionRequest.getDefaultInstance()).getRuntimeName());

            long t1 = System.nanoTime();
            pod = pods.run("traffic", "netmon-it", "client", LOOPBACK_TRAFFIC);
            runTime = Duration.ofNanos(System.nanoTime() - t1);
            try {
                String id = pod.containerId();
                awaitTrue("container RUNNING", () -> pods.status(id).getState() == ContainerState.CONTAINER_RUNNING, log);
                assertTrue(pods.containers(pod.sandboxId()).stream()
                                .anyMatch(c -> c.getId().equals(id) && c.getState() == ContainerState.CONTAINER_RUNNING),
                        () -> "ListContainers for the sandbox shows the container running" + log.get());
                assertEquals(pod.podUid(), pods.status(id).getLabelsOrThrow("io.kubernetes.pod.uid"));

                List<Long> pids = await("a process in cgroup " + pod.containerCgroup(),
                        () -> Optional.of(processesIn(id)).filter(l -> !l.isEmpty()), log);
                // The container's init (sh) lives as long as the container; the nc clients come and go.
                long pid = pids.stream().filter(PrivateContainerdIT::isPidNamespaceInit).findFirst().orElse(pids.getFirst());
                List<String> cgroups = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
                assertTrue(cgroups.stream().anyMatch(l -> isV1Controller(l) && l.endsWith(":" + pod.containerCgroup())),
                        () -> "a v1 controller line with " + pod.containerCgroup() + " in " + cgroups);
                assertTrue(cgroups.contains("0::" + pod.containerCgroup()),
                        () -> "the unified line 0::" + pod.containerCgroup() + " in " + cgroups);

                String podNet = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
                assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), podNet,
                        "the pod has a network namespace other than the test's");
                long containerdNet = ((Number) Files.getAttribute(containerd.netns(), "unix:ino")).longValue();
                assertNotEquals("net:[" + containerdNet + "]", podNet,
                        "the pod has a network namespace other than containerd's");
                assertTrue(pids.stream().anyMatch(PrivateContainerdIT::isPidNamespaceInit),
                        "one process of the container is pid 1 of its own PID namespace, as the kubelet asks");
                // The loop's connections to the pod's own loopback listener, counted in its network namespace.
                awaitTrue("TCP connections opened and accepted in the pod's netns",
                        () -> connectionsOpenedAndAccepted(pid), log);
            } finally {
                long t2 = System.nanoTime();
                pods.remove(pod);
                removeTime = Duration.ofNanos(System.nanoTime() - t2);
            }
            System.out.printf("PrivateContainerdIT: images.sh %d ms, up.sh %d ms, RunPodSandbox %s, run() %d ms,"
                            + " remove() %d ms%n",
                    containerd.imagesTime().toMillis(), containerd.upTime().toMillis(), sandboxTime(stateDir, pod),
                    runTime.toMillis(), removeTime.toMillis());
            closing = System.nanoTime();
        }
        long t3 = System.nanoTime();
        List<Path> leftCgroups = podCgroups(pod.podUid());
        assertEquals(List.of(), leftCgroups, "down.sh removed the pod's cgroups");
        assertEquals(List.of(), mountsUnder(stateDir), "down.sh unmounted everything under " + stateDir);
        assertFalse(Files.exists(stateDir), "down.sh removed " + stateDir);
        assertEquals(List.of(), cniCacheOf(pod.sandboxId()), "no libcni cache entry of the sandbox is left");
        System.out.printf("PrivateContainerdIT: close() (down.sh) %d ms, whole test %d ms%n",
                Duration.ofNanos(t3 - closing).toMillis(), Duration.ofNanos(System.nanoTime() - t0).toMillis());
    }

    private static void requireRoot() throws IOException {
        String status = Files.readString(Path.of("/proc/self/status"));
        assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "the containerd integration test must run as root (make test runs it; use sudo)");
    }

    /** Pids whose cgroup path, in any hierarchy, ends in the container id: the container's processes. */
    private static List<Long> processesIn(String containerId) throws IOException {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> readLines(p.resolve("cgroup")).stream().anyMatch(l -> l.endsWith("/" + containerId)))
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .sorted()
                    .toList();
        }
    }

    /** "4:memory:/path": a v1 hierarchy with a controller; "0::/path" is the unified one. */
    private static boolean isV1Controller(String line) {
        String[] parts = line.split(":", 3);
        return parts.length == 3 && !parts[0].equals("0") && !parts[1].isEmpty();
    }

    /** NSpid lists the pid in every PID namespace from the host's down; the last is the innermost. */
    private static boolean isPidNamespaceInit(long pid) {
        return readLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("NSpid:"))
                .anyMatch(l -> l.endsWith("\t1") && l.split("\\s+").length > 2);
    }

    /**
     * TCP connections opened and accepted in PID's network namespace, from /proc/PID/net/snmp (two "Tcp:"
     * lines: names, then values). Counters rather than sockets: the busybox listener closes with the client's
     * line unread, which resets the connection, so no socket lingers in TIME_WAIT to be seen.
     */
    private static boolean connectionsOpenedAndAccepted(long pid) {
        List<String[]> tcp = readLines(Path.of("/proc/" + pid + "/net/snmp")).stream()
                .filter(l -> l.startsWith("Tcp:"))
                .map(l -> l.split("\\s+"))
                .toList();
        if (tcp.size() != 2) {
            return false;
        }
        List<String> names = List.of(tcp.get(0));
        long active = Long.parseLong(tcp.get(1)[names.indexOf("ActiveOpens")]);
        long passive = Long.parseLong(tcp.get(1)[names.indexOf("PassiveOpens")]);
        return active >= 2 && passive >= 2;
    }

    private static List<Path> podCgroups(String podUid) throws IOException {
        try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
            return Stream.concat(Stream.of(Path.of("/sys/fs/cgroup")), roots.filter(Files::isDirectory))
                    .flatMap(root -> Stream.of("besteffort", "burstable", "")
                            .map(qos -> root.resolve("kubepods").resolve(qos).resolve("pod" + podUid)))
                    .filter(Files::exists)
                    .toList();
        }
    }

    /** libcni caches each attachment as /var/lib/cni/results/NETWORK-SANDBOXID-IFNAME until it is deleted. */
    private static List<Path> cniCacheOf(String sandboxId) throws IOException {
        Path results = Path.of("/var/lib/cni/results");
        if (!Files.isDirectory(results)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(results)) {
            return entries.filter(p -> p.getFileName().toString().contains("-" + sandboxId + "-")).toList();
        }
    }

    private static List<String> mountsUnder(Path dir) {
        String prefix = dir.toString();
        return readLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4])
                .filter(m -> m.equals(prefix) || m.startsWith(prefix + "/"))
                .toList();
    }

    /**
     * How long containerd took over RunPodSandbox, from its own log: the request line and the "returns
     * sandbox id" line carry timestamps. Read after the call, before close() deletes the log.
     */
    private static String sandboxTime(Path stateDir, CriPods.Pod pod) {
        List<Instant> times = readLines(stateDir.resolve("containerd.log")).stream()
                .filter(l -> l.contains("RunPodSandbox for") && l.contains(pod.podUid()))
                .map(l -> l.replaceFirst("^time=\"([^\"]+)\".*", "$1"))
                .map(Instant::parse)
                .toList();
        return times.size() == 2 ? Duration.between(times.get(0), times.get(1)).toMillis() + " ms" : "unknown";
    }

    private static List<String> readLines(Path path) {
        try {
            return Files.readAllLines(path);
        } catch (IOException e) {
            return List.of(); // the process exited while we looked
        }
    }

    @FunctionalInterface
    private interface Probe<T> {
        Optional<T> poll() throws Exception;
    }

    private static <T> T await(String what, Probe<T> probe, Supplier<String> log) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Optional<T> value = probe.poll();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + WAIT.toSeconds() + " s" + log.get());
            }
            Thread.sleep(100);
        }
    }

    private static void awaitTrue(String what, BooleanProbe probe, Supplier<String> log) throws Exception {
        await(what, () -> probe.poll() ? Optional.of(true) : Optional.<Boolean>empty(), log);
    }

    @FunctionalInterface
    private interface BooleanProbe {
        boolean poll() throws Exception;
    }
}
