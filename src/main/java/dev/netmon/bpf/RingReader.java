package dev.netmon.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The consumer's half of the BPF ring buffer protocol (kernel/bpf/ringbuf.c), over memory it is given: the kernel's
 * mappings in {@link RingBuffer}, plain memory in tests.
 *
 * <p>Positions count bytes from the map's creation and only grow; a position's place in the data area is the
 * position modulo its size (a power of 2). Each record starts on 8 bytes with a header: a 32-bit length whose top
 * bit says the producer has reserved it and not yet committed (stop there), the next bit that it was discarded
 * (skip it), then 32 bits of the kernel's own. The producer publishes with release stores of the header and its
 * position; this side reads both with acquire loads, and hands space back with a release store of its position.
 */
final class RingReader {
    /** BPF_RINGBUF_HDR_SZ. */
    static final int HEADER = 8;
    /** BPF_RINGBUF_BUSY_BIT. */
    static final int BUSY = 1 << 31;
    /** BPF_RINGBUF_DISCARD_BIT. */
    static final int DISCARD = 1 << 30;
    /**
     * Space is handed back every this many bytes, an eighth of a smaller ring, and at the end of each read, not
     * after every record as libbpf does: the producers read the consumer position at every reserve, and each store
     * moves its cache line to this CPU and back. 64 KiB is a sixty-fourth of the default ring. Not only at the end
     * of a read: a reader preempted before that would hold back all it had read, and a one-page ring lost events
     * so (BufferPathsIT).
     */
    static final long RELEASE_EVERY = 64 * 1024;

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment consumerPos;
    private final MemorySegment producerPos;
    private final MemorySegment data;
    private final long mask;
    private final long releaseEvery;
    private final RecordSink sink;
    private final Arena scratchArena;
    /** Only this reader writes the consumer position: its value is kept here rather than read back. */
    private long consumed;
    /** A record that wraps past the end of the data area, copied out whole; grown to the largest seen. */
    private MemorySegment scratch = MemorySegment.NULL;
    /** Volatile, for readers on other threads; written only on a failure, so it costs nothing per record. */
    private volatile long sinkFailures;

    /**
     * @param consumerPos where the consumer position lives (8 bytes, written here)
     * @param producerPos where the producer position lives (8 bytes, read only)
     * @param data the data area, its size a power of 2
     * @param scratchArena where a wrapped record's copy is allocated
     */
    RingReader(MemorySegment consumerPos, MemorySegment producerPos, MemorySegment data, RecordSink sink,
            Arena scratchArena) {
        if (Long.bitCount(data.byteSize()) != 1) {
            throw new IllegalArgumentException("ring buffer data size " + data.byteSize() + " is not a power of 2");
        }
        this.consumerPos = consumerPos;
        this.producerPos = producerPos;
        this.data = data;
        this.mask = data.byteSize() - 1;
        this.releaseEvery = Math.min(RELEASE_EVERY, data.byteSize() / 8);
        this.sink = sink;
        this.scratchArena = scratchArena;
        this.consumed = (long) LONG.getAcquire(consumerPos, 0L);
    }

    /**
     * Hands every committed record up to the producer position read at the start to the sink, in order, and
     * gives their space back. Bounded by that position: records committed meanwhile wait for the next call.
     *
     * @return records delivered (discarded ones are skipped and not counted)
     */
    int consume() {
        long cons = consumed;
        long released = cons;
        long prod = (long) LONG.getAcquire(producerPos, 0L);
        int delivered = 0;
        while (cons < prod) {
            long at = cons & mask;
            int header = (int) INT.getAcquire(data, at);
            if ((header & BUSY) != 0) {
                break; // reserved, not committed: what follows must wait for it, in order
            }
            int size = header & ~(BUSY | DISCARD);
            if (size > mask + 1 - HEADER) {
                consumed = cons; // what was read stays read
                LONG.setRelease(consumerPos, 0L, cons);
                throw new IllegalStateException("ring buffer record of " + size + " bytes in a "
                        + (mask + 1) + "-byte ring at position " + cons);
            }
            if ((header & DISCARD) == 0) {
                deliver((at + HEADER) & mask, size);
                delivered++;
            }
            cons += (size + HEADER + 7) & ~7L;
            if (cons - released >= releaseEvery) {
                LONG.setRelease(consumerPos, 0L, cons);
                released = cons;
            }
        }
        if (cons != released) {
            LONG.setRelease(consumerPos, 0L, cons);
        }
        consumed = cons;
        return delivered;
    }

    private void deliver(long offset, int size) {
        MemorySegment buffer = data;
        long at = offset;
        long tail = mask + 1 - offset;
        if (size > tail) {
            if (scratch.byteSize() < size) {
                scratch = scratchArena.allocate(size, 8);
            }
            MemorySegment.copy(data, offset, scratch, 0, tail);
            MemorySegment.copy(data, 0, scratch, tail, size - tail);
            buffer = scratch;
            at = 0;
        }
        try {
            sink.accept(buffer, at, size);
        } catch (RuntimeException e) {
            sinkFailures++; // the record is lost to output, and counted; errors of the JVM itself go on up
        }
    }

    long sinkFailures() {
        return sinkFailures;
    }
}
