package dev.netmon.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netmon.enrich.CgroupIndex;
import dev.netmon.enrich.RateLimitedLog;
import dev.netmon.enrich.Resolver;
import dev.netmon.enrich.cri.CriDirectory;
import dev.netmon.enrich.cri.FakeCriServer;
import dev.netmon.event.Attributed;
import dev.netmon.event.Direction;
import dev.netmon.event.Endpoint;
import dev.netmon.event.Enrichment;
import dev.netmon.event.EventArbitraries;
import dev.netmon.event.EventHeader;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
import dev.netmon.event.LogLine;
import dev.netmon.event.NetEvent;
import dev.netmon.event.ProcessRef;
import dev.netmon.event.Protocol;
import dev.netmon.output.JsonLineWriter;
import dev.netmon.output.LineSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The holding stage with a real Resolver over a temp directory standing in for cgroupfs, so each test chooses which
 * cgroup ids exist. An id that is not indexed is "pending" until a re-index that began after its miss completes;
 * where a test needs it to stay pending, it holds the index's monitor, which refresh() needs.
 */
class HoldingStageTest {
    private static final long WAIT = Duration.ofMillis(500).toNanos();
    private static final String POD_UID = "8f1a2b3c-1111-2222-3333-444455556666";
    private static final String CONTAINER = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";

    @TempDir
    Path cgroupfs;
    @TempDir
    Path run;

    private final List<Attributed> out = new ArrayList<>();
    private final LineSink sink = new LineSink() {
        @Override
        public void write(LogLine line) {
            out.add((Attributed) line);
        }

        @Override
        public void flush() {}
    };
    private CgroupIndex index;
    private Resolver resolver;
    private FakeCriServer cri;

    @AfterEach
    void close() {
        if (resolver != null) {
            resolver.close();
        }
        if (cri != null) {
            cri.close();
        }
    }

    @Test
    void anIndexedCgroupGoesOutAtOnceWithItsPath() throws IOException {
        long sshd = cgroup("system.slice/sshd.service");
        var stage = stage(null, WAIT);

        stage.offer(connect(1, sshd), () -> 0);
        assertEquals(0, stage.heldCount());
        var a = out.getFirst().attribution();
        assertEquals(Enrichment.FULL, a.enrichment());
        assertEquals("/system.slice/sshd.service", a.cgroupPath());
        assertEquals("sshd.service", a.unit());
        assertNull(a.container());
    }

    /**
     * Attributions are shared between events with the same parts (Resolver keeps recent ones by path, 64 slots):
     * with more cgroups than slots, interleaved, each event still gets its own cgroup's, equal to a fresh one.
     */
    @Test
    void interleavedCgroupsEachGetTheirOwnAttribution() throws IOException {
        int cgroups = 150;
        long[] ids = new long[cgroups];
        for (int i = 0; i < cgroups; i++) {
            ids[i] = cgroup("system.slice/s" + i + ".service");
        }
        var stage = stage(null, WAIT);
        int events = 3_000;
        for (int e = 0; e < events; e++) {
            stage.offer(connect(e % cgroups, ids[(e * 37) % cgroups]), () -> 0); // 37 is prime to 150: all visited
        }
        assertEquals(events, out.size());
        var fresh = new Resolver(index, null, null);
        try {
            for (int e = 0; e < events; e++) {
                int i = (e * 37) % cgroups;
                var a = out.get(e).attribution();
                assertEquals("/system.slice/s" + i + ".service", a.cgroupPath(), "event " + e);
                assertEquals("s" + i + ".service", a.unit());
                assertEquals(fresh.now(out.get(e).event().header()), a);
            }
        } finally {
            fresh.close();
        }
    }

    @Test
    void anUnknownCgroupIsHeldUntilItsWaitEndsThenGoesOutWithWhatIsKnown() throws IOException {
        var stage = stage(null, WAIT);
        synchronized (index) { // no re-index can complete: the id stays pending
            stage.offer(connect(1, 999_999_999L), () -> 1_000);
            assertEquals(1, stage.heldCount());
            assertEquals(1_000 + WAIT, stage.nextDeadlineNs());

            stage.release(1_000 + WAIT - 1, false);
            assertEquals(List.of(), out, "still within its wait");

            stage.release(1_000 + WAIT, false);
        }
        assertEquals(0, stage.heldCount());
        assertEquals(Long.MAX_VALUE, stage.nextDeadlineNs());
        var a = out.getFirst().attribution();
        assertEquals(Enrichment.NONE, a.enrichment());
        assertNull(a.cgroupPath());
        assertNull(a.container());
        assertEquals(1, stage.releasedUnresolved());
    }

