#include "sandbox/idmap.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/util.h"

char *idmap_format(const SpecIdMap *m, size_t n)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        fclose(f);
        return buf;
}

static int run_newidmap(const char *helper, pid_t pid, const SpecIdMap *m, size_t n, Error **ret_err)
{
        _cleanup_strv_ char **argv = NULL;
        char num[32];
        pid_t child;
        int status;

        snprintf(num, sizeof(num), "%d", (int)pid);
        if (strv_push(&argv, helper) < 0 || strv_push(&argv, num) < 0)
                return error_set(ret_err, ENOMEM, "%s", helper);
        for (size_t i = 0; i < n; i++) {
                char a[16], b[16], c[16];
                snprintf(a, sizeof(a), "%u", m[i].container_id);
                snprintf(b, sizeof(b), "%u", m[i].host_id);
                snprintf(c, sizeof(c), "%u", m[i].size);
                if (strv_push(&argv, a) < 0 || strv_push(&argv, b) < 0 || strv_push(&argv, c) < 0)
                        return error_set(ret_err, ENOMEM, "%s", helper);
        }
        child = fork();
        if (child < 0)
                return error_set(ret_err, errno, "fork %s", helper);
        if (child == 0) {
                execvp(helper, argv);
                _exit(127);
        }
        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        return error_set(ret_err, errno, "wait %s", helper);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return error_setx(ret_err, ENOENT,
                                  "%s not found: several id ranges in a rootless user namespace need it "
                                  "(install the uidmap package)",
                                  helper);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_setx(ret_err, EPERM, "%s %d failed (check /etc/subuid and /etc/subgid)", helper, (int)pid);
        return 0;
}

static int write_map(pid_t pid, const char *file, const SpecIdMap *m, size_t n, Error **ret_err)
{
        _cleanup_free_ char *text = idmap_format(m, n);
        char path[64];
        int r;

        if (!text)
                return error_set(ret_err, ENOMEM, "format %s", file);
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        r = write_string_file(path, text);
        if (r < 0)
                return error_set(ret_err, -r, "write %s", path);
        return 0;
}

int idmap_write(pid_t pid, const SpecIdMap *uid, size_t n_uid, const SpecIdMap *gid, size_t n_gid,
                bool *ret_setgroups_denied, Error **ret_err)
{
        bool privileged = geteuid() == 0 && running_in_init_userns();
        bool denied = false;
        int r;

        if (privileged) {
                if (n_uid > 0 && (r = write_map(pid, "uid_map", uid, n_uid, ret_err)) < 0)
                        return r;
                if (n_gid > 0 && (r = write_map(pid, "gid_map", gid, n_gid, ret_err)) < 0)
                        return r;
        } else {
                bool single_self_uid = n_uid == 1 && uid[0].size == 1 && uid[0].host_id == geteuid();
                bool single_self_gid = n_gid <= 1 && (n_gid == 0 || (gid[0].size == 1 && gid[0].host_id == getegid()));

                if (single_self_uid) {
                        if ((r = write_map(pid, "uid_map", uid, n_uid, ret_err)) < 0)
                                return r;
                } else if (n_uid > 0 && (r = run_newidmap("newuidmap", pid, uid, n_uid, ret_err)) < 0)
                        return r;

                if (single_self_gid) {
                        char path[64];

                        /* Since Linux 3.19 an unprivileged gid_map write needs
                         * setgroups denied first. */
                        snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
                        r = write_string_file(path, "deny");
                        if (r < 0 && r != -ENOENT)
                                return error_set(ret_err, -r, "write %s", path);
                        denied = true;
                        if (n_gid > 0 && (r = write_map(pid, "gid_map", gid, n_gid, ret_err)) < 0)
                                return r;
                } else if ((r = run_newidmap("newgidmap", pid, gid, n_gid, ret_err)) < 0)
                        return r;
        }
        if (ret_setgroups_denied)
                *ret_setgroups_denied = denied;
        return 0;
}
