package dev.netmon.event;

/**
 * Who made a connection, beyond the process: its container and pod, or for host processes their systemd unit.
 *
 * @param container null when the process is not in a container (or nothing is known)
 * @param unit the systemd unit of a host process, where its cgroup path shows one
 * @param cgroupPath the cgroup path the ids resolved to, for diagnostics; null if unknown
 */
public record Attribution(ContainerInfo container, String unit, Enrichment enrichment, String cgroupPath) {
    /** Nothing resolved. */
    public static final Attribution UNKNOWN = new Attribution(null, null, Enrichment.NONE, null);
}