    /** A connection's CONNECT must precede its CLOSE; a stranger's lookup must not delay anyone else. */
    @Test
    void eventsOfAHeldKeyKeepTheirOrderWhileAnotherKnownKeyPasses() throws IOException {
        long known = cgroup("system.slice/nginx.service");
        var stage = stage(null, WAIT);

        stage.offer(connect(1, 999_999_999L), () -> 0); // first miss of this id: held
        stage.offer(close(2, 999_999_999L), () -> 1);   // same key: queued behind it, resolved or not
        stage.offer(connect(3, known), () -> 2);
        assertEquals(List.of(3), pids(), "the known key went out past the held one");
        assertEquals(2, stage.heldCount());

        stage.release(WAIT + 1, false);
        assertEquals(List.of(3, 1, 2), pids());
        assertEquals(out.get(1).attribution(), out.get(2).attribution(), "one key, one attribution");
    }

    @Test
    void releasingAllWritesEveryHeldEventAtOnce() throws IOException {
        var stage = stage(null, WAIT);
        for (int i = 0; i < 5; i++) {
            stage.offer(connect(i, 900_000_000L + i), () -> 0);
        }
        assertEquals(5, stage.heldCount());
        stage.release(0, true); // shutdown: nothing waits for its deadline
        assertEquals(0, stage.heldCount());
        assertEquals(List.of(0, 1, 2, 3, 4), pids());
        assertEquals(5, stage.written());
    }

    /** A burst of events of new pods must not grow memory without bound while their lookups run. */
    @Test
    void neverHoldsMoreThanMaxHeld() throws IOException {
        var stage = stage(null, Duration.ofHours(1).toNanos());
        int offered = HoldingStage.MAX_HELD + 10;
        int most = 0;
        synchronized (index) { // every key stays pending, so only the bound can release anything
            for (int i = 0; i < offered; i++) {
                long now = i;
                stage.offer(connect(i, 900_000_000L + i % 4), () -> now);
                assertTrue(stage.heldCount() <= HoldingStage.MAX_HELD, "held " + stage.heldCount() + " at " + i);
                most = Math.max(most, stage.heldCount());
            }
        }
        assertEquals(HoldingStage.MAX_HELD, most);
        assertEquals(offered, out.size() + stage.heldCount(), "nothing lost");
        assertTrue(stage.releasedUnresolved() > 0);
        stage.release(0, true);
        for (long key = 900_000_000L; key < 900_000_004L; key++) {
            final long k = key;
            List<Integer> order = out.stream().map(Attributed::event)
                    .filter(e -> e.header().cgroupId() == k).map(e -> e.header().process().pid()).toList();
            assertEquals(order.stream().sorted().toList(), order, "key " + k + " kept its order");
        }
    }

    @Test
    void aContainerWithoutACriIsPartialFromItsPathAlone() throws IOException {
        long id = cgroup("kubepods/besteffort/pod" + POD_UID + "/" + CONTAINER);
        var stage = stage(null, WAIT);
        stage.offer(connect(1, id), () -> 0);
        var a = out.getFirst().attribution();
        assertEquals(Enrichment.PARTIAL, a.enrichment());
        assertEquals(CONTAINER, a.container().containerId());
        assertEquals(POD_UID, a.container().podUid());
        assertNull(a.container().containerName());
    }

    /** The container is created after the runtime's first listing, as a new pod's is: its first event waits. */
    @Test
    void aContainerTheRuntimeKnowsGoesOutWithItsNamesOnceTheLookupLands() throws IOException {
        long id = cgroup("kubepods/besteffort/pod" + POD_UID + "/" + CONTAINER);
        cri = new FakeCriServer(run.resolve("cri.sock"));
        cri.addSandbox("sb-web", "web-7d4b9", "shop", POD_UID, Map.of("app", "web"), null);
        cri.start();
        var settings = new CriDirectory.Settings(Duration.ofSeconds(1), Duration.ofHours(1), 64, Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofHours(1));
        var log = new RateLimitedLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Duration.ofHours(1).toNanos(), System::nanoTime);
        var stage = stage(CriDirectory.start(cri.socket(), settings, log), Duration.ofHours(1).toNanos());
        await(() -> cri.listings() >= 1);
        cri.addContainer(CONTAINER, "sb-web", "app", "sha256:4f3a", "docker.io/library/nginx:1.27");

