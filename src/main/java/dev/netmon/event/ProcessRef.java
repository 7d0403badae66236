package dev.netmon.event;

/**
 * The process behind an event, with ids in the host's pid namespace.
 *
 * @param pid the thread group id
 * @param name the thread group leader's comm, so a worker thread's name never stands for its process
 */
public record ProcessRef(int pid, int tid, int uid, String name) {}
