package dev.netmon.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * How many CPUs the host has online, from sysfs: the CPUs that run the programs and write events. Not the possible
 * CPUs (libbpf_num_possible_cpus, which sizes per-CPU map values): many VMs declare far more possible CPUs than
 * they run, and sharing the ring's wakeup budget among those would wake the reader for every few events. Not
 * Runtime.availableProcessors() either: that is netmon's own share (cgroup quota, affinity), and the programs run
 * on every CPU of the host.
 */
final class OnlineCpus {
    static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private OnlineCpus() {}

    /** The count from {@link #ONLINE}, or empty if it cannot be read or parsed. */
    static OptionalInt read() {
        try {
            return count(Files.readString(ONLINE));
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    /** Counts a kernel CPU list ("0-3,8,10-11\n": ranges and single CPUs); empty if it is not one. */
    static OptionalInt count(String list) {
        String s = list.strip();
        if (s.isEmpty()) {
            return OptionalInt.empty();
        }
        long n = 0;
        for (String part : s.split(",", -1)) {
            int dash = part.indexOf('-');
            try {
                int first = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int last = dash < 0 ? first : Integer.parseInt(part.substring(dash + 1));
                if (first < 0 || last < first) {
                    return OptionalInt.empty();
                }
                n += last - first + 1L;
            } catch (NumberFormatException e) {
                return OptionalInt.empty();
            }
        }
        return n > 0 && n <= Integer.MAX_VALUE ? OptionalInt.of((int) n) : OptionalInt.empty();
    }
}
