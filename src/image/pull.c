/* `husk pull`; see pull.h. Threads: the caller's thread fetches the
 * manifest and config, starts `jobs` download workers that take layers
 * from a shared queue, and then commits each blob to the txn as workers
 * finish them and hands it to an unpack thread, as many at once as there
 * are CPUs: a layer of many small files takes longer to unpack than the
 * others take to download, and they need not wait for it. Only
 * store_txn_add_layer() runs on the unpack threads (each in a staging dir
 * of its own); every other use of the txn is on the caller's thread.
 * `lock` guards the Layer array and the events. */
#include "image/pull.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/partial.h"
#include "image/ref.h"
#include "image/registry.h"
#include "lib/macros.h"
#include "lib/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

#define MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

/* A partial download untouched for this long was given up on. */
#define PARTIAL_MAX_AGE (7 * 24 * 3600)

typedef struct Layer {
        const char *digest;  /* borrowed from the manifest */
        const char *diff_id; /* from the config */
        uint64_t size;
        size_t first; /* index of the first layer with this digest (a repeated layer is fetched once) */
        PullLayerState st;
        uint64_t done;
        bool fetch;    /* needs a download */
        bool finished; /* the worker is done with it (see err) */
        bool taken;
        bool handled;   /* committed by the main thread */
        bool unpacking; /* its unpack thread was started (`unpacker`) */
        bool unpacked;  /* and is done (see err) */
        pthread_t unpacker;
        PartialBlob *w;
        Error *err;
} Layer;

typedef struct Pull {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        Registry *reg;
        Store *s;
        Layer *layers;
        size_t n;
        bool cancel;
        const PullEvents *ev;
        StoreTxn *txn;
        unsigned unpacking; /* unpack threads running */
} Pull;

static void emit_layer(Pull *p, size_t i)
{
        Layer *l = &p->layers[i];

        if (p->ev && p->ev->layer)
                p->ev->layer(p->ev->userdata, i, p->n, l->digest, l->st, l->done, l->size);
}

static void emit_line(const PullEvents *ev, const char *fmt, ...) _printf_(2, 3);
static void emit_line(const PullEvents *ev, const char *fmt, ...)
{
        _cleanup_free_ char *line = NULL;
        va_list ap;

        if (!ev || !ev->line)
                return;
        va_start(ap, fmt);
        if (vasprintf(&line, fmt, ap) >= 0)
                ev->line(ev->userdata, line);
        va_end(ap);
}

typedef struct Progress {
        Pull *p;
        size_t i;
} Progress;

/* A worker's download went on; false once the pull failed elsewhere, so
 * that the other downloads stop too. */
static bool on_progress(void *ud, uint64_t done, uint64_t total)
{
        Progress *pr = ud;
        Layer *l = &pr->p->layers[pr->i];
        bool go;

        pthread_mutex_lock(&pr->p->lock);
        l->done = done;
        if (total > 0 && l->size == 0)
                l->size = total;
        emit_layer(pr->p, pr->i);
        go = !pr->p->cancel;
        pthread_mutex_unlock(&pr->p->lock);
        return go;
}

static void *worker(void *arg)
{
        Pull *p = arg;
        RegistryConn *c = registry_conn_new(p->reg);

        for (;;) {
                Error *err = NULL;
                PartialBlob *w = NULL;
                Progress pr = { .p = p };
                size_t i;
                int k;

                pthread_mutex_lock(&p->lock);
                for (i = 0; i < p->n; i++)
                        if (p->layers[i].fetch && !p->layers[i].taken)
                                break;
                if (i == p->n || p->cancel) {
                        pthread_mutex_unlock(&p->lock);
                        break;
                }
                p->layers[i].taken = true;
                p->layers[i].st = PULL_LAYER_DOWNLOADING;
                emit_layer(p, i);
                pthread_mutex_unlock(&p->lock);

                pr.i = i;
                if (!c)
                        k = error_set(&err, ENOMEM, "curl");
                else
                        k = partial_open(p->s, p->layers[i].digest, &w, &err);
                if (k >= 0) {
                        (void)on_progress(&pr, partial_size(w), 0);
                        k = registry_get_blob(c, p->layers[i].digest, w, on_progress, &pr, &err);
                }

                pthread_mutex_lock(&p->lock);
                p->layers[i].finished = true;
                p->layers[i].w = w;
                p->layers[i].err = err;
                if (k >= 0) {
                        p->layers[i].st = PULL_LAYER_DOWNLOADED;
                        emit_layer(p, i);
                } else if (!err) {
                        error_set(&p->layers[i].err, -k, "blob %s", p->layers[i].digest);
                }
                pthread_cond_broadcast(&p->cond);
                pthread_mutex_unlock(&p->lock);
        }
        registry_conn_free(c);
        return NULL;
}

