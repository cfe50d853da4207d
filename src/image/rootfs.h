#pragma once

#include <stdbool.h>

#include "image/store.h"
#include "lib/error.h"

/* Root filesystems made from an image: an overlayfs whose lowerdirs are the
 * image's unpacked layers (layers/<diffid>/diff in the store, shared by
 * every image and container that uses them, never written), with a private
 * upper and work dir per container. Under the storage root:
 *
 *     containers/<id>/upper/     the container's changes: new and changed
 *                                files, whiteouts (char 0:0) for deletions
 *     containers/<id>/work/      overlayfs' scratch dir (same filesystem as upper)
 *     containers/<id>/merged/    where the rootfs is mounted (rootfs_prepare)
 *     image-mounts/<hex>/        `husk image mount`: the image read-only, no
 *                                upper, <hex> being the image ID's
 *
 * Mount options, and why:
 *   - index=off: with the inodes index on, overlayfs records in the upper
 *     dir which lower root it was first mounted over and refuses to mount
 *     it over anything else; our lowers are shared between many overlays and
 *     an image's layer list is fixed, so the index buys nothing here
 *     (it matters for NFS export and hard links broken by copy-up).
 *   - redirect_dir=off, metacopy=off: a renamed directory is then copied up
 *     whole (rename(2) of a lower dir gets EXDEV and userspace copies), and
 *     a chmod copies data too, so the upper dir stays a plain tree of
 *     changes plus whiteouts and opaque markers: what a layer tarball can
 *     express (a future `commit` tars it), with no xattr pointing into the
 *     lowers. Docker's overlay2 makes the same choice.
 *   - userxattr when the store is unprivileged (not root in the initial
 *     user namespace): its layers carry user.overlay.opaque, as
 *     unpack_layer() writes them unprivileged, and overlayfs writes
 *     user.overlay.* in the upper.
 *
 * Many layers: the classic mount(2) option string is limited to one page,
 * which full paths exhaust at a few dozen layers. The new mount API passes
 * each lower separately (fsconfig "lowerdir+", Linux 6.8), which has no such
 * limit (overlayfs itself allows 500 lowers). Where the kernel lacks
 * "lowerdir+", the option string is built with paths relative to the
 * store's layers/ dir, from a child process that chdir()s there (the cwd is
 * process-wide; the engine may have threads), which fits about 58 layers;
 * beyond, -E2BIG with a message saying so. */

typedef struct RootfsOpts {
        /* Use the classic option string even where "lowerdir+" works (to
         * test the fallback). */
        bool legacy_mount;
} RootfsOpts;

/* Whether `id` is usable as a container directory name: 1 to 128 of
 * [A-Za-z0-9_.-], not starting with '.' or '-'. */
bool rootfs_id_is_valid(const char *id);

/* Create containers/<id>/{upper,work,merged} (-EEXIST if containers/<id>
 * exists) and mount the overlay of img's layers plus that upper on merged.
 * The store lock is held shared meanwhile, so no garbage collection frees
 * a layer under the mount. *ret_merged (may be NULL) gets the merged path,
 * malloc'd. On failure nothing is left: no mount, no directory. */
int rootfs_prepare(Store *s, const StoreImage *img, const char *id, const RootfsOpts *o, char **ret_merged,
                   Error **ret_err);

/* The same overlay, as a detached mount (fsmount(2)) for the engine to
 * move_mount() where it wants, e.g. inside a new mount namespace. The
 * container dir must exist (rootfs_prepare() made it, or
 * rootfs_create_dirs()). Needs "lowerdir+" (Linux 6.8): -EOPNOTSUPP
 * otherwise. Returns the mount fd (O_CLOEXEC) or -errno. */
int rootfs_create_dirs(Store *s, const char *id, Error **ret_err);
int rootfs_open_mount(Store *s, const StoreImage *img, const char *id, bool readonly, Error **ret_err);

/* Unmount containers/<id>/merged (0 if it is not mounted), then remove
 * containers/<id> and the changes in it. The layers are untouched. */
int rootfs_remove(Store *s, const char *id, Error **ret_err);

/* Whether containers/<id>/merged is a mount point: 1, 0, or -errno. */
int rootfs_is_mounted(Store *s, const char *id);

/* `husk image mount`: mount img read-only (no upper) on image-mounts/<hex>
 * and give its path in *ret_path (malloc'd). When it is mounted already,
 * the same path, and *ret_already (may be NULL) true: nothing is stacked. */
int rootfs_image_mount(Store *s, const StoreImage *img, const RootfsOpts *o, char **ret_path, bool *ret_already,
                       Error **ret_err);

/* Whether img is mounted by rootfs_image_mount(): 1, 0 or -errno. Image
 * removal asks first: freeing layers under a live overlay would empty it. */
int rootfs_image_is_mounted(Store *s, const StoreImage *img);

/* Unmount image-mounts/<hex> and remove the dir. -EINVAL with "image is
 * not mounted: NAME" when it is not mounted (name: what the user typed). */
int rootfs_image_unmount(Store *s, const StoreImage *img, const char *name, Error **ret_err);
