#!/usr/bin/env bats
# process.apparmorProfile applied, on a kernel with AppArmor enabled.
#
# The hosts here run kernels without an LSM (security/lsm.bats checks the
# refusal there), so this test boots Debian 12's own kernel, which enables
# AppArmor by default, under qemu with TCG (KVM hangs on these machines) and
# runs the husk-runtime under test inside it, from an initramfs built
# in the test's directory:
#
#   - the kernel and apparmor_parser come from `apt-get download` of
#     linux-image-amd64's kernel package and of apparmor, unpacked with
#     dpkg-deb -x (nothing is installed on the host);
#   - the initramfs holds busybox, husk-runtime and apparmor_parser with the
#     libraries ldd lists (none for the static runtime; the sanitizer build's
#     are copied too), a busybox bundle and a profile that allows
#     everything but writes below /tmp;
#   - its /init loads the profile, runs a container with the profile, one
#     without, and execs a process with the profile into a running unconfined
#     container; each prints its label (/proc/self/attr/current) and whether
#     it could write to /tmp, between "husk-vm:" markers on the serial
#     console; then it powers the VM off.
#
# The test asserts on the serial output, and on the kernel's audit record
# of the refused writes. It skips, naming what is missing, when
# qemu-system-x86_64 (HUSK_TEST_QEMU names another), the packages or apt
# cannot be had; it never installs anything itself (tools/install-deps.sh
# installs qemu-system-x86).

load ../helpers

VM_PROFILE=husk-test-vm
QEMU=${HUSK_TEST_QEMU:-qemu-system-x86_64}
# Seconds the VM may take from qemu's start to power-off (TCG boots in ~6 s).
VM_TIMEOUT=${HUSK_TEST_VM_TIMEOUT:-180}
QEMU_PID=

setup() {
	setup_bundle
}

teardown() {
	# Only the qemu this test started.
	if [[ -n $QEMU_PID ]] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -9 "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
	fi
	teardown_bundle
}

# fetch_debs DIR: the kernel linux-image-amd64 depends on, and apparmor,
# downloaded and unpacked under DIR/kernel and DIR/apparmor. Skips when
# apt cannot get them.
fetch_debs() {
	local dir=$1 kpkg
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		skip "needs apt-get and dpkg-deb to fetch Debian's kernel"
	fi
	kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	[[ -n $kpkg ]] || skip "apt knows no linux-image-amd64 (run apt-get update)"
	mkdir -p "$dir/debs"
	(cd "$dir/debs" && apt-get download -q "$kpkg" apparmor >"$dir/apt.log" 2>&1) ||
		skip "apt-get download $kpkg apparmor failed: $(tail -n 1 "$dir/apt.log")"
	dpkg-deb -x "$dir"/debs/linux-image-*.deb "$dir/kernel"
	dpkg-deb -x "$dir"/debs/apparmor_*.deb "$dir/apparmor"
	KERNEL=$(echo "$dir"/kernel/boot/vmlinuz-*)
	[[ -f $KERNEL ]] || skip "$kpkg has no /boot/vmlinuz-*"
}

# copy_with_libs FILE DEST: FILE as DEST/sbin/NAME, with the shared
# libraries and loader ldd lists for it at their own paths below DEST.
copy_with_libs() {
	local file=$1 dest=$2 lib
	install -D -m 755 "$file" "$dest/sbin/$(basename "$file")"
	for lib in $(ldd "$file" 2>/dev/null | grep -o '/[^ ]*'); do
		install -D -m 755 "$lib" "$dest$lib"
	done
}

# vm_bundle NAME JQ_EXPR [jq options...]: bundle NAME in the initramfs at
# /NAME, from the test's config, sharing /rootfs, with its own cgroup.
vm_bundle() {
	local name=$1 expr=$2
	shift 2
	mkdir -p "$INITRD_ROOT/$name"
	jq --arg cg "/$CGROUP_PARENT/$name" "$@" '.root.path = "/rootfs" | .linux.cgroupsPath = $cg | '"$expr" \
		"$BUNDLE/config.json" >"$INITRD_ROOT/$name/config.json"
}

