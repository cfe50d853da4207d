#!/usr/bin/env bats
# cgroups: placement, limits, pause/resume, update, events, as the host's
# cgroup files show them (v1, v2 and hybrid hosts).

load helpers

setup() {
	setup_bundle
	set_args sleep 4242
}

teardown() { teardown_bundle; }

# memory_limit PID: the memory limit of PID's cgroup, in bytes.
memory_limit() {
	local d
	d=$(cgroup_dir "$1" memory)
	if [[ -f $d/memory.max ]]; then
		cat "$d/memory.max"
	else
		cat "$d/memory.limit_in_bytes"
	fi
}
pids_limit() { cat "$(cgroup_dir "$1" pids)/pids.max"; }

# in_cgroup_everywhere PID PATH: every hierarchy PID is in (v1 and v2)
# places it at PATH.
in_cgroup_everywhere() {
	local ctrl path n=0
	while IFS=: read -r _ ctrl path; do
		[[ $ctrl == name=* && $ctrl != name=systemd ]] && continue
		[ "$path" = "$2" ] || {
			echo "cgroup $ctrl: $path, wanted $2" >&2
			return 1
		}
		n=$((n + 1))
	done <"/proc/$1/cgroup"
	[ "$n" -ge 1 ]
}

# frozen PID: PID's cgroup is frozen (v1 freezer or v2 cgroup.freeze).
frozen() {
	local d
	d=$(cgroup_dir "$1" freezer)
	if [[ -f $d/freezer.state ]]; then
		[[ $(cat "$d/freezer.state") == FROZEN ]]
	else
		grep -qx 'frozen 1' "$d/cgroup.events"
	fi
}

@test "the container is placed in linux.cgroupsPath, and delete removes it" {
	start_detached
	pid=$(container_pid "$ID")
	in_cgroup_everywhere "$pid" "/$CGROUP_PARENT/$ID"
	[ -n "$(cgroup_dirs_of "$ID")" ]
	grep -qx "$pid" "$(cgroup_dir "$pid" pids)/cgroup.procs"
	rt delete --force "$ID"
	[ -z "$(cgroup_dirs_of "$ID")" ]
}

@test "the cgroup mount shows, read-only, the container's own cgroup in every host hierarchy" {
	husk_only "mount every hierarchy of a hybrid host, cgroup2 included, read-only (runc 1.1 leaves out cgroup2 and the tmpfs writable)"
	local host_h line mnt root opts seen=0
	host_h=$(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | grep '^/sys/fs/cgroup/' | sort -u)
	run_container 'cat /proc/self/mountinfo; echo x > /sys/fs/cgroup/pids/pids.max && echo WROTE; cat /sys/fs/cgroup/pids/pids.max'
	[ "$status" -eq 0 ]
	[[ $output != *WROTE* ]]
	# The tmpfs that holds them, read-only.
	line=$(awk '$5 == "/sys/fs/cgroup"' <<<"$output")
	[[ $(awk '{print $6}' <<<"$line") == ro,* ]]
	for mnt in $host_h; do
		line=$(awk -v m="$mnt" '$5 == m' <<<"$output")
		[ -n "$line" ] || {
			echo "no $mnt in the container" >&2
			false
		}
		root=$(awk '{print $4}' <<<"$line")
		opts=$(awk '{print $6}' <<<"$line")
		[ "$root" = "/$CGROUP_PARENT/$ID" ] || {
			echo "$mnt shows $root" >&2
			false
		}
		[[ $opts == ro,* ]]
		seen=$((seen + 1))
	done
	[ "$seen" -ge 1 ]
	# pids.max of its own cgroup, readable.
	[ "${lines[-1]}" = max ]
}

@test "without linux.cgroupsPath the container gets /<id>, as with runc and crun" {
	husk_only "put it at /<id> in every v1 hierarchy (runc 1.1 nests some below its own cgroup)"
	update_config 'del(.linux.cgroupsPath)'
	start_detached
	pid=$(container_pid "$ID")
	in_cgroup_everywhere "$pid" "/$ID"
	grep -qx "$pid" "$(cgroup_dir "$pid" pids)/cgroup.procs"
	local dir
	dir=$(cgroup_dir "$pid" pids)
	rt delete --force "$ID"
	[ ! -e "$dir" ]
}

@test "the container's first command already runs in its cgroup, with and without a cgroup namespace" {
	run_container 'cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	local line path n=0
	for line in "${lines[@]}"; do
		[[ $line == *:name=* && $line != *:name=systemd:* ]] && continue
		path=${line#*:*:}
		[ "$path" = "/$CGROUP_PARENT/$ID" ] || {
			echo "saw $line, wanted /$CGROUP_PARENT/$ID" >&2
			false
		}
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
	# In its own cgroup namespace its cgroup is the root.
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	ID=$(new_id)
	update_config '.linux.cgroupsPath = $cg' --arg cg "/$CGROUP_PARENT/$ID"
	run_container 'cat /proc/self/cgroup' "$ID"
	[ "$status" -eq 0 ]
	for line in "${lines[@]}"; do
		[[ $line == *:name=* && $line != *:name=systemd:* ]] && continue
		[ "${line#*:*:}" = / ] || {
			echo "saw $line in a cgroup namespace, wanted /" >&2
			false
		}
	done
}

@test "--systemd-cgroup on a host without systemd: a clear error, and nothing made" {
	[[ ! -d /run/systemd/system ]] || skip "systemd runs this host (cgroups-systemd-vm.bats boots one)"
	local mark="sleep 4$RANDOM"
	set_args sh -c "$mark"
	update_config '.linux.cgroupsPath = $cg' --arg cg "system.slice:husk-test:$ID"
	runtime --systemd-cgroup run --detach --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	if ! is_runc; then
		[[ $output == *"systemd is not running on this host (no /run/systemd/system; use --cgroup-manager cgroupfs)"* ]]
	fi
	assert_no_trace "$ID"
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "husk-test-$ID.scope" 2>/dev/null)" ]
	! ps -eo args | grep -qx "sh -c $mark"
	runtime state "$ID"
	[ "$status" -ne 0 ]
}

