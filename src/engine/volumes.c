/* A container's mounts, as Docker has them: -v host:ctr[:opts] (a bind,
 * or a named volume when host is a name), -v /ctr (an anonymous volume),
 * --mount type=bind|volume|tmpfs,..., --tmpfs /path[:opts], --read-only,
 * and the image's Volumes. Parsed first (nothing made on a bad spec),
 * applied to the spec with the engine's lock held, written to the record
 * in Docker's inspect shape. */
#include "engine/volumes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/unpack.h"
#include "lib/macros.h"
#include "lib/util.h"

typedef enum { MT_BIND, MT_VOLUME, MT_TMPFS } MountType;

typedef enum {
        FROM_V,     /* -v */
        FROM_MOUNT, /* --mount */
        FROM_TMPFS, /* --tmpfs */
        FROM_IMAGE, /* the image's Volumes */
} MountFrom;

typedef struct EngineMount {
        MountType type;
        MountFrom from;
        char *source;      /* bind: host path; volume: name (NULL until named) */
        char *destination; /* clean, absolute */
        char *mode;        /* -v's options as given ("ro,z"), "" when none */
        char *raw;         /* the -v argument (HostConfig.Binds) */
        const char *propagation;
        char *tmpfs_opts; /* tmpfs: the mount data ("size=65536k,mode=1777") */
        char *data;       /* volume: <storage>/volumes/<name>/_data */
        long long tmpfs_size;
        unsigned tmpfs_mode;
        bool ro, nocopy, anonymous, created;
} EngineMount;

struct EngineMounts {
        EngineMount *m;
        size_t n;
        bool read_only;
};

static const char *const propagations[] = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };

static void mount_clear(EngineMount *m)
{
        free(m->source);
        free(m->destination);
        free(m->mode);
        free(m->raw);
        free(m->tmpfs_opts);
        free(m->data);
}

void engine_mounts_free(EngineMounts *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++)
                mount_clear(&m->m[i]);
        free(m->m);
        free(m);
}

static EngineMount *mount_add(EngineMounts *ms)
{
        EngineMount *n = realloc(ms->m, (ms->n + 1) * sizeof(EngineMount));

        if (!n)
                return NULL;
        ms->m = n;
        n[ms->n] = (EngineMount){ .propagation = "" };
        return &n[ms->n++];
}

bool volume_name_valid(const char *n)
{
        if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= '0' && n[0] <= '9')))
                return false;
        for (const char *p = n + 1; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p))
                        return false;
        return n[1] != 0;
}

static const char *propagation_find(const char *s)
{
        for (size_t i = 0; propagations[i]; i++)
                if (streq(s, propagations[i]))
                        return propagations[i];
        return NULL;
}

/* -v's options: at most one of each of ro|rw, z|Z, nocopy, a propagation
 * and a consistency (accepted, meaningless on Linux). SELinux relabelling
 * (z, Z) needs SELinux: without it Docker accepts and ignores them, and so
 * do we. */
static int parse_v_mode(EngineMount *m, const char *mode, Error **ret_err)
{
        _cleanup_free_ char *copy = strdup(mode);
        bool rw = false, label = false, copymode = false, cons = false, prop = false;
        char *save = NULL;

        if (!copy)
                return error_set(ret_err, ENOMEM, "volume mode");
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                bool *seen;

                if (streq(t, "ro") || streq(t, "rw")) {
                        seen = &rw;
                        m->ro = streq(t, "ro");
                } else if (streq(t, "z") || streq(t, "Z"))
                        seen = &label;
                else if (streq(t, "nocopy")) {
                        seen = &copymode;
                        m->nocopy = true;
                } else if (streq(t, "consistent") || streq(t, "cached") || streq(t, "delegated"))
                        seen = &cons;
                else if (propagation_find(t)) {
                        seen = &prop;
                        m->propagation = propagation_find(t);
                } else
                        seen = NULL;
                if (!seen || *seen)
                        return error_setx(ret_err, EINVAL, "invalid mode: %s", mode);
                *seen = true;
        }
        /* nocopy is a volume's, propagation a bind's */
        if ((m->type == MT_BIND && copymode) || (m->type == MT_VOLUME && prop))
                return error_setx(ret_err, EINVAL, "invalid mode: %s", mode);
        return 0;
}

static int check_target(const char *raw, const char *type, const char *dst, Error **ret_err)
{
        if (!*dst)
                return error_setx(ret_err, EINVAL,
                                  "invalid mount config for type \"%s\": field Target must not be empty", type);
        if (dst[0] != '/')
                return error_setx(ret_err, EINVAL,
                                  "invalid volume specification: '%s': invalid mount config for type \"%s\": "
                                  "invalid mount path: '%s' mount path must be absolute",
                                  raw, type, dst);
        if (streq(dst, "/") || (dst[strspn(dst, "/")] == 0))
                return error_setx(ret_err, EINVAL, "invalid specification: destination can't be '/'");
        return 0;
}

