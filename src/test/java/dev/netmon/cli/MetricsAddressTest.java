package dev.netmon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** --metrics-addr: loopback unless a host is given, IP literals only, and every mistake one line. */
class MetricsAddressTest {

    @Test
    void offUnlessAsked() throws UsageException {
        assertEquals(Optional.empty(), OptionParser.parse().metricsAddress());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "9464             | 127.0.0.1 | 9464  | 127.0.0.1:9464",
        ":9464            | 127.0.0.1 | 9464  | 127.0.0.1:9464",
        "0                | 127.0.0.1 | 0     | 127.0.0.1:0",
        "127.0.0.1:0      | 127.0.0.1 | 0     | 127.0.0.1:0",
        "0.0.0.0:9464     | 0.0.0.0   | 9464  | 0.0.0.0:9464",
        "10.1.2.3:65535   | 10.1.2.3  | 65535 | 10.1.2.3:65535",
        "[::1]:9464       | ::1       | 9464  | [0:0:0:0:0:0:0:1]:9464",
        "[::]:9464        | ::        | 9464  | [0:0:0:0:0:0:0:0]:9464",
        "[fd00::7]:80     | fd00::7   | 80    | [fd00:0:0:0:0:0:0:7]:80",
    })
    void goodAddresses(String flag, String host, int port, String authority) throws UsageException {
        MetricsAddress a = OptionParser.parse("--metrics-addr", flag).metricsAddress().orElseThrow();
        assertEquals(new MetricsAddress(InetAddress.ofLiteral(host), port), a);
        assertEquals(authority, a.authority(a.port()));
    }

    @Test
    void onlyLoopbackWhenNoHostIsGiven() throws UsageException {
        assertTrue(parse(":9464").loopback());
        assertTrue(parse("9464").loopback());
        assertTrue(parse("[::1]:9464").loopback());
        assertFalse(parse("0.0.0.0:9464").loopback());
        assertFalse(parse("[::]:9464").loopback());
    }

    @Test
    void theEqualsSpellingToo() throws UsageException {
        assertEquals(9464, OptionParser.parse("--metrics-addr=:9464").metricsAddress().orElseThrow().port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nonsense", "", ":", "127.0.0.1:", "127.0.0.1", "-1", "65536", "99999999999", ":http",
        "9464 ", " 9464", "1e3"})
    void badShapesAndPortsAreOneLine(String flag) {
        String message = rejected(flag);
        assertTrue(message.startsWith("--metrics-addr '" + flag + "'"), message);
        assertTrue(message.contains("e.g. 127.0.0.1:9464"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:9464", "example.com:9464", "256.0.0.1:9464", "127.1:9464", "1234:9464",
        "[127.0.0.1]:9464", "[nonsense]:9464", "[::1:9464", "[::1]9464"})
    void hostsMustBeIpLiterals(String flag) {
        String message = rejected(flag);
        assertTrue(message.contains("is not an IP address") || message.contains("is not an address"), message);
    }

    @Test
    void ipv6WithoutBracketsSaysSo() {
        assertEquals("--metrics-addr '::1:9464': an IPv6 address goes in brackets, e.g. [::1]:9464",
                rejected("::1:9464"));
    }

    @Test
    void needsAValue() {
        assertEquals("--metrics-addr needs a value", assertThrows(UsageException.class,
                () -> OptionParser.parse("--metrics-addr")).getMessage());
    }

    @Test
    void statsInterval() throws UsageException {
        assertEquals(60, OptionParser.parse().statsIntervalSeconds());
        assertEquals(1, OptionParser.parse("--stats-interval", "1").statsIntervalSeconds());
        assertEquals(0, OptionParser.parse("--stats-interval=0").statsIntervalSeconds());
        for (String bad : new String[] {"-1", "1.5", "x", "", "86401"}) {
            String message = assertThrows(UsageException.class,
                    () -> OptionParser.parse("--stats-interval", bad)).getMessage();
            assertTrue(message.startsWith("--stats-interval"), message);
        }
    }

    private static MetricsAddress parse(String flag) throws UsageException {
        return OptionParser.parse("--metrics-addr", flag).metricsAddress().orElseThrow();
    }

    private static String rejected(String flag) {
        String message = assertThrows(UsageException.class,
                () -> OptionParser.parse("--metrics-addr", flag)).getMessage();
        assertFalse(message.contains("\n"), message);
        return message;
    }
}
