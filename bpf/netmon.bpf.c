// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* SEC() wiring only: which tracepoint calls which handler. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "netmon.h"
#include "maps.h"
#include "sock.h"
#include "emit.h"
#include "connect.h"
#include "accept.h"
#include "close.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Keeps the contract structs in the object's BTF for the layout test. */
struct netmon_event netmon_event_btf_anchor __attribute__((unused));

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx) { return on_enter_connect(ctx); }

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx) { return on_exit_connect(ctx); }

SEC("tracepoint/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx) { return on_exit_accept(ctx); }

SEC("tracepoint/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx) { return on_exit_accept(ctx); }

SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx) { return on_enter_close(ctx); }
