#!/usr/bin/env bats
# The monitor of a detached container while it runs: husk-supervise
# (src/engine/supervise/husk-supervise.c), which husk-monitor execs into
# once the container has started and which execs husk-monitor back when
# the init has exited. What a user sees must not change: logs, attach,
# wait, restarts, --rm; and the process beside the container is the small
# one, out of reach of a container in the host's pid namespace.

load engine-helpers

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# The monitor of a running container: the parent of its init.
monitor_of() {
	awk '{print $4}' "/proc/$(field "$1" '{{.State.Pid}}')/stat"
}

# husk-supervise processes of this test (their command line names its
# state dir).
supervisors() {
	local p
	for p in /proc/[0-9]*; do
		[[ $(cat "$p/comm" 2>/dev/null) == husk-supervise ]] || continue
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "$TEST_DIR/" && echo "${p#/proc/}"
	done
	return 0
}

@test "beside a detached container runs husk-supervise: its exe, under 1 MiB, the lock held" {
	id=$(hrun -d husk-test-img sleep 1000)
	mon=$(monitor_of "$id")
	[ "$(cat /proc/$mon/comm)" = husk-supervise ]
	[ "$(basename "$(readlink /proc/$mon/exe)")" = husk-supervise ]
	[ "$(dirname "$(readlink /proc/$mon/exe)")" = "$(dirname "$(readlink -f "$HUSK")")" ]
	# what it is for: the memory beside every container
	[ "$(awk '/^VmRSS:/ { print $2 }' /proc/$mon/status)" -lt 1024 ]
	# the monitor's lock is still held (by it: its fd names the file)
	run flock -n "$TEST_DIR/state/monitors/$id.lock" true
	[ "$status" -eq 1 ]
	ls -l /proc/$mon/fd | grep -q "monitors/$id.lock"
	[ "$(field "$id" '{{.State.Status}}')" = running ]
	husk rm -f "$id"
	wait_for 5 '[ -z "$(supervisors)" ]'
}

