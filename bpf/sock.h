/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Reading the calling task and its sockets through CO-RE. */
#ifndef NETMON_SOCK_H
#define NETMON_SOCK_H

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define EINPROGRESS 115

static __always_inline bool pid_wanted(__u32 tgid)
{
	if (!netmon_cfg.filter_pids)
		return true;
	return bpf_map_lookup_elem(&filter_pids, &tgid) != NULL;
}

/*
 * Reading kernel memory: bpf_probe_read_kernel() costs about 25 ns a call on
 * the development VM, a typed load through a pointer from
 * bpf_get_current_task_btf() about 2 ns (the verifier turns it into a plain
 * load with a fault fixup). Where the kernel has that helper for tracepoints
 * (5.11+; user space asks before load and sets netmon_cfg.task_btf), the
 * task-side chains below are typed loads; the verifier prunes the branch the
 * constant switches off, so older kernels never see the helper.
 *
 * The socket is reached through file->private_data, a void pointer, which
 * loses the type. The second build of this object, netmon-cast.bpf.o
 * (NETMON_CAST), gets it back with the kfunc bpf_rdonly_cast() (6.2+) and reads
 * the socket through typed loads too; user space loads that build only where
 * the kernel has the kfunc, the plain one elsewhere.
 */
#ifdef NETMON_CAST
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define TYPED(type, p) ((type *)bpf_rdonly_cast((const void *)(p), bpf_core_type_id_kernel(type)))
#endif

/* The calling task's struct file behind fd, or NULL when fd is out of range or closed. */
static __always_inline struct file *file_of_fd(int fd)
{
	struct file **fds;
	struct file *file = NULL;
	unsigned int max_fds;

	if (fd < 0)
		return NULL;
	if (netmon_cfg.task_btf) {
		struct fdtable *fdt = bpf_get_current_task_btf()->files->fdt;

		max_fds = fdt->max_fds;
		fds = fdt->fd;
	} else {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);

		max_fds = BPF_CORE_READ(fdt, max_fds);
		fds = BPF_CORE_READ(fdt, fd);
	}
	if ((unsigned int)fd >= max_fds)
		return NULL;
	/* A variable index into an array of pointers: no typed load can do it. */
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* The struct sock of a socket file, or NULL for any other file; *ino is the
 * socket's inode number, which sockfs hands out anew for every socket. */
static __always_inline struct sock *sock_of_file(struct file *file, __u64 *ino)
{
	if (!file)
		return NULL;
#ifdef NETMON_CAST
	struct file *f = TYPED(struct file, file);
	struct inode *inode = f->f_inode;

	if ((inode->i_mode & S_IFMT) != S_IFSOCK)
		return NULL;
	*ino = inode->i_ino;
	return TYPED(struct socket, f->private_data)->sk;
#else
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	*ino = BPF_CORE_READ(inode, i_ino);
	struct socket *sock = BPF_CORE_READ(file, private_data);

	return BPF_CORE_READ(sock, sk);
#endif
}

/* IPPROTO_TCP or IPPROTO_UDP for an inet socket netmon reports, else 0. */
static __always_inline __u16 traced_protocol(struct sock *sk, __u16 family)
{
	__u16 protocol;

	if (family != AF_INET && family != AF_INET6)
		return 0;
	/* A bitfield before 5.6, a plain __u16 since: both macros handle both. */
#ifdef NETMON_CAST
	protocol = BPF_CORE_READ_BITFIELD(sk, sk_protocol);
#else
	protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
#endif
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP ? protocol : 0;
}

/* What netmon reports of a socket, from its struct sock_common. */
struct sock_view {
	__u8 local[16];    /* network byte order; IPv4 in the first 4 bytes */
	__u8 remote[16];
	__u64 net;         /* struct net *, for the netns inode */
	__u16 family;
	__u16 local_port;  /* host byte order */
	__u16 remote_port; /* host byte order */
};

/*
 * Every field of sock_view lies in the first 88 bytes of struct sock_common
 * on every kernel netmon knows (x86-64: skc_v6_rcv_saddr ends at 88); one
 * probe read of its first 96 costs what one field would. The offsets are CO-RE relocations; should a kernel move a field
 * past the copy, the relocated constants send the verifier down the
 * field-by-field branch instead, and it prunes the other.
 */
#define SKC_COPY 96
#define SKC_OFF(field) bpf_core_field_offset(struct sock_common, field)
#define SKC_FITS(field) (SKC_OFF(field) + bpf_core_field_size(struct sock_common, field) <= SKC_COPY)
#define SKC_AT(copy, type, field) (*(type *)((__u8 *)(copy) + SKC_OFF(field)))

