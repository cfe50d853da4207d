/* Hardened layer unpack with libarchive. See unpack.h for the threat model.
 *
 * Structure: a source reader (the fd, or a libarchive "raw" reader that
 * undoes gzip/zstd) feeds a libarchive tar reader through a callback that
 * also hashes the uncompressed stream (the diffID), so that one pass over
 * the blob unpacks and verifies it. Each entry is then created relative to
 * an fd of its parent directory inside the layer:
 *
 *   - parent: openat2(RESOLVE_IN_ROOT) from the layer root, creating missing
 *     directories the same way (lib/path.c); the last parent is cached, and
 *     the cache is dropped whenever an entry replaces a component of it;
 *   - leaf: O_EXCL/O_NOFOLLOW creation; on EEXIST what is there is removed
 *     and creation retried, so no write ever goes through an old symlink or
 *     hard link;
 *   - directory modes and times are applied last (writes into a directory
 *     change its mtime, and a 0555 directory must still take its children).
 *
 * GNU tar is the speed yardstick: no fsync here (the store syncs the file
 * system once per image), one syscall per step where possible. */
#include "image/unpack.h"
#include "image/gunzip.h"
#include "image/tree.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/path.h"

#define READ_BUF (1u << 20)

int unpack_classify(const char *name, char **ret_path, UnpackKind *ret_kind)
{
        _cleanup_free_ char *clean = NULL;
        const char *p = name, *base;
        UnpackKind kind = UNPACK_PLAIN;
        char *slash;

        while (*p == '/')
                p++;
        if (!*name)
                return -EINVAL;
        clean = path_clean(*p ? p : ".");
        if (!clean)
                return -ENOMEM;
        if (streq(clean, "..") || strncmp(clean, "../", 3) == 0)
                return -EXDEV;

        slash = strrchr(clean, '/');
        base = slash ? slash + 1 : clean;
        if (strncmp(base, ".wh.", 4) == 0) {
                if (streq(base, ".wh..wh..opq"))
                        kind = UNPACK_OPAQUE;
                else if (strncmp(base, ".wh..wh.", 8) == 0)
                        kind = UNPACK_SKIP;
                else if (streq(base + 4, "") || streq(base + 4, ".") || streq(base + 4, ".."))
                        return -EINVAL;
                else
                        kind = UNPACK_WHITEOUT;
        }
        if (kind == UNPACK_OPAQUE) {
                if (slash)
                        *slash = '\0';
                else
                        strcpy(clean, ".");
        } else if (kind == UNPACK_WHITEOUT) {
                memmove((char *)base, base + 4, strlen(base + 4) + 1);
        }
        *ret_path = TAKE_PTR(clean);
        *ret_kind = kind;
        return 0;
}

static bool digest_ok(const char *d)
{
        return strncmp(d, "sha256:", 7) == 0 && strlen(d) == 71 && strspn(d + 7, "0123456789abcdef") == 64;
}

/* ---- the source: fd or decompressor, hashed ---- */

/* sha256 runs on a thread of its own, a ring of buffers behind the reader:
 * at 1.9 GB/s (SHA-NI) it is still a third of the time GNU tar takes to
 * extract a plain layer, and the second CPU is idle otherwise. A slot is
 * refilled only once hashed; libarchive needs a buffer only until the next
 * read callback, so RING slots leave RING - 1 in flight for the hasher. */
#define RING 4

typedef struct Source {
        int fd;
        struct archive *raw; /* decompressing reader, or NULL for a plain tar */
        Gunzip *gz;          /* gzip, when the build has a faster inflate than libarchive's */
        uint64_t total, limit;
        /* the hasher */
        pthread_t thread;
        bool started;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        EVP_MD_CTX *md;
        char *bufs[RING];
        size_t lens[RING];
        uint64_t head, tail; /* filled by the reader, hashed by the hasher */
        bool done, failed;
} Source;

