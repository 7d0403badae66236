package dev.netmon.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where this host mounts the cgroup hierarchies that the kernel's ids refer to: the v2 (unified) hierarchy, and on
 * v1 and hybrid hosts the v1 memory hierarchy. Read from /proc/self/mountinfo, so a container that mounts the
 * host's /sys/fs/cgroup elsewhere is handled too.
 */
public record CgroupMounts(Optional<Path> unified, Optional<Path> memoryV1) {

    public static CgroupMounts ofThisHost() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            return new CgroupMounts(Optional.empty(), Optional.empty());
        }
    }

    /** mountinfo: id parent major:minor root mountpoint options [optional...] - fstype source superoptions */
    static CgroupMounts parse(String mountinfo) {
        Path unified = null;
        Path memory = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = indexOf(f, "-");
            if (dash < 5 || dash + 3 >= f.length || !wholeHierarchy(f[3])) {
                continue; // a bind mount of a sub-tree would not show the whole hierarchy
            }
            Path mountPoint = Path.of(unescape(f[4]));
            String fsType = f[dash + 1];
            if (fsType.equals("cgroup2") && unified == null) {
                unified = mountPoint;
            } else if (fsType.equals("cgroup") && memory == null && hasOption(f[dash + 3], "memory")) {
                memory = mountPoint;
            }
        }
        return new CgroupMounts(Optional.ofNullable(unified), Optional.ofNullable(memory));
    }

    /**
     * The mount's root is the hierarchy's: "/", or, seen from a private cgroup namespace (a container's, as the
     * DaemonSet's is on cgroup v2), the namespace root's ancestors "/..", "/../..": the host's /sys/fs/cgroup mounted
     * into the container shows the whole tree although the kernel prints its root relative to the namespace.
     */
    static boolean wholeHierarchy(String root) {
        return root.equals("/") || root.matches("(/\\.\\.)+");
    }

    private static int indexOf(String[] f, String s) {
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether a comma-separated list (mount options, or a /proc/PID/cgroup line's controllers) holds {@code name}. */
    static boolean hasOption(String options, String name) {
        for (String o : options.split(",")) {
            if (o.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
