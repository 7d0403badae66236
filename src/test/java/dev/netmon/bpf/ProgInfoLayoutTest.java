package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.decode.BtfStructs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pins the offsets netmon reads in struct bpf_prog_info to the running kernel's BTF (readable without privilege). */
class ProgInfoLayoutTest {
    private static BtfStructs.Struct progInfo;

    @BeforeAll
    static void dump() throws Exception {
        progInfo = BtfStructs.dump("/sys/kernel/btf/vmlinux").struct("bpf_prog_info");
    }

    @Test
    void runStatisticsAreWhereNetmonReadsThem() {
        for (ProgInfoLayout.Field f : ProgInfoLayout.FIELDS) {
            assertEquals(new BtfStructs.Member(f.name(), f.offset(), f.size()), progInfo.member(f.name()));
        }
        assertEquals(ProgInfoLayout.RUN_CNT + 8, ProgInfoLayout.SIZE, "netmon offers the struct up to run_cnt");
    }

    @Test
    void theKernelStructHoldsWhatNetmonOffers() {
        assertTrue(progInfo.size() >= ProgInfoLayout.SIZE, "sizeof(struct bpf_prog_info) is " + progInfo.size());
    }
}