@test "resources from config.json: memory and pids limits" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 42}'
	start_detached
	pid=$(container_pid "$ID")
	[ "$(memory_limit "$pid")" = 67108864 ]
	[ "$(pids_limit "$pid")" = 42 ]
}

@test "the pids limit holds inside the container" {
	update_config '.linux.resources.pids = {"limit": 5}'
	# busybox sh exits when fork fails: fork from a subshell.
	set_args sh -c '(for i in 1 2 3 4 5 6 7 8; do sleep 4249 & done); sleep 4242'
	rt run --detach --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
	pid=$(container_pid "$ID")
	local d
	d=$(cgroup_dir "$pid" pids)
	wait_for grep -Eq '^max [1-9]' "$d/pids.events"
	[ "$(wc -l <"$d/cgroup.procs")" -le 5 ]
	[ "$(cat "$d/pids.current")" -le 5 ]
}

@test "cpu shares / weight from config.json" {
	update_config '.linux.resources.cpu = {"shares": 512}'
	start_detached
	pid=$(container_pid "$ID")
	local d
	d=$(cgroup_dir "$pid" cpu)
	if [[ -f $d/cpu.shares ]]; then
		[ "$(cat "$d/cpu.shares")" = 512 ]
	else
		# shares 512 -> weight 1 + ((512 - 2) * 9999) / 262142 = 20
		[ "$(cat "$d/cpu.weight")" = 20 ]
	fi
}

@test "pause and resume: state, freezer, and the process really stops" {
	mkdir "$TEST_DIR/out"
	add_mount /out bind "$TEST_DIR/out" rbind rw
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i > /out/count; sleep 0.02; done'
	start_detached
	pid=$(container_pid "$ID")
	wait_for test -s "$TEST_DIR/out/count"

	runtime pause "$ID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$ID")" = paused ]
	wait_for frozen "$pid"
	local c1 c2
	c1=$(cat "$TEST_DIR/out/count")
	sleep 0.3
	c2=$(cat "$TEST_DIR/out/count")
	[ "$c1" = "$c2" ]
	runtime list
	grep -Eq "^$ID +$pid +paused " <<<"$output"

	runtime resume "$ID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$ID")" = running ]
	! frozen "$pid"
	wait_for eval '[ "$(cat "$TEST_DIR/out/count")" != "$c2" ]'
}

@test "resume of a container that is not paused fails" {
	start_detached
	runtime resume "$ID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$ID")" = running ]
}

@test "a paused container can be killed and deleted" {
	start_detached
	pid=$(container_pid "$ID")
	rt pause "$ID"
	runtime delete --force "$ID"
	[ "$status" -eq 0 ]
	wait_for pid_gone "$pid"
	assert_no_trace "$ID"
}

@test "update --memory and --pids-limit change the cgroup files" {
	start_detached
	pid=$(container_pid "$ID")
	runtime update --memory 64M --pids-limit 42 "$ID"
	[ "$status" -eq 0 ]
	[ "$(memory_limit "$pid")" = 67108864 ]
	[ "$(pids_limit "$pid")" = 42 ]
	runtime update --pids-limit 100 "$ID"
	[ "$status" -eq 0 ]
	[ "$(pids_limit "$pid")" = 100 ]
	# Untouched by the second update.
	[ "$(memory_limit "$pid")" = 67108864 ]
}

@test "update -r reads a resources JSON file" {
	start_detached
	pid=$(container_pid "$ID")
	echo '{"memory": {"limit": 33554432}, "pids": {"limit": 33}}' >"$TEST_DIR/res.json"
	runtime update -r "$TEST_DIR/res.json" "$ID"
	[ "$status" -eq 0 ]
	[ "$(memory_limit "$pid")" = 33554432 ]
	[ "$(pids_limit "$pid")" = 33 ]
}

@test "update with a malformed value fails and changes nothing" {
	start_detached
	pid=$(container_pid "$ID")
	local before
	before=$(pids_limit "$pid")
	runtime update --pids-limit lots "$ID"
	[ "$status" -ne 0 ]
	[ "$(pids_limit "$pid")" = "$before" ]
}

@test "events --stats prints JSON with memory and pids" {
	start_detached
	runtime events --stats "$ID"
	[ "$status" -eq 0 ]
	jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<<"$output"
	jq -e '.data.memory.usage.usage > 0' <<<"$output"
	jq -e '.data.pids.current >= 1' <<<"$output"
	jq -e '.data.cpu.usage.total >= 0' <<<"$output"
}

@test "events --stats of an unknown container fails" {
	runtime events --stats husk-test-no-such-container
	[ "$status" -ne 0 ]
}
