#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/spec.h"

/* The record the runtime keeps for each container in `<root>/<id>/state.json`,
 * and the OCI state document (`husk-runtime state`) derived from it.
 *
 * The record is written atomically (temp file, fsync, rename) by the runtime
 * under the container's lock; this module only converts it to and from JSON. */

typedef enum ContainerStatus {
        STATUS_CREATING,
        STATUS_CREATED,
        STATUS_RUNNING,
        STATUS_STOPPED,
        STATUS_PAUSED,
} ContainerStatus;

typedef struct ContainerRecord {
        char *id;
        char *bundle;                      /* absolute */
        char *rootfs;                      /* absolute */
        pid_t pid;                         /* init pid on the host, 0 when none */
        unsigned long long pid_start_time; /* /proc/PID/stat field 22, to detect pid reuse */
        ContainerStatus status;            /* as recorded at create; the live status comes from /proc and exec.fifo */
        char *created;                     /* RFC 3339 with nanoseconds, UTC */
        char *owner;                       /* user name or uid */
        char *cgroup_path;                 /* the cgroup path as resolved (relative to each hierarchy root) */
        unsigned cgroup_created_depth;     /* how many trailing levels of cgroup_path create made */
        bool rootless;
        bool systemd_cgroup;
        SpecKeyValue *annotations;
        size_t n_annotations;
} ContainerRecord;

void container_record_free(ContainerRecord *r);
static inline void container_record_freep(ContainerRecord **r)
{
        container_record_free(*r);
}
#define _cleanup_record_ _cleanup_(container_record_freep)

const char *container_status_to_string(ContainerStatus s); /* "created", ... */
int container_status_from_string(const char *s);           /* -EINVAL if unknown */

/* Serialise the record (internal format, a JSON object). Returns a malloc'd
 * NUL-terminated string or NULL on ENOMEM. */
char *container_record_to_json(const ContainerRecord *r);
/* Parse a record; `id` and `status` are required, the rest optional.
 * *ret is a new record (container_record_free() it). */
int container_record_from_json(const char *text, size_t len, const char *filename, ContainerRecord **ret,
                               Error **ret_err);

/* The OCI state document for `state`, as runc prints it: ociVersion
 * (SPEC_VERSION), id, pid (0 when status is stopped, as runc does), status,
 * bundle, rootfs, created, annotations (omitted when there are none), owner,
 * in that order. `pretty` indents with two spaces like runc, otherwise the
 * output is compact; no trailing newline. Returns malloc'd text or NULL.
 * `status` overrides r->status. */
char *oci_state_to_json(const ContainerRecord *r, ContainerStatus status, bool pretty);

/* `husk-runtime list --format json`: a compact array of the objects above,
 * one per record with its live status ("[]" when n is 0, where runc prints
 * "null"). */
char *oci_list_to_json(const ContainerRecord *const *records, const ContainerStatus *statuses, size_t n);

/* The default config.json that `spec` writes (runc's defaults: sh, terminal
 * true, the default mounts, masked/readonly paths, namespaces; with `rootless`
 * a user namespace with the caller's uid/gid mapped to 0, no network
 * namespace, rbind'ed /sys, no gid= for devpts). Byte for byte what runc 1.1
 * writes (tab indentation, no trailing newline) except ociVersion, which is
 * SPEC_VERSION. Returns malloc'd text or NULL on ENOMEM. */
char *spec_default_json(bool rootless, uid_t uid, gid_t gid);

/* The OCI features document (`features`), true to what husk implements,
 * indented with four spaces like runc's. Returns malloc'd text or NULL. */
char *features_json(void);
