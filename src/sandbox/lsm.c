/* LSM labels: see lsm.h. */
#include "sandbox/lsm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include "lib/macros.h"
#include "lib/procfs.h"
#include "lib/util.h"

/* include/uapi/linux/magic.h */
#define SELINUX_MAGIC_ 0xf97cff8cU

bool lsm_apparmor_enabled(void)
{
        _cleanup_free_ char *v = NULL;

        return read_one_line("/sys/module/apparmor/parameters/enabled", &v) >= 0 && v[0] == 'Y';
}

bool lsm_selinux_enabled(void)
{
        struct statfs sf;

        return statfs("/sys/fs/selinux", &sf) == 0 && (unsigned)sf.f_type == SELINUX_MAGIC_;
}

int lsm_validate(const Spec *spec, const SpecProcess *proc, const char *where, Error **ret_err)
{
        if (proc && proc->apparmor_profile && *proc->apparmor_profile && !lsm_apparmor_enabled())
                return error_setx(ret_err, EINVAL,
                                  "%s: process.apparmorProfile \"%s\" is set, but AppArmor is not enabled on this "
                                  "host",
                                  where, proc->apparmor_profile);
        if (proc && proc->selinux_label && *proc->selinux_label && !lsm_selinux_enabled())
                return error_setx(ret_err, EINVAL,
                                  "%s: process.selinuxLabel \"%s\" is set, but SELinux is not enabled on this host",
                                  where, proc->selinux_label);
        if (spec && spec->linux_.mount_label && *spec->linux_.mount_label && !lsm_selinux_enabled())
                return error_setx(ret_err, EINVAL,
                                  "%s: linux.mountLabel \"%s\" is set, but SELinux is not enabled on this host", where,
                                  spec->linux_.mount_label);
        return 0;
}

int lsm_apply_exec_labels(const SpecProcess *proc, Error **ret_err)
{
        int r;

        if (proc->apparmor_profile && *proc->apparmor_profile) {
                _cleanup_free_ char *cmd = NULL;

                if (asprintf(&cmd, "exec %s", proc->apparmor_profile) < 0)
                        return error_set(ret_err, ENOMEM, "apparmor");
                /* Linux 5.8 moved AppArmor's attributes to their own
                 * directory; the old files are shared by every LSM. */
                r = procfs_write("thread-self/attr/apparmor/exec", cmd, NULL);
                if (r == -ENOENT)
                        r = procfs_write("thread-self/attr/exec", cmd, ret_err);
                else if (r < 0)
                        error_set(ret_err, -r, "write /proc/thread-self/attr/apparmor/exec");
                if (r < 0)
                        return error_prefix(ret_err, "apply AppArmor profile \"%s\"", proc->apparmor_profile);
        }
        if (proc->selinux_label && *proc->selinux_label) {
                r = procfs_write("thread-self/attr/exec", proc->selinux_label, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "apply SELinux label \"%s\"", proc->selinux_label);
                /* Keys the container makes carry its label too. */
                r = procfs_write("thread-self/attr/keycreate", proc->selinux_label, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "SELinux keyring label \"%s\"", proc->selinux_label);
        }
        return 0;
}

int lsm_mount_data(const Spec *spec, const char *type, const char *data, char **ret)
{
        const char *label = spec->linux_.mount_label;

        *ret = NULL;
        if (!label || !*label || !type || streq(type, "proc") || streq(type, "sysfs") || streq(type, "cgroup") ||
            streq(type, "cgroup2") || streq(type, "mqueue") || !lsm_selinux_enabled())
                return 0;
        if (asprintf(ret, "%s%scontext=\"%s\"", data ? data : "", data && *data ? "," : "", label) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}
