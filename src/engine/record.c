/* Container records: ids, names, the engine lock, lookup and recovery
 * (the layout is described in engine.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "lib/macros.h"
#include "lib/util.h"

char *engine_default_state_root(void)
{
        const char *x = getenv("XDG_RUNTIME_DIR");

        if (geteuid() == 0 || !x || !*x)
                return strdup("/run/husk");
        return path_join(x, "husk");
}

static int engine_open_at(Store *store, const char *state_root, bool create, Engine **ret, Error **ret_err)
{
        _cleanup_free_ Engine *e = calloc(1, sizeof(Engine));
        _cleanup_free_ char *def = NULL;
        int r;

        if (!e)
                return error_set(ret_err, ENOMEM, "engine");
        e->lock_fd = -EBADF;
        e->store = store;
        if (!state_root || !*state_root)
                state_root = def = engine_default_state_root();
        if (!state_root)
                return error_set(ret_err, ENOMEM, "engine");
        e->state = strdup(state_root);
        e->cdir = path_join(store_root(store), "containers");
        e->rt_root = path_join(state_root, "runtime");
        e->mon_dir = path_join(state_root, "monitors");
        if (!e->state || !e->cdir || !e->rt_root || !e->mon_dir) {
                engine_close(TAKE_PTR(e));
                return error_set(ret_err, ENOMEM, "engine");
        }
        if (create && ((r = mkdir_p(e->cdir, 0700)) < 0 || (r = mkdir_p(e->mon_dir, 0700)) < 0 ||
                       (r = mkdir_p(e->rt_root, 0700)) < 0)) {
                engine_close(TAKE_PTR(e));
                return error_set(ret_err, -r, "create the engine's directories under %s", state_root);
        }
        e->ro = (RuntimeOpts){ .root = e->rt_root, .cgroup_manager = CGROUP_MANAGER_CGROUPFS };
        *ret = TAKE_PTR(e);
        return 0;
}

int engine_open(Store *store, const char *state_root, Engine **ret, Error **ret_err)
{
        return engine_open_at(store, state_root, true, ret, ret_err);
}

int engine_open_query(Store *store, const char *state_root, Engine **ret, Error **ret_err)
{
        return engine_open_at(store, state_root, false, ret, ret_err);
}

void engine_close(Engine *e)
{
        if (!e)
                return;
        safe_close(e->lock_fd);
        free(e->state);
        free(e->cdir);
        free(e->rt_root);
        free(e->mon_dir);
        free(e);
}

int engine_lock(Engine *e, Error **ret_err)
{
        _cleanup_free_ char *p = path_join(e->cdir, ".lock");

        if (!p)
                return error_set(ret_err, ENOMEM, "lock");
        if (e->lock_fd < 0)
                e->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (e->lock_fd < 0 || flock(e->lock_fd, LOCK_EX) < 0)
                return error_set(ret_err, errno, "lock %s", p);
        return 0;
}

void engine_unlock(Engine *e)
{
        if (e->lock_fd >= 0)
                (void)flock(e->lock_fd, LOCK_UN);
}

char *engine_path(Engine *e, const char *id, const char *file)
{
        char *s = NULL;

        if (asprintf(&s, "%s/%s/%s", e->cdir, id, file) < 0)
                return NULL;
        return s;
}

char *engine_log_path(Engine *e, const char *id)
{
        char *s = NULL;

        if (asprintf(&s, "%s/%s/%s-json.log", e->cdir, id, id) < 0)
                return NULL;
        return s;
}

char *engine_monitor_lock_path(Engine *e, const char *id)
{
        char *s = NULL;

        if (asprintf(&s, "%s/%s.lock", e->mon_dir, id) < 0)
                return NULL;
        return s;
}

int engine_new_id(char ret[static 65])
{
        uint8_t b[32];

        if (getrandom(b, sizeof(b), 0) != sizeof(b))
                return -errno;
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(ret + 2 * i, 3, "%02x", b[i]);
        return 0;
}

bool engine_auto_remove(json_t *rec)
{
        return json_is_true(json_object_get(json_object_get(rec, "HostConfig"), "AutoRemove"));
}

int engine_save(Engine *e, const char *id, json_t *rec, Error **ret_err)
{
        _cleanup_free_ char *p = engine_path(e, id, "container.json");
        _cleanup_free_ char *s = json_dumps(rec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        if (!p || !s)
                return error_set(ret_err, ENOMEM, "save container %s", id);
        /* A --rm container's record is not worth an fsync (three per
         * `run --rm`): it is gone once the container exits, and one that a
         * crash left empty is swept at the next create (container.c). */
        return write_file_replace(p, s, strlen(s), 0600, !engine_auto_remove(rec), ret_err);
}

