#include "runtime/statedir.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "lib/path.h"
#include "lib/util.h"

char *statedir_path(const RuntimeOpts *o, const char *id)
{
        char *p = NULL;

        if (asprintf(&p, "%s/%s", o->root, id) < 0)
                return NULL;
        return p;
}

int statedir_lock(const RuntimeOpts *o, const char *id, int how, Error **ret_err)
{
        _cleanup_free_ char *p = statedir_path(o, id);
        _cleanup_close_ int fd = -EBADF;

        if (!p)
                return error_set(ret_err, ENOMEM, "state dir");
        fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return error_setx(ret_err, ENOENT, "container \"%s\" does not exist", id);
                return error_set(ret_err, errno, "open %s", p);
        }
        while (flock(fd, how) < 0)
                if (errno != EINTR)
                        return error_set(ret_err, errno, "lock %s", p);
        /* It may have been deleted while we waited for the lock. */
        if (faccessat(fd, "state.json", F_OK, 0) < 0)
                return error_setx(ret_err, ENOENT, "container \"%s\" does not exist", id);
        return TAKE_FD(fd);
}

int statedir_read_record(int dirfd, const char *id, ContainerRecord **ret, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        fd = openat(dirfd, "state.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return error_setx(ret_err, ENOENT, "container \"%s\" does not exist", id);
                return error_set(ret_err, errno, "open state of %s", id);
        }
        r = read_full_fd(fd, &text, &len, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "read state of %s", id);
        return container_record_from_json(text, len, "state.json", ret, ret_err);
}

int statedir_write_record(int dirfd, const ContainerRecord *r, Error **ret_err)
{
        _cleanup_free_ char *json = container_record_to_json(r);
        _cleanup_close_ int fd = -EBADF;
        int k;

        if (!json)
                return error_set(ret_err, ENOMEM, "serialise state");
        fd = openat(dirfd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return error_set(ret_err, errno, "write state of %s", r->id);
        k = write_all(fd, json, strlen(json));
        if (k < 0)
                return error_set(ret_err, -k, "write state of %s", r->id);
        /* state lives on tmpfs (/run): no fsync needed for crash safety of
         * the machine, and rename is atomic for readers. */
        if (renameat(dirfd, "state.json.tmp", dirfd, "state.json") < 0)
                return error_set(ret_err, errno, "write state of %s", r->id);
        return 0;
}

ContainerStatus statedir_live_status(int dirfd, const ContainerRecord *r, CgroupManager m)
{
        char st;

        if (r->pid <= 0)
                return STATUS_STOPPED;
        st = proc_state(r->pid);
        if (st == 0 || st == 'Z' || st == 'X')
                return STATUS_STOPPED;
        if (r->pid_start_time && proc_start_time(r->pid) != r->pid_start_time)
                return STATUS_STOPPED; /* the pid was reused */
        if (faccessat(dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return STATUS_CREATED;
        if (r->cgroup_path && m != CGROUP_MANAGER_DISABLED) {
                _cleanup_cgroup_ Cgroup *cg = NULL;
                if (cgroup_open(r->cgroup_path, m, &cg, NULL) >= 0 && cgroup_is_frozen(cg))
                        return STATUS_PAUSED;
        }
        return STATUS_RUNNING;
}

int statedir_remove(const RuntimeOpts *o, const char *id)
{
        _cleanup_free_ char *p = statedir_path(o, id);
        _cleanup_close_ int fd = -EBADF;
        DIR *d;
        struct dirent *de;

        if (!p)
                return -ENOMEM;
        fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        /* The files create makes; a scan only for anything else. */
        (void)unlinkat(fd, "state.json", 0);
        (void)unlinkat(fd, "config.json", 0);
        (void)unlinkat(fd, "exec.fifo", 0);
        if (rmdir(p) == 0 || errno == ENOENT)
                return 0;
        d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        (void)unlinkat(fd, de->d_name, 0);
        closedir(d);
        if (rmdir(p) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int statedir_compile_seccomp(const RuntimeOpts *o, const Spec *spec, SeccompProgram *ret, Error **ret_err)
{
        _cleanup_free_ char *cache = NULL;

        *ret = (SeccompProgram){ 0 };
        if (!spec->linux_.has_seccomp)
                return 0;
        cache = path_join(o->root, "@seccomp");
        return seccomp_spec_compile(&spec->linux_.seccomp, cache, ret, ret_err);
}
