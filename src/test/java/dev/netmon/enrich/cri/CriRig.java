package dev.netmon.enrich.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netmon.enrich.RateLimitedLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One test's fake runtime and the directory talking to it over a socket in a temp dir, the warnings they print,
 * and waits that poll up to a deadline: the directory is asynchronous, and a fixed sleep would be either flaky or
 * slow.
 */
final class CriRig implements AutoCloseable {
    static final String POD_UID = "8f1a2b3c-1111-2222-3333-444455556666";
    static final String NGINX = "docker.io/library/nginx:1.27";
    static final Duration HOUR = Duration.ofHours(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration AWAIT = Duration.ofSeconds(20);

    /** Not started: each test decides when the runtime is up. */
    final FakeCriServer server;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    /** One line per kind per hour: every line a test sees is a distinct report. */
    private final RateLimitedLog log = new RateLimitedLog(new PrintStream(err, true, StandardCharsets.UTF_8),
            HOUR.toNanos(), System::nanoTime);
    private CriDirectory directory;

    CriRig(Path dir) {
        this.server = new FakeCriServer(dir.resolve("cri.sock"));
    }

    /** The pod most tests use; its labels mix the pod's own with the kubelet's bookkeeping. */
    CriRig withWebPod() {
        server.addSandbox("sb-web", "web-7d4b9", "shop", POD_UID,
                Map.of("app", "web", "io.kubernetes.pod.name", "web-7d4b9"), null);
        return this;
    }

    /** A directory with a generous timeout, so that only the tests about slowness see one. */
    CriDirectory start(Duration refreshEvery, Duration negativeTtl) {
        return start(settings(TIMEOUT, refreshEvery, negativeTtl));
    }

    CriDirectory start(CriDirectory.Settings settings) {
        return start(settings, CriCallObserver.NONE);
    }

    CriDirectory start(CriDirectory.Settings settings, CriCallObserver observer) {
        directory = CriDirectory.start(server.socket(), settings, log, observer);
        return directory;
    }

    static CriDirectory.Settings settings(Duration timeout, Duration refreshEvery, Duration negativeTtl) {
        return new CriDirectory.Settings(timeout, refreshEvery, 64, HOUR, negativeTtl, HOUR);
    }

    /** 64 lowercase hex, as runtimes spell container ids. */
    static String id(int n) {
        return "%064x".formatted(n);
    }

    List<String> warnings() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /**
     * Exactly one line, however many refreshes failed: a dead runtime must not flood stderr. Awaited, because a
     * lookup turns Unavailable a moment before the failed refresh writes its line.
     */
    String assertOneWarning(String says) {
        List<String> lines = await(this::warnings, l -> !l.isEmpty());
        assertEquals(1, lines.size(), "warnings: " + lines);
        assertTrue(lines.get(0).startsWith("netmon: CRI runtime at " + server.socket()), lines.get(0));
        assertTrue(lines.get(0).contains(says), lines.get(0));
        return lines.get(0);
    }

    /** Each ListContainers answered is one refresh that got as far as the containers. */
    void awaitListings(int n) {
        await(server::listings, l -> l >= n);
    }

    static <T> T await(Supplier<T> probe, Predicate<? super T> until) {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        T last;
        do {
            last = probe.get();
            if (until.test(last)) {
                return last;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() - deadline < 0);
        return fail("not reached within " + AWAIT + "; the last value was " + last);
    }

    @Override
    public void close() {
        if (directory != null) {
            directory.close();
        }
        server.close();
    }
}
