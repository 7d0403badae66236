package dev.netmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.cli.OptionParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exit codes are the interface for scripts: 0 for help and version, 2 for a mistake on the command line. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream realOut;
    private PrintStream realErr;

    @BeforeEach
    void capture() {
        realOut = System.out;
        realErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(realOut);
        System.setErr(realErr);
    }

    @Test
    void unknownFlagIsOneLineOnStderrAndStatus2() {
        assertEquals(2, Main.run(new String[] {"--bogus"}));
        assertEquals("netmon: unknown option '--bogus' (see 'netmon --help')" + System.lineSeparator(), stderr());
        assertEquals("", stdout());
    }

    @Test
    void badMetricsAddressIsOneLineAndStatus2() {
        assertEquals(2, Main.run(new String[] {"--metrics-addr", "nonsense"}));
        assertEquals("netmon: --metrics-addr 'nonsense' is not an address (expected PORT, :PORT, IPV4:PORT or"
                + " [IPV6]:PORT, e.g. 127.0.0.1:9464) (see 'netmon --help')" + System.lineSeparator(), stderr());
    }

    @Test
    void helpGoesToStdout() {
        assertEquals(0, Main.run(new String[] {"--help"}));
        assertEquals(OptionParser.USAGE, stdout());
        assertEquals("", stderr());
    }

    @Test
    void versionGoesToStdout() {
        assertEquals(0, Main.run(new String[] {"--version"}));
        assertTrue(stdout().matches("netmon \\S+\\R"), stdout());
        assertEquals("", stderr());
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
