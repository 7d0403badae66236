package dev.netmon.cli;

import dev.netmon.bpf.BufferKind;
import dev.netmon.bpf.ConfigLayout;
import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.Set;

/** Parses netmon's flags; every mistake becomes a {@link UsageException} with one line naming the fix. */
public final class OptionParser {
    private OptionParser() {}

    public static final String USAGE = """
            Usage: netmon [OPTIONS]
            Writes one JSON line to stdout for every TCP/UDP connect, accept and close on this host.

              --format json              output schema (default: json)
              --buffer ringbuf|perf      kernel-to-user buffer (default: ringbuf; perf for kernels before 5.8)
              --events LIST              comma-separated subset of connect,accept,close (default: all)
              --pid PID                  trace only this process (tgid); repeat or separate with commas
              --count N                  exit after N events
              --duration SECONDS         exit after this long (decimals allowed)
              --help                     print this help
              --version                  print the version

            Needs root, or CAP_BPF and CAP_PERFMON. SIGINT or SIGTERM detaches and exits 0.
            """;

    public static Options parse(String... args) throws UsageException {
        Options.Command command = Options.Command.TRACE;
        String format = "json";
        BufferKind buffer = BufferKind.RINGBUF;
        int events = ConfigLayout.EV_CONNECT | ConfigLayout.EV_ACCEPT | ConfigLayout.EV_CLOSE;
        Set<Integer> pids = new LinkedHashSet<>();
        long count = 0;
        long durationNs = 0;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (inline != null && (name.equals("--help") || name.equals("--version"))) {
                throw new UsageException(name + " takes no value");
            }
            switch (name) {
                case "-h", "--help" -> command = Options.Command.HELP;
                case "--version" -> command = Options.Command.VERSION;
                case "--format", "--buffer", "--events", "--pid", "--count", "--duration" -> {
                    String value;
                    if (inline != null) {
                        value = inline;
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new UsageException(name + " needs a value");
                    }
                    switch (name) {
                        case "--format" -> format = format(value);
                        case "--buffer" -> buffer = buffer(value);
                        case "--events" -> events = events(value);
                        case "--pid" -> pids.addAll(pids(value));
                        case "--count" -> count = positiveLong(name, value);
                        case "--duration" -> durationNs = durationNs(value);
                        default -> throw new AssertionError(name);
                    }
                }
                default -> throw new UsageException(arg.startsWith("-")
                        ? "unknown option '" + arg + "'"
                        : "unexpected argument '" + arg + "'");
            }
        }
        return new Options(command, format, buffer, events, pids, count, durationNs);
    }

    private static String format(String value) throws UsageException {
        if (!value.equals("json")) {
            throw new UsageException("unknown --format '" + value + "' (expected json)");
        }
        return value;
    }

    private static BufferKind buffer(String value) throws UsageException {
        return switch (value) {
            case "ringbuf" -> BufferKind.RINGBUF;
            case "perf" -> BufferKind.PERF;
            default -> throw new UsageException("unknown --buffer '" + value + "' (expected ringbuf or perf)");
        };
    }

    private static int events(String value) throws UsageException {
        int mask = 0;
        for (String part : value.split(",", -1)) {
            mask |= switch (part.trim()) {
                case "connect" -> ConfigLayout.EV_CONNECT;
                case "accept" -> ConfigLayout.EV_ACCEPT;
                case "close" -> ConfigLayout.EV_CLOSE;
                default -> throw new UsageException(
                        "unknown event '" + part + "' in --events (expected connect, accept or close)");
            };
        }
        return mask;
    }

    private static Set<Integer> pids(String value) throws UsageException {
        Set<Integer> out = new LinkedHashSet<>();
        for (String part : value.split(",", -1)) {
            long pid = positiveLong("--pid", part.trim());
            if (pid > Integer.MAX_VALUE) {
                throw new UsageException("--pid " + part + " is not a process id");
            }
            out.add((int) pid);
        }
        return out;
    }

    private static long positiveLong(String flag, String value) throws UsageException {
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new UsageException(flag + " needs a positive whole number, got '" + value + "'");
    }

    private static long durationNs(String value) throws UsageException {
        try {
            BigDecimal seconds = new BigDecimal(value);
            BigDecimal ns = seconds.movePointRight(9);
            if (seconds.signum() > 0 && ns.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0 && ns.signum() > 0) {
                return Math.max(1, ns.longValue());
            }
        } catch (NumberFormatException | ArithmeticException e) { // e.g. 1e2147483647: exponent overflow
            // falls through to the message below
        }
        throw new UsageException("--duration needs a positive number of seconds, got '" + value + "'");
    }
}
