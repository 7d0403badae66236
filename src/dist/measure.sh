#!/usr/bin/env bash
# measure.sh RUNS LAUNCHER [ARGS...]: start-to-attached and memory of a netmon launcher, as the README reports them.
#
# Each run spawns LAUNCHER ARGS, times until stderr says "netmon: tracing with" (programs attached), keeps it
# tracing for 3 s while this host's own traffic goes on, then reads VmRSS and VmHWM (peak) from /proc and stops it
# with SIGTERM. Prints one line per run and the medians. Run as root, on an otherwise quiet host.
set -euo pipefail
runs=${1:?usage: measure.sh RUNS LAUNCHER [ARGS...]}
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
starts=() rss=() hwm=()
for i in $(seq 1 "$runs"); do
    rm -f "$work/err" && mkfifo "$work/err"
    t0=$(date +%s%N)
    "$@" >/dev/null 2>"$work/err" &
    pid=$!
    exec 3<"$work/err"
    attached=
    while IFS= read -r -t 30 line <&3; do
        case $line in "netmon: tracing with"*) attached=$(date +%s%N); break ;; esac
    done
    [ -n "$attached" ] || { echo "measure.sh: run $i did not attach" >&2; kill "$pid" 2>/dev/null; exit 1; }
    cat <&3 >/dev/null &
    sleep 3
    r=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    h=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$pid" || { echo "measure.sh: run $i exited non-zero" >&2; exit 1; }
    exec 3<&-
    ms=$(( (attached - t0) / 1000000 ))
    starts+=("$ms") rss+=("$((r / 1024))") hwm+=("$((h / 1024))")
    echo "run $i: attached after ${ms} ms, RSS ${rss[-1]} MiB, peak ${hwm[-1]} MiB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median: attached after $(median "${starts[@]}") ms, RSS $(median "${rss[@]}") MiB, peak $(median "${hwm[@]}") MiB"
