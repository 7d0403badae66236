package dev.netmon.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The network namespace a /proc/PID/ns/net link names: readlink gives "net:[4026532123]", the inode. */
public final class NetnsLink {
    private NetnsLink() {}

    /** Empty when the link is gone, not ours to read, or not a network namespace's. */
    public static OptionalLong inode(Path nsLink) {
        try {
            String target = Files.readSymbolicLink(nsLink).toString();
            int open = target.indexOf('[');
            int close = target.indexOf(']');
            if (target.startsWith("net:[") && close > open) {
                return OptionalLong.of(Long.parseLong(target.substring(open + 1, close)));
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read
        }
        return OptionalLong.empty();
    }
}
