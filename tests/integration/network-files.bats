#!/usr/bin/env bats
# A container's /etc/resolv.conf, /etc/hosts and /etc/hostname
# (src/engine/netfiles.c), --network container:X, --mac-address and --ip.
#
# As in network.bats, husk runs in a network namespace the test makes to
# play the host (entered with nsenter), and never touches this machine's
# network. The host's resolv.conf is a file of the test's own
# (HUSK_RESOLV_CONF): the machine's /etc is only read (--network host).

bats_require_minimum_version 1.5.0

load engine-helpers # engine_cgroup_parent_remove

HUSK=${HUSK:-}
BUSYBOX=${BUSYBOX:-/bin/busybox}

setup_file() {
	[[ -x $HUSK ]] || skip "set HUSK"
	command -v umoci >/dev/null || skip "umoci not installed"
	local t=${BATS_FILE_TMPDIR:?}
	umoci init --layout "$t/oci" >&3
	umoci new --image "$t/oci:img" >&3
	umoci unpack --image "$t/oci:img" "$t/bundle" >&3
	local r=$t/bundle/rootfs
	mkdir -p "$r"/{bin,etc,tmp}
	cp "$BUSYBOX" "$r/bin/busybox"
	for c in sh cat ls ip sleep hostname echo true grep sed stat; do ln -s busybox "$r/bin/$c"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\n' >"$r/etc/group"
	# the image's own files, which the container's must hide
	echo "nameserver 203.0.113.99" >"$r/etc/resolv.conf"
	echo "image-hostname" >"$r/etc/hostname"
	umoci repack --image "$t/oci:img" "$t/bundle" >&3
	umoci config --image "$t/oci:img" --config.cmd sh >&3
}

setup() {
	[[ -x $HUSK ]] || skip "set HUSK"
	[[ $EUID -eq 0 ]] || skip "needs root"
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	export HUSK_STORAGE=$TEST_DIR/store HUSK_STATE=$TEST_DIR/state
	unset HUSK_DEFAULT_NETWORK # the real default: bridge
	export HUSK_RESOLV_CONF=$TEST_DIR/host-resolv.conf
	cat >"$HUSK_RESOLV_CONF" <<-EOF
		# the host's
		nameserver 127.0.0.53
		nameserver 192.0.2.53
		nameserver 2001:db8::53
		search example.test corp.test
		options ndots:2 edns0
		sortlist 10.0.0.0/255.0.0.0
	EOF
	HOST_NS=husk-test-files-$$-$BATS_TEST_NUMBER
	FWD_BEFORE=$(cat /proc/sys/net/ipv4/ip_forward)
	RULES_BEFORE=$(nft list ruleset 2>/dev/null | md5sum)
	ip netns add "$HOST_NS"
	ip -n "$HOST_NS" link set lo up
	local id
	id=$(husk load -i "$BATS_FILE_TMPDIR/oci" | sed -n 's/^Loaded image ID: //p')
	husk tag "$id" net-img
}

teardown() {
	[[ -n ${TEST_DIR:-} ]] || return 0
	local ids left=0
	ids=$(husk ps -aq --no-trunc 2>/dev/null || true)
	[[ -z $ids ]] || husk rm -f $ids >/dev/null 2>&1 || true
	if grep -q " ${TEST_DIR}/" /proc/self/mountinfo; then
		echo "mount left under $TEST_DIR" >&2
		left=1
		grep " ${TEST_DIR}/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	fi
	ip netns del "$HOST_NS" 2>/dev/null || true
	rm -rf "$TEST_DIR"
	engine_cgroup_parent_remove
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$FWD_BEFORE" ] || {
		echo "the machine's ip_forward changed" >&2
		left=1
	}
	[ "$(nft list ruleset 2>/dev/null | md5sum)" = "$RULES_BEFORE" ] || {
		echo "the machine's nftables ruleset changed" >&2
		left=1
	}
	[ "$left" -eq 0 ]
}

husk() { nsenter --net="/run/netns/$HOST_NS" timeout 60 "$HUSK" "$@"; }
ip_of() { husk inspect -f '{{.NetworkSettings.IPAddress}}' "$1"; }

DOCKER_HOSTS=$'127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters'

