#!/usr/bin/env bats
# Restart policies, honoured by the monitor (src/engine/monitor.c): what
# `husk inspect` and the log show after containers that exit 1 or 0, that
# husk stop is not undone, Docker's backoff, and husk restart.

load engine-helpers

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

runs() {
	husk logs "$1" | grep -c "^$2\$" || true
}

@test "on-failure:2 with a container that exits 1: two restarts, then exited 1, RestartCount 2" {
	id=$(hrun -d --restart on-failure:2 husk-test-img sh -c 'echo run; exit 1')
	run husk inspect -f '{{json .HostConfig.RestartPolicy}}' "$id"
	[ "$output" = '{"Name":"on-failure","MaximumRetryCount":2}' ]
	wait_for 10 'test "$(field "$id" "{{.State.Status}}")" = exited'
	[ "$(field "$id" '{{.State.ExitCode}} {{.RestartCount}} {{.State.Restarting}}')" = "1 2 false" ]
	[ "$(runs "$id" run)" -eq 3 ]
	# the monitor is gone, and nothing restarts later
	sleep 1
	[ "$(runs "$id" run)" -eq 3 ]
	[ ! -e "$TEST_DIR/state/monitors/$id.sock" ]
}

@test "on-failure with a container that exits 0, and no: not restarted" {
	id=$(hrun -d --restart on-failure husk-test-img sh -c 'echo run; exit 0')
	id2=$(hrun -d husk-test-img sh -c 'echo run; exit 1')
	husk wait "$id" "$id2" >/dev/null
	sleep 1
	[ "$(field "$id" '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}')" = "exited 0 0" ]
	[ "$(field "$id2" '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}')" = "exited 1 0" ]
	[ "$(field "$id2" '{{json .HostConfig.RestartPolicy}}')" = '{"Name":"no","MaximumRetryCount":0}' ]
	[ "$(runs "$id" run)" -eq 1 ]
	[ "$(runs "$id2" run)" -eq 1 ]
}

@test "always, with a container that exits 0: restarted with a growing backoff; husk stop is not undone" {
	id=$(hrun -d --restart always husk-test-img sh -c 'echo run; exit 0')
	sleep 2
	local n
	n=$(field "$id" '{{.RestartCount}}')
	# backoff 100, 200, 400, 800 ms: about 4 restarts in 2 s, not 20
	[ "$n" -ge 2 ]
	[ "$n" -le 6 ]
	[ "$(runs "$id" run)" -ge 3 ]
	run husk stop -t 1 "$id"
	[ "$status" -eq 0 ]
	[ "$(field "$id" '{{.State.Status}} {{.State.Running}} {{.State.Restarting}}')" = "exited false false" ]
	n=$(runs "$id" run)
	sleep 2
	[ "$(field "$id" '{{.State.Status}}')" = exited ]
	[ "$(runs "$id" run)" -eq "$n" ]
	# start again: the policy holds again
	husk start "$id" >/dev/null
	wait_for 5 'test "$(runs "$id" run)" -ge $((n + 2))'
	husk stop -t 1 "$id" >/dev/null
}

@test "unless-stopped restarts like always (they differ only across reboots); stop of a long runner" {
	id=$(hrun -d --restart unless-stopped husk-test-img sh -c 'echo run; sleep 0.3; exit 1')
	wait_for 5 'test "$(field "$id" "{{.RestartCount}}")" -ge 2'
	[ "$(field "$id" '{{.HostConfig.RestartPolicy.Name}}')" = unless-stopped ]
	id2=$(hrun -d --restart always husk-test-img sleep 1000)
	run husk stop -t 1 "$id2"
	[ "$status" -eq 0 ]
	[ "$(field "$id2" '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}')" = "exited 137 0" ]
	sleep 1
	[ "$(field "$id2" '{{.State.Status}}')" = exited ]
	# a restarting container can be removed with -f, and nothing is left
	run husk rm -f "$id"
	[ "$status" -eq 0 ]
	run husk inspect "$id"
	[ "$status" -ne 0 ]
}

@test "Restarting while the backoff lasts; the restarted container is a new process" {
	id=$(hrun -d --restart always husk-test-img sh -c 'sleep 0.5; exit 3')
	pid1=$(field "$id" '{{.State.Pid}}')
	wait_for 5 'test "$(field "$id" "{{.RestartCount}}")" -ge 3'
	# backoff has grown to 800 ms+: the restarting state is visible
	# (one inspect: the backoff may end between two)
	wait_for 5 'test "$(field "$id" "{{.State.Status}} {{.State.Restarting}} {{.State.Running}} {{.State.ExitCode}}")" = "restarting true true 3"'
	wait_for 5 'test "$(field "$id" "{{.State.Status}}")" = running'
	pid2=$(field "$id" '{{.State.Pid}}')
	[ "$pid2" -gt 0 ]
	[ "$pid2" != "$pid1" ]
	husk stop -t 1 "$id" >/dev/null
}

@test "bad policies and --rm with a policy: 125, Docker's message, nothing made" {
	run hrun --rm --restart always husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *"conflicting options: cannot specify both --restart and --rm"* ]]
	run hrun --restart sometimes husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *"invalid restart policy: unknown policy 'sometimes'"* ]]
	run hrun --restart always:3 husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *"maximum retry count can only be used with 'on-failure'"* ]]
	run hrun --restart on-failure:x husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *"maximum retry count must be an integer"* ]]
	[ -z "$(husk ps -aq)" ]
}

@test "a foreground run with a policy returns the first exit code; the restarts go on in the background" {
	run -3 hrun --name fg --restart on-failure:2 husk-test-img sh -c 'echo run; exit 3'
	[ "$output" = run ]
	wait_for 10 'test "$(field fg "{{.State.Status}} {{.RestartCount}}")" = "exited 2"'
	[ "$(runs fg run)" -eq 3 ]
}

@test "restart: a running container is stopped and started again, an exited one started" {
	id=$(hrun -d husk-test-img sh -c 'echo up; trap "exit 0" TERM; while true; do sleep 0.1; done')
	wait_for 5 'test "$(runs "$id" up)" -eq 1'
	pid1=$(field "$id" '{{.State.Pid}}')
	run husk restart -t 2 "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(field "$id" '{{.State.Status}}')" = running ]
	[ "$(field "$id" '{{.State.Pid}}')" != "$pid1" ]
	[ ! -e "/proc/$pid1" ] || [ "$(awk '{print $3}' /proc/$pid1/stat)" = Z ]
	wait_for 5 'test "$(runs "$id" up)" -eq 2'
	husk stop -t 1 "$id" >/dev/null
	run husk restart "$id"
	[ "$status" -eq 0 ]
	[ "$(field "$id" '{{.State.Status}}')" = running ]
	run husk restart nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"No such container: nosuch"* ]]
}
