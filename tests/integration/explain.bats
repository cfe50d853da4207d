#!/usr/bin/env bats
# husk ns, husk lsns, husk explain and husk top's CUSER (src/explain,
# src/cli/husk-explain.c): every row and answer checked against /proc, read
# here independently. "The host" is the namespaces husk runs in: this
# shell's (in the bridge test, the network namespace that plays the host,
# in network.bats' pattern: nothing touches this machine's own network).

bats_require_minimum_version 1.5.0

load engine-helpers

setup_file() { engine_setup_file; }

setup() { engine_setup; }

teardown() {
	if [[ -n ${HOST_NS:-} ]]; then
		local ids
		ids=$(in_host "$HUSK" ps -aq --no-trunc 2>/dev/null || true)
		[[ -z $ids ]] || in_host "$HUSK" rm -f $ids >/dev/null 2>&1 || true
		ip netns del "$HOST_NS" 2>/dev/null || true
	fi
	engine_teardown
}

in_host() { nsenter --net="/run/netns/$HOST_NS" "$@"; }

NS_TYPES="cgroup ipc mnt net pid time user uts"

# check_ns NAME PID [TYPE=FLAG...]: each row of `husk ns NAME` (and of
# --json) against /proc/PID/ns and this shell's, and the flag named.
# $HOST_READ runs the reads of "the host" (in_host in the bridge test).
check_ns() {
	local name=$1 pid=$2 t mine host want row flag
	shift 2
	declare -A flags=()
	for kv; do flags[${kv%%=*}]=${kv#*=}; done
	run husk ns "$name"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "NS "*"$name (PID $pid) "*"HOST "*"STATE "*"FLAG" ]]
	local table=$output json
	json=$(husk ns --json "$name")
	[ "$(jq -r '"\(.name) \(.pid) \(.ref)"' <<<"$json")" = "$name $pid host" ]
	for t in $NS_TYPES; do
		mine=$(readlink "/proc/$pid/ns/$t")
		host=$(${HOST_READ:-} readlink "/proc/self/ns/$t")
		[[ -n $mine && -n $host ]]
		if [ "$mine" = "$host" ]; then want=SHARED; else want=PRIVATE; fi
		flag=${flags[$t]:-}
		row=$(awk -v t="$t" '$1 == t { print $2, $3, $4, $5 }' <<<"$table")
		[ "$row" = "$mine $host $want ${flag:--}" ]
		row=$(jq -r --arg t "$t" '.namespaces[] | select(.type == $t) | "\(.link) \(.ref_link) \(.state) \(.flag)|\(.inode)"' <<<"$json")
		[ "$row" = "$mine $host $want $flag|$(stat -L -c %i "/proc/$pid/ns/$t")" ]
	done
}

# the answer of question KEY in `husk explain --json NAME`
answer() { husk explain --json "$1" | jq -r --arg k "$2" '.questions[] | select(.key == $k) | .answer'; }
evidence() { husk explain --json "$1" | jq -r --arg k "$2" '.questions[] | select(.key == $k) | .evidence[]'; }

@test "ns: a default container: pid, net, ipc, uts and mnt its own, the rest the host's; --json the same" {
	hrun -d --name def husk-test-img sleep 100 >/dev/null
	pid=$(field def '{{.State.Pid}}')
	check_ns def "$pid"
	for t in pid net ipc uts mnt; do
		[ "$(husk ns --json def | jq -r --arg t $t '.namespaces[] | select(.type == $t) | .state')" = PRIVATE ]
	done
	[ "$(husk ns --json def | jq -r '.namespaces[] | select(.type == "user") | .state')" = SHARED ]
}

@test "ns: --pid host, --network host, --ipc host, --uts host: SHARED, each naming its flag" {
	hrun -d --name shared --pid host --network host --ipc host --uts host husk-test-img sleep 100 >/dev/null
	pid=$(field shared '{{.State.Pid}}')
	check_ns shared "$pid" pid=--pid=host net=--network=host ipc=--ipc=host uts=--uts=host
	for t in pid net ipc uts; do
		[ "$(husk ns --json shared | jq -r --arg t $t '.namespaces[] | select(.type == $t) | .state')" = SHARED ]
	done
	[ "$(husk ns --json shared | jq -r '.namespaces[] | select(.type == "mnt") | .state')" = PRIVATE ]
	# one flag at a time
	hrun -d --name onlyuts --uts host husk-test-img sleep 100 >/dev/null
	check_ns onlyuts "$(field onlyuts '{{.State.Pid}}')" uts=--uts=host
	[ "$(husk ns --json onlyuts | jq -r '.namespaces[] | select(.type == "pid") | .state')" = PRIVATE ]
}

