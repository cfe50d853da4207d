#!/usr/bin/env bats
# The container's filesystem and process attributes, as the container sees
# them: mounts, /dev, masked and read-only paths, cwd, env, user, umask,
# rlimits, oom_score_adj, sysctls.

load helpers

# mount_line MOUNTPOINT: the mountinfo line of MOUNTPOINT in $output (the
# last one: a later mount on the same point hides earlier ones).
mount_line() { awk -v m="$1" '$5 == m' <<<"$output" | tail -1; }
# Per-mount options (field 6) and filesystem type (after " - ").
mount_opts() { mount_line "$1" | awk '{print $6}'; }
mount_fstype() { mount_line "$1" | sed 's/.* - //' | awk '{print $1}'; }
mount_superopts() { mount_line "$1" | sed 's/.* - //' | awk '{print $3}'; }
has_opt() { [[ ,$1, == *,$2,* ]]; }

@test "proc and sysfs are mounted" {
	run_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "$(mount_fstype /proc)" = proc ]
	[ "$(mount_fstype /sys)" = sysfs ]
	# The container's proc: its own pid namespace.
	run_container 'ls /proc | grep -c "^[0-9]"'
	[ "$output" -le 4 ]
}

@test "the rootfs is /, and the host's mounts are not visible" {
	run_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ -n "$(mount_line /)" ]
	# Nothing mounted at a host path outside the rootfs.
	! awk '{print $5}' <<<"$output" | grep -q "^$TEST_DIR" || false
	! awk '{print $5}' <<<"$output" | grep -qx /mnt/sandboxing || false
}

@test "tmpfs with size and mode" {
	add_mount /mnt/t tmpfs tmpfs size=1024k mode=1750 nosuid
	run_container 'stat -c %a /mnt/t; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1750 ]
	[ "$(mount_fstype /mnt/t)" = tmpfs ]
	has_opt "$(mount_superopts /mnt/t)" size=1024k
	has_opt "$(mount_superopts /mnt/t)" mode=1750
	has_opt "$(mount_opts /mnt/t)" nosuid
}

@test "bind mounts: rw is writable from both sides, ro is not" {
	mkdir "$TEST_DIR/rw" "$TEST_DIR/ro"
	echo from-host >"$TEST_DIR/rw/host-file"
	echo from-host >"$TEST_DIR/ro/host-file"
	add_mount /data-rw bind "$TEST_DIR/rw" bind rw
	add_mount /data-ro bind "$TEST_DIR/ro" bind ro
	run_container 'cat /data-rw/host-file; echo inside > /data-rw/new; touch /data-ro/new && echo ro-writable; cat /data-ro/host-file; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-host ]
	[ "${lines[1]}" = from-host ]
	[ "$(cat "$TEST_DIR/rw/new")" = inside ]
	[ ! -e "$TEST_DIR/ro/new" ]
	[[ "$output" != *ro-writable* ]]
	has_opt "$(mount_opts /data-ro)" ro
	has_opt "$(mount_opts /data-rw)" rw
}

@test "bind mount of a single file" {
	echo file-content >"$TEST_DIR/one-file"
	add_mount /etc/one-file bind "$TEST_DIR/one-file" bind ro
	run_container 'cat /etc/one-file'
	[ "$status" -eq 0 ]
	[ "$output" = file-content ]
}

@test "rbind carries submounts, bind does not" {
	mkdir -p "$TEST_DIR/src/sub"
	mount -t tmpfs husk-test-tmpfs "$TEST_DIR/src/sub"
	track_mount "$TEST_DIR/src/sub"
	echo in-submount >"$TEST_DIR/src/sub/file"
	add_mount /r bind "$TEST_DIR/src" rbind rw
	add_mount /b bind "$TEST_DIR/src" bind rw
	run_container 'cat /r/sub/file; ls /b/sub | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in-submount ]
	[ "${lines[1]}" = 0 ]
}

