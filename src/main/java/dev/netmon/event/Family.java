package dev.netmon.event;

/** Address family as printed; an IPv6 socket talking to an IPv4-mapped address counts as IPv4. */
public enum Family {
    IPv4,
    IPv6
}
