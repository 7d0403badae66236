package dev.netmon.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The added cost and the ratio pair each traced storm with the untraced storm of its own round. */
class ReportTest {
    private static final Settings SETTINGS = new Settings(Path.of("."), 2, 5, 3, false, true, false, false, 300);

    private static Runs.Sample storm(int round, Tool tool, double cyclesPerSecond) {
        var load = new LoadGen.Result(1, 1, 5, (long) (cyclesPerSecond * 5), cyclesPerSecond, 0);
        return new Runs.Sample(round, 1, tool, load, null, 0);
    }

    @Test
    void eachTracedStormIsTakenAgainstItsOwnRoundsUntracedStorm() {
        List<Runs.Sample> samples = new ArrayList<>();
        // The machine is twice as fast in round 2; tracing costs 10 us per cycle in round 1, 5 in round 2.
        samples.add(storm(1, null, 50_000)); // 20 us a cycle
        samples.add(storm(1, Tool.NETMON, 1e9 / 30_000)); // 30 us
        samples.add(storm(1, Tool.EMPTY, 1e9 / 21_000)); // 21 us
        samples.add(storm(2, null, 100_000)); // 10 us
        samples.add(storm(2, Tool.NETMON, 1e9 / 15_000)); // 15 us
        samples.add(storm(2, Tool.EMPTY, 1e9 / 11_000)); // 11 us
        var report = new Report(new PrintStream(PrintStream.nullOutputStream()), SETTINGS, 100, samples);

        Stats added = report.added(1, Tool.NETMON);
        assertEquals(5_000, added.min(), 1e-6);
        assertEquals(10_000, added.max(), 1e-6);
        assertEquals(7_500, added.median(), 1e-6);
        // From the medians of the rates over both rounds it would be 1e9/50_000 - 1e9/75_000, 6.7 us, and no range.
        assertEquals(1_000, report.added(1, Tool.EMPTY).min(), 1e-6);
        assertEquals(20.0 / 30, report.ratio(1, Tool.NETMON).max(), 1e-9);
        assertEquals(10.0 / 15, report.ratio(1, Tool.NETMON).min(), 1e-9);
    }

    /** Two threads on two CPUs finish two cycles in one cycle's time: a cycle's CPU is twice the storm's wall time. */
    @Test
    void wallTimePerCycleBecomesCpuTimeByTheThreadsThatRunAtOnce() {
        assertEquals(4_000, Report.cpuNsPerCycle(2_000, 2, 2), 1e-9);
        assertEquals(2_000, Report.cpuNsPerCycle(2_000, 1, 2), 1e-9);
        assertEquals(4_000, Report.cpuNsPerCycle(2_000, 4, 2), 1e-9); // two CPUs are all four threads get
    }

    @Test
    void aTracedStormWithoutAnUntracedOneInItsRoundIsLeftOut() {
        var report = new Report(new PrintStream(PrintStream.nullOutputStream()), SETTINGS, 100, List.of(
                storm(1, null, 50_000), storm(1, Tool.NETMON, 25_000), storm(2, Tool.NETMON, 10_000)));
        Stats added = report.added(1, Tool.NETMON);
        assertEquals(1, added.n());
        assertEquals(20_000, added.median(), 1e-6);
    }
}
