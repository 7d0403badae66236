#!/usr/bin/env bash
# train.sh DIST JDK: records the AOT cache DIST/app/netmon.aot from a real run of DIST/bin/netmon's JVM.
#
# netmon traces the whole host for a few seconds (as root: it loads its BPF programs) while LoopbackTraffic, run by
# the build JDK, makes TCP and UDP connections over loopback. The cache then holds the classes that start-up,
# attach, decode and JSON writing load, linked, with their profiles (JEP 483, 514, 515). The training JVM reads the
# same app/jvm.options as the launcher: a cache is only used by a JVM with matching settings.
set -euo pipefail
dist=${1:?usage: train.sh DIST JDK}
jdk=${2:?usage: train.sh DIST JDK}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" = 0 ] || { echo "train.sh: the training run loads netmon's BPF programs: run 'make dist' as root" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill "$netmon" 2>/dev/null || true; rm -rf "$work"' EXIT
rm -f "$dist/app/netmon.aot"
# --no-cri: the training host need not run a container runtime; the CRI client's classes load from the jars.
"$dist/runtime/bin/java" "@$dist/app/jvm.options" "-XX:AOTCacheOutput=$dist/app/netmon.aot" \
    -jar "$dist/app/netmon.jar" --duration 4 --no-cri >"$work/out" 2>"$work/err" &
netmon=$!
for _ in $(seq 1 300); do
    grep -q '^netmon: tracing with' "$work/err" && break
    kill -0 "$netmon" 2>/dev/null || break
    sleep 0.1
done
grep -q '^netmon: tracing with' "$work/err" || { echo "train.sh: netmon did not attach:" >&2; cat "$work/err" >&2; exit 1; }
"$jdk/bin/java" "$here/LoopbackTraffic.java" 100
status=0
wait "$netmon" || status=$?
if [ "$status" != 0 ] || [ ! -s "$dist/app/netmon.aot" ]; then
    echo "train.sh: the training run failed (status $status):" >&2
    cat "$work/err" >&2
    exit 1
fi
lines=$(wc -l <"$work/out")
[ "$lines" -gt 0 ] || { echo "train.sh: the training run saw no connections" >&2; exit 1; }
echo "AOT cache trained on $lines lines: $(du -h "$dist/app/netmon.aot" | cut -f1)"
