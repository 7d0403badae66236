package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The calls LibBpf binds after its construction: usable at once, from any thread, each bound once. */
class LateBindingTest {

    @Test
    void eachLateCallIsListedOnce() {
        assertEquals(LibBpf.Downcall.LATE.size(), new HashSet<>(LibBpf.Downcall.LATE).size());
    }

    /** Right after load, before the binding thread can have finished: callers bind what they need themselves. */
    @Test
    void aLateCallWorksRightAwayAndFromManyThreads() throws Exception {
        LibBpf lib = LibBpf.load();
        var calls = new java.util.ArrayList<CompletableFuture<Integer>>();
        for (int i = 0; i < 4; i++) {
            calls.add(CompletableFuture.supplyAsync(lib::pageSize));
        }
        int here = lib.pageSize();
        assertTrue(here >= 4096 && Integer.bitCount(here) == 1, "page size " + here);
        for (CompletableFuture<Integer> c : calls) {
            assertEquals(here, c.get());
        }
    }
}
