package dev.netmon.bpf;

/** How events leave the kernel. */
public enum BufferKind {
    /** BPF ring buffer: one buffer shared by all CPUs, in order; kernels 5.8 and later. */
    RINGBUF("ringbuf"),
    /** Per-CPU perf buffers: what older kernels have. */
    PERF("perf");

    private final String text;

    BufferKind(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
