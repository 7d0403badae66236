package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every jq recipe in the README, run as written against real netmon output: the README's promise that they work
 * is a test, and a recipe added without a check here fails it.
 */
@Tag("privileged")
class ReadmeRecipesIT {
    private static final Path README = Path.of(System.getProperty("netmon.home", "."), "README.md");
    private static final String SOURCE = "kubectl logs -n netmon ds/netmon";

    @Test
    void everyRecipeRunsAndFindsWhatItPromises() throws Exception {
        Path lines = Files.createTempFile("netmon-recipes", ".jsonl");
        int refusedPort;
        int openPort;
        try (NetmonProcess netmon = NetmonProcess.start("--no-cri", "--pid", Long.toString(Host.pid()))) {
            netmon.awaitAttached();
            refusedPort = refusedConnect();
            openPort = heldConnection(java.time.Duration.ofMillis(60));
            ProcessHandle.of(netmon.pid()).ifPresent(ProcessHandle::destroy); // SIGTERM: flush and exit 0
            assertEquals(0, netmon.awaitExit());
            Files.write(lines, netmon.stdout(), StandardCharsets.UTF_8);
        }
        String java = ProcessHandle.current().info().command().map(c -> c.substring(c.lastIndexOf('/') + 1))
                .orElse("java");

        Map<String, Predicate<String>> checks = Map.of(
                "top-talkers", out -> out.lines().anyMatch(l -> l.matches("[0-9]+\t" + java)),
                "refused-by-pod", out -> out.contains("host/" + java + " -> 127.0.0.1:" + refusedPort),
                "to-cidr", out -> out.contains("\"dst\":\"127.0.0.1:" + openPort + "\""),
                "longest", out -> !out.isEmpty() && out.lines().findFirst().orElseThrow().contains(java + "\t127.0.0.1:"),
                "gaps", out -> out.contains("lost: 0") && out.contains("enrichment: full="));
        Map<String, String> recipes = recipes(Files.readString(README));
        assertEquals(checks.keySet(), recipes.keySet(), "each README recipe has a check here, and each check a recipe");
        for (var recipe : recipes.entrySet()) {
            String command = recipe.getValue().replace(SOURCE, "cat " + lines);
            Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), recipe.getKey());
            assertEquals(0, p.exitValue(), () -> recipe.getKey() + " failed: " + out);
            assertTrue(checks.get(recipe.getKey()).test(out), () -> recipe.getKey() + " printed: " + out);
        }
        Files.delete(lines);
    }

    /** The sh block after each {@code <!-- recipe: NAME -->} marker. */
    static Map<String, String> recipes(String readme) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> lines = readme.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("<!-- recipe:") && l.endsWith("-->")) {
                String name = l.substring("<!-- recipe:".length(), l.length() - 3).strip();
                assertEquals("```sh", lines.get(i + 1).strip(), name + " is followed by an sh block");
                StringBuilder body = new StringBuilder();
                for (int j = i + 2; !lines.get(j).strip().equals("```"); j++) {
                    body.append(lines.get(j)).append('\n');
                }
                assertTrue(body.toString().contains(SOURCE), name + " reads from " + SOURCE);
                out.put(name, body.toString());
            }
        }
        return out;
    }

    private static int refusedConnect() throws Exception {
        int port;
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.INET)) {
            c.connect(new InetSocketAddress("127.0.0.1", port));
        } catch (ConnectException expected) {
            // ECONNREFUSED: what the recipe looks for
        }
        return port;
    }

    /** A connection kept open for {@code held}, so that it is the longest one. */
    private static int heldConnection(java.time.Duration held) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            try (SocketChannel c = SocketChannel.open(server.getLocalAddress()); SocketChannel a = server.accept()) {
                c.write(java.nio.ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
                Thread.sleep(held.toMillis()); // the connection's lifetime is what the recipe sorts by
            }
            return port;
        }
    }
}