@test "nosuid, nodev, noexec are applied" {
	add_mount /mnt/x tmpfs tmpfs nosuid nodev noexec
	add_mount /mnt/y tmpfs tmpfs exec
	run_container 'cat /proc/self/mountinfo; cp /bin/busybox /mnt/x/true; cp /bin/busybox /mnt/y/true; /mnt/y/true && echo exec-ok; /mnt/x/true && echo noexec-broken; true'
	[ "$status" -eq 0 ]
	local o
	o=$(mount_opts /mnt/x)
	has_opt "$o" nosuid
	has_opt "$o" nodev
	has_opt "$o" noexec
	! has_opt "$(mount_opts /mnt/y)" noexec || false
	[[ "$output" == *exec-ok* ]]
	[[ "$output" != *noexec-broken* ]]
}

@test "bind mount options nosuid,nodev,noexec,ro on a bind" {
	mkdir "$TEST_DIR/opts"
	add_mount /mnt/opts bind "$TEST_DIR/opts" rbind nosuid nodev noexec ro
	run_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	local o
	o=$(mount_opts /mnt/opts)
	for f in nosuid nodev noexec ro; do
		has_opt "$o" "$f"
	done
}

@test "root.readonly makes / read-only" {
	update_config '.root.readonly = true'
	run_container 'touch /new-file && echo writable; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" != *writable* ]]
	has_opt "$(mount_opts /)" ro
	[ ! -e "$ROOTFS/new-file" ]
}

@test "root.readonly=false leaves / writable" {
	run_container 'touch /new-file && echo writable'
	[ "$status" -eq 0 ]
	[ "$output" = writable ]
	[ -e "$ROOTFS/new-file" ]
}

@test "maskedPaths hide files and directories" {
	mkdir -p "$ROOTFS/masked-dir"
	echo secret >"$ROOTFS/masked-dir/secret"
	echo secret >"$ROOTFS/masked-file"
	update_config '.linux.maskedPaths = ["/proc/kcore", "/proc/keys", "/masked-dir", "/masked-file", "/no/such/path"]'
	run_container 'wc -c < /masked-file; ls -A /masked-dir | wc -l; echo x > /masked-dir/y && echo dir-writable; for f in /proc/kcore /proc/keys; do if [ -e $f ]; then echo "$f $(wc -c < $f)"; fi; done; true'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[[ "$output" != *dir-writable* ]]
	# /proc/kcore (when the kernel has one) and /proc/keys read empty.
	for f in /proc/kcore /proc/keys; do
		if [ -e "$f" ]; then
			grep -qx "$f 0" <<<"$output"
		fi
	done
	# The files themselves are untouched.
	[ "$(cat "$ROOTFS/masked-dir/secret")" = secret ]
	[ "$(cat "$ROOTFS/masked-file")" = secret ]
}

@test "readonlyPaths make /proc/sys read-only" {
	add_namespace uts
	update_config '.linux.readonlyPaths = ["/proc/sys"] | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run_container 'echo husk-test-changed > /proc/sys/kernel/hostname && echo written; hostname; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" != *written* ]]
	[ "${lines[0]}" = husk-test ]
	has_opt "$(mount_opts /proc/sys)" ro
}

@test "without readonlyPaths /proc/sys/kernel/hostname is writable (control)" {
	add_namespace uts
	update_config '.linux.readonlyPaths = [] | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run_container 'echo husk-test-changed > /proc/sys/kernel/hostname && hostname'
	[ "$status" -eq 0 ]
	[ "$output" = husk-test-changed ]
	[ "$(hostname)" != husk-test-changed ]
}

# propagation_probe PROPAGATION: run a container with rootfsPropagation
# PROPAGATION on a rootfs that is a shared mount on the host, mount a tmpfs
# under the rootfs on the host, and print what the container sees there.
propagation_probe() {
	local id b pid
	id=$(new_id)
	b=$(new_bundle "$id")
	mkdir -p "$ROOTFS/mnt/late-$1"
	CONFIG=$b/config.json update_config '.linux.rootfsPropagation = $p' --arg p "$1"
	CONFIG=$b/config.json set_args sleep 4242
	start_detached "$id" "$b"
	pid=$(container_pid "$id")
	mount -t tmpfs husk-test-late "$ROOTFS/mnt/late-$1"
	track_mount "$ROOTFS/mnt/late-$1"
	echo late >"$ROOTFS/mnt/late-$1/file"
	sleep 0.1
	awk -v m="/mnt/late-$1" '$5 == m' "/proc/$pid/mountinfo"
}

