/* The content store: layout, locking and crash safety are described in
 * store.h. This file is organised as: helpers (JSON records), the lock,
 * then reading, tagging and garbage collection; staging and commit
 * (StoreTxn) are in store-txn.c.
 *
 * Locking rules: every change to images/, repositories.json, blobs/ or
 * layers/ happens under LOCK_EX on <root>/lock. A txn holds LOCK_SH while it
 * stages (so a concurrent rmi cannot free a layer it decided to reuse) and
 * converts to LOCK_EX to commit; flock(2) may drop the lock while
 * converting, so commit checks again that every layer it reuses is there. */
#include "image/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/ref.h"
#include "image/tree.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

#include "image/store-internal.h"

char *store_default_root(void)
{
        const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
        char *p = NULL;

        if (geteuid() == 0)
                return strdup("/var/lib/husk");
        if (xdg && *xdg)
                return asprintf(&p, "%s/husk", xdg) < 0 ? NULL : p;
        if (!home || !*home) {
                struct passwd *pw = getpwuid(geteuid());
                home = pw ? pw->pw_dir : NULL;
        }
        if (!home)
                return NULL;
        return asprintf(&p, "%s/.local/share/husk", home) < 0 ? NULL : p;
}

const char *store_root(Store *s)
{
        return s->root;
}

/* ---- the lock ---- */

