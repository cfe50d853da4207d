#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/spec.h"

/* cgroups on pure v2, pure v1 and hybrid hosts (v1 controllers under
 * /sys/fs/cgroup/<controller>, a cgroup2 mount at /sys/fs/cgroup/unified with
 * whatever controllers v1 does not hold). Each controller is used where it
 * lives. */

typedef enum CgroupLayout {
        CGROUP_LAYOUT_UNKNOWN,
        CGROUP_LAYOUT_V2,     /* /sys/fs/cgroup is cgroup2 */
        CGROUP_LAYOUT_V1,     /* v1 controllers, no unified mount */
        CGROUP_LAYOUT_HYBRID, /* v1 controllers plus cgroup2 at /sys/fs/cgroup/unified */
} CgroupLayout;

typedef enum CgroupManager {
        CGROUP_MANAGER_CGROUPFS,
        CGROUP_MANAGER_SYSTEMD,
        CGROUP_MANAGER_DISABLED,
} CgroupManager;

typedef struct Cgroup Cgroup;

/* The host's layout. The root is /sys/fs/cgroup unless HUSK_CGROUP_ROOT is
 * set (tests). Cached after the first call. */
CgroupLayout cgroup_layout(void);
const char *cgroup_layout_to_string(CgroupLayout l); /* "v2", "v1", "hybrid" */

/* Turn linux.cgroupsPath into the path used below each hierarchy root
 * (lexically cleaned, never above the root): absolute paths as given,
 * relative ones below the hierarchy roots too (runc takes them below its
 * own cgroup, which differs per v1 hierarchy), NULL/empty as "/<id>" (as runc and crun).
 * With the systemd manager, "slice:prefix:name" (empty: "system.slice:husk:<id>")
 * becomes "/<expanded slice>/<prefix>-<name>.scope" (a name ending in
 * ".slice": "/<expanded slice>/<name>"), the unit cgroup_create_unit() has
 * systemd make. Without systemd on the host (/run/systemd/system) that
 * manager is a clear error. Returns 0, *ret malloc'd. */
int cgroup_resolve_path(const char *cgroups_path, const char *id, CgroupManager manager, char **ret, Error **ret_err);

/* The systemd manager, between cgroup_create_part() (which makes nothing
 * for it) and cgroup_create_rest(): have systemd make the cgroup as a
 * transient unit (StartTransientUnit over D-Bus, libsystemd loaded on
 * first use): a scope holding pid, with the resources systemd knows as unit
 * properties, Delegate=yes, in the slice the path names; waits for the job.
 * A unit of that name that exists is an error (another container's). After
 * this, cgroup_destroy() stops the unit. Returns 0 (nothing done for the
 * other managers) or -errno. */
int cgroup_create_unit(Cgroup *cg, pid_t pid, const SpecResources *res, Error **ret_err);

/* Stop the systemd unit of a cgroup path that cgroup_open() no longer
 * finds (systemd collects an empty scope by itself, but keeps a failed one
 * and its name until it is reset). 0 for the other managers. */
int cgroup_stop_unit(const char *path, CgroupManager manager, Error **ret_err);

/* Create the cgroup in every hierarchy (mkdir -p, enabling controllers in
 * cgroup.subtree_control on v2 down the path), apply `res` (may be NULL),
 * and return a handle. When the cgroup exists already (a shared one), it is
 * reused and not removed by cgroup_destroy() unless we created it.
 * manager DISABLED: returns a handle that does nothing. */
int cgroup_create(const char *path, const SpecResources *res, CgroupManager manager, bool rootless, Cgroup **ret,
                  Error **ret_err);

/* The hierarchies an operation covers: the cgroup2 tree (all of a v2 host,
 * the unified mount of a hybrid one) and the v1 hierarchies. */
typedef enum CgroupPart {
        CGROUP_PART_V2 = 1 << 0,
        CGROUP_PART_V1 = 1 << 1,
        CGROUP_PART_ALL = CGROUP_PART_V2 | CGROUP_PART_V1,
} CgroupPart;

/* cgroup_create() in two steps, so that a runtime can clone its init
 * straight into the cgroup2 part (cgroup_unified_fd()) and make the rest
 * while the init sets up. cgroup_create_part() makes the directories of
 * `part` (using `res` only to know which v2 controllers to enable and which
 * hierarchies rootless may skip); cgroup_create_rest() makes the others and
 * applies `res` to all. On failure each removes what it made. With the
 * systemd manager, cgroup_create_part() makes nothing (and refuses a
 * rootless container): cgroup_create_unit() comes before
 * cgroup_create_rest(). */
int cgroup_create_part(const char *path, const SpecResources *res, CgroupManager manager, bool rootless,
                       CgroupPart part, Cgroup **ret, Error **ret_err);
int cgroup_create_rest(Cgroup *cg, const SpecResources *res, Error **ret_err);

