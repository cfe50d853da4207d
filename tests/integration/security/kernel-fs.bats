#!/usr/bin/env bats
# procfs and sysfs only as what they are, where they belong: a symlinked or
# file /proc or /sys in the image, or another filesystem over /proc or
# below it (written so, or reached through a symlink in the image), is
# refused (CVE-2019-16884, CVE-2019-19921, CVE-2023-27561, CVE-2023-28642),
# and the host's mount table does not change.

load ../helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# refused 'WHAT': run fails naming WHAT, and leaves no trace.
refused() {
	local before
	before=$(wc -l </proc/self/mountinfo)
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	is_runc || [[ $output == *"$1"* ]] || {
		echo "wanted an error about: $1" >&2
		return 1
	}
	[ "$(wc -l </proc/self/mountinfo)" = "$before" ]
	assert_no_trace "$ID"
}

@test "a /proc symlink in the image is refused, even one that stays in the rootfs" {
	rmdir "$ROOTFS/proc"
	ln -s /etc "$ROOTFS/proc"
	refused "proc cannot be mounted on /proc: it is a symlink in the rootfs"
	# Nothing was mounted on the directory it points to.
	[ -z "$(awk -v d="$ROOTFS/etc" '$5 == d' /proc/self/mountinfo)" ]
}

@test "a /sys symlink to the host's path is refused" {
	rmdir "$ROOTFS/sys"
	ln -s ../../../../../../../../sys "$ROOTFS/sys"
	refused "sysfs cannot be mounted on /sys: it is a symlink in the rootfs"
}

@test "a /proc that is a file is refused" {
	rmdir "$ROOTFS/proc"
	echo nope >"$ROOTFS/proc"
	refused "proc cannot be mounted on /proc: it is a file in the rootfs"
}

@test "nothing but procfs goes onto /proc" {
	mkdir "$TEST_DIR/fakeproc"
	update_config '(.mounts[] | select(.destination == "/proc")) |= {"destination": "/proc", "type": "bind", "source": $s, "options": ["rbind"]}' \
		--arg s "$TEST_DIR/fakeproc"
	refused "only a procfs may be mounted on /proc"
}

@test "a volume below /proc is refused; the files lxcfs emulates may be bound" {
	mkdir "$TEST_DIR/sysdir"
	add_mount /proc/sys bind "$TEST_DIR/sysdir" rbind
	refused "/proc/sys is inside /proc"

	# lxcfs-style: a file over /proc/meminfo.
	update_config 'del(.mounts[] | select(.destination == "/proc/sys"))'
	echo "MemTotal: 42 kB" >"$TEST_DIR/meminfo"
	add_mount /proc/meminfo bind "$TEST_DIR/meminfo" bind ro
	run_container 'cat /proc/meminfo'
	[ "$status" -eq 0 ]
	[ "$output" = "MemTotal: 42 kB" ]
}

@test "a volume that reaches /proc through a symlink in the image is refused" {
	# Were it mounted, the container's /proc would lie about the kernel's
	# last capability to whatever reads it there.
	ln -s proc "$ROOTFS/p"
	echo 0 >"$TEST_DIR/cap_last_cap"
	add_mount /p/sys/kernel/cap_last_cap bind "$TEST_DIR/cap_last_cap" bind
	refused "/p/sys/kernel/cap_last_cap is on procfs"

	update_config 'del(.mounts[] | select(.destination == "/p/sys/kernel/cap_last_cap"))'
	mkdir "$TEST_DIR/sysdir"
	add_mount /p/sys bind "$TEST_DIR/sysdir" rbind
	refused "/p/sys is on procfs"
}
