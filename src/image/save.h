#pragma once

#include "image/store.h"
#include "lib/error.h"

/* `husk save`: images out as one tar that is both an OCI image layout
 * (oci-layout, index.json, blobs/sha256/) and a docker-save archive
 * (manifest.json naming the same blobs), as Docker 25 writes it. Each name
 * is looked up like `husk image inspect`'s; a name that is a tag is saved
 * with that tag, an ID without one. Blobs are written as stored (layers
 * compressed or not, as they came). Returns 0 or -errno. */
int image_save(Store *s, char *const *names, int out_fd, Error **ret_err);
