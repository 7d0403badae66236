package dev.netmon.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.Dropped;
import dev.netmon.event.Endpoint;
import dev.netmon.event.EventHeader;
import dev.netmon.event.Family;
import dev.netmon.event.Flow;
import dev.netmon.event.LogLine;
import dev.netmon.event.NetEvent;
import dev.netmon.event.ProcessRef;
import dev.netmon.event.Protocol;
import dev.netmon.output.LineSink;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Lines cross to the writer thread in batches; what fits, what is dropped and the order are as line by line. */
class OutputStageTest {
    /** Records what it is given; the first write waits until released, so that the queue can be filled. */
    private static final class StalledSink implements LineSink {
        final List<LogLine> written = new ArrayList<>();
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public synchronized void write(LogLine line) throws IOException {
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            written.add(line);
        }

        @Override
        public void flush() {}
    }

    /** Event lines that differ, so that the order shows. */
    private static LogLine line(int i) {
        var header = new EventHeader(i, new ProcessRef(i, i, 0, "p"), 1, 1, 0);
        var end = new Endpoint(InetAddress.getLoopbackAddress(), 1 + i % 60_000);
        return new Attributed(new NetEvent.Connect(header, new Flow(Protocol.TCP, Family.IPv4, end, end), 0),
                Attribution.UNKNOWN);
    }

    @Test
    void aFullQueueDropsWhatDoesNotFitAndKeepsTheOrderOfTheRest() throws Exception {
        var sink = new StalledSink();
        var stage = new OutputStage(sink, 4, Long.MAX_VALUE, () -> 99);
        List<LogLine> offered = new ArrayList<>();
        for (int i = 0; i < 3 * OutputStage.BATCH; i++) {
            offered.add(line(i));
        }
        assertTrue(stage.offer(offered.get(0)));
        stage.flush();
        sink.writing.await(); // the writer holds the first line: the queue's 4 places are all there is
        List<LogLine> accepted = new ArrayList<>(List.of(offered.get(0)));
        int dropped = 0;
        for (LogLine l : offered.subList(1, offered.size())) {
            if (stage.offer(l)) {
                accepted.add(l);
            } else {
                dropped++;
            }
        }
        assertEquals(5, accepted.size());
        assertEquals(offered.size() - 5, dropped);
        assertEquals(dropped, stage.dropped());
        sink.release.countDown();
        stage.close();
        List<LogLine> written = sink.written;
        assertEquals(accepted, written.subList(0, 5));
        assertEquals(6, written.size());
        Dropped report = (Dropped) written.get(5);
        assertEquals(dropped, report.count());
        assertEquals(dropped, report.total());
    }

    @Test
    void linesCollectedByTheReaderAreWrittenAtItsFlushAndAtClose() throws Exception {
        var written = new ArrayList<LogLine>();
        var stage = new OutputStage(new LineSink() {
            @Override
            public synchronized void write(LogLine line) {
                written.add(line);
            }

            @Override
            public void flush() {}
        }, 1 << 12, Long.MAX_VALUE, () -> 0);
        List<LogLine> offered = new ArrayList<>();
        for (int i = 0; i < OutputStage.BATCH + 3; i++) {
            LogLine l = line(i);
            offered.add(l);
            assertTrue(stage.offer(l));
        }
        stage.close(); // hands over the 3 that did not make a whole batch
        assertFalse(stage.outputClosed());
        assertEquals(offered, written); // close joined the writer thread, so its writes are visible here
    }
}