static bool is_index(const char *mt, json_t *m)
{
        if (streq(mt, MT_OCI_INDEX) || streq(mt, MT_DOCKER_LIST))
                return true;
        /* an OCI index may come without its media type in Content-Type */
        return !json_object_get(m, "config") && json_is_array(json_object_get(m, "manifests"));
}

static int parse_json(const char *what, const char *buf, size_t len, json_t **ret, Error **ret_err)
{
        json_error_t je;

        *ret = json_loadb(buf, len, 0, &je);
        if (!*ret || !json_is_object(*ret))
                return error_setx(ret_err, EBADMSG, "%s:%d:%d: %s", what, je.line, je.column,
                                  *ret ? "not an object" : je.text);
        return 0;
}

/* Download the layers marked `fetch` in parallel while committing and
 * unpacking each as it completes. */
typedef struct Unpack {
        Pull *p;
        size_t i;
} Unpack;

static void *unpacker(void *arg)
{
        Unpack *u = arg;
        Pull *p = u->p;
        Layer *l = &p->layers[u->i];
        Error *err = NULL;

        (void)store_txn_add_layer(p->txn, l->digest, l->diff_id, NULL, &err);
        pthread_mutex_lock(&p->lock);
        l->unpacked = true;
        l->err = err;
        if (!err) {
                l->st = PULL_LAYER_COMPLETE;
                emit_layer(p, u->i);
        }
        p->unpacking--;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        free(u);
        return NULL;
}

/* Commit layer i's blob to the txn and start its unpack thread. With the
 * lock held; drops it meanwhile. */
static int start_unpack(Pull *p, size_t i, Error **ret_err)
{
        Layer *l = &p->layers[i];
        PartialBlob *w = TAKE_PTR(l->w);
        Unpack *u = NULL;
        int r;

        l->handled = true;
        l->st = PULL_LAYER_EXTRACTING;
        emit_layer(p, i);
        pthread_mutex_unlock(&p->lock);
        r = partial_commit(w, p->txn, ret_err);
        partial_free(w);
        if (r >= 0 && !(u = malloc(sizeof(*u))))
                r = error_set(ret_err, ENOMEM, "unpack");
        pthread_mutex_lock(&p->lock);
        if (r < 0)
                return r;
        *u = (Unpack){ .p = p, .i = i };
        r = pthread_create(&l->unpacker, NULL, unpacker, u);
        if (r != 0) {
                free(u);
                return error_set(ret_err, r, "start an unpack thread");
        }
        l->unpacking = true;
        p->unpacking++;
        return 0;
}

static int fetch_layers(Pull *p, StoreTxn *t, unsigned jobs, Error **ret_err)
{
        pthread_t th[8];
        unsigned n_th = 0, todo = 0, ujobs;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int r = 0;

        p->txn = t;
        ujobs = cpus < 1 ? 1 : cpus > 4 ? 4 : (unsigned)cpus;
        for (size_t i = 0; i < p->n; i++)
                todo += p->layers[i].fetch;
        if (jobs > ELEMENTSOF(th))
                jobs = ELEMENTSOF(th);
        for (; n_th < jobs && n_th < todo; n_th++)
                if (pthread_create(&th[n_th], NULL, worker, p) != 0) {
                        r = error_set(ret_err, errno ? errno : EAGAIN, "start a download thread");
                        break;
                }
        if (n_th == 0 && todo > 0 && r == 0)
                r = error_setx(ret_err, EAGAIN, "no download thread");

        pthread_mutex_lock(&p->lock);
        while (r == 0) {
                bool pending = false, started = false;

                for (size_t i = 0; i < p->n && r == 0; i++) {
                        Layer *l = &p->layers[i];

                        if (!l->fetch)
                                continue;
                        if (l->err && (l->unpacked || (l->finished && !l->handled))) {
                                /* a download or an unpack failed */
                                r = error_code(l->err);
                                if (ret_err) {
                                        *ret_err = TAKE_PTR(l->err);
                                }
                                break;
                        }
                        if (!l->finished || (l->unpacking && !l->unpacked)) {
                                pending = true;
                                continue;
                        }
                        if (!l->handled && p->unpacking < ujobs) {
                                r = start_unpack(p, i, ret_err);
                                started = true;
                        } else if (!l->handled) {
                                pending = true;
                        }
                }
                if (r < 0 || (!pending && !started))
                        break;
                if (!started)
                        pthread_cond_wait(&p->cond, &p->lock);
        }
        if (r < 0)
                p->cancel = true;
        pthread_mutex_unlock(&p->lock);
        for (unsigned k = 0; k < n_th; k++)
                pthread_join(th[k], NULL);
        /* the unpacks under way use the txn: they end before it can go */
        for (size_t i = 0; i < p->n; i++)
                if (p->layers[i].unpacking)
                        pthread_join(p->layers[i].unpacker, NULL);
        for (size_t i = 0; i < p->n; i++) {
                partial_free(p->layers[i].w);
                error_free(p->layers[i].err);
        }
        return r;
}

