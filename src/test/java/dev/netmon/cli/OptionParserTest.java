package dev.netmon.cli;

import static dev.netmon.bpf.ConfigLayout.EV_ACCEPT;
import static dev.netmon.bpf.ConfigLayout.EV_CLOSE;
import static dev.netmon.bpf.ConfigLayout.EV_CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.bpf.BufferKind;
import dev.netmon.bpf.LoadSettings;
import dev.netmon.output.Format;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every flag, and every way to get one wrong: a wrong one must end as one line naming the fix, exit 2. */
class OptionParserTest {

    @Test
    void defaultsTraceEverythingThroughTheRingBuffer() throws UsageException {
        Options o = OptionParser.parse();
        assertEquals(new Options(Options.Command.TRACE, Format.JSON, BufferKind.AUTO,
                EV_CONNECT | EV_ACCEPT | EV_CLOSE, Set.of(), 0, 0), o);
    }

    @Test
    void helpAndVersion() throws UsageException {
        assertEquals(Options.Command.HELP, OptionParser.parse("--help").command());
        assertEquals(Options.Command.HELP, OptionParser.parse("-h").command());
        assertEquals(Options.Command.VERSION, OptionParser.parse("--version").command());
    }

    @Test
    void formatsEitherSpelling() throws UsageException {
        assertEquals(Format.JSON, OptionParser.parse("--format", "json").format());
        assertEquals(Format.JSON, OptionParser.parse("--format=json").format());
        assertEquals(Format.ECS, OptionParser.parse("--format", "ecs").format());
        assertEquals(Format.TEXT, OptionParser.parse("--format=text").format());
    }

    @Test
    void unknownFormatListsAllThree() {
        assertEquals("unknown --format 'yaml' (expected json, ecs or text)", rejected("--format", "yaml"));
        assertEquals("unknown --format 'ECS' (expected json, ecs or text)", rejected("--format", "ECS"));
    }

    @Test
    void podLabelsWorkWithEcs() throws UsageException {
        Options o = OptionParser.parse("--format", "ecs", "--pod-labels");
        assertEquals(Format.ECS, o.format());
        assertTrue(o.enrich().podLabels());
    }

    @Test
    void buffer() throws UsageException {
        assertEquals(BufferKind.PERF, OptionParser.parse("--buffer", "perf").buffer());
        assertEquals(BufferKind.RINGBUF, OptionParser.parse("--buffer=ringbuf").buffer());
        assertTrue(rejected("--buffer", "ring").contains("ringbuf, perf or auto"));
    }

    @Test
    void bufferSizeIsAPowerOfTwoInBytesKibOrMib() throws UsageException {
        assertEquals(LoadSettings.DEFAULT_BUFFER_BYTES, OptionParser.parse().bufferBytes());
        assertEquals(8 << 20, OptionParser.parse("--buffer-size", "8m").bufferBytes());
        assertEquals(512 << 10, OptionParser.parse("--buffer-size=512K").bufferBytes());
        assertEquals(4096, OptionParser.parse("--buffer-size", "4096").bufferBytes());
        assertEquals(1 << 30, OptionParser.parse("--buffer-size", "1024m").bufferBytes());
        for (String bad : List.of("3m", "2k", "2048m", "0", "-4k", "m", "1.5m", "99999999999m", "2g")) {
            assertTrue(rejected("--buffer-size", bad).contains("power of two from 4k to 1024m"), bad);
        }
    }

    @Test
    void eventsBecomeTheKernelMask() throws UsageException {
        assertEquals(EV_CONNECT | EV_CLOSE, OptionParser.parse("--events", "connect,close").events());
        assertEquals(EV_ACCEPT, OptionParser.parse("--events=accept").events());
        assertEquals(EV_ACCEPT | EV_CLOSE, OptionParser.parse("--events", "close, accept").events());
        assertTrue(rejected("--events", "").contains("expected connect, accept or close"));
        assertTrue(rejected("--events", "connect,").contains("''"));
        assertTrue(rejected("--events", "connect,bind").contains("'bind'"));
    }

