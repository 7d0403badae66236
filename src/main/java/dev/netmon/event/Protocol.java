package dev.netmon.event;

/** Transport protocols netmon reports, with their IANA numbers as the kernel gives them. */
public enum Protocol {
    TCP(6),
    UDP(17);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The protocol for an IANA number, or null for one netmon does not report. */
    public static Protocol ofNumber(int number) {
        return switch (number) {
            case 6 -> TCP;
            case 17 -> UDP;
            default -> null;
        };
    }
}
