#!/usr/bin/env bats
# Namespaces: what the container and the host see in /proc/*/ns.

load helpers

# ns_inodes: "type inode" lines for the given /proc/self/ns entries, as the
# container prints them.
ns_script='for n in cgroup ipc mnt net pid uts user; do echo "$n $(readlink /proc/self/ns/$n)"; done'

host_ns() { readlink "/proc/self/ns/$1"; }
container_ns() { awk -v n="$1" '$1 == n {print $2}' <<<"$output"; }

@test "each new namespace differs from the host's" {
	for t in pid network ipc uts mount cgroup; do
		add_namespace "$t"
	done
	run_container "$ns_script"
	[ "$status" -eq 0 ]
	for n in cgroup ipc mnt net pid uts; do
		[ -n "$(container_ns $n)" ]
		[ "$(container_ns $n)" != "$(host_ns $n)" ] || {
			echo "$n namespace is the host's" >&2
			false
		}
	done
	# No user namespace was asked for.
	[ "$(container_ns user)" = "$(host_ns user)" ]
}

@test "a namespace left out of the config is the host's" {
	for t in network ipc uts cgroup; do
		remove_namespace "$t"
	done
	update_config 'del(.hostname)'
	run_container "$ns_script"
	[ "$status" -eq 0 ]
	for n in cgroup ipc net uts; do
		[ "$(container_ns $n)" = "$(host_ns $n)" ] || {
			echo "$n namespace is not the host's" >&2
			false
		}
	done
	[ "$(container_ns mnt)" != "$(host_ns mnt)" ]
	[ "$(container_ns pid)" != "$(host_ns pid)" ]
}

@test "a network namespace joined by path (/proc/PID/ns/net) is the same" {
	unshare --net sleep 4246 </dev/null >/dev/null 2>&1 3>&- &
	local holder=$!
	disown "$holder"
	track_pid "$holder"
	wait_for eval '[ "$(ns_of "$holder" net)" != "$(host_ns net)" ]'
	add_namespace network "/proc/$holder/ns/net"
	run_container 'readlink /proc/self/ns/net; ip -o link show | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(ns_of "$holder" net)" ]
	# Only the loopback of the new namespace.
	[ "${lines[1]}" -eq 1 ]
}

@test "a network namespace joined by path (ip netns) is the same" {
	local ns=husk-test-$$-$RANDOM
	ip netns add "$ns"
	track_netns "$ns"
	ip netns exec "$ns" ip link set lo up
	local want
	want=$(ip netns exec "$ns" readlink /proc/self/ns/net)
	add_namespace network "/run/netns/$ns"
	run_container 'readlink /proc/self/ns/net; cat /sys/class/net/lo/operstate'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want" ]
	# The namespace's own state (lo is up) shows through.
	[ "${lines[1]}" = unknown ] || [ "${lines[1]}" = up ]
}

@test "joining a namespace path that does not exist fails" {
	add_namespace network "$TEST_DIR/no-such-netns"
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "hostname is set in the new uts namespace only" {
	local before
	before=$(hostname)
	add_namespace uts
	update_config '.hostname = "husk-test-host"'
	run_container 'hostname; cat /proc/sys/kernel/hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = husk-test-host ]
	[ "${lines[1]}" = husk-test-host ]
	[ "$(hostname)" = "$before" ]
}

@test "domainname is set" {
	husk_only "set domainname (runc 1.1 ignores it)"
	add_namespace uts
	update_config '.domainname = "husk-test.example"'
	run_container 'cat /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	[ "$output" = husk-test.example ]
}

@test "pid 1 inside is the user process" {
	add_namespace pid
	run_container 'echo $$; tr "\0" " " < /proc/1/cmdline; echo; ls /proc | grep -c "^[0-9]"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[[ "${lines[1]}" == "sh -c echo"* ]]
	# sh, ls and grep: nothing of the host.
	[ "${lines[2]}" -le 4 ]
}

@test "the host sees the container's pid 1 with NSpid" {
	add_namespace pid
	set_args sleep 4242
	start_detached
	pid=$(container_pid "$ID")
	grep -E "^NSpid:[[:space:]]+$pid[[:space:]]+1$" "/proc/$pid/status"
}

@test "cgroup namespace: the container sees its cgroup as /" {
	add_namespace cgroup
	run_container 'cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	# Every hierarchy's path is the namespace root.
	[ -z "$(awk -F: '$3 != "/"' <<<"$output")" ]
}

@test "user namespace with uid and gid mappings" {
	add_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	mkdir "$TEST_DIR/out"
	chown 100000:100000 "$TEST_DIR/out"
	# Root in the container cannot create it in a rootfs owned by host root.
	mkdir "$ROOTFS/out"
	add_mount /out bind "$TEST_DIR/out" rbind rw
	run_container 'cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user; touch /out/made-inside'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "$(echo ${lines[1]})" = "0 100000 65536" ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" != "$(host_ns user)" ]
	# Root inside is uid 100000 on the host.
	[ "$(stat -c %u:%g "$TEST_DIR/out/made-inside")" = 100000:100000 ]
}

@test "user namespace: process.oomScoreAdj is applied" {
	add_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.oomScoreAdj = 321'
	run_container 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 321 ]
}

@test "user namespace: exec with process.oomScoreAdj" {
	add_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	set_args sleep 4243
	start_detached
	jq '.process | .args = ["cat", "/proc/self/oom_score_adj"] | .oomScoreAdj = 654' \
		"$BUNDLE/config.json" >"$TEST_DIR/process.json"
	runtime exec --process "$TEST_DIR/process.json" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 654 ]
	# The container's init keeps its own.
	[ "$(cat "/proc/$(container_pid "$ID")/oom_score_adj")" = 0 ]
}

@test "time namespace offsets" {
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	husk_only "support time namespaces (runc 1.1)"
	add_namespace time
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}, "boottime": {"secs": 172800, "nanosecs": 0}}'
	run_container 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time'
	[ "$status" -eq 0 ]
	[[ "$output" == *"monotonic"*"86400"* ]]
	grep -Eq '^boottime +172800 +0$' <<<"$output"
	local host_uptime
	host_uptime=$(cut -d. -f1 /proc/uptime)
	[ "${lines[2]}" -ge $((host_uptime + 172800 - 5)) ]
	[ "${lines[3]}" != "$(host_ns time)" ]
}

@test "without a mount namespace the container shares the caller's, which keeps its root" {
	# The caller here is a private mount namespace made for the test, so
	# the container's mounts (made in the caller's namespace, as the spec
	# says for a namespace left out) vanish with it.
	remove_namespace mount
	update_config '.mounts = [.mounts[] | select(.destination == "/proc")] | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
	set_args sh -c 'readlink /proc/self/ns/mnt; ls /'
	run timeout -k 5 "$HUSK_TEST_TIMEOUT" unshare -m --propagation private sh -c '
		readlink /proc/self/ns/mnt
		"$1" --root "$2" run --bundle "$3" "$4" </dev/null 3>&- || echo "run failed: $?"
		# the caller still has its own root: pivot_root was not used
		[ -d /proc/1 ] && stat -c %i / ' sh "$RUNTIME" "$ROOT" "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ $output != *"run failed"* ]]
	# the container's mount namespace is the caller's
	[ "${lines[0]}" = "${lines[1]}" ]
	# it sees its rootfs (busybox's /bin), chrooted
	[[ $output == *bin* ]]
	# and the caller's root is still the host's root inode
	[ "${lines[-1]}" = "$(stat -c %i /)" ]
	# nothing leaked into the test's own mount namespace
	! grep -q "$BUNDLE" /proc/self/mountinfo || false
}
