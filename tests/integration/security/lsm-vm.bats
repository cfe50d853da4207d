#!/usr/bin/env bats
# LSM labels applied, on kernels with an LSM enabled.
#
# The hosts here run kernels without an LSM (security/lsm.bats checks the
# refusal there), so these tests boot Debian 12's own kernel under qemu
# (../vm.bash) and run the husk-runtime under test inside it:
#
#   - AppArmor, which that kernel enables by default: apparmor_parser, from
#     `apt-get download apparmor`, loads a profile that allows everything
#     but writes below /tmp; a container runs with it, one without, and a
#     process with it is exec'd into a running unconfined container.
#   - SELinux, with `security=selinux`: the test compiles a small policy of
#     its own with secilc (Debian package secilc): MCS levels, the types
#     kernel_t, container_t and container_file_t, and one rule that matters,
#     that container_t may write only to files labelled container_file_t.
#     The VM loads it through selinuxfs and switches to enforcing; then a
#     container with process.selinuxLabel and linux.mountLabel, one
#     without, an exec with a label, and a label the policy lacks.
#
# Each probe prints its label (/proc/self/attr/current) and whether it
# could write; the tests assert on that, and on the kernel's own records of
# the denials.

load ../helpers
load ../vm

VM_PROFILE=husk-test-vm

setup_file() {
	vm_setup_file apparmor
}

setup() {
	setup_bundle
}

teardown() {
	vm_teardown
	teardown_bundle
}

