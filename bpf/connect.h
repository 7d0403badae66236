/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* connect(): the destination is what the caller asked for, read at entry; the
 * result and the local address are known only at exit. */
#ifndef NETMON_CONNECT_H
#define NETMON_CONNECT_H

static __always_inline int on_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct connect_args args = { .fd = (int)ctx->args[0] };
	const void *uaddr = (const void *)ctx->args[1];
	struct sockaddr_in sin;
	__u16 family;

	if (!pid_wanted(id >> 32))
		return 0;
	/* One read of sizeof(sockaddr_in), 16 bytes: all of it, or sockaddr_in6 up
	 * to half its address. An inet connect() needs at least that much (else
	 * EINVAL), so this fails only where connect() fails too. */
	if (bpf_probe_read_user(&sin, sizeof(sin), uaddr))
		return 0;
	/* Unix, netlink and AF_UNSPEC (disconnect) are not connections netmon reports. */
	family = sin.sin_family;
	if (family == AF_INET) {
		__builtin_memcpy(args.addr, &sin.sin_addr, 4);
	} else if (family == AF_INET6) {
		if (bpf_probe_read_user(args.addr, 16, &((const struct sockaddr_in6 *)uaddr)->sin6_addr))
			return 0;
	} else {
		return 0;
	}
	args.family = family;
	args.port = bpf_ntohs(sin.sin_port); /* sin_port and sin6_port share their place */
	if (netmon_cfg.task_storage) {
		struct connect_args *slot = bpf_task_storage_get(&connect_args_task, bpf_get_current_task_btf(), 0,
								 BPF_LOCAL_STORAGE_GET_F_CREATE);

		if (slot)
			*slot = args;
	} else {
		bpf_map_update_elem(&connect_args, &id, &args, BPF_ANY);
	}
	return 0;
}

/* Takes what sys_enter_connect left for this thread; false if it left nothing. */
static __always_inline bool take_connect_args(__u64 id, struct connect_args *out)
{
	struct connect_args *args;

	if (netmon_cfg.task_storage) {
		args = bpf_task_storage_get(&connect_args_task, bpf_get_current_task_btf(), 0, 0);
		if (!args || !args->family)
			return false;
		*out = *args;
		args->family = 0;
		return true;
	}
	args = bpf_map_lookup_elem(&connect_args, &id);
	if (!args)
		return false;
	*out = *args;
	bpf_map_delete_elem(&connect_args, &id);
	return true;
}

static __always_inline int on_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	struct connect_args args;
	struct netmon_event e = {};
	struct sock_view v;
	struct file *file;
	struct sock *sk;
	__u64 ino = 0;
	int ret = (int)ctx->ret;
	int fd;

	if (!take_connect_args(bpf_get_current_pid_tgid(), &args))
		return 0;
	fd = args.fd;
	e.dst_port = args.port;
	__builtin_memcpy(e.dst_addr, args.addr, 16);

	file = file_of_fd(fd);
	sk = sock_of_file(file, &ino);
	if (!sk || !read_sock(sk, &v))
		return 0;
	e.family = v.family;
	e.protocol = traced_protocol(sk, e.family);
	if (!e.protocol)
		return 0;
	fill_task(&e, NETMON_CONNECT);
	e.netns = netns_inode(v.net);
	e.result = ret;
	__builtin_memcpy(e.src_addr, v.local, 16);
	e.src_port = v.local_port;
	if (!flow_wanted(&e))
		return 0;

	if (ret == 0 || ret == -EINPROGRESS)
		track(&e, fd, file, ino);
	if (emits(NETMON_EV_CONNECT))
		emit(ctx, &e);
	return 0;
}

#endif /* NETMON_CONNECT_H */
