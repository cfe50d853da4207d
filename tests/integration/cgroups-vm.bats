#!/usr/bin/env bats
# cgroups on the two layouts this machine does not have: pure cgroup v2 and
# pure cgroup v1 (the host is hybrid: cgroups.bats covers that one).
#
# Each test boots Debian 12's own kernel under qemu (./vm.bash) once, with
# two CPUs and a 16 MiB RAM disk (brd), mounts the layout it tests and runs
# the husk-runtime under test through every scenario in a row; the VM
# prints what it saw and the assertions are made here. Each limit is shown
# to work, not only written:
#
#   - memory: a hog is OOM-killed at the limit (the container dies of
#     SIGKILL, the kernel counts oom_kill, `events` streams an "oom" event
#     and ends with the container); update raises the limit of a
#     running container and the same hog then survives;
#   - pids: a loop forking 64 sleeps stops at pids.max; update raises the
#     limit and more start; ps lists the cgroup's processes; kill --all
#     kills every one of them;
#   - cpu: a spinner under a 10 % quota is throttled and gets about that
#     share; cpuset pins it to CPU 1 and update moves it to CPU 0;
#   - freezer: pause stops every process (a counter stops) and resume
#     restarts them;
#   - devices (eBPF on v2, devices.allow/deny on v1): with CAP_MKNOD, a
#     device the rules do not list cannot be made, one they allow "rm" can
#     be made and read but not written;
#   - io / blkio: a write throttle of 1 MiB/s slows direct writes to the
#     RAM disk; the weight is written (BFQ's file: CFQ is gone and a RAM
#     disk has no I/O scheduler, so a weight cannot be seen at work here);
#   - hugetlb: under a 4 MiB limit a hugetlbfs file gets 4 MiB, not 8;
#   - events --stats has memory, pids and cpu data; delete removes every
#     cgroup directory the runtime made.
#
# No host cgroup is touched: everything runs in the VM.

load helpers
load vm

MIB=1048576

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

