#!/usr/bin/env bats
# No host fd reaches the container and its cwd cannot lie outside the rootfs
# (CVE-2024-21626: an fd of the runtime's left open, and process.cwd set to
# /proc/self/fd/N, gave the container the host's filesystem).

load ../helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "cwd /proc/self/fd/N, for every N from 3 to 64: refused, or inside the container" {
	# Refused (no such directory, or not one) or a cwd that reads back as a
	# path in the container; never "(unreachable)/..." or the host.
	local n
	for n in $(seq 3 64); do
		update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		run_container 'cd -P . && pwd && ls /'
		if [ "$status" -eq 0 ]; then
			# It got a cwd: it must be the container's own /proc, whose
			# fds are the container's.
			[[ ${lines[0]} == /* ]] || {
				echo "cwd /proc/self/fd/$n reads back as ${lines[0]}" >&2
				false
			}
		fi
		assert_no_trace "$ID"
	done
}

# fds_are 'LIST' OUTPUT: the fds ls listed (one per line) are LIST.
fds_are() {
	local got
	got=$(sort -n <<<"$2" | tr '\n' ' ')
	[ "$got" = "$1" ] || {
		echo "open fds: $got, wanted $1" >&2
		return 1
	}
}

@test "the container's init holds only 0, 1 and 2 when the user's program starts" {
	# ls, exec'd as the init itself, lists its fds: 0 1 2 and the one it
	# reads /proc/self/fd through; not the caller's 5 and 9 (a host
	# directory).
	set_args ls /proc/self/fd
	status=0
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID" \
		</dev/null >"$TEST_DIR/out" 2>"$TEST_DIR/err" 5<"$BATS_TEST_FILENAME" 9<"$ROOT" || status=$?
	cat "$TEST_DIR/err" >&2
	[ "$status" -eq 0 ]
	fds_are "0 1 2 3 " "$(cat "$TEST_DIR/out")"
}

@test "an exec'd process holds only 0, 1 and 2, whatever the caller had open" {
	set_args sleep 4242
	start_detached
	status=0
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" exec "$ID" ls /proc/self/fd \
		</dev/null >"$TEST_DIR/out" 2>"$TEST_DIR/err" 5<"$BATS_TEST_FILENAME" 9<"$ROOT" || status=$?
	cat "$TEST_DIR/err" >&2
	[ "$status" -eq 0 ]
	fds_are "0 1 2 3 " "$(cat "$TEST_DIR/out")"
}
