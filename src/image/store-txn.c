/* The content store's writing half: staging (StoreTxn: blobs hashed on the
 * way in, layers unpacked) and commit. Locking: see store.c. */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/ref.h"
#include "image/store-internal.h"
#include "image/tree.h"
#include "image/unpack.h"
#include "lib/path.h"
#include "lib/util.h"

static void md_freep(EVP_MD_CTX **m)
{
        EVP_MD_CTX_free(*m);
}
static void hex_digest(EVP_MD_CTX *md, char out[72])
{
        unsigned char h[EVP_MAX_MD_SIZE];
        unsigned n = 0;

        EVP_DigestFinal_ex(md, h, &n);
        strcpy(out, "sha256:");
        for (unsigned i = 0; i < n && i < 32; i++)
                snprintf(out + 7 + 2 * i, 3, "%02x", h[i]);
}

int store_txn_begin(Store *s, StoreTxn **ret, Error **ret_err)
{
        _cleanup_free_ char *tmpl = NULL, *final = NULL;
        StoreTxn *t;
        int r;

        store_txn_sweep(s);
        t = calloc(1, sizeof(*t));
        if (!t)
                return error_set(ret_err, ENOMEM, "stage image");
        t->s = s;
        t->dir_fd = t->lock_fd = -EBADF;
        if (asprintf(&tmpl, "%s/tmp/.new-XXXXXX", s->root) < 0 || !mkdtemp(tmpl)) {
                r = error_set(ret_err, errno ? errno : ENOMEM, "create a staging directory in %s/tmp", s->root);
                goto fail;
        }
        t->dir_fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (t->dir_fd < 0) {
                r = error_set(ret_err, errno, "open %s", tmpl);
                (void)rmdir(tmpl);
                goto fail;
        }
        t->lock_fd = openat(t->dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (t->lock_fd < 0 || flock(t->lock_fd, LOCK_EX) < 0 || mkdirat(t->dir_fd, "blobs", 0700) < 0 ||
            mkdirat(t->dir_fd, "layers", 0700) < 0) {
                r = error_set(ret_err, errno, "prepare %s", tmpl);
                (void)tree_remove(AT_FDCWD, tmpl);
                goto fail;
        }
        /* locked: now it may carry a name the sweep looks at */
        final = strdup(tmpl);
        if (!final) {
                r = error_set(ret_err, ENOMEM, "stage image");
                (void)tree_remove(AT_FDCWD, tmpl);
                goto fail;
        }
        memmove(strrchr(final, '/') + 1, strrchr(final, '/') + 6, strlen(strrchr(final, '/') + 6) + 1);
        if (rename(tmpl, final) < 0) {
                r = error_set(ret_err, errno, "rename %s", tmpl);
                (void)tree_remove(AT_FDCWD, tmpl);
                goto fail;
        }
        t->name = strdup(strrchr(final, '/') + 1);
        if (!t->name) {
                r = error_set(ret_err, ENOMEM, "stage image");
                (void)tree_remove(AT_FDCWD, final);
                goto fail;
        }
        r = store_lock(s, false, ret_err);
        if (r < 0)
                goto fail;
        t->locked = true;
        *ret = t;
        return 0;
fail:
        store_txn_abort(t);
        return r;
}

void store_txn_abort(StoreTxn *t)
{
        if (!t)
                return;
        if (t->name) {
                _cleanup_close_ int tmp = openat(t->s->root_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (tmp >= 0)
                        (void)tree_remove(tmp, t->name);
        }
        if (t->locked)
                store_unlock(t->s);
        safe_close(t->lock_fd);
        safe_close(t->dir_fd);
        free(t->name);
        free(t);
}

int store_txn_dir_fd(StoreTxn *t)
{
        return t->dir_fd;
}

uint64_t store_skipped_devices(const Store *s)
{
        return s->skipped_devices;
}

static bool blob_in_store(Store *s, const char *digest)
{
        char p[96];

        snprintf(p, sizeof(p), "blobs/sha256/%s", digest + 7);
        return faccessat(s->root_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int blob_check(const char *expect, const char *got, Error **ret_err)
{
        if (expect && !streq(expect, got))
                return error_setx(ret_err, EBADMSG, "blob %s: content has digest %s (corrupted or tampered)", expect,
                                  got);
        return 0;
}

/* Name a staged temp file blobs/<hex> after its digest. */
static int blob_stage(StoreTxn *t, const char *tmp, const char *digest, Error **ret_err)
{
        char p[96];

        snprintf(p, sizeof(p), "blobs/%s", digest + 7);
        if (renameat(t->dir_fd, tmp, t->dir_fd, p) < 0)
                return error_set(ret_err, errno, "stage blob %s", digest);
        return 0;
}

int store_txn_add_blob_fd(StoreTxn *t, int fd, const char *expect, char **ret_digest, uint64_t *ret_size,
                          Error **ret_err)
{
        _cleanup_(md_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        _cleanup_free_ char *buf = malloc(1 << 20);
        _cleanup_close_ int out = -EBADF;
        char digest[72], tmp[32];
        uint64_t size = 0;
        int r;

        if (!md || !buf || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
                return error_set(ret_err, ENOMEM, "sha256");
        if (expect && !digest_is_valid(expect))
                return error_setx(ret_err, EINVAL, "bad digest %s (want sha256:<64 hex digits>)", expect);
        if (expect && blob_in_store(t->s, expect)) {
                /* verified when it came in; the source's copy is not needed */
                struct stat st;
                char p[96];
                snprintf(p, sizeof(p), "blobs/sha256/%s", expect + 7);
                if (fstatat(t->s->root_fd, p, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return error_set(ret_err, errno, "stat blob %s", expect);
                if (ret_digest && !(*ret_digest = strdup(expect)))
                        return error_set(ret_err, ENOMEM, "blob");
                if (ret_size)
                        *ret_size = (uint64_t)st.st_size;
                return 0;
        }
        snprintf(tmp, sizeof(tmp), "blobs/in.%d", fd);
        out = openat(t->dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (out < 0)
                return error_set(ret_err, errno, "create a staged blob");
        for (;;) {
                ssize_t n = read(fd, buf, 1 << 20);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set(ret_err, errno, "read blob %s", expect ? expect : "");
                }
                if (n == 0)
                        break;
                size += (uint64_t)n;
                if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
                        return error_setx(ret_err, EIO, "sha256 update");
                r = write_all(out, buf, (size_t)n);
                if (r < 0)
                        return error_set(ret_err, -r, "write a staged blob");
        }
        hex_digest(md, digest);
        r = blob_check(expect, digest, ret_err);
        if (r < 0) {
                (void)unlinkat(t->dir_fd, tmp, 0);
                return r;
        }
        r = blob_stage(t, tmp, digest, ret_err);
        if (r < 0)
                return r;
        if (ret_digest && !(*ret_digest = strdup(digest)))
                return error_set(ret_err, ENOMEM, "blob");
        if (ret_size)
                *ret_size = size;
        return 0;
}

int store_txn_add_blob_mem(StoreTxn *t, const void *buf, size_t len, const char *expect, char **ret_digest,
                           Error **ret_err)
{
        _cleanup_(md_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        _cleanup_close_ int out = -EBADF;
        char digest[72];
        int r;

        if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(md, buf, len) != 1)
                return error_set(ret_err, ENOMEM, "sha256");
        hex_digest(md, digest);
        r = blob_check(expect, digest, ret_err);
        if (r < 0)
                return r;
        out = openat(t->dir_fd, "blobs/in.mem", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (out < 0)
                return error_set(ret_err, errno, "create a staged blob");
        r = write_all(out, buf, len);
        if (r < 0)
                return error_set(ret_err, -r, "write a staged blob");
        r = blob_stage(t, "blobs/in.mem", digest, ret_err);
        if (r < 0)
                return r;
        if (ret_digest && !(*ret_digest = strdup(digest)))
                return error_set(ret_err, ENOMEM, "blob");
        return 0;
}

static bool layer_staged(StoreTxn *t, const char *diff_id)
{
        char p[96];

        snprintf(p, sizeof(p), "layers/%s", diff_id + 7);
        return faccessat(t->dir_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_txn_add_layer(StoreTxn *t, const char *blob_digest, const char *diff_id, char **ret_diff_id, Error **ret_err)
{
        _cleanup_close_ int blob = -EBADF, dir = -EBADF;
        _cleanup_json_ json_t *meta = NULL;
        char work[64], p[96];
        UnpackOpts uo = { .privileged = t->s->o.privileged,
                          .max_entries = t->s->o.max_layer_entries,
                          .max_bytes = t->s->o.max_layer_bytes,
                          .plain_digest = blob_digest };
        UnpackStats st;
        int r;

        if (diff_id && !digest_is_valid(diff_id))
                return error_setx(ret_err, EINVAL, "bad diffID %s", diff_id);
        if (diff_id && (store_layer_in_store(t->s, diff_id) || layer_staged(t, diff_id)))
                goto done;

        blob = store_blob_open(t->s, t, blob_digest, ret_err);
        if (blob < 0)
                return blob;
        snprintf(work, sizeof(work), "layers/unpack.%d", blob);
        if (mkdirat(t->dir_fd, work, 0700) < 0)
                return error_set(ret_err, errno, "stage layer");
        snprintf(p, sizeof(p), "%s/diff", work);
        if (mkdirat(t->dir_fd, p, 0755) < 0)
                return error_set(ret_err, errno, "stage layer");
        dir = openat(t->dir_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir < 0)
                return error_set(ret_err, errno, "open staged layer");
        r = unpack_layer(blob, dir, &uo, &st, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "unpack layer %s", blob_digest);
        /* (layers of one txn unpack on threads of their own) */
        __atomic_add_fetch(&t->s->skipped_devices, st.skipped_devices, __ATOMIC_RELAXED);
        if (diff_id && !streq(diff_id, st.diff_id))
                return error_setx(ret_err, EBADMSG,
                                  "layer %s: uncompressed content has digest %s, the image config says %s", blob_digest,
                                  st.diff_id, diff_id);
        meta = json_pack("{s:s, s:I, s:I}", "diffID", st.diff_id, "size", (json_int_t)st.bytes, "entries",
                         (json_int_t)st.entries);
        if (!meta)
                return error_set(ret_err, ENOMEM, "layer record");
        {
                _cleanup_free_ char *text = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
                _cleanup_close_ int fd = -EBADF;
                snprintf(p, sizeof(p), "%s/layer.json", work);
                fd = openat(t->dir_fd, p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (!text || fd < 0 || write_all(fd, text, strlen(text)) < 0)
                        return error_set(ret_err, errno ? errno : ENOMEM, "write layer record");
        }
        snprintf(p, sizeof(p), "layers/%s", st.diff_id + 7);
        if (renameat(t->dir_fd, work, t->dir_fd, p) < 0) {
                if (errno != EEXIST && errno != ENOTEMPTY)
                        return error_set(ret_err, errno, "stage layer %s", st.diff_id);
                (void)tree_remove(t->dir_fd, work); /* the same layer twice in one image */
        }
        diff_id = st.diff_id;
done:
        if (ret_diff_id && !(*ret_diff_id = strdup(diff_id)))
                return error_set(ret_err, ENOMEM, "layer");
        return 0;
}

/* ---- commit ---- */

static int commit_layers(StoreTxn *t, json_t *layers, Error **ret_err)
{
        Store *s = t->s;
        size_t i;
        json_t *l;

        json_array_foreach(layers, i, l)
        {
                const char *diff_id = store_json_str(l, "diffID");
                char from[96], to[96];

                snprintf(from, sizeof(from), "layers/%s", diff_id + 7);
                snprintf(to, sizeof(to), "layers/%s", diff_id + 7);
                if (store_layer_in_store(s, diff_id))
                        continue;
                if (!layer_staged(t, diff_id))
                        return error_setx(ret_err, EAGAIN,
                                          "layer %s was removed while this image was being stored; try again", diff_id);
                /* a stale layers/<hex> without layer.json is an interrupted
                 * removal: finish it */
                (void)tree_remove(s->root_fd, to);
                if (renameat(t->dir_fd, from, s->root_fd, to) < 0)
                        return error_set(ret_err, errno, "move layer %s into the store", diff_id);
        }
        return 0;
}

static int commit_blobs(StoreTxn *t, Error **ret_err)
{
        _cleanup_close_ int bfd = openat(t->dir_fd, "blobs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        DIR *d;
        int r = 0;

        if (bfd < 0)
                return error_set(ret_err, errno, "open staged blobs");
        d = fdopendir(bfd);
        if (!d)
                return error_set(ret_err, errno, "open staged blobs");
        bfd = -EBADF;
        while ((de = readdir(d))) {
                char to[96];

                if (!hex64_is_valid(de->d_name))
                        continue;
                snprintf(to, sizeof(to), "blobs/sha256/%.64s", de->d_name);
                if (renameat(dirfd(d), de->d_name, t->s->root_fd, to) < 0) {
                        r = error_set(ret_err, errno, "move blob sha256:%s into the store", de->d_name);
                        break;
                }
        }
        closedir(d);
        return r;
}

int store_txn_commit(StoreTxn *t, const char *manifest, char *const *tags, char *const *repo_digests, char **ret_id,
                     Error **ret_err)
{
        _cleanup_json_ json_t *m = NULL, *cfg = NULL, *rec = NULL, *layers = NULL;
        _cleanup_free_ char *now = now_rfc3339();
        Store *s = t->s;
        const char *id;
        json_t *diff_ids, *mlayers, *l;
        json_int_t total = 0;
        char rec_path[96];
        size_t i;
        int r;

        r = store_read_json_blob(s, t, manifest, &m, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "manifest");
        id = store_json_str(json_object_get(m, "config"), "digest");
        if (!id || !digest_is_valid(id))
                return error_setx(ret_err, EBADMSG, "manifest %s: no sha256 config digest", manifest);
        r = store_read_json_blob(s, t, id, &cfg, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "image config");
        diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
        mlayers = json_object_get(m, "layers");
        if (!json_is_array(diff_ids) || !json_is_array(mlayers) ||
            json_array_size(diff_ids) != json_array_size(mlayers))
                return error_setx(ret_err, EBADMSG,
                                  "image %s: the manifest's layers and the config's rootfs.diff_ids do not match", id);

        layers = json_array();
        if (!layers)
                return error_set(ret_err, ENOMEM, "image record");
        json_array_foreach(mlayers, i, l)
        {
                const char *diff_id = json_string_value(json_array_get(diff_ids, i));
                char p[96];
                json_t *lm = NULL;

                if (!diff_id || !digest_is_valid(diff_id))
                        return error_setx(ret_err, EBADMSG, "image %s: bad diff_id #%zu", id, i);
                if (!store_layer_in_store(s, diff_id) && !layer_staged(t, diff_id))
                        return error_setx(ret_err, ENOENT, "image %s: layer %s was not unpacked", id, diff_id);
                snprintf(p, sizeof(p), "layers/%s/layer.json", diff_id + 7);
                if (store_json_load_at(layer_staged(t, diff_id) ? t->dir_fd : s->root_fd, p, &lm, ret_err) < 0)
                        return -EIO;
                total += json_integer_value(json_object_get(lm, "size"));
                json_array_append_new(
                        layers, json_pack("{s:s, s:O, s:O, s:O, s:O}", "diffID", diff_id, "digest",
                                          json_object_get(l, "digest"), "mediaType", json_object_get(l, "mediaType"),
                                          "blobSize", json_object_get(l, "size"), "size", json_object_get(lm, "size")));
                json_decref(lm);
        }
        rec = json_pack("{s:s, s:s, s:O, s:s, s:O, s:I, s:[]}", "id", id, "manifest", manifest, "layers", layers,
                        "loaded", now ? now : "", "created", json_object_get(cfg, "created") ?: json_null(), "size",
                        total, "repoDigests");
        if (!rec)
                return error_set(ret_err, ENOMEM, "image record");
        for (char *const *d = repo_digests; d && *d; d++)
                json_array_append_new(json_object_get(rec, "repoDigests"), json_string(*d));

        /* everything staged is on disk before any of it gets a name in the
         * store: a layers/<hex> name promises a complete tree */
        if (syncfs(t->dir_fd) < 0)
                return error_set(ret_err, errno, "syncfs %s", s->root);

        r = store_lock(s, true, ret_err);
        if (r < 0)
                return r;
        r = commit_layers(t, layers, ret_err);
        if (r >= 0)
                r = commit_blobs(t, ret_err);
        if (r >= 0 && syncfs(s->root_fd) < 0)
                r = error_set(ret_err, errno, "syncfs %s", s->root);
        if (r >= 0) {
                snprintf(rec_path, sizeof(rec_path), "images/%s.json", id + 7);
                /* the same image again keeps its record; only tags move */
                if (faccessat(s->root_fd, rec_path, F_OK, 0) < 0)
                        r = store_json_save_at(s, rec_path, rec, ret_err);
        }
        if (r >= 0)
                r = store_tags_set(s, tags, id, ret_err);
        if (r >= 0 && ret_id && !(*ret_id = strdup(id)))
                r = error_set(ret_err, ENOMEM, "image");
        /* flock(2) has no downgrade: the txn keeps LOCK_EX until it ends */
        store_unlock(s);
        return r;
}

/* ---- reading ---- */
