#!/usr/bin/env bats
# process.terminal: --console-socket hands the pty master out; a foreground
# run relays the terminal.

load helpers

RECVTTY=$BATS_TEST_DIRNAME/recvtty.py

setup() {
	setup_bundle
	command -v python3 >/dev/null || skip "needs python3"
	update_config '.process.terminal = true'
	SOCK=$TEST_DIR/console.sock
}

teardown() { teardown_bundle; }

# start_recvtty [INPUT]: a console-socket receiver writing to $TEST_DIR/tty.out.
start_recvtty() {
	python3 "$RECVTTY" "$SOCK" "$TEST_DIR/tty.out" "$@" </dev/null >"$TEST_DIR/recvtty.log" 2>&1 3>&- &
	RECV_PID=$!
	track_pid "$RECV_PID"
	wait_for test -S "$SOCK"
}

# wait_recvtty: wait for the receiver to see the terminal close; print what
# the container wrote, without carriage returns.
wait_recvtty() {
	local rc=0
	wait "$RECV_PID" || rc=$?
	cat "$TEST_DIR/recvtty.log" >&2
	[ "$rc" -eq 0 ]
	tr -d '\r' <"$TEST_DIR/tty.out"
}

@test "terminal: create --console-socket sends the pty master; start; input and output" {
	set_args sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo std-is-tty; read line; echo "got:$line"'
	start_recvtty 'hello\n'
	runtime create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	runtime start "$ID"
	[ "$status" -eq 0 ]
	run wait_recvtty
	[ "$status" -eq 0 ]
	grep -qx '/dev/pts/[0-9]*' <<<"$output"
	grep -qx std-is-tty <<<"$output"
	grep -qx got:hello <<<"$output"
	wait_for_status "$ID" stopped
}

@test "terminal: run --detach --console-socket" {
	set_args sh -c 'echo detached-tty; stty size'
	update_config '.process.consoleSize = {"height": 40, "width": 100}'
	start_recvtty
	runtime run --detach --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	run wait_recvtty
	[ "$status" -eq 0 ]
	grep -qx detached-tty <<<"$output"
	grep -qx '40 100' <<<"$output"
}

@test "terminal: the pty is the container's own devpts" {
	set_args sh -c 'ls -1 /dev/pts; readlink /proc/self/fd/0; stat -c "%t" /dev/pts/0'
	start_recvtty
	rt run --detach --console-socket "$SOCK" --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
	run wait_recvtty
	[ "$status" -eq 0 ]
	# A new devpts instance: the container sees pty 0 and ptmx only.
	grep -qx 0 <<<"$output"
	grep -qx ptmx <<<"$output"
	grep -qx /dev/pts/0 <<<"$output"
	# pty slaves have major 136 (0x88).
	grep -qx 88 <<<"$output"
}

@test "terminal: exec -t with --console-socket" {
	update_config '.process.terminal = false'
	set_args sleep 4242
	start_detached
	start_recvtty
	runtime exec --tty --detach --console-socket "$SOCK" "$ID" sh -c 'tty; echo exec-tty'
	[ "$status" -eq 0 ]
	run wait_recvtty
	[ "$status" -eq 0 ]
	grep -qx exec-tty <<<"$output"
	grep -qx '/dev/pts/[0-9]*' <<<"$output"
}

@test "terminal: a foreground run relays the terminal (under script)" {
	command -v script >/dev/null || skip "needs script (util-linux)"
	set_args sh -c 'tty; echo via-script; exit 6'
	run timeout -k 5 60 script -qefc "timeout --foreground -k 5 $HUSK_TEST_TIMEOUT $RUNTIME --root $ROOT run --bundle $BUNDLE $ID" /dev/null </dev/null
	[ "$status" -eq 6 ]
	output=$(tr -d '\r\0' <<<"$output")
	# script may echo the EOF of its stdin as ^@ ahead of the output.
	grep -q 'via-script$' <<<"$output"
	grep -q '/dev/pts/[0-9][0-9]*$' <<<"$output"
	assert_no_trace "$ID"
}

@test "terminal=true and detaching without --console-socket fails" {
	set_args true
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "--console-socket with terminal=false fails" {
	update_config '.process.terminal = false'
	set_args true
	start_recvtty
	runtime create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "a console socket that does not exist fails" {
	set_args true
	runtime create --console-socket "$TEST_DIR/husk-test-no-socket" --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "terminal: a /dev/console symlink is not followed when the pty is bound there (CVE-2025-52565)" {
	# A /dev of the test's own (bound, so the runtime leaves it as it is)
	# whose console points at a file of the rootfs.
	mkdir -p "$TEST_DIR/dev/pts"
	echo "not a console" >"$ROOTFS/target"
	ln -s /target "$TEST_DIR/dev/console"
	update_config '(.mounts[] | select(.destination == "/dev")) |= {"destination": "/dev", "type": "bind", "source": $s, "options": ["rbind"]}' \
		--arg s "$TEST_DIR/dev"
	update_config 'del(.mounts[] | select(.destination == "/dev/shm" or .destination == "/dev/mqueue"))'
	set_args sleep 4242
	start_recvtty
	runtime create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	if [ "$status" -eq 0 ]; then
		# Created: nothing may have been mounted over the target.
		pid=$(container_pid "$ID")
		! grep -q ' /target ' "/proc/$pid/mountinfo" || false
	else
		# Refused, for that reason.
		is_runc || [[ $output == *"/dev/console"* ]]
	fi
	[ "$(cat "$ROOTFS/target")" = "not a console" ]
	[ -L "$TEST_DIR/dev/console" ]
}