/* Handle of an existing cgroup (for update/pause/kill/delete by a later
 * runtime invocation). Missing hierarchies are ignored; -ENOENT when the
 * cgroup exists in none of them. */
int cgroup_open(const char *path, CgroupManager manager, Cgroup **ret, Error **ret_err);

void cgroup_free(Cgroup *cg);
static inline void cgroup_freep(Cgroup **cg)
{
        cgroup_free(*cg);
}
#define _cleanup_cgroup_ _cleanup_(cgroup_freep)

/* An O_DIRECTORY fd of the cgroup2 directory (a v2 host's, or a hybrid
 * host's unified one) for clone3(CLONE_INTO_CGROUP); -EOPNOTSUPP when
 * there is none. Owned by the caller. */
int cgroup_unified_fd(Cgroup *cg);

/* Move pid into the cgroup in every hierarchy (cgroup_enter_part: those of
 * `part`). */
int cgroup_enter(Cgroup *cg, pid_t pid, Error **ret_err);
int cgroup_enter_part(Cgroup *cg, pid_t pid, CgroupPart part, Error **ret_err);

/* The `tasks` files of the v1 hierarchies, for a single-threaded process
 * that moves itself in by writing "0" to each: unlike a write to
 * cgroup.procs, that does not take the kernel's global threadgroup lock,
 * whose write side waits for an RCU grace period (10 ms and more, now and
 * then). NULL-terminated, malloc'd; empty when there are none. */
int cgroup_v1_tasks_files(const Cgroup *cg, char ***ret);
/* The host paths of all the container's cgroup directories (v1 and
 * cgroup2), NULL-terminated, malloc'd. Returns 0 or -ENOMEM. */
int cgroup_dir_paths(const Cgroup *cg, char ***ret);

/* Apply resources (update). Only the fields present are written. */
int cgroup_apply(Cgroup *cg, const SpecResources *res, Error **ret_err);

/* Freeze or thaw (v1 freezer.state FROZEN/THAWED, waiting until it settles;
 * v2 cgroup.freeze, waiting for cgroup.events frozen 1). */
int cgroup_freeze(Cgroup *cg, bool freeze, Error **ret_err);
/* Whether the cgroup is frozen now. */
bool cgroup_is_frozen(Cgroup *cg);

/* All pids in the cgroup (recursively), malloc'd array. */
int cgroup_pids(Cgroup *cg, pid_t **ret, size_t *ret_n, Error **ret_err);

/* Signal every process in the cgroup (cgroup.kill on v2 for SIGKILL). A
 * frozen cgroup is thawed after signalling so that the signal lands. */
int cgroup_kill_all(Cgroup *cg, int sig, Error **ret_err);

/* Kill what is left (SIGKILL), wait for it to empty, and rmdir the cgroup
 * in every hierarchy where we created it; with systemd, stop the unit. */
int cgroup_destroy(Cgroup *cg, Error **ret_err);

/* Statistics in runc's `events --stats` JSON shape ("memory", "cpu",
 * "pids", "blkio", "hugetlb"), as malloc'd JSON text (the "data" object). */
int cgroup_stats_json(Cgroup *cg, char **ret, Error **ret_err);

/* OOM notifications (`events`): v1 an eventfd on memory.oom_control, v2
 * inotify on memory.events and its oom_kill counter. -EOPNOTSUPP when the
 * cgroup has no memory controller. Free with cgroup_oom_watch_free(). */
typedef struct CgroupOomWatch CgroupOomWatch;
int cgroup_oom_watch(Cgroup *cg, CgroupOomWatch **ret, Error **ret_err);
void cgroup_oom_watch_free(CgroupOomWatch *w);
static inline void cgroup_oom_watch_freep(CgroupOomWatch **w)
{
        cgroup_oom_watch_free(*w);
}
#define _cleanup_oom_watch_ _cleanup_(cgroup_oom_watch_freep)
/* The fd to poll for POLLIN; owned by the watch. */
int cgroup_oom_watch_fd(const CgroupOomWatch *w);
/* Without blocking: *ret_oom tells whether there was an OOM event since
 * the last call (or since the watch was made). Returns 0, -ENODEV when the
 * cgroup was removed, or another -errno. */
int cgroup_oom_watch_read(CgroupOomWatch *w, bool *ret_oom);

/* The path this cgroup lives at (as resolved). */
const char *cgroup_path(const Cgroup *cg);

/* How many trailing components of the path cgroup_destroy() removes: what
 * cgroup_create() made (e.g. 2 for "/pod/web" when "/pod" was new, 0 for a
 * shared cgroup that existed), 1 after cgroup_open(). A runtime may keep it
 * in its state and restore it after cgroup_open() (0: never remove). */
unsigned cgroup_created_depth(const Cgroup *cg);
void cgroup_set_created_depth(Cgroup *cg, unsigned depth);
/* Count only the leaf as ours where we made more: the parents we made stay
 * when the leaf is removed (an engine's /husk, as dockerd's /docker). */
void cgroup_keep_parents(Cgroup *cg);