@test "bridge: the host's resolv.conf less loopback and IPv6 nameservers, hosts with the container's address, the short id as hostname" {
	local c ip
	c=$(husk run -d net-img sleep 100)
	ip=$(ip_of "$c")
	[[ $ip == 10.88.0.* ]]
	run husk exec "$c" cat /etc/resolv.conf
	[ "$output" = $'nameserver 192.0.2.53\nsearch example.test corp.test\noptions ndots:2 edns0\nsortlist 10.0.0.0/255.0.0.0' ]
	run husk exec "$c" cat /etc/hosts
	[ "$output" = "$DOCKER_HOSTS"$'\n'"$ip"$'\t'"${c:0:12}" ]
	[ "$(husk exec "$c" cat /etc/hostname)" = "${c:0:12}" ]
	[ "$(husk exec "$c" hostname)" = "${c:0:12}" ]

	# inspect names the files under the container's directory, and the
	# container's /etc files are those very files, bind-mounted
	local dir=$HUSK_STORAGE/containers/$c
	[ "$(husk inspect -f '{{.ResolvConfPath}} {{.HostnamePath}} {{.HostsPath}}' "$c")" = \
		"$dir/resolv.conf $dir/hostname $dir/hosts" ]
	run husk exec "$c" sh -c 'grep -c -E " /etc/(resolv.conf|hostname|hosts) " /proc/self/mountinfo'
	[ "$output" = 3 ]
	echo "nameserver 198.51.100.1" >>"$dir/resolv.conf"
	[[ $(husk exec "$c" cat /etc/resolv.conf) == *"nameserver 198.51.100.1" ]]
	[ "$(husk inspect -f '{{json .HostConfig.Dns}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}} {{json .HostConfig.ExtraHosts}}' "$c")" = \
		'[] [] [] null' ]
}

@test "only loopback nameservers on the host: Google's; --network none gets the same files, no address line" {
	printf 'nameserver 127.0.0.53\nnameserver ::1\n' >"$HUSK_RESOLV_CONF"
	run husk run --rm net-img cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	[ "$output" = $'nameserver 8.8.8.8\nnameserver 8.8.4.4' ]
	local c
	c=$(husk run -d --network none net-img sleep 100)
	run husk exec "$c" cat /etc/resolv.conf
	[ "$output" = $'nameserver 8.8.8.8\nnameserver 8.8.4.4' ]
	run husk exec "$c" cat /etc/hosts
	[ "$output" = "$DOCKER_HOSTS" ]
	[ "$(husk exec "$c" cat /etc/hostname)" = "${c:0:12}" ]
	[ "$(husk inspect -f '{{.HostsPath}}' "$c")" = "$HUSK_STORAGE/containers/$c/hosts" ]
}

@test "--network host: the host's resolv.conf and hosts as they are, the host's hostname unless --hostname" {
	local c
	c=$(husk run -d --network host net-img sleep 100)
	husk exec "$c" cat /etc/resolv.conf | cmp - "$HUSK_RESOLV_CONF"
	husk exec "$c" cat /etc/hosts | cmp - /etc/hosts
	[ "$(husk exec "$c" cat /etc/hostname)" = "$(hostname)" ]
	[ "$(husk exec "$c" hostname)" = "$(hostname)" ]
	[ "$(husk inspect -f '{{.Config.Hostname}}' "$c")" = "$(hostname)" ]

	run husk run --rm --network host --hostname other net-img sh -c 'hostname; cat /etc/hostname'
	[ "$output" = $'other\nother' ]
	# with --dns: the host's file with that part replaced, loopback kept
	run husk run --rm --network host --dns 198.51.100.7 net-img cat /etc/resolv.conf
	[ "$output" = $'nameserver 198.51.100.7\nsearch example.test corp.test\noptions ndots:2 edns0\nsortlist 10.0.0.0/255.0.0.0' ]
}

