package dev.netmon.decode;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Recent addresses, by their bits: a host's connections go to and come from few addresses, and building a new
 * InetAddress for each end of each event was two arrays and two objects, which the writer thread then read from
 * the reader's cache. Direct-mapped, so a lookup is a compare or two and a collision only costs a new address.
 * Not thread-safe: one per decoder.
 */
final class Addresses {
    private static final int SLOTS = 256; // a power of two

    private final int[] v4Keys = new int[SLOTS];
    private final InetAddress[] v4 = new InetAddress[SLOTS];
    private final long[] v6High = new long[SLOTS];
    private final long[] v6Low = new long[SLOTS];
    private final InetAddress[] v6 = new InetAddress[SLOTS];

    /** @param bits the address in network order, first byte highest */
    InetAddress v4(int bits) {
        int slot = slot(bits * 0x9E3779B9L);
        InetAddress cached = v4[slot];
        if (cached != null && v4Keys[slot] == bits) {
            return cached;
        }
        InetAddress a = address(ByteBuffer.allocate(4).putInt(bits).array());
        v4Keys[slot] = bits;
        v4[slot] = a;
        return a;
    }

    /** @param high the first 8 bytes in network order, @param low the last 8 */
    InetAddress v6(long high, long low) {
        int slot = slot(high * 0x9E3779B97F4A7C15L ^ low);
        InetAddress cached = v6[slot];
        if (cached != null && v6High[slot] == high && v6Low[slot] == low) {
            return cached;
        }
        InetAddress a = address(ByteBuffer.allocate(16).putLong(high).putLong(low).array());
        v6High[slot] = high;
        v6Low[slot] = low;
        v6[slot] = a;
        return a;
    }

    private static int slot(long hash) {
        return (int) (hash ^ (hash >>> 31)) & (SLOTS - 1);
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }
}
