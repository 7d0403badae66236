package dev.netmon.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import java.util.ArrayDeque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Whatever the batch sizes, the ring wraps without losing, repeating or reordering a line. */
class LineQueueProperties {

    /** Positive: add that many (as far as they fit); negative: take up to that many. */
    @Property
    void behavesAsAFifo(@ForAll @IntRange(min = 1, max = 9) int capacity, @ForAll("steps") List<Integer> steps)
            throws InterruptedException {
        var queue = new LineQueue(capacity);
        var model = new ArrayDeque<LogLine>();
        long next = 0;
        for (int step : steps) {
            if (step > 0) {
                int n = Math.min(step, queue.free());
                LogLine[] batch = new LogLine[n];
                for (int i = 0; i < n; i++) {
                    batch[i] = new Lost(next++, 1, 1, "ringbuf");
                    model.add(batch[i]);
                }
                queue.addAll(batch, n);
            } else {
                LogLine[] into = new LogLine[-step];
                int n = queue.takeAll(into, 0);
                assertEquals(Math.min(-step, model.size()), n);
                for (int i = 0; i < n; i++) {
                    assertEquals(model.poll(), into[i]);
                }
            }
            assertEquals(model.size(), queue.size());
        }
    }

    @Provide
    Arbitrary<List<Integer>> steps() {
        return Arbitraries.integers().between(-10, 10).filter(i -> i != 0).list().ofMaxSize(40);
    }
}
