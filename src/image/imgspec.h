#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/spec.h"

/* The image config (the OCI image config JSON, whose digest is the image
 * ID) applied to a runtime spec, with Docker's rules:
 *
 *   - process.args = Entrypoint + Cmd. A caller's Cmd replaces the image's;
 *     a caller's Entrypoint replaces the image's and also drops the image's
 *     Cmd (`docker run --entrypoint sh img` runs `sh`, not `sh <image cmd>`).
 *     Nothing at all: "no command specified".
 *   - process.env: the image's Env, then the caller's (same key: the
 *     caller's wins, in the image's position), then PATH if neither set it,
 *     HOSTNAME, and HOME from the user's passwd entry ("/" without one)
 *     unless set.
 *   - process.cwd: the caller's, else WorkingDir, else "/".
 *   - process.user: User resolved inside the rootfs (see imgspec_resolve_user).
 *   - hostname: the caller's, else the container id's first 12 characters.
 *   - ExposedPorts, Volumes, StopSignal, Labels: returned as an ImageConfig
 *     for the engine (ports to publish, anonymous volumes, how to stop). */

typedef struct ImageConfig {
        char **entrypoint; /* NULL-terminated, NULL when absent */
        char **cmd;
        char **env;
        char *working_dir;
        char *user;
        char **exposed_ports; /* "80/tcp", sorted; NULL when none */
        char **volumes;       /* "/data", sorted */
        char *stop_signal;    /* as written ("SIGQUIT"), NULL when absent */
        int stop_signo;       /* its number; SIGTERM when absent */
        char **labels;        /* "KEY=VALUE", sorted by key */
} ImageConfig;

/* Parse an image config (`what` names it in messages, e.g. the digest).
 * Types are checked (Env must be an array of strings, ...); a bad
 * StopSignal is an error. *ret is new (imgspec_config_free()). */
int imgspec_parse_config(const char *json, size_t len, const char *what, ImageConfig **ret, Error **ret_err);
void imgspec_config_free(ImageConfig *c);
static inline void imgspec_config_freep(ImageConfig **c)
{
        imgspec_config_free(*c);
}
#define _cleanup_image_config_ _cleanup_(imgspec_config_freep)

/* What `husk run` lets the user override. NULL: not given. */
typedef struct ImgSpecOverrides {
        char *const *entrypoint; /* --entrypoint; an empty list resets it ("--entrypoint ''") */
        char *const *cmd;        /* the command after the image name */
        char *const *env;        /* -e KEY=VALUE, NULL-terminated */
        const char *user;        /* -u */
        const char *workdir;     /* -w */
        const char *hostname;    /* -h */
        const char *id;          /* the container id, for the default hostname */
} ImgSpecOverrides;

typedef struct ImgSpecUser {
        uint32_t uid;
        uint32_t gid;
        uint32_t *additional_gids; /* malloc'd, may be NULL */
        size_t n_additional_gids;
        char *home; /* from passwd, malloc'd; "/" when unknown */
} ImgSpecUser;
void imgspec_user_clear(ImgSpecUser *u);

/* Resolve a Docker user spec against rootfs_fd's /etc/passwd and
 * /etc/group, read with openat2(RESOLVE_IN_ROOT) (a symlink planted as
 * /etc/passwd resolves inside the rootfs), regular files only, at most
 * 4 MiB each, malformed lines skipped:
 *
 *     ""             root (uid 0, gid 0)
 *     "name"         passwd entry "name": its uid and gid
 *     "1000"         passwd entry with uid 1000 if any, else uid 1000, gid 0
 *     "name:group"   "group" looked up in /etc/group; "uid:gid" numeric
 *
 * Supplementary groups: every group in /etc/group listing the user's name
 * as a member (when the user has a passwd entry), as Docker does, minus
 * the primary gid. A name that is not in the file is an error ("unable to
 * find user app: no matching entries in passwd file"); a missing file is
 * an empty one. Fills *ret (imgspec_user_clear() it) only on success. */
int imgspec_resolve_user(int rootfs_fd, const char *user, ImgSpecUser *ret, Error **ret_err);

/* The runtime spec for a container of this image: profile_default_spec()
 * (Docker's defaults) with the rules above applied; root.path is left as
 * the profile has it ("rootfs"). rootfs_fd: the container's rootfs (the
 * merged dir), for passwd and group. *ret_spec is new (spec_free()). */
int imgspec_build(const ImageConfig *ic, int rootfs_fd, const ImgSpecOverrides *o, Spec **ret_spec, Error **ret_err);