# cg_bundles: the scenarios' bundles in the initramfs.
cg_bundles() {
	# Forks "sleep 1000" up to 64 times in a subshell, counting in
	# /tmp/$0; busybox sh exits at the first fork that fails.
	local forks='(n=0; while [ $n -lt 64 ]; do sleep 1000 & n=$((n + 1)); echo $n >/tmp/$0; done)'

	vm_bundle oom '.process.args = ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]
		| .linux.resources.memory = {"limit": 33554432}'
	vm_bundle memup '.process.args = ["sleep", "1000"] | .linux.resources.memory = {"limit": 33554432}'
	vm_bundle pids '.process.args = ["sh", "-c", $f + "; echo $? >/tmp/pids-done; exec sleep 1000", "pids-forked"]
		| .linux.resources.pids = {"limit": 8}' --arg f "$forks"
	# What exec runs in it once the limit is raised.
	jq --arg f "$forks" '.process | .args = ["sh", "-c", $f + "; true", "pids-more"]' \
		"$INITRD_ROOT/pids/config.json" >"$INITRD_ROOT/pids/more.json"
	vm_bundle cpu '.process.args = ["sh", "-c", "while :; do :; done"]
		| .linux.resources.cpu = {"quota": 10000, "period": 100000, "cpus": "1", "mems": "0"}'
	vm_bundle freeze '.process.args = ["sh", "-c", "i=0; while :; do i=$((i + 1)); echo $i >/tmp/freeze-count; sleep 0.05; done"]'

	# CAP_MKNOD, so that only the device rules stand in the way of mknod:
	# /dev/mem (c 1:1) is not allowed, the RAM disk (b 1:0) is, "rm".
	# (Not a device of the defaults every container gets, /dev/full and
	# the like: those come after the config's rules, and win.)
	local devices='for d in "ram b 1 0" "mem c 1 1"; do
			set -- $d
			if mknod /dev/husk-$1 $2 $3 $4 2>/tmp/err; then echo $1-mknod=ok; else echo "$1-mknod=$(cat /tmp/err)"; fi
		done
		if head -c 512 /dev/husk-ram >/dev/null 2>/tmp/err; then echo ram-read=ok; else echo "ram-read=$(cat /tmp/err)"; fi
		if echo x 2>/tmp/err >/dev/husk-ram; then echo ram-write=ok; else echo "ram-write=$(cat /tmp/err)"; fi
		if echo x 2>/tmp/err >/dev/null; then echo null-write=ok; else echo "null-write=$(cat /tmp/err)"; fi'
	vm_bundle devices '.process.args = ["sh", "-c", $p]
		| .process.capabilities |= map_values(. + ["CAP_MKNOD"])
		| .linux.resources.devices += [{"allow": true, "type": "b", "major": 1, "minor": 0, "access": "rm"}]' \
		--arg p "$devices"

	# 2 MiB of direct writes to the RAM disk (/dev/ram0, 1:0), timed.
	local io='t0=$(cut -d" " -f1 /proc/uptime)
		dd if=/dev/zero of=/dev/ram0 bs=64k count=32 oflag=direct 2>/dev/null
		echo "dd=$?" >/tmp/io-out
		t1=$(cut -d" " -f1 /proc/uptime)
		echo "ms=$(awk -v a=$t0 -v b=$t1 "BEGIN { printf \"%d\", (b - a) * 1000 }")" >>/tmp/io-out
		: >/tmp/io-done
		exec sleep 1000'
	vm_bundle io '.process.args = ["sh", "-c", $p]
		| .linux.devices = [{"path": "/dev/ram0", "type": "b", "major": 1, "minor": 0, "fileMode": 432}]
		| .linux.resources.devices += [{"allow": true, "type": "b", "major": 1, "minor": 0, "access": "rw"}]
		| .linux.resources.blockIO = {"weight": 500, "throttleWriteBpsDevice": [{"major": 1, "minor": 0, "rate": 1048576}]}' \
		--arg p "$io"

	# The limit as the container sees it in its own cgroup, then 4 MiB
	# twice.
	local huge='cat /sys/fs/cgroup/hugetlb.2MB.max /sys/fs/cgroup/hugetlb/hugetlb.2MB.limit_in_bytes 2>/dev/null | sed "s/^/limit=/"
		for f in first second; do
			if fallocate -l 4M /hugepages/$f 2>/tmp/err; then echo $f=ok; else echo "$f=$(cat /tmp/err)"; fi
		done'
	vm_bundle huge '.process.args = ["sh", "-c", $p]
		| .mounts += [{"destination": "/hugepages", "type": "hugetlbfs", "source": "hugetlbfs", "options": ["pagesize=2M"]}]
		| .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]' --arg p "$huge"
}

