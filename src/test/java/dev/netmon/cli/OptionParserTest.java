package dev.netmon.cli;

import static dev.netmon.bpf.ConfigLayout.EV_ACCEPT;
import static dev.netmon.bpf.ConfigLayout.EV_CLOSE;
import static dev.netmon.bpf.ConfigLayout.EV_CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.bpf.BufferKind;
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
        assertEquals(new Options(Options.Command.TRACE, Format.JSON, BufferKind.RINGBUF,
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
        assertTrue(rejected("--buffer", "ring").contains("ringbuf or perf"));
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
                "--format", "--buffer", "--events", "--pid", "--count", "--duration", "--help", "-h", "--version",
                "--", "-", "--=", "--bogus");
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of("json", "ecs", "text", "perf", "ringbuf", "connect,close", "accept", ",", "1", "1.5", "0", "-1",
                        "NaN", "1e2147483647", "1e-2147483647", "9223372036854775808", "0x10", " 7 ", "", "="),
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf));
        Arbitrary<String> inline = Combinators.combine(flags, values).as((f, v) -> f + "=" + v);
        return Arbitraries.oneOf(flags, values, inline).list().ofMaxSize(6);
    }

    /** The message of the UsageException these arguments must cause; it is always a single line. */
    private static String rejected(String... args) {
        String message = assertThrows(UsageException.class, () -> OptionParser.parse(args)).getMessage();
        assertFalse(message.isBlank() || message.contains("\n"), message);
        return message;
    }
}