static void *hasher_main(void *data)
{
        Source *s = data;

        pthread_mutex_lock(&s->lock);
        for (;;) {
                uint64_t slot;

                while (s->tail == s->head && !s->done)
                        pthread_cond_wait(&s->cond, &s->lock);
                if (s->tail == s->head)
                        break;
                slot = s->tail % RING;
                pthread_mutex_unlock(&s->lock);
                if (EVP_DigestUpdate(s->md, s->bufs[slot], s->lens[slot]) != 1)
                        s->failed = true;
                pthread_mutex_lock(&s->lock);
                s->tail++;
                pthread_cond_broadcast(&s->cond);
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

/* Wait for the hasher to finish what it has and stop it. */
static void hasher_stop(Source *s)
{
        if (!s->started)
                return;
        pthread_mutex_lock(&s->lock);
        s->done = true;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
        s->started = false;
}

static la_ssize_t source_read(struct archive *a, void *data, const void **ret_buf)
{
        Source *s = data;
        uint64_t slot;
        char *buf;
        ssize_t n;

        if (s->started) {
                pthread_mutex_lock(&s->lock);
                while (s->head - s->tail >= RING)
                        pthread_cond_wait(&s->cond, &s->lock);
                pthread_mutex_unlock(&s->lock);
        }
        slot = s->head % RING;
        buf = s->bufs[slot];

        if (s->gz) {
                _cleanup_error_ Error *e = NULL;
                n = gunzip_read(s->gz, buf, READ_BUF, &e);
                if (n < 0) {
                        archive_set_error(a, error_code(e), "%s", e->msg);
                        return -1;
                }
        } else if (s->raw) {
                n = archive_read_data(s->raw, buf, READ_BUF);
                if (n < 0) {
                        archive_set_error(a, archive_errno(s->raw) ? archive_errno(s->raw) : EIO, "decompress: %s",
                                          archive_error_string(s->raw));
                        return -1;
                }
        } else {
                do
                        n = read(s->fd, buf, READ_BUF);
                while (n < 0 && errno == EINTR);
                if (n < 0) {
                        archive_set_error(a, errno, "read layer: %s", strerror(errno));
                        return -1;
                }
        }
        s->total += (uint64_t)n;
        if (s->total > s->limit) {
                archive_set_error(a, EFBIG, "uncompressed layer larger than %llu bytes", (unsigned long long)s->limit);
                return -1;
        }
        if (n > 0 && s->started) {
                pthread_mutex_lock(&s->lock);
                s->lens[slot] = (size_t)n;
                s->head++;
                pthread_cond_broadcast(&s->cond);
                pthread_mutex_unlock(&s->lock);
        } else if (n > 0) {
                s->head++;
        }
        *ret_buf = buf;
        return n;
}

/* hash: whether to compute the stream's sha256 (a thread); else the
 * source is only read. */
static int source_init(Source *s, bool hash, Error **ret_err)
{
        int r;

        for (size_t i = 0; i < RING; i++)
                if (!(s->bufs[i] = malloc(READ_BUF)))
                        return error_set(ret_err, ENOMEM, "unpack");
        if (!hash)
                return 0;
        s->md = EVP_MD_CTX_new();
        if (!s->md || EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
                return error_set(ret_err, ENOMEM, "sha256");
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->cond, NULL);
        r = pthread_create(&s->thread, NULL, hasher_main, s);
        if (r != 0)
                return error_set(ret_err, r, "start the sha256 thread");
        s->started = true;
        return 0;
}

static void source_done(Source *s)
{
        hasher_stop(s);
        for (size_t i = 0; i < RING; i++)
                free(s->bufs[i]);
        EVP_MD_CTX_free(s->md);
        if (s->raw)
                archive_read_free(s->raw);
        gunzip_free(s->gz);
}

/* Which compression the first bytes announce. */
static bool looks_compressed(const unsigned char *b, size_t n)
{
        static const unsigned char gz[] = { 0x1f, 0x8b }, zst[] = { 0x28, 0xb5, 0x2f, 0xfd },
                                   xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 }, bz[] = { 'B', 'Z', 'h' };

        return (n >= sizeof(gz) && memcmp(b, gz, sizeof(gz)) == 0) ||
               (n >= sizeof(zst) && memcmp(b, zst, sizeof(zst)) == 0) ||
               (n >= sizeof(xz) && memcmp(b, xz, sizeof(xz)) == 0) ||
               (n >= sizeof(bz) && memcmp(b, bz, sizeof(bz)) == 0);
}

/* ---- the unpacker ---- */

typedef struct DirMeta {
        char *path;
        mode_t mode;
        struct timespec times[2];
} DirMeta;

typedef struct Unpacker {
        int root;
        const UnpackOpts *o;
        UnpackStats *st;
        Error **err;
        /* the cached parent directory */
        char *parent_path;
        int parent_fd;
        DirMeta *dirs;
        size_t n_dirs, cap_dirs;
} Unpacker;

static void unpacker_drop_parent(Unpacker *u)
{
        free(u->parent_path);
        u->parent_path = NULL;
        u->parent_fd = safe_close(u->parent_fd);
}

/* An entry at `path` is about to be (re)created: a cached parent at or
 * below it may no longer be what that path names. */
static void unpacker_touch(Unpacker *u, const char *path)
{
        size_t n = strlen(path);

        if (!u->parent_path)
                return;
        if (streq(path, ".") ||
            (strncmp(u->parent_path, path, n) == 0 && (u->parent_path[n] == '\0' || u->parent_path[n] == '/')))
                unpacker_drop_parent(u);
}

/* An fd (O_PATH) of directory `dir` inside the layer, created if missing.
 * Borrowed: valid until the next call. */
static int unpacker_parent(Unpacker *u, const char *dir)
{
        int fd;

        if (u->parent_path && streq(u->parent_path, dir))
                return u->parent_fd;
        unpacker_drop_parent(u);
        fd = path_open_in_root(u->root, dir, O_PATH | O_DIRECTORY, 0, NULL);
        if (fd == -ENOENT)
                fd = path_mkdir_in_root(u->root, dir, 0755, u->err);
        else if (fd < 0)
                fd = error_set(u->err, -fd, "open directory %s in the layer", dir);
        if (fd < 0)
                return fd;
        u->parent_path = strdup(dir);
        if (!u->parent_path) {
                close(fd);
                return error_set(u->err, ENOMEM, "unpack");
        }
        u->parent_fd = fd;
        return fd;
}

static bool xattr_wanted(const char *name)
{
        /* overlay's own metadata comes from whiteout translation only: an
         * archive must not plant redirects or opaque markers of its own */
        return strncmp(name, "trusted.overlay.", 16) != 0 && strncmp(name, "user.overlay.", 13) != 0;
}

static int apply_xattrs(Unpacker *u, struct archive_entry *e, int fd, int dirfd, const char *base, const char *path)
{
        const char *name;
        const void *value;
        size_t size;

        if (archive_entry_xattr_reset(e) == 0)
                return 0;
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                int r;

                if (!xattr_wanted(name))
                        continue;
                if (fd >= 0) {
                        r = fsetxattr(fd, name, value, size, 0);
                } else {
                        /* a symlink: name it through its parent's fd */
                        char p[FD_PATH_MAX + NAME_MAX + 2];
                        snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", dirfd, base);
                        r = lsetxattr(p, name, value, size, 0);
                }
                if (r < 0) {
                        if (errno == ENOTSUP || (errno == EPERM && !u->o->privileged))
                                continue;
                        return error_set(u->err, errno, "set xattr %s on %s", name, path);
                }
        }
        return 0;
}

