package dev.netmon.output;

import static dev.netmon.output.JsonLineWriterTest.CLOSE_LINE;
import static dev.netmon.output.JsonLineWriterTest.CONNECT_LINE;
import static dev.netmon.output.JsonLineWriterTest.LOST_LINE;
import static dev.netmon.output.JsonLineWriterTest.POD_LINE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.event.Direction;
import dev.netmon.event.Endpoint;
import dev.netmon.event.EventArbitraries;
import dev.netmon.event.EventHeader;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
import dev.netmon.event.NetEvent;
import dev.netmon.event.ProcessRef;
import dev.netmon.event.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * schema/netmon-v1.schema.json against lines whose verdict is known: what the writer prints and README shows passes,
 * and hand-broken lines fail for the field that was broken, so that the schema is seen to be able to fail.
 */
class JsonSchemaTest {

    @Test
    void isADraft2020_12Schema() {
        assertEquals(List.of(), NetmonSchema.metaSchemaErrors());
    }

    @ParameterizedTest
    @MethodSource("writerLines")
    void writerLinesValidate(String line) {
        assertEquals(List.of(), NetmonSchema.errors(line), line);
    }

    static Stream<String> writerLines() {
        return Stream.of(CONNECT_LINE, POD_LINE, CLOSE_LINE, LOST_LINE);
    }

    /** The largest value of every kernel field, and an IPv6 line whose peer the decoder turned into IPv4. */
    @Test
    void extremesTheWriterCanPrintValidate() throws IOException {
        var header = new EventHeader(Long.MAX_VALUE, new ProcessRef(-1, -1, -1, "x"), -1, 0xffff_ffffL, -1);
        // A dual-stack socket bound to ::1 connecting to ::ffff:127.0.0.1: only one end is mapped, so the line
        // stays IPv6 and that end (an Inet4Address in Java) prints as plain IPv4.
        var mixed = new Flow(Protocol.UDP, Family.IPv6, endpoint("::1", 65535), endpoint("::ffff:127.0.0.1", 0));
        var close = new NetEvent.Close(header, mixed, Direction.OUTBOUND, -1, new NetEvent.Traffic(-1, -1));
        var connect = new NetEvent.Connect(header, mixed, -4095);
        for (String line : JsonLines.write(List.of(close, connect), ns -> ns)) {
            assertTrue(line.contains("\"dst_ip\":\"127.0.0.1\""), line);
            assertEquals(List.of(), NetmonSchema.errors(line), line);
        }
    }

