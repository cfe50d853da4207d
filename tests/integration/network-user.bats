#!/usr/bin/env bats
# User-defined networks (husk network ..., run --network NAME): each its own
# bridge, subnet and leases; isolated from each other and from the default
# bridge; --internal ones closed; members resolve each other by name.
#
# Nothing here touches this machine's own network (network-helpers.bash).

bats_require_minimum_version 1.5.0

load network-helpers # netns_setup, netns_teardown, husk, in_host, wait_for

HUSK=${HUSK:-}
BUSYBOX=${BUSYBOX:-/bin/busybox}

setup_file() {
	[[ -x $HUSK ]] || skip "set HUSK"
	command -v umoci >/dev/null || skip "umoci not installed"
	command -v jq >/dev/null || skip "jq not installed"
	local t=${BATS_FILE_TMPDIR:?} r
	umoci init --layout "$t/oci" >&3
	umoci new --image "$t/oci:img" >&3
	umoci unpack --image "$t/oci:img" "$t/bundle" >&3
	r=$t/bundle/rootfs
	mkdir -p "$r"/{bin,etc,tmp,www}
	cp "$BUSYBOX" "$r/bin/busybox"
	for c in sh cat ls ip sleep hostname httpd wget ping true grep timeout; do ln -s busybox "$r/bin/$c"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	echo "served by the container" >"$r/www/index.html"
	umoci repack --image "$t/oci:img" "$t/bundle" >&3
	umoci config --image "$t/oci:img" --config.cmd sh >&3
}

setup() {
	netns_setup u
	local id
	id=$(husk load -i "$BATS_FILE_TMPDIR/oci" | sed -n 's/^Loaded image ID: //p')
	husk tag "$id" unet-img
}

teardown() { netns_teardown; }

# ip_on NETWORK CONTAINER: its address there
ip_on() { husk inspect -f "{{(index .NetworkSettings.Networks \"$1\").IPAddress}}" "$2"; }
# reaches CONTAINER URL: the page, within 2 s (busybox 1.35's wget -T crashes)
reaches() { husk exec "$1" timeout 2 wget -q -O - "$2"; }

