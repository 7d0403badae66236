package dev.netmon.enrich;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A size-bounded LRU map whose entries expire: found values after {@code ttlNs}, negative entries (looked up,
 * known not to exist) after {@code negativeTtlNs}, and tombstones (values whose subject is gone, kept so that late
 * events are still attributed) after {@code tombstoneTtlNs}. Thread-safe; every operation is O(1) and holds the
 * lock only for a map access, so the buffer reader can call it.
 */
public final class BoundedCache<K, V> {
    /** What a lookup found. */
    public sealed interface Lookup<V> {
        /** A value; {@code gone} when its subject no longer exists (a tombstone). */
        record Hit<V>(V value, boolean gone) implements Lookup<V> {}

        /** Looked up before and known not to exist. */
        record Negative<V>() implements Lookup<V> {}

        /** Nothing known. */
        record Miss<V>() implements Lookup<V> {}
    }

    private enum Kind {
        PRESENT,
        NEGATIVE,
        TOMBSTONE
    }

    private record Slot<V>(Kind kind, V value, long storedNs) {}

    private final int maxEntries;
    private final long ttlNs;
    private final long negativeTtlNs;
    private final long tombstoneTtlNs;
    private final LongSupplier clock;
    private final LinkedHashMap<K, Slot<V>> map;

    /** @param clock monotonic nanoseconds (System::nanoTime outside tests) */
    public BoundedCache(int maxEntries, long ttlNs, long negativeTtlNs, long tombstoneTtlNs, LongSupplier clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.maxEntries = maxEntries;
        this.ttlNs = ttlNs;
        this.negativeTtlNs = negativeTtlNs;
        this.tombstoneTtlNs = tombstoneTtlNs;
        this.clock = clock;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Slot<V>> eldest) {
                return size() > BoundedCache.this.maxEntries;
            }
        };
    }

    public synchronized Lookup<V> get(K key) {
        Slot<V> e = map.get(key);
        if (e == null) {
            return new Lookup.Miss<>();
        }
        if (expired(e, clock.getAsLong())) {
            map.remove(key);
            return new Lookup.Miss<>();
        }
        return switch (e.kind) {
            case PRESENT -> new Lookup.Hit<>(e.value, false);
            case TOMBSTONE -> new Lookup.Hit<>(e.value, true);
            case NEGATIVE -> new Lookup.Negative<>();
        };
    }

    /** The value if present and current (not a tombstone), else null. Counts as a use for LRU order. */
    public synchronized V peekPresent(K key) {
        Slot<V> e = map.get(key);
        return e != null && e.kind == Kind.PRESENT && !expired(e, clock.getAsLong()) ? e.value : null;
    }

    public synchronized void put(K key, V value) {
        map.put(key, new Slot<>(Kind.PRESENT, value, clock.getAsLong()));
    }

    /** Remembers that {@code key} does not exist, so that repeated misses do not ask again until the TTL ends. */
    public synchronized void putNegative(K key) {
        Slot<V> e = map.get(key);
        if (e == null || e.kind == Kind.NEGATIVE || expired(e, clock.getAsLong())) {
            map.put(key, new Slot<>(Kind.NEGATIVE, null, clock.getAsLong()));
        }
    }

    /** Marks a present value as gone; it stays readable as a tombstone for the tombstone TTL. */
    public synchronized void bury(K key) {
        Slot<V> e = map.get(key);
        if (e == null || e.kind != Kind.PRESENT) {
            return;
        }
        long now = clock.getAsLong();
        if (expired(e, now)) {
            map.remove(key); // an expired value is gone already; burying must not revive it
        } else {
            map.put(key, new Slot<>(Kind.TOMBSTONE, e.value, now));
        }
    }

    public synchronized int size() {
        return map.size();
    }

    /** Keys of present (not gone, not expired) values, oldest use first. */
    public synchronized java.util.List<K> presentKeys() {
        long now = clock.getAsLong();
        return map.entrySet().stream()
                .filter(en -> en.getValue().kind == Kind.PRESENT && !expired(en.getValue(), now))
                .map(Map.Entry::getKey)
                .toList();
    }

    /** Drops expired entries; the background refresher calls this so that memory stays flat between lookups. */
    public synchronized void evictExpired() {
        long now = clock.getAsLong();
        for (Iterator<Slot<V>> it = map.values().iterator(); it.hasNext(); ) {
            if (expired(it.next(), now)) {
                it.remove();
            }
        }
    }

    private boolean expired(Slot<V> e, long now) {
        long ttl = switch (e.kind) {
            case PRESENT -> ttlNs;
            case NEGATIVE -> negativeTtlNs;
            case TOMBSTONE -> tombstoneTtlNs;
        };
        return now - e.storedNs >= ttl;
    }
}
