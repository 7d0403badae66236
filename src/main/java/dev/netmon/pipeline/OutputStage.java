package dev.netmon.pipeline;

import dev.netmon.event.Dropped;
import dev.netmon.event.LogLine;
import dev.netmon.output.LineSink;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The bounded queue between the buffer reader and stdout, and the thread that writes it out. The reader never
 * waits on output: when stdout is slower than events arrive, the queue absorbs the burst, and when it is full
 * events are dropped, counted, and reported as a DROPPED line once per interval. Reports about the stream (LOST,
 * DROPPED, RATE_LIMITED) are never dropped. One queue and one writer, so lines leave in the order they came.
 *
 * <p>Lines cross between the threads in batches: the reader collects up to {@link #BATCH} and hands them over at
 * once, or at its {@link #flush()} after each buffer poll; the writer takes all that wait at once. Whether a line
 * fits is still decided when it is offered, so dropping and counting are as they were line by line.
 */
public final class OutputStage implements LineSink, AutoCloseable {
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Lines handed over per lock on either side: enough to make the lock rare, few enough to start writing early. */
    static final int BATCH = 256;

    private final LineSink out;
    private final LineQueue queue;
    /** The reader's lines not yet handed over, and how many more the queue can take beyond them (as last seen). */
    private final LogLine[] pending = new LogLine[BATCH];
    private int pendingCount;
    private int room;
    private final ConcurrentLinkedQueue<LogLine> reports = new ConcurrentLinkedQueue<>();
    private final long reportIntervalNs;
    private final LongSupplier monotonicNs;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private long droppedReported;
    private long lastReportNs;
    private long written;
    private volatile boolean closing;
    private volatile boolean outputClosed;

    /**
     * @param out the format's writer; only the writer thread touches it
     * @param monotonicNs the kernel clock, so that a DROPPED line's timestamp converts like an event's
     */
    public OutputStage(LineSink out, int capacity, long reportIntervalNs, LongSupplier monotonicNs) {
        this.out = out;
        this.queue = new LineQueue(capacity);
        this.reportIntervalNs = reportIntervalNs;
        this.monotonicNs = monotonicNs;
        this.lastReportNs = System.nanoTime();
        this.writer = Thread.ofPlatform().name("netmon-output").daemon().start(this::run);
    }

    @Override
    public void write(LogLine line) throws IOException {
        offer(line);
    }

    /** From one thread only, the reader's (as {@link #flush()}). */
    @Override
    public boolean offer(LogLine line) throws IOException {
        if (outputClosed) {
            throw new IOException("stdout is closed");
        }
        if (isReport(line)) {
            reports.add(line);
            return true;
        }
        if (room == 0) {
            // Only the writer frees room, so what it has freed by now is there when the batch is handed over.
            room = Math.max(0, queue.free() - pendingCount);
            if (room == 0) {
                dropped.incrementAndGet();
                return false;
            }
        }
        pending[pendingCount++] = line;
        room--;
        if (pendingCount == BATCH) {
            handOver();
        }
        return true;
    }

    private void handOver() {
        queue.addAll(pending, pendingCount);
        Arrays.fill(pending, 0, pendingCount, null);
        pendingCount = 0;
    }

    private static boolean isReport(LogLine line) {
        return switch (line) {
            case dev.netmon.event.Lost l -> true;
            case Dropped d -> true;
            case dev.netmon.event.RateLimited r -> true;
            case dev.netmon.event.NetEvent e -> false;
            case dev.netmon.event.Attributed a -> false;
        };
    }

    /**
     * Hands the reader's collected lines to the writer thread, which flushes stdout whenever it catches up. Called
     * by the reader after each buffer poll; from the reader's thread only, as {@link #offer}.
     */
    @Override
    public void flush() {
        if (pendingCount > 0) {
            handOver();
        }
    }

    private void run() {
        LogLine[] batch = new LogLine[BATCH];
        try {
            while (!(closing && queue.size() == 0 && reports.isEmpty())) {
                writeSome(batch);
            }
            reportDropped(true);
            out.flush();
        } catch (IOException e) {
            outputClosed = true; // EPIPE: the reader of stdout is gone
            queue.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One turn of the writer: the reports, then what waits in the queue, or what comes within POLL_NS. A method of
     * its own rather than the body of run()'s loop, so that the JIT compiles it as a method: the loop, entered once
     * and never left, only ever got on-stack-replacement code, with the whole format writer inlined into it.
     */
    private void writeSome(LogLine[] batch) throws IOException, InterruptedException {
        for (LogLine r; (r = reports.poll()) != null; ) {
            out.write(r);
        }
        int n = queue.takeAll(batch, 0);
        if (n == 0) {
            reportDropped(false);
            out.flush(); // caught up: hand what is written to the reader of stdout
            n = queue.takeAll(batch, POLL_NS);
        }
        for (int i = 0; i < n; i++) {
            out.write(batch[i]);
            batch[i] = null;
        }
        written += n;
        if (n > 0 && System.nanoTime() - lastReportNs >= reportIntervalNs) { // once a batch, not a line
            reportDropped(false);
        }
    }

    private void reportDropped(boolean last) throws IOException {
        long now = System.nanoTime();
        if (!last && now - lastReportNs < reportIntervalNs) {
            return;
        }
        long total = dropped.get();
        if (total > droppedReported) {
            out.write(new Dropped(monotonicNs.getAsLong(), total - droppedReported, total, Dropped.OUTPUT_SLOW));
            droppedReported = total;
            lastReportNs = now;
        }
    }

    @Override
    public boolean closed() {
        return outputClosed;
    }

    /** Set once stdout failed (EPIPE); the tracer stops then. */
    public boolean outputClosed() {
        return outputClosed;
    }

    public long dropped() {
        return dropped.get();
    }

    /** Event lines waiting for stdout; safe from any thread. */
    public int depth() {
        return queue.size();
    }

    public int capacity() {
        return queue.capacity();
    }

    /**
     * Writes what is queued (bounded by {@code maxWaitNs}), reports what was dropped, flushes. From the reader's
     * thread, or once it has stopped: lines it collected are handed over first.
     */
    public void close(long maxWaitNs) {
        flush();
        closing = true;
        try {
            writer.join(TimeUnit.NANOSECONDS.toMillis(maxWaitNs) + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(TimeUnit.SECONDS.toNanos(2));
    }
}
