package dev.netmon.enrich;

import dev.netmon.event.EventHeader;
import dev.netmon.event.ProcessRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The ids the kernel would record for a running process, read from /proc and cgroupfs, so that
 * {@code netmon resolve --pid} goes through exactly the path a traced event takes.
 */
public final class ProcessIds {
    private ProcessIds() {}

    /** Empty if the process does not exist (or vanished while being read). */
    public static Optional<EventHeader> of(int pid, CgroupMounts mounts) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            String cgroups = Files.readString(proc.resolve("cgroup"));
            String comm = Files.readString(proc.resolve("comm")).strip();
            long netns = NetnsLink.inode(proc.resolve("ns/net")).orElseThrow(); // gone: no such process
            long v2 = 0;
            long v1 = 0;
            for (String line : cgroups.split("\n")) {
                String[] f = line.split(":", 3);
                if (f.length < 3) {
                    continue;
                }
                if (f[0].equals("0") && f[1].isEmpty() && mounts.unified().isPresent()) {
                    v2 = inode(mounts.unified().get(), f[2]);
                } else if (CgroupMounts.hasOption(f[1], "memory") && mounts.memoryV1().isPresent()) {
                    v1 = inode(mounts.memoryV1().get(), f[2]);
                }
            }
            int uid = (Integer) Files.getAttribute(proc, "unix:uid");
            return Optional.of(new EventHeader(0, new ProcessRef(pid, pid, uid, comm), v2, netns, v1));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long inode(Path root, String path) {
        try {
            Path dir = path.equals("/") ? root : root.resolve(path.substring(1));
            return (Long) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return 0; // a path seen through a private cgroup namespace ("/..") is not under our mount
        }
    }
}
