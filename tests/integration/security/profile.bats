#!/usr/bin/env bats
# The engine's default security profile (src/oci/profile.c) on real
# containers: Docker's capabilities, paths and mounts, and the seccomp
# profile rendered for the container's capabilities, which answers EPERM to
# what it does not allow.
#
# Every probe is harmless if a filter failed to block it: user, mount and
# UTS namespaces, a tmpfs on /mnt and chroot, all inside the container's own
# namespaces. The first test runs the probes without a filter and sees them
# succeed, so that a profile that is not applied fails the others.
#
# The profiles come from tests/helpers/profile-render (built next to the
# runtime; HUSK_PROFILE_RENDER names another one).

load ../helpers

PROFILE_RENDER=${HUSK_PROFILE_RENDER:-$(dirname "$RUNTIME")/../../tests/helpers/profile-render}

setup() {
	[[ -x $PROFILE_RENDER ]] || {
		echo "no profile-render at $PROFILE_RENDER: build husk, or set HUSK_PROFILE_RENDER" >&2
		return 1
	}
	setup_bundle
	# The engine's defaults, with what setup_bundle sets for every test.
	"$PROFILE_RENDER" config >"$BUNDLE/config.json"
	update_config '.hostname = "husk-test" | .linux.cgroupsPath = $cg' --arg cg "/$CGROUP_PARENT/$ID"
}
teardown() { teardown_bundle; }

# use_profile [--default-caps | CAP...]: linux.seccomp is the profile
# rendered for that bounding set.
use_profile() {
	"$PROFILE_RENDER" seccomp "$@" >"$TEST_DIR/seccomp.json"
	update_config '.linux.seccomp = $s[0]' --slurpfile s "$TEST_DIR/seccomp.json"
}

no_profile() { update_config 'del(.linux.seccomp)'; }

# add_cap CAP: in the bounding, effective and permitted sets.
add_cap() {
	update_config '.process.capabilities |= map_values(. + [$c])' --arg c "$1"
}

# The probes, one line each: "NAME: ok" or "NAME: <the error>".
PROBES='
p() { name=$1; shift; if out=$("$@" 2>&1); then echo "$name: ok"; else echo "$name: $out"; fi; }
p userns unshare -U true
p mntns unshare -m true
p utsns unshare -u true
p tmpfs mount -t tmpfs none /mnt
p chroot chroot / true
p fork sh -c "(true) && true"
p linux32 linux32 true
grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status | tr -d "\t"
'

# probe_is NAME ok|EPERM: what probe NAME gave in $output.
probe_is() {
	local line
	line=$(grep "^$1: " <<<"$output") || {
		echo "no probe $1 in: $output" >&2
		return 1
	}
	case $2 in
	ok) [[ $line == "$1: ok" ]] ;;
	# busybox's mount says EPERM its own way.
	EPERM) [[ $line == *"Operation not permitted"* || $line == *"mount: permission denied (are you root?)"* ]] ;;
	esac || {
		echo "wanted $1 $2, got: $line" >&2
		return 1
	}
}

# CAP_SYS_ADMIN (bit 21) is in the container's effective set: an EPERM
# then comes from the filter, not from a missing capability.
has_sys_admin() {
	local eff
	eff=$(sed -n 's/^CapEff://p' <<<"$output")
	(((0x$eff >> 21) & 1))
}

@test "the control: without a filter, every probe succeeds (with CAP_SYS_ADMIN)" {
	no_profile
	add_cap CAP_SYS_ADMIN
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	for p in userns mntns utsns tmpfs chroot fork linux32; do
		probe_is $p ok
	done
	[[ $output == *"Seccomp:0"* ]]
}

@test "Docker's capabilities and the default profile: namespaces and mounts get EPERM, the rest works" {
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	# A filter is on, and no_new_privs is off as in Docker.
	[[ $output == *"Seccomp:2"* ]]
	[[ $output == *"NoNewPrivs:0"* ]]
	# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
	# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
	[[ $output == *"CapEff:00000000a80425fb"* ]]
	# unshare(CLONE_NEWUSER) needs no capability: only the filter stops it.
	probe_is userns EPERM
	probe_is mntns EPERM
	probe_is utsns EPERM
	probe_is tmpfs EPERM
	probe_is chroot ok
	probe_is fork ok
	probe_is linux32 ok
}

@test "a profile rendered without CAP_SYS_ADMIN blocks its syscalls even for a process that holds it" {
	add_cap CAP_SYS_ADMIN
	use_profile --default-caps
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	has_sys_admin
	probe_is userns EPERM
	probe_is mntns EPERM
	probe_is utsns EPERM
	probe_is tmpfs EPERM
	probe_is fork ok
}

@test "a profile rendered with CAP_SYS_ADMIN lets unshare and mount through" {
	add_cap CAP_SYS_ADMIN
	local caps
	mapfile -t caps < <(jq -r '.process.capabilities.bounding[]' "$BUNDLE/config.json")
	use_profile "${caps[@]}"
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	has_sys_admin
	[[ $output == *"Seccomp:2"* ]]
	probe_is userns ok
	probe_is mntns ok
	probe_is utsns ok
	probe_is tmpfs ok
	probe_is chroot ok
	probe_is fork ok
}

