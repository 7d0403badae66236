package dev.netmon.bench;

import dev.netmon.output.WriteBench;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The per-event cost of each user-space stage, by JMH: decode, attribution from warm caches, serialisation per
 * format. Short settings (one fork, 2 x 1 s warm-up, 3 x 1 s measured) keep make bench bounded; the error column
 * says how far to trust them.
 */
final class Micro {
    /** One benchmark with its parameters, e.g. "DecodeBench.decode record=close-ipv4". */
    record Score(String name, double nsPerOp, double error) {}

    static final String SETTINGS = "JMH 1.37, 1 fork, 2 x 1 s warm-up, 3 x 1 s measured, average time";

    static List<Score> run() throws RunnerException {
        Options options = new OptionsBuilder()
                .include("dev\\.netmon\\..*Bench\\..*")
                .param("format", WriteBench.FORMATS.keySet().stream().sorted().toArray(String[]::new))
                .forks(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(3)
                .measurementTime(TimeValue.seconds(1))
                .timeUnit(TimeUnit.NANOSECONDS)
                // The distribution's collector and heap (src/dist/app/jvm.options), so allocation costs what it
                // costs there. JMH 1.37 reads fields through sun.misc.Unsafe, which JDK 25 warns about unless allowed.
                .jvmArgs("-XX:+UseSerialGC", "-Xmn8m", "-Xmx32m", "--enable-native-access=ALL-UNNAMED",
                        "--sun-misc-unsafe-memory-access=allow")
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build();
        List<Score> scores = new ArrayList<>();
        for (RunResult r : new Runner(options).run()) {
            var params = r.getParams();
            String benchmark = params.getBenchmark();
            StringBuilder name = new StringBuilder(benchmark.substring(benchmark.lastIndexOf('.',
                    benchmark.lastIndexOf('.') - 1) + 1));
            var values = new TreeMap<String, String>();
            for (String key : params.getParamsKeys()) {
                values.put(key, params.getParam(key));
            }
            values.forEach((k, v) -> name.append(' ').append(k).append('=').append(v));
            scores.add(new Score(name.toString(), r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError()));
        }
        scores.sort((a, b) -> a.name().compareTo(b.name()));
        return scores;
    }
}
