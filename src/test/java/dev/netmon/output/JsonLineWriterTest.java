package dev.netmon.output;

import static dev.netmon.output.Samples.BOOTED_AT_1_7E9;
import static dev.netmon.output.Samples.header;
import static dev.netmon.output.Samples.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Enrichment;
import dev.netmon.event.EventHeader;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import dev.netmon.event.ProcessRef;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exact lines, because downstream parsers match on them; the properties cover the rest of the space. */
class JsonLineWriterTest {
    // The exact lines, as constants so that other tests (the schema's) can hold them too.
    static final String CONNECT_LINE = """
            {"timestamp":"2023-11-14T22:13:20.123456789Z","node":"node-a","schema":"netmon/1",\
            "type":"CONNECT","protocol":"TCP","family":"IPv4","direction":"outbound",\
            "src_ip":"10.0.0.1","src_port":54321,"dst_ip":"93.184.216.34","dst_port":443,\
            "pid":1234,"tid":1235,"uid":1000,"process":"curl","netns":4026531840,"cgroup_id":42,\
            "result":"in_progress","container":null,"unit":null,"enrichment":"none"}""";
    static final String POD_LINE = """
            {"timestamp":"2023-11-14T22:13:20.000000000Z","node":"node-a","schema":"netmon/1",\
            "type":"CONNECT","protocol":"UDP","family":"IPv4","direction":"outbound",\
            "src_ip":"10.244.1.7","src_port":40000,"dst_ip":"10.96.0.10","dst_port":53,\
            "pid":1234,"tid":1235,"uid":1000,"process":"nginx","netns":4026531840,"cgroup_id":42,\
            "result":"ok","container":{"container_id":"%s","container_name":"app",\
            "pod_name":"web-7d4b9","pod_namespace":"shop","pod_uid":"8f1a2b3c-1111-2222-3333-444455556666",\
            "runtime":"containerd","image":"docker.io/library/nginx:1.27"},"unit":null,"enrichment":"full"}"""
            .formatted("a".repeat(64));
    static final String CLOSE_LINE = """
            {"timestamp":"2023-11-14T22:13:25.500000000Z","node":"node-a","schema":"netmon/1",\
            "type":"CLOSE","protocol":"TCP","family":"IPv6","direction":"inbound",\
            "src_ip":"2001:db8::7","src_port":50412,"dst_ip":"fd00::1","dst_port":8443,\
            "pid":1234,"tid":1235,"uid":1000,"process":"envoy","netns":4026531840,"cgroup_id":42,\
            "duration_ns":5500000000,"bytes_sent":1074,"bytes_received":79,\
            "container":{"container_id":"%s","container_name":"proxy",\
            "pod_name":"web-7d4b9","pod_namespace":"shop","pod_uid":"8f1a2b3c-1111-2222-3333-444455556666",\
            "runtime":"cri-o","image":"quay.io/example/envoy:1.31",\
            "pod_labels":{"app.kubernetes.io/name":"web","tier":"front"}},"unit":null,"enrichment":"full"}"""
            .formatted("b".repeat(64));
    static final String LOST_LINE = """
            {"timestamp":"2023-11-14T22:13:21.000000000Z","node":"node-a","schema":"netmon/1",\
            "type":"LOST","count":7,"total":19,"buffer":"perf"}""";

    @Test
    void connectLine() throws IOException {
        var flow = tcp("10.0.0.1", 54321, "93.184.216.34", 443);
        var connect = new NetEvent.Connect(header(123_456_789, "curl"), flow, -115);
        assertEquals(List.of(CONNECT_LINE), JsonLines.write(List.of(connect), BOOTED_AT_1_7E9));
    }

    @Test
    void containerLineNamesThePod() throws IOException {
        var flow = tcp("10.244.1.7", 40000, "10.96.0.10", 53);
        var container = new ContainerInfo("a".repeat(64), "app", "web-7d4b9", "shop", "8f1a2b3c-1111-2222-3333-444455556666",
                "containerd", "docker.io/library/nginx:1.27", Map.of("app", "web", "tier", "front"));
        var line = new Attributed(new NetEvent.Connect(header(0, "nginx"), flow, 0),
                new Attribution(container, null, Enrichment.FULL, "/kubepods/besteffort/pod8f1a/" + "a".repeat(64)));
        var udp = new Attributed(new NetEvent.Connect(header(0, "nginx"),
                new dev.netmon.event.Flow(dev.netmon.event.Protocol.UDP, flow.family(), flow.src(), flow.dst()), 0),
                line.attribution());
        assertEquals(List.of(POD_LINE), JsonLines.write(List.of(udp), BOOTED_AT_1_7E9));
    }

