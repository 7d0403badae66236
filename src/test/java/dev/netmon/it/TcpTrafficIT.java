package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netmon.bpf.LibBpf;
import dev.netmon.bpf.LoadSettings;
import dev.netmon.bpf.KernelReads;
import dev.netmon.bpf.KernelRelease;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real TCP connections on loopback, traced by the real BPF programs through the ring buffer. */
@Tag("privileged")
class TcpTrafficIT {
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
    void ipv4ConnectAcceptAndBothCloses() throws Exception {
        TcpRoundTrip.run(trace, StandardProtocolFamily.INET, "127.0.0.1");
    }

    @Test
    void ipv6ConnectAcceptAndBothCloses() throws Exception {
        TcpRoundTrip.run(trace, StandardProtocolFamily.INET6, "::1");
    }

    /**
     * The ways older kernels read kernel memory (see KernelReads): the same connections give the same fields as
     * through the typed task and socket loads the other tests run on this kernel.
     */
    @ParameterizedTest
    @EnumSource(value = KernelReads.class, names = {"TYPED_TASK", "PROBE"})
    void olderKernelsReadsGiveTheSameFields(KernelReads reads) throws Exception {
        TcpRoundTrip.bothFamilies(LoadSettings.defaults().withKernelReads(reads));
    }

    /** Else every test here could run an older kernel's path and the cheapest one would go untested. */
    @Test
    void theKernelGetsTheCheapestReadsItOffers() throws Exception {
        KernelRelease release = KernelRelease.current();
        KernelReads expected = release.atLeast(6, 2) ? KernelReads.TYPED_SOCKETS
                : release.atLeast(5, 11) ? KernelReads.TYPED_TASK : KernelReads.PROBE;
        assertEquals(expected, KernelReads.AUTO.resolve(LibBpf.load()), release.toString());
        assertEquals(expected, trace.kernelReads(), "loaded without falling back");
    }

