/* Named and anonymous volumes: <storage>/volumes/<name>/{_data,volume.json}
 * (volumes.h), with Docker's volume commands over them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/volumes.h"
#include "image/tree.h"
#include "lib/macros.h"
#include "lib/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

static char *volumes_root(Engine *e)
{
        return path_join(store_root(e->store), "volumes");
}

char *volume_dir(Engine *e, const char *name)
{
        _cleanup_free_ char *root = volumes_root(e);

        return root ? path_join(root, name) : NULL;
}

static char *volume_file(Engine *e, const char *name, const char *file)
{
        _cleanup_free_ char *dir = volume_dir(e, name);

        return dir ? path_join(dir, file) : NULL;
}

/* The record with its Mountpoint, as `volume inspect` shows it. */
static int volume_load(Engine *e, const char *name, json_t **ret, Error **ret_err)
{
        _cleanup_free_ char *p = NULL, *data = NULL;
        json_t *j;

        if (!volume_name_valid(name))
                return error_setx(ret_err, ENOENT, "No such volume: %s", name);
        p = volume_file(e, name, "volume.json");
        data = volume_file(e, name, "_data");
        if (!p || !data)
                return error_set(ret_err, ENOMEM, "volume %s", name);
        j = json_load_file(p, 0, NULL);
        if (!j)
                return error_setx(ret_err, ENOENT, "No such volume: %s", name);
        json_object_set_new(j, "Mountpoint", json_string(data));
        *ret = j;
        return 0;
}

int volume_make(Engine *e, const char *name, char *const *labels, bool anonymous, Error **ret_err)
{
        _cleanup_free_ char *dir = volume_dir(e, name), *data = NULL, *rec = NULL, *now = now_rfc3339(), *text = NULL;
        _cleanup_json_ json_t *j = NULL;
        json_t *l;
        struct stat st;
        int r;

        if (!dir || !now || !(data = path_join(dir, "_data")) || !(rec = path_join(dir, "volume.json")))
                return error_set(ret_err, ENOMEM, "volume %s", name);
        if (stat(rec, &st) == 0)
                return 0;
        l = json_object();
        for (char *const *kv = labels; kv && *kv; kv++) {
                const char *eq = strchr(*kv, '=');
                _cleanup_free_ char *k = eq ? strndup(*kv, (size_t)(eq - *kv)) : strdup(*kv);
                if (k)
                        json_object_set_new(l, k, json_string(eq ? eq + 1 : ""));
        }
        if (anonymous)
                json_object_set_new(l, VOLUME_ANON_LABEL, json_string(""));
        j = json_pack("{s:s,s:s,s:o,s:s,s:{},s:s}", "CreatedAt", now, "Driver", "local", "Labels", l, "Name", name,
                      "Options", "Scope", "local");
        text = j ? json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
        if (!text)
                return error_set(ret_err, ENOMEM, "volume %s", name);
        /* _data is the container's: Docker makes it 0755 (root) */
        if (mkdir_p(dir, 0700) < 0 || (mkdir(data, 0755) < 0 && errno != EEXIST))
                return error_set(ret_err, errno, "create volume %s", dir);
        /* the record last: a volume without one does not exist */
        r = write_file_atomic(rec, text, strlen(text), 0600, ret_err);
        if (r < 0) {
                (void)volume_drop(e, name, NULL);
                return r;
        }
        return 1;
}

int volume_drop(Engine *e, const char *name, Error **ret_err)
{
        _cleanup_free_ char *root = volumes_root(e), *rec = volume_file(e, name, "volume.json");
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!root || !rec)
                return error_set(ret_err, ENOMEM, "remove volume %s", name);
        /* the record first: a half-removed volume no longer shows */
        if (unlink(rec) < 0 && errno != ENOENT)
                return error_set(ret_err, errno, "remove %s", rec);
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set(ret_err, errno, "open %s", root);
        r = tree_remove(fd, name);
        if (r < 0)
                return error_set(ret_err, -r, "remove volume %s", name);
        return 0;
}

/* Whether the record rec mounts volume name. */
static bool record_uses(json_t *rec, const char *name)
{
        json_t *m;
        size_t i;

        json_array_foreach(json_object_get(rec, "Mounts"), i, m)
        {
                const char *t = json_string_value(json_object_get(m, "Type"));
                const char *n = json_string_value(json_object_get(m, "Name"));
                if (t && n && streq(t, "volume") && streq(n, name))
                        return true;
        }
        return false;
}

int volume_users(Engine *e, const char *name, char ***ret_ids, Error **ret_err)
{
        _cleanup_strv_ char **ids = NULL, **users = NULL;
        int r = engine_list(e, &ids, ret_err);

        if (r < 0)
                return r;
        for (char **id = ids; id && *id; id++) {
                _cleanup_free_ char *p = engine_path(e, *id, "container.json");
                _cleanup_json_ json_t *rec = p ? json_load_file(p, 0, NULL) : NULL;

                if (rec && record_uses(rec, name) && strv_push(&users, *id) < 0)
                        return error_set(ret_err, ENOMEM, "volume users");
        }
        *ret_ids = TAKE_PTR(users);
        return 0;
}

static bool volume_is_anonymous(Engine *e, const char *name)
{
        _cleanup_json_ json_t *v = NULL;

        if (volume_load(e, name, &v, NULL) < 0)
                return false;
        return json_object_get(json_object_get(v, "Labels"), VOLUME_ANON_LABEL) != NULL;
}

