package dev.netmon.pipeline;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block such as 10.0.0.0/8 or fd00::/8; a bare address is a block of one. */
public record Cidr(byte[] network, int prefix) {
    private static final java.util.regex.Pattern DOTTED_QUAD =
            java.util.regex.Pattern.compile("[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");

    /** @throws IllegalArgumentException with a message fit for the user when {@code text} is not a block */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        if (addr.indexOf(':') < 0 && !DOTTED_QUAD.matcher(addr).matches()) { // no "10.1" shorthands: too easy to misread
            throw new IllegalArgumentException("'" + text + "' is not an address block such as 10.0.0.0/8 or fd00::/8");
        }
        byte[] raw;
        try {
            raw = InetAddress.ofLiteral(addr).getAddress(); // a literal only: never a name lookup
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address block such as 10.0.0.0/8 or fd00::/8");
        }
        if (raw.length == 16 && addr.indexOf(':') < 0) {
            throw new IllegalArgumentException("'" + text + "' is not an address block such as 10.0.0.0/8");
        }
        int bits = raw.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 0 to " + bits);
            }
        }
        return new Cidr(mask(raw, prefix), prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == network.length && java.util.Arrays.equals(mask(a, prefix), network);
    }

    private static byte[] mask(byte[] raw, int prefix) {
        byte[] out = raw.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
