package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.cli.HostCheck;

/** The integration tests load real BPF programs: they fail, rather than skip, when not run as root. */
final class Privileges {
    private Privileges() {}

    static void requireRoot() throws Exception {
        String uid = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim();
        assertEquals("0", uid, "privileged integration tests must run as root (make test runs them; use sudo)");
        // The same check netmon runs, so tests attach on a host where tracefs is not mounted yet, as CI's is.
        assertEquals(java.util.Optional.empty(), HostCheck.problem(), "host cannot run netmon");
    }
}
