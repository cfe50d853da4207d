#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "lib/error.h"
#include "oci/spec.h"
#include "oci/state.h"

/* The OCI lifecycle, as `husk-runtime` and the engine drive it.
 *
 * State lives under `<root>/<id>/`: state.json (the ContainerRecord),
 * config.json (the config as it was at create time), exec.fifo (exists from
 * create until start). Every change to a container's state happens under an
 * exclusive flock of its directory, so concurrent runtime processes never
 * see a half-written record. */

typedef struct RuntimeOpts {
        const char *root; /* state root, e.g. /run/husk-runtime */
        CgroupManager cgroup_manager;
        bool rootless;
        /* Told about what does not fail the operation but a user should know
         * (a poststart or poststop hook that failed). The library does not
         * log: the caller decides where this goes. May be NULL. */
        void (*warn)(const char *msg);
} RuntimeOpts;

typedef struct CreateOpts {
        const char *bundle; /* default: cwd */
        /* The engine's config, used instead of <bundle>/config.json (which
         * need not exist; a relative root.path is still relative to the
         * bundle) and saved as the state dir's config.json. It must come
         * from spec_parse() (spec_load()): it is not checked again. NULL:
         * read the bundle's. */
        const Spec *spec;
        const char *console_socket;
        const char *pid_file;
        bool no_pivot;
        bool no_new_keyring;
        int preserve_fds;
        bool start;          /* run: no exec.fifo; the init execs once it is set up,
                              * and poststart hooks run before create returns */
        Cgroup **ret_cgroup; /* run: gets the container's cgroup (or NULL),
                              * for runtime_delete_run() */
        /* The cgroup's parents that create makes are left at delete (an
         * engine's shared parent: made once, not at every container);
         * husk-runtime's command line removes them. */
        bool keep_cgroup_parents;
} CreateOpts;

/* Whether `id` is acceptable: [A-Za-z0-9_+.-]+, not "." or "..", at most
 * 1024 bytes. */
bool runtime_id_valid(const char *id);

/* create: set everything up and leave the init blocked before exec.
 * run_mode: the caller will start and wait (run): *ret_pid gets the init
 * pid and *ret_console the pty master when process.terminal is set and no
 * console socket was given (else -EBADF). *ret_spec (may be NULL) gets the
 * parsed config, which the caller frees with spec_free(); NULL when the
 * caller gave its own (c->spec). */
int runtime_create(const RuntimeOpts *o, const char *id, const CreateOpts *c, pid_t *ret_pid, int *ret_console,
                   Spec **ret_spec, Error **ret_err);

/* start, delete: spec is the container's config when the caller holds it
 * already (run, from create's ret_spec); NULL reads the one saved at
 * create time. */
int runtime_start(const RuntimeOpts *o, const char *id, const Spec *spec, Error **ret_err);

/* The OCI state JSON (pretty), malloc'd. */
int runtime_state(const RuntimeOpts *o, const char *id, char **ret_json, Error **ret_err);

/* Load the record and compute the live status. */
int runtime_load(const RuntimeOpts *o, const char *id, ContainerRecord **ret, ContainerStatus *ret_status,
                 Error **ret_err);
/* The config.json saved at create time. */
int runtime_load_spec(const RuntimeOpts *o, const char *id, Spec **ret, Error **ret_err);

int runtime_kill(const RuntimeOpts *o, const char *id, int sig, bool all, Error **ret_err);

/* delete: a stopped container is cleaned up (cgroup, poststop hooks, state);
 * a created or running one is refused unless force, which kills it first.
 * force on a container that does not exist succeeds. */
int runtime_delete(const RuntimeOpts *o, const char *id, bool force, const Spec *spec, Error **ret_err);

/* The delete at the end of `run`, whose init has exited: with the cgroup
 * create handed over (CreateOpts.ret_cgroup) and the spec it parsed, no
 * state to read back and no cgroup to look up again. Falls back to
 * runtime_delete() for poststop hooks (they want the state). Frees cg. */
int runtime_delete_run(const RuntimeOpts *o, const char *id, Cgroup *cg, const Spec *spec, Error **ret_err);

/* All containers under root, with live statuses. Caller frees records with
 * container_record_free() and the arrays with free(). */
int runtime_list(const RuntimeOpts *o, ContainerRecord ***ret, ContainerStatus **ret_status, size_t *ret_n,
                 Error **ret_err);

int runtime_pids(const RuntimeOpts *o, const char *id, pid_t **ret, size_t *ret_n, Error **ret_err);
int runtime_pause(const RuntimeOpts *o, const char *id, Error **ret_err);
int runtime_resume(const RuntimeOpts *o, const char *id, Error **ret_err);
int runtime_update(const RuntimeOpts *o, const char *id, const SpecResources *res, Error **ret_err);
int runtime_stats_json(const RuntimeOpts *o, const char *id, char **ret, Error **ret_err);

typedef enum RuntimeEventType {
        RUNTIME_EVENT_STATS, /* data: the cgroup_stats_json() object */
        RUNTIME_EVENT_OOM,   /* data: NULL */
} RuntimeEventType;
/* Called for each event; a negative -errno stops the stream with it. */
typedef int (*RuntimeEventFn)(RuntimeEventType type, const char *data, void *userdata);

/* `events` without --stats: statistics every interval_ms (the first after
 * one interval, as runc), and an OOM event as soon as the container's
 * memory cgroup has one. Returns 0 once the container has stopped (its
 * init exited, or its cgroup was removed); an error when it is stopped
 * already or interval_ms is 0. */
int runtime_events(const RuntimeOpts *o, const char *id, uint64_t interval_ms, RuntimeEventFn emit, void *userdata,
                   Error **ret_err);

typedef struct ExecOpts {
        SpecProcess *process; /* complete: merged from config.json and flags */
        const char *console_socket;
        const char *pid_file;
        bool detach;
        int preserve_fds;
} ExecOpts;

/* Run a process inside a running container. Foreground: waits and sets
 * *ret_status to its exit status (128+N on signal N). With process.terminal
 * and no console socket, the caller's terminal is relayed. */
int runtime_exec(const RuntimeOpts *o, const char *id, const ExecOpts *e, int *ret_status, Error **ret_err);

/* Wait for a child pid (the init in `run`), forwarding the signals a user
 * sends to the runtime, relaying a pty master if console >= 0. Returns the
 * exit status in shell form (128+N for signal N). */
int runtime_wait_forward(pid_t pid, int console, Error **ret_err);
