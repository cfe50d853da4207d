#!/usr/bin/env bats
# Real clients drive the runtime unmodified: podman (--runtime), containerd
# 1.6 through ctr (the runc v2 shim with --runc-binary) and dockerd
# (--add-runtime). Each client runs on its own temp dirs, inside a network
# namespace and a private mount namespace made for the test
# (clients-helpers.bash); a client that is not installed skips its tests.
#
# What the clients rely on: podman picks flags by the runtime's basename
# (--log FILE --log-format json, errors read from the last error line of the
# log, "no such file"/"permission denied" mapped to 127/126), kill with
# numeric signals, `kill --all` of a stopped container and `delete --force` of
# a gone one succeeding, `update --resources -` from stdin; the shim passes an
# extra socket on fd 3 to create; dockerd adds a prestart hook
# (libnetwork-setkey) to every container.

load helpers
load clients-helpers

setup() { clients_setup; }
teardown() { clients_teardown; }

# ---------------------------------------------------------------- podman --

# prun ARG...: `podman run` with the test's cgroup parent.
prun() {
	podman_cmd run --cgroup-parent "/$CLIENT_CGROUP" "$@"
}

# pinspect NAME FORMAT: one field of `podman inspect`.
pinspect() {
	podman_cmd inspect --format "$2" "$1"
}

@test "podman: run --rm echo" {
	podman_setup
	prun --rm "$IMAGE" echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ] || { dump_logs; false; }
	# podman info runs `--version` and shows it.
	podman_cmd info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}'
	[ "$status" -eq 0 ]
	grep -q "$RUNTIME_NAME version" <<<"$output"
	grep -q '^commit:' <<<"$output"
}

@test "podman: exit codes: the container's, 127 for a missing command, 126 for a non-executable one" {
	podman_setup
	prun --rm "$IMAGE" sh -c 'exit 3'
	[ "$status" -eq 3 ]

	prun --rm "$IMAGE" /no/such/command
	[ "$status" -eq 127 ]
	# podman's own message carries the runtime's error from its json log.
	grep -qi 'no such file or directory' <<<"$output"

	prun --rm "$IMAGE" /etc/passwd
	[ "$status" -eq 126 ]
	grep -qi 'permission denied' <<<"$output"
}

@test "podman: run -d, exec, exec -it, pause, unpause, update, kill, stop, rm" {
	podman_setup
	prun -d --name web "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	pinspect web '{{.State.Status}}'
	[ "$output" = running ]

	podman_cmd exec web sh -c 'echo exec-ok; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exec-ok ]
	[ "${lines[1]}" = "sleep 1000 " ]

	podman_cmd exec web sh -c 'exit 5'
	[ "$status" -eq 5 ]
	podman_cmd exec web /no/such/command
	[ "$status" -eq 127 ]

	# -it: the exec gets a terminal of its own.
	command -v script >/dev/null || skip "needs script(1) from bsdutils"
	podman_tty exec -it web sh -c 'tty; [ -t 0 ] && echo stdin-is-tty'
	[ "$status" -eq 0 ]
	grep -q '/dev/pts/[0-9]' <<<"$output"
	grep -q stdin-is-tty <<<"$output"

	podman_cmd pause web
	[ "$status" -eq 0 ]
	pinspect web '{{.State.Status}}'
	[ "$output" = paused ]
	podman_cmd unpause web
	[ "$status" -eq 0 ]
	pinspect web '{{.State.Status}}'
	[ "$output" = running ]

	# podman 4.3 `update` runs `update --resources -` with the JSON on stdin.
	local pid
	podman_cmd update --memory 64m --cpu-shares 512 web
	[ "$status" -eq 0 ]
	pinspect web '{{.State.Pid}}'
	pid=$output
	[ "$(cat "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes" 2>/dev/null ||
		cat "$(cgroup_dir "$pid" memory)/memory.max")" = 67108864 ]
	if [[ -f $(cgroup_dir "$pid" cpu)/cpu.shares ]]; then
		[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.shares")" = 512 ]
	fi

	# kill with a signal the container handles: numeric on the runtime's
	# command line.
	prun -d --name trap "$IMAGE" sh -c 'trap "echo got-usr1; exit 0" USR1; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	podman_cmd kill --signal USR1 trap
	[ "$status" -eq 0 ]
	podman_cmd wait trap
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	podman_cmd logs trap
	[ "$output" = got-usr1 ]
	podman_cmd rm trap
	[ "$status" -eq 0 ]

	podman_cmd stop --time 1 web
	[ "$status" -eq 0 ]
	pinspect web '{{.State.Status}}'
	[ "$output" = exited ]
	podman_cmd rm web
	[ "$status" -eq 0 ]
	podman_cmd ps --all --quiet
	[ -z "$output" ]
}

