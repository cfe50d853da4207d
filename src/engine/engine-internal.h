#pragma once

/* Private to src/engine. */
#include <dirent.h>

#include "engine/engine.h"
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
char *engine_find_name(Engine *e, const char *name);
/* Thaw a paused container before a signal is sent to it (query.c):
 * under the v1 freezer a frozen task does not even die of SIGKILL, so
 * stop, kill and rm -f would wait for ever, and the record is left saying
 * "paused" once the container exited. */
void engine_thaw_for_signal(Engine *e, const char *id);
/* Docker's container name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+, "/" allowed first. */
bool engine_name_valid(const char *n);
/* monitor.c: run the container with this process as its monitor. */
int engine_monitor(Engine *e, const char *id, bool attach, int ready_fd, int *ret_exit, Error **ret_err);

/* Call a runtime function whose error nobody reads: it is given an error
 * slot (`&ign_`) all the same, which the runtime expects. */
#define RT_IGNORE(call)                             \
        do {                                        \
                _cleanup_error_ Error *ign_ = NULL; \
                (void)(call);                       \
        } while (0)

/* A runtime error as the errno behind Docker's exit codes: ENOENT (127)
 * when the command is not there, EACCES (126) when it cannot be run, else
 * the error's own. */
int engine_start_error_code(const Error *err);
