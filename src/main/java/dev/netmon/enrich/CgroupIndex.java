package dev.netmon.enrich;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Cgroup id to cgroup path for one hierarchy, by indexing its cgroupfs: a cgroup's id is the inode of its
 * directory. The kernel sends only the id, so this is how a process that has already exited is still attributed:
 * its cgroup directory outlives it. Directories that disappear are kept as tombstones for a while, so that a CLOSE
 * after its container was removed still resolves.
 */
public final class CgroupIndex {
    private static final int MAX_DEPTH = 32;

    private final Path root;
    private final BoundedCache<Long, String> removed;
    private volatile LongTable<String> current = LongTable.empty();
    private volatile long refreshesStarted;
    private volatile long refreshesCompleted;

    /** @param root where the hierarchy is mounted, e.g. /sys/fs/cgroup or /sys/fs/cgroup/memory */
    public CgroupIndex(Path root, int maxTombstones, long tombstoneTtlNs) {
        this.root = root;
        this.removed = new BoundedCache<>(maxTombstones, tombstoneTtlNs, tombstoneTtlNs, tombstoneTtlNs,
                System::nanoTime);
    }

    public Path root() {
        return root;
    }

    /** The path below the hierarchy's root ("/" for the root itself), or null if not (yet) indexed. */
    public String path(long id) {
        String p = current.get(id);
        if (p != null) {
            return p;
        }
        return removed.get(id) instanceof BoundedCache.Lookup.Hit<String> hit ? hit.value() : null;
    }

    /** How many refreshes have started. */
    public long refreshesStarted() {
        return refreshesStarted;
    }

    /**
     * How many have completed. An id missed when {@code refreshesStarted() == n} and still missing once
     * {@code refreshesCompleted() > n} was absent from a walk that began after the miss: it is not there.
     */
    public long refreshesCompleted() {
        return refreshesCompleted;
    }

    /** Re-walks the hierarchy. Takes a few milliseconds per thousand cgroups; never called on the reader thread. */
    public synchronized void refresh() {
        refreshesStarted++;
        Map<Long, String> next = new HashMap<>(Math.max(16, current.size() * 2));
        boolean[] rootFailed = {false};
        try {
            Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    try {
                        long ino = (Long) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                        String rel = root.relativize(dir).toString();
                        next.put(ino, "/" + rel);
                    } catch (IOException | RuntimeException e) {
                        // removed while walking: it simply is not indexed
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    if (file.equals(root)) {
                        rootFailed[0] = true; // unmounted or unreadable: not the same as "no cgroups"
                        return FileVisitResult.TERMINATE;
                    }
                    return FileVisitResult.CONTINUE; // a cgroup removed under the walk
                }
            });
        } catch (IOException e) {
            rootFailed[0] = true;
        }
        if (rootFailed[0]) {
            refreshesCompleted = refreshesStarted;
            return; // the root itself is unreadable: keep what we had
        }
        current.forEach((id, path) -> {
            if (!next.containsKey(id)) {
                removed.put(id, path);
            }
        });
        current = LongTable.of(next);
        removed.evictExpired();
        refreshesCompleted = refreshesStarted;
    }

    public int size() {
        return current.size();
    }
}
