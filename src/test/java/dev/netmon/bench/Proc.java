package dev.netmon.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the benchmark reads about a process from /proc: CPU time, memory, and the BPF programs it holds. */
final class Proc {
    private Proc() {}

    /** Clock ticks per second of /proc/PID/stat's utime and stime: sysconf(_SC_CLK_TCK), asked of getconf. */
    static long clockTicksPerSecond() throws IOException, InterruptedException {
        return Long.parseLong(Commands.output(List.of("getconf", "CLK_TCK")).strip());
    }

    /** utime + stime of every thread of the process, in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** utime + stime from a stat line of a process or a thread. */
    private static long ticks(String stat) {
        // Fields after the name: "(comm)" may itself hold spaces and parentheses, so split after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state); utime is field 14 and stime field 15.
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** HotSpot's JIT threads by their comm ("C1 CompilerThread0", cut to 15 characters by the kernel). */
    static boolean isCompilerThread(String comm) {
        return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
    }

    /**
     * utime + stime of the JVM's JIT compiler threads (by {@link #isCompilerThread}), in clock ticks; 0 for a
     * process without them. With two CPUs HotSpot runs one of each for the process's life, so the sum only grows.
     */
    static long compilerTicks(long pid) throws IOException {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    if (isCompilerThread(Files.readString(task.resolve("comm")).strip())) {
                        ticks += ticks(Files.readString(task.resolve("stat")));
                    }
                } catch (IOException e) {
                    // the thread ended while we looked
                }
            }
        }
        return ticks;
    }

    /** Resident set size now and its peak, in kB. */
    record Memory(long rssKb, long hwmKb) {
        double rssMb() {
            return rssKb / 1024.0;
        }

        double hwmMb() {
            return hwmKb / 1024.0;
        }
    }

    static Memory memory(long pid) throws IOException {
        long rss = -1;
        long hwm = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kb(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kb(line);
            }
        }
        return new Memory(rss, hwm);
    }

    private static long kb(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }

    /** Ids of the BPF programs whose fds the process holds ("prog_id:" in /proc/PID/fdinfo/FD). */
    static List<Integer> bpfProgramIds(long pid) throws IOException {
        List<Integer> ids = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
            for (Path fd : fds) {
                try {
                    for (String line : Files.readAllLines(fd)) {
                        if (line.startsWith("prog_id:")) {
                            ids.add(Integer.parseInt(line.substring("prog_id:".length()).strip()));
                        }
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        }
        return ids;
    }

    static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }
}
