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
 * Every prefix is opened from root_fd with RESOLVE_IN_ROOT, so a symlink
 * anywhere on the way (even one swapped in between two steps) resolves
 * inside the root, exactly as path_open_in_root() would resolve the whole
 * path; mkdirat() on a single name never follows a symlink. The path is
 * cleaned lexically first ("a/b/../c" is "a/c"), as runc's securejoin does. */
int path_mkdir_in_root(int root_fd, const char *path, mode_t mode, Error **ret_err)
{
        _cleanup_free_ char *clean = path_clean(path), *prefix = NULL;
        _cleanup_close_ int cur = -EBADF;
        size_t plen = 0;
        const char *p;

        if (!clean)
                return error_set(ret_err, ENOMEM, "mkdir %s", path);
        prefix = malloc(strlen(clean) + 2);
        if (!prefix)
                return error_set(ret_err, ENOMEM, "mkdir %s", path);
        prefix[0] = '\0';
        cur = path_open_in_root(root_fd, "/", O_PATH | O_DIRECTORY, 0, ret_err);
        if (cur < 0)
                return cur;

        for (p = clean; *p;) {
                const char *e;
                size_t n;
                int next;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                e = strchrnul(p, '/');
                n = (size_t)(e - p);
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        /* only a relative path can keep a leading ".." after
                         * cleaning; inside the root it is the root */
                        p = e;
                        continue;
                }
                prefix[plen++] = '/';
                memcpy(prefix + plen, p, n);
                plen += n;
                prefix[plen] = '\0';
                {
                        _cleanup_free_ char *name = strndup(p, n);
                        if (!name)
                                return error_set(ret_err, ENOMEM, "mkdir %s", path);
                        if (mkdirat(cur, name, mode) < 0 && errno != EEXIST)
                                return error_set(ret_err, errno, "mkdir %s in container root", prefix);
                }
                next = path_open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY, 0, NULL);
                if (next < 0)
                        return error_set(ret_err, -next, "mkdir %s in container root: %s", path, prefix);
                close(cur);
                cur = next;
                p = e;
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
                        size_t start = abs ? 1u : 0u;
                        /* the last component, unless it is itself ".." */
                        size_t last = o;
                        while (last > start && out[last - 1] != '/')
                                last--;
                        bool last_is_dotdot = o - last == 2 && out[last] == '.' && out[last + 1] == '.';

                        if (o > start && !last_is_dotdot) {
                                o = last;
                                if (o > start)
                                        o--;
                        } else if (!abs) {
                                if (o > 0)
                                        out[o++] = '/';
                                memcpy(out + o, "..", 2);
                                o += 2;
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
        if (la == 0)
                return strdup(b);
        if (asprintf(&out, "%s%s%s", a, a[la - 1] == '/' ? "" : "/", b) < 0)
                return NULL;
        return out;
}
