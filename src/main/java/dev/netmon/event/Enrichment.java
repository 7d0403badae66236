package dev.netmon.event;

/** How much of an event's attribution netmon could establish; printed so that gaps are visible, not silent. */
public enum Enrichment {
    /** Everything that applies is known: a host process's cgroup, or a container with its CRI metadata. */
    FULL("full"),
    /** Cgroup data only: the container id is known but the runtime did not (yet) name it. */
    PARTIAL("partial"),
    /** The cgroup id could not be mapped to a path, so neither container nor unit is known. */
    NONE("none");

    private final String text;

    Enrichment(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
