#pragma once

/* Private to src/engine. */
#include <dirent.h>

#include "engine/attach-proto.h"
#include "engine/engine.h"
#include "engine/relay.h"
#include "lib/path.h"

struct Engine {
        Store *store; /* not owned */
        char *state;
        char *cdir;    /* <storage>/containers */
        char *rt_root; /* <state>/runtime */
        char *mon_dir; /* <state>/monitors */
        RuntimeOpts ro;
        int lock_fd; /* containers/.lock, opened on first use */
};

static inline void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

int engine_lock(Engine *e, Error **ret_err);
void engine_unlock(Engine *e);
/* <storage>/containers/<id>/<file>, malloc'd. */
char *engine_path(Engine *e, const char *id, const char *file);
char *engine_monitor_lock_path(Engine *e, const char *id);
int engine_new_id(char ret[static 65]);
/* Write the record atomically. */
int engine_save(Engine *e, const char *id, json_t *rec, Error **ret_err);
/* Whether a record is of a --rm container (HostConfig.AutoRemove). */
bool engine_auto_remove(json_t *rec);
char *engine_find_name(Engine *e, const char *name);
/* monitor.c: run the container with this process as its monitor.
 * attach: the user's stdio is this process's 0, 1, 2; client_fd >= 0: an
 * attach client already connected (a socketpair end, taken). */
int engine_monitor(Engine *e, const char *id, bool attach, int ready_fd, int client_fd, int *ret_exit, Error **ret_err);
/* What husk-supervise hands back to husk-monitor when the init it relayed
 * for has exited (monitor.c's top says why the exec). */
typedef struct MonitorResume {
        int code;      /* the run's exit code */
        int lock_fd;   /* monitors/<id>.lock, still flock'd */
        int listen_fd; /* the attach socket, or -1 */
        int clients[RELAY_MAX_CLIENTS];
        size_t n_clients;
        int restarts;              /* RestartCount so far */
        uint64_t backoff, started; /* the last backoff, the run's start (CLOCK_MONOTONIC ms) */
} MonitorResume;
/* husk-monitor --resume: finish that run as engine_monitor does after its
 * relay (runtime state, network, record, the clients' exit code, --rm)
 * and go on with the restart policy. Takes the fds. */
int engine_monitor_resume(Engine *e, const char *id, const MonitorResume *res, Error **ret_err);
/* --rm: remove the exited container (rootfs, record, lock file, its
 * anonymous volumes). Two implementations, chosen at link time:
 * monitor-husk.c in husk, and husk-monitor's own (monitor-main.c), which
 * leaves it to `husk rm -v`. */
int monitor_remove(Engine *e, const char *id, Error **ret_err);
/* Whether monitor_remove() needs the record to say "exited" first (`husk
 * rm` does; husk's own removes what is there). */
extern const bool monitor_remove_reads_record;
/* Before each run of the container (up) and after it (down): its network
 * (engine_network_up/_down, network.h). The same two implementations:
 * husk-monitor, which does not link the network layer, runs husk for it. */
int monitor_network(Engine *e, const char *id, bool up, Error **ret_err);
/* Recovery of a container whose monitor died (record.c): what its network
 * still holds, released, and rec's NetworkSettings emptied (network.h's
 * engine_network_stop). husk-monitor's does nothing: it recovers no other
 * container than its own, whose monitor it is. */
void monitor_network_release(Engine *e, const char *id, json_t *rec);
/* In the forked child that is to be the monitor: exec husk-monitor
 * (monitor-main.c) with the two fds; returns only when that failed. */
void engine_exec_monitor(Engine *e, const char *id, int ready_fd, int client_fd);
/* Close the fds this process inherited without O_CLOEXEC but `keep`. */
void engine_close_inherited(int keep);
/* Fork a detached monitor (client_fd >= 0: its first attach client) and
 * return once the container runs or failed to start. */
int engine_start_detached(Engine *e, const char *id, int client_fd, Error **ret_err);
/* Record that the user stopped the container (husk stop, rm -f): its
 * restart policy does not undo that. */
void engine_mark_stopped(Engine *e, const char *id);

/* Thaw a paused container before a signal is sent to it (query.c):
 * under the v1 freezer a frozen task does not even die of SIGKILL, so
 * stop, kill and rm -f would wait for ever, and the record is left saying
 * "paused" once the container exited. */
void engine_thaw_for_signal(Engine *e, const char *id);
/* Docker's container name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+, "/" allowed first. */
bool engine_name_valid(const char *n);

/* A runtime error as the errno behind Docker's exit codes: ENOENT (127)
 * when the command is not there, EACCES (126) when it cannot be run, else
 * the error's own. */
int engine_start_error_code(const Error *err);
