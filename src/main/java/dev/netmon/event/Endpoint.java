package dev.netmon.event;

import java.net.InetAddress;

/** An IP address and port. IPv4-mapped IPv6 addresses arrive here already as IPv4. */
public record Endpoint(InetAddress address, int port) {
    public Endpoint {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** The address as RFC 5952 text (compressed IPv6), which is what people and tools compare. */
    public String ip() {
        return IpText.format(address);
    }

    /** The longest {@link #ip()} can be, in bytes. */
    public static final int MAX_IP_LENGTH = IpText.MAX_LENGTH;

    /** {@link #ip()} as ASCII at the start of {@code dst}, which holds at least MAX_IP_LENGTH; returns its length. */
    public int ipAscii(byte[] dst) {
        return IpText.ascii(address, dst);
    }
}
