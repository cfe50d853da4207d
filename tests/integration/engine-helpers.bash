# Shared by the engine's monitor tests (engine-io, engine-restart,
# engine-init), in engine.bats' pattern: a busybox image made with umoci
# once per file; per test its own temp dir with its own --storage and
# --state, containers' cgroups under /husk-test (--cgroup-parent); teardown
# removes every container (through husk) and fails if a mount or a cgroup
# is left.

bats_require_minimum_version 1.5.0

HUSK=${HUSK:-}
BUSYBOX=${BUSYBOX:-/bin/busybox}
PTYRUN=$BATS_TEST_DIRNAME/ptyrun.py

engine_setup_file() {
	[[ -x $HUSK ]] || skip "set HUSK"
	command -v umoci >/dev/null || skip "umoci not installed"
	local t=${BATS_FILE_TMPDIR:?}
	umoci init --layout "$t/oci" >&3
	umoci new --image "$t/oci:img" >&3
	umoci unpack --image "$t/oci:img" "$t/bundle" >&3
	local r=$t/bundle/rootfs
	[[ -d $r ]] || return 1
	mkdir -p "$r"/{bin,etc,tmp,home/app}
	cp "$BUSYBOX" "$r/bin/busybox"
	for c in sh echo cat ls ip sleep hostname id pwd env readlink true grep awk df sysctl stat head dd test \
		tr wc mkdir tty stty ps kill seq; do
		ln -s busybox "$r/bin/$c"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\napp:x:1000:\naudio:x:29:\n' >"$r/etc/group"
	umoci repack --image "$t/oci:img" "$t/bundle" >&3
	umoci config --image "$t/oci:img" --config.cmd sh >&3
}

engine_setup() {
	[[ -x $HUSK ]] || skip "set HUSK"
	[[ $EUID -eq 0 ]] || skip "needs root"
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	export HUSK_STORAGE=$TEST_DIR/store HUSK_STATE=$TEST_DIR/state
	local id
	id=$("$HUSK" load -i "$BATS_FILE_TMPDIR/oci" | sed -n 's/^Loaded image ID: //p')
	"$HUSK" tag "$id" husk-test-img
}

engine_teardown() {
	[[ -n ${TEST_DIR:-} && -d $TEST_DIR/store ]] || return 0
	local ids left=0
	ids=$("$HUSK" ps -aq --no-trunc 2>/dev/null || true)
	[[ -z $ids ]] || "$HUSK" rm -f $ids >/dev/null 2>&1 || true
	if grep -q " ${TEST_DIR}/" /proc/self/mountinfo; then
		echo "mount left under $TEST_DIR" >&2
		left=1
		grep " ${TEST_DIR}/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	fi
	for id in $ids; do
		if find /sys/fs/cgroup -type d -path "*/husk-test/$id" 2>/dev/null | grep -q .; then
			echo "cgroup left for $id" >&2
			left=1
		fi
	done
	rm -rf "$TEST_DIR"
	engine_cgroup_parent_remove
	[ "$left" -eq 0 ]
}

# The containers' parent cgroup (HUSK_CGROUP_PARENT, --cgroup-parent), once
# empty: the engine makes it and, as Docker, leaves it.
engine_cgroup_parent_remove() {
	local d
	for d in /sys/fs/cgroup/*/husk-test /sys/fs/cgroup/husk-test; do
		[[ -d $d ]] && rmdir "$d" 2>/dev/null
	done
	return 0
}

husk() {
	"$HUSK" "$@"
}

hrun() {
	husk run --cgroup-parent /husk-test "$@"
}

hcreate() {
	husk create --cgroup-parent /husk-test "$@"
}

# Poll (every 0.1 s, at most $1 seconds) until the shell code $2,
# evaluated afresh each time, succeeds.
wait_for() {
	local tries=$(($1 * 10))
	while ((tries-- > 0)); do
		eval "$2" && return 0
		sleep 0.1
	done
	eval "$2"
}

# The inspect field of a container: field ID '{{.State.Status}}'.
field() {
	husk inspect -f "$2" "$1"
}
