#!/usr/bin/env bash
# unpack-bench.sh [N]: layer unpack throughput of husk's unpacker
# (src/image/unpack.c through build/tests/helpers/unpack-layer) against GNU
# tar extracting the same layer, as ratios of medians (husk / tar: below 1
# is faster). N rounds (default 7) of each, taking turns, into fresh
# directories on the same file system; the removal of the previous tree and
# a sync are not timed, and every run reads a layer already in the page
# cache.
#
# Layers: a tarball of SRC (default /usr/lib/python3 and /usr/share/doc: many
# small files, links, a few large ones), plain and gzip'd. husk also hashes
# the uncompressed stream (the diffID) as it goes, which tar does not: the
# "plain, digest known" row is what the store does with a plain layer, whose
# digest it verified when the blob came in (its diffID is that digest); the
# "plain, hashed" row hashes anyway.
#
# Environment: SRC, UNPACK (the unpack-layer binary), WORK (default a temp
# dir under /var/tmp; WORK=/dev/shm takes the disk out). A benchmark, never
# a timed test: not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-7}
unpack=${UNPACK:-$PWD/build/tests/helpers/unpack-layer}
read -r -a src <<<"${SRC:-/usr/lib/python3 /usr/share/doc}"
[[ -x $unpack ]] || {
	echo "unpack-bench: build first ($unpack missing)" >&2
	exit 1
}
work=$(mktemp -d "${WORK:-/var/tmp}/husk-unpack-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

tar -cf "$work/layer.tar" "${src[@]}" 2>/dev/null || true
gzip -1 -c "$work/layer.tar" >"$work/layer.tar.gz"
entries=$(tar -tf "$work/layer.tar" | wc -l)
size=$(stat -c %s "$work/layer.tar")
digest=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)

# shellcheck source=bench/bench-lib.sh
. bench/bench-lib.sh

# round LABEL LAYER [DIGEST]
round() {
	local label=$1 layer=$2 i h g hm gm
	shift 2
	cat "$layer" >/dev/null
	: >"$work/husk.ms"
	: >"$work/gnutar.ms"
	for ((i = 0; i <= n; i++)); do
		rm -rf "$work/x" && mkdir "$work/x" && sync
		h=$(timed "$unpack" "$layer" "$work/x" "$@")
		rm -rf "$work/x" && mkdir "$work/x" && sync
		g=$(timed tar -xpf "$layer" -C "$work/x")
		# the first round only warms up
		if ((i > 0)); then
			echo "$h" >>"$work/husk.ms"
			echo "$g" >>"$work/gnutar.ms"
		fi
	done
	hm=$(median <"$work/husk.ms")
	gm=$(median <"$work/gnutar.ms")
	printf '%-22s husk %6s ms   GNU tar %6s ms   husk/tar %.2fx\n' "$label" "$hm" "$gm" "$(echo "$hm / $gm" | bc -l)"
}

echo "layer: $entries entries, $((size / 1000000)) MB uncompressed; work dir on $(df --output=fstype "$work" | tail -1)"
round "plain, digest known" "$work/layer.tar" "$digest"
round "plain, hashed" "$work/layer.tar"
round "gzip (hashed)" "$work/layer.tar.gz"
