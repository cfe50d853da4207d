#!/usr/bin/env bats
# exec: a new process in a running container.

load helpers

setup() {
	setup_bundle
	update_config '.process.env += ["HUSK_FROM_CONFIG=config"]'
	set_args sleep 4242
	start_detached
	PID=$(container_pid "$ID")
}

teardown() { teardown_bundle; }

@test "exec runs a command in the container's namespaces" {
	runtime exec "$ID" sh -c 'for n in pid mnt net; do readlink /proc/self/ns/$n; done; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(ns_of "$PID" pid)" ]
	[ "${lines[1]}" = "$(ns_of "$PID" mnt)" ]
	[ "${lines[2]}" = "$(ns_of "$PID" net)" ]
	[[ "${lines[3]}" == "sleep 4242"* ]]
}

@test "exec passes arguments verbatim" {
	runtime exec "$ID" echo "two words" '$HOME' "*"
	[ "$status" -eq 0 ]
	[ "$output" = 'two words $HOME *' ]
}

@test "exec propagates the exit status" {
	runtime exec "$ID" sh -c 'exit 5'
	[ "$status" -eq 5 ]
	runtime exec "$ID" true
	[ "$status" -eq 0 ]
	# The container is unaffected.
	[ "$(container_status "$ID")" = running ]
}

@test "exec of a command killed by a signal exits 128+signal" {
	runtime exec "$ID" sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
}

@test "exec --env adds to the container's environment" {
	runtime exec --env HUSK_A=1 --env "HUSK_B=two words" "$ID" env
	[ "$status" -eq 0 ]
	grep -qx HUSK_A=1 <<<"$output"
	grep -qx 'HUSK_B=two words' <<<"$output"
	grep -qx HUSK_FROM_CONFIG=config <<<"$output"
}

@test "exec --cwd" {
	runtime exec --cwd /etc "$ID" pwd
	[ "$status" -eq 0 ]
	[ "$output" = /etc ]
}

@test "exec --user uid:gid" {
	runtime exec --user 1000:1000 "$ID" sh -c 'id -u; id -g; grep ^Uid: /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	grep -Eq '^Uid:[[:space:]]+1000[[:space:]]+1000' <<<"$output"
}

@test "exec --additional-gids" {
	runtime exec --user 1000:1000 --additional-gids 10 --additional-gids 2000 "$ID" id -G
	[ "$status" -eq 0 ]
	[[ " $output " == *" 10 "* ]]
	[[ " $output " == *" 2000 "* ]]
}

@test "exec --cap adds a capability" {
	runtime exec "$ID" grep CapEff /proc/self/status
	[ "$status" -eq 0 ]
	local before=$((0x$(awk '{print $2}' <<<"$output")))
	# CAP_NET_ADMIN (12) is not in the default set.
	[ $((before & (1 << 12))) -eq 0 ]
	runtime exec --cap CAP_NET_ADMIN "$ID" grep CapEff /proc/self/status
	[ "$status" -eq 0 ]
	local after=$((0x$(awk '{print $2}' <<<"$output")))
	[ $((after & (1 << 12))) -ne 0 ]
}

@test "exec --cap with an unknown capability fails" {
	husk_only "refuse an unknown capability (it ignores CAP_TEST)"
	runtime exec --cap CAP_TEST "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *CAP_TEST* ]]
}

@test "exec --process reads a process.json" {
	cat >"$TEST_DIR/process.json" <<-'EOF'
		{
		  "terminal": false,
		  "user": {"uid": 1000, "gid": 1000},
		  "args": ["sh", "-c", "echo $HUSK_P; pwd; id -u"],
		  "env": ["PATH=/bin", "HUSK_P=from-process-json"],
		  "cwd": "/tmp"
		}
	EOF
	runtime exec --process "$TEST_DIR/process.json" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-process-json ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
}

@test "exec --detach --pid-file" {
	runtime exec --detach --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 4245
	[ "$status" -eq 0 ]
	local epid
	epid=$(cat "$TEST_DIR/exec.pid")
	[ "$epid" -gt 1 ]
	wait_for eval '[ "$(proc_cmdline "$epid")" = "sleep 4245" ]'
	# A host pid, in the container's pid namespace.
	[ "$(ns_of "$epid" pid)" = "$(ns_of "$PID" pid)" ]
	grep -Eq "^NSpid:[[:space:]]+$epid[[:space:]]+[0-9]+$" "/proc/$epid/status"
	# And in its cgroup, in every hierarchy (v1 ones and the cgroup2 one
	# alike): the same lines in /proc/PID/cgroup as the init's.
	[ "$(cgroup_dir "$epid" pids)" = "$(cgroup_dir "$PID" pids)" ]
	diff "/proc/$PID/cgroup" "/proc/$epid/cgroup"
	# delete --force takes the exec'd process too.
	rt delete --force "$ID"
	wait_for pid_gone "$epid"
}

@test "exec into a stopped container fails" {
	rt kill "$ID" KILL
	wait_for_status "$ID" stopped
	runtime exec "$ID" true
	[ "$status" -ne 0 ]
}

@test "exec into an unknown container fails" {
	runtime exec husk-test-no-such-container true
	[ "$status" -ne 0 ]
}

@test "exec of a program that does not exist fails and names it" {
	runtime exec "$ID" /husk-test-no-such-binary
	[ "$status" -ne 0 ]
	[[ "$output" == *husk-test-no-such-binary* ]]
	[ "$(container_status "$ID")" = running ]
}

@test "exec processes share the container's mounts and /tmp" {
	runtime exec "$ID" sh -c 'echo shared > /tmp/husk-exec'
	[ "$status" -eq 0 ]
	runtime exec "$ID" cat /tmp/husk-exec
	[ "$output" = shared ]
	[ "$(cat "$ROOTFS/tmp/husk-exec")" = shared ]
}
