package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class OnlineCpusTest {

    @Test
    void kernelCpuListsAreCounted() {
        assertEquals(OptionalInt.of(2), OnlineCpus.count("0-1\n"));
        assertEquals(OptionalInt.of(1), OnlineCpus.count("0\n"));
        assertEquals(OptionalInt.of(7), OnlineCpus.count("0-3,8,10-11"));
    }

    @Test
    void anythingElseIsNoCount() {
        for (String bad : new String[] {"", "\n", "a", "3-1", "0-", "-1", "0,,1", "0-1,x"}) {
            assertEquals(OptionalInt.empty(), OnlineCpus.count(bad), "'" + bad + "'");
        }
    }

    /** A list of disjoint ranges counts their widths, whatever their number and place. */
    @Property
    void disjointRangesAddUp(@ForAll @IntRange(min = 1, max = 8) int ranges,
            @ForAll @IntRange(min = 1, max = 64) int width, @ForAll @IntRange(min = 0, max = 8) int gap) {
        StringBuilder list = new StringBuilder();
        int at = 0;
        for (int i = 0; i < ranges; i++) {
            list.append(i == 0 ? "" : ",").append(width == 1 ? "" + at : at + "-" + (at + width - 1));
            at += width + gap + 1;
        }
        assertEquals(OptionalInt.of(ranges * width), OnlineCpus.count(list + "\n"));
    }

    @Test
    void thisHostHasAtLeastOneCpuOnline() {
        OptionalInt n = OnlineCpus.read();
        assertTrue(n.isPresent() && n.getAsInt() >= 1, "" + n);
    }
}
