package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netmon.it.containerd.CriPods;
import dev.netmon.it.containerd.PrivateContainerd;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real thing: bin/netmon against a private containerd (cgroupfs driver) with a pod and container created the
 * way the kubelet creates them. Each line of the pod's traffic must name its pod, namespace and container exactly.
 */
@Tag("privileged")
class CriAttributionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PORT = 9000;
    /** A listener on the pod's loopback and a bounded loop of connections to it (a minute at most). */
    private static final String[] LOOPBACK_TRAFFIC = {"sh", "-c",
            "nc -ll -p " + PORT + " -e true & for i in $(seq 1 300); do echo x | nc -w 1 127.0.0.1 " + PORT
                    + "; sleep 0.2; done"};

    private static PrivateContainerd containerd;
    private static NetmonProcess netmon;
    private static CriPods.Pod pod;

    @BeforeAll
    static void podAndNetmon() throws Exception {
        Privileges.requireRoot();
        containerd = PrivateContainerd.start();
        // A long --enrich-wait makes "the first line of a new container is already fully named" exact: it checks
        // that the event was held for its own lookup and released when the lookup landed.
        netmon = NetmonProcess.start("--cri-socket", containerd.socket().toString(), "--events", "connect,close",
                "--enrich-wait", "5000", "--pod-labels");
        netmon.awaitAttached();
        pod = containerd.pods().run("web-0", "shop", "client", LOOPBACK_TRAFFIC);
    }

    @AfterAll
    static void teardown() throws Exception {
        if (netmon != null) {
            netmon.close();
        }
        if (containerd != null) {
            if (pod != null) {
                containerd.pods().remove(pod);
            }
            containerd.close();
        }
    }

    @Test
    void firstConnectOfTheContainerNamesItsPodNamespaceAndContainer() throws Exception {
        JsonNode line = await("a CONNECT from container " + pod.containerId(),
                n -> n.get("type").asText().equals("CONNECT") && pod.containerId().equals(containerId(n)));
        JsonNode c = line.get("container");
        assertEquals("client", c.get("container_name").asText(), line::toString);
        assertEquals("web-0", c.get("pod_name").asText(), line::toString);
        assertEquals("shop", c.get("pod_namespace").asText(), line::toString);
        assertEquals(pod.podUid(), c.get("pod_uid").asText(), line::toString);
        assertEquals("containerd", c.get("runtime").asText(), line::toString);
        assertEquals(CriPods.IMAGE, c.get("image").asText(), line::toString);
        assertEquals("full", line.get("enrichment").asText(), line::toString);
        assertTrue(line.get("unit").isNull(), line::toString);
        assertEquals(PORT, line.get("dst_port").asInt(), line::toString);
        assertEquals("127.0.0.1", line.get("dst_ip").asText(), line::toString);
        assertEquals(JSON.readTree("{}"), c.get("pod_labels"), "the kubelet's io.kubernetes.* labels are not pod labels");

        // The ids on the line are the container's: its cgroup directory and its pod's network namespace.
        long pid = line.get("pid").asLong();
        Path unified = Path.of("/sys/fs/cgroup/unified").resolve(pod.containerCgroup().substring(1));
        if (Files.isDirectory(unified)) {
            assertEquals(Files.getAttribute(unified, "unix:ino", LinkOption.NOFOLLOW_LINKS),
                    line.get("cgroup_id").asLong(), line::toString);
        }
        assertNotEquals(selfNetns(), line.get("netns").asLong(), "the pod's netns, not the host's");
        List<String> podProcesses = processesOf(pod.containerId());
        assertTrue(podProcesses.isEmpty() || line.get("netns").asLong() == netnsOf(podProcesses.getFirst()),
                () -> "netns of " + line + " is the pod's");
        assertTrue(pid > 0);
    }

    @Test
    void aHostProcessInThePodsNetworkNamespaceIsAttributedToThePod() throws Exception {
        String podPid = await(() -> processesOf(pod.containerId()).stream().findFirst(), "a process of the pod");
        Process nc = new ProcessBuilder("nsenter", "--net=/proc/" + podPid + "/ns/net", "/bin/busybox", "nc", "-w", "1",
                "127.0.0.1", Integer.toString(PORT)).redirectErrorStream(true).start();
        nc.getOutputStream().close();
        assertTrue(nc.waitFor(10, TimeUnit.SECONDS), "nc in the pod's netns finished");
        long ncPid = nc.pid();
        JsonNode line = await("the CONNECT of pid " + ncPid,
                n -> n.get("type").asText().equals("CONNECT") && n.get("pid").asLong() == ncPid);
        JsonNode c = line.get("container");
        assertTrue(c.get("container_id").isNull(), () -> "not in the container's cgroup: " + line);
        assertEquals("web-0", c.get("pod_name").asText(), line::toString);
        assertEquals("shop", c.get("pod_namespace").asText(), line::toString);
        assertEquals(pod.podUid(), c.get("pod_uid").asText(), line::toString);
        assertEquals("full", line.get("enrichment").asText(), line::toString);
    }

    @Test
    void resolvePidPrintsWhatTheEventsCarry() throws Exception {
        String podPid = await(() -> processesOf(pod.containerId()).stream().findFirst(), "a process of the pod");
        try (NetmonProcess resolve = NetmonProcess.start("resolve", "--pid", podPid, "--cri-socket",
                containerd.socket().toString())) {
            assertEquals(0, resolve.awaitExit(), () -> "stderr: " + resolve.stderr());
            JsonNode out = JSON.readTree(resolve.stdout().getFirst());
            assertEquals(pod.containerId(), out.get("container").get("container_id").asText(), out::toString);
            assertEquals("client", out.get("container").get("container_name").asText(), out::toString);
            assertEquals("web-0", out.get("container").get("pod_name").asText(), out::toString);
            assertEquals(pod.containerCgroup(), out.get("cgroup_path").asText(), out::toString);
            assertEquals("full", out.get("enrichment").asText(), out::toString);
        }
    }

    @Test
    void namespaceAndPodFiltersKeepThePodsLinesAndNothingElse() throws Exception {
        String sock = containerd.socket().toString();
        try (NetmonProcess shop = NetmonProcess.start("--cri-socket", sock, "--namespace", "shop", "--pod", "web-*",
                        "--enrich-wait", "5000");
                NetmonProcess other = NetmonProcess.start("--cri-socket", sock, "--namespace", "other",
                        "--enrich-wait", "5000")) {
            shop.awaitAttached();
            other.awaitAttached();
            long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos() * 2;
            while (shop.stdout().size() < 3 && System.nanoTime() - deadline < 0) {
                Thread.sleep(50); // the pod connects every 200 ms; the deadline bounds the wait
            }
            List<String> kept = shop.stdout();
            assertTrue(kept.size() >= 3, () -> "--namespace shop --pod web-* printed the pod's lines: " + shop.stderr());
            for (String l : kept) {
                JsonNode c = JSON.readTree(l).get("container");
                assertEquals("shop", c.get("pod_namespace").asText(), l);
                assertEquals("web-0", c.get("pod_name").asText(), l);
            }
            ProcessHandle.of(other.pid()).ifPresent(ProcessHandle::destroy); // SIGTERM: flush and exit
            assertEquals(0, other.awaitExit());
            assertEquals(List.of(), other.stdout(), "--namespace other: nothing on this node is in it");
        }
    }

    private static String containerId(JsonNode line) {
        JsonNode c = line.get("container");
        return c == null || c.isNull() || c.get("container_id").isNull() ? null : c.get("container_id").asText();
    }

    /** The first of netmon's lines so far, or arriving within the wait, that matches. */
    private static JsonNode await(String what, Predicate<JsonNode> match) throws Exception {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos() * 2;
        int seen = 0;
        while (System.nanoTime() - deadline < 0) {
            List<String> lines = netmon.stdout();
            for (; seen < lines.size(); seen++) {
                JsonNode n = JSON.readTree(lines.get(seen));
                if (match.test(n)) {
                    return n;
                }
            }
            if (!netmon.isAlive()) {
                break;
            }
            Thread.onSpinWait();
            Thread.sleep(20); // polling a growing list; the deadline bounds it
        }
        return fail(what + " within " + TraceHarness.WAIT.multipliedBy(2) + "; stderr: " + netmon.stderr()
                + "; containerd: " + containerd.logTail());
    }

    private static <T> T await(java.util.concurrent.Callable<Optional<T>> probe, String what) throws Exception {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<T> v = probe.call();
            if (v.isPresent()) {
                return v.get();
            }
            Thread.sleep(20);
        }
        return fail(what + " within " + TraceHarness.WAIT);
    }

    private static List<String> processesOf(String containerId) throws Exception {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.map(p -> p.getFileName().toString())
                    .filter(n -> n.chars().allMatch(Character::isDigit))
                    .filter(n -> {
                        try {
                            return Files.readString(Path.of("/proc", n, "cgroup")).contains("/" + containerId + "\n");
                        } catch (Exception e) {
                            return false;
                        }
                    })
                    .sorted()
                    .toList();
        }
    }

    private static long selfNetns() throws Exception {
        return netnsOf("self");
    }

    private static long netnsOf(String pid) throws Exception {
        String t = Files.readSymbolicLink(Path.of("/proc", pid, "ns/net")).toString();
        return Long.parseLong(t.substring(t.indexOf('[') + 1, t.indexOf(']')));
    }
}
