/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every map netmon uses, with where its entries are inserted, deleted and read. */
#ifndef NETMON_MAPS_H
#define NETMON_MAPS_H

#define MAX_INFLIGHT 16384 /* threads inside connect() at once */

const volatile struct netmon_config netmon_cfg SEC(".rodata.cfg") = {
	.events = NETMON_EV_CONNECT | NETMON_EV_ACCEPT | NETMON_EV_CLOSE,
	.wakeup_bytes = 256 * 1024,
	.protocols = NETMON_PROTO_TCP | NETMON_PROTO_UDP,
};

/* Events out, default path. Written by emit(); read by user space.
 * max_entries (bytes) is set by user space before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events_rb SEC(".maps");

/* Events out with --buffer perf. Written by emit(); per-CPU fds inserted by libbpf's perf_buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events_perf SEC(".maps");

/* Records the kernel could not hand to user space (buffer full), per CPU.
 * Incremented by emit(); read and summed by user space, which reports LOST. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Bytes this CPU has written to the ring buffer since it last woke the reader.
 * Read and written by emit() only (per-CPU value: no other writer). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unwoken SEC(".maps");

/* tgids to trace when netmon_cfg.filter_pids is set. Inserted by user space
 * before attach; read by every entry handler. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} filter_pids SEC(".maps");

/* Ports to trace when netmon_cfg.filter_ports is set (either end of the
 * connection). Inserted by user space before attach; read at connect and
 * accept exit, before a connection is emitted or tracked. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u8);
} filter_ports SEC(".maps");

/* Process names (the group leader's comm, NUL-padded) to trace when
 * netmon_cfg.filter_comms is set. Inserted by user space before attach; read
 * at connect and accept exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, char[16]);
	__type(value, __u8);
} filter_comms SEC(".maps");

/* What connect() was asked for, from sys_enter_connect to sys_exit_connect. */
struct connect_args {
	__s32 fd;
	__u16 family;    /* 0: no connect() pending (task storage) */
	__u16 port;      /* host byte order */
	__u8 addr[16];   /* network byte order */
};

/* Keyed by thread (pid_tgid), where the kernel has no task storage for
 * tracepoints. Inserted by sys_enter_connect, read and deleted by
 * sys_exit_connect. User space does not create it when the next one is used. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_INFLIGHT);
	__type(key, __u64);
	__type(value, struct connect_args);
} connect_args SEC(".maps");

/* The same in the calling thread's own storage (netmon_cfg.task_storage): a
 * lookup there costs a fraction of a hash update and delete. Written by
 * sys_enter_connect, read and marked empty by sys_exit_connect; freed with the
 * thread. User space does not create it on kernels without it. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct connect_args);
} connect_args_task SEC(".maps");

/* Open connections netmon saw being made, so that only their close is
 * reported. Inserted by sys_exit_connect and sys_exit_accept{,4}; read and
 * deleted by sys_enter_close. LRU: fds closed behind netmon's back (process
 * exit, dup2, close_range) age out instead of filling the map.
 * max_entries is set by user space before load. */
struct conn_key {
	__u32 tgid;
	__s32 fd;
};
struct conn {
	struct netmon_event ev; /* the CONNECT or ACCEPT, re-sent as the CLOSE */
	__u64 file;             /* the struct file, to tell a reused fd from ours */
	__u64 ino;              /* the socket's inode number: a new socket's file may reuse the address */
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct conn_key);
	__type(value, struct conn);
} conns SEC(".maps");

#endif /* NETMON_MAPS_H */
