#!/usr/bin/env bats
# The monitor's stdio (src/engine/monitor.c, attach.c, src/cli/husk-logs.c):
# -t and -i for run, create and exec, husk attach, start -a/-i, and the
# json-file log's options, as a Docker user checks them: what the
# container's terminal says, what reaches its stdin, what `husk logs` and
# the log files hold.

load engine-helpers

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "run -it: a pty of the terminal's size, typed input reaches the container, raw mode restored, its exit code" {
	run -5 "$PTYRUN" 33 101 'echo typed-$((6*7))\nexit 5\n' \
		"$HUSK" run --rm -it --cgroup-parent /husk-test husk-test-img sh -c 'tty; stty size; exec sh'
	[[ $output == *"/dev/pts/0"* ]]
	[[ $output == *"33 101"* ]]
	[[ $output == *"typed-42"* ]]
	# the user's terminal is raw while attached and cooked again after
	run "$PTYRUN" 10 40 '' sh -c "'$HUSK' run --rm -it --cgroup-parent /husk-test husk-test-img true; stty -a"
	[ "$status" -eq 0 ]
	[[ $output == *" icanon"* && $output == *" echo "* ]]
	[[ $output != *"-icanon"* ]]
	# the pty's output is logged as stdout
	id=$(hrun -d -t husk-test-img sh -c 'echo on-the-tty; tty')
	husk wait "$id" >/dev/null
	run jq -r '.stream' "$TEST_DIR/store/containers/$id/$id-json.log"
	[ "${lines[0]}" = stdout ]
	run husk logs "$id"
	[[ ${lines[0]} == on-the-tty* ]]
	[[ ${lines[1]} == /dev/pts/0* ]]
	# without -t: no tty
	run hrun --rm husk-test-img tty
	[ "$status" -ne 0 ]
	[[ $output == "not a tty" ]]
}

@test "run -i: stdin through a pipe, EOF closes it; without -i stdin is empty" {
	run bash -c "printf 'one\ntwo\n' | '$HUSK' run --rm -i --cgroup-parent /husk-test husk-test-img sh -c 'wc -l; echo done'"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = done ]
	run bash -c "echo hidden | '$HUSK' run --rm --cgroup-parent /husk-test husk-test-img cat"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "run -i: a container that does not read its stdin still has all its output relayed" {
	# 10 MB offered on stdin, never read; 1.2 MB written to stdout. A
	# monitor blocked writing the stdin would stop reading the output, and
	# both would wait for ever.
	# (timeout on husk itself: a hang fails the test, not the suite)
	run sh -c "head -c 10000000 /dev/zero | timeout -k 2 60 '$HUSK' run --rm -i --cgroup-parent /husk-test husk-test-img seq 1 200000 | wc -l"
	[ "$status" -eq 0 ]
	[ "$output" = 200000 ]
	# and what is read arrives whole, however much
	run sh -c "head -c 3000000 /dev/zero | timeout -k 2 60 '$HUSK' run --rm -i --cgroup-parent /husk-test husk-test-img wc -c"
	[ "$status" -eq 0 ]
	[ "$output" = 3000000 ]
}

@test "run -dit keeps the pty in the monitor: attach types into it, ctrl-p ctrl-q detaches, attach again ends with its code" {
	id=$(hrun -dit husk-test-img sh)
	[ -S "$TEST_DIR/state/monitors/$id.sock" ]
	run "$PTYRUN" 20 50 'echo first-$((2+3))\n\x10\x11' "$HUSK" attach "$id"
	[ "$status" -eq 0 ]
	[ "$(field "$id" '{{.State.Status}}')" = running ]
	run -9 "$PTYRUN" 24 60 'stty size\nexit 9\n' "$HUSK" attach "$id"
	[[ $output == *"24 60"* ]]
	[ "$(field "$id" '{{.State.Status}} {{.State.ExitCode}}')" = "exited 9" ]
	# what the first attach typed ran
	run husk logs "$id"
	[[ $output == *first-5* ]]
	# the socket went with the monitor
	[ ! -e "$TEST_DIR/state/monitors/$id.sock" ]
	run husk attach "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"You cannot attach to a stopped container, start it first"* ]]
}

@test "attach without a tty: the output from then on, stdin with -i, the container's exit code" {
	id=$(hrun -d -i husk-test-img sh -c 'echo before; read line; echo "got $line"; echo oops >&2; exit 4')
	wait_for 5 'grep -q before "$TEST_DIR/store/containers/$id/$id-json.log"'
	run -4 --separate-stderr bash -c "echo hello | '$HUSK' attach $id"
	[ "$output" = "got hello" ]
	[ "$stderr" = oops ]
	# --no-stdin: output only
	id2=$(hrun -d -i husk-test-img sh -c 'sleep 0.5; echo late; exit 3')
	run -3 bash -c "echo ignored | '$HUSK' attach --no-stdin $id2"
	[ "$output" = late ]
}

@test "start -a prints the output and exits with the code; start -ai feeds stdin" {
	id=$(hcreate husk-test-img sh -c 'echo out; echo err >&2; exit 6')
	run -6 --separate-stderr husk start -a "$id"
	[ "$output" = out ]
	[ "$stderr" = err ]
	id=$(hcreate -i husk-test-img sh -c 'read a; echo "read $a"; exit 2')
	run -2 bash -c "echo val | '$HUSK' start -ai $id"
	[ "$output" = "read val" ]
	# plain start prints the name and returns at once
	run husk start "$id"
	[ "$output" = "$id" ]
}

