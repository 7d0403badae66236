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
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongUnaryOperator;

/**
 * The --format text writer as it was before the writers were made to encode once and write bytes (commit "WriteBench
 * measures every format"), kept as the reference that the fast writer must match byte for byte
 * (PreviousWritersProperties). The helpers the rewrite left as they were (durations, byte counts, which characters
 * act on a terminal) are TextLineWriter's own, called rather than copied. Its own comment follows.
 *
 * --format text: one short line per event for a person watching a terminal, e.g.
 * {@code 12:04:05.123Z CONNECT tcp curl[6032] 10.0.0.5:59428 -> 93.184.216.34:443 ok  pod shop/web-7d4b9 (app)}.
 *
 * <p>Times are UTC, as in the JSON formats, so that a line can be matched with them. Every name that reaches netmon
 * from outside (process comm, container, pod, namespace, unit) is escaped: a process may name itself with terminal
 * escape sequences, and they must reach the screen as text, not as commands.
 */
final class PreviousTextLineWriter implements LineSink {

    private final OutputStream out;
    private final LongUnaryOperator toUnixNs;
    private final Rfc3339 timestamps = new Rfc3339();
    private final StringBuilder line = new StringBuilder(200);

    /** @param toUnixNs converts kernel CLOCK_MONOTONIC nanoseconds to Unix-epoch nanoseconds */
    PreviousTextLineWriter(OutputStream out, LongUnaryOperator toUnixNs) {
        this.out = out;
        this.toUnixNs = toUnixNs;
    }

    @Override
    public void write(LogLine logLine) throws IOException {
        line.setLength(0);
        // HH:MM:SS.mmm of "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ": a terminal reader wants the time of day, not the date.
        line.append(timestamps.format(toUnixNs.applyAsLong(logLine.monotonicNs())), 11, 23).append('Z');
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
        line.append(' ').append(flow.protocol().name().toLowerCase(Locale.ROOT)).append(' ');
        appendEscaped(process.name());
        line.append('[').append(process.pid()).append("] ");
        appendEndpoint(flow.src());
        line.append(" -> ");
        appendEndpoint(flow.dst());
        switch (event) {
            case NetEvent.Connect c -> line.append(' ').append(Errno.connectResult(c.result()));
            case NetEvent.Accept a -> {}
            case NetEvent.Close c -> {
                line.append(' ').append(TextLineWriter.duration(c.durationNs()));
                if (c.traffic() != null) {
                    line.append(" sent ").append(TextLineWriter.bytes(c.traffic().sent()))
                            .append(" recv ").append(TextLineWriter.bytes(c.traffic().received()));
                }
            }
        }
        line.append("  ");
        appendAttribution(attribution);
    }

    private void appendEndpoint(Endpoint end) {
        if (end.ip().contains(":")) { // IPv6, bracketed so that the port stands apart
            line.append('[').append(end.ip()).append(']');
        } else {
            line.append(end.ip());
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
        text.codePoints().forEach(cp -> {
            if (cp == '\\') {
                line.append("\\\\");
            } else if (TextLineWriter.actsOnTerminal(cp)) {
                line.append(cp <= 0xff ? "\\x%02x".formatted(cp) : "\\u%04x".formatted(cp));
            } else {
                line.appendCodePoint(cp);
            }
        });
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
