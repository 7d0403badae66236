#!/bin/bash
# up.sh STATE_DIR [IMAGES_DIR]: a private, throw-away containerd with the CRI plugin, for the integration tests.
#
# Everything it owns lives under STATE_DIR (absolute, no whitespace):
#   containerd.sock  the gRPC (and so CRI) socket      containerd.log, containerd.pid
#   netns            its own network namespace (bind mount); the CNI bridge and the pods' veths live there
#   config.toml, cni/, root/, state/, runc/, pods/     (pods/ holds the pods' log directories: CriPods)
# It never uses the sockets, state or config of a host containerd (/run/containerd/containerd.sock,
# /var/lib/containerd, /etc/cni). containerd 1.6 does put its shims' sockets in /run/containerd/s (named by a
# hash of our socket path, so they cannot clash) and libcni its cache in /var/lib/cni/results; down.sh
# removes what this instance left there.
# IMAGES_DIR holds pause.tar and busybox.tar from images.sh; without it images.sh builds them in STATE_DIR.
# Idempotent: a running instance is left running. Prints nothing unless something fails; down.sh undoes it.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=${1:?usage: up.sh STATE_DIR [IMAGES_DIR]}
case $state in /*) ;; *) state=$PWD/$state ;; esac
state=$(realpath -m "$state")
[[ $state =~ ^/[^[:space:]]*[^/]$ ]] || { echo "up.sh: STATE_DIR must be absolute, not /, without whitespace: '$state'" >&2; exit 1; }
images=${2:-$state/images}
sock=$state/containerd.sock
log=$state/containerd.log
fail() { echo "up.sh: $*; see $log" >&2; exit 1; }
# containerd refuses socket paths over 104 bytes, and the ttrpc socket is ours plus ".ttrpc".
[ $((${#sock} + 6)) -le 104 ] || { echo "up.sh: $sock is too long for a unix socket; use a shorter STATE_DIR" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { echo "up.sh: needs root (network namespaces, mounts, cgroups)" >&2; exit 1; }
for tool in containerd containerd-shim-runc-v2 ctr runc nsenter unshare ip; do
    command -v "$tool" >/dev/null || { echo "up.sh: $tool not found; run 'make test-deps'" >&2; exit 1; }
done
[ -x /usr/lib/cni/bridge ] || { echo "up.sh: /usr/lib/cni/bridge missing; run 'make test-deps'" >&2; exit 1; }

mkdir -p "$state"/{cni,root,state,runc,pods,ipam}
# down.sh deletes STATE_DIR only when it finds this marker, so it can never remove a directory it did not make.
touch "$state/.netmon-containerd"

# ctr against our socket, bounded: a socket that accepts but never answers must not hang the caller.
ctr_() { timeout 20 ctr --address "$sock" --connect-timeout 2s "$@"; }
answering() { timeout 5 ctr --address "$sock" --connect-timeout 1s version >/dev/null 2>&1; }

running_pid() {
    local pid
    pid=$(cat "$state/containerd.pid" 2>/dev/null) || return 1
    tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF "containerd --config $state/config.toml " || return 1
    echo "$pid"
}

# --- images (cheap when up to date) ---------------------------------------------------------
"$here/images.sh" "$images"

# --- network namespace: the CNI bridge and host-side veths never reach the host's network ---
if ! grep -qF " $state/netns " /proc/self/mountinfo; then
    touch "$state/netns"
    unshare --net="$state/netns" true || fail "could not create a network namespace at $state/netns"
fi
nsenter --net="$state/netns" ip link set lo up

# --- what is not ours: directories containerd 1.6 makes outside STATE_DIR whatever its config says ---
# (/run/containerd/s for shim sockets, /var/lib/cni/results for libcni's cache) and the kubepods cgroup trees
# runc makes. down.sh removes only those listed here, children first, and only while they are empty.
if [ ! -e "$state/absent-at-start" ]; then
    {
        for ctl in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
            if grep -qE "^[^ ]+ ${ctl%/} (cgroup|cgroup2) " /proc/self/mounts && [ ! -d "${ctl}kubepods" ]; then
                printf '%s\n' "${ctl}kubepods/besteffort" "${ctl}kubepods/burstable" "${ctl}kubepods"
            fi
        done
        for dir in /run/containerd/s /run/containerd /var/lib/cni/results /var/lib/cni; do
            [ -e "$dir" ] || echo "$dir"
        done
    } > "$state/absent-at-start"
fi

# --- configuration ---------------------------------------------------------------------------
# A network name per instance, so that its entries in libcni's cache (/var/lib/cni/results/<network>-<sandbox>-<if>)
# say whose they are.
net=netmon-test-$(printf %s "$state" | sha256sum | cut -c1-8)
cat > "$state/cni/10-netmon-test.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$net",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "nmtest0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$state/ipam",
        "ranges": [[{"subnet": "10.250.7.0/24"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
EOF

cat > "$state/config.toml" <<EOF
version = 2
root = "$state/root"
state = "$state/state"
# Plugins a test never needs; the v1 runtime and the opt plugin would use /run/containerd and /opt/containerd.
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
  "io.containerd.internal.v1.opt",
]

[grpc]
  address = "$sock"

[ttrpc]
  address = "$sock.ttrpc"

[debug]
  level = "info"

[plugins]
  [plugins."io.containerd.monitor.v1.cgroups"]
    no_prometheus = true

  [plugins."io.containerd.runtime.v1.linux"]
    runtime_root = "$state/runc-v1"

  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "netmon.test/pause:1"
    # This VM has no CAP_SYS_RESOURCE in its bounding set: the pause container's -998 would be refused.
    restrict_oom_score_adj = true
    disable_apparmor = true
    enable_selinux = false
    netns_mounts_under_state_dir = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"

    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"

        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = "$state/runc"

    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$state/cni"
      max_conf_num = 1
EOF

# --- containerd ------------------------------------------------------------------------------
if ! running_pid >/dev/null; then
    rm -f "$sock" "$sock.ttrpc"
    # setsid: its own session, so the caller's terminal signals do not reach it; down.sh stops it.
    setsid nsenter --net="$state/netns" containerd --config "$state/config.toml" \
        </dev/null >>"$log" 2>&1 &
    echo $! > "$state/containerd.pid"
fi
deadline=$((SECONDS + 20))
until answering; do
    running_pid >/dev/null || fail "containerd exited during start"
    [ $SECONDS -lt $deadline ] || fail "containerd did not answer on $sock within 20 s"
    sleep 0.2
done

# --- images, in the CRI's namespace and unpacked for its snapshotter ---------------------------
for image in pause busybox; do
    ctr_ -n k8s.io images import --snapshotter overlayfs "$images/$image.tar" >/dev/null 2>>"$log" ||
        fail "could not import $images/$image.tar"
done
for ref in netmon.test/pause:1 netmon.test/busybox:1; do
    ctr_ -n k8s.io images check "name==$ref" 2>>"$log" | grep -q "complete" ||
        fail "image $ref is not complete after import"
done
