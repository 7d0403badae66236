package dev.netmon.bpf;

/** A kernel-to-user event buffer, read on the calling thread. */
public sealed interface EventBuffer extends AutoCloseable permits RingBuffer, PerfBuffer {
    /**
     * Waits up to {@code timeoutMs} for a wakeup, then hands every waiting record to the sink. The kernel wakes the
     * reader only once enough data waits, so records below that threshold are collected when the wait times out.
     *
     * @return records delivered
     */
    int poll(int timeoutMs) throws LibBpfException;

    /** Upcalls whose sink threw; the records were lost to output and are counted here. */
    long sinkFailures();

    @Override
    void close();
}
