package dev.netmon.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BPF program run time under the storm: kernel.bpf_stats_enabled=1 makes the kernel count run_cnt and run_time_ns
 * per program (bpftool prog show); the programs are those whose fds the tracer holds. Counting costs a little
 * itself, so this is a run of its own, not one of the measured ones. The sysctl is put back as it was.
 */
final class KernelCost {
    private static final Path STATS_SYSCTL = Path.of("/proc/sys/kernel/bpf_stats_enabled");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One program's runs over the storm; runs count every process's syscalls, not only the storm's. */
    record Program(String name, long runs, long runTimeNs) {
        double nsPerRun() {
            return runs == 0 ? 0 : (double) runTimeNs / runs;
        }
    }

    record Result(Tool tool, LoadGen.Result load, List<Program> programs) {
        long totalRunTimeNs() {
            return programs.stream().mapToLong(Program::runTimeNs).sum();
        }

        double nsPerCycle() {
            return (double) totalRunTimeNs() / load.cycles();
        }
    }

    private final Settings settings;
    private final LoadGen loadGen;
    private final Machine machine;

    KernelCost(Settings settings, Machine machine) {
        this.settings = settings;
        this.loadGen = new LoadGen(settings.loadgen());
        this.machine = machine;
    }

    Result measure(Tool tool, int threads) throws IOException, InterruptedException {
        Path out = Files.createTempFile(settings.scratch(), tool.label() + "-bpfstats", ".out");
        machine.awaitQuiet();
        String before = Files.readString(STATS_SYSCTL).strip();
        try (TracedProcess t = TracedProcess.start(tool, settings.home(), out, false)) {
            loadGen.run(threads, settings.warmupSeconds());
            Files.writeString(STATS_SYSCTL, "1");
            Map<Integer, Program> start = programs(t.pid());
            LoadGen.Result load = loadGen.run(threads, settings.seconds());
            Map<Integer, Program> end = programs(t.pid());
            Files.writeString(STATS_SYSCTL, before);
            t.awaitQuiet(Duration.ofSeconds(10));
            t.stop();
            List<Program> delta = new ArrayList<>();
            for (var e : end.entrySet()) {
                Program s = start.getOrDefault(e.getKey(), new Program(e.getValue().name(), 0, 0));
                delta.add(new Program(e.getValue().name(), e.getValue().runs() - s.runs(),
                        e.getValue().runTimeNs() - s.runTimeNs()));
            }
            delta.sort((a, b) -> Long.compare(b.runTimeNs(), a.runTimeNs()));
            return new Result(tool, load, delta);
        } finally {
            Files.writeString(STATS_SYSCTL, before);
            Files.deleteIfExists(out);
        }
    }

    /** The process's programs by id, with their counters as bpftool shows them now. */
    private static Map<Integer, Program> programs(long pid) throws IOException, InterruptedException {
        Set<Integer> ids = new HashSet<>(Proc.bpfProgramIds(pid));
        Map<Integer, Program> found = new HashMap<>();
        for (JsonNode p : JSON.readTree(Commands.output(List.of("bpftool", "prog", "show", "--json")))) {
            int id = p.path("id").asInt();
            if (ids.contains(id)) {
                found.put(id, new Program(p.path("name").asText("?"), p.path("run_cnt").asLong(),
                        p.path("run_time_ns").asLong()));
            }
        }
        return found;
    }
}