@test "ns: --pid container:X shares X's pid namespace; --vs compares the two" {
	hrun -d --name first husk-test-img sleep 100 >/dev/null
	hrun -d --name second --pid container:first husk-test-img sleep 100 >/dev/null
	p1=$(field first '{{.State.Pid}}')
	p2=$(field second '{{.State.Pid}}')
	check_ns second "$p2" pid=--pid=container:first
	run husk ns second --vs first
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "NS "*"second (PID $p2) "*"first (PID $p1) "*"STATE "*"FLAG" ]]
	for t in $NS_TYPES; do
		a=$(readlink /proc/$p2/ns/$t)
		b=$(readlink /proc/$p1/ns/$t)
		if [ "$a" = "$b" ]; then want=SHARED; else want=PRIVATE; fi
		[ "$(awk -v t=$t '$1 == t { print $2, $3, $4 }' <<<"$output")" = "$a $b $want" ]
	done
	[ "$(awk '$1 == "pid" { print $4, $5 }' <<<"$output")" = "SHARED --pid=container:first" ]
	[ "$(awk '$1 == "net" { print $4 }' <<<"$output")" = PRIVATE ]
	[ "$(husk ns --json second --vs first | jq -r '"\(.ref) \(.ref_pid)"')" = "first $p1" ]
}

@test "ns PID: a host process is SHARED in every namespace; an unknown one is an error" {
	run husk ns $$
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "NS "*"(PID $$) "*"HOST"* ]]
	for t in $NS_TYPES; do
		[ "$(awk -v t=$t '$1 == t { print $2, $4, $5 }' <<<"$output")" = "$(readlink /proc/$$/ns/$t) SHARED -" ]
	done
	[ "$(husk ns --json $$ | jq -r '[.namespaces[].state] | unique | join(",")')" = SHARED ]
	run -1 husk ns 999999999
	[[ $output == *"No such container or process: 999999999"* ]]
	run -1 husk ns no-such-container
	[[ $output == *"No such container: no-such-container"* ]]
	run -125 husk ns
}

@test "lsns: every namespace the containers hold but the host's, with NPROCS, PID and the container names" {
	hrun -d --name l1 husk-test-img sh -c 'sleep 100 & sleep 100' >/dev/null
	hrun -d --name l2 --pid container:l1 --uts host husk-test-img sleep 100 >/dev/null
	sleep 0.3
	run husk lsns
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^NS\ +TYPE\ +NPROCS\ +PID\ +USER\ +CONTAINER\ +COMMAND$ ]]
	local json
	json=$(husk lsns --json)
	for c in l1 l2; do
		pid=$(field $c '{{.State.Pid}}')
		for t in $NS_TYPES; do
			ino=$(stat -L -c %i /proc/$pid/ns/$t)
			if [ "$ino" = "$(stat -L -c %i /proc/self/ns/$t)" ]; then
				# the host's: not listed
				! grep -q "^$ino " <<<"$output" || false
				continue
			fi
			# NPROCS and the lowest PID, counted here over every process
			n=0 low=
			for d in /proc/[0-9]*; do
				[ "$(stat -L -c %i $d/ns/$t 2>/dev/null)" = "$ino" ] || continue
				n=$((n + 1))
				p=${d#/proc/}
				[[ -n $low && $low -lt $p ]] || low=$p
			done
			row=$(awk -v i="$ino" '$1 == i { print $2, $3, $4, $5 }' <<<"$output")
			[ "$row" = "$t $n $low root" ]
			[[ $(awk -v i="$ino" '$1 == i { print $6 }' <<<"$output") == *$c* ]]
			[ "$(jq -r --argjson i "$ino" '.namespaces[] | select(.ns == $i) | "\(.type) \(.nprocs) \(.pid)"' <<<"$json")" = "$t $n $low" ]
		done
	done
	# the shared pid namespace names both, with l1's three processes and l2's one
	p1=$(field l1 '{{.State.Pid}}')
	ino=$(stat -L -c %i /proc/$p1/ns/pid)
	[ "$(awk -v i="$ino" '$1 == i { print $6 }' <<<"$output" | tr , '\n' | sort | paste -sd,)" = l1,l2 ]
}

