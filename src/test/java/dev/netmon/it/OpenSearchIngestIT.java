package dev.netmon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netmon.it.containerd.CriPods;
import dev.netmon.it.containerd.PrivateContainerd;
import dev.netmon.it.opensearch.OpenSearchNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real lines into a real OpenSearch 3.x node: bin/netmon, once with --format ecs and once with the default format,
 * watches a pod of a private containerd (made as the kubelet makes it) and a process of this JVM on loopback; their
 * lines are bulk-indexed, as they were printed, into indices that take the templates in schema/, and then found again
 * by pod, namespace and port with every field as netmon wrote it.
 */
@Tag("privileged")
class OpenSearchIngestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMA_DIR = Path.of(System.getProperty("netmon.home", "."), "schema");
    /** The pod listens and connects on this port; this JVM on the next. Nothing else on the host is traced. */
    private static final int POD_PORT = 9471;
    private static final int HOST_PORT = POD_PORT + 1;
    private static final String PORTS = POD_PORT + "," + HOST_PORT;
    private static final Map<String, String> POD_LABELS = Map.of("app", "web", "app.kubernetes.io/name", "web");
    /** A listener on the pod's loopback and a bounded loop of connections to it (a minute at most). */
    private static final String[] POD_TRAFFIC = {"sh", "-c",
            "nc -ll -p " + POD_PORT + " -e true & for i in $(seq 1 300); do echo x | nc -w 1 127.0.0.1 " + POD_PORT
                    + "; sleep 0.2; done"};
    private static final int HOST_CONNECTIONS = 3;
    /** Enough of the pod's lines to stop collecting: CONNECT, ACCEPT and CLOSE lines of a few connections. */
    private static final int POD_LINES = 9;
    private static final Duration COLLECT_LIMIT = Duration.ofSeconds(20);
    private static final String ECS_INDEX = "netmon-ecs-it";
    private static final String JSON_INDEX = "netmon-it";

    private static CompletableFuture<OpenSearchNode> starting;
    private static OpenSearchNode opensearch;
    private static PrivateContainerd containerd;
    private static CriPods.Pod pod;
    private static final List<NetmonProcess> netmons = new ArrayList<>();
    /** What netmon printed, and the same parsed. */
    private static List<String> ecsText;
    private static List<String> jsonText;
    private static List<JsonNode> ecsLines;
    private static List<JsonNode> jsonLines;
    private static JsonNode ecsBulk;
    private static JsonNode jsonBulk;

    @BeforeAll
    static void collectAndIndex() throws Exception {
        Privileges.requireRoot();
        long t0 = System.nanoTime();
        // OpenSearch starts while containerd does, and is up before netmon runs: on two cores its start would
        // otherwise slow netmon's CRI lookups past --enrich-wait and leave lines unnamed.
        starting = CompletableFuture.supplyAsync(() -> {
            try {
                return OpenSearchNode.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, runnable -> Thread.ofPlatform().name("opensearch-start").start(runnable));
        containerd = PrivateContainerd.start();
        long t1 = System.nanoTime();
        opensearch = starting.get(90, TimeUnit.SECONDS);
        long t2 = System.nanoTime();

        // Every line of the pod must be named, so each event may wait for its lookup (--enrich-wait), and the
        // lookup gets more than the default 2 s: a fresh netmon's first CRI call, made while the other one and
        // the pod start on two cores, has been seen to take longer.
        List<String> common = List.of("--cri-socket", containerd.socket().toString(), "--enrich-wait", "5000",
                "--cri-timeout", "10000", "--pod-labels", "--port", PORTS);
        NetmonProcess ecs = NetmonProcess.start(args(List.of("--format", "ecs"), common));
        netmons.add(ecs);
        NetmonProcess json = NetmonProcess.start(args(List.of(), common));
        netmons.add(json);
        ecs.awaitAttached();
        json.awaitAttached();
        pod = containerd.pods().run("web-0", "shop", "client", POD_LABELS, POD_TRAFFIC);
        hostConnections();
        ecsText = collect(ecs, n -> "web-0".equals(n.at("/orchestrator/resource/name").asText(null)));
        jsonText = collect(json, n -> "web-0".equals(n.at("/container/pod_name").asText(null)));
        ecsLines = parse(ecsText);
        jsonLines = parse(jsonText);
        long t3 = System.nanoTime();

        opensearch.put("/_index_template/netmon-ecs", Files.readString(SCHEMA_DIR.resolve("opensearch-ecs-template.json")));
        opensearch.put("/_index_template/netmon", Files.readString(SCHEMA_DIR.resolve("opensearch-json-template.json")));
        ecsBulk = opensearch.bulk(bulkBody(ECS_INDEX, ecsText));
        jsonBulk = opensearch.bulk(bulkBody(JSON_INDEX, jsonText));
        opensearch.post("/" + ECS_INDEX + "," + JSON_INDEX + "/_refresh", "");
        long t4 = System.nanoTime();
        System.out.printf("OpenSearchIngestIT: OpenSearch node started in %d ms, healthy %d ms after launch "
                        + "(containerd started alongside in %d ms); netmon and pod lines %d ms (%d ecs, %d json); "
                        + "templates, bulk and refresh %d ms%n",
                opensearch.startTime().toMillis(), ms(t2 - t0), ms(t1 - t0), ms(t3 - t2), ecsLines.size(),
                jsonLines.size(), ms(t4 - t3));
    }

    /** Stops everything this class started; then the node's port must be closed, as nothing of it runs. */
    @AfterAll
    static void teardown() throws Exception {
        netmons.forEach(NetmonProcess::close); // already exited after SIGTERM unless a step failed
        Exception problem = null;
        URI node = null;
        if (starting != null) {
            try {
                OpenSearchNode started = starting.get(90, TimeUnit.SECONDS);
                node = started.uri();
                started.close();
            } catch (Exception e) {
                problem = e;
            }
        }
        if (containerd != null) {
            try {
                if (pod != null) {
                    containerd.pods().remove(pod);
                }
            } catch (RuntimeException e) {
                if (problem == null) {
                    problem = e;
                } else {
                    problem.addSuppressed(e);
                }
            }
            containerd.close();
        }
        if (problem != null) {
            throw problem;
        }
        URI closed = node;
        if (closed != null) {
            assertThrows(IOException.class, () -> new Socket(closed.getHost(), closed.getPort()).close(),
                    "nothing listens on the closed node's port");
        }
    }

    @Test
    void ecsLinesIndexWithoutErrorsAndTheIndexMappingIsTheTemplate() throws Exception {
        assertNoBulkErrors(ecsBulk, ecsLines.size());
        assertMappingIsTemplate(ECS_INDEX, "opensearch-ecs-template.json");
        assertMapped(ECS_INDEX, Map.of("@timestamp", "date_nanos", "source.ip", "ip", "destination.port", "long",
                "network.community_id", "keyword", "orchestrator.resource.label", "keyword"));
    }

    @Test
    void ecsLinesAreFoundByPodWithTheirExactFields() throws Exception {
        List<JsonNode> expected = podLines(ecsLines, "/orchestrator/resource/name");
        List<JsonNode> hits = search(ECS_INDEX, term("orchestrator.resource.name", "web-0"));
        assertSameLines(expected, sources(hits));
        assertEachHit(hits, "@timestamp", Map.ofEntries(
                Map.entry("/orchestrator/type", "kubernetes"),
                Map.entry("/orchestrator/namespace", "shop"),
                Map.entry("/orchestrator/resource/type", "pod"),
                Map.entry("/orchestrator/resource/id", pod.podUid()),
                Map.entry("/orchestrator/resource/label", List.of("app:web", "app.kubernetes.io/name:web")), // by key
                Map.entry("/container/id", pod.containerId()),
                Map.entry("/container/name", "client"),
                Map.entry("/container/image/name", CriPods.IMAGE),
                Map.entry("/container/runtime", "containerd"),
                Map.entry("/netmon/enrichment", "full"),
                Map.entry("/destination/port", POD_PORT)));
    }

    @Test
    void ecsLinesAreFoundByNamespaceAndByLabel() throws Exception {
        List<JsonNode> expected = podLines(ecsLines, "/orchestrator/resource/name");
        assertSameLines(expected, found(ECS_INDEX, term("orchestrator.namespace", "shop")));
        assertSameLines(expected, found(ECS_INDEX, term("orchestrator.resource.label", "app:web")));
    }

    @Test
    void ecsLinesAreFoundByDestinationPortAndAddressBlock() throws Exception {
        List<JsonNode> toPod = ecsLines.stream().filter(n -> n.at("/destination/port").asInt() == POD_PORT).toList();
        assertSameLines(podLines(ecsLines, "/orchestrator/resource/name"), toPod); // each is the pod's, named
        assertSameLines(toPod, found(ECS_INDEX, term("destination.port", POD_PORT)));
        List<JsonNode> host = ecsLines.stream().filter(n -> n.at("/destination/port").asInt() == HOST_PORT).toList();
        assertEquals(HOST_CONNECTIONS * 4, host.size(), "CONNECT, ACCEPT and two CLOSE lines per host connection");
        assertSameLines(host, found(ECS_INDEX, term("destination.port", HOST_PORT)));
        // An ip field answers a CIDR block; a keyword would find nothing.
        assertSameLines(ecsLines, found(ECS_INDEX, term("destination.ip", "127.0.0.0/8")));
    }

    @Test
    void defaultLinesIndexWithoutErrorsOrConflicts() throws Exception {
        // Host lines (container null) and pod lines (a container object with labels) share the index.
        assertTrue(jsonLines.stream().anyMatch(n -> n.get("container").isNull()), "a host line to index");
        assertNoBulkErrors(jsonBulk, jsonLines.size());
        assertMappingIsTemplate(JSON_INDEX, "opensearch-json-template.json");
        assertMapped(JSON_INDEX, Map.of("timestamp", "date_nanos", "src_ip", "ip", "dst_ip", "ip",
                "dst_port", "integer", "cgroup_id", "unsigned_long", "container.pod_labels", "flat_object"));
    }

    @Test
    void defaultLinesAreFoundByPodNamespaceLabelAndPort() throws Exception {
        List<JsonNode> expected = podLines(jsonLines, "/container/pod_name");
        List<JsonNode> hits = search(JSON_INDEX, term("container.pod_name", "web-0"));
        assertSameLines(expected, sources(hits));
        assertEachHit(hits, "timestamp", Map.of(
                "/container/pod_namespace", "shop",
                "/container/pod_uid", pod.podUid(),
                "/container/container_id", pod.containerId(),
                "/container/container_name", "client",
                "/container/pod_labels", POD_LABELS,
                "/enrichment", "full",
                "/dst_port", POD_PORT));
        assertSameLines(expected, found(JSON_INDEX, term("container.pod_namespace", "shop")));
        assertSameLines(expected, found(JSON_INDEX, term("container.pod_labels.app", "web")));
        List<JsonNode> toPod = jsonLines.stream().filter(n -> n.path("dst_port").asInt() == POD_PORT).toList();
        assertSameLines(expected, toPod); // every line to the pod's port is the pod's, fully named
        assertSameLines(toPod, found(JSON_INDEX, term("dst_port", POD_PORT)));
        // Every line's destination is loopback; a source is not always: a connect refused before the pod's listener
        // was up has no source left (0.0.0.0). An ip field answers a CIDR block; a keyword would find nothing.
        assertSameLines(jsonLines, found(JSON_INDEX, term("dst_ip", "127.0.0.0/8")));
        List<JsonNode> fromLoopback = jsonLines.stream().filter(n -> n.path("src_ip").asText().startsWith("127."))
                .toList();
        assertSameLines(fromLoopback, found(JSON_INDEX, term("src_ip", "127.0.0.0/8")));
        jsonLines.stream().filter(n -> !fromLoopback.contains(n)).forEach(n -> {
            assertEquals("0.0.0.0", n.path("src_ip").asText(), n::toString);
            assertEquals("ECONNREFUSED", n.path("result").asText(), n::toString);
        });
    }

    /**
     * The templates say {@code dynamic: false}: a field they do not list (here what a log shipper adds, once as an
     * object and once as a string, which with dynamic mapping would reject the second document) is kept in
     * _source, not indexed, and never changes the mapping.
     */
    @Test
    void fieldsOutsideTheTemplateAreKeptButNotMapped() throws Exception {
        assertUnlistedFieldKeptOut(ECS_INDEX + "-extra", "opensearch-ecs-template.json", ecsLines.getFirst());
        assertUnlistedFieldKeptOut(JSON_INDEX + "-extra", "opensearch-json-template.json", jsonLines.getFirst());
    }

    private static void assertUnlistedFieldKeptOut(String index, String template, JsonNode line) throws Exception {
        ObjectNode asObject = line.deepCopy();
        asObject.putObject("kubernetes").putObject("labels").put("app", "netmon");
        ObjectNode asString = line.deepCopy();
        asString.putObject("kubernetes").put("labels", "app=netmon");
        List<JsonNode> documents = List.of(asObject, asString);
        assertNoBulkErrors(opensearch.bulk(bulkBody(index, text(documents))), documents.size());
        opensearch.post("/" + index + "/_refresh", "");
        assertMappingIsTemplate(index, template);
        assertEquals(List.of(), found(index, exists("kubernetes.labels")), "not indexed");
        assertSameLines(documents, found(index, "{\"match_all\":{}}"));
    }

    /**
     * ECS's event.duration is a long, which cannot hold a kernel u64 past 2^63-1 (292 years, so only a broken
     * value): ignore_malformed leaves that one field unindexed instead of rejecting the line.
     */
    @Test
    void anImpossibleDurationLeavesItsFieldUnindexedNotTheLine() throws Exception {
        String index = ECS_INDEX + "-u64";
        ObjectNode close = ecsLines.stream().filter(n -> n.at("/event/action").asText().equals("close")).findFirst()
                .orElseThrow().deepCopy();
        ((ObjectNode) close.get("event")).put("duration", new BigInteger("18446744073709551615"));
        assertNoBulkErrors(opensearch.bulk(bulkBody(index, text(List.of(close)))), 1);
        opensearch.post("/" + index + "/_refresh", "");
        assertSameLines(List.of(close), found(index, "{\"match_all\":{}}"));
        assertEquals(List.of(), found(index, exists("event.duration")), "the value is not indexed");
    }

    /** Connections from this JVM to itself on HOST_PORT, each with a few bytes each way. */
    private static void hostConnections() throws IOException {
        try (ServerSocket server = new ServerSocket(HOST_PORT, 10, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < HOST_CONNECTIONS; i++) {
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), HOST_PORT);
                        Socket accepted = server.accept()) {
                    OutputStream out = client.getOutputStream();
                    out.write("ping".getBytes());
                    out.flush();
                    InputStream in = accepted.getInputStream();
                    assertEquals(4, in.readNBytes(4).length);
                }
            }
        }
    }

    /**
     * Lets netmon run until it has printed {@link #POD_LINES} of the pod's lines and all of this JVM's, or
     * {@link #COLLECT_LIMIT} passed, then stops it with SIGTERM; returns every line it printed.
     */
    private static List<String> collect(NetmonProcess netmon, Predicate<JsonNode> ofPod) throws Exception {
        long deadline = System.nanoTime() + COLLECT_LIMIT.toNanos();
        while (System.nanoTime() - deadline < 0 && netmon.isAlive()) {
            List<JsonNode> lines = parse(netmon.stdout());
            long podLines = lines.stream().filter(ofPod).count();
            long hostLines = lines.size() - podLines;
            if (podLines >= POD_LINES && hostLines >= HOST_CONNECTIONS * 4L) {
                break;
            }
            Thread.sleep(100); // the pod connects every 200 ms; the deadline bounds the wait
        }
        ProcessHandle.of(netmon.pid()).ifPresent(ProcessHandle::destroy); // SIGTERM: flush and exit
        assertEquals(0, netmon.awaitExit(), () -> "netmon exit; stderr: " + netmon.stderr());
        List<String> lines = netmon.stdout();
        assertTrue(parse(lines).stream().filter(ofPod).count() >= POD_LINES,
                () -> "the pod's lines within " + COLLECT_LIMIT + ": " + lines + "; stderr: " + netmon.stderr()
                        + "; containerd: " + containerd.logTail());
        return lines;
    }

    private static String[] args(List<String> format, List<String> common) {
        return Stream.concat(format.stream(), common.stream()).toArray(String[]::new);
    }

    private static List<JsonNode> parse(List<String> lines) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    /** One bulk "index" action per line, each line as it is (netmon's own text, to the byte). */
    private static String bulkBody(String index, List<String> lines) throws IOException {
        String action = JSON.writeValueAsString(Map.of("index", Map.of("_index", index)));
        StringBuilder body = new StringBuilder();
        for (String line : lines) {
            body.append(action).append('\n').append(line).append('\n');
        }
        return body.toString();
    }

    /** The test's own documents, which are netmon's lines changed, as bulk lines. */
    private static List<String> text(List<? extends JsonNode> documents) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode d : documents) {
            out.add(JSON.writeValueAsString(d));
        }
        return out;
    }

    private static void assertNoBulkErrors(JsonNode bulk, int documents) {
        assertFalse(bulk.get("errors").asBoolean(), bulk::toString);
        assertEquals(documents, bulk.get("items").size(), bulk::toString);
        for (JsonNode item : bulk.get("items")) {
            assertEquals(201, item.at("/index/status").asInt(), item::toString);
        }
    }

    /** The index's mapping is exactly the template's: no field was added to it or changed by the documents. */
    private static void assertMappingIsTemplate(String index, String template) throws Exception {
        JsonNode expected = JSON.readTree(SCHEMA_DIR.resolve(template).toFile()).at("/template/mappings");
        ObjectNode actual = mapping(index).deepCopy();
        // OpenSearch answers with the string form of the setting.
        assertEquals(expected.get("dynamic").asText(), actual.remove("dynamic").asText());
        ObjectNode expectedRest = expected.deepCopy();
        expectedRest.remove("dynamic");
        assertEquals(expectedRest, actual);
    }

    private static JsonNode mapping(String index) throws Exception {
        return opensearch.get("/" + index + "/_mapping").at("/" + index + "/mappings");
    }

    /** Each dotted field has the type given, in the index as OpenSearch reports it. */
    private static void assertMapped(String index, Map<String, String> types) throws Exception {
        JsonNode mapping = mapping(index);
        types.forEach((field, type) -> assertEquals(type,
                mapping.at("/properties/" + field.replace(".", "/properties/") + "/type").asText(), field));
    }

    private static String exists(String field) throws IOException {
        return JSON.writeValueAsString(Map.of("exists", Map.of("field", field)));
    }

    private static String term(String field, Object value) throws IOException {
        return JSON.writeValueAsString(Map.of("term", Map.of(field, value)));
    }

    /** Every hit of the query (a few hundred at most), with the time field's indexed value in its fields. */
    private static List<JsonNode> search(String index, String query) throws Exception {
        String timeField = index.startsWith(ECS_INDEX) ? "@timestamp" : "timestamp";
        String body = "{\"size\":10000,\"track_total_hits\":true,\"query\":" + query + ",\"docvalue_fields\":"
                + "[{\"field\":\"" + timeField + "\",\"format\":\"strict_date_optional_time_nanos\"}]}";
        JsonNode response = opensearch.post("/" + index + "/_search", body);
        JsonNode hits = response.path("hits").path("hits");
        assertEquals(hits.size(), response.at("/hits/total/value").asInt(), "all hits in one page");
        List<JsonNode> out = new ArrayList<>();
        hits.forEach(out::add);
        return out;
    }

    private static List<JsonNode> podLines(List<JsonNode> lines, String podNamePointer) {
        return sorted(lines.stream().filter(n -> "web-0".equals(n.at(podNamePointer).asText(null))).toList());
    }

    /**
     * Each hit's document has these values, and its time field's indexed value is the line's to the nanosecond
     * (date_nanos; a date field would have cut it to milliseconds).
     */
    private static void assertEachHit(List<JsonNode> hits, String timeField, Map<String, Object> values) {
        for (JsonNode hit : hits) {
            JsonNode doc = hit.get("_source");
            values.forEach((pointer, value) -> assertEquals(JSON.valueToTree(value), doc.at(pointer),
                    () -> pointer + " of " + doc));
            assertEquals(Instant.parse(doc.get(timeField).asText()),
                    Instant.parse(hit.at("/fields/" + timeField + "/0").asText()), hit::toString);
        }
    }

    private static List<JsonNode> found(String index, String query) throws Exception {
        return sources(search(index, query));
    }

    private static List<JsonNode> sources(List<JsonNode> hits) {
        return hits.stream().map(h -> h.get("_source")).toList();
    }

    /** The same lines, each as often: here, the documents came back as netmon wrote them. */
    private static void assertSameLines(List<JsonNode> expected, List<JsonNode> actual) {
        assertFalse(expected.isEmpty(), "something to find");
        List<JsonNode> missing = expected.stream().filter(l -> !actual.contains(l)).toList();
        List<JsonNode> extra = actual.stream().filter(f -> !expected.contains(f)).toList();
        assertEquals(sorted(expected), sorted(actual), () -> expected.size() + " expected, " + actual.size()
                + " found; missing " + missing.size() + (missing.isEmpty() ? "" : ", first " + missing.getFirst())
                + "; extra " + extra.size() + (extra.isEmpty() ? "" : ", first " + extra.getFirst()));
    }

    private static List<JsonNode> sorted(List<JsonNode> nodes) {
        return nodes.stream().sorted(Comparator.comparing(JsonNode::toString)).toList();
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
