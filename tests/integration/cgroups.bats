#!/usr/bin/env bats
# cgroups: placement, limits, pause/resume, update, events, as the host's
# cgroup files show them (v1, v2 and hybrid hosts).

load helpers

setup() {
	setup_bundle
	set_args sleep 4242
}

teardown() { teardown_bundle; }

# ctrl_file PID CONTROLLER V1_FILE V2_FILE: the path of the file of PID's
# cgroup that holds CONTROLLER's value, whichever the host has.
ctrl_file() {
	local d
	d=$(cgroup_dir "$1" "$2")
	if [[ -f $d/$3 ]]; then
		echo "$d/$3"
	else
		echo "$d/$4"
	fi
}
# keyed FILE KEY: the value of KEY in a flat-keyed cgroup file.
keyed() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

# memory_limit PID: the memory limit of PID's cgroup, in bytes.
memory_limit() { cat "$(ctrl_file "$1" memory memory.limit_in_bytes memory.max)"; }
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

# hog N: a busybox awk that holds a string of 2^N bytes (and briefly half
# as much again while it doubles), then prints its length.
hog() { echo "awk 'BEGIN { s = \"x\"; for (i = 0; i < $1; i++) s = s s; print length(s) }'"; }

# count_cmd PID CONTROLLER CMDLINE: how many processes in PID's cgroup run
# exactly CMDLINE.
count_cmd() {
	local p n=0
	for p in $(cat "$(cgroup_dir "$1" "$2")/cgroup.procs"); do
		[[ $(proc_cmdline "$p") == "$3" ]] && n=$((n + 1))
	done
	echo "$n"
}

# start_events ARG...: `events ARG... $ID` in the background, its output in
# $TEST_DIR/events; $EVENTS_PID is the job (wait on it for the status).
start_events() {
	timeout -k 5 60 "$RUNTIME" --root "$ROOT" events "$@" "$ID" </dev/null \
		>"$TEST_DIR/events" 2>"$TEST_DIR/events.err" 3>&- &
	EVENTS_PID=$!
	track_pid "$EVENTS_PID"
}

