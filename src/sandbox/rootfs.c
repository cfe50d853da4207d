#include "sandbox/rootfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <termios.h>

#include "lib/path.h"
#include "lib/util.h"
#include "sandbox/lsm.h"
#include "sandbox/mountopts.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int pivot_root_(const char *new_root, const char *put_old)
{
        return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* Translate classic MS_* flags of a bind mount into mount_setattr(2)
 * attributes. Flags the user did not mention keep the source's value, so a
 * flag the kernel locked (a bind from a more privileged namespace) is never
 * asked to change. */
static void bind_attrs(const MountOpts *o, struct mount_attr *a)
{
        static const struct {
                unsigned long ms;
                uint64_t attr;
        } map[] = {
                { MS_RDONLY, MOUNT_ATTR_RDONLY },         { MS_NOSUID, MOUNT_ATTR_NOSUID },
                { MS_NODEV, MOUNT_ATTR_NODEV },           { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
                { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
        };

        memset(a, 0, sizeof(*a));
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                if (o->flags & map[i].ms)
                        a->attr_set |= map[i].attr;
                else if (o->clear & map[i].ms)
                        a->attr_clr |= map[i].attr;
        }
        if (o->flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
                a->attr_clr |= MOUNT_ATTR__ATIME;
                if (o->flags & MS_NOATIME)
                        a->attr_set |= MOUNT_ATTR_NOATIME;
                else if (o->flags & MS_STRICTATIME)
                        a->attr_set |= MOUNT_ATTR_STRICTATIME;
                else
                        a->attr_set |= MOUNT_ATTR_RELATIME;
        }
}

static bool mount_is_bind(const SpecMount *m, const MountOpts *o)
{
        return o->bind || (m->type && streq(m->type, "bind"));
}

/* Open (creating as needed) the destination of a mount inside the rootfs.
 * A bind of a file needs a file to mount on, anything else a directory.
 *
 * What goes onto /proc or below is checked on the destination as written
 * (check_kernel_fs_mount()); a symlink in the image ("p" -> "proc") would
 * take any other destination there too, and a volume over
 * /proc/sys/kernel/cap_last_cap or /proc/self/oom_score_adj would lie to
 * the runtime and the container alike. So the directory or file we are
 * about to mount on must not be on procfs unless the destination says
 * /proc. */
static int open_dest(int root_fd, const char *dest, bool file, Error **ret_err)
{
        _cleanup_free_ char *clean = path_clean(dest);
        _cleanup_close_ int fd = -EBADF;
        struct statfs sf;

        if (!clean)
                return error_set(ret_err, ENOMEM, "mount");
        fd = file ? path_mkfile_in_root(root_fd, dest, 0644, ret_err)
                  : path_mkdir_in_root(root_fd, dest, 0755, ret_err);
        if (fd < 0)
                return fd;
        if (fstatfs(fd, &sf) < 0)
                return error_set(ret_err, errno, "statfs %s", dest);
        if (sf.f_type == PROC_SUPER_MAGIC && !streq(clean, "/proc") && strncmp(clean, "/proc/", 6) != 0)
                return error_setx(ret_err, EPERM,
                                  "%s is on procfs (a symlink in the rootfs leads there?): only /proc and the files "
                                  "lxcfs emulates below it take mounts there",
                                  dest);
        return TAKE_FD(fd);
}

static int apply_propagation(int root_fd, const char *dest, unsigned long prop, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        char p[FD_PATH_MAX];

        if (!prop)
                return 0;
        /* Reopen: the fd we mounted on refers to the directory beneath the
         * new mount, not the mount itself. */
        fd = path_open_in_root(root_fd, dest, O_PATH, 0, ret_err);
        if (fd < 0)
                return fd;
        if (mount(NULL, fd_path(fd, p), NULL, prop, NULL) < 0)
                return error_set(ret_err, errno, "set propagation of %s", dest);
        return 0;
}

static int apply_rec_attrs(int root_fd, const char *dest, const MountOpts *o, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        struct mount_attr a = { .attr_set = o->rec_attr_set, .attr_clr = o->rec_attr_clr };

        if (!o->rec_attr_set && !o->rec_attr_clr)
                return 0;
        if (a.attr_set & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RELATIME) ||
            a.attr_clr & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RELATIME)) {
                a.attr_set &= ~(uint64_t)(MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME);
                a.attr_clr =
                        (a.attr_clr & ~(uint64_t)(MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RELATIME)) |
                        MOUNT_ATTR__ATIME;
                if (o->rec_attr_set & MOUNT_ATTR_NOATIME)
                        a.attr_set |= MOUNT_ATTR_NOATIME;
                else if (o->rec_attr_set & MOUNT_ATTR_STRICTATIME)
                        a.attr_set |= MOUNT_ATTR_STRICTATIME;
        }
        fd = path_open_in_root(root_fd, dest, O_PATH, 0, ret_err);
        if (fd < 0)
                return fd;
        if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                return error_set(ret_err, errno, "mount_setattr %s (recursive options need Linux 5.12)", dest);
        return 0;
}

