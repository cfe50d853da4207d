#!/usr/bin/env bats
# PID 1 semantics, without and with --init (src/engine/init/husk-init.c),
# from the host's view: what a signal does to the container's PID 1, which
# zombies are left, and what is left when PID 1 exits.

load engine-helpers

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# Zombie children of host pid $1.
zombies() {
	local s n=0
	for s in /proc/[0-9]*/stat; do
		read -r _ _ st pp _ <"$s" 2>/dev/null || continue
		[[ $pp == "$1" && $st == Z ]] && n=$((n + 1))
	done
	echo "$n"
}

# The host pids in the container's cgroups.
cgroup_pids() {
	find /sys/fs/cgroup -type d -path "*/husk-test/$1" 2>/dev/null |
		while read -r d; do cat "$d/cgroup.procs"; done | sort -un
}

@test "without --init: TERM to a PID 1 with no handler does nothing; stop escalates to SIGKILL (137)" {
	id=$(hrun -d husk-test-img sleep 1000)
	run husk kill -s TERM "$id"
	[ "$status" -eq 0 ]
	sleep 1
	[ "$(field "$id" '{{.State.Status}}')" = running ]
	run husk stop -t 1 "$id"
	[ "$status" -eq 0 ]
	[ "$(field "$id" '{{.State.Status}} {{.State.ExitCode}}')" = "exited 137" ]
	[ "$(field "$id" '{{.HostConfig.Init}}')" = "<nil>" ] || [ "$(field "$id" '{{json .HostConfig.Init}}')" = null ]
}

@test "--init: husk-init is PID 1, read-only; TERM reaches the program (default action: 143, or its handler)" {
	run hrun --rm --init husk-test-img sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; (echo x >/sbin/husk-init) 2>/dev/null || echo read-only'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "/sbin/husk-init -- sh -c cat /proc/1/cmdline"* ]]
	[ "${lines[-1]}" = read-only ]
	id=$(hrun -d --init husk-test-img sleep 1000)
	[ "$(field "$id" '{{json .HostConfig.Init}}')" = true ]
	run husk kill -s TERM "$id"
	[ "$status" -eq 0 ]
	run husk wait "$id"
	[ "$output" = 143 ]
	id=$(hrun -d --init husk-test-img sh -c 'trap "echo got-term; exit 0" TERM; echo ready; while true; do sleep 0.1; done')
	wait_for 5 'husk logs "$id" | grep -q ready'
	run husk stop -t 5 "$id"
	[ "$(field "$id" '{{.State.ExitCode}}')" = 0 ]
	run husk logs "$id"
	[[ $output == *got-term* ]]
}

@test "--init: the command's exit code, 128+N when signal N killed it, 127 when it is missing" {
	run -3 hrun --rm --init husk-test-img sh -c 'exit 3'
	run -137 hrun --rm --init husk-test-img sh -c 'kill -KILL $$'
	run -127 hrun --rm --init husk-test-img no-such-command
	[[ $output == *no-such-command* ]]
}

@test "orphans: zombies pile up under a PID 1 that does not reap, none under --init" {
	local cmd='sh -c "sleep 0.2 & exit 0"; sh -c "sleep 0.2 & exit 0"; exec sleep 1000'
	id=$(hrun -d husk-test-img sh -c "$cmd")
	pid=$(field "$id" '{{.State.Pid}}')
	sleep 1
	[ "$(zombies "$pid")" -ge 2 ]
	id2=$(hrun -d --init husk-test-img sh -c "$cmd")
	pid2=$(field "$id2" '{{.State.Pid}}')
	sleep 1
	# the orphans were reparented to husk-init (the container's PID 1)
	[ "$(tr '\0' ' ' </proc/$pid2/cmdline)" = "/sbin/husk-init -- sh -c $cmd " ]
	[ "$(zombies "$pid2")" -eq 0 ]
	# and in the whole pid namespace, no Z
	for p in $(cgroup_pids "$id2"); do
		[ "$(awk '{print $3}' /proc/$p/stat)" != Z ]
	done
}

@test "when PID 1 exits, every process of the container is gone (with and without --init)" {
	for init in "" --init; do
		id=$(hrun -d $init husk-test-img sh -c 'sleep 1000 & sleep 1000 & sleep 1.5; exit 0')
		sleep 0.5
		pids=$(cgroup_pids "$id")
		[ "$(wc -w <<<"$pids")" -ge 4 ]
		run husk wait "$id"
		[ "$output" = 0 ]
		for p in $pids; do
			[ ! -e "/proc/$p" ] || [ "$(awk '{print $3}' /proc/$p/stat)" != S ]
		done
		# the container's cgroups went with it
		[ -z "$(cgroup_pids "$id")" ]
		! find /sys/fs/cgroup -type d -path "*/husk-test/$id" | grep -q . || false
	done
}