# cpu_usage_ns PID: CPU time used by PID's cgroup so far.
cpu_usage_ns() {
	local f
	f=$(ctrl_file "$1" cpuacct cpuacct.usage cpu.stat)
	if [[ $f == */cpuacct.usage ]]; then
		cat "$f"
	else
		echo $(($(keyed "$f" usage_usec) * 1000))
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
	! ps -eo args | grep -qx "sh -c $mark" || false
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

@test "the pids limit holds inside the container: a fork bomb gets EAGAIN and stops at the limit" {
	update_config '.linux.resources.pids = {"limit": 5}'
	# busybox sh exits when fork fails: fork from a subshell.
	set_args sh -c '(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 4249 & done) 2>/tmp/fork.err; sleep 4242'
	rt run --detach --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
	pid=$(container_pid "$ID")
	local d i
	d=$(cgroup_dir "$pid" pids)
	wait_for grep -q "can't fork" "$ROOTFS/tmp/fork.err"
	grep -q 'Resource temporarily unavailable' "$ROOTFS/tmp/fork.err"
	if [[ -f $d/pids.events ]]; then
		wait_for grep -Eq '^max [1-9]' "$d/pids.events"
	fi
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(wc -l <"$d/cgroup.procs")" -le 5 ]
		[ "$(cat "$d/pids.current")" -le 5 ]
		sleep 0.05
	done
	# Not all twelve sleepers started.
	[ "$(count_cmd "$pid" pids "sleep 4249")" -lt 12 ]
	runtime events --stats "$ID"
	[ "$status" -eq 0 ]
	jq -e '.data.pids.limit == 5 and .data.pids.current >= 1 and .data.pids.current <= 5' <<<"$output"
}

@test "a CPU spinner under cpu quota 10000/100000 is throttled, and events --stats shows it" {
	update_config '.linux.resources.cpu = {"quota": 10000, "period": 100000}'
	set_args sh -c 'while :; do :; done'
	start_detached
	pid=$(container_pid "$ID")
	local d u1 u2 t1 t2
	d=$(cgroup_dir "$pid" cpu)
	throttled() {
		local n t
		n=$(keyed "$d/cpu.stat" nr_throttled)
		t=$(keyed "$d/cpu.stat" throttled_time)$(keyed "$d/cpu.stat" throttled_usec)
		[ "${n:-0}" -gt 0 ] && [ "${t:-0}" -gt 0 ]
	}
	wait_for throttled
	# Over a second of wall time it gets about a tenth of one CPU; a fifth
	# leaves room for the timing of the two reads.
	u1=$(cpu_usage_ns "$pid")
	t1=$(date +%s%N)
	sleep 1
	u2=$(cpu_usage_ns "$pid")
	t2=$(date +%s%N)
	echo "used $((u2 - u1)) ns of CPU in $((t2 - t1)) ns" >&2
	[ $(((u2 - u1) * 100 / (t2 - t1))) -le 20 ]
	runtime events --stats "$ID"
	[ "$status" -eq 0 ]
	jq -e '.data.cpu.throttling | .throttledPeriods > 0 and .throttledTime > 0 and .periods >= .throttledPeriods' \
		<<<"$output"
}

@test "a memory hog over the memory limit is OOM-killed, and events reports the OOM" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_args sh -c "while [ ! -e /tmp/go ]; do sleep 0.05; done; $(hog 26) >/tmp/out; echo \$? >/tmp/rc; sleep 4242"
	start_detached
	pid=$(container_pid "$ID")
	start_events --interval 200ms
	# The OOM watch is in place before the first statistics come.
	wait_for grep -q '"type":"stats"' "$TEST_DIR/events"
	touch "$ROOTFS/tmp/go"
	wait_for test -s "$ROOTFS/tmp/rc"
	# SIGKILL: 128 + 9, and it never got to print.
	[ "$(cat "$ROOTFS/tmp/rc")" = 137 ]
	[ ! -s "$ROOTFS/tmp/out" ]
	local d
	d=$(cgroup_dir "$pid" memory)
	[ "$(keyed "$(ctrl_file "$pid" memory memory.oom_control memory.events)" oom_kill)" -ge 1 ]
	wait_for grep -qx "{\"type\":\"oom\",\"id\":\"$ID\"}" "$TEST_DIR/events"
	# runc's shape has no OOM count; it shows that the peak usage reached
	# the limit (runc 1.1 reads no peak on v2).
	runtime events --stats "$ID"
	[ "$status" -eq 0 ]
	jq -e '.data.memory.usage.limit == 33554432' <<<"$output"
	if [[ -f $d/memory.max_usage_in_bytes ]] || ! is_runc; then
		jq -e '.data.memory.usage.max >= 33554432 - 1048576' <<<"$output"
	fi
	# The stream ends, with 0, once the container is gone.
	rt delete --force "$ID"
	wait "$EVENTS_PID"
}

@test "events streams statistics every --interval and ends with 0 when the container stops" {
	husk_only "end the stream when the container stops (runc 1.1 on cgroup v1 waits until delete removes the cgroup)"
	start_detached
	start_events --interval 100ms
	wait_for eval '[ "$(grep -c "\"type\":\"stats\"" "$TEST_DIR/events")" -ge 3 ]'
	jq -se --arg id "$ID" 'all(.type == "stats" and .id == $id and .data.pids.current >= 1)' "$TEST_DIR/events"
	rt kill "$ID" KILL
	wait "$EVENTS_PID"
	[ "$(container_status "$ID")" = stopped ]
	# A stopped container has no events.
	runtime events "$ID"
	[ "$status" -ne 0 ]
	[[ $output == *"$ID"* ]]
}

@test "events refuses a bad --interval, naming the flag" {
	start_detached
	local bad
	for bad in 0 -1s 5 lots; do
		runtime events --interval "$bad" "$ID"
		[ "$status" -ne 0 ]
		[[ $output == *interval* ]]
	done
}

@test "update raises a live pids limit: forks that failed then succeed" {
	update_config '.linux.resources.pids = {"limit": 3}'
	# Each /tmp/go starts a round n: a subshell forks six "sleep 425n".
	set_args sh -c 'n=0; while :; do if [ -e /tmp/go ]; then rm -f /tmp/go; n=$((n+1));
		(for i in 1 2 3 4 5 6; do sleep 425$n & done) 2>/tmp/err$n; echo $n >/tmp/round$n; fi; sleep 0.05; done'
	start_detached
	pid=$(container_pid "$ID")
	touch "$ROOTFS/tmp/go"
	wait_for test -e "$ROOTFS/tmp/round1"
	grep -q "can't fork" "$ROOTFS/tmp/err1"
	[ "$(count_cmd "$pid" pids "sleep 4251")" -lt 6 ]

	runtime update --pids-limit 10 "$ID"
	[ "$status" -eq 0 ]
	[ "$(pids_limit "$pid")" = 10 ]
	touch "$ROOTFS/tmp/go"
	wait_for test -e "$ROOTFS/tmp/round2"
	# (`|| false`: bash's errexit ignores a negated command)
	! grep -q "can't fork" "$ROOTFS/tmp/err2" || false
	[ "$(count_cmd "$pid" pids "sleep 4252")" -eq 6 ]
}

