package dev.netmon.enrich.cri;

import static dev.netmon.enrich.cri.CriRig.HOUR;
import static dev.netmon.enrich.cri.CriRig.NGINX;
import static dev.netmon.enrich.cri.CriRig.await;
import static dev.netmon.enrich.cri.CriRig.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every CRI call reaches the observer with its method and status, the failed ones too. */
class CallTimingTest {
    private record Call(String method, String code, long durationNs) {
        Call withoutTime() {
            return new Call(method, code, 0);
        }
    }

    @TempDir
    Path dir;

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private CriRig rig;

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void aRefreshReportsEachOfItsCallsWithItsMethodAndOk() {
        rig = new CriRig(dir).withWebPod();
        rig.server.addContainer(id(1), "sb-web", "app", "sha256:4f3a", NGINX);
        rig.server.start();
        rig.start(CriRig.settings(Duration.ofSeconds(1), HOUR, HOUR), this::record);
        rig.awaitListings(1);
        await(() -> methods("OK"), m -> m.contains("ContainerStatus"));

        assertEquals(List.of("Version", "ListPodSandbox", "PodSandboxStatus", "ListContainers", "ContainerStatus"),
                methods("OK"), "one refresh, in order");
        assertTrue(calls.stream().allMatch(c -> c.durationNs() >= 0), "" + calls);
    }

    @Test
    void aRuntimeThatRefusesIsReportedWithItsCode() {
        rig = new CriRig(dir);
        rig.server.failWith(Status.PERMISSION_DENIED.withDescription("not for you"));
        rig.server.start();
        rig.start(CriRig.settings(Duration.ofSeconds(1), HOUR, HOUR), this::record);

        await(() -> calls, c -> !c.isEmpty());
        assertEquals(new Call("Version", "PERMISSION_DENIED", 0), calls.getFirst().withoutTime());
    }

    @Test
    void aMissingSocketIsUnavailable() {
        rig = new CriRig(dir); // never started: nothing listens
        rig.start(CriRig.settings(Duration.ofSeconds(1), HOUR, HOUR), this::record);

        await(() -> calls, c -> !c.isEmpty());
        assertEquals("UNAVAILABLE", calls.getFirst().code());
    }

    @Test
    void anObserverThatThrowsDoesNotBreakTheCall() {
        rig = new CriRig(dir).withWebPod();
        rig.server.addContainer(id(1), "sb-web", "app", "sha256:4f3a", NGINX);
        rig.server.start();
        CriDirectory directory = rig.start(CriRig.settings(Duration.ofSeconds(1), HOUR, HOUR), (m, c, d) -> {
            throw new IllegalStateException("broken metrics");
        });
        await(() -> directory.container(id(1)), CriLookup.Found.class::isInstance);
    }

    private void record(String method, String code, long durationNs) {
        calls.add(new Call(method, code, durationNs));
    }

    private List<String> methods(String code) {
        return calls.stream().filter(c -> c.code().equals(code)).map(Call::method).toList();
    }
}