    @Test
    void pidsRepeatAndSplitOnCommas() throws UsageException {
        assertEquals(Set.of(1, 42, 7), OptionParser.parse("--pid", "1", "--pid=42,7").pids());
        assertEquals(Set.of(2_147_483_647), OptionParser.parse("--pid", "2147483647").pids());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "2147483648", "99999999999999999999", "", "1,,2", "1.5"})
    void badPidsAreRejected(String pid) {
        assertTrue(rejected("--pid", pid).contains("--pid"));
    }

    @Test
    void countAndDuration() throws UsageException {
        assertEquals(1000, OptionParser.parse("--count", "1000").count());
        assertEquals(1_500_000_000L, OptionParser.parse("--duration", "1.5").durationNs());
        assertEquals(60_000_000_000L, OptionParser.parse("--duration=60").durationNs());
        // Less than a nanosecond still means "stop at once", not "no limit" (which 0 would mean).
        assertEquals(1, OptionParser.parse("--duration", "1e-12").durationNs());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "NaN", "Infinity", "", "0.0", "1e10"})
    void badCountsAreRejected(String count) {
        assertTrue(rejected("--count", count).contains("--count"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "NaN", "Infinity", "", "-0.5", "1e20", "1e2147483647", "1E+999999999"})
    void badDurationsAreRejected(String seconds) {
        assertTrue(rejected("--duration", seconds).contains("--duration"));
    }

    @Test
    void mistakesOutsideValues() {
        assertEquals("--count needs a value", rejected("--count"));
        assertEquals("--pid needs a value", rejected("--version", "--pid"));
        assertEquals("unknown option '--bogus'", rejected("--bogus"));
        assertEquals("unknown option '-x'", rejected("-x"));
        assertEquals("unexpected argument 'curl'", rejected("curl"));
        assertEquals("--help takes no value", rejected("--help=foo"));
        assertEquals("--version takes no value", rejected("--version=1"));
        assertEquals("unknown option '--bo?gus'", rejected("--bo\ngus"));
    }

    @Property
    void garbageParsesOrIsAUsageError(@ForAll("argumentLists") List<String> args) {
        // Anything else (NumberFormatException, ArithmeticException, ...) would reach the user as a stack trace.
        try {
            OptionParser.parse(args.toArray(String[]::new));
            Statistics.collect("parsed");
        } catch (UsageException e) {
            Statistics.collect("usage error");
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
        }
    }

    /** Real flags with plausible and implausible values, and some noise. */
    @Provide
    Arbitrary<List<String>> argumentLists() {
        Arbitrary<String> flags = Arbitraries.of(
                "--format", "--buffer", "--buffer-size", "--events", "--pid", "--count", "--duration", "--help", "-h", "--version",
                "--", "-", "--=", "--bogus", "--port", "--protocol", "--process", "--namespace", "--pod", "--cidr",
                "--exclude-cidr", "--exclude-namespace", "--cri-socket", "--no-cri", "--pod-labels", "--enrich-wait",
                "--cri-timeout", "--cache-size", "--cache-ttl", "resolve", "--cgroup");
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of("json", "ecs", "text", "perf", "ringbuf", "connect,close", "accept", ",", "1", "1.5",
                        "0", "-1", "tcp", "udp,tcp", "10.0.0.0/8", "::1/129", "web-*", "0::/kubepods", "65536",
                        "NaN", "1e2147483647", "1e-2147483647", "9223372036854775808", "0x10", " 7 ", "", "="),
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf));
        Arbitrary<String> inline = Combinators.combine(flags, values).as((f, v) -> f + "=" + v);
        return Arbitraries.oneOf(flags, values, inline).list().ofMaxSize(6);
    }

    @Test
    void kernelFilters() throws UsageException {
        var f = OptionParser.parse("--protocol", "udp", "--port", "443,53", "--port=8080", "--process", "curl").filters();
        assertEquals(dev.netmon.bpf.ConfigLayout.PROTO_UDP, f.protocols());
        assertEquals(Set.of(443, 53, 8080), f.ports());
        assertEquals(Set.of("curl"), f.processNames());
        assertEquals(dev.netmon.bpf.ConfigLayout.PROTO_TCP | dev.netmon.bpf.ConfigLayout.PROTO_UDP,
                OptionParser.parse().filters().protocols(), "no --protocol: both");
        assertTrue(rejected("--protocol", "icmp").contains("tcp or udp"));
        assertTrue(rejected("--port", "65536").contains("1 to 65535"));
        assertTrue(rejected("--port", "0").contains("--port"));
        assertTrue(rejected("--process", "a-very-long-process-name").contains("15 bytes"));
        assertTrue(rejected("--process", "").contains("non-empty"));
    }

    @Test
    void userSpaceFilters() throws UsageException {
        var f = OptionParser.parse("--namespace", "shop,kube-system", "--exclude-namespace", "dev", "--pod", "web-*",
                "--cidr", "10.0.0.0/8", "--exclude-cidr=10.9.0.0/16,fd00::/8").filters();
        assertEquals(Set.of("shop", "kube-system"), f.namespaces());
        assertEquals(Set.of("dev"), f.excludeNamespaces());
        assertEquals(Set.of("web-*"), f.pods());
        assertEquals(List.of(dev.netmon.pipeline.Cidr.parse("10.0.0.0/8")), f.cidrs());
        assertEquals(2, f.excludeCidrs().size());
        assertTrue(rejected("--cidr", "example.com").contains("address block"));
        assertTrue(rejected("--cidr", "10.0.0.0/40").contains("0 to 32"));
    }

    @Test
    void enrichmentFlagsAndResolve() throws UsageException {
        var o = OptionParser.parse("--cri-socket", "/run/k3s/containerd/containerd.sock", "--pod-labels",
                "--enrich-wait", "0", "--cri-timeout", "500", "--cache-size", "100", "--cache-ttl", "60");
        assertEquals(java.util.Optional.of(java.nio.file.Path.of("/run/k3s/containerd/containerd.sock")),
                o.enrich().criSocket());
        assertTrue(o.enrich().podLabels());
        assertEquals(0, o.enrich().waitMs());
        assertEquals(500, o.enrich().criTimeoutMs());
        assertEquals(100, o.enrich().cacheSize());
        assertEquals(60, o.enrich().cacheTtlSeconds());
        assertFalse(OptionParser.parse("--no-cri").enrich().cri());
        assertTrue(rejected("--no-cri=yes").contains("takes no value"));
        assertTrue(rejected("--enrich-wait", "-5").contains("--enrich-wait"));

        var r = OptionParser.parse("resolve", "--cgroup", "0::/kubepods/x");
        assertEquals(Options.Command.RESOLVE, r.command());
        assertEquals("0::/kubepods/x", r.resolveCgroup());
        assertEquals(42, OptionParser.parse("resolve", "--pid", "42").resolvePid());
        assertTrue(rejected("resolve").contains("exactly one of --cgroup"));
        assertTrue(rejected("resolve", "--pid", "1", "--cgroup", "/").contains("exactly one"));
        assertTrue(rejected("--cgroup", "/").contains("resolve"));
        assertTrue(rejected("resolve", "--pid", "1,2").contains("one process id"));
    }

    /** The message of the UsageException these arguments must cause; it is always a single line. */
    private static String rejected(String... args) {
        String message = assertThrows(UsageException.class, () -> OptionParser.parse(args)).getMessage();
        assertFalse(message.isBlank() || message.contains("\n"), message);
        return message;
    }
}
