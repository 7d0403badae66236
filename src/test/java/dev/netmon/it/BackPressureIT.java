package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Known workloads against the limits: a reader of stdout that stops reading (the output queue fills, events are
 * dropped and reported) and a cgroup over its rate limit. In the end every generated event is accounted for.
 */
@Tag("privileged")
class BackPressureIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECTS = 20_000;

    @Test
    void deliveredPlusDroppedPlusLostIsWhatTheWorkloadGenerated() throws Exception {
        Privileges.requireRoot();
        // The workload waits for "go" on stdin, so that netmon can filter on its pid before it starts.
        Process workload = new ProcessBuilder("bash", "-c", "read go; for ((i = 0; i < " + CONNECTS + "; i++)); do"
                + " exec 3<>/dev/udp/127.0.0.1/9; exec 3>&-; done").start();
        Process netmon = new ProcessBuilder(NetmonProcess.LAUNCHER.toString(), "--no-cri", "--events", "connect",
                "--pid", Long.toString(workload.pid()), "--queue-size", "64").start();
        netmon.getOutputStream().close();
        try {
            awaitAttached(netmon);
            // Nothing reads netmon's stdout while the workload runs: the pipe (64 KiB) and the queue fill up.
            try (OutputStream go = workload.getOutputStream()) {
                go.write("go\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertTrue(workload.waitFor(120, TimeUnit.SECONDS), "the workload finished");
            assertEquals(0, workload.exitValue());
            netmon.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its stdout)
            List<JsonNode> lines = new ArrayList<>();
            try (BufferedReader r = netmon.inputReader(StandardCharsets.UTF_8)) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(JSON.readTree(l));
                }
            }
            assertTrue(netmon.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, netmon.exitValue());

            long delivered = lines.stream().filter(n -> n.path("type").asText().equals("CONNECT")
                    && n.path("pid").asLong() == workload.pid()).count();
            long dropped = sum(lines, "DROPPED");
            long lost = sum(lines, "LOST");
            System.out.println("BackPressureIT: " + summary(delivered, dropped, lost));
            assertTrue(dropped > 0, () -> "a stalled reader makes netmon drop: " + summary(delivered, dropped, lost));
            assertEquals(CONNECTS, delivered + dropped + lost, () -> summary(delivered, dropped, lost));
            assertTrue(lines.stream().filter(n -> n.path("type").asText().equals("DROPPED"))
                    .allMatch(n -> n.path("reason").asText().equals("output_slow")));
        } finally {
            workload.destroyForcibly();
            netmon.destroyForcibly();
        }
    }

    @Test
    void aCgroupOverItsRateIsSummarisedAndEveryEventAccountedFor() throws Exception {
        Privileges.requireRoot();
        Process workload = new ProcessBuilder("bash", "-c", "read go; for ((i = 0; i < 3000; i++)); do"
                + " exec 3<>/dev/udp/127.0.0.1/9; exec 3>&-; done").start();
        try (NetmonProcess netmon = NetmonProcess.start("--no-cri", "--events", "connect", "--pid",
                Long.toString(workload.pid()), "--rate-limit", "100")) {
            netmon.awaitAttached();
            try (OutputStream go = workload.getOutputStream()) {
                go.write("go\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertTrue(workload.waitFor(60, TimeUnit.SECONDS), "the workload finished");
            netmon.toHandle().destroy();
            assertEquals(0, netmon.awaitExit());
            List<JsonNode> lines = new ArrayList<>();
            for (String l : netmon.stdout()) {
                lines.add(JSON.readTree(l));
            }
            long delivered = lines.stream().filter(n -> n.path("type").asText().equals("CONNECT")).count();
            long limited = sum(lines, "RATE_LIMITED");
            System.out.println("BackPressureIT: rate limit 100/s, 3000 connects: delivered " + delivered
                    + ", rate-limited " + limited);
            assertEquals(3000, delivered + limited, "every event delivered or summarised");
            assertTrue(limited > 0, "3000 connects in well under 29 s exceed 100/s");
            long cgroup = lines.stream().filter(n -> n.path("type").asText().equals("CONNECT")).findFirst()
                    .orElseThrow().path("cgroup_id").asLong();
            assertTrue(lines.stream().filter(n -> n.path("type").asText().equals("RATE_LIMITED"))
                    .allMatch(n -> n.path("cgroup_id").asLong() == cgroup && n.path("limit_per_second").asLong() == 100),
                    () -> "summaries name the workload's cgroup: " + lines);
        } finally {
            workload.destroyForcibly();
        }
    }

    private static long sum(List<JsonNode> lines, String type) {
        return lines.stream().filter(n -> n.path("type").asText().equals(type)).mapToLong(n -> n.path("count").asLong())
                .sum();
    }

    private static String summary(long delivered, long dropped, long lost) {
        return "generated " + CONNECTS + ", delivered " + delivered + ", dropped " + dropped + ", lost " + lost;
    }

    private static void awaitAttached(Process netmon) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(netmon.getErrorStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TraceHarness.WAIT.toNanos();
        List<String> seen = new ArrayList<>();
        // readLine blocks until a line or EOF; netmon prints its "tracing with" line once attached, or exits.
        for (String l; System.nanoTime() - deadline < 0 && (l = err.readLine()) != null; ) {
            seen.add(l);
            if (l.startsWith("netmon: tracing with")) {
                Thread.ofPlatform().daemon().start(() -> err.lines().forEach(x -> {})); // keep stderr drained
                return;
            }
        }
        throw new AssertionError("netmon did not attach: " + seen);
    }
}
