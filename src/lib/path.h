#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include "lib/error.h"

/* Paths inside a container's rootfs are resolved with openat2(2)
 * RESOLVE_IN_ROOT, so that a symlink planted in the image (`/proc -> /`)
 * resolves inside the rootfs, never out to the host. Never build such paths
 * with string concatenation. */

/* Open `path` (absolute or relative, interpreted inside root_fd) with flags.
 * Returns the fd or -errno with *ret_err naming the path. */
int path_open_in_root(int root_fd, const char *path, int flags, mode_t mode, Error **ret_err);

/* mkdir -p `path` inside root_fd, each component created with mkdirat and
 * then opened O_PATH|O_NOFOLLOW relative to its verified parent. Returns an
 * O_PATH fd of the final directory. */
int path_mkdir_in_root(int root_fd, const char *path, mode_t mode, Error **ret_err);

/* Create (if missing) a regular file at `path` inside root_fd, making parent
 * directories as needed. Returns an O_PATH fd of the file. */
int path_mkfile_in_root(int root_fd, const char *path, mode_t mode, Error **ret_err);

/* "/proc/self/fd/N" into buf (at least 32 bytes). */
const char *fd_path(int fd, char *buf);
#define FD_PATH_MAX 32

/* Normalise a path lexically: collapse "//", "/./", and ".." (never above
 * "/"). Result is malloc'd; always absolute if `path` was. */
char *path_clean(const char *path);

/* Join dir and name with one '/'. malloc'd. */
char *path_join(const char *a, const char *b);
