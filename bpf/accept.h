/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* accept() and accept4(): the new socket is read from the fd table at exit,
 * so a NULL peer address pointer does not matter, and nothing is needed from
 * the entry: an accept() already waiting when netmon attached is reported too. */
#ifndef NETMON_ACCEPT_H
#define NETMON_ACCEPT_H

static __always_inline int on_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct netmon_event e = {};
	struct file *file;
	struct sock *sk;
	int fd = (int)ctx->ret;

	if (fd < 0) /* EAGAIN on non-blocking listeners is routine, not a connection */
		return 0;
	if (!pid_wanted(id >> 32))
		return 0;

	file = file_of_fd(fd);
	sk = sock_of_file(file);
	if (!sk)
		return 0;
	e.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e.protocol = traced_protocol(sk, e.family);
	if (!e.protocol)
		return 0;
	fill_task(&e, NETMON_ACCEPT);
	e.netns = netns_of(sk);
	e.flags = NETMON_F_INBOUND;
	/* The peer initiated the connection: it is src; the local socket is dst. */
	read_remote(sk, e.family, e.src_addr, &e.src_port);
	read_local(sk, e.family, e.dst_addr, &e.dst_port);
	if (!flow_wanted(&e))
		return 0;

	track(&e, fd, file, sk);
	if (emits(NETMON_EV_ACCEPT))
		emit(ctx, &e);
	return 0;
}

#endif /* NETMON_ACCEPT_H */