static int write_data(Unpacker *u, struct archive *a, int fd, const char *path, int64_t size)
{
        const void *buf;
        size_t len;
        la_int64_t off;
        int64_t end = 0;
        int r;

        while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
                const char *p = buf;
                while (len > 0) {
                        ssize_t n = pwrite(fd, p, len, off);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return error_set(u->err, errno, "write %s", path);
                        }
                        p += n;
                        len -= (size_t)n;
                        off += n;
                }
                if (off > end)
                        end = off;
        }
        if (r != ARCHIVE_EOF)
                return error_setx(u->err, archive_errno(a) ? archive_errno(a) : EIO, "read %s from the layer: %s", path,
                                  archive_error_string(a));
        /* a sparse file whose last part is a hole */
        if (end < size && ftruncate(fd, size) < 0)
                return error_set(u->err, errno, "truncate %s", path);
        return 0;
}

static int defer_dir(Unpacker *u, const char *path, struct archive_entry *e)
{
        DirMeta *m;

        if (u->n_dirs == u->cap_dirs) {
                size_t ncap = u->cap_dirs ? u->cap_dirs * 2 : 64;
                DirMeta *nd = reallocarray(u->dirs, ncap, sizeof(*nd));
                if (!nd)
                        return error_set(u->err, ENOMEM, "unpack");
                u->dirs = nd;
                u->cap_dirs = ncap;
        }
        m = &u->dirs[u->n_dirs];
        m->path = strdup(path);
        if (!m->path)
                return error_set(u->err, ENOMEM, "unpack");
        m->mode = archive_entry_perm(e);
        m->times[1] = (struct timespec){ archive_entry_mtime(e), archive_entry_mtime_nsec(e) };
        m->times[0] = archive_entry_atime_is_set(e)
                              ? (struct timespec){ archive_entry_atime(e), archive_entry_atime_nsec(e) }
                              : m->times[1];
        u->n_dirs++;
        return 0;
}

