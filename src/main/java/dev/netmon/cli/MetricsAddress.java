package dev.netmon.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * Where {@code --metrics-addr} serves: an IP address and a port, 0 for any free one. {@code PORT} or {@code :PORT}
 * alone is loopback only; anything else must be said. Hosts are IP literals, never names: a name would need a DNS
 * lookup at start, and could resolve to an address nobody meant to expose.
 */
public record MetricsAddress(InetAddress host, int port) {
    public static final InetAddress LOOPBACK = Inet4Address.ofLiteral("127.0.0.1");

    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    private static final String FORMS = " (expected PORT, :PORT, IPV4:PORT or [IPV6]:PORT, e.g. 127.0.0.1:9464)";

    static MetricsAddress parse(String value) throws UsageException {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || !value.startsWith(":", close + 1)) {
                throw new UsageException("--metrics-addr '" + value + "' is not an address" + FORMS);
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon < 0 && !PORT.matcher(value).matches()) {
                throw new UsageException("--metrics-addr '" + value + "' is not an address" + FORMS);
            }
            host = colon < 0 ? "" : value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.contains(":")) {
                throw new UsageException(
                        "--metrics-addr '" + value + "': an IPv6 address goes in brackets, e.g. [::1]:9464");
            }
        }
        return new MetricsAddress(host(value, host, value.startsWith("[")), port(value, port));
    }

    private static InetAddress host(String value, String host, boolean bracketed) throws UsageException {
        if (!bracketed && host.isEmpty()) {
            return LOOPBACK;
        }
        try {
            if (bracketed) {
                return Inet6Address.ofLiteral(host);
            }
            if (DOTTED_QUAD.matcher(host).matches()) {
                return Inet4Address.ofLiteral(host);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the message below
        }
        throw new UsageException("--metrics-addr '" + value + "': '" + host + "' is not an IP address (names are not"
                + " looked up)" + FORMS);
    }

    private static int port(String value, String port) throws UsageException {
        if (PORT.matcher(port).matches() && Integer.parseInt(port) <= 65535) {
            return Integer.parseInt(port);
        }
        throw new UsageException("--metrics-addr '" + value + "': the port must be a number from 0 to 65535" + FORMS);
    }

    /** True when only this host can connect. */
    public boolean loopback() {
        return host.isLoopbackAddress();
    }

    /** HOST:PORT as in a URL, IPv6 in brackets; with the port netmon really bound when {@code port} was 0. */
    public String authority(int boundPort) {
        String h = host.getHostAddress();
        return (host instanceof Inet6Address ? "[" + h + "]" : h) + ":" + boundPort;
    }
}
