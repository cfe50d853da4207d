#!/usr/bin/env bats
# What the runtime writes to procfs (linux.sysctl, oomScoreAdj, its byte to
# exec.fifo) reaches what it is meant for, and what it reads there to
# decide (the last capability number, whether setgroups is denied) comes
# from the kernel, whatever the container has at /proc (CVE-2025-52881).
# Masked paths and the console are mounted by fd, not through
# /proc/self/fd. The attacks: an image that ships its own /proc with decoys
# in it, for a config that mounts no procfs there; a mount namespace, joined
# by path, with a decoy over /proc/sys; a container that mounts over its own
# /proc before an exec. Values are checked from the host or through a
# procfs the container has elsewhere, and every decoy must be as it was.
# Sysctls are only set in the container's own namespaces.

load ../helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# No procfs on /proc: the image's /proc directory is what the container
# sees there. A real procfs on /realproc to check with.
no_procfs_on_proc() {
	update_config 'del(.mounts[] | select(.destination == "/proc"))'
	add_mount /realproc proc proc nosuid noexec nodev
}

# runc 1.1 cannot run these: it closes fds through the container's
# /proc/self/fd.
NEEDS_PROC="run a container without a procfs on /proc (it lists /proc/self/fd)"

# decoy PATH VALUE: a file at /proc/PATH in the image.
decoy() {
	mkdir -p "$(dirname "$ROOTFS/proc/$1")"
	echo "$2" >"$ROOTFS/proc/$1"
}

# steer_fd_links TARGET: the image's /proc/self/fd/N, for every N a runtime
# may use, are symlinks to TARGET.
steer_fd_links() {
	local n
	mkdir -p "$ROOTFS/proc/self/fd"
	for n in $(seq 0 99); do
		ln -s "$1" "$ROOTFS/proc/self/fd/$n"
	done
}

# own_ns TYPE: the container has a namespace of TYPE of its own, or a sysctl
# test would set the host's.
own_ns() {
	[ "$(jq --arg t "$1" '[.linux.namespaces[] | select(.type == $t and (.path // "") == "")] | length' "$BUNDLE/config.json")" = 1 ]
}

# Only the given capability, in every set.
only_cap() {
	update_config '.process.capabilities = {"bounding": [$c], "effective": [$c], "permitted": [$c]}
		| .process.noNewPrivileges = false' --arg c "$1"
}

@test "linux.sysctl: the image's /proc/sys gets nothing" {
	# husk writes sysctls before pivot_root, where the image's /proc is not
	# in the way even through /proc; this keeps it so. A runtime that
	# writes after pivot_root through /proc, as runc 1.1 does, writes the
	# decoy.
	husk_only "write linux.sysctl through a procfs of its own (it writes through the container's /proc)"
	no_procfs_on_proc
	decoy sys/net/ipv4/ip_default_ttl 64
	own_ns network
	local host_ttl
	host_ttl=$(cat /proc/sys/net/ipv4/ip_default_ttl)
	update_config '.linux.sysctl = {"net.ipv4.ip_default_ttl": "42"}'
	run_container 'cat /realproc/sys/net/ipv4/ip_default_ttl'
	[ "$status" -eq 0 ]
	[ "$output" = 42 ]
	[ "$(cat "$ROOTFS/proc/sys/net/ipv4/ip_default_ttl")" = 64 ]
	[ "$(cat /proc/sys/net/ipv4/ip_default_ttl)" = "$host_ttl" ]
}