@test "compiled filters are cached by profile: reused as they are, and a file made for another profile is not used" {
	# The runtime's default filter: compiled once, then loaded from
	# <root>/@seccomp (one file per profile).
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	probe_is userns EPERM
	local files
	mapfile -t files < <(ls "$ROOT/@seccomp")
	[ "${#files[@]}" -eq 1 ]
	local mine=$ROOT/@seccomp/${files[0]} ino
	ino=$(stat -c %i "$mine")
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	probe_is userns EPERM
	[ "$(stat -c %i "$mine")" = "$ino" ] # used, not made again

	# A profile that lets unshare through gets a file of its own.
	local caps
	mapfile -t caps < <(jq -r '.process.capabilities.bounding[]' "$BUNDLE/config.json")
	cp "$BUNDLE/config.json" "$TEST_DIR/default.json"
	use_profile "${caps[@]}" CAP_SYS_ADMIN
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	probe_is userns ok
	local other
	other=$(ls "$ROOT/@seccomp" | grep -vx "${files[0]}")
	[ -n "$other" ]

	# That program under the default profile's name: the file's profile
	# is not the container's, so it is compiled again, and blocks.
	cp "$ROOT/@seccomp/$other" "$mine"
	cp "$TEST_DIR/default.json" "$BUNDLE/config.json"
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	probe_is userns EPERM
	! cmp -s "$ROOT/@seccomp/$other" "$mine" || false

	# A damaged file: compiled again too.
	truncate -s 100 "$mine"
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	probe_is userns EPERM
	[ "$(stat -c %s "$mine")" -gt 100 ]
}

@test "chroot is allowed with CAP_SYS_CHROOT in the profile's set, blocked without" {
	# The container keeps CAP_SYS_CHROOT; only the profile changes.
	use_profile CAP_CHOWN CAP_KILL
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	probe_is chroot EPERM
	probe_is fork ok

	use_profile CAP_CHOWN CAP_KILL CAP_SYS_CHROOT
	run_container "$PROBES"
	[ "$status" -eq 0 ]
	probe_is chroot ok
}

@test "the per-architecture rules: an x86_64 binary needs the x86 rule (arch_prctl) to start" {
	[[ $(uname -m) == x86_64 ]] || skip "x86_64 only"
	# Rendered for ARM only: no arch_prctl, which static glibc calls to
	# set up thread-local storage before main (the filter keeps the native
	# architecture, with only the common rules).
	use_profile --arch SCMP_ARCH_AARCH64 --arch SCMP_ARCH_ARM --default-caps
	[ "$(jq -r '[.syscalls[].names[]] | index("arch_prctl")' "$TEST_DIR/seccomp.json")" = null ]
	run_container 'echo started'
	[ "$status" -ne 0 ]
	[[ $output != *started* ]]
	# The container's binary failed (glibc: "cannot set %fs base address for
	# thread-local storage"), not the runtime.
	[[ $stderr != *husk-runtime:* ]]

	use_profile --default-caps
	[ "$(jq -r '[.syscalls[].names[]] | index("arch_prctl")' "$TEST_DIR/seccomp.json")" != null ]
	run_container 'echo started'
	[ "$status" -eq 0 ]
	[ "$output" = started ]
}

@test "Docker's masked and read-only paths and mount options" {
	run_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	# mountinfo: field 5 is the mount point, field 6 its options; the
	# filesystem's own options follow the " - " separator.
	mnt() { awk -v d="$1" '$5 == d {print $6 " " $0}' <<<"$output" | tail -1; }
	# Each path this kernel has (a VM may lack /proc/kcore, /proc/scsi...)
	# is covered: masked ones by /dev/null or an empty tmpfs, read-only ones
	# by a read-only bind.
	local p n=0
	for p in $(jq -r '.linux.maskedPaths[]' "$BUNDLE/config.json"); do
		[[ -e $p ]] || continue
		[[ -n $(mnt "$p") ]] || {
			echo "$p is not masked" >&2
			return 1
		}
		n=$((n + 1))
	done
	for p in $(jq -r '.linux.readonlyPaths[]' "$BUNDLE/config.json"); do
		[[ -e $p ]] || continue
		[[ $(mnt "$p") == ro,* ]] || {
			echo "$p is not read-only: $(mnt "$p")" >&2
			return 1
		}
		n=$((n + 1))
	done
	((n >= 5))
	[[ $(mnt /proc) == *nosuid*nodev*noexec* ]]
	[[ $(mnt /dev) == *nosuid* && $(mnt /dev) == *size=65536k* && $(mnt /dev) == *mode=755* ]]
	[[ $(mnt /dev/pts) == *nosuid*noexec* && $(mnt /dev/pts) == *ptmxmode=666* && $(mnt /dev/pts) == *gid=5* ]]
	[[ $(mnt /dev/shm) == *nosuid*nodev*noexec* && $(mnt /dev/shm) == *size=65536k* ]]
	[[ $(mnt /dev/mqueue) == *nosuid*nodev*noexec* ]]
	[[ $(mnt /sys) == ro,*nosuid*nodev*noexec* ]]
	[[ $(mnt /sys/fs/cgroup) == ro,*nosuid*nodev*noexec* ]]
}
