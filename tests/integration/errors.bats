#!/usr/bin/env bats
# Bad bundles fail with a message that points at the problem, and leave
# nothing behind: no state under --root, no process, no cgroup, no mount.

load helpers

# create_fails: create (and run) must fail and leave no trace.
create_fails() {
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ] || {
		echo "create succeeded" >&2
		return 1
	}
	local create_output=$output
	assert_no_trace "$ID"
	! pgrep -f "sleep 4248" >/dev/null || false
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
	output=$create_output
}

setup() {
	setup_bundle
	set_args sleep 4248
}

teardown() { teardown_bundle; }

# A config.json whose line 4, column 20 is where parsing breaks.
write_malformed_config() {
	cat >"$BUNDLE/config.json" <<-'EOF'
		{
		  "ociVersion": "1.0.2",
		  "process": {
		    "args": ["sh" "-c"],
		    "cwd": "/"
		  },
		  "root": {"path": "rootfs"}
		}
	EOF
}

@test "malformed config.json fails and leaves nothing" {
	write_malformed_config
	create_fails
}

@test "malformed config.json: the message gives config.json:LINE:COL" {
	husk_only "report line and column of JSON syntax errors"
	write_malformed_config
	create_fails
	[[ "$output" =~ config\.json:4:[0-9]+ ]]
}

@test "a config.json that is not JSON at all" {
	echo 'this is not json' >"$BUNDLE/config.json"
	create_fails
}

@test "missing config.json names the file" {
	rm "$BUNDLE/config.json"
	create_fails
	[[ "$output" == *config.json* ]]
}

@test "a field of the wrong type: the message names its JSON path" {
	update_config '.process.args = "sh"'
	create_fails
	[[ "$output" == *process.args* ]]
}

@test "a nested field of the wrong type: the message names its JSON path" {
	update_config '.linux.resources = {"memory": {"limit": "lots"}}'
	create_fails
	[[ "$output" == *memory.limit* ]]
}

@test "empty process.args is refused" {
	update_config '.process.args = []'
	create_fails
	[[ "$output" == *args* ]]
}

@test "missing rootfs: the message names the path" {
	update_config '.root.path = "no-such-rootfs"'
	create_fails
	[[ "$output" == *no-such-rootfs* ]]
}

@test "a program that does not exist in the rootfs" {
	set_args /husk-test-no-such-binary
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *husk-test-no-such-binary* ]]
	assert_no_trace "$ID"
}

@test "a program that is not executable" {
	echo 'not a program' >"$ROOTFS/not-exec"
	chmod 644 "$ROOTFS/not-exec"
	set_args /not-exec
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "a bind mount whose source does not exist: the message names it" {
	add_mount /mnt/nope bind "$TEST_DIR/husk-test-no-such-source" bind
	create_fails
	[[ "$output" == *husk-test-no-such-source* ]]
}

@test "a mount of an unknown filesystem type" {
	add_mount /mnt/nope husk-test-no-such-fs none
	create_fails
}

@test "a relative mount destination is refused" {
	husk_only "refuse relative mount destinations (it warns and accepts them)"
	add_mount mnt/relative tmpfs tmpfs
	create_fails
}

@test "an unsupported ociVersion is refused" {
	husk_only "check ociVersion"
	update_config '.ociVersion = "2.0.0"'
	create_fails
	[[ "$output" == *ociVersion* ]]
}

@test "a uid mapping without a user namespace is refused" {
	husk_only "refuse uidMappings without a user namespace (it ignores them)"
	remove_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]'
	create_fails
}

@test "a cwd that is not absolute is refused" {
	update_config '.process.cwd = "relative/dir"'
	create_fails
	[[ "${output,,}" == *cwd* ]]
}

@test "an rlimit above the hard limit the runtime may set" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1048576, "hard": 1048576}]'
	local hard
	hard=$(ulimit -Hn)
	# CAP_SYS_RESOURCE is bit 24 of the effective set.
	local eff=$((0x$(awk '/^CapEff:/ {print $2}' /proc/self/status)))
	if [ "$hard" = unlimited ] || [ "$hard" -ge 1048576 ] || (((eff >> 24) & 1)); then
		skip "this host allows raising RLIMIT_NOFILE to 1048576"
	fi
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "an unknown rlimit type is refused" {
	update_config '.process.rlimits = [{"type": "RLIMIT_HUSKTEST", "soft": 1, "hard": 1}]'
	create_fails
	[[ "$output" == *RLIMIT_HUSKTEST* ]]
}

@test "an unknown namespace type is refused" {
	update_config '.linux.namespaces += [{"type": "husktest"}]'
	create_fails
	[[ "$output" == *husktest* ]]
}

@test "the bundle directory does not exist" {
	runtime create --bundle "$TEST_DIR/husk-test-no-bundle" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *husk-test-no-bundle* ]]
	assert_no_trace "$ID"
}
