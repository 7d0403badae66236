package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netmon.bpf.LoadSettings;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** UDP connect, and a process in a network namespace of its own. */
@Tag("privileged")
class UdpAndNamespaceIT {
    private static TraceHarness trace;

    @BeforeAll
    static void attach() throws Exception {
        trace = TraceHarness.start(LoadSettings.defaults());
    }

    @AfterAll
    static void detach() throws Exception {
        trace.close();
    }

    @Test
    void udpConnectAndCloseWithoutByteCounts() throws Exception {
        try (DatagramChannel server = DatagramChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            var dst = (InetSocketAddress) server.getLocalAddress();
            InetSocketAddress src;
            try (DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
                client.connect(dst);
                src = (InetSocketAddress) client.getLocalAddress();
                client.write(ByteBuffer.wrap(new byte[4]));
            }
            JsonNode connect = trace.await("UDP CONNECT", Expect.line("CONNECT", Host.pid(), src, dst));
            Expect.common(connect, "UDP", "IPv4", "outbound", "127.0.0.1", src, "127.0.0.1", dst);
            assertEquals("ok", connect.get("result").asText());

            JsonNode close = trace.await("UDP CLOSE", Expect.line("CLOSE", Host.pid(), src, dst));
            Expect.common(close, "UDP", "IPv4", "outbound", "127.0.0.1", src, "127.0.0.1", dst);
            assertTrue(close.get("bytes_sent").isNull(), "UDP sockets keep no byte counts: " + close);
            assertTrue(close.get("bytes_received").isNull(), "UDP sockets keep no byte counts: " + close);
        }
    }

    @Test
    void processInItsOwnNetworkNamespace() throws Exception {
        // bash prints its pid and netns, brings up lo, then connects to a closed port with /dev/tcp.
        Process p = new ProcessBuilder("unshare", "--net", "bash", "-c",
                        "echo $$; readlink /proc/$$/ns/net; ip link set lo up; { : 3<>/dev/tcp/127.0.0.1/9; } 2>/dev/null; exit 0")
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(TraceHarness.WAIT.toSeconds(), TimeUnit.SECONDS), "unshare finished");
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.exitValue(), "unshare output: " + out);
        long shellPid = Long.parseLong(out.get(0).trim());
        long netns = Host.nsInode(out.get(1));
        assertNotEquals(Host.netns(Host.pid()), netns, "the child has a namespace of its own");

        // A redirection on the ':' builtin connects from the shell process itself.
        JsonNode connect = trace.await("CONNECT from the new namespace",
                n -> n.path("type").asText().equals("CONNECT")
                        && n.path("netns").asLong() == netns
                        && n.path("dst_port").asInt() == 9);
        assertEquals(netns, connect.get("netns").asLong());
        assertEquals("ECONNREFUSED", connect.get("result").asText());
        assertEquals("127.0.0.1", connect.get("dst_ip").asText());
        assertEquals("bash", connect.get("process").asText());
        assertEquals(shellPid, connect.get("pid").asLong());
        assertEquals(shellPid, connect.get("tid").asLong());
        assertFalse(trace.seen().stream().anyMatch(n -> n.path("type").asText().equals("CLOSE")
                && n.path("netns").asLong() == netns), "a refused connect is never tracked for CLOSE");
    }
}
