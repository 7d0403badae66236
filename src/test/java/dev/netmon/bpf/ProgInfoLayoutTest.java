package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.decode.BtfStructs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the offsets netmon reads in struct bpf_prog_info and struct bpf_map_info to the running kernel's BTF
 * (readable without privilege).
 */
class ProgInfoLayoutTest {
    private static BtfStructs.Struct progInfo;
    private static BtfStructs.Struct mapInfo;

    @BeforeAll
    static void dump() throws Exception {
        BtfStructs btf = BtfStructs.dump("/sys/kernel/btf/vmlinux");
        progInfo = btf.struct("bpf_prog_info");
        mapInfo = btf.struct("bpf_map_info");
    }

    /** The ring buffer's size is read from there (LibBpf.mapMaxEntries). */
    @Test
    void aMapsMaxEntriesIsWhereNetmonReadsIt() {
        assertEquals(new BtfStructs.Member("max_entries", LibBpf.MAP_INFO_MAX_ENTRIES, 4), mapInfo.member("max_entries"));
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
