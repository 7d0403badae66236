package dev.netmon.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tracer the benchmark measures, and how to read its output. Every tool but netmon is a bpftrace script of the
 * project run with {@code -f json}, one JSON object per output line.
 */
enum Tool {
    /** netmon as it ships: the launcher make passes as netmon.launcher (the distribution's), else the checkout's. */
    NETMON(null) {
        @Override
        List<String> command(Path home) {
            return List.of(launcher(home).toString(), "--no-cri", "--events", "connect,accept,close");
        }

        @Override
        boolean attachedOnStderr(String line) {
            return line.startsWith("netmon: tracing with");
        }

        @Override
        boolean attachedOnStdout(String line) {
            return false;
        }

        @Override
        boolean isEventOf(String line, long pid) {
            return line.contains("\"pid\":" + pid + ",") && !line.contains("\"type\":\"LOST\"");
        }

        @Override
        long lostIn(String line) {
            return line.startsWith("{\"timestamp\"") && line.contains("\"type\":\"LOST\"") ? number(NETMON_LOST, line)
                    : 0;
        }
    },
    /** The same tracepoints, one JSON line per event. */
    BPFTRACE("bench/connections.bt"),
    /**
     * Programs that return at once, on netmon's five tracepoints: the floor of the added cost. It prints no event
     * and no lost_events line, so the bpftrace readings below find none.
     */
    EMPTY("bench/empty.bt");

    private static final Pattern NETMON_LOST = Pattern.compile("\"count\":(\\d+)");
    private static final Pattern BPFTRACE_LOST = Pattern.compile("\"events\": (\\d+)");

    /** The bpftrace script, relative to the project; null for netmon. */
    private final String script;

    Tool(String script) {
        this.script = script;
    }

    List<String> command(Path home) {
        return List.of("bpftrace", "-f", "json", home.resolve(script).toString());
    }

    static Path launcher(Path home) {
        String launcher = System.getProperty("netmon.launcher");
        return launcher == null || launcher.isBlank() ? home.resolve("bin/netmon") : Path.of(launcher);
    }

    /** Whether this stderr line says the tracer is attached. */
    boolean attachedOnStderr(String line) {
        return false;
    }

    /** Whether this stdout line says the tracer is attached. */
    boolean attachedOnStdout(String line) {
        return line.startsWith("{\"type\": \"attached_probes\"");
    }

    /** Whether the output line is an event of the given process. */
    boolean isEventOf(String line, long pid) {
        return line.startsWith("{\"type\": \"printf\"") && line.contains(" pid=" + pid + " ");
    }

    /** Events the line reports as lost, 0 for any other line. */
    long lostIn(String line) {
        return line.startsWith("{\"type\": \"lost_events\"") ? number(BPFTRACE_LOST, line) : 0;
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    private static long number(Pattern p, String line) {
        Matcher m = p.matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
