#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/store.h"
#include "lib/error.h"
#include "runtime/runtime.h"

/* The engine: containers as records, without a daemon.
 *
 * Under the storage root (next to the images, see image/store.h):
 *
 *     containers/.lock                 flock: LOCK_EX while names are checked and
 *                                      records created, written or removed
 *     containers/<id>/container.json   the record, Docker's inspect shape (Id,
 *                                      Name, Created, Path, Args, State, Image,
 *                                      Config, HostConfig, Mounts), written
 *                                      atomically (write, fsync, rename)
 *     containers/<id>/config.json      the OCI spec the container runs with
 *     containers/<id>/<id>-json.log    Docker's json-file log
 *     containers/<id>/{resolv.conf,hosts,hostname}  bind-mounted on its /etc
 *                                      files (engine/netfiles.h)
 *     containers/<id>/{upper,work,merged}/  the rootfs (image/rootfs.h)
 *
 * Under the state root (/run/husk, HUSK_STATE or --state):
 *
 *     runtime/<id>/      the runtime library's state (runtime.h)
 *     monitors/<id>.lock held (flock LOCK_EX) by the container's monitor for
 *                        as long as it lives: a record that says "running"
 *                        while nobody holds its lock lost its monitor (a
 *                        crash, a reboot) and is turned into "exited"
 *                        the next time anyone reads it.
 *
 * A record is created only after its rootfs is mounted, and the rootfs is
 * removed when writing the record fails, so that a failed create leaves
 * nothing. Ids are 64 hex digits from getrandom(2). */

typedef struct Engine Engine;

/* Open the engine over an opened store (not owned) with its state root
 * (NULL: the default). */
int engine_open(Store *store, const char *state_root, Engine **ret, Error **ret_err);
/* As engine_open, for questions only (engine_list, engine_load,
 * engine_image_user): creates no directory. */
int engine_open_query(Store *store, const char *state_root, Engine **ret, Error **ret_err);
void engine_close(Engine *e);
static inline void engine_closep(Engine **e)
{
        engine_close(*e);
}
#define _cleanup_engine_ _cleanup_(engine_closep)

/* The default state root: /run/husk for root, else $XDG_RUNTIME_DIR/husk.
 * malloc'd. */
char *engine_default_state_root(void);

typedef struct EngineCreateOpts {
        const char *image; /* as the user typed it */
        const char *name;  /* NULL: generated */
        char *const *entrypoint;
        char *const *cmd;
        char *const *env;
        const char *user;
        const char *workdir;
        const char *hostname;
        char *const *volumes; /* -v: "host:ctr[:opts]", "name:ctr[:opts]", "/ctr" */
        const char *network;  /* "bridge" (default), "none", "host", "container:X" */
        char *const *publish; /* -p specs */
        bool publish_all;     /* -P */
        /* the network files and the interface (engine/netfiles.h) */
        char *const *dns;          /* --dns: nameserver addresses */
        char *const *dns_search;   /* --dns-search: domains ("." for none) */
        char *const *dns_options;  /* --dns-option: resolv.conf options */
        char *const *add_hosts;    /* --add-host "name:ip", ip "host-gateway" */
        const char *mac_address;   /* --mac-address: eth0's, for the bridge */
        const char *cgroup_parent; /* default $HUSK_CGROUP_PARENT, else "/husk" */
        bool auto_remove;          /* --rm */
        bool interactive;          /* -i */
        bool tty;                  /* -t */

        /* on a user-defined network (engine/networks.h) */
        const char *ip;               /* --ip: user-defined networks only */
        char *const *network_aliases; /* --network-alias */

        /* mounts: --mount, --tmpfs, --read-only, named volumes */
        char *const *mounts; /* --mount "type=bind,source=..,target=.." */
        char *const *tmpfs;  /* --tmpfs "/path[:opts]" */
        bool read_only;      /* --read-only */

        /* security, namespaces, resources, labels, stop signal
         * (engine/hostconfig.h; lists NULL-terminated, NULL when not given) */
        char *const *cap_add;  /* "NET_ADMIN", "cap_net_admin", "ALL" */
        char *const *cap_drop; /* the same */
        bool privileged;
        char *const *security_opt; /* "seccomp=unconfined", "seccomp=<profile JSON>",
                                    * "no-new-privileges[=bool]", "label=...", "apparmor=..." */
        const char *pid_mode;      /* NULL, "host", "container:X" */
        const char *ipc_mode;      /* NULL (private), "host", "private", "shareable", "none", "container:X" */
        const char *uts_mode;      /* NULL, "host" */
        int64_t memory;            /* bytes; 0: no limit */
        int64_t memory_swap;       /* memory + swap; 0: twice memory, -1: unlimited */
        int64_t memory_reservation;
        int64_t nano_cpus; /* --cpus in billionths of a CPU */
        int64_t cpu_shares, cpu_quota, cpu_period;
        const char *cpuset_cpus, *cpuset_mems;
        int64_t pids_limit;     /* 0: not set; < 0: unlimited */
        char *const *ulimits;   /* "nofile=1024[:2048]" */
        char *const *sysctls;   /* "key=value" */
        char *const *devices;   /* "/dev/x[:/dev/y][:rwm]" */
        char *const *group_add; /* group names or gids */
        char *const *labels;    /* "key=value" or "key" */
        bool oom_kill_disable;
        bool has_oom_score_adj;
        int oom_score_adj;
        int64_t shm_size;        /* bytes; 0: 64 MiB */
        const char *stop_signal; /* NULL: the image's */
        bool has_stop_timeout;
        int stop_timeout; /* seconds; engine_stop's default when set */

        /* the monitor: restart policy, --init, logging */
        const char *restart;    /* --restart no|on-failure[:N]|always|unless-stopped */
        bool init;              /* --init */
        const char *log_driver; /* --log-driver json-file (default) | none */
        char *const *log_opts;  /* --log-opt key=value: max-size, max-file */
} EngineCreateOpts;

