/* docker-save archives, OCI image layouts and rootfs imports.
 *
 * An archive given as a file is first unpacked into the txn's staging
 * directory with the same hardened unpacker as layers (no owners, no
 * devices), so a hostile archive cannot reach outside it either; every
 * member named by manifest.json or index.json is then opened with
 * RESOLVE_IN_ROOT under that directory. */
#include "image/load.h"

#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/ref.h"
#include "image/unpack.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

#define MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"

#define _cleanup_json_ _cleanup_(json_decrefp)

const char *image_host_arch(void)
{
        static const char *const map[][2] = {
                { "x86_64", "amd64" },    { "aarch64", "arm64" }, { "armv7l", "arm" },      { "i686", "386" },
                { "ppc64le", "ppc64le" }, { "s390x", "s390x" },   { "riscv64", "riscv64" },
        };
        struct utsname u;

        if (uname(&u) == 0)
                for (size_t i = 0; i < ELEMENTSOF(map); i++)
                        if (streq(u.machine, map[i][0]))
                                return map[i][1];
        return "amd64";
}

/* The OCI media type of a layer blob, from its first bytes. */
static const char *layer_media_type(int fd)
{
        unsigned char b[4] = { 0 };

        if (pread(fd, b, sizeof(b), 0) >= 2 && b[0] == 0x1f && b[1] == 0x8b)
                return "application/vnd.oci.image.layer.v1.tar+gzip";
        if (b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
                return "application/vnd.oci.image.layer.v1.tar+zstd";
        return "application/vnd.oci.image.layer.v1.tar";
}

static int parse_json(const char *what, const char *buf, size_t len, json_t **ret, Error **ret_err)
{
        json_error_t je;

        *ret = json_loadb(buf, len, 0, &je);
        if (!*ret)
                return error_setx(ret_err, EBADMSG, "%s:%d:%d: %s", what, je.line, je.column, je.text);
        return 0;
}

/* Read member `path` of the source tree (RESOLVE_IN_ROOT) as JSON. */
static int read_member_json(int src, const char *path, json_t **ret, Error **ret_err)
{
        _cleanup_close_ int fd = path_open_in_root(src, path, O_RDONLY, 0, ret_err);
        _cleanup_free_ char *buf = NULL;
        size_t len;

        if (fd < 0)
                return fd;
        if (read_full_fd(fd, &buf, &len, ret_err) < 0)
                return error_prefix(ret_err, "%s", path);
        return parse_json(path, buf, len, ret, ret_err);
}

/* Store the manifest for a config and layer blobs already in the txn. */
static int put_manifest(StoreTxn *t, const char *config, uint64_t config_size, json_t *layers, char **ret_digest,
                        Error **ret_err)
{
        _cleanup_json_ json_t *m = NULL;
        _cleanup_free_ char *text = NULL;

        m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "config",
                      "mediaType", MT_OCI_CONFIG, "digest", config, "size", (json_int_t)config_size, "layers", layers);
        text = m ? json_dumps(m, JSON_COMPACT) : NULL;
        if (!text)
                return error_set(ret_err, ENOMEM, "manifest");
        return store_txn_add_blob_mem(t, text, strlen(text), NULL, ret_digest, ret_err);
}

/* The config's rootfs.diff_ids, checked. */
static json_t *config_diff_ids(StoreTxn *t, Store *s, const char *config, Error **ret_err)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ json_t *cfg = NULL;
        _cleanup_close_ int fd = -EBADF;
        json_t *ids;
        size_t len, i;
        json_t *v;
        char p[96];

        snprintf(p, sizeof(p), "blobs/%s", config + 7);
        fd = openat(store_txn_dir_fd(t), p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0) {
                if (read_full_fd(fd, &buf, &len, ret_err) < 0)
                        return NULL;
        } else if (store_read_blob(s, config, &buf, &len, ret_err) < 0) {
                return NULL;
        }
        if (parse_json(config, buf, len, &cfg, ret_err) < 0)
                return NULL;
        ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
        if (!json_is_array(ids)) {
                error_setx(ret_err, EBADMSG, "image config %s: no rootfs.diff_ids", config);
                return NULL;
        }
        json_array_foreach(ids, i, v) if (!json_is_string(v) || !digest_is_valid(json_string_value(v)))
        {
                error_setx(ret_err, EBADMSG, "image config %s: rootfs.diff_ids[%zu] is not a sha256 digest", config, i);
                return NULL;
        }
        return json_incref(ids);
}

