#include "lib/path.h"

#include <errno.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/macros.h"

static int openat2_(int dirfd, const char *path, struct open_how *how)
{
        return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

int path_open_in_root(int root_fd, const char *path, int flags, mode_t mode, Error **ret_err)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        do
                fd = openat2_(root_fd, path, &how);
        while (fd < 0 && errno == EAGAIN);
        if (fd < 0)
                return error_set(ret_err, errno, "open %s in container root", path);
        return fd;
}

/* Walk `path` one component at a time below root_fd, creating directories.
 * Each step is opened with RESOLVE_IN_ROOT relative to the fd of the previous
 * step, so even a symlink swapped in between two steps cannot lead out. */
int path_mkdir_in_root(int root_fd, const char *path, mode_t mode, Error **ret_err)
{
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int cur = -EBADF;
        char *save = NULL, *comp;

        if (!copy)
                return error_set(ret_err, ENOMEM, "mkdir %s", path);
        cur = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return error_set(ret_err, errno, "dup root fd");

        for (comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                int next;

                if (streq(comp, "."))
                        continue;
                if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST)
                        return error_set(ret_err, errno, "mkdir %s in container root", path);
                next = path_open_in_root(cur, comp, O_PATH | O_DIRECTORY, 0, NULL);
                if (next < 0) {
                        /* EEXIST on a non-directory, or a symlink to one. */
                        return error_set(ret_err, -next, "mkdir %s in container root: %s", path, comp);
                }
                close(cur);
                cur = next;
        }
        return TAKE_FD(cur);
}

int path_mkfile_in_root(int root_fd, const char *path, mode_t mode, Error **ret_err)
{
        _cleanup_free_ char *dir = strdup(path);
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        const char *base;
        char *slash;

        if (!dir)
                return error_set(ret_err, ENOMEM, "create %s", path);
        slash = strrchr(dir, '/');
        if (slash) {
                *slash = '\0';
                base = slash + 1;
                dfd = path_mkdir_in_root(root_fd, *dir ? dir : "/", 0755, ret_err);
                if (dfd < 0)
                        return dfd;
        } else {
                base = dir;
                dfd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
                if (dfd < 0)
                        return error_set(ret_err, errno, "dup root fd");
        }
        if (!*base)
                return error_setx(ret_err, EINVAL, "create %s: not a file name", path);

        /* O_NOFOLLOW|O_CREAT: a symlink at the leaf fails with ELOOP rather
         * than creating a file wherever it points. */
        fd = openat(dfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
        if (fd < 0 && errno != EISDIR && errno != ENXIO && errno != EACCES && errno != ETXTBSY)
                return error_set(ret_err, errno, "create %s in container root", path);
        fd = safe_close(fd);
        fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_set(ret_err, errno, "open %s in container root", path);
        return TAKE_FD(fd);
}

const char *fd_path(int fd, char *buf)
{
        snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return buf;
}

char *path_clean(const char *path)
{
        size_t len = strlen(path);
        char *out = malloc(len + 2);
        size_t o = 0;
        bool abs = path[0] == '/';
        const char *p = path;

        if (!out)
                return NULL;
        if (abs)
                out[o++] = '/';
        while (*p) {
                const char *e;
                size_t n;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                e = strchrnul(p, '/');
                n = (size_t)(e - p);
                if (n == 1 && p[0] == '.') {
                        /* skip */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        if (o > (abs ? 1u : 0u)) {
                                while (o > 0 && out[o - 1] != '/')
                                        o--;
                                if (o > (abs ? 1u : 0u))
                                        o--;
                        } else if (!abs) {
                                memcpy(out + o, "..", 2);
                                o += 2;
                                out[o++] = '/';
                                o--;
                        }
                } else {
                        if (o > 0 && out[o - 1] != '/')
                                out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                }
                p = e;
        }
        if (o == 0)
                out[o++] = abs ? '/' : '.';
        out[o] = '\0';
        return out;
}

char *path_join(const char *a, const char *b)
{
        char *out = NULL;
        size_t la = strlen(a);

        while (*b == '/')
                b++;
        if (asprintf(&out, "%s%s%s", a, (la > 0 && a[la - 1] == '/') ? "" : "/", b) < 0)
                return NULL;
        return out;
}
