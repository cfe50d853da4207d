#pragma once

#include <jansson.h>
#include <stdint.h>

#include "engine/engine.h"
#include "image/imgspec.h"
#include "lib/error.h"
#include "oci/spec.h"

/* `husk run`'s security, namespace, resource, label and stop flags
 * (EngineCreateOpts' section of them), with Docker's syntax, checks and
 * messages, applied to a container's OCI spec and recorded in its
 * HostConfig and Config under Docker's field names. */

/* One --ulimit ("nofile=1024[:2048]"): name as typed, soft and hard
 * (-1: unlimited); the hard limit defaults to the soft one. */
typedef struct HostUlimit {
        const char *name; /* static: "nofile" */
        int resource;     /* RLIMIT_NOFILE */
        int64_t soft, hard;
} HostUlimit;
/* Returns 0 or -EINVAL with go-units' message ("invalid ulimit type: x"). */
int hostconfig_parse_ulimit(const char *s, HostUlimit *ret, Error **ret_err);

/* One --device "/dev/x[:/dev/y][:rwm]": the parts, malloc'd (free them
 * with hostconfig_device_clear). Syntax only: the host path is looked at
 * when the container is made. */
typedef struct HostDevice {
        char *host, *container, *perms;
} HostDevice;
int hostconfig_parse_device(const char *s, HostDevice *ret, Error **ret_err);
void hostconfig_device_clear(HostDevice *d);

/* Whether --sysctl "key=value" is one Docker allows (kernel parameters
 * scoped to the container's ipc or network namespace). 0 or -EINVAL. */
int hostconfig_check_sysctl(const char *s, Error **ret_err);

/* Everything in o's section that can be checked without the host or other
 * containers: capability names, namespace modes, --security-opt syntax,
 * resource ranges and their combinations, ulimits, sysctls, devices, the
 * stop signal. 0 or -EINVAL with Docker's message. */
int hostconfig_validate(const EngineCreateOpts *o, Error **ret_err);

/* Apply o's section to the container's spec (after the image and the
 * engine's own adjustments): capabilities and seccomp, --privileged,
 * LSM labels, namespaces (a container:X mode joins X's, which must run),
 * /dev/shm, cgroup resources, devices, rlimits, sysctls, oom_score_adj and
 * extra groups (resolved in the spec's root). Returns 0 or -errno with
 * *ret_err set; spec may be half-changed on failure (the caller drops it). */
int hostconfig_apply_spec(Engine *e, const EngineCreateOpts *o, Spec *spec, Error **ret_err);

/* Running container `ref`'s record (new reference), for a container:X
 * mode: -ENOENT "No such container: X", or -EINVAL "cannot join <what> of
 * a non running container: X" (Docker's). Reads the record without
 * recovering it: the caller may hold the engine's lock, and a record whose
 * monitor is gone reads as not running all the same. */
int hostconfig_peer(Engine *e, const char *ref, const char *what, json_t **ret, Error **ret_err);

/* Before container id starts: join again the namespaces of the containers
 * its --pid/--ipc/--network container:X name, as they are now (X may have restarted
 * since the create, and its old init's pid may be another process's by
 * now). X must run. Returns 0 (nothing to do for other containers) or
 * -errno with *ret_err set. */
int hostconfig_rejoin(Engine *e, const char *id, Error **ret_err);

/* Add o's section to a new record: HostConfig's CapAdd ... GroupAdd and
 * Config's Labels (the image's and o's), StopSignal and StopTimeout.
 * Returns 0 or -ENOMEM. */
int hostconfig_apply_record(const EngineCreateOpts *o, const ImageConfig *ic, json_t *rec, Error **ret_err);