/* Directory modes and times, last: children are all written by now. A
 * path that no longer names a directory (a later entry replaced it) is
 * skipped. */
static int apply_dirs(Unpacker *u)
{
        for (size_t i = u->n_dirs; i-- > 0;) {
                DirMeta *m = &u->dirs[i];
                _cleanup_close_ int fd = -EBADF;

                fd = path_open_in_root(u->root, m->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, NULL);
                if (fd == -ENOTDIR || fd == -ELOOP || fd == -ENOENT)
                        continue;
                if (fd < 0)
                        return error_set(u->err, -fd, "open directory %s in the layer", m->path);
                if (fchmod(fd, m->mode) < 0)
                        return error_set(u->err, errno, "chmod %s", m->path);
                if (futimens(fd, m->times) < 0)
                        return error_set(u->err, errno, "set times of %s", m->path);
        }
        return 0;
}

static int make_whiteout(Unpacker *u, int pfd, const char *base, const char *path)
{
        int r = tree_remove(pfd, base);

        if (r < 0)
                return error_set(u->err, -r, "remove %s for its whiteout", path);
        /* overlayfs reads a 0:0 character device as "deleted"; since Linux
         * 5.8 making one needs no CAP_MKNOD */
        if (mknodat(pfd, base, S_IFCHR | 0, makedev(0, 0)) < 0)
                return error_set(u->err, errno, "make whiteout %s", path);
        return 0;
}

static int make_opaque(Unpacker *u, const char *path)
{
        _cleanup_close_ int fd = -EBADF;
        const char *name = u->o->privileged ? "trusted.overlay.opaque" : "user.overlay.opaque";

        fd = path_mkdir_in_root(u->root, path, 0755, u->err);
        if (fd < 0)
                return fd;
        fd = safe_close(fd);
        fd = path_open_in_root(u->root, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, u->err);
        if (fd < 0)
                return fd;
        if (fsetxattr(fd, name, "y", 1, 0) < 0)
                return error_set(u->err, errno, "set %s on %s", name, path);
        return 0;
}

/* Create the leaf `base` in pfd with `create`; on EEXIST remove what is
 * there and try once more. */
#define CREATE_REPLACING(u, pfd, base, path, expr)                                     \
        ({                                                                             \
                int _r = (expr);                                                       \
                if (_r < 0 && errno == EEXIST) {                                       \
                        int _q = tree_remove((pfd), (base));                           \
                        if (_q < 0)                                                    \
                                return error_set((u)->err, -_q, "replace %s", (path)); \
                        _r = (expr);                                                   \
                }                                                                      \
                _r;                                                                    \
        })

