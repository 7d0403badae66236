package dev.netmon.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/** --cidr and --exclude-cidr: a block contains exactly the addresses that agree with it on the prefix bits. */
class CidrProperties {

    @Property
    void containsExactlyTheAddressesThatShareThePrefix(@ForAll("addresses") byte[] network, @ForAll("addresses") byte[] probe,
            @ForAll @IntRange(max = 128) int prefixWish) throws UnknownHostException {
        byte[] other = probe.length == network.length ? probe : Arrays.copyOf(probe, network.length);
        int prefix = prefixWish % (network.length * 8 + 1);
        Cidr block = Cidr.parse(InetAddress.getByAddress(network).getHostAddress() + "/" + prefix);
        boolean samePrefix = true;
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            samePrefix &= (network[bit / 8] & mask) == (other[bit / 8] & mask);
        }
        Statistics.collect(network.length == 4 ? "v4" : "v6", samePrefix);
        assertEquals(samePrefix, block.contains(InetAddress.getByAddress(other)));
        assertTrue(block.contains(InetAddress.getByAddress(network)), "a block contains its own network address");
    }

    @Provide
    Arbitrary<byte[]> addresses() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofSize(4),
                Arbitraries.bytes().array(byte[].class).ofSize(16));
    }

    @Example
    void familiesNeverMatchEachOther() throws UnknownHostException {
        assertFalse(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("::1")));
        assertFalse(Cidr.parse("::/0").contains(InetAddress.getByName("127.0.0.1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("192.0.2.1")));
    }

    @Example
    void bareAddressIsABlockOfOne() throws UnknownHostException {
        Cidr one = Cidr.parse("10.1.2.3");
        assertTrue(one.contains(InetAddress.getByName("10.1.2.3")));
        assertFalse(one.contains(InetAddress.getByName("10.1.2.4")));
        assertEquals("10.0.0.0/8", Cidr.parse("10.9.9.9/8").toString());
        assertEquals(Cidr.parse("fd00::/8"), Cidr.parse("fdff::1/8"));
    }

    @Example
    void namesAndNonsenseAreRejectedWithoutALookup() {
        for (String bad : new String[] {"localhost", "example.com/8", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "",
                "/8", "10.0.0/8", "1.2.3.4/x", "abc"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