static int mount_bind(int root_fd, const SpecMount *m, const MountOpts *o, Error **ret_err)
{
        _cleanup_close_ int tree = -EBADF, target = -EBADF;
        struct mount_attr a;
        struct stat st;

        if (!m->source)
                return error_setx(ret_err, EINVAL, "bind mount needs a source");
        /* Clone the source first: from here on we hold the tree, whatever
         * happens to the source path. */
        tree = open_tree(AT_FDCWD, m->source,
                         OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive_bind ? AT_RECURSIVE : 0));
        if (tree < 0)
                return error_set(ret_err, errno, "open_tree %s", m->source);
        if (fstat(tree, &st) < 0)
                return error_set(ret_err, errno, "stat %s", m->source);

        bind_attrs(o, &a);
        if ((a.attr_set || a.attr_clr) &&
            mount_setattr(tree, "", AT_EMPTY_PATH | (o->recursive_bind ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0)
                return error_set(ret_err, errno, "set options of %s", m->source);

        target = open_dest(root_fd, m->destination, !S_ISDIR(st.st_mode), ret_err);
        if (target < 0)
                return target;
        if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return error_set(ret_err, errno, "move_mount");
        return 0;
}

/* Our own cgroup in the hierarchy whose controller field is `ctrls` ("" for
 * cgroup2), looked up in `self` (the text of /proc/self/cgroup). malloc'd,
 * NULL if not found. */
static char *own_cgroup(const char *self, const char *ctrls)
{
        size_t k = strlen(ctrls);

        for (const char *line = self; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                const char *a = strchr(line, ':'), *end = strchrnul(line, '\n');

                if (!a || a > end || strncmp(a + 1, ctrls, k) != 0 || a[1 + k] != ':')
                        continue;
                return strndup(a + 2 + k, (size_t)(end - (a + 2 + k)));
        }
        return NULL;
}

/* Inside a user namespace without a cgroup namespace of its own the kernel
 * refuses to mount cgroupfs (EPERM): bind the container's own cgroup from
 * the host instead, as runc does. */
static int bind_own_cgroup(int sub, const char *self, const char *name, const char *ctrls, bool ro, Error **ret_err)
{
        _cleanup_free_ char *own = self ? own_cgroup(self, ctrls) : NULL, *src = NULL;
        _cleanup_close_ int tree = -EBADF;

        if (!own || asprintf(&src, "/sys/fs/cgroup/%s%s", name, own) < 0)
                return error_setx(ret_err, ENOENT, "find own cgroup for %s", name);
        tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (tree < 0)
                return error_set(ret_err, errno, "open_tree %s", src);
        if (ro) {
                struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                    MOUNT_ATTR_NOEXEC };
                if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                        return error_set(ret_err, errno, "make %s read-only", src);
        }
        if (move_mount(tree, "", sub, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return error_set(ret_err, errno, "bind %s", src);
        return 0;
}

/* The cgroup hierarchies mounted at /sys/fs/cgroup/<name> on the host, from
 * /proc/self/mountinfo. A mount point listed twice was mounted over: the last
 * entry is the one in effect. */
typedef struct CgroupMount {
        char name[256];
        bool v2;
        char ctrls[512]; /* "cpu", "name=systemd": as /proc/self/cgroup names it */
} CgroupMount;

static bool is_controller_option(const char *t)
{
        static const char *const skip[] = { "rw",
                                            "ro",
                                            "xattr",
                                            "noprefix",
                                            "clone_children",
                                            "cpuset_v2_mode",
                                            "nsdelegate",
                                            "memory_recursiveprot",
                                            "favordynmods" };

        for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                if (streq(t, skip[i]))
                        return false;
        return strncmp(t, "release_agent=", 14) != 0;
}

/* Put cm into the list: over the entry of the same name (mounted over),
 * else at the end. */
static int cgroup_mounts_put(CgroupMount **v, size_t *n, const CgroupMount *cm, Error **ret_err)
{
        CgroupMount *nv;
        size_t k;

        for (k = 0; k < *n; k++)
                if (streq((*v)[k].name, cm->name))
                        break;
        if (k == *n) {
                nv = realloc(*v, (*n + 1) * sizeof(**v));
                if (!nv)
                        return error_set(ret_err, ENOMEM, "cgroup mounts");
                *v = nv;
                (*n)++;
        }
        (*v)[k] = *cm;
        return 0;
}

static int host_cgroup_mounts(CgroupMount **ret, size_t *ret_n, Error **ret_err)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        CgroupMount *v = NULL;
        size_t n = 0, cap = 0;

        if (!f)
                return error_set(ret_err, errno, "open /proc/self/mountinfo");
        while (getline(&line, &cap, f) > 0) {
                char mnt[4096], fstype[64], super[1024], *sep, *save = NULL;
                CgroupMount cm = { 0 };

                sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
                    sscanf(sep + 3, "%63s %*s %1023s", fstype, super) != 2)
                        continue;
                if ((!streq(fstype, "cgroup") && !streq(fstype, "cgroup2")) || strncmp(mnt, "/sys/fs/cgroup/", 15) != 0)
                        continue;
                if (!mnt[15] || strchr(mnt + 15, '/') || strlen(mnt + 15) >= sizeof(cm.name))
                        continue;
                strcpy(cm.name, mnt + 15);
                cm.v2 = streq(fstype, "cgroup2");
                if (!cm.v2)
                        for (char *t = strtok_r(super, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                                if (!is_controller_option(t))
                                        continue;
                                if (*cm.ctrls)
                                        strncat(cm.ctrls, ",", sizeof(cm.ctrls) - strlen(cm.ctrls) - 1);
                                strncat(cm.ctrls, t, sizeof(cm.ctrls) - strlen(cm.ctrls) - 1);
                        }
                if (cgroup_mounts_put(&v, &n, &cm, ret_err) < 0) {
                        free(v);
                        return -ENOMEM;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int rootfs_describe_cgroup_mounts(char **ret, Error **ret_err)
{
        _cleanup_free_ CgroupMount *cms = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n = 0, len = 0;
        int r;

        r = host_cgroup_mounts(&cms, &n, ret_err);
        if (r < 0)
                return r;
        text = calloc(n, sizeof(cms->name) + sizeof(cms->ctrls) + 8);
        if (!text && n > 0)
                return error_set(ret_err, ENOMEM, "cgroup mounts");
        for (size_t i = 0; i < n; i++)
                len += (size_t)sprintf(text + len, "%d %s %s\n", cms[i].v2, cms[i].name,
                                       *cms[i].ctrls ? cms[i].ctrls : "-");
        *ret = text ? TAKE_PTR(text) : strdup("");
        return *ret ? 0 : error_set(ret_err, ENOMEM, "cgroup mounts");
}

/* The inverse of rootfs_describe_cgroup_mounts(). */
static int parse_cgroup_mounts(const char *text, CgroupMount **ret, size_t *ret_n, Error **ret_err)
{
        CgroupMount *v = NULL;
        size_t n = 0;

        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                CgroupMount cm = { 0 };
                int v2;

                if (sscanf(line, "%d %255s %511s", &v2, cm.name, cm.ctrls) != 3) {
                        free(v);
                        return error_setx(ret_err, EPROTO, "malformed cgroup mount list from the runtime");
                }
                cm.v2 = v2 != 0;
                if (streq(cm.ctrls, "-"))
                        cm.ctrls[0] = '\0';
                if (cgroup_mounts_put(&v, &n, &cm, ret_err) < 0) {
                        free(v);
                        return -ENOMEM;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* In a user namespace without a cgroup namespace of its own, the cgroups
 * a container sees are the host's (its own, or a whole tree that came with
 * an rbind of /sys), and may belong to the user it is mapped to: whatever
 * the config says, they are read-only (CVE-2023-25809). */
static bool cgroups_forced_ro(const RootfsConfig *c)
{
        return c->userns && !c->cgroupns;
}

/* After an rbind of a host /sys (or /sys/fs/...): its fs/cgroup part
 * read-only, down the tree. */
static int cgroups_below_ro(int root_fd, const SpecMount *m, Error **ret_err)
{
        static const struct {
                const char *source, *below;
        } cases[] = { { "/sys", "fs/cgroup" }, { "/sys/fs", "cgroup" }, { "/sys/fs/cgroup", "" } };
        struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_free_ char *src = path_clean(m->source);

        for (size_t i = 0; src && i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *p = NULL;
                _cleanup_close_ int fd = -EBADF;

                if (!streq(src, cases[i].source))
                        continue;
                p = *cases[i].below ? path_join(m->destination, cases[i].below) : strdup(m->destination);
                if (!p)
                        return error_set(ret_err, ENOMEM, "mount");
                fd = path_open_in_root(root_fd, p, O_PATH | O_DIRECTORY, 0, NULL);
                if (fd < 0)
                        return 0; /* no cgroups there */
                if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0 && errno != EINVAL)
                        return error_set(ret_err, errno, "make %s read-only", p);
        }
        return 0;
}

/* cgroup v1 (and hybrid): a tmpfs at the destination with one directory per
 * hierarchy. With a cgroup namespace of its own the container mounts each
 * hierarchy (the kernel shows the namespace's root, its own cgroup); without
 * one, it gets its own cgroup bound from the host, never the whole tree. */
static int mount_cgroup_v1(const RootfsConfig *c, int root_fd, const SpecMount *m, const MountOpts *o, Error **ret_err)
{
        _cleanup_free_ CgroupMount *cms = NULL;
        _cleanup_free_ char *self = NULL;
        _cleanup_close_ int dest = -EBADF;
        size_t n = 0;
        char p[FD_PATH_MAX];
        unsigned long flags = (o->flags & ~(unsigned long)MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        bool ro = (o->flags & MS_RDONLY) || cgroups_forced_ro(c);
        int r;

        if (c->before_cgroup) {
                r = c->before_cgroup(c->userdata, ret_err);
                if (r < 0)
                        return r;
        }
        if (c->cgroup_tree && *c->cgroup_tree >= 0) {
                /* Built by the runtime (rootfs_build_cgroup_tree()). */
                dest = open_dest(root_fd, m->destination, false, ret_err);
                if (dest < 0)
                        return dest;
                if (move_mount(*c->cgroup_tree, "", dest, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        return error_set(ret_err, errno, "mount the cgroup tree");
                return 0;
        }
        if (c->cgroup_mounts && *c->cgroup_mounts)
                r = parse_cgroup_mounts(*c->cgroup_mounts, &cms, &n, ret_err);
        else
                r = host_cgroup_mounts(&cms, &n, ret_err);
        if (r < 0)
                return r;
        r = read_full_file("/proc/self/cgroup", &self, NULL, ret_err);
        if (r < 0)
                return r;
        dest = open_dest(root_fd, m->destination, false, ret_err);
        if (dest < 0)
                return dest;
        if (mount("tmpfs", fd_path(dest, p), "tmpfs", flags, "mode=755") < 0)
                return error_set(ret_err, errno, "mount tmpfs");
        dest = safe_close(dest);
        dest = path_open_in_root(root_fd, m->destination, O_PATH | O_DIRECTORY, 0, ret_err);
        if (dest < 0)
                return dest;

        for (size_t i = 0; i < n; i++) {
                const CgroupMount *cm = &cms[i];
                _cleanup_close_ int sub = -EBADF;
                int e = EPERM;

                if (mkdirat(dest, cm->name, 0755) < 0 && errno != EEXIST)
                        return error_set(ret_err, errno, "mkdir %s/%s", m->destination, cm->name);
                sub = openat(dest, cm->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        return error_set(ret_err, errno, "open %s/%s", m->destination, cm->name);
                if (c->cgroupns) {
                        if (mount(cm->v2 ? "cgroup2" : "cgroup", fd_path(sub, p), cm->v2 ? "cgroup2" : "cgroup", flags,
                                  cm->v2 ? NULL : cm->ctrls) == 0)
                                continue;
                        e = errno;
                        /* in a user namespace, v1 cgroupfs cannot be mounted: bind */
                        if (e != EPERM)
                                return error_set(ret_err, e, "mount %s (%s) on %s/%s", cm->v2 ? "cgroup2" : "cgroup",
                                                 cm->ctrls, m->destination, cm->name);
                }
                r = bind_own_cgroup(sub, self, cm->name, cm->v2 ? "" : cm->ctrls, false, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "%s/%s", m->destination, cm->name);
        }
        /* Read-only: the tmpfs and every hierarchy on it, in one call. */
        if (ro) {
                struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                    MOUNT_ATTR_NOEXEC };

                if (mount_setattr(dest, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                        return error_set(ret_err, errno, "make %s read-only", m->destination);
        }
        return 0;
}

static bool host_is_cgroup2(void);

/* The spec's one cgroup mount of the kind rootfs_build_cgroup_tree()
 * makes, or NULL. */
static const SpecMount *cgroup_tree_mount(const Spec *spec)
{
        const SpecMount *found = NULL;

        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];

                if (!m->type || !streq(m->type, "cgroup"))
                        continue;
                for (size_t k = 0; k < m->n_options; k++)
                        if (streq(m->options[k], "bind") || streq(m->options[k], "rbind"))
                                return NULL;
                if (found)
                        return NULL;
                found = m;
        }
        return found;
}

bool rootfs_cgroup_tree_wanted(const Spec *spec)
{
        return cgroup_tree_mount(spec) && !spec_namespace(spec, NS_CGROUP) && !spec_namespace(spec, NS_USER) &&
               spec_namespace(spec, NS_MNT) && !host_is_cgroup2();
}

int rootfs_build_cgroup_tree(const Spec *spec, const char *mounts_text, char *const *dirs, Error **ret_err)
{
        const SpecMount *m = cgroup_tree_mount(spec);
        _cleanup_free_ CgroupMount *cms = NULL;
        _cleanup_free_ char *self = NULL;
        _cleanup_close_ int fs = -EBADF, tree = -EBADF;
        MountOpts o;
        size_t n = 0;
        int r;

        if (!m || !mounts_text)
                return error_setx(ret_err, ENOENT, "no cgroup mount to build");
        r = mount_opts_parse(m->options, m->n_options, &o, ret_err);
        if (r < 0)
                return r;
        mount_opts_done(&o);
        r = parse_cgroup_mounts(mounts_text, &cms, &n, ret_err);
        if (r < 0)
                return r;
        fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "mode", "755", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return error_set(ret_err, errno, "make the cgroup tmpfs");
        tree = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (tree < 0)
                return error_set(ret_err, errno, "fsmount the cgroup tmpfs");
        for (size_t i = 0; i < n; i++) {
                const CgroupMount *cm = &cms[i];
                _cleanup_free_ char *prefix = NULL, *src = NULL, *own = NULL;
                _cleanup_close_ int bind = -EBADF;

                if (asprintf(&prefix, "/sys/fs/cgroup/%s/", cm->name) < 0)
                        return error_set(ret_err, ENOMEM, "cgroup tree");
                for (size_t k = 0; dirs && dirs[k] && !src; k++)
                        if (strncmp(dirs[k], prefix, strlen(prefix)) == 0 && !(src = strdup(dirs[k])))
                                return error_set(ret_err, ENOMEM, "cgroup tree");
                if (!src) {
                        /* A hierarchy without a directory of the container:
                         * the init is where we are (usually none such). */
                        if (!self && (r = read_full_file("/proc/self/cgroup", &self, NULL, ret_err)) < 0)
                                return r;
                        own = own_cgroup(self, cm->v2 ? "" : cm->ctrls);
                        if (!own || asprintf(&src, "/sys/fs/cgroup/%s%s", cm->name, own) < 0)
                                return error_setx(ret_err, ENOENT, "find own cgroup for %s", cm->name);
                }
                if (mkdirat(tree, cm->name, 0755) < 0)
                        return error_set(ret_err, errno, "mkdir %s in the cgroup tree", cm->name);
                bind = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
                if (bind < 0)
                        return error_set(ret_err, errno, "open_tree %s", src);
                if (move_mount(bind, "", tree, cm->name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                        return error_set(ret_err, errno, "bind %s into the cgroup tree", src);
        }
        if (o.flags & MS_RDONLY) {
                struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                    MOUNT_ATTR_NOEXEC };

                if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                        return error_set(ret_err, errno, "make the cgroup tree read-only");
        }
        return TAKE_FD(tree);
}

static bool host_is_cgroup2(void)
{
        struct stat st;

        /* /sys/fs/cgroup/cgroup.controllers exists only when the root of
         * /sys/fs/cgroup is a cgroup2 mount. */
        return stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0;
}

/* A mount whose content depends on the cgroup the init is in. */
static bool shows_cgroups(const SpecMount *m, const MountOpts *o)
{
        if (m->type && (streq(m->type, "cgroup") || streq(m->type, "cgroup2")))
                return true;
        return mount_is_bind(m, o) && m->source && strncmp(m->source, "/sys/fs/cgroup", 14) == 0 &&
               (m->source[14] == '\0' || m->source[14] == '/');
}

/* procfs and sysfs carry the kernel's view of the container (and LSMs
 * trust paths below them): they go onto a real directory only, never a
 * symlink (even one that stays in the rootfs) or a file, and nothing but
 * procfs goes onto /proc or below it, save the few files lxcfs emulates
 * (CVE-2019-16884, CVE-2019-19921, CVE-2023-27561). */
static int check_kernel_fs_mount(int root_fd, const SpecMount *m, const MountOpts *o, Error **ret_err)
{
        static const char *const lxcfs_files[] = {
                "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
                "/proc/swaps",   "/proc/uptime",    "/proc/loadavg", "/proc/slabinfo"
        };
        _cleanup_free_ char *dest = path_clean(m->destination);
        bool bind = mount_is_bind(m, o), is_proc = !bind && m->type && streq(m->type, "proc");

        if (!dest)
                return error_set(ret_err, ENOMEM, "mount");
        if (!bind && m->type && (streq(m->type, "proc") || streq(m->type, "sysfs"))) {
                _cleanup_close_ int fd = path_open_in_root(root_fd, dest, O_PATH | O_NOFOLLOW, 0, NULL);
                struct stat st;

                if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
                        return error_setx(ret_err, ENOTDIR,
                                          "%s cannot be mounted on %s: it is a %s in the rootfs, not a directory",
                                          m->type, dest, S_ISLNK(st.st_mode) ? "symlink" : "file");
        }
        if (!streq(dest, "/proc") && strncmp(dest, "/proc/", 6) != 0)
                return 0;
        if (streq(dest, "/proc")) {
                struct statfs sf;

                /* A bind of another procfs is a procfs too. */
                if (is_proc || (bind && m->source && statfs(m->source, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC))
                        return 0;
                return error_setx(ret_err, EPERM, "only a procfs may be mounted on /proc");
        }
        for (size_t i = 0; i < ELEMENTSOF(lxcfs_files); i++)
                if (bind && streq(dest, lxcfs_files[i]))
                        return 0;
        return error_setx(ret_err, EPERM, "%s is inside /proc: only %s may be bind-mounted there", dest,
                          "cpuinfo, diskstats, meminfo, stat, swaps, uptime, loadavg and slabinfo");
}

static int mount_one(const RootfsConfig *c, int root_fd, const SpecMount *m, Error **ret_err)
{
        _cleanup_close_ int target = -EBADF;
        _cleanup_free_ char *labelled = NULL; /* o.data with linux.mountLabel */
        MountOpts o;
        char p[FD_PATH_MAX];
        const char *type = m->type;
        unsigned long flags;
        bool v1_cgroup;
        int r;

        r = mount_opts_parse(m->options, m->n_options, &o, ret_err);
        if (r < 0)
                return r;
        r = check_kernel_fs_mount(root_fd, m, &o, ret_err);
        if (r < 0)
                goto out_noprop;
        v1_cgroup = !mount_is_bind(m, &o) && type && streq(type, "cgroup") && !host_is_cgroup2();
        /* (mount_cgroup_v1 calls it itself) */
        if (c->before_cgroup && !v1_cgroup && shows_cgroups(m, &o)) {
                r = c->before_cgroup(c->userdata, ret_err);
                if (r < 0)
                        goto out_noprop;
        }

        if (mount_is_bind(m, &o)) {
                r = mount_bind(root_fd, m, &o, ret_err);
                if (r >= 0 && cgroups_forced_ro(c) && m->source && o.recursive_bind)
                        r = cgroups_below_ro(root_fd, m, ret_err);
                goto out;
        }
        if (!type) {
                r = error_setx(ret_err, EINVAL, "mount type missing (and not a bind mount)");
                goto out;
        }
        if (v1_cgroup) {
                r = mount_cgroup_v1(c, root_fd, m, &o, ret_err);
                goto out;
        }
        if (streq(type, "cgroup"))
                type = "cgroup2";
        if (streq(type, "cgroup2") && !c->cgroupns) {
                /* No cgroup namespace: the container's own cgroup, bound
                 * from the host, not the host's whole tree. */
                target = open_dest(root_fd, m->destination, false, ret_err);
                if (target < 0) {
                        r = target;
                        goto out;
                }
                {
                        _cleanup_free_ char *self = NULL;

                        (void)read_full_file("/proc/self/cgroup", &self, NULL, NULL);
                        r = bind_own_cgroup(target, self, "", "", (o.flags & MS_RDONLY) || cgroups_forced_ro(c),
                                            ret_err);
                }
                goto out;
        }

        target = open_dest(root_fd, m->destination, false, ret_err);
        if (target < 0) {
                r = target;
                goto out;
        }
        flags = o.flags & ~(unsigned long)MS_REMOUNT;
        if (lsm_mount_data(c->spec, type, o.data, &labelled) < 0) {
                r = error_set(ret_err, ENOMEM, "mount options");
                goto out;
        }
        if (mount(m->source ? m->source : type, fd_path(target, p), type, flags, labelled ? labelled : o.data) < 0) {
                int e = errno;

                /* Inside a user namespace, sysfs needs a network namespace of
                 * our own and mqueue an ipc namespace of our own: the kernel
                 * refuses with EPERM otherwise. Bind the host's, as runc does. */
                if (e == EPERM && (streq(type, "sysfs") || streq(type, "mqueue"))) {
                        SpecMount b = *m;
                        char *bind_opts[] = { "rbind", NULL };
                        MountOpts bo;

                        b.source = streq(type, "sysfs") ? "/sys" : "/dev/mqueue";
                        mount_opts_done(&o);
                        if (mount_opts_parse(bind_opts, 1, &bo, ret_err) < 0)
                                return -EINVAL;
                        bo.flags = flags;
                        r = mount_bind(root_fd, &b, &bo, ret_err);
                        if (r >= 0 && cgroups_forced_ro(c))
                                r = cgroups_below_ro(root_fd, &b, ret_err);
                        mount_opts_done(&bo);
                        return r;
                }
                r = error_set(ret_err, e, "mount %s", type);
                goto out;
        }
        r = apply_propagation(root_fd, m->destination, o.propagation, ret_err);
        if (r >= 0)
                r = apply_rec_attrs(root_fd, m->destination, &o, ret_err);
        goto out_noprop;

out:
        if (r >= 0)
                r = apply_propagation(root_fd, m->destination, o.propagation, ret_err);
        if (r >= 0)
                r = apply_rec_attrs(root_fd, m->destination, &o, ret_err);
out_noprop:
        mount_opts_done(&o);
        (void)c;
        return r;
}

static const struct {
        const char *path;
        unsigned major, minor;
} default_devices[] = {
        { "/dev/null", 1, 3 },   { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
        { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

/* Create one device node; inside a user namespace mknod is refused, so bind
 * the host's node onto an empty file instead (runc does the same). */
static int make_device(int root_fd, const char *path, char type, unsigned major, unsigned minor, mode_t mode, uid_t uid,
                       gid_t gid, bool userns, Error **ret_err)
{
        _cleanup_free_ char *dir = strdup(path);
        _cleanup_close_ int dfd = -EBADF;
        const char *base;
        char *slash;
        mode_t fmt = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;

        if (!dir)
                return error_set(ret_err, ENOMEM, "device %s", path);
        slash = strrchr(dir, '/');
        if (!slash || !slash[1])
                return error_setx(ret_err, EINVAL, "device path %s is not a file path", path);
        *slash = '\0';
        base = slash + 1;
        dfd = path_mkdir_in_root(root_fd, *dir ? dir : "/", 0755, ret_err);
        if (dfd < 0)
                return dfd;

        if (userns && fmt != S_IFIFO) {
                SpecMount m = { .destination = (char *)path, .source = (char *)path };
                char *opts[] = { "bind", NULL };
                MountOpts o;
                int r;

                if (mount_opts_parse(opts, 1, &o, ret_err) < 0)
                        return -EINVAL;
                r = mount_bind(root_fd, &m, &o, ret_err);
                mount_opts_done(&o);
                if (r < 0)
                        return error_prefix(ret_err, "bind device %s from the host", path);
                return 0;
        }
        (void)unlinkat(dfd, base, 0);
        /* The init runs with umask 0 until the user's: the mode is exact. */
        if (mknodat(dfd, base, fmt | (mode & 07777), makedev(major, minor)) < 0)
                return error_set(ret_err, errno, "mknod %s", path);
        if (fchownat(dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set(ret_err, errno, "chown %s", path);
        return 0;
}

static bool has_mount_at(const Spec *spec, const char *dest)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                _cleanup_free_ char *c = path_clean(spec->mounts[i].destination);
                if (c && streq(c, dest))
                        return true;
        }
        return false;
}

static int setup_dev(const RootfsConfig *c, int root_fd, Error **ret_err)
{
        const Spec *spec = c->spec;
        static const struct {
                const char *target, *link;
        } links[] = {
                { "/proc/self/fd", "/dev/fd" },       { "/proc/self/fd/0", "/dev/stdin" },
                { "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
                { "pts/ptmx", "/dev/ptmx" },
        };
        _cleanup_close_ int dev = -EBADF;
        int r;

        /* A /dev bound from the host is the host's: leave it alone. */
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];
                _cleanup_free_ char *cl = path_clean(m->destination);

                if (cl && streq(cl, "/dev") &&
                    ((m->type && streq(m->type, "bind")) || strv_contains(m->options, "bind") ||
                     strv_contains(m->options, "rbind")))
                        return 0;
        }

        for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                bool overridden = false;

                for (size_t j = 0; j < spec->linux_.n_devices; j++)
                        if (streq(spec->linux_.devices[j].path, default_devices[i].path))
                                overridden = true;
                if (overridden)
                        continue;
                r = make_device(root_fd, default_devices[i].path, 'c', default_devices[i].major,
                                default_devices[i].minor, 0666, 0, 0, c->userns, ret_err);
                if (r < 0)
                        return r;
        }
        for (size_t j = 0; j < spec->linux_.n_devices; j++) {
                const SpecDevice *d = &spec->linux_.devices[j];
                _cleanup_free_ char *cl = path_clean(d->path);

                r = make_device(root_fd, cl ? cl : d->path, d->type == 'u' ? 'c' : d->type, (unsigned)d->major,
                                (unsigned)d->minor, d->has_file_mode ? d->file_mode : 0666, d->has_uid ? d->uid : 0,
                                d->has_gid ? d->gid : 0, c->userns, ret_err);
                if (r < 0)
                        return r;
        }

        dev = path_open_in_root(root_fd, "/dev", O_PATH | O_DIRECTORY, 0, ret_err);
        if (dev < 0)
                return dev;
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                const char *base = links[i].link + 5;

                if (streq(base, "ptmx") && !has_mount_at(spec, "/dev/pts"))
                        continue;
                (void)unlinkat(dev, base, 0);
                if (symlinkat(links[i].target, dev, base) < 0 && errno != EEXIST)
                        return error_set(ret_err, errno, "symlink %s", links[i].link);
        }
        return 0;
}

/* Make the mount that holds `path` private (not recursively): the mount
 * point is the topmost directory on the way up with path's mount id. */
static int make_mount_private(const char *path, Error **ret_err)
{
        _cleanup_free_ char *mp = realpath(path, NULL);
        struct statx sx;
        uint64_t id;

        if (!mp)
                return error_set(ret_err, errno, "resolve rootfs %s", path);
        if (statx(AT_FDCWD, mp, 0, STATX_MNT_ID, &sx) < 0)
                return error_set(ret_err, errno, "statx %s", mp);
        id = sx.stx_mnt_id;
        for (;;) {
                char *slash = strrchr(mp, '/');
                _cleanup_free_ char *up = NULL;

                if (!slash || streq(mp, "/"))
                        break;
                up = slash == mp ? strdup("/") : strndup(mp, (size_t)(slash - mp));
                if (!up)
                        return error_set(ret_err, ENOMEM, "rootfs mount");
                if (statx(AT_FDCWD, up, 0, STATX_MNT_ID, &sx) < 0)
                        return error_set(ret_err, errno, "statx %s", up);
                if (sx.stx_mnt_id != id)
                        break;
                free(mp);
                mp = TAKE_PTR(up);
        }
        if (mount(NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
                return error_set(ret_err, errno, "make %s private", mp);
        return 0;
}

int rootfs_setup(const RootfsConfig *c, Error **ret_err)
{
        const Spec *spec = c->spec;
        _cleanup_close_ int root_fd = -EBADF;
        unsigned long prop = MS_SLAVE | MS_REC;
        int r;

        /* Without a mount namespace of its own the container shares the
         * runtime's: the spec's mounts go into the rootfs there (runc and
         * crun do the same), and nothing else of the caller's mount table
         * may change: no propagation change, no pivot_root. */
        if (!c->new_mntns) {
                root_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0)
                        return error_set(ret_err, errno, "open rootfs %s", c->rootfs);
                goto mounts;
        }

        /* First make sure nothing we mount propagates back to the host. A
         * shared rootfsPropagation is applied to the rootfs later. */
        if (spec->linux_.rootfs_propagation) {
                unsigned long want = mount_propagation_from_string(spec->linux_.rootfs_propagation);
                if (want & (MS_PRIVATE))
                        prop = MS_PRIVATE | MS_REC;
                else if (want & MS_SHARED)
                        prop = 0;
        }
        if (prop == 0) {
                /* Shared: a shared bind mount (Docker's rshared volume) must
                 * stay a peer of the host's mount it comes from, which an
                 * rslave "/" would undo. So "/" keeps its propagation, as
                 * runc does, and only the mount holding the rootfs turns
                 * private: what we mount into the rootfs stays ours. */
                r = make_mount_private(c->rootfs, ret_err);
                if (r < 0)
                        return r;
        } else if (mount(NULL, "/", NULL, prop, NULL) < 0)
                return error_set(ret_err, errno, "make / %s", prop & MS_PRIVATE ? "rprivate" : "rslave");

        /* pivot_root needs the new root to be a mount point. */
        if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return error_set(ret_err, errno, "bind mount rootfs %s", c->rootfs);

        root_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return error_set(ret_err, errno, "open rootfs %s", c->rootfs);

mounts:
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];

                r = mount_one(c, root_fd, m, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "mounts[%zu] %s on %s", i, m->type ? m->type : "bind",
                                            m->destination);
        }
        r = setup_dev(c, root_fd, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "set up /dev");
        return 0;
}

int rootfs_pivot(const RootfsConfig *c, Error **ret_err)
{
        _cleanup_close_ int old = -EBADF, new = -EBADF;

        if (!c->new_mntns) {
                /* pivot_root here would swap the root of every process in
                 * the caller's namespace: a chroot is all we may do. */
                if (chdir(c->rootfs) < 0 || chroot(".") < 0 || chdir("/") < 0)
                        return error_set(ret_err, errno, "chroot %s", c->rootfs);
                return 0;
        }
        if (c->no_pivot) {
                if (chdir(c->rootfs) < 0)
                        return error_set(ret_err, errno, "chdir %s", c->rootfs);
                if (mount(c->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
                        return error_set(ret_err, errno, "move %s to /", c->rootfs);
                if (chroot(".") < 0)
                        return error_set(ret_err, errno, "chroot");
                if (chdir("/") < 0)
                        return error_set(ret_err, errno, "chdir /");
                return 0;
        }

        old = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (old < 0)
                return error_set(ret_err, errno, "open /");
        new = open(c->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (new < 0)
                return error_set(ret_err, errno, "open %s", c->rootfs);
        if (fchdir(new) < 0)
                return error_set(ret_err, errno, "chdir %s", c->rootfs);
        /* pivot_root(".", ".") stacks the old root on top of the new one;
         * detaching "." then leaves just the new root (no put_old dir in the
         * image needed). */
        if (pivot_root_(".", ".") < 0)
                return error_set(ret_err, errno, "pivot_root %s", c->rootfs);
        if (fchdir(old) < 0)
                return error_set(ret_err, errno, "chdir old root");
        /* Make the old root private before detaching it, or the unmount
         * would propagate to the host's mounts. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return error_set(ret_err, errno, "make old root rslave");
        if (umount2(".", MNT_DETACH) < 0)
                return error_set(ret_err, errno, "detach old root");
        if (chdir("/") < 0)
                return error_set(ret_err, errno, "chdir /");
        return 0;
}

/* The container's /dev/null, verified to be the null device (1:3) and
 * not, say, a symlink planted in a shared /dev that would have masking bind
 * a writable procfs file in its place (CVE-2025-31133). An O_PATH fd that
 * mask_path() binds from, so that nothing can swap it afterwards. */
static int open_dev_null(Error **ret_err)
{
        _cleanup_close_ int fd = path_open_in_root(AT_FDCWD, "/dev/null", O_PATH | O_NOFOLLOW, 0, NULL);
        struct stat st;

        if (fd < 0)
                return error_set(ret_err, -fd, "open /dev/null to mask paths with");
        if (fstat(fd, &st) < 0)
                return error_set(ret_err, errno, "stat /dev/null");
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
                return error_setx(ret_err, EPERM, "/dev/null in the container is not the null device (1:3): %s",
                                  S_ISLNK(st.st_mode) ? "a symlink" : "something else");
        return TAKE_FD(fd);
}

/* An empty, read-only tmpfs, mounted nowhere yet. */
static int masking_tmpfs(Error **ret_err)
{
        _cleanup_close_ int fs = -EBADF;
        int mnt;

        fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0)
                return error_set(ret_err, errno, "fsopen tmpfs");
        if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "0", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "mode", "000", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return error_set(ret_err, errno, "create tmpfs");
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
        if (mnt < 0)
                return error_set(ret_err, errno, "fsmount tmpfs");
        return mnt;
}

/* Mounted by fd (move_mount), never through /proc/self/fd/N: this runs after
 * pivot_root, where /proc is the container's, and with no procfs mounted
 * there the image's own /proc/self/fd/ would say where the mask goes. */
static int mask_path(const char *path, int *null_fd, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF, tree = -EBADF;
        struct stat st;

        fd = path_open_in_root(AT_FDCWD, path, O_PATH | O_NOFOLLOW, 0, NULL);
        if (fd < 0)
                return 0; /* nothing to mask */
        if (fstat(fd, &st) < 0)
                return error_set(ret_err, errno, "stat %s", path);
        if (S_ISDIR(st.st_mode)) {
                tree = masking_tmpfs(ret_err);
                if (tree < 0)
                        return error_prefix(ret_err, "mask %s", path);
        } else {
                if (*null_fd < 0 && (*null_fd = open_dev_null(ret_err)) < 0)
                        return *null_fd;
                tree = open_tree(*null_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
                if (tree < 0)
                        return error_set(ret_err, errno, "mask %s: open_tree /dev/null", path);
        }
        if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return error_set(ret_err, errno, "mask %s", path);
        return 0;
}

static int readonly_path(const char *path, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF, tree = -EBADF;
        struct mount_attr a = { .attr_set =
                                        MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };

        fd = path_open_in_root(AT_FDCWD, path, O_PATH | O_NOFOLLOW, 0, NULL);
        if (fd < 0)
                return 0;
        tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (tree < 0)
                return error_set(ret_err, errno, "open_tree %s", path);
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0) {
                /* Locked flags (from a less privileged namespace): try ro alone. */
                a.attr_set = MOUNT_ATTR_RDONLY;
                if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                        return error_set(ret_err, errno, "make %s read-only", path);
        }
        if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return error_set(ret_err, errno, "make %s read-only", path);
        return 0;
}

int rootfs_finalize(const RootfsConfig *c, Error **ret_err)
{
        _cleanup_close_ int null_fd = -EBADF;
        const Spec *spec = c->spec;
        int r;

        for (size_t i = 0; i < spec->linux_.n_readonly_paths; i++) {
                r = readonly_path(spec->linux_.readonly_paths[i], ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "linux.readonlyPaths[%zu]", i);
        }
        for (size_t i = 0; i < spec->linux_.n_masked_paths; i++) {
                r = mask_path(spec->linux_.masked_paths[i], &null_fd, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "linux.maskedPaths[%zu]", i);
        }
        /* Without a mount namespace "/" is a mount of the caller's: its
         * propagation and flags are not ours to change. */
        if (!c->new_mntns)
                return 0;
        if (spec->linux_.rootfs_propagation) {
                unsigned long prop = mount_propagation_from_string(spec->linux_.rootfs_propagation);
                if (prop && mount(NULL, "/", NULL, prop, NULL) < 0)
                        return error_set(ret_err, errno, "set rootfsPropagation %s", spec->linux_.rootfs_propagation);
        }
        if (spec->root_readonly) {
                struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
                /* Only the root mount itself: /proc, /dev, volumes keep their own. */
                if (mount_setattr(AT_FDCWD, "/", 0, &a, sizeof(a)) < 0)
                        return error_set(ret_err, errno, "make root read-only");
        }
        return 0;
}

int rootfs_setup_console(const Spec *spec, bool bind_console, Error **ret_err)
{
        _cleanup_close_ int master = -EBADF, peer = -EBADF, console = -EBADF;
        int unlock = 0;

        master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return error_set(ret_err, errno, "open /dev/ptmx (process.terminal needs a devpts mount on /dev/pts)");
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return error_set(ret_err, errno, "unlock pty");
        /* TIOCGPTPEER (Linux 4.13) opens the peer without a path lookup in
         * a /dev/pts the container controls. */
        peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (peer < 0)
                return error_set(ret_err, errno, "open pty peer");
        if (spec->process.has_console_size) {
                struct winsize ws = { .ws_row = (unsigned short)spec->process.console_size.height,
                                      .ws_col = (unsigned short)spec->process.console_size.width };
                if (ioctl(master, TIOCSWINSZ, &ws) < 0)
                        return error_set(ret_err, errno, "set console size");
        }
        console = bind_console ? path_mkfile_in_root(AT_FDCWD, "/dev/console", 0600, ret_err) : -EBADF;
        if (!bind_console) {
                /* nothing */
        } else if (console >= 0) {
                /* By fd, as mask_path() does: not through the container's
                 * /proc/self/fd. */
                _cleanup_close_ int tree = open_tree(peer, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

                if (tree < 0 ||
                    move_mount(tree, "", console, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        return error_set(ret_err, errno, "bind pty onto /dev/console");
        } else {
                return error_prefix(ret_err, "create /dev/console");
        }
        if (setsid() < 0 && errno != EPERM)
                return error_set(ret_err, errno, "setsid");
        if (ioctl(peer, TIOCSCTTY, 0) < 0)
                return error_set(ret_err, errno, "set controlling terminal");
        for (int i = 0; i < 3; i++)
                if (dup2(peer, i) < 0)
                        return error_set(ret_err, errno, "dup pty to fd %d", i);
        return TAKE_FD(master);
}
