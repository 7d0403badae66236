package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelReleaseTest {
    @Test
    void readsMajorAndMinorOfReleaseStrings() {
        assertEquals(new KernelRelease(6, 18), KernelRelease.parse("6.18.44-fc-v657\n"));
        assertEquals(new KernelRelease(5, 15), KernelRelease.parse("5.15.0-1051-aws"));
        assertEquals(new KernelRelease(6, 1), KernelRelease.parse("6.1.0-28-cloud-amd64"));
        assertEquals(new KernelRelease(4, 18), KernelRelease.parse("4.18.0-553.el8_10.x86_64"));
    }

    @Test
    void garbageIsTheOldestKernel() {
        assertEquals(new KernelRelease(0, 0), KernelRelease.parse("unknown"));
        assertFalse(KernelRelease.parse("").atLeast(5, 8));
    }

    @Test
    void comparesMajorFirstThenMinor() {
        assertTrue(new KernelRelease(6, 2).atLeast(6, 2));
        assertTrue(new KernelRelease(7, 0).atLeast(6, 2));
        assertTrue(new KernelRelease(6, 10).atLeast(6, 2));
        assertFalse(new KernelRelease(6, 1).atLeast(6, 2));
        assertFalse(new KernelRelease(5, 19).atLeast(6, 2));
    }
}
