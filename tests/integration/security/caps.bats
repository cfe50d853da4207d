#!/usr/bin/env bats
# No inheritable or ambient capabilities unless the config asks for them
# (CVE-2022-29162, crun's CVE-2022-27650): otherwise a non-root process
# that executes a file with inheritable file capabilities would gain them.

load ../helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# caps_are SET=HEX...: in the /proc/self/status lines in $output, each
# CapSET field (Inh, Prm, Eff, Bnd, Amb) has that value.
caps_are() {
	local kv got
	for kv in "$@"; do
		got=$(awk -v f="Cap${kv%%=*}:" '$1 == f {print $2}' <<<"$output")
		[ "$got" = "${kv#*=}" ] || {
			echo "Cap${kv%%=*}: $got, wanted ${kv#*=}" >&2
			return 1
		}
	done
}

@test "the default config gives root no inheritable and no ambient capabilities" {
	run_container 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	# AUDIT_WRITE, KILL, NET_BIND_SERVICE
	caps_are Inh=0000000000000000 Amb=0000000000000000 Eff=0000000020000420 Bnd=0000000020000420
}

@test "a non-root user executing a file with inheritable file caps gains nothing" {
	# A copy of busybox that carries CAP_KILL as an inheritable and
	# effective file capability.
	# (named busybox, so that it takes the applet from its first argument)
	mkdir "$ROOTFS/capbin"
	cp "$ROOTFS/bin/busybox" "$ROOTFS/capbin/busybox"
	setcap cap_kill+ei "$ROOTFS/capbin/busybox"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_container '/capbin/busybox grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	caps_are Inh=0000000000000000 Prm=0000000000000000 Eff=0000000000000000 Amb=0000000000000000
}

@test "inheritable and ambient capabilities are set when the config asks" {
	update_config '.process.capabilities.inheritable = ["CAP_KILL"] | .process.capabilities.ambient = ["CAP_KILL"]'
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_container 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	# CAP_KILL is bit 5
	caps_are Inh=0000000000000020 Amb=0000000000000020 Eff=0000000000000020
}

@test "each capability set is what the config gives, for root and for a non-root user" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID"],
		"effective": ["CAP_KILL"],
		"permitted": ["CAP_KILL", "CAP_CHOWN"],
		"inheritable": ["CAP_KILL"],
		"ambient": ["CAP_KILL"]}'
	# CHOWN 0x1, KILL 0x20, SETUID 0x80, NET_RAW 0x2000. For root, exec
	# makes the effective set the permitted one (the kernel's rule for uid
	# 0, runc's result too).
	run_container 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	caps_are Bnd=00000000000020a1 Prm=0000000000000021 Eff=0000000000000021 Inh=0000000000000020 \
		Amb=0000000000000020
	# A non-root user keeps what the ambient set carries over exec.
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_container 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	caps_are Bnd=00000000000020a1 Prm=0000000000000020 Eff=0000000000000020 Inh=0000000000000020 \
		Amb=0000000000000020
}
