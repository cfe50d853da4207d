#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "oci/spec.h"

/* Linux security module labels: process.apparmorProfile,
 * process.selinuxLabel and linux.mountLabel.
 *
 * A label asked for on a host without its LSM is an error, up front and
 * naming the field: runc fails too (a rejected SELinux label at
 * validation, an AppArmor profile or a mount label only when the init
 * writes or mounts it), and a container that silently runs unconfined is
 * worse than one that does not run. */

/* AppArmor: /sys/module/apparmor/parameters/enabled says "Y". */
bool lsm_apparmor_enabled(void);
/* SELinux: selinuxfs is mounted at /sys/fs/selinux. */
bool lsm_selinux_enabled(void);

/* Refuse labels in `proc` (and, with `spec`, linux.mountLabel) whose LSM
 * this host lacks. `where` names the config ("config.json", "--process").
 * Returns 0 or -EINVAL. */
int lsm_validate(const Spec *spec, const SpecProcess *proc, const char *where, Error **ret_err);

/* Label what the calling process execs next: AppArmor's change_onexec
 * ("exec PROFILE" to attr/apparmor/exec, or attr/exec on kernels before
 * 5.8) and the SELinux exec and keyring labels, written through the
 * private procfs (lib/procfs.h). Call after the last mount, before the
 * uid switch. Returns 0 or -errno. */
int lsm_apply_exec_labels(const SpecProcess *proc, Error **ret_err);

/* The mount data for a filesystem mount with linux.mountLabel applied:
 * `data` (may be NULL) plus context="LABEL", malloc'd in *ret, or NULL in
 * *ret when nothing is to be added (no label, SELinux absent, or a
 * filesystem that takes no context: proc, sysfs, cgroup, mqueue). Returns 0
 * or -ENOMEM. */
int lsm_mount_data(const Spec *spec, const char *type, const char *data, char **ret);
