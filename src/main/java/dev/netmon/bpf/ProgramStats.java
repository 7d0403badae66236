package dev.netmon.bpf;

/**
 * What the kernel counted for one attached program since it was loaded. Both stay 0 unless BPF statistics are on
 * ({@code sysctl kernel.bpf_stats_enabled=1}, or a process holding BPF_ENABLE_STATS): the kernel counts only then.
 *
 * @param program the program's name in bpf/netmon.bpf.c, e.g. exit_connect
 */
public record ProgramStats(String program, long runTimeNs, long runCount) {}