@test "network ls lists bridge, host and none; create, inspect, ls filters, rm, prune: Docker's outputs" {
	run husk network ls
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^NETWORK\ ID\ +NAME\ +DRIVER\ +SCOPE$ ]]
	[ "$(husk network ls --format '{{.Name}} {{.Driver}} {{.Scope}}')" = "bridge bridge local
host host local
none null local" ]
	run husk network inspect bridge
	[ "$(jq -r '.[0].IPAM.Config[0].Subnet + " " + .[0].IPAM.Config[0].Gateway' <<<"$output")" = "10.88.0.0/16 10.88.0.1" ]

	local id1 id2 id3
	id1=$(husk network create net1)
	[[ $id1 =~ ^[0-9a-f]{64}$ ]]
	id2=$(husk network create --subnet 10.90.0.0/16 --gateway 10.90.0.254 --label tier=db --label x net2)
	id3=$(husk network create -o com.docker.network.bridge.name=br-three --internal net3)
	run husk network inspect net1
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0] | [.Name, .Id, .Scope, .Driver, .EnableIPv6, .Internal] | join(" ")' <<<"$output")" = "net1 $id1 local bridge false false" ]
	[ "$(jq -r '.[0].IPAM | .Driver + " " + .Config[0].Subnet + " " + .Config[0].Gateway' <<<"$output")" = "default 10.89.0.0/24 10.89.0.1" ]
	[ "$(jq -r '.[0].Options["com.docker.network.bridge.name"]' <<<"$output")" = "husk-${id1:0:10}" ]
	[ "$(jq -c '.[0].Containers' <<<"$output")" = "{}" ]
	[ "$(jq -r '.[0] | keys_unsorted | join(",")' <<<"$output")" = "Name,Id,Created,Scope,Driver,EnableIPv6,IPAM,Internal,Attachable,Ingress,ConfigFrom,ConfigOnly,Containers,Options,Labels" ]
	run husk network inspect net2
	[ "$(jq -r '.[0].IPAM.Config[0] | .Subnet + " " + .Gateway' <<<"$output")" = "10.90.0.0/16 10.90.0.254" ]
	[ "$(jq -c '.[0].Labels' <<<"$output")" = '{"tier":"db","x":""}' ]
	run husk network inspect net3
	[ "$(jq -r '.[0] | .Internal, .IPAM.Config[0].Subnet' <<<"$output" | xargs)" = "true 10.89.1.0/24" ]
	# the bridges, with their gateways, in the host's namespace
	run in_host ip -4 -o addr show dev "husk-${id1:0:10}"
	[[ $output == *"inet 10.89.0.1/24"* ]]
	run in_host ip -4 -o addr show dev br-three
	[[ $output == *"inet 10.89.1.1/24"* ]]
	run in_host ip -4 -o addr show dev "husk-${id2:0:10}"
	[[ $output == *"inet 10.90.0.254/16"* ]]

	# ls: ids, filters, formats
	[ "$(husk network ls -q | wc -l)" -eq 6 ]
	[ "$(husk network ls -q --filter name=net1)" = "${id1:0:12}" ]
	[ "$(husk network ls --filter label=tier=db --format '{{.Name}}')" = net2 ]
	[ "$(husk network ls --filter type=custom --format '{{.Name}}' | xargs)" = "net1 net2 net3" ]
	[ "$(husk network ls --filter driver=null --format '{{.Name}}')" = none ]
	[ "$(husk network ls --no-trunc -q --filter id="${id3:0:5}")" = "$id3" ]
	# inspect by id prefix, several at once, --format
	[ "$(husk network inspect -f '{{.Name}}' "${id2:0:8}" net1)" = "net2
net1" ]

	# refused: a taken name, an overlapping subnet, a bad subnet or
	# gateway, another driver; nothing made
	run husk network create net1
	[ "$status" -eq 1 ]
	[ "$output" = "Error: network with name net1 already exists" ]
	run husk network create --subnet 10.89.0.128/25 other
	[ "$status" -eq 1 ]
	[[ $output == *"Pool overlaps with other one on this address space"* ]]
	run husk network create --subnet 10.88.5.0/24 other
	[ "$status" -eq 1 ]
	run husk network create --subnet 10.95.0.0/24 --gateway 10.96.0.1 other
	[ "$status" -eq 1 ]
	[[ $output == *"no matching subnet for gateway 10.96.0.1"* ]]
	run husk network create --subnet nonsense other
	[ "$status" -eq 1 ]
	run husk network create -o com.docker.network.bridge.name=ext0 other
	[ "$status" -eq 1 ]
	[ "$output" = "Error: an interface named ext0 exists already" ]
	in_host ip link show ext0 >/dev/null
	run husk network create -d overlay other
	[ "$status" -eq 1 ]
	[[ $output == *'plugin "overlay" not found'* ]]
	[ "$(husk network ls -q | wc -l)" -eq 6 ]

	# rm: the pre-defined ones cannot go; rm prints what it removed
	run husk network rm bridge
	[ "$status" -eq 1 ]
	[ "$output" = "Error: bridge is a pre-defined network and cannot be removed" ]
	run husk network rm nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Error: network nosuch not found" ]
	husk network rm -f nosuch
	run husk network rm net1 "${id2:0:12}"
	[ "$status" -eq 0 ]
	[ "$output" = "net1
${id2:0:12}" ]
	! in_host ip link show "husk-${id1:0:10}" 2>/dev/null || false
	run husk network prune -f
	[ "$output" = "Deleted Networks:
net3" ]
	[ "$(husk network ls --format '{{.Name}}' | xargs)" = "bridge host none" ]
	# no bridge, no rule of theirs left
	[ -z "$(in_host ip -o link show type bridge)" ]
	run in_host nft list table ip husk
	[[ $output != *iso_* ]]
	[[ $output != *10.89.* ]]
	[[ $output != *10.90.* ]]
}

@test "two containers on a user network: addresses from its subnet, each reaches the other by IP and by name" {
	husk network create net1 >/dev/null
	local web client ip
	web=$(husk run -d --name web --network net1 --network-alias www unet-img httpd -f -p 80 -h /www)
	client=$(husk run -d --name client --network net1 unet-img sleep 100)
	ip=$(ip_on net1 web)
	[[ $ip == 10.89.0.* ]]
	[ "$(husk inspect -f '{{.HostConfig.NetworkMode}}' web)" = net1 ]
	run husk inspect web
	[ "$(jq -r '.[0].NetworkSettings.Networks | keys | join(",")' <<<"$output")" = net1 ]
	[ "$(jq -r '.[0].NetworkSettings.Networks.net1 | .Gateway + " " + (.IPPrefixLen | tostring)' <<<"$output")" = "10.89.0.1 24" ]
	[[ $(jq -r '.[0].NetworkSettings.Networks.net1.MacAddress' <<<"$output") == 02:42:0a:59:00:* ]]
	# inside: eth0 on the subnet, the default route through its gateway
	run husk exec client sh -c 'ip -4 -o addr show dev eth0; ip route'
	[[ $output =~ eth0\ +inet\ 10\.89\.0\.[0-9]+/24 ]]
	[[ $output == *"default via 10.89.0.1 dev eth0"* ]]

	wait_for reaches client "http://$ip/"
	[ "$(reaches client "http://$ip/")" = "served by the container" ]
	[ "$(reaches client http://web/)" = "served by the container" ]
	[ "$(reaches client http://www/)" = "served by the container" ]
	husk exec web ping -c1 -W2 client
	run husk exec client cat /etc/hosts
	[[ $output == *"$ip	web ${web:0:12} www"* ]]
	[ "$(husk inspect -f '{{.HostsPath}}' client)" = "$HUSK_STORAGE/containers/$client/hosts" ]

	# network inspect lists both
	run husk network inspect net1
	[ "$(jq -r ".[0].Containers[\"$web\"] | .Name + \" \" + .IPv4Address" <<<"$output")" = "web $ip/24" ]
	[ "$(jq -r '.[0].Containers | length' <<<"$output")" -eq 2 ]

	# one leaves: the other's hosts file forgets it; back, it comes back
	husk stop -t 1 web
	run husk exec client cat /etc/hosts
	[[ $output != *web* ]]
	husk start web
	[[ $(husk exec client cat /etc/hosts) == *"	web "* ]]
}

@test "isolation: a user network, another one and the default bridge cannot reach each other, both ways" {
	husk network create net1 >/dev/null
	husk network create net2 >/dev/null
	local a b c ipa ipb ipc
	a=$(husk run -d --network net1 unet-img httpd -f -p 80 -h /www)
	b=$(husk run -d --network net2 -p 8081:80 unet-img httpd -f -p 80 -h /www)
	c=$(husk run -d unet-img httpd -f -p 80 -h /www)
	ipa=$(ip_on net1 "$a") ipb=$(ip_on net2 "$b") ipc=$(ip_on bridge "$c")
	# distinct subnets
	[[ $ipa == 10.89.0.* && $ipb == 10.89.1.* && $ipc == 10.88.0.* ]]
	# each reaches itself, and the outside through NAT
	wait_for reaches "$a" "http://$ipa/"
	husk exec "$a" ping -c1 -W2 192.168.77.2
	husk exec "$b" ping -c1 -W2 192.168.77.2
	# but not the others
	run ! reaches "$a" "http://$ipb/"
	run ! reaches "$b" "http://$ipa/"
	run ! reaches "$c" "http://$ipa/"
	run ! reaches "$a" "http://$ipc/"
	run ! reaches "$b" "http://$ipc/"
	run ! reaches "$c" "http://$ipb/"
	# published ports are everyone's: through the host's address
	[ "$(reaches "$a" http://192.168.77.1:8081/)" = "served by the container" ]
	[ "$(reaches "$c" http://192.168.77.1:8081/)" = "served by the container" ]
	# the host reaches all of them
	in_host wget -q -T 2 -O - "http://$ipa/"
	in_host wget -q -T 2 -O - "http://$ipc/"
}

@test "--internal: members reach each other, nothing outside; no masquerade for its subnet" {
	husk network create --internal closed >/dev/null
	local a b ipa
	a=$(husk run -d --network closed unet-img httpd -f -p 80 -h /www)
	b=$(husk run -d --network closed unet-img sleep 100)
	ipa=$(ip_on closed "$a")
	wait_for reaches "$b" "http://$ipa/"
	run husk exec "$b" ip route
	[[ $output != *default* ]]
	run ! husk exec "$b" ping -c1 -W2 192.168.77.2
	run ! husk exec "$b" ping -c1 -W2 192.168.77.1
	run in_host nft list set ip husk masq
	[[ $output != *"${ipa%.*}"* ]]
}

@test "--ip: honoured on a user network; refused outside its subnet, on the default bridge, or when taken" {
	husk network create --subnet 10.91.0.0/24 net1 >/dev/null
	local c
	c=$(husk run -d --network net1 --ip 10.91.0.50 unet-img sleep 100)
	[ "$(ip_on net1 "$c")" = 10.91.0.50 ]
	run husk exec "$c" ip -4 -o addr show dev eth0
	[[ $output == *"inet 10.91.0.50/24"* ]]
	[ "$(husk inspect -f '{{(index .NetworkSettings.Networks "net1").IPAMConfig.IPv4Address}}' "$c")" = 10.91.0.50 ]

	run husk run -d --network net1 --ip 10.92.0.5 unet-img true
	[ "$status" -eq 125 ]
	[ "$output" = "Error: no configured subnet or ip-range contain the IP address 10.92.0.5" ]
	run husk run -d --network net1 --ip 10.91.0.1 unet-img true
	[ "$status" -eq 125 ]
	run husk run -d --ip 10.88.0.50 unet-img true
	[ "$status" -eq 125 ]
	[ "$output" = "Error: user specified IP address is supported on user defined networks only" ]
	run husk run -d --network nosuch unet-img true
	[ "$status" -eq 125 ]
	[ "$output" = "Error: network nosuch not found" ]
	[ "$(husk ps -aq | wc -l)" -eq 1 ]
	# taken: the container is made, its start fails, nothing of its network is left
	run husk run -d --name second --network net1 --ip 10.91.0.50 unet-img sleep 100
	[ "$status" -eq 125 ]
	[[ $output == *"Address already in use"* ]]
	[ "$(husk inspect -f '{{.State.Status}}' second)" = created ]
	[ "$(ls "$HUSK_STATE/net/networks/"*/leases | wc -l)" -eq 1 ]
	husk rm second

	# --ip-range: addresses given out from the range only
	husk network create --subnet 10.93.0.0/24 --ip-range 10.93.0.128/25 ranged >/dev/null
	[ "$(husk network inspect -f '{{(index .IPAM.Config 0).IPRange}}' ranged)" = 10.93.0.128/25 ]
	c=$(husk run -d --network ranged unet-img sleep 100)
	[ "$(ip_on ranged "$c")" = 10.93.0.128 ]
	c=$(husk run -d --network ranged unet-img sleep 100)
	[ "$(ip_on ranged "$c")" = 10.93.0.129 ]
}

@test "connect and disconnect a running container: eth1 comes and goes, and reachability with it" {
	husk network create net1 >/dev/null
	local a c ipa
	a=$(husk run -d --network net1 unet-img httpd -f -p 80 -h /www)
	c=$(husk run -d unet-img sleep 100)
	ipa=$(ip_on net1 "$a")
	wait_for in_host wget -q -T 2 -O - "http://$ipa/"
	run ! reaches "$c" "http://$ipa/"

	husk network connect net1 "$c"
	run husk exec "$c" ip -4 -o addr show
	[[ $output =~ eth0\ +inet\ 10\.88\. ]]
	[[ $output =~ eth1\ +inet\ 10\.89\.0\.[0-9]+/24 ]]
	[ "$(reaches "$c" "http://$ipa/")" = "served by the container" ]
	run husk inspect "$c"
	[ "$(jq -r '.[0].NetworkSettings.Networks | keys | join(",")' <<<"$output")" = "bridge,net1" ]
	[[ $(jq -r '.[0].NetworkSettings.Networks.net1.IPAddress' <<<"$output") == 10.89.0.* ]]
	[ "$(husk network inspect -f '{{len .Containers}}' net1)" = 2 ]
	run husk network connect net1 "$c"
	[ "$status" -eq 1 ]
	[[ $output == *"already exists in network net1"* ]]

	husk network disconnect net1 "$c"
	run husk exec "$c" ls /sys/class/net
	[[ $output != *eth1* ]]
	run ! reaches "$c" "http://$ipa/"
	[ "$(husk inspect -f '{{len .NetworkSettings.Networks}}' "$c")" = 1 ]
	[ "$(husk network inspect -f '{{len .Containers}}' net1)" = 1 ]
	run husk network disconnect net1 "$c"
	[ "$status" -eq 1 ]
	[[ $output == *"is not connected to network net1"* ]]

	# a stopped container is connected at its next start, with --ip
	local d
	d=$(husk create unet-img sleep 100)
	husk network connect --ip 10.89.0.77 net1 "$d"
	husk start "$d"
	run husk exec "$d" ip -4 -o addr show dev eth1
	[[ $output == *"inet 10.89.0.77/24"* ]]
	[ "$(reaches "$d" "http://$ipa/")" = "served by the container" ]
	# its default route leaves with eth0: eth1's network takes it, as Docker's
	husk network disconnect bridge "$d"
	run husk exec "$d" ip route
	[[ $output == *"default via 10.89.0.1 dev eth1"* ]]
	husk exec "$d" ping -c1 -W2 192.168.77.2
	# host and none cannot be connected to, nor a container on none
	run husk network connect host "$d"
	[ "$status" -eq 1 ]
	[ "$output" = "Error: container cannot be disconnected from host network or connected to host network" ]
	local n
	n=$(husk create --network none unet-img sleep 100)
	run husk network connect net1 "$n"
	[ "$status" -eq 1 ]
	[ "$output" = "Error: container cannot be connected to multiple networks with one of the networks in private (none) mode" ]
}

@test "rm of a network in use is refused; when everything is removed, no bridge, lease or rule of it is left" {
	husk network create net1 >/dev/null
	husk network create --internal net2 >/dev/null
	local a b id1
	id1=$(husk network inspect -f '{{.Id}}' net1)
	a=$(husk run -d --network net1 -p 8080:80 unet-img httpd -f -p 80 -h /www)
	b=$(husk run -d --network net2 unet-img sleep 100)
	husk network connect net2 "$a"
	wait_for in_host wget -q -T 2 -O - http://192.168.77.1:8080/
	run husk network rm net1
	[ "$status" -eq 1 ]
	[ "$output" = "Error: error while removing network: network net1 id $id1 has active endpoints" ]
	run husk network prune -f
	[ -z "$output" ]
	[ "$(husk network ls -q --filter type=custom | wc -l)" -eq 2 ]

	# a stopped container does not hold its network
	husk stop -t 1 "$b"
	husk rm -f "$a"
	husk network rm net1 net2
	husk rm "$b"
	[ -z "$(in_host ip -o link show type bridge | grep -v husk0)" ]
	[ -z "$(in_host ip -o link show type veth | grep -v ext0)" ]
	[ -z "$(ls -A "$HUSK_STATE/net/containers")" ]
	[ ! -e "$HUSK_STATE/net/networks/$id1" ]
	[ -z "$(ls -A "$HUSK_STATE/net/networks")" ]
	run in_host nft list table ip husk
	[[ $output != *iso_husk-* ]]
	[[ $output != *10.89.* ]]
	[[ $output != *8080* ]]
}
