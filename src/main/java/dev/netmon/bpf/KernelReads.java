package dev.netmon.bpf;

/**
 * How the BPF programs read kernel memory. A bpf_probe_read_kernel() costs about 25 ns here, a typed load (a plain
 * load the verifier fits with a fault fixup) about 2 ns, so the programs use typed loads wherever the kernel lets
 * them: through bpf_get_current_task_btf() for the calling task (5.11+), and through the kfunc bpf_rdonly_cast()
 * for the socket, reached by a void pointer (6.2+; a second build of the object, netmon-cast.bpf.o).
 */
public enum KernelReads {
    /** The best this kernel offers. */
    AUTO("the kernel's best reads"),
    /** Typed loads for the task and the socket: netmon-cast.bpf.o. */
    TYPED_SOCKETS("typed task and socket reads"),
    /** Typed loads for the task, probe reads for the socket: the path of kernels 5.11 to 6.1. */
    TYPED_TASK("typed task reads"),
    /** Probe reads only: the path of kernels before 5.11. */
    PROBE("probe reads");

    private final String text;

    KernelReads(String text) {
        this.text = text;
    }

    /** As the start-up line says it. */
    public String text() {
        return text;
    }

    /**
     * What AUTO means on this kernel; any other value as it is. The helper is asked of the kernel. The kfunc is
     * judged by the release (every 6.2+ kernel has it): asking the kernel's BTF for it costs a parse of 20-40 ms at
     * start, and should a later kernel drop it, {@link BpfObject#load} falls back to the plain object.
     */
    public KernelReads resolve(LibBpf lib) throws LibBpfException {
        if (this != AUTO) {
            return this;
        }
        if (!lib.kernelHasTaskBtf()) {
            return PROBE;
        }
        return KernelRelease.current().atLeast(6, 2) ? TYPED_SOCKETS : TYPED_TASK;
    }
}