int image_pull(Store *s, const char *name, const PullOpts *o, const PullEvents *ev, char **ret_name, Error **ret_err)
{
        _cleanup_ref_ ImageRef *ref = NULL;
        _cleanup_registry_ Registry *reg = NULL;
        _cleanup_free_ char *body = NULL, *mt = NULL, *top = NULL, *digest = NULL, *cfg_text = NULL, *repo = NULL,
                            *full = NULL, *fam = NULL, *rd = NULL;
        _cleanup_json_ json_t *m = NULL, *cfg = NULL;
        _cleanup_txn_ StoreTxn *t = NULL;
        _cleanup_(store_image_freep) StoreImage *had = NULL;
        RegistryConn *c = NULL;
        RegistryOpts ro = { .insecure = o->insecure, .user = o->user, .pass = o->pass };
        Pull p = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .s = s, .ev = ev };
        Platform want;
        const char *config, *pick;
        json_t *mlayers, *diff_ids, *l;
        size_t len, i, fetched = 0;
        char *tags[2] = { NULL, NULL }, *digests[2] = { NULL, NULL };
        int r;

        r = ref_parse(name, &ref, ret_err);
        if (r < 0)
                return r;
        if (o->platform) {
                if (platform_parse(o->platform, &want) < 0)
                        return error_setx(ret_err, EINVAL, "invalid platform %s (want os/arch[/variant])", o->platform);
        } else {
                platform_host(&want);
        }
        full = ref_string(ref);
        fam = ref_familiar_string(ref);
        repo = ref_repo(ref);
        if (!full || !fam || !repo)
                return error_set(ret_err, ENOMEM, "pull");
        r = registry_open(ref->domain, ref->path, &ro, &reg, ret_err);
        if (r < 0)
                return r;
        c = registry_conn_new(reg);
        if (!c)
                return error_set(ret_err, ENOMEM, "curl");
        r = registry_get_manifest(c, ref->digest ? ref->digest : ref->tag, &body, &len, &mt, &top, ret_err);
        if (r == -ENOENT)
                error_prefix(ret_err, "manifest for %s not found", fam);
        if (r < 0)
                goto out;
        emit_line(ev, "%s: Pulling from %s", ref->digest ? ref->digest : ref->tag,
                  strncmp(ref->path, "library/", 8) == 0 && streq(ref->domain, "docker.io") ? ref->path + 8
                                                                                            : ref->path);
        r = parse_json("manifest", body, len, &m, ret_err);
        if (r < 0)
                goto out;
        if (is_index(mt, m)) {
                _cleanup_free_ char *pdigest = NULL;
                r = registry_index_select(m, &want, &pick, ret_err);
                if (r < 0)
                        goto out;
                pdigest = strdup(pick);
                json_decref(TAKE_PTR(m));
                free(TAKE_PTR(body));
                free(TAKE_PTR(mt));
                if (!pdigest) {
                        r = error_set(ret_err, ENOMEM, "pull");
                        goto out;
                }
                r = registry_get_manifest(c, pdigest, &body, &len, &mt, &digest, ret_err);
                if (r < 0) {
                        error_prefix(ret_err, "manifest %s for %s/%s", pdigest, want.os, want.arch);
                        goto out;
                }
                r = parse_json("manifest", body, len, &m, ret_err);
                if (r < 0)
                        goto out;
        } else {
                digest = strdup(top);
        }
        if (mt && strncmp(mt, "application/vnd.docker.distribution.manifest.v1", 47) == 0) {
                r = error_setx(ret_err, ENOTSUP, "%s: Docker schema 1 manifests are not supported", fam);
                goto out;
        }
        config = json_string_value(json_object_get(json_object_get(m, "config"), "digest"));
        mlayers = json_object_get(m, "layers");
        if (!config || !digest_is_valid(config) || !json_is_array(mlayers)) {
                r = error_setx(ret_err, EBADMSG, "manifest %s: no config digest or layers", digest);
                goto out;
        }
        r = registry_get_blob_mem(c, config, &cfg_text, &len, ret_err);
        if (r < 0) {
                error_prefix(ret_err, "image config");
                goto out;
        }
        r = parse_json(config, cfg_text, len, &cfg, ret_err);
        if (r < 0)
                goto out;
        diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
        if (!json_is_array(diff_ids) || json_array_size(diff_ids) != json_array_size(mlayers)) {
                r = error_setx(ret_err, EBADMSG,
                               "image %s: the manifest's layers and the config's rootfs.diff_ids do not match", config);
                goto out;
        }
        (void)store_lookup(s, config, &had, NULL, NULL);

        r = store_txn_begin(s, &t, ret_err);
        if (r < 0)
                goto out;
        partial_sweep(s, PARTIAL_MAX_AGE);
        r = store_txn_add_blob_mem(t, body, strlen(body), digest, NULL, ret_err);
        if (r >= 0)
                r = store_txn_add_blob_mem(t, cfg_text, strlen(cfg_text), config, NULL, ret_err);
        if (r < 0)
                goto out;

        p.n = json_array_size(mlayers);
        p.layers = calloc(p.n ? p.n : 1, sizeof(Layer));
        p.reg = reg;
        if (!p.layers) {
                r = error_set(ret_err, ENOMEM, "pull");
                goto out;
        }
        json_array_foreach(mlayers, i, l)
        {
                Layer *ly = &p.layers[i];
                _cleanup_close_ int bfd = -EBADF;

                ly->digest = json_string_value(json_object_get(l, "digest"));
                ly->diff_id = json_string_value(json_array_get(diff_ids, i));
                ly->size = (uint64_t)json_integer_value(json_object_get(l, "size"));
                if (!ly->digest || !digest_is_valid(ly->digest) || !ly->diff_id || !digest_is_valid(ly->diff_id)) {
                        r = error_setx(ret_err, EBADMSG, "manifest %s: layer %zu: bad digest", digest, i);
                        goto out;
                }
                ly->first = i;
                for (size_t k = 0; k < i; k++)
                        if (streq(p.layers[k].digest, ly->digest)) {
                                ly->first = k;
                                break;
                        }
                if (store_has_layer(s, ly->diff_id) || ly->first != i) {
                        ly->st = PULL_LAYER_EXISTS;
                } else if ((bfd = store_open_blob(s, ly->digest, NULL)) >= 0) {
                        /* the blob is here, only its tree is gone */
                        r = store_txn_add_layer(t, ly->digest, ly->diff_id, NULL, ret_err);
                        if (r < 0)
                                goto out;
                        ly->st = PULL_LAYER_COMPLETE;
                } else {
                        ly->fetch = true;
                        fetched++;
                }
                emit_layer(&p, i);
        }
        r = fetch_layers(&p, t, o->jobs ? o->jobs : 3, ret_err);
        if (r < 0)
                goto out;

        if (ref->tag)
                tags[0] = full;
        if (asprintf(&rd, "%s@%s", repo, top) < 0) {
                r = error_set(ret_err, ENOMEM, "pull");
                goto out;
        }
        digests[0] = rd;
        r = store_txn_commit(t, digest, tags, digests, NULL, ret_err);
        if (r < 0)
                goto out;
        emit_line(ev, "Digest: %s", top);
        emit_line(ev, "Status: %s for %s", had && fetched == 0 ? "Image is up to date" : "Downloaded newer image", fam);
        if (ret_name)
                *ret_name = TAKE_PTR(full);
        r = 0;
out:
        registry_conn_free(c);
        free(p.layers);
        return r;
}
