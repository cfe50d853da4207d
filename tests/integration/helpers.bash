# shellcheck shell=bash
# Shared helpers for husk's bats integration suite.
#
# Every test runs the OCI runtime named by $RUNTIME (meson passes the built
# husk-runtime; `RUNTIME=$(command -v runc) bats tests/integration/` checks the
# tests themselves against runc). HUSK_TEST_RUNTIME, when set, wins over
# RUNTIME so that `HUSK_TEST_RUNTIME=/usr/sbin/runc meson test` works too.
#
# A test touches only what it creates, and all of it carries the prefix
# `husk-test`: its temp dir /tmp/husk-test.XXXXXX (bundle, rootfs, --root state
# dir), its container ids husk-test-*, its cgroups /husk-test/<id>, its network
# namespaces husk-test-*. teardown deletes every container the test made, then
# fails the test if the runtime left a cgroup, a process or a mount behind.

RUNTIME=${HUSK_TEST_RUNTIME:-${RUNTIME:-}}
if [[ -z $RUNTIME ]]; then
	echo "helpers.bash: set RUNTIME to the OCI runtime under test" >&2
	exit 1
fi
if [[ $RUNTIME != /* ]]; then
	RUNTIME=$(command -v "$RUNTIME")
fi
RUNTIME_NAME=$(basename "$RUNTIME")
BUSYBOX=${BUSYBOX:-/bin/busybox}
# Every runtime command is killed after this many seconds, so that a runtime
# that hangs fails its test instead of the whole file's meson timeout.
HUSK_TEST_TIMEOUT=${HUSK_TEST_TIMEOUT:-20}
HUSK_TEST_PREFIX=husk-test
# The directory the tests keep their cgroups under (cgroupsPath /husk-test/<id>).
CGROUP_PARENT=husk-test

is_runc() { [[ $RUNTIME_NAME == runc* ]]; }

# Behaviour husk must have (the spec asks for it) but runc 1.1 lacks.
husk_only() {
	if is_runc; then
		skip "runc does not $*"
	fi
}

requires_root() {
	[[ $EUID -eq 0 ]] || skip "needs root"
}

# ---------------------------------------------------------------- rootfs --

# A busybox rootfs, built once per bats run and copied into each bundle.
_rootfs_template() {
	local t="${BATS_RUN_TMPDIR:-/tmp}/husk-rootfs-template"
	if [[ ! -x $t/bin/busybox ]]; then
		rm -rf "$t.tmp"
		mkdir -p "$t.tmp"/{bin,etc,dev,proc,sys,tmp,root,mnt,run,var/tmp,home/husk}
		chmod 1777 "$t.tmp/tmp" "$t.tmp/var/tmp"
		cp "$BUSYBOX" "$t.tmp/bin/busybox"
		local applet
		for applet in $("$BUSYBOX" --list); do
			[[ -e $t.tmp/bin/$applet ]] || ln -s busybox "$t.tmp/bin/$applet"
		done
		cat >"$t.tmp/etc/passwd" <<-'EOF'
			root:x:0:0:root:/root:/bin/sh
			husk:x:1000:1000:husk:/home/husk:/bin/sh
			nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		EOF
		cat >"$t.tmp/etc/group" <<-'EOF'
			root:x:0:
			wheel:x:10:
			husk:x:1000:
			extra:x:2000:
			nogroup:x:65534:
		EOF
		chown 1000:1000 "$t.tmp/home/husk"
		mv "$t.tmp" "$t"
	fi
	echo "$t"
}

# ---------------------------------------------------------------- setup --

# Call from each file's setup().
setup_bundle() {
	requires_root
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	# 0755: a user-namespaced container (host uid 100000) must traverse it.
	chmod 755 "$TEST_DIR"
	ROOT=$TEST_DIR/root
	mkdir -m 700 "$ROOT"
	: >"$TEST_DIR/ids"
	: >"$TEST_DIR/pids"
	: >"$TEST_DIR/netns"
	: >"$TEST_DIR/mounts"
	ID=$(new_id)
	BUNDLE=$TEST_DIR/bundle
	ROOTFS=$BUNDLE/rootfs
	mkdir -p "$BUNDLE"
	cp -a "$(_rootfs_template)" "$ROOTFS"
	(cd "$BUNDLE" && timeout 20 "$RUNTIME" spec </dev/null 3>&-) || {
		echo "'$RUNTIME spec' failed" >&2
		return 1
	}
	# A writable rootfs by default; readonly tests turn it back on.
	update_config '.process.terminal = false
		| .process.args = ["sh", "-c", "true"]
		| .root = {"path": "rootfs", "readonly": false}
		| .hostname = "husk-test"
		| .linux.cgroupsPath = $cg' --arg cg "/$CGROUP_PARENT/$ID"
}

# A fresh container id; remembered so that teardown deletes it.
new_id() {
	local id
	id="$HUSK_TEST_PREFIX-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
	echo "$id" >>"$TEST_DIR/ids"
	echo "$id"
}

# new_bundle ID: a second bundle sharing the rootfs of $BUNDLE, with its own
# cgroupsPath. Prints its directory.
new_bundle() {
	local id=$1 dir
	dir=$(mktemp -d "$TEST_DIR/bundle-XXXXXX")
	jq --arg cg "/$CGROUP_PARENT/$id" --arg rootfs "$ROOTFS" \
		'.linux.cgroupsPath = $cg | .root.path = $rootfs' \
		"$BUNDLE/config.json" >"$dir/config.json"
	echo "$dir"
}

# update_config 'JQ EXPR' [jq options...]: edit $BUNDLE/config.json
# (or $CONFIG when set) in place.
update_config() {
	local expr=$1 cfg=${CONFIG:-$BUNDLE/config.json}
	shift
	jq "$@" "$expr" "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
}

# json_array ARG...: the arguments as a JSON array of strings.
json_array() {
	local a out="[]"
	for a in "$@"; do
		out=$(jq -c --arg a "$a" '. + [$a]' <<<"$out")
	done
	echo "$out"
}

# set_args ARG...: process.args of $BUNDLE (or $CONFIG).
set_args() {
	update_config '.process.args = $a' --argjson a "$(json_array "$@")"
}

# add_namespace TYPE [PATH]; remove_namespace TYPE
add_namespace() {
	if [[ -n ${2:-} ]]; then
		update_config '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{"type": $t, "path": $p}])' \
			--arg t "$1" --arg p "$2"
	else
		update_config '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{"type": $t}])' \
			--arg t "$1"
	fi
}
remove_namespace() {
	update_config '.linux.namespaces = [.linux.namespaces[] | select(.type != $t)]' --arg t "$1"
}

# add_mount DEST TYPE SOURCE OPTION...
add_mount() {
	local dest=$1 type=$2 src=$3
	shift 3
	update_config '.mounts += [{"destination": $d, "type": $t, "source": $s, "options": $o}]' \
		--arg d "$dest" --arg t "$type" --arg s "$src" --argjson o "$(json_array "$@")"
}

# ---------------------------------------------------------------- running --

# runtime ARG...: `$RUNTIME --root $ROOT ARG...`, setting $status, $output
# (stdout and stderr merged) and $lines like bats' run. Output goes through a
# file, not a pipe: a created or detached container inherits the runtime's
# stdio and would hold a pipe open forever.
runtime() {
	local out
	out=$(mktemp "$TEST_DIR/out.XXXXXX")
	status=0
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" </dev/null >"$out" 2>&1 3>&- || status=$?
	[[ $status -ne 124 ]] || echo "# $RUNTIME_NAME $*: timed out after ${HUSK_TEST_TIMEOUT}s" >>"$out"
	output=$(cat "$out")
	mapfile -t lines <"$out"
	echo "# $RUNTIME_NAME $*: status $status" >&2
	[[ -z $output ]] || sed 's/^/#   /' "$out" >&2
	return 0
}

# rt ARG...: the same without capturing, for set -e checks and $(...);
# stdin is /dev/null and fd 3 (bats' TAP stream) is closed.
rt() {
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" </dev/null 3>&-
}

# run_container 'SHELL SCRIPT' [ID]: `run` a container in the foreground with
# `sh -c SCRIPT`; sets $status, $output and $lines (its stdout) and $stderr
# (the runtime's and the container's stderr). Through files, as in runtime().
run_container() {
	set_args sh -c "$1"
	local out err
	out=$(mktemp "$TEST_DIR/out.XXXXXX")
	err=$(mktemp "$TEST_DIR/err.XXXXXX")
	status=0
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "${2:-$ID}" \
		</dev/null >"$out" 2>"$err" 3>&- || status=$?
	[[ $status -ne 124 ]] || echo "run timed out after ${HUSK_TEST_TIMEOUT}s" >>"$err"
	output=$(cat "$out")
	stderr=$(cat "$err")
	mapfile -t lines <"$out"
	if [[ $status -ne 0 ]]; then
		echo "container exited $status; stderr: $stderr" >&2
	fi
	return 0
}

# start_detached [ID [BUNDLE]]: `run --detach` with the bundle's args,
# then wait until running.
start_detached() {
	local id=${1:-$ID} bundle=${2:-$BUNDLE}
	rt run --detach --bundle "$bundle" "$id" >/dev/null 2>&1
	wait_for_status "$id" running
}

container_state() { rt state "$1"; }
container_status() { rt state "$1" 2>/dev/null | jq -r .status; }
container_pid() { rt state "$1" | jq -r .pid; }

# wait_for_status ID STATUS [TIMEOUT_SECONDS]
wait_for_status() {
	local id=$1 want=$2 timeout=${3:-10} got i
	for ((i = 0; i < timeout * 20; i++)); do
		got=$(container_status "$id")
		[[ $got == "$want" ]] && return 0
		sleep 0.05
	done
	echo "container $id: status '$got', wanted '$want' after ${timeout}s" >&2
	return 1
}

# wait_for CMD...: retry a command for up to 10 s.
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	"$@" && return 0
	echo "timed out waiting for: $*" >&2
	return 1
}

# ---------------------------------------------------------------- host view --

proc_cmdline() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | sed 's/ $//'; }

# A live (not zombie) process.
pid_alive() {
	local st
	st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[[ -n $st && $st != Z && $st != X ]]
}
pid_gone() { ! pid_alive "$1"; }

ns_of() { readlink "/proc/$1/ns/$2"; }

# cgroup_dir PID CONTROLLER: the host directory holding CONTROLLER's files for
# PID's cgroup, on cgroup v1, v2 and hybrid hosts.
cgroup_dir() {
	local pid=$1 ctrl=$2 path mnt
	if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup$path"
		return
	fi
	path=$(awk -F: -v c="$ctrl" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) {print $3; exit}}' "/proc/$pid/cgroup")
	if [[ -n $path ]]; then
		# The mount point of the v1 hierarchy holding CONTROLLER.
		mnt=$(awk -v c="$ctrl" '$9 == "cgroup" {n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) {print $5; exit}}' \
			/proc/self/mountinfo)
		echo "${mnt:-/sys/fs/cgroup/$ctrl}$path"
	else
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup/unified$path"
	fi
}

# Every host cgroup directory of container ID (all hierarchies).
cgroup_dirs_of() {
	find /sys/fs/cgroup -maxdepth 4 -type d -path "*/$CGROUP_PARENT/$1" 2>/dev/null
}

# Host mounts that mention this test's temp dir.
test_mounts() {
	awk -v d="$TEST_DIR" 'index($4, d) || index($5, d)' /proc/self/mountinfo
}

# Nothing left of container ID on the host: no state under --root, no cgroup.
assert_no_trace() {
	local id=$1 left
	left=$(find "$ROOT" -mindepth 1 -name "*$id*" 2>/dev/null)
	[[ -z $left ]] || {
		echo "state left under --root: $left" >&2
		return 1
	}
	left=$(cgroup_dirs_of "$id")
	[[ -z $left ]] || {
		echo "cgroups left: $left" >&2
		return 1
	}
	left=$(test_mounts)
	[[ -z $left ]] || {
		echo "mounts left: $left" >&2
		return 1
	}
}

# Remember host-side things a test makes so that teardown undoes them.
track_pid() { echo "$1" >>"$TEST_DIR/pids"; }
track_netns() { echo "$1" >>"$TEST_DIR/netns"; }
track_mount() { echo "$1" >>"$TEST_DIR/mounts"; }

# ---------------------------------------------------------------- teardown --

teardown_bundle() {
	[[ -n ${TEST_DIR:-} && -d $TEST_DIR ]] || return 0
	local id pid ns m dir leaks=""

	for id in $(cat "$TEST_DIR/ids"); do
		timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" delete --force "$id" </dev/null >/dev/null 2>&1 3>&- || true
	done
	for pid in $(cat "$TEST_DIR/pids"); do
		kill -9 "$pid" 2>/dev/null || true
	done
	for pid in $(cat "$TEST_DIR/pids"); do
		wait_for pid_gone "$pid" 2>/dev/null || true
	done

	# Any live process naming this test's directory is one the runtime left
	# running (a `run` or `create` that never finished, a hook).
	local p cmd
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
		cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
		[[ $cmd == *"$TEST_DIR"* ]] || continue
		pid_alive "$pid" || continue
		leaks+=" process($pid: $cmd)"
		kill -9 "$pid" 2>/dev/null || true
	done

	# What delete --force should have removed: fail the test if it is still
	# there, after clearing it up.
	for id in $(cat "$TEST_DIR/ids"); do
		for dir in $(cgroup_dirs_of "$id" | sort -r); do
			# cgroupfs files report size 0: read them, never test -s.
			if [[ -n $(cat "$dir/cgroup.procs" 2>/dev/null) ]]; then
				leaks+=" processes($(tr '\n' ' ' <"$dir/cgroup.procs"))"
				xargs -r kill -9 <"$dir/cgroup.procs" 2>/dev/null || true
				wait_for eval "[[ -z \$(cat '$dir/cgroup.procs' 2>/dev/null) ]]" 2>/dev/null || true
			fi
			# A frozen cgroup keeps its killed tasks: thaw it.
			[[ -f $dir/freezer.state ]] && echo THAWED >"$dir/freezer.state" 2>/dev/null
			[[ -f $dir/cgroup.freeze ]] && echo 0 >"$dir/cgroup.freeze" 2>/dev/null
			rmdir "$dir" 2>/dev/null || true
			leaks+=" cgroup:$dir"
		done
	done
	for dir in $(find /sys/fs/cgroup -maxdepth 3 -type d -name "$CGROUP_PARENT" 2>/dev/null); do
		rmdir "$dir" 2>/dev/null || true
	done

	for ns in $(cat "$TEST_DIR/netns"); do
		ip netns delete "$ns" 2>/dev/null || true
	done
	for m in $(tac "$TEST_DIR/mounts"); do
		umount -l "$m" 2>/dev/null || true
	done
	local left
	left=$(test_mounts | awk '{print $5}' | sort -r)
	if [[ -n $left ]]; then
		leaks+=" mounts:$(echo "$left" | tr '\n' ' ')"
		for m in $left; do umount -l "$m" 2>/dev/null || true; done
	fi

	rm -rf --one-file-system "$TEST_DIR"
	TEST_DIR=""
	if [[ -n $leaks ]]; then
		echo "left behind after delete --force:$leaks" >&2
		return 1
	fi
}

setup() { setup_bundle; }
teardown() { teardown_bundle; }
