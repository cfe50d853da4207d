#pragma once

/* Remove whatever is at dirfd/name (a tree, if need be), by fds, never
 * following a symlink. 0 (also when nothing is there) or -errno. */
int tree_remove(int dirfd, const char *name);
