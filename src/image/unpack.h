#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

/* Layer unpack: one OCI/Docker layer tarball (plain, gzip or zstd, told
 * apart by content) into a directory, as the layer's own tree for an
 * overlayfs lowerdir.
 *
 * Threat model: the tarball is hostile. Every entry is created relative to
 * the layer's root fd; parents are resolved with openat2(RESOLVE_IN_ROOT),
 * so a symlink in the layer (`etc -> /etc`, `up -> ../../..`) resolves
 * inside the layer, never on the host; the leaf is created with O_EXCL /
 * O_NOFOLLOW after removing what was there, so nothing is written through a
 * planted symlink or into a hard-linked inode; entry names and hard-link
 * targets that climb out with ".." are refused; trusted.overlay.* xattrs
 * from the archive are dropped (only whiteout translation sets them); entry
 * count and total size are bounded (tar bombs). */

typedef struct UnpackOpts {
        bool privileged;      /* owners, device nodes, trusted.overlay.opaque; else user.overlay.opaque */
        uint64_t max_entries; /* 0: UNPACK_DEFAULT_MAX_ENTRIES */
        uint64_t max_bytes;   /* file content and stream bytes; 0: UNPACK_DEFAULT_MAX_BYTES */
        /* The sha256 of the source as read, when the caller has verified it
         * already (the store hashes every blob on the way in): a plain tar
         * is then not hashed again, its diffID being that digest. A
         * compressed source is hashed regardless. NULL: hash. */
        const char *plain_digest;
} UnpackOpts;

#define UNPACK_DEFAULT_MAX_ENTRIES (1u << 20)
#define UNPACK_DEFAULT_MAX_BYTES   ((uint64_t)256 << 30)

typedef struct UnpackStats {
        uint64_t entries;
        uint64_t bytes;           /* sum of regular file sizes: the layer's size as Docker counts it */
        uint64_t skipped_devices; /* device nodes not made (unprivileged) */
        char diff_id[72];         /* "sha256:<hex>" of the uncompressed tar stream */
} UnpackStats;

/* Unpack the layer read from src_fd (read to its end) into dest_dirfd,
 * which should be empty. Returns 0 and fills *ret_stats (may be NULL), or
 * -errno with *ret_err naming the entry ("entry ../../etc/x: path escapes
 * the layer"). On failure dest_dirfd holds a partial tree: callers unpack
 * into a staging directory and remove it. */
int unpack_layer(int src_fd, int dest_dirfd, const UnpackOpts *o, UnpackStats *ret_stats, Error **ret_err);

typedef enum UnpackKind {
        UNPACK_PLAIN,    /* an ordinary entry */
        UNPACK_WHITEOUT, /* ".wh.NAME": NAME is deleted in this layer */
        UNPACK_OPAQUE,   /* ".wh..wh..opq": the directory hides lower layers' contents */
        UNPACK_SKIP,     /* other ".wh..wh." names (aufs metadata) */
} UnpackKind;

/* Turn a tar member name into a clean path relative to the layer root
 * ("./a//b/" -> "a/b", "/etc/x" -> "etc/x", "." for the root itself), and
 * classify its last component. *ret_path is malloc'd: for a whiteout it is
 * the path of the hidden file ("a/.wh.b" -> "a/b"), for an opaque marker the
 * directory ("a/.wh..wh..opq" -> "a"). -EXDEV when the name climbs out of
 * the layer with "..", -EINVAL for an empty name or a whiteout of "." or
 * "..". */
int unpack_classify(const char *name, char **ret_path, UnpackKind *ret_kind);
