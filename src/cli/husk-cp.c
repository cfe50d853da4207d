/* husk cp: files between a container's root filesystem and the host, or
 * a tar stream on stdin/stdout ("-"), as docker cp.
 *
 * The threat: the container's files are the container's, and a process in
 * it (or its image) may plant a symlink anywhere, e.g. /data -> /etc or
 * /data/x -> /etc/shadow. A path given by the user inside the container is
 * therefore resolved with openat2(RESOLVE_IN_ROOT) against the rootfs
 * (path_open_in_root), so that every symlink on it resolves inside the
 * container; below that, the walk goes one name at a time relative to
 * verified directory fds with O_NOFOLLOW, copying symlinks as symlinks and
 * replacing (unlinkat) a symlink that stands where a file is written,
 * never writing through it. A running container is reached through
 * /proc/PID/root, so that its volumes are where it sees them; a stopped
 * one through its rootfs (containers/<id>/merged), which stays mounted
 * from create to rm. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "engine/engine.h"
#include "image/rootfs.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

typedef struct CpOpts {
        bool archive; /* -a: keep the source's uid/gid */
        bool follow;  /* -L: follow the source's final symlink */
        uid_t uid;    /* owner otherwise: root in a container, */
        gid_t gid;    /* the caller on the host */
} CpOpts;

/* Open name below dirfd; "" means dirfd itself (O_PATH) reopened. */
static int open_below(int dirfd, const char *name, int flags)
{
        char buf[FD_PATH_MAX];

        if (*name)
                return openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
        if (flags & O_DIRECTORY)
                return openat(dirfd, ".", flags | O_CLOEXEC);
        return open(fd_path(dirfd, buf), flags | O_CLOEXEC);
}

static int stat_below(int dirfd, const char *name, struct stat *st)
{
        return fstatat(dirfd, name, st, *name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH);
}

/* Remove what stands at name unless it is a directory (a symlink is
 * removed, never followed). */
static int clear_slot(int dirfd, const char *name)
{
        struct stat st;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
}

static void set_owner_times(int dirfd, const char *name, const struct stat *st, const CpOpts *o)
{
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        (void)fchownat(dirfd, name, o->archive ? st->st_uid : o->uid, o->archive ? st->st_gid : o->gid,
                       AT_SYMLINK_NOFOLLOW);
        if (!S_ISLNK(st->st_mode))
                (void)fchmodat(dirfd, name, st->st_mode & 07777, 0);
        (void)utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int copy_data(int in, int out)
{
        char buf[65536];
        ssize_t n;

        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write_all(out, buf, (size_t)n) < 0)
                        return -errno;
        return n < 0 ? -errno : 0;
}

/* Copy src_name below src_dir to dst_name below dst_dir. */
static int copy_tree(int src_dir, const char *src_name, int dst_dir, const char *dst_name, const CpOpts *o,
                     Error **ret_err)
{
        struct stat st, dst;
        int r;

        if (stat_below(src_dir, src_name, &st) < 0)
                return error_set(ret_err, errno, "stat %s", *src_name ? src_name : ".");
        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int in = -EBADF, out = -EBADF;
                DIR *d;
                struct dirent *de;

                if (fstatat(dst_dir, dst_name, &dst, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(dst.st_mode))
                        return error_setx(ret_err, ENOTDIR, "cannot overwrite non-directory %s with directory",
                                          dst_name);
                if (mkdirat(dst_dir, dst_name, 0700) < 0 && errno != EEXIST)
                        return error_set(ret_err, errno, "mkdir %s", dst_name);
                in = open_below(src_dir, src_name, O_RDONLY | O_DIRECTORY);
                out = openat(dst_dir, dst_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (in < 0 || out < 0)
                        return error_set(ret_err, errno, "open %s", in < 0 ? src_name : dst_name);
                d = fdopendir(TAKE_FD(in));
                if (!d)
                        return error_set(ret_err, errno, "read %s", src_name);
                r = 0;
                while (r >= 0 && (de = readdir(d)))
                        if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                                r = copy_tree(dirfd(d), de->d_name, out, de->d_name, o, ret_err);
                closedir(d);
                if (r < 0)
                        return r;
                set_owner_times(dst_dir, dst_name, &st, o);
                return 0;
        }
        r = clear_slot(dst_dir, dst_name);
        if (r < 0)
                return error_set(ret_err, -r, "replace %s", dst_name);
        if (S_ISREG(st.st_mode)) {
                _cleanup_close_ int in = open_below(src_dir, src_name, O_RDONLY),
                                    out = openat(dst_dir, dst_name,
                                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (in < 0 || out < 0)
                        return error_set(ret_err, errno, "open %s", in < 0 ? src_name : dst_name);
                r = copy_data(in, out);
                if (r < 0)
                        return error_set(ret_err, -r, "copy %s", src_name);
        } else if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(src_dir, src_name, target, sizeof(target) - 1);
                if (n < 0)
                        return error_set(ret_err, errno, "readlink %s", src_name);
                target[n] = 0;
                if (symlinkat(target, dst_dir, dst_name) < 0)
                        return error_set(ret_err, errno, "symlink %s", dst_name);
        } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
                if (mknodat(dst_dir, dst_name, st.st_mode, st.st_rdev) < 0)
                        return error_set(ret_err, errno, "mknod %s", dst_name);
        } else
                return 0; /* sockets are not copied (Docker's tar skips them too) */
        set_owner_times(dst_dir, dst_name, &st, o);
        return 0;
}

