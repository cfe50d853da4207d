#!/usr/bin/env bash
# engine-bench.sh [N]: `husk run --rm IMAGE true` against `podman run --rm
# IMAGE true`, same image, in one run; and the memory of the process each
# engine leaves beside a running container (husk's monitor, podman's conmon,
# and containerd's shim when containerd is installed).
#
# The image: a static busybox in an OCI layout made with umoci, loaded into
# husk and pulled into podman (each under its own temp storage root). Every
# engine runs with its default network and cgroups, and again with
# `--network none`:
#   - husk: its default bridge network (husk0, a veth pair, an address,
#     masquerade), cgroups under /husk;
#   - podman 4.3 (Debian 12): its default CNI bridge network, conmon, runc
#     (crun 1.8.1 refuses this hybrid cgroup host), cgroupfs.
# Both engines change the firewall and ip_forward of the network namespace
# they run in: they run in a namespace made for the bench (`ip netns add`,
# entered with nsenter so that /sys, and with it the cgroup mounts, stays
# the host's).
# podman's default nofile and nproc rlimits exceed this machine's hard
# limits (no CAP_SYS_RESOURCE), so it gets `--ulimit` values within them.
#
# The engines take turns in blocks of 5 runs (the first of a block not
# counted: it meets the other engine's leftovers), N runs each in all
# (default 40). The table gives median and mean ms and the ratio of medians
# to podman's same row; then a container's network alone (the run with one
# published port less the run with --network none), and the memory of the
# process each engine leaves beside a running container. A benchmark,
# never a timed test: not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-${N:-40}}
block=5
husk=${HUSK:-$PWD/build/src/cli/husk}

if [[ $EUID -ne 0 ]]; then
	echo "engine-bench: needs root" >&2
	exit 1
fi
for c in podman umoci nsenter; do
	command -v "$c" >/dev/null || {
		echo "engine-bench: needs $c" >&2
		exit 1
	}
done

work=/tmp/husk-ebench-$$ # lower case: podman names an image after its layout path
# the engines' run-time state on tmpfs, where both keep it by default
# (/run/husk; podman's runroot /run/containers/storage)
run=/run/husk-ebench-$$
mkdir "$work" "$run"
netns=husk-ebench-$$
husk_ids=()
pod_ids=()
# podman's shared-memory locks: made by its first run, removed after
# unless they were there before
[[ -e /dev/shm/libpod_lock ]] && had_libpod_lock=1 || had_libpod_lock=0
trap 'cleanup' EXIT
ctrd_pid=
holder_pid=
cleanup() {
	local id t
	for id in "${husk_ids[@]}"; do husk_ rm -f "$id" >/dev/null 2>&1 || true; done
	for id in "${pod_ids[@]}"; do podman_ rm -f -t 0 "$id" >/dev/null 2>&1 || true; done
	podman_ system reset -f >/dev/null 2>&1 || true
	if [[ -n $ctrd_pid ]]; then
		for t in $(ctr_ task list -q 2>/dev/null); do
			ctr_ task kill -s SIGKILL "$t" >/dev/null 2>&1 || true
			sleep 0.2
			ctr_ task delete --force "$t" >/dev/null 2>&1 || true
		done
		for t in $(ctr_ container list -q 2>/dev/null); do ctr_ container delete "$t" >/dev/null 2>&1 || true; done
		kill "$ctrd_pid" 2>/dev/null || true
		wait "$ctrd_pid" 2>/dev/null || true
	fi
	if [[ -n $holder_pid ]]; then
		kill "$holder_pid" 2>/dev/null || true
		wait "$holder_pid" 2>/dev/null || true
	fi
	((had_libpod_lock)) || rm -f /dev/shm/libpod_lock
	ip netns del "$netns" 2>/dev/null || true
	grep -o " $work/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	grep -o " $run/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf --one-file-system "$work" "$run"
	for d in /sys/fs/cgroup/*/husk-bench/* /sys/fs/cgroup/*/husk-bench /sys/fs/cgroup/husk-bench; do
		[[ -d $d ]] && rmdir "$d" 2>/dev/null
	done
	return 0
}

