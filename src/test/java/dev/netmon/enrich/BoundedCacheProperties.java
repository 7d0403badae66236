package dev.netmon.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.enrich.BoundedCache.Lookup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import net.jqwik.api.statistics.Statistics;

/**
 * BoundedCache against a model small enough to check by eye: a map in least-recently-used-first order, where every
 * operation naming a key counts as a use of it, and an entry lives for its kind's TTL from when it was stored. The
 * clock is a plain long the chain advances, so expiry is exact, boundaries included. peekPresent is left out of the
 * chain because it moves entries in the LRU order against its documentation; {@link BoundedCacheTest} shows that
 * and the other cases on their own.
 */
class BoundedCacheProperties {
    // Distinct TTLs, so that a mix-up between the kinds shows as a wrong answer at some step.
    private static final long TTL = 100;
    private static final long NEGATIVE_TTL = 30;
    private static final long TOMBSTONE_TTL = 60;
    /** More keys than entries, so that eviction happens. */
    private static final int KEYS = 6;

    @Property(tries = 400)
    void behavesLikeTheModel(@ForAll("chains") ActionChain<Subject> chain) {
        chain.withInvariant("never more than maxEntries", s -> assertTrue(s.cache.size() <= s.maxEntries))
                .withInvariant("the same entries as the model", s -> assertEquals(s.model.size(), s.cache.size()))
                // presentKeys is oldest use first: this pins the LRU order, not just the membership.
                .withInvariant("live values in LRU order", s -> assertEquals(s.livePresentKeys(), s.cache.presentKeys()))
                .run();
        for (String step : chain.transformations()) {
            Statistics.label("action").collect(step.split(" ")[0]);
        }
        Statistics.label("maxEntries").collect(chain.finalState().map(s -> s.maxEntries).orElse(0));
    }

    @Provide
    Arbitrary<ActionChain<Subject>> chains() {
        return Arbitraries.integers().between(1, 4).flatMap(max -> ActionChain.startWith(() -> new Subject(max))
                .withAction(3, advance())
                .withAction(3, put())
                .withAction(2, putNegative())
                .withAction(3, get(Arbitraries.integers().between(0, KEYS - 1)))
                .withAction(3, getKnown())
                .withAction(2, buryLive())
                .withAction(1, Action.<Subject>just(Transformer.mutate("evictExpired", Subject::evictExpired)))
                .withMaxTransformations(60));
    }