@test "--dns, --dns-search, --dns-option replace their parts; --add-host (host-gateway: the bridge's address); --hostname" {
	local c ip
	c=$(husk run -d --dns 127.0.0.1 --dns 1.1.1.1 --dns-option ndots:5 --add-host db:10.1.2.3 \
		--add-host gw:host-gateway --add-host v6=2001:db8::1 --hostname web.example net-img sleep 100)
	ip=$(ip_of "$c")
	run husk exec "$c" cat /etc/resolv.conf
	# the nameservers given are kept as they are, loopback too
	[ "$output" = $'nameserver 127.0.0.1\nnameserver 1.1.1.1\nsearch example.test corp.test\noptions ndots:5\nsortlist 10.0.0.0/255.0.0.0' ]
	run husk exec "$c" cat /etc/hosts
	[ "$output" = "$DOCKER_HOSTS"$'\n10.1.2.3\tdb\n10.88.0.1\tgw\n2001:db8::1\tv6\n'"$ip"$'\tweb.example web' ]
	[ "$(husk exec "$c" hostname)" = web.example ]
	[ "$(husk exec "$c" cat /etc/hostname)" = web.example ]
	[ "$(husk inspect -f '{{json .HostConfig.Dns}} {{json .HostConfig.DnsOptions}} {{json .HostConfig.ExtraHosts}}' "$c")" = \
		'["127.0.0.1","1.1.1.1"] ["ndots:5"] ["db:10.1.2.3","gw:host-gateway","v6=2001:db8::1"]' ]

	run husk run --rm --dns-search a.test --dns-search b.test net-img cat /etc/resolv.conf
	[ "$output" = $'nameserver 192.0.2.53\nsearch a.test b.test\noptions ndots:2 edns0\nsortlist 10.0.0.0/255.0.0.0' ]
	# "." for none
	run husk run --rm --dns-search . net-img cat /etc/resolv.conf
	[ "$output" = $'nameserver 192.0.2.53\noptions ndots:2 edns0\nsortlist 10.0.0.0/255.0.0.0' ]

	for bad in "--dns 1.2.3" "--dns-search -bad-" "--add-host noaddress" "--add-host :1.2.3.4" "--add-host x:1.2.3.999"; do
		run husk run --rm $bad net-img true
		[ "$status" -eq 125 ]
		[ "${#lines[@]}" -eq 1 ]
	done
	run husk run --rm --add-host x:1.2.3.999 net-img true
	[ "$output" = 'Error: invalid IP address in add-host: "1.2.3.999"' ]
	[ "$(husk ps -aq | wc -l)" -eq 1 ]
}

@test "the files are written in place at each start: hosts with the address of that start, resolv.conf from the host's file of then" {
	local c ino ip
	c=$(husk create net-img sleep 100)
	local hosts=$HUSK_STORAGE/containers/$c/hosts
	[ "$(cat "$hosts")" = "$DOCKER_HOSTS" ]
	ino=$(stat -c %i "$hosts")
	husk start "$c"
	ip=$(ip_of "$c")
	[ "$(tail -n1 "$hosts")" = "$ip"$'\t'"${c:0:12}" ]
	[ "$(stat -c %i "$hosts")" = "$ino" ]
	# another container takes an address meanwhile: the restart gets another
	husk stop -t 1 "$c"
	local other
	other=$(husk run -d net-img sleep 100)
	husk start "$c"
	[ "$(ip_of "$c")" != "$ip" ] || [ "$(ip_of "$other")" != "$ip" ]
	ip=$(ip_of "$c")
	run husk exec "$c" cat /etc/hosts
	[ "$output" = "$DOCKER_HOSTS"$'\n'"$ip"$'\t'"${c:0:12}" ]
	[ "$(stat -c %i "$hosts")" = "$ino" ]

	# the host's resolv.conf changed: the next start has the new one, on
	# the bridge and off it
	local n
	n=$(husk run -d --network none net-img sleep 100)
	husk stop -t 1 "$c" "$n"
	echo "nameserver 192.0.2.77" >"$HUSK_RESOLV_CONF"
	husk start "$c" "$n"
	[ "$(husk exec "$c" cat /etc/resolv.conf)" = "nameserver 192.0.2.77" ]
	[ "$(husk exec "$n" cat /etc/resolv.conf)" = "nameserver 192.0.2.77" ]
	[ "$(stat -c %i "$hosts")" = "$ino" ]
}

@test "--read-only: the files are mounted read-only; a -v of the user's on /etc/hosts wins" {
	echo "10.9.9.9 mine" >"$TEST_DIR/myhosts"
	run husk run --rm --read-only -v "$TEST_DIR/myhosts:/etc/hosts:ro" net-img sh -c \
		'cat /etc/hosts; grep " /etc/resolv.conf " /proc/self/mountinfo; echo x >>/etc/resolv.conf'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = "10.9.9.9 mine" ]
	[[ ${lines[1]} =~ \ /etc/resolv.conf\ ro, ]]
	[[ $output == *"Read-only file system"* ]]
	# without --read-only the container may edit its own files
	run husk run --rm net-img sh -c 'echo "nameserver 198.51.100.2" >/etc/resolv.conf && cat /etc/resolv.conf'
	[ "$output" = "nameserver 198.51.100.2" ]
}

