#!/usr/bin/env bash
# run-bench.sh [N]: container start-to-exit cost of husk-runtime, crun and runc
# on this machine, in one run. Each runtime does N (default 200) sequential
# `run`s of busybox `true` from the same bundle (after a warm-up), with its
# own --root under a temp dir; the table gives milliseconds per container,
# the ratio to crun, and the peak RSS of one `run` (/usr/bin/time %M, the
# largest of 5).
#
# crun 1.8.1 refuses hybrid cgroup hosts (cgroup2 at /sys/fs/cgroup/unified
# next to v1 controllers): its runs happen inside `unshare -m` with that
# mount detached in the private mount namespace only. Nothing on the host
# changes.
#
# Environment: HUSK_RUNTIME (default build/src/cli/husk-runtime), RUNTIMES
# (default "husk-runtime crun runc"). A benchmark, never a timed test: not
# run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-${N:-200}}
warmup=5
husk=${HUSK_RUNTIME:-$PWD/build/src/cli/husk-runtime}
read -r -a runtimes <<<"${RUNTIMES:-husk-runtime crun runc}"

if [[ $EUID -ne 0 ]]; then
	echo "run-bench: needs root" >&2
	exit 1
fi
[[ -x /usr/bin/time ]] || {
	echo "run-bench: needs /usr/bin/time (apt-get install time)" >&2
	exit 1
}

work=$(mktemp -d /tmp/husk-bench.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT

# The bundle: a static busybox, `true`, the runtime's default namespaces.
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs"/{bin,dev,etc,proc,sys,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/true"
ln -s busybox "$rootfs/bin/sh"

hybrid=0
if [[ ! -f /sys/fs/cgroup/cgroup.controllers ]] && mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
	hybrid=1
fi

runtime_path() {
	case $1 in
	husk-runtime) echo "$husk" ;;
	*) command -v "$1" || true ;;
	esac
}

# bench_loop NAME PATH COUNT PREFIX: COUNT sequential runs; prints elapsed ns.
bench_loop() {
	local name=$1 path=$2 count=$3 prefix=$4
	local script='
		rt=$1 root=$2 bundle=$3 count=$4 prefix=$5 unmount=$6
		if [ "$unmount" = 1 ]; then umount /sys/fs/cgroup/unified || exit 1; fi
		start=$(date +%s%N)
		i=0
		while [ $i -lt $count ]; do
			"$rt" --root "$root" run --bundle "$bundle" "$prefix-$i" </dev/null >/dev/null || exit 1
			i=$((i + 1))
		done
		echo $(( $(date +%s%N) - start ))'
	if [[ $name == crun && $hybrid == 1 ]]; then
		unshare -m --propagation private bash -c "$script" bench "$path" "$work/root-$name" "$work/bundle-$name" "$count" "$prefix" 1
	else
		bash -c "$script" bench "$path" "$work/root-$name" "$work/bundle-$name" "$count" "$prefix" 0
	fi
}

# peak_rss NAME PATH: the largest max-RSS (KiB) of 5 single runs.
peak_rss() {
	local name=$1 path=$2 best=0 i v
	for i in 1 2 3 4 5; do
		if [[ $name == crun && $hybrid == 1 ]]; then
			v=$(unshare -m --propagation private bash -c \
				'umount /sys/fs/cgroup/unified && /usr/bin/time -f %M -o "$1" "$2" --root "$3" run --bundle "$4" "$5" </dev/null >/dev/null; cat "$1"' \
				rss "$work/rss" "$path" "$work/root-$name" "$work/bundle-$name" "rss-$i")
		else
			/usr/bin/time -f %M -o "$work/rss" "$path" --root "$work/root-$name" run --bundle "$work/bundle-$name" "rss-$i" </dev/null >/dev/null
			v=$(cat "$work/rss")
		fi
		((v > best)) && best=$v
	done
	echo "$best"
}

declare -A ms rss version
for name in "${runtimes[@]}"; do
	path=$(runtime_path "$name")
	if [[ -z $path || ! -x $path ]]; then
		echo "run-bench: $name: not found, skipped" >&2
		continue
	fi
	version[$name]=$("$path" --version 2>/dev/null | head -1 | awk '{print $NF}')
	# Each runtime gets its own copy of its own `spec`, pointed at the shared
	# rootfs, with its own cgroup.
	mkdir -p "$work/bundle-$name" "$work/root-$name"
	if ! (cd "$work/bundle-$name" && "$path" spec >/dev/null 2>&1); then
		echo "run-bench: $name spec failed, skipped" >&2
		continue
	fi
	jq --arg rootfs "$rootfs" --arg cg "/husk-bench-$name" \
		'.process.terminal = false | .process.args = ["/bin/true"] | .root = {"path": $rootfs, "readonly": true} | .linux.cgroupsPath = $cg' \
		"$work/bundle-$name/config.json" >"$work/c.json"
	mv "$work/c.json" "$work/bundle-$name/config.json"

	echo "run-bench: $name: $warmup warm-up runs, then $n" >&2
	if ! bench_loop "$name" "$path" "$warmup" warm >/dev/null; then
		echo "run-bench: $name: run failed, skipped" >&2
		continue
	fi
	if ! ns=$(bench_loop "$name" "$path" "$n" bench); then
		echo "run-bench: $name: run failed during the benchmark, skipped" >&2
		continue
	fi
	ms[$name]=$(awk -v ns="$ns" -v n="$n" 'BEGIN {printf "%.2f", ns / n / 1e6}')
	rss[$name]=$(peak_rss "$name" "$path")
done

echo
echo "sequential 'run' of busybox true, N=$n, $(nproc) CPUs, kernel $(uname -r)$( ((hybrid)) && echo ', hybrid cgroups')"
printf '%-14s %-14s %12s %10s %14s\n' runtime version "ms/container" "vs crun" "peak RSS KiB"
for name in "${runtimes[@]}"; do
	if [[ -z ${ms[$name]:-} ]]; then
		printf '%-14s %-14s %12s %10s %14s\n' "$name" "${version[$name]:--}" failed - -
		continue
	fi
	ratio=-
	if [[ -n ${ms[crun]:-} ]]; then
		ratio=$(awk -v a="${ms[$name]}" -v b="${ms[crun]}" 'BEGIN {printf "%.2fx", a / b}')
	fi
	printf '%-14s %-14s %12s %10s %14s\n' "$name" "${version[$name]}" "${ms[$name]}" "$ratio" "${rss[$name]}"
done