@test "linux.sysctl: a decoy over /proc/sys in a mount namespace joined by path gets nothing" {
	# A mount namespace of the test's own, held by a file on a private
	# mount (the kernel refuses to bind an nsfs file onto a shared one),
	# with the decoy over its /proc/sys/kernel/domainname. (A decoy over a
	# net.* sysctl would not do: those files are looked up afresh in each
	# network namespace, so a mount on one is not seen from another.)
	mkdir "$TEST_DIR/ns"
	mount --bind "$TEST_DIR/ns" "$TEST_DIR/ns"
	track_mount "$TEST_DIR/ns"
	mount --make-private "$TEST_DIR/ns"
	touch "$TEST_DIR/ns/mnt"
	echo decoy >"$TEST_DIR/decoy"
	unshare --mount="$TEST_DIR/ns/mnt" --propagation private \
		mount --bind "$TEST_DIR/decoy" /proc/sys/kernel/domainname
	track_mount "$TEST_DIR/ns/mnt"
	add_namespace mount "$TEST_DIR/ns/mnt"
	own_ns uts
	local host_domain
	host_domain=$(cat /proc/sys/kernel/domainname)
	update_config '.linux.sysctl = {"kernel.domainname": "husk-sysctl-test"}'
	run_container 'cat /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	[ "$output" = husk-sysctl-test ]
	[ "$(cat "$TEST_DIR/decoy")" = decoy ]
	[ "$(cat /proc/sys/kernel/domainname)" = "$host_domain" ]
}

@test "oomScoreAdj: the image's /proc/self gets nothing" {
	husk_only "$NEEDS_PROC"
	no_procfs_on_proc
	decoy self/oom_score_adj 0
	update_config '.process.oomScoreAdj = 500'
	run_container 'cat /realproc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 500 ]
	[ "$(cat "$ROOTFS/proc/self/oom_score_adj")" = 0 ]
}

@test "the bounding set: a cap_last_cap of 0 in the image's /proc widens nothing" {
	husk_only "$NEEDS_PROC"
	no_procfs_on_proc
	decoy sys/kernel/cap_last_cap 0
	# Were the decoy believed, nothing above CAP_CHOWN would leave the
	# bounding set, and root's execve of sh would make it all effective.
	only_cap CAP_KILL
	run_container 'grep -E "^Cap(Bnd|Eff):" /realproc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CapEff:	0000000000000020" ]
	[ "${lines[1]}" = "CapBnd:	0000000000000020" ]
	[ "$(cat "$ROOTFS/proc/sys/kernel/cap_last_cap")" = 0 ]
}

@test "supplementary groups: a setgroups \"deny\" in the image's /proc keeps none of the runtime's" {
	husk_only "read /proc/self/setgroups through a procfs of its own (it reads the container's /proc)"
	no_procfs_on_proc
	decoy self/setgroups deny
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	# The runtime runs with a supplementary group the container must not get.
	printf '#!/bin/sh\nexec setpriv --groups 4242 -- %q "$@"\n' "$RUNTIME" >"$TEST_DIR/runtime-4242"
	chmod +x "$TEST_DIR/runtime-4242"
	RUNTIME=$TEST_DIR/runtime-4242 run_container 'grep -E "^Groups:" /realproc/self/status; id -G'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "Groups:" ]
	[ "${lines[1]}" = 1000 ]
}

@test "create: exec.fifo is not reopened through the image's /proc/self/fd" {
	husk_only "$NEEDS_PROC"
	no_procfs_on_proc
	# Were the links followed, the init would write its byte here and run
	# the program at once, before `start`.
	: >"$ROOTFS/decoy"
	steer_fd_links /decoy
	update_config '.linux.maskedPaths = []'
	set_args sh -c 'touch /ran; exec sleep 1000'
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	sleep 0.3
	[ ! -e "$ROOTFS/ran" ]
	[ "$(container_status "$ID")" = created ]
	runtime start "$ID"
	[ "$status" -eq 0 ]
	wait_for test -e "$ROOTFS/ran"
	[ ! -s "$ROOTFS/decoy" ]
}

