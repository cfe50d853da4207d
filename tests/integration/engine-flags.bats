#!/usr/bin/env bats
# husk run's security, namespace, resource, label and stop flags
# (src/engine/hostconfig.c), checked as a Docker user would: what the
# container sees (/proc/self/status, its namespaces, ulimits, sysctls,
# devices), what the host sees (the container's cgroup files), what inspect
# says, and for each bad value exit 125, one line naming it, nothing made.
# Setup and teardown as in engine.bats.

bats_require_minimum_version 1.5.0

load engine-helpers

setup_file() { engine_setup_file; }

setup() { engine_setup; }

teardown() { engine_teardown; }

# cg_file ID CONTROLLER V1_FILE V2_FILE: the host's file of the container's
# cgroup (under /husk-test) holding that value.
cg_file() {
	if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		echo "/sys/fs/cgroup/husk-test/$1/$4"
	else
		echo "/sys/fs/cgroup/$2/husk-test/$1/$3"
	fi
}

# status_field FIELD: FIELD's value in /proc/self/status, as the container
# sees it, after the flags in "$@".
status_field() {
	local f=$1
	shift
	hrun --rm "$@" husk-test-img grep "^$f:" /proc/self/status | awk '{print $2}'
}

# bad FLAGS...: husk run with those flags fails with 125 and one line, and
# leaves no container.
bad() {
	local out
	run -125 hrun --name bad "$@" husk-test-img true
	out=$output
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$(husk ps -aq)" ]
	output=$out
}

@test "--cap-drop ALL, --cap-add NET_ADMIN, --cap-add/--cap-drop spellings, --privileged: CapEff" {
	[ "$(status_field CapEff --cap-drop ALL)" = 0000000000000000 ]
	# CAP_NET_ADMIN is bit 12
	[ "$(status_field CapEff --cap-drop all --cap-add net_admin)" = 0000000000001000 ]
	[ "$(status_field CapBnd --cap-drop ALL --cap-add CAP_NET_ADMIN)" = 0000000000001000 ]
	# Docker's 14 defaults without CHOWN (bit 0): a5fb -> a5fa
	[ "$(status_field CapEff --cap-drop chown)" = 00000000a80425fa ]
	[ "$(status_field CapEff)" = 00000000a80425fb ]
	# privileged: every capability this shell may hand on
	[ "$(status_field CapEff --privileged)" = "$(awk '$1 == "CapBnd:" {print $2}' /proc/self/status)" ]
	id=$(husk create --cap-add net_admin --cap-drop MKNOD husk-test-img true)
	[ "$(husk inspect -f '{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}}' "$id")" = '["CAP_NET_ADMIN"] ["CAP_MKNOD"]' ]
}

@test "--privileged: no seccomp, no masked paths, /sys writable, host devices usable" {
	run hrun --rm --privileged husk-test-img sh -c 'grep ^Seccomp: /proc/self/status; grep -c " /proc/kcore " /proc/self/mountinfo; awk "\$5 == \"/sys\" {print \$6}" /proc/self/mountinfo; test -c /dev/loop-control && echo loopctl'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Seccomp:"*0 ]]
	[ "${lines[1]}" = 0 ]
	[[ ${lines[2]} == rw* ]]
	[ "${lines[3]}" = loopctl ]
	[ "$(husk inspect -f '{{.HostConfig.Privileged}}' "$(husk create --privileged husk-test-img true)")" = true ]
}

