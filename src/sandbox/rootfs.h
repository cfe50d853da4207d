#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "oci/spec.h"

/* The container's filesystem view, set up inside its new mount namespace.
 * Threat model: the rootfs is untrusted (an image may hold any symlink), and
 * another container sharing a volume may swap symlinks while we work. So
 * every destination is resolved with openat2(RESOLVE_IN_ROOT) to an O_PATH
 * fd and mounted through that fd (/proc/self/fd/N or move_mount), never
 * through a path string joined onto the rootfs. */

typedef struct RootfsConfig {
        const Spec *spec;
        const char *rootfs; /* absolute host path */
        bool userns;        /* a new user namespace: mknod is not allowed */
        bool new_mntns;
        bool cgroupns; /* the container has a cgroup namespace of its own */
        bool no_pivot;
        /* Called before each mount that shows cgroups (type cgroup or
         * cgroup2, a bind from /sys/fs/cgroup): the init must be in its
         * cgroup, and its cgroup namespace, by then. NULL: it already is. */
        int (*before_cgroup)(void *userdata, Error **ret_err);
        /* Where before_cgroup() leaves the runtime's
         * rootfs_describe_cgroup_mounts() text, if it got one; else the
         * hierarchies are read from mountinfo. */
        const char *const *cgroup_mounts;
        /* Where before_cgroup() leaves the tree of
         * rootfs_build_cgroup_tree(), if the runtime sent one (else -1):
         * mounted as it is. */
        const int *cgroup_tree;
        void *userdata;
} RootfsConfig;

/* Make the rootfs a mount point with the right propagation, then mount
 * spec->mounts in order and populate /dev. Runs before the createRuntime
 * hooks. */
int rootfs_setup(const RootfsConfig *c, Error **ret_err);

/* The host's cgroup hierarchies at /sys/fs/cgroup/<name>, from mountinfo,
 * as text for the init's cgroup mounts ("<1 if cgroup2> <name> <controllers
 * or ->" per line): the runtime reads it while the init sets up, so the
 * init need not. malloc'd. */
int rootfs_describe_cgroup_mounts(char **ret, Error **ret_err);

/* The v1 (or hybrid) cgroup mount of the spec, built by the runtime as a
 * detached tree while the init joins its cgroups, so that the init has
 * one move_mount to make instead of a tmpfs and a bind per hierarchy (a
 * fifth of its setup here). For the common case only: exactly one mount
 * of type cgroup, no cgroup namespace (the init then mounts cgroupfs
 * itself), no user namespace, a host with v1 hierarchies. */
bool rootfs_cgroup_tree_wanted(const Spec *spec);

/* Build it: a tmpfs with, for each hierarchy of `mounts_text`
 * (rootfs_describe_cgroup_mounts()), a recursive bind of the container's
 * own cgroup there: the directory in `dirs` (the cgroup's, host paths)
 * under that hierarchy, else the caller's own cgroup in it (which the init
 * shares, not having joined another). Read-only as the mount's options
 * say. Needs a kernel that mounts onto detached trees (Linux 6.15).
 * Returns the tree's fd or -errno. */
int rootfs_build_cgroup_tree(const Spec *spec, const char *mounts_text, char *const *dirs, Error **ret_err);

/* pivot_root into the rootfs and detach the old root (chroot with
 * no_pivot). */
int rootfs_pivot(const RootfsConfig *c, Error **ret_err);

/* After pivot: rootfsPropagation, maskedPaths, readonlyPaths, root.readonly. */
int rootfs_finalize(const RootfsConfig *c, Error **ret_err);

/* Open a new pty in the container (/dev/pts/ptmx), make its peer the
 * caller's controlling terminal and stdio, bind it onto /dev/console (the
 * init only: an exec'd process must not replace the init's console).
 * Returns the master fd. */
int rootfs_setup_console(const Spec *spec, bool bind_console, Error **ret_err);
