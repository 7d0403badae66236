package dev.netmon.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The events_rb ring buffer, mapped and read in place rather than through libbpf's ring_buffer, for two measured
 * reasons: libbpf calls into Java once per record (an upcall, about a quarter of the reader thread's time under
 * the bench's storm), and it maps the data area twice so that a record wrapping past the end reads as one piece,
 * and the kernel fills both mappings at once: 4 MB of RSS for the default 4 MiB ring. Here the data is mapped once
 * and the rare record that wraps is copied out whole ({@link RingReader}).
 *
 * <p>The kernel's layout (kernel/bpf/ringbuf.c): page 0 holds the consumer position, the one page user space may
 * write; page 1 the producer position; the data follows from page 2 (offset one page in the second mapping).
 * Waiting is libbpf's: a level-triggered epoll on the map's fd, which the programs wake once a CPU has written
 * wakeup_bytes (emit.h); records below that are collected when the wait times out.
 */
final class RingBuffer implements EventBuffer {
    private final LibBpf lib;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment consumerPage;
    private final MemorySegment producerPages;
    private final long pageSize;
    private final long dataSize;
    private final int epfd;
    private final MemorySegment waitEvent;
    private final MemorySegment waitState;
    private final RingReader reader;

    RingBuffer(LibBpf lib, int mapFd, RecordSink sink) throws LibBpfException {
        this.lib = lib;
        this.pageSize = lib.pageSize();
        this.dataSize = lib.mapMaxEntries(mapFd);
        MemorySegment consumer = null;
        MemorySegment producer = null;
        int epoll = -1;
        try {
            consumer = lib.mapShared(mapFd, pageSize, 0, true);
            producer = lib.mapShared(mapFd, pageSize + dataSize, pageSize, false);
            epoll = lib.epollFor(mapFd);
            MemorySegment producerPos = producer.reinterpret(pageSize + dataSize, arena, null);
            this.reader = new RingReader(consumer.reinterpret(pageSize, arena, null),
                    producerPos, producerPos.asSlice(pageSize, dataSize), sink, arena);
            this.waitEvent = arena.allocate(LibBpf.EPOLL_EVENT_SIZE, 8);
            this.waitState = LibBpf.callState(arena);
        } catch (LibBpfException | RuntimeException e) {
            arena.close();
            if (epoll >= 0) {
                lib.closeFd(epoll);
            }
            if (producer != null) {
                lib.unmap(producer, pageSize + dataSize);
            }
            if (consumer != null) {
                lib.unmap(consumer, pageSize);
            }
            throw e;
        }
        this.consumerPage = consumer;
        this.producerPages = producer;
        this.epfd = epoll;
    }

    @Override
    public int poll(int timeoutMs) throws LibBpfException {
        // As libbpf's ring_buffer__poll then ring_buffer__consume: the read after the wait, woken or not, also
        // collects what waits below the wakeup threshold.
        lib.epollWait(epfd, waitEvent, waitState, timeoutMs);
        return reader.consume();
    }

    @Override
    public long sinkFailures() {
        return reader.sinkFailures();
    }

    @Override
    public void close() {
        arena.close(); // first: no read of the mappings can follow their unmapping
        lib.closeFd(epfd);
        lib.unmap(producerPages, pageSize + dataSize);
        lib.unmap(consumerPage, pageSize);
    }
}