    /** Steps that land just before, on and just after each TTL, and some small ones in between. */
    private static Action.Independent<Subject> advance() {
        Arbitrary<Long> steps = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(0, 15)),
                Tuple.of(2, Arbitraries.of(NEGATIVE_TTL - 1, NEGATIVE_TTL, TOMBSTONE_TTL - 1, TOMBSTONE_TTL,
                        TTL - 1, TTL, TTL + 1)));
        return () -> steps.map(ns -> Transformer.mutate("advance " + ns, s -> s.now += ns));
    }

    private static Action.Independent<Subject> put() {
        return () -> Combinators.combine(Arbitraries.integers().between(0, KEYS - 1), Arbitraries.strings().alpha()
                        .ofLength(2))
                .as((k, v) -> Transformer.mutate("put " + k + "=" + v, s -> s.put(k, v)));
    }

    private static Action.Independent<Subject> putNegative() {
        return () -> Arbitraries.integers().between(0, KEYS - 1)
                .map(k -> Transformer.mutate("putNegative " + k, s -> s.putNegative(k)));
    }

    private static Action.Independent<Subject> get(Arbitrary<Integer> keys) {
        return () -> keys.map(k -> Transformer.mutate("get " + k, s -> s.get(k)));
    }

    /** Gets of keys the model holds, so that hits are common and not left to chance. */
    private static Action.Dependent<Subject> getKnown() {
        return new Action.Dependent<>() {
            @Override
            public boolean precondition(Subject s) {
                return !s.model.isEmpty();
            }

            @Override
            public Arbitrary<Transformer<Subject>> transformer(Subject s) {
                return Arbitraries.of(List.copyOf(s.model.keySet()))
                        .map(k -> Transformer.mutate("getKnown " + k, t -> t.get(k)));
            }
        };
    }

    /**
     * Buries a live value, as CriDirectory does for keys of presentKeys() that the runtime no longer lists. An
     * expired value is not offered: see
     * {@link BoundedCacheTest#buryingAnExpiredValueDoesNotBringItBack()}.
     */
    private static Action.Dependent<Subject> buryLive() {
        return new Action.Dependent<>() {
            @Override
            public boolean precondition(Subject s) {
                return !s.livePresentKeys().isEmpty();
            }

            @Override
            public Arbitrary<Transformer<Subject>> transformer(Subject s) {
                return Arbitraries.of(s.livePresentKeys()).map(k -> Transformer.mutate("bury " + k, t -> t.bury(k)));
            }
        };
    }

    private enum Kind { PRESENT, NEGATIVE, TOMBSTONE }

    private record Entry(Kind kind, String value, long storedAt) {}

    /** The cache, its clock and the model, stepped together; each step checks its own answer against the model. */
    static final class Subject {
        final int maxEntries;
        long now;
        final BoundedCache<Integer, String> cache;
        /** Insertion order is use order here: a use removes and re-inserts. */
        final LinkedHashMap<Integer, Entry> model = new LinkedHashMap<>();

        Subject(int maxEntries) {
            this.maxEntries = maxEntries;
            this.cache = new BoundedCache<>(maxEntries, TTL, NEGATIVE_TTL, TOMBSTONE_TTL, () -> now);
        }

        void put(int k, String v) {
            cache.put(k, v);
            store(k, new Entry(Kind.PRESENT, v, now));
        }

        /** Does not replace a live value or tombstone: a late "not found" must not hide what is known. */
        void putNegative(int k) {
            cache.putNegative(k);
            Entry e = model.get(k);
            store(k, e == null || e.kind == Kind.NEGATIVE || expired(e) ? new Entry(Kind.NEGATIVE, null, now) : e);
        }

        void bury(int k) {
            cache.bury(k);
            store(k, new Entry(Kind.TOMBSTONE, model.get(k).value, now));
        }

        void get(int k) {
            Lookup<String> expected;
            Entry e = model.get(k);
            if (e == null) {
                expected = new Lookup.Miss<>(); // never stored, or evicted as least recently used
            } else if (expired(e)) {
                model.remove(k); // past its kind's TTL: a value, a negative and a tombstone all read as unknown
                expected = new Lookup.Miss<>();
            } else {
                store(k, e); // within its TTL: a use
                expected = switch (e.kind) {
                    case PRESENT -> new Lookup.Hit<>(e.value, false);
                    case TOMBSTONE -> new Lookup.Hit<>(e.value, true);
                    case NEGATIVE -> new Lookup.Negative<>();
                };
            }
            assertEquals(expected, cache.get(k), "get " + k + " at " + now + " of " + e);
        }

        void evictExpired() {
            cache.evictExpired();
            model.values().removeIf(this::expired);
        }

        List<Integer> livePresentKeys() {
            List<Integer> keys = new ArrayList<>();
            for (Map.Entry<Integer, Entry> en : model.entrySet()) {
                if (en.getValue().kind == Kind.PRESENT && !expired(en.getValue())) {
                    keys.add(en.getKey());
                }
            }
            return keys;
        }

        /** A use: the key moves to the young end; a new key beyond maxEntries pushes out the oldest. */
        private void store(int k, Entry e) {
            boolean isNew = model.remove(k) == null;
            model.put(k, e);
            if (isNew && model.size() > maxEntries) {
                model.remove(model.keySet().iterator().next());
            }
        }

        private boolean expired(Entry e) {
            long ttl = switch (e.kind) {
                case PRESENT -> TTL;
                case NEGATIVE -> NEGATIVE_TTL;
                case TOMBSTONE -> TOMBSTONE_TTL;
            };
            return now - e.storedAt >= ttl;
        }

        @Override
        public String toString() {
            return "now=" + now + " model=" + model;
        }
    }
}
