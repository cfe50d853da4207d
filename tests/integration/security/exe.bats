#!/usr/bin/env bats
# The runtime's binary cannot be reached from inside a container
# (CVE-2019-5736). A process of the runtime that a container can see in its
# pid namespace (an init that waits for `start` in a shared pid namespace,
# a process `exec` is setting up) has /proc/PID/exe pointing at the host's
# runtime binary: a container process must not be able to open it, neither
# to write now nor to keep an fd and write once the runtime has exited.

load ../helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "a created init in a shared pid namespace does not expose the runtime binary" {
	local before after first pid bundle2 id2
	before=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
	# The first container owns the pid namespace.
	set_args sleep 4242
	start_detached
	first=$(container_pid "$ID")
	# The second joins it and stays created: its init is runtime code,
	# waiting for `start`, visible to the first container.
	id2=$(new_id)
	bundle2=$(new_bundle "$id2")
	CONFIG=$bundle2/config.json add_namespace pid "/proc/$first/ns/pid"
	rt create --bundle "$bundle2" "$id2"
	[ "$(container_status "$id2")" = created ]
	pid=$(container_pid "$id2")
	# The first container looks for it and tries everything the attack
	# needs: follow the link, open it for reading (to keep an fd), for
	# writing.
	runtime exec "$ID" sh -c '
		found=0
		for d in /proc/[0-9]*; do
			# not our sleep (1), not this shell: the created init
			[ "${d#/proc/}" = 1 ] || [ "${d#/proc/}" = $$ ] && continue
			found=1
			echo "found ${d#/proc/}"
			# A sealed memfd copy (runc) may be looked at: it is not the
			# host file.
			if t=$(readlink "$d/exe"); then
				case $t in
				/memfd:*) ;;
				*) echo "EXPOSED: $t" ;;
				esac
			fi
			(echo x >>"$d/exe") 2>/dev/null && echo "EXPOSED: write"
		done
		[ $found = 1 ]'
	[ "$status" -eq 0 ]
	[[ $output == *"found "* ]]
	[[ $output != *EXPOSED* ]]
	after=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
	[ "$before" = "$after" ]
	# Started, it is the user's program again, which may be looked at.
	rt start "$id2"
	wait_for_status "$id2" running
}
