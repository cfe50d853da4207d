/* Container and image root filesystems: overlayfs over the store's layers.
 * The layout and the mount options are explained in rootfs.h. */
#include "image/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/ref.h"
#include "image/tree.h"
#include "image/unpack.h"
#include "lib/macros.h"
#include "lib/util.h"

/* overlayfs' own limit on lower layers (OVL_MAX_STACK). */
#define ROOTFS_MAX_LAYERS 500

bool rootfs_id_is_valid(const char *id)
{
        size_t n = id ? strlen(id) : 0;

        if (n == 0 || n > 128 || id[0] == '.' || id[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = id[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '.' || c == '-'))
                        return false;
        }
        return true;
}

/* The store's layers were unpacked privileged (trusted.overlay.*) exactly
 * when the CLI opened it as root in the initial user namespace; the same
 * test picks userxattr. */
static bool store_is_privileged(void)
{
        return geteuid() == 0 && running_in_init_userns();
}

static char *root_path(Store *s, const char *a, const char *b, const char *c)
{
        char *p = NULL;

        if (asprintf(&p, "%s/%s%s%s%s%s", store_root(s), a, b ? "/" : "", b ? b : "", c ? "/" : "", c ? c : "") < 0)
                return NULL;
        return p;
}

static int check_layers(const StoreImage *img, Error **ret_err)
{
        if (img->n_layers == 0)
                return error_setx(ret_err, EINVAL, "image %s has no layers", img->id);
        if (img->n_layers > ROOTFS_MAX_LAYERS)
                return error_setx(ret_err, E2BIG, "image %s has %zu layers: overlayfs stacks at most %d", img->id,
                                  img->n_layers, ROOTFS_MAX_LAYERS);
        for (size_t i = 0; i < img->n_layers; i++)
                if (!digest_is_valid(img->layers[i].diff_id))
                        return error_setx(ret_err, EINVAL, "image %s: layer %zu has an invalid diffID", img->id, i);
        return 0;
}

/* Whether path is the root of a mount: 1, 0, or -errno (-ENOENT when it
 * does not exist). */
static int is_mount_point(const char *path)
{
        struct statx sx;

        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0)
                return -errno;
        if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                return -EOPNOTSUPP; /* Linux < 5.8 */
        return !!(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* Append the kernel's own explanation of a failed fsconfig (the fs
 * context's log, "e overlay: ...") to the message: overlayfs says which
 * option it disliked there and only there. */
static int fs_fail(int fs, Error **ret_err, int code, const char *what)
{
        char log[512];
        ssize_t n;

        n = read(fs, log, sizeof(log) - 1);
        if (n > 2) {
                log[n] = '\0';
                log[strcspn(log, "\n")] = '\0';
                return error_set(ret_err, code, "%s (%s)", what, log + 2);
        }
        return error_set(ret_err, code, "%s", what);
}

static int fs_set(int fs, const char *key, const char *value, Error **ret_err)
{
        if (fsconfig(fs, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, value, 0) < 0) {
                _cleanup_free_ char *what = NULL;
                int saved = errno;
                if (asprintf(&what, "overlay option %s%s%s", key, value ? "=" : "", value ? value : "") < 0)
                        return error_set(ret_err, ENOMEM, "overlay option %s", key);
                return fs_fail(fs, ret_err, saved, what);
        }
        return 0;
}

/* The overlay as a detached mount, through fsopen/fsconfig/fsmount.
 * Lowers are given top first, as overlayfs stacks "lowerdir+" in order.
 * upper NULL: read-only, no work dir. -EOPNOTSUPP (no message) when the
 * kernel lacks "lowerdir+", for the caller to fall back. */
static int overlay_fsmount(Store *s, const StoreImage *img, const char *upper, const char *work, unsigned attr,
                           Error **ret_err)
{
        _cleanup_close_ int fs = -EBADF;
        int mnt;

        fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0) {
                if (errno == ENOSYS)
                        return -EOPNOTSUPP;
                return error_set(ret_err, errno, "fsopen overlay%s", errno == ENODEV ? " (no overlayfs)" : "");
        }
        for (size_t i = img->n_layers; i-- > 0;) {
                _cleanup_free_ char *dir = store_layer_dir(s, img->layers[i].diff_id);
                if (!dir)
                        return error_set(ret_err, ENOMEM, "layer %s", img->layers[i].diff_id);
                if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", dir, 0) < 0) {
                        /* Before Linux 6.8 the key is unknown: EINVAL on the
                         * very first one, and the classic string may work. */
                        if (errno == EINVAL && i == img->n_layers - 1)
                                return -EOPNOTSUPP;
                        return fs_fail(fs, ret_err, errno, dir);
                }
        }
        if (upper) {
                if (fs_set(fs, "upperdir", upper, ret_err) < 0 || fs_set(fs, "workdir", work, ret_err) < 0)
                        return error_code(*ret_err);
        }
        if (fs_set(fs, "index", "off", ret_err) < 0 || fs_set(fs, "redirect_dir", "off", ret_err) < 0 ||
            fs_set(fs, "metacopy", "off", ret_err) < 0)
                return error_code(*ret_err);
        if (!store_is_privileged() && fs_set(fs, "userxattr", NULL, ret_err) < 0)
                return error_code(*ret_err);
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return fs_fail(fs, ret_err, errno, "create overlay");
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, attr);
        if (mnt < 0)
                return error_set(ret_err, errno, "fsmount overlay");
        return mnt;
}