/* "blobs/sha256/<hex>" or "<hex>.json" / "<hex>/layer.tar": the digest a
 * docker-save member name promises, or NULL. */
static char *digest_from_member(const char *name)
{
        const char *b = name;
        char *d = NULL;

        if (strncmp(b, "blobs/sha256/", 13) == 0)
                b += 13;
        if (strlen(b) >= 64 && (b[64] == '\0' || streq(b + 64, ".json"))) {
                if (asprintf(&d, "sha256:%.64s", b) < 0)
                        return NULL;
                if (!digest_is_valid(d)) {
                        free(d);
                        return NULL;
                }
        }
        return d;
}

static int strv_from_json(json_t *a, char ***ret)
{
        size_t i;
        json_t *v;

        *ret = calloc(1, sizeof(char *));
        if (!*ret)
                return -ENOMEM;
        json_array_foreach(a, i, v) if (json_is_string(v) && strv_push(ret, json_string_value(v)) < 0) return -ENOMEM;
        return 0;
}

/* Full names of the tags given, each checked. */
static int normalise_tags(char **tags, Error **ret_err)
{
        for (char **tg = tags; tg && *tg; tg++) {
                _cleanup_ref_ ImageRef *r = NULL;
                char *full;

                if (ref_parse(*tg, &r, ret_err) < 0)
                        return -EINVAL;
                if (!r->tag || r->digest)
                        return error_setx(ret_err, EINVAL, "%s: a tag must be NAME:TAG", *tg);
                full = ref_string(r);
                if (!full)
                        return error_set(ret_err, ENOMEM, "tag");
                free(*tg);
                *tg = full;
        }
        return 0;
}

/* One layer member: stage the blob, unpack it (unless the store has it),
 * and add its descriptor to `descs`. */
