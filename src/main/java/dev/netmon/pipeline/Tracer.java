package dev.netmon.pipeline;

import dev.netmon.bpf.BpfObject;
import dev.netmon.bpf.EventBuffer;
import dev.netmon.bpf.LibBpf;
import dev.netmon.bpf.LibBpfException;
import dev.netmon.bpf.LoadSettings;
import dev.netmon.decode.EventDecoder;
import dev.netmon.decode.MalformedEventException;
import dev.netmon.enrich.Resolver;
import dev.netmon.event.Attributed;
import dev.netmon.event.Attribution;
import dev.netmon.event.RateLimited;
import dev.netmon.event.LogLine;
import dev.netmon.event.Lost;
import dev.netmon.event.NetEvent;
import dev.netmon.output.LineSink;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Kernel event to output line: loads and attaches the BPF programs, then reads the buffer on the calling thread,
 * decoding each record and writing it out. Lost records are reported in the stream as LOST lines.
 */
public final class Tracer implements AutoCloseable {
    /** Longest a record below the wakeup threshold waits in the buffer, and how often LOST is checked. */
    public static final int POLL_TIMEOUT_MS = 100;
    private static final int HELD_RECHECK_MS = 5;
    private static final long RATE_REPORT_NS = 1_000_000_000L;
    private static final int MAX_RATE_LIMITED_CGROUPS = 65_536;

    private final LibBpf lib;
    private final BpfObject bpf;
    private final EventBuffer buffer;
    private final LineSink sink;
    private final EventDecoder decoder = new EventDecoder();
    private final HoldingStage holding;
    private final long maxEvents;
    private volatile boolean stopRequested;
    private final TraceCounts counts = new TraceCounts();
    private long lastRateReportNs = System.nanoTime();
    private final RateLimiter limiter;
    private final Resolver resolver;
    private boolean outputClosed;

    private Tracer(LibBpf lib, LoadSettings settings, LineSink sink, long maxEvents, Resolver resolver,
            long maxWaitNs, LineFilter filter, long ratePerSecond) throws LibBpfException {
        this.lib = lib;
        this.resolver = resolver;
        this.limiter = new RateLimiter(ratePerSecond, MAX_RATE_LIMITED_CGROUPS);
        this.sink = sink;
        this.maxEvents = maxEvents;
        this.holding = new HoldingStage(resolver, maxWaitNs, new LineSink() {
            @Override
            public void write(LogLine line) throws IOException {
                Attributed a = (Attributed) line; // the holding stage writes nothing else
                if (!filter.test(a)) {
                    counts.countFiltered();
                    return;
                }
                if (!reachedCount() && sink.offer(line)) { // a released queue may hold more than --count wants
                    counts.countDelivered(a.event());
                }
            }

            @Override
            public void flush() throws IOException {
                sink.flush();
            }
        }, counts);
        this.bpf = BpfObject.load(lib, settings);
        EventBuffer opened = null;
        try {
            opened = bpf.openBuffer(this::onRecord);
            bpf.attach();
        } catch (LibBpfException | RuntimeException e) {
            try {
                if (opened != null) {
                    opened.close();
                }
            } finally {
                bpf.close();
            }
            throw e;
        }
        this.buffer = opened;
    }

    /**
     * Loads, opens the buffer and attaches; events flow into the buffer from here on.
     *
     * @param maxEvents stop after this many event lines; 0 for no limit
     */
    public static Tracer attach(LibBpf lib, LoadSettings settings, LineSink sink, long maxEvents)
            throws LibBpfException {
        return new Tracer(lib, settings, sink, maxEvents, null, 0, LineFilter.NONE, 0);
    }

    /**
     * As {@link #attach(LibBpf, LoadSettings, LineSink, long)}, with attribution: each event waits at most
     * {@code maxWaitNs} for its own lookups, then goes out with what is known; lines {@code filter} rejects are
     * counted, not written.
     */
    public static Tracer attach(LibBpf lib, LoadSettings settings, LineSink sink, long maxEvents, Resolver resolver,
            long maxWaitNs, LineFilter filter, long ratePerSecond) throws LibBpfException {
        return new Tracer(lib, settings, sink, maxEvents, resolver, maxWaitNs, filter, ratePerSecond);
    }

    private void onRecord(MemorySegment buffer, long at, long size) {
        if (outputClosed || reachedCount()) {
            return;
        }
        NetEvent event;
        try {
            event = decoder.decode(buffer, at, size);
        } catch (MalformedEventException e) {
            counts.countDecodeError();
            return;
        }
        // The clock is read only where it is needed (a rate limit, a held event): it was a tenth of the reader's time.
        if (limiter.enabled() && !limiter.allow(event.header(), System.nanoTime())) {
            counts.countRateLimited();
            return;
        }
        try {
            holding.offer(event, System::nanoTime);
        } catch (IOException e) {
            outputClosed = true;
        }
    }

