# shellcheck shell=bash
# Helpers for clients.bats: real container clients (podman, containerd's ctr,
# dockerd) driving $RUNTIME unmodified.
#
# Each test gets, on top of helpers.bash's temp dir $TEST_DIR:
#   - a network namespace husk-test-XXXXXXXX playing the host: podman's and
#     dockerd's default networks change the firewall, ip_forward and links of
#     the namespace they run in, so they run here, never in the host's;
#   - a private mount namespace held by one `sleep` process ($HOLDER_PID),
#     entered by every client command (clients_exec): the overlay, shm and
#     netns mounts the clients make live there only and vanish with it. In it,
#     /run and /var/lib are fresh tmpfs (CNI's IPAM state, /run/containerd/s
#     shim sockets, podman's shm locks... never reach the host), /dev/shm too,
#     and /sys is a sysfs of the test netns with the host's cgroup hierarchies
#     bound back under it (`ip netns exec` would drop them). The host's /sys
#     is detached first, not shadowed: a shadowed mount still shows in
#     mountinfo, and runtimes reading it would see every hierarchy twice.
# Every path a client is told about is under $TEST_DIR; every cgroup it makes
# is under /$CLIENT_CGROUP (a name starting with husk-test).
#
# Teardown: the clients remove their containers, the daemons get SIGTERM by
# the PID we started, then anything still alive in the mount namespace (shims,
# conmon) and in the cgroups is killed, the cgroups removed, and
# helpers.bash's teardown_bundle deletes the netns and the temp dir and fails
# the test on a mount left on the host.

CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-60}

# ---------------------------------------------------------------- setup --

clients_setup() {
	setup_bundle
	if ! command -v nsenter >/dev/null || ! command -v unshare >/dev/null; then
		skip "needs util-linux nsenter and unshare"
	fi
	# Every container's cgroup (and docker's, podman's parents) lives under
	# this directory in each hierarchy; removed at teardown.
	CLIENT_CGROUP=$HUSK_TEST_PREFIX-clients-$(basename "$TEST_DIR" | tr -dc 'a-zA-Z0-9')
	NETNS=$HUSK_TEST_PREFIX-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	ip netns add "$NETNS"
	track_netns "$NETNS"
	ip -n "$NETNS" link set lo up
	DAEMON_PIDS=()
	_start_holder
}

# The process holding the test's mount namespace (inside the test netns).
_start_holder() {
	local cg=$TEST_DIR/.cgroup-fs
	mkdir -p "$cg"
	# shellcheck disable=SC2016 # $1 and $2 belong to the inner sh
	nsenter --net="/run/netns/$NETNS" unshare -m --propagation private \
		sh -c '
			set -e
			mount -n --rbind /sys/fs/cgroup "$1"
			umount -n -l /sys
			mount -n -t sysfs -o nosuid,nodev,noexec sysfs /sys
			mount -n --move "$1" /sys/fs/cgroup
			mount -n -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
			mount -n -t tmpfs -o mode=755 tmpfs /var/lib
			mount -n -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
			echo ready >"$2"
			exec sleep infinity
		' holder "$cg" "$TEST_DIR/.holder-ready" </dev/null >"$TEST_DIR/holder.log" 2>&1 3>&- &
	HOLDER_PID=$!
	track_pid "$HOLDER_PID"
	if ! wait_for test -s "$TEST_DIR/.holder-ready"; then
		cat "$TEST_DIR/holder.log" >&2
		return 1
	fi
	# The holder now runs `sleep`: wait for the exec so that nsenter -t
	# finds the final namespaces.
	wait_for eval "[[ \$(readlink /proc/$HOLDER_PID/exe) == */sleep ]]"
}

# clients_exec CMD...: run CMD in the test's network and mount namespaces.
clients_exec() {
	nsenter -t "$HOLDER_PID" -m -n -- "$@"
}