@test "explain: a default container: no host processes, its own mounts and network, root is root, limits, caps, seccomp" {
	mkdir "$TEST_DIR/data"
	chown 1000:1000 "$TEST_DIR/data"
	hrun -d --name ex -m 64m --pids-limit 50 --cap-drop chown -v "$TEST_DIR/data:/data" husk-test-img \
		sh -c 'touch /data/by-root /made-here; sleep 100' >/dev/null
	pid=$(field ex '{{.State.Pid}}')
	wait_for 5 '[ -e "$TEST_DIR/data/by-root" ]'
	run husk explain ex
	[ "$status" -eq 0 ]
	local text=$output json
	json=$(husk explain --json ex)
	[ "$(jq -r '"\(.name) \(.pid)"' <<<"$json")" = "ex $pid" ]
	[ "$(jq -r .monitor_pid <<<"$json")" = "$(awk '{ print $4 }' /proc/$pid/stat)" ]
	# pid: NSpid says PID 1 inside
	[ "$(answer ex pid)" = no ]
	[[ $text == *"No: it has a PID namespace of its own; host PID $pid is PID 1 inside."* ]]
	run evidence ex pid
	[[ $output == *"/proc/$pid/ns/pid -> $(readlink /proc/$pid/ns/pid)"* ]]
	[[ $output == *"host /proc/self/ns/pid -> $(readlink /proc/self/ns/pid)"* ]]
	[[ $output == *"/proc/$pid/status NSpid: $(awk '/^NSpid:/ { $1 = ""; print substr($0, 2) }' /proc/$pid/status)"* ]]
	# mnt: not the host's root, its propagation as mountinfo says
	[ "$(answer ex mnt)" = own ]
	[ "$(stat -L -c %d:%i /proc/$pid/root/)" != "$(stat -c %d:%i /)" ]
	[[ $text == *"A mount table of its own; its root is not the host's /; $(wc -l </proc/$pid/mountinfo) mounts"* ]]
	run evidence ex mnt
	[[ $output == *"/proc/$pid/ns/mnt -> $(readlink /proc/$pid/ns/mnt)"* ]]
	[[ $output == *"/proc/$pid/mountinfo: $(awk '$5 == "/" { print $(NF - 2) }' /proc/$pid/mountinfo | head -1) on / "* ]]
	# the overlay's upper layer: what the container wrote, on the host
	upper=$(sed -n 's/.*, upperdir \(.*\)$/\1/p' <<<"$output")
	[[ $upper == "$TEST_DIR/store/containers/"*/upper ]]
	[ -e "$upper/made-here" ]
	# user: no user namespace, the identity map; the bind's owner and what root wrote there
	[ "$(answer ex user)" = yes ]
	[ "$(readlink /proc/$pid/ns/user)" = "$(readlink /proc/self/ns/user)" ]
	run evidence ex user
	[[ $output == *"/proc/$pid/uid_map: $(awk '{ print $1, $2, $3 }' /proc/$pid/uid_map)"* ]]
	[[ $output == *"bind $TEST_DIR/data:/data: owned by uid 1000 "* ]]
	[ "$(stat -c %u "$TEST_DIR/data/by-root")" = 0 ]
	# net: --network none, lo only
	[ "$(answer ex net)" = own ]
	[ "$(jq -r '.network.interfaces | join(" ")' <<<"$json")" = "$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/$pid/net/dev | tr '\n' ' ' | sed 's/ $//')" ]
	[[ $text == *"Its own (--network=none): lo, nothing connects it to the host."* ]]
	# cgroup limits, from the files of its cgroup
	if grep -q '^[0-9]*:memory:' /proc/$pid/cgroup; then
		d=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' /proc/$pid/cgroup)
		[ "$(jq -r .cgroup.memory_max <<<"$json")" = "$(cat $d/memory.limit_in_bytes)" ]
	else
		d=/sys/fs/cgroup$(awk -F: '$1 == 0 { print $3 }' /proc/$pid/cgroup)
		[ "$(jq -r .cgroup.memory_max <<<"$json")" = "$(cat $d/memory.max)" ]
	fi
	[ "$(jq -r .cgroup.memory_max <<<"$json")" = 67108864 ]
	[ "$(jq -r .cgroup.pids_max <<<"$json")" = 50 ]
	# capabilities: CapEff decoded; chown dropped
	[ "$(jq -r .capabilities.effective_hex <<<"$json")" = "$(awk '/^CapEff:/ { print $2 }' /proc/$pid/status)" ]
	want=$(capsh --decode="$(awk '/^CapEff:/ { print $2 }' /proc/$pid/status)" | sed 's/.*=//' | tr a-z A-Z)
	[ "$(jq -r '.capabilities.effective | join(",")' <<<"$json")" = "$want" ]
	[[ $want == *CAP_KILL* && $want != *CAP_CHOWN* ]]
	# seccomp
	[ "$(awk '/^Seccomp:/ { print $2 }' /proc/$pid/status)" = 2 ]
	[ "$(jq -r .seccomp <<<"$json")" = filter ]
	[[ $text == *"seccomp: filter"* ]]
}