void engine_volumes_drop_anonymous(Engine *e, json_t *rec)
{
        json_t *m;
        size_t i;

        json_array_foreach(json_object_get(rec, "Mounts"), i, m)
        {
                const char *n = json_string_value(json_object_get(m, "Name"));
                _cleanup_strv_ char **users = NULL;

                if (!n || !streq(json_string_value(json_object_get(m, "Type")) ?: "", "volume") ||
                    !volume_is_anonymous(e, n) || volume_users(e, n, &users, NULL) < 0 || users)
                        continue;
                (void)volume_drop(e, n, NULL);
        }
}

int engine_remove_volumes(Engine *e, const char *id, bool force, bool volumes, Error **ret_err)
{
        _cleanup_json_ json_t *rec = NULL;
        int r;

        if (volumes) {
                _cleanup_free_ char *p = engine_path(e, id, "container.json");
                rec = p ? json_load_file(p, 0, NULL) : NULL;
        }
        r = engine_remove(e, id, force, ret_err);
        if (r < 0 || !rec)
                return r;
        if (engine_lock(e, NULL) < 0)
                return 0;
        engine_volumes_drop_anonymous(e, rec);
        engine_unlock(e);
        return 0;
}

int engine_volume_create(Engine *e, const char *name, const char *driver, char *const *labels, char **ret_name,
                         Error **ret_err)
{
        char gen[65];
        int r;

        if (driver && !streq(driver, "local"))
                return error_setx(ret_err, ENOENT, "create %s: plugin \"%s\" not found", name ? name : "", driver);
        if (!name) {
                if (engine_new_id(gen) < 0)
                        return error_set(ret_err, errno, "name the volume");
                name = gen;
        }
        if (!volume_name_valid(name))
                return error_setx(ret_err, EINVAL,
                                  "create %s: \"%s\" includes invalid characters for a local volume name, only "
                                  "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
                                  name, name);
        r = engine_lock(e, ret_err);
        if (r < 0)
                return r;
        r = volume_make(e, name, labels, false, ret_err);
        engine_unlock(e);
        if (r < 0)
                return r;
        *ret_name = strdup(name);
        return *ret_name ? 0 : error_set(ret_err, ENOMEM, "volume");
}

int engine_volume_inspect(Engine *e, const char *name, json_t **ret, Error **ret_err)
{
        return volume_load(e, name, ret, ret_err);
}

int engine_volume_list(Engine *e, json_t **ret, Error **ret_err)
{
        _cleanup_free_ char *root = volumes_root(e);
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_json_ json_t *all = json_array();
        struct dirent *de;

        if (!root || !all)
                return error_set(ret_err, ENOMEM, "volumes");
        d = opendir(root);
        if (!d && errno != ENOENT)
                return error_set(ret_err, errno, "open %s", root);
        while (d && (de = readdir(d))) {
                json_t *v = NULL;
                if (de->d_name[0] == '.' || volume_load(e, de->d_name, &v, NULL) < 0)
                        continue;
                json_array_append_new(all, v);
        }
        *ret = TAKE_PTR(all);
        return 0;
}

int engine_volume_in_use(Engine *e, const char *name, bool *ret_used, Error **ret_err)
{
        _cleanup_strv_ char **users = NULL;
        int r = volume_users(e, name, &users, ret_err);

        if (r < 0)
                return r;
        *ret_used = users != NULL;
        return 0;
}

int engine_volume_remove(Engine *e, const char *name, bool force, Error **ret_err)
{
        _cleanup_json_ json_t *v = NULL;
        _cleanup_strv_ char **users = NULL;
        int r = engine_lock(e, ret_err);

        if (r < 0)
                return r;
        r = volume_load(e, name, &v, ret_err);
        if (r < 0) {
                engine_unlock(e);
                /* -f: a missing volume is no error */
                if (force && ret_err) {
                        error_free(*ret_err);
                        *ret_err = NULL;
                }
                return force ? 0 : r;
        }
        r = volume_users(e, name, &users, ret_err);
        if (r >= 0 && users) {
                _cleanup_free_ char *list = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&list, &len);
                for (char **u = users; f && *u; u++)
                        fprintf(f, "%s%s", u == users ? "" : " ", *u);
                if (f)
                        fclose(f);
                r = error_setx(ret_err, EBUSY, "remove %s: volume is in use - [%s]", name, list ? list : "");
        } else if (r >= 0)
                r = volume_drop(e, name, ret_err);
        engine_unlock(e);
        return r;
}

int engine_volume_prune(Engine *e, bool all, char ***ret_removed, Error **ret_err)
{
        _cleanup_json_ json_t *vols = NULL;
        _cleanup_strv_ char **removed = NULL;
        json_t *v;
        size_t i;
        int r = engine_lock(e, ret_err);

        if (r < 0)
                return r;
        r = engine_volume_list(e, &vols, ret_err);
        if (r < 0)
                goto out;
        json_array_foreach(vols, i, v)
        {
                const char *n = json_string_value(json_object_get(v, "Name"));
                _cleanup_strv_ char **users = NULL;

                /* Docker 23+: only anonymous volumes unless --all */
                if (!n || (!all && !json_object_get(json_object_get(v, "Labels"), VOLUME_ANON_LABEL)))
                        continue;
                if (volume_users(e, n, &users, NULL) < 0 || users)
                        continue;
                if (volume_drop(e, n, NULL) >= 0)
                        strv_push(&removed, n);
        }
        *ret_removed = TAKE_PTR(removed);
out:
        engine_unlock(e);
        return r;
}