/* Make the container (rootfs, spec, record with State.Status "created").
 * *ret_id malloc'd. On failure nothing is left behind. */
int engine_create(Engine *e, const EngineCreateOpts *o, char **ret_id, Error **ret_err);

/* Resolve a full id, a name or a unique id prefix to a full id (malloc'd).
 * -ENOENT "No such container: x"; -EINVAL for an ambiguous prefix. */
int engine_lookup(Engine *e, const char *ref, char **ret_id, Error **ret_err);

/* The record (recovered: a dead monitor's container reads as exited).
 * New reference in *ret. */
int engine_load(Engine *e, const char *id, json_t **ret, Error **ret_err);

/* Every container id, newest first. */
int engine_list(Engine *e, char ***ret_ids, Error **ret_err);

/* A container using image `image_id` ("sha256:<hex>"), preferring a
 * running one: 1 and its id in *ret_id (malloc'd) and whether it runs in
 * *ret_running, or 0 when no container uses the image. */
int engine_image_user(Engine *e, const char *image_id, char **ret_id, bool *ret_running, Error **ret_err);

/* Start: detached, fork a monitor and return once the container runs
 * (or failed to start, with the runtime's error). attach: this process
 * is the monitor: relays the output to fds 1 and 2 as well as to the log,
 * forwards signals, and returns when the container has exited with
 * *ret_exit its exit code. Exec failures return -ENOENT (127) or
 * -EACCES (126) with the error. */
int engine_start(Engine *e, const char *id, bool attach, int *ret_exit, Error **ret_err);

/* husk exec's options. */
typedef struct EngineExecOpts {
        char *const *argv;   /* the command, non-empty */
        char *const *env;    /* -e KEY=VALUE, added to the container's */
        const char *user;    /* -u, resolved in the container's rootfs */
        const char *workdir; /* -w */
        bool detach;         /* -d */
        bool tty;            /* -t: a pty, relayed to this process's terminal */
        bool interactive;    /* -i: stdin is relayed (else /dev/null) */
} EngineExecOpts;

/* Run a process in a running container: its namespaces, cgroup and
 * security setup (the runtime's exec), with the container's process
 * settings but the command, and -e/-u/-w applied. The process shares this
 * one's stdio. *ret_exit: its exit code (0 detached). -EINVAL when the
 * container does not run; -ENOENT (127) or -EACCES (126) when the command
 * cannot be run, with the runtime's error. */
int engine_exec(Engine *e, const char *id, const EngineExecOpts *o, int *ret_exit, Error **ret_err);

