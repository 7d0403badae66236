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
	struct sock_view v;
	struct file *file;
	struct sock *sk;
	__u64 ino = 0;
	int fd = (int)ctx->ret;

	if (fd < 0) /* EAGAIN on non-blocking listeners is routine, not a connection */
		return 0;
	if (!pid_wanted(id >> 32))
		return 0;

	file = file_of_fd(fd);
	sk = sock_of_file(file, &ino);
	if (!sk || !read_sock(sk, &v))
		return 0;
	e.family = v.family;
	e.protocol = traced_protocol(sk, e.family);
	if (!e.protocol)
		return 0;
	fill_task(&e, NETMON_ACCEPT);
	e.netns = netns_inode(v.net);
	e.flags = NETMON_F_INBOUND;
	/* The peer initiated the connection: it is src; the local socket is dst. */
	__builtin_memcpy(e.src_addr, v.remote, 16);
	e.src_port = v.remote_port;
	__builtin_memcpy(e.dst_addr, v.local, 16);
	e.dst_port = v.local_port;
	if (!flow_wanted(&e))
		return 0;

	track(&e, fd, file, ino);
	if (emits(NETMON_EV_ACCEPT))
		emit(ctx, &e);
	return 0;
}

#endif /* NETMON_ACCEPT_H */
