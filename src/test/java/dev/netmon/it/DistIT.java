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
 * The self-contained distribution (make dist) end to end, on a host that has no JDK: a private mount namespace hides
 * /usr/lib/jvm, JAVA_HOME is unset and the first java on PATH fails loudly. The CRI runtime it talks to is a fake one
 * on a real socket, so the jlink'ed runtime's module list is checked on the gRPC, Netty, protobuf and Jackson paths.
 */
@Tag("privileged")
class DistIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path HOME = Path.of(System.getProperty("netmon.home", ".")).toAbsolutePath().normalize();
    private static final Path DIST = HOME.resolve("target/dist/netmon-" + System.getProperty("netmon.version", "?"));
    private static final Path LAUNCHER = DIST.resolve("bin/netmon");

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
    void tracesThisProcessesLoopbackConnectionAndExitsZeroOnSigterm() throws Exception {
        cri.addSandbox("sb-1", "web-0", "shop", "8f1a2b3c-1111-2222-3333-444455556666", Map.of(), null);
        try (NetmonProcess netmon = withoutJdk("--pid", String.valueOf(Host.pid()), "--cri-socket",
                cri.socket().toString())) {
            netmon.awaitAttached();
            assertEquals(DIST.resolve("runtime/bin/java"), Files.readSymbolicLink(Path.of("/proc/" + netmon.pid() + "/exe")),
                    "the JVM is the distribution's own runtime");

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
            assertTrue(stderr.stream().anyMatch(l -> l.matches("netmon: \\d+ events, 0 lost, 0 decode errors.*")),
                    "" + stderr);
            assertFalse(stderr.stream().anyMatch(l -> l.contains("Exception") || l.contains("Error")
                    || l.contains("CRI runtime")), "no failure on stderr: " + stderr);
        }
    }

    @Test
    void resolvesAPodThroughTheCriRuntimeWithTheBundledModules() throws Exception {
        // A process in a network namespace of its own, which the runtime reports as a pod sandbox's: attributing it
        // takes gRPC, Netty, protobuf and Jackson (the sandbox's verbose info is JSON).
        Process sandbox = new ProcessBuilder("unshare", "--net", "sleep", "60").start();
        try {
            awaitOwnNetns(sandbox.pid());
            cri.addSandbox("sb-1", "web-0", "shop", "8f1a2b3c-1111-2222-3333-444455556666", Map.of("app", "web"),
                    "{\"pid\": " + sandbox.pid() + "}");
            try (NetmonProcess netmon = withoutJdk("resolve", "--pid", String.valueOf(sandbox.pid()), "--cri-socket",
                    cri.socket().toString())) {
                assertEquals(0, netmon.awaitExit(), "stderr: " + netmon.stderr());
                assertEquals(1, netmon.stdout().size(), "stdout: " + netmon.stdout());
                JsonNode line = JSON.readTree(netmon.stdout().getFirst());
                assertEquals("web-0", line.at("/container/pod_name").asText(), line::toString);
                assertEquals("shop", line.at("/container/pod_namespace").asText(), line::toString);
                assertEquals("web", line.at("/container/pod_labels/app").asText(), line::toString);
            }
        } finally {
            sandbox.destroyForcibly();
        }
    }

    /** The launcher where no JDK can be found: /usr/lib/jvm hidden, no JAVA_HOME, a failing java first on PATH. */
    private NetmonProcess withoutJdk(String... args) throws IOException {
        Path poison = Files.createDirectories(work.resolve("path"));
        Path java = poison.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'a java from PATH was used' >&2\nexit 99\n");
        java.toFile().setExecutable(true);
        StringBuilder cmd = new StringBuilder("mount -t tmpfs none /usr/lib/jvm && exec env -u JAVA_HOME PATH=" + poison
                + ":/usr/sbin:/usr/bin:/sbin:/bin " + LAUNCHER);
        for (String a : args) {
            cmd.append(' ').append(a);
        }
        // unshare and sh exec in turn, so the pid is the JVM's, as it is with the launcher alone.
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

    private static void awaitOwnNetns(long pid) throws Exception {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Host.netns(pid) != Host.netns(Host.pid())) {
                    return;
                }
            } catch (IOException notYet) {
                // not started yet
            }
            Thread.sleep(10);
        }
        fail("unshare --net did not give process " + pid + " a network namespace of its own");
    }
}
