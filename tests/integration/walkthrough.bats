#!/usr/bin/env bats
# The walkthrough: Debian's nginx in a debootstrapped image, as a Docker
# user would run it.
#
#   husk run -d --name web -p 8080:80 IMAGE
#   curl http://127.0.0.1:8080/          # through the published port
#   husk exec web ps
#   husk inspect -f '{{.State.Pid}}' web
#   readlink /proc/$PID/ns/*             # not the host shell's
#   husk logs web                        # the request
#   husk stop web; husk rm web           # nothing left behind
#
# The image is made once per file: debootstrap (minbase, nginx-light,
# procps) from the machine's Debian mirror, the access log pointed at
# stdout as Docker's official nginx image does, packed with umoci with
# `nginx -g 'daemon off;'` as its command. Every husk command runs in a
# network namespace made to play the host (see network.bats); nothing
# touches this machine's own network.

bats_require_minimum_version 1.5.0

load engine-helpers # engine_cgroup_parent_remove

HUSK=${HUSK:-}

setup_file() {
	[[ -x $HUSK ]] || skip "set HUSK"
	[[ $EUID -eq 0 ]] || skip "needs root"
	command -v debootstrap >/dev/null || skip "debootstrap not installed"
	command -v umoci >/dev/null || skip "umoci not installed"
	local t=${BATS_FILE_TMPDIR:?} mirror
	mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	mirror=${mirror:-http://deb.debian.org/debian}
	if ! debootstrap --variant=minbase --include=nginx-light,procps bookworm "$t/rootfs" "$mirror" \
		>"$t/debootstrap.log" 2>&1; then
		tail -5 "$t/debootstrap.log" >&3
		skip "debootstrap from $mirror failed (no mirror reachable?)"
	fi
	ln -sf /dev/stdout "$t/rootfs/var/log/nginx/access.log"
	ln -sf /dev/stderr "$t/rootfs/var/log/nginx/error.log"
	echo "hello from nginx in husk" >"$t/rootfs/var/www/html/index.html"
	umoci init --layout "$t/oci" >&3
	umoci new --image "$t/oci:nginx" >&3
	umoci unpack --image "$t/oci:nginx" "$t/bundle" >&3
	cp -a "$t/rootfs/." "$t/bundle/rootfs/"
	rm -rf "$t/rootfs"
	umoci repack --image "$t/oci:nginx" "$t/bundle" >&3
	rm -rf "$t/bundle"
	umoci config --image "$t/oci:nginx" --config.cmd nginx --config.cmd -g --config.cmd 'daemon off;' \
		--config.exposedports 80/tcp --config.stopsignal SIGQUIT >&3
}

setup() {
	[[ -d $BATS_FILE_TMPDIR/oci ]] || skip "no image"
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	export HUSK_STORAGE=$TEST_DIR/store HUSK_STATE=$TEST_DIR/state
	unset HUSK_DEFAULT_NETWORK
	HOST_NS=husk-test-host-$$-$BATS_TEST_NUMBER
	ip netns add "$HOST_NS"
	ip -n "$HOST_NS" link set lo up
	# an address of the "host" besides 127.0.0.1 (a veth pair inside the
	# namespace: this kernel has no dummy links)
	ip -n "$HOST_NS" link add ext0 type veth peer name ext1
	ip -n "$HOST_NS" addr add 192.168.78.1/24 dev ext0
	ip -n "$HOST_NS" link set ext0 up
	ip -n "$HOST_NS" link set ext1 up
	husk load -i "$BATS_FILE_TMPDIR/oci" >/dev/null
	IMAGE=$(husk images -q | head -1)
}

teardown() {
	[[ -n ${TEST_DIR:-} ]] || return 0
	local ids
	ids=$(husk ps -aq --no-trunc 2>/dev/null || true)
	[[ -z $ids ]] || husk rm -f $ids >/dev/null 2>&1 || true
	grep " ${TEST_DIR}/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	ip netns del "$HOST_NS" 2>/dev/null || true
	rm -rf "$TEST_DIR"
	engine_cgroup_parent_remove
}

husk() { nsenter --net="/run/netns/$HOST_NS" timeout 120 "$HUSK" "$@"; }
in_host() { nsenter --net="/run/netns/$HOST_NS" "$@"; }

@test "nginx: run -d -p 8080:80, curl, exec ps, inspect, its namespaces, logs, stop, rm leaves nothing" {
	run husk run -d --name web -p 8080:80 "$IMAGE"
	[ "$status" -eq 0 ]
	local id=$output pid i
	[[ $id =~ ^[0-9a-f]{64}$ ]]

	# curl through the published port, from the host's address and from
	# 127.0.0.1
	for i in $(seq 50); do
		in_host curl -sf http://127.0.0.1:8080/ >/dev/null && break
		sleep 0.1
	done
	run in_host curl -sf http://127.0.0.1:8080/
	[ "$status" -eq 0 ]
	[ "$output" = "hello from nginx in husk" ]
	run in_host curl -sf -A husk-walkthrough http://192.168.78.1:8080/
	[ "$output" = "hello from nginx in husk" ]

	# the container's processes: nginx's master is PID 1, its workers below
	run husk exec web ps -eo pid,ppid,comm
	[ "$status" -eq 0 ]
	[[ $(awk '$1 == 1 {print $3}' <<<"$output") == nginx ]]
	[ "$(awk '$2 == 1 && $3 == "nginx"' <<<"$output" | wc -l)" -ge 1 ]

	# its PID on the host, and namespaces that are not the host shell's
	pid=$(husk inspect -f '{{.State.Pid}}' web)
	[[ $pid =~ ^[0-9]+$ ]]
	[ "$(tr '\0' ' ' </proc/$pid/cmdline)" = "nginx: master process nginx -g daemon off; " ]
	for ns in ipc mnt net pid uts; do
		[ "$(readlink /proc/$pid/ns/$ns)" != "$(readlink /proc/$$/ns/$ns)" ] || {
			echo "$ns is the host's" >&2
			return 1
		}
	done
	# no user namespace without userns-remap: root inside is root outside
	[ "$(readlink /proc/$pid/ns/user)" = "$(readlink /proc/$$/ns/user)" ]
	# the network namespace husk made for it, mounted under its state
	[ "$(stat -L -c %i /proc/$pid/ns/net)" = "$(stat -c %i "$HUSK_STATE/netns/$id")" ]

	# the requests, in nginx's access log, which is the container's stdout
	run husk logs web
	[ "$status" -eq 0 ]
	[[ $output == *'"GET / HTTP/1.1" 200'*husk-walkthrough* ]]

	# stop (SIGQUIT, nginx's graceful stop, as the image says), then rm
	run husk stop web
	[ "$status" -eq 0 ]
	[ "$(husk inspect -f '{{.State.Status}}' web)" = exited ]
	[ ! -e /proc/$pid ] || [ "$(awk '/^State/ {print $2}' /proc/$pid/status)" = Z ]
	run in_host curl -s -m 2 http://127.0.0.1:8080/
	[ "$status" -ne 0 ]
	run husk rm web
	[ "$status" -eq 0 ]
	[ -z "$(husk ps -aq)" ]
	# nothing left: mounts, the container's directory, cgroups, network
	! grep -q " $TEST_DIR/" /proc/self/mountinfo || false
	[ -z "$(ls -A "$HUSK_STORAGE/containers" | grep -v '^\.lock$')" ]
	[ -z "$(find /sys/fs/cgroup -type d -name "$id" 2>/dev/null)" ]
	[ -z "$(in_host ip -o link show master husk0)" ]
	[ -z "$(ls -A "$HUSK_STATE/net/leases")" ]
	[ -z "$(ls -A "$HUSK_STATE/netns")" ]
	run in_host nft list map ip husk ports_any
	[[ $output != *8080* ]]
}
