#!/usr/bin/env bats
# list and ps.

load helpers

setup() {
	setup_bundle
	set_args sleep 4242
}

teardown() { teardown_bundle; }

@test "list with no containers prints only the header, and -q nothing" {
	runtime list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -le 1 ]
	runtime list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	runtime list --format json
	[ "$status" -eq 0 ]
	jq -e 'length == 0' <<<"${output:-null}" || [ "$output" = null ] || [ -z "$output" ]
}

@test "list table shows id, pid, status, bundle" {
	start_detached
	local id2 b2
	id2=$(new_id)
	b2=$(new_bundle "$id2")
	rt create --bundle "$b2" "$id2"
	runtime list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED* ]]
	read -r f_id f_pid f_status f_bundle _ < <(grep "^$ID " <<<"$output")
	[ "$f_id" = "$ID" ]
	[ "$f_pid" = "$(container_pid "$ID")" ]
	[ "$f_status" = running ]
	[ "$f_bundle" = "$BUNDLE" ]
	read -r f_id f_pid f_status f_bundle _ < <(grep "^$id2 " <<<"$output")
	[ "$f_status" = created ]
	[ "$f_bundle" = "$b2" ]
}

@test "list --format json" {
	start_detached
	runtime list --format json
	[ "$status" -eq 0 ]
	jq -e --arg id "$ID" --arg b "$BUNDLE" --argjson pid "$(container_pid "$ID")" \
		'.[] | select(.id == $id) | .status == "running" and .pid == $pid and .bundle == $b and (.created | length > 0)' <<<"$output"
}

@test "list -q prints ids only" {
	start_detached
	local id2 b2
	id2=$(new_id)
	b2=$(new_bundle "$id2")
	start_detached "$id2" "$b2"
	runtime list -q
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$ID" "$id2" | sort)" ]
}

@test "list shows a stopped container as stopped" {
	start_detached
	rt kill "$ID" KILL
	wait_for_status "$ID" stopped
	runtime list
	grep -Eq "^$ID +0 +stopped " <<<"$output"
}

@test "ps --format json lists the init pid and exec'd pids" {
	start_detached
	pid=$(container_pid "$ID")
	runtime ps --format json "$ID"
	[ "$status" -eq 0 ]
	jq -e --argjson pid "$pid" 'index($pid) != null' <<<"$output"
	rt exec --detach --pid-file "$TEST_DIR/e.pid" "$ID" sleep 4245
	local epid
	epid=$(cat "$TEST_DIR/e.pid")
	runtime ps --format json "$ID"
	jq -e --argjson pid "$pid" --argjson e "$epid" 'index($pid) != null and index($e) != null and length == 2' <<<"$output"
}

@test "ps table lists the container's processes only" {
	start_detached
	pid=$(container_pid "$ID")
	runtime ps "$ID"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == *" $pid "* ]]
	[[ "${lines[1]}" == *"sleep 4242"* ]]
}

@test "ps passes ps options through" {
	start_detached
	pid=$(container_pid "$ID")
	runtime ps "$ID" -o pid,args
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID*COMMAND* ]]
	[ "$(echo ${lines[1]})" = "$pid sleep 4242" ]
}

@test "ps of an unknown container fails" {
	runtime ps husk-test-no-such-container
	[ "$status" -ne 0 ]
}
