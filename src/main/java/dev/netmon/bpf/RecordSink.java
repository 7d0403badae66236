package dev.netmon.bpf;

import java.lang.foreign.MemorySegment;

/**
 * Takes one raw event record while the buffer still owns its memory. Called from a native upcall: it must copy
 * what it keeps and should not throw; the buffers catch and count anything that escapes regardless.
 */
@FunctionalInterface
public interface RecordSink {
    void accept(MemorySegment record);
}
