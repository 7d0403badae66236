package dev.netmon.event;

/** One connection event from the kernel. Variants are closed so that every consumer handles each one. */
public sealed interface NetEvent extends LogLine {
    EventHeader header();

    Flow flow();

    @Override
    default long monotonicNs() {
        return header().monotonicNs();
    }

    /** outbound for connections this host made, inbound for those it accepted. */
    default Direction direction() {
        return switch (this) {
            case Connect c -> Direction.OUTBOUND;
            case Accept a -> Direction.INBOUND;
            case Close c -> c.direction();
        };
    }

    /** CONNECT, ACCEPT or CLOSE: the event's name in netmon's own schemas. */
    default String typeName() {
        return switch (this) {
            case Connect c -> "CONNECT";
            case Accept a -> "ACCEPT";
            case Close c -> "CLOSE";
        };
    }

    /** A connect() on an inet TCP or UDP socket; {@code result} is 0 or a negative errno. */
    record Connect(EventHeader header, Flow flow, int result) implements NetEvent {}

    /** An accept() or accept4() that returned a new TCP connection. */
    record Accept(EventHeader header, Flow flow) implements NetEvent {}

    /**
     * The close() of a connection netmon saw being made or accepted; the flow keeps that orientation.
     * {@code traffic} is null where the socket keeps no byte counts (UDP).
     */
    record Close(EventHeader header, Flow flow, Direction direction, long durationNs, Traffic traffic)
            implements NetEvent {}

    /** Payload bytes the socket counted over its life. */
    record Traffic(long sent, long received) {}
}
