#pragma once

#include <stdbool.h>

#include "lib/error.h"

/* Image references as Docker parses them (distribution/reference):
 *
 *     busybox                       -> docker.io/library/busybox:latest
 *     library/busybox:1.36          -> docker.io/library/busybox:1.36
 *     localhost:5000/app@sha256:... -> localhost:5000/app@sha256:...
 *
 * The first path component is a registry when it contains '.' or ':', is
 * "localhost", or has an upper-case letter; otherwise the registry is
 * docker.io, and a one-component name there gets "library/". A reference
 * with neither tag nor digest gets the tag "latest" (ref_parse), unless the
 * caller asked for a bare name (ref_parse_name). */

typedef struct ImageRef {
        char *domain; /* "docker.io", "localhost:5000" */
        char *path;   /* "library/busybox" */
        char *tag;    /* "latest", or NULL */
        char *digest; /* "sha256:<64 hex>", or NULL */
} ImageRef;

/* Parse and normalise `s`; a reference without a tag or digest gets
 * "latest". Returns 0 and a new ImageRef (free with ref_free), or -EINVAL
 * with *ret_err saying what is wrong ("invalid reference format: repository
 * name (Busybox) must be lowercase"). */
int ref_parse(const char *s, ImageRef **ret, Error **ret_err);

/* Like ref_parse() but no default tag: `husk images busybox` filters by
 * repository. */
int ref_parse_name(const char *s, ImageRef **ret, Error **ret_err);

void ref_free(ImageRef *r);
static inline void ref_freep(ImageRef **r)
{
        ref_free(*r);
}
#define _cleanup_ref_ _cleanup_(ref_freep)

/* "docker.io/library/busybox" (repository, no tag). malloc'd. */
char *ref_repo(const ImageRef *r);
/* The canonical full name: "docker.io/library/busybox:1.36",
 * "reg:5000/app@sha256:...", or with both. malloc'd. */
char *ref_string(const ImageRef *r);
/* The repository as Docker shows it: docker.io/ and library/ dropped
 * ("busybox", "me/app", "localhost:5000/app"). malloc'd. */
char *ref_familiar_repo(const ImageRef *r);
/* ref_string() in Docker's familiar form: "busybox:1.36". malloc'd. */
char *ref_familiar_string(const ImageRef *r);

/* Whether s is "sha256:" followed by 64 lower-case hex digits. */
bool digest_is_valid(const char *s);
/* Whether s is 64 lower-case hex digits. */
bool hex64_is_valid(const char *s);