    @Test
    void dualStackSocketTalkingIpv4IsReportedAsIpv4() throws Exception {
        // java.net sockets are AF_INET6 and carry ::ffff:127.0.0.1; netmon prints plain IPv4.
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
                Socket client = new Socket()) {
            client.connect(server.getLocalSocketAddress());
            var src = (InetSocketAddress) client.getLocalSocketAddress();
            var dst = (InetSocketAddress) server.getLocalSocketAddress();
            try (Socket accepted = server.accept()) {
                JsonNode connect = trace.await("CONNECT", Expect.line("CONNECT", Host.pid(), src, dst));
                Expect.common(connect, "TCP", "IPv4", "outbound", "127.0.0.1", src, "127.0.0.1", dst);
                JsonNode accept = trace.await("ACCEPT", Expect.line("ACCEPT", Host.pid(), src, dst));
                Expect.common(accept, "TCP", "IPv4", "inbound", "127.0.0.1", src, "127.0.0.1", dst);
            }
        }
    }

    @Test
    void refusedConnectHasItsErrnoAndNoClose() throws Exception {
        int closedPort;
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
            client.connect(new InetSocketAddress("127.0.0.1", closedPort));
        } catch (java.net.ConnectException expected) {
            // ECONNREFUSED, as intended
        }
        JsonNode connect = trace.await("refused CONNECT", Expect.connectTo(Host.pid(), closedPort));
        assertEquals("ECONNREFUSED", connect.get("result").asText());
        assertEquals("127.0.0.1", connect.get("dst_ip").asText());
        Expect.process(connect, Host.pid());

        // The ring buffer keeps order: once a later marker arrives, a CLOSE for the refused socket would have too.
        long markerPort = TcpRoundTrip.run(trace, StandardProtocolFamily.INET, "127.0.0.1");
        assertFalse(trace.seen().stream().anyMatch(n -> n.path("type").asText().equals("CLOSE")
                        && n.path("dst_port").asInt() == closedPort), "no CLOSE for a connection never made");
        assertTrue(markerPort > 0);
    }

    @Test
    void nonBlockingConnectReportsWhatTheSyscallReturned() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            var dst = (InetSocketAddress) server.getLocalAddress();
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                client.configureBlocking(false);
                boolean immediate = client.connect(dst);
                // The JDK learns the local address only once the connection completes.
                for (int i = 0; i < 1_000_000 && !client.finishConnect(); i++) {
                    Thread.onSpinWait();
                }
                var src = (InetSocketAddress) client.getLocalAddress();
                JsonNode connect = trace.await("non-blocking CONNECT", Expect.line("CONNECT", Host.pid(), src, dst));
                assertEquals(immediate ? "ok" : "in_progress", connect.get("result").asText());
                assertFalse(immediate, "loopback handshakes finish after a non-blocking connect() returns");
                Expect.common(connect, "TCP", "IPv4", "outbound", "127.0.0.1", src, "127.0.0.1", dst);
                server.accept().close();
            }
        }
    }

    @Test
    void acceptAndAccept4WithNullAddress() throws Throwable {
        int[] listener = RawSockets.listenLoopback();
        var dst = new InetSocketAddress("127.0.0.1", listener[1]);
        try {
            for (boolean four : new boolean[] {false, true}) {
                try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                    client.connect(dst);
                    var src = (InetSocketAddress) client.getLocalAddress();
                    int fd = four ? RawSockets.accept4Null(listener[0]) : RawSockets.acceptNull(listener[0]);
                    JsonNode accept = trace.await(
                            (four ? "accept4" : "accept") + " with NULL address",
                            Expect.line("ACCEPT", Host.pid(), src, dst));
                    Expect.common(accept, "TCP", "IPv4", "inbound", "127.0.0.1", src, "127.0.0.1", dst);
                    RawSockets.close(fd);
                    JsonNode close = trace.await("CLOSE of accepted fd", Expect.line("CLOSE", Host.pid(), src, dst)
                            .and(n -> n.path("direction").asText().equals("inbound")));
                    Expect.common(close, "TCP", "IPv4", "inbound", "127.0.0.1", src, "127.0.0.1", dst);
                }
            }
        } finally {
            RawSockets.close(listener[0]);
        }
    }

    /**
     * dup2() over an accepted fd ends its connection without a close() netmon sees; the close() of that fd number
     * later closes another socket, and must not be reported as the first connection's CLOSE.
     */
    @Test
    void anFdReusedBehindNetmonsBackGivesNoFalseClose() throws Throwable {
        int[] listener = RawSockets.listenLoopback();
        var dst = new InetSocketAddress("127.0.0.1", listener[1]);
        try (SocketChannel first = SocketChannel.open(StandardProtocolFamily.INET);
                SocketChannel second = SocketChannel.open(StandardProtocolFamily.INET)) {
            first.connect(dst);
            var firstSrc = (InetSocketAddress) first.getLocalAddress();
            int firstFd = RawSockets.acceptNull(listener[0]);
            second.connect(dst);
            var secondSrc = (InetSocketAddress) second.getLocalAddress();
            int secondFd = RawSockets.acceptNull(listener[0]);
            trace.await("ACCEPT of the first", Expect.line("ACCEPT", Host.pid(), firstSrc, dst));
            trace.await("ACCEPT of the second", Expect.line("ACCEPT", Host.pid(), secondSrc, dst));

            RawSockets.dup2(secondFd, firstFd); // the first accepted socket is gone; firstFd is the second's now
            RawSockets.close(firstFd);
            RawSockets.close(secondFd);

            trace.await("CLOSE of the second", Expect.line("CLOSE", Host.pid(), secondSrc, dst)
                    .and(n -> n.path("direction").asText().equals("inbound")));
            // Lines arrive in the order the kernel wrote them, and close(firstFd) came first.
            assertFalse(trace.seen().stream().anyMatch(Expect.line("CLOSE", Host.pid(), firstSrc, dst)
                    .and(n -> n.path("direction").asText().equals("inbound"))), "a CLOSE for the dup2'ed-over socket");
        } finally {
            RawSockets.close(listener[0]);
        }
    }

    @Test
    void processIsTheGroupLeaderNotTheThread() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            var dst = (InetSocketAddress) server.getLocalAddress();
            AtomicLong tid = new AtomicLong();
            AtomicReference<String> threadName = new AtomicReference<>();
            AtomicReference<InetSocketAddress> src = new AtomicReference<>();
            Thread worker = Thread.ofPlatform().name("netmon-it-worker").start(() -> {
                try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                    client.connect(dst);
                    src.set((InetSocketAddress) client.getLocalAddress());
                    tid.set(Host.tid());
                    threadName.set(Host.threadName(Host.pid(), tid.get()));
                    server.accept().close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            worker.join(TraceHarness.WAIT.toMillis());
            assertEquals("netmon-it-worke", threadName.get(), "the kernel keeps 15 bytes of the thread name");
            JsonNode connect = trace.await("CONNECT from a named thread",
                    Expect.line("CONNECT", Host.pid(), src.get(), dst));
            assertEquals(tid.get(), connect.get("tid").asLong());
            assertNotEquals(Host.pid(), tid.get());
            assertEquals(Host.processName(Host.pid()), connect.get("process").asText());
            assertNotEquals(threadName.get(), connect.get("process").asText());
        }
    }
}