@test "podman: the container sees its own cgroup under /sys/fs/cgroup" {
	podman_setup
	prun -d --name cg --memory 48m "$IMAGE" sleep 1000
	[ "$status" -eq 0 ]
	# Without a cgroup namespace (podman's default on cgroup v1), runc
	# binds the container's own cgroup directories there, not the roots of
	# the host's hierarchies.
	podman_cmd exec cg sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
	[ "$status" -eq 0 ]
	[ "$output" = 50331648 ]
	podman_cmd exec cg sh -c 'ls /sys/fs/cgroup/memory | grep -c "^libpod" || true'
	[ "$output" = 0 ]
}

@test "podman: -p 8080:80 reaches a busybox httpd from the test netns" {
	podman_setup
	prun -d --name httpd -p 8080:80 "$IMAGE" \
		sh -c 'mkdir -p /www && echo served-by-husk >/www/index.html && exec httpd -f -p 80 -h /www'
	[ "$status" -eq 0 ]
	local i fetched=""
	for ((i = 0; i < 50; i++)); do
		fetched=$(http_get http://127.0.0.1:8080/ 2>/dev/null) && break
		sleep 0.2
	done
	[ "$fetched" = served-by-husk ] || { dump_logs; false; }
	podman_cmd rm --force --time 0 httpd
	[ "$status" -eq 0 ]
}

@test "podman: a hard rlimit above the host's fails with the runtime's clear error" {
	husk_only "name the rlimit and the missing capability"
	# Without CAP_SYS_RESOURCE (24) a hard limit cannot be raised; with it,
	# there is nothing to check.
	if (( ($(awk '/^CapBnd/ {print "0x" $2}' /proc/self/status) >> 24) & 1 )); then
		skip "CAP_SYS_RESOURCE is in the bounding set: hard limits can be raised"
	fi
	podman_setup
	local hard
	hard=$(ulimit -Hn)
	prun --rm --ulimit "nofile=$((hard + 1)):$((hard + 1))" "$IMAGE" true
	[ "$status" -ne 0 ]
	grep -q 'RLIMIT_NOFILE' <<<"$output"
	grep -qi 'operation not permitted\|CAP_SYS_RESOURCE' <<<"$output"
}

# ---------------------------------------------------------------- containerd --

# ctr_run ID ARG...: `ctr run` through the runc v2 shim with our runtime, in
# cgroup /$CLIENT_CGROUP/ID. A --rootfs container has no image config: PATH
# comes from here.
ctr_run() {
	ctr_cmd run --runtime io.containerd.runc.v2 --runc-binary "$RUNTIME" \
		--cgroup "/$CLIENT_CGROUP/$1" --fifo-dir "$C/fifo" \
		--env PATH=/usr/sbin:/usr/bin:/sbin:/bin "${@:2}"
}

@test "containerd: ctr run --rm --rootfs echo" {
	containerd_setup
	ctr_run c1 --rm --rootfs "$ROOTFS" c1 echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ] || { dump_logs; false; }
	ctr_cmd container list -q
	[ -z "$output" ]
}

@test "containerd: the shim's fd 3 does not leak into the container" {
	containerd_setup
	# The init is `sleep`, which opens nothing: its fds are what the
	# runtime handed over.
	ctr_run c1 -d --rootfs "$ROOTFS" c1 sleep 1000
	[ "$status" -eq 0 ]
	ctr_cmd task exec --exec-id fds c1 ls /proc/1/fd
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "0 1 2" ] || { dump_logs; false; }
	ctr_cmd task kill --signal SIGKILL c1
}

