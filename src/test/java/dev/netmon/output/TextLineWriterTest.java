package dev.netmon.output;

import static dev.netmon.output.Samples.BOOTED_AT_1_7E9;
import static dev.netmon.output.Samples.header;
import static dev.netmon.output.Samples.tcp;
import static dev.netmon.output.Samples.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Enrichment;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Exact lines: people read them, and some will grep them. */
class TextLineWriterTest {
    private static final Attribution HOST = new Attribution(null, null, Enrichment.FULL, "/user.slice");

    @Test
    void connectOfAHostProcess() throws IOException {
        var connect = new NetEvent.Connect(header(123_456_789, "curl"), tcp("10.0.0.1", 54321, "93.184.216.34", 443),
                -115);
        assertEquals("22:13:20.123Z CONNECT tcp curl[1234] 10.0.0.1:54321 -> 93.184.216.34:443 in_progress  host",
                write(new Attributed(connect, HOST)));
    }

    @Test
    void podConnectionNamesNamespacePodAndContainer() throws IOException {
        var container = new ContainerInfo("a".repeat(64), "app", "web-7d4b9", "shop", "8f1a", "containerd",
                "nginx:1.27", Map.of("app", "web"));
        var line = new Attributed(
                new NetEvent.Connect(header(0, "nginx"), udp("10.244.1.7", 40000, "10.96.0.10", 53), 0),
                new Attribution(container, null, Enrichment.FULL, null));
        assertEquals("22:13:20.000Z CONNECT udp nginx[1234] 10.244.1.7:40000 -> 10.96.0.10:53 ok  pod shop/web-7d4b9 (app)",
                write(line));
    }

    @Test
    void containerTheRuntimeDidNotNameShowsItsShortIdAndSaysPartial() throws IOException {
        var container = new ContainerInfo("4c01db0b339c2a4e1b7a" + "0".repeat(44), null, null, null, null,
                "containerd", null, Map.of());
        var line = new Attributed(new NetEvent.Accept(header(0, "python3"), tcp("10.0.0.2", 41000, "10.0.0.1", 80)),
                new Attribution(container, null, Enrichment.PARTIAL, null));
        assertEquals("22:13:20.000Z ACCEPT  tcp python3[1234] 10.0.0.2:41000 -> 10.0.0.1:80  container 4c01db0b339c"
                + " [partial]", write(line));
    }

    @Test
    void closeShowsDurationAndBytesAndTheUnit() throws IOException {
        var close = new NetEvent.Close(header(2_000_000_000, "sshd"), tcp("10.0.0.2", 50000, "10.0.0.1", 22),
                Direction.INBOUND, 2_032_075, new NetEvent.Traffic(1074, 79));
        var line = new Attributed(close, new Attribution(null, "sshd.service", Enrichment.FULL, "/system.slice/ssh"));
        assertEquals("22:13:22.000Z CLOSE   tcp sshd[1234] 10.0.0.2:50000 -> 10.0.0.1:22 2.0ms sent 1.0KiB recv 79B"
                + "  unit sshd.service", write(line));
    }

    @Test
    void udpCloseOverIpv6HasNoBytesAndBracketsAddresses() throws IOException {
        var close = new NetEvent.Close(header(0, "dns"), udp("::1", 5353, "::1", 53), Direction.OUTBOUND, 2_500, null);
        assertEquals("22:13:20.000Z CLOSE   udp dns[1234] [::1]:5353 -> [::1]:53 2.5us  [unresolved]", write(close));
    }

    @Test
    void lostLineSaysHowManyAndWhere() throws IOException {
        assertEquals("22:13:21.000Z LOST    7 events lost, perf buffer full (19 since start)",
                write(new Lost(1_000_000_000, 7, 19, "perf")));
    }

    /** A process may call itself ESC ] 0 ; ... BEL (set the window title) or worse; it must arrive as text. */
    @Test
    void hostileNamesAreEscaped() throws IOException {
        var connect = new NetEvent.Connect(header(0, "\u001b]0;pwn\u0007\\\u009b2J\u202eexe\u0000"),
                tcp("10.0.0.1", 1, "10.0.0.2", 2), 0);
        var container = new ContainerInfo(null, "c\r\n", "p\u001b[2J", "n", null, null, null, Map.of());
        assertEquals("22:13:20.000Z CONNECT tcp \\x1b]0;pwn\\x07\\\\\\x9b2J\\u202eexe\\x00[1234] 10.0.0.1:1 -> 10.0.0.2:2 ok"
                + "  pod n/p\\x1b[2J (c\\x0d\\x0a)",
                write(new Attributed(connect, new Attribution(container, null, Enrichment.FULL, null))));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0ns",
        "999, 999ns",
        "1000, 1.0us",
        "999999, 999.9us",
        "2032075, 2.0ms",
        "999999999, 999.9ms",
        "1500000000, 1.50s",
        "59999999999, 59.99s",
        "192000000000, 3m12s",
        "7380000000000, 2h03m",
        "-1, 5124095h34m", // 2^64 - 1: the kernel's counters are unsigned
    })
    void durations(long ns, String expected) {
        assertEquals(expected, TextLineWriter.duration(ns));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0B",
        "1023, 1023B",
        "1024, 1.0KiB",
        "1074, 1.0KiB",
        "1048575, 1023.9KiB",
        "1572864, 1.5MiB",
        "-1, 15.9EiB", // 2^64 - 1
    })
    void byteCounts(long n, String expected) {
        assertEquals(expected, TextLineWriter.bytes(n));
    }

    private static String write(LogLine line) throws IOException {
        return JsonLines.writeWith(List.of(line), out -> new TextLineWriter(out, BOOTED_AT_1_7E9)).getFirst();
    }
}
