package dev.netmon.bpf;

/** How events leave the kernel. */
public enum BufferKind {
    /** BPF ring buffer: one buffer shared by all CPUs, in order; kernels 5.8 and later. */
    RINGBUF("ringbuf"),
    /** Per-CPU perf buffers: what older kernels have. */
    PERF("perf"),
    /** The ring buffer where the kernel has one, else the perf buffer; resolved before load. */
    AUTO("auto");

    private final String text;

    BufferKind(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** What to load: AUTO becomes the ring buffer if the kernel has one, else the perf buffer. */
    public BufferKind resolve(boolean kernelHasRingBuffer) {
        return this != AUTO ? this : kernelHasRingBuffer ? RINGBUF : PERF;
    }
}
