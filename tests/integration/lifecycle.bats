#!/usr/bin/env bats
# The OCI lifecycle through runc's command line: spec, create, start, state,
# kill, delete, run.

load helpers

@test "spec writes a valid config.json and refuses to overwrite one" {
	local d=$TEST_DIR/spec
	mkdir "$d"
	cd "$d"
	run timeout 20 "$RUNTIME" spec
	[ "$status" -eq 0 ]
	jq -e '.ociVersion and (.process.args | length > 0) and .root.path and .linux.namespaces' config.json
	# Reasonable defaults: a new pid and mount namespace, masked /proc paths.
	jq -e '[.linux.namespaces[].type] | index("pid") and index("mount")' config.json
	jq -e '.linux.maskedPaths | index("/proc/kcore")' config.json
	run timeout 20 "$RUNTIME" spec
	[ "$status" -ne 0 ]
}

@test "spec --bundle writes into the bundle directory" {
	local d=$TEST_DIR/spec-bundle
	mkdir "$d"
	run timeout 20 "$RUNTIME" spec --bundle "$d"
	[ "$status" -eq 0 ]
	jq -e .ociVersion "$d/config.json"
}

@test "create: status created, a pid that is not yet the user program" {
	set_args sleep 4242
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]

	run container_state "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	jq -e '.ociVersion' <<<"$output"
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 1 ]
	# The host sees the process, and it has not exec'd the user's program.
	pid_alive "$pid"
	[ "$(proc_cmdline "$pid")" != "sleep 4242" ]
	# It already lives in the container's namespaces.
	[ "$(ns_of "$pid" pid)" != "$(ns_of $$ pid)" ]
	[ "$(ns_of "$pid" mnt)" != "$(ns_of $$ mnt)" ]
	# And its state is on disk under --root.
	[ -n "$(find "$ROOT" -mindepth 1 -name "*$ID*")" ]
}

@test "start runs the user program in the created process; kill stops it; delete removes it" {
	set_args sleep 4242
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")

	runtime start "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" running
	# Same process, now running the program.
	[ "$(container_pid "$ID")" = "$pid" ]
	wait_for eval '[ "$(proc_cmdline "$pid")" = "sleep 4242" ]'

	# start twice fails.
	runtime start "$ID"
	[ "$status" -ne 0 ]

	runtime kill "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	wait_for pid_gone "$pid"

	runtime list -q
	[[ "$output" == *"$ID"* ]]

	runtime delete "$ID"
	[ "$status" -eq 0 ]
	runtime list -q
	[[ "$output" != *"$ID"* ]]
	runtime state "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "run propagates the exit status" {
	run_container 'exit 3'
	[ "$status" -eq 3 ]
	run_container 'exit 0'
	[ "$status" -eq 0 ]
	# A foreground run deletes the container afterwards.
	assert_no_trace "$ID"
}

@test "run: init killed by SIGKILL exits 137" {
	set_args sleep 4242
	timeout -k 5 "$HUSK_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&- &
	local rtpid=$!
	wait_for_status "$ID" running
	wait_for eval '[ "$(proc_cmdline "$(container_pid "$ID")")" = "sleep 4242" ]'
	kill -9 "$(container_pid "$ID")"
	local rc=0
	wait "$rtpid" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "run: stdout and stderr of the container reach the caller" {
	run_container 'echo to-stdout; echo to-stderr >&2'
	[ "$status" -eq 0 ]
	[ "$output" = to-stdout ]
	[[ "$stderr" == *to-stderr* ]]
}

@test "run --detach returns with the container running" {
	set_args sleep 4242
	runtime run --detach --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$ID")" = running ]
	pid=$(container_pid "$ID")
	wait_for eval '[ "$(proc_cmdline "$pid")" = "sleep 4242" ]'
}

@test "run --keep keeps the stopped container" {
	if ! "$RUNTIME" run --help 2>&1 | grep -q -- '--keep'; then
		skip "$RUNTIME_NAME run has no --keep"
	fi
	set_args sh -c 'exit 4'
	runtime run --keep --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 4 ]
	[ "$(container_status "$ID")" = stopped ]
	runtime delete "$ID"
	[ "$status" -eq 0 ]
	assert_no_trace "$ID"
}

@test "delete --force of a created container kills its process" {
	set_args sleep 4242
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	runtime delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for pid_gone "$pid"
	runtime state "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "delete without --force of a created container fails and leaves it intact" {
	husk_only "refuse to delete a created container (the spec says delete of a container that is not stopped must fail)"
	set_args sleep 4242
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	runtime delete "$ID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$ID")" = created ]
	pid_alive "$pid"
	# Still startable.
	runtime start "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" running
}

@test "delete without --force of a running container fails" {
	set_args sleep 4242
	start_detached
	pid=$(container_pid "$ID")
	runtime delete "$ID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$ID")" = running ]
	pid_alive "$pid"
}

@test "delete --force of a running container" {
	set_args sleep 4242
	start_detached
	pid=$(container_pid "$ID")
	runtime delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for pid_gone "$pid"
	runtime list -q
	[[ "$output" != *"$ID"* ]]
	assert_no_trace "$ID"
}

@test "create with an id that is taken fails and leaves the first container alone" {
	set_args sleep 4242
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$ID")" = created ]
	[ "$(container_pid "$ID")" = "$pid" ]
	pid_alive "$pid"
}

@test "invalid container ids are refused" {
	for bad in "../x" "" "a/b" "." ".."; do
		runtime create --bundle "$BUNDLE" "$bad"
		[ "$status" -ne 0 ] || {
			echo "id '$bad' accepted" >&2
			rt delete -f "$bad" || true
			false
		}
	done
	# Nothing was created outside --root.
	[ ! -e "$TEST_DIR/x" ]
	[ ! -e "$ROOT/a" ]
	[ -z "$(ls -A "$ROOT")" ]
}

