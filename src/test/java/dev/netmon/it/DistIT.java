package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netmon.enrich.cri.FakeCriServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The self-contained distribution (make dist) end to end, as the DaemonSet runs it: on a host that has no JDK (a
 * private mount namespace hides /usr/lib/jvm, JAVA_HOME is unset and the first java on PATH fails loudly), as root
 * with only CAP_BPF and CAP_PERFMON (k8s/daemonset.yaml's list). The CRI runtime it talks to is a fake one on a real
 * socket, so the jlink'ed runtime's module list is checked on the gRPC, Netty, protobuf and Jackson paths too.
 */
@Tag("privileged")
class DistIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path HOME = Path.of(System.getProperty("netmon.home", ".")).toAbsolutePath().normalize();
    private static final Path DIST = HOME.resolve("target/dist/netmon-" + System.getProperty("netmon.version", "?"));
    private static final Path LAUNCHER = DIST.resolve("bin/netmon");
    /** CapEff of CAP_BPF (39) and CAP_PERFMON (38), as /proc/PID/status prints it. */
    private static final String DAEMONSET_CAPABILITIES = "000000c000000000";

    private Path work;
    private FakeCriServer cri;

    @BeforeAll
    static void distributionIsBuilt() throws Exception {
        Privileges.requireRoot();
        if (!Files.isExecutable(LAUNCHER) || !Files.isRegularFile(DIST.resolve("app/netmon.aot"))) {
            fail("no distribution at " + DIST + ": run 'make dist' (as root) first; 'make test' builds it");
        }
    }

    @BeforeEach
    void fakeRuntime() throws IOException {
        // /tmp, not target/: a unix socket path must stay short wherever the checkout is.
        work = Files.createTempDirectory(Path.of("/tmp"), "netmon-dist-");
        cri = new FakeCriServer(work.resolve("cri.sock")).start();
    }

    @AfterEach
    void stopRuntime() throws IOException {
        cri.close();
        try (var files = Files.walk(work)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void tracesThisProcessesLoopbackConnectionWithTwoCapabilitiesAndExitsZeroOnSigterm() throws Exception {
        cri.addSandbox("sb-1", "web-0", "shop", "8f1a2b3c-1111-2222-3333-444455556666", Map.of(), null);
        try (NetmonProcess netmon = withoutJdk("--pid", String.valueOf(Host.pid()), "--cri-socket",
                cri.socket().toString())) {
            netmon.awaitAttached();
            assertEquals(DIST.resolve("runtime/bin/java"), Files.readSymbolicLink(Path.of("/proc/" + netmon.pid() + "/exe")),
                    "the JVM is the distribution's own runtime");
            assertTrue(Files.readAllLines(Path.of("/proc/" + netmon.pid() + "/status")).contains("CapEff:\t"
                    + DAEMONSET_CAPABILITIES), "it runs with CAP_BPF and CAP_PERFMON only");

            int port = loopbackRoundTrip();
            JsonNode connect = await(netmon, "the CONNECT to port " + port,
                    n -> n.path("type").asText().equals("CONNECT") && n.path("dst_port").asInt() == port);
            assertEquals(Host.pid(), connect.get("pid").asLong(), connect::toString);
            assertEquals("127.0.0.1", connect.get("dst_ip").asText(), connect::toString);
            assertEquals("ok", connect.get("result").asText(), connect::toString);
            await(netmon, "the ACCEPT on port " + port,
                    n -> n.path("type").asText().equals("ACCEPT") && n.path("dst_port").asInt() == port);
            await(netmon, "a CLOSE of the connection",
                    n -> n.path("type").asText().equals("CLOSE") && n.path("dst_port").asInt() == port);
            awaitListing();

            Process kill = new ProcessBuilder("kill", "-TERM", String.valueOf(netmon.pid())).start();
            assertTrue(kill.waitFor(5, TimeUnit.SECONDS));
            assertEquals(0, netmon.awaitExit(), "stderr: " + netmon.stderr());
            List<String> stderr = netmon.stderr();
            assertTrue(stderr.stream().anyMatch(l -> l.matches("netmon: \\d+ events, 0 lost, 0 dropped, 0 decode errors.*")),
                    "" + stderr);
            assertFalse(stderr.stream().anyMatch(l -> l.contains("Exception") || l.contains("Error")
                    || l.contains("CRI runtime")), "no failure on stderr: " + stderr);
        }
    }

    @Test
    void namesThePodOfAConnectionFromItsNetworkNamespaceWithoutPtrace() throws Exception {
        // A process in a named network namespace, which the runtime reports as a pod sandbox's, as containerd and
        // CRI-O do: its pid, and the namespace's bind mount in the runtime spec. Without CAP_SYS_PTRACE netmon
        // cannot read the ns link of a process with more capabilities than its own (a pause container's), so it
        // must take the bind mount. Naming the pod takes gRPC, Netty, protobuf and Jackson (the info is JSON).
        String netns = "netmon-dist-" + ProcessHandle.current().pid();
        Path bindMount = Path.of("/run/netns", netns);
        assertEquals(0, new ProcessBuilder("ip", "netns", "add", netns).inheritIO().start().waitFor());
        // Waits for a line on stdin, then connects to loopback, which is down in a new namespace: a CONNECT all
        // the same (ENETUNREACH). sh and bash exec in turn, so the pid is the one netmon filters on.
        Process sandbox = new ProcessBuilder("ip", "netns", "exec", netns, "sh", "-c",
                "read go; exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null").start();
        try {
            long sandboxNetns = awaitOwnNetns(sandbox.pid());
            cri.addSandbox("sb-1", "web-0", "shop", "8f1a2b3c-1111-2222-3333-444455556666", Map.of("app", "web"),
                    """
                    {"pid": %d, "runtimeSpec": {"linux": {"namespaces": [{"type": "network", "path": "%s"}]}}}"""
                            .formatted(sandbox.pid(), bindMount));
            try (NetmonProcess netmon = withoutJdk("--pid", String.valueOf(sandbox.pid()), "--events", "connect",
                    "--enrich-wait", "5000", "--pod-labels", "--cri-socket", cri.socket().toString())) {
                netmon.awaitAttached();
                sandbox.getOutputStream().write("go\n".getBytes());
                sandbox.getOutputStream().flush();
                JsonNode line = await(netmon, "the sandbox's CONNECT",
                        n -> n.path("type").asText().equals("CONNECT") && n.path("pid").asLong() == sandbox.pid());
                assertEquals(sandboxNetns, line.get("netns").asLong(), line::toString);
                assertEquals("web-0", line.at("/container/pod_name").asText(), line::toString);
                assertEquals("shop", line.at("/container/pod_namespace").asText(), line::toString);
                assertEquals("web", line.at("/container/pod_labels/app").asText(), line::toString);
                assertEquals("full", line.get("enrichment").asText(), line::toString);
            }
        } finally {
            sandbox.destroyForcibly().waitFor();
            new ProcessBuilder("ip", "netns", "delete", netns).inheritIO().start().waitFor();
        }
    }

    /**
     * The launcher where no JDK can be found (/usr/lib/jvm hidden, no JAVA_HOME, a failing java first on PATH), with
     * the DaemonSet's capabilities: CAP_BPF and CAP_PERFMON, nothing else.
     */
    private NetmonProcess withoutJdk(String... args) throws IOException {
        Path poison = Files.createDirectories(work.resolve("path"));
        Path java = poison.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'a java from PATH was used' >&2\nexit 99\n");
        java.toFile().setExecutable(true);
        StringBuilder cmd = new StringBuilder("mount -t tmpfs none /usr/lib/jvm && exec setpriv"
                + " --bounding-set=-all,+bpf,+perfmon -- env -u JAVA_HOME PATH=" + poison
                + ":/usr/sbin:/usr/bin:/sbin:/bin " + LAUNCHER);
        for (String a : args) {
            cmd.append(' ').append(a);
        }
        // unshare, sh, setpriv and env exec in turn, so the pid is the JVM's, as it is with the launcher alone.
        return NetmonProcess.command(Map.of(), "unshare", "--mount", "sh", "-c", cmd.toString());
    }

    /** One TCP connection from this JVM to itself over loopback, some bytes each way, closed; returns the port. */
    private static int loopbackRoundTrip() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                    SocketChannel accepted = server.accept()) {
                client.write(ByteBuffer.wrap("ping".getBytes()));
                accepted.read(ByteBuffer.allocate(16));
            }
            return port;
        }
    }

    private static JsonNode await(NetmonProcess netmon, String what, Predicate<JsonNode> match) throws Exception {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        do {
            for (String line : netmon.stdout()) {
                JsonNode n = JSON.readTree(line);
                if (match.test(n)) {
                    return n;
                }
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return fail("no " + what + " within " + TraceHarness.WAIT + "; stdout: " + netmon.stdout() + "; stderr: "
                + netmon.stderr());
    }

    /** The distribution's CRI client has listed the fake runtime's containers at least once. */
    private void awaitListing() throws InterruptedException {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        while (cri.listings() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(cri.listings() > 0, "netmon listed the CRI runtime's containers");
    }

    /** Returns the inode of the process's network namespace once it is not this JVM's. */
    private static long awaitOwnNetns(long pid) throws Exception {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                long netns = Host.netns(pid);
                if (netns != Host.netns(Host.pid())) {
                    return netns;
                }
            } catch (IOException notYet) {
                // not started yet
            }
            Thread.sleep(10);
        }
        return fail("process " + pid + " did not enter a network namespace of its own");
    }
}
