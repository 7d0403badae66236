package dev.netmon.cli;

import dev.netmon.bpf.BufferKind;
import dev.netmon.bpf.ConfigLayout;
import dev.netmon.bpf.LoadSettings;
import dev.netmon.output.Format;
import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.Set;

/** Parses netmon's flags; every mistake becomes a {@link UsageException} with one line naming the fix. */
public final class OptionParser {
    private OptionParser() {}

    public static final String USAGE = """
            Usage: netmon [OPTIONS]
                   netmon resolve --cgroup LINE | --pid PID [--cri-socket PATH]
            Writes one line to stdout for every TCP/UDP connect, accept and close on this host,
            naming the process, container and Kubernetes pod that made it.

              --format json|ecs|text     netmon's JSON lines (default), Elastic Common Schema JSON lines,
                                         or short text lines for a terminal
              --buffer ringbuf|perf|auto kernel-to-user buffer (default: auto: the ring buffer where the
                                         kernel has one (5.8+), else the perf buffer)
              --buffer-size SIZE         its size in bytes, a power of two; k or m for KiB or MiB
                                         (default: 4m; the perf buffer splits it over the CPUs)
              --events LIST              comma-separated subset of connect,accept,close (default: all)
              --pid PID                  trace only this process (tgid); repeat or separate with commas
              --count N                  exit after N events
              --duration SECONDS         exit after this long (decimals allowed)
              --queue-size N             lines held for a slow stdout before DROPPED (default: 16384)
              --rate-limit N             at most N events a second per cgroup (container); the rest are
                                         summarised in RATE_LIMITED lines (default: 0, off)

            Watching netmon itself:
              --metrics-addr [HOST:]PORT serve Prometheus metrics at http://HOST:PORT/metrics (default: off);
                                         HOST: an IP address, IPv6 in brackets; 127.0.0.1 when left out
              --stats-interval SECONDS   one STATS line on stderr this often (default: 60; 0: never)

            Filters (repeat a flag or separate values with commas; different flags must all match):
              --protocol tcp|udp         only this protocol                          (in the kernel)
              --port PORT                only connections with this port at either end (in the kernel)
              --process NAME             only processes with this name (comm)        (in the kernel)
              --namespace NS             only pods in this Kubernetes namespace
              --exclude-namespace NS     leave out pods in this namespace
              --pod NAME                 only this pod: NAME, NS/NAME, or a prefix ending in '*'
              --cidr BLOCK               only connections with an end in this block, e.g. 10.0.0.0/8
              --exclude-cidr BLOCK       leave out connections with an end in this block

            Attribution:
              --cri-socket PATH          the CRI runtime's socket (default: first of containerd, k3s,
                                         CRI-O, cri-dockerd at their usual paths)
              --no-cri                   cgroup data only (container id, pod uid, unit); no socket
              --pod-labels               add the pod's labels (json: container.pod_labels,
                                         ecs: orchestrator.resource.label)
              --enrich-wait MS           longest an event waits for its own lookup (default: 100)
              --cri-timeout MS           deadline of each CRI call (default: 2000)
              --cache-size N             containers and pods remembered (default: 4096)
              --cache-ttl SECONDS        how long a container's names are trusted (default: 600)

            netmon resolve prints the attribution netmon gives a cgroup line (from /proc/PID/cgroup,
            or a bare path) or a running process, as one JSON object, and exits.
              --help                     print this help
              --version                  print the version

            Needs root, or CAP_BPF and CAP_PERFMON. SIGINT or SIGTERM detaches and exits 0.
            """;

