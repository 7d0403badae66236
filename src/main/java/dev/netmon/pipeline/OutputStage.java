package dev.netmon.pipeline;

import dev.netmon.event.Dropped;
import dev.netmon.event.LogLine;
import dev.netmon.output.LineSink;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The bounded queue between the buffer reader and stdout, and the thread that writes it out. The reader never
 * waits on output: when stdout is slower than events arrive, the queue absorbs the burst, and when it is full
 * events are dropped, counted, and reported as a DROPPED line once per interval. Reports about the stream (LOST,
 * DROPPED, RATE_LIMITED) are never dropped. One queue and one writer, so lines leave in the order they came.
 */
public final class OutputStage implements LineSink, AutoCloseable {
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final LineSink out;
    private final ArrayBlockingQueue<LogLine> queue;
    private final int capacity;
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
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.capacity = capacity;
        this.reportIntervalNs = reportIntervalNs;
        this.monotonicNs = monotonicNs;
        this.lastReportNs = System.nanoTime();
        this.writer = Thread.ofPlatform().name("netmon-output").daemon().start(this::run);
    }

    @Override
    public void write(LogLine line) throws IOException {
        offer(line);
    }

    @Override
    public boolean offer(LogLine line) throws IOException {
        if (outputClosed) {
            throw new IOException("stdout is closed");
        }
        if (isReport(line)) {
            reports.add(line);
            return true;
        }
        if (queue.offer(line)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
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

    /** The writer thread flushes whenever it catches up; nothing to do on the reader's side. */
    @Override
    public void flush() {}

    private void run() {
        try {
            while (!(closing && queue.isEmpty() && reports.isEmpty())) {
                for (LogLine r; (r = reports.poll()) != null; ) {
                    out.write(r);
                }
                LogLine line = queue.poll(POLL_NS, TimeUnit.NANOSECONDS);
                if (line != null) {
                    out.write(line);
                    written++;
                } else {
                    reportDropped(false);
                    out.flush(); // caught up: hand what is written to the reader of stdout
                }
                if (System.nanoTime() - lastReportNs >= reportIntervalNs) {
                    reportDropped(false);
                }
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
        return capacity;
    }

    /** Writes what is queued (bounded by {@code maxWaitNs}), reports what was dropped, flushes. */
    public void close(long maxWaitNs) {
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
