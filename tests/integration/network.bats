#!/usr/bin/env bats
# Bridge networking (src/net, src/engine/network.c): husk0, one veth pair
# per container, IPAM, masquerade, published ports, and what is left after.
#
# Nothing here touches this machine's own network (network-helpers.bash).

bats_require_minimum_version 1.5.0

load network-helpers # netns_setup, netns_teardown, husk, in_host, in_out, wait_for

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
	mkdir -p "$r"/{bin,etc,tmp,www}
	cp "$BUSYBOX" "$r/bin/busybox"
	for c in sh cat ls ip sleep hostname httpd wget nc ping echo true grep sed; do ln -s busybox "$r/bin/$c"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\n' >"$r/etc/group"
	echo "hello from the container" >"$r/www/index.html"
	umoci repack --image "$t/oci:img" "$t/bundle" >&3
	umoci config --image "$t/oci:img" --config.cmd sh --config.exposedports 80/tcp --config.exposedports 81/tcp >&3
}

setup() {
	netns_setup ""
	local id
	id=$(husk load -i "$BATS_FILE_TMPDIR/oci" | sed -n 's/^Loaded image ID: //p')
	husk tag "$id" net-img
}

teardown() { netns_teardown; }

ip_of() { husk inspect -f '{{.NetworkSettings.IPAddress}}' "$1"; }