# cg_script: the scenarios, after the layout's own lines on stdin (which set
# LAYOUT and mount it).
cg_script() {
	{
		cat
		cat <<-'EOF'
			val() { say "$1: $2=$3"; }
			# cgdir CONTROLLER NAME: where container NAME's CONTROLLER files are.
			cgdir() {
				if [ "$LAYOUT" = v2 ]; then echo /sys/fs/cgroup/husk-test/$2; else echo /sys/fs/cgroup/$1/husk-test/$2; fi
			}
			keyed() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
			flat() { tr '\n' ' ' <"$1" | sed 's/ *$//'; }
			# wait_until SHELL-TEST: up to 20 s.
			wait_until() {
				i=0
				while ! eval "$1"; do
					i=$((i + 1))
					[ $i -lt 200 ] || { say "timeout: $1"; return 1; }
					sleep 0.1
				done
			}
			status() { husk-runtime state "$1" 2>/dev/null | grep -o '"status": *"[a-z]*"' | grep -o '[a-z]*"$' | tr -d '"'; }
			cpid() { husk-runtime state "$1" 2>/dev/null | grep -o '"pid": *[0-9]*' | grep -o '[0-9]*$'; }
			ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
			# live PID...: how many of them still run (zombies do not).
			live() {
				n=0
				for p in "$@"; do
					s=$(awk '{ print $3 }' /proc/$p/stat 2>/dev/null)
					[ -n "$s" ] && [ "$s" != Z ] && n=$((n + 1))
				done
				echo $n
			}
			# delete_checked NAME: delete, and tell how many cgroup
			# directories it had and which are left.
			delete_checked() {
				dirs=$(find /sys/fs/cgroup -type d -path "*/husk-test/$1")
				run $1-delete delete $1
				left=
				for x in $dirs; do [ -d $x ] && left="$left $x"; done
				val $1 dirs "$(echo $dirs | wc -w)"
				val $1 dirs-left "$left"
			}
			# finish NAME: kill, wait until stopped, delete_checked.
			# ($name is run's.)
			finish() {
				ctr=$1
				run $1-kill kill $1 KILL
				wait_until '[ "$(status $ctr)" = stopped ]'
				delete_checked $1
			}

			insmod /lib/modules/brd.ko rd_nr=1 rd_size=16384 || say "setup: insmod brd failed"
			insmod /lib/modules/bfq.ko || say "setup: insmod bfq failed"
			echo 8 >/proc/sys/vm/nr_hugepages
			val setup cpus "$(nproc)"
			val setup hugepages "$(cat /proc/sys/vm/nr_hugepages)"

			# memory: a hog of 64 MiB under 32 MiB, the container's init;
			# --keep leaves its cgroup for the OOM count to be read.
			run oom run --keep --bundle /oom oom
			d=$(cgdir memory oom)
			val oom limit "$(cat $d/$MEM_LIMIT)"
			val oom oom_kill "$(keyed $d/$MEM_EVENTS oom_kill)"
			delete_checked oom

			# memory update: 48 MiB dies under 32 MiB, lives under 96 MiB
			# (exec'd: the same cgroup, the same running container).
			# events streams an "oom" event for the kill.
			run memup-start run --detach --bundle /memup memup
			d=$(cgdir memory memup)
			husk-runtime events --interval 10m memup >/run/memup-events 2>&1 &
			events_pid=$!
			sleep 1
			run memup-before exec memup dd if=/dev/zero of=/dev/null bs=48M count=1
			wait_until 'grep -q "\"type\":\"oom\"" /run/memup-events'
			val memup oom-event "$(grep -c '"type":"oom","id":"memup"' /run/memup-events)"
			run memup-update update --memory 96M memup
			val memup limit "$(cat $d/$MEM_LIMIT)"
			run memup-after exec memup dd if=/dev/zero of=/dev/null bs=48M count=1
			val memup oom_kill "$(keyed $d/$MEM_EVENTS oom_kill)"
			finish memup
			# The stream ends with the container.
			wait $events_pid
			val memup events-exit $?

			# pids: the fork loop, ps, update, kill --all.
			run pids-start run --detach --bundle /pids pids
			d=$(cgdir pids pids)
			wait_until '[ -e /rootfs/tmp/pids-done ]'
			val pids forked "$(cat /rootfs/tmp/pids-forked)"
			val pids max "$(cat $d/pids.max)"
			val pids current "$(cat $d/pids.current)"
			val pids events-max "$(keyed $d/pids.events max)"
			run pids-ps ps --format json pids
			procs=$(cat $d/cgroup.procs)
			val pids procs "$(echo $procs)"
			run pids-update update --pids-limit 16 pids
			val pids max-after "$(cat $d/pids.max)"
			run pids-exec exec --process /pids/more.json pids
			val pids more "$(cat /rootfs/tmp/pids-more)"
			val pids current-after "$(cat $d/pids.current)"
			procs=$(cat $d/cgroup.procs)
			run pids-kill-all kill --all pids KILL
			wait_until '[ -z "$(cat $d/cgroup.procs)" ]'
			val pids procs-after-kill "$(cat $d/cgroup.procs | wc -l)"
			val pids live-after-kill "$(live $procs)"
			wait_until '[ "$(status pids)" = stopped ]'
			val pids status-after-kill "$(status pids)"
			delete_checked pids

			# cpu: quota and cpuset. The share is the cgroup's CPU time
			# over 2 s of wall time, after it has settled.
			run cpu-start run --detach --bundle /cpu cpu
			pid=$(cpid cpu)
			d=$(cgdir cpu cpu)
			usage() {
				if [ "$LAYOUT" = v2 ]; then keyed $d/cpu.stat usage_usec; else echo $(($(cat $(cgdir cpuacct cpu)/cpuacct.usage) / 1000)); fi
			}
			sleep 0.5
			u0=$(usage) t0=$(ms)
			sleep 2
			u1=$(usage) t1=$(ms)
			val cpu share-percent "$(((u1 - u0) / (t1 - t0) / 10))"
			val cpu nr_throttled "$(keyed $d/cpu.stat nr_throttled)"
			val cpu throttled "$(keyed $d/cpu.stat $THROTTLED)"
			val cpu cpuset-cpus "$(cat $(cgdir cpuset cpu)/cpuset.cpus)"
			val cpu cpuset-mems "$(cat $(cgdir cpuset cpu)/cpuset.mems)"
			val cpu allowed "$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$pid/status)"
			val cpu mems-allowed "$(awk '/^Mems_allowed_list/ { print $2 }' /proc/$pid/status)"
			val cpu on-cpu "$(awk '{ print $39 }' /proc/$pid/stat)"
			run cpu-events events --stats cpu
			run cpu-update update --cpuset-cpus 0 cpu
			sleep 0.3
			val cpu allowed-after "$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$pid/status)"
			val cpu on-cpu-after "$(awk '{ print $39 }' /proc/$pid/stat)"
			finish cpu

			# freezer: the state of each process and where it sleeps,
			# and a counter it writes, paused and resumed.
			run freeze-start run --detach --bundle /freeze freeze
			wait_until '[ -s /rootfs/tmp/freeze-count ]'
			d=$(cgdir freezer freeze)
			run freeze-pause pause freeze
			val freeze status "$(status freeze)"
			if [ "$LAYOUT" = v2 ]; then val freeze frozen "$(keyed $d/cgroup.events frozen)"; else val freeze frozen "$(cat $d/freezer.state)"; fi
			for p in $(cat $d/cgroup.procs); do
				say "freeze: proc=$p $(awk '{ print $3 }' /proc/$p/stat) $(cat /proc/$p/wchan)"
			done
			c1=$(cat /rootfs/tmp/freeze-count)
			sleep 0.5
			val freeze count-paused "$c1 $(cat /rootfs/tmp/freeze-count)"
			run freeze-resume resume freeze
			val freeze status-resumed "$(status freeze)"
			if [ "$LAYOUT" = v2 ]; then val freeze frozen-resumed "$(keyed $d/cgroup.events frozen)"; else val freeze frozen-resumed "$(cat $d/freezer.state)"; fi
			sleep 0.5
			val freeze count-resumed "$(cat /rootfs/tmp/freeze-count)"
			finish freeze

			# devices: the probe prints what it could do.
			run devices run --bundle /devices devices

			# io: the same 2 MiB outside any limit first (and the RAM
			# disk's pages then exist: the container's writes do not
			# allocate).
			t0=$(ms)
			dd if=/dev/zero of=/dev/ram0 bs=64k count=32 oflag=direct 2>/dev/null
			val io host-ms "$(($(ms) - t0))"
			run io-start run --detach --bundle /io io
			wait_until '[ -e /rootfs/tmp/io-done ]'
			sed 's/^/husk-vm: io: /' /rootfs/tmp/io-out
			d=$(cgdir blkio io)
			if [ "$LAYOUT" = v2 ]; then
				val io max "$(flat $d/io.max)"
				val io weight "$(flat $d/io.bfq.weight)"
			else
				val io max "$(flat $d/blkio.throttle.write_bps_device)"
				val io weight "$(flat $d/blkio.bfq.weight)"
			fi
			run io-events events --stats io
			finish io

			# hugetlb: 16 MiB in the pool, 4 MiB allowed.
			run huge run --bundle /huge huge

			val end left "$(find /sys/fs/cgroup -name 'husk-test*' | tr '\n' ' ')"
			run list list --quiet
		EOF
	} | vm_script
}

