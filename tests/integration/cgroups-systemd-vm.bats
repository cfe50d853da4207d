#!/usr/bin/env bats
# --systemd-cgroup against a real systemd.
#
# The hosts here do not run systemd (cgroups.bats checks the refusal
# there), so this test boots Debian 12's own kernel under qemu (vm.bash)
# with the host's systemd as PID 1 (vm_initrd_systemd), which runs the
# script as a oneshot service. There husk-runtime --systemd-cgroup has
# systemd make each container's cgroup as a transient scope over D-Bus
# (systemd's private socket: no bus daemon in the VM), and the test reads
# the result from systemd (systemctl show) and from the kernel
# (/proc/PID/cgroup, the cgroup files):
#
#   - a: cgroupsPath "system.slice:husk-test:a" with memory and pids
#     limits: the scope husk-test-a.scope in system.slice, active, delegated,
#     with MemoryMax/TasksMax, the init in /system.slice/husk-test-a.scope,
#     memory.max and pids.max written; `update` changes the unit's
#     properties and the files; `delete` stops the scope;
#   - b: the same cgroupsPath while a runs: refused, a's scope untouched,
#     no state left;
#   - c: a slice of its own, "husk-test.slice", expanded as systemd does
#     (/husk.slice/husk-test.slice/...);
#   - d: `run` in the foreground: the scope is gone once it has exited.

load helpers
load vm

setup_file() {
	vm_setup_file
}

setup() {
	setup_bundle
}

teardown() {
	vm_teardown
	teardown_bundle
}

@test "--systemd-cgroup with systemd as PID 1 (Debian's kernel under qemu): transient scopes, limits, delete" {
	vm_require
	vm_initrd_begin
	vm_initrd_systemd

	vm_bundle a '.process.args = ["sleep", "600"] | .linux.cgroupsPath = "system.slice:husk-test:a"
		| .linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 42'
	vm_bundle b '.process.args = ["sleep", "600"] | .linux.cgroupsPath = "system.slice:husk-test:a"'
	vm_bundle c '.process.args = ["sleep", "600"] | .linux.cgroupsPath = "husk-test.slice:husk:c"'
	vm_bundle d '.process.args = ["cat", "/proc/self/cgroup"] | .linux.cgroupsPath = "system.slice:husk-test:d"'

	vm_script <<-'EOF'
		say "init: pid1=$(cat /proc/1/comm) booted=$(test -d /run/systemd/system && echo yes || echo no)"
		pid_of() { husk-runtime state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }
		show() { systemctl show -p "$2" "$3" | sed "s/^/husk-vm: $1: /"; }
		cg=/sys/fs/cgroup

		run a-run --systemd-cgroup run --detach --bundle /a a
		pa=$(pid_of a)
		say "a: proc=$(cat /proc/$pa/cgroup)"
		show a ActiveState,Slice,ControlGroup,Delegate,MemoryMax,TasksMax husk-test-a.scope
		say "a: memory.max=$(cat $cg/system.slice/husk-test-a.scope/memory.max)"
		say "a: pids.max=$(cat $cg/system.slice/husk-test-a.scope/pids.max)"

		run a-update --systemd-cgroup update --memory 100663296 --pids-limit 24 a
		show a-updated MemoryMax,TasksMax husk-test-a.scope
		say "a-updated: files=$(cat $cg/system.slice/husk-test-a.scope/memory.max) $(cat $cg/system.slice/husk-test-a.scope/pids.max)"

		run b-run --systemd-cgroup run --detach --bundle /b b
		say "b: state-dir=$(test -e /run/husk-runtime/b && echo left || echo none)"
		say "b: a-after=$(systemctl show -p ActiveState --value husk-test-a.scope) $(cat /proc/$pa/cgroup)"

		run c-run --systemd-cgroup run --detach --bundle /c c
		say "c: proc=$(cat /proc/$(pid_of c)/cgroup)"
		show c ActiveState,Slice husk-c.scope

		run d-run --systemd-cgroup run --bundle /d d
		show d-after LoadState husk-test-d.scope

		run a-kill kill a KILL
		sleep 1
		run a-delete --systemd-cgroup delete a
		show a-after LoadState husk-test-a.scope
		say "a-after: dir=$(test -d $cg/system.slice/husk-test-a.scope && echo left || echo gone)"
		run c-delete --systemd-cgroup delete --force c
		show c-after LoadState husk-c.scope
	EOF
	vm_boot $VM_SYSTEMD_ARGS

	[ "$(vm_value init pid1)" = "systemd booted=yes" ]

	# a: a scope made by systemd, in the slice asked for, with its limits.
	[ "$(vm_value a-run exit)" = 0 ]
	[ "$(vm_value a proc)" = "0::/system.slice/husk-test-a.scope" ]
	[ "$(vm_value a ActiveState)" = active ]
	[ "$(vm_value a Slice)" = system.slice ]
	[ "$(vm_value a ControlGroup)" = /system.slice/husk-test-a.scope ]
	[ "$(vm_value a Delegate)" = yes ]
	[ "$(vm_value a MemoryMax)" = 67108864 ]
	[ "$(vm_value a TasksMax)" = 42 ]
	[ "$(vm_value a memory.max)" = 67108864 ]
	[ "$(vm_value a pids.max)" = 42 ]

	# update: systemd's properties and the files.
	[ "$(vm_value a-update exit)" = 0 ]
	[ "$(vm_value a-updated MemoryMax)" = 100663296 ]
	[ "$(vm_value a-updated TasksMax)" = 24 ]
	[ "$(vm_value a-updated files)" = "100663296 24" ]

	# b: the unit exists: a clear refusal, nothing left, a untouched.
	[ "$(vm_value b-run exit)" != 0 ]
	vm_lines b-run | grep -q 'systemd unit husk-test-a.scope exists already'
	[ "$(vm_value b state-dir)" = none ]
	[ "$(vm_value b a-after)" = "active 0::/system.slice/husk-test-a.scope" ]

	# c: systemd's slice expansion.
	[ "$(vm_value c-run exit)" = 0 ]
	[ "$(vm_value c proc)" = "0::/husk.slice/husk-test.slice/husk-c.scope" ]
	[ "$(vm_value c ActiveState)" = active ]
	[ "$(vm_value c Slice)" = husk-test.slice ]

	# d: in its scope while it ran; the scope gone after.
	[ "$(vm_value d-run exit)" = 0 ]
	vm_lines d-run | grep -qx '0::/system.slice/husk-test-d.scope'
	[ "$(vm_value d-after LoadState)" = not-found ]

	# delete stops the scopes.
	[ "$(vm_value a-delete exit)" = 0 ]
	[ "$(vm_value a-after LoadState)" = not-found ]
	[ "$(vm_value a-after dir)" = gone ]
	[ "$(vm_value c-delete exit)" = 0 ]
	[ "$(vm_value c-after LoadState)" = not-found ]
}
