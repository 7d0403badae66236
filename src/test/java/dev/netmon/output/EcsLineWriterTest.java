package dev.netmon.output;

import static dev.netmon.output.Samples.BOOTED_AT_1_7E9;
import static dev.netmon.output.Samples.header;
import static dev.netmon.output.Samples.tcp;
import static dev.netmon.output.Samples.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.ContainerInfo;
import dev.netmon.event.Direction;
import dev.netmon.event.Enrichment;
import dev.netmon.event.EventHeader;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import dev.netmon.event.ProcessRef;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exact ECS lines. The community IDs here were computed apart from netmon, by a few lines of Python following the
 * spec (hashlib.sha1 over the packed tuple), which reproduce the spec's own baseline.
 */
class EcsLineWriterTest {
    private static final String HEAD = """
            {"@timestamp":"%s","ecs":{"version":"8.11.0"},"host":{"name":"node-a"},""";
    private static final String POD_UID = "8f1a2b3c-1111-2222-3333-444455556666";
    private static final ContainerInfo NGINX = new ContainerInfo("a".repeat(64), "app", "web-7d4b9", "shop", POD_UID,
            "containerd", "docker.io/library/nginx:1.27", Map.of("tier", "front", "app.kubernetes.io/name", "web"));

    @Test
    void connectInProgressIsAStartedConnection() throws IOException {
        var connect = new NetEvent.Connect(header(123_456_789, "curl"), tcp("10.0.0.1", 54321, "93.184.216.34", 443),
                -115);
        String expected = HEAD.formatted("2023-11-14T22:13:20.123456789Z") + """
                "event":{"kind":"event","category":["network"],"type":["connection","start"],\
                "action":"connect","outcome":"success"},\
                "network":{"transport":"tcp","type":"ipv4","direction":"egress","iana_number":"6",\
                "community_id":"1:G3FijR2dTdAgKnyTbLDj8YAjr4E="},\
                "source":{"ip":"10.0.0.1","port":54321},"destination":{"ip":"93.184.216.34","port":443},\
                "process":{"pid":1234,"name":"curl","thread":{"id":1235}},"user":{"id":"1000"},\
                "netmon":{"netns":4026531840,"cgroup_id":42,"result":"in_progress","enrichment":"none"}}""";
        assertEquals(List.of(expected), write(false, connect));
    }

    @Test
    void podConnectionNamesContainerAndPodWithLabels() throws IOException {
        var line = new Attributed(
                new NetEvent.Connect(header(0, "nginx"), udp("10.244.1.7", 40000, "10.96.0.10", 53), 0),
                new Attribution(NGINX, null, Enrichment.FULL, "/kubepods/besteffort/pod8f1a/" + "a".repeat(64)));
        String expected = HEAD.formatted("2023-11-14T22:13:20.000000000Z") + """
                "event":{"kind":"event","category":["network"],"type":["connection","start"],\
                "action":"connect","outcome":"success"},\
                "network":{"transport":"udp","type":"ipv4","direction":"egress","iana_number":"17",\
                "community_id":"1:BtrfrO+CQ3HNV+91cD9KIJew39M="},\
                "source":{"ip":"10.244.1.7","port":40000},"destination":{"ip":"10.96.0.10","port":53},\
                "process":{"pid":1234,"name":"nginx","thread":{"id":1235}},"user":{"id":"1000"},\
                "container":{"id":"%s","name":"app","image":{"name":"docker.io/library/nginx:1.27"},\
                "runtime":"containerd"},\
                "orchestrator":{"type":"kubernetes","namespace":"shop","resource":{"type":"pod","name":"web-7d4b9",\
                "id":"%s","label":["app.kubernetes.io/name:web","tier:front"]}},\
                "netmon":{"netns":4026531840,"cgroup_id":42,"result":"ok","enrichment":"full"}}"""
                .formatted("a".repeat(64), POD_UID);
        assertEquals(List.of(expected), write(true, line));
        assertFalse(write(false, line).getFirst().contains("\"label\""), "labels only with --pod-labels");
    }

    @Test
    void refusedConnectIsAFailureNamingTheErrno() throws IOException {
        var connect = new NetEvent.Connect(header(0, "curl"), tcp("0.0.0.0", 0, "10.0.0.9", 8080), -111);
        String expected = HEAD.formatted("2023-11-14T22:13:20.000000000Z") + """
                "event":{"kind":"event","category":["network"],"type":["connection","start"],\
                "action":"connect","outcome":"failure"},\
                "network":{"transport":"tcp","type":"ipv4","direction":"egress","iana_number":"6",\
                "community_id":"1:EXQf+SPCOhQ3sP1ZMtAw2YBFvbQ="},\
                "source":{"ip":"0.0.0.0","port":0},"destination":{"ip":"10.0.0.9","port":8080},\
                "process":{"pid":1234,"name":"curl","thread":{"id":1235}},"user":{"id":"1000"},\
                "netmon":{"netns":4026531840,"cgroup_id":42,"result":"ECONNREFUSED","enrichment":"none"}}""";
        assertEquals(List.of(expected), write(false, connect));
    }

