package dev.netmon.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running kernel's major.minor version, from /proc/sys/kernel/osrelease ("6.18.44-fc-v657"). */
public record KernelRelease(int major, int minor) {
    private static final Path OSRELEASE = Path.of("/proc/sys/kernel/osrelease");
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    public static KernelRelease current() {
        try {
            return parse(Files.readString(OSRELEASE));
        } catch (IOException e) {
            return new KernelRelease(0, 0); // unknown: every feature gate says no
        }
    }

    static KernelRelease parse(String release) {
        Matcher m = VERSION.matcher(release.strip());
        return m.find() ? new KernelRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))
                : new KernelRelease(0, 0);
    }

    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }
}