@test "rootfsPropagation rslave: host mounts under the rootfs appear inside; private: they do not" {
	mount --bind "$ROOTFS" "$ROOTFS"
	track_mount "$ROOTFS"
	mount --make-private "$ROOTFS"
	mount --make-shared "$ROOTFS"

	propagation_probe rslave >"$TEST_DIR/rslave"
	grep -q husk-test-late "$TEST_DIR/rslave"
	grep -q master: "$TEST_DIR/rslave"

	propagation_probe rprivate >"$TEST_DIR/rprivate"
	[ ! -s "$TEST_DIR/rprivate" ]
}

@test "rootfsPropagation shared: / is a shared mount inside" {
	husk_only "make / shared for rootfsPropagation=shared (fixed in runc 1.2)"
	update_config '.linux.rootfsPropagation = "shared"'
	run_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /)" == *" shared:"* ]]
}

@test "the container's mounts do not propagate to the host" {
	add_mount /mnt/t tmpfs husk-test-noprop size=64k
	set_args sleep 4242
	start_detached
	# The host has no new mount of that source.
	! grep -q husk-test-noprop /proc/self/mountinfo || false
	[ -z "$(test_mounts)" ]
}

@test "rootfsPropagation rshared: an rshared bind stays a peer of its host mount; the container's own mounts stay inside" {
	# the rootfs and the bind's source are both shared mounts on the host
	local src=$TEST_DIR/src pid
	mount --bind "$ROOTFS" "$ROOTFS"
	track_mount "$ROOTFS"
	mount --make-private "$ROOTFS"
	mount --make-shared "$ROOTFS"
	mkdir -p "$src/sub" "$ROOTFS/mnt/vol"
	mount --bind "$src" "$src"
	track_mount "$src"
	mount --make-private "$src"
	mount --make-shared "$src"
	update_config '.linux.rootfsPropagation = "rshared"'
	add_mount /mnt/vol bind "$src" rbind,rshared
	add_mount /mnt/t tmpfs husk-test-noprop size=64k
	set_args sleep 4242
	start_detached
	pid=$(container_pid "$ID")
	nsenter -t "$pid" -m mount -t tmpfs husk-test-inside /mnt/vol/sub
	track_mount "$src/sub"
	# the mount made inside the shared volume reaches the host's source...
	grep -q " $src/sub .* husk-test-inside " /proc/self/mountinfo
	# ...and nothing else of the container's (its /proc, /dev, tmpfs) does
	! grep -q husk-test-noprop /proc/self/mountinfo || false
	[ -z "$(test_mounts | grep -v -e " $ROOTFS " -e " $src " -e " $src/sub ")" ]
}

@test "/dev has the standard devices" {
	run_container 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done; readlink /dev/fd; readlink /dev/stdin; readlink /dev/ptmx; test -d /dev/pts && echo pts-dir; test -d /dev/shm && echo shm-dir; head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok'
	[ "$status" -eq 0 ]
	for want in "/dev/null character special file 1:3" \
		"/dev/zero character special file 1:5" \
		"/dev/full character special file 1:7" \
		"/dev/random character special file 1:8" \
		"/dev/urandom character special file 1:9" \
		"/dev/tty character special file 5:0"; do
		grep -qxF "$want" <<<"$output" || {
			echo "missing: $want" >&2
			false
		}
	done
	grep -qx /proc/self/fd <<<"$output"
	grep -qx /proc/self/fd/0 <<<"$output"
	grep -qx pts/ptmx <<<"$output"
	grep -qx pts-dir <<<"$output"
	grep -qx shm-dir <<<"$output"
	grep -qx 4 <<<"$output"
	grep -qx null-ok <<<"$output"
}

@test "/dev does not expose the host's devices" {
	run_container 'ls /dev'
	[ "$status" -eq 0 ]
	! grep -qx vda <<<"$output" || false
	! grep -qx mem <<<"$output" || false
	! grep -qx kmsg <<<"$output" || false
}

@test "linux.devices creates a node with the right type, numbers, mode and owner" {
	update_config '.linux.devices = [{"path": "/dev/husk-full", "type": "c", "major": 1, "minor": 7, "fileMode": 438, "uid": 1000, "gid": 1000}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 7, "access": "rwm"}]'
	run_container 'stat -c "%F %t:%T %a %u:%g" /dev/husk-full; head -c 3 /dev/husk-full | wc -c; echo x > /dev/husk-full || echo write-failed'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:7 666 1000:1000" ]
	[ "${lines[1]}" = 3 ]
	# /dev/full: ENOSPC on write.
	[ "${lines[2]}" = write-failed ]
}