@test "--security-opt seccomp=unconfined, seccomp=FILE, no-new-privileges" {
	[ "$(status_field Seccomp)" = 2 ]
	[ "$(status_field Seccomp --security-opt seccomp=unconfined)" = 0 ]
	[ "$(status_field NoNewPrivs)" = 0 ]
	[ "$(status_field NoNewPrivs --security-opt no-new-privileges)" = 1 ]
	[ "$(status_field NoNewPrivs --security-opt no-new-privileges=true)" = 1 ]
	[ "$(status_field NoNewPrivs --security-opt no-new-privileges=false)" = 0 ]
	# a profile of our own: everything allowed but mkdir (EPERM)
	cat >"$TEST_DIR/prof.json" <<-'EOF'
	{"defaultAction": "SCMP_ACT_ALLOW",
	 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
	EOF
	run hrun --rm --security-opt "seccomp=$TEST_DIR/prof.json" husk-test-img sh -c 'mkdir /tmp/x 2>&1; grep ^Seccomp: /proc/self/status'
	[[ $output == *"Operation not permitted"* ]]
	[[ ${lines[-1]} == "Seccomp:"*2 ]]
	bad --security-opt seccomp=/no/such/profile.json
	[[ $output == *"opening seccomp profile (/no/such/profile.json) failed"* ]]
	bad --security-opt bogus=1
}

@test "--pid host, --pid container:X, --ipc, --uts host: the namespaces the container is in" {
	host_pid=$(readlink /proc/self/ns/pid)
	run hrun --rm --pid host husk-test-img sh -c 'readlink /proc/self/ns/pid; tr "\0" " " </proc/1/cmdline'
	[ "${lines[0]}" = "$host_pid" ]
	[ "${lines[1]}" = "$(tr '\0' ' ' </proc/1/cmdline)" ]
	hrun -d --name donor --ipc shareable husk-test-img sleep 100
	pid=$(husk inspect -f '{{.State.Pid}}' donor)
	run hrun --rm --pid container:donor --ipc container:donor husk-test-img sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc; tr "\0" " " </proc/1/cmdline'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/$pid/ns/pid)" ]
	[ "${lines[1]}" = "$(readlink /proc/$pid/ns/ipc)" ]
	[ "${lines[2]}" = "sleep 100 " ] # the donor's init is PID 1
	[ "$(hrun --rm --ipc host husk-test-img readlink /proc/self/ns/ipc)" = "$(readlink /proc/self/ns/ipc)" ]
	[ "$(hrun --rm husk-test-img readlink /proc/self/ns/ipc)" != "$(readlink /proc/self/ns/ipc)" ]
	run hrun --rm --uts host husk-test-img sh -c 'readlink /proc/self/ns/uts; hostname'
	[ "${lines[0]}" = "$(readlink /proc/self/ns/uts)" ]
	[ "${lines[1]}" = "$(hostname)" ]
	run hrun --rm --ipc none husk-test-img sh -c 'grep -c " /dev/shm " /proc/self/mountinfo'
	[ "$output" = 0 ]
	id=$(husk create --pid host --ipc private --uts host husk-test-img true)
	[ "$(husk inspect -f '{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}' "$id")" = "host private host" ]
	husk rm "$id"
	# a created container joins X's namespace as it is when it starts
	id=$(husk create --cgroup-parent /husk-test --pid container:donor husk-test-img readlink /proc/self/ns/pid)
	husk kill donor
	husk wait donor
	run husk start "$id"
	[ "$status" -eq 1 ]
	[ "$output" = "Error: cannot join PID of a non running container: donor" ]
	husk rm donor
	hrun -d --name donor --ipc shareable husk-test-img sleep 100
	pid=$(husk inspect -f '{{.State.Pid}}' donor)
	husk start "$id"
	[ "$(husk wait "$id")" = 0 ]
	[ "$(husk logs "$id")" = "$(readlink /proc/$pid/ns/pid)" ]
	# a donor that did not make its IPC shareable
	hrun -d --name private husk-test-img sleep 100
	run -125 hrun --rm --ipc container:private husk-test-img true
	[[ $output == *"non-shareable IPC"* ]]
}

@test "namespace modes that cannot be: unknown or stopped X, bad modes, --uts host with -h" {
	bad --pid container:nosuch
	[ "$output" = "Error: No such container: nosuch" ]
	husk create --name stopped husk-test-img true
	run -125 hrun --pid container:stopped husk-test-img true
	[ "$output" = "Error: cannot join PID of a non running container: stopped" ]
	[ "$(husk ps -aq | wc -l)" -eq 1 ]
	husk rm stopped
	bad --pid bogus
	bad --ipc bogus
	bad --uts container:x
	run -125 hrun --uts host -h name husk-test-img true
	[ "$output" = "Error: conflicting options: hostname and the UTS mode" ]
}

@test "--memory, --memory-swap, --cpus, --cpu-quota, --pids-limit, --cpu-shares: the host's cgroup files" {
	id=$(hrun -d -m 64m --memory-swap 128m --cpus 0.5 --pids-limit 42 --cpu-shares 512 husk-test-img sleep 100)
	[ "$(cat "$(cg_file "$id" memory memory.limit_in_bytes memory.max)")" = 67108864 ]
	[ "$(cat "$(cg_file "$id" pids pids.max pids.max)")" = 42 ]
	if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		[ "$(cat "$(cg_file "$id" cpu x cpu.max)")" = "50000 100000" ]
	else
		[ "$(cat "$(cg_file "$id" cpu cpu.cfs_quota_us x)")" = 50000 ]
		[ "$(cat "$(cg_file "$id" cpu cpu.cfs_period_us x)")" = 100000 ]
		[ "$(cat "$(cg_file "$id" cpu cpu.shares x)")" = 512 ]
		[ "$(cat "$(cg_file "$id" memory memory.memsw.limit_in_bytes x)")" = 134217728 ]
	fi
	run husk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}' "$id"
	[ "$output" = "67108864 134217728 500000000 42 512" ]
	id2=$(hrun -d --memory 1.5GiB --cpu-quota 20000 --cpu-period 50000 --memory-reservation 100m husk-test-img sleep 100)
	[ "$(cat "$(cg_file "$id2" memory memory.limit_in_bytes memory.max)")" = 1610612736 ]
	if [[ ! -f /sys/fs/cgroup/cgroup.controllers ]]; then
		[ "$(cat "$(cg_file "$id2" cpu cpu.cfs_quota_us x)")" = 20000 ]
		[ "$(cat "$(cg_file "$id2" cpu cpu.cfs_period_us x)")" = 50000 ]
		[ "$(cat "$(cg_file "$id2" memory memory.soft_limit_in_bytes x)")" = 104857600 ]
		# swap twice the memory, as Docker does when not told
		[ "$(cat "$(cg_file "$id2" memory memory.memsw.limit_in_bytes x)")" = 3221225472 ]
	fi
	id3=$(hrun -d --cpuset-cpus 0 --oom-kill-disable -m 32m husk-test-img sleep 100)
	if [[ ! -f /sys/fs/cgroup/cgroup.controllers ]]; then
		[ "$(cat "$(cg_file "$id3" cpuset cpuset.cpus x)")" = 0 ]
		grep -qx 'oom_kill_disable 1' "$(cg_file "$id3" memory memory.oom_control x)"
	fi
}