static int check_volume_name(const char *name, Error **ret_err)
{
        if (volume_name_valid(name))
                return 0;
        return error_setx(ret_err, EINVAL,
                          "create %s: \"%s\" includes invalid characters for a local volume name, only "
                          "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use "
                          "absolute path",
                          name, name);
}

/* -v: Docker's Linux form, at most three sections split at ':'. */
static int parse_v(EngineMounts *ms, const char *raw, Error **ret_err)
{
        _cleanup_strv_ char **parts = NULL;
        EngineMount *m;
        size_t k = 0, colons = 0;
        const char *p = raw;
        int r;

        for (const char *c = raw; *c; c++)
                colons += *c == ':';
        if (colons > 2 || !*raw || raw[0] == ':')
                return error_setx(ret_err, EINVAL, "invalid volume specification: '%s'", raw);
        while (p) {
                const char *end = strchr(p, ':');
                _cleanup_free_ char *part = end ? strndup(p, (size_t)(end - p)) : strdup(p);

                if (!part || strv_push(&parts, part) < 0)
                        return error_set(ret_err, ENOMEM, "volumes");
                if (!*part)
                        return error_setx(ret_err, EINVAL, "invalid volume specification: '%s'", raw);
                p = end ? end + 1 : NULL;
        }
        k = strv_length(parts);
        m = mount_add(ms);
        if (!m)
                return error_set(ret_err, ENOMEM, "volumes");
        m->from = FROM_V;
        m->raw = strdup(raw);
        if (k == 1) {
                /* "/ctr": an anonymous volume */
                m->type = MT_VOLUME;
                m->anonymous = true;
                r = check_target(raw, "volume", parts[0], ret_err);
                m->destination = path_clean(parts[0]);
                m->mode = strdup("");
                return r < 0 ? r : 0;
        }
        if (k == 2 && parts[0][0] == '/' && parts[1][0] != '/' && (streq(parts[1], "ro") || streq(parts[1], "rw")))
                /* "/ctr:ro": a volume cannot take a mode without a name */
                return error_setx(ret_err, EINVAL, "invalid volume specification: '%s'", raw);
        if (parts[0][0] == '.' &&
            (!parts[0][1] || parts[0][1] == '/' || (parts[0][1] == '.' && (!parts[0][2] || parts[0][2] == '/')))) {
                /* ./dir and ../dir: relative to here, as Docker's CLI makes them */
                _cleanup_free_ char *cwd = getcwd(NULL, 0), *joined = cwd ? path_join(cwd, parts[0]) : NULL,
                                    *abs = joined ? path_clean(joined) : NULL;
                if (!abs)
                        return error_set(ret_err, errno ?: ENOMEM, "resolve %s", parts[0]);
                free(parts[0]);
                parts[0] = TAKE_PTR(abs);
                free(m->raw);
                if (asprintf(&m->raw, "%s:%s%s%s", parts[0], parts[1], k == 3 ? ":" : "", k == 3 ? parts[2] : "") < 0)
                        m->raw = NULL;
        }
        m->type = parts[0][0] == '/' ? MT_BIND : MT_VOLUME;
        m->mode = strdup(k == 3 ? parts[2] : "");
        if (!m->mode)
                return error_set(ret_err, ENOMEM, "volumes");
        if (m->type == MT_BIND)
                m->propagation = "rprivate";
        if (k == 3 && (r = parse_v_mode(m, parts[2], ret_err)) < 0)
                return r;
        r = check_target(raw, m->type == MT_BIND ? "bind" : "volume", parts[1], ret_err);
        if (r < 0)
                return r;
        if (m->type == MT_VOLUME && (r = check_volume_name(parts[0], ret_err)) < 0)
                return r;
        m->source = m->type == MT_BIND ? path_clean(parts[0]) : strdup(parts[0]);
        m->destination = path_clean(parts[1]);
        return 0;
}