@test "process.cwd is honoured" {
	update_config '.process.cwd = "/etc"'
	run_container 'pwd'
	[ "$status" -eq 0 ]
	[ "$output" = /etc ]
}

@test "process.env is honoured and nothing of the host leaks in" {
	update_config '.process.env = ["PATH=/bin", "HUSK_A=a value with spaces", "HUSK_EMPTY="]'
	HUSK_HOST_ONLY=leak run_container 'env'
	[ "$status" -eq 0 ]
	grep -qx 'HUSK_A=a value with spaces' <<<"$output"
	grep -qx 'HUSK_EMPTY=' <<<"$output"
	grep -qx 'PATH=/bin' <<<"$output"
	! grep -q HUSK_HOST_ONLY <<<"$output" || false
}

@test "process.user uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 2000]}'
	run_container 'id -u; id -g; id -G; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	local groups=" ${lines[2]} "
	[[ "$groups" == *" 10 "* ]]
	[[ "$groups" == *" 2000 "* ]]
	grep -Eq '^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$' <<<"$output"
	# The host agrees.
	set_args sleep 4242
	local id2 b2
	id2=$(new_id)
	b2=$(new_bundle "$id2")
	start_detached "$id2" "$b2"
	pid=$(container_pid "$id2")
	wait_for eval '[ "$(proc_cmdline "$pid")" = "sleep 4242" ]'
	[ "$(stat -c %u:%g "/proc/$pid")" = 1000:1000 ]
}

@test "a non-root user gets no capabilities" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_container 'grep -E "^Cap(Eff|Prm)" /proc/self/status'
	[ "$status" -eq 0 ]
	grep -Eq '^CapEff:[[:space:]]+0+$' <<<"$output"
}

@test "capabilities: the effective set is what the config asks for" {
	update_config '.process.capabilities = {"bounding": ["CAP_NET_ADMIN", "CAP_KILL"], "effective": ["CAP_NET_ADMIN", "CAP_KILL"], "permitted": ["CAP_NET_ADMIN", "CAP_KILL"]}'
	run_container 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
	[ "$status" -eq 0 ]
	# CAP_KILL is bit 5, CAP_NET_ADMIN bit 12: 0x1020.
	grep -Eq '^CapEff:[[:space:]]+0+1020$' <<<"$output"
	grep -Eq '^CapBnd:[[:space:]]+0+1020$' <<<"$output"
}

@test "process.user.umask" {
	update_config '.process.user.umask = 63'
	run_container 'umask; touch /tmp/f; stat -c %a /tmp/f'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0077 ]
	[ "${lines[1]}" = 600 ]
}

@test "rlimits: RLIMIT_NOFILE" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1000, "hard": 4096}]'
	run_container 'ulimit -n; grep "Max open files" /proc/self/limits'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	grep -Eq 'Max open files +1000 +4096 +files' <<<"$output"
}

@test "oomScoreAdj" {
	update_config '.process.oomScoreAdj = 500'
	run_container 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 500 ]
}

@test "noNewPrivileges" {
	update_config '.process.noNewPrivileges = true'
	run_container 'grep NoNewPrivs /proc/self/status'
	[ "$status" -eq 0 ]
	grep -Eq 'NoNewPrivs:[[:space:]]+1' <<<"$output"
}

@test "sysctl in a new network namespace, not on the host" {
	local host_value
	host_value=$(cat /proc/sys/net/ipv4/ip_forward)
	add_namespace network
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.ping_group_range": "0 0"}'
	run_container 'cat /proc/sys/net/ipv4/ip_forward; cat /proc/sys/net/ipv4/ping_group_range'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "$(echo ${lines[1]})" = "0 0" ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_value" ]
}

@test "a sysctl of the host's network namespace is refused" {
	remove_namespace network
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	local host_value
	host_value=$(cat /proc/sys/net/ipv4/ip_forward)
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_value" ]
	assert_no_trace "$ID"
}
