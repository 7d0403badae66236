package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netmon.bpf.BufferKind;
import dev.netmon.bpf.ConfigLayout;
import dev.netmon.bpf.LoadSettings;
import dev.netmon.pipeline.TraceStats;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The perf buffer path, the in-kernel pid and event filters, and loss accounting when the buffer overflows. */
@Tag("privileged")
class BufferPathsIT {

    @Test
    void perfBufferDeliversTheSameEvents() throws Exception {
        TcpRoundTrip.bothFamilies(LoadSettings.defaults().withBuffer(BufferKind.PERF));
    }

    /** What an old kernel needs: the perf path loads with the ring buffer map never created. */
    @Test
    void theKernelHereHasARingBufferAndAutoPicksIt() throws Exception {
        assertTrue(dev.netmon.bpf.LibBpf.load().kernelHasRingBuffer(), "Linux 5.8+ has BPF ring buffers");
    }

    @Test
    void pidFilterDropsOtherProcessesInTheKernel() throws Exception {
        LoadSettings onlyUs = LoadSettings.defaults().withPids(Set.of((int) Host.pid()));
        try (TraceHarness trace = TraceHarness.start(onlyUs)) {
            Process other = new ProcessBuilder("bash", "-c", "{ : 3<>/dev/tcp/127.0.0.1/9; } 2>/dev/null; exit 0").start();
            assertTrue(other.waitFor(10, TimeUnit.SECONDS));
            // The ring buffer keeps order, so by the time our own later connection shows up, the other
            // process's would have too.
            TcpRoundTrip.run(trace, StandardProtocolFamily.INET, "127.0.0.1");
            assertTrue(trace.seen().stream().allMatch(n -> n.path("pid").asLong() == Host.pid()),
                    "only this process's events: " + trace.seen());
        }
    }

    @Test
    void eventFilterEmitsOnlyTheChosenTypes() throws Exception {
        LoadSettings closesOnly = LoadSettings.defaults()
                .withPids(Set.of((int) Host.pid()))
                .withEvents(ConfigLayout.EV_CLOSE);
        try (TraceHarness trace = TraceHarness.start(closesOnly)) {
            var ends = connectAndClose(1);
            JsonNode close = trace.await("CLOSE", Expect.line("CLOSE", Host.pid(), ends[0], ends[1]));
            assertEquals("outbound", close.get("direction").asText());
            assertTrue(trace.seen().stream().allMatch(n -> n.path("type").asText().equals("CLOSE")),
                    "CONNECT and ACCEPT are tracked for their CLOSE but not emitted: " + trace.seen());
        }
    }

    @Test
    void overflowIsReportedAsLostAndAddsUp() throws Exception {
        // One page of ring buffer holds a few dozen events; nothing reads it while the connections are made.
        int connections = 200;
        LoadSettings tiny = new LoadSettings(ConfigLayout.EV_CONNECT, Set.of((int) Host.pid()), BufferKind.RINGBUF,
                4096, 1 << 20, LoadSettings.DEFAULT_MAX_TRACKED);
        TraceHarness trace = TraceHarness.attachOnly(tiny);
        TraceStats stats;
        try {
            connectAndClose(connections);
            trace.startReading();
            JsonNode lost = trace.await("LOST", n -> n.path("type").asText().equals("LOST"));
            assertEquals("ringbuf", lost.get("buffer").asText());
            assertTrue(lost.get("count").asLong() > 0);
            assertEquals(lost.get("count").asLong(), lost.get("total").asLong(), "first report: count is the total");
        } finally {
            stats = trace.stop();
        }
        long delivered = trace.seen().stream().filter(n -> n.path("type").asText().equals("CONNECT")).count();
        assertEquals(connections, delivered + stats.lost(), "delivered + lost = generated");
        assertEquals(delivered, stats.events());
        assertFalse(delivered == 0, "the buffer held some events");
    }

    /**
     * A one-page ring read while it fills: 136-byte records (event and header) against 4 096 bytes, so it wraps
     * every 30 and every 31st record runs past its end, to arrive whole only if the reader copies its two pieces
     * (RingReader). Each batch stays under a page and is awaited, so nothing is lost.
     */
    @Test
    void aOnePageRingWrapsAndEveryRecordArrivesWhole() throws Exception {
        Process getconf = new ProcessBuilder("getconf", "PAGESIZE").start();
        String pageSize = new String(getconf.getInputStream().readAllBytes()).strip();
        assertTrue(getconf.waitFor(10, TimeUnit.SECONDS));
        // On larger pages the smallest ring holds 300 records without wrapping: nothing here would be tested.
        Assumptions.assumeTrue(pageSize.equals("4096"), "pages of " + pageSize + " bytes");
        LoadSettings tiny = new LoadSettings(ConfigLayout.EV_CONNECT, Set.of((int) Host.pid()), BufferKind.RINGBUF,
                4096, 1 << 20, LoadSettings.DEFAULT_MAX_TRACKED);
        List<Integer> sent = new ArrayList<>();
        String ourName = Host.processName(Host.pid());
        int dstPort;
        try (TraceHarness trace = TraceHarness.start(tiny);
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), 32);
            var dst = (InetSocketAddress) server.getLocalAddress();
            dstPort = dst.getPort();
            for (int batch = 0; batch < 15; batch++) {
                for (int i = 0; i < 20; i++) {
                    try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                        client.connect(dst);
                        sent.add(((InetSocketAddress) client.getLocalAddress()).getPort());
                    }
                    server.accept().close();
                }
                int last = sent.getLast();
                trace.await("the CONNECT from port " + last, n -> n.path("type").asText().equals("CONNECT")
                        && n.path("src_port").asInt() == last);
            }
            List<JsonNode> connects = trace.seen().stream()
                    .filter(n -> n.path("type").asText().equals("CONNECT")).toList();
            assertTrue(connects.stream().allMatch(n -> n.path("pid").asLong() == Host.pid()
                    && n.path("dst_port").asInt() == dstPort && n.path("dst_ip").asText().equals("127.0.0.1")
                    && n.path("process").asText().equals(ourName)), "every line whole: " + connects);
            assertEquals(sent, connects.stream().map(n -> n.path("src_port").asInt()).toList(),
                    "each connection once, in order");
        }
    }

    /** {@code n} loopback connections; returns the last one's {src, dst}. */
    private static InetSocketAddress[] connectAndClose(int n) throws Exception {
        InetSocketAddress[] last = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), n);
            var dst = (InetSocketAddress) server.getLocalAddress();
            for (int i = 0; i < n; i++) {
                try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                    client.connect(dst);
                    last = new InetSocketAddress[] {(InetSocketAddress) client.getLocalAddress(), dst};
                }
                server.accept().close();
            }
        }
        return last;
    }
}