    /** The lines README shows under "What you get" are lines of this schema. */
    @Test
    void readmeExamplesValidate() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("basedir", "."), "README.md"));
        int start = readme.indexOf("```json\n", readme.indexOf("## What you get")) + "```json\n".length();
        List<String> examples = readme.substring(start, readme.indexOf("```", start)).lines().toList();
        assertEquals(4, examples.size(), "CONNECT, ACCEPT, CLOSE and LOST");
        for (String line : examples) {
            assertEquals(List.of(), NetmonSchema.errors(line), line);
        }
    }

    /** One edit of a valid line; {@code field} is what the schema must name in its complaint. */
    record Edit(String why, String line, String from, String to, String field) {
        String apply() {
            String edited = line.replace(from, to);
            assertNotEquals(line, edited, why + ": '" + from + "' is not in the line");
            return edited;
        }

        @Override
        public String toString() {
            return why;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void acceptedVariants(Edit edit) {
        String line = edit.apply();
        assertEquals(List.of(), NetmonSchema.errors(line), line);
    }

    static Stream<Edit> acceptedVariants() {
        String podId = "\"container_id\":\"" + "a".repeat(64) + "\"";
        return Stream.of(
                new Edit("UDP close without byte counts", CLOSE_LINE,
                        "\"bytes_sent\":1074,\"bytes_received\":79", "\"bytes_sent\":null,\"bytes_received\":null", ""),
                new Edit("pod known by its netns only", POD_LINE, podId, "\"container_id\":null", ""),
                new Edit("runtime not known", POD_LINE, "\"runtime\":\"containerd\"", "\"runtime\":null", ""),
                new Edit("errno without a name", CONNECT_LINE, "\"in_progress\"", "\"E4095\"", ""),
                new Edit("errno by name", CONNECT_LINE, "\"in_progress\"", "\"ECONNREFUSED\"", ""),
                new Edit("the earliest timestamp", CONNECT_LINE,
                        "2023-11-14T22:13:20.123456789Z", "1677-09-21T00:12:43.145224192Z", ""),
                new Edit("a host process in its unit", CONNECT_LINE,
                        "\"unit\":null,\"enrichment\":\"none\"", "\"unit\":\"sshd.service\",\"enrichment\":\"full\"", ""),
                new Edit("an empty node name", CONNECT_LINE,
                        "\"node\":\"node-a\",", "\"node\":\"\",", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void rejectedLines(Edit edit) {
        String line = edit.apply();
        List<String> errors = NetmonSchema.errors(line);
        assertFalse(errors.isEmpty(), edit.why() + " passed: " + line);
        assertTrue(errors.stream().anyMatch(e -> e.contains(edit.field())), edit.field() + " not named in " + errors);
    }

    static Stream<Edit> rejectedLines() {
        String podId = "\"container_id\":\"" + "a".repeat(64) + "\"";
        return Stream.of(
                // a field missing, or one too many for the type
                new Edit("CONNECT without result", CONNECT_LINE, "\"result\":\"in_progress\",", "", "result"),
                new Edit("no schema version", CONNECT_LINE, "\"schema\":\"netmon/1\",", "", "schema"),
                new Edit("no type", LOST_LINE, "\"type\":\"LOST\",", "", "type"),
                new Edit("CLOSE without bytes_received", CLOSE_LINE, ",\"bytes_received\":79", "", "bytes_received"),
                new Edit("container without image", POD_LINE,
                        ",\"image\":\"docker.io/library/nginx:1.27\"", "", "image"),
                new Edit("CLOSE with result", CLOSE_LINE, "\"duration_ns\"", "\"result\":\"ok\",\"duration_ns\"",
                        "result"),
                new Edit("ACCEPT with result", CONNECT_LINE,
                        "\"type\":\"CONNECT\",\"protocol\":\"TCP\",\"family\":\"IPv4\",\"direction\":\"outbound\"",
                        "\"type\":\"ACCEPT\",\"protocol\":\"TCP\",\"family\":\"IPv4\",\"direction\":\"inbound\"", "result"),
                new Edit("LOST with pid", LOST_LINE, "\"count\":7", "\"pid\":1,\"count\":7", "pid"),
                new Edit("dotted extra beside container", CONNECT_LINE,
                        "\"unit\":null", "\"container.pod_name\":\"web\",\"unit\":null", "container.pod_name"),
                new Edit("dotted extra inside container", POD_LINE,
                        "\"image\":", "\"pod.name\":\"web\",\"image\":", "pod.name"),
                // a value of the wrong type or outside its range
                new Edit("port as a string", CONNECT_LINE, "\"src_port\":54321", "\"src_port\":\"54321\"", "src_port"),
                new Edit("port above 65535", CONNECT_LINE, "\"dst_port\":443", "\"dst_port\":65536", "dst_port"),
                new Edit("negative pid", CONNECT_LINE, "\"pid\":1234", "\"pid\":-1", "pid"),
                new Edit("uid above 32 bits", CONNECT_LINE, "\"uid\":1000", "\"uid\":4294967296", "uid"),
                new Edit("cgroup id above 64 bits", CONNECT_LINE,
                        "\"cgroup_id\":42", "\"cgroup_id\":18446744073709551616", "cgroup_id"),
                new Edit("fractional netns", CONNECT_LINE, "\"netns\":4026531840", "\"netns\":4026531840.5", "netns"),
                new Edit("negative byte count", CLOSE_LINE, "\"bytes_received\":79", "\"bytes_received\":-1",
                        "bytes_received"),
                new Edit("process null", CONNECT_LINE, "\"process\":\"curl\"", "\"process\":null", "process"),
                new Edit("LOST of nothing", LOST_LINE, "\"count\":7", "\"count\":0", "count"),
                // a string outside its format or its set
                new Edit("microsecond timestamp", CONNECT_LINE, ".123456789Z", ".123456Z", "timestamp"),
                new Edit("timestamp with an offset", CONNECT_LINE, ".123456789Z", ".123456789+00:00", "timestamp"),
                new Edit("February 30th", CONNECT_LINE, "2023-11-14T", "2023-02-30T", "timestamp"),
                new Edit("next schema version", CONNECT_LINE, "\"netmon/1\"", "\"netmon/2\"", "schema"),
                new Edit("unknown type", LOST_LINE, "\"type\":\"LOST\"", "\"type\":\"BIND\"", "type"),
                new Edit("unknown protocol", CONNECT_LINE, "\"TCP\"", "\"SCTP\"", "protocol"),
                new Edit("CONNECT inbound", CONNECT_LINE, "\"outbound\"", "\"inbound\"", "direction"),
                new Edit("IPv4 octet above 255", CONNECT_LINE, "\"10.0.0.1\"", "\"10.0.0.256\"", "src_ip"),
                new Edit("IPv6 address on an IPv4 line", CONNECT_LINE,
                        "\"93.184.216.34\"", "\"2001:db8::1\"", "dst_ip"),
                new Edit("IPv6 with leading zeros", CLOSE_LINE, "\"2001:db8::7\"", "\"2001:0db8::7\"", "src_ip"),
                new Edit("IPv6 in capitals", CLOSE_LINE, "\"fd00::1\"", "\"FD00::1\"", "dst_ip"),
                new Edit("'::' for a single zero group", CLOSE_LINE,
                        "\"2001:db8::7\"", "\"2001:db8:1:2:3:4::7\"", "src_ip"),
                new Edit("IPv6 with a dotted tail", CLOSE_LINE, "\"fd00::1\"", "\"::ffff:127.0.0.1\"", "dst_ip"),
                new Edit("result that is no errno", CONNECT_LINE, "\"in_progress\"", "\"refused\"", "result"),
                new Edit("short container id", POD_LINE, podId, "\"container_id\":\"aaaaaaaaaaaa\"", "container_id"),
                new Edit("runtime outside the four", POD_LINE, "\"containerd\"", "\"crun\"", "runtime"),
                new Edit("label that is not a string", CLOSE_LINE, "\"tier\":\"front\"", "\"tier\":3", "tier"),
                new Edit("unknown enrichment", CONNECT_LINE, "\"none\"", "\"unknown\"", "enrichment"),
                new Edit("unknown buffer", LOST_LINE, "\"perf\"", "\"ring\"", "buffer"));
    }

    private static Endpoint endpoint(String ip, int port) {
        return new Endpoint(EventArbitraries.literal(ip), port);
    }
}
