/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* close(): reported only for fds whose connect or accept netmon saw. */
#ifndef NETMON_CLOSE_H
#define NETMON_CLOSE_H

#define RCV_SHUTDOWN 1

/* States in which this socket has taken the peer's FIN and still exists as itself. */
static __always_inline bool fin_received(struct sock *sk)
{
#ifdef NETMON_CAST
	__u8 state = sk->__sk_common.skc_state;

	if (!(BPF_CORE_READ_BITFIELD(sk, sk_shutdown) & RCV_SHUTDOWN))
		return false;
#else
	__u8 state = BPF_CORE_READ(sk, __sk_common.skc_state);

	if (!(BPF_CORE_READ_BITFIELD_PROBED(sk, sk_shutdown) & RCV_SHUTDOWN))
		return false;
#endif
	return state == TCP_CLOSE_WAIT || state == TCP_LAST_ACK || state == TCP_CLOSING;
}

static __always_inline void read_bytes(struct sock *sk, struct netmon_event *e)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 received;

	/* UDP sockets keep no byte counts; tcp_sock has them since 4.19. */
	if (e->protocol != IPPROTO_TCP || !bpf_core_field_exists(tp->bytes_sent))
		return;
	/* bytes_sent counts payload (retransmissions included). bytes_received
	 * follows rcv_nxt, which also advances by one for the peer's FIN. */
#ifdef NETMON_CAST
	tp = TYPED(struct tcp_sock, sk);
	e->bytes_sent = tp->bytes_sent;
	received = tp->bytes_received;
#else
	e->bytes_sent = BPF_CORE_READ(tp, bytes_sent);
	received = BPF_CORE_READ(tp, bytes_received);
#endif
	if (received && fin_received(sk))
		received--;
	e->bytes_received = received;
	e->flags |= NETMON_F_BYTES;
}

static __always_inline int on_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	struct conn_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = (int)ctx->args[0] };
	struct conn *c = bpf_map_lookup_elem(&conns, &key);
	struct netmon_event e;
	struct file *file;
	struct sock *sk;
	__u64 opened, opened_file, opened_ino, ino = 0;

	if (!c)
		return 0;
	/* Copied out first: the deleted entry may be reused at once. */
	e = c->ev;
	opened = e.ts_ns;
	opened_file = c->file;
	opened_ino = c->ino;
	bpf_map_delete_elem(&conns, &key);
	/* Another socket behind the fd: ours went without a close() netmon saw
	 * (dup2, close_range, exit, io_uring) and the number was reused; its file
	 * may even sit at the same address, its inode number never repeats. */
	file = file_of_fd(key.fd);
	if ((__u64)file != opened_file)
		return 0;
	sk = sock_of_file(file, &ino);
	if (!sk || ino != opened_ino)
		return 0;

	/* The closing thread and the process as they are now; the socket's own
	 * fields (addresses, ports, netns) are those recorded when it opened. */
	fill_task(&e, NETMON_CLOSE);
	e.duration_ns = e.ts_ns - opened;
	e.result = 0;
	read_bytes(sk, &e);
	emit(ctx, &e);
	return 0;
}

#endif /* NETMON_CLOSE_H */
