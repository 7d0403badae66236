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
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
