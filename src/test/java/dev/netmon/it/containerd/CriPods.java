package dev.netmon.it.containerd;

import dev.netmon.enrich.cri.v1.ContainerConfig;
import dev.netmon.enrich.cri.v1.ContainerFilter;
import dev.netmon.enrich.cri.v1.ContainerMetadata;
import dev.netmon.enrich.cri.v1.ContainerStatus;
import dev.netmon.enrich.cri.v1.ContainerStatusRequest;
import dev.netmon.enrich.cri.v1.CreateContainerRequest;
import dev.netmon.enrich.cri.v1.ImageSpec;
import dev.netmon.enrich.cri.v1.LinuxContainerConfig;
import dev.netmon.enrich.cri.v1.LinuxContainerSecurityContext;
import dev.netmon.enrich.cri.v1.LinuxPodSandboxConfig;
import dev.netmon.enrich.cri.v1.LinuxSandboxSecurityContext;
import dev.netmon.enrich.cri.v1.NamespaceMode;
import dev.netmon.enrich.cri.v1.NamespaceOption;
import dev.netmon.enrich.cri.v1.ListContainersRequest;
import dev.netmon.enrich.cri.v1.PodSandboxConfig;
import dev.netmon.enrich.cri.v1.PodSandboxMetadata;
import dev.netmon.enrich.cri.v1.RemoveContainerRequest;
import dev.netmon.enrich.cri.v1.RemovePodSandboxRequest;
import dev.netmon.enrich.cri.v1.RunPodSandboxRequest;
import dev.netmon.enrich.cri.v1.RuntimeServiceGrpc;
import dev.netmon.enrich.cri.v1.RuntimeServiceGrpc.RuntimeServiceBlockingStub;
import dev.netmon.enrich.cri.v1.StartContainerRequest;
import dev.netmon.enrich.cri.v1.StopContainerRequest;
import dev.netmon.enrich.cri.v1.StopPodSandboxRequest;
import io.grpc.Channel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Creates and removes pods through the CRI the way the kubelet does for a best-effort pod with one container:
 * RunPodSandbox, CreateContainer, StartContainer; then StopContainer, RemoveContainer, StopPodSandbox,
 * RemovePodSandbox. Every call has a deadline.
 */
public final class CriPods {
    /** What the kubelet asks for an ordinary pod: network and IPC shared by the pod, a PID namespace each. */
    private static final NamespaceOption KUBELET_NAMESPACES = NamespaceOption.newBuilder()
            .setNetwork(NamespaceMode.POD)
            .setPid(NamespaceMode.CONTAINER)
            .setIpc(NamespaceMode.POD)
            .build();

    /** The image every container runs: busybox, with its applets in /bin (see images.sh). */
    public static final String IMAGE = "netmon.test/busybox:1";
    /** Per call; RunPodSandbox is the slowest (CNI, the pause container), about a second here. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    /** One pod with one running container, as the kubelet names its parts. */
    public record Pod(String sandboxId, String containerId, String podUid, String name, String namespace,
            String containerName) {
        /** The cgroup the kubelet gives a best-effort pod (cgroupfs driver); containers are directories in it. */
        public String cgroupParent() {
            return cgroupParent(podUid);
        }

        /** The container's cgroup path, as /proc/PID/cgroup shows it for any hierarchy. */
        public String containerCgroup() {
            return cgroupParent() + "/" + containerId;
        }

        static String cgroupParent(String podUid) {
            return "/kubepods/besteffort/pod" + podUid;
        }
    }

    private final Channel channel;
    private final Path logRoot;

    /** {@code logRoot} stands for the kubelet's /var/log/pods; PrivateContainerd's down.sh reads it back. */
    public CriPods(Channel channel, Path logRoot) {
        this.channel = channel;
        this.logRoot = logRoot;
    }

    /** A fresh stub whose calls must finish within {@link #DEADLINE} of now; for calls this class lacks. */
    public RuntimeServiceBlockingStub runtime() {
        return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs a pod whose one container runs {@code command} in {@link #IMAGE}; returns once it is started. */
    public Pod run(String name, String namespace, String containerName, String... command) throws IOException {
        return run(name, namespace, containerName, Map.of(), command);
    }

    /**
     * As {@link #run(String, String, String, String...)}, for a pod with {@code labels} from its spec. As the kubelet
     * does, they go on the sandbox only, next to its io.kubernetes.pod.* labels; the container gets those alone.
     */
    public Pod run(String name, String namespace, String containerName, Map<String, String> labels,
            String... command) throws IOException {
        String uid = UUID.randomUUID().toString();
        Map<String, String> podLabels = Map.of(
                "io.kubernetes.pod.name", name,
                "io.kubernetes.pod.namespace", namespace,
                "io.kubernetes.pod.uid", uid);
        // The kubelet makes the log directories; containerd only writes the file.
        Path logDirectory = logRoot.resolve(namespace + "_" + name + "_" + uid);
        Files.createDirectories(logDirectory.resolve(containerName));

        PodSandboxConfig sandbox = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder()
                        .setName(name)
                        .setUid(uid)
                        .setNamespace(namespace)
                        .setAttempt(0))
                .setHostname(name)
                .setLogDirectory(logDirectory.toString())
                .putAllLabels(labels)
                .putAllLabels(podLabels)
                .putAnnotations("kubernetes.io/config.source", "api")
                .setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setCgroupParent(Pod.cgroupParent(uid))
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                                .setNamespaceOptions(KUBELET_NAMESPACES)))
                .build();
        String sandboxId = runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(sandbox).build())
                .getPodSandboxId();

        ContainerConfig container = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(containerName).setAttempt(0))
                .setImage(ImageSpec.newBuilder().setImage(IMAGE).setUserSpecifiedImage(IMAGE))
                .addAllCommand(List.of(command))
                .putAllLabels(podLabels)
                .putLabels("io.kubernetes.container.name", containerName)
                .putAnnotations("io.kubernetes.container.restartCount", "0")
                .setLogPath(containerName + "/0.log")
                .setLinux(LinuxContainerConfig.newBuilder()
                        .setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                                .setNamespaceOptions(KUBELET_NAMESPACES)))
                .build();
        String containerId;
        try {
            containerId = runtime().createContainer(CreateContainerRequest.newBuilder()
                            .setPodSandboxId(sandboxId)
                            .setConfig(container)
                            .setSandboxConfig(sandbox)
                            .build())
                    .getContainerId();
            runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
        } catch (RuntimeException e) {
            try {
                removeSandbox(sandboxId);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return new Pod(sandboxId, containerId, uid, name, namespace, containerName);
    }

    /** The runtime's view of one container: state, exit code, labels. */
    public ContainerStatus status(String containerId) {
        return runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(containerId).build())
                .getStatus();
    }

    /** The containers of one pod, as ListContainers filtered by sandbox reports them. */
    public List<dev.netmon.enrich.cri.v1.Container> containers(String sandboxId) {
        return runtime().listContainers(ListContainersRequest.newBuilder()
                        .setFilter(ContainerFilter.newBuilder().setPodSandboxId(sandboxId))
                        .build())
                .getContainersList();
    }

    /**
     * Stops and removes the container, then the sandbox. No grace period (the kubelet's is 30 s): the
     * container gets SIGKILL at once. The pod cgroup stays, as it would until the kubelet's cleanup; down.sh
     * removes it.
     */
    public void remove(Pod pod) {
        runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(pod.containerId()).setTimeout(0).build());
        runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(pod.containerId()).build());
        removeSandbox(pod.sandboxId());
    }

    private void removeSandbox(String sandboxId) {
        runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
        runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
    }
}
