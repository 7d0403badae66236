package dev.netmon.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** libbpf's ring_buffer over the events_rb map. */
final class RingBuffer implements EventBuffer {
    private final LibBpf lib;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rb;
    private final RecordSink sink;
    /** Volatile, for readers on other threads; written only on a failure, so it costs nothing per record. */
    private volatile long sinkFailures;

    RingBuffer(LibBpf lib, int mapFd, RecordSink sink) throws LibBpfException {
        this.lib = lib;
        this.sink = sink;
        try {
            this.rb = lib.ringBufferNew(mapFd, lib.ringSampleUpcall(this::onSample, arena));
        } catch (LibBpfException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private int onSample(MemorySegment ctx, MemorySegment data, long size) {
        try {
            sink.accept(data.reinterpret(size));
        } catch (Throwable t) {
            sinkFailures++;
        }
        return 0;
    }

    @Override
    public int poll(int timeoutMs) throws LibBpfException {
        // ring_buffer__poll consumes only after a wakeup; consume also collects what waits below the threshold.
        return lib.ringBufferPoll(rb, timeoutMs) + lib.ringBufferConsume(rb);
    }

    @Override
    public long sinkFailures() {
        return sinkFailures;
    }

    @Override
    public void close() {
        lib.ringBufferFree(rb);
        arena.close();
    }
}
