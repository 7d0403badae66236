package dev.netmon.metrics;

import dev.netmon.event.Enrichment;
import dev.netmon.pipeline.OutputStage;
import dev.netmon.pipeline.TraceCounts;
import dev.netmon.pipeline.TraceStats;
import dev.netmon.pipeline.Tracer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The periodic STATS line on stderr: the totals since start that matter when reading a log by eye, in one line.
 *
 * @param decodeErrors records that did not decode or failed in the buffer callback; shown only when not 0
 * @param enriched events that got attribution at all (full, partial or none), of which {@code enrichedFull} full
 * @param rssBytes resident memory, or -1 when /proc does not say
 */
public record StatsLine(long connects, long accepts, long closes, long lost, long dropped, long rateLimited,
        long filtered, long decodeErrors, long enrichedFull, long enriched, int queueDepth, int queueCapacity,
        long rssBytes) {

    /** Reads every count now; safe while the tracer runs. */
    public static StatsLine read(Tracer tracer, OutputStage output) {
        TraceCounts c = tracer.counts();
        TraceStats s = tracer.stats();
        long enriched = 0;
        for (Enrichment level : Enrichment.values()) {
            enriched += c.enriched(level);
        }
        return new StatsLine(c.connects(), c.accepts(), c.closes(), c.lost(), s.dropped(), c.rateLimited(),
                c.filtered(), s.decodeErrors() + s.sinkFailures(), c.enriched(Enrichment.FULL), enriched,
                output.depth(), output.capacity(), residentBytes());
    }

    /**
     * {@code netmon: stats: 12345 events (connect 6000, accept 3000, close 3345), 0 lost, 0 dropped, 0 rate-limited,
     * 12 filtered, enrichment full 99.2%, queue 0/16384, rss 41 MiB}. The share is rounded down, so 100.0% means
     * every event; "-" before any event.
     */
    public String format() {
        StringBuilder b = new StringBuilder("netmon: stats: ")
                .append(connects + accepts + closes).append(" events (connect ").append(connects)
                .append(", accept ").append(accepts).append(", close ").append(closes).append("), ")
                .append(lost).append(" lost, ").append(dropped).append(" dropped, ")
                .append(rateLimited).append(" rate-limited, ").append(filtered).append(" filtered, ");
        if (decodeErrors > 0) {
            b.append(decodeErrors).append(" decode errors, ");
        }
        b.append("enrichment full ").append(share(enrichedFull, enriched))
                .append(", queue ").append(queueDepth).append('/').append(queueCapacity)
                .append(", rss ").append(rssBytes < 0 ? "?" : rssBytes / (1024 * 1024) + " MiB");
        return b.toString();
    }

    private static String share(long part, long whole) {
        if (whole <= 0) {
            return "-";
        }
        long permille = part * 1000 / whole; // overflows after 9e15 events: 290 years at a million a second
        return permille / 10 + "." + permille % 10 + "%";
    }

    /** VmRSS from /proc/self/status. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: the line says "?"
        }
        return -1;
    }
}
