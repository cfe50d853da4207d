#!/usr/bin/env bash
# demo.sh: install the build dependencies, build husk, make a busybox bundle
# and run one container with husk-runtime that prints how it sees itself:
# its hostname, its pid 1, and its namespaces.
#
# RUNTIME=/usr/sbin/runc tools/demo.sh runs the same bundle with another
# runtime. Needs root. Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
if [[ -z ${RUNTIME:-} ]]; then
	[[ -f build/build.ninja ]] || meson setup build
	ninja -C build
	RUNTIME=$PWD/build/src/cli/husk-runtime
fi

work=$(mktemp -d /tmp/husk-demo.XXXXXX)
id=husk-demo-$$
cleanup() {
	"$RUNTIME" --root "$work/state" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# A rootfs of one static busybox and a symlink per applet.
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs"/{bin,dev,etc,proc,sys,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[[ -e $rootfs/bin/$applet ]] || ln -s busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"

(cd "$work/bundle" && "$RUNTIME" spec)
jq --arg cg "/$id" '
	.process.terminal = false
	| .hostname = "husk-demo"
	| .linux.cgroupsPath = $cg
	| .process.args = ["sh", "-c",
		"echo hostname: $(hostname); echo PID 1: $(cat /proc/1/comm); ls -l /proc/self/ns"]' \
	"$work/bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"

echo "+ $(basename "$RUNTIME") run $id"
"$RUNTIME" --root "$work/state" run --bundle "$work/bundle" "$id" </dev/null
echo "host hostname: $(hostname); host pid namespace: $(readlink /proc/self/ns/pid)"
