#!/usr/bin/env bats
# /dev setup and masking cannot be turned against the host: a /dev symlink in
# the image stays inside the rootfs, and masking binds /dev/null only once it
# has checked that it is the null device (CVE-2025-31133: a /dev/null
# swapped for a symlink made runc bind a writable procfs file instead).

load ../helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "a /dev symlink in the image pointing at a host path stays in the rootfs" {
	husk_only "keep /dev setup off the host path an image's /dev symlink names (runc 1.1.5 makes nodes there)"
	mkdir "$TEST_DIR/hostdev"
	rmdir "$ROOTFS/dev" 2>/dev/null || rm -rf "${ROOTFS:?}/dev"
	ln -s "../../../../../../../../../..$TEST_DIR/hostdev" "$ROOTFS/dev"
	run_container 'ls /dev/null && readlink -f /dev'
	# Whatever the runtime makes of it, the host directory gets nothing:
	# no device node, no mount.
	[ -z "$(ls -A "$TEST_DIR/hostdev")" ]
	[ -z "$(awk -v d="$TEST_DIR/hostdev" '$5 == d' /proc/self/mountinfo)" ]
}

# A /dev of the test's own, bind-mounted, in which `null` is not the null
# device: the runtime leaves a bound /dev alone, so masking finds it as is.
bound_dev_with_null() {
	mkdir "$TEST_DIR/dev"
	"$@"
	update_config '(.mounts[] | select(.destination == "/dev")) |= {"destination": "/dev", "type": "bind", "source": $s, "options": ["rbind"]}' \
		--arg s "$TEST_DIR/dev"
	update_config 'del(.mounts[] | select(.destination | startswith("/dev/")))'
	# a file to mask (procfs has it)
	update_config '.linux.maskedPaths = ["/proc/kcore", "/proc/timer_list"]'
}

@test "masking refuses a /dev/null that is a regular file" {
	husk_only "check /dev/null before masking (CVE-2025-31133 came after runc 1.1)"
	bound_dev_with_null sh -c "echo secret >'$TEST_DIR/dev/null'"
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	is_runc || [[ $output == *"/dev/null in the container is not the null device (1:3)"* ]]
	assert_no_trace "$ID"
}

@test "masking refuses a /dev/null that is a symlink, and binds nothing through it" {
	husk_only "check /dev/null before masking (CVE-2025-31133 came after runc 1.1)"
	echo "do not bind me" >"$TEST_DIR/target"
	cp "$TEST_DIR/target" "$ROOTFS/target"
	bound_dev_with_null ln -s /target "$TEST_DIR/dev/null"
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	is_runc || [[ $output == *"/dev/null in the container is not the null device (1:3): a symlink"* ]]
	assert_no_trace "$ID"
}

@test "with the real null device, masked files read empty" {
	update_config '.linux.maskedPaths = ["/proc/kcore", "/proc/timer_list"]'
	run_container 'wc -c </proc/timer_list; stat -c %t:%T /proc/timer_list'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 1:3 ]
}
