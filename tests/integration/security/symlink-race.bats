#!/usr/bin/env bats
# A mount destination inside a volume that another container controls
# cannot be redirected to the host by swapping a directory for a symlink
# while the runtime sets the mount up (CVE-2021-30465: the mount lands
# outside the rootfs; CVE-2024-45310: the runtime creates the missing
# destination directory on the host).
#
# An attacker container swaps /vol/d between a directory and a symlink to
# a host directory, as fast as it can, in a volume it shares with a victim
# container; the victim's config mounts a bind at /vol/d/sub/mnt (missing:
# the runtime must create it) and is created again and again meanwhile.
# Afterwards the host directory the symlink names must be untouched and the
# host's mount table unchanged, and a victim that came up must never show
# the host directory's contents.
#
# runc 1.1.5 predates the CVE-2024-45310 fix (1.1.14): against it, the
# host directory gains the victims' mount points (sub/mnt).

load ../helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "racing symlink swaps in a shared volume cannot redirect mounts or mkdirs to the host" {
	husk_only "create mount points safely against racing symlinks (fixed in runc 1.1.14)"
	local vol=$TEST_DIR/vol host=$TEST_DIR/hostside src=$TEST_DIR/src
	local mounts_before mounts_after id bundle i made=0 seen
	mkdir -p "$vol" "$host" "$src"
	echo host-secret >"$host/secret"
	echo bind-source >"$src/marker"
	mounts_before=$(wc -l </proc/self/mountinfo)

	# The attacker: its /vol is the volume, where it swaps /vol/d (a
	# directory) and /vol/l (a symlink to the host directory, as the host
	# sees it) with renameat2(RENAME_EXCHANGE), atomically, in a tight
	# loop: a static program, since busybox has no such applet.
	cat >"$TEST_DIR/swap.c" <<-'EOF'
		#define _GNU_SOURCE
		#include <fcntl.h>
		#include <stdio.h>
		#include <unistd.h>
		int main(void)
		{
			for (unsigned long i = 0; i < 4000000000UL; i++)
				renameat2(AT_FDCWD, "/vol/d", AT_FDCWD, "/vol/l", RENAME_EXCHANGE);
			return 0;
		}
	EOF
	cc -static -O2 -o "$ROOTFS/swap" "$TEST_DIR/swap.c"
	mkdir -p "$vol/d/sub"
	ln -s "$host" "$vol/l"
	add_mount /vol bind "$vol" rbind rw
	set_args /swap
	start_detached

	# The victim: the same volume at /vol, and a bind mount below it.
	for ((i = 0; i < 40; i++)); do
		id=$(new_id)
		bundle=$(new_bundle "$id")
		CONFIG=$bundle/config.json update_config \
			'.process.args = ["sh", "-c", "cat /vol/d/sub/mnt/marker /vol/d/sub/mnt/secret 2>&1; ls /vol/d/sub/mnt"]
			| .mounts += [{"destination": "/vol", "type": "bind", "source": $vol, "options": ["rbind", "rw"]},
			              {"destination": "/vol/d/sub/mnt", "type": "bind", "source": $src, "options": ["rbind", "ro"]}]' \
			--arg vol "$vol" --arg src "$src"
		runtime run --bundle "$bundle" "$id"
		if [[ $status -eq 0 ]]; then
			made=$((made + 1))
			# Whatever the victim finds at its mount point by then (the
			# swaps go on), never the host directory.
			[[ $output != *host-secret* ]]
		fi
	done
	echo "victims that came up: $made of 40"

	# The host directory the symlinks name: only what the test put there.
	seen=$(cd "$host" && find . -mindepth 1 | sort | tr '\n' ' ')
	echo "host directory holds: $seen"
	[ "$seen" = "./secret " ]
	[ "$(cat "$host/secret")" = host-secret ]
	mounts_after=$(wc -l </proc/self/mountinfo)
	[ "$mounts_before" -eq "$mounts_after" ]
}
