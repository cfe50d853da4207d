#pragma once

/* Private to src/engine: a container's mounts (-v, --mount, --tmpfs,
 * --read-only, the image's Volumes) and the volume store.
 *
 * Volumes live as Docker's do, under the storage root:
 *
 *     volumes/<name>/_data         what the container sees
 *     volumes/<name>/volume.json   the record: Name, Driver, CreatedAt,
 *                                  Labels, Options, Scope (Docker's
 *                                  inspect shape without Mountpoint)
 *
 * Volumes are created and removed with the engine's lock held
 * (engine_lock), the same lock under which containers are created and
 * removed: a volume is "in use" when a container record names it in its
 * Mounts, and that cannot change while the lock is held. */
#include <jansson.h>
#include <stdbool.h>

#include "engine/engine-internal.h"
#include "image/imgspec.h"
#include "oci/spec.h"

/* Docker's label on a volume made for `-v /ctr` or an image's Volumes:
 * `rm -v` and `--rm` remove only these. */
#define VOLUME_ANON_LABEL "com.docker.volume.anonymous"

typedef struct EngineMounts EngineMounts;

/* Parse and check o's -v, --mount and --tmpfs (nothing is made): a bad
 * spec is -EINVAL with Docker's message. *ret new (engine_mounts_free). */
int engine_mounts_parse(const EngineCreateOpts *o, EngineMounts **ret, Error **ret_err);
void engine_mounts_free(EngineMounts *m);
static inline void engine_mounts_freep(EngineMounts **m)
{
        engine_mounts_free(*m);
}

/* With the engine's lock held: add the image's Volumes as anonymous
 * volumes, create the volumes that do not exist yet (filled from the
 * image's content at their mount point unless nocopy), create missing -v
 * host directories, check the propagation a bind asks for against its
 * source, and add everything to the spec (mounts, rootfsPropagation,
 * root.readonly). On failure engine_mounts_undo() removes what was made. */
int engine_mounts_apply(Engine *e, EngineMounts *m, const ImageConfig *ic, int rootfs_fd, Spec *spec, Error **ret_err);
/* Remove the volumes engine_mounts_apply created. Lock held. */
void engine_mounts_undo(Engine *e, EngineMounts *m);

/* Docker's record fields: HostConfig.Binds, .Mounts, .Tmpfs,
 * .ReadonlyRootfs, Config.Volumes and the top-level Mounts. */
int engine_mounts_record(const EngineMounts *m, json_t *rec);

/* Volume store, lock held. */
/* <storage>/volumes/<name>, malloc'd. */
char *volume_dir(Engine *e, const char *name);
/* Whether name is a valid local volume name. */
bool volume_name_valid(const char *name);
/* Create the volume unless it exists: 1 created, 0 existed. */
int volume_make(Engine *e, const char *name, char *const *labels, bool anonymous, Error **ret_err);
/* Remove the volume's directory and record. */
int volume_drop(Engine *e, const char *name, Error **ret_err);
/* Ids of the containers whose records mount the volume, malloc'd strv
 * (NULL when none). */
int volume_users(Engine *e, const char *name, char ***ret_ids, Error **ret_err);
/* Remove the anonymous volumes rec mounts that no other container uses
 * (the container is gone or going). Errors are ignored: the container's
 * removal has happened. */
void engine_volumes_drop_anonymous(Engine *e, json_t *rec);
