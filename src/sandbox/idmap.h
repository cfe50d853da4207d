#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/spec.h"

/* Write the user namespace id maps of process `pid` from the parent side.
 *
 * Root in the initial namespace writes /proc/PID/{uid,gid}_map directly.
 * Unprivileged, a single mapping of the caller's own id is written directly
 * (after "deny" to setgroups, which the kernel requires for gid_map); several
 * ranges go through the setuid helpers newuidmap/newgidmap (package uidmap),
 * which check /etc/subuid and /etc/subgid.
 *
 * *ret_setgroups_denied tells the container whether setgroups(2) works. */
int idmap_write(pid_t pid, const SpecIdMap *uid, size_t n_uid, const SpecIdMap *gid, size_t n_gid,
                bool *ret_setgroups_denied, Error **ret_err);

/* "0 1000 1\n..." into a malloc'd string. */
char *idmap_format(const SpecIdMap *m, size_t n);