# cg_boot: the VM run, with two CPUs (cpuset).
cg_boot() {
	# shellcheck disable=SC2034 # vm_boot's
	VM_QEMU_OPTS=(-smp 2)
	vm_boot
}

# stats NAME: the "events --stats" JSON of run NAME.
stats() {
	vm_lines "$1" | grep '^{'
}

# deleted NAME: container NAME had a cgroup directory in each of the
# $HIERARCHIES hierarchies, and delete removed them all.
deleted() {
	[ "$(vm_value "$1" dirs)" = "$HIERARCHIES" ]
	[ "$(vm_value "$1" dirs-left)" = "" ]
}

# The assertions common to both layouts. HIERARCHIES: how many the layout
# has; FROZEN: an extended regular expression for "STATE WCHAN" of a
# frozen process.
cg_assert_common() {
	[ "$(vm_value setup cpus)" = 2 ]
	[ "$(vm_value setup hugepages)" = 8 ]
	# (Not "! grep": bats does not fail a test on a negated command.)
	[ -z "$(grep '^husk-vm: setup: insmod' "$TEST_DIR/serial.log")" ]

	# The hog: killed by SIGKILL (128 + 9), and by the OOM killer.
	[ "$(vm_value oom exit)" = 137 ]
	[ "$(vm_value oom limit)" = $((32 * MIB)) ]
	[ "$(vm_value oom oom_kill)" = 1 ]
	[ "$(vm_value oom-delete exit)" = 0 ]
	deleted oom

	# update of the memory limit, with the hog before and after.
	[ "$(vm_value memup-start exit)" = 0 ]
	[ "$(vm_value memup-before exit)" = 137 ]
	[ "$(vm_value memup oom-event)" -ge 1 ]
	[ "$(vm_value memup events-exit)" = 0 ]
	[ "$(vm_value memup-update exit)" = 0 ]
	[ "$(vm_value memup limit)" = $((96 * MIB)) ]
	[ "$(vm_value memup-after exit)" = 0 ]
	[ "$(vm_value memup oom_kill)" = 1 ]
	deleted memup

	# The fork loop stops at pids.max (8: sh, its subshell and 6 sleeps).
	[ "$(vm_value pids-start exit)" = 0 ]
	[ "$(vm_value pids forked)" = 6 ]
	[ "$(vm_value pids current)" -le 8 ]
	[ "$(vm_value pids events-max)" -ge 1 ]
	[ "$(vm_value pids max)" = 8 ]
	# ps lists exactly the cgroup's processes.
	[ "$(vm_value pids procs | wc -w)" = "$(vm_value pids current)" ]
	[ "$(vm_value pids-ps exit)" = 0 ]
	[ "$(vm_lines pids-ps | grep '^\[' | jq -r '.[]' | sort -n | tr '\n' ' ')" = "$(vm_value pids procs | tr ' ' '\n' | sort -n | tr '\n' ' ')" ]
	# A raised limit lets more start: 16 - 7 running - exec's sh and its
	# subshell = 7.
	[ "$(vm_value pids-update exit)" = 0 ]
	[ "$(vm_value pids max-after)" = 16 ]
	[ "$(vm_value pids more)" = 7 ]
	[ "$(vm_value pids current-after)" -gt 8 ]
	[ "$(vm_value pids current-after)" -le 16 ]
	# kill --all: none of the 14 is left.
	[ "$(vm_value pids-kill-all exit)" = 0 ]
	[ "$(vm_value pids procs-after-kill)" = 0 ]
	[ "$(vm_value pids live-after-kill)" = 0 ]
	[ "$(vm_value pids status-after-kill)" = stopped ]
	[ "$(vm_value pids-delete exit)" = 0 ]
	deleted pids

	# 10 % of a CPU, throttled (TCG is noisy: allow up to 20 %).
	[ "$(vm_value cpu-start exit)" = 0 ]
	[ "$(vm_value cpu share-percent)" -ge 3 ]
	[ "$(vm_value cpu share-percent)" -le 20 ]
	[ "$(vm_value cpu nr_throttled)" -ge 5 ]
	[ "$(vm_value cpu throttled)" -gt 0 ]
	[ "$(vm_value cpu cpuset-cpus)" = 1 ]
	[ "$(vm_value cpu cpuset-mems)" = 0 ]
	[ "$(vm_value cpu allowed)" = 1 ]
	[ "$(vm_value cpu mems-allowed)" = 0 ]
	[ "$(vm_value cpu on-cpu)" = 1 ]
	[ "$(vm_value cpu-update exit)" = 0 ]
	[ "$(vm_value cpu allowed-after)" = 0 ]
	[ "$(vm_value cpu on-cpu-after)" = 0 ]
	# events --stats: cpu, memory and pids data of the spinner.
	[ "$(vm_value cpu-events exit)" = 0 ]
	stats cpu-events | jq -e '.type == "stats" and .id == "cpu"'
	stats cpu-events | jq -e '.data.cpu.usage.total > 0 and .data.cpu.throttling.throttledPeriods > 0'
	stats cpu-events | jq -e '.data.memory.usage.usage > 0 and .data.pids.current == 1'
	deleted cpu

	# pause: every process stopped, the counter too; resume restarts it.
	[ "$(vm_value freeze-pause exit)" = 0 ]
	[ "$(vm_value freeze status)" = paused ]
	# Each of its processes (sh, and the sleep it forked if any) is held
	# where the freezer parks it.
	[ "$(vm_lines freeze | grep -c '^proc=')" -ge 1 ]
	[ -z "$(vm_lines freeze | grep '^proc=' | grep -Ev "^proc=[0-9]+ ($FROZEN)\$")" ]
	local c
	read -r -a c <<<"$(vm_value freeze count-paused)"
	[ "${c[0]}" -ge 1 ]
	[ "${c[0]}" = "${c[1]}" ]
	[ "$(vm_value freeze-resume exit)" = 0 ]
	[ "$(vm_value freeze status-resumed)" = running ]
	[ "$(vm_value freeze count-resumed)" -gt "${c[1]}" ]
	deleted freeze

	# devices: /dev/mem (not listed) cannot be made; the RAM disk ("rm")
	# can be made and read, not written; /dev/null (a default) works.
	[ "$(vm_value devices exit)" = 0 ]
	[ "$(vm_value devices ram-mknod)" = ok ]
	[ "$(vm_value devices ram-read)" = ok ]
	[[ "$(vm_value devices ram-write)" == *"Operation not permitted"* ]]
	[[ "$(vm_value devices mem-mknod)" == *"Operation not permitted"* ]]
	[ "$(vm_value devices null-write)" = ok ]

	# io: 2 MiB at 1 MiB/s take about 2 s (the first slice may go
	# unthrottled), against a few ms without the limit.
	[ "$(vm_value io-start exit)" = 0 ]
	[ "$(vm_value io dd)" = 0 ]
	[ "$(vm_value io ms)" -ge 900 ]
	[ "$(vm_value io host-ms)" -lt 500 ]
	deleted io
	stats io-events | jq -e '[.data.blkio.ioServiceBytesRecursive[] | select(.major == 1 and (.minor // 0) == 0 and (.op | ascii_downcase) == "write") | .value // 0] | max >= 2097152'

	# hugetlb: 4 MiB fits the limit, 4 more do not.
	[ "$(vm_value huge exit)" = 0 ]
	[ "$(vm_value huge limit)" = $((4 * MIB)) ]
	[ "$(vm_value huge first)" = ok ]
	[[ "$(vm_value huge second)" == *"No space left on device"* ]]

	# Nothing of the runtime's left in any hierarchy, nor in its state.
	[ "$(vm_value end left)" = "" ]
	[ "$(vm_value list exit)" = 0 ]
	[ "$(vm_lines list)" = "exit=0" ]
}

