#!/usr/bin/env bats
# The engine's container commands (src/engine, src/cli/husk-containers.c):
# husk run/ps/logs/stop/kill/rm/inspect/wait, as a Docker user checks them.
# Every test has its own temp dir with its own --storage and --state, and
# its containers' cgroups under /husk-test (--cgroup-parent). teardown
# removes every container the test made (killing, by PID through husk, what
# still runs) and fails if a mount or a cgroup is left.

bats_require_minimum_version 1.5.0

load engine-helpers

setup_file() { engine_setup_file; }

setup() { engine_setup; }

teardown() { engine_teardown; }

@test "run: output, exit codes 0, 3, 127, 125" {
	run hrun --rm husk-test-img echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run hrun --rm husk-test-img sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[[ $output == *out* && $output == *err* ]]
	run -127 hrun --rm husk-test-img no-such-command
	[ "$status" -eq 127 ]
	[[ $output == *no-such-command* ]]
	run hrun --rm --no-such-flag husk-test-img true
	[ "$status" -eq 125 ]
	run hrun --rm no-such-image true
	[ "$status" -eq 125 ]
	[[ $output == *"No such image"* ]]
	# nothing half-made
	[ -z "$(husk ps -aq)" ]
	[ -z "$(ls -A "$TEST_DIR/store/containers" | grep -v '^\.lock$')" ]
}

@test "run --rm leaves nothing: no record, no dir, no mount, no cgroup, no runtime state" {
	run hrun --rm --name gone husk-test-img true
	[ "$status" -eq 0 ]
	[ -z "$(husk ps -aq)" ]
	[ -z "$(ls -A "$TEST_DIR/store/containers" | grep -v '^\.lock$')" ]
	! grep -q " $TEST_DIR/" /proc/self/mountinfo
	# (the shared cache of compiled seccomp filters stays)
	[ -z "$(ls -A "$TEST_DIR/state/runtime" | grep -v "^@seccomp$")" ]
}

@test "-d, ps, logs, stop (stop signal, then the exit code), rm" {
	run hrun -d --name web husk-test-img sh -c 'echo started; trap "exit 7" TERM; while true; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	local id=$output
	sleep 0.3
	run husk ps
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
	[[ ${lines[1]} =~ ^${id:0:12}\ +husk-test-img\ +\"sh\ -c\ .*Up\ .*web$ ]]
	run husk logs web
	[ "$output" = started ]
	# the json-file log, Docker's shape
	run jq -r '.stream + " " + .log' "$TEST_DIR/store/containers/$id/$id-json.log"
	[ "$output" = "stdout started" ]
	run husk rm web
	[ "$status" -ne 0 ]
	run husk stop web
	[ "$status" -eq 0 ]
	run husk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "${id:0:8}"
	[ "$output" = "exited 7" ]
	[ -z "$(husk ps -q)" ]
	run husk rm web
	[ "$status" -eq 0 ]
	[ -z "$(husk ps -aq)" ]
}

@test "stop -t 1 of a container ignoring SIGTERM: SIGKILL, 137; kill -s; wait" {
	id=$(hrun -d husk-test-img sh -c 'trap "" TERM; while true; do sleep 0.1; done')
	sleep 0.2
	run husk stop -t 1 "$id"
	[ "$status" -eq 0 ]
	run husk inspect -f '{{.State.ExitCode}}' "$id"
	[ "$output" = 137 ]
	# PID 1 gets only the signals it handles, as under Docker
	id2=$(hrun -d husk-test-img sh -c 'trap "exit 5" USR1; while true; do sleep 0.1; done')
	sleep 0.2
	run husk kill -s USR1 "$id2"
	[ "$status" -eq 0 ]
	run husk wait "$id2"
	[ "$output" = 5 ]
}

@test "names: generated, taken (Conflict, 125), unique prefix, ambiguous and unknown" {
	run hrun -d husk-test-img sleep 100
	local id=$output
	run husk inspect -f '{{.Name}}' "$id"
	[[ $output =~ ^/[a-z]+_[a-z]+$ ]]
	hrun -d --name taken husk-test-img sleep 100
	run hrun --name taken husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *'Conflict. The container name "/taken" is already in use'* ]]
	run husk inspect -f '{{.Id}}' "${id:0:5}"
	[ "$output" = "$id" ]
	run husk inspect nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"No such object: nosuch"* ]]
}

