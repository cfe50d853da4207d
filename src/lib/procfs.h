#pragma once

#include "lib/error.h"

/* The runtime's own procfs, for what the init (or an exec'd process) writes
 * to the kernel through /proc (linux.sysctl, oomScoreAdj, time namespace
 * offsets) and what it reads there to decide (whether setgroups is denied).
 *
 * Threat (CVE-2025-52881): the /proc the init sees is whatever is mounted
 * there when it looks. With no procfs in the config it is the image's own
 * /proc directory; in a mount namespace the config joins it is that
 * namespace's; for `exec` it is the container's, which a process of the
 * container with CAP_SYS_ADMIN may have mounted over. A write through it
 * lands in a file of the attacker's choosing: a decoy (the setting is lost
 * without a word) or another procfs file (/proc/sys/kernel/core_pattern is
 * the host's); a read says what the attacker wants (a setgroups file that
 * says "deny" would keep the runtime's supplementary groups).
 *
 * So each process mounts a procfs of its own with fsopen(2) and fsmount(2),
 * detached: it is in no mount namespace, nobody can mount over anything in
 * it, and it vanishes with its fd. Where the kernel refuses that (a user
 * namespace whose mount namespace has no fully visible procfs), /proc is
 * opened instead, once it is verified to be the root of a procfs. Paths are
 * resolved below it with openat2(2) without crossing a mount, following a
 * symlink or leaving it, and the file opened must be on procfs.
 *
 * The pid namespace: the procfs shows the pids of the namespace its maker
 * was in (the init makes it after clone(CLONE_NEWPID), so it shows the
 * container's). "self" and "thread-self" are read with readlinkat(2) in that
 * procfs, so they name the caller wherever it is visible. Sysctls under
 * sys/ follow the writer's namespaces (net, ipc, uts), whatever the procfs.
 *
 * Made on first use: a container start that writes nothing there makes
 * none. Not thread-safe (the init and exec's child are single-threaded). */

/* Open `path` (relative: "sys/net/ipv4/ip_forward", "self/oom_score_adj")
 * below the private procfs with `flags` (O_CLOEXEC is added). Returns the fd,
 * which the caller closes, or -errno with *ret_err naming "/proc/<path>". */
int procfs_open(const char *path, int flags, Error **ret_err);

/* Write `value` to `path` below the private procfs in one write(2), as
 * procfs files want. Returns 0 or -errno. */
int procfs_write(const char *path, const char *value, Error **ret_err);

/* Read the first line of `path` below the private procfs (without its
 * newline) into a malloc'd *ret, which the caller frees. Returns 0 or
 * -errno. */
int procfs_read_line(const char *path, char **ret, Error **ret_err);

/* Make the private procfs now, if this process has none yet: before
 * pivot_root, while the mount namespace still shows a procfs that the
 * kernel counts as fully visible (in a user namespace it refuses a new
 * procfs otherwise). Returns 0 or -errno. */
int procfs_prepare(Error **ret_err);

/* The fd directory of this process in the procfs at /proc now (verified to
 * be one, as an O_PATH fd the caller closes), for procfs_reopen() later,
 * when /proc may be something else: the init opens it before pivot_root,
 * where /proc is the runtime's. Cheaper than a procfs of our own (no mount
 * to make and tear down), for what every `create` needs. Returns the fd or
 * -errno. */
int procfs_open_fd_dir(Error **ret_err);

/* Open what `fd` (an O_PATH fd, say) is open on, again, with `flags`
 * (O_CLOEXEC added), through `fd_dir` from procfs_open_fd_dir(), and check
 * that the same file came back. Returns the new fd or -errno. */
int procfs_reopen(int fd_dir, int fd, int flags, Error **ret_err);

/* Close this process's private procfs (its mount goes with it); a later
 * use makes a new one. The fd is O_CLOEXEC, but the init would hold it while
 * it waits for `start`, and exec'd processes may join the container by
 * then: called once the last write is done. */
void procfs_close(void);
