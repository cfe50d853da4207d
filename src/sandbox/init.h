#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/spec.h"
#include "sandbox/seccomp.h"

/* What runs between clone and exec: the container's init (and the
 * intermediate process that joins namespaces by path).
 *
 * sandbox_spawn() starts it and returns the pid of the direct child; the
 * runtime then drives the handshake described in sync.h over
 * c->sync_fd's peer. The child never returns: it execs the user's program
 * or reports an error on the sync socket and _exit()s. */
typedef struct InitConfig {
        const Spec *spec;
        const char *rootfs; /* absolute */
        int sync_fd;        /* child's end of the sync socketpair */
        int fifo_fd;        /* O_PATH fd of exec.fifo; -1: exec right after setup */
        bool no_pivot;
        bool no_new_keyring;
        int preserve_fds;              /* fds 3 .. 3+n-1 are passed to the container */
        int cgroup_fd;                 /* the cgroup2 directory to clone the init into, or -1 */
        int runtime_cpu;               /* the CPU the runtime runs on (sched_getcpu()), or -1 */
        bool hide_exe;                 /* sandbox_hide_runtime_exe() in the init (not rootless) */
        bool cgroup_tree;              /* the runtime sends SYNC_CGROUP_TREE (rootfs_cgroup_tree_wanted()) */
        const SeccompProgram *seccomp; /* linux.seccomp compiled, or NULL (seccomp.h) */
} InitConfig;

/* Clone the container init (directly, or through an intermediate process
 * when namespaces are joined by path or a time namespace needs offsets).
 * Returns the child's pid or -errno; *ret_in_cgroup tells whether the init
 * was cloned into c->cgroup_fd (clone3 CLONE_INTO_CGROUP). */
pid_t sandbox_spawn(const InitConfig *c, bool *ret_in_cgroup, Error **ret_err);

/* Make the calling process (a fork of the runtime about to be seen in a
 * container's pid namespace) non-dumpable until it execs: its
 * /proc/PID/exe is the runtime's binary on the host, which a container
 * process could otherwise open, keep, and write once the runtime is gone
 * (CVE-2019-5736). Without CAP_SYS_PTRACE over the host's user namespace
 * nobody can open /proc/PID/exe of a non-dumpable process; execve makes the
 * user's program dumpable again. Not for a rootless runtime: it would lock
 * itself out of the init's /proc files. */
void sandbox_hide_runtime_exe(void);

/* The clone flags of the namespaces the spec asks to create (no path). */
int sandbox_new_ns_flags(const Spec *spec);

/* Look up `file` in PATH (from env, "PATH=..."), the way execvp does, and
 * return a malloc'd path of an executable regular file. -ENOENT/-EACCES. */
int sandbox_find_executable(const char *file, char *const *env, const char *cwd, char **ret, Error **ret_err);

/* Apply everything of `proc` but oomScoreAdj (the caller sets that before
 * it joins the namespaces) to the calling process and exec it: used by
 * `exec` after joining a running container's namespaces (seccomp: the
 * filter compiled, or NULL). Never returns;
 * on failure reports on sync_fd (if >= 0) or stderr and _exit(127/126/1). */
_noreturn_ void sandbox_exec_process(const Spec *spec, const SpecProcess *proc, const SeccompProgram *seccomp,
                                     int sync_fd, int preserve_fds);