    private void releaseHeld(boolean all) {
        if (outputClosed) {
            return;
        }
        try {
            holding.release(System.nanoTime(), all);
        } catch (IOException e) {
            outputClosed = true;
        }
    }

    private boolean reachedCount() {
        return maxEvents > 0 && counts.events() >= maxEvents;
    }

    /**
     * Reads until {@link #stop()} is called, the event count is reached, the deadline passes or the output
     * closes. Ends with a last read of the buffer and a last check for lost records.
     *
     * @param deadlineNanoTime a {@link System#nanoTime()} value, or Long.MAX_VALUE
     */
    public TraceStats run(long deadlineNanoTime) throws LibBpfException {
        while (!stopRequested && !outputClosed && !sink.closed() && !reachedCount()) {
            long now = System.nanoTime();
            if (now - deadlineNanoTime >= 0) {
                break;
            }
            long wakeAt = holding.heldCount() > 0 && holding.nextDeadlineNs() - deadlineNanoTime < 0
                    ? holding.nextDeadlineNs() : deadlineNanoTime;
            // Held events are re-checked every few ms, so one goes out as soon as its lookup lands.
            long cap = holding.heldCount() > 0 ? HELD_RECHECK_MS : POLL_TIMEOUT_MS;
            int timeout = (int) Math.min(cap, Math.max(1, (wakeAt - now) / 1_000_000));
            buffer.poll(timeout);
            releaseHeld(false);
            reportLost();
            reportRateLimited(false);
            flush();
        }
        if (!outputClosed && !reachedCount()) {
            buffer.poll(0);
        }
        releaseHeld(true);
        reportLost();
        reportRateLimited(true);
        flush();
        return stats();
    }

    private void reportLost() throws LibBpfException {
        if (outputClosed) {
            return;
        }
        long total = bpf.lostTotal();
        long reported = counts.lost();
        if (total > reported) {
            Lost lost = new Lost(lib.monotonicNs(), total - reported, total, bpf.bufferKind().text());
            counts.countLost(total);
            try {
                sink.write(lost);
            } catch (IOException e) {
                outputClosed = true;
            }
        }
    }

    /** One RATE_LIMITED line per limited cgroup per second, attributed like its events would have been. */
    private void reportRateLimited(boolean last) {
        long now = System.nanoTime();
        if (!limiter.enabled() || outputClosed || (!last && now - lastRateReportNs < RATE_REPORT_NS)) {
            return;
        }
        lastRateReportNs = now;
        for (RateLimiter.Summary s : limiter.drain()) {
            Attribution who = resolver == null ? Attribution.UNKNOWN : resolver.now(s.sample());
            try {
                sink.offer(new RateLimited(lib.monotonicNs(), s.sample().cgroupId(), who, s.count(),
                        limiter.perSecond()));
            } catch (IOException e) {
                outputClosed = true;
                return;
            }
        }
    }

    private void flush() {
        if (outputClosed) {
            return;
        }
        try {
            sink.flush();
        } catch (IOException e) {
            outputClosed = true;
        }
    }

    /** Asks {@link #run} to return after its current poll; safe from any thread, including a signal handler. */
    public void stop() {
        stopRequested = true;
    }

    public boolean outputClosed() {
        return outputClosed || sink.closed();
    }

    /** Safe from any thread, while the tracer runs too. */
    public TraceStats stats() {
        return new TraceStats(counts.events(), counts.lost(), counts.decodeErrors(), buffer.sinkFailures(),
                sink instanceof OutputStage o ? o.dropped() : 0);
    }

    /** Running totals, readable from any thread while the tracer runs. */
    public TraceCounts counts() {
        return counts;
    }

    /** Events the per-cgroup rate limit left out (each summarised in a RATE_LIMITED line). */
    public long rateLimited() {
        return counts.rateLimited();
    }

    /** Events that user-space filters (--namespace, --pod, --cidr ...) held back. */
    public long filtered() {
        return counts.filtered();
    }

    /** Each attached program's kernel run statistics (zero unless BPF statistics are on); empty once closed. */
    public java.util.List<dev.netmon.bpf.ProgramStats> programStats() throws LibBpfException {
        return bpf.programStats();
    }

    /** The buffer actually in use (--buffer auto resolved). */
    public dev.netmon.bpf.BufferKind bufferKind() {
        return bpf.bufferKind();
    }

    public int attachedPrograms() {
        return bpf.attachedPrograms();
    }

    /** How the loaded programs read kernel memory (KernelReads.AUTO resolved). */
    public dev.netmon.bpf.KernelReads kernelReads() {
        return bpf.kernelReads();
    }

    /** Frees the buffer, detaches every program and frees the object. */
    @Override
    public void close() {
        try {
            buffer.close();
        } finally {
            bpf.close(); // the programs are detached even if the buffer could not be freed
        }
    }
}
