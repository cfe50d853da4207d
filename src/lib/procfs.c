#include "lib/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/util.h"

/* The inode number of the root of every procfs (fs/proc/internal.h). */
#define PROC_ROOT_INO 1

/* This process's private procfs and the pid of the process that made it. A
 * child made by fork or clone inherits both variables but maybe not the fd
 * (the sandbox closes every fd it does not pass on), so only the maker
 * trusts the number. */
static int root_fd = -EBADF;
static pid_t root_owner;

static bool is_proc_root(int fd)
{
        struct statfs sf;
        struct stat st;

        return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC && fstat(fd, &st) == 0 &&
               st.st_ino == PROC_ROOT_INO;
}

/* A new procfs, mounted nowhere. Returns its root fd or -errno. */
static int new_procfs(void)
{
        _cleanup_close_ int fs = -EBADF;
        int mnt;

        fs = fsopen("proc", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        return mnt < 0 ? -errno : mnt;
}

/* The procfs at /proc now, verified to be the root of one. The fd pins that
 * procfs whatever is mounted on /proc later, and the lookups below never
 * cross into anything mounted inside it. Returns the fd or -errno. */
static int open_proc(Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;

        fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_set(ret_err, errno, "open /proc");
        if (!is_proc_root(fd))
                return error_setx(ret_err, EXDEV, "/proc is not the root of a procfs");
        return TAKE_FD(fd);
}

static int make_root(Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;

        fd = new_procfs();
        /* EPERM: in a user namespace the kernel mounts a procfs only where
         * one is fully visible already (mount_too_revealing()), or fsopen
         * is filtered; ENOSYS: Linux < 5.2. /proc will do once verified. */
        if (fd == -EPERM || fd == -EACCES || fd == -ENOSYS) {
                int e = -fd;

                fd = open_proc(ret_err);
                if (fd < 0)
                        return error_prefix(ret_err, "a procfs of our own failed (%s)", strerror(e));
                return TAKE_FD(fd);
        }
        if (fd < 0)
                return error_set(ret_err, -fd, "mount a private procfs");
        if (!is_proc_root(fd))
                return error_setx(ret_err, EXDEV, "the private procfs is not a procfs");
        return TAKE_FD(fd);
}

static int get_root(Error **ret_err)
{
        int fd;

        if (root_fd >= 0 && root_owner == getpid() && is_proc_root(root_fd))
                return root_fd;
        /* A number our parent made (we are its fork or clone) is not
         * closed: it may name anything by now. */
        root_fd = -EBADF;
        fd = make_root(ret_err);
        if (fd < 0)
                return fd;
        root_fd = fd;
        root_owner = getpid();
        return root_fd;
}

int procfs_prepare(Error **ret_err)
{
        int r = get_root(ret_err);

        return r < 0 ? r : 0;
}

void procfs_close(void)
{
        if (root_fd >= 0 && root_owner == getpid())
                safe_close(root_fd);
        root_fd = -EBADF;
}

static size_t digits(const char *s)
{
        return s[0] >= '1' && s[0] <= '9' ? strspn(s, "0123456789") : 0;
}

/* "self/..." and "thread-self/..." as this procfs names the caller
 * ("1/...", "1/task/1/..."): the links are symlinks, which the lookup
 * below refuses to follow. *ret is NULL for any other path. */
static int resolve_self(int root, const char *path, char **ret, Error **ret_err)
{
        size_t n = strcspn(path, "/"), d;
        char name[16], link[64];
        bool thread;
        ssize_t k;

        *ret = NULL;
        if (n == 4 && strncmp(path, "self", 4) == 0)
                thread = false;
        else if (n == 11 && strncmp(path, "thread-self", 11) == 0)
                thread = true;
        else
                return 0;
        memcpy(name, path, n);
        name[n] = '\0';
        k = readlinkat(root, name, link, sizeof(link) - 1);
        if (k < 0)
                return error_set(ret_err, errno, "readlink /proc/%s", name);
        link[k] = '\0';
        /* Only what the kernel writes there: "<pid>" or "<pid>/task/<tid>". */
        d = digits(link);
        if (d > 0 && thread && strncmp(link + d, "/task/", 6) == 0 && digits(link + d + 6) > 0)
                d += 6 + digits(link + d + 6);
        else if (thread)
                d = 0;
        if (d == 0 || d != (size_t)k)
                return error_setx(ret_err, EXDEV, "/proc/%s points to \"%s\"", name, link);
        if (asprintf(ret, "%s%s", link, path + n) < 0)
                return error_set(ret_err, ENOMEM, "/proc/%s", path);
        return 0;
}

/* openat2 below root without crossing a mount, following a symlink or
 * leaving it; the file must be on procfs. */
static int open_below(int root, const char *path, int flags, Error **ret_err)
{
        struct open_how how = {
                /* (openat2 takes O_PATH with nothing but O_DIRECTORY and
                 * O_NOFOLLOW.) */
                .flags = (uint64_t)(flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY)),
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
        };
        _cleanup_free_ char *resolved = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct statfs sf;
        int r;

        r = resolve_self(root, path, &resolved, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "open /proc/%s", path);
        do
                fd = (int)syscall(SYS_openat2, root, resolved ? resolved : path, &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN);
        if (fd < 0) {
                if (errno == EXDEV || errno == ELOOP)
                        return error_set(ret_err, errno, "open /proc/%s (a mount or a symlink on the way)", path);
                return error_set(ret_err, errno, "open /proc/%s", path);
        }
        /* RESOLVE_NO_XDEV keeps the lookup on the procfs we verified; this
         * says so again, on the file itself. */
        if (fstatfs(fd, &sf) < 0)
                return error_set(ret_err, errno, "statfs /proc/%s", path);
        if (sf.f_type != PROC_SUPER_MAGIC)
                return error_setx(ret_err, EXDEV, "/proc/%s is not on procfs", path);
        return TAKE_FD(fd);
}

