/* Questions about a container and the small changes Docker's management
 * commands make: pause/unpause, rename, the pids of top, the statistics
 * of stats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine-internal.h"
#include "lib/macros.h"
#include "lib/util.h"

char *engine_container_path(Engine *e, const char *id, const char *file)
{
        return engine_path(e, id, file);
}

/* Load the record under the engine lock (the caller unlocks). */
static int load_locked(Engine *e, const char *id, json_t **ret, Error **ret_err)
{
        int r = engine_lock(e, ret_err);

        if (r < 0)
                return r;
        r = engine_load(e, id, ret, ret_err);
        if (r < 0)
                engine_unlock(e);
        return r;
}

int engine_pause(Engine *e, const char *id, bool pause, Error **ret_err)
{
        json_t *rec = NULL, *st;
        int r;

        /* engine_load may recover a dead monitor's record, which takes the
         * lock itself: load once before locking so that it has done so */
        r = engine_load(e, id, &rec, ret_err);
        if (r < 0)
                return r;
        json_decref(rec);
        rec = NULL;
        r = load_locked(e, id, &rec, ret_err);
        if (r < 0)
                return r;
        st = json_object_get(rec, "State");
        if (!json_is_true(json_object_get(st, "Running")))
                r = error_setx(ret_err, EINVAL, "Container %s is not running", id);
        else if (pause && json_is_true(json_object_get(st, "Paused")))
                r = error_setx(ret_err, EINVAL, "Container %s is already paused", id);
        else if (!pause && !json_is_true(json_object_get(st, "Paused")))
                r = error_setx(ret_err, EINVAL, "Container %s is not paused", id);
        else
                r = pause ? runtime_pause(&e->ro, id, ret_err) : runtime_resume(&e->ro, id, ret_err);
        if (r >= 0) {
                json_object_set_new(st, "Paused", json_boolean(pause));
                json_object_set_new(st, "Status", json_string(pause ? "paused" : "running"));
                r = engine_save(e, id, rec, ret_err);
        }
        engine_unlock(e);
        json_decref(rec);
        return r;
}

void engine_thaw_for_signal(Engine *e, const char *id)
{
        json_t *rec = NULL;
        bool paused;

        if (engine_load(e, id, &rec, NULL) < 0)
                return;
        paused = json_is_true(json_object_get(json_object_get(rec, "State"), "Paused")) &&
                 json_is_true(json_object_get(json_object_get(rec, "State"), "Running"));
        json_decref(rec);
        if (paused)
                ERROR_IGNORE(engine_pause(e, id, false, &ign_));
}

int engine_rename(Engine *e, const char *id, const char *name, Error **ret_err)
{
        _cleanup_free_ char *taken = NULL, *full = NULL;
        json_t *rec = NULL;
        const char *old;
        int r;

        if (name[0] == '/')
                name++;
        if (!engine_name_valid(name))
                return error_setx(ret_err, EINVAL,
                                  "Error when allocating new name: Invalid container name (%s), only "
                                  "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                  name);
        r = load_locked(e, id, &rec, ret_err);
        if (r < 0)
                return r;
        old = json_string_value(json_object_get(rec, "Name")) ?: "";
        if (streq(old[0] == '/' ? old + 1 : old, name)) {
                r = error_setx(ret_err, EINVAL, "Renaming a container with the same name as its current name");
                goto out;
        }
        taken = engine_find_name(e, name);
        if (taken) {
                r = error_setx(ret_err, EEXIST,
                               "Error when allocating new name: Conflict. The container name \"/%s\" is already in "
                               "use by container \"%s\". You have to remove (or rename) that container to be able "
                               "to reuse that name.",
                               name, taken);
                goto out;
        }
        if (asprintf(&full, "/%s", name) < 0) {
                full = NULL;
                r = error_set(ret_err, ENOMEM, "rename");
                goto out;
        }
        json_object_set_new(rec, "Name", json_string(full));
        r = engine_save(e, id, rec, ret_err);
out:
        engine_unlock(e);
        json_decref(rec);
        return r;
}

static int require_running(Engine *e, const char *id, Error **ret_err)
{
        json_t *rec = NULL;
        bool running;
        int r = engine_load(e, id, &rec, ret_err);

        if (r < 0)
                return r;
        running = json_is_true(json_object_get(json_object_get(rec, "State"), "Running"));
        json_decref(rec);
        if (!running)
                return error_setx(ret_err, EINVAL, "container %s is not running", id);
        return 0;
}

int engine_pids(Engine *e, const char *id, pid_t **ret, size_t *ret_n, Error **ret_err)
{
        int r = require_running(e, id, ret_err);

        if (r < 0)
                return r;
        return runtime_pids(&e->ro, id, ret, ret_n, ret_err);
}

int engine_stats_json(Engine *e, const char *id, char **ret, Error **ret_err)
{
        int r = require_running(e, id, ret_err);

        if (r < 0)
                return r;
        return runtime_stats_json(&e->ro, id, ret, ret_err);
}
