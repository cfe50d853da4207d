# shellcheck shell=bash
# Booting Debian 12's own kernel under qemu to run husk-runtime on a kernel
# this machine does not have (an LSM enabled, a pure cgroup v2 or v1 layout).
#
# qemu runs with TCG (KVM hangs on these machines); a boot to the test's
# script takes about 6 s. Nothing is installed on the host:
#
#   - vm_fetch downloads linux-image-amd64's kernel package, and any other
#     packages a test names, with `apt-get download`, and unpacks them with
#     dpkg-deb -x (once per test file);
#   - vm_initrd_begin lays out an initramfs in the test's directory with
#     busybox, the runtime under test (with the libraries ldd lists: the
#     sanitizer build has some) and the test's busybox rootfs at /rootfs;
#     the test adds bundles (vm_bundle), files, and the script the VM runs
#     (vm_script), then vm_boot packs it and boots;
#   - the script prints "husk-vm: NAME: KEY=VALUE" lines on the serial
#     console, which the test reads with vm_value.
#
# A test that uses these calls vm_setup_file from setup_file and vm_teardown
# from teardown. Everything skips, naming what is missing, when qemu
# (HUSK_TEST_QEMU names another binary than qemu-system-x86_64), apt or the
# packages cannot be had; tools/install-deps.sh installs qemu-system-x86.

VM_QEMU=${HUSK_TEST_QEMU:-qemu-system-x86_64}
# Seconds a VM may take from qemu's start to power-off.
VM_TIMEOUT=${HUSK_TEST_VM_TIMEOUT:-180}
VM_QEMU_PID=
# Extra qemu options for the next vm_boot, e.g. (-smp 2) for a second CPU.
VM_QEMU_OPTS=()

# vm_setup_file PACKAGE...: from setup_file: the kernel and PACKAGEs,
# unpacked below $BATS_FILE_TMPDIR/vm/<package>. A failure is remembered
# and reported as a skip by vm_require.
vm_setup_file() {
	local dir=$BATS_FILE_TMPDIR/vm kpkg p deb
	mkdir -p "$dir/debs"
	if ! command -v "$VM_QEMU" >/dev/null; then
		echo "needs $VM_QEMU (Debian package qemu-system-x86)" >"$dir/skip"
		return 0
	fi
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		echo "needs apt-get and dpkg-deb to fetch Debian's kernel" >"$dir/skip"
		return 0
	fi
	kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	if [[ -z $kpkg ]]; then
		echo "apt knows no linux-image-amd64 (run apt-get update)" >"$dir/skip"
		return 0
	fi
	if ! (cd "$dir/debs" && apt-get download -q "$kpkg" "$@" >"$dir/apt.log" 2>&1); then
		echo "apt-get download $kpkg $* failed: $(tail -n 1 "$dir/apt.log")" >"$dir/skip"
		return 0
	fi
	for p in "$kpkg" "$@"; do
		deb=$(echo "$dir/debs/${p}_"*.deb)
		dpkg-deb -x "$deb" "$dir/$p"
	done
	ln -s "$kpkg" "$dir/kernel"
}

# vm_require: skips the test when vm_setup_file could not get what it needs;
# sets KERNEL and VM_DIR.
vm_require() {
	VM_DIR=$BATS_FILE_TMPDIR/vm
	if [[ -f $VM_DIR/skip ]]; then
		skip "$(cat "$VM_DIR/skip")"
	fi
	KERNEL=$(echo "$VM_DIR"/kernel/boot/vmlinuz-*)
	[[ -f $KERNEL ]] || skip "the kernel package has no /boot/vmlinuz-*"
}

# vm_teardown: from teardown: kills the qemu this test started, if any.
vm_teardown() {
	if [[ -n $VM_QEMU_PID ]] && kill -0 "$VM_QEMU_PID" 2>/dev/null; then
		kill -9 "$VM_QEMU_PID" 2>/dev/null || true
		wait "$VM_QEMU_PID" 2>/dev/null || true
	fi
	VM_QEMU_PID=
}

# vm_copy_with_libs FILE: FILE as $INITRD_ROOT/sbin/NAME, with the shared
# libraries and loader ldd lists for it at their own paths.
vm_copy_with_libs() {
	local file=$1 lib
	install -D -m 755 "$file" "$INITRD_ROOT/sbin/$(basename "$file")"
	for lib in $(ldd "$file" 2>/dev/null | grep -o '/[^ ]*'); do
		install -D -m 755 "$lib" "$INITRD_ROOT$lib"
	done
}