@test "maskedPaths: masked where they are, not where the image's /proc/self/fd points" {
	husk_only "$NEEDS_PROC"
	no_procfs_on_proc
	mkdir "$ROOTFS/steered"
	echo keep >"$ROOTFS/steered/file"
	echo secret >"$ROOTFS/secret"
	steer_fd_links /steered
	update_config '.linux.maskedPaths = ["/sys/firmware", "/secret"]'
	run_container 'cat /steered/file; cat /secret; echo end; ls -A /sys/firmware | wc -l
		awk "\$5 == \"/sys/firmware\" {sub(/.* - /, \"\"); print \$1}" /realproc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = keep ]
	[ "${lines[1]}" = end ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = tmpfs ]
}

@test "terminal: the pty goes onto /dev/console, not where the image's /proc/self/fd points" {
	husk_only "$NEEDS_PROC"
	command -v python3 >/dev/null || skip "needs python3"
	no_procfs_on_proc
	echo untouched >"$ROOTFS/target"
	steer_fd_links /target
	update_config '.linux.maskedPaths = []'
	update_config '.process.terminal = true'
	set_args sh -c 'cat /target; stat -c "%F %t" /dev/console'
	python3 "$BATS_TEST_DIRNAME/../recvtty.py" "$TEST_DIR/console.sock" "$TEST_DIR/tty.out" \
		</dev/null >"$TEST_DIR/recvtty.log" 2>&1 3>&- &
	local recv=$!
	track_pid "$recv"
	wait_for test -S "$TEST_DIR/console.sock"
	runtime run --detach --console-socket "$TEST_DIR/console.sock" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	wait "$recv"
	run tr -d '\r' <"$TEST_DIR/tty.out"
	[ "${lines[0]}" = untouched ]
	[ "${lines[1]}" = "character special file 88" ]
}

# exec: the container's processes may mount over its /proc (here with
# CAP_SYS_ADMIN), and exec's process has to live with it.
with_sys_admin() {
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
}

# exec_detached JQ: exec `sleep` as described by JQ (a process.json), pid
# in $EXEC_PID.
exec_detached() {
	jq -n "{args: [\"sleep\", \"1000\"], cwd: \"/\", env: [\"PATH=/bin\"], user: {uid: 0, gid: 0}} + $1" \
		>"$TEST_DIR/process.json"
	runtime exec --detach --pid-file "$TEST_DIR/exec.pid" --process "$TEST_DIR/process.json" "$ID"
	[ "$status" -eq 0 ]
	EXEC_PID=$(cat "$TEST_DIR/exec.pid")
	track_pid "$EXEC_PID"
}

@test "exec: a cap_last_cap of 0 the container bound over its /proc widens nothing" {
	husk_only "ask the kernel for the last capability in exec (it reads the container's /proc/sys/kernel/cap_last_cap)"
	with_sys_admin
	set_args sh -c 'echo 0 >/cap && mount --bind /cap /proc/sys/kernel/cap_last_cap && touch /ready && exec sleep 1000'
	start_detached
	wait_for test -e "$ROOTFS/ready"
	exec_detached '{noNewPrivileges: false,
		capabilities: {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}}'
	[ "$(awk '/^CapBnd:/ {print $2}' "/proc/$EXEC_PID/status")" = 0000000000000020 ]
	[ "$(awk '/^CapEff:/ {print $2}' "/proc/$EXEC_PID/status")" = 0000000000000020 ]
}

@test "exec: oomScoreAdj does not go to a /proc the container made itself" {
	husk_only "$NEEDS_PROC"
	with_sys_admin
	set_args sh -c 'mkdir -p /fake/self && echo 0 >/fake/self/oom_score_adj &&
		mount --bind /fake /proc && touch /ready && exec sleep 1000'
	start_detached
	wait_for test -e "$ROOTFS/ready"
	exec_detached '{oomScoreAdj: 500}'
	[ "$(cat "/proc/$EXEC_PID/oom_score_adj")" = 500 ]
	[ "$(cat "$ROOTFS/fake/self/oom_score_adj")" = 0 ]
}
