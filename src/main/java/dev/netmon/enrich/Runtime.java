package dev.netmon.enrich;

/** The container runtime a cgroup path names, with the spelling the JSON output uses. */
public enum Runtime {
    CONTAINERD("containerd"),
    CRIO("cri-o"),
    DOCKER("docker"),
    PODMAN("podman");

    private final String text;

    Runtime(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
