package dev.netmon.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** mountinfo as real hosts print it; only whole hierarchies count, since ids are inodes below their root. */
class CgroupMountsTest {
    private static final Optional<Path> NONE = Optional.empty();

    /** Fedora, Ubuntu 22.04+, recent Debian: systemd mounts cgroup2 alone on /sys/fs/cgroup. */
    @Test
    void unifiedOnlyHost() {
        String mountinfo = """
                22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
                23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
                29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 \
                rw,nsdelegate,memory_recursiveprot
                30 23 0:27 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:10 - bpf bpf rw,mode=700
                """;
        assertEquals(new CgroupMounts(Optional.of(Path.of("/sys/fs/cgroup")), NONE), CgroupMounts.parse(mountinfo));
    }

    /** Ubuntu 20.04, CentOS 8: v1 controllers, with the unified tree beside them holding only systemd's view. */
    @Test
    void hybridHost() {
        String mountinfo = """
                35 23 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
                36 35 0:31 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 \
                rw,nsdelegate
                37 35 0:32 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup \
                rw,xattr,name=systemd
                40 35 0:35 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup \
                rw,cpu,cpuacct
                41 35 0:36 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,memory
                42 35 0:37 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,pids
                """;
        assertEquals(new CgroupMounts(Optional.of(Path.of("/sys/fs/cgroup/unified")),
                Optional.of(Path.of("/sys/fs/cgroup/memory"))), CgroupMounts.parse(mountinfo));
    }

    /** CentOS 7, old Amazon Linux: no cgroup2 at all; "memory" must be a whole option, not part of one. */
    @Test
    void pureV1Host() {
        String mountinfo = """
                24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755
                25 24 0:21 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup \
                rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
                28 24 0:24 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:12 - cgroup \
                cgroup rw,net_prio,net_cls
                29 24 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
                """;
        assertEquals(new CgroupMounts(NONE, Optional.of(Path.of("/sys/fs/cgroup/memory"))),
                CgroupMounts.parse(mountinfo));
    }

    /** A container without a cgroup namespace sees only its own sub-tree: its inodes are not the host's ids. */
    @Test
    void aBindMountedSubTreeIsIgnored() {
        String mountinfo = """
                1185 1180 0:26 /kubepods/besteffort/pod8f1a2b3c-1111-2222-3333-444455556666 /sys/fs/cgroup \
                ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate
                1190 1180 0:35 /docker/3f4e5d6c7b8a /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime \
                master:17 - cgroup cgroup rw,memory
                """;
        assertEquals(new CgroupMounts(NONE, NONE), CgroupMounts.parse(mountinfo));
    }

    /** netmon's DaemonSet mounts the host's /sys/fs/cgroup at a path of its own; a sub-tree before it changes nothing. */
    /**
     * The DaemonSet on cgroup v2: a private cgroup namespace, with the host's hierarchy mounted over the runtime's
     * view. The kernel prints the mount's root relative to the namespace (real lines from unshare --cgroup).
     */
    @Test
    void theHostsHierarchySeenFromAPrivateCgroupNamespaceIsWhole() {
        String mountinfo = """
                59 49 0:38 /.. /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                67 45 0:38 /../../.. /host/cgroup rw,relatime - cgroup2 cgroup2 rw
                """;
        assertEquals(new CgroupMounts(Optional.of(Path.of("/sys/fs/cgroup/unified")), NONE),
                CgroupMounts.parse(mountinfo));
        assertEquals(new CgroupMounts(Optional.of(Path.of("/host/cgroup")), NONE),
                CgroupMounts.parse(mountinfo.lines().skip(1).findFirst().orElseThrow()));
        assertEquals(new CgroupMounts(NONE, NONE),
                CgroupMounts.parse("67 45 0:38 /../kubepods /host/cgroup rw,relatime - cgroup2 cgroup2 rw"));
    }

    @Test
    void theWholeHierarchyWinsOverAnEarlierSubTree() {
        String mountinfo = """
                1185 1180 0:26 /kubepods /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw
                1201 1180 0:26 / /host/sys/fs/cgroup ro,relatime master:9 - cgroup2 cgroup2 rw,nsdelegate
                """;
        assertEquals(new CgroupMounts(Optional.of(Path.of("/host/sys/fs/cgroup")), NONE),
                CgroupMounts.parse(mountinfo));
    }

    /** The kernel writes a space in a mount point as \040 and a backslash as \134. */
    @Test
    void escapedMountPointsAreUnescaped() {
        String mountinfo = """
                50 23 0:26 / /mnt/host\\040cgroup rw,relatime shared:9 - cgroup2 cgroup2 rw
                51 23 0:35 / /mnt/v1\\134memory\\011x rw,relatime - cgroup cgroup rw,memory
                """;
        assertEquals(new CgroupMounts(Optional.of(Path.of("/mnt/host cgroup")),
                Optional.of(Path.of("/mnt/v1\\memory\tx"))), CgroupMounts.parse(mountinfo));
    }

    /** The first of each kind wins; lines too short to carry a separator are skipped, not a crash. */
    @Test
    void firstMountWinsAndBrokenLinesAreSkipped() {
        String mountinfo = """
                garbage
                1 2 3 4 5 6 - cgroup2
                29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
                60 23 0:26 / /second rw - cgroup2 cgroup2 rw

                """;
        assertEquals(new CgroupMounts(Optional.of(Path.of("/sys/fs/cgroup")), NONE), CgroupMounts.parse(mountinfo));
        assertEquals(new CgroupMounts(NONE, NONE), CgroupMounts.parse(""));
    }
}