@test "pure cgroup v2 (Debian's kernel under qemu): every limit observed at work" {
	vm_require
	vm_initrd_begin
	vm_modules brd bfq
	cg_bundles
	cg_script <<-'EOF'
		LAYOUT=v2
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		MEM_LIMIT=memory.max MEM_EVENTS=memory.events THROTTLED=throttled_usec
		say "layout: controllers=$(cat /sys/fs/cgroup/cgroup.controllers)"
	EOF
	cg_boot

	local want
	for want in cpuset cpu io memory hugetlb pids rdma misc; do
		[[ " $(vm_value layout controllers) " == *" $want "* ]]
	done
	# The v2 freezer traps each process in signal delivery, as a stop
	# would (but without the "T" of a stop).
	HIERARCHIES=1 FROZEN='S get_signal|S do_freezer_trap' cg_assert_common
	[ "$(vm_value freeze frozen)" = 1 ]
	[ "$(vm_value freeze frozen-resumed)" = 0 ]
	# v2 names
	[ "$(vm_value io max)" = "1:0 rbps=max wbps=1048576 riops=max wiops=max" ]
	[ "$(vm_value io weight)" = "default 500" ]
}

@test "pure cgroup v1 (Debian's kernel under qemu): every limit observed at work" {
	vm_require
	vm_initrd_begin
	vm_modules brd bfq
	cg_bundles
	# One hierarchy per controller, as systems mounted them, with the
	# symlinks for the comounted ones. No kernel option is needed: a
	# controller goes to the first hierarchy that mounts it, and nothing
	# mounts cgroup2 here.
	cg_script <<-'EOF'
		LAYOUT=v1
		mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
		for h in cpu,cpuacct cpuset memory pids devices freezer blkio hugetlb net_cls,net_prio perf_event rdma misc; do
			mkdir /sys/fs/cgroup/$h
			mount -t cgroup -o $h cgroup /sys/fs/cgroup/$h || say "layout: mount $h failed"
		done
		ln -s cpu,cpuacct /sys/fs/cgroup/cpu
		ln -s cpu,cpuacct /sys/fs/cgroup/cpuacct
		ln -s net_cls,net_prio /sys/fs/cgroup/net_cls
		ln -s net_cls,net_prio /sys/fs/cgroup/net_prio
		MEM_LIMIT=memory.limit_in_bytes MEM_EVENTS=memory.oom_control THROTTLED=throttled_time
		say "layout: hierarchies=$(awk '$3 == "cgroup" { print $2 }' /proc/mounts | wc -l)"
		say "layout: cgroup2=$(awk '$3 == "cgroup2"' /proc/mounts | wc -l)"
	EOF
	cg_boot

	[ "$(vm_value layout hierarchies)" = 12 ]
	[ "$(vm_value layout cgroup2)" = 0 ]
	[ -z "$(grep '^husk-vm: layout: mount' "$TEST_DIR/serial.log")" ]
	# The v1 freezer of Linux 6.1 (TASK_FROZEN) shows a frozen process as
	# "D": parked in __refrigerator, or frozen in place in the sleep it
	# was in (do_wait, hrtimer_nanosleep), which shows "S" otherwise.
	HIERARCHIES=12 FROZEN='D [a-z_]+' cg_assert_common
	[ "$(vm_value freeze frozen)" = FROZEN ]
	[ "$(vm_value freeze frozen-resumed)" = THAWED ]
	[ "$(vm_value io max)" = "1:0 1048576" ]
	[ "$(vm_value io weight)" = 500 ]
}
