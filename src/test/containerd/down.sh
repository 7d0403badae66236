#!/bin/bash
# down.sh STATE_DIR: undoes up.sh, in order, and removes STATE_DIR.
#
#   1. the containers (runc, with the root up.sh gave it), and any process left in this instance's pod cgroups
#   2. containerd (TERM, then KILL), then its shims (found by the socket they serve)
#   3. every mount under STATE_DIR (rootfs overlays, sandbox /dev/shm, the pods' netns, our own netns)
#   4. the pod cgroups of the pods this instance ran (their uids are the log directories under pods/, which
#      CriPods names as the kubelet does: <namespace>_<name>_<uid>)
#   5. what it left outside STATE_DIR: its shims' sockets in /run/containerd/s, libcni's cache entries for its
#      sandboxes, and any directory (kubepods trees included) up.sh found absent, if empty; then STATE_DIR
# Idempotent, safe after a failed or partial up.sh, bounded in time. It touches nothing outside what this
# instance made: no host containerd (/run/containerd, /var/lib/containerd), no other instance's pods.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}

state=${1:?usage: down.sh STATE_DIR}
case $state in /*) ;; *) state=$PWD/$state ;; esac
state=$(realpath -m "$state")
[[ $state =~ ^/[^[:space:]]*[^/]$ ]] || { echo "down.sh: STATE_DIR must be absolute, not /, without whitespace: '$state'" >&2; exit 1; }
[ -d "$state" ] || exit 0
if [ ! -e "$state/.netmon-containerd" ]; then
    rmdir "$state" 2>/dev/null && exit 0 # empty: up.sh failed before making anything
    echo "down.sh: $state has no .netmon-containerd marker: not made by up.sh, left alone" >&2
    exit 1
fi
sock=$state/containerd.sock
problems=0
warn() { echo "down.sh: $*" >&2; problems=$((problems + 1)); }

# Processes whose command line (arguments joined by spaces) contains the words $1, a fixed string.
pids_running() {
    local dir pattern
    if command -v pgrep >/dev/null; then
        pattern=$(printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g')
        pgrep -f -- "$pattern( |\$)"
        return 0
    fi
    for dir in /proc/[0-9]*; do
        [ "${dir#/proc/}" = $$ ] && continue
        tr '\0' ' ' 2>/dev/null < "$dir/cmdline" | grep -qF -- "$1 " && echo "${dir#/proc/}"
    done
}

# A process that has not exited; a zombie has (our reaper, pid 1 here, may take seconds to collect it).
# The state is the field after the ")" closing the command name, which may itself hold spaces.
alive() { [ -d "/proc/$1" ] && [ "$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# stop SIGNAL SECONDS PID...: signal, wait up to SECONDS, then KILL what is left and wait up to 3 s more.
stop() {
    local sig=$1 secs=$2; shift 2
    [ $# -gt 0 ] || return 0
    kill -s "$sig" "$@" 2>/dev/null
    any_alive_after $((secs * 10)) "$@" || return 0
    kill -s KILL "$@" 2>/dev/null
    any_alive_after 30 "$@" || return 0
    warn "processes $* survived SIGKILL"
}

# any_alive_after TENTHS PID...: waits until all have exited (false) or TENTHS of a second pass (true).
any_alive_after() {
    local tenths=$1 i pid left; shift
    for ((i = 0; i <= tenths; i++)); do
        left=0
        for pid; do alive "$pid" && left=1; done
        [ $left = 0 ] && return 1
        [ $i -lt "$tenths" ] && sleep 0.1
    done
    return 0
}

# Pod uids of this instance, from the log directories CriPods made: pods/<namespace>_<name>_<uid>.
pod_uids() {
    local dir
    for dir in "$state"/pods/*_*_*; do
        [ -d "$dir" ] && [[ ${dir##*_} =~ ^[0-9a-f-]+$ ]] && echo "${dir##*_}"
    done
}

# The pod cgroup directories of this instance, in every hierarchy (v1 controllers, unified, or pure v2).
pod_cgroups() {
    local uid
    for uid in $(pod_uids); do
        find /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/kubepods -maxdepth 2 -type d -name "pod$uid" 2>/dev/null
    done
}

# Shim sockets (each task's bundle has an "address" file) and sandbox ids, read before anything stops.
shim_sockets=$(cat "$state"/state/io.containerd.runtime.v2.task/*/*/address 2>/dev/null |
    sed -n 's|^unix://\(/run/containerd/s/[0-9a-f]\{64\}\)$|\1|p' | sort -u)
sandbox_ids=$(ls "$state/root/io.containerd.grpc.v1.cri/sandboxes" "$state/state/io.containerd.runtime.v2.task/k8s.io" \
    2>/dev/null | grep -E '^[0-9a-f]{64}$' | sort -u)

# --- 1. containers ------------------------------------------------------------------------------
runc_root=$state/runc/k8s.io
if [ -d "$runc_root" ]; then
    for id in $(timeout 10 runc --root "$runc_root" list -q 2>/dev/null); do
        timeout 10 runc --root "$runc_root" delete --force "$id" >/dev/null 2>&1 || warn "runc delete $id failed"
    done
fi
for cg in $(pod_cgroups); do
    stop KILL 3 $(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
done

# --- 2. containerd, then its shims --------------------------------------------------------------
pid=$(cat "$state/containerd.pid" 2>/dev/null)
if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF "containerd --config $state/config.toml "; then
    stop TERM 10 "$pid"
fi
stop TERM 5 $(pids_running "containerd --config $state/config.toml")
# A shim serves one container and names our socket; it holds nothing once its container is gone.
stop TERM 5 $(pids_running "-address $sock")

# --- 3. mounts, deepest first ------------------------------------------------------------------
mounts_under_state() {
    # mountinfo field 5 is the mount point, with spaces as \040; ours contain none (up.sh refuses them).
    awk -v s="$state" '$5 == s || index($5, s "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r -u
}
for attempt in 1 2 3; do
    for m in $(mounts_under_state); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    [ -z "$(mounts_under_state)" ] && break
done
[ -z "$(mounts_under_state)" ] || warn "still mounted under $state: $(mounts_under_state | tr '\n' ' ')"

# --- 4. cgroups ---------------------------------------------------------------------------------
for cg in $(pod_cgroups); do
    for attempt in $(seq 1 20); do
        find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -d "$cg" ] || break
        sleep 0.1
    done
    [ -d "$cg" ] && warn "could not remove cgroup $cg"
done

# --- 5. files -----------------------------------------------------------------------------------
# Shims that were killed could not remove their sockets; ones that exited cleanly already did.
for socket in $shim_sockets; do
    rm -f "$socket"
done
# libcni's results: <network>-<sandbox id>-<interface>, our bridge network and the CRI's loopback one.
for id in $sandbox_ids; do
    rm -f /var/lib/cni/results/*-"$id"-* 2>/dev/null
done
if [ -f "$state/absent-at-start" ]; then
    while read -r dir; do
        # rmdir removes only what is empty: another instance's pods or a host containerd's sockets keep theirs.
        [ -n "$dir" ] && rmdir "$dir" 2>/dev/null
    done < "$state/absent-at-start"
fi
if [ -z "$(mounts_under_state)" ]; then
    # --one-file-system: should a mount have survived after all, never delete through it.
    rm -rf --one-file-system "$state" || warn "could not remove $state"
else
    warn "left $state in place because of the mounts above"
fi
[ $problems = 0 ] || { echo "down.sh: $problems problem(s) while stopping the containerd in $state" >&2; exit 1; }
