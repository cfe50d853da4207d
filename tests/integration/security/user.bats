#!/usr/bin/env bats
# A user given as a big uid, as -1 or as anything but numbers is either run
# as exactly that uid or refused: never left as root by accident ((uid_t)-1
# means "no change" to setresuid, and a wrapped or half-parsed number is
# some other user).

load ../helpers

setup() {
	setup_bundle
	set_args sleep 4242
}
teardown() { teardown_bundle; }

# exec_id USER: `exec --user USER ID id -u; id -g`; sets $status, $output.
exec_id() {
	runtime exec --user "$1" "$ID" sh -c 'id -u; id -g'
}

@test "exec --user: uids above INT32_MAX run as exactly that uid" {
	husk_only "run uids above 2147483647 (runc 1.1 refuses them)"
	start_detached
	exec_id 2147483648:3000000000
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2147483648 ]
	[ "${lines[1]}" = 3000000000 ]
	exec_id 4294967294
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 4294967294 ]
}

@test "exec --user: -1, 4294967295, names, junk and overflows are refused, never root" {
	husk_only "refuse an overflowing uid (runc 1.1 wraps 99999999999 to 1215752191)"
	start_detached
	local u
	for u in -1 4294967295 1000:4294967295 1000:-1 nobody root 1000:abc 99999999999 0x10 " 7" 7x ""; do
		exec_id "$u"
		[ "$status" -ne 0 ] || {
			echo "--user '$u' ran as $(tr '\n' ' ' <<<"$output")" >&2
			false
		}
		is_runc || [[ $output == *"--user must be UID[:GID]"* ]]
	done
}

@test "process.user.uid 4294967295 in config.json is refused" {
	update_config '.process.user.uid = 4294967295'
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	is_runc || [[ $output == *"process.user.uid"* ]]
	assert_no_trace "$ID"
}
