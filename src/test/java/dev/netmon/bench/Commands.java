package dev.netmon.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short helper commands (getconf, bpftool, sysctl): run to completion within a bound, output returned. */
final class Commands {
    private static final long TIMEOUT_S = 30;

    private Commands() {}

    static String output(List<String> command) throws IOException, InterruptedException {
        // Output goes to a file, not a pipe: a pipe that fills would stall the command past any timeout.
        Path out = Files.createTempFile("netmon-bench-cmd", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " took longer than " + TIMEOUT_S + " s");
            }
            String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