@test "update raises a live memory limit: a hog that was OOM-killed then survives" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_args sh -c "n=0; while :; do if [ -e /tmp/go ]; then rm -f /tmp/go; n=\$((n+1));
		$(hog 26) >/dev/null; echo \$? >/tmp/rc\$n; fi; sleep 0.05; done"
	start_detached
	pid=$(container_pid "$ID")
	touch "$ROOTFS/tmp/go"
	wait_for test -s "$ROOTFS/tmp/rc1"
	[ "$(cat "$ROOTFS/tmp/rc1")" = 137 ]

	runtime update --memory 512M --memory-swap 512M "$ID"
	[ "$status" -eq 0 ]
	[ "$(memory_limit "$pid")" = 536870912 ]
	touch "$ROOTFS/tmp/go"
	wait_for test -s "$ROOTFS/tmp/rc2"
	[ "$(cat "$ROOTFS/tmp/rc2")" = 0 ]
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

@test "pause and resume: state, freezer, and every process really stops" {
	mkdir "$TEST_DIR/out"
	add_mount /out bind "$TEST_DIR/out" rbind rw
	# Two counters: the init and a child of it.
	set_args sh -c '(j=0; while :; do j=$((j+1)); echo $j > /out/child; sleep 0.02; done) &
		i=0; while :; do i=$((i+1)); echo $i > /out/count; sleep 0.02; done'
	start_detached
	pid=$(container_pid "$ID")
	wait_for test -s "$TEST_DIR/out/count"
	wait_for test -s "$TEST_DIR/out/child"

	runtime pause "$ID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$ID")" = paused ]
	wait_for frozen "$pid"
	local c1 c2 k1 k2
	c1=$(cat "$TEST_DIR/out/count")
	k1=$(cat "$TEST_DIR/out/child")
	# Unfrozen, each would count about fifteen in this time.
	sleep 0.3
	c2=$(cat "$TEST_DIR/out/count")
	k2=$(cat "$TEST_DIR/out/child")
	[ "$c1" = "$c2" ]
	[ "$k1" = "$k2" ]
	runtime list
	grep -Eq "^$ID +$pid +paused " <<<"$output"
	# Statistics of a paused container can be read.
	runtime events --stats "$ID"
	[ "$status" -eq 0 ]
	jq -e '.data.pids.current >= 2' <<<"$output"

	runtime resume "$ID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$ID")" = running ]
	! frozen "$pid" || false
	wait_for eval '[ "$(cat "$TEST_DIR/out/count")" != "$c2" ]'
	wait_for eval '[ "$(cat "$TEST_DIR/out/child")" != "$k2" ]'
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

@test "kill --all reaches every process of a paused container" {
	set_args sh -c 'sleep 4243 & sleep 4243 & wait'
	start_detached
	pid=$(container_pid "$ID")
	local procs all p
	procs=$(cgroup_dir "$pid" pids)/cgroup.procs
	wait_for eval '[ "$(wc -l < "$procs")" -ge 3 ]'
	all=$(cat "$procs")
	rt pause "$ID"
	wait_for frozen "$pid"
	runtime kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	for p in $all; do
		wait_for pid_gone "$p"
	done
	wait_for_status "$ID" stopped
}

@test "delete of a stopped container kills what is left in its cgroup and removes every cgroup" {
	# Without a pid namespace the init's children outlive it.
	remove_namespace pid
	set_args sh -c 'sleep 4246 & echo $! >/tmp/child; exit 0'
	rt run --detach --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
	wait_for test -s "$ROOTFS/tmp/child"
	local child
	child=$(cat "$ROOTFS/tmp/child")
	track_pid "$child"
	wait_for_status "$ID" stopped
	pid_alive "$child"
	[ -n "$(cgroup_dirs_of "$ID")" ]
	runtime delete "$ID"
	[ "$status" -eq 0 ]
	wait_for pid_gone "$child"
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