@test "bad sizes and resources: 125, Docker's message, nothing made" {
	bad --memory=lots
	[ "$output" = "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'" ]
	bad --shm-size 1x
	[ "$output" = "invalid argument \"1x\" for \"--shm-size\" flag: invalid size: '1x'" ]
	bad -m 1m
	[ "$output" = "Error: Minimum memory limit allowed is 6MB" ]
	bad --memory-swap 1g
	bad -m 1g --memory-swap 512m
	bad --cpus lots
	bad --cpus 0.5 --cpu-quota 1000
	bad --cpus 999
	bad --cpu-period 10
	bad --cpuset-cpus 0-9999
	bad --cpuset-cpus 0-,1
	bad --oom-score-adj 5000
	bad --pids-limit many
}

@test "--ulimit, --sysctl, --shm-size, --oom-score-adj, --group-add: what the container sees" {
	run hrun --rm --ulimit nofile=1024:2048 --ulimit nproc=500 husk-test-img sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "1024 2048 500" ]
	run hrun --rm --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmax=1048576 husk-test-img sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
	[ "${lines[*]}" = "1 1048576" ]
	run hrun --rm --shm-size 8m husk-test-img df -k /dev/shm
	[[ ${lines[1]} == *" 8192 "* ]]
	run hrun --rm --oom-score-adj 500 husk-test-img cat /proc/self/oom_score_adj
	[ "$output" = 500 ]
	run hrun --rm --group-add audio --group-add 1234 husk-test-img id -G
	[ "$output" = "0 29 1234" ]
	id=$(husk create --ulimit nofile=100:200 --sysctl net.core.somaxconn=100 --shm-size 1g husk-test-img true)
	run husk inspect -f '{{json .HostConfig.Ulimits}} {{json .HostConfig.Sysctls}} {{.HostConfig.ShmSize}}' "$id"
	[ "$output" = '[{"Name":"nofile","Hard":200,"Soft":100}] {"net.core.somaxconn":"100"} 1073741824' ]
}

