package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netmon.bpf.LoadSettings;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * One full TCP connection on loopback with known payload sizes, and the four events it must produce, each checked
 * field by field: CONNECT, ACCEPT, and a CLOSE for each side keeping the connection's orientation.
 */
final class TcpRoundTrip {
    private TcpRoundTrip() {}

    /** A harness of its own with {@code settings}, and a round trip over IPv4 and one over IPv6 through it. */
    static void bothFamilies(LoadSettings settings) throws Exception {
        try (TraceHarness trace = TraceHarness.start(settings)) {
            run(trace, StandardProtocolFamily.INET, "127.0.0.1");
            run(trace, StandardProtocolFamily.INET6, "::1");
        }
    }

    /** Returns the server port used. */
    static int run(TraceHarness trace, StandardProtocolFamily family, String ip) throws Exception {
        String familyName = family == StandardProtocolFamily.INET ? "IPv4" : "IPv6";
        long tid = Host.tid();
        try (ServerSocketChannel server = ServerSocketChannel.open(family)) {
            server.bind(new InetSocketAddress(ip, 0));
            var dst = (InetSocketAddress) server.getLocalAddress();
            InetSocketAddress src;
            SocketChannel accepted;
            try (SocketChannel client = SocketChannel.open(family)) {
                client.connect(dst);
                src = (InetSocketAddress) client.getLocalAddress();
                accepted = server.accept();
                writeFully(client, 5);
                readFully(accepted, 5);
                writeFully(accepted, 3);
                readFully(client, 3);
            }
            accepted.close();

            JsonNode connect = trace.await("CONNECT", Expect.line("CONNECT", Host.pid(), src, dst));
            Expect.common(connect, "TCP", familyName, "outbound", ip, src, ip, dst);
            assertEquals("ok", connect.get("result").asText());
            assertEquals(tid, connect.get("tid").asLong());

            JsonNode accept = trace.await("ACCEPT", Expect.line("ACCEPT", Host.pid(), src, dst));
            Expect.common(accept, "TCP", familyName, "inbound", ip, src, ip, dst);

            JsonNode clientClose = trace.await("client CLOSE", Expect.line("CLOSE", Host.pid(), src, dst)
                    .and(n -> n.path("direction").asText().equals("outbound")));
            Expect.common(clientClose, "TCP", familyName, "outbound", ip, src, ip, dst);
            Expect.closeBytes(clientClose, 5, 3);

            JsonNode serverClose = trace.await("server CLOSE", Expect.line("CLOSE", Host.pid(), src, dst)
                    .and(n -> n.path("direction").asText().equals("inbound")));
            Expect.common(serverClose, "TCP", familyName, "inbound", ip, src, ip, dst);
            Expect.closeBytes(serverClose, 3, 5);
            return dst.getPort();
        }
    }

    private static void writeFully(SocketChannel ch, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void readFully(SocketChannel ch, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IllegalStateException("EOF after " + b.position() + " of " + n + " bytes");
            }
        }
    }
}
