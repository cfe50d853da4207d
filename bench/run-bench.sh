#!/usr/bin/env bash
# run-bench.sh [N]: container start-to-exit cost of husk-runtime, crun and runc
# on this machine, in one run. Each runtime does N (default 200) sequential
# `run`s of busybox `true` (after a warm-up), each from its own `spec` on one
# rootfs, with its own --root under a temp dir, and N more with cgroup limits
# (memory and swap, cpu shares and quota, pids: the cgroup files written at
# create, removed at delete). The runtimes take turns run after run
# (bench/runloop.c), so that the machine's noisy moments hit them alike. The
# table gives the median and mean milliseconds per container, the ratios of
# medians to crun and to runc (a "+limits" row to the same runtime's
# "+limits" row), and the peak RSS of one `run` (/usr/bin/time %M, the
# largest of 5).
#
# crun 1.8.1 refuses hybrid cgroup hosts (cgroup2 at /sys/fs/cgroup/unified
# next to v1 controllers): its runs happen in a private mount namespace with
# that mount detached, held by a process of ours. Nothing on the host
# changes.
#
# Environment: HUSK_RUNTIME (default build/src/cli/husk-runtime), RUNTIMES
# (default "husk-runtime crun runc"). A benchmark, never a timed test: not
# run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-${N:-200}}
block=20
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
trap 'cleanup' EXIT
cleanup() {
	# (wait reports the holder's SIGTERM: not a failure of the cleanup)
	if [[ -n ${holder:-} ]]; then
		kill "$holder" 2>/dev/null || true
		wait "$holder" 2>/dev/null || true
	fi
	rm -rf --one-file-system "$work"
}

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

cc -O2 -o "$work/runloop" bench/runloop.c

# crun's mount namespace on a hybrid host: private, with the unified
# hierarchy detached. A process of ours holds it; runloop joins it for each
# crun run (a setns, no extra exec).
crun_mntns=-
holder=
if ((hybrid)); then
	unshare -m --propagation private sh -c \
		'umount /sys/fs/cgroup/unified && touch "$1" && exec sleep 100000' holder "$work/ns-ready" &
	holder=$!
	for _ in $(seq 100); do
		[[ -e $work/ns-ready ]] && break
		sleep 0.05
	done
	[[ -e $work/ns-ready ]] || {
		echo "run-bench: could not prepare a mount namespace for crun" >&2
		exit 1
	}
	crun_mntns=/proc/$holder/ns/mnt
fi

runtime_path() {
	case $1 in
	husk-runtime) echo "$husk" ;;
	*) command -v "$1" || true ;;
	esac
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

# The limits of the "+limits" runs.
limits='{"memory": {"limit": 268435456, "swap": 268435456},
	"cpu": {"shares": 512, "quota": 50000, "period": 100000}, "pids": {"limit": 64}}'
declare -A ms mean rss version
loop_args=()
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
	mkdir -p "$work/bundle-$name+limits" "$work/root-$name+limits"
	jq --arg rootfs "$rootfs" --arg cg "/husk-bench-$name+limits" --argjson limits "$limits" \
		'.process.terminal = false | .process.args = ["/bin/true"] | .root = {"path": $rootfs, "readonly": true}
		| .linux.cgroupsPath = $cg | .linux.resources += $limits' \
		"$work/bundle-$name/config.json" >"$work/bundle-$name+limits/config.json"
	jq --arg rootfs "$rootfs" --arg cg "/husk-bench-$name" \
		'.process.terminal = false | .process.args = ["/bin/true"] | .root = {"path": $rootfs, "readonly": true} | .linux.cgroupsPath = $cg' \
		"$work/bundle-$name/config.json" >"$work/c.json"
	mv "$work/c.json" "$work/bundle-$name/config.json"
	ns=-
	[[ $name == crun && $hybrid == 1 ]] && ns=$crun_mntns
	for v in "$name" "$name+limits"; do
		loop_args+=("$v" "$path" "$work/root-$v" "$work/bundle-$v" "$ns")
	done
done
((${#loop_args[@]} > 0)) || exit 1

# The runtimes take turns in blocks of $block runs, so that a noisy moment of
# the machine hits all of them alike; each gets the median of its N runs.
echo "run-bench: $n runs per runtime, in turns of $block" >&2
while read -r name median avg; do
	ms[$name]=$median
	mean[$name]=$avg
done < <("$work/runloop" "$n" "$block" "${loop_args[@]}")
for name in "${runtimes[@]}"; do
	[[ -n ${ms[$name]:-} ]] && rss[$name]=$(peak_rss "$name" "$(runtime_path "$name")")
done

# ratio A B: "A/Bx", or - when either is missing.
ratio() {
	if [[ -n $1 && -n $2 ]]; then
		awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'
	else
		echo -
	fi
}

echo
echo "sequential 'run' of busybox true, N=$n, $(nproc) CPUs, kernel $(uname -r)$( ((hybrid)) && echo ', hybrid cgroups')"
echo "+limits: $(echo "$limits" | jq -c .)"
printf '%-20s %-10s %10s %10s %9s %9s %14s\n' runtime version "median ms" "mean ms" "vs crun" "vs runc" "peak RSS KiB"
for name in "${runtimes[@]}"; do
	for suffix in "" +limits; do
		v=$name$suffix
		if [[ -z ${ms[$v]:-} ]]; then
			printf '%-20s %-10s %10s %10s %9s %9s %14s\n' "$v" "${version[$name]:--}" failed - - - -
			continue
		fi
		printf '%-20s %-10s %10s %10s %9s %9s %14s\n' "$v" "${version[$name]}" "${ms[$v]}" "${mean[$v]}" \
			"$(ratio "${ms[$v]}" "${ms[crun$suffix]:-}")" "$(ratio "${ms[$v]}" "${ms[runc$suffix]:-}")" "${rss[$v]:--}"
	done
done