@test "state, kill, delete, start of an unknown container fail" {
	local ghost=husk-test-no-such-container
	for cmd in state start delete "kill"; do
		runtime "$cmd" "$ghost"
		[ "$status" -ne 0 ]
	done
	[ -z "$(ls -A "$ROOT")" ]
}

@test "errors about an unknown container name it" {
	husk_only "name the container in 'container does not exist'"
	local ghost=husk-test-no-such-container
	for cmd in state start delete "kill"; do
		runtime "$cmd" "$ghost"
		[ "$status" -ne 0 ]
		[[ "$output" == *"$ghost"* ]]
	done
}

@test "kill accepts signal names with and without SIG, and numbers" {
	mkdir "$TEST_DIR/out"
	add_mount /out bind "$TEST_DIR/out" rbind rw
	set_args sh -c 'trap "echo usr1 >> /out/log" USR1; trap "echo term >> /out/log; exit 0" TERM; echo ready > /out/ready; while :; do sleep 0.05; done'
	start_detached
	wait_for test -e "$TEST_DIR/out/ready"
	local n=0
	for sig in USR1 SIGUSR1 10; do
		runtime kill "$ID" "$sig"
		[ "$status" -eq 0 ]
		n=$((n + 1))
		wait_for eval '[ "$(grep -c usr1 "$TEST_DIR/out/log" 2>/dev/null)" = "$n" ]'
	done
	runtime kill "$ID" SIGTERM
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	grep -q term "$TEST_DIR/out/log"
}

@test "kill defaults to SIGTERM" {
	mkdir "$TEST_DIR/out"
	add_mount /out bind "$TEST_DIR/out" rbind rw
	set_args sh -c 'trap "echo term > /out/log; exit 0" TERM; echo ready > /out/ready; while :; do sleep 0.05; done'
	start_detached
	wait_for test -e "$TEST_DIR/out/ready"
	runtime kill "$ID"
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	grep -q term "$TEST_DIR/out/log"
}

@test "kill KILL, SIGKILL and 9 stop a container" {
	set_args sleep 4242
	for sig in KILL SIGKILL 9; do
		local id b
		id=$(new_id)
		b=$(new_bundle "$id")
		start_detached "$id" "$b"
		pid=$(container_pid "$id")
		runtime kill "$id" "$sig"
		[ "$status" -eq 0 ]
		wait_for_status "$id" stopped
		wait_for pid_gone "$pid"
		rt delete "$id"
	done
}

@test "kill with an unknown signal fails" {
	set_args sleep 4242
	start_detached
	runtime kill "$ID" SIGNOPE
	[ "$status" -ne 0 ]
	[ "$(container_status "$ID")" = running ]
}

@test "kill --all reaches every process of a container sharing the host pid namespace" {
	remove_namespace pid
	set_args sh -c 'sleep 4243 & sleep 4243 & wait'
	start_detached
	pid=$(container_pid "$ID")
	local procs
	procs=$(cgroup_dir "$pid" pids)/cgroup.procs
	wait_for eval '[ "$(wc -l < "$procs")" -ge 3 ]'
	local all
	all=$(cat "$procs")
	runtime kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$ID" stopped
	for p in $all; do
		wait_for pid_gone "$p"
	done
}

@test "--pid-file holds the container's pid (create and run --detach)" {
	set_args sleep 4242
	rt create --pid-file "$TEST_DIR/create.pid" --bundle "$BUNDLE" "$ID"
	[ "$(cat "$TEST_DIR/create.pid")" = "$(container_pid "$ID")" ]

	local id2 b2
	id2=$(new_id)
	b2=$(new_bundle "$id2")
	rt run --detach --pid-file "$TEST_DIR/run.pid" --bundle "$b2" "$id2"
	pid=$(cat "$TEST_DIR/run.pid")
	[ "$pid" = "$(container_pid "$id2")" ]
	wait_for eval '[ "$(proc_cmdline "$pid")" = "sleep 4242" ]'
}

@test "--bundle may be relative, absolute, or the working directory" {
	set_args sleep 4242
	cd "$TEST_DIR"
	runtime create --bundle bundle "$ID"
	[ "$status" -eq 0 ]
	[ "$(container_state "$ID" | jq -r .bundle)" = "$BUNDLE" ]

	local id2 b2
	id2=$(new_id)
	b2=$(new_bundle "$id2")
	runtime create --bundle "$b2" "$id2"
	[ "$status" -eq 0 ]
	[ "$(container_state "$id2" | jq -r .bundle)" = "$b2" ]

	local id3 b3
	id3=$(new_id)
	b3=$(new_bundle "$id3")
	cd "$b3"
	runtime create "$id3"
	[ "$status" -eq 0 ]
	[ "$(container_state "$id3" | jq -r .bundle)" = "$b3" ]
}

@test "annotations from config.json appear in state" {
	update_config '.annotations = {"org.husk.test": "yes"}'
	set_args sleep 4242
	rt create --bundle "$BUNDLE" "$ID"
	[ "$(container_state "$ID" | jq -r '.annotations["org.husk.test"]')" = yes ]
}

@test "a container that exited is reported stopped and can be deleted without --force" {
	set_args true
	rt run --detach --bundle "$BUNDLE" "$ID" </dev/null
	wait_for_status "$ID" stopped
	runtime delete "$ID"
	[ "$status" -eq 0 ]
	assert_no_trace "$ID"
}

@test "an unknown capability is refused" {
	husk_only "refuse unknown capabilities (it warns and ignores them)"
	update_config '.process.capabilities.bounding += ["CAP_TEST"]'
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *CAP_TEST* ]]
	assert_no_trace "$ID"
}
