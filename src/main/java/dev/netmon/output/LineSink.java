package dev.netmon.output;

import dev.netmon.event.LogLine;
import java.io.IOException;

/** Where finished lines go. An IOException means the reader is gone (EPIPE) and netmon should stop. */
public interface LineSink {
    void write(LogLine line) throws IOException;

    /** Called once per buffer poll, so that lines reach a pipe reader in batches, not one syscall each. */
    void flush() throws IOException;
}
