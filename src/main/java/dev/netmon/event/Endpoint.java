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
}