    /** The peer initiated, so it is the source: what it sent is what sshd received. */
    @Test
    void inboundCloseGivesEachSideTheBytesItSent() throws IOException {
        var close = new NetEvent.Close(header(2_000_000_000, "sshd"), tcp("10.0.0.2", 50000, "10.0.0.1", 22),
                Direction.INBOUND, 2_032_075, new NetEvent.Traffic(1074, 79));
        var line = new Attributed(close, new Attribution(null, "sshd.service", Enrichment.FULL, "/system.slice/ssh"));
        String expected = HEAD.formatted("2023-11-14T22:13:22.000000000Z") + """
                "event":{"kind":"event","category":["network"],"type":["connection","end"],\
                "action":"close","outcome":"success","duration":2032075},\
                "network":{"transport":"tcp","type":"ipv4","direction":"ingress","iana_number":"6",\
                "community_id":"1:v7pSc5dyKkzIPvvMHBh2wvBIa1w="},\
                "source":{"ip":"10.0.0.2","port":50000,"bytes":79},\
                "destination":{"ip":"10.0.0.1","port":22,"bytes":1074},\
                "process":{"pid":1234,"name":"sshd","thread":{"id":1235}},"user":{"id":"1000"},\
                "netmon":{"netns":4026531840,"cgroup_id":42,"unit":"sshd.service","enrichment":"full"}}""";
        assertEquals(List.of(expected), write(false, line));
    }

    @Test
    void outboundCloseGivesTheSourceWhatThisHostSent() throws IOException {
        var close = new NetEvent.Close(header(0, "curl"), tcp("10.0.0.1", 41000, "10.0.0.2", 80),
                Direction.OUTBOUND, 5, new NetEvent.Traffic(1074, 79));
        var json = JsonLines.parse(write(false, close).getFirst());
        assertEquals(1074, json.at("/source/bytes").asLong());
        assertEquals(79, json.at("/destination/bytes").asLong());
        assertEquals("egress", json.at("/network/direction").asText());
    }

    @Test
    void udpCloseHasNoByteCounts() throws IOException {
        var close = new NetEvent.Close(header(0, "dns"), udp("::1", 5353, "::1", 53), Direction.OUTBOUND, 2_500, null);
        var json = JsonLines.parse(write(false, close).getFirst());
        assertEquals("ipv6", json.at("/network/type").asText());
        assertEquals("udp", json.at("/network/transport").asText());
        assertEquals("1:WZ30zOwJJSUFy1VkfKdgMFatXTM=", json.at("/network/community_id").asText());
        assertEquals(2_500, json.at("/event/duration").asLong());
        assertTrue(json.at("/source/bytes").isMissingNode());
        assertTrue(json.at("/destination/bytes").isMissingNode());
    }

    @Test
    void lostLineIsAMetric() throws IOException {
        String expected = HEAD.formatted("2023-11-14T22:13:21.000000000Z") + """
                "event":{"kind":"metric","category":["network"],"type":["info"],"action":"lost"},\
                "netmon":{"lost":{"count":7,"total":19},"buffer":"perf"}}""";
        assertEquals(List.of(expected), write(false, new Lost(1_000_000_000, 7, 19, "perf")));
    }

    /** A process that only shares a pod's network namespace: the pod is known, no container is. */
    @Test
    void podWithoutContainerHasOrchestratorOnly() throws IOException {
        var pod = new ContainerInfo(null, null, "web-7d4b9", "shop", POD_UID, null, null, Map.of());
        var line = new Attributed(new NetEvent.Accept(header(0, "x"), tcp("10.0.0.2", 80, "10.0.0.1", 41000)),
                new Attribution(pod, null, Enrichment.FULL, null));
        var json = JsonLines.parse(write(true, line).getFirst());
        assertTrue(json.get("container") == null);
        assertEquals("web-7d4b9", json.at("/orchestrator/resource/name").asText());
        assertTrue(json.at("/orchestrator/resource/label").isMissingNode(), "no labels known, no empty array");
        assertEquals("ingress", json.at("/network/direction").asText());
        assertEquals("accept", json.at("/event/action").asText());
    }

    @Test
    void uidIsAnUnsignedString() throws IOException {
        var header = new EventHeader(0, new ProcessRef(1, 1, -2, "x"), 0, 0, 0);
        var accept = new NetEvent.Accept(header, tcp("10.0.0.2", 80, "10.0.0.1", 41000));
        assertEquals("4294967294", JsonLines.parse(write(false, accept).getFirst()).at("/user/id").asText());
    }

    /** netmon.h's __u32 and __u64 values with the top bit set print as the kernel means them, never negative. */
    @Test
    void kernelValuesAreUnsigned() throws IOException {
        var header = new EventHeader(0, new ProcessRef(-1, -2, -1, "x"), -1, 0xffff_ffffL, -1);
        var close = new NetEvent.Close(header, tcp("10.0.0.1", 41000, "10.0.0.2", 80), Direction.OUTBOUND, -1,
                new NetEvent.Traffic(-2, -3));
        List<String> lines = write(false, close, new Lost(0, -1, -1, "ringbuf"));
        var json = JsonLines.parse(lines.get(0));
        assertEquals("4294967295", json.at("/process/pid").asText());
        assertEquals("4294967294", json.at("/process/thread/id").asText());
        assertEquals("18446744073709551615", json.at("/netmon/cgroup_id").asText());
        assertEquals("4294967295", json.at("/netmon/netns").asText());
        assertEquals("18446744073709551615", json.at("/event/duration").asText());
        assertEquals("18446744073709551614", json.at("/source/bytes").asText());
        assertEquals("18446744073709551613", json.at("/destination/bytes").asText());
        var lost = JsonLines.parse(lines.get(1));
        assertEquals("18446744073709551615", lost.at("/netmon/lost/count").asText());
        assertEquals("18446744073709551615", lost.at("/netmon/lost/total").asText());
    }

    private static List<String> write(boolean podLabels, LogLine... lines) throws IOException {
        return JsonLines.writeWith(List.of(lines), out -> new EcsLineWriter(out, JsonLines.NODE, BOOTED_AT_1_7E9, podLabels));
    }
}