# cexec CMD...: clients_exec with a timeout, stdin from /dev/null and bats'
# fd 3 closed; sets $status, $output (stdout and stderr) and $lines like
# helpers.bash's runtime().
cexec() {
	local out
	out=$(mktemp "$TEST_DIR/out.XXXXXX")
	status=0
	timeout -k 5 "$CLIENT_TIMEOUT" nsenter -t "$HOLDER_PID" -m -n -- "$@" </dev/null >"$out" 2>&1 3>&- || status=$?
	[[ $status -ne 124 ]] || echo "# $1: timed out after ${CLIENT_TIMEOUT}s" >>"$out"
	output=$(cat "$out")
	# shellcheck disable=SC2034 # read by the tests
	mapfile -t lines <"$out"
	echo "# $*: status $status" >&2
	[[ -z $output ]] || sed 's/^/#   /' "$out" >&2
	return 0
}

# http_get URL: GET from inside the test netns; prints the body. (python3:
# busybox-static's wget crashes resolving even a numeric address.)
http_get() {
	clients_exec python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' "$1"
}

# start_daemon NAME CMD...: start a daemon in the test namespaces, logging to
# $TEST_DIR/NAME.log; sets $DAEMON_PID (nsenter execs the daemon: it is the
# daemon's own PID), which teardown stops. Not in $(...): a subshell would
# lose the PID.
start_daemon() {
	local name=$1
	shift
	# TMPDIR: the shims write each exec's process.json there.
	mkdir -p "$TEST_DIR/tmp"
	TMPDIR=$TEST_DIR/tmp nsenter -t "$HOLDER_PID" -m -n -- "$@" </dev/null >"$TEST_DIR/$name.log" 2>&1 3>&- &
	DAEMON_PID=$!
	DAEMON_PIDS+=("$DAEMON_PID")
	track_pid "$DAEMON_PID"
}