@test "exec -it and -t: a pty of the exec's own; exec -i relays stdin, without -i it is empty" {
	id=$(hrun -d husk-test-img sleep 1000)
	run -7 "$PTYRUN" 40 120 'echo in-exec-$((3*3))\nexit 7\n' "$HUSK" exec -it "$id" sh -c 'tty; stty size; exec sh'
	[[ $output == *"/dev/pts/"* ]]
	[[ $output == *"40 120"* ]]
	[[ $output == *"in-exec-9"* ]]
	run bash -c "echo piped | '$HUSK' exec -i $id cat"
	[ "$output" = piped ]
	run bash -c "echo piped | '$HUSK' exec $id cat"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "logs: --tail, -t, --since and --until with durations, Unix times and RFC 3339" {
	id=$(hrun -d husk-test-img sh -c 'echo one; echo two; sleep 2; echo three')
	husk wait "$id" >/dev/null
	run husk logs "$id"
	[ "${lines[*]}" = "one two three" ]
	run husk logs --tail 1 "$id"
	[ "$output" = three ]
	run husk logs -t --tail 1 "$id"
	[[ $output =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ three$ ]]
	local t3=${output% three}
	# three came 2 s after the others; nothing in the last second
	sleep 1.1
	run husk logs --since 1s "$id"
	[ -z "$output" ]
	run husk logs --since "$t3" "$id"
	[ "$output" = three ]
	run husk logs --until "$t3" "$id"
	[ "${lines[*]}" = "one two three" ]
	local secs
	secs=$(date -d "$t3" +%s)
	run husk logs --until "$((secs - 1))" "$id"
	[ "${lines[*]}" = "one two" ]
	run husk logs --since "$secs" "$id"
	[ "$output" = three ]
	run husk logs --since 10m "$id"
	[ "${lines[*]}" = "one two three" ]
	run husk logs --since yesterday-ish "$id"
	[ "$status" -eq 1 ]
	[[ $output == *'invalid value for "since"'* ]]
}

@test "--log-opt max-size, max-file: the log rotates, at most max-file files, logs reads them in order" {
	id=$(hrun -d --log-opt max-size=1k --log-opt max-file=3 husk-test-img \
		sh -c 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done')
	husk wait "$id" >/dev/null
	local log=$TEST_DIR/store/containers/$id/$id-json.log
	[ -e "$log.1" ] && [ -e "$log.2" ]
	[ ! -e "$log.3" ]
	for f in "$log" "$log.1" "$log.2"; do
		[ "$(stat -c %s "$f")" -le 1000 ]
	done
	run husk logs "$id"
	[ "${lines[-1]}" = line-199 ]
	# consecutive, oldest first, across the files
	local first=${lines[0]#line-} i=0
	for l in "${lines[@]}"; do
		[ "$l" = "line-$((first + i))" ]
		i=$((i + 1))
	done
	[ "$first" -gt 0 ]
	run husk inspect -f '{{json .HostConfig.LogConfig}}' "$id"
	[ "$output" = '{"Type":"json-file","Config":{"max-size":"1k","max-file":"3"}}' ]
	run hrun --rm --log-opt max-size=lots husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *"invalid size: 'lots'"* ]]
	run hrun --rm --log-opt colour=blue husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *"unknown log opt 'colour' for json-file log driver"* ]]
}

@test "logs -f follows the output until the container exits" {
	id=$(hrun -d husk-test-img sh -c 'echo a; sleep 1; echo b')
	run timeout 10 "$HUSK" logs -f "$id"
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "a b" ]
}

@test "--log-driver none: nothing written, logs says the driver cannot be read; an unknown driver is refused" {
	id=$(hrun -d --log-driver none husk-test-img echo unseen)
	husk wait "$id" >/dev/null
	[ ! -e "$TEST_DIR/store/containers/$id/$id-json.log" ]
	run husk logs "$id"
	[ "$status" -eq 1 ]
	[ "$output" = "Error: configured logging driver does not support reading" ]
	run husk inspect -f '{{.HostConfig.LogConfig.Type}}' "$id"
	[ "$output" = none ]
	run hrun --rm --log-driver syslogish husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *'plugin "syslogish" not found'* ]]
	[ "$(husk ps -aq | wc -l)" -eq 1 ]
}

@test "a detached container's monitor is husk-supervise while it runs; with --rm it leaves nothing when the container exits" {
	id=$(hrun -d husk-test-img sleep 1000)
	pid=$(field "$id" '{{.State.Pid}}')
	mon=$(awk '{print $4}' /proc/$pid/stat)
	# husk-monitor started it and exec'd husk-supervise (engine-monitor.bats)
	[ "$(tr '\0' '\n' </proc/$mon/cmdline | head -n 1)" = husk-supervise ]
	# not a forked husk: none of the image layer's libraries in it
	! grep -qE 'libcurl|libarchive' /proc/$mon/maps || false
	id=$(hrun -d --rm husk-test-img sh -c 'sleep 0.3')
	wait_for 5 '! husk inspect "$id" >/dev/null 2>&1'
	[ ! -e "$TEST_DIR/store/containers/$id" ]
	[ ! -e "$TEST_DIR/state/monitors/$id.lock" ]
	[ ! -e "$TEST_DIR/state/runtime/$id" ]
}
