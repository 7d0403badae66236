package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** LibBpf binds its calls on a thread of its own after loading: usable at once, from any thread, each bound once. */
class LateBindingTest {

    /** The binding thread works through this list, and only calls in it have their symbol looked up at load. */
    @Test
    void everyCallIsInTheBindingOrderOnce() {
        assertEquals(LibBpf.Downcall.BIND_ORDER.size(), new HashSet<>(LibBpf.Downcall.BIND_ORDER).size());
        assertEquals(EnumSet.allOf(LibBpf.Downcall.class), EnumSet.copyOf(LibBpf.Downcall.BIND_ORDER));
    }

    /** Right after load, before the binding thread can have finished: callers bind what they need themselves. */
    @Test
    void aCallWorksRightAwayAndFromManyThreads() throws Exception {
        LibBpf lib = LibBpf.load();
        var calls = new ArrayList<CompletableFuture<Integer>>();
        for (int i = 0; i < 4; i++) {
            calls.add(CompletableFuture.supplyAsync(lib::pageSize));
        }
        int here = lib.pageSize();
        assertTrue(here >= 4096 && Integer.bitCount(here) == 1, "page size " + here);
        for (CompletableFuture<Integer> c : calls) {
            assertEquals(here, c.get());
        }
        assertTrue(lib.numPossibleCpus() >= 1, "one of the first in the binding order works too");
    }
}
