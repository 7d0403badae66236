package dev.netmon.cli;

import dev.netmon.bpf.BufferKind;
import java.util.Set;

/**
 * A parsed command line.
 *
 * @param events NETMON_EV_* mask
 * @param count stop after this many events; 0 for no limit
 * @param durationNs stop after this long; 0 for no limit
 */
public record Options(
        Command command, String format, BufferKind buffer, int events, Set<Integer> pids, long count, long durationNs) {

    public enum Command {
        TRACE,
        HELP,
        VERSION
    }

    public Options {
        pids = Set.copyOf(pids);
    }
}
