#!/usr/bin/env bats
# Rootless: an unprivileged user runs containers with `spec --rootless`:
# a user namespace maps the caller to root inside, no cgroups are created
# (the user may not), and the state lives where the user can write.

load helpers

# The unprivileged user of these tests; `nobody` exists on every Debian.
RL_UID=65534
RL_GID=65534

setup() {
	requires_root
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	chmod 755 "$TEST_DIR"
	: >"$TEST_DIR/ids"
	: >"$TEST_DIR/pids"
	: >"$TEST_DIR/netns"
	: >"$TEST_DIR/mounts"
	BUNDLE=$TEST_DIR/bundle
	ROOT=$TEST_DIR/state
	mkdir -p "$BUNDLE"
	cp -a "$(_rootfs_template)" "$BUNDLE/rootfs"
	chown -R "$RL_UID:$RL_GID" "$TEST_DIR"
	ID=$(new_id)
}

teardown() {
	as_user "$RUNTIME" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1 || true
	rm -rf --one-file-system "$TEST_DIR"
}

as_user() {
	timeout 20 setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups \
		env HOME="$TEST_DIR" XDG_RUNTIME_DIR="$TEST_DIR" "$@" </dev/null 3>&-
}

rootless_config() {
	(cd "$BUNDLE" && as_user "$RUNTIME" spec --rootless)
	local cfg
	cfg=$(jq --argjson args "$1" '.process.terminal = false | .process.args = $args' "$BUNDLE/config.json")
	printf '%s\n' "$cfg" >"$BUNDLE/config.json"
}

@test "rootless: spec --rootless maps the caller to root in a user namespace" {
	run as_user "$RUNTIME" spec --rootless --bundle "$BUNDLE"
	[ "$status" -eq 0 ]
	run jq -r '[.linux.namespaces[].type] | sort | join(",")' "$BUNDLE/config.json"
	[[ $output == *user* ]]
	[[ $output != *network* ]]
	run jq -r '.linux.uidMappings[0] | "\(.containerID) \(.hostID) \(.size)"' "$BUNDLE/config.json"
	[ "$output" = "0 $RL_UID 1" ]
}

@test "rootless: the container is root inside and the caller's uid on the host" {
	rootless_config '["sleep", "30"]'
	# the detached container keeps its stdio: not bats' pipe
	as_user "$RUNTIME" --root "$ROOT" run --detach --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	run as_user "$RUNTIME" --root "$ROOT" state "$ID"
	[ "$status" -eq 0 ]
	pid=$(jq -r .pid <<<"$output")
	[ "$(jq -r .status <<<"$output")" = running ]
	# what the host sees: the process runs as the unprivileged user
	run awk '/^Uid:/ {print $2}' "/proc/$pid/status"
	[ "$output" = "$RL_UID" ]
	# what the container sees: uid 0, mapped onto the caller
	run cat "/proc/$pid/uid_map"
	[[ $output =~ ^[[:space:]]*0[[:space:]]+$RL_UID[[:space:]]+1 ]]
	run as_user "$RUNTIME" --root "$ROOT" delete --force "$ID"
	[ "$status" -eq 0 ]
	pid_gone "$pid"
	[ ! -e "$ROOT/$ID" ]
}

@test "rootless: run propagates the exit status and leaves no cgroup" {
	rootless_config '["sh", "-c", "id -u; exit 7"]'
	run as_user "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = 0 ]
	run find /sys/fs/cgroup -maxdepth 3 -name "$ID"
	[ -z "$output" ]
}

@test "rootless: asking for a uid the caller does not own fails clearly" {
	rootless_config '["true"]'
	cfg=$(jq '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]' "$BUNDLE/config.json")
	printf '%s\n' "$cfg" >"$BUNDLE/config.json"
	run as_user "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$ID" ]
	if ! is_runc; then
		[[ $output == *newuidmap* || $output == *uid_map* ]]
	fi
}

@test "rootless: the cgroups it sees are read-only even when the config says rw (CVE-2023-25809)" {
	husk_only "force the cgroups in an rbind of /sys read-only"
	rootless_config '["cat", "/proc/self/mountinfo"]'
	# Drop "ro" from the /sys rbind and from the cgroup mount.
	cfg=$(jq '(.mounts[] | select(.destination == "/sys" or .destination == "/sys/fs/cgroup") | .options) |= map(select(. != "ro"))' \
		"$BUNDLE/config.json")
	printf '%s\n' "$cfg" >"$BUNDLE/config.json"
	run as_user "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	local n=0 mnt opts
	while read -r _ _ _ _ mnt opts _; do
		[[ $mnt == /sys/fs/cgroup || $mnt == /sys/fs/cgroup/* ]] || continue
		n=$((n + 1))
		[[ $opts == ro,* || $opts == ro ]] || {
			echo "$mnt is mounted $opts" >&2
			false
		}
	done <<<"$output"
	[ "$n" -ge 1 ]
}

# CVE-2019-5736 for a user who owns the runtime binary: the container's
# root is that user, so the binary needs the same protection as under
# root. Without the right to mount, the runtime runs from a sealed memfd
# copy of itself: what the created init shows as its exe.
@test "rootless: a runtime binary the user owns is not the init's exe" {
	local rt=$TEST_DIR/$RUNTIME_NAME pid exe
	cp "$RUNTIME" "$rt"
	chown "$RL_UID:$RL_GID" "$rt"
	rootless_config '["true"]'
	as_user "$rt" --root "$ROOT" create --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>&1
	pid=$(as_user "$rt" --root "$ROOT" state "$ID" | jq -r .pid)
	exe=$(readlink "/proc/$pid/exe")
	echo "init $pid exe: $exe"
	[ "$exe" != "$rt" ]
	[[ $exe == /memfd:* ]]
	run as_user "$rt" --root "$ROOT" delete --force "$ID"
	[ "$status" -eq 0 ]
}
