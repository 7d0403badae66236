package dev.netmon.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * libbpf's raw perf_buffer over the events_perf map, with a byte watermark so that the kernel wakes the reader
 * once per batch instead of once per record (libbpf's default, which costs about 14 us per event here).
 */
final class PerfBuffer implements EventBuffer {
    // struct perf_event_attr, as far as PERF_ATTR_SIZE_VER5.
    private static final int ATTR_SIZE = 112;
    private static final int PERF_TYPE_SOFTWARE = 1;
    private static final long PERF_COUNT_SW_BPF_OUTPUT = 10;
    private static final long PERF_SAMPLE_RAW = 1L << 10;
    private static final long ATTR_FLAG_WATERMARK = 1L << 14;
    // struct perf_event_header { u32 type; u16 misc; u16 size; } then, for a sample, u32 size and the raw bytes.
    private static final int PERF_RECORD_SAMPLE = 9;
    private static final int LIBBPF_PERF_EVENT_CONT = -2;

    private final LibBpf lib;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pb;
    private final RecordSink sink;
    /** Volatile, for readers on other threads; written only on a failure, so it costs nothing per record. */
    private volatile long sinkFailures;

    PerfBuffer(LibBpf lib, int mapFd, int pagesPerCpu, int watermarkBytes, RecordSink sink) throws LibBpfException {
        this.lib = lib;
        this.sink = sink;
        MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
        attr.set(JAVA_INT, 0, PERF_TYPE_SOFTWARE);
        attr.set(JAVA_INT, 4, ATTR_SIZE);
        attr.set(JAVA_LONG, 8, PERF_COUNT_SW_BPF_OUTPUT);
        attr.set(JAVA_LONG, 16, 1); // sample_period
        attr.set(JAVA_LONG, 24, PERF_SAMPLE_RAW);
        attr.set(JAVA_LONG, 40, ATTR_FLAG_WATERMARK);
        attr.set(JAVA_INT, 48, watermarkBytes); // wakeup_watermark
        try {
            this.pb = lib.perfBufferNewRaw(mapFd, pagesPerCpu, attr, lib.perfEventUpcall(this::onEvent, arena));
        } catch (LibBpfException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private int onEvent(MemorySegment ctx, int cpu, MemorySegment header) {
        try {
            MemorySegment record = header.reinterpret(8);
            // PERF_RECORD_LOST is not counted here: the BPF side already counted each failed write, and the
            // kernel reports those same records again only when a later write succeeds.
            if (record.get(JAVA_INT, 0) == PERF_RECORD_SAMPLE) {
                int total = Short.toUnsignedInt(record.get(JAVA_SHORT, 6));
                MemorySegment sample = header.reinterpret(total);
                int rawSize = sample.get(JAVA_INT, 8);
                sink.accept(sample, 12, Math.min(rawSize, total - 12));
            }
        } catch (Throwable t) {
            sinkFailures++;
        }
        return LIBBPF_PERF_EVENT_CONT;
    }

    @Override
    public int poll(int timeoutMs) throws LibBpfException {
        return lib.perfBufferPoll(pb, timeoutMs) + lib.perfBufferConsume(pb);
    }

    @Override
    public long sinkFailures() {
        return sinkFailures;
    }

    @Override
    public void close() {
        lib.perfBufferFree(pb);
        arena.close();
    }
}