@test "explain: --pid host, --network host, seccomp unconfined: the answers change with /proc" {
	hrun -d --name hx --pid host --network host --security-opt seccomp=unconfined husk-test-img sleep 100 >/dev/null
	pid=$(field hx '{{.State.Pid}}')
	[ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/self/ns/pid)" ]
	[ "$(answer hx pid)" = yes ]
	run husk explain hx
	[[ $output == *"Yes: it is in the host's PID namespace (--pid=host); its init is PID $pid on both sides."* ]]
	[[ $output == *"record: --pid=host"* ]]
	[ "$(answer hx net)" = host ]
	[[ $output == *"The host's (--network=host)"* ]]
	[ "$(husk explain --json hx | jq -r '.network.interfaces | join(" ")')" = "$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/self/net/dev | tr '\n' ' ' | sed 's/ $//')" ]
	[ "$(awk '/^Seccomp:/ { print $2 }' /proc/$pid/status)" = 0 ]
	[ "$(husk explain --json hx | jq -r .seccomp)" = disabled ]
	run -1 husk explain no-such
	husk stop -t 1 hx
	run -1 husk explain hx
	[[ $output == *"is not running"* ]]
	run -125 husk explain --format png hx
}

@test "explain --graph and --format dot|svg: the monitor, the init, its processes" {
	hrun -d --name gr husk-test-img sh -c 'sleep 100 & sleep 200' >/dev/null
	sleep 0.3
	pid=$(field gr '{{.State.Pid}}')
	mon=$(awk '{ print $4 }' /proc/$pid/stat)
	child=$(pgrep -P "$pid" sleep | head -1)
	run husk explain --graph gr
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "husk-supervise pid $mon" ]
	[[ ${lines[1]} == "└─ "*" pid $pid (PID 1 inside)" ]]
	[[ $output == *"pid $child (PID "* ]]
	run husk explain --format dot gr
	[ "${lines[0]}" = "digraph husk {" ]
	[[ $output == *"husk-supervise pid $mon"* && $output == *"pid $pid (PID 1 inside)"* ]]
	# monitor -> init -> the child
	n_mon=$(sed -n "s/^  \(n[0-9]*\) \[label=\"husk-supervise pid $mon\"\];/\1/p" <<<"$output")
	n_init=$(sed -n "s/^  \(n[0-9]*\) \[label=\".* pid $pid (PID 1 inside)\"\];/\1/p" <<<"$output")
	n_child=$(sed -n "s/^  \(n[0-9]*\) \[label=\".* pid $child (PID [0-9]* inside)\"\];/\1/p" <<<"$output")
	[[ $output == *"  $n_mon -> $n_init "* && $output == *"  $n_init -> $n_child "* ]]
	husk explain --format svg gr >"$TEST_DIR/g.svg"
	python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); assert len(d.getElementsByTagName("rect")) >= 4' "$TEST_DIR/g.svg"
	grep -q "husk-supervise pid $mon" "$TEST_DIR/g.svg"
}