# vm_initrd_begin: $INITRD_ROOT with busybox, the runtime as
# /sbin/husk-runtime and the test's rootfs as /rootfs.
vm_initrd_begin() {
	INITRD_ROOT=$TEST_DIR/initrd-root
	mkdir -p "$INITRD_ROOT"/{bin,etc}
	cp "$BUSYBOX" "$INITRD_ROOT/bin/busybox"
	vm_copy_with_libs "$RUNTIME"
	[[ $(basename "$RUNTIME") = husk-runtime ]] || ln -s "$(basename "$RUNTIME")" "$INITRD_ROOT/sbin/husk-runtime"
	cp -a "$ROOTFS" "$INITRD_ROOT/rootfs"
}

# vm_initrd_systemd: after vm_initrd_begin, the host's systemd (Debian
# package systemd) as the VM's init, with systemctl and libsystemd, running
# the script (vm_script) as the oneshot service husk-vm.service with its
# output on the serial console. Boot with `vm_boot $VM_SYSTEMD_ARGS`.
# Skips the test when the host has no systemd binaries.
VM_SYSTEMD_ARGS="husk_init=/lib/systemd/systemd systemd.unit=husk-vm.service systemd.show_status=0"
vm_initrd_systemd() {
	local f lib
	for f in /lib/systemd/systemd /bin/systemctl; do
		[[ -x $f ]] || skip "needs $f (Debian package systemd)"
	done
	install -D -m 755 /lib/systemd/systemd "$INITRD_ROOT/lib/systemd/systemd"
	install -D -m 755 /bin/systemctl "$INITRD_ROOT/bin/systemctl"
	for f in /lib/systemd/systemd /bin/systemctl "$(readlink -f /lib/x86_64-linux-gnu/libsystemd.so.0)"; do
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			install -D -m 755 "$lib" "$INITRD_ROOT$lib"
		done
	done
	# The runtime loads libsystemd with dlopen(), which looks for the
	# loader by its name in the library directories (ldd names /lib64's).
	for f in libsystemd.so.0 ld-linux-x86-64.so.2; do
		install -D -m 755 "/lib/x86_64-linux-gnu/$f" "$INITRD_ROOT/lib/x86_64-linux-gnu/$f"
	done
	mkdir -p "$INITRD_ROOT/etc/systemd/system" "$INITRD_ROOT/usr/lib"
	: >"$INITRD_ROOT/etc/machine-id"
	echo 'ID=husk-vm' >"$INITRD_ROOT/usr/lib/os-release"
	cat >"$INITRD_ROOT/etc/systemd/system/husk-vm.service" <<-'EOF'
		[Unit]
		DefaultDependencies=no
		[Service]
		Type=oneshot
		ExecStart=/stage2
		StandardOutput=tty
		StandardError=tty
		TTYPath=/dev/ttyS0
	EOF
}

