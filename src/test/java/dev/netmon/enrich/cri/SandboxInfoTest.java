package dev.netmon.enrich.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.enrich.NetnsLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime's verbose info is free-form JSON that differs between runtimes and versions; whatever it holds, the
 * answer is an inode or nothing, never an exception that would end a refresh. A fake /proc under a temp directory
 * holds ns links with chosen targets, so the pid route is tested without privilege.
 */
class SandboxInfoTest {
    private static final long NETNS = 4026532999L;

    @TempDir
    Path proc;

    @ParameterizedTest
    @ValueSource(strings = {
        "", "not json", "{", "null", "42", "\"a string\"", "[1, 2]", "[{\"pid\": 4242}]", "{}",
        "{\"pid\": \"abc\"}", "{\"pid\": -4242}", "{\"pid\": 4242.5e300}", "{\"pid\": {\"nested\": 1}}",
        "{\"pid\": 99999999}",
        "{\"runtimeSpec\": \"x\"}", "{\"runtimeSpec\": {\"linux\": {\"namespaces\": \"network\"}}}",
        "{\"runtimeSpec\": {\"linux\": {\"namespaces\": [{\"type\": \"network\"}]}}}",
        "{\"runtimeSpec\": {\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": 42}]}}}",
        "{\"runtimeSpec\": {\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"/no/such/file\"}]}}}",
        "{\"runtimeSpec\": {\"linux\": {\"namespaces\": [null, 1, \"x\", []]}}}"
    })
    void garbageGivesNothing(String info) throws IOException {
        link(4242, "net:[" + NETNS + "]"); // there for the pid to find, if a garbage pid were taken for 4242
        assertEquals(OptionalLong.empty(), SandboxInfo.netnsInode(Map.of("info", info), proc));
    }

    @Test
    void deeplyNestedJsonGivesNothing() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals(OptionalLong.empty(), SandboxInfo.netnsInode(Map.of("info", deep), proc));
    }

    @Test
    void noInfoGivesNothing() {
        assertEquals(OptionalLong.empty(), SandboxInfo.netnsInode(Map.of(), proc));
        assertEquals(OptionalLong.empty(), SandboxInfo.netnsInode(Map.of("other", "{\"pid\": 1}"), proc));
    }

    /** containerd: "pid" of the sandbox's pause process; its ns link names the namespace. */
    @Test
    void thePidsNamespaceLinkGivesTheInode() throws IOException {
        link(4242, "net:[" + NETNS + "]");
        assertEquals(OptionalLong.of(NETNS), SandboxInfo.netnsInode(Map.of("info", "{\"pid\": 4242}"), proc));
    }

    /** A pid that already exited, or one in a pid namespace netmon does not see, falls back to the spec. */
    @Test
    void theSpecsNetnsPathStandsInWhenThePidTellsNothing() throws IOException {
        Path nsFile = Files.createFile(proc.resolve("cni-5678"));
        long inode = (Long) Files.getAttribute(nsFile, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        String info = """
                {"pid": 777, "runtimeSpec": {"linux": {"namespaces": [
                  {"type": "ipc"}, {"type": "network", "path": "%s"}]}}}""".formatted(nsFile);
        assertEquals(OptionalLong.of(inode), SandboxInfo.netnsInode(Map.of("info", info), proc));
    }

    @Test
    void aPidLinkToAnotherKindOfNamespaceIsNotTakenForTheNetwork() throws IOException {
        link(4242, "mnt:[" + NETNS + "]");
        assertEquals(OptionalLong.empty(), SandboxInfo.netnsInode(Map.of("info", "{\"pid\": 4242}"), proc));
    }

    @ParameterizedTest
    @ValueSource(strings = {"net:[]", "net:[abc]", "net:[4026532999", "net:]4026532999[", "net:[-]", "garbage"})
    void malformedLinkTargetsGiveNothing(String target) throws IOException {
        assertEquals(OptionalLong.empty(), NetnsLink.inode(link(4242, target)));
    }

    @Test
    void aLinkThatIsNotThereOrNotALinkGivesNothing() throws IOException {
        assertEquals(OptionalLong.empty(), NetnsLink.inode(proc.resolve("missing")));
        assertEquals(OptionalLong.empty(), NetnsLink.inode(Files.createFile(proc.resolve("regular"))));
    }

    /** JSON allows \u0000 in a string; the runtime's info is not ours to trust. */
    @Test
    void aPathThatIsNoPathGivesNothing() {
        String info = "{\"runtimeSpec\": {\"linux\": {\"namespaces\": [{\"type\": \"network\", "
                + "\"path\": \"/var/run/netns/cni\\u0000x\"}]}}}";
        assertEquals(OptionalLong.empty(), SandboxInfo.netnsInode(Map.of("info", info), proc));
    }

    /** A fake /proc/PID/ns/net: a symlink whose target text is what the kernel's magic link reads as. */
    private Path link(int pid, String target) throws IOException {
        Path ns = Files.createDirectories(proc.resolve(pid + "/ns"));
        Path net = ns.resolve("net");
        Files.deleteIfExists(net);
        return Files.createSymbolicLink(net, Path.of(target));
    }
}
