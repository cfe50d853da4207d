#!/usr/bin/env bash
# sysctl-snapshot.sh FILE: record the host's network sysctls that container
# networking tends to change (forwarding, route_localnet), so that
# leak-check.sh can fail the suite if a test changed them outside its own
# network namespace. Runs first; changes nothing.
set -euo pipefail
out=$1
: >"$out.tmp"
for k in net/ipv4/ip_forward net/ipv6/conf/all/forwarding net/ipv4/conf/all/route_localnet; do
	[[ -r /proc/sys/$k ]] && echo "$k $(cat "/proc/sys/$k")" >>"$out.tmp"
done
mv "$out.tmp" "$out"
echo "sysctl-snapshot: $(tr '\n' ' ' <"$out")"
