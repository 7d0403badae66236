package dev.netmon.event;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * RFC 5952 text for addresses; the JDK prints IPv6 uncompressed ("0:0:0:0:0:0:0:1"). Written as ASCII bytes, so
 * that the writers put an address on a line without a String per event.
 */
final class IpText {
    /** "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"; IPv4-mapped addresses are not printed dotted here. */
    static final int MAX_LENGTH = 39;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private IpText() {}

    static String format(InetAddress address) {
        byte[] text = new byte[MAX_LENGTH];
        int length = ascii(address, text);
        return new String(text, 0, length, StandardCharsets.US_ASCII);
    }

    /** Writes the address's text at the start of {@code dst} (at least MAX_LENGTH long); returns its length. */
    static int ascii(InetAddress address, byte[] dst) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int at = 0;
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    dst[at++] = '.';
                }
                at = decimal(b[i] & 0xff, dst, at);
            }
            return at;
        }
        // The longest run of two or more zero groups becomes "::"; the first wins a tie.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (group(b, i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && group(b, j) == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        int at = 0;
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                dst[at++] = ':';
                dst[at++] = ':';
                i += bestLen - 1;
                continue;
            }
            if (at > 0 && dst[at - 1] != ':') {
                dst[at++] = ':';
            }
            at = hex(group(b, i), dst, at);
        }
        return at;
    }

    private static int group(byte[] b, int i) {
        return ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }

    private static int decimal(int octet, byte[] dst, int at) {
        if (octet >= 100) {
            dst[at++] = (byte) ('0' + octet / 100);
        }
        if (octet >= 10) {
            dst[at++] = (byte) ('0' + octet / 10 % 10);
        }
        dst[at++] = (byte) ('0' + octet % 10);
        return at;
    }

    /** Lowercase, without leading zeros, as Integer.toHexString. */
    private static int hex(int group, byte[] dst, int at) {
        for (int shift = 12; shift > 0; shift -= 4) {
            if (group >>> shift != 0) {
                dst[at++] = HEX[(group >>> shift) & 0xf];
            }
        }
        dst[at++] = HEX[group & 0xf];
        return at;
    }
}
