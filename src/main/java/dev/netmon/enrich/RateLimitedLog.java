package dev.netmon.enrich;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Problems that can repeat per event (a CRI socket that is down, a timeout) go to stderr once per interval per
 * kind, with the number of repeats, so that stderr stays readable and nothing is silent.
 */
public final class RateLimitedLog {
    private record State(long lastPrintNs, long suppressed) {}

    private final PrintStream err;
    private final long intervalNs;
    private final LongSupplier clock;
    private final Map<String, State> states = new HashMap<>();

    public RateLimitedLog(PrintStream err, long intervalNs, LongSupplier clock) {
        this.err = err;
        this.intervalNs = intervalNs;
        this.clock = clock;
    }

    /** Prints "netmon: message" unless {@code kind} was printed within the interval; then it is counted. */
    public synchronized void warn(String kind, String message) {
        long now = clock.getAsLong();
        State s = states.get(kind);
        if (s != null && now - s.lastPrintNs < intervalNs) {
            states.put(kind, new State(s.lastPrintNs, s.suppressed + 1));
            return;
        }
        long repeats = s == null ? 0 : s.suppressed;
        err.println("netmon: " + message + (repeats > 0 ? " (" + repeats + " more like it since the last report)" : ""));
        states.put(kind, new State(now, 0));
    }
}
