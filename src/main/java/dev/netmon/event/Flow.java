package dev.netmon.event;

/** The two ends of a connection: {@code src} initiated it, {@code dst} accepted it. */
public record Flow(Protocol protocol, Family family, Endpoint src, Endpoint dst) {}