    @Test
    void closeLineOfAPodWithItsLabels() throws IOException {
        var container = new ContainerInfo("b".repeat(64), "proxy", "web-7d4b9", "shop",
                "8f1a2b3c-1111-2222-3333-444455556666", "cri-o", "quay.io/example/envoy:1.31",
                Map.of("tier", "front", "app.kubernetes.io/name", "web"));
        var close = new NetEvent.Close(header(5_500_000_000L, "envoy"), tcp("2001:db8::7", 50412, "fd00::1", 8443),
                Direction.INBOUND, 5_500_000_000L, new NetEvent.Traffic(1074, 79));
        var line = new Attributed(close, new Attribution(container, null, Enrichment.FULL, null));
        assertEquals(List.of(CLOSE_LINE), JsonLines.write(List.of(line), BOOTED_AT_1_7E9, true));
    }

    @Test
    void podLabelsOnlyOnRequestAndSorted() throws IOException {
        var container = new ContainerInfo(null, null, "p", "ns", null, null, null, Map.of("z", "1", "a", "2"));
        var line = new Attributed(new NetEvent.Accept(header(0, "x"), tcp("10.0.0.2", 80, "10.0.0.1", 41000)),
                new Attribution(container, null, Enrichment.FULL, null));
        var out = new java.io.ByteArrayOutputStream();
        var writer = new JsonLineWriter(out, "n", ns -> ns, true);
        writer.write(line);
        writer.flush();
        var json = JsonLines.parse(out.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
        assertEquals("{\"a\":\"2\",\"z\":\"1\"}", json.get("container").get("pod_labels").toString());
        var plain = JsonLines.parse(JsonLines.write(List.of(line), BOOTED_AT_1_7E9).getFirst());
        assertTrue(plain.get("container").get("pod_labels") == null, "pod_labels without --pod-labels");
    }

    @Test
    void hostProcessCarriesItsUnit() throws IOException {
        var line = new Attributed(new NetEvent.Accept(header(0, "sshd"), tcp("10.0.0.2", 50000, "10.0.0.1", 22)),
                new Attribution(null, "sshd.service", Enrichment.FULL, "/system.slice/sshd.service"));
        var json = JsonLines.parse(JsonLines.write(List.of(line), BOOTED_AT_1_7E9).getFirst());
        assertTrue(json.get("container").isNull());
        assertEquals("sshd.service", json.get("unit").asText());
        assertEquals("full", json.get("enrichment").asText());
    }

    @Test
    void lostLine() throws IOException {
        assertEquals(List.of(LOST_LINE),
                JsonLines.write(List.of(new Lost(1_000_000_000, 7, 19, "perf")), BOOTED_AT_1_7E9));
    }

    @Test
    void closeWithoutByteCountsSaysNull() throws IOException {
        var close = new NetEvent.Close(
                header(0, "dns"), tcp("::1", 5353, "::1", 53), Direction.INBOUND, 2_500, null);
        var json = JsonLines.parse(JsonLines.write(List.of(close), BOOTED_AT_1_7E9).getFirst());
        assertEquals("IPv6", json.get("family").asText());
        assertEquals("::1", json.get("src_ip").asText());
        assertEquals("inbound", json.get("direction").asText());
        assertEquals(2_500, json.get("duration_ns").asLong());
        assertTrue(json.get("bytes_sent").isNull());
        assertTrue(json.get("bytes_received").isNull());
    }

    @Test
    void processNamesThatNeedEscapingStayValidJson() throws IOException {
        String name = "a\"b\\c\n\t\u0001\u007f\u2028é日本🦀";
        var accept = new NetEvent.Accept(header(0, name), tcp("10.0.0.2", 80, "10.0.0.1", 41000));
        var json = JsonLines.parse(JsonLines.write(List.of(accept), BOOTED_AT_1_7E9).getFirst());
        assertEquals(name, json.get("process").asText());
    }

    /** netmon.h declares ids and counters __u32 and __u64; Java holds them signed, the line must not. */
    @Test
    void kernelIdsAndCountersAreUnsigned() throws IOException {
        var header = new EventHeader(0, new ProcessRef(-1, -3, -2, "x"), -1, 0, 0);
        var close = new NetEvent.Close(header, tcp("10.0.0.2", 80, "10.0.0.1", 41000), Direction.INBOUND,
                Long.MIN_VALUE, new NetEvent.Traffic(-2, Long.MAX_VALUE));
        String line = JsonLines.write(List.of(close), BOOTED_AT_1_7E9).getFirst();
        assertTrue(line.contains("""
                "pid":4294967295,"tid":4294967293,"uid":4294967294,"process":"x","netns":0,\
                "cgroup_id":18446744073709551615,"duration_ns":9223372036854775808,\
                "bytes_sent":18446744073709551614,"bytes_received":9223372036854775807,"""), line);
    }
}
