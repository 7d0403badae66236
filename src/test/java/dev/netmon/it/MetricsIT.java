package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * bin/netmon with --metrics-addr and --stats-interval: the counters a scrape shows are exactly the connections
 * this test made, the STATS line appears, and the endpoint is on loopback unless told otherwise.
 */
@Tag("privileged")
class MetricsIT {
    private static final int CONNECTIONS = 5;
    private static final Pattern SERVING = Pattern.compile("netmon: serving metrics at (http://\\S+/metrics)");
    /** name{labels} value, as the text format writes a sample. */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) (\\S+)");
    private static final List<String> PROGRAMS = List.of("enter_connect", "exit_connect",
            "exit_accept4", "exit_accept", "enter_close");
    private static final Path BPF_STATS = Path.of("/proc/sys/kernel/bpf_stats_enabled");

    @BeforeAll
    static void root() throws Exception {
        Privileges.requireRoot();
    }

    @Test
    void countersAreExactlyTheConnectionsThisTestMadeAndStatsLinesAppear() throws Exception {
        try (ServerSocketChannel server = listen(InetAddress.getLoopbackAddress());
                NetmonProcess netmon = traceConnectionsTo(server, "--metrics-addr", "127.0.0.1:0", "--stats-interval",
                        "1")) {
            Map<String, Double> m = connectAndScrape(server, metricsUrl(netmon));
            assertEquals(CONNECTIONS, m.get("netmon_events_total{type=\"connect\"}"), "" + m);
            assertEquals(CONNECTIONS, m.get("netmon_events_total{type=\"accept\"}"), "" + m);
            assertEquals(2 * CONNECTIONS, m.get("netmon_events_total{type=\"close\"}"), "both ends close: " + m);
            for (String zero : List.of("netmon_events_lost_total", "netmon_events_dropped_total",
                    "netmon_events_rate_limited_total", "netmon_events_filtered_total", "netmon_decode_errors_total")) {
                assertEquals(0.0, m.get(zero), zero + " in " + m);
            }
            double enriched = m.get("netmon_enrichment_total{level=\"full\"}")
                    + m.get("netmon_enrichment_total{level=\"partial\"}")
                    + m.get("netmon_enrichment_total{level=\"none\"}");
            assertEquals(4 * CONNECTIONS, enriched, "each event counted once by its enrichment: " + m);
            assertTrue(m.containsKey("netmon_output_queue_depth"), "" + m);
            assertEquals(16_384, m.get("netmon_output_queue_capacity"));
            assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("netmon_cache_entries{cache=\"cgroup_v")),
                    "" + m);
            for (String program : PROGRAMS) {
                assertTrue(m.containsKey("netmon_bpf_program_runs_total{program=\"" + program + "\"}"), program);
                assertTrue(m.containsKey("netmon_bpf_program_run_time_seconds_total{program=\"" + program + "\"}"),
                        program);
            }

            String stats = awaitStderr(netmon, l -> l.startsWith("netmon: stats: " + 4 * CONNECTIONS + " events"));
            assertTrue(stats.startsWith("netmon: stats: 20 events (connect 5, accept 5, close 10), 0 lost, 0 dropped,"
                    + " 0 rate-limited, 0 filtered, enrichment full "), stats);
            assertTrue(stats.matches(".*, queue \\d+/16384, rss \\d+ MiB"), stats);
            stopAndExpectZero(netmon);
        }
    }

    @Test
    void theKernelsRunCountsShowWhileBpfStatisticsAreOn() throws Exception {
        // The sysctl is host-wide: it is set only for this test and put back as it was. Other tracers on the host
        // see their programs counted for a moment, which costs them a few ns per run and nothing else.
        String before = Files.readString(BPF_STATS).trim();
        Files.writeString(BPF_STATS, "1");
        try (ServerSocketChannel server = listen(InetAddress.getLoopbackAddress());
                NetmonProcess netmon = traceConnectionsTo(server, "--metrics-addr", ":0", "--stats-interval", "0")) {
            Map<String, Double> m = connectAndScrape(server, metricsUrl(netmon));
            // The programs run for every process (the pid filter is inside them), so at least this test's calls.
            assertTrue(m.get("netmon_bpf_program_runs_total{program=\"exit_connect\"}") >= CONNECTIONS, "" + m);
            assertTrue(m.get("netmon_bpf_program_runs_total{program=\"enter_close\"}") >= 2 * CONNECTIONS, "" + m);
            assertTrue(m.get("netmon_bpf_program_run_time_seconds_total{program=\"exit_connect\"}") > 0, "" + m);
            assertFalse(netmon.stderr().stream().anyMatch(l -> l.startsWith("netmon: stats:")), "--stats-interval 0");
            stopAndExpectZero(netmon);
        } finally {
            Files.writeString(BPF_STATS, before);
        }
    }

    @Test
    void aPortAloneListensOnLoopbackOnly() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.start("--no-cri", "--events", "connect", "--pid", "1",
                "--metrics-addr", ":0")) {
            netmon.awaitAttached();
            String url = metricsUrl(netmon);
            assertTrue(url.startsWith("http://127.0.0.1:"), url);
            int port = URI.create(url).getPort();
            assertEquals(List.of("127.0.0.1"), listeners(port), "the kernel's table of listening sockets");
            for (InetAddress other : thisHostsOtherAddresses()) {
                assertThrows(ConnectException.class, () -> {
                    try (SocketChannel c = SocketChannel.open(new InetSocketAddress(other, port))) {
                        fail("connected to the metrics port through " + other);
                    }
                }, "through " + other);
            }
            assertTrue(scrape(url).containsKey("netmon_events_total{type=\"connect\"}"));
            stopAndExpectZero(netmon);
        }
    }

    @Test
    void aTakenPortIsOneLineAndStatusOne() throws Exception {
        try (ServerSocketChannel taken = listen(InetAddress.getLoopbackAddress());
                NetmonProcess netmon = NetmonProcess.start("--no-cri", "--metrics-addr",
                        "127.0.0.1:" + port(taken))) {
            assertEquals(1, netmon.awaitExit());
            assertEquals(List.of("netmon: cannot serve metrics on 127.0.0.1:" + port(taken) + ": Address already in"
                    + " use; give --metrics-addr a free port on an address of this host"), netmon.stderr());
        }
    }

    @Test
    void aBadAddressIsOneLineAndStatusTwo() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.start("--metrics-addr", "localhost:9464")) {
            assertEquals(2, netmon.awaitExit());
            List<String> err = netmon.stderr();
            assertEquals(1, err.size(), "" + err);
            assertTrue(err.getFirst().startsWith("netmon: --metrics-addr 'localhost:9464': 'localhost' is not an IP"
                    + " address"), "" + err);
        }
    }

    // ---- helpers ----

    private static ServerSocketChannel listen(InetAddress address) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress(address, 0));
        return s;
    }

    private static int port(ServerSocketChannel s) throws IOException {
        return ((InetSocketAddress) s.getLocalAddress()).getPort();
    }

    /**
     * netmon, attached, tracing only this JVM's connections to or from {@code server}'s port: the scrapes' own
     * connections to the metrics port are filtered out in the kernel and never counted.
     */
    private static NetmonProcess traceConnectionsTo(ServerSocketChannel server, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--no-cri", "--pid", Long.toString(Host.pid()),
                "--port", Integer.toString(port(server))));
        args.addAll(List.of(more));
        NetmonProcess netmon = NetmonProcess.start(args.toArray(String[]::new));
        try {
            netmon.awaitAttached();
            return netmon;
        } catch (Throwable t) {
            netmon.close();
            throw t;
        }
    }

    /** {@link #CONNECTIONS} round trips, then scrapes until all their CLOSEs are counted. */
    private static Map<String, Double> connectAndScrape(ServerSocketChannel server, String url) throws Exception {
        for (int i = 0; i < CONNECTIONS; i++) {
            roundTrip(server);
        }
        return awaitScrape(url, s -> s.getOrDefault("netmon_events_total{type=\"close\"}", 0.0) >= 2 * CONNECTIONS);
    }

    /** connect, accept, a few bytes each way, both ends closed: one CONNECT, one ACCEPT and two CLOSEs. */
    private static void roundTrip(ServerSocketChannel server) throws IOException {
        try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            ByteBuffer in = ByteBuffer.allocate(3);
            while (in.hasRemaining() && accepted.read(in) >= 0) {
                // until the three bytes are in
            }
        }
    }

    private static String metricsUrl(NetmonProcess netmon) {
        for (String line : netmon.stderr()) {
            Matcher m = SERVING.matcher(line);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return fail("no 'serving metrics at' line before 'tracing with': " + netmon.stderr());
    }

    /** Every sample of one scrape of the text format, by its name and labels. */
    private static Map<String, Double> scrape(String url) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), "" + r.headers());
            Map<String, Double> samples = new HashMap<>();
            for (String line : r.body().lines().toList()) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "a sample line: " + line);
                samples.put(m.group(1), Double.parseDouble(m.group(2)));
            }
            return samples;
        }
    }

    /** Scrapes until {@code ready} holds: events reach the counters within the reader's poll, not at once. */
    private static Map<String, Double> awaitScrape(String url, Predicate<Map<String, Double>> ready) throws Exception {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        Map<String, Double> last;
        do {
            last = scrape(url);
            if (ready.test(last)) {
                return last;
            }
            Thread.sleep(50);
        } while (System.nanoTime() - deadline < 0);
        return fail("the scrape did not get there within " + TraceHarness.WAIT + ": " + last);
    }

    private static String awaitStderr(NetmonProcess netmon, Predicate<String> match) throws InterruptedException {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        do {
            for (String line : netmon.stderr()) {
                if (match.test(line)) {
                    return line;
                }
            }
            Thread.sleep(50);
        } while (System.nanoTime() - deadline < 0);
        return fail("no such line on stderr within " + TraceHarness.WAIT + ": " + netmon.stderr());
    }

    /** Local addresses of TCP sockets listening on {@code port}, from /proc/net/tcp and tcp6. */
    private static List<String> listeners(int port) throws IOException {
        String hexPort = ":%04X".formatted(port);
        List<String> out = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) { // 0A: TCP_LISTEN
                    out.add(procAddress(f[1].substring(0, f[1].indexOf(':'))));
                }
            }
        }
        return out;
    }

    /**
     * /proc/net/tcp{,6} write an address as hex 32-bit words, each in host (little-endian) byte order. The JDK listens
     * on an IPv6 socket, so 127.0.0.1 shows in tcp6 as ::ffff:127.0.0.1, which InetAddress turns back into IPv4.
     */
    private static String procAddress(String hex) throws IOException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                int at = 2 * (word + 3 - i);
                bytes[word + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(bytes).getHostAddress();
    }

    /**
     * The host's own IPv4 addresses that are not loopback (none in a bare network namespace). A connection to one of
     * them never leaves the host: the kernel routes it through the loopback device.
     */
    private static List<InetAddress> thisHostsOtherAddresses() throws IOException {
        return NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .toList();
    }

    private static void stopAndExpectZero(NetmonProcess netmon) throws Exception {
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(netmon.pid())).start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS));
        assertEquals(0, netmon.awaitExit(), "stderr: " + netmon.stderr());
        assertFalse(netmon.stderr().stream().anyMatch(l -> l.contains("Exception")), "" + netmon.stderr());
    }
}
