/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Handing a finished event to user space, and counting what could not be. */
#ifndef NETMON_EMIT_H
#define NETMON_EMIT_H

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1; /* per-CPU value: no other writer */
}

/*
 * One wakeup per event costs about 14 us here, so a CPU wakes the reader only
 * once it has written wakeup_bytes since its last wakeup (as the perf buffer's
 * per-CPU watermark does); below that the reader finds the data on its poll
 * timeout. A per-CPU count, not bpf_ringbuf_query(): that reads the consumer's
 * position, a cache line the reader keeps writing from another CPU (about 50 ns
 * a call here). Both buffers copy the event, so it can live on the caller's
 * stack. The perf path counts its own failures here too: PERF_RECORD_LOST
 * arrives only with a later successful write, and may never arrive.
 */
static __always_inline void emit(void *ctx, struct netmon_event *e)
{
	long err;

	if (netmon_cfg.use_perf) {
		err = bpf_perf_event_output(ctx, &events_perf, BPF_F_CURRENT_CPU, e, sizeof(*e));
	} else {
		__u32 zero = 0;
		__u64 *written = bpf_map_lookup_elem(&unwoken, &zero);
		__u64 flags = BPF_RB_NO_WAKEUP;

		if (written && (*written += sizeof(*e)) >= netmon_cfg.wakeup_bytes) {
			*written = 0;
			flags = BPF_RB_FORCE_WAKEUP;
		}
		err = bpf_ringbuf_output(&events_rb, e, sizeof(*e), flags);
	}
	if (err)
		count_lost();
}

static __always_inline bool emits(__u32 ev_bit)
{
	return netmon_cfg.events & ev_bit;
}

/*
 * The cheap filters, applied in the kernel so that a filtered connection
 * costs no buffer space, no wakeup and no tracking: protocol, either port,
 * process name. Checked once the event is filled, before track() and emit().
 */
static __always_inline bool flow_wanted(struct netmon_event *e)
{
	__u32 proto = e->protocol == IPPROTO_TCP ? NETMON_PROTO_TCP : NETMON_PROTO_UDP;

	if (!(netmon_cfg.protocols & proto))
		return false;
	if (netmon_cfg.filter_ports && !bpf_map_lookup_elem(&filter_ports, &e->src_port) &&
	    !bpf_map_lookup_elem(&filter_ports, &e->dst_port))
		return false;
	if (netmon_cfg.filter_comms && !bpf_map_lookup_elem(&filter_comms, e->comm))
		return false;
	return true;
}

/* Remember an opened connection so that its close can be reported. */
static __always_inline void track(struct netmon_event *e, int fd, struct file *file, __u64 ino)
{
	struct conn_key key = { .tgid = e->pid, .fd = fd };
	struct conn c = { .ev = *e, .file = (__u64)file, .ino = ino };

	if (emits(NETMON_EV_CLOSE))
		bpf_map_update_elem(&conns, &key, &c, BPF_ANY);
}

#endif /* NETMON_EMIT_H */