export HUSK_STORAGE=$work/husk-store HUSK_STATE=$run/husk-state HUSK_CGROUP_PARENT=/husk-bench
unset HUSK_DEFAULT_NETWORK
husk_() { nsenter --net="/run/netns/$netns" "$husk" "$@"; }
podman_() {
	nsenter --net="/run/netns/$netns" podman --root "$work/podman-root" --runroot "$run/podman-run" \
		--runtime runc --cgroup-manager cgroupfs --events-backend none "$@"
}
pod_ulimits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# containerd: in a mount namespace of the bench's own, held by one sleep,
# with a tmpfs on /run there (its shims' sockets go to /run/containerd/s),
# its root, state and socket under $work
ctr_() { nsenter -t "$holder_pid" -m -n ctr --address "$work/ctrd/containerd.sock" --namespace bench "$@"; }

# The image
umoci init --layout "$work/oci" >/dev/null
umoci new --image "$work/oci:img" >/dev/null
umoci unpack --image "$work/oci:img" "$work/bundle" >/dev/null
mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
for c in sh true sleep; do ln -s busybox "$work/bundle/rootfs/bin/$c"; done
umoci repack --image "$work/oci:img" "$work/bundle" >/dev/null
umoci config --image "$work/oci:img" --config.cmd sh >/dev/null

ip netns add "$netns"
hid=$(husk_ load -i "$work/oci" | sed -n 's/^Loaded image ID: //p')
husk_ tag "$hid" bench-img
pid_=$(podman_ pull -q "oci:$work/oci:img" | tail -1)
[[ -n $pid_ ]] || {
	echo "engine-bench: podman could not pull the image" >&2
	exit 1
}

# name -> command; runs a container and removes it
declare -A cmd=(
	[husk]="husk_ run --rm bench-img true"
	[husk-none]="husk_ run --rm --network none bench-img true"
	[husk-port]="husk_ run --rm -p 18080:80 bench-img true"
	[podman]="podman_ run --rm ${pod_ulimits[*]} $pid_ true"
	[podman-none]="podman_ run --rm ${pod_ulimits[*]} --network none $pid_ true"
	[podman-port]="podman_ run --rm ${pod_ulimits[*]} -p 18080:80 $pid_ true"
)
order=(husk podman husk-none podman-none husk-port podman-port)
declare -A times=()

once() { # name: ms of one run, or fail
	local t0 t1
	t0=$(date +%s%N)
	${cmd[$1]} >/dev/null 2>"$work/err" || {
		echo "engine-bench: $1 failed: $(cat "$work/err")" >&2
		exit 1
	}
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}

for name in "${order[@]}"; do once "$name" >/dev/null; done # warm-up
done_=0
while ((done_ < n)); do
	for name in "${order[@]}"; do
		once "$name" >/dev/null
		for ((i = 1; i < block; i++)); do times[$name]+="$(once "$name") "; done
	done
	done_=$((done_ + block - 1))
done

stats() { # microseconds on stdin -> "median mean" in ms
	tr ' ' '\n' | grep . | sort -n |
		awk '{a[NR]=$1; s+=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f %.1f\n", m/1000, s/NR/1000}'
}

echo "engine-bench: $done_ runs each, $(nproc) CPUs, kernel $(uname -r)"
printf '%-28s %10s %10s %12s\n' "engine" "median ms" "mean ms" "vs podman"
declare -A med=()
for name in "${order[@]}"; do
	read -r m a < <(echo "${times[$name]}" | stats)
	med[$name]=$m
done
for name in "${order[@]}"; do
	ref=${name/husk/podman}
	ratio=$(awk -v a="${med[$name]}" -v b="${med[$ref]}" 'BEGIN {printf "%.3fx", a / b}')
	read -r m a < <(echo "${times[$name]}" | stats)
	printf '%-28s %10s %10s %12s\n' "$name" "$m" "$a" "$ratio"
done

# A container's network alone (namespace, veth pair, address, route, NAT,
# one published port, and their teardown): the run with -p less the run
# with --network none.
hnet=$(awk -v a="${med[husk-port]}" -v b="${med[husk-none]}" 'BEGIN {printf "%.1f", a - b}')
pnet=$(awk -v a="${med[podman-port]}" -v b="${med[podman-none]}" 'BEGIN {printf "%.1f", a - b}')
echo
printf '%-28s %10s %12s\n' "network set-up + teardown" "ms" "vs podman"
printf '%-28s %10s %12s\n' "husk (bridge, -p)" "$hnet" "$(awk -v a="$hnet" -v b="$pnet" 'BEGIN {printf "%.3fx", a / b}')"
printf '%-28s %10s %12s\n' "podman (CNI bridge, -p)" "$pnet" "1.000x"

