package dev.netmon.enrich;

/** A pod's Kubernetes QoS class, as kubelet spells it in the cgroup tree. */
public enum Qos {
    GUARANTEED("guaranteed"),
    BURSTABLE("burstable"),
    BESTEFFORT("besteffort");

    private final String text;

    Qos(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
