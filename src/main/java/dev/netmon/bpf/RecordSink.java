package dev.netmon.bpf;

import java.lang.foreign.MemorySegment;

/**
 * Takes one raw event record while the buffer still owns its memory: the kernel's ring, a scratch copy of a
 * record that wrapped past the ring's end (reused for the next one), or libbpf's perf buffer, from a native
 * upcall. It must copy what it keeps and should not throw; the buffers catch and count what escapes regardless.
 */
@FunctionalInterface
public interface RecordSink {
    /**
     * The record is the {@code size} bytes at {@code at} in {@code buffer}, passed as a place rather than as a
     * slice: a slice is an object per record, and the JIT did not elide it across this call.
     */
    void accept(MemorySegment buffer, long at, long size);
}
