package dev.netmon.event;

import java.util.Map;

/**
 * The container and pod behind an event, as far as they are known. Any component may be null: a container seen
 * only in its cgroup path has an id but no names; a process that only shares a pod's network namespace has a pod
 * but no container.
 *
 * @param runtime "containerd", "cri-o", "docker" or "podman"
 * @param podLabels the pod's own labels (without the kubelet's io.kubernetes.* bookkeeping); empty if unknown
 */
public record ContainerInfo(
        String containerId,
        String containerName,
        String podName,
        String podNamespace,
        String podUid,
        String runtime,
        String image,
        Map<String, String> podLabels) {

    public ContainerInfo {
        podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
    }
}
