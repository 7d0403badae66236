package dev.netmon.event;

/** Whether this host made the connection or accepted it. */
public enum Direction {
    OUTBOUND("outbound"),
    INBOUND("inbound");

    private final String text;

    Direction(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