int store_lock(Store *s, bool exclusive, Error **ret_err)
{
        if (s->lock_depth > 0 && (s->lock_exclusive || !exclusive)) {
                s->lock_depth++;
                return 0;
        }
        while (flock(s->lock_fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
                if (errno != EINTR)
                        return error_set(ret_err, errno, "lock %s/lock", s->root);
        s->lock_exclusive = exclusive || s->lock_exclusive;
        s->lock_depth++;
        return 0;
}

void store_unlock(Store *s)
{
        if (s->lock_depth == 0 || --s->lock_depth > 0)
                return;
        (void)flock(s->lock_fd, LOCK_UN);
        s->lock_exclusive = false;
}

/* ---- open ---- */

int store_open(const char *root, const StoreOpts *o, Store **ret, Error **ret_err)
{
        static const char *const dirs[] = { "blobs", "blobs/sha256", "layers", "images", "tmp" };
        Store *s;
        int r;

        r = mkdir_p(root, 0700);
        if (r < 0)
                return error_set(ret_err, -r, "create storage root %s", root);
        s = calloc(1, sizeof(*s));
        /* absolute: layer paths handed out become overlayfs mount options */
        if (!s || !(s->root = realpath(root, NULL))) {
                free(s);
                return error_set(ret_err, ENOMEM, "open store");
        }
        s->lock_fd = -EBADF;
        if (o)
                s->o = *o;
        s->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->root_fd < 0) {
                r = error_set(ret_err, errno, "open storage root %s", root);
                goto fail;
        }
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (mkdirat(s->root_fd, dirs[i], 0700) < 0 && errno != EEXIST) {
                        r = error_set(ret_err, errno, "create %s/%s", root, dirs[i]);
                        goto fail;
                }
        s->lock_fd = openat(s->root_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (s->lock_fd < 0) {
                r = error_set(ret_err, errno, "open %s/lock", root);
                goto fail;
        }
        *ret = s;
        return 0;
fail:
        store_close(s);
        return r;
}

void store_close(Store *s)
{
        if (!s)
                return;
        safe_close(s->lock_fd);
        safe_close(s->root_fd);
        free(s->root);
        free(s);
}

/* ---- JSON files ---- */

int store_json_load_at(int dirfd, const char *path, json_t **ret, Error **ret_err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        _cleanup_free_ char *buf = NULL;
        json_error_t je;
        size_t len;
        int r;

        if (fd < 0)
                return error_set(ret_err, errno, "open %s", path);
        r = read_full_fd(fd, &buf, &len, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "%s", path);
        *ret = json_loadb(buf, len, 0, &je);
        if (!*ret)
                return error_setx(ret_err, EBADMSG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return 0;
}

/* Write j to dirfd/path atomically: temp file, fsync, rename, and fsync of
 * the directory so that the rename itself survives a crash. */
int store_json_save_at(Store *s, const char *path, json_t *j, Error **ret_err)
{
        _cleanup_free_ char *full = path_join(s->root, path), *text = NULL, *dir = NULL;
        _cleanup_close_ int dfd = -EBADF;
        int r;

        text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        if (!full || !text)
                return error_set(ret_err, ENOMEM, "write %s", path);
        r = write_file_atomic(full, text, strlen(text), 0600, ret_err);
        if (r < 0)
                return r;
        dir = strdup(full);
        if (!dir)
                return error_set(ret_err, ENOMEM, "write %s", path);
        *strrchr(dir, '/') = '\0';
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
                return error_set(ret_err, errno, "fsync %s", dir);
        return 0;
}

const char *store_json_str(json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

/* ---- staging ---- */

/* Remove staging dirs of writers that died: their lock is free, or (gc-*
 * trees of an interrupted removal) they have none. A staging dir gets its
 * name only once its owner holds its lock (it is made as ".new-*" and
 * renamed), so a dir being set up is never taken for a dead one; a ".new-*"
 * left by a crash in that window is removed after an hour. */
void store_txn_sweep(Store *s)
{
        _cleanup_close_ int tmp = openat(s->root_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;
        struct dirent *de;

        if (tmp < 0)
                return;
        d = fdopendir(tmp);
        if (!d)
                return;
        tmp = -EBADF;
        while ((de = readdir(d))) {
                _cleanup_free_ char *lock = NULL;
                _cleanup_close_ int fd = -EBADF;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (de->d_name[0] == '.') {
                        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            st.st_mtime > time(NULL) - 3600)
                                continue;
                } else {
                        if (asprintf(&lock, "%s/lock", de->d_name) < 0)
                                break;
                        fd = openat(dirfd(d), lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
                        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
                                continue; /* a live writer */
                }
                (void)tree_remove(dirfd(d), de->d_name);
        }
        closedir(d);
}

/* An fd of blob `digest`: staged in t (may be NULL), else in the store. */
int store_blob_open(Store *s, StoreTxn *t, const char *digest, Error **ret_err)
{
        char p[96];
        int fd;

        if (!digest_is_valid(digest))
                return error_setx(ret_err, EINVAL, "bad digest %s", digest);
        if (t) {
                snprintf(p, sizeof(p), "blobs/%s", digest + 7);
                fd = openat(t->dir_fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd >= 0 || errno != ENOENT)
                        return fd >= 0 ? fd : error_set(ret_err, errno, "open blob %s", digest);
        }
        snprintf(p, sizeof(p), "blobs/sha256/%s", digest + 7);
        fd = openat(s->root_fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return error_set(ret_err, errno, "open blob %s", digest);
        return fd;
}

bool store_layer_in_store(Store *s, const char *diff_id)
{
        char p[96];

        snprintf(p, sizeof(p), "layers/%s/layer.json", diff_id + 7);
        return faccessat(s->root_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_read_json_blob(Store *s, StoreTxn *t, const char *digest, json_t **ret, Error **ret_err)
{
        _cleanup_close_ int fd = store_blob_open(s, t, digest, ret_err);
        _cleanup_free_ char *buf = NULL;
        json_error_t je;
        size_t len;
        int r;

        if (fd < 0)
                return fd;
        r = read_full_fd(fd, &buf, &len, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "blob %s", digest);
        *ret = json_loadb(buf, len, 0, &je);
        if (!*ret || !json_is_object(*ret))
                return error_setx(ret_err, EBADMSG, "blob %s: not a JSON object: %d:%d: %s", digest, je.line, je.column,
                                  *ret ? "" : je.text);
        return 0;
}

json_t *store_load_tags(Store *s, Error **ret_err)
{
        json_t *j = NULL;

        if (faccessat(s->root_fd, "repositories.json", F_OK, 0) < 0)
                return json_pack("{s:{}}", "tags");
        if (store_json_load_at(s->root_fd, "repositories.json", &j, ret_err) < 0)
                return NULL;
        if (!json_is_object(json_object_get(j, "tags")))
                json_object_set_new(j, "tags", json_object());
        return j;
}

/* Move each of `tags` to `id` in the index. Caller holds LOCK_EX. */
int store_tags_set(Store *s, char *const *tags, const char *id, Error **ret_err)
{
        _cleanup_json_ json_t *j = NULL;

        if (!tags || !*tags)
                return 0;
        j = store_load_tags(s, ret_err);
        if (!j)
                return -EIO;
        for (char *const *tg = tags; *tg; tg++)
                if (json_object_set_new(json_object_get(j, "tags"), *tg, json_string(id)) < 0)
                        return error_set(ret_err, ENOMEM, "tag %s", *tg);
        return store_json_save_at(s, "repositories.json", j, ret_err);
}

void store_image_free(StoreImage *img)
{
        if (!img)
                return;
        free(img->id);
        free(img->manifest);
        free(img->created);
        free(img->loaded);
        for (size_t i = 0; i < img->n_layers; i++) {
                free(img->layers[i].diff_id);
                free(img->layers[i].digest);
                free(img->layers[i].media_type);
        }
        free(img->layers);
        strv_free(img->tags);
        strv_free(img->repo_digests);
        free(img);
}

void store_image_list_free(StoreImage **imgs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                store_image_free(imgs[i]);
        free(imgs);
}

static char *dup_or_null(const char *s)
{
        return s ? strdup(s) : NULL;
}

static int image_from_json(json_t *rec, json_t *tags, StoreImage **ret, Error **ret_err)
{
        _cleanup_store_image_ StoreImage *img = calloc(1, sizeof(*img));
        json_t *layers = json_object_get(rec, "layers"), *v;
        const char *key;
        size_t i;

        if (!img || !store_json_str(rec, "id") || !json_is_array(layers))
                return error_setx(ret_err, EBADMSG, "bad image record");
        img->id = strdup(store_json_str(rec, "id"));
        img->manifest = dup_or_null(store_json_str(rec, "manifest"));
        img->created = dup_or_null(store_json_str(rec, "created"));
        img->loaded = dup_or_null(store_json_str(rec, "loaded"));
        img->size = (uint64_t)json_integer_value(json_object_get(rec, "size"));
        img->layers = calloc(json_array_size(layers) + 1, sizeof(StoreLayer));
        if (!img->id || !img->layers)
                return error_set(ret_err, ENOMEM, "image record");
        json_array_foreach(layers, i, v)
        {
                StoreLayer *l = &img->layers[img->n_layers++];
                l->diff_id = dup_or_null(store_json_str(v, "diffID"));
                l->digest = dup_or_null(store_json_str(v, "digest"));
                l->media_type = dup_or_null(store_json_str(v, "mediaType"));
                l->blob_size = (uint64_t)json_integer_value(json_object_get(v, "blobSize"));
                l->size = (uint64_t)json_integer_value(json_object_get(v, "size"));
                if (!l->diff_id || !digest_is_valid(l->diff_id))
                        return error_setx(ret_err, EBADMSG, "image record %s: bad layer", img->id);
        }
        img->tags = calloc(1, sizeof(char *));
        img->repo_digests = calloc(1, sizeof(char *));
        if (!img->tags || !img->repo_digests)
                return error_set(ret_err, ENOMEM, "image record");
        json_object_foreach(tags, key, v) if (streq(json_string_value(v) ?: "", img->id) &&
                                              strv_push(&img->tags, key) < 0) return error_set(ret_err, ENOMEM,
                                                                                               "image record");
        json_array_foreach(json_object_get(rec, "repoDigests"), i,
                           v) if (json_string_value(v) && strv_push(&img->repo_digests, json_string_value(v)) <
                                                                  0) return error_set(ret_err, ENOMEM, "image record");
        *ret = TAKE_PTR(img);
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_newest(const void *a, const void *b)
{
        const StoreImage *x = *(StoreImage *const *)a, *y = *(StoreImage *const *)b;
        int c = strcmp(y->created ?: "", x->created ?: "");

        return c ? c : strcmp(x->id, y->id);
}

static int list_locked(Store *s, StoreImage ***ret, size_t *ret_n, Error **ret_err)
{
        _cleanup_json_ json_t *tags = store_load_tags(s, ret_err);
        _cleanup_close_ int ifd = -EBADF;
        StoreImage **v = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        if (!tags)
                return -EIO;
        ifd = openat(s->root_fd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ifd < 0)
                return error_set(ret_err, errno, "open %s/images", s->root);
        d = fdopendir(ifd);
        if (!d)
                return error_set(ret_err, errno, "open %s/images", s->root);
        ifd = -EBADF;
        while ((de = readdir(d))) {
                _cleanup_json_ json_t *rec = NULL;
                size_t len = strlen(de->d_name);
                StoreImage **nv;

                /* "<64 hex>.json": temp files of an interrupted write are not images */
                if (len != 69 || !streq(de->d_name + 64, ".json"))
                        continue;
                r = store_json_load_at(dirfd(d), de->d_name, &rec, ret_err);
                if (r < 0)
                        break;
                nv = reallocarray(v, n + 1, sizeof(*v));
                if (!nv) {
                        r = error_set(ret_err, ENOMEM, "list images");
                        break;
                }
                v = nv;
                r = image_from_json(rec, json_object_get(tags, "tags"), &v[n], ret_err);
                if (r < 0)
                        break;
                qsort(v[n]->tags, strv_length(v[n]->tags), sizeof(char *), cmp_str);
                n++;
        }
        closedir(d);
        if (r < 0) {
                store_image_list_free(v, n);
                return error_prefix(ret_err, "list images in %s", s->root);
        }
        if (n > 1)
                qsort(v, n, sizeof(*v), cmp_newest);
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_list(Store *s, StoreImage ***ret, size_t *ret_n, Error **ret_err)
{
        int r = store_lock(s, false, ret_err);

        if (r < 0)
                return r;
        r = list_locked(s, ret, ret_n, ret_err);
        store_unlock(s);
        return r;
}

static int take_image(StoreImage **imgs, size_t n, size_t i, StoreImage **ret)
{
        *ret = imgs[i];
        imgs[i] = NULL;
        store_image_list_free(imgs, n);
        return 0;
}

int store_lookup(Store *s, const char *name, StoreImage **ret, char **ret_tag, Error **ret_err)
{
        _cleanup_ref_ ImageRef *ref = NULL;
        _cleanup_free_ char *full = NULL;
        StoreImage **imgs = NULL;
        size_t n = 0, found = SIZE_MAX;
        const char *hex = name;
        int r;

        r = store_list(s, &imgs, &n, ret_err);
        if (r < 0)
                return r;
        if (strncmp(name, "sha256:", 7) == 0)
                hex = name + 7;
        else if (ref_parse(name, &ref, NULL) >= 0 && (full = ref_string(ref))) {
                for (size_t i = 0; i < n; i++) {
                        if (ref->tag && strv_contains(imgs[i]->tags, full)) {
                                if (ret_tag && !(*ret_tag = strdup(full)))
                                        break;
                                return take_image(imgs, n, i, ret);
                        }
                        if (ref->digest && strv_contains(imgs[i]->repo_digests, full))
                                return take_image(imgs, n, i, ret);
                }
        }
        /* an ID or a unique prefix of one */
        if (*hex && strspn(hex, "0123456789abcdef") == strlen(hex))
                for (size_t i = 0; i < n; i++) {
                        if (strncmp(imgs[i]->id + 7, hex, strlen(hex)) != 0)
                                continue;
                        if (found != SIZE_MAX) {
                                store_image_list_free(imgs, n);
                                return error_setx(ret_err, EINVAL, "image ID prefix %s is ambiguous", name);
                        }
                        found = i;
                }
        if (found != SIZE_MAX)
                return take_image(imgs, n, found, ret);
        store_image_list_free(imgs, n);
        return error_setx(ret_err, ENOENT, "No such image: %s", name);
}

/* ---- tags and removal ---- */

int store_tag(Store *s, const char *id, const char *tag, Error **ret_err)
{
        char *const tags[] = { (char *)tag, NULL };
        char p[96];
        int r;

        if (!digest_is_valid(id))
                return error_setx(ret_err, EINVAL, "bad image ID %s", id);
        r = store_lock(s, true, ret_err);
        if (r < 0)
                return r;
        snprintf(p, sizeof(p), "images/%s.json", id + 7);
        if (faccessat(s->root_fd, p, F_OK, 0) < 0)
                r = error_setx(ret_err, ENOENT, "No such image: %s", id);
        else
                r = store_tags_set(s, tags, id, ret_err);
        store_unlock(s);
        return r;
}

int store_untag(Store *s, const char *tag, Error **ret_err)
{
        _cleanup_json_ json_t *j = NULL;
        int r = store_lock(s, true, ret_err);

        if (r < 0)
                return r;
        j = store_load_tags(s, ret_err);
        if (!j)
                r = -EIO;
        else if (json_object_del(json_object_get(j, "tags"), tag) < 0)
                r = error_setx(ret_err, ENOENT, "No such image: %s", tag);
        else
                r = store_json_save_at(s, "repositories.json", j, ret_err);
        store_unlock(s);
        return r;
}

/* Remove every entry of dir (relative to the root) whose name is not in
 * keep, by renaming it into tmp/ first, so that a crash halfway through a
 * removal never leaves a half-deleted tree under its real name. */
static int sweep_unreferenced(Store *s, const char *dir, char **keep, char ***freed, Error **ret_err)
{
        _cleanup_close_ int dfd = openat(s->root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int tmp = openat(s->root_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        DIR *d;
        int r = 0;

        if (dfd < 0 || tmp < 0)
                return error_set(ret_err, errno, "open %s/%s", s->root, dir);
        d = fdopendir(dfd);
        if (!d)
                return error_set(ret_err, errno, "open %s/%s", s->root, dir);
        dfd = -EBADF;
        while ((de = readdir(d))) {
                char gone[96];

                if (!hex64_is_valid(de->d_name) || strv_contains(keep, de->d_name))
                        continue;
                snprintf(gone, sizeof(gone), "gc-%.64s-%d", de->d_name, (int)getpid());
                if (renameat(dirfd(d), de->d_name, tmp, gone) < 0) {
                        r = error_set(ret_err, errno, "remove %s/%s", dir, de->d_name);
                        break;
                }
                (void)tree_remove(tmp, gone);
                if (freed) {
                        char id[72];
                        snprintf(id, sizeof(id), "sha256:%.64s", de->d_name);
                        (void)strv_push(freed, id);
                }
        }
        closedir(d);
        return r;
}

static int gc_locked(Store *s, char ***ret_freed, Error **ret_err)
{
        _cleanup_strv_ char **layers = calloc(1, sizeof(char *)), **blobs = calloc(1, sizeof(char *));
        StoreImage **imgs = NULL;
        size_t n = 0;
        int r;

        if (!layers || !blobs)
                return error_set(ret_err, ENOMEM, "gc");
        r = list_locked(s, &imgs, &n, ret_err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_json_ json_t *m = NULL;
                const char *cfg;

                r = strv_push(&blobs, imgs[i]->manifest + 7);
                if (r >= 0)
                        r = strv_push(&blobs, imgs[i]->id + 7);
                for (size_t k = 0; r >= 0 && k < imgs[i]->n_layers; k++) {
                        r = strv_push(&layers, imgs[i]->layers[k].diff_id + 7);
                        if (r >= 0 && imgs[i]->layers[k].digest)
                                r = strv_push(&blobs, imgs[i]->layers[k].digest + 7);
                }
                /* the config the manifest names is the image ID; read it to be sure */
                if (r >= 0 && store_read_json_blob(s, NULL, imgs[i]->manifest, &m, NULL) >= 0 &&
                    (cfg = store_json_str(json_object_get(m, "config"), "digest")) && digest_is_valid(cfg))
                        r = strv_push(&blobs, cfg + 7);
        }
        store_image_list_free(imgs, n);
        if (r < 0)
                return error_set(ret_err, -r, "gc");
        r = sweep_unreferenced(s, "layers", layers, ret_freed, ret_err);
        if (r >= 0)
                r = sweep_unreferenced(s, "blobs/sha256", blobs, NULL, ret_err);
        return r;
}

int store_gc(Store *s, char ***ret_freed, Error **ret_err)
{
        int r = store_lock(s, true, ret_err);

        if (r < 0)
                return r;
        r = gc_locked(s, ret_freed, ret_err);
        store_unlock(s);
        return r;
}

int store_delete(Store *s, const char *id, char ***ret_freed, Error **ret_err)
{
        _cleanup_json_ json_t *j = NULL;
        char p[96];
        const char *key;
        json_t *v, *tags;
        void *tmp;
        int r;

        if (!digest_is_valid(id))
                return error_setx(ret_err, EINVAL, "bad image ID %s", id);
        r = store_lock(s, true, ret_err);
        if (r < 0)
                return r;
        j = store_load_tags(s, ret_err);
        if (!j) {
                r = -EIO;
                goto out;
        }
        tags = json_object_get(j, "tags");
        json_object_foreach_safe(tags, tmp, key, v) if (streq(json_string_value(v) ?: "", id))
                json_object_del(tags, key);
        /* tags first: a tag never names a missing image */
        r = store_json_save_at(s, "repositories.json", j, ret_err);
        if (r < 0)
                goto out;
        snprintf(p, sizeof(p), "images/%s.json", id + 7);
        if (unlinkat(s->root_fd, p, 0) < 0) {
                r = error_set(ret_err, errno, "remove image %s", id);
                goto out;
        }
        r = gc_locked(s, ret_freed, ret_err);
out:
        store_unlock(s);
        return r;
}

int store_read_blob(Store *s, const char *digest, char **ret, size_t *ret_len, Error **ret_err)
{
        _cleanup_close_ int fd = store_blob_open(s, NULL, digest, ret_err);

        if (fd < 0)
                return fd;
        return read_full_fd(fd, ret, ret_len, ret_err);
}

int store_open_blob(Store *s, const char *digest, Error **ret_err)
{
        return store_blob_open(s, NULL, digest, ret_err);
}

char *store_layer_dir(Store *s, const char *diff_id)
{
        char *p = NULL;

        if (!digest_is_valid(diff_id) || asprintf(&p, "%s/layers/%s/diff", s->root, diff_id + 7) < 0)
                return NULL;
        return p;
}

bool store_has_layer(Store *s, const char *diff_id)
{
        return digest_is_valid(diff_id) && store_layer_in_store(s, diff_id);
}
