#pragma once

#include "lib/error.h"
#include "oci/spec.h"

/* Per-process settings applied in the container's init (or an exec'd
 * process) before exec. */

/* setrlimit() for each process.rlimits entry. Raising a hard limit above the
 * caller's needs CAP_SYS_RESOURCE: that fails with an error naming the
 * resource and the values asked for. */
int process_apply_rlimits(const SpecRlimit *rl, size_t n, Error **ret_err);

/* Write /proc/self/oom_score_adj, through the process's private procfs
 * (lib/procfs.h), never through the container's /proc. */
int process_set_oom_score_adj(int value, Error **ret_err);

/* linux.personality: LINUX or LINUX32 domain. */
int process_apply_personality(const SpecLinux *l, Error **ret_err);

/* setgroups (additionalGids, or none; when the kernel refuses and the user
 * namespace denies setgroups, fine if none are asked), setresgid, setresuid,
 * umask. Capabilities survive through PR_SET_KEEPCAPS; the caller calls
 * caps_apply() after. */
int process_switch_user(const SpecUser *u, Error **ret_err);

/* ioPriority: class IOPRIO_CLASS_RT|BE|IDLE and priority 0-7. */
int process_apply_io_priority(const SpecProcess *p, Error **ret_err);
