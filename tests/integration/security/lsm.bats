#!/usr/bin/env bats
# LSM labels: process.apparmorProfile, process.selinuxLabel and
# linux.mountLabel on a host without the LSM are refused before anything is
# made, with an error naming the field (runc fails too: late, at the
# init's write or mount). A container must not run unconfined because its
# label could not be applied.
#
# This machine has neither AppArmor nor SELinux; where one is enabled the
# test for it is skipped. security/lsm-vm.bats applies an AppArmor profile
# on a kernel that has AppArmor, booted under qemu.

load ../helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

no_apparmor() {
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) != Y ]] || skip "AppArmor is enabled here"
}
no_selinux() {
	[[ $(stat -f -c %T /sys/fs/selinux 2>/dev/null) != selinux ]] || skip "SELinux is enabled here"
}

# refused_label 'JQ EXPR' FIELD LSM: the config with that label does not
# run, the error names the field and the missing LSM, nothing is left.
refused_label() {
	update_config "$1"
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	if ! is_runc; then
		[[ $output == *"$2"*"$3 is not enabled"* ]]
	fi
	assert_no_trace "$ID"
}

@test "an AppArmor profile on a host without AppArmor: refused, nothing made" {
	no_apparmor
	refused_label '.process.apparmorProfile = "husk-test-profile"' process.apparmorProfile AppArmor
}

@test "an SELinux process label on a host without SELinux: refused, nothing made" {
	no_selinux
	refused_label '.process.selinuxLabel = "system_u:system_r:container_t:s0"' process.selinuxLabel SELinux
}

@test "an SELinux mount label on a host without SELinux: refused, nothing made" {
	no_selinux
	refused_label '.linux.mountLabel = "system_u:object_r:container_file_t:s0"' linux.mountLabel SELinux
}

@test "exec with an AppArmor profile on a host without AppArmor: refused, the container runs on" {
	no_apparmor
	set_args sleep 1000
	start_detached
	jq '.process | .args = ["true"] | .apparmorProfile = "husk-test-profile"' "$BUNDLE/config.json" >"$TEST_DIR/process.json"
	runtime exec --process "$TEST_DIR/process.json" "$ID"
	[ "$status" -ne 0 ]
	if ! is_runc; then
		[[ $output == *"apparmorProfile"*"AppArmor is not enabled"* ]]
	fi
	[ "$(container_status "$ID")" = running ]
	# Without the label the same exec works.
	runtime exec "$ID" true
	[ "$status" -eq 0 ]
}
