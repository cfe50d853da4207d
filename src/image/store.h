#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* The content store under the storage root (/var/lib/husk, or
 * ~/.local/share/husk rootless):
 *
 *     lock                      flock: LOCK_SH to read or stage, LOCK_EX to commit or delete
 *     blobs/sha256/<hex>        manifests, configs and layer blobs, verified on the way in
 *     layers/<hex>/diff/        the unpacked layer, by diffID (an overlayfs lowerdir)
 *     layers/<hex>/layer.json   {"diffID", "size", "entries"}
 *     images/<hex>.json         one record per image, by image ID (the config digest)
 *     repositories.json         {"tags": {"docker.io/library/busybox:latest": "sha256:<id>"}}
 *     tmp/<random>/             a staging area (its own flock'ed lock file) per writer
 *
 * Crash safety: everything is staged under tmp/ and enters the store by
 * rename(2): blobs and layers first (after a syncfs, so that a name under
 * layers/ always means a complete tree on disk), then the image record
 * (write, fsync, rename), then the tag index. An image is listed only once
 * its record exists, and a record exists only when all it names does;
 * leftovers of a crash are unreferenced blobs and layers, which the next
 * garbage collection frees, and staging dirs whose lock nobody holds,
 * which the next writer removes. Layers are shared: a layer (or blob) is
 * freed when no image record names it any more. */

typedef struct Store Store;

typedef struct StoreOpts {
        bool privileged;            /* unpack with owners, devices, trusted.overlay.* */
        uint64_t max_layer_entries; /* 0: the unpack default */
        uint64_t max_layer_bytes;   /* 0: the unpack default */
} StoreOpts;

/* The default storage root: /var/lib/husk for root, else
 * $XDG_DATA_HOME/husk or ~/.local/share/husk. malloc'd, or NULL. */
char *store_default_root(void);

/* Open (creating its layout) the store at root. Returns 0 or -errno. */
int store_open(const char *root, const StoreOpts *o, Store **ret, Error **ret_err);
void store_close(Store *s);
static inline void store_closep(Store **s)
{
        store_close(*s);
}
#define _cleanup_store_ _cleanup_(store_closep)

/* Hold the store lock across several calls (shared or exclusive); calls
 * nest, the last unlock releases. Every function below takes what it needs
 * itself. */
int store_lock(Store *s, bool exclusive, Error **ret_err);
void store_unlock(Store *s);

/* ---- writing an image ---- */

typedef struct StoreTxn StoreTxn;

/* Begin staging an image; takes the store lock shared until commit or
 * abort, so that no garbage collection frees a layer this image reuses. */
int store_txn_begin(Store *s, StoreTxn **ret, Error **ret_err);
/* Drop everything staged. NULL is fine. */
void store_txn_abort(StoreTxn *t);
static inline void store_txn_abortp(StoreTxn **t)
{
        store_txn_abort(*t);
}
#define _cleanup_txn_ _cleanup_(store_txn_abortp)

/* The staging directory (an fd owned by the txn), for sources that unpack
 * an archive before reading it. */
int store_txn_dir_fd(StoreTxn *t);

/* Copy fd (read from its current offset to the end) into the txn as a blob,
 * hashing it; with `expect` ("sha256:<hex>") the content must have that
 * digest, or -EBADMSG with an error naming both digests. *ret_digest and
 * *ret_size (both may be NULL) receive what was stored; digest malloc'd. */
int store_txn_add_blob_fd(StoreTxn *t, int fd, const char *expect, char **ret_digest, uint64_t *ret_size,
                          Error **ret_err);
int store_txn_add_blob_mem(StoreTxn *t, const void *buf, size_t len, const char *expect, char **ret_digest,
                           Error **ret_err);

/* Make sure layer `diff_id` exists: unless the store has it already,
 * unpack the blob `blob_digest` (staged or stored) and check that its
 * uncompressed stream has diff_id (-EBADMSG otherwise). diff_id NULL: take
 * what the blob has, into *ret_diff_id (malloc'd; may be NULL). */
int store_txn_add_layer(StoreTxn *t, const char *blob_digest, const char *diff_id, char **ret_diff_id, Error **ret_err);

/* Commit the image whose manifest blob is `manifest` (staged or stored):
 * its config and layers must be in the txn or the store. Tags (full
 * names, "docker.io/library/busybox:latest") move to this image.
 * *ret_id (may be NULL) gets the image ID, malloc'd. What was staged is in
 * the store now; more images may be committed from the same txn (a
 * multi-image archive), and store_txn_abort() ends it. */
int store_txn_commit(StoreTxn *t, const char *manifest, char *const *tags, char *const *repo_digests, char **ret_id,
                     Error **ret_err);

/* Device nodes that layers unpacked through s had and that were not made
 * (unprivileged), for the CLI to note. */
uint64_t store_skipped_devices(const Store *s);

/* ---- reading ---- */

typedef struct StoreLayer {
        char *diff_id;
        char *digest;     /* the blob it came from */
        char *media_type; /* of that blob */
        uint64_t blob_size;
        uint64_t size; /* unpacked file bytes */
} StoreLayer;

typedef struct StoreImage {
        char *id;       /* "sha256:<hex>": the config digest */
        char *manifest; /* manifest blob digest */
        char *created;  /* RFC 3339, from the config (may be NULL) */
        char *loaded;   /* RFC 3339, when it entered the store */
        StoreLayer *layers;
        size_t n_layers;
        char **tags;         /* full names, sorted */
        char **repo_digests; /* "repo@sha256:..." */
        uint64_t size;
} StoreImage;

void store_image_free(StoreImage *img);
static inline void store_image_freep(StoreImage **img)
{
        store_image_free(*img);
}
#define _cleanup_store_image_ _cleanup_(store_image_freep)
void store_image_list_free(StoreImage **imgs, size_t n);

/* Every complete image, newest first. */
int store_list(Store *s, StoreImage ***ret, size_t *ret_n, Error **ret_err);

/* Find an image by "sha256:<hex>", a tag or digest reference ("busybox",
 * "reg:5000/a@sha256:..."), or a unique prefix of its ID's hex. When it was
 * found by a tag, *ret_tag (may be NULL) gets the full tag name. -ENOENT
 * with "No such image: NAME". */
int store_lookup(Store *s, const char *name, StoreImage **ret, char **ret_tag, Error **ret_err);

/* Point tag (a full name) at image `id`. */
int store_tag(Store *s, const char *id, const char *tag, Error **ret_err);
/* Remove tag (a full name); -ENOENT if it is not there. */
int store_untag(Store *s, const char *tag, Error **ret_err);
/* Remove image `id`'s record and tags, then free what no image uses.
 * *ret_freed (may be NULL) gets the diffIDs of the layers freed. */
int store_delete(Store *s, const char *id, char ***ret_freed, Error **ret_err);
/* Free layers and blobs no image names. */
int store_gc(Store *s, char ***ret_freed, Error **ret_err);

/* A blob's content, malloc'd and NUL-terminated (for JSON). */
int store_read_blob(Store *s, const char *digest, char **ret, size_t *ret_len, Error **ret_err);
/* An fd (O_RDONLY) of a stored blob. */
int store_open_blob(Store *s, const char *digest, Error **ret_err);
/* Whether layer diff_id is in the store (complete). */
bool store_has_layer(Store *s, const char *diff_id);
/* The path of layer diff_id's tree, malloc'd. */
char *store_layer_dir(Store *s, const char *diff_id);
const char *store_root(Store *s);
