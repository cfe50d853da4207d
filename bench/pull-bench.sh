#!/usr/bin/env bash
# pull-bench.sh [N]: `husk pull` against `skopeo copy docker://... dir:...`
# from the same docker-registry on 127.0.0.1, as a ratio of medians
# (husk / skopeo: below 1 is faster). N rounds (default 5) of each, taking
# turns, into a fresh store / directory each time.
#
# The image: three layers built with umoci, gzip'd as umoci writes them:
# a tree of many small files (SRC, default /usr/lib/python3) and two of
# 32 MB of random bytes. skopeo only downloads and verifies the blobs;
# husk pull also unpacks every layer into its store (and checks diffIDs),
# so the comparison is unfavourable to husk by that much: on a disk whose
# file creation is slow most of husk's time goes there (WORK=/dev/shm
# takes the disk out).
#
# Needs root (husk's store unpacks with owners), docker-registry, skopeo,
# umoci. Starts its registry on a free port with storage in its temp dir
# and stops it (by PID) on exit. A benchmark, never a timed test.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-5}
husk=${HUSK:-$PWD/build/src/cli/husk}
src=${SRC:-/usr/lib/python3}
[[ -x $husk ]] || {
	echo "pull-bench: build first ($husk missing)" >&2
	exit 1
}
work=$(mktemp -d "${WORK:-/var/tmp}/husk-pull-bench.XXXXXX")
reg_pid=
cleanup() {
	if [[ -n $reg_pid ]]; then
		kill "$reg_pid" 2>/dev/null || true
		wait "$reg_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tests/integration/pull/registry-config.sh "$work" "127.0.0.1:$port"
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
	sleep 0.1
done

umoci init --layout "$work/oci" >/dev/null
umoci new --image "$work/oci:b" >/dev/null
umoci unpack --image "$work/oci:b" "$work/bundle" >/dev/null
mkdir -p "$work/bundle/rootfs/src"
cp -a "$src" "$work/bundle/rootfs/src/"
umoci repack --refresh-bundle --image "$work/oci:b" "$work/bundle" >/dev/null
for i in 1 2; do
	head -c 32M /dev/urandom >"$work/bundle/rootfs/random$i"
	umoci repack --refresh-bundle --image "$work/oci:b" "$work/bundle" >/dev/null
done
rm -rf "$work/bundle"
ref=127.0.0.1:$port/bench/image:1
skopeo copy -q --dest-tls-verify=false "oci:$work/oci:b" "docker://$ref"
blobs=$(du -sm "$work/storage" | cut -f1)

# shellcheck source=bench/bench-lib.sh
. bench/bench-lib.sh

: >"$work/husk.ms"
: >"$work/skopeo.ms"
: >"$work/skopeo-sync.ms"
for ((i = 0; i <= n; i++)); do
	rm -rf "$work/store" "$work/dir" && sync
	h=$(timed "$husk" --storage "$work/store" pull -q "$ref")
	rm -rf "$work/store" "$work/dir" && sync
	s=$(timed skopeo copy -q --src-tls-verify=false "docker://$ref" "dir:$work/dir")
	# husk syncs its store before it lists the image (a crash never
	# leaves one with empty files); skopeo leaves its blobs to writeback
	c=$(timed sync -f "$work/dir")
	if ((i > 0)); then # the first round only warms up
		echo "$h" >>"$work/husk.ms"
		echo "$s" >>"$work/skopeo.ms"
		echo $((s + c)) >>"$work/skopeo-sync.ms"
	fi
done
hm=$(median <"$work/husk.ms")
sm=$(median <"$work/skopeo.ms")
ssm=$(median <"$work/skopeo-sync.ms")
layers=$(skopeo inspect --tls-verify=false "docker://$ref" | jq '.Layers | length')
echo "image: $layers layers, ${blobs} MB in the registry; $n rounds; work dir on $(df --output=fstype "$work" | tail -1)"
printf 'husk pull %6s ms   skopeo copy (dir:) %6s ms   husk/skopeo %.2fx\n' "$hm" "$sm" \
	"$(echo "$hm / $sm" | bc -l)"
printf 'husk pull %6s ms   skopeo copy, sync -f %4s ms   husk/skopeo %.2fx\n' "$hm" "$ssm" \
	"$(echo "$hm / $ssm" | bc -l)"
