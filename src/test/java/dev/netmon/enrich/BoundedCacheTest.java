package dev.netmon.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netmon.enrich.BoundedCache.Lookup;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cases {@link BoundedCacheProperties} keeps out of its chain, and the two callers' patterns spelled out. */
class BoundedCacheTest {
    private static final long TTL = 100;
    private static final long NEGATIVE_TTL = 30;
    private static final long TOMBSTONE_TTL = 60;

    private long now;
    private final BoundedCache<Integer, String> cache =
            new BoundedCache<>(2, TTL, NEGATIVE_TTL, TOMBSTONE_TTL, () -> now);

    @Test
    void rejectsACacheThatCannotHoldAnything() {
        assertThrows(IllegalArgumentException.class,
                () -> new BoundedCache<Integer, String>(0, TTL, NEGATIVE_TTL, TOMBSTONE_TTL, () -> 0));
    }

    /** CriDirectory's refresh: peekPresent asks "do I need a status call?" without caring about tombstones. */
    @Test
    void peekPresentSeesOnlyLiveValues() {
        cache.put(1, "one");
        cache.putNegative(2);
        assertEquals("one", cache.peekPresent(1));
        assertNull(cache.peekPresent(2));
        cache.bury(1);
        assertNull(cache.peekPresent(1));
        assertEquals(new Lookup.Hit<>("one", true), cache.get(1));
    }

    @Test
    void aNegativeAnswerDoesNotHideAKnownValueOrTombstone() {
        cache.put(1, "one");
        cache.putNegative(1);
        assertEquals(new Lookup.Hit<>("one", false), cache.get(1));
        cache.bury(1);
        cache.putNegative(1);
        assertEquals(new Lookup.Hit<>("one", true), cache.get(1));
    }

    @Test
    void evictExpiredFreesTheRoomOfEachKindAtItsOwnTtl() {
        cache.putNegative(1);
        cache.put(2, "two");
        now = NEGATIVE_TTL;
        cache.evictExpired();
        assertEquals(1, cache.size());
        assertEquals(List.of(2), cache.presentKeys());
    }

    @Test
    void peekPresentCountsAsAUse() {
        // The refresher peeks at every listed container: live containers stay young, gone ones age out first.
        cache.put(1, "one");
        cache.put(2, "two");
        assertEquals("one", cache.peekPresent(1));
        cache.put(3, "three"); // 2 is now the least recently used, so it is the one to go
        assertEquals(new Lookup.Miss<>(), cache.get(2));
        assertEquals(new Lookup.Hit<>("one", false), cache.get(1));
    }

    @Test
    void buryingAnExpiredValueDoesNotBringItBack() {
        cache.put(1, "one");
        now = TTL;
        cache.bury(1);
        assertEquals(new Lookup.Miss<>(), cache.get(1));
    }
}
