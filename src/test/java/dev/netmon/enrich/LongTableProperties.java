package dev.netmon.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** LongTable against the HashMap it replaces in the cgroup index. */
class LongTableProperties {
    @Property
    void answersAsTheMapItWasBuiltFrom(@ForAll("tables") Map<Long, String> entries,
            @ForAll("ids") List<Long> probes) {
        LongTable<String> table = LongTable.of(entries);
        assertEquals(entries.size(), table.size());
        for (long id : entries.keySet()) {
            assertEquals(entries.get(id), table.get(id));
        }
        for (long id : probes) {
            assertEquals(entries.get(id), table.get(id), "id " + id);
            assertEquals(entries.containsKey(id), table.containsKey(id));
        }
    }

    @Property
    void visitsEachEntryOnce(@ForAll("tables") Map<Long, String> entries) {
        Map<Long, String> seen = new HashMap<>();
        LongTable.of(entries).forEach((id, path) -> assertNull(seen.put(id, path), "visited twice: " + id));
        assertEquals(entries, seen);
    }

    /**
     * Inode numbers: mostly consecutive runs (a hierarchy made at boot) with outliers, and the extremes a long can
     * hold; up to a few thousand, as a node's cgroups.
     */
    @Provide
    Arbitrary<Map<Long, String>> tables() {
        return ids().flatMap(keys -> Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8)
                .map(s -> "/" + s).list().ofSize(keys.size()).map(values -> {
                    Map<Long, String> m = new HashMap<>();
                    for (int i = 0; i < keys.size(); i++) {
                        m.put(keys.get(i), values.get(i));
                    }
                    return m;
                }));
    }

    @Provide
    Arbitrary<List<Long>> ids() {
        Arbitrary<Long> run = Arbitraries.longs().between(1, 1 << 20)
                .flatMap(start -> Arbitraries.longs().between(start, start + 64));
        Arbitrary<Long> any = Arbitraries.longs(); // its edge cases: 0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE
        return Arbitraries.oneOf(run, run, any).list().ofMaxSize(3000);
    }

    @Example
    void anEmptyTableHasNothing() {
        LongTable<String> empty = LongTable.of(Map.of());
        assertEquals(0, empty.size());
        assertNull(empty.get(0));
        assertNull(empty.get(-1));
    }

    @Example
    void aNullValueIsRefused() {
        Map<Long, String> withNull = new HashMap<>();
        withNull.put(7L, null);
        assertThrows(NullPointerException.class, () -> LongTable.of(withNull));
    }
}
