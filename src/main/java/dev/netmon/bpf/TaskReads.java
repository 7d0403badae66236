package dev.netmon.bpf;

/**
 * How the BPF programs read the calling task (its fd table, process name, v1 cgroup): typed loads through
 * bpf_get_current_task_btf() where the kernel has it for tracepoints (5.11+), about ten times cheaper here than a
 * bpf_probe_read_kernel() each; probe reads elsewhere.
 */
public enum TaskReads {
    /** Typed loads if the kernel offers them, else probe reads. */
    AUTO,
    /** Probe reads even where typed loads would work: the path kernels before 5.11 take. */
    PROBE;

    boolean typed(LibBpf lib) throws LibBpfException {
        return this == AUTO && lib.kernelHasTaskBtf();
    }
}