# vm_modules NAME...: the kernel's modules NAME.ko (without dependencies:
# name only modules that have none) at /lib/modules/NAME.ko in the
# initramfs, for the script to insmod.
vm_modules() {
	local name ko
	mkdir -p "$INITRD_ROOT/lib/modules"
	for name in "$@"; do
		ko=$(find "$VM_DIR/kernel/lib/modules" -name "$name.ko" | head -n 1)
		[[ -n $ko ]] || skip "the kernel package has no module $name.ko"
		cp "$ko" "$INITRD_ROOT/lib/modules/"
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

# vm_script < SCRIPT: what the VM runs, as root, once /proc, /sys, /dev,
# /run and /tmp are mounted (no cgroup file system: the script mounts the
# layout it tests). It may call
#   run NAME ARGS...  husk-runtime ARGS, its output and "exit=STATUS" as
#                     "husk-vm: NAME: " lines;
#   say TEXT          "husk-vm: TEXT".
# The VM powers off after it.
vm_script() {
	{
		cat <<-EOF
			#!/bin/sh
			export PATH=/bin:/sbin
			export ASAN_OPTIONS='${ASAN_OPTIONS:-}' UBSAN_OPTIONS='${UBSAN_OPTIONS:-}'
		EOF
		cat <<-'EOF'
			# Unless an init (vm_initrd_systemd) mounted them already.
			mounted() { grep -q "^[^ ]* $1 " /proc/mounts 2>/dev/null; }
			mounted /proc || mount -t proc proc /proc
			mounted /sys || mount -t sysfs sysfs /sys
			mounted /dev || mount -t devtmpfs devtmpfs /dev
			mounted /run || mount -t tmpfs tmpfs /run
			mounted /tmp || mount -t tmpfs tmpfs /tmp
			ip link set lo up 2>/dev/null
			say() { echo "husk-vm: $*"; }
			run() {
				name=$1
				shift
				# A new file each time: a detached container keeps
				# writing to the one it was started with.
				rm -f /run/out
				husk-runtime "$@" </dev/null >/run/out 2>&1
				rc=$?
				# awk ends a last line without a newline (the container
				# may be in the middle of one) with one.
				awk -v p="husk-vm: $name: " '{ print p $0 }' /run/out
				echo "husk-vm: $name: exit=$rc"
			}
			echo
			say begin
			say "kernel $(uname -r)"
		EOF
		cat
		cat <<-'EOF'
			say "uptime $(cut -d' ' -f1 /proc/uptime)"
			say end
			sync
			poweroff -f
		EOF
	} >"$INITRD_ROOT/stage2"
	chmod 755 "$INITRD_ROOT/stage2"
}

# vm_boot [KERNEL ARGS...]: packs $INITRD_ROOT and boots it with the kernel
# command line ARGS (and VM_QEMU_OPTS on qemu's); the serial console (without CRs) in $TEST_DIR/serial.log,
# its husk-vm lines echoed for the test's output. Fails when the VM does not
# power off in time or the script did not reach its end.
vm_boot() {
	local start deadline ms
	# The initramfs root cannot be pivot_root'ed away from (the kernel's
	# rootfs has no parent mount): move everything onto a tmpfs first.
	cat >"$INITRD_ROOT/init" <<-'EOF'
		#!/bin/busybox sh
		/bin/busybox --install -s /bin
		mkdir /newroot
		mount -t tmpfs -o mode=755 tmpfs /newroot
		for d in /*; do
			case $d in /newroot | /proc | /sys | /dev | /init) ;; *) cp -a "$d" /newroot/ ;; esac
		done
		mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
		# husk_init= on the kernel command line: another init (vm_initrd_systemd).
		exec switch_root /newroot "${husk_init:-/stage2}"
	EOF
	chmod 755 "$INITRD_ROOT/init"
	(cd "$INITRD_ROOT" && find . | "$BUSYBOX" cpio -o -H newc >"$TEST_DIR/initrd" 2>/dev/null)

	start=$(date +%s%N)
	deadline=$((start + VM_TIMEOUT * 1000000000))
	"$VM_QEMU" -accel tcg -m 512M -nographic -no-reboot \
		-kernel "$KERNEL" -initrd "$TEST_DIR/initrd" \
		-append "console=ttyS0 panic=-1 quiet $*" "${VM_QEMU_OPTS[@]}" \
		</dev/null >"$TEST_DIR/serial.raw" 2>&1 3>&- &
	VM_QEMU_PID=$!
	while kill -0 "$VM_QEMU_PID" 2>/dev/null; do
		if (($(date +%s%N) > deadline)); then
			tr -d '\r' <"$TEST_DIR/serial.raw" >&2
			echo "the VM did not power off within ${VM_TIMEOUT}s" >&2
			return 1
		fi
		sleep 0.1
	done
	wait "$VM_QEMU_PID" || true
	VM_QEMU_PID=
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# VM ran for $((ms / 1000)).$((ms % 1000 / 100)) s" >&3
	tr -d '\r' <"$TEST_DIR/serial.raw" >"$TEST_DIR/serial.log"
	grep '^husk-vm:' "$TEST_DIR/serial.log" | sed 's/^/# /' >&2
	if ! grep -qx 'husk-vm: end' "$TEST_DIR/serial.log"; then
		cat "$TEST_DIR/serial.log" >&2
		echo "the VM's script did not reach its end" >&2
		return 1
	fi
}

# vm_value NAME KEY: the value of the first "husk-vm: NAME: KEY=VALUE".
vm_value() {
	sed -n "s/^husk-vm: $1: $2=//p" "$TEST_DIR/serial.log" | head -n 1
}

# vm_lines NAME: every "husk-vm: NAME: " line, without that prefix.
vm_lines() {
	sed -n "s/^husk-vm: $1: //p" "$TEST_DIR/serial.log"
}
