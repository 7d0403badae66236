package dev.netmon.enrich.cri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netmon.enrich.NetnsLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads a sandbox's network namespace out of PodSandboxStatus's verbose info. The CRI has no field for it; runtimes
 * put JSON under "info" holding the sandbox's pid and its OCI runtime spec (containerd and CRI-O both do).
 */
final class SandboxInfo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SandboxInfo() {}

    /** The netns inode, through /proc/PID/ns/net (needs the host pid namespace) or the spec's netns path. */
    static OptionalLong netnsInode(Map<String, String> info, Path procRoot) {
        String raw = info.get("info");
        if (raw == null) {
            return OptionalLong.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(raw);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        if (root == null || !root.isObject()) {
            return OptionalLong.empty();
        }
        long pid = root.path("pid").asLong(0);
        if (pid > 0) {
            OptionalLong viaProc = NetnsLink.inode(procRoot.resolve(Long.toString(pid)).resolve("ns/net"));
            if (viaProc.isPresent()) {
                return viaProc;
            }
        }
        for (JsonNode ns : root.path("runtimeSpec").path("linux").path("namespaces")) {
            if ("network".equals(ns.path("type").asText()) && ns.path("path").isTextual()) {
                OptionalLong viaPath = fileInode(ns.path("path").asText());
                if (viaPath.isPresent()) {
                    return viaPath;
                }
            }
        }
        return OptionalLong.empty();
    }

    /** A bind-mounted namespace file (/var/run/netns/cni-...) stats as the namespace's inode. */
    private static OptionalLong fileInode(String path) {
        try {
            return OptionalLong.of((Long) Files.getAttribute(Path.of(path), "unix:ino", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
