#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/partial.h"
#include "lib/error.h"

/* A client of the OCI distribution API v2 (Docker's registry protocol),
 * over libcurl:
 *
 *   - scheme: https, verified against the system CAs and those of the
 *     registry's certs.d directory (HUSK_CERTS_D, else /etc/husk/certs.d,
 *     then Docker's /etc/docker/certs.d; in <dir>/<host[:port]>, files
 *     named .crt are CAs, and NAME.cert with NAME.key a client
 *     certificate); registries on loopback
 *     (localhost, 127.0.0.0/8, ::1) and those marked insecure are tried
 *     over https without verification, then over plain http when they do
 *     not speak TLS, as Docker does;
 *   - auth: on a 401 the WWW-Authenticate challenge is answered, Bearer by
 *     a token request to its realm (with basic credentials when we have
 *     some), Basic with the credentials; the answer is cached per client;
 *   - redirects are followed (blobs are often served by a storage host),
 *     and curl drops our Authorization header when the host changes;
 *   - 5xx, 429 and connection errors are retried with backoff; a blob
 *     resumes with Range: from what its partial file holds.
 *
 * A Registry is used by several threads at once (one blob each); each
 * thread passes its own RegistryConn. */

/* ---- pure parts (registry-parse.c) ---- */

typedef struct RegistryChallenge {
        char *scheme; /* "bearer" or "basic", lower-cased */
        char *realm;
        char *service;
        char *scope;
} RegistryChallenge;

/* Parse a WWW-Authenticate header value. Several challenges may be given;
 * Bearer is preferred over Basic. Returns 0, -EINVAL when malformed or no
 * known scheme; *ret filled (free with registry_challenge_done). */
int registry_parse_challenge(const char *header, RegistryChallenge *ret);
void registry_challenge_done(RegistryChallenge *c);

typedef struct Platform {
        char os[32];
        char arch[32];
        char variant[32]; /* "" when none */
} Platform;

/* "linux/amd64", "linux/arm64/v8", "linux/arm/v7". -EINVAL if malformed. */
int platform_parse(const char *s, Platform *ret);
/* This machine's: linux/<Docker's arch name>, variant as Docker sets it
 * ("v8" on arm64, "" on amd64). */
void platform_host(Platform *ret);
/* How well an index entry's platform fits `want`: < 0 not at all, else a
 * score (higher is better). os and arch must match; a wanted variant must
 * match, except that a missing one in the entry is accepted with a lower
 * score (arm64 entries often have none); an entry's variant when none is
 * wanted is accepted, amd64 only for "" or "v1" (v2+ needs newer CPUs). */
int platform_match(const Platform *want, const char *os, const char *arch, const char *variant);
/* The digest (borrowed from index) of the best entry of an OCI index or
 * Docker manifest list for `want`, or -ENOENT with an error listing what
 * the index offers. */
int registry_index_select(json_t *index, const Platform *want, const char **ret_digest, Error **ret_err);

/* Docker's config.json "auths": the user and password for registry
 * (keys "host[:port]", "https://host/", and "https://index.docker.io/v1/"
 * for docker.io). Returns 1 and malloc'd strings, 0 when none, -errno. */
int docker_config_lookup(const char *json_text, const char *registry, char **ret_user, char **ret_pass,
                         Error **ret_err);
/* The key Docker uses for registry ("https://index.docker.io/v1/" for
 * docker.io, else registry itself). */
const char *docker_config_key(const char *registry);
/* $DOCKER_CONFIG/config.json or ~/.docker/config.json, malloc'd. */
char *docker_config_path(void);
/* Set (user non-NULL) or remove the auth of registry in the config file at
 * path, keeping its other contents; written atomically, mode 0600.
 * Removing returns -ENOENT when there was none. */
int docker_config_store(const char *path, const char *registry, const char *user, const char *pass, Error **ret_err);

/* Whether registry (a reference's domain, "127.0.0.1:5000") is spoken to
 * over plain http: loopback, or listed in `insecure` (comma-separated
 * "host[:port]" entries; may be NULL). */
bool registry_is_insecure(const char *registry, const char *insecure);

/* ---- the client (registry.c) ---- */

typedef struct Registry Registry;
typedef struct RegistryConn RegistryConn;

typedef struct RegistryOpts {
        const char *insecure; /* comma-separated registries spoken to over http */
        const char *user;     /* NULL: from the docker config file */
        const char *pass;
} RegistryOpts;

/* Called repeatedly while a blob downloads: bytes held so far (including
 * what a resumed download had already) and the total. Returning false
 * stops the download (registry_get_blob() fails with -ECANCELED; what was
 * written stays for a later resume). */
typedef bool (*RegistryProgressFn)(void *userdata, uint64_t done, uint64_t total);

int registry_open(const char *domain, const char *repo, const RegistryOpts *o, Registry **ret, Error **ret_err);
void registry_free(Registry *r);
static inline void registry_freep(Registry **r)
{
        registry_free(*r);
}
#define _cleanup_registry_ _cleanup_(registry_freep)

/* A connection (a curl handle, keeping its connections alive) for one
 * thread. NULL on ENOMEM. */
RegistryConn *registry_conn_new(Registry *r);
void registry_conn_free(RegistryConn *c);

/* GET /v2/ with the client's credentials (husk login): 0 when the
 * registry accepts them, -EACCES when it does not. repo may be "" for
 * this. */
int registry_ping(RegistryConn *c, Error **ret_err);

/* GET the manifest `reference` (tag or digest) with the Accept headers for
 * OCI indexes and manifests and Docker manifest lists and schema2. Checks
 * the body's sha256 against a digest reference and the
 * Docker-Content-Digest header. *ret_body (NUL-terminated), *ret_media_type
 * and *ret_digest ("sha256:...", computed) are malloc'd. An unknown image
 * is -ENOENT ("manifest unknown"). */
int registry_get_manifest(RegistryConn *c, const char *reference, char **ret_body, size_t *ret_len,
                          char **ret_media_type, char **ret_digest, Error **ret_err);

/* GET a small blob (an image config) into memory, checked against digest. */
int registry_get_blob_mem(RegistryConn *c, const char *digest, char **ret_body, size_t *ret_len, Error **ret_err);

/* GET blob `digest` into w, resuming at what w holds. The digest is checked
 * by whoever finishes w. */
int registry_get_blob(RegistryConn *c, const char *digest, PartialBlob *w, RegistryProgressFn progress, void *userdata,
                      Error **ret_err);
