package dev.netmon.enrich.cri;

import static dev.netmon.enrich.cri.CriRig.HOUR;
import static dev.netmon.enrich.cri.CriRig.NGINX;
import static dev.netmon.enrich.cri.CriRig.await;
import static dev.netmon.enrich.cri.CriRig.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A runtime that is missing, crashes, hangs, refuses or talks nonsense: lookups say Unavailable at once (never an
 * exception, never a wait), stderr gets one line that says why, and names come back once the runtime does, with
 * the same CriDirectory.
 */
class CriDirectoryOutageTest {
    @TempDir
    Path dir;

    private CriRig rig;

    @BeforeEach
    void rig() {
        rig = new CriRig(dir).withWebPod();
        rig.server.addContainer(id(1), "sb-web", "app", "sha256:4f3a", NGINX);
    }

    @AfterEach
    void close() {
        rig.close();
    }

    /** The runtime may start after netmon: --cri-socket names a socket that does not exist yet. */
    @Test
    void aMissingSocketIsUnavailableUntilTheRuntimeStartsThere() {
        CriDirectory directory = rig.start(HOUR, HOUR);

        await(() -> directory.container(id(1)), CriLookup.Unavailable.class::isInstance);
        rig.assertOneWarning("is not answering");

        rig.server.start();
        await(() -> directory.container(id(1)), CriLookup.Found.class::isInstance);
        assertEquals(rig.server.socket(), directory.socket());
    }

    @Test
    void aRuntimeThatGoesDownIsUnavailableWithOneWarningAndRecoversAfterItsRestart() {
        rig.server.start();
        CriDirectory directory = rig.start(HOUR, HOUR);
        await(() -> directory.container(id(1)), CriLookup.Found.class::isInstance);

        rig.server.stop();
        rig.server.addContainer(id(2), "sb-web", "sidecar", "sha256:1", "envoy:1.30");
        await(() -> directory.container(id(2)), CriLookup.Unavailable.class::isInstance);
        for (int i = 0; i < 20; i++) {
            assertInstanceOf(CriLookup.Unavailable.class, directory.container(id(2)));
        }
        assertInstanceOf(CriLookup.Found.class, directory.container(id(1)), "what is cached still answers");
        // UNAVAILABLE, or CANCELLED when the old connection is torn down under the call: either way it says so.
        rig.assertOneWarning("until it answers");

        rig.server.restart();
        await(() -> directory.container(id(2)), CriLookup.Found.class::isInstance);
    }

    @Test
    void aRuntimeSlowerThanTheTimeoutIsUnavailableAndSaysSo() {
        rig.server.slowness(Duration.ofSeconds(2));
        rig.server.behave(FakeCriServer.Behaviour.SLOW);
        rig.server.start();
        CriDirectory directory = rig.start(CriRig.settings(Duration.ofMillis(200), HOUR, HOUR));

        await(() -> directory.container(id(1)), CriLookup.Unavailable.class::isInstance);
        rig.assertOneWarning("did not answer in time");

        rig.server.behave(FakeCriServer.Behaviour.NORMAL);
        await(() -> directory.container(id(1)), CriLookup.Found.class::isInstance);
    }

    /** gRPC reports a response it cannot parse as CANCELLED "Failed to read message". */
    @Test
    void anAnswerThatDoesNotParseIsUnavailableWithAWarning() {
        rig.server.behave(FakeCriServer.Behaviour.GARBAGE);
        rig.server.start();
        CriDirectory directory = rig.start(HOUR, HOUR);

        await(() -> directory.container(id(1)), CriLookup.Unavailable.class::isInstance);
        String warning = rig.assertOneWarning("CRI runtime at " + rig.server.socket());
        assertTrue(warning.contains("enrichment"), warning);
        assertTrue(warning.contains("cannot parse"), warning);

        rig.server.behave(FakeCriServer.Behaviour.NORMAL);
        await(() -> directory.container(id(1)), CriLookup.Found.class::isInstance);
    }

    /** Each refusal says what it means for the user. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aRefusingRuntimeIsUnavailableAndTheWarningSaysWhy(Status status, String says) {
        rig.server.failWith(status);
        rig.server.start();
        CriDirectory directory = rig.start(HOUR, HOUR);
        await(() -> directory.container(id(1)), CriLookup.Unavailable.class::isInstance);
        rig.assertOneWarning(says);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(Status.UNAVAILABLE.withDescription("shutting down"), "is not answering (shutting down)"),
                Arguments.of(Status.UNIMPLEMENTED, "does not speak CRI runtime.v1"),
                Arguments.of(Status.PERMISSION_DENIED.withDescription("no"), "refused netmon (no)"),
                Arguments.of(Status.INTERNAL.withDescription("boom"), "failed: INTERNAL boom"));
    }
}
