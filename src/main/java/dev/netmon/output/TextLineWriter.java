package dev.netmon.output;

import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Endpoint;
import dev.netmon.event.Enrichment;
import dev.netmon.event.Errno;
import dev.netmon.event.LogLine;
import dev.netmon.event.Dropped;
import dev.netmon.event.Lost;
import dev.netmon.event.RateLimited;
import dev.netmon.event.NetEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.function.LongUnaryOperator;

/**
 * --format text: one short line per event for a person watching a terminal, e.g.
 * {@code 12:04:05.123Z CONNECT tcp curl[6032] 10.0.0.5:59428 -> 93.184.216.34:443 ok  pod shop/web-7d4b9 (app)}.
 *
 * <p>Times are UTC, as in the JSON formats, so that a line can be matched with them. Every name that reaches netmon
 * from outside (process comm, container, pod, namespace, unit) is escaped: a process may name itself with terminal
 * escape sequences, and they must reach the screen as text, not as commands.
 */
public final class TextLineWriter implements LineSink {
    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private final OutputStream out;
    private final LongUnaryOperator toUnixNs;
    private final Rfc3339 timestamps = new Rfc3339();
    private final StringBuilder line = new StringBuilder(200);
    private final byte[] ip = new byte[Endpoint.MAX_IP_LENGTH];

    /** @param toUnixNs converts kernel CLOCK_MONOTONIC nanoseconds to Unix-epoch nanoseconds */
    public TextLineWriter(OutputStream out, LongUnaryOperator toUnixNs) {
        this.out = out;
        this.toUnixNs = toUnixNs;
    }

