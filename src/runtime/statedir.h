#pragma once

#include "oci/state.h"
#include "runtime/runtime.h"
#include "sandbox/seccomp.h"

/* The per-container state directory `<root>/<id>/`. */

/* "<root>/<id>" malloc'd. */
char *statedir_path(const RuntimeOpts *o, const char *id);

/* Open and flock (LOCK_EX or LOCK_SH) the container's directory. Returns the
 * fd, which holds the lock until closed; -ENOENT when the container does not
 * exist, with *ret_err saying so. */
int statedir_lock(const RuntimeOpts *o, const char *id, int how, Error **ret_err);

int statedir_read_record(int dirfd, const char *id, ContainerRecord **ret, Error **ret_err);
int statedir_write_record(int dirfd, const ContainerRecord *r, Error **ret_err);

/* The live status: the recorded pid is alive (same start time, not a
 * zombie): created while exec.fifo exists, paused when its cgroup is frozen,
 * else running; otherwise stopped. */
ContainerStatus statedir_live_status(int dirfd, const ContainerRecord *r, CgroupManager m);

/* Run the poststart hooks, if any, with the state "running"; a failure is a
 * warning: the container runs on. */
void runtime_poststart(const RuntimeOpts *o, const Spec *spec, const ContainerRecord *rec);

/* linux.seccomp of `spec` compiled (an empty program when it has none, or
 * only NOTIFY rules), through the cache of compiled filters in
 * `<root>/@seccomp/` (a name no container id can take). */
int statedir_compile_seccomp(const RuntimeOpts *o, const Spec *spec, SeccompProgram *ret, Error **ret_err);

/* Remove the state directory and everything in it. */
int statedir_remove(const RuntimeOpts *o, const char *id);