@test "--network container:X: X's interfaces, address and files, again after X restarts" {
	local x y xip
	x=$(husk run -d --name xc --add-host db:10.1.2.3 net-img sleep 100)
	xip=$(ip_of "$x")
	y=$(husk run -d --network container:xc net-img sleep 100)
	run husk exec "$y" ip -4 -o addr show dev eth0
	[[ $output == *"inet $xip/16"* ]]
	[ "$(husk exec "$y" cat /sys/class/net/eth0/address)" = "$(husk exec "$x" cat /sys/class/net/eth0/address)" ]
	[ "$(husk exec "$y" hostname)" = "${x:0:12}" ]
	[ "$(husk exec "$y" cat /etc/hosts)" = "$(husk exec "$x" cat /etc/hosts)" ]
	[[ $(husk exec "$y" cat /etc/hosts) == *$'10.1.2.3\tdb'* ]]
	[ "$(husk inspect -f '{{.ResolvConfPath}} {{.HostsPath}} {{.HostnamePath}}' "$y")" = \
		"$(husk inspect -f '{{.ResolvConfPath}} {{.HostsPath}} {{.HostnamePath}}' "$x")" ]
	[ ! -e "$HUSK_STORAGE/containers/$y/hosts" ]
	[ "$(husk inspect -f '{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Networks}}' "$y")" = "container:xc {}" ]

	# X restarted: a new namespace, which Y joins when it starts again
	husk stop -t 1 "$y" "$x"
	run husk start "$y"
	[ "$status" -ne 0 ]
	[[ $output == *"cannot join network of a non running container: xc"* ]]
	husk start "$x"
	husk start "$y"
	run husk exec "$y" ip -4 -o addr show dev eth0
	[[ $output == *"inet $(ip_of "$x")/16"* ]]
}

@test "--network container:X with -p, --hostname, --dns, --add-host, --mac-address: Docker's conflicts, nothing made" {
	husk run -d --name xc net-img sleep 100
	local flags msg
	while IFS='|' read -r flags msg; do
		run husk run -d --network container:xc $flags net-img true </dev/null
		[ "$status" -eq 125 ]
		[ "${#lines[@]}" -eq 1 ]
		[ "$output" = "Error: conflicting options: $msg" ]
	done <<-'EOF'
		-p 8080:80|port publishing and the container type network mode
		-P|port publishing and the container type network mode
		--hostname h|hostname and the network mode
		--dns 1.1.1.1|dns and the network mode
		--add-host a:1.2.3.4|custom host-to-IP mapping and the network mode
		--mac-address 02:00:00:00:00:01|mac-address and the network mode
	EOF
	run husk run -d --network container:nosuch net-img true
	[ "$status" -eq 125 ]
	[ "$output" = "Error: No such container: nosuch" ]
	husk create --name stopped net-img true
	run husk run -d --network container:stopped net-img true
	[ "$status" -eq 125 ]
	[ "$output" = "Error: cannot join network of a non running container: stopped" ]
	run husk run -d --network container: net-img true
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(husk ps -aq | wc -l)" -eq 2 ]
	[ "$(ls "$HUSK_STORAGE/containers" | wc -l)" -eq 2 ]
}

@test "--mac-address: eth0's; a bad one refused; --ip refused on the default bridge" {
	local c
	c=$(husk run -d --mac-address 92:D0:C6:0A:29:33 net-img sleep 100)
	[ "$(husk exec "$c" cat /sys/class/net/eth0/address)" = 92:d0:c6:0a:29:33 ]
	[ "$(husk inspect -f '{{.NetworkSettings.MacAddress}} {{.Config.MacAddress}}' "$c")" = "92:d0:c6:0a:29:33 92:d0:c6:0a:29:33" ]
	# it stays across a restart
	husk restart -t 1 "$c"
	[ "$(husk exec "$c" cat /sys/class/net/eth0/address)" = 92:d0:c6:0a:29:33 ]

	for bad in 92:d0:c6:0a:29 zz:d0:c6:0a:29:33 01:00:5e:00:00:01; do
		run husk run -d --mac-address "$bad" net-img true
		[ "$status" -eq 125 ]
		[ "$output" = "Error: $bad is not a valid mac address" ]
	done
	run husk run -d --network host --mac-address 92:d0:c6:0a:29:34 net-img true
	[ "$status" -eq 125 ]
	[ "$output" = "Error: conflicting options: mac-address and the network mode" ]
	for net in bridge none host; do
		run husk run -d --network $net --ip 10.88.0.50 net-img true
		[ "$status" -eq 125 ]
		[ "$output" = "Error: user specified IP address is supported on user defined networks only" ]
	done
	[ "$(husk ps -aq | wc -l)" -eq 1 ]
}
