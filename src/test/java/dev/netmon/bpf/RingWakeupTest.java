package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each CPU wakes the reader at its own threshold; together they must stay within half the ring. */
class RingWakeupTest {
    private static final int KIB = 1024;

    @Test
    void aSmallMachineKeepsTheWantedThreshold() {
        assertEquals(256 * KIB, BpfObject.ringWakeupBytes(256 * KIB, 2048 * KIB, 2));
    }

    @Test
    void manyCpusShareHalfTheRing() {
        assertEquals(16 * KIB, BpfObject.ringWakeupBytes(256 * KIB, 2048 * KIB, 64));
    }

    @Test
    void neverBelowOneEvent() {
        assertEquals(128, BpfObject.ringWakeupBytes(256 * KIB, 4 * KIB, 1024));
        assertEquals(128, BpfObject.ringWakeupBytes(1, 2048 * KIB, 2));
    }
}
