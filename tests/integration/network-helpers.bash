# Shared by the networking tests (network.bats, network-user.bats): every
# husk command runs in a network namespace the test makes to play the host
# ("host"), entered with nsenter so that /sys and the cgroup mounts stay the
# machine's (ip netns exec would remount /sys). A second namespace plays
# another machine ("outside") on a veth link: 192.168.77.1 (host) <->
# 192.168.77.2. The bridges, the nft table `ip husk` and ip_forward=1 live
# only in "host"; teardown deletes both namespaces, and checks the machine's
# own forwarding sysctl and ruleset did not change.

load engine-helpers # engine_cgroup_parent_remove

# netns_setup TAG: TEST_DIR with its storage and state, the two namespaces
netns_setup() {
	[[ -x $HUSK ]] || skip "set HUSK"
	[[ $EUID -eq 0 ]] || skip "needs root"
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	export HUSK_STORAGE=$TEST_DIR/store HUSK_STATE=$TEST_DIR/state
	unset HUSK_DEFAULT_NETWORK # the real default: bridge
	HOST_NS=husk-test-$1host-$$-$BATS_TEST_NUMBER
	OUT_NS=husk-test-$1out-$$-$BATS_TEST_NUMBER
	FWD_BEFORE=$(cat /proc/sys/net/ipv4/ip_forward)
	RULES_BEFORE=$(nft list ruleset 2>/dev/null | md5sum)
	ip netns add "$HOST_NS"
	ip netns add "$OUT_NS"
	ip -n "$HOST_NS" link set lo up
	ip -n "$OUT_NS" link set lo up
	ip -n "$HOST_NS" link add ext0 type veth peer name ext0 netns "$OUT_NS"
	ip -n "$HOST_NS" addr add 192.168.77.1/24 dev ext0
	ip -n "$OUT_NS" addr add 192.168.77.2/24 dev ext0
	ip -n "$HOST_NS" link set ext0 up
	ip -n "$OUT_NS" link set ext0 up
}

# Every container removed (and every user-defined network), BG_PIDS
# killed, then what must not be left checked.
netns_teardown() {
	[[ -n ${TEST_DIR:-} ]] || return 0
	local ids left=0 p
	ids=$(husk ps -aq --no-trunc 2>/dev/null || true)
	[[ -z $ids ]] || husk rm -f $ids >/dev/null 2>&1 || true
	husk network prune -f >/dev/null 2>&1 || true
	for p in ${BG_PIDS:-}; do kill "$p" 2>/dev/null || true; done
	if grep -q " ${TEST_DIR}/" /proc/self/mountinfo; then
		echo "mount left under $TEST_DIR" >&2
		left=1
		grep " ${TEST_DIR}/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	fi
	ip netns del "$HOST_NS" 2>/dev/null || true
	ip netns del "$OUT_NS" 2>/dev/null || true
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

# husk, in the namespace that plays the host
husk() { nsenter --net="/run/netns/$HOST_NS" timeout 60 "$HUSK" "$@"; }
in_host() { nsenter --net="/run/netns/$HOST_NS" "$@"; }
in_out() { nsenter --net="/run/netns/$OUT_NS" "$@"; }

# wait_for CMD...: until it succeeds (5 s)
wait_for() {
	local i
	for i in $(seq 50); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}