/* Send sig to the container's init (-EINVAL if it is not running). */
int engine_kill(Engine *e, const char *id, int sig, Error **ret_err);
/* The stop signal, then SIGKILL after timeout seconds (-1: the container's
 * --stop-timeout, -1 there waiting for ever; else 10). */
int engine_stop(Engine *e, const char *id, int timeout, Error **ret_err);
/* Block until the container is not running; *ret_exit its exit code. */
int engine_wait(Engine *e, const char *id, int *ret_exit, Error **ret_err);
/* Remove the container; a running one only with force (killed first). */
int engine_remove(Engine *e, const char *id, bool force, Error **ret_err);
/* As engine_remove; with volumes (rm -v) its anonymous volumes too,
 * unless another container uses them. */
int engine_remove_volumes(Engine *e, const char *id, bool force, bool volumes, Error **ret_err);

/* Volumes (<storage>/volumes, Docker's `volume` commands). A volume's
 * record is Docker's `volume inspect` object. */
/* Create a local volume (name NULL: 64 hex digits); an existing one is
 * kept as it is. *ret_name malloc'd. */
int engine_volume_create(Engine *e, const char *name, const char *driver, char *const *labels, char **ret_name,
                         Error **ret_err);
/* -ENOENT "No such volume: NAME". New reference in *ret. */
int engine_volume_inspect(Engine *e, const char *name, json_t **ret, Error **ret_err);
/* Every volume's record, a new array. */
int engine_volume_list(Engine *e, json_t **ret, Error **ret_err);
/* Whether a container (any state) mounts it. */
int engine_volume_in_use(Engine *e, const char *name, bool *ret_used, Error **ret_err);
/* -EBUSY "remove NAME: volume is in use - [ids]" when a container mounts
 * it (even with force); force: a missing volume is no error. */
int engine_volume_remove(Engine *e, const char *name, bool force, Error **ret_err);
/* Remove the unused volumes: anonymous ones, or all with all. The names
 * removed in *ret_removed (strv, NULL when none). */
int engine_volume_prune(Engine *e, bool all, char ***ret_removed, Error **ret_err);

/* Whether the container's monitor lives: 1, 0. */
int engine_monitor_alive(Engine *e, const char *id);

typedef struct EngineAttachOpts {
        bool stdin_;             /* relay this process's stdin (-i, attach's default) */
        const char *detach_keys; /* NULL: "ctrl-p,ctrl-q" */
        bool sig_proxy;          /* forward the signals this process gets */
} EngineAttachOpts;

/* husk attach: relay the running container's output (and, with stdin_
 * and a container opened with -i, this process's stdin) through its
 * monitor. *ret_exit: the container's exit code, or 0 when the user
 * detached with the detach keys. -EINVAL when it does not run. */
int engine_attach(Engine *e, const char *id, const EngineAttachOpts *o, int *ret_exit, Error **ret_err);
/* start -a: start the container with this process attached from the
 * first byte; *ret_exit as for engine_attach. */
int engine_start_attach(Engine *e, const char *id, const EngineAttachOpts *o, int *ret_exit, Error **ret_err);

/* The log path, malloc'd. */
char *engine_log_path(Engine *e, const char *id);

/* ---- queries and small changes (query.c) ---- */

/* pause/unpause (freeze the cgroup) and record State.Paused, Status
 * "paused"/"running". -EINVAL with Docker's message when the container
 * does not run, is paused already (pause) or is not paused (unpause). */
int engine_pause(Engine *e, const char *id, bool pause, Error **ret_err);
/* Give the container a new name (Docker's rules and conflict message). */
int engine_rename(Engine *e, const char *id, const char *name, Error **ret_err);
/* The host pids in the container's cgroup (malloc'd array). */
int engine_pids(Engine *e, const char *id, pid_t **ret, size_t *ret_n, Error **ret_err);
/* The cgroup statistics (cgroup_stats_json's shape), malloc'd. */
int engine_stats_json(Engine *e, const char *id, char **ret, Error **ret_err);
/* <storage>/containers/<id>/<file> (file "" for the dir), malloc'd. */
char *engine_container_path(Engine *e, const char *id, const char *file);

/* Docker-style "adjective_surname" from our own lists. malloc'd. */
char *engine_random_name(void);
