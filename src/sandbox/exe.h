#pragma once

#include "lib/error.h"

/* The runtime's own binary, out of a container's reach (CVE-2019-5736).
 *
 * Every process the runtime puts into a container (the init, `exec`'s
 * helper) is a clone of the runtime: until it execs the user's program,
 * its /proc/PID/exe and /proc/PID/map_files/ are the runtime's binary on
 * the host. Worse, if the container's program is a script starting with
 * `#!/proc/self/exe` (or an ELF whose interpreter is that path), the
 * kernel resolves the interpreter in the exec'ing process, so the
 * container's pid 1 becomes the host's runtime binary, dumpable and open to
 * every process in the container. Root in the container (without a user
 * namespace) could then keep an fd to it and write through
 * /proc/self/fd/N as soon as no runtime is running: every later container
 * start would run the attacker's code as root on the host.
 *
 * sandbox_seal_exe() moves the calling process, before it clones anything,
 * onto a read-only view of the same file: a bind mount of the binary's
 * directory made read-only and detached (in no mount namespace). Each
 * segment of our image is mapped again from there (the same page cache;
 * the relocated writable segment becomes an anonymous copy), then
 * prctl(PR_SET_MM_MAP) points /proc/self/exe at it (Linux 3.18,
 * CONFIG_CHECKPOINT_RESTORE, CAP_SYS_ADMIN in our user namespace; the
 * kernel refuses while the old file is still mapped). What a container
 * can reach is then that view: opening it for writing fails with EROFS,
 * now and after the runtime has exited. It costs a bind mount and a few
 * mmaps, where runc and crun copy the binary into a memfd and exec it
 * again (a millisecond here).
 *
 * Where that is not allowed (no right to mount), the runtime re-execs
 * itself from a sealed memfd copy, the same command line again, as runc
 * does.
 *
 * Nothing to do when the binary is not writable by us anyway: on a
 * read-only mount, not ours (a rootless runtime under root's /usr/bin),
 * immutable, or already a sealed memfd.
 *
 * Call it early, before any side effect (the fallback starts the command
 * over). Returns 0 or -errno. */
int sandbox_seal_exe(Error **ret_err);