@test "top: CUSER is the user inside, named by the container's /etc/passwd; UID is the host's" {
	hrun -d --name tu --user 1000 husk-test-img sleep 100 >/dev/null
	pid=$(field tu '{{.State.Pid}}')
	run husk top tu
	[[ ${lines[0]} == "UID "*"CPID "*"CUSER "*"CMD" ]]
	[ "$(awk 'NR == 2 { print $2, $8, $9 }' <<<"$output")" = "$pid 1 app" ]
	# ps's rule: a name longer than 8 characters prints as the number
	host_user=$(getent passwd 1000 | cut -d: -f1)
	[[ -n $host_user && ${#host_user} -le 8 ]] || host_user=1000
	[ "$(awk 'NR == 2 { print $1 }' <<<"$output")" = "$host_user" ]
	[ "$(awk '/^Uid:/ { print $2 }' /proc/$pid/status)" = 1000 ]
}

@test "explain on the bridge: eth0, the veth on husk0, the published port; --graph and dot draw them" {
	HOST_NS=husk-test-explain-$$-$BATS_TEST_NUMBER
	ip netns add "$HOST_NS"
	in_host ip link set lo up
	HOST_READ=in_host
	husk() { in_host timeout 60 "$HUSK" "$@"; }
	unset HUSK_DEFAULT_NETWORK
	c=$(hrun -d --name br -p 8080:80 husk-test-img sleep 100)
	pid=$(field br '{{.State.Pid}}')
	check_ns br "$pid"
	[ "$(answer br net)" = own ]
	veth=veth${c:0:8}
	run in_host ip -o link show master husk0
	[[ $output == *"$veth"* ]]
	run husk explain --json br
	[ "$(jq -r '"\(.network.veth) \(.network.bridge) \(.network.ip)"' <<<"$output")" = "$veth husk0 $(field br '{{.NetworkSettings.IPAddress}}')" ]
	[ "$(jq -r '.network.veth_ifindex' <<<"$output")" = "$(in_host ip -o link show "$veth" | cut -d: -f1)" ]
	# the pair as the kernel links it: `ip link` on the host, sysfs inside
	local j=$output link
	link=$(in_host ip -o link show "$veth")
	[[ $link =~ @if([0-9]+): ]]
	[ "$(jq -r .network.veth_peer_ifindex <<<"$j")" = "${BASH_REMATCH[1]}" ]
	[ "$(jq -r .network.eth0_ifindex <<<"$j")" = "$(husk exec br cat /sys/class/net/eth0/ifindex)" ]
	[ "$(jq -r .network.eth0_ifindex <<<"$j")" = "${BASH_REMATCH[1]}" ]
	[[ $link == *"master husk0"* ]]
	[ "$(jq -r .network.veth_master_ifindex <<<"$j")" = "$(in_host ip -o link show husk0 | cut -d: -f1)" ]
	[ "$(jq -r .network.bridge_ifindex <<<"$j")" = "$(in_host ip -o link show husk0 | cut -d: -f1)" ]
	[ "$(jq -r '.network.ports | join(",")' <<<"$output")" = "0.0.0.0:8080 -> 80/tcp" ]
	[ "$(jq -r '.network.interfaces | sort | join(" ")' <<<"$output")" = "eth0 lo" ]
	run husk explain br
	[[ $output == *"eth0 ($(field br '{{.NetworkSettings.IPAddress}}'), ifindex ${BASH_REMATCH[1]}) is the peer of $veth on bridge husk0 on the host; published through NAT: 0.0.0.0:8080 -> 80/tcp."* ]]
	[[ $output == *"host /proc/self/ns/net -> $(in_host readlink /proc/self/ns/net)"* ]]
	run husk explain --graph br
	[[ $output == *"$veth (host end) ──(enslaved)──> bridge husk0"* ]]
	[[ $output == *"published 0.0.0.0:8080 -> 80/tcp ──(DNAT)──> NAT"* ]]
	[[ $output == *"husk-supervise pid $(awk '{ print $4 }' /proc/$pid/stat)"* ]]
	run husk explain --format dot br
	[[ $output == *"$veth (host end)"* && $output == *"bridge husk0"* && $output == *"pid $pid (PID 1 inside)"* ]]
	husk rm -f br >/dev/null
}