    @Override
    public void write(LogLine logLine) throws IOException {
        line.setLength(0);
        // HH:MM:SS.mmm of "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ": a terminal reader wants the time of day, not the date.
        byte[] time = timestamps.ascii(toUnixNs.applyAsLong(logLine.monotonicNs()));
        for (int i = 11; i < 23; i++) {
            line.append((char) time[i]);
        }
        line.append('Z');
        switch (logLine) {
            case NetEvent event -> appendEvent(event, Attribution.UNKNOWN);
            case Attributed a -> appendEvent(a.event(), a.attribution());
            case Lost lost -> line.append(" LOST    ").append(lost.count()).append(" events lost, ")
                    .append(lost.buffer()).append(" buffer full (").append(lost.total()).append(" since start)");
            case Dropped d -> line.append(" DROPPED ").append(d.count()).append(" events not written, ")
                    .append(d.reason().replace('_', ' ')).append(" (").append(d.total()).append(" since start)");
            case RateLimited r -> {
                line.append(" LIMITED ").append(r.count()).append(" events of cgroup ").append(r.cgroupId())
                        .append(" over ").append(r.limitPerSecond()).append("/s ");
                appendAttribution(r.attribution());
            }
        }
        line.append('\n');
        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void appendEvent(NetEvent event, Attribution attribution) {
        var flow = event.flow();
        var process = event.header().process();
        String type = event.typeName();
        line.append(' ').append(type).repeat(' ', "CONNECT".length() - type.length());
        line.append(switch (flow.protocol()) {
            case TCP -> " tcp ";
            case UDP -> " udp ";
        });
        appendEscaped(process.name());
        line.append('[').append(process.pid()).append("] ");
        appendEndpoint(flow.src());
        line.append(" -> ");
        appendEndpoint(flow.dst());
        switch (event) {
            case NetEvent.Connect c -> line.append(' ').append(Errno.connectResult(c.result()));
            case NetEvent.Accept a -> {}
            case NetEvent.Close c -> {
                line.append(' ').append(duration(c.durationNs()));
                if (c.traffic() != null) {
                    line.append(" sent ").append(bytes(c.traffic().sent()))
                            .append(" recv ").append(bytes(c.traffic().received()));
                }
            }
        }
        line.append("  ");
        appendAttribution(attribution);
    }

    private void appendEndpoint(Endpoint end) {
        boolean v6 = end.address() instanceof Inet6Address; // bracketed, so that the port stands apart
        if (v6) {
            line.append('[');
        }
        for (int i = 0, n = end.ipAscii(ip); i < n; i++) {
            line.append((char) ip[i]);
        }
        if (v6) {
            line.append(']');
        }
        line.append(':').append(end.port());
    }

    /** The pod, else the container, else the systemd unit; then how much of it is known, unless all of it is. */
    private void appendAttribution(Attribution attribution) {
        ContainerInfo c = attribution.container();
        boolean named = true;
        if (c != null && (c.podName() != null || c.podNamespace() != null)) {
            line.append("pod ");
            if (c.podNamespace() != null) {
                appendEscaped(c.podNamespace());
                line.append('/');
            }
            appendEscaped(c.podName() != null ? c.podName() : "?");
            appendContainerName(c);
        } else if (c != null && c.containerId() != null) {
            line.append("container ");
            appendEscaped(c.containerId().substring(0, Math.min(12, c.containerId().length())));
            appendContainerName(c);
        } else if (c != null && c.containerName() != null) {
            line.append("container");
            appendContainerName(c);
        } else if (attribution.unit() != null) {
            line.append("unit ");
            appendEscaped(attribution.unit());
        } else if (attribution.enrichment() == Enrichment.FULL) {
            line.append("host");
        } else {
            named = false;
        }
        switch (attribution.enrichment()) {
            case FULL -> {}
            case PARTIAL -> line.append(named ? " " : "").append("[partial]");
            case NONE -> line.append(named ? " " : "").append("[unresolved]");
        }
    }

    private void appendContainerName(ContainerInfo c) {
        if (c.containerName() != null) {
            line.append(" (");
            appendEscaped(c.containerName());
            line.append(')');
        }
    }

    /**
     * Appends {@code text} with what a terminal could act on written as escapes: C0 and C1 controls (ESC, the
     * one-byte CSI U+009B), DEL, format characters (bidirectional overrides that reorder what is shown, zero-width
     * characters), line and paragraph separators, and unpaired surrogates. A backslash is doubled, so that an
     * escape in the output always means one was made.
     */
    private void appendEscaped(String text) {
        int n = text.length();
        int plain = 0;
        while (plain < n && text.charAt(plain) >= 0x20 && text.charAt(plain) < 0x7f && text.charAt(plain) != '\\') {
            plain++;
        }
        line.append(text, 0, plain); // printable ASCII, nearly always all of it
        if (plain == n) {
            return;
        }
        text.substring(plain).codePoints().forEach(cp -> {
            if (cp == '\\') {
                line.append("\\\\");
            } else if (actsOnTerminal(cp)) {
                line.append(cp <= 0xff ? "\\x%02x".formatted(cp) : "\\u%04x".formatted(cp));
            } else {
                line.appendCodePoint(cp);
            }
        });
    }

    static boolean actsOnTerminal(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** 2032075 -> "2.0ms"; truncated, so that a value never reads as the next unit up. Unsigned, as the kernel's. */
    static String duration(long ns) {
        if (Long.compareUnsigned(ns, 3_600_000_000_000L) >= 0) {
            long minutes = Long.divideUnsigned(ns, 60_000_000_000L);
            return minutes / 60 + "h" + twoDigits(minutes % 60) + "m";
        }
        if (ns >= 60_000_000_000L) {
            long seconds = ns / 1_000_000_000L;
            return seconds / 60 + "m" + twoDigits(seconds % 60) + "s";
        }
        if (ns >= 1_000_000_000L) {
            return ns / 1_000_000_000L + "." + twoDigits(ns % 1_000_000_000L / 10_000_000L) + "s";
        }
        if (ns >= 1_000_000L) {
            return ns / 1_000_000L + "." + ns % 1_000_000L / 100_000L + "ms";
        }
        if (ns >= 1_000L) {
            return ns / 1_000L + "." + ns % 1_000L / 100L + "us";
        }
        return ns + "ns";
    }

    /** 1074 -> "1.0KiB"; truncated, unsigned. */
    static String bytes(long n) {
        int unit = 0;
        long whole = n;
        long rest = 0;
        while (Long.compareUnsigned(whole, 1024) >= 0) {
            rest = Long.remainderUnsigned(whole, 1024);
            whole = Long.divideUnsigned(whole, 1024);
            unit++;
        }
        return unit == 0 ? whole + "B" : whole + "." + rest * 10 / 1024 + BINARY_UNITS[unit];
    }

    private static String twoDigits(long n) {
        return n < 10 ? "0" + n : Long.toString(n);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
