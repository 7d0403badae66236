/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * THE contract between the BPF programs and the Java decoder.
 *
 * Every field has a fixed width and explicit position; no unions, bools or
 * 128-bit fields. The Java mirror (decode/EventLayout, bpf/ConfigLayout) is
 * checked against the BTF of the compiled object by EventLayoutTest, so
 * neither side can change without the other.
 */
#ifndef NETMON_H
#define NETMON_H

enum netmon_event_type {
	NETMON_CONNECT = 1,
	NETMON_ACCEPT = 2,
	NETMON_CLOSE = 3,
};

/* Bits of netmon_config.events: which event types are emitted. */
#define NETMON_EV_CONNECT (1U << 0)
#define NETMON_EV_ACCEPT (1U << 1)
#define NETMON_EV_CLOSE (1U << 2)

/* Bits of netmon_config.protocols. */
#define NETMON_PROTO_TCP (1U << 0)
#define NETMON_PROTO_UDP (1U << 1)

/* Bits of netmon_event.flags. */
#define NETMON_F_BYTES (1U << 0)   /* bytes_sent/bytes_received are valid */
#define NETMON_F_INBOUND (1U << 1) /* the connection was accepted, not made; kept on its CLOSE */

struct netmon_event {
	__u64 ts_ns;          /*   0 bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cgroup_id;      /*   8 cgroup v2 id of the calling task (the directory's inode) */
	__u64 duration_ns;    /*  16 CLOSE: time since its CONNECT or ACCEPT */
	__u64 bytes_sent;     /*  24 CLOSE with NETMON_F_BYTES */
	__u64 bytes_received; /*  32 CLOSE with NETMON_F_BYTES */
	__u32 pid;            /*  40 tgid, host pid namespace */
	__u32 tid;            /*  44 thread id, host pid namespace */
	__u32 uid;            /*  48 uid in the initial user namespace */
	__u32 netns;          /*  52 inode of the socket's network namespace */
	__s32 result;         /*  56 CONNECT: 0 or -errno */
	__u16 type;           /*  60 enum netmon_event_type */
	__u16 flags;          /*  62 NETMON_F_* */
	__u16 family;         /*  64 AF_INET (2) or AF_INET6 (10) */
	__u16 protocol;       /*  66 IPPROTO_TCP (6) or IPPROTO_UDP (17) */
	__u16 src_port;       /*  68 host byte order; src initiated the connection */
	__u16 dst_port;       /*  70 host byte order; dst accepted it */
	__u8 src_addr[16];    /*  72 network byte order; IPv4 in the first 4 bytes */
	__u8 dst_addr[16];    /*  88 */
	char comm[16];        /* 104 the thread group leader's comm, NUL-padded */
	__u64 cgroup_v1_id;   /* 120 id of the caller's cgroup in the v1 memory hierarchy (hybrid and v1 hosts) */
};                        /* 128 */

/*
 * Read-only settings, written by user space after open and before load
 * (section .rodata.cfg, so the struct sits at offset 0 of its own map).
 * The verifier sees them as constants and prunes what they switch off.
 */
struct netmon_config {
	__u32 events;       /* 0 NETMON_EV_* mask of what to emit */
	__u32 filter_pids;  /* 4 nonzero: only tgids present in the filter_pids map */
	__u32 use_perf;     /* 8 nonzero: perf buffer instead of ring buffer */
	__u32 wakeup_bytes; /* 12 ring buffer: a CPU wakes the reader once it has written this much */
	__u32 protocols;    /* 16 NETMON_PROTO_* mask of what to emit */
	__u32 filter_ports; /* 20 nonzero: only connections whose src or dst port is in filter_ports */
	__u32 filter_comms; /* 24 nonzero: only processes whose name is in filter_comms */
	__u32 task_btf;     /* 28 nonzero: the kernel has bpf_get_current_task_btf() for tracepoints (5.11+) */
	__u32 task_storage; /* 32 nonzero: and task storage for them: connect_args_task, not connect_args */
};                      /* 36 */

#endif /* NETMON_H */
