package dev.netmon.event;

/**
 * Who and when: the ids the kernel recorded for an event. Names are resolved later, in user space.
 *
 * @param cgroupId the caller's cgroup in the v2 hierarchy (inode of its directory)
 * @param cgroupV1Id the caller's cgroup in the v1 memory hierarchy, 0 if none; what attributes a process on a
 *     hybrid host whose runtime placed it in the v1 controllers only
 */
public record EventHeader(long monotonicNs, ProcessRef process, long cgroupId, long netns, long cgroupV1Id) {}
