#!/usr/bin/env bats
# The runtime does not look things up through whatever the container has at
# /proc: masked paths and the console are mounted by fd, not through
# /proc/self/fd, which with no procfs mounted on /proc is the image's own
# directory of symlinks.

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

# steer_fd_links TARGET: the image's /proc/self/fd/N, for every N a runtime
# may use, are symlinks to TARGET.
steer_fd_links() {
	local n
	mkdir -p "$ROOTFS/proc/self/fd"
	for n in $(seq 0 99); do
		ln -s "$1" "$ROOTFS/proc/self/fd/$n"
	done
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