# apparmor_initrd: the initramfs of the AppArmor test.
apparmor_initrd() {
	vm_initrd_begin
	mkdir -p "$INITRD_ROOT"/etc/apparmor "$INITRD_ROOT"/etc/apparmor.d
	: >"$INITRD_ROOT/etc/apparmor/parser.conf"
	vm_copy_with_libs "$VM_DIR/apparmor/sbin/apparmor_parser"

	# Everything but writes below /tmp (a rule per class, so that nothing
	# else the container does is in the way). "audit": deny rules are not
	# logged otherwise, and the kernel's record of the denial shows that
	# AppArmor refused the write, not something else.
	cat >"$INITRD_ROOT/etc/apparmor.d/$VM_PROFILE" <<-EOF
		profile $VM_PROFILE flags=(attach_disconnected,mediate_deleted) {
		  file,
		  capability,
		  network,
		  mount,
		  umount,
		  pivot_root,
		  signal,
		  ptrace,
		  unix,
		  audit deny /tmp/** w,
		}
	EOF

	# The probe: label, then a write below /tmp.
	local probe='echo "label=$(cat /proc/self/attr/current)"
		if echo x >/tmp/probe-$$; then echo write=ok; else echo write=denied; fi'
	vm_bundle confined '.process.args = ["sh", "-c", $p] | .process.apparmorProfile = $prof' \
		--arg p "$probe" --arg prof "$VM_PROFILE"
	vm_bundle unconfined '.process.args = ["sh", "-c", $p] | del(.process.apparmorProfile)' --arg p "$probe"
	vm_bundle execd '.process.args = ["sleep", "600"] | del(.process.apparmorProfile)'
	jq --arg p "$probe" --arg prof "$VM_PROFILE" \
		'.process | .args = ["sh", "-c", $p] | .apparmorProfile = $prof' \
		"$INITRD_ROOT/execd/config.json" >"$INITRD_ROOT/execd/process.json"

	vm_script <<-EOF
		mount -t securityfs securityfs /sys/kernel/security
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		say "apparmor enabled=\$(cat /sys/module/apparmor/parameters/enabled)"
		apparmor_parser -r /etc/apparmor.d/$VM_PROFILE 2>&1 | sed 's/^/husk-vm: apparmor_parser: /'
		say "profiles: \$(cat /sys/kernel/security/apparmor/profiles | tr '\n' ' ')"
		run confined run --bundle /confined confined
		run unconfined run --bundle /unconfined unconfined
		run execd-start run --detach --bundle /execd execd
		run execd exec --process /execd/process.json execd
		run execd-kill kill execd KILL
		sleep 1
		run execd-delete delete --force execd
		dmesg | grep 'apparmor="DENIED"' | sed 's/^/husk-vm: kernel: /'
	EOF
}

@test "AppArmor enabled (Debian's kernel under qemu): the profile confines the container, its absence does not" {
	vm_require
	apparmor_initrd
	vm_boot apparmor=1 security=apparmor

	grep -qx 'husk-vm: apparmor enabled=Y' "$TEST_DIR/serial.log"
	grep -q "^husk-vm: profiles: .*$VM_PROFILE (enforce)" "$TEST_DIR/serial.log"
	# The runtime's refusal (AppArmor missing) must not be what happened.
	if grep 'is not enabled' "$TEST_DIR/serial.log" >&2; then
		return 1
	fi

	# With the profile: labelled with it, and the write below /tmp refused.
	[ "$(vm_value confined exit)" = 0 ]
	[ "$(vm_value confined label)" = "$VM_PROFILE (enforce)" ]
	[ "$(vm_value confined write)" = denied ]
	# Without: unconfined, and the same write works.
	[ "$(vm_value unconfined exit)" = 0 ]
	[ "$(vm_value unconfined label)" = unconfined ]
	[ "$(vm_value unconfined write)" = ok ]
	# exec with the profile into an unconfined container.
	[ "$(vm_value execd-start exit)" = 0 ]
	[ "$(vm_value execd exit)" = 0 ]
	[ "$(vm_value execd label)" = "$VM_PROFILE (enforce)" ]
	[ "$(vm_value execd write)" = denied ]
	[ "$(vm_value execd-delete exit)" = 0 ]
	# AppArmor's own record: two writes refused, by this profile.
	[ "$(grep -c "^husk-vm: kernel: .*apparmor=\"DENIED\".*profile=\"$VM_PROFILE\".*name=\"/tmp/probe-" "$TEST_DIR/serial.log")" -eq 2 ]
}

SE_CTR=system_u:system_r:container_t:s0:c1,c2
SE_FILE=system_u:object_r:container_file_t:s0:c1,c2

# selinux_policy FILE: the test's policy, compiled with secilc.
selinux_policy() {
	command -v secilc >/dev/null || skip "needs secilc (Debian package secilc)"
	# handleunknown allow: the classes and permissions this policy does not
	# name are allowed, so that only its one rule on file writes matters.
	cat >"$TEST_DIR/husk-test.cil" <<-'EOF'
		(handleunknown allow)
		(mls true)
		(class process (transition dyntransition))
		(class process2 (nnp_transition nosuid_transition))
		(class file (write))
		(classorder (process process2 file))
		(policycap nnp_nosuid_transition)
		(sid kernel)
		(sid security)
		(sid unlabeled)
		(sid fs)
		(sid file)
		(sidorder (kernel security unlabeled fs file))
		(sensitivity s0)
		(sensitivityorder (s0))
		(category c0)
		(category c1)
		(category c2)
		(category c3)
		(categoryorder (c0 c1 c2 c3))
		(sensitivitycategory s0 (range c0 c3))
		(level low (s0))
		(user system_u)
		(role object_r)
		(role system_r)
		(userrole system_u object_r)
		(userrole system_u system_r)
		(userlevel system_u low)
		(userrange system_u (low (s0 (range c0 c3))))
		(type kernel_t)
		(type container_t)
		(type unlabeled_t)
		(type container_file_t)
		(roletype system_r kernel_t)
		(roletype system_r container_t)
		(roletype object_r unlabeled_t)
		(roletype object_r container_file_t)
		(typeattribute any_type)
		(typeattributeset any_type (kernel_t container_t unlabeled_t container_file_t))
		(allow kernel_t any_type (file (write)))
		(allow container_t container_file_t (file (write)))
		(allow kernel_t container_t (process (transition)))
		(allow kernel_t container_t (process2 (nnp_transition)))
		(sidcontext kernel (system_u system_r kernel_t (low (s0 (range c0 c3)))))
		(sidcontext security (system_u object_r unlabeled_t (low low)))
		(sidcontext unlabeled (system_u object_r unlabeled_t (low low)))
		(sidcontext fs (system_u object_r unlabeled_t (low low)))
		(sidcontext file (system_u object_r unlabeled_t (low low)))
	EOF
	secilc -M true -c 33 -f /dev/null -o "$1" "$TEST_DIR/husk-test.cil"
}

# selinux_initrd: the initramfs of the SELinux test.
selinux_initrd() {
	vm_initrd_begin
	selinux_policy "$INITRD_ROOT/etc/husk-test.policy"

	# The probe: label, the context of /data's mount, a write to /data (a
	# tmpfs mount) and one to /tmp (the rootfs, not labelled for it).
	local probe='echo "label=$(cat /proc/self/attr/current)"
		echo "data-mount=$(grep " /data " /proc/self/mountinfo | grep -o "context=\"[^\"]*\"")"
		for d in data tmp; do
			if echo x >/$d/probe-$$; then echo $d=ok; else echo $d=denied; fi
		done'
	local data='.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}]'
	vm_bundle labelled "$data"' | .process.args = ["sh", "-c", $p] | .process.selinuxLabel = $l | .linux.mountLabel = $m' \
		--arg p "$probe" --arg l "$SE_CTR" --arg m "$SE_FILE"
	vm_bundle plain "$data"' | .process.args = ["sh", "-c", $p]' --arg p "$probe"
	vm_bundle execd "$data"' | .process.args = ["sleep", "600"]'
	jq --arg p "$probe" --arg l "$SE_CTR" '.process | .args = ["sh", "-c", $p] | .selinuxLabel = $l' \
		"$INITRD_ROOT/execd/config.json" >"$INITRD_ROOT/execd/process.json"
	vm_bundle unknown '.process.args = ["true"] | .process.selinuxLabel = "system_u:system_r:nosuch_t:s0"'

	vm_script <<-'EOF'
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		mount -t selinuxfs selinuxfs /sys/fs/selinux
		if cat /etc/husk-test.policy >/sys/fs/selinux/load; then
			say "policy loaded=yes"
		else
			dmesg | grep SELinux | sed "s/^/husk-vm: load: /"
		fi
		echo 1 >/sys/fs/selinux/enforce
		say "selinux enforce=$(cat /sys/fs/selinux/enforce)"
		# The containers' output goes to files below /run: label them so
		# that container_t may write there.
		mount -t tmpfs -o context=system_u:object_r:container_file_t:s0 tmpfs /run
		say "init: label=$(cat /proc/self/attr/current)"
		run labelled run --bundle /labelled labelled
		run plain run --bundle /plain plain
		run execd-start run --detach --bundle /execd execd
		run execd exec --process /execd/process.json execd
		run execd-kill kill execd KILL
		sleep 1
		run execd-delete delete --force execd
		run unknown run --bundle /unknown unknown
		run unknown-state state unknown
		dmesg | grep 'avc:  denied' | sed 's/^/husk-vm: kernel: /'
	EOF
}

@test "SELinux enabled (Debian's kernel under qemu, enforcing): selinuxLabel, mountLabel and exec labels confine the container" {
	vm_require
	selinux_initrd
	vm_boot security=selinux enforcing=0

	grep -qx 'husk-vm: policy loaded=yes' "$TEST_DIR/serial.log"
	grep -qx 'husk-vm: selinux enforce=1' "$TEST_DIR/serial.log"
	if grep 'is not enabled' "$TEST_DIR/serial.log" >&2; then
		return 1
	fi

	# The label and the mount label: the container runs as container_t, its
	# tmpfs is mounted with the mount label, and the policy lets it write
	# there and nowhere else.
	[ "$(vm_value labelled exit)" = 0 ]
	[ "$(vm_value labelled label)" = "$SE_CTR" ]
	[ "$(vm_value labelled data-mount)" = "context=\"$SE_FILE\"" ]
	[ "$(vm_value labelled data)" = ok ]
	[ "$(vm_value labelled tmp)" = denied ]
	# Without labels: the runtime's own label, no context on the mount, and
	# both writes allowed.
	[ "$(vm_value plain exit)" = 0 ]
	[ "$(vm_value plain label)" = "$(vm_value init label)" ]
	[[ "$(vm_value plain label)" == *:kernel_t:* ]]
	[ "$(vm_value plain data-mount)" = "" ]
	[ "$(vm_value plain data)" = ok ]
	[ "$(vm_value plain tmp)" = ok ]
	# exec with a label into the unlabelled container.
	[ "$(vm_value execd-start exit)" = 0 ]
	[ "$(vm_value execd exit)" = 0 ]
	[ "$(vm_value execd label)" = "$SE_CTR" ]
	[ "$(vm_value execd data)" = denied ]
	[ "$(vm_value execd tmp)" = denied ]
	[ "$(vm_value execd-delete exit)" = 0 ]
	# A label the policy does not have: refused, naming it, and nothing left.
	[ "$(vm_value unknown exit)" != 0 ]
	vm_lines unknown | grep -F 'SELinux label "system_u:system_r:nosuch_t:s0"'
	[ "$(vm_value unknown-state exit)" != 0 ]
	# The kernel's records: each denied write was a file write by container_t.
	[ "$(grep -c '^husk-vm: kernel: .*avc:  denied  { write } .*scontext=system_u:system_r:container_t:s0:c1,c2.*permissive=0' "$TEST_DIR/serial.log")" -eq 3 ]
}