int procfs_open(const char *path, int flags, Error **ret_err)
{
        int root = get_root(ret_err);

        if (root < 0)
                return error_prefix(ret_err, "open /proc/%s", path);
        return open_below(root, path, flags, ret_err);
}

int procfs_open_fd_dir(Error **ret_err)
{
        _cleanup_close_ int root = open_proc(ret_err);

        if (root < 0)
                return root;
        return open_below(root, "self/fd", O_PATH | O_DIRECTORY, ret_err);
}

int procfs_reopen(int fd_dir, int fd, int flags, Error **ret_err)
{
        _cleanup_close_ int r = -EBADF;
        struct stat a, b;
        char name[16];

        /* The one link followed: the last component, the magic link to
         * what fd is open on. */
        snprintf(name, sizeof(name), "%d", fd);
        do
                r = openat(fd_dir, name, flags | O_CLOEXEC | O_NOCTTY);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return error_set(ret_err, errno, "reopen fd %d", fd);
        if (fstat(fd, &a) < 0 || fstat(r, &b) < 0)
                return error_set(ret_err, errno, "reopen fd %d: fstat", fd);
        if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                return error_setx(ret_err, EXDEV, "reopen fd %d: another file came back", fd);
        return TAKE_FD(r);
}

int procfs_write(const char *path, const char *value, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(value);
        ssize_t n;

        fd = procfs_open(path, O_WRONLY, ret_err);
        if (fd < 0)
                return fd;
        /* One write: a sysctl reads its value from a single write(2). */
        do
                n = write(fd, value, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return error_set(ret_err, errno, "write /proc/%s", path);
        if ((size_t)n != len)
                return error_setx(ret_err, EIO, "write /proc/%s: %zd of %zu bytes written", path, n, len);
        return 0;
}

int procfs_read_line(const char *path, char **ret, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        int r;

        fd = procfs_open(path, O_RDONLY, ret_err);
        if (fd < 0)
                return fd;
        r = read_full_fd(fd, &buf, NULL, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "/proc/%s", path);
        buf[strcspn(buf, "\n")] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}
