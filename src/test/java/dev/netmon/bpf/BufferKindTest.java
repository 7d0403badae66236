package dev.netmon.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** --buffer auto: the ring buffer where the kernel has one, the perf buffer on kernels before 5.8. */
class BufferKindTest {
    @Test
    void autoFollowsTheKernelAndExplicitChoicesStand() {
        assertEquals(BufferKind.RINGBUF, BufferKind.AUTO.resolve(true));
        assertEquals(BufferKind.PERF, BufferKind.AUTO.resolve(false));
        assertEquals(BufferKind.PERF, BufferKind.PERF.resolve(true));
        assertEquals(BufferKind.RINGBUF, BufferKind.RINGBUF.resolve(false), "an explicit ringbuf fails loudly instead");
    }
}