@test "containerd: ctr run -d, task exec, task kill, task delete" {
	containerd_setup
	ctr_run c1 -d --rootfs "$ROOTFS" c1 sleep 1000
	[ "$status" -eq 0 ]
	ctr_cmd task list
	grep -q 'c1 .* RUNNING' <<<"$output"

	ctr_cmd task exec --exec-id e1 c1 sh -c 'echo exec-ok; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exec-ok ]
	[ "${lines[1]}" = "sleep 1000 " ]
	ctr_cmd task exec --exec-id e2 c1 sh -c 'exit 4'
	[ "$status" -eq 4 ]

	ctr_cmd task pause c1
	[ "$status" -eq 0 ]
	ctr_cmd task list
	grep -q 'c1 .* PAUSED' <<<"$output"
	ctr_cmd task resume c1
	[ "$status" -eq 0 ]

	ctr_cmd task ps c1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 2 ]

	ctr_cmd task kill --signal SIGKILL c1
	[ "$status" -eq 0 ]
	local i
	for ((i = 0; i < 50; i++)); do
		ctr_cmd task list
		grep -q 'c1 .* STOPPED' <<<"$output" && break
		sleep 0.1
	done
	grep -q 'c1 .* STOPPED' <<<"$output"
	ctr_cmd task delete c1
	[ "$status" -eq 0 ]
	ctr_cmd container delete c1
	[ "$status" -eq 0 ]
}

@test "containerd: ctr image import of an OCI archive, then run it" {
	containerd_setup
	oci_archive "$TEST_DIR/busybox-oci.tar" docker.io/library/husk-busybox:latest
	ctr_cmd image import --all-platforms "$TEST_DIR/busybox-oci.tar"
	[ "$status" -eq 0 ]
	ctr_run c1 --rm docker.io/library/husk-busybox:latest c1 sh -c 'echo from-image; cat /etc/passwd | head -1'
	[ "$status" -eq 0 ] || { dump_logs; false; }
	[ "${lines[0]}" = from-image ]
	[ "${lines[1]}" = root:x:0:0:root:/root:/bin/sh ]
	ctr_cmd image remove docker.io/library/husk-busybox:latest
}

# ---------------------------------------------------------------- dockerd --

# docker_import: the busybox rootfs as image husk-busybox.
docker_import() {
	docker_cmd import "$(busybox_tar)" husk-busybox:latest
	[ "$status" -eq 0 ]
	DIMAGE=husk-busybox:latest
}

@test "dockerd: docker run --runtime husk --rm echo" {
	dockerd_setup
	docker_import
	docker_cmd run --runtime husk --rm "$DIMAGE" echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ] || { dump_logs; false; }
	docker_cmd run --runtime husk --rm "$DIMAGE" sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "dockerd: run -d on the default bridge (prestart hook), exec, stop, rm" {
	dockerd_setup
	docker_import
	docker_cmd run --runtime husk -d --name web "$DIMAGE" sleep 1000
	[ "$status" -eq 0 ]
	docker_cmd inspect --format '{{.State.Status}} {{.HostConfig.Runtime}}' web
	[ "$output" = "running husk" ]
	# The bridge address libnetwork configured through its prestart hook.
	local ip
	docker_cmd inspect --format '{{.NetworkSettings.IPAddress}}' web
	ip=$output
	[[ $ip == 172.17.* ]]
	docker_cmd exec web sh -c 'ip -o -4 addr show eth0'
	[ "$status" -eq 0 ]
	grep -q "inet $ip/" <<<"$output"
	# From the test netns (playing the host) to the container.
	clients_exec "$BUSYBOX" ping -c 1 -W 2 "$ip"

	docker_cmd exec web sh -c 'exit 6'
	[ "$status" -eq 6 ]
	docker_cmd pause web
	[ "$status" -eq 0 ]
	docker_cmd inspect --format '{{.State.Status}}' web
	[ "$output" = paused ]
	docker_cmd unpause web
	[ "$status" -eq 0 ]
	docker_cmd stop --time 1 web
	[ "$status" -eq 0 ]
	docker_cmd inspect --format '{{.State.Status}}' web
	[ "$output" = exited ]
	docker_cmd rm web
	[ "$status" -eq 0 ]
}

@test "dockerd: -p 8081:80 reaches a busybox httpd through iptables in the test netns" {
	dockerd_setup
	docker_import
	docker_cmd run --runtime husk -d --name httpd -p 8081:80 "$DIMAGE" \
		sh -c 'mkdir -p /www && echo served-by-husk >/www/index.html && exec httpd -f -p 80 -h /www'
	[ "$status" -eq 0 ]
	local i fetched=""
	for ((i = 0; i < 50; i++)); do
		fetched=$(http_get http://127.0.0.1:8081/ 2>/dev/null) && break
		sleep 0.2
	done
	[ "$fetched" = served-by-husk ] || { dump_logs; false; }
	# The DNAT rule is in the test netns's firewall, not the host's.
	clients_exec iptables -t nat -S DOCKER | grep -q 'dport 8081'
	docker_cmd rm --force httpd
	[ "$status" -eq 0 ]
}