static int unpack_entry(Unpacker *u, struct archive *a, struct archive_entry *e)
{
        _cleanup_free_ char *path = NULL, *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *name = archive_entry_pathname(e), *base, *hl = archive_entry_hardlink(e);
        mode_t type = archive_entry_filetype(e), perm = archive_entry_perm(e);
        bool own = u->o->privileged;
        uid_t uid = (uid_t)archive_entry_uid(e);
        gid_t gid = (gid_t)archive_entry_gid(e);
        struct timespec times[2];
        UnpackKind kind;
        char *slash;
        int pfd, r;

        if (!name)
                return error_setx(u->err, EINVAL, "entry without a name");
        r = unpack_classify(name, &path, &kind);
        if (r == -EXDEV)
                return error_setx(u->err, EXDEV, "entry %s: path escapes the layer", name);
        if (r < 0)
                return error_set(u->err, -r, "entry %s", name);
        if (kind == UNPACK_SKIP)
                return 0;
        if (kind == UNPACK_OPAQUE)
                return make_opaque(u, path);

        if (streq(path, ".")) {
                if (type != AE_IFDIR)
                        return error_setx(u->err, EINVAL, "entry %s: the layer root must be a directory", name);
                if (own && fchownat(u->root, "", uid, gid, AT_EMPTY_PATH) < 0)
                        return error_set(u->err, errno, "chown the layer root");
                return defer_dir(u, ".", e);
        }

        slash = strrchr(path, '/');
        dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
        if (!dir)
                return error_set(u->err, ENOMEM, "unpack");
        base = slash ? slash + 1 : path;
        unpacker_touch(u, path);
        pfd = unpacker_parent(u, dir);
        if (pfd < 0)
                return error_prefix(u->err, "entry %s", name);

        if (kind == UNPACK_WHITEOUT)
                return make_whiteout(u, pfd, base, path);

        times[1] = (struct timespec){ archive_entry_mtime(e), archive_entry_mtime_nsec(e) };
        times[0] = archive_entry_atime_is_set(e)
                           ? (struct timespec){ archive_entry_atime(e), archive_entry_atime_nsec(e) }
                           : times[1];

        if (hl) {
                _cleanup_free_ char *target = NULL, *tdir = NULL;
                _cleanup_close_ int tfd = -EBADF;
                UnpackKind tkind;
                const char *tbase;
                char *ts;

                r = unpack_classify(hl, &target, &tkind);
                if (r == -EXDEV)
                        return error_setx(u->err, EXDEV, "entry %s: hard link target %s escapes the layer", name, hl);
                if (r < 0 || tkind != UNPACK_PLAIN || streq(target, "."))
                        return error_setx(u->err, EINVAL, "entry %s: bad hard link target %s", name, hl);
                ts = strrchr(target, '/');
                tdir = ts ? strndup(target, (size_t)(ts - target)) : strdup(".");
                if (!tdir)
                        return error_set(u->err, ENOMEM, "unpack");
                tbase = ts ? ts + 1 : target;
                tfd = path_open_in_root(u->root, tdir, O_PATH | O_DIRECTORY, 0, NULL);
                if (tfd < 0)
                        return error_set(u->err, -tfd, "entry %s: hard link target %s is not in the layer", name, hl);
                /* no AT_SYMLINK_FOLLOW: a link to a symlink links the symlink */
                if (CREATE_REPLACING(u, pfd, base, path, linkat(tfd, tbase, pfd, base, 0)) < 0)
                        return error_set(u->err, errno, "entry %s: hard link to %s", name, hl);
                return 0;
        }

        switch (type) {
        case AE_IFREG: {
                int64_t size = archive_entry_size(e);

                if (size > 0 && ((uint64_t)size > u->o->max_bytes || u->st->bytes + (uint64_t)size > u->o->max_bytes))
                        return error_setx(u->err, EFBIG,
                                          "entry %s: the layer's files are larger than %llu bytes in all", name,
                                          (unsigned long long)u->o->max_bytes);
                fd = CREATE_REPLACING(u, pfd, base, path,
                                      openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (fd < 0)
                        return error_set(u->err, errno, "create %s", path);
                r = write_data(u, a, fd, path, size);
                if (r < 0)
                        return r;
                if (size > 0)
                        u->st->bytes += (uint64_t)size;
                if (own && fchown(fd, uid, gid) < 0)
                        return error_set(u->err, errno, "chown %s", path);
                /* after chown, which clears setuid bits */
                if (fchmod(fd, perm) < 0)
                        return error_set(u->err, errno, "chmod %s", path);
                r = apply_xattrs(u, e, fd, pfd, base, path);
                if (r < 0)
                        return r;
                if (futimens(fd, times) < 0)
                        return error_set(u->err, errno, "set times of %s", path);
                return 0;
        }
        case AE_IFDIR: {
                struct stat st;

                if (mkdirat(pfd, base, 0700) < 0) {
                        if (errno != EEXIST)
                                return error_set(u->err, errno, "mkdir %s", path);
                        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                return error_set(u->err, errno, "stat %s", path);
                        if (!S_ISDIR(st.st_mode) && CREATE_REPLACING(u, pfd, base, path, mkdirat(pfd, base, 0700)) < 0)
                                return error_set(u->err, errno, "mkdir %s", path);
                }
                fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return error_set(u->err, errno, "open %s", path);
                if (own && fchown(fd, uid, gid) < 0)
                        return error_set(u->err, errno, "chown %s", path);
                r = apply_xattrs(u, e, fd, pfd, base, path);
                if (r < 0)
                        return r;
                return defer_dir(u, path, e);
        }
        case AE_IFLNK: {
                const char *target = archive_entry_symlink(e);

                if (!target)
                        return error_setx(u->err, EINVAL, "entry %s: symlink without a target", name);
                /* stored as given, absolute or not: it is only ever resolved
                 * inside a container's root or with RESOLVE_IN_ROOT */
                if (CREATE_REPLACING(u, pfd, base, path, symlinkat(target, pfd, base)) < 0)
                        return error_set(u->err, errno, "symlink %s", path);
                break;
        }
        case AE_IFCHR:
        case AE_IFBLK:
                if (!own) {
                        u->st->skipped_devices++;
                        return 0;
                }
                if (CREATE_REPLACING(u, pfd, base, path, mknodat(pfd, base, type | perm, archive_entry_rdev(e))) < 0)
                        return error_set(u->err, errno, "mknod %s", path);
                break;
        case AE_IFIFO:
                if (CREATE_REPLACING(u, pfd, base, path, mkfifoat(pfd, base, perm)) < 0)
                        return error_set(u->err, errno, "mkfifo %s", path);
                break;
        default:
                /* sockets and the like have no place in a layer */
                return 0;
        }

        /* symlinks, devices, fifos: by name, never following */
        if (own && fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set(u->err, errno, "chown %s", path);
        if (type != AE_IFLNK && fchmodat(pfd, base, perm, 0) < 0)
                return error_set(u->err, errno, "chmod %s", path);
        r = apply_xattrs(u, e, -EBADF, pfd, base, path);
        if (r < 0)
                return r;
        if (utimensat(pfd, base, times, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set(u->err, errno, "set times of %s", path);
        return 0;
}

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}
static void source_donep(Source *s)
{
        source_done(s);
}

static int open_source(Source *s, int fd, Error **ret_err)
{
        struct archive_entry *e;
        unsigned char head[8];
        ssize_t n;

        do
                n = pread(fd, head, sizeof(head), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return error_set(ret_err, errno, "read layer");
        if (!looks_compressed(head, (size_t)n))
                return 0;
        if (head[0] == 0x1f && head[1] == 0x8b) {
                int r = gunzip_new(fd, &s->gz, ret_err);
                if (r != -EOPNOTSUPP)
                        return r;
        }

        s->raw = archive_read_new();
        if (!s->raw)
                return error_set(ret_err, ENOMEM, "archive_read_new");
        archive_read_support_filter_gzip(s->raw);
        archive_read_support_filter_zstd(s->raw);
        archive_read_support_filter_xz(s->raw);
        archive_read_support_filter_bzip2(s->raw);
        archive_read_support_format_raw(s->raw);
        if (archive_read_open_fd(s->raw, fd, READ_BUF) != ARCHIVE_OK ||
            archive_read_next_header(s->raw, &e) != ARCHIVE_OK)
                return error_setx(ret_err, EINVAL, "open compressed layer: %s", archive_error_string(s->raw));
        return 0;
}

int unpack_layer(int src_fd, int dest_dirfd, const UnpackOpts *opts, UnpackStats *ret_stats, Error **ret_err)
{
        _cleanup_(archive_freep) struct archive *a = NULL;
        _cleanup_(source_donep) Source src = { .fd = src_fd };
        UnpackOpts o = opts ? *opts : (UnpackOpts){ 0 };
        UnpackStats st = { 0 };
        Unpacker u = { .root = dest_dirfd, .o = &o, .st = &st, .err = ret_err, .parent_fd = -EBADF };
        struct archive_entry *e;
        unsigned char hash[EVP_MAX_MD_SIZE];
        unsigned hash_len = 0;
        bool plain_known;
        int r = 0;

        if (o.max_entries == 0)
                o.max_entries = UNPACK_DEFAULT_MAX_ENTRIES;
        if (o.max_bytes == 0)
                o.max_bytes = UNPACK_DEFAULT_MAX_BYTES;

        /* the tar stream itself: file bytes, 512-byte headers, padding */
        src.limit = o.max_bytes + o.max_entries * 2048 + (64u << 20);
        r = open_source(&src, src_fd, ret_err);
        /* a plain tar whose digest the caller verified has that digest as
         * its diffID: no need to hash it again */
        plain_known = !src.raw && !src.gz && o.plain_digest && digest_ok(o.plain_digest);
        if (r >= 0)
                r = source_init(&src, !plain_known, ret_err);
        if (r < 0)
                return r;

        a = archive_read_new();
        if (!a)
                return error_set(ret_err, ENOMEM, "archive_read_new");
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        if (archive_read_open(a, &src, NULL, source_read, NULL) != ARCHIVE_OK)
                return error_setx(ret_err, archive_errno(a) ? archive_errno(a) : EINVAL, "open layer: %s",
                                  archive_error_string(a));

        for (;;) {
                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        r = error_setx(ret_err, archive_errno(a) > 0 ? archive_errno(a) : EINVAL, "read layer: %s",
                                       archive_error_string(a));
                        goto out;
                }
                if (++st.entries > o.max_entries) {
                        r = error_setx(ret_err, E2BIG, "layer has more than %llu entries (a tar bomb?)",
                                       (unsigned long long)o.max_entries);
                        goto out;
                }
                r = unpack_entry(&u, a, e);
                if (r < 0)
                        goto out;
        }
        /* the diffID covers the whole stream, the zero blocks after the end
         * of the archive included */
        for (;;) {
                const void *rest;
                la_ssize_t n = source_read(a, &src, &rest);
                if (n <= 0) {
                        r = (int)n;
                        break;
                }
        }
        if (r < 0) {
                r = error_setx(ret_err, archive_errno(a) > 0 ? archive_errno(a) : EIO, "read layer: %s",
                               archive_error_string(a));
                goto out;
        }
        r = apply_dirs(&u);
        if (r < 0)
                goto out;
        hasher_stop(&src);
        if (plain_known) {
                snprintf(st.diff_id, sizeof(st.diff_id), "%s", o.plain_digest);
        } else if (src.failed || EVP_DigestFinal_ex(src.md, hash, &hash_len) != 1 || hash_len != 32) {
                r = error_setx(ret_err, EIO, "sha256 final");
                goto out;
        } else {
                strcpy(st.diff_id, "sha256:");
                for (unsigned i = 0; i < hash_len; i++)
                        snprintf(st.diff_id + 7 + 2 * i, 3, "%02x", hash[i]);
        }
        if (ret_stats)
                *ret_stats = st;
        r = 0;
out:
        unpacker_drop_parent(&u);
        for (size_t i = 0; i < u.n_dirs; i++)
                free(u.dirs[i].path);
        free(u.dirs);
        return r;
}
