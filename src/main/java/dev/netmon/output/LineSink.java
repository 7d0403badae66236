package dev.netmon.output;

import dev.netmon.event.LogLine;
import java.io.IOException;

/** Where finished lines go. An IOException means the reader is gone (EPIPE) and netmon should stop. */
public interface LineSink {
    void write(LogLine line) throws IOException;

    /**
     * Hands a line on without waiting: false if it was dropped because the output cannot keep up (and counted by
     * the sink). Writers that write directly never drop.
     */
    default boolean offer(LogLine line) throws IOException {
        write(line);
        return true;
    }

    /** True once the output is gone (EPIPE seen by a writer thread); the tracer then stops. */
    default boolean closed() {
        return false;
    }

    /** Called once per buffer poll, so that lines reach a pipe reader in batches, not one syscall each. */
    void flush() throws IOException;
}