static int add_layer_member(StoreTxn *t, int src, const char *member, const char *expect, const char *diff_id,
                            json_t *descs, Error **ret_err)
{
        _cleanup_close_ int fd = path_open_in_root(src, member, O_RDONLY, 0, ret_err);
        _cleanup_free_ char *digest = NULL;
        uint64_t size = 0;
        const char *mt;

        if (fd < 0)
                return fd;
        mt = layer_media_type(fd);
        if (store_txn_add_blob_fd(t, fd, expect, &digest, &size, ret_err) < 0 ||
            store_txn_add_layer(t, digest, diff_id, NULL, ret_err) < 0)
                return error_prefix(ret_err, "layer %s", member);
        return json_array_append_new(
                descs, json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", digest, "size", (json_int_t)size));
}

static int load_docker(Store *s, StoreTxn *t, int src, LoadReportFn report, void *ud, Error **ret_err)
{
        _cleanup_json_ json_t *mf = NULL;
        size_t i;
        json_t *img;
        int r, n = 0;

        r = read_member_json(src, "manifest.json", &mf, ret_err);
        if (r < 0)
                return r;
        if (!json_is_array(mf))
                return error_setx(ret_err, EBADMSG, "manifest.json: not an array");
        json_array_foreach(mf, i, img)
        {
                _cleanup_json_ json_t *ids = NULL, *descs = json_array();
                _cleanup_free_ char *cfg_expect = NULL, *config = NULL, *manifest = NULL, *id = NULL;
                _cleanup_strv_ char **tags = NULL;
                _cleanup_close_ int cfd = -EBADF;
                const char *cname = json_string_value(json_object_get(img, "Config"));
                json_t *layers = json_object_get(img, "Layers"), *l;
                uint64_t csize = 0;
                size_t k;

                if (!cname || !json_is_array(layers) || !descs)
                        return error_setx(ret_err, EBADMSG, "manifest.json[%zu]: no Config or Layers", i);
                if (strv_from_json(json_object_get(img, "RepoTags"), &tags) < 0)
                        return error_set(ret_err, ENOMEM, "load");
                r = normalise_tags(tags, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "manifest.json[%zu]: RepoTags", i);
                cfg_expect = digest_from_member(cname);
                cfd = path_open_in_root(src, cname, O_RDONLY, 0, ret_err);
                if (cfd < 0)
                        return cfd;
                r = store_txn_add_blob_fd(t, cfd, cfg_expect, &config, &csize, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "config %s", cname);
                ids = config_diff_ids(t, s, config, ret_err);
                if (!ids)
                        return -EBADMSG;
                if (json_array_size(ids) != json_array_size(layers))
                        return error_setx(ret_err, EBADMSG,
                                          "manifest.json[%zu]: %zu layers, but the config has %zu diff_ids", i,
                                          json_array_size(layers), json_array_size(ids));
                json_array_foreach(layers, k, l)
                {
                        _cleanup_free_ char *expect = NULL;
                        const char *member = json_string_value(l);

                        if (!member)
                                return error_setx(ret_err, EBADMSG, "manifest.json[%zu]: Layers[%zu]", i, k);
                        expect = strncmp(member, "blobs/", 6) == 0 ? digest_from_member(member) : NULL;
                        r = add_layer_member(t, src, member, expect, json_string_value(json_array_get(ids, k)), descs,
                                             ret_err);
                        if (r < 0)
                                return r;
                }
                r = put_manifest(t, config, csize, descs, &manifest, ret_err);
                if (r >= 0)
                        r = store_txn_commit(t, manifest, tags, NULL, &id, ret_err);
                if (r < 0)
                        return r;
                if (report)
                        report(ud, id, tags);
                n++;
        }
        return n;
}

/* ---- OCI image layout ---- */

static int blob_member(const char *digest, char *buf, size_t size)
{
        if (!digest || !digest_is_valid(digest))
                return -EINVAL;
        snprintf(buf, size, "blobs/sha256/%s", digest + 7);
        return 0;
}

static int read_blob_json(int src, json_t *desc, json_t **ret, Error **ret_err)
{
        const char *digest = json_string_value(json_object_get(desc, "digest"));
        char p[96];

        if (blob_member(digest, p, sizeof(p)) < 0)
                return error_setx(ret_err, EBADMSG, "descriptor without a sha256 digest");
        return read_member_json(src, p, ret, ret_err);
}

/* The tag an index entry names: io.containerd.image.name, or
 * org.opencontainers.image.ref.name when it is a full reference (a bare
 * "latest" names no repository). NULL when none. */
static char *oci_tag(json_t *desc)
{
        json_t *ann = json_object_get(desc, "annotations");
        const char *n = json_string_value(json_object_get(ann, "io.containerd.image.name"));
        _cleanup_ref_ ImageRef *r = NULL;

        if (!n) {
                n = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
                if (!n || !strpbrk(n, "/:"))
                        return NULL;
        }
        if (ref_parse(n, &r, NULL) < 0 || !r->tag)
                return NULL;
        return ref_string(r);
}

static int load_oci_manifest(Store *s, StoreTxn *t, int src, json_t *desc, const char *tag, LoadReportFn report,
                             void *ud, Error **ret_err)
{
        _cleanup_json_ json_t *m = NULL, *ids = NULL;
        _cleanup_free_ char *manifest = NULL, *config = NULL, *id = NULL, *mbuf = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *digest = json_string_value(json_object_get(desc, "digest"));
        char *tags[] = { (char *)tag, NULL };
        json_t *layers, *l, *cdesc;
        size_t k, len;
        char p[96];
        int r;

        if (blob_member(digest, p, sizeof(p)) < 0)
                return error_setx(ret_err, EBADMSG, "index.json: a manifest without a sha256 digest");
        fd = path_open_in_root(src, p, O_RDONLY, 0, ret_err);
        if (fd < 0)
                return fd;
        if (read_full_fd(fd, &mbuf, &len, ret_err) < 0)
                return error_prefix(ret_err, "%s", p);
        /* the manifest goes in as the source has it, verified, so that its
         * digest (the image's RepoDigest) stays what the registry said */
        r = store_txn_add_blob_mem(t, mbuf, len, digest, &manifest, ret_err);
        if (r < 0)
                return r;
        r = parse_json(p, mbuf, len, &m, ret_err);
        if (r < 0)
                return r;
        cdesc = json_object_get(m, "config");
        layers = json_object_get(m, "layers");
        if (!json_is_array(layers) ||
            blob_member(json_string_value(json_object_get(cdesc, "digest")), p, sizeof(p)) < 0)
                return error_setx(ret_err, EBADMSG, "manifest %s: no config or layers", digest);
        fd = safe_close(fd);
        fd = path_open_in_root(src, p, O_RDONLY, 0, ret_err);
        if (fd < 0)
                return fd;
        r = store_txn_add_blob_fd(t, fd, json_string_value(json_object_get(cdesc, "digest")), &config, NULL, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "image config");
        ids = config_diff_ids(t, s, config, ret_err);
        if (!ids)
                return -EBADMSG;
        if (json_array_size(ids) != json_array_size(layers))
                return error_setx(ret_err, EBADMSG, "manifest %s: %zu layers, but the config has %zu diff_ids", digest,
                                  json_array_size(layers), json_array_size(ids));
        json_array_foreach(layers, k, l)
        {
                _cleanup_free_ char *ldigest = NULL;
                const char *want = json_string_value(json_object_get(l, "digest"));

                if (blob_member(want, p, sizeof(p)) < 0)
                        return error_setx(ret_err, EBADMSG, "manifest %s: layer %zu has no sha256 digest", digest, k);
                fd = safe_close(fd);
                fd = path_open_in_root(src, p, O_RDONLY, 0, ret_err);
                if (fd < 0)
                        return fd;
                r = store_txn_add_blob_fd(t, fd, want, &ldigest, NULL, ret_err);
                if (r >= 0)
                        r = store_txn_add_layer(t, ldigest, json_string_value(json_array_get(ids, k)), NULL, ret_err);
                if (r < 0)
                        return r;
        }
        r = store_txn_commit(t, manifest, tag ? tags : NULL, NULL, &id, ret_err);
        if (r < 0)
                return r;
        if (report)
                report(ud, id, tag ? tags : NULL);
        return 1;
}

/* An index: each manifest in it, or for a nested index (multi-platform)
 * the manifest for this machine's platform. */
static int load_oci_index(Store *s, StoreTxn *t, int src, json_t *index, const char *tag, LoadReportFn report, void *ud,
                          int depth, Error **ret_err)
{
        json_t *mans = json_object_get(index, "manifests"), *d;
        size_t i;
        int n = 0, r;

        if (!json_is_array(mans))
                return error_setx(ret_err, EBADMSG, "index: no manifests array");
        json_array_foreach(mans, i, d)
        {
                const char *mt = json_string_value(json_object_get(d, "mediaType"));
                _cleanup_free_ char *own = tag ? NULL : oci_tag(d);
                const char *tg = tag ? tag : own;

                if (mt && (streq(mt, MT_OCI_INDEX) || streq(mt, MT_DOCKER_LIST))) {
                        _cleanup_json_ json_t *sub = NULL;
                        if (depth > 4)
                                return error_setx(ret_err, ELOOP, "index: nested more than 4 deep");
                        r = read_blob_json(src, d, &sub, ret_err);
                        if (r >= 0)
                                r = load_oci_index(s, t, src, sub, tg, report, ud, depth + 1, ret_err);
                } else if (!mt || streq(mt, MT_OCI_MANIFEST) || streq(mt, MT_DOCKER_MANIFEST)) {
                        json_t *plat = json_object_get(d, "platform");
                        const char *arch = json_string_value(json_object_get(plat, "architecture"));
                        const char *os = json_string_value(json_object_get(plat, "os"));
                        /* one platform of a multi-platform index */
                        if (depth > 0 && ((arch && !streq(arch, image_host_arch())) || (os && !streq(os, "linux"))))
                                continue;
                        r = load_oci_manifest(s, t, src, d, tg, report, ud, ret_err);
                        if (r > 0 && depth > 0)
                                return n + r;
                } else {
                        continue; /* attestations, signatures */
                }
                if (r < 0)
                        return r;
                n += r;
        }
        return n;
}

static int load_tree(Store *s, StoreTxn *t, int src, LoadReportFn report, void *ud, Error **ret_err)
{
        _cleanup_json_ json_t *index = NULL;
        int r;

        if (faccessat(src, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return load_docker(s, t, src, report, ud, ret_err);
        if (faccessat(src, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return error_setx(ret_err, EINVAL,
                                  "neither manifest.json (docker save) nor index.json (OCI image layout) found");
        r = read_member_json(src, "index.json", &index, ret_err);
        if (r < 0)
                return r;
        return load_oci_index(s, t, src, index, NULL, report, ud, 0, ret_err);
}

int image_load(Store *s, const char *path, LoadReportFn report, void *userdata, Error **ret_err)
{
        _cleanup_txn_ StoreTxn *t = NULL;
        _cleanup_close_ int src = -EBADF;
        struct stat st;
        int r;

        src = open(path, O_RDONLY | O_CLOEXEC);
        if (src < 0 || fstat(src, &st) < 0)
                return error_set(ret_err, errno, "open %s", path);
        r = store_txn_begin(s, &t, ret_err);
        if (r < 0)
                return r;
        if (!S_ISDIR(st.st_mode)) {
                _cleanup_close_ int dir = -EBADF;

                if (mkdirat(store_txn_dir_fd(t), "src", 0700) < 0 ||
                    (dir = openat(store_txn_dir_fd(t), "src", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                        return error_set(ret_err, errno, "stage %s", path);
                r = unpack_layer(src, dir, &(UnpackOpts){ .privileged = false }, NULL, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "unpack %s", path);
                safe_close(src);
                src = TAKE_FD(dir);
        }
        r = load_tree(s, t, src, report, userdata, ret_err);
        if (r == 0)
                return error_setx(ret_err, ENOENT, "%s: no image for %s/linux in it", path, image_host_arch());
        return r;
}

int image_import(Store *s, int fd, const char *source, const char *tag, char **ret_id, Error **ret_err)
{
        _cleanup_txn_ StoreTxn *t = NULL;
        _cleanup_free_ char *blob = NULL, *diff_id = NULL, *now = now_rfc3339(), *cfg_text = NULL, *config = NULL,
                            *manifest = NULL, *full = NULL, *comment = NULL;
        _cleanup_json_ json_t *cfg = NULL, *descs = NULL;
        _cleanup_close_ int bfd = -EBADF;
        char *tags[] = { NULL, NULL };
        uint64_t size = 0;
        char p[96];
        int r;

        if (tag) {
                _cleanup_ref_ ImageRef *ref = NULL;
                if (ref_parse(tag, &ref, ret_err) < 0)
                        return -EINVAL;
                if (ref->digest)
                        return error_setx(ret_err, EINVAL, "%s: refusing to create a tag with a digest reference", tag);
                full = ref_string(ref);
                if (!full)
                        return error_set(ret_err, ENOMEM, "import");
                tags[0] = full;
        }
        r = store_txn_begin(s, &t, ret_err);
        if (r < 0)
                return r;
        r = store_txn_add_blob_fd(t, fd, NULL, &blob, &size, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "import %s", source);
        r = store_txn_add_layer(t, blob, NULL, &diff_id, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "import %s", source);
        if (asprintf(&comment, "Imported from %s", source) < 0)
                return error_set(ret_err, ENOMEM, "import");
        cfg = json_pack("{s:s, s:s, s:s, s:{}, s:{s:s, s:[s]}, s:[{s:s, s:s, s:s}]}", "architecture", image_host_arch(),
                        "os", "linux", "created", now ?: "", "config", "rootfs", "type", "layers", "diff_ids", diff_id,
                        "history", "created", now ?: "", "created_by", "husk import", "comment", comment);
        cfg_text = cfg ? json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        if (!cfg_text)
                return error_set(ret_err, ENOMEM, "import");
        r = store_txn_add_blob_mem(t, cfg_text, strlen(cfg_text), NULL, &config, ret_err);
        if (r < 0)
                return r;
        snprintf(p, sizeof(p), "blobs/%s", blob + 7);
        bfd = openat(store_txn_dir_fd(t), p, O_RDONLY | O_CLOEXEC);
        descs = json_pack("[{s:s, s:s, s:I}]", "mediaType",
                          bfd >= 0 ? layer_media_type(bfd) : "application/vnd.oci.image.layer.v1.tar", "digest", blob,
                          "size", (json_int_t)size);
        if (!descs)
                return error_set(ret_err, ENOMEM, "import");
        r = put_manifest(t, config, strlen(cfg_text), descs, &manifest, ret_err);
        if (r < 0)
                return r;
        return store_txn_commit(t, manifest, tag ? tags : NULL, NULL, ret_id, ret_err);
}