# build_initrd: $TEST_DIR/initrd, a newc cpio of $INITRD_ROOT.
build_initrd() {
	INITRD_ROOT=$TEST_DIR/initrd-root
	mkdir -p "$INITRD_ROOT"/{bin,etc/apparmor,etc/apparmor.d}
	: >"$INITRD_ROOT/etc/apparmor/parser.conf"
	cp "$BUSYBOX" "$INITRD_ROOT/bin/busybox"
	copy_with_libs "$RUNTIME" "$INITRD_ROOT"
	[[ $(basename "$RUNTIME") = husk-runtime ]] || ln -s "$(basename "$RUNTIME")" "$INITRD_ROOT/sbin/husk-runtime"
	copy_with_libs "$TEST_DIR/vm/apparmor/sbin/apparmor_parser" "$INITRD_ROOT"
	cp -a "$ROOTFS" "$INITRD_ROOT/rootfs"

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

	# The initramfs root cannot be pivot_root'ed away from (the kernel's
	# rootfs has no parent mount): move everything onto a tmpfs first.
	cat >"$INITRD_ROOT/init" <<-'EOF'
		#!/bin/busybox sh
		/bin/busybox --install -s /bin
		mkdir -p /newroot
		mount -t tmpfs -o mode=755 tmpfs /newroot
		for d in bin sbin lib lib64 etc rootfs confined unconfined execd stage2; do
			[ -e /$d ] && cp -a /$d /newroot/
		done
		mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
		exec switch_root /newroot /stage2
	EOF
	cat >"$INITRD_ROOT/stage2" <<-EOF
		#!/bin/sh
		export PATH=/bin:/sbin
		export ASAN_OPTIONS='${ASAN_OPTIONS:-}' UBSAN_OPTIONS='${UBSAN_OPTIONS:-}'
		mount -t proc proc /proc
		mount -t sysfs sysfs /sys
		mount -t devtmpfs devtmpfs /dev
		mount -t securityfs securityfs /sys/kernel/security
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		mount -t tmpfs tmpfs /run
		mount -t tmpfs tmpfs /tmp
		ip link set lo up 2>/dev/null
		echo
		echo "husk-vm: begin"
		echo "husk-vm: kernel \$(uname -r)"
		echo "husk-vm: apparmor enabled=\$(cat /sys/module/apparmor/parameters/enabled)"
		apparmor_parser -r /etc/apparmor.d/$VM_PROFILE 2>&1 | sed 's/^/husk-vm: apparmor_parser: /'
		echo "husk-vm: profiles: \$(cat /sys/kernel/security/apparmor/profiles | tr '\n' ' ')"
		# run NAME ARGS...: husk-runtime with its output, and its status,
		# marked with NAME.
		run() {
			name=\$1
			shift
			husk-runtime "\$@" </dev/null >/run/out 2>&1
			rc=\$?
			sed "s/^/husk-vm: \$name: /" /run/out
			echo "husk-vm: \$name: exit=\$rc"
		}
		run confined run --bundle /confined confined
		run unconfined run --bundle /unconfined unconfined
		run execd-start run --detach --bundle /execd execd
		run execd exec --process /execd/process.json execd
		run execd-kill kill execd KILL
		sleep 1
		run execd-delete delete --force execd
		dmesg | grep 'apparmor="DENIED"' | sed 's/^/husk-vm: kernel: /'
		echo "husk-vm: uptime \$(cut -d' ' -f1 /proc/uptime)"
		echo "husk-vm: end"
		sync
		poweroff -f
	EOF
	chmod 755 "$INITRD_ROOT/init" "$INITRD_ROOT/stage2"
	(cd "$INITRD_ROOT" && find . | "$BUSYBOX" cpio -o -H newc >"$TEST_DIR/initrd" 2>/dev/null)
}

# boot_vm: boots $KERNEL with $TEST_DIR/initrd; the serial console in
# $TEST_DIR/serial.log. Fails when it does not power off in time.
boot_vm() {
	local start deadline ms
	start=$(date +%s%N)
	deadline=$((start + VM_TIMEOUT * 1000000000))
	"$QEMU" -accel tcg -m 512M -nographic -no-reboot \
		-kernel "$KERNEL" -initrd "$TEST_DIR/initrd" \
		-append "console=ttyS0 panic=-1 apparmor=1 security=apparmor quiet" \
		</dev/null >"$TEST_DIR/serial.log" 2>&1 3>&- &
	QEMU_PID=$!
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		if (($(date +%s%N) > deadline)); then
			echo "the VM did not power off within ${VM_TIMEOUT}s" >&2
			return 1
		fi
		sleep 0.1
	done
	wait "$QEMU_PID" || true
	QEMU_PID=
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# VM ran for $((ms / 1000)).$((ms % 1000 / 100)) s" >&3
}

# vm NAME KEY: the value of "husk-vm: NAME: KEY=VALUE" in the serial output.
vm() {
	sed -n "s/^husk-vm: $1: $2=//p" "$TEST_DIR/serial.log" | head -n 1
}

@test "AppArmor enabled (Debian's kernel under qemu): the profile confines the container, its absence does not" {
	command -v "$QEMU" >/dev/null || skip "needs $QEMU (Debian package qemu-system-x86)"
	fetch_debs "$TEST_DIR/vm"
	build_initrd
	boot_vm || {
		cat "$TEST_DIR/serial.log" >&2
		return 1
	}
	tr -d '\r' <"$TEST_DIR/serial.log" >"$TEST_DIR/serial.txt" && mv "$TEST_DIR/serial.txt" "$TEST_DIR/serial.log"
	grep '^husk-vm:' "$TEST_DIR/serial.log" | sed 's/^/# /' >&2

	grep -qx 'husk-vm: end' "$TEST_DIR/serial.log"
	grep -qx 'husk-vm: apparmor enabled=Y' "$TEST_DIR/serial.log"
	grep -q "^husk-vm: profiles: .*$VM_PROFILE (enforce)" "$TEST_DIR/serial.log"
	# The runtime's refusal (AppArmor missing) must not be what happened.
	if grep 'is not enabled' "$TEST_DIR/serial.log" >&2; then
		return 1
	fi

	# With the profile: labelled with it, and the write below /tmp refused.
	[ "$(vm confined exit)" = 0 ]
	[ "$(vm confined label)" = "$VM_PROFILE (enforce)" ]
	[ "$(vm confined write)" = denied ]
	# Without: unconfined, and the same write works.
	[ "$(vm unconfined exit)" = 0 ]
	[ "$(vm unconfined label)" = unconfined ]
	[ "$(vm unconfined write)" = ok ]
	# exec with the profile into an unconfined container.
	[ "$(vm execd-start exit)" = 0 ]
	[ "$(vm execd exit)" = 0 ]
	[ "$(vm execd label)" = "$VM_PROFILE (enforce)" ]
	[ "$(vm execd write)" = denied ]
	[ "$(vm execd-delete exit)" = 0 ]
	# AppArmor's own record: two writes refused, by this profile.
	[ "$(grep -c "^husk-vm: kernel: .*apparmor=\"DENIED\".*profile=\"$VM_PROFILE\".*name=\"/tmp/probe-" "$TEST_DIR/serial.log")" -eq 2 ]
}