/* ---- tar ---- */

static int tar_add(struct archive *a, int src_dir, const char *src_name, const char *path, Error **ret_err)
{
        struct archive_entry *en;
        struct stat st;
        int r = 0;

        if (stat_below(src_dir, src_name, &st) < 0)
                return error_set(ret_err, errno, "stat %s", path);
        if (S_ISSOCK(st.st_mode))
                return 0;
        en = archive_entry_new();
        if (!en)
                return error_set(ret_err, ENOMEM, "tar");
        archive_entry_copy_stat(en, &st);
        archive_entry_set_pathname(en, path);
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(src_dir, src_name, target, sizeof(target) - 1);
                target[n > 0 ? n : 0] = 0;
                archive_entry_set_symlink(en, target);
        }
        if (!S_ISREG(st.st_mode))
                archive_entry_set_size(en, 0);
        if (archive_write_header(a, en) != ARCHIVE_OK) {
                r = error_setx(ret_err, EIO, "tar %s: %s", path, archive_error_string(a));
        } else if (S_ISREG(st.st_mode)) {
                _cleanup_close_ int in = open_below(src_dir, src_name, O_RDONLY);
                char buf[65536];
                ssize_t n;
                if (in < 0)
                        r = error_set(ret_err, errno, "open %s", path);
                while (r >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
                        if (archive_write_data(a, buf, (size_t)n) < 0)
                                r = error_setx(ret_err, EIO, "tar %s: %s", path, archive_error_string(a));
        } else if (S_ISDIR(st.st_mode)) {
                int in = open_below(src_dir, src_name, O_RDONLY | O_DIRECTORY);
                DIR *d = in >= 0 ? fdopendir(in) : NULL;
                struct dirent *de;
                if (!d) {
                        if (in >= 0)
                                close(in);
                        r = error_set(ret_err, errno, "open %s", path);
                }
                while (r >= 0 && d && (de = readdir(d))) {
                        _cleanup_free_ char *sub = NULL;
                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        if (asprintf(&sub, "%s/%s", path, de->d_name) < 0) {
                                sub = NULL;
                                r = error_set(ret_err, ENOMEM, "tar");
                                break;
                        }
                        r = tar_add(a, dirfd(d), de->d_name, sub, ret_err);
                }
                if (d)
                        closedir(d);
        }
        archive_entry_free(en);
        return r;
}

static int tar_out(int src_dir, const char *src_name, const char *path, Error **ret_err)
{
        struct archive *a = archive_write_new();
        int r;

        if (!a)
                return error_set(ret_err, ENOMEM, "tar");
        archive_write_set_format_pax_restricted(a);
        if (archive_write_open_fd(a, STDOUT_FILENO) != ARCHIVE_OK) {
                r = error_setx(ret_err, EIO, "tar: %s", archive_error_string(a));
                archive_write_free(a);
                return r;
        }
        r = tar_add(a, src_dir, src_name, path, ret_err);
        if (archive_write_close(a) != ARCHIVE_OK && r >= 0)
                r = error_setx(ret_err, EIO, "tar: %s", archive_error_string(a));
        archive_write_free(a);
        return r;
}

