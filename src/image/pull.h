#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "image/store.h"
#include "lib/error.h"

/* `husk pull`: a registry image into the store. The manifest (an index
 * resolved to the wanted platform) and config are fetched and verified,
 * the layers not in the store yet are downloaded in parallel into
 * resumable partial files, each checked against its digest and unpacked
 * (checked against the config's diffID) as soon as it is complete, and the
 * image is committed only when all of it is in: a failed pull lists
 * nothing. */

typedef enum PullLayerState {
        PULL_LAYER_WAITING,
        PULL_LAYER_EXISTS, /* already in the store */
        PULL_LAYER_DOWNLOADING,
        PULL_LAYER_DOWNLOADED,
        PULL_LAYER_EXTRACTING,
        PULL_LAYER_COMPLETE,
} PullLayerState;

typedef struct PullEvents {
        /* Layer i (of n) changed: state, bytes held and total. Called with
         * an internal lock held, from any thread, never concurrently. */
        void (*layer)(void *userdata, size_t i, size_t n, const char *digest, PullLayerState st, uint64_t done,
                      uint64_t total);
        /* A line for the user ("latest: Pulling from library/busybox"). */
        void (*line)(void *userdata, const char *line);
        void *userdata;
} PullEvents;

typedef struct PullOpts {
        const char *platform; /* "os/arch[/variant]"; NULL: this host's */
        const char *insecure; /* registries spoken to over http, comma-separated */
        const char *user;     /* NULL: credentials from the docker config file */
        const char *pass;
        unsigned jobs; /* parallel downloads; 0: 3 */
} PullOpts;

/* Pull `name`. Returns 0 with *ret_name (the full reference, malloc'd; may
 * be NULL), or -errno: -ENOENT for an unknown image or no matching
 * platform, -EACCES for auth, -EBADMSG for content that does not match its
 * digest, -EHOSTUNREACH for network errors (each naming the registry). */
int image_pull(Store *s, const char *name, const PullOpts *o, const PullEvents *ev, char **ret_name, Error **ret_err);
