package dev.netmon.event;

/** A connection event with its attribution: what the output writes for every event once enrichment ran. */
public record Attributed(NetEvent event, Attribution attribution) implements LogLine {
    @Override
    public long monotonicNs() {
        return event.monotonicNs();
    }
}
