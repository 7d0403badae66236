package dev.netmon.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index over a plain directory tree: cgroupfs gives each cgroup directory an inode that is its id, and a temp
 * directory's inode stands in for it exactly, so no cgroupfs and no privilege are needed.
 */
class CgroupIndexTest {
    private static final long LONG_TOMBSTONES = Duration.ofMinutes(5).toNanos();

    @TempDir
    Path root;

    @Test
    void mapsEachDirectoryToItsPathBelowTheRoot() throws IOException {
        Path ab = Files.createDirectories(root.resolve("a/b"));
        var index = new CgroupIndex(root, 16, LONG_TOMBSTONES);
        index.refresh();
        assertEquals("/", index.path(id(root)));
        assertEquals("/a", index.path(id(root.resolve("a"))));
        assertEquals("/a/b", index.path(id(ab)));
        assertEquals(3, index.size());
        assertEquals(root, index.root());
    }

    @Test
    void knowsNothingBeforeTheFirstRefreshOrOfAnUnknownId() throws IOException {
        var index = new CgroupIndex(root, 16, LONG_TOMBSTONES);
        assertNull(index.path(id(root)));
        index.refresh();
        assertNull(index.path(id(Files.createTempFile("not-a-cgroup", ""))));
    }

    @Test
    void aRefreshPicksUpNewDirectories() throws IOException {
        var index = new CgroupIndex(root, 16, LONG_TOMBSTONES);
        index.refresh();
        Path pod = Files.createDirectories(root.resolve("kubepods/besteffort/pod1"));
        assertNull(index.path(id(pod)));
        index.refresh();
        assertEquals("/kubepods/besteffort/pod1", index.path(id(pod)));
    }

    /** A CLOSE arrives after its container's cgroup is gone; the tombstone still names it. */
    @Test
    void aRemovedDirectoryStillResolvesAfterTheRefreshThatMissedIt() throws IOException {
        Path gone = Files.createDirectory(root.resolve("gone"));
        long goneId = id(gone);
        var index = new CgroupIndex(root, 16, LONG_TOMBSTONES);
        index.refresh();
        Files.delete(gone);
        index.refresh();
        assertEquals("/gone", index.path(goneId));
        assertEquals(1, index.size(), "a tombstone is not part of the live index");
    }

    @Test
    void tombstonesEndWithTheirTtl() throws IOException {
        Path gone = Files.createDirectory(root.resolve("gone"));
        long goneId = id(gone);
        var index = new CgroupIndex(root, 16, 0); // expired as soon as stored
        index.refresh();
        Files.delete(gone);
        index.refresh();
        assertNull(index.path(goneId));
    }

    @Test
    void tombstonesAreBoundedInNumber() throws IOException {
        long one = id(Files.createDirectory(root.resolve("one")));
        long two = id(Files.createDirectory(root.resolve("two")));
        var index = new CgroupIndex(root, 1, LONG_TOMBSTONES);
        index.refresh();
        Files.delete(root.resolve("one"));
        Files.delete(root.resolve("two"));
        index.refresh();
        long resolving = Stream.of(one, two).filter(i -> index.path(i) != null).count();
        assertEquals(1, resolving);
    }

    /** The Resolver relies on these to tell "not indexed yet" from "not there". */
    @Test
    void countsStartedAndCompletedRefreshes() {
        var index = new CgroupIndex(root, 16, LONG_TOMBSTONES);
        assertEquals(0, index.refreshesStarted());
        assertEquals(0, index.refreshesCompleted());
        index.refresh();
        index.refresh();
        assertEquals(2, index.refreshesStarted());
        assertEquals(2, index.refreshesCompleted());
    }

    @Test
    void anUnreadableRootKeepsWhatWasIndexed() throws IOException {
        Path hierarchy = Files.createDirectory(root.resolve("hierarchy"));
        long child = id(Files.createDirectory(hierarchy.resolve("child")));
        var index = new CgroupIndex(hierarchy, 16, 0); // no tombstones, so only the live index can answer
        index.refresh();
        Files.move(hierarchy, root.resolve("unmounted"));
        index.refresh();
        assertEquals(2, index.size());
        assertEquals("/child", index.path(child));
    }

    static long id(Path dir) throws IOException {
        return (Long) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }
}
