#!/usr/bin/env bats
# Runtime options a client passes on every call and config fields the other
# files leave out: --preserve-fds, --no-pivot, --no-new-keyring, --log with
# --log-format json, linux.seccomp, linux.personality.

load helpers

@test "--preserve-fds passes fds 3.. to the container and nothing else" {
	set_args sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "; echo; cat <&3'
	echo "from the host" >"$TEST_DIR/fd3"
	status=0
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$ID" \
		</dev/null >"$TEST_DIR/out" 2>&1 3<"$TEST_DIR/fd3" 4<"$TEST_DIR/fd3" || status=$?
	cat "$TEST_DIR/out" >&2
	[ "$status" -eq 0 ]
	# 0 1 2, the preserved 3, and the fd ls itself opens; never 4
	run head -1 "$TEST_DIR/out"
	[[ $output == "0 1 2 3 "* ]]
	[[ $output != *" 4 "*" 5 "* ]]
	run tail -1 "$TEST_DIR/out"
	[ "$output" = "from the host" ]
}

@test "--preserve-fds over a closed fd is refused: the runtime's own fds never fill the hole" {
	husk_only "refuse a --preserve-fds range with a closed fd in it"
	set_args sh -c 'ls -l /proc/self/fd'
	echo "from the host" >"$TEST_DIR/fd3"
	status=0
	# fds 3 and 5 open, 4 closed: passing 3 fds would hand over whatever
	# the runtime opened as 4 (its state directory, its sync socket).
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" run --preserve-fds 3 --bundle "$BUNDLE" "$ID" \
		</dev/null >"$TEST_DIR/out" 2>&1 3<"$TEST_DIR/fd3" 4<&- 5<"$TEST_DIR/fd3" || status=$?
	cat "$TEST_DIR/out" >&2
	[ "$status" -ne 0 ]
	is_runc || grep -q -- "--preserve-fds 3: fd 4 is not open" "$TEST_DIR/out"
	[ ! -e "$ROOT/$ID" ]
	[ -z "$(cgroup_dirs_of "$ID")" ]
}

@test "without --preserve-fds no fd of the caller reaches the container" {
	set_args sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
	status=0
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID" \
		</dev/null >"$TEST_DIR/out" 2>&1 5<"$BATS_TEST_FILENAME" 7<"$BATS_TEST_FILENAME" || status=$?
	[ "$status" -eq 0 ]
	run cat "$TEST_DIR/out"
	# 0 1 2 and the directory fd ls opens
	[[ $output == "0 1 2 3 " ]]
}

@test "--no-pivot: the container runs with the rootfs as its root" {
	set_args sh -c 'ls /bin/busybox && cat /proc/self/mountinfo | wc -l'
	runtime run --no-pivot --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /bin/busybox ]
}

@test "--no-new-keyring is accepted by create and run" {
	set_args echo ran
	runtime run --no-new-keyring --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
}

@test "--log FILE --log-format json: the error is the last JSON line of the log" {
	update_config '.process.args = ["/does/not/exist"]'
	status=0
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" --log "$TEST_DIR/log.json" --log-format json \
		run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || status=$?
	[ "$status" -ne 0 ]
	run tail -1 "$TEST_DIR/log.json"
	echo "$output" >&2
	[ "$(jq -r .level <<<"$output")" = error ]
	[[ $(jq -r .msg <<<"$output") == *"/does/not/exist"* ]]
	[[ $(jq -r .msg <<<"$output") == *"no such file or directory"* || $(jq -r .msg <<<"$output") == *"No such file or directory"* ]]
	[ -n "$(jq -r .time <<<"$output")" ]
	[ ! -e "$ROOT/$ID" ]
}

@test "--log-format text writes key=value lines" {
	update_config '.process.args = ["/does/not/exist"]'
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" --log "$TEST_DIR/log.txt" --log-format text \
		run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || true
	run tail -1 "$TEST_DIR/log.txt"
	[[ $output == *"level=error"* ]]
	[[ $output == *"msg="* ]]
}

@test "linux.seccomp: a blocked syscall fails with the errno asked for, others work" {
	# mkdir(2) and mkdirat(2) return EACCES (13); the rest is allowed
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	set_args sh -c 'mkdir /tmp/x 2>&1; echo "mkdir $?"; grep Seccomp: /proc/self/status; echo alive'
	run_container 'mkdir /tmp/x 2>&1; echo "mkdir $?"; grep Seccomp: /proc/self/status; echo alive'
	[ "$status" -eq 0 ]
	[[ $output == *"Permission denied"* ]]
	[[ $output == *"mkdir 1"* ]]
	# mode 2: a filter is in place
	[[ $output == *"Seccomp:	2"* ]]
	[[ $output == *alive* ]]
	[ ! -e "$ROOTFS/tmp/x" ]
}

@test "linux.seccomp: an unknown action is refused before anything is made" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}'
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *SCMP_ACT_BOGUS* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "linux.personality LINUX32: uname -m reports a 32-bit machine" {
	[[ $(uname -m) == x86_64 ]] || skip "x86_64 only"
	husk_only "apply linux.personality (runc 1.1 ignores it)"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	run_container 'uname -m'
	[ "$status" -eq 0 ]
	[ "$output" = i686 ]
}

@test "linux.seccomp SCMP_ACT_NOTIFY: the listener gets the notify fd and the container state" {
	husk_only "send seccomp notify fds to listenerPath (runc 1.1 does not)"
	sock=$TEST_DIR/listener.sock
	out=$TEST_DIR/listener.json
	python3 "$BATS_TEST_DIRNAME/seccomp-listener.py" "$sock" "$out" 3>&- &
	listener=$!
	track_pid "$listener"
	wait_for test -S "$sock"
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $sock,
		"listenerMetadata": "husk-test-meta",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}' --arg sock "$sock"
	run_container 'mkdir /tmp/x 2>&1; echo "mkdir $?"; echo alive'
	wait "$listener"
	[ "$status" -eq 0 ]
	# the listener closed the fd without answering: the syscall failed
	[[ $output == *"mkdir 1"* ]]
	[[ $output == *alive* ]]
	[ ! -e "$ROOTFS/tmp/x" ]
	# what the listener received: one fd and the spec's containerProcessState
	[ "$(cat "$out.fds")" = "fds=1" ]
	[ "$(jq -r '.fds[0]' "$out")" = seccompFd ]
	[ "$(jq -r .metadata "$out")" = husk-test-meta ]
	[ "$(jq -r .state.id "$out")" = "$ID" ]
	[ "$(jq -r .pid "$out")" -gt 1 ]
}