static int load_raw(Engine *e, const char *id, json_t **ret)
{
        _cleanup_free_ char *p = engine_path(e, id, "container.json");
        json_t *j;

        if (!p)
                return -ENOMEM;
        j = json_load_file(p, 0, NULL);
        if (!j)
                return access(p, F_OK) < 0 ? -ENOENT : -EBADMSG;
        *ret = j;
        return 0;
}

int engine_monitor_alive(Engine *e, const char *id)
{
        _cleanup_free_ char *p = engine_monitor_lock_path(e, id);
        _cleanup_close_ int fd = -EBADF;

        if (!p)
                return 0;
        fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        if (flock(fd, LOCK_SH | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? 1 : 0;
        return 0;
}

/* A record that says "running" with no monitor holding its lock: the
 * monitor died. Kill what may be left, free the runtime state, and record
 * the container as exited (255, as Docker reports a container whose exit
 * code was lost). Under the engine lock, and checked again under it. */
static int recover(Engine *e, const char *id, json_t **rec, Error **ret_err)
{
        json_t *state = json_object_get(*rec, "State");
        _cleanup_free_ char *now = NULL;
        int r;

        r = engine_lock(e, ret_err);
        if (r < 0)
                return r;
        json_decref(*rec);
        *rec = NULL;
        r = load_raw(e, id, rec);
        if (r < 0) {
                engine_unlock(e);
                return error_set(ret_err, -r, "No such container: %s", id);
        }
        state = json_object_get(*rec, "State");
        if (json_is_true(json_object_get(state, "Running")) && !engine_monitor_alive(e, id)) {
                /* the init and whatever else of it still runs, then
                 * its network */
                ERROR_IGNORE(runtime_delete(&e->ro, id, true, NULL, &ign_));
                monitor_network_release(e, id, *rec);
                now = now_rfc3339();
                json_object_set_new(state, "Status", json_string("exited"));
                json_object_set_new(state, "Running", json_false());
                json_object_set_new(state, "Pid", json_integer(0));
                json_object_set_new(state, "ExitCode", json_integer(255));
                json_object_set_new(state, "Error", json_string("the container's monitor exited"));
                json_object_set_new(state, "FinishedAt", json_string(now ? now : ""));
                r = engine_save(e, id, *rec, ret_err);
        }
        engine_unlock(e);
        return r;
}

int engine_load(Engine *e, const char *id, json_t **ret, Error **ret_err)
{
        json_t *rec = NULL;
        int r = load_raw(e, id, &rec);

        if (r == -ENOENT)
                return error_setx(ret_err, ENOENT, "No such container: %s", id);
        if (r < 0)
                return error_set(ret_err, -r, "read container %s", id);
        if (json_is_true(json_object_get(json_object_get(rec, "State"), "Running")) && !engine_monitor_alive(e, id)) {
                r = recover(e, id, &rec, ret_err);
                if (r < 0) {
                        json_decref(rec);
                        return r;
                }
        }
        *ret = rec;
        return 0;
}

typedef struct Entry {
        char *id;
        char *created;
} Entry;

static int cmp_entry(const void *a, const void *b)
{
        const Entry *x = a, *y = b;

        return strcmp(y->created, x->created);
}

int engine_list(Engine *e, char ***ret_ids, Error **ret_err)
{
        _cleanup_(closedirp) DIR *d = opendir(e->cdir);
        Entry *v = NULL;
        size_t n = 0;
        char **ids;
        struct dirent *de;

        if (!d && errno == ENOENT) { /* no container was ever made */
                *ret_ids = calloc(1, sizeof(char *));
                return *ret_ids ? 0 : error_set(ret_err, ENOMEM, "list containers");
        }
        if (!d)
                return error_set(ret_err, errno, "open %s", e->cdir);
        while ((de = readdir(d))) {
                json_t *rec = NULL;
                Entry *nv;

                if (de->d_name[0] == '.' || load_raw(e, de->d_name, &rec) < 0)
                        continue; /* a rootfs whose record was never written */
                nv = realloc(v, (n + 1) * sizeof(Entry));
                if (!nv) {
                        json_decref(rec);
                        break;
                }
                v = nv;
                v[n].id = strdup(de->d_name);
                v[n].created = strdup(json_string_value(json_object_get(rec, "Created")) ?: "");
                n++;
                json_decref(rec);
        }
        if (n > 0)
                qsort(v, n, sizeof(Entry), cmp_entry);
        ids = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                if (ids)
                        ids[i] = v[i].id;
                else
                        free(v[i].id);
                free(v[i].created);
        }
        free(v);
        if (!ids)
                return error_set(ret_err, ENOMEM, "list containers");
        *ret_ids = ids;
        return 0;
}

/* The id of the container named `name` ("/name" or "name"), or NULL. */
char *engine_find_name(Engine *e, const char *name)
{
        _cleanup_strv_ char **ids = NULL;

        if (name[0] == '/')
                name++;
        if (engine_list(e, &ids, NULL) < 0)
                return NULL;
        for (char **i = ids; *i; i++) {
                json_t *rec = NULL;
                const char *n;
                bool match;

                if (load_raw(e, *i, &rec) < 0)
                        continue;
                n = json_string_value(json_object_get(rec, "Name"));
                match = n && streq(n[0] == '/' ? n + 1 : n, name);
                json_decref(rec);
                if (match)
                        return strdup(*i);
        }
        return NULL;
}

int engine_lookup(Engine *e, const char *ref, char **ret_id, Error **ret_err)
{
        _cleanup_strv_ char **ids = NULL;
        char *found = NULL;
        size_t len = strlen(ref);
        int r;

        if (len == 0)
                return error_setx(ret_err, ENOENT, "No such container: %s", ref);
        /* Docker's order: full id, then name, then id prefix */
        r = engine_list(e, &ids, ret_err);
        if (r < 0)
                return r;
        for (char **i = ids; *i; i++)
                if (streq(*i, ref))
                        return (*ret_id = strdup(*i)) ? 0 : error_set(ret_err, ENOMEM, "lookup");
        found = engine_find_name(e, ref);
        if (found) {
                *ret_id = found;
                return 0;
        }
        for (char **i = ids; *i; i++)
                if (strncmp(*i, ref, len) == 0) {
                        if (found) {
                                free(found);
                                return error_setx(ret_err, EINVAL, "multiple IDs found with provided prefix: %s", ref);
                        }
                        found = strdup(*i);
                }
        if (!found)
                return error_setx(ret_err, ENOENT, "No such container: %s", ref);
        *ret_id = found;
        return 0;
}

int engine_image_user(Engine *e, const char *image_id, char **ret_id, bool *ret_running, Error **ret_err)
{
        _cleanup_strv_ char **ids = NULL;
        int r = engine_list(e, &ids, ret_err);

        *ret_id = NULL;
        *ret_running = false;
        if (r < 0)
                return r;
        for (char **id = ids; *id && !*ret_running; id++) {
                json_t *rec = NULL;
                const char *img, *status;

                if (engine_load(e, *id, &rec, NULL) < 0)
                        continue; /* removed meanwhile */
                img = json_string_value(json_object_get(rec, "Image"));
                status = json_string_value(json_object_get(json_object_get(rec, "State"), "Status"));
                if (img && streq(img, image_id)) {
                        bool running = status && streq(status, "running");

                        if (!*ret_id || running) {
                                free(*ret_id);
                                *ret_id = strdup(*id);
                                *ret_running = running;
                        }
                }
                json_decref(rec);
        }
        return *ret_id ? 1 : 0;
}
