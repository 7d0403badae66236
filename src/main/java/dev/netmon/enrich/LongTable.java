package dev.netmon.enrich;

import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An immutable map from long keys to values, built once and then only read: the cgroup index's id to path. A
 * HashMap&lt;Long, String&gt; boxed the id of every event to look it up (a Long per event, as many bytes as the
 * event's own header). Open addressing with linear probing, at most half full; safe to read from any thread once
 * published through a volatile field or a final one.
 */
final class LongTable<V> {
    private static final LongTable<?> EMPTY = new LongTable<>(Map.of());

    private final long[] keys;
    private final Object[] values; // null marks an empty slot: values are never null
    private final int mask;
    private final int size;

    private LongTable(Map<Long, ? extends V> entries) {
        int capacity = Integer.highestOneBit(Math.max(2, entries.size()) * 2 - 1) << 1;
        this.keys = new long[capacity];
        this.values = new Object[capacity];
        this.mask = capacity - 1;
        this.size = entries.size();
        for (var e : entries.entrySet()) {
            long key = e.getKey();
            int slot = slot(key);
            while (values[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = Objects.requireNonNull(e.getValue(), "a null value");
        }
    }

    @SuppressWarnings("unchecked")
    static <V> LongTable<V> empty() {
        return (LongTable<V>) EMPTY;
    }

    /** A table of {@code entries}, whose values must not be null. */
    static <V> LongTable<V> of(Map<Long, ? extends V> entries) {
        return entries.isEmpty() ? empty() : new LongTable<>(entries);
    }

    /** The value of {@code key}, or null. */
    @SuppressWarnings("unchecked")
    V get(long key) {
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            Object v = values[slot];
            if (v == null) {
                return null; // never full: an empty slot ends every probe
            }
            if (keys[slot] == key) {
                return (V) v;
            }
        }
    }

    boolean containsKey(long key) {
        return get(key) != null;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    void forEach(BiConsumer<Long, ? super V> action) {
        for (int slot = 0; slot < values.length; slot++) {
            if (values[slot] != null) {
                action.accept(keys[slot], (V) values[slot]);
            }
        }
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L; // ids are inode numbers, often consecutive: spread them
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