@test "-e, --env-file, -w, -u, --entrypoint, --hostname are what the container sees" {
	printf 'FROMFILE=yes\n# comment\n' >"$TEST_DIR/env"
	run hrun --rm -e A=1 --env-file "$TEST_DIR/env" -w /tmp -u app --hostname box husk-test-img \
		sh -c 'echo $A $FROMFILE $(pwd) $(id -u) $(hostname)'
	[ "$output" = "1 yes /tmp 1000 box" ]
	run hrun --rm --entrypoint echo husk-test-img via entrypoint
	[ "$output" = "via entrypoint" ]
}

@test "-v: a bind mount seen inside, writes visible on the host, :ro read-only" {
	mkdir "$TEST_DIR/data"
	echo host >"$TEST_DIR/data/in"
	run hrun --rm -v "$TEST_DIR/data:/data" husk-test-img sh -c 'cat /data/in; echo ctr >/data/out'
	[ "$output" = host ]
	[ "$(cat "$TEST_DIR/data/out")" = ctr ]
	run hrun --rm -v "$TEST_DIR/data:/data:ro" husk-test-img sh -c 'echo x >/data/ro'
	[ "$status" -ne 0 ]
	[ ! -e "$TEST_DIR/data/ro" ]
}

@test "--network none sees only lo, host sees the host's, an unknown network is refused" {
	# (the suite runs with HUSK_DEFAULT_NETWORK=none: bridge networking is
	# tested in network.bats, inside network namespaces of its own)
	run hrun --rm husk-test-img ls /sys/class/net
	[ "$output" = lo ]
	run hrun --rm --network none husk-test-img ls /sys/class/net
	[ "$output" = lo ]
	run hrun --rm --network host husk-test-img ls /sys/class/net
	[ "$(echo $output)" = "$(echo $(ls /sys/class/net))" ]
	run hrun --rm --network nowhere husk-test-img true
	[ "$status" -eq 125 ]
	[[ $output == *"network nowhere not found"* ]]
	[ -z "$(husk ps -aq)" ]
}

@test "PID 1 is the command; inspect's .State.Pid is the host pid, in other namespaces" {
	run hrun --rm husk-test-img sh -c 'readlink /proc/1/exe; cat /proc/1/cmdline | tr "\0" " "'
	[[ ${lines[1]} == "sh -c "* ]]
	id=$(hrun -d husk-test-img sleep 100)
	pid=$(husk inspect -f '{{.State.Pid}}' "$id")
	[ "$pid" -gt 1 ]
	[ "$(tr '\0' ' ' </proc/$pid/cmdline)" = "sleep 100 " ]
	for ns in pid net mnt uts ipc; do
		[ "$(readlink /proc/$pid/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ]
	done
	run husk inspect "$id"
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -r '.[0].State.Status' <<<"$output")" = running ]
	[ "$(jq -r '.[0].Config.Image' <<<"$output")" = husk-test-img ]
	[ "$(jq -r '.[0].HostConfig.NetworkMode' <<<"$output")" = none ]
}

@test "a container whose monitor died reads as exited, and rm works" {
	id=$(hrun -d husk-test-img sleep 100)
	pid=$(husk inspect -f '{{.State.Pid}}' "$id")
	# the monitor is the init's parent; kill it (a crash), and the init
	mon=$(awk '{print $4}' /proc/$pid/stat)
	# (husk-supervise while the container runs: husk-monitor exec'd it)
	[ "$(cat /proc/$mon/comm)" = husk-supervise ]
	kill -9 "$mon"
	kill -9 "$pid"
	sleep 0.2
	run husk ps -a
	[[ ${lines[1]} == *"Exited (255)"* ]]
	run husk rm "$id"
	[ "$status" -eq 0 ]
	[ -z "$(husk ps -aq)" ]
}

@test "a create that died before its record, a --rm record a crash emptied: the next create removes them" {
	# what husk leaves between mounting a rootfs and writing the record:
	# the directory, its upper and work dirs, a mount on merged
	local ghost=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	local dir=$TEST_DIR/store/containers/$ghost
	hrun --rm husk-test-img true # the store and its containers dir exist
	mkdir -p "$dir"/{upper,work,merged}
	mount -t tmpfs husk-test-ghost "$dir/merged"
	run husk ps -aq
	[ -z "$output" ]
	hrun --rm husk-test-img true
	[ ! -e "$dir" ]
	! grep -q " $dir/" /proc/self/mountinfo || false
	# a container with a record is not touched
	id=$(hcreate husk-test-img true)
	hrun --rm husk-test-img true
	[ "$(husk ps -aq --no-trunc)" = "$id" ]
	# a --rm container's record is written without fsync: what a crash of
	# the machine can leave of it is an empty file, swept the same way
	rid=$(hcreate --rm husk-test-img true)
	: >"$TEST_DIR/store/containers/$rid/container.json"
	umount "$TEST_DIR/store/containers/$rid/merged"
	hrun --rm husk-test-img true
	[ ! -e "$TEST_DIR/store/containers/$rid" ]
	[ "$(husk ps -aq --no-trunc)" = "$id" ]
}

