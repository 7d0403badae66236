package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;

/** Exact-field expectations for events made by this JVM. */
final class Expect {
    private Expect() {}

    static Predicate<JsonNode> line(String type, long pid, InetSocketAddress src, InetSocketAddress dst) {
        return n -> n.path("type").asText().equals(type)
                && n.path("pid").asLong() == pid
                && n.path("src_port").asInt() == src.getPort()
                && n.path("dst_port").asInt() == dst.getPort();
    }

    static Predicate<JsonNode> connectTo(long pid, int dstPort) {
        return n -> n.path("type").asText().equals("CONNECT")
                && n.path("pid").asLong() == pid
                && n.path("dst_port").asInt() == dstPort;
    }

    /** The fields every event from this JVM carries, with the values /proc gives for it. */
    static void common(JsonNode n, String protocol, String family, String direction, String srcIp,
            InetSocketAddress src, String dstIp, InetSocketAddress dst) throws Exception {
        assertEquals(protocol, n.get("protocol").asText(), "protocol in " + n);
        assertEquals(family, n.get("family").asText(), "family in " + n);
        assertEquals(direction, n.get("direction").asText(), "direction in " + n);
        assertEquals(srcIp, n.get("src_ip").asText(), "src_ip in " + n);
        assertEquals(src.getPort(), n.get("src_port").asInt(), "src_port in " + n);
        assertEquals(dstIp, n.get("dst_ip").asText(), "dst_ip in " + n);
        assertEquals(dst.getPort(), n.get("dst_port").asInt(), "dst_port in " + n);
        process(n, Host.pid());
    }

    static void process(JsonNode n, long pid) throws IOException, InterruptedException {
        assertEquals(pid, n.get("pid").asLong(), "pid in " + n);
        assertEquals(Host.processName(pid), n.get("process").asText(), "process in " + n);
        assertEquals(Host.uid(), n.get("uid").asLong(), "uid in " + n);
        assertEquals(Host.netns(pid), n.get("netns").asLong(), "netns in " + n);
        assertEquals(Host.cgroupV2Id(), n.get("cgroup_id").asLong(), "cgroup_id in " + n);
        assertEquals("it-node", n.get("node").asText());
        assertTrue(n.get("container").isNull(), "container is null until CRI attribution");
        Instant at = Instant.parse(n.get("timestamp").asText());
        assertTrue(Math.abs(ChronoUnit.SECONDS.between(at, Instant.now())) < 60, "timestamp near now: " + at);
        assertTrue(n.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z"));
    }

    static void closeBytes(JsonNode close, long sent, long received) {
        assertEquals(sent, close.get("bytes_sent").asLong(), "bytes_sent in " + close);
        assertEquals(received, close.get("bytes_received").asLong(), "bytes_received in " + close);
        assertTrue(close.get("duration_ns").asLong() > 0, "duration_ns in " + close);
    }
}
