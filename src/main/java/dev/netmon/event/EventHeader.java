package dev.netmon.event;

/** Who and when: the ids the kernel recorded for an event. Names are resolved later, in user space. */
public record EventHeader(long monotonicNs, ProcessRef process, long cgroupId, long netns) {}