@test "bad ulimits, sysctls, devices, capabilities, signals: 125, one line, nothing made" {
	bad --ulimit nofile
	[ "$output" = "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile" ]
	bad --ulimit bogus=1
	[ "$output" = "invalid argument \"bogus=1\" for \"--ulimit\" flag: invalid ulimit type: bogus" ]
	bad --ulimit nofile=20:10
	bad --ulimit nofile=x
	bad --sysctl kernel.domainname=x
	[ "$output" = "invalid argument \"kernel.domainname=x\" for \"--sysctl\" flag: sysctl 'kernel.domainname=x' is not allowed" ]
	bad --network host --sysctl net.ipv4.ip_forward=1
	bad --device /dev/nosuch
	bad --device /dev/null:rel
	bad --device /dev/null:/dev/x:rwx
	bad --cap-add bogus
	[ "$output" = 'Error: invalid CapAdd: unknown capability: "CAP_BOGUS"' ]
	bad --cap-drop CAP_NOPE
	bad --stop-signal NOPE
	bad --group-add nosuchgroup
}

@test "--device: the node in the container, usable as its permissions say, and the cgroup rule on the host" {
	run hrun --rm --device /dev/null:/dev/mynull husk-test-img sh -c 'stat -c "%t %T %F" /dev/mynull; echo x > /dev/mynull && echo wrote'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1 3 character special file" ]
	[ "${lines[1]}" = wrote ]
	# not a device every container has: without --device, no node
	[ -c /dev/loop-control ] || skip "no /dev/loop-control"
	run hrun --rm husk-test-img sh -c 'test -e /dev/loop-control || echo absent'
	[ "$output" = absent ]
	# :r is what the container may do: read, not write
	run hrun --rm --device /dev/loop-control:/dev/lc:r husk-test-img sh -c 'exec 3</dev/lc && echo canread; (exec 4>/dev/lc) 2>/dev/null || echo cannotwrite'
	[ "${lines[0]}" = canread ]
	[ "${lines[1]}" = cannotwrite ]
	run hrun --rm --device /dev/loop-control:/dev/lc:rw husk-test-img sh -c '(exec 4>/dev/lc) && echo canwrite'
	[ "$output" = canwrite ]
	id=$(hrun -d --device /dev/loop-control:/dev/lc:r husk-test-img sleep 100)
	if [[ ! -f /sys/fs/cgroup/cgroup.controllers ]]; then
		# r, and m: the runtime makes the node once the init is in the cgroup
		grep -qx 'c 10:237 rm' "$(cg_file "$id" devices devices.list x)"
	fi
	[ "$(husk inspect -f '{{json .HostConfig.Devices}}' "$id")" = '[{"PathOnHost":"/dev/loop-control","PathInContainer":"/dev/lc","CgroupPermissions":"r"}]' ]
}

@test "--label, --label-file: Config.Labels with the image's" {
	printf '# comment\nfrom.file=yes\n\nother=2\n' >"$TEST_DIR/labels"
	id=$(husk create -l a=1 --label b --label-file "$TEST_DIR/labels" --label other=3 husk-test-img true)
	run husk inspect -f '{{json .Config.Labels}}' "$id"
	[ "$output" = '{"a":"1","b":"","from.file":"yes","other":"3"}' ]
}

@test "--stop-signal and --stop-timeout: what husk stop sends, and how long it waits" {
	id=$(hrun -d --stop-signal USR1 husk-test-img sh -c 'trap "exit 9" USR1; trap "exit 1" TERM; while true; do sleep 0.1; done')
	husk stop "$id"
	[ "$(husk inspect -f '{{.State.ExitCode}} {{.Config.StopSignal}}' "$id")" = "9 USR1" ]
	id=$(hrun -d --stop-timeout 1 husk-test-img sh -c 'trap "" TERM; while true; do sleep 0.1; done')
	[ "$(husk inspect -f '{{.Config.StopTimeout}}' "$id")" = 1 ]
	start=$SECONDS
	husk stop "$id"
	[ $((SECONDS - start)) -le 4 ]
	[ "$(husk inspect -f '{{.State.ExitCode}}' "$id")" = 137 ]
}
