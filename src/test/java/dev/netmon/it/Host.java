package dev.netmon.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this process looks like from /proc, for exact expectations. */
final class Host {
    private Host() {}

    static long pid() {
        return ProcessHandle.current().pid();
    }

    /** The calling thread's kernel thread id. */
    static long tid() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "<pid>/task/<tid>"
        return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
    }

    /** The comm of the thread group leader, which is what netmon prints as "process". */
    static String processName(long pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
    }

    static String threadName(long pid, long tid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/task/" + tid + "/comm")).trim();
    }

    /** Inode of the network namespace, from "net:[4026531840]". */
    static long netns(long pid) throws IOException {
        return nsInode(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString());
    }

    static long nsInode(String link) {
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }

    /** cgroup v2 id of this process: the inode of its directory in the unified hierarchy. */
    static long cgroupV2Id() throws IOException {
        String path = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                .filter(l -> l.startsWith("0::"))
                .findFirst()
                .orElseThrow()
                .substring(3);
        for (String root : new String[] {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"}) {
            Path dir = Path.of(root + path);
            if (Files.isDirectory(dir) && isCgroup2(root)) {
                return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
            }
        }
        throw new IOException("no cgroup2 mount found");
    }

    private static boolean isCgroup2(String root) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .anyMatch(l -> l.split(" ")[1].equals(root) && l.split(" ")[2].equals("cgroup2"));
    }

    static long uid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-u").start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Long.parseLong(out);
    }
}
