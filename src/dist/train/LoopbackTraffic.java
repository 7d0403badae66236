import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The workload of the AOT training run (train.sh): every kind of line netmon prints, over loopback only. TCP
 * connects that are accepted, carry a few bytes and close (CONNECT, ACCEPT, CLOSE with byte counts), refused
 * connects (an errno result), and connected UDP sockets, over IPv4 and IPv6. Bounded: {@code rounds} of each.
 *
 * <p>Run with the build JDK's source launcher: {@code java LoopbackTraffic.java 100}.
 */
public final class LoopbackTraffic {
    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        for (String host : new String[] {"127.0.0.1", "::1"}) {
            StandardProtocolFamily family = host.contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            try (ServerSocketChannel server = ServerSocketChannel.open(family)) {
                server.bind(new InetSocketAddress(host, 0));
                InetSocketAddress open = (InetSocketAddress) server.getLocalAddress();
                InetSocketAddress closed = closedPort(host, family);
                for (int i = 0; i < rounds; i++) {
                    try (SocketChannel client = SocketChannel.open(family)) {
                        client.connect(open);
                        try (SocketChannel accepted = server.accept()) {
                            client.write(ByteBuffer.wrap(("hello " + i).getBytes()));
                            accepted.read(ByteBuffer.allocate(64));
                        }
                    }
                    try (SocketChannel refused = SocketChannel.open(family)) {
                        refused.connect(closed);
                    } catch (java.net.ConnectException expected) {
                        // ECONNREFUSED is a line too
                    }
                    try (DatagramChannel udp = DatagramChannel.open(family)) {
                        udp.connect(closed);
                        udp.write(ByteBuffer.wrap(new byte[] {1}));
                    }
                }
            }
        }
    }

    private static InetSocketAddress closedPort(String host, StandardProtocolFamily family) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open(family)) {
            probe.bind(new InetSocketAddress(host, 0));
            return (InetSocketAddress) probe.getLocalAddress();
        }
    }
}
