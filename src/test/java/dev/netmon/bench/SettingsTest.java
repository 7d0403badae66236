package dev.netmon.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** make bench's knobs, and the JIT column's thread names, checked against this very JVM. */
class SettingsTest {
    private static final Path HOME = Path.of(".");

    private static Settings with(Map<String, String> env) {
        return Settings.fromEnvironment(HOME, env::get);
    }

    @Test
    void unsetKnobsTakeTheirDefaults() {
        Settings s = with(Map.of());
        assertEquals(3, s.runs());
        assertEquals(5, s.seconds());
        assertTrue(s.floor());
        assertFalse(s.soak());
    }

    @Test
    void aKnobSetWrongIsNamedWithItsRange() {
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
                () -> with(Map.of("BENCH_RUNS", "abc")));
        assertEquals("BENCH_RUNS must be a number from 1.0 to 20.0, got abc", notANumber.getMessage());
        IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class,
                () -> with(Map.of("BENCH_FLOOR", "2")));
        assertEquals("BENCH_FLOOR must be from 0.0 to 1.0, got 2", outOfRange.getMessage());
    }

    /** The names Proc.compilerTicks sums are the names this JDK gives its JIT threads. */
    @Test
    void theJitThreadsOfThisJvmAreFoundByName() throws IOException {
        List<String> comms = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                comms.add(Files.readString(task.resolve("comm")).strip());
            }
        }
        assertTrue(comms.stream().anyMatch(Proc::isCompilerThread), "no JIT thread among " + comms);
        assertTrue(comms.stream().filter(Proc::isCompilerThread).count() < comms.size(), "not every thread: " + comms);
    }
}