/* The classic mount(2) with one option string, for kernels without
 * "lowerdir+". `target`, `upper` and `work` are relative to the store root.
 * Every path in the string is relative to layers/, so that neither the
 * storage root's length nor a ',' or ':' in it matters; a child chdir()s
 * there and mounts, since the cwd is shared by all of the caller's threads. */
static int overlay_legacy_mount(Store *s, const StoreImage *img, const char *target, const char *upper,
                                const char *work, unsigned long flags, Error **ret_err)
{
        _cleanup_free_ char *layers = root_path(s, "layers", NULL, NULL), *opts = NULL, *tgt = NULL;
        long page = sysconf(_SC_PAGESIZE);
        size_t len = 0, cap;
        int status = 0;
        pid_t pid;

        if (!layers || asprintf(&tgt, "../%s", target) < 0)
                return error_set(ret_err, ENOMEM, "mount overlay");
        cap = img->n_layers * 72 + 256 + (upper ? strlen(upper) + strlen(work) : 0);
        opts = malloc(cap);
        if (!opts)
                return error_set(ret_err, ENOMEM, "mount overlay");
        len += (size_t)snprintf(opts + len, cap - len, "lowerdir=");
        for (size_t i = img->n_layers; i-- > 0;)
                len += (size_t)snprintf(opts + len, cap - len, "%s/diff%s", img->layers[i].diff_id + 7, i ? ":" : "");
        if (upper)
                len += (size_t)snprintf(opts + len, cap - len, ",upperdir=../%s,workdir=../%s", upper, work);
        len += (size_t)snprintf(opts + len, cap - len, ",index=off,redirect_dir=off,metacopy=off%s",
                                store_is_privileged() ? "" : ",userxattr");
        if (page > 0 && len >= (size_t)page)
                return error_setx(ret_err, E2BIG,
                                  "mount overlay: %zu layers need %zu bytes of mount options, past the kernel's "
                                  "limit of %ld; overlayfs \"lowerdir+\" (Linux 6.8) has no such limit, and "
                                  "this kernel lacks it or it was not used",
                                  img->n_layers, len, page);

        pid = fork();
        if (pid < 0)
                return error_set(ret_err, errno, "fork");
        if (pid == 0) {
                /* async-signal-safe calls only: the parent may have threads */
                if (chdir(layers) < 0)
                        _exit(errno & 0xff);
                if (mount("overlay", tgt, "overlay", flags, opts) < 0)
                        _exit(errno & 0xff);
                _exit(0);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_set(ret_err, errno, "waitpid");
        if (!WIFEXITED(status))
                return error_setx(ret_err, EIO, "mount overlay: the mounting child died");
        if (WEXITSTATUS(status) != 0)
                return error_set(ret_err, WEXITSTATUS(status), "mount overlay on %s/%s", store_root(s), target);
        return 0;
}

/* A one-layer image without an upper dir: overlayfs wants at least two
 * lowers then ("at least 2 lowerdir are needed while upperdir
 * nonexistent"), so the layer itself is bind-mounted read-only instead. */
static int bind_layer_readonly(Store *s, const StoreImage *img, const char *tgt, Error **ret_err)
{
        _cleanup_free_ char *dir = store_layer_dir(s, img->layers[0].diff_id);
        _cleanup_close_ int tree = -EBADF;
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };

        if (!dir)
                return error_set(ret_err, ENOMEM, "layer %s", img->layers[0].diff_id);
        tree = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0)
                return error_set(ret_err, errno, "open_tree %s", dir);
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return error_set(ret_err, errno, "mount_setattr %s read-only", dir);
        if (move_mount(tree, "", AT_FDCWD, tgt, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return error_set(ret_err, errno, "move_mount %s to %s", dir, tgt);
        return 0;
}

/* Mount img's overlay on store-relative `target`. */
static int overlay_mount(Store *s, const StoreImage *img, const char *target, const char *upper, const char *work,
                         bool readonly, const RootfsOpts *o, Error **ret_err)
{
        _cleanup_free_ char *tgt = root_path(s, target, NULL, NULL), *up = NULL, *wk = NULL;
        _cleanup_close_ int mnt = -EBADF;
        /* An image browsed from the host must not lend it setuid binaries or
         * device nodes; a container's rootfs needs both (the runtime masks /dev). */
        unsigned attr = readonly ? MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV : 0;
        unsigned long flags = readonly ? MS_RDONLY | MS_NOSUID | MS_NODEV : 0;
        int r;

        if (!tgt || (upper && (!(up = root_path(s, upper, NULL, NULL)) || !(wk = root_path(s, work, NULL, NULL)))))
                return error_set(ret_err, ENOMEM, "mount overlay");
        r = check_layers(img, ret_err);
        if (r < 0)
                return r;
        if (!upper && img->n_layers == 1)
                return bind_layer_readonly(s, img, tgt, ret_err);
        if (!(o && o->legacy_mount)) {
                mnt = overlay_fsmount(s, img, up, wk, attr, ret_err);
                if (mnt >= 0) {
                        if (move_mount(mnt, "", AT_FDCWD, tgt, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                return error_set(ret_err, errno, "move_mount overlay to %s", tgt);
                        return 0;
                }
                if (mnt != -EOPNOTSUPP)
                        return mnt;
        }
        return overlay_legacy_mount(s, img, target, upper, work, flags, ret_err);
}

/* rm -rf store-relative `rel`, by fds. */
static int remove_rel(Store *s, const char *rel)
{
        _cleanup_close_ int fd = open(store_root(s), O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return tree_remove(fd, rel);
}

static int unmount_path(const char *path, Error **ret_err)
{
        int r = is_mount_point(path);

        if (r == -ENOENT || r == 0)
                return 0;
        if (r < 0)
                return error_set(ret_err, -r, "statx %s", path);
        /* Not MNT_DETACH: a busy rootfs (a process still has its cwd there)
         * is an error to report, not a mount to hide while it stays alive. */
        if (umount2(path, UMOUNT_NOFOLLOW) < 0)
                return error_set(ret_err, errno, "umount %s", path);
        return 0;
}

int rootfs_create_dirs(Store *s, const char *id, Error **ret_err)
{
        static const char *const sub[] = { "upper", "work", "merged" };
        _cleanup_free_ char *top = NULL;
        int r;

        if (!rootfs_id_is_valid(id))
                return error_setx(ret_err, EINVAL, "invalid container id \"%s\"", id ? id : "");
        top = root_path(s, "containers", NULL, NULL);
        if (!top)
                return error_set(ret_err, ENOMEM, "container %s", id);
        if (mkdir(top, 0700) < 0 && errno != EEXIST)
                return error_set(ret_err, errno, "mkdir %s", top);
        free(top);
        top = root_path(s, "containers", id, NULL);
        if (!top)
                return error_set(ret_err, ENOMEM, "container %s", id);
        if (mkdir(top, 0700) < 0)
                return error_set(ret_err, errno, "mkdir %s", top);
        for (size_t i = 0; i < ELEMENTSOF(sub); i++) {
                _cleanup_free_ char *p = root_path(s, "containers", id, sub[i]);
                /* upper's root is the rootfs' "/": 0755 as an image's is */
                if (!p || mkdir(p, i == 0 ? 0755 : 0700) < 0) {
                        r = p ? -errno : -ENOMEM;
                        (void)remove_rel(s, top + strlen(store_root(s)) + 1);
                        return error_set(ret_err, -r, "mkdir %s/%s", top, sub[i]);
                }
        }
        return 0;
}

int rootfs_prepare(Store *s, const StoreImage *img, const char *id, const RootfsOpts *o, char **ret_merged,
                   Error **ret_err)
{
        _cleanup_free_ char *base = NULL, *merged = NULL, *upper = NULL, *work = NULL;
        int r;

        r = rootfs_create_dirs(s, id, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "prepare rootfs of %s", id);
        if (asprintf(&base, "containers/%s", id) < 0 || asprintf(&upper, "%s/upper", base) < 0 ||
            asprintf(&work, "%s/work", base) < 0 || asprintf(&merged, "%s/merged", base) < 0) {
                (void)remove_rel(s, base);
                return error_set(ret_err, ENOMEM, "prepare rootfs of %s", id);
        }
        r = store_lock(s, false, ret_err);
        if (r >= 0) {
                r = overlay_mount(s, img, merged, upper, work, false, o, ret_err);
                store_unlock(s);
        }
        if (r < 0) {
                (void)remove_rel(s, base);
                return error_prefix(ret_err, "prepare rootfs of %s", id);
        }
        if (ret_merged) {
                *ret_merged = root_path(s, merged, NULL, NULL);
                if (!*ret_merged) {
                        (void)rootfs_remove(s, id, NULL);
                        return error_set(ret_err, ENOMEM, "prepare rootfs of %s", id);
                }
        }
        return 0;
}

int rootfs_open_mount(Store *s, const StoreImage *img, const char *id, bool readonly, Error **ret_err)
{
        _cleanup_free_ char *upper = NULL, *work = NULL;
        int r;

        if (!rootfs_id_is_valid(id))
                return error_setx(ret_err, EINVAL, "invalid container id \"%s\"", id ? id : "");
        upper = root_path(s, "containers", id, "upper");
        work = root_path(s, "containers", id, "work");
        if (!upper || !work)
                return error_set(ret_err, ENOMEM, "rootfs of %s", id);
        r = check_layers(img, ret_err);
        if (r < 0)
                return r;
        r = store_lock(s, false, ret_err);
        if (r < 0)
                return r;
        r = overlay_fsmount(s, img, upper, work, readonly ? MOUNT_ATTR_RDONLY : 0, ret_err);
        store_unlock(s);
        if (r == -EOPNOTSUPP)
                return error_setx(ret_err, EOPNOTSUPP,
                                  "rootfs of %s: a detached overlay mount needs overlayfs \"lowerdir+\" (Linux 6.8)",
                                  id);
        if (r < 0)
                return error_prefix(ret_err, "rootfs of %s", id);
        return r;
}

int rootfs_is_mounted(Store *s, const char *id)
{
        _cleanup_free_ char *merged = NULL;
        int r;

        if (!rootfs_id_is_valid(id))
                return -EINVAL;
        merged = root_path(s, "containers", id, "merged");
        if (!merged)
                return -ENOMEM;
        r = is_mount_point(merged);
        return r == -ENOENT ? 0 : r;
}

int rootfs_remove(Store *s, const char *id, Error **ret_err)
{
        _cleanup_free_ char *merged = NULL, *base = NULL;
        int r;

        if (!rootfs_id_is_valid(id))
                return error_setx(ret_err, EINVAL, "invalid container id \"%s\"", id ? id : "");
        merged = root_path(s, "containers", id, "merged");
        if (!merged || asprintf(&base, "containers/%s", id) < 0)
                return error_set(ret_err, ENOMEM, "remove rootfs of %s", id);
        r = unmount_path(merged, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "remove rootfs of %s", id);
        r = remove_rel(s, base);
        if (r < 0)
                return error_set(ret_err, -r, "remove %s/%s", store_root(s), base);
        return 0;
}

/* image-mounts/<hex>, store-relative. */
static char *image_mount_rel(const StoreImage *img)
{
        char *p = NULL;

        if (!digest_is_valid(img->id) || asprintf(&p, "image-mounts/%s", img->id + 7) < 0)
                return NULL;
        return p;
}

int rootfs_image_mount(Store *s, const StoreImage *img, const RootfsOpts *o, char **ret_path, bool *ret_already,
                       Error **ret_err)
{
        _cleanup_free_ char *rel = image_mount_rel(img), *path = NULL, *top = NULL;
        int r;

        if (!rel || !(path = root_path(s, rel, NULL, NULL)) || !(top = root_path(s, "image-mounts", NULL, NULL)))
                return error_set(ret_err, ENOMEM, "mount image %s", img->id);
        r = store_lock(s, false, ret_err);
        if (r < 0)
                return r;
        r = is_mount_point(path);
        if (r == 1) {
                store_unlock(s);
                if (ret_already)
                        *ret_already = true;
                *ret_path = TAKE_PTR(path);
                return 0;
        }
        if ((mkdir(top, 0700) < 0 && errno != EEXIST) || (mkdir(path, 0755) < 0 && errno != EEXIST)) {
                r = error_set(ret_err, errno, "mkdir %s", path);
                store_unlock(s);
                return r;
        }
        r = overlay_mount(s, img, rel, NULL, NULL, true, o, ret_err);
        store_unlock(s);
        if (r < 0) {
                (void)unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
                return error_prefix(ret_err, "mount image %s", img->id);
        }
        if (ret_already)
                *ret_already = false;
        *ret_path = TAKE_PTR(path);
        return 0;
}

int rootfs_image_is_mounted(Store *s, const StoreImage *img)
{
        _cleanup_free_ char *rel = image_mount_rel(img), *path = NULL;
        int r;

        if (!rel || !(path = root_path(s, rel, NULL, NULL)))
                return -ENOMEM;
        r = is_mount_point(path);
        return r == -ENOENT ? 0 : r;
}

int rootfs_image_unmount(Store *s, const StoreImage *img, const char *name, Error **ret_err)
{
        _cleanup_free_ char *rel = image_mount_rel(img), *path = NULL;
        int r;

        if (!rel || !(path = root_path(s, rel, NULL, NULL)))
                return error_set(ret_err, ENOMEM, "unmount image %s", name);
        r = is_mount_point(path);
        if (r == 0 || r == -ENOENT)
                return error_setx(ret_err, EINVAL, "image is not mounted: %s", name);
        if (r < 0)
                return error_set(ret_err, -r, "statx %s", path);
        if (umount2(path, UMOUNT_NOFOLLOW) < 0)
                return error_set(ret_err, errno, "unmount image %s: umount %s", name, path);
        if (unlinkat(AT_FDCWD, path, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return error_set(ret_err, errno, "unmount image %s: rmdir %s", name, path);
        return 0;
}
