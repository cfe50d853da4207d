#!/usr/bin/env bash
# leak-check.sh [RUNTIME]: fail if the integration suite left anything on the
# host. Every test names what it makes with the prefix `husk-test` (temp dirs
# /tmp/husk-test.*, container ids, cgroups /husk-test/<id>, netns), so no
# snapshot is needed: anything carrying that prefix now is a leak. Also
# checked: cgroups and links named husk*, test state dirs under /run, and live
# processes running the runtime binary under test (RUNTIME or $1).
#
# With HUSK_SYSCTL_SNAPSHOT (written by sysctl-snapshot.sh before the
# suite), the host's forwarding sysctls must read as they did then.
#
# Prints what leaked and exits 1; prints "leak-check: clean" and exits 0
# otherwise. Changes nothing.
set -uo pipefail

runtime=${1:-${HUSK_TEST_RUNTIME:-${RUNTIME:-}}}
if [[ -n $runtime && $runtime != /* ]]; then
	runtime=$(command -v "$runtime" || echo "$runtime")
fi
leaks=()

# Mounts: source, mount point or root naming husk-test, or under the tests'
# temp dirs.
while read -r line; do
	leaks+=("mount: $line")
done < <(awk '{
	split($0, halves, " - "); split(halves[2], post, " ")
	if ($4 ~ /husk-test/ || $5 ~ /husk-test/ || post[2] ~ /husk-test/) print $5 " (source " post[2] ", root " $4 ")"
}' /proc/self/mountinfo)

# cgroups named husk* in any hierarchy.
if [[ -d /sys/fs/cgroup ]]; then
	while read -r dir; do
		leaks+=("cgroup: $dir")
	done < <(find /sys/fs/cgroup -maxdepth 5 -type d -name 'husk*' 2>/dev/null)
fi

# Network namespaces and links.
if command -v ip >/dev/null; then
	while read -r ns _; do
		[[ $ns == husk-test* ]] && leaks+=("netns: $ns")
	done < <(ip netns list 2>/dev/null)
	while read -r name; do
		leaks+=("link: $name")
	done < <(ip -o link show 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep '^husk')
fi

# State dirs and temp dirs.
for d in /run/husk-runtime-test* /tmp/husk-test.*; do
	[[ -e $d ]] && leaks+=("directory: $d")
done
for root in /run/husk-runtime /run/runc; do
	for d in "$root"/husk-test*; do
		[[ -e $d ]] && leaks+=("container state: $d")
	done
done

# Live processes (zombies hold nothing but a pid and cannot be reaped by us).
self_tree=" $$ $PPID "
for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	[[ $self_tree == *" $pid "* ]] && continue
	state=$(awk '/^State:/ {print $2}' "$p/status" 2>/dev/null) || continue
	[[ -z $state || $state == Z || $state == X ]] && continue
	cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
	exe=$(readlink "$p/exe" 2>/dev/null || true)
	if [[ $cmd == *husk-test* ]] || [[ -n $runtime && $exe == "$runtime" ]]; then
		leaks+=("process: $pid $cmd")
	fi
done

# Host sysctls a test must only ever change inside its own network namespace.
if [[ -n ${HUSK_SYSCTL_SNAPSHOT:-} && -r $HUSK_SYSCTL_SNAPSHOT ]]; then
	while read -r key before; do
		now=$(cat "/proc/sys/$key" 2>/dev/null) || continue
		[[ $now == "$before" ]] || leaks+=("sysctl: ${key//\//.} is $now on the host, was $before before the suite")
	done <"$HUSK_SYSCTL_SNAPSHOT"
fi

if ((${#leaks[@]})); then
	echo "leak-check: ${#leaks[@]} thing(s) left behind:"
	printf '  %s\n' "${leaks[@]}"
	exit 1
fi
echo "leak-check: clean"
