package dev.netmon.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the host must offer before loading anything; each problem is one line telling the user what to do. */
public final class HostCheck {
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Path DEBUGFS_TRACING = Path.of("/sys/kernel/debug/tracing");

    private HostCheck() {}

    /** The first problem found, if any. May mount tracefs, which is why it runs after the capability check. */
    public static Optional<String> problem() {
        return capabilities().or(HostCheck::btf).or(HostCheck::tracefs);
    }

    static Optional<String> capabilities() {
        BigInteger effective;
        try {
            effective = effectiveCapabilities(Files.readString(STATUS));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // cannot tell; loading will report EPERM precisely if it comes to that
        }
        return missingCapabilities(effective);
    }

    static BigInteger effectiveCapabilities(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return new BigInteger(line.substring(7).trim(), 16);
            }
        }
        throw new IllegalArgumentException("no CapEff line");
    }

    /** CAP_BPF with CAP_PERFMON (kernel 5.8+), or CAP_SYS_ADMIN, which covers both. */
    static Optional<String> missingCapabilities(BigInteger effective) {
        if (effective.testBit(CAP_SYS_ADMIN)) {
            return Optional.empty();
        }
        List<String> missing = new ArrayList<>();
        if (!effective.testBit(CAP_BPF)) {
            missing.add("CAP_BPF");
        }
        if (!effective.testBit(CAP_PERFMON)) {
            missing.add("CAP_PERFMON");
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("missing capability " + String.join(" and ", missing)
                + ": run netmon as root (sudo netmon) or grant CAP_BPF and CAP_PERFMON");
    }

    private static Optional<String> btf() {
        if (Files.isReadable(BTF)) {
            return Optional.empty();
        }
        return Optional.of("this kernel has no BTF (" + BTF + "): netmon needs a kernel built with"
                + " CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 2020)");
    }

    private static Optional<String> tracefs() {
        if (hasSyscallEvents()) {
            return Optional.empty();
        }
        mountTracefs();
        if (hasSyscallEvents()) {
            return Optional.empty();
        }
        return Optional.of("tracefs is not mounted and netmon could not mount it: run"
                + " 'mount -t tracefs tracefs " + TRACEFS + "' (in a container, mount the host's " + TRACEFS + ")");
    }

    private static boolean hasSyscallEvents() {
        return Files.isDirectory(TRACEFS.resolve("events/syscalls"))
                || Files.isDirectory(DEBUGFS_TRACING.resolve("events/syscalls"));
    }

    private static void mountTracefs() {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tracefs", "tracefs", TRACEFS.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // no mount command: the caller reports tracefs missing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