@test "bridge: eth0 with an address from 10.88.0.0/16, a default route via husk0, lo up; the veth on the bridge" {
	run husk run --rm net-img sh -c 'ip -4 -o addr show; ip route; cat /sys/class/net/eth0/address'
	[ "$status" -eq 0 ]
	[[ $output == *"lo    inet 127.0.0.1/8"* ]]
	[[ $output =~ eth0\ +inet\ 10\.88\.0\.[0-9]+/16 ]]
	[[ $output == *"default via 10.88.0.1 dev eth0"* ]]
	[[ $output =~ 02:42:0a:58:00:[0-9a-f]{2} ]]

	local c
	c=$(husk run -d net-img sleep 100)
	ip=$(ip_of "$c")
	[[ $ip == 10.88.0.* ]]
	[ "$(husk inspect -f '{{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}}' "$c")" = "10.88.0.1 16" ]
	# the host's side: the bridge with its address, the veth on it, forwarding on
	run in_host ip -4 -o addr show dev husk0
	[[ $output == *"inet 10.88.0.1/16"* ]]
	run in_host ip -o link show master husk0
	[[ $output == *"veth${c:0:8}"* ]]
	[ "$(in_host cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	# the container's namespace is its own, mounted under the state root
	local pid
	pid=$(husk inspect -f '{{.State.Pid}}' "$c")
	[ "$(readlink /proc/$pid/ns/net)" != "$(in_host readlink /proc/self/ns/net)" ]
	[ "$(husk inspect -f '{{.NetworkSettings.SandboxKey}}' "$c")" = "$HUSK_STATE/netns/$c" ]
	# the host reaches it
	in_host busybox ping -c1 -W2 "$ip"
}

@test "two containers on the bridge reach each other; a container reaches the outside through NAT" {
	local a b
	a=$(husk run -d net-img httpd -f -p 80 -h /www)
	b=$(husk run -d net-img sleep 100)
	run husk exec "$b" wget -q -O - "http://$(ip_of "$a")/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]

	# a listener on the other machine, which has no route to 10.88.0.0/16,
	# sees the host's address: masquerade
	in_out python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.77.2", 9000)); s.listen(1); s.settimeout(20)
c, a = s.accept(); c.settimeout(5)
open(sys.argv[1], "w").write(a[0] + " " + c.recv(100).decode())
' "$TEST_DIR/seen" &
	BG_PIDS=$!
	wait_for in_out sh -c 'grep -q ":2328 " /proc/net/tcp' # 9000, listening
	run husk exec "$b" sh -c 'echo "from $(hostname)" | nc -w 2 192.168.77.2 9000'
	[ "$status" -eq 0 ]
	wait_for grep -q "from ${b:0:12}" "$TEST_DIR/seen"
	[[ $(cat "$TEST_DIR/seen") == "192.168.77.1 from ${b:0:12}"* ]]
}

@test "a published port: from the host's address, from 127.0.0.1, from the outside, from another container" {
	local c other
	c=$(husk run -d -p 8080:80 net-img httpd -f -p 80 -h /www)
	[ "$(husk inspect -f '{{json .HostConfig.PortBindings}}' "$c")" = '{"80/tcp":[{"HostIp":"","HostPort":"8080"}]}' ]
	[ "$(husk inspect -f '{{json .NetworkSettings.Ports}}' "$c")" = '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}' ]
	wait_for in_host wget -q -O - http://192.168.77.1:8080/
	run in_host wget -q -O - http://192.168.77.1:8080/
	[ "$output" = "hello from the container" ]
	run in_host wget -q -O - http://127.0.0.1:8080/
	[ "$output" = "hello from the container" ]
	run in_out wget -q -O - http://192.168.77.1:8080/
	[ "$output" = "hello from the container" ]
	# hairpin: another container through the host's published port
	other=$(husk run -d net-img sleep 100)
	run husk exec "$other" wget -q -O - http://192.168.77.1:8080/
	[ "$output" = "hello from the container" ]
	# the container's httpd saw the request
	run husk exec "$c" true
	# the map element, and nothing else of the container's
	run in_host nft list map ip husk ports_any
	[[ $output == *"tcp . 8080 : $(ip_of "$c") . 80"* ]]
}

@test "-p with an address, -p CONTAINERPORT (a free host port), -P (every exposed port), udp" {
	local c port
	c=$(husk run -d -p 127.0.0.1:8081:80 -p 80 -p 9999:9999/udp net-img httpd -f -p 80 -h /www)
	port=$(husk inspect -f '{{(index (index .NetworkSettings.Ports "80/tcp") 1).HostPort}}' "$c" 2>/dev/null ||
		husk inspect "$c" | jq -r '.[0].NetworkSettings.Ports["80/tcp"][] | select(.HostIp == "0.0.0.0") | .HostPort')
	[[ $port =~ ^[0-9]+$ ]]
	((port >= 32768))
	# husk port, as docker port prints them
	run husk port "$c"
	[[ $output == *"80/tcp -> 127.0.0.1:8081"* ]]
	[[ $output == *"80/tcp -> 0.0.0.0:$port"* ]]
	[[ $output == *"9999/udp -> 0.0.0.0:9999"* ]]
	run husk port "$c" 9999/udp
	[ "$output" = "0.0.0.0:9999" ]
	wait_for in_host wget -q -O - "http://127.0.0.1:8081/"
	run in_host wget -q -O - "http://192.168.77.1:$port/"
	[ "$output" = "hello from the container" ]
	# bound to 127.0.0.1 only: not from the outside
	run in_out wget -q -T 2 -O - http://192.168.77.1:8081/
	[ "$status" -ne 0 ]
	run in_host nft list map ip husk ports_ip
	[[ $output == *"127.0.0.1 . tcp . 8081"* ]]
	run in_host nft list map ip husk ports_any
	[[ $output == *"udp . 9999"* ]]

	local p
	p=$(husk run -d -P net-img sleep 100)
	run husk inspect "$p"
	[ "$(jq -r '.[0].NetworkSettings.Ports | keys | join(",")' <<<"$output")" = "80/tcp,81/tcp" ]
}

@test "after the containers stop: no bridge ports, no map elements, no leases, no netns mounts" {
	local ids=() i
	for i in 1 2 3; do ids+=("$(husk run -d -p 808$i:80 net-img sleep 100)"); done
	[ "$(in_host ip -o link show master husk0 | wc -l)" -eq 3 ]
	[ "$(ls "$HUSK_STATE/net/leases" | wc -l)" -eq 3 ]
	husk stop -t 1 "${ids[@]}"
	[ -z "$(in_host ip -o link show master husk0)" ]
	run in_host nft list map ip husk ports_any
	[[ $output != *"tcp ."* ]]
	[ -z "$(ls -A "$HUSK_STATE/net/leases")" ]
	[ -z "$(ls -A "$HUSK_STATE/net/containers")" ]
	[ -z "$(ls -A "$HUSK_STATE/netns")" ]
	! grep -q " $HUSK_STATE/netns" /proc/self/mountinfo || false
	[ -z "$(husk inspect -f '{{.NetworkSettings.IPAddress}}' "${ids[0]}")" ]
	# started again: an address again, the same port
	husk start "${ids[0]}"
	[[ $(ip_of "${ids[0]}") == 10.88.0.* ]]
	run in_host nft list map ip husk ports_any
	[[ $output == *"tcp . 8081"* ]]
	husk rm -f "${ids[@]}"
	[ -z "$(in_host ip -o link show master husk0)" ]
	[ -z "$(ls -A "$HUSK_STATE/net/leases")" ]
}

@test "100 containers started in parallel get 100 distinct addresses, all freed after" {
	seq 100 | xargs -P 8 -I{} nsenter --net="/run/netns/$HOST_NS" "$HUSK" run -d net-img sleep 300 >"$TEST_DIR/ids"
	[ "$(wc -l <"$TEST_DIR/ids")" -eq 100 ]
	husk inspect -f '{{.NetworkSettings.IPAddress}}' $(cat "$TEST_DIR/ids") >"$TEST_DIR/ips"
	[ "$(grep -c '^10\.88\.0\.' "$TEST_DIR/ips")" -eq 100 ]
	[ "$(sort -u "$TEST_DIR/ips" | wc -l)" -eq 100 ]
	[ "$(in_host ip -o link show master husk0 | wc -l)" -eq 100 ]
	husk rm -f $(cat "$TEST_DIR/ids") >/dev/null
	[ -z "$(in_host ip -o link show master husk0)" ]
	[ -z "$(ls -A "$HUSK_STATE/net/leases")" ]
	[ -z "$(ls -A "$HUSK_STATE/netns")" ]
}

@test "a host port in use, a bad -p, -p with --network none: clear errors, nothing left" {
	local c
	c=$(husk run -d -p 8080:80 net-img sleep 100)
	run husk run -d --name second -p 8080:80 net-img sleep 100
	[ "$status" -eq 125 ]
	[[ $output == *"Bind for 0.0.0.0:8080 failed: port is already allocated"* ]]
	# as Docker: the container stays, created; its network is gone
	[ "$(husk inspect -f '{{.State.Status}}' second)" = created ]
	[ "$(ls "$HUSK_STATE/net/leases" | wc -l)" -eq 1 ]
	[ "$(in_host ip -o link show master husk0 | wc -l)" -eq 1 ]
	[ ! -e "$HUSK_STATE/netns/$(husk inspect -f '{{.Id}}' second)" ]
	husk rm second

	for bad in 80:80:80:80 abc 8080:0 70000 8080-8081:80 8080:80/sctp 1.2.3:80:80; do
		run husk run -d -p "$bad" net-img true
		[ "$status" -eq 125 ]
		[ "${#lines[@]}" -eq 1 ]
	done
	run husk run -d --network none -p 8081:80 net-img true
	[ "$status" -eq 125 ]
	[ "$(husk ps -aq | wc -l)" -eq 1 ]
}

@test "--network host: the host's interfaces; --network none: lo only" {
	# (the test's own /sys is the machine's: ask netlink for the host's)
	run husk run --rm --network host net-img ls /sys/class/net
	[ "$(echo $output)" = "$(echo $(in_host ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort))" ]
	[[ $output == *ext0* ]]
	run husk run --rm --network none net-img ls /sys/class/net
	[ "$output" = lo ]
}

@test "husk links neither libnl nor libnftables: a run without a network never loads them, a bridge run loads its module" {
	local pid
	running() { [ -n "$(husk ps -q)" ]; }
	run ldd "$HUSK"
	[ "$status" -eq 0 ]
	[[ $output != *libnl* && $output != *libnftables* ]]
	# husk run in the foreground is the container's monitor: its maps
	# (nsenter execs husk: $! is husk)
	nsenter --net="/run/netns/$HOST_NS" "$HUSK" run --rm --network none net-img sleep 2 &
	pid=$!
	wait_for running
	grep -q libc.so "/proc/$pid/maps"
	! grep -E 'libnftables|libnl-route|husk-netlink' "/proc/$pid/maps" || false
	wait "$pid"
	nsenter --net="/run/netns/$HOST_NS" "$HUSK" run --rm net-img sleep 2 &
	pid=$!
	wait_for running
	grep -q husk-netlink.so "/proc/$pid/maps"
	grep -q libnftables "/proc/$pid/maps"
	wait "$pid"
	# without the module: networking says what is missing, nothing is left
	cp "$HUSK" "$TEST_DIR/husk"
	run in_host "$TEST_DIR/husk" run --rm net-img true
	[ "$status" -eq 125 ]
	[[ $output == *"networking needs "*husk-netlink.so* ]]
	run in_host "$TEST_DIR/husk" run --rm --network none net-img echo fine
	[ "$status" -eq 0 ]
	[ "$output" = fine ]
	[ -z "$(husk ps -aq)" ]
}

@test "its monitor killed: the container reads as exited, its processes and its network are gone, rm works" {
	local c pid mon
	c=$(husk run -d -p 8090:80 net-img sleep 100)
	pid=$(husk inspect -f '{{.State.Pid}}' "$c")
	mon=$(awk '{print $4}' /proc/$pid/stat)
	# the monitor while the container runs (husk-monitor exec'd it)
	[ "$(cat /proc/$mon/comm)" = husk-supervise ]
	kill -9 "$mon"
	run husk ps -a --format '{{.Status}}'
	[[ $output == "Exited (255)"* ]]
	# recovery ended its processes (the runtime's delete) and released
	# its network
	dead() { [ ! -e /proc/$pid ] || grep -q '^State:.Z' /proc/$pid/status; }
	wait_for dead
	[ -z "$(in_host ip -o link show master husk0)" ]
	[ -z "$(ls -A "$HUSK_STATE/net/leases")" ]
	run in_host nft list map ip husk ports_any
	[[ $output != *8090* ]]
	[ -z "$(husk inspect -f '{{.NetworkSettings.IPAddress}}' "$c")" ]
	! grep -q " $HUSK_STATE/netns/" /proc/self/mountinfo || false
	# and it starts again, with an address and its port
	husk start "$c"
	[[ $(ip_of "$c") == 10.88.0.* ]]
	husk rm -f "$c"
	[ -z "$(husk ps -aq)" ]
}