static int parse_bool(const char *v, bool *ret)
{
        if (!v || streq(v, "1") || streq(v, "true"))
                *ret = true;
        else if (streq(v, "0") || streq(v, "false"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

/* "64m", "1g", "4096": bytes. */
static int parse_size(const char *s, long long *ret)
{
        char *end = NULL;
        long long v, mul = 1;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || end == s || v < 0)
                return -EINVAL;
        switch (*end) {
        case 0: break;
        case 'k':
        case 'K': mul = 1024; break;
        case 'm':
        case 'M': mul = 1024 * 1024; break;
        case 'g':
        case 'G': mul = 1024LL * 1024 * 1024; break;
        default: return -EINVAL;
        }
        if (*end && end[1] && !((end[1] == 'b' || end[1] == 'B') && !end[2]))
                return -EINVAL;
        if (v > __LONG_LONG_MAX__ / mul)
                return -ERANGE;
        *ret = v * mul;
        return 0;
}

_printf_(3, 4) static int mount_arg_error(const char *raw, Error **ret_err, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return error_set(ret_err, ENOMEM, "--mount");
        return error_setx(ret_err, EINVAL, "invalid argument \"%s\" for \"--mount\" flag: %s", raw, msg);
}

/* --mount: Docker's csv of key[=value]. */
static int parse_mount(EngineMounts *ms, const char *raw, Error **ret_err)
{
        _cleanup_free_ char *copy = strdup(raw), *src = NULL, *dst = NULL;
        const char *type = "volume";
        EngineMount *m;
        bool ro = false, nocopy = false, has_prop = false, has_nocopy = false, has_tmpfs = false;
        const char *prop = NULL;
        long long size = 0;
        unsigned mode = 0;
        char *save = NULL;
        int r;

        if (!copy)
                return error_set(ret_err, ENOMEM, "--mount");
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                char *v = strchr(t, '=');

                if (v)
                        *v++ = 0;
                if (streq(t, "readonly") || streq(t, "ro")) {
                        if (parse_bool(v, &ro) < 0)
                                return mount_arg_error(raw, ret_err, "invalid value for %s", t);
                        continue;
                }
                if (streq(t, "volume-nocopy")) {
                        has_nocopy = true;
                        if (parse_bool(v, &nocopy) < 0)
                                return mount_arg_error(raw, ret_err, "invalid value for %s", t);
                        continue;
                }
                if (!v)
                        return mount_arg_error(raw, ret_err, "invalid field '%s' must be a key=value pair", t);
                if (streq(t, "type")) {
                        if (!streq(v, "bind") && !streq(v, "volume") && !streq(v, "tmpfs"))
                                return mount_arg_error(raw, ret_err, "unsupported mount type: '%s'", v);
                        type = streq(v, "bind") ? "bind" : streq(v, "volume") ? "volume" : "tmpfs";
                } else if (streq(t, "source") || streq(t, "src")) {
                        free(src);
                        src = strdup(v);
                } else if (streq(t, "target") || streq(t, "destination") || streq(t, "dst")) {
                        free(dst);
                        dst = strdup(v);
                } else if (streq(t, "bind-propagation")) {
                        prop = propagation_find(v);
                        has_prop = true;
                        if (!prop)
                                return mount_arg_error(raw, ret_err, "invalid propagation: %s", v);
                } else if (streq(t, "tmpfs-size")) {
                        has_tmpfs = true;
                        if (parse_size(v, &size) < 0)
                                return mount_arg_error(raw, ret_err, "invalid value for tmpfs-size: %s", v);
                } else if (streq(t, "tmpfs-mode")) {
                        char *end = NULL;
                        unsigned long mv = strtoul(v, &end, 8);
                        has_tmpfs = true;
                        if (!*v || *end || mv > 07777)
                                return mount_arg_error(raw, ret_err, "invalid value for tmpfs-mode: %s", v);
                        mode = (unsigned)mv;
                } else if (streq(t, "consistency")) {
                        continue;
                } else if (streq(t, "volume-driver")) {
                        if (!streq(v, "local"))
                                return mount_arg_error(raw, ret_err, "volume driver %s is not supported (only local)",
                                                       v);
                } else
                        return mount_arg_error(raw, ret_err, "unexpected key '%s'", t);
        }
        if (!dst || !*dst)
                return error_setx(ret_err, EINVAL,
                                  "invalid mount config for type \"%s\": field Target must not be empty", type);
        r = check_target(raw, type, dst, ret_err);
        if (r < 0)
                return r;
        if (has_prop && !streq(type, "bind"))
                return error_setx(ret_err, EINVAL,
                                  "invalid mount config for type \"%s\": field BindOptions must not be specified",
                                  type);
        if (has_nocopy && !streq(type, "volume"))
                return error_setx(ret_err, EINVAL,
                                  "invalid mount config for type \"%s\": field VolumeOptions must not be specified",
                                  type);
        if (has_tmpfs && !streq(type, "tmpfs"))
                return error_setx(ret_err, EINVAL,
                                  "invalid mount config for type \"%s\": field TmpfsOptions must not be specified",
                                  type);
        m = mount_add(ms);
        if (!m)
                return error_set(ret_err, ENOMEM, "--mount");
        m->from = FROM_MOUNT;
        m->destination = path_clean(dst);
        m->ro = ro;
        m->mode = strdup("");
        if (streq(type, "bind")) {
                struct stat st;
                m->type = MT_BIND;
                m->propagation = prop ? prop : "rprivate";
                if (!src || !*src)
                        return error_setx(ret_err, EINVAL,
                                          "invalid mount config for type \"bind\": field Source must not be empty");
                if (src[0] != '/')
                        return error_setx(ret_err, EINVAL,
                                          "invalid mount config for type \"bind\": invalid mount path: '%s' mount "
                                          "path must be absolute",
                                          src);
                /* unlike -v, --mount does not make a missing source */
                if (stat(src, &st) < 0)
                        return error_setx(ret_err, EINVAL,
                                          "invalid mount config for type \"bind\": bind source path does not exist: "
                                          "%s",
                                          src);
                m->source = path_clean(src);
        } else if (streq(type, "volume")) {
                m->type = MT_VOLUME;
                m->nocopy = nocopy;
                if (src && *src) {
                        if ((r = check_volume_name(src, ret_err)) < 0)
                                return r;
                        m->source = TAKE_PTR(src);
                } else
                        m->anonymous = true;
        } else {
                m->type = MT_TMPFS;
                if (src && *src)
                        return error_setx(
                                ret_err, EINVAL,
                                "invalid mount config for type \"tmpfs\": field Source must not be specified");
                m->tmpfs_size = size;
                m->tmpfs_mode = mode;
                if ((size && mode && asprintf(&m->tmpfs_opts, "size=%lldk,mode=%o", (size + 1023) / 1024, mode) < 0) ||
                    (size && !mode && asprintf(&m->tmpfs_opts, "size=%lldk", (size + 1023) / 1024) < 0) ||
                    (!size && mode && asprintf(&m->tmpfs_opts, "mode=%o", mode) < 0))
                        m->tmpfs_opts = NULL;
        }
        return 0;
}

/* --tmpfs /path[:opts] */
static int parse_tmpfs(EngineMounts *ms, const char *raw, Error **ret_err)
{
        const char *colon = strchr(raw, ':');
        _cleanup_free_ char *dst = colon ? strndup(raw, (size_t)(colon - raw)) : strdup(raw);
        EngineMount *m;
        int r;

        if (!dst)
                return error_set(ret_err, ENOMEM, "--tmpfs");
        if (dst[0] != '/')
                return error_setx(ret_err, EINVAL, "invalid mount path: '%s' mount path must be absolute", dst);
        r = check_target(raw, "tmpfs", dst, ret_err);
        if (r < 0)
                return r;
        m = mount_add(ms);
        if (!m)
                return error_set(ret_err, ENOMEM, "--tmpfs");
        m->type = MT_TMPFS;
        m->from = FROM_TMPFS;
        m->destination = path_clean(dst);
        m->raw = strdup(colon ? colon + 1 : "");
        m->mode = strdup("");
        if (colon && colon[1])
                m->tmpfs_opts = strdup(colon + 1);
        for (const char *o = colon ? colon + 1 : ""; *o;) {
                size_t l = strcspn(o, ",");
                if (l == 2 && strncmp(o, "ro", 2) == 0)
                        m->ro = true;
                o += l + (o[l] == ',');
        }
        return 0;
}

static EngineMount *find_destination(EngineMounts *ms, const char *dst, size_t before)
{
        for (size_t i = 0; i < before; i++)
                if (streq(ms->m[i].destination, dst))
                        return &ms->m[i];
        return NULL;
}

int engine_mounts_parse(const EngineCreateOpts *o, EngineMounts **ret, Error **ret_err)
{
        _cleanup_(engine_mounts_freep) EngineMounts *ms = calloc(1, sizeof(EngineMounts));
        int r = 0;

        if (!ms)
                return error_set(ret_err, ENOMEM, "mounts");
        ms->read_only = o->read_only;
        for (char *const *v = o->volumes; v && *v && r >= 0; v++)
                r = parse_v(ms, *v, ret_err);
        for (char *const *v = o->mounts; v && *v && r >= 0; v++)
                r = parse_mount(ms, *v, ret_err);
        for (char *const *v = o->tmpfs; v && *v && r >= 0; v++)
                r = parse_tmpfs(ms, *v, ret_err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ms->n; i++) {
                if (!ms->m[i].destination || !ms->m[i].mode || (ms->m[i].from == FROM_V && !ms->m[i].raw))
                        return error_set(ret_err, ENOMEM, "mounts");
                if (find_destination(ms, ms->m[i].destination, i))
                        return error_setx(ret_err, EINVAL, "Duplicate mount point: %s", ms->m[i].destination);
        }
        *ret = TAKE_PTR(ms);
        return 0;
}

/* Copy one directory's content (src_fd) into dst_fd: files, directories,
 * symlinks and device nodes with their owners, modes and times. Hard
 * links are copied as separate files. Nothing is followed: src is the
 * image's content, which may hold symlinks to anywhere. */
static int copy_tree(int src_fd, int dst_fd, Error **ret_err)
{
        _cleanup_close_ int dup_fd = fcntl(src_fd, F_DUPFD_CLOEXEC, 3);
        _cleanup_(closedirp) DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        struct dirent *de;

        if (!d)
                return error_set(ret_err, errno, "read the image's directory");
        TAKE_FD(dup_fd);
        while ((errno = 0, de = readdir(d))) {
                const char *n = de->d_name;
                struct timespec ts[2];
                struct stat st;
                int r = 0;

                if (streq(n, ".") || streq(n, ".."))
                        continue;
                if (fstatat(src_fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return error_set(ret_err, errno, "stat %s", n);
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int s = -EBADF, t = -EBADF;
                        if (mkdirat(dst_fd, n, 0700) < 0)
                                return error_set(ret_err, errno, "mkdir %s", n);
                        s = openat(src_fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        t = openat(dst_fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (s < 0 || t < 0)
                                return error_set(ret_err, errno, "open %s", n);
                        r = copy_tree(s, t, ret_err);
                        if (r < 0)
                                return error_prefix(ret_err, "%s", n);
                } else if (S_ISREG(st.st_mode)) {
                        _cleanup_close_ int s = openat(src_fd, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int t =
                                openat(dst_fd, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                        char buf[65536];
                        ssize_t k;

                        if (s < 0 || t < 0)
                                return error_set(ret_err, errno, "open %s", n);
                        while ((k = read(s, buf, sizeof(buf))) > 0)
                                if (write_all(t, buf, (size_t)k) < 0)
                                        return error_set(ret_err, errno, "write %s", n);
                        if (k < 0)
                                return error_set(ret_err, errno, "read %s", n);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t l = readlinkat(src_fd, n, target, sizeof(target) - 1);
                        if (l < 0)
                                return error_set(ret_err, errno, "readlink %s", n);
                        target[l] = 0;
                        if (symlinkat(target, dst_fd, n) < 0)
                                return error_set(ret_err, errno, "symlink %s", n);
                } else if (mknodat(dst_fd, n, st.st_mode, st.st_rdev) < 0)
                        return error_set(ret_err, errno, "mknod %s", n);
                if (fchownat(dst_fd, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return error_set(ret_err, errno, "chown %s", n);
                if (!S_ISLNK(st.st_mode) && fchmodat(dst_fd, n, st.st_mode & 07777, 0) < 0)
                        return error_set(ret_err, errno, "chmod %s", n);
                ts[0] = st.st_atim;
                ts[1] = st.st_mtim;
                (void)utimensat(dst_fd, n, ts, AT_SYMLINK_NOFOLLOW);
        }
        if (errno)
                return error_set(ret_err, errno, "read the image's directory");
        return 0;
}

static bool dir_empty(int fd)
{
        _cleanup_close_ int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        _cleanup_(closedirp) DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        struct dirent *de;

        if (!d)
                return false;
        TAKE_FD(dup_fd);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        return false;
        return true;
}

/* Docker's copy-up: an empty volume mounted where the image has a
 * directory gets that directory's content, owner and mode. */
static int copy_up(int rootfs_fd, const char *dst, const char *data, Error **ret_err)
{
        _cleanup_close_ int s = -EBADF, t = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        int r;

        if (t < 0)
                return error_set(ret_err, errno, "open %s", data);
        if (!dir_empty(t))
                return 0;
        s = path_open_in_root(rootfs_fd, dst, O_RDONLY | O_DIRECTORY, 0, NULL);
        if (s < 0)
                return 0; /* nothing there in the image */
        if (fstat(s, &st) < 0)
                return error_set(ret_err, errno, "stat %s", dst);
        r = copy_tree(s, t, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "copy the image's %s into the volume", dst);
        if (fchown(t, st.st_uid, st.st_gid) < 0 || fchmod(t, st.st_mode & 07777) < 0)
                return error_set(ret_err, errno, "set the owner and mode of %s", data);
        return 0;
}

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo. */
static void unescape_octal(char *s)
{
        char *w = s;

        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = 0;
}

/* The mount point holding path and its propagation: whether it is shared
 * and whether it is a slave. */
static int source_mount(const char *path, char **ret_mp, bool *ret_shared, bool *ret_slave, Error **ret_err)
{
        _cleanup_free_ char *real = realpath(path, NULL), *line = NULL, *best = NULL;
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        size_t n = 0, best_len = 0;
        bool shared = false, slave = false;

        if (!real)
                return error_set(ret_err, errno, "resolve %s", path);
        if (!f)
                return error_set(ret_err, errno, "open /proc/self/mountinfo");
        while (getline(&line, &n, f) > 0) {
                char *save = NULL, *mp = NULL, *t;
                bool sh = false, sl = false;
                size_t l;
                int field = 0;

                for (t = strtok_r(line, " \n", &save); t && !streq(t, "-"); t = strtok_r(NULL, " \n", &save)) {
                        field++;
                        if (field == 5)
                                mp = t;
                        else if (field >= 7 && strncmp(t, "shared:", 7) == 0)
                                sh = true;
                        else if (field >= 7 && strncmp(t, "master:", 7) == 0)
                                sl = true;
                }
                if (!mp)
                        continue;
                unescape_octal(mp);
                l = strlen(mp);
                /* the last of the longest: a mount stacked on another wins */
                if (!(streq(mp, "/") || (strncmp(real, mp, l) == 0 && (real[l] == '/' || real[l] == 0))) ||
                    l < best_len)
                        continue;
                free(best);
                best = strdup(mp);
                best_len = l;
                shared = sh;
                slave = sl;
        }
        if (!best)
                return error_setx(ret_err, ENOENT, "no mount holds %s", real);
        *ret_mp = TAKE_PTR(best);
        *ret_shared = shared;
        *ret_slave = slave;
        return 0;
}

/* Docker asks of a shared bind's source that its mount be shared, and of a
 * slave one's that it be shared or a slave: otherwise nothing would
 * propagate. */
static int check_propagation(const EngineMount *m, Error **ret_err)
{
        _cleanup_free_ char *mp = NULL;
        bool shared = false, slave = false;
        int r;

        if (!strstr(m->propagation, "shared") && !strstr(m->propagation, "slave"))
                return 0;
        r = source_mount(m->source, &mp, &shared, &slave, ret_err);
        if (r < 0)
                return r;
        if (strstr(m->propagation, "shared") && !shared)
                return error_setx(ret_err, EINVAL, "path %s is mounted on %s but it is not a shared mount", m->source,
                                  mp);
        if (strstr(m->propagation, "slave") && !shared && !slave)
                return error_setx(ret_err, EINVAL, "path %s is mounted on %s but it is not a shared or slave mount",
                                  m->source, mp);
        return 0;
}

static void spec_mount_clear(SpecMount *m)
{
        free(m->destination);
        free(m->type);
        free(m->source);
        strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

/* Add a mount to the spec, replacing a default one at the same place
 * (a --tmpfs /dev/shm replaces the spec's /dev/shm, as in Docker). */
static int spec_add_mount(Spec *spec, const char *type, const char *source, const char *dst, char *const *opts)
{
        SpecMount *nm;

        for (size_t i = 0; i < spec->n_mounts; i++)
                if (streq(spec->mounts[i].destination, dst)) {
                        spec_mount_clear(&spec->mounts[i]);
                        memmove(&spec->mounts[i], &spec->mounts[i + 1], (spec->n_mounts - i - 1) * sizeof(SpecMount));
                        spec->n_mounts--;
                        break;
                }
        nm = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(SpecMount));
        if (!nm)
                return -ENOMEM;
        spec->mounts = nm;
        nm = &nm[spec->n_mounts++];
        *nm = (SpecMount){ .destination = strdup(dst), .type = strdup(type), .source = strdup(source) };
        nm->options = strv_copy(opts);
        nm->n_options = strv_length(nm->options);
        return nm->destination && nm->type && nm->source && nm->options ? 0 : -ENOMEM;
}

static int apply_volume(Engine *e, EngineMount *m, int rootfs_fd, Error **ret_err)
{
        _cleanup_free_ char *dir = NULL;
        int r;

        if (!m->source) {
                char name[65];
                if (engine_new_id(name) < 0 || !(m->source = strdup(name)))
                        return error_set(ret_err, ENOMEM, "name the volume");
        }
        r = volume_make(e, m->source, NULL, m->anonymous, ret_err);
        if (r < 0)
                return r;
        m->created = r > 0;
        dir = volume_dir(e, m->source);
        m->data = dir ? path_join(dir, "_data") : NULL;
        if (!m->data)
                return error_set(ret_err, ENOMEM, "volume path");
        if (!m->nocopy)
                return copy_up(rootfs_fd, m->destination, m->data, ret_err);
        return 0;
}

static int apply_one(Engine *e, EngineMount *m, int rootfs_fd, Spec *spec, Error **ret_err)
{
        char *tmpfs_opts[16] = { "noexec", "nosuid", "nodev" };
        char *opts[] = { "rbind", (char *)m->propagation, m->ro ? "ro" : "rw", NULL };
        _cleanup_free_ char *data = NULL;
        struct stat st;
        size_t k = 3;
        int r;

        switch (m->type) {
        case MT_VOLUME:
                r = apply_volume(e, m, rootfs_fd, ret_err);
                if (r < 0)
                        return r;
                opts[1] = "rprivate";
                return spec_add_mount(spec, "bind", m->data, m->destination, opts) < 0 ? -ENOMEM : 0;
        case MT_BIND:
                /* Docker makes a missing -v host directory */
                if (stat(m->source, &st) < 0 && (errno != ENOENT || m->from != FROM_V || mkdir_p(m->source, 0755) < 0))
                        return error_set(ret_err, errno, "create mountpoint for %s", m->source);
                r = check_propagation(m, ret_err);
                if (r < 0)
                        return r;
                return spec_add_mount(spec, "bind", m->source, m->destination, opts) < 0 ? -ENOMEM : 0;
        case MT_TMPFS:
                data = strdup(m->tmpfs_opts ? m->tmpfs_opts : "");
                if (!data)
                        return -ENOMEM;
                /* the user's options after the defaults: "exec" wins over
                 * "noexec" */
                for (char *save = NULL, *t = strtok_r(data, ",", &save); t && k < ELEMENTSOF(tmpfs_opts) - 1;
                     t = strtok_r(NULL, ",", &save))
                        tmpfs_opts[k++] = t;
                tmpfs_opts[k] = NULL;
                return spec_add_mount(spec, "tmpfs", "tmpfs", m->destination, tmpfs_opts) < 0 ? -ENOMEM : 0;
        }
        return 0;
}

static size_t path_depth(const char *p)
{
        size_t n = 0;

        for (; *p; p++)
                n += *p == '/';
        return n;
}

int engine_mounts_apply(Engine *e, EngineMounts *ms, const ImageConfig *ic, int rootfs_fd, Spec *spec, Error **ret_err)
{
        bool shared = false, slave = false;

        for (char *const *v = ic->volumes; v && *v; v++) {
                _cleanup_free_ char *dst = path_clean(*v);
                EngineMount *m;

                if (!dst)
                        return error_set(ret_err, ENOMEM, "volumes");
                /* the image's config is not to be trusted: no volume over
                 * the whole rootfs, no relative path */
                if (check_target(*v, "volume", dst, ret_err) < 0)
                        return error_prefix(ret_err, "image config Volumes");
                if (find_destination(ms, dst, ms->n))
                        continue;
                m = mount_add(ms);
                if (!m || !(m->mode = strdup("")))
                        return error_set(ret_err, ENOMEM, "volumes");
                m->type = MT_VOLUME;
                m->from = FROM_IMAGE;
                m->anonymous = true;
                m->destination = TAKE_PTR(dst);
        }
        /* parents before what is mounted below them, whatever the order
         * of the flags: as Docker, by the number of path components */
        for (size_t i = 1; i < ms->n; i++)
                for (size_t j = i; j > 0 && path_depth(ms->m[j - 1].destination) > path_depth(ms->m[j].destination);
                     j--) {
                        EngineMount t = ms->m[j];
                        ms->m[j] = ms->m[j - 1];
                        ms->m[j - 1] = t;
                }
        for (size_t i = 0; i < ms->n; i++) {
                EngineMount *m = &ms->m[i];
                int r = apply_one(e, m, rootfs_fd, spec, ret_err);

                if (r == -ENOMEM && (!ret_err || !*ret_err))
                        r = error_set(ret_err, ENOMEM, "mounts");
                if (r < 0)
                        return r;
                shared |= m->type == MT_BIND && strstr(m->propagation, "shared");
                slave |= m->type == MT_BIND && strstr(m->propagation, "slave");
        }
        /* As Docker: the rootfs's propagation follows what the binds need */
        if (shared || slave) {
                free(spec->linux_.rootfs_propagation);
                spec->linux_.rootfs_propagation = strdup(shared ? "rshared" : "rslave");
                if (!spec->linux_.rootfs_propagation)
                        return error_set(ret_err, ENOMEM, "mounts");
        }
        if (ms->read_only)
                spec->root_readonly = true;
        return 0;
}

void engine_mounts_undo(Engine *e, EngineMounts *ms)
{
        for (size_t i = 0; ms && i < ms->n; i++)
                if (ms->m[i].created)
                        (void)volume_drop(e, ms->m[i].source, NULL);
}

static json_t *mount_json(const EngineMount *m)
{
        const char *type = m->type == MT_BIND ? "bind" : m->type == MT_VOLUME ? "volume" : "tmpfs";
        /* Docker: a -v volume's Mode is "z" unless given */
        const char *mode = m->type == MT_VOLUME && m->from != FROM_MOUNT && !*m->mode ? "z" : m->mode;
        json_t *j = json_pack("{s:s}", "Type", type);

        if (!j)
                return NULL;
        if (m->type == MT_VOLUME)
                json_object_set_new(j, "Name", json_string(m->source));
        json_object_set_new(j, "Source", json_string(m->type == MT_BIND ? m->source : m->data ? m->data : ""));
        json_object_set_new(j, "Destination", json_string(m->destination));
        if (m->type == MT_VOLUME)
                json_object_set_new(j, "Driver", json_string("local"));
        json_object_set_new(j, "Mode", json_string(mode));
        json_object_set_new(j, "RW", json_boolean(!m->ro));
        json_object_set_new(j, "Propagation", json_string(m->type == MT_BIND ? m->propagation : ""));
        return j;
}

/* HostConfig.Mounts' entry: what --mount said. */
static json_t *host_mount_json(const EngineMount *m)
{
        const char *type = m->type == MT_BIND ? "bind" : m->type == MT_VOLUME ? "volume" : "tmpfs";
        json_t *j = json_pack("{s:s,s:s,s:s}", "Type", type, "Source", m->source && !m->anonymous ? m->source : "",
                              "Target", m->destination);

        if (!j)
                return NULL;
        if (m->ro)
                json_object_set_new(j, "ReadOnly", json_true());
        if (m->type == MT_BIND)
                json_object_set_new(j, "BindOptions", json_pack("{s:s}", "Propagation", m->propagation));
        if (m->type == MT_VOLUME && m->nocopy)
                json_object_set_new(j, "VolumeOptions", json_pack("{s:b}", "NoCopy", 1));
        if (m->type == MT_TMPFS && (m->tmpfs_size || m->tmpfs_mode)) {
                json_t *t = json_object();
                if (m->tmpfs_size)
                        json_object_set_new(t, "SizeBytes", json_integer(m->tmpfs_size));
                if (m->tmpfs_mode)
                        json_object_set_new(t, "Mode", json_integer(m->tmpfs_mode));
                json_object_set_new(j, "TmpfsOptions", t);
        }
        return j;
}

int engine_mounts_record(const EngineMounts *ms, json_t *rec)
{
        json_t *hc = json_object_get(rec, "HostConfig"), *cfg = json_object_get(rec, "Config");
        json_t *binds = json_array(), *hmounts = json_array(), *tmpfs = json_object(), *vols = json_object(),
               *mounts = json_array();

        if (!hc || !cfg || !binds || !hmounts || !tmpfs || !vols || !mounts) {
                json_decref(binds);
                json_decref(hmounts);
                json_decref(tmpfs);
                json_decref(vols);
                json_decref(mounts);
                return -ENOMEM;
        }
        for (size_t i = 0; i < ms->n; i++) {
                const EngineMount *m = &ms->m[i];

                if (m->from == FROM_V && !m->anonymous)
                        json_array_append_new(binds, json_string(m->raw));
                if ((m->from == FROM_V && m->anonymous) || m->from == FROM_IMAGE)
                        json_object_set_new(vols, m->destination, json_object());
                if (m->from == FROM_MOUNT)
                        json_array_append_new(hmounts, host_mount_json(m));
                if (m->from == FROM_TMPFS)
                        json_object_set_new(tmpfs, m->destination, json_string(m->raw));
                else
                        json_array_append_new(mounts, mount_json(m));
        }
        /* empty ones as Docker writes them: null, or left out */
        json_object_set_new(hc, "Binds", json_array_size(binds) ? binds : json_null());
        if (!json_array_size(binds))
                json_decref(binds);
        if (json_array_size(hmounts))
                json_object_set_new(hc, "Mounts", hmounts);
        else
                json_decref(hmounts);
        if (json_object_size(tmpfs))
                json_object_set_new(hc, "Tmpfs", tmpfs);
        else
                json_decref(tmpfs);
        json_object_set_new(hc, "ReadonlyRootfs", json_boolean(ms->read_only));
        json_object_set_new(cfg, "Volumes", json_object_size(vols) ? vols : json_null());
        if (!json_object_size(vols))
                json_decref(vols);
        json_object_set_new(rec, "Mounts", mounts);
        return 0;
}
