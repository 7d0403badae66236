package dev.netmon.enrich.cri;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where the node's CRI runtime listens: the --cri-socket flag, else the first well-known socket that exists. */
public final class CriSockets {
    /** containerd, k3s's containerd, CRI-O, cri-dockerd: the order kubelets are commonly configured in. */
    public static final List<Path> WELL_KNOWN = List.of(
            Path.of("/run/containerd/containerd.sock"),
            Path.of("/run/k3s/containerd/containerd.sock"),
            Path.of("/run/crio/crio.sock"),
            Path.of("/var/run/crio/crio.sock"),
            Path.of("/run/cri-dockerd.sock"),
            Path.of("/var/run/cri-dockerd.sock"));

    private CriSockets() {}

    /** The explicit socket if given (even if it does not exist yet: the runtime may start later), else discovery. */
    public static Optional<Path> choose(Optional<Path> explicit, List<Path> candidates) {
        if (explicit.isPresent()) {
            return explicit;
        }
        return candidates.stream().filter(CriSockets::isSocket).findFirst();
    }

    /**
     * What is wrong with a socket the user named, if anything: a path that is there but is no socket, or that
     * netmon may not open, is a mistake to report at once. A path that does not exist yet is not: the runtime may
     * start after netmon, which then connects when it can.
     */
    public static Optional<String> problem(Path socket) {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        if (!isSocket(socket)) {
            return Optional.of(socket + " is not a unix socket; --cri-socket names the runtime's socket, e.g."
                    + " /run/containerd/containerd.sock");
        }
        if (!Files.isReadable(socket) || !Files.isWritable(socket)) {
            return Optional.of("cannot open the CRI socket " + socket + " (permission denied): run netmon as root,"
                    + " or give its user access to the socket");
        }
        return Optional.empty();
    }

    static boolean isSocket(Path p) {
        return Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p);
    }
}