# The process left beside a running container, each engine running 10:
# the mean RSS, and the mean PSS (shared pages split among the processes
# that map them: what each container adds).
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
husk_mon() { awk '/^PPid/ {print $2}' "/proc/$(husk_ inspect -f '{{.State.Pid}}' "$1")/status"; }
mons=()
cons=()
for i in $(seq 10); do
	hc=$(husk_ run -d bench-img sleep 300)
	husk_ids+=("$hc")
	mons+=("$(husk_mon "$hc")")
	pc=$(podman_ run -d "${pod_ulimits[@]}" --network none "$pid_" sleep 300)
	pod_ids+=("$pc")
	cons+=("$(podman_ inspect -f '{{.State.ConmonPid}}' "$pc")")
done
shims=()
if command -v containerd >/dev/null && command -v ctr >/dev/null; then
	mkdir -p "$work/ctrd/root" "$work/ctrd/state"
	cat >"$work/ctrd/config.toml" <<-EOF
		version = 2
		root = "$work/ctrd/root"
		state = "$work/ctrd/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$work/ctrd/containerd.sock"
		[ttrpc]
		  address = "$work/ctrd/containerd.sock.ttrpc"
	EOF
	nsenter --net="/run/netns/$netns" unshare -m --propagation private \
		sh -c 'mount -n -t tmpfs -o mode=755 tmpfs /run && exec sleep 100000' </dev/null >/dev/null 2>&1 &
	holder_pid=$!
	for _ in $(seq 50); do [[ $(readlink "/proc/$holder_pid/ns/mnt") != "$(readlink /proc/self/ns/mnt)" ]] && break; sleep 0.1; done
	sleep 0.2
	nsenter -t "$holder_pid" -m -n containerd --config "$work/ctrd/config.toml" </dev/null >"$work/ctrd.log" 2>&1 &
	ctrd_pid=$!
	for _ in $(seq 100); do ctr_ version >/dev/null 2>&1 && break; sleep 0.1; done
	# the same image: the layout with the name containerd reads
	jq '.manifests[0].annotations["io.containerd.image.name"] = "docker.io/library/bench-img:latest"' \
		"$work/oci/index.json" >"$work/index.json" && cp "$work/index.json" "$work/oci/index.json"
	tar -C "$work/oci" -cf "$work/oci.tar" .
	ctr_ image import "$work/oci.tar" >/dev/null
	for i in $(seq 10); do
		ctr_ run -d --cgroup "/husk-bench/ctr-$i" docker.io/library/bench-img:latest "c$i" sleep 300 >/dev/null
		t=$(ctr_ task list | awk -v c="c$i" '$1 == c {print $2}')
		shims+=("$(awk '/^PPid/ {print $2}' "/proc/$t/status")")
	done
fi
mean() { # fn pids...
	local f=$1 t=0 p
	shift
	for p in "$@"; do t=$((t + $($f "$p"))); done
	echo $((t / $#))
}
echo
printf '%-28s %10s %18s\n' "per running container" "RSS KiB" "PSS KiB (10 run)"
# husk's: the init's parent once `run -d` has returned, which is when
# husk-monitor has exec'd husk-supervise, the program that stays beside
# the running container (husk-monitor itself where there is none); named
# as the kernel names it.
mon_names=$(for p in "${mons[@]}"; do cat "/proc/$p/comm"; done | sort -u | paste -sd /)
printf '%-28s %10s %18s\n' "husk monitor ($mon_names)" "$(mean rss "${mons[@]}")" "$(mean pss "${mons[@]}")"
printf '%-28s %10s %18s\n' "podman conmon" "$(mean rss "${cons[@]}")" "$(mean pss "${cons[@]}")"
if ((${#shims[@]})); then
	printf '%-28s %10s %18s\n' "containerd shim ($(cat "/proc/${shims[0]}/comm"))" "$(mean rss "${shims[@]}")" \
		"$(mean pss "${shims[@]}")"
fi