# dump_logs: the daemons' and the runtime's logs, for a failing test.
dump_logs() {
	local f
	for f in "$TEST_DIR"/*.log; do
		[[ -s $f ]] || continue
		echo "--- $(basename "$f") (last 40 lines)" >&2
		tail -n 40 "$f" >&2
	done
}

# ---------------------------------------------------------------- images --

# busybox_tar: a rootfs tarball of helpers.bash's busybox template (busybox +
# applet symlinks, passwd, group), built once per bats run. Prints its path.
busybox_tar() {
	local t="${BATS_RUN_TMPDIR:-/tmp}/husk-busybox-rootfs.tar"
	if [[ ! -s $t ]]; then
		tar -C "$(_rootfs_template)" --numeric-owner -cf "$t.tmp" . && mv "$t.tmp" "$t"
	fi
	echo "$t"
}

# oci_archive OUT NAME: an OCI image layout archive of the busybox rootfs
# (one uncompressed layer), named NAME, written by hand: no podman or skopeo
# needed. `ctr image import` takes it.
oci_archive() {
	local out=$1 name=$2 d layer diffid cfg cfgsz mf mfsz
	d=$(mktemp -d "$TEST_DIR/oci.XXXXXX")
	mkdir -p "$d/blobs/sha256"
	cp "$(busybox_tar)" "$d/layer.tar"
	diffid=$(sha256sum "$d/layer.tar" | cut -d' ' -f1)
	mv "$d/layer.tar" "$d/blobs/sha256/$diffid"
	layer=$(stat -c %s "$d/blobs/sha256/$diffid")
	jq -nc --arg d "sha256:$diffid" '{
		architecture: "amd64", os: "linux",
		config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
		rootfs: {type: "layers", diff_ids: [$d]}}' >"$d/config.json"
	cfg=$(sha256sum "$d/config.json" | cut -d' ' -f1)
	cfgsz=$(stat -c %s "$d/config.json")
	mv "$d/config.json" "$d/blobs/sha256/$cfg"
	jq -nc --arg c "sha256:$cfg" --argjson cs "$cfgsz" --arg l "sha256:$diffid" --argjson ls "$layer" '{
		schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$d/manifest.json"
	mf=$(sha256sum "$d/manifest.json" | cut -d' ' -f1)
	mfsz=$(stat -c %s "$d/manifest.json")
	mv "$d/manifest.json" "$d/blobs/sha256/$mf"
	jq -nc --arg m "sha256:$mf" --argjson ms "$mfsz" --arg n "$name" '{
		schemaVersion: 2,
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
			annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": $n}}]}' >"$d/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$out" oci-layout index.json blobs
	rm -rf "$d"
}

# ---------------------------------------------------------------- podman --

# podman_setup: containers.conf and storage.conf under $TEST_DIR naming
# $RUNTIME, the busybox image imported as $IMAGE.
podman_setup() {
	command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
	command -v conmon >/dev/null || skip "conmon is not installed"
	# podman 4.3's default network backend here is CNI.
	local d cni=""
	for d in /usr/lib/cni /usr/libexec/cni /usr/local/lib/cni /opt/cni/bin; do
		[[ -x $d/bridge && -x $d/portmap ]] && cni=$d
	done
	[[ -n $cni ]] || skip "podman's CNI plugins are not installed (apt-get install containernetworking-plugins)"
	command -v iptables >/dev/null || skip "iptables is not installed"
	P=$TEST_DIR/podman
	mkdir -p "$P"/{root,runroot,tmp,static,volumes,cni,imagetmp}
	# podman picks flags (--log-format json, errors from the log) by the
	# runtime's basename: list it in runtime_supports_json. Rlimits: podman
	# asks for RLIMIT_NOFILE and RLIMIT_NPROC 1048576 by default, above the
	# hard limits here (no CAP_SYS_RESOURCE): ask for what the host allows.
	cat >"$P/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
		log_driver = "k8s-file"

		[network]
		network_backend = "cni"
		network_config_dir = "$P/cni"
		cni_plugin_dirs = ["$cni"]

		[engine]
		runtime = "$RUNTIME_NAME"
		runtime_supports_json = ["$RUNTIME_NAME", "crun", "runc"]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$P/events.log"
		tmp_dir = "$P/tmp"
		static_dir = "$P/static"
		volume_path = "$P/volumes"
		image_copy_tmp_dir = "$P/imagetmp"
		no_pivot_root = false

		[engine.runtimes]
		$RUNTIME_NAME = ["$RUNTIME"]
	EOF
	cat >"$P/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$P/root"
		runroot = "$P/runroot"
	EOF
	IMAGE=localhost/husk-busybox:latest
	podman_cmd import "$(busybox_tar)" "$IMAGE"
	if [[ $status -ne 0 ]]; then
		echo "podman import failed" >&2
		return 1
	fi
	PODMAN_READY=1
}

# podman_cmd ARG...: podman with the test's configuration, in the test
# namespaces; sets $status, $output, $lines.
podman_cmd() {
	cexec env CONTAINERS_CONF="$P/containers.conf" CONTAINERS_STORAGE_CONF="$P/storage.conf" \
		CONTAINERS_REGISTRIES_CONF=/dev/null TMPDIR="$P/tmp" \
		podman --runtime "$RUNTIME" --cgroup-manager cgroupfs --events-backend file \
		--root "$P/root" --runroot "$P/runroot" "$@"
}

# The same, for a terminal: under script(1) so that -t gets a pty.
podman_tty() {
	local cmd q
	cmd="env CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf"
	cmd+=" CONTAINERS_REGISTRIES_CONF=/dev/null TMPDIR=$P/tmp"
	cmd+=" podman --runtime $RUNTIME --cgroup-manager cgroupfs --events-backend file --root $P/root --runroot $P/runroot"
	for q in "$@"; do cmd+=" $(printf '%q' "$q")"; done
	cexec script -qec "$cmd" /dev/null
}

podman_teardown() {
	[[ -n ${PODMAN_READY:-} ]] || return 0
	podman_cmd rm --all --force --time 0
	podman_cmd image rm --all --force
	PODMAN_READY=
}

# ---------------------------------------------------------------- containerd --

# containerd_setup: containerd with its root, state, socket and plugins under
# $TEST_DIR; $CTR_ADDR is its socket.
containerd_setup() {
	command -v containerd >/dev/null || skip "containerd is not installed (apt-get install containerd)"
	command -v ctr >/dev/null || skip "ctr is not installed (apt-get install containerd)"
	C=$TEST_DIR/containerd
	mkdir -p "$C"/{root,state}
	CTR_ADDR=$C/containerd.sock
	cat >"$C/config.toml" <<-EOF
		version = 2
		root = "$C/root"
		state = "$C/state"
		oom_score = 0
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]

		[grpc]
		  address = "$CTR_ADDR"

		[ttrpc]
		  address = "$CTR_ADDR.ttrpc"

		[debug]
		  address = "$C/debug.sock"
		  level = "debug"

		[metrics]
		  address = ""
	EOF
	start_daemon containerd containerd --config "$C/config.toml"
	CONTAINERD_PID=$DAEMON_PID
	if ! wait_for clients_exec ctr --address "$CTR_ADDR" version >/dev/null 2>&1; then
		dump_logs
		return 1
	fi
}

# ctr_cmd ARG...: ctr talking to the test's containerd; sets $status, $output.
ctr_cmd() {
	cexec ctr --address "$CTR_ADDR" --namespace husk-test "$@"
}

containerd_teardown() {
	[[ -n ${CONTAINERD_PID:-} ]] || return 0
	local t
	for t in $(clients_exec ctr --address "$CTR_ADDR" --namespace husk-test task list -q 2>/dev/null); do
		timeout 20 nsenter -t "$HOLDER_PID" -m -n -- ctr --address "$CTR_ADDR" --namespace husk-test task kill -s SIGKILL "$t" </dev/null >/dev/null 2>&1 3>&- || true
		sleep 0.2
		timeout 20 nsenter -t "$HOLDER_PID" -m -n -- ctr --address "$CTR_ADDR" --namespace husk-test task delete --force "$t" </dev/null >/dev/null 2>&1 3>&- || true
	done
	for t in $(clients_exec ctr --address "$CTR_ADDR" --namespace husk-test container list -q 2>/dev/null); do
		timeout 20 nsenter -t "$HOLDER_PID" -m -n -- ctr --address "$CTR_ADDR" --namespace husk-test container delete "$t" </dev/null >/dev/null 2>&1 3>&- || true
	done
	CONTAINERD_PID=
}

# ---------------------------------------------------------------- dockerd --

# dockerd_setup: dockerd (and the containerd it starts) with every directory
# under $TEST_DIR (even the trust key, /etc/docker/key.json unless daemon.json
# sets docker 20.10's deprecated-key-path), the runtime added as "husk",
# iptables on (the rules live in the test netns), the default bridge (made
# inside the test netns), containers' cgroups under /$CLIENT_CGROUP.
dockerd_setup() {
	command -v dockerd >/dev/null || skip "dockerd is not installed (apt-get install docker.io)"
	command -v iptables >/dev/null || skip "iptables is not installed"
	# docker.io's own CLI: a newer one earlier in PATH may not speak its API.
	DOCKER_CLI=/usr/bin/docker
	[[ -x $DOCKER_CLI ]] || DOCKER_CLI=$(command -v docker) || skip "the docker CLI is not installed"
	D=$TEST_DIR/docker
	mkdir -p "$D"/{data,exec}
	DOCKER_HOST_ADDR=unix://$D/docker.sock
	jq -n --arg k "$D/key.json" '{"deprecated-key-path": $k}' >"$D/daemon.json"
	start_daemon dockerd dockerd \
		--config-file "$D/daemon.json" \
		--data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" \
		-H "$DOCKER_HOST_ADDR" \
		--add-runtime "husk=$RUNTIME" \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$CLIENT_CGROUP" \
		--iptables=true --ip-forward=true \
		--storage-driver overlay2 \
		--userland-proxy=true
	DOCKERD_PID=$DAEMON_PID
	if ! wait_for clients_exec "$DOCKER_CLI" -H "$DOCKER_HOST_ADDR" version >/dev/null 2>&1; then
		dump_logs
		return 1
	fi
}

docker_cmd() {
	cexec env DOCKER_CONFIG="$D/client" "$DOCKER_CLI" -H "$DOCKER_HOST_ADDR" "$@"
}

dockerd_teardown() {
	[[ -n ${DOCKERD_PID:-} ]] || return 0
	local c
	for c in $(clients_exec "$DOCKER_CLI" -H "$DOCKER_HOST_ADDR" ps -aq 2>/dev/null); do
		timeout 30 nsenter -t "$HOLDER_PID" -m -n -- "$DOCKER_CLI" -H "$DOCKER_HOST_ADDR" rm -f "$c" </dev/null >/dev/null 2>&1 3>&- || true
	done
	DOCKERD_PID=
}

# ---------------------------------------------------------------- teardown --

# _ns_pids: processes (other than the holder) in the test's mount namespace.
_ns_pids() {
	local mnt p
	mnt=$(readlink "/proc/$HOLDER_PID/ns/mnt" 2>/dev/null) || return 0
	for p in /proc/[0-9]*; do
		[[ ${p#/proc/} == "$HOLDER_PID" ]] && continue
		[[ $(readlink "$p/ns/mnt" 2>/dev/null) == "$mnt" ]] && echo "${p#/proc/}"
	done
}

# _client_cgroups: every directory of /$CLIENT_CGROUP in any hierarchy,
# deepest first.
_client_cgroups() {
	[[ -n ${CLIENT_CGROUP:-} ]] || return 0
	find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$CLIENT_CGROUP" 2>/dev/null |
		while read -r d; do find "$d" -depth -type d; done
}

clients_teardown() {
	[[ -n ${TEST_DIR:-} && -d $TEST_DIR ]] || return 0
	local pid i d leaks=""
	if [[ -n ${HOLDER_PID:-} ]]; then
		podman_teardown
		containerd_teardown
		dockerd_teardown
		for pid in "${DAEMON_PIDS[@]}"; do
			kill -TERM "$pid" 2>/dev/null || true
		done
		for pid in "${DAEMON_PIDS[@]}"; do
			for ((i = 0; i < 200; i++)); do
				pid_alive "$pid" || break
				sleep 0.05
			done
			kill -KILL "$pid" 2>/dev/null || true
		done
		# Shims, conmon, dockerd's containerd: all started in our mount
		# namespace.
		for pid in $(_ns_pids); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	fi
	# Containers the clients failed to remove.
	for d in $(_client_cgroups); do
		[[ -f $d/freezer.state ]] && echo THAWED >"$d/freezer.state" 2>/dev/null
		[[ -f $d/cgroup.freeze ]] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
		# (cgroupfs files have size 0: read them, never test -s.)
		xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null || true
	done
	for d in $(_client_cgroups); do
		wait_for eval "[[ -z \$(cat $d/cgroup.procs 2>/dev/null) ]]" 2>/dev/null || leaks+=" processes($d)"
		rmdir "$d" 2>/dev/null || leaks+=" cgroup:$d"
	done
	if [[ -n ${HOLDER_PID:-} ]]; then
		kill -KILL "$HOLDER_PID" 2>/dev/null || true
		wait "$HOLDER_PID" 2>/dev/null || true
		HOLDER_PID=
	fi
	teardown_bundle || leaks+=" (see above)"
	if [[ -n $leaks ]]; then
		echo "left behind by the clients:$leaks" >&2
		return 1
	fi
}
