#!/usr/bin/env bats
# The runtime's binary cannot be written from inside a container
# (CVE-2019-5736). A process of the runtime that a container can see in its
# pid namespace (an init that waits for `start` in a shared pid namespace,
# a process `exec` is setting up) has /proc/PID/exe pointing at the
# runtime's binary, and a container program that is a script starting with
# `#!/proc/self/exe` makes the kernel run that binary as the container's
# process. A container process must not be able to write it, neither now
# nor through an fd kept until the runtime has exited.
#
# The tests run a copy of the runtime: against a runtime without the
# protection they would overwrite it.

load ../helpers

setup() {
	setup_bundle
	cp "$RUNTIME" "$TEST_DIR/$RUNTIME_NAME"
	RUNTIME=$TEST_DIR/$RUNTIME_NAME
}
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
			# A sealed copy (runc) or a read-only view (husk) may be
			# looked at, the host path of the binary not.
			[ "$(readlink "$d/exe" 2>/dev/null)" = "$1" ] && echo "EXPOSED: $1"
			(echo x >>"$d/exe") 2>/dev/null && echo "EXPOSED: write"
		done
		[ $found = 1 ]' sh "$RUNTIME"
	[ "$status" -eq 0 ]
	[[ $output == *"found "* ]]
	[[ $output != *EXPOSED* ]]
	after=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
	[ "$before" = "$after" ]
	# Started, it is the user's program again, which may be looked at.
	rt start "$id2"
	wait_for_status "$id2" running
}

# The attack of the CVE: the container's program is `#!/proc/self/exe`, so
# the runtime's process that execs it (here `exec`'s) becomes the runtime's
# binary inside the container. The shebang's argument makes that binary
# wait on a FIFO (its --log) while a container process keeps an fd to
# /proc/PID/exe; once no runtime runs any more, it writes through that fd.
@test "a container cannot write the runtime binary through #!/proc/self/exe" {
	local before after
	before=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
	# A dynamically linked runtime needs its libraries in the container
	# to run there (and be attacked).
	local lib
	for lib in $(ldd "$RUNTIME" 2>/dev/null | grep -o '/[^ ]*'); do
		cp -L --parents "$lib" "$ROOTFS"
	done
	printf '#!/proc/self/exe --log=/fifo\n' >"$ROOTFS/evil"
	chmod 755 "$ROOTFS/evil"
	cat >"$ROOTFS/attack" <<-'EOF'
		#!/bin/sh
		mkfifo /fifo && touch /ready
		i=0 found=
		while [ -z "$found" ] && [ $i -lt 400 ]; do
			for d in /proc/[0-9]*; do
				t=$(readlink "$d/exe" 2>/dev/null) || continue
				[ "$t" = /bin/busybox ] && continue
				exec 3<"$d/exe" && found=$d && break
			done
			i=$((i + 1))
			[ -n "$found" ] || sleep 0.05
		done
		echo "${found:-none} ${t:-}" >/victim
		cat /fifo >/dev/null &
		i=0
		while [ ! -e /go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
		if echo pwned >>/proc/self/fd/3; then echo WROTE; else echo REFUSED; fi >/result 2>&1
		exec sleep 1000
	EOF
	chmod 755 "$ROOTFS/attack"
	set_args /attack
	start_detached
	wait_for test -e "$ROOTFS/ready"
	# The runtime's process execs /evil and becomes the runtime's binary,
	# waiting for a reader of /fifo: the attacker's cue. It then fails
	# ("unknown command /evil"), and the runtime exits.
	runtime exec "$ID" /evil
	echo "victim: $(cat "$ROOTFS/victim")"
	[[ $(cat "$ROOTFS/victim") != none* ]]
	# Only now, with no runtime running, can the binary be opened for
	# writing at all (ETXTBSY before).
	touch "$ROOTFS/go"
	wait_for test -s "$ROOTFS/result"
	echo "result: $(cat "$ROOTFS/result")"
	[[ $(cat "$ROOTFS/result") != *WROTE* ]]
	after=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
	[ "$before" = "$after" ]
}

