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
        void *userdata;
} RootfsConfig;

/* Make the rootfs a mount point with the right propagation, then mount
 * spec->mounts in order and populate /dev. Runs before the createRuntime
 * hooks. */
int rootfs_prepare(const RootfsConfig *c, Error **ret_err);

/* The host's cgroup hierarchies at /sys/fs/cgroup/<name>, from mountinfo,
 * as text for the init's cgroup mounts ("<1 if cgroup2> <name> <controllers
 * or ->" per line): the runtime reads it while the init sets up, so the
 * init need not. malloc'd. */
int rootfs_describe_cgroup_mounts(char **ret, Error **ret_err);

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
