package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netmon.bpf.ConfigLayout;
import dev.netmon.bpf.LoadSettings;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The filters on real traffic. Kernel filters are checked through the ring buffer's order: a connection the filter
 * must drop is made first, one it must keep last; once the kept one arrives, the dropped one would have too.
 */
@Tag("privileged")
class FiltersIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void portFilterKeepsConnectionsWithThePortAtEitherEnd() throws Exception {
        try (ServerSocketChannel kept = listen(); ServerSocketChannel dropped = listen()) {
            int keptPort = port(kept);
            LoadSettings s = LoadSettings.defaults().withPids(Set.of((int) Host.pid()))
                    .withFlowFilters(ConfigLayout.PROTO_TCP | ConfigLayout.PROTO_UDP, Set.of(keptPort), Set.of());
            try (TraceHarness trace = TraceHarness.start(s)) {
                connectAndAccept(dropped);
                connectAndAccept(kept);
                trace.await("ACCEPT on the kept port", n -> n.path("type").asText().equals("ACCEPT")
                        && n.path("dst_port").asInt() == keptPort);
                trace.await("CONNECT to the kept port", n -> n.path("type").asText().equals("CONNECT")
                        && n.path("dst_port").asInt() == keptPort);
                assertTrue(trace.seen().stream().allMatch(n -> n.path("dst_port").asInt() == keptPort
                        || n.path("src_port").asInt() == keptPort), () -> "only port " + keptPort + ": " + trace.seen());
            }
        }
    }

    @Test
    void protocolFilterDropsTcpWhenOnlyUdpIsAsked() throws Exception {
        LoadSettings s = LoadSettings.defaults().withPids(Set.of((int) Host.pid()))
                .withFlowFilters(ConfigLayout.PROTO_UDP, Set.of(), Set.of());
        try (TraceHarness trace = TraceHarness.start(s); ServerSocketChannel server = listen()) {
            connectAndAccept(server);
            int udpPort = udpConnect("127.0.0.1");
            trace.await("UDP CONNECT", n -> n.path("protocol").asText().equals("UDP") && n.path("dst_port").asInt() == udpPort);
            assertTrue(trace.seen().stream().allMatch(n -> n.path("protocol").asText().equals("UDP")), () -> "UDP only: "
                    + trace.seen());
        }
    }

    @Test
    void processNameFilterKeepsOnlyThatName() throws Exception {
        String ourName = ProcessHandle.current().info().command().map(c -> c.substring(c.lastIndexOf('/') + 1))
                .orElse("java");
        LoadSettings s = LoadSettings.defaults()
                .withFlowFilters(ConfigLayout.PROTO_TCP | ConfigLayout.PROTO_UDP, Set.of(), Set.of(ourName));
        try (TraceHarness trace = TraceHarness.start(s)) {
            Process bash = new ProcessBuilder("bash", "-c", "{ : 3<>/dev/udp/127.0.0.1/9; } 2>/dev/null; exit 0").start();
            assertTrue(bash.waitFor(10, TimeUnit.SECONDS));
            int udpPort = udpConnect("127.0.0.1");
            trace.await("our UDP CONNECT", n -> n.path("pid").asLong() == Host.pid() && n.path("dst_port").asInt() == udpPort);
            assertTrue(trace.seen().stream().noneMatch(n -> n.path("pid").asLong() == bash.pid()),
                    () -> "bash (pid " + bash.pid() + ") was filtered in the kernel: " + trace.seen());
            assertTrue(trace.seen().stream().allMatch(n -> n.path("process").asText().equals(ourName)), trace::toString);
        }
    }

    @Test
    void cidrFilterInUserSpaceOnTheRealCommandLine() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.start("--no-cri", "--pid", Long.toString(Host.pid()), "--cidr",
                "127.0.0.2/32", "--protocol", "udp")) {
            netmon.awaitAttached();
            int dropped = udpConnect("127.0.0.3");
            int kept = udpConnect("127.0.0.2");
            JsonNode line = awaitLine(netmon, n -> n.path("dst_port").asInt() == kept);
            assertEquals("127.0.0.2", line.get("dst_ip").asText());
            assertTrue(lines(netmon).stream().noneMatch(n -> n.path("dst_port").asInt() == dropped),
                    () -> "127.0.0.3 is outside the block: " + netmon.stdout());
        }
    }

    private static JsonNode awaitLine(NetmonProcess netmon, java.util.function.Predicate<JsonNode> match)
            throws Exception {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (JsonNode n : lines(netmon)) {
                if (match.test(n)) {
                    return n;
                }
            }
            Thread.sleep(20); // polling the output list; the deadline bounds it
        }
        throw new AssertionError("no matching line within " + TraceHarness.WAIT + ": " + netmon.stdout()
                + " stderr " + netmon.stderr());
    }

    private static List<JsonNode> lines(NetmonProcess netmon) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String l : netmon.stdout()) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static ServerSocketChannel listen() throws Exception {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return s;
    }

    private static int port(ServerSocketChannel s) throws Exception {
        return ((InetSocketAddress) s.getLocalAddress()).getPort();
    }

    private static void connectAndAccept(ServerSocketChannel server) throws Exception {
        try (SocketChannel c = SocketChannel.open(server.getLocalAddress())) {
            server.accept().close();
        }
    }

    /** A UDP connect() to an unused port on {@code ip}; returns the port. */
    private static int udpConnect(String ip) throws Exception {
        try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress(ip, 0));
            int port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
            try (DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET)) {
                c.connect(new InetSocketAddress(ip, port));
            }
            return port;
        }
    }
}
