#!/bin/bash
# images.sh OUTDIR: the two images the private containerd needs, built from busybox-static without docker.
#
#   OUTDIR/pause.tar    netmon.test/pause:1    /bin/sleep (busybox) as the sandbox's long sleep
#   OUTDIR/busybox.tar  netmon.test/busybox:1  busybox with every applet linked in /bin
#
# Each tarball is a docker-archive (what `docker save` writes: manifest.json, the config JSON, one
# uncompressed layer tar), which `ctr images import` reads. Builds are byte-for-byte reproducible (sorted
# entries, zero mtimes and owners), so the image ids are stable across runs and hosts with the same busybox.
# Skipped when both tarballs are newer than /bin/busybox and this script.
set -euo pipefail

out=${1:?usage: images.sh OUTDIR}
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "images.sh: $busybox missing; install busybox-static (make test-deps)" >&2; exit 1; }
file "$busybox" 2>/dev/null | grep -q 'dynamically linked' &&
    { echo "images.sh: $busybox is not static; install busybox-static (make test-deps)" >&2; exit 1; }

mkdir -p "$out"
up_to_date() { [ "$1" -nt "$busybox" ] && [ "$1" -nt "${BASH_SOURCE[0]}" ]; }
if up_to_date "$out/pause.tar" && up_to_date "$out/busybox.tar"; then exit 0; fi

case $(uname -m) in
    x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; armv7l) arch=arm ;; *) arch=$(uname -m) ;;
esac

work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }
json_strings() { local s first=1; printf '['; for s; do [ $first = 1 ] || printf ','; first=0; printf '"%s"' "$s"; done; printf ']'; }

# build NAME TAG ENTRYPOINT_WORDS... < applet list on stdin
build() {
    local name=$1 tag=$2; shift 2
    local root=$work/$name/rootfs dir=$work/$name/archive applet
    mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$dir"
    chmod 1777 "$root/tmp"
    cp "$busybox" "$root/bin/busybox"
    while read -r applet; do
        [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
    done
    find "$root" -exec touch -h -d @0 {} +
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
        -C "$root" -cf "$work/$name/layer.tar" .

    local diff_id config config_id
    diff_id=$(sha "$work/$name/layer.tar")
    mkdir -p "$dir/$diff_id"
    mv "$work/$name/layer.tar" "$dir/$diff_id/layer.tar"
    config=$(printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z",' "$arch"
        printf '"config":{"Env":["PATH=/bin"],"Entrypoint":%s,"WorkingDir":"/"},' "$(json_strings "$@")"
        printf '"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},' "$diff_id"
        printf '"history":[{"created":"1970-01-01T00:00:00Z","created_by":"netmon src/test/containerd/images.sh"}]}')
    printf '%s' "$config" > "$dir/config.json"
    config_id=$(sha "$dir/config.json")
    mv "$dir/config.json" "$dir/$config_id.json"
    printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
        "$config_id" "$tag" "$diff_id" > "$dir/manifest.json"
    printf '{"%s":{"%s":"%s"}}' "${tag%:*}" "${tag##*:}" "$config_id" > "$dir/repositories"
    find "$dir" -exec touch -h -d @0 {} +
    # Entry names as docker save writes them: no "./" prefix.
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
        -C "$dir" -cf "$work/$name.tar" manifest.json repositories "$config_id.json" "$diff_id"
    mv "$work/$name.tar" "$out/$name.tar"
}

echo sleep | build pause netmon.test/pause:1 /bin/sleep 2147483647
"$busybox" --list | build busybox netmon.test/busybox:1 /bin/sh