        stage.offer(connect(1, id), () -> 0);
        assertEquals(1, stage.heldCount(), "the runtime has not been asked about this container yet");
        await(() -> {
            stage.release(0, false); // deadline far off: only a landed lookup releases it
            return stage.heldCount() == 0;
        });

        JsonNode line = json(out.getFirst());
        assertEquals("full", line.get("enrichment").asText());
        assertEquals("app", line.at("/container/container_name").asText());
        assertEquals("web-7d4b9", line.at("/container/pod_name").asText());
        assertEquals("shop", line.at("/container/pod_namespace").asText());
        assertEquals("docker.io/library/nginx:1.27", line.at("/container/image").asText());
        assertEquals("containerd", line.at("/container/runtime").asText());
        assertEquals(0, stage.releasedUnresolved());
    }

    /** What the metrics and the STATS line show: each event once, at the level it went out with. */
    @Test
    void countsEachEventByItsEnrichmentLevel() throws IOException {
        long host = cgroup("system.slice/sshd.service");
        long pod = cgroup("kubepods/besteffort/pod" + POD_UID + "/" + CONTAINER);
        var counts = new TraceCounts();
        index = new CgroupIndex(cgroupfs, 1024, Duration.ofMinutes(5).toNanos());
        index.refresh();
        resolver = new Resolver(index, null, null);
        var stage = new HoldingStage(resolver, WAIT, sink, counts);
        synchronized (index) {
            stage.offer(connect(1, host), () -> 0);
            stage.offer(connect(2, host), () -> 0);
            stage.offer(connect(3, pod), () -> 0);
            stage.offer(connect(4, 999_999_999L), () -> 0);
            stage.release(WAIT, false);
        }
        assertEquals(2, counts.enriched(Enrichment.FULL));
        assertEquals(1, counts.enriched(Enrichment.PARTIAL));
        assertEquals(1, counts.enriched(Enrichment.NONE));
        assertEquals(1, counts.releasedUnresolved());
    }

    // ---- helpers ----

    private HoldingStage stage(CriDirectory criDirectory, long maxWaitNs) {
        index = new CgroupIndex(cgroupfs, 1024, Duration.ofMinutes(5).toNanos());
        index.refresh(); // the directories made so far are known; anything else is a miss
        resolver = new Resolver(index, null, criDirectory);
        return new HoldingStage(resolver, maxWaitNs, sink);
    }

    /** Makes a cgroup directory; its inode is the id the kernel would send. */
    private long cgroup(String path) throws IOException {
        return (Long) Files.getAttribute(Files.createDirectories(cgroupfs.resolve(path)), "unix:ino",
                LinkOption.NOFOLLOW_LINKS);
    }

    private static NetEvent connect(int pid, long cgroupId) {
        return new NetEvent.Connect(header(pid, cgroupId), flow(), 0);
    }

    private static NetEvent close(int pid, long cgroupId) {
        return new NetEvent.Close(header(pid, cgroupId), flow(), Direction.OUTBOUND, 1_000,
                new NetEvent.Traffic(10, 20));
    }

    /** The pid numbers the event, so tests can read the output order. */
    private static EventHeader header(int pid, long cgroupId) {
        return new EventHeader(pid, new ProcessRef(pid, pid, 0, "curl"), cgroupId, 4026532001L, 0);
    }

    private static Flow flow() {
        return new Flow(Protocol.TCP, Family.IPv4, new Endpoint(EventArbitraries.literal("10.0.0.1"), 40000),
                new Endpoint(EventArbitraries.literal("10.96.0.1"), 443));
    }

    private List<Integer> pids() {
        return out.stream().map(a -> a.event().header().process().pid()).toList();
    }

    private static JsonNode json(Attributed line) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var writer = new JsonLineWriter(bytes, "node-a", ns -> ns);
        writer.write(line);
        writer.flush();
        return new ObjectMapper().readTree(bytes.toByteArray());
    }

    /** A condition that may write output, as release does. */
    private interface Condition {
        boolean met() throws IOException;
    }

    private static void await(Condition condition) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.met()) {
            if (System.nanoTime() - deadline >= 0) {
                fail("condition not met within 20 s");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
