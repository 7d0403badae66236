package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** bin/netmon end to end: the launcher, flags, signals, a closed stdout, and every host problem a user can hit. */
@Tag("privileged")
class CliIT {
    /**
     * A shell prefix for a private mount namespace: no tracefs anywhere, or exit 3 if it stays mounted. Where
     * debugfs is mounted its tracing directory mounts tracefs again on first use: debugfs goes too.
     */
    private static final String UNMOUNT_TRACEFS =
            "umount /sys/kernel/debug/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null;"
                    + " umount /sys/kernel/tracing 2>/dev/null;"
                    + " if [ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ]; then"
                    + " echo still mounted >&2; exit 3; fi;";

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void root() throws Exception {
        Privileges.requireRoot();
    }

    @Test
    void countAndPidFilterStopAfterExactlyThatManyEvents() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.start("--count", "3", "--events", "connect", "--pid",
                String.valueOf(Host.pid()))) {
            netmon.awaitAttached();
            int port = closedPort();
            for (int i = 0; i < 5 && netmon.isAlive(); i++) {
                refusedConnect(port);
            }
            assertEquals(0, netmon.awaitExit(), "stderr: " + netmon.stderr());
            List<String> lines = netmon.stdout();
            assertEquals(3, lines.size(), "stdout: " + lines);
            for (String line : lines) {
                JsonNode n = JSON.readTree(line);
                assertEquals("CONNECT", n.get("type").asText());
                assertEquals(Host.pid(), n.get("pid").asLong());
                assertEquals(port, n.get("dst_port").asInt());
                assertEquals("ECONNREFUSED", n.get("result").asText());
            }
            assertNoStackTrace(netmon.stderr());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void signalDetachesEveryProgramAndExitsZero(String signal) throws Exception {
        java.util.Set<Long> programs;
        try (NetmonProcess netmon = NetmonProcess.start("--buffer", "perf")) {
            netmon.awaitAttached();
            // The programs this netmon holds, by id: other tracers on the host do not disturb the count.
            programs = bpfProgramsHeldBy(netmon.pid());
            assertEquals(5, programs.size(), "netmon's five tracepoint programs are loaded while it runs");
            // The launcher execs java, so its pid is the JVM's.
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(netmon.pid())).start();
            assertTrue(kill.waitFor(5, TimeUnit.SECONDS));
            assertEquals(0, netmon.awaitExit(), "stderr: " + netmon.stderr());
            assertNoStackTrace(netmon.stderr());
        }
        for (long id : programs) {
            Process show = new ProcessBuilder("bpftool", "prog", "show", "id", Long.toString(id))
                    .redirectErrorStream(true).start();
            show.getInputStream().readAllBytes();
            assertTrue(show.waitFor(10, TimeUnit.SECONDS));
            assertTrue(show.exitValue() != 0, "program " + id + " was detached and unloaded");
        }
    }

    /** prog_id of every BPF program fd open in {@code pid}, from /proc/PID/fdinfo. */
    private static java.util.Set<Long> bpfProgramsHeldBy(long pid) throws IOException {
        java.util.Set<Long> ids = new java.util.TreeSet<>();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(pid), "fdinfo"))) {
            for (var fd : fds.toList()) {
                try {
                    for (String l : java.nio.file.Files.readAllLines(fd)) {
                        if (l.startsWith("prog_id:")) {
                            ids.add(Long.parseLong(l.substring(8).trim()));
                        }
                    }
                } catch (IOException closedMeanwhile) {
                    // an fd that closed while listing is not one of the programs
                }
            }
        }
        return ids;
    }


    /** Each instance loads its own object, maps and links: both see the same connection, one's exit spares the other. */
    @Test
    void twoInstancesWorkIndependently() throws Exception {
        try (NetmonProcess first = NetmonProcess.start("--no-cri", "--events", "connect", "--pid", Long.toString(Host.pid()));
                NetmonProcess second = NetmonProcess.start("--no-cri", "--events", "connect", "--pid",
                        Long.toString(Host.pid()), "--buffer", "perf")) {
            first.awaitAttached();
            second.awaitAttached();
            int port = udpConnect();
            awaitLine(first, port);
            awaitLine(second, port);
            first.toHandle().destroy();
            assertEquals(0, first.awaitExit());
            int after = udpConnect();
            awaitLine(second, after);
        }
    }

    private static int udpConnect() throws Exception {
        try (var probe = java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET)) {
            probe.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            int port = ((java.net.InetSocketAddress) probe.getLocalAddress()).getPort();
            try (var c = java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET)) {
                c.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            }
            return port;
        }
    }

    private static void awaitLine(NetmonProcess netmon, int dstPort) throws Exception {
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (netmon.stdout().stream().anyMatch(l -> l.contains("\"dst_port\":" + dstPort + ","))) {
                return;
            }
            Thread.sleep(20); // polling the collected output; the deadline bounds it
        }
        throw new AssertionError("no CONNECT to port " + dstPort + ": " + netmon.stdout() + " " + netmon.stderr());
    }

    @Test
    void closedStdoutEndsNetmonCleanly() throws Exception {
        String cmd = "set -o pipefail; " + NetmonProcess.LAUNCHER + " --events connect --pid " + Host.pid()
                + " | head -1; echo \"netmon_status=${PIPESTATUS[0]}\"";
        try (NetmonProcess pipeline = NetmonProcess.command(Map.of(), "bash", "-c", cmd)) {
            pipeline.awaitAttached();
            int port = closedPort();
            // Keep making events until head has exited and netmon has noticed on its next write; bounded.
            for (int i = 0; i < 2000 && pipeline.isAlive(); i++) {
                refusedConnect(port);
            }
            assertEquals(0, pipeline.awaitExit());
            List<String> out = pipeline.stdout();
            assertEquals(2, out.size(), "one line through head, then the status: " + out);
            assertEquals("CONNECT", JSON.readTree(out.get(0)).get("type").asText());
            assertEquals("netmon_status=0", out.get(1));
            assertTrue(pipeline.stderr().stream().anyMatch(l -> l.contains("stdout closed")), "" + pipeline.stderr());
            assertNoStackTrace(pipeline.stderr());
        }
    }

    @Test
    void badFlagIsOneLineAndStatusTwo() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.start("--buffer", "mmap")) {
            assertEquals(2, netmon.awaitExit());
            assertEquals(List.of("netmon: unknown --buffer 'mmap' (expected ringbuf, perf or auto) (see 'netmon --help')"),
                    netmon.stderr());
            assertEquals(List.of(), netmon.stdout());
        }
    }

    @Test
    void helpAndVersion() throws Exception {
        try (NetmonProcess help = NetmonProcess.start("--help")) {
            assertEquals(0, help.awaitExit());
            assertTrue(help.stdout().getFirst().startsWith("Usage: netmon"), "" + help.stdout());
        }
        try (NetmonProcess version = NetmonProcess.start("--version")) {
            assertEquals(0, version.awaitExit());
            assertTrue(version.stdout().getFirst().matches("netmon \\d+\\.\\d+\\.\\d+.*"), "" + version.stdout());
        }
    }

    @Test
    void missingCapabilitiesAreNamed() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.command(Map.of(), "setpriv",
                "--bounding-set=-bpf,-perfmon,-sys_admin", "--", NetmonProcess.LAUNCHER.toString())) {
            assertEquals(1, netmon.awaitExit());
            assertEquals(List.of("netmon: missing capability CAP_BPF and CAP_PERFMON: run netmon as root"
                    + " (sudo netmon) or grant CAP_BPF and CAP_PERFMON"), netmon.stderr());
        }
    }

    @Test
    void notRootIsOneLine() throws Exception {
        // The checkout may sit in a directory only root can enter (a clone into mktemp -d is 0700): the user keeps
        // CAP_DAC_READ_SEARCH to read it, which is not a capability netmon asks for, so the answer is the same.
        try (NetmonProcess netmon = NetmonProcess.command(Map.of(), "setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--",
                "bash", NetmonProcess.LAUNCHER.toString())) {
            assertEquals(1, netmon.awaitExit());
            List<String> err = netmon.stderr();
            assertEquals(1, err.size(), "" + err);
            assertTrue(err.getFirst().startsWith("netmon: missing capability CAP_BPF and CAP_PERFMON"), "" + err);
        }
    }

    @Test
    void missingLibbpfIsOneLine() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.command(Map.of("NETMON_LIBBPF", "/nonexistent/libbpf.so.1"),
                NetmonProcess.LAUNCHER.toString())) {
            assertEquals(1, netmon.awaitExit());
            List<String> err = netmon.stderr();
            assertEquals(1, err.size(), "" + err);
            assertTrue(err.getFirst().startsWith("netmon: /nonexistent/libbpf.so.1 not found: install it with"),
                    "" + err);
        }
    }

    @Test
    void aCriSocketThatIsNoSocketIsOneLine() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.start("--cri-socket", "/etc/hostname")) {
            assertEquals(1, netmon.awaitExit());
            List<String> err = netmon.stderr();
            assertEquals(List.of("netmon: /etc/hostname is not a unix socket; --cri-socket names the runtime's socket,"
                    + " e.g. /run/containerd/containerd.sock"), err);
        }
    }

    @Test
    void aCriSocketThatDoesNotExistYetIsWaitedFor() throws Exception {
        try (NetmonProcess netmon = NetmonProcess.start("--cri-socket", "/run/netmon-it-absent/cri.sock",
                "--duration", "0.5")) {
            assertEquals(0, netmon.awaitExit(), () -> "" + netmon.stderr());
            assertTrue(netmon.stderr().stream().anyMatch(l -> l.contains("/run/netmon-it-absent/cri.sock")
                    && l.contains("enrichment: partial")), () -> "one warning names the socket: " + netmon.stderr());
        }
    }

    @Test
    void kernelWithoutBtfIsOneLine() throws Exception {
        // A private mount namespace where /sys/kernel/btf is an empty tmpfs: what a kernel without BTF shows.
        try (NetmonProcess netmon = NetmonProcess.command(Map.of(), "unshare", "--mount", "bash", "-c",
                "mount -t tmpfs none /sys/kernel/btf && exec " + NetmonProcess.LAUNCHER)) {
            assertEquals(1, netmon.awaitExit());
            List<String> err = netmon.stderr();
            assertEquals(1, err.size(), "" + err);
            assertTrue(err.getFirst().startsWith("netmon: this kernel has no BTF"), "" + err);
        }
    }

    @Test
    void unmountedTracefsIsMountedByNetmon() throws Exception {
        // A private mount namespace without tracefs anywhere: netmon mounts it and runs.
        String script = UNMOUNT_TRACEFS + " exec " + NetmonProcess.LAUNCHER + " --duration 0.5";
        try (NetmonProcess netmon = NetmonProcess.command(Map.of(), "unshare", "--mount", "bash", "-c", script)) {
            assertEquals(0, netmon.awaitExit(), "stderr: " + netmon.stderr());
            assertTrue(netmon.stderr().stream().anyMatch(l -> l.matches("netmon: tracing with 5 programs attached,"
                    + " ringbuf buffer, (typed task and socket|typed task|probe) reads; Ctrl-C stops")),
                    "" + netmon.stderr());
        }
    }

    /** No tracefs, and no CAP_SYS_ADMIN to mount it: one line naming the fix, exit 1. */
    @Test
    void tracefsThatCannotBeMountedIsOneLine() throws Exception {
        String script = UNMOUNT_TRACEFS + " exec setpriv --bounding-set=-sys_admin -- " + NetmonProcess.LAUNCHER
                + " --no-cri";
        try (NetmonProcess netmon = NetmonProcess.command(Map.of(), "unshare", "--mount", "bash", "-c", script)) {
            assertEquals(1, netmon.awaitExit(), "stderr: " + netmon.stderr());
            List<String> err = netmon.stderr();
            assertEquals(1, err.size(), "" + err);
            assertTrue(err.getFirst().startsWith("netmon: tracefs is not mounted and netmon could not mount it: run"
                    + " 'mount -t tracefs tracefs /sys/kernel/tracing'"), "" + err);
        }
    }

    private static void assertNoStackTrace(List<String> stderr) {
        assertFalse(stderr.stream().anyMatch(l -> l.contains("Exception") || l.startsWith("\tat ")),
                "no stack trace on stderr: " + stderr);
    }

    private static int closedPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    private static void refusedConnect(int port) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.INET)) {
            c.connect(new InetSocketAddress("127.0.0.1", port));
        } catch (java.net.ConnectException expected) {
            // refused, as intended
        }
    }
}