@test "rmi and image prune keep an image a container uses: stopped (-f untags), running (cannot be forced)" {
	local img cid
	img=$(husk images -q --no-trunc husk-test-img)
	[[ $img == sha256:* ]]
	cid=$(hrun -d --name user husk-test-img sleep 1000)

	# Running: refused, also with -f.
	run husk rmi husk-test-img
	[ "$status" -ne 0 ]
	[[ $output == *"must force"*"container ${cid:0:12} is using its referenced image ${img:7:12}"* ]]
	run husk rmi "$img"
	[ "$status" -ne 0 ]
	[[ $output == *"cannot be forced"*"running container ${cid:0:12}"* ]]
	run husk rmi -f "$img"
	[ "$status" -ne 0 ]
	[[ $output == *"cannot be forced"*"running container ${cid:0:12}"* ]]
	run husk image prune -a -f
	[ "$status" -eq 0 ]
	husk image inspect husk-test-img >/dev/null

	# Stopped: refused without -f; with -f untagged, the image stays.
	husk stop -t 1 user >/dev/null
	run husk rmi "$img"
	[ "$status" -ne 0 ]
	[[ $output == *"must be forced"*"stopped container ${cid:0:12}"* ]]
	run husk rmi -f husk-test-img
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: husk-test-img:latest" ]
	husk image inspect "$img" >/dev/null
	run husk image prune -a -f
	[ "$status" -eq 0 ]
	husk image inspect "$img" >/dev/null

	# Once the container is gone, the image goes.
	husk rm user >/dev/null
	run husk rmi "$img"
	[ "$status" -eq 0 ]
	[[ $output == *"Deleted: $img"* ]]
	run husk image inspect "$img"
	[ "$status" -ne 0 ]
}

@test "exec: in the container's namespaces and cgroup, with -e -u -w -d -dt, exit codes, and not into a stopped one" {
	local cid pid out epid
	cid=$(hrun -d --name ex -e FROM_RUN=run husk-test-img sleep 1000)
	pid=$(husk inspect -f '{{.State.Pid}}' ex)

	# The container's view: its hostname, its environment, its processes.
	run husk exec ex sh -c 'hostname; echo $FROM_RUN; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; id -u; pwd'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "${cid:0:12}" ]
	[ "${lines[1]}" = run ]
	[ "${lines[2]}" = "$(readlink /proc/$pid/ns/pid)" ]
	[ "${lines[3]}" = "$(readlink /proc/$pid/ns/mnt)" ]
	[ "${lines[4]}" = 0 ]
	[ "${lines[5]}" = / ]
	# -e, -u (a name from the image's passwd), -w.
	run husk exec -e ADDED=yes -u app -w /tmp ex sh -c 'echo $ADDED $FROM_RUN; id -u; id -g; pwd'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "yes run" ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = /tmp ]
	run husk exec -u nobody-here ex true
	[ "$status" -ne 0 ]
	[[ $output == *"unable to find user nobody-here"* ]]

	# Exit codes: the command's, 127 for a missing one.
	run husk exec ex sh -c 'exit 9'
	[ "$status" -eq 9 ]
	run husk exec ex no-such-command
	[ "$status" -eq 127 ]

	# -d: the process runs on in the container's cgroup.
	husk exec -d ex sleep 1001
	epid=$(pgrep -f 'sleep 1001' | head -n 1)
	[ -n "$epid" ]
	diff "/proc/$pid/cgroup" "/proc/$epid/cgroup"
	[ "$(readlink /proc/$epid/ns/pid)" = "$(readlink /proc/$pid/ns/pid)" ]

	# -d -t: on a pty of its own, whose output nobody reads; what holds the
	# pty's other end goes when the command has
	husk exec -d -t ex sh -c 'tty >/tmp/tty.txt; seq 100000; echo done >>/tmp/tty.txt; sleep 2'
	for _ in $(seq 50); do husk exec ex grep -q done /tmp/tty.txt && break; sleep 0.1; done
	run husk exec ex cat /tmp/tty.txt
	[[ ${lines[0]} == /dev/pts/* ]]
	[ "${lines[1]}" = done ]
	[ -z "$(ls "$TEST_DIR"/state/monitors/ | grep exec-)" ]

	# Not into a stopped container.
	husk stop -t 1 ex >/dev/null
	run husk exec ex true
	[ "$status" -eq 1 ]
	[[ $output == *"is not running"* ]]
}
