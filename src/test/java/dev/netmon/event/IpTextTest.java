package dev.netmon.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Endpoint.ip() must print what RFC 5952 prescribes, because users grep and join on that text. */
class IpTextTest {

    @ParameterizedTest
    @CsvSource({
        "0:0:0:0:0:0:0:1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "2001:db8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // a single zero group stays
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1", // the longest run wins
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", // the first of equal runs wins
        "fe80:0:0:0:abcd:ef01:2:3, fe80::abcd:ef01:2:3",
        "2001:DB8:0:0:0:0:0:A, 2001:db8::a", // lower case
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1", // no leading zeros
        "1:0:0:0:0:0:0:0, 1::",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
        "192.0.2.1, 192.0.2.1",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
    })
    void formatsAsRfc5952(String literal, String expected) {
        assertEquals(expected, new Endpoint(EventArbitraries.literal(literal), 80).ip());
    }

    @Property
    void textParsesBackToTheSameAddress(@ForAll("addresses") byte[] raw) {
        InetAddress address = EventArbitraries.address(raw);
        String text = new Endpoint(address, 0).ip();
        InetAddress parsed = EventArbitraries.literal(text);
        // Java turns ::ffff:a.b.c.d into an Inet4Address; its four bytes are the last four of the sixteen.
        byte[] expected = address instanceof Inet4Address ? Arrays.copyOfRange(raw, 12, 16) : raw;
        assertArrayEquals(expected, parsed.getAddress(), text);
        assertEquals(text.indexOf("::"), text.lastIndexOf("::"), "more than one :: in " + text);
        if (address instanceof Inet4Address) {
            return;
        }
        assertEquals(text.toLowerCase(), text);
        for (String group : text.split(":")) {
            assertFalse(group.length() > 1 && group.startsWith("0"), "leading zero in " + text);
            assertTrue(group.length() <= 4, "group too long in " + text);
        }
    }

    /** Mostly zero groups, so that runs of every length and position appear; some IPv4-mapped. */
    @Provide
    Arbitrary<byte[]> addresses() {
        Arbitrary<Integer> groups = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(2, Arbitraries.integers().between(1, 0xffff)));
        Arbitrary<byte[]> sparse = groups.list().ofSize(8).map(IpTextTest::toBytes);
        Arbitrary<byte[]> mapped = Arbitraries.bytes().array(byte[].class).ofSize(4).map(v4 -> {
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(v4, 0, b, 12, 4);
            return b;
        });
        return Arbitraries.oneOf(sparse, mapped, Arbitraries.bytes().array(byte[].class).ofSize(16));
    }

    private static byte[] toBytes(List<Integer> groups) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (groups.get(i) >> 8);
            b[2 * i + 1] = groups.get(i).byteValue();
        }
        return b;
    }
}
