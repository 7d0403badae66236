package dev.netmon.enrich;

/**
 * What a cgroup path says about the process in it. Every part may be null: a path tells only what its runtime
 * and cgroup driver chose to spell out, and the resolver fills the rest from the runtime, or leaves it unknown.
 *
 * @param runtime the runtime that made the container; null when the path does not say (a bare id under kubepods)
 * @param containerId 64 lowercase hex, the id the runtime and CRI use
 * @param podUid the Kubernetes pod UID with dashes, as the API shows it
 * @param qos the pod's QoS class; only known together with a pod
 * @param unit the systemd unit of a process outside any container, e.g. {@code sshd.service}, {@code init.scope}
 */
public record CgroupAttribution(Runtime runtime, String containerId, String podUid, Qos qos, String unit) {

    public static final CgroupAttribution NONE = new CgroupAttribution(null, null, null, null, null);

    public boolean inContainer() {
        return containerId != null;
    }
}
