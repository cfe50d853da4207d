/* The archive `husk save` writes; see save.h. The store is locked shared
 * while it is written, so that no rmi frees a blob half-way. */
#include "image/save.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/ref.h"
#include "lib/macros.h"
#include "lib/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

static void archive_write_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}

static int add_entry(struct archive *a, const char *name, int64_t size, mode_t type, Error **ret_err)
{
        struct archive_entry *e = archive_entry_new();
        int r;

        if (!e)
                return error_set(ret_err, ENOMEM, "save");
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
        archive_entry_set_mtime(e, time(NULL), 0);
        r = archive_write_header(a, e);
        archive_entry_free(e);
        if (r != ARCHIVE_OK)
                return error_setx(ret_err, EIO, "write %s: %s", name, archive_error_string(a));
        return 0;
}

static int add_mem(struct archive *a, const char *name, const char *data, Error **ret_err)
{
        size_t len = strlen(data);
        int r = add_entry(a, name, (int64_t)len, AE_IFREG, ret_err);

        if (r < 0)
                return r;
        if (archive_write_data(a, data, len) != (la_ssize_t)len)
                return error_setx(ret_err, EIO, "write %s: %s", name, archive_error_string(a));
        return 0;
}

static int add_json(struct archive *a, const char *name, json_t *j, Error **ret_err)
{
        _cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);

        if (!text)
                return error_set(ret_err, ENOMEM, "save");
        return add_mem(a, name, text, ret_err);
}

/* blobs/sha256/<hex>, once per digest. */
static int add_blob(Store *s, struct archive *a, const char *digest, char ***written, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        char name[96];
        struct stat st;
        int r;

        if (strv_contains(*written, digest))
                return 0;
        fd = store_open_blob(s, digest, ret_err);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return error_set(ret_err, errno, "stat blob %s", digest);
        snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
        r = add_entry(a, name, st.st_size, AE_IFREG, ret_err);
        if (r < 0)
                return r;
        buf = malloc(1 << 20);
        if (!buf)
                return error_set(ret_err, ENOMEM, "save");
        for (;;) {
                ssize_t n = read(fd, buf, 1 << 20);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set(ret_err, errno, "read blob %s", digest);
                if (n == 0)
                        break;
                if (archive_write_data(a, buf, (size_t)n) != n)
                        return error_setx(ret_err, EIO, "write %s: %s", name, archive_error_string(a));
        }
        if (strv_push(written, digest) < 0)
                return error_set(ret_err, ENOMEM, "save");
        return 0;
}

/* The index.json descriptor and the manifest.json entry of one image. */
static int describe(Store *s, const StoreImage *img, const char *tag, json_t *index, json_t *docker, Error **ret_err)
{
        _cleanup_free_ char *mbuf = NULL;
        _cleanup_json_ json_t *m = NULL;
        json_t *desc, *entry, *layers;
        json_error_t je;
        size_t len;
        int r;

        r = store_read_blob(s, img->manifest, &mbuf, &len, ret_err);
        if (r < 0)
                return r;
        m = json_loadb(mbuf, len, 0, &je);
        desc = json_pack("{s:s, s:s, s:I}", "mediaType",
                         json_string_value(json_object_get(m, "mediaType"))
                                 ?: "application/vnd.oci.image.manifest.v1+json",
                         "digest", img->manifest, "size", (json_int_t)len);
        layers = json_array();
        entry = json_pack("{s:s+, s:[], s:o}", "Config", "blobs/sha256/", img->id + 7, "RepoTags", "Layers", layers);
        if (!desc || !entry)
                return error_set(ret_err, ENOMEM, "save");
        for (size_t i = 0; i < img->n_layers; i++) {
                char p[96];
                snprintf(p, sizeof(p), "blobs/sha256/%s", img->layers[i].digest ? img->layers[i].digest + 7 : "");
                json_array_append_new(layers, json_string(p));
        }
        if (tag) {
                _cleanup_ref_ ImageRef *ref = NULL;
                _cleanup_free_ char *fam = NULL;

                if (ref_parse(tag, &ref, ret_err) < 0)
                        return -EINVAL;
                fam = ref_familiar_string(ref);
                json_object_set_new(desc, "annotations",
                                    json_pack("{s:s, s:s}", "io.containerd.image.name", tag,
                                              "org.opencontainers.image.ref.name", ref->tag ?: "latest"));
                json_array_append_new(json_object_get(entry, "RepoTags"), json_string(fam ?: tag));
        }
        json_array_append_new(json_object_get(index, "manifests"), desc);
        json_array_append_new(docker, entry);
        return 0;
}

int image_save(Store *s, char *const *names, int out_fd, Error **ret_err)
{
        _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
        _cleanup_json_ json_t *index = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType",
                                                 "application/vnd.oci.image.index.v1+json", "manifests");
        _cleanup_json_ json_t *docker = json_array();
        _cleanup_strv_ char **written = calloc(1, sizeof(char *));
        int r;

        if (!a || !index || !docker || !written)
                return error_set(ret_err, ENOMEM, "save");
        archive_write_set_format_pax_restricted(a);
        if (archive_write_open_fd(a, out_fd) != ARCHIVE_OK)
                return error_setx(ret_err, EIO, "save: %s", archive_error_string(a));
        r = store_lock(s, false, ret_err);
        if (r < 0)
                return r;
        r = add_entry(a, "blobs", 0, AE_IFDIR, ret_err);
        if (r >= 0)
                r = add_entry(a, "blobs/sha256", 0, AE_IFDIR, ret_err);
        for (char *const *n = names; r >= 0 && *n; n++) {
                _cleanup_store_image_ StoreImage *img = NULL;
                _cleanup_free_ char *tag = NULL;

                r = store_lookup(s, *n, &img, &tag, ret_err);
                if (r < 0)
                        break;
                r = add_blob(s, a, img->manifest, &written, ret_err);
                if (r >= 0)
                        r = add_blob(s, a, img->id, &written, ret_err);
                for (size_t i = 0; r >= 0 && i < img->n_layers; i++)
                        r = img->layers[i].digest
                                    ? add_blob(s, a, img->layers[i].digest, &written, ret_err)
                                    : error_setx(ret_err, EBADMSG, "image %s: a layer without a blob", img->id);
                if (r >= 0)
                        r = describe(s, img, tag, index, docker, ret_err);
        }
        store_unlock(s);
        if (r >= 0)
                r = add_mem(a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", ret_err);
        if (r >= 0)
                r = add_json(a, "index.json", index, ret_err);
        if (r >= 0)
                r = add_json(a, "manifest.json", docker, ret_err);
        if (r >= 0 && archive_write_close(a) != ARCHIVE_OK)
                r = error_setx(ret_err, EIO, "save: %s", archive_error_string(a));
        return r;
}
