package dev.netmon.bpf;

import java.util.List;

/**
 * The part of the kernel's {@code struct bpf_prog_info} (include/uapi/linux/bpf.h) netmon reads: the run time and
 * run count that the kernel keeps per program while BPF statistics are enabled. The struct is UAPI and only grows
 * at its end, so these offsets hold on every kernel that has the fields (5.1+); ProgInfoLayoutTest checks them
 * against the running kernel's BTF.
 */
public final class ProgInfoLayout {
    private ProgInfoLayout() {}

    /**
     * The bytes netmon hands the kernel: up to the end of run_cnt. A kernel with a longer struct fills only these;
     * an older, shorter one accepts them because the tail it does not know is zero, and leaves the counts at 0.
     */
    public static final int SIZE = 208;
    public static final int RUN_TIME_NS = 192;
    public static final int RUN_CNT = 200;

    public record Field(String name, int offset, int size) {}

    public static final List<Field> FIELDS = List.of(
            new Field("run_time_ns", RUN_TIME_NS, 8),
            new Field("run_cnt", RUN_CNT, 8));
}