/* Field by field: typed loads in the cast build, one probe read each in the plain one. */
static __always_inline void read_sock_by_field(struct sock *sk, struct sock_view *v)
{
	struct sock_common *skc = &sk->__sk_common;

#ifdef NETMON_CAST
	v->family = skc->skc_family;
	v->local_port = skc->skc_num;
	v->remote_port = bpf_ntohs(skc->skc_dport);
	v->net = (__u64)skc->skc_net.net;
	if (v->family == AF_INET) {
		__builtin_memcpy(v->local, &skc->skc_rcv_saddr, 4);
		__builtin_memcpy(v->remote, &skc->skc_daddr, 4);
	} else {
		__builtin_memcpy(v->local, &skc->skc_v6_rcv_saddr, 16);
		__builtin_memcpy(v->remote, &skc->skc_v6_daddr, 16);
	}
#else
	v->family = BPF_CORE_READ(skc, skc_family);
	v->local_port = BPF_CORE_READ(skc, skc_num);
	v->remote_port = bpf_ntohs(BPF_CORE_READ(skc, skc_dport));
	v->net = (__u64)BPF_CORE_READ(skc, skc_net.net);
	if (v->family == AF_INET) {
		bpf_core_read(v->local, 4, &skc->skc_rcv_saddr);
		bpf_core_read(v->remote, 4, &skc->skc_daddr);
	} else {
		bpf_core_read(v->local, 16, &skc->skc_v6_rcv_saddr);
		bpf_core_read(v->remote, 16, &skc->skc_v6_daddr);
	}
#endif
}

static __always_inline bool read_sock(struct sock *sk, struct sock_view *v)
{
	__builtin_memset(v, 0, sizeof(*v));
#ifdef NETMON_CAST
	read_sock_by_field(sk, v); /* typed loads: a copy would save nothing */
	return true;
#else
	__u64 copy[SKC_COPY / 8];

	if (!(SKC_FITS(skc_family) && SKC_FITS(skc_num) && SKC_FITS(skc_dport) && SKC_FITS(skc_net) &&
	      SKC_FITS(skc_rcv_saddr) && SKC_FITS(skc_daddr) && SKC_FITS(skc_v6_rcv_saddr) &&
	      SKC_FITS(skc_v6_daddr))) {
		read_sock_by_field(sk, v);
		return true;
	}
	if (bpf_core_read(copy, sizeof(copy), &sk->__sk_common))
		return false;
	v->family = SKC_AT(copy, __u16, skc_family);
	v->local_port = SKC_AT(copy, __u16, skc_num);
	v->remote_port = bpf_ntohs(SKC_AT(copy, __u16, skc_dport));
	v->net = SKC_AT(copy, __u64, skc_net);
	if (v->family == AF_INET) {
		__builtin_memcpy(v->local, (__u8 *)copy + SKC_OFF(skc_rcv_saddr), 4);
		__builtin_memcpy(v->remote, (__u8 *)copy + SKC_OFF(skc_daddr), 4);
	} else {
		__builtin_memcpy(v->local, (__u8 *)copy + SKC_OFF(skc_v6_rcv_saddr), 16);
		__builtin_memcpy(v->remote, (__u8 *)copy + SKC_OFF(skc_v6_daddr), 16);
	}
	return true;
#endif
}

/*
 * The caller's cgroup in the v1 memory hierarchy, as the inode of its
 * directory there. On hybrid hosts a runtime may place containers in the v1
 * controllers only, where bpf_get_current_cgroup_id() (the v2 hierarchy) shows
 * the root; user space maps this id through /sys/fs/cgroup/memory instead.
 * 0 when the kernel has no memory controller.
 */
static __always_inline __u64 cgroup_v1_id(void)
{
	int memory = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id) || memory < 0 ||
	    memory >= CGROUP_SUBSYS_COUNT)
		return 0;
	if (netmon_cfg.task_btf)
		return bpf_get_current_task_btf()->cgroups->subsys[memory]->cgroup->kn->id;
	return BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), cgroups, subsys[memory], cgroup, kn,
			     id);
}

/* The group leader's comm names the process; the caller's may be a thread's. */
static __always_inline void read_process_name(char comm[16])
{
	if (netmon_cfg.task_btf) {
		__builtin_memcpy(comm, bpf_get_current_task_btf()->group_leader->comm, 16);
	} else {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct task_struct *leader = BPF_CORE_READ(task, group_leader);

		bpf_core_read(comm, 16, &leader->comm);
	}
}

/* Who is calling, and when: the fields every event takes from the calling task. */
static __always_inline void fill_task(struct netmon_event *e, __u16 type)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->cgroup_v1_id = cgroup_v1_id();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->type = type;
	read_process_name(e->comm);
}

/* The inode of a network namespace (struct net *). */
static __always_inline __u32 netns_inode(__u64 net)
{
#ifdef NETMON_CAST
	return TYPED(struct net, net)->ns.inum;
#else
	return BPF_CORE_READ((struct net *)net, ns.inum);
#endif
}

#endif /* NETMON_SOCK_H */
