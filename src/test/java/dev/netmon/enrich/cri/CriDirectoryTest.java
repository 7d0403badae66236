package dev.netmon.enrich.cri;

import static dev.netmon.enrich.cri.CriRig.HOUR;
import static dev.netmon.enrich.cri.CriRig.NGINX;
import static dev.netmon.enrich.cri.CriRig.POD_UID;
import static dev.netmon.enrich.cri.CriRig.await;
import static dev.netmon.enrich.cri.CriRig.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netmon.enrich.NetnsLink;
import dev.netmon.event.ContainerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * CriDirectory against a healthy {@link FakeCriServer} on a real unix socket: what a lookup answers, and how a miss,
 * a removal and a pod's network namespace turn into answers. The lookups themselves drive the refreshes, as
 * events do in netmon; {@link CriDirectoryOutageTest} has the runtime misbehave.
 */
class CriDirectoryTest {
    @TempDir
    Path dir;

    private CriRig rig;

    @BeforeEach
    void rig() {
        rig = new CriRig(dir);
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void aListedContainerIsFoundWithItsPodAndTheImageItsStatusNames() {
        rig.withWebPod().server.start();
        rig.server.runtimeName("cri-o");
        rig.server.addContainer(id(1), "sb-web", "app", "sha256:4f3a", NGINX);
        CriDirectory directory = rig.start(HOUR, HOUR);

        var found = await(() -> directory.container(id(1)), CriLookup.Found.class::isInstance);
        assertEquals(new CriLookup.Found(new ContainerInfo(id(1), "app", "web-7d4b9", "shop", POD_UID, "cri-o",
                NGINX, Map.of("app", "web")), false), found, "io.kubernetes.* labels are the kubelet's, not the pod's");
        assertEquals("cri-o", directory.runtime());
        assertEquals(List.of(), rig.warnings());
    }

    @Test
    void theListedImageStandsInWhenTheStatusNamesNone() {
        rig.withWebPod().server.start();
        rig.server.addContainer(id(1), "sb-web", "app", "sha256:4f3a", "");
        CriDirectory directory = rig.start(HOUR, HOUR);

        var found = (CriLookup.Found) await(() -> directory.container(id(1)), CriLookup.Found.class::isInstance);
        assertEquals("sha256:4f3a", found.info().image());
        assertEquals("containerd", found.info().runtime());
    }

    @Test
    void aContainerStartedLaterIsPendingThenFound() {
        rig.withWebPod().server.start();
        CriDirectory directory = rig.start(HOUR, HOUR);
        rig.awaitListings(1); // the first refresh is done; from here only misses ask for more

        rig.server.addContainer(id(2), "sb-web", "sidecar", "sha256:1", "envoy:1.30");
        assertEquals(new CriLookup.Pending(), directory.container(id(2)));
        var found = (CriLookup.Found) await(() -> directory.container(id(2)), CriLookup.Found.class::isInstance);
        assertEquals("sidecar", found.info().containerName());
    }

    /**
     * Repeated misses of an id the runtime does not know must not cost a listing each. The lookups are spread over
     * a few hundred milliseconds so that a directory asking again (at most every 20 ms) would show it; one refresh
     * that was already queued when the negative answer landed is allowed for.
     */
    @Test
    void anUnknownContainerIsPendingThenNotFoundAndStaysCached() throws InterruptedException {
        rig.withWebPod().server.start();
        CriDirectory directory = rig.start(HOUR, HOUR);
        rig.awaitListings(1);

        assertEquals(new CriLookup.Pending(), directory.container(id(3)));
        await(() -> directory.container(id(3)), CriLookup.NotFound.class::isInstance);
        int listings = rig.server.listings();
        for (int i = 0; i < 30; i++) {
            assertEquals(new CriLookup.NotFound(), directory.container(id(3)));
            Thread.sleep(10);
        }
        assertTrue(rig.server.listings() <= listings + 1, "a negative answer asks the runtime nothing");
    }

    @Test
    void aNegativeAnswerEndsWithItsTtl() {
        rig.withWebPod().server.start();
        CriDirectory directory = rig.start(HOUR, Duration.ofMillis(200));
        await(() -> directory.container(id(3)), CriLookup.NotFound.class::isInstance);
        rig.server.addContainer(id(3), "sb-web", "late", "sha256:1", "");
        await(() -> directory.container(id(3)), CriLookup.Found.class::isInstance);
    }

    /** The periodic refresh notices removals: a CLOSE after its container is gone still gets its names. */
    @Test
    void aRemovedContainerBecomesATombstone() {
        rig.withWebPod().server.start();
        rig.server.addContainer(id(1), "sb-web", "app", "sha256:4f3a", NGINX);
        CriDirectory directory = rig.start(Duration.ofMillis(100), HOUR);
        var live = (CriLookup.Found) await(() -> directory.container(id(1)), CriLookup.Found.class::isInstance);

        rig.server.removeContainer(id(1));
        var gone = await(() -> directory.container(id(1)), l -> l instanceof CriLookup.Found f && f.gone());
        assertEquals(new CriLookup.Found(live.info(), true), gone);
    }

    /**
     * A process outside any container cgroup but inside a pod's network namespace. The sandbox's spec names its
     * netns file; a plain file's inode stands in for the nsfs inode a bind-mounted /var/run/netns file stats as.
     */
    @Test
    void aSandboxNetnsMapsToItsPodUntilTheSandboxIsRemoved() throws IOException {
        Path netnsFile = Files.createFile(dir.resolve("cni-1234"));
        long netns = (Long) Files.getAttribute(netnsFile, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        rig.server.addSandbox("sb-web", "web-7d4b9", "shop", POD_UID, Map.of("app", "web"), """
                {"pid": 0, "runtimeSpec": {"linux": {"namespaces": [
                  {"type": "pid"}, {"type": "network", "path": "%s"}]}}}""".formatted(netnsFile));
        rig.server.start();
        CriDirectory directory = rig.start(Duration.ofMillis(100), HOUR);

        var found = (CriLookup.Found) await(() -> directory.podOfNetns(netns), CriLookup.Found.class::isInstance);
        assertEquals(new ContainerInfo(null, null, "web-7d4b9", "shop", POD_UID, "containerd", null,
                Map.of("app", "web")), found.info());
        assertFalse(found.gone());

        rig.server.removeSandbox("sb-web"); // its inode may be reused by the next namespace: the pod is history
        await(() -> directory.podOfNetns(netns), l -> l instanceof CriLookup.Found f && f.gone());
    }

    /**
     * hostNetwork pods share the node's namespace; naming it after one of them would misattribute the node. Needs
     * to read /proc/1/ns/net (root with CAP_SYS_PTRACE, as in CI); skipped elsewhere.
     */
    @Test
    void theHostNetnsNeverMapsToAPod() {
        long host = NetnsLink.inode(Path.of("/proc/1/ns/net")).orElse(-1);
        long self = NetnsLink.inode(Path.of("/proc/self/ns/net")).orElse(-2);
        assumeTrue(host == self, "the test JVM must be able to read pid 1's network namespace, and share it");
        CriDirectory directory = startWithAHostNetworkSandbox();

        rig.awaitListings(3); // several refreshes have read the sandbox and its pid's namespace
        assertEquals(new CriLookup.NotFound(), directory.podOfNetns(host));
        assertEquals(new CriLookup.NotFound(), directory.podOfNetns(0));
    }

    /**
     * With only CAP_BPF and CAP_PERFMON (SECURITY.md's least-privilege setup) netmon cannot read pid 1's namespace
     * links, yet it may still read those of a sandbox process; this JVM, which can read its own but not pid 1's,
     * stands in for a hostNetwork pod's sandbox.
     */
    @Test
    void anUnknownHostNetnsDoesNotLetAHostNetworkSandboxNameTheNode() {
        assumeTrue(NetnsLink.inode(Path.of("/proc/1/ns/net")).isEmpty(), "only where pid 1 cannot be read");
        long node = NetnsLink.inode(Path.of("/proc/self/ns/net")).orElseThrow();
        CriDirectory directory = startWithAHostNetworkSandbox();

        rig.awaitListings(3); // several refreshes have read the sandbox's pid and its namespace
        CriLookup first = directory.podOfNetns(node);
        rig.awaitListings(rig.server.listings() + 2); // and a miss has had its refresh
        assertFalse(first instanceof CriLookup.Found, first.toString());
        assertEquals(new CriLookup.NotFound(), directory.podOfNetns(node));
    }

    /** container.runtime is one of four documented names or null, whatever a CRI runtime calls itself. */
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "containerd, containerd",
        "io.containerd.runtime.v2, containerd",
        "cri-o, cri-o",
        "CRI-O, cri-o",
        "crio, cri-o",
        "docker, docker",
        "Docker Engine (cri-dockerd), docker",
        "podman, podman",
        "singularity-cri, null",
        "'', null",
        "null, null",
    })
    void runtimeNamesAreTheDocumentedOnes(String reported, String expected) {
        assertEquals(expected, CriDirectory.runtimeName(reported));
    }

    /** A sandbox whose pid is this JVM: its namespace is whatever this JVM's is. */
    private CriDirectory startWithAHostNetworkSandbox() {
        rig.server.addSandbox("sb-host", "kube-proxy-x2x", "kube-system", POD_UID, Map.of(),
                "{\"pid\": " + ProcessHandle.current().pid() + "}");
        rig.server.start();
        return rig.start(Duration.ofMillis(50), HOUR);
    }
}
