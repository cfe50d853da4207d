# shellcheck shell=bash
# Shared by the engine's bats files (husk run and friends): each test has
# its own TEST_DIR with HUSK_STORAGE and HUSK_STATE inside, its containers'
# cgroups under /husk-test.

husk() {
	"$HUSK" "$@"
}

hrun() {
	husk run --cgroup-parent /husk-test "$@"
}

# Remove every container the test made (killing what still runs), then
# fail if a mount under TEST_DIR or a container's cgroup is left (after
# unmounting what is, so that the next test starts clean).
engine_teardown() {
	[[ -n ${TEST_DIR:-} && -d $TEST_DIR/store ]] || return 0
	local ids id left=0
	ids=$("$HUSK" ps -aq --no-trunc 2>/dev/null || true)
	[[ -z $ids ]] || "$HUSK" rm -f $ids >/dev/null 2>&1 || true
	if grep -q " ${TEST_DIR}/" /proc/self/mountinfo; then
		echo "mount left under $TEST_DIR:" >&2
		grep " ${TEST_DIR}/" /proc/self/mountinfo | awk '{print $5}' >&2
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
	[ "$left" -eq 0 ]
}
