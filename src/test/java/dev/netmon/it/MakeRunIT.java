package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, {@code sudo make run} (as root it is the same command without sudo), as written:
 * whatever installing and building print goes to stderr, so stdout is netmon's JSON alone and {@code | jq} works.
 */
@Tag("privileged")
class MakeRunIT {
    private static final String HOME = System.getProperty("netmon.home", ".");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void makeRunWritesOnlyJsonLinesToStdout() throws Exception {
        String args = "--duration 3 --events connect --no-cri --pid " + Host.pid();
        // Maven may run inside make (make test): the inner make must not join the outer one's job server.
        try (NetmonProcess run = NetmonProcess.command(Map.of(), "env", "-u", "MAKEFLAGS", "-u", "MAKELEVEL",
                "-u", "MFLAGS", "make", "--no-print-directory", "-C", HOME, "run", "ARGS=" + args);
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            run.awaitAttached();
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                server.accept().close();
            }
            assertEquals(0, run.awaitExit(), "stderr: " + run.stderr());

            List<String> stdout = run.stdout();
            List<JsonNode> lines = new ArrayList<>();
            for (String line : stdout) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (JsonProcessingException e) {
                    fail("stdout holds a line that is not JSON: '" + line + "'; all of stdout: " + stdout);
                }
            }
            assertFalse(lines.isEmpty(), "stderr: " + run.stderr());
            assertTrue(lines.stream().allMatch(JsonNode::isObject), "" + stdout);
            assertTrue(lines.stream().anyMatch(n -> n.path("type").asText().equals("CONNECT")
                    && n.path("dst_port").asInt() == port && n.path("pid").asLong() == Host.pid()),
                    "our CONNECT to " + port + " in " + stdout);
        }
    }
}
