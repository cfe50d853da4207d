#pragma once

#include "image/store.h"
#include "lib/error.h"

/* Image sources that come from files: `husk load` (docker-save tarballs and
 * OCI image layouts, as a directory or a tar, several images each) and
 * `husk import` (a rootfs tarball as a one-layer image). Every blob is
 * verified against the digest that names it, every layer against the
 * config's diffID, and nothing is listed until the whole image is in. */

/* Called once per image stored: its ID and the full names it got. */
typedef void (*LoadReportFn)(void *userdata, const char *id, char *const *tags);

/* Load `path` (a file: tar, maybe compressed; or a directory). Returns the
 * number of images stored, or -errno. Images committed before a failure
 * stay (they are complete); the one that failed leaves nothing. */
int image_load(Store *s, const char *path, LoadReportFn report, void *userdata, Error **ret_err);

/* Import a rootfs tarball read from fd as a one-layer image. `source` is
 * what the history says it came from; tag (a full name) may be NULL.
 * *ret_id gets the image ID, malloc'd. */
int image_import(Store *s, int fd, const char *source, const char *tag, char **ret_id, Error **ret_err);

/* Docker's architecture name for this machine ("amd64", "arm64"). */
const char *image_host_arch(void);