@test "husk-supervise makes itself non-dumpable, and execs the monitor's command back with the exit code" {
	# A root monitor's /proc/PID/exe and memory are already out of reach of
	# a container without CAP_SYS_PTRACE (its capabilities are not a
	# superset of the monitor's); non-dumpable, they stay so for a process
	# of the same uid and capabilities. Shown unprivileged, where nothing
	# but that flag decides: the same uid, no capabilities on either side.
	local sup="$(dirname "$(readlink -f "$HUSK")")/husk-supervise" dir=$TEST_DIR/nobody
	chmod 755 "$TEST_DIR"
	mkdir -m 777 "$dir"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
		'sleep 1000 & echo $! >"$1/child"; exec "$2" pid=$! -- /bin/sh -c "echo \"\$*\" >\"\$0/out\"" "$1"' \
		sh "$dir" "$sup" 3>&- 2>&1 &
	local sup_pid=$!
	wait_for 5 '[ "$(cat /proc/$sup_pid/comm 2>/dev/null)" = husk-supervise ]'
	child=$(cat "$dir/child")
	# the same uid reads its own dumpable child's exe, not husk-supervise's
	run setpriv --reuid=65534 --regid=65534 --clear-groups readlink /proc/$child/exe
	[ "$status" -eq 0 ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups readlink /proc/$sup_pid/exe
	[ "$status" -ne 0 ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat /proc/$sup_pid/environ
	[ "$status" -ne 0 ]
	# its child ends: it execs the command after "--", plus code=
	kill "$child"
	wait "$sup_pid"
	[ "$(cat "$dir/out")" = code=143 ]
}

@test "through husk-supervise: logs, attach with stdin, the exit code to attach and wait, no process left" {
	id=$(hrun -d -i husk-test-img sh -c 'echo before; read line; echo "got $line"; echo oops >&2; exit 4')
	[ "$(cat /proc/$(monitor_of "$id")/comm)" = husk-supervise ]
	wait_for 5 'grep -q before "$TEST_DIR/store/containers/$id/$id-json.log"'
	run -4 --separate-stderr bash -c "echo hello | '$HUSK' attach $id"
	[ "$output" = "got hello" ]
	[ "$stderr" = oops ]
	run -0 husk wait "$id"
	[ "$output" = 4 ]
	[ "$(field "$id" '{{.State.Status}} {{.State.ExitCode}}')" = "exited 4" ]
	run husk logs "$id"
	[ "${lines[0]}" = before ]
	[ "${lines[1]}" = "got hello" ]
	# the log's entries are Docker's
	line=$(sed -n 2p "$TEST_DIR/store/containers/$id/$id-json.log")
	[ "$(jq -c .log <<<"$line")" = '"got hello\n"' ]
	[ "$(jq -r .stream <<<"$line")" = stdout ]
	[[ $(jq -r .time <<<"$line") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z$ ]]
	[ -z "$(supervisors)" ]
	[ ! -e "$TEST_DIR/state/monitors/$id.sock" ]
	[ ! -e "$TEST_DIR/state/runtime/$id" ]
}

@test "through husk-supervise: a tty, what is not UTF-8, control characters and long lines in the log" {
	id=$(hrun -d husk-test-img sh -c 'printf "q\"b\\\\s\ttab\001\n"; printf "caf\303\251\n"; printf "bad\377\n"; head -c 20000 /dev/zero | tr "\0" x; echo')
	run -0 husk wait "$id"
	log=$TEST_DIR/store/containers/$id/$id-json.log
	[ "$(sed -n 1p "$log" | jq -c .log)" = '"q\"b\\s\ttab\u0001\n"' ]
	grep -qF '"log":"q\"b\\s\ttab\u0001\n"' "$log"
	[ "$(sed -n 2p "$log" | jq -r .log)" = "café" ]
	[ "$(sed -n 3p "$log" | jq -r .log)" = "bad?" ]
	# 16 KiB lines, as Docker's
	[ "$(sed -n 4p "$log" | jq -r .log | tr -d '\n' | wc -c)" -eq 16384 ]
	[ "$(sed -n 5p "$log" | jq -r .log | tr -d '\n' | wc -c)" -eq $((20000 - 16384)) ]
	id=$(hrun -dt husk-test-img sh -c 'tty; exit 5')
	run -0 husk wait "$id"
	[ "$output" = 5 ]
	[[ $(husk logs "$id") == /dev/pts/* ]]
}

@test "through husk-supervise: on-failure:2 restarts twice, the backoff, then exited; --rm removes" {
	id=$(hrun -d --restart on-failure:2 husk-test-img sh -c 'echo run; sleep 0.3; exit 1')
	wait_for 10 'test "$(field "$id" "{{.State.Status}}")" = exited'
	[ "$(field "$id" '{{.State.ExitCode}} {{.RestartCount}} {{.State.Restarting}}')" = "1 2 false" ]
	[ "$(husk logs "$id" | grep -c '^run$')" -eq 3 ]
	[ -z "$(supervisors)" ]
	# a restart runs under husk-supervise again
	id=$(hrun -d --restart always husk-test-img sh -c 'sleep 0.3; exit 1')
	wait_for 10 'test "$(field "$id" "{{.RestartCount}}")" -ge 1'
	wait_for 5 'test "$(field "$id" "{{.State.Status}}")" = running'
	[ "$(cat /proc/$(monitor_of "$id")/comm)" = husk-supervise ]
	husk stop "$id"
	[ "$(field "$id" '{{.State.Status}}')" = exited ]
	wait_for 5 '[ -z "$(supervisors)" ]'
	id=$(hrun -d --rm husk-test-img sh -c 'sleep 0.3')
	wait_for 5 '! husk inspect "$id" >/dev/null 2>&1'
	[ ! -e "$TEST_DIR/store/containers/$id" ]
	[ ! -e "$TEST_DIR/state/monitors/$id.lock" ]
	[ -z "$(supervisors)" ]
}

@test "without husk-supervise next to husk-monitor, the monitor relays itself" {
	local bin=$TEST_DIR/bin
	mkdir -p "$bin"
	for p in husk husk-monitor husk-init; do
		cp "$(dirname "$(readlink -f "$HUSK")")/$p" "$bin/"
	done
	id=$("$bin/husk" run -d --cgroup-parent /husk-test husk-test-img sh -c 'echo hi; sleep 1000')
	mon=$(monitor_of "$id")
	[ "$(cat /proc/$mon/comm)" = husk-monitor ]
	wait_for 5 '[ "$(husk logs "$id")" = hi ]'
	"$bin/husk" rm -f "$id"
}