/* Extract a tar from stdin below dst_dir (a directory in the container):
 * every entry's parent is made and opened with path_mkdir_in_root against
 * dst_dir, so neither "../" nor a symlink in the archive or the container
 * leads out of it. */
static int tar_in(int dst_dir, const CpOpts *o, Error **ret_err)
{
        struct archive *a = archive_read_new();
        struct archive_entry *en;
        int r = 0, ar;

        if (!a)
                return error_set(ret_err, ENOMEM, "tar");
        archive_read_support_format_all(a);
        archive_read_support_filter_all(a);
        if (archive_read_open_fd(a, STDIN_FILENO, 65536) != ARCHIVE_OK) {
                r = error_setx(ret_err, EIO, "tar: %s", archive_error_string(a));
                archive_read_free(a);
                return r;
        }
        while (r >= 0 && (ar = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
                _cleanup_free_ char *clean = path_clean(archive_entry_pathname(en) ?: ""), *dir = NULL, *base = NULL;
                _cleanup_close_ int parent = -EBADF;
                const struct stat *st = archive_entry_stat(en);
                struct stat copy;
                char *slash;

                if (!clean)
                        return error_set(ret_err, ENOMEM, "tar");
                /* path_clean keeps ".." at the front of a relative path: anchor it */
                {
                        char *rooted = NULL;
                        if (asprintf(&rooted, "/%s", clean) < 0)
                                return error_set(ret_err, ENOMEM, "tar");
                        free(clean);
                        clean = path_clean(rooted);
                        free(rooted);
                        if (!clean)
                                return error_set(ret_err, ENOMEM, "tar");
                }
                if (streq(clean, "/"))
                        continue;
                slash = strrchr(clean, '/');
                base = strdup(slash + 1);
                dir = strndup(clean, (size_t)(slash - clean));
                if (!base || !dir)
                        return error_set(ret_err, ENOMEM, "tar");
                parent = path_mkdir_in_root(dst_dir, *dir ? dir : "/", 0755, ret_err);
                if (parent < 0) {
                        r = parent;
                        break;
                }
                copy = *st;
                if (S_ISDIR(st->st_mode)) {
                        if (mkdirat(parent, base, 0700) < 0 && errno != EEXIST)
                                r = error_set(ret_err, errno, "mkdir %s", clean);
                } else if ((r = clear_slot(parent, base)) < 0) {
                        r = error_set(ret_err, -r, "replace %s", clean);
                } else if (S_ISREG(st->st_mode)) {
                        _cleanup_close_ int out =
                                openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                        if (out < 0 || archive_read_data_into_fd(a, out) != ARCHIVE_OK)
                                r = error_set(ret_err, out < 0 ? errno : EIO, "write %s", clean);
                } else if (S_ISLNK(st->st_mode)) {
                        if (symlinkat(archive_entry_symlink(en) ?: "", parent, base) < 0)
                                r = error_set(ret_err, errno, "symlink %s", clean);
                } else if (archive_entry_hardlink(en)) {
                        r = error_setx(ret_err, EOPNOTSUPP, "%s: hard links in the archive are not supported", clean);
                } else if (S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
                        if (mknodat(parent, base, st->st_mode, st->st_rdev) < 0)
                                r = error_set(ret_err, errno, "mknod %s", clean);
                }
                if (r >= 0)
                        set_owner_times(parent, base, &copy, o);
        }
        if (r >= 0 && ar != ARCHIVE_EOF && ar != ARCHIVE_OK)
                r = error_setx(ret_err, EIO, "tar: %s", archive_error_string(a));
        archive_read_free(a);
        return r;
}

/* ---- the command ---- */

/* "CTR:/path": the container part (malloc'd) and the path; NULL for a
 * host path (Docker: a ':' before any '/'; "./a:b" is a host path). */
static char *split_container(const char *arg, const char **ret_path)
{
        const char *colon = strchr(arg, ':'), *slash = strchr(arg, '/');

        if (!colon || (slash && slash < colon) || colon == arg)
                return NULL;
        *ret_path = colon + 1;
        return strndup(arg, (size_t)(colon - arg));
}

typedef struct Side {
        int root; /* the container's rootfs (O_PATH), or -EBADF: the host */
        const char *path;
} Side;

/* Open what path names (the dir with O_PATH and the name in it, or "" with
 * the whole path's fd when follow), the container's inside its root. */
static int open_parent(const Side *s, const char *path, bool follow, char **ret_name, Error **ret_err)
{
        _cleanup_free_ char *clean = path_clean(*path ? path : ".");
        _cleanup_free_ char *d = NULL, *b = NULL;
        bool contents = false;
        size_t l = strlen(path);
        int fd;

        if (!clean)
                return error_set(ret_err, ENOMEM, "cp");
        /* "dir/." copies what is in dir */
        contents = l >= 2 && streq(path + l - 2, "/.");
        if (follow || contents || streq(clean, "/") || streq(clean, ".")) {
                fd = s->root >= 0 ? path_open_in_root(s->root, clean, O_PATH, 0, ret_err)
                                  : open(clean, O_PATH | O_CLOEXEC);
                if (fd < 0)
                        return s->root >= 0 ? fd : error_set(ret_err, errno, "stat %s", path);
                *ret_name = strdup("");
                return *ret_name ? fd : (close(fd), error_set(ret_err, ENOMEM, "cp"));
        }
        d = strdup(clean);
        b = strdup(clean);
        if (!d || !b)
                return error_set(ret_err, ENOMEM, "cp");
        fd = s->root >= 0 ? path_open_in_root(s->root, dirname(d), O_PATH | O_DIRECTORY, 0, ret_err)
                          : open(dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return s->root >= 0 ? fd : error_set(ret_err, errno, "stat %s", path);
        *ret_name = strdup(basename(b));
        return *ret_name ? fd : (close(fd), error_set(ret_err, ENOMEM, "cp"));
}

static int do_copy(const Side *src, const Side *dst, const CpOpts *o, Error **ret_err)
{
        _cleanup_free_ char *sname = NULL, *dname = NULL;
        _cleanup_close_ int sdir = -EBADF, ddir = -EBADF, whole = -EBADF;
        struct stat sst, dstst;
        size_t dl = strlen(dst->path);
        const char *base;
        int r;

        sdir = open_parent(src, src->path, o->follow, &sname, ret_err);
        if (sdir < 0)
                return sdir;
        if (stat_below(sdir, sname, &sst) < 0)
                return error_set(ret_err, errno, "Could not find the file %s in %s", src->path,
                                 src->root >= 0 ? "container" : "the host");
        base = *sname ? sname : NULL;
        /* the destination: an existing directory takes the source in it */
        whole = dst->root >= 0 ? path_open_in_root(dst->root, *dst->path ? dst->path : ".", O_PATH, 0, NULL)
                               : open(dst->path, O_PATH | O_CLOEXEC);
        if (whole >= 0 && fstat(whole, &dstst) == 0 && S_ISDIR(dstst.st_mode)) {
                if (!base) {
                        /* contents (or the followed source) into the dir */
                        if (S_ISDIR(sst.st_mode)) {
                                _cleanup_close_ int in = open_below(sdir, "", O_RDONLY | O_DIRECTORY);
                                DIR *d = in >= 0 ? fdopendir(TAKE_FD(in)) : NULL;
                                struct dirent *de;
                                if (!d)
                                        return error_set(ret_err, errno, "open %s", src->path);
                                r = 0;
                                while (r >= 0 && (de = readdir(d)))
                                        if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                                                r = copy_tree(dirfd(d), de->d_name, whole, de->d_name, o, ret_err);
                                closedir(d);
                                return r;
                        }
                        {
                                _cleanup_free_ char *copy = strdup(src->path);
                                return copy ? copy_tree(sdir, "", whole, basename(copy), o, ret_err)
                                            : error_set(ret_err, ENOMEM, "cp");
                        }
                }
                return copy_tree(sdir, sname, whole, base, o, ret_err);
        }
        if (whole >= 0 && S_ISDIR(sst.st_mode))
                return error_setx(ret_err, ENOTDIR, "cannot copy a directory to a file: %s", dst->path);
        if (whole < 0 && dl > 0 && dst->path[dl - 1] == '/')
                return error_setx(ret_err, ENOENT, "destination directory %s does not exist", dst->path);
        ddir = open_parent(dst, dst->path, false, &dname, ret_err);
        if (ddir < 0)
                return ddir;
        if (!*dname)
                return error_setx(ret_err, EINVAL, "cannot copy to %s", dst->path);
        return copy_tree(sdir, sname, ddir, dname, o, ret_err);
}

static pid_t running_pid(Engine *e, const char *id)
{
        json_t *rec = NULL;
        pid_t pid = 0;

        if (engine_load(e, id, &rec, NULL) < 0)
                return 0;
        if (json_is_true(json_object_get(json_object_get(rec, "State"), "Running")))
                pid = (pid_t)json_integer_value(json_object_get(json_object_get(rec, "State"), "Pid"));
        json_decref(rec);
        return pid;
}

/* A running container's root as its processes see it, with its volumes
 * and other mounts: /proc/PID/root, whose lookups walk the container's
 * mount namespace (RESOLVE_IN_ROOT keeps them below it, and
 * RESOLVE_NO_MAGICLINKS off its /proc's links). The pid is checked again
 * once the fd is open, so that a container that exited meanwhile (and a
 * reused pid) is not taken for it. -1 when the container does not run. */
static int open_running_root(Engine *e, const char *id)
{
        char p[64];
        pid_t pid = running_pid(e, id);
        int fd;

        if (pid <= 0)
                return -1;
        snprintf(p, sizeof(p), "/proc/%d/root", pid);
        fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 && running_pid(e, id) != pid) {
                close(fd);
                return -1;
        }
        return fd;
}

int cmd_cp(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "archive", no_argument, NULL, 'a' },
                                            { "follow-link", no_argument, NULL, 'L' },
                                            { "quiet", no_argument, NULL, 'q' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *sref = NULL, *dref = NULL, *id = NULL, *merged = NULL;
        _cleanup_close_ int root = -EBADF;
        const char *spath = NULL, *dpath = NULL;
        CpOpts o = { .uid = 0, .gid = 0 };
        Side src, dst;
        bool to_ctr;
        int c, r;

        GETOPT_LOOP(cmd, argc, argv, "+aLq", lo, c) switch (c)
        {
        case 'a': o.archive = true; break;
        case 'L': o.follow = true; break;
        }
        if (argc - optind != 2)
                return cli_args_error(cmd, "exactly 2 arguments"), EXIT_USAGE;
        sref = split_container(argv[optind], &spath);
        dref = split_container(argv[optind + 1], &dpath);
        if (sref && dref) {
                fprintf(stderr, "copying between containers is not supported\n");
                return 1;
        }
        if (!sref && !dref) {
                fprintf(stderr, "must specify at least one container source\n");
                return 1;
        }
        to_ctr = dref != NULL;
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        if (engine_lookup(e, to_ctr ? dref : sref, &id, &err) < 0)
                return cli_fail(err);
        merged = engine_container_path(e, id, "merged");
        /* an unmounted merged/ is an empty dir: copying there would lose
         * the files silently */
        if (rootfs_is_mounted(s, id) <= 0) {
                fprintf(stderr, "Error: the root filesystem of container %s is not mounted (%s)\n", id,
                        merged ? merged : "");
                return 1;
        }
        root = open_running_root(e, id);
        if (root < 0)
                root = merged ? open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC) : -EBADF;
        if (root < 0)
                return error_set(&err, errno, "open the container's root filesystem %s", merged ? merged : ""),
                       cli_fail(err);
        if (!to_ctr) {
                o.uid = getuid();
                o.gid = getgid();
        }
        if (to_ctr && streq(argv[optind], "-")) {
                _cleanup_close_ int d = path_open_in_root(root, *dpath ? dpath : "/", O_PATH | O_DIRECTORY, 0, &err);
                r = d < 0 ? d : tar_in(d, &o, &err);
        } else if (!to_ctr && streq(argv[optind + 1], "-")) {
                _cleanup_free_ char *name = NULL, *copy = strdup(spath);
                _cleanup_close_ int d = -EBADF;
                Side side = { .root = root, .path = spath };
                d = open_parent(&side, spath, o.follow, &name, &err);
                r = d < 0 || !copy ? -EINVAL : tar_out(d, name, *name ? name : basename(copy), &err);
        } else {
                src = (Side){ .root = to_ctr ? -EBADF : root, .path = to_ctr ? argv[optind] : spath };
                dst = (Side){ .root = to_ctr ? root : -EBADF, .path = to_ctr ? dpath : argv[optind + 1] };
                r = do_copy(&src, &dst, &o, &err);
        }
        if (r < 0)
                return cli_fail(err);
        return 0;
}