    public static Options parse(String... args) throws UsageException {
        Options.Command command = Options.Command.TRACE;
        Format format = Format.JSON;
        BufferKind buffer = BufferKind.AUTO;
        int bufferBytes = LoadSettings.DEFAULT_BUFFER_BYTES;
        int events = ConfigLayout.EV_CONNECT | ConfigLayout.EV_ACCEPT | ConfigLayout.EV_CLOSE;
        Set<Integer> pids = new LinkedHashSet<>();
        long count = 0;
        long durationNs = 0;
        java.util.Optional<java.nio.file.Path> criSocket = java.util.Optional.empty();
        Options.Enrich defaults = Options.Enrich.defaults();
        boolean cri = defaults.cri();
        boolean podLabels = defaults.podLabels();
        long waitMs = defaults.waitMs();
        long criTimeoutMs = defaults.criTimeoutMs();
        int cacheSize = defaults.cacheSize();
        long cacheTtl = defaults.cacheTtlSeconds();
        String resolveCgroup = null;
        int resolvePid = 0;
        int queueSize = Options.DEFAULT_QUEUE_SIZE;
        long rateLimit = 0;
        java.util.Optional<MetricsAddress> metricsAddress = java.util.Optional.empty();
        long statsInterval = Options.DEFAULT_STATS_INTERVAL_SECONDS;
        int protocols = 0;
        Set<Integer> ports = new LinkedHashSet<>();
        Set<String> processNames = new LinkedHashSet<>();
        Set<String> namespaces = new LinkedHashSet<>();
        Set<String> excludeNamespaces = new LinkedHashSet<>();
        Set<String> pods = new LinkedHashSet<>();
        java.util.List<dev.netmon.pipeline.Cidr> cidrs = new java.util.ArrayList<>();
        java.util.List<dev.netmon.pipeline.Cidr> excludeCidrs = new java.util.ArrayList<>();

        int start = 0;
        if (args.length > 0 && args[0].equals("resolve")) {
            command = Options.Command.RESOLVE;
            start = 1;
        }
        for (int i = start; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (inline != null && (name.equals("--help") || name.equals("--version") || name.equals("--no-cri")
                    || name.equals("--pod-labels"))) {
                throw new UsageException(name + " takes no value");
            }
            switch (name) {
                case "-h", "--help" -> command = Options.Command.HELP;
                case "--version" -> command = Options.Command.VERSION;
                case "--no-cri" -> cri = false;
                case "--pod-labels" -> podLabels = true;
                case "--format", "--buffer", "--buffer-size", "--events", "--pid", "--count", "--duration", "--cri-socket",
                        "--enrich-wait", "--cri-timeout", "--cache-size", "--cache-ttl", "--cgroup", "--protocol",
                        "--port", "--process", "--namespace", "--exclude-namespace", "--pod", "--cidr",
                        "--exclude-cidr", "--queue-size", "--rate-limit", "--metrics-addr", "--stats-interval" -> {
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
                        case "--buffer-size" -> bufferBytes = bufferBytes(value);
                        case "--events" -> events = events(value);
                        case "--pid" -> {
                            if (command == Options.Command.RESOLVE) {
                                resolvePid = pids(value).size() == 1 ? pids(value).iterator().next() : -1;
                                if (resolvePid < 0) {
                                    throw new UsageException("resolve --pid takes one process id");
                                }
                            } else {
                                pids.addAll(pids(value));
                            }
                        }
                        case "--cri-socket" -> criSocket = java.util.Optional.of(socketPath(value));
                        case "--enrich-wait" -> waitMs = nonNegativeLong(name, value, 60_000);
                        case "--cri-timeout" -> criTimeoutMs = bounded(name, value, 60_000);
                        case "--cache-size" -> cacheSize = (int) bounded(name, value, 10_000_000);
                        case "--cache-ttl" -> cacheTtl = bounded(name, value, 86_400 * 30);
                        case "--queue-size" -> queueSize = (int) bounded(name, value, 1 << 24);
                        case "--rate-limit" -> rateLimit = nonNegativeLong(name, value, 100_000_000);
                        case "--metrics-addr" -> metricsAddress = java.util.Optional.of(MetricsAddress.parse(value));
                        case "--stats-interval" -> statsInterval = nonNegativeLong(name, value, 86_400);
                        case "--protocol" -> protocols |= protocols(value);
                        case "--port" -> ports.addAll(ports(value));
                        case "--process" -> processNames.addAll(processNames(value));
                        case "--namespace" -> namespaces.addAll(names(name, value));
                        case "--exclude-namespace" -> excludeNamespaces.addAll(names(name, value));
                        case "--pod" -> pods.addAll(names(name, value));
                        case "--cidr" -> cidrs.addAll(cidrs(name, value));
                        case "--exclude-cidr" -> excludeCidrs.addAll(cidrs(name, value));
                        case "--cgroup" -> {
                            if (command != Options.Command.RESOLVE) {
                                throw new UsageException("--cgroup belongs to 'netmon resolve'");
                            }
                            resolveCgroup = value;
                        }
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
        if (command == Options.Command.RESOLVE && (resolveCgroup == null) == (resolvePid == 0)) {
            throw new UsageException("netmon resolve needs exactly one of --cgroup LINE or --pid PID");
        }
        var enrich = new Options.Enrich(criSocket, cri, podLabels, waitMs, criTimeoutMs, cacheSize, cacheTtl);
        if (protocols == 0) {
            protocols = ConfigLayout.PROTO_TCP | ConfigLayout.PROTO_UDP;
        }
        var filters = new Options.Filters(protocols, ports, processNames, namespaces, excludeNamespaces, pods, cidrs,
                excludeCidrs);
        return new Options(command, format, buffer, bufferBytes, events, pids, count, durationNs, enrich, resolveCgroup,
                resolvePid, filters, queueSize, rateLimit, metricsAddress, statsInterval);
    }

    /** Bytes, KiB (k) or MiB (m); a power of two from a page to 1 GiB, as the kernel takes for a ring buffer. */
    private static int bufferBytes(String value) throws UsageException {
        String lower = value.toLowerCase(java.util.Locale.ROOT);
        int shift = lower.endsWith("k") ? 10 : lower.endsWith("m") ? 20 : 0;
        String digits = shift == 0 ? lower : lower.substring(0, lower.length() - 1);
        long bytes;
        try {
            bytes = Long.parseLong(digits) << shift;
        } catch (NumberFormatException e) {
            bytes = -1;
        }
        // At most 10 digits: a shift of a longer number could wrap around to a power of two.
        if (bytes < LoadSettings.MIN_BUFFER_BYTES || bytes > LoadSettings.MAX_BUFFER_BYTES
                || Long.bitCount(bytes) != 1 || digits.length() > 10) {
            throw new UsageException("--buffer-size needs a power of two from 4k to 1024m, e.g. 2m; got '"
                    + value + "'");
        }
        return (int) bytes;
    }

    private static Format format(String value) throws UsageException {
        return switch (value) {
            case "json" -> Format.JSON;
            case "ecs" -> Format.ECS;
            case "text" -> Format.TEXT;
            default -> throw new UsageException("unknown --format '" + value + "' (expected json, ecs or text)");
        };
    }

    private static BufferKind buffer(String value) throws UsageException {
        return switch (value) {
            case "ringbuf" -> BufferKind.RINGBUF;
            case "perf" -> BufferKind.PERF;
            case "auto" -> BufferKind.AUTO;
            default -> throw new UsageException("unknown --buffer '" + value + "' (expected ringbuf, perf or auto)");
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

    private static int protocols(String value) throws UsageException {
        int mask = 0;
        for (String part : value.split(",", -1)) {
            mask |= switch (part.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "tcp" -> ConfigLayout.PROTO_TCP;
                case "udp" -> ConfigLayout.PROTO_UDP;
                default -> throw new UsageException("unknown --protocol '" + part + "' (expected tcp or udp)");
            };
        }
        return mask;
    }

    private static Set<Integer> ports(String value) throws UsageException {
        Set<Integer> out = new LinkedHashSet<>();
        for (String part : value.split(",", -1)) {
            long port = positiveLong("--port", part.trim());
            if (port > 65535) {
                throw new UsageException("--port needs a port from 1 to 65535, got '" + part + "'");
            }
            out.add((int) port);
        }
        return out;
    }

    /** Names as the kernel keeps them: at most 15 bytes, or the filter could never match. */
    private static Set<String> processNames(String value) throws UsageException {
        Set<String> out = new LinkedHashSet<>();
        for (String name : names("--process", value)) {
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 15) {
                throw new UsageException("--process '" + name + "' is longer than the 15 bytes the kernel keeps of a"
                        + " process name; give its first 15 (see /proc/PID/comm)");
            }
            out.add(name);
        }
        return out;
    }

    private static Set<String> names(String flag, String value) throws UsageException {
        Set<String> out = new LinkedHashSet<>();
        for (String part : value.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new UsageException(flag + " needs a non-empty name, got '" + value + "'");
            }
            out.add(name);
        }
        return out;
    }

    private static java.util.List<dev.netmon.pipeline.Cidr> cidrs(String flag, String value) throws UsageException {
        java.util.List<dev.netmon.pipeline.Cidr> out = new java.util.ArrayList<>();
        for (String part : value.split(",", -1)) {
            try {
                out.add(dev.netmon.pipeline.Cidr.parse(part));
            } catch (IllegalArgumentException e) {
                throw new UsageException(flag + " " + e.getMessage());
            }
        }
        return out;
    }

    private static java.nio.file.Path socketPath(String value) throws UsageException {
        try {
            if (!value.isBlank()) {
                return java.nio.file.Path.of(value);
            }
        } catch (java.nio.file.InvalidPathException e) {
            // falls through to the message below
        }
        throw new UsageException("--cri-socket needs a path to a unix socket, got '" + value + "'");
    }

    private static long bounded(String flag, String value, long max) throws UsageException {
        long n = positiveLong(flag, value);
        if (n > max) {
            throw new UsageException(flag + " must be at most " + max + ", got '" + value + "'");
        }
        return n;
    }

    private static long nonNegativeLong(String flag, String value, long max) throws UsageException {
        if (value.equals("0")) {
            return 0;
        }
        return bounded(flag, value, max);
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
