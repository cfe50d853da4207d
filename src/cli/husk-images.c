/* The image commands of `husk`: images, image inspect/prune, import,
 * load, rmi, tag. Output follows Docker's (columns, JSON shapes, the
 * "Untagged:"/"Deleted:" lines), so that scripts written for Docker work. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "engine/engine.h"
#include "image/load.h"
#include "image/ref.h"
#include "image/rootfs.h"
#include "image/save.h"
#include "image/store.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)
#define MAX(a, b)      ((a) > (b) ? (a) : (b))

/* ---- formatting, Docker's units ---- */

char *cli_familiar(const char *full)
{
        _cleanup_ref_ ImageRef *r = NULL;

        if (ref_parse(full, &r, NULL) < 0)
                return strdup(full);
        return ref_familiar_string(r);
}

static char *familiar_repo(const char *full)
{
        _cleanup_ref_ ImageRef *r = NULL;

        if (ref_parse(full, &r, NULL) < 0)
                return strdup(full);
        return ref_familiar_repo(r);
}

static const char *tag_of(const char *full)
{
        const char *slash = strrchr(full, '/'), *colon = strrchr(slash ? slash : full, ':');

        return colon ? colon + 1 : "";
}

/* go-units HumanSizeWithPrecision(size, 3): decimal units. */
static void human_size(uint64_t n, char *buf, size_t size)
{
        cli_size_string(n, 1000, 3, buf, size);
}

/* RFC 3339 to seconds since the epoch; 0 when unparseable. */
static time_t parse_rfc3339(const char *s)
{
        struct tm tm = { 0 };
        const char *p;
        time_t t;

        if (!s || !(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
                return 0;
        t = timegm(&tm);
        if (*p == '.')
                while (*++p >= '0' && *p <= '9')
                        ;
        if ((*p == '+' || *p == '-') && strlen(p) >= 6) {
                int off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
                t += *p == '+' ? -off : off;
        }
        return t;
}

/* go-units HumanDuration, then " ago". */
static void human_since(const char *created, char *buf, size_t size)
{
        time_t t = parse_rfc3339(created);
        long long s, h;

        if (t == 0) {
                snprintf(buf, size, "N/A");
                return;
        }
        s = (long long)(time(NULL) - t);
        h = s / 3600;
        if (s < 1)
                snprintf(buf, size, "Less than a second ago");
        else if (s == 1)
                snprintf(buf, size, "1 second ago");
        else if (s < 60)
                snprintf(buf, size, "%lld seconds ago", s);
        else if (s / 60 == 1)
                snprintf(buf, size, "About a minute ago");
        else if (s < 3600)
                snprintf(buf, size, "%lld minutes ago", s / 60);
        else if (h == 1)
                snprintf(buf, size, "About an hour ago");
        else if (h < 48)
                snprintf(buf, size, "%lld hours ago", h);
        else if (h < 24 * 7 * 2)
                snprintf(buf, size, "%lld days ago", h / 24);
        else if (h < 24 * 30 * 2)
                snprintf(buf, size, "%lld weeks ago", h / 24 / 7);
        else if (h < 24 * 365 * 2)
                snprintf(buf, size, "%lld months ago", h / 24 / 30);
        else
                snprintf(buf, size, "%lld years ago", h / 24 / 365);
}

/* ---- images ---- */

typedef struct Row {
        char *repo, *tag, *id, *created, *since, *size;
} Row;

static void rows_free(Row *rows, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(rows[i].repo);
                free(rows[i].tag);
                free(rows[i].id);
                free(rows[i].created);
                free(rows[i].since);
                free(rows[i].size);
        }
        free(rows);
}

static int add_row(Row **rows, size_t *n, const StoreImage *img, const char *full_tag, bool no_trunc)
{
        Row *nr = reallocarray(*rows, *n + 1, sizeof(Row));
        char since[64], size[32], created[64] = "N/A";
        time_t t = parse_rfc3339(img->created);
        Row *r;

        if (!nr)
                return -ENOMEM;
        *rows = nr;
        r = &nr[(*n)++];
        human_since(img->created, since, sizeof(since));
        human_size(img->size, size, sizeof(size));
        if (t) {
                struct tm tm;
                gmtime_r(&t, &tm);
                strftime(created, sizeof(created), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
        }
        *r = (Row){
                .repo = full_tag ? familiar_repo(full_tag) : strdup("<none>"),
                .tag = strdup(full_tag ? tag_of(full_tag) : "<none>"),
                .id = no_trunc ? strdup(img->id) : strndup(img->id + 7, 12),
                .created = strdup(created),
                .since = strdup(since),
                .size = strdup(size),
        };
        if (!r->repo || !r->tag || !r->id || !r->created || !r->since || !r->size)
                return -ENOMEM;
        return 0;
}

/* Whether a row's full tag matches `husk images REPO[:TAG]`. */
static bool row_matches(const ImageRef *filter, const char *full_tag)
{
        _cleanup_ref_ ImageRef *r = NULL;

        if (!filter)
                return true;
        if (!full_tag || ref_parse(full_tag, &r, NULL) < 0)
                return false;
        return streq(r->domain, filter->domain) && streq(r->path, filter->path) &&
               (!filter->tag || streq(filter->tag, r->tag ?: ""));
}

static void print_table(Row *rows, size_t n)
{
        int w[4] = { (int)strlen("REPOSITORY"), (int)strlen("TAG"), (int)strlen("IMAGE ID"), (int)strlen("CREATED") };

        for (size_t i = 0; i < n; i++) {
                w[0] = MAX(w[0], (int)strlen(rows[i].repo));
                w[1] = MAX(w[1], (int)strlen(rows[i].tag));
                w[2] = MAX(w[2], (int)strlen(rows[i].id));
                w[3] = MAX(w[3], (int)strlen(rows[i].since));
        }
        /* Docker's tabwriter: columns padded by 3 */
        printf("%-*s   %-*s   %-*s   %-*s   %s\n", w[0], "REPOSITORY", w[1], "TAG", w[2], "IMAGE ID", w[3], "CREATED",
               "SIZE");
        for (size_t i = 0; i < n; i++)
                printf("%-*s   %-*s   %-*s   %-*s   %s\n", w[0], rows[i].repo, w[1], rows[i].tag, w[2], rows[i].id,
                       w[3], rows[i].since, rows[i].size);
}

/* Docker's image format context of one row. */
static json_t *row_json(const Row *r)
{
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Containers", "N/A", "CreatedAt",
                         r->created, "CreatedSince", r->since, "Digest", "<none>", "ID", r->id, "Repository", r->repo,
                         "SharedSize", "N/A", "Size", r->size, "Tag", r->tag, "UniqueSize", "N/A", "VirtualSize",
                         r->size);
}

static void print_json_rows(Row *rows, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ json_t *o = row_json(&rows[i]);
                _cleanup_free_ char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
                if (s)
                        puts(s);
        }
}

/* --format with a Go template ("table ..." or not). */
static int print_template_rows(const char *fmt, Row *rows, size_t n)
{
        _cleanup_json_ json_t *all = json_array();
        _cleanup_json_ json_t *h =
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Containers", "CONTAINERS",
                          "CreatedAt", "CREATED AT", "CreatedSince", "CREATED", "Digest", "DIGEST", "ID", "IMAGE ID",
                          "Repository", "REPOSITORY", "SharedSize", "SHARED SIZE", "Size", "SIZE", "Tag", "TAG",
                          "UniqueSize", "UNIQUE SIZE", "VirtualSize", "VIRTUAL SIZE");

        for (size_t i = 0; all && i < n; i++)
                json_array_append_new(all, row_json(&rows[i]));
        return cli_format_rows(fmt, "*formatter.imageContext", h, all);
}

int cmd_images(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "quiet", no_argument, NULL, 'q' },
                                            { "all", no_argument, NULL, 'a' },
                                            { "no-trunc", no_argument, NULL, 'T' },
                                            { "format", required_argument, NULL, 'F' },
                                            OPT_HELP,
                                            OPTS_END };
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_ref_ ImageRef *filter = NULL;
        StoreImage **imgs = NULL;
        Row *rows = NULL;
        size_t n = 0, nrows = 0;
        bool quiet = false, no_trunc = false;
        const char *format = "table";
        int c, r = 0;

        GETOPT_LOOP(cmd, argc, argv, "+qa", lo, c)
        {
                switch (c) {
                case 'q': quiet = true; break;
                case 'T': no_trunc = true; break;
                case 'F': format = optarg; break;
                default: break;
                }
        }
        if (argc - optind > 1)
                return cli_args_error(cmd, "at most 1 argument");
        if (optind < argc && ref_parse_name(argv[optind], &filter, &err) < 0)
                return cli_fail(err);
        if (cli_open_store(&s, &err) < 0 || store_list(s, &imgs, &n, &err) < 0)
                return cli_fail(err);

        for (size_t i = 0; i < n && r >= 0; i++) {
                if (strv_length(imgs[i]->tags) == 0) {
                        if (!filter)
                                r = add_row(&rows, &nrows, imgs[i], NULL, no_trunc);
                        continue;
                }
                for (char **t = imgs[i]->tags; *t && r >= 0; t++)
                        if (row_matches(filter, *t))
                                r = add_row(&rows, &nrows, imgs[i], *t, no_trunc);
        }
        if (r < 0) {
                error_set(&err, -r, "images");
        } else if (quiet) {
                for (size_t i = 0; i < nrows; i++)
                        if (i == 0 || !streq(rows[i].id, rows[i - 1].id))
                                puts(rows[i].id);
        } else if (streq(format, "json")) {
                print_json_rows(rows, nrows);
        } else if (streq(format, "table")) {
                print_table(rows, nrows);
        } else {
                r = print_template_rows(format, rows, nrows);
                rows_free(rows, nrows);
                store_image_list_free(imgs, n);
                return r;
        }
        rows_free(rows, nrows);
        store_image_list_free(imgs, n);
        return r < 0 ? cli_fail(err) : 0;
}

/* ---- inspect ---- */

/* A new reference to cfg's field, or "" ({} for an object) when missing. */
static json_t *cfg_field(json_t *cfg, const char *key, bool object)
{
        json_t *v = json_object_get(cfg, key);

        if (v)
                return json_incref(v);
        return object ? json_object() : json_string("");
}

json_t *cli_image_inspect_json(Store *s, const StoreImage *img, Error **ret_err)
{
        _cleanup_free_ char *buf = NULL, *lower = NULL, *upper = NULL;
        _cleanup_json_ json_t *cfg = NULL, *o = NULL;
        json_t *tags = json_array(), *digests = json_array(), *layers = json_array(), *data = json_object();
        json_error_t je;
        size_t len;

        if (store_read_blob(s, img->id, &buf, &len, ret_err) < 0)
                goto fail;
        cfg = json_loadb(buf, len, 0, &je);
        if (!cfg) {
                error_setx(ret_err, EBADMSG, "image config %s: %s", img->id, je.text);
                goto fail;
        }
        for (char **t = img->tags; *t; t++) {
                _cleanup_free_ char *f = cli_familiar(*t);
                json_array_append_new(tags, json_string(f ?: *t));
        }
        for (char **d = img->repo_digests; *d; d++) {
                _cleanup_free_ char *f = cli_familiar(*d);
                json_array_append_new(digests, json_string(f ?: *d));
        }
        /* overlayfs order: the top layer first */
        for (size_t i = img->n_layers; i-- > 0;) {
                _cleanup_free_ char *dir = store_layer_dir(s, img->layers[i].diff_id);
                json_array_append_new(layers, json_string(img->layers[img->n_layers - 1 - i].diff_id));
                if (!dir)
                        continue;
                if (!upper) {
                        upper = TAKE_PTR(dir);
                } else if (!lower) {
                        lower = TAKE_PTR(dir);
                } else {
                        char *nl = NULL;
                        if (asprintf(&nl, "%s:%s", lower, dir) > 0) {
                                free(lower);
                                lower = nl;
                        }
                }
        }
        if (lower)
                json_object_set_new(data, "LowerDir", json_string(lower));
        if (upper)
                json_object_set_new(data, "UpperDir", json_string(upper));
        o = json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:{s:o, s:s}, "
                      "s:{s:s, s:o}, s:{s:s}}",
                      "Id", img->id, "RepoTags", tags, "RepoDigests", digests, "Parent", "", "Comment",
                      cfg_field(cfg, "comment", false), "Created", cfg_field(cfg, "created", false), "DockerVersion",
                      cfg_field(cfg, "docker_version", false), "Author", cfg_field(cfg, "author", false), "Config",
                      cfg_field(cfg, "config", true), "Architecture", cfg_field(cfg, "architecture", false), "Variant",
                      cfg_field(cfg, "variant", false), "Os", cfg_field(cfg, "os", false), "Size",
                      (json_int_t)img->size, "GraphDriver", "Data", data, "Name", "overlay2", "RootFS", "Type",
                      "layers", "Layers", layers, "Metadata", "LastTagTime", img->loaded ?: "");
        if (!o) {
                error_set(ret_err, ENOMEM, "inspect");
                return NULL;
        }
        /* an empty Variant is left out, as Docker does */
        if (streq(json_string_value(json_object_get(o, "Variant")) ?: "", ""))
                json_object_del(o, "Variant");
        return TAKE_PTR(o);
fail:
        json_decref(tags);
        json_decref(digests);
        json_decref(layers);
        json_decref(data);
        return NULL;
}

int cmd_image_inspect(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' }, OPT_HELP, OPTS_END };
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_json_ json_t *out = json_array();
        _cleanup_free_ char *text = NULL;
        int c, rc = 0;

        GETOPT_LOOP(cmd, argc, argv, "+f:", lo, c)
        {
                if (c == 'f') /* templates: husk inspect's, narrowed to images */
                        return cmd_inspect(cmd, argc, argv);
        }
        if (optind == argc)
                return cli_args_error(cmd, "at least 1 argument");
        if (cli_open_store(&s, &err) < 0)
                return cli_fail(err);
        for (int i = optind; i < argc; i++) {
                _cleanup_store_image_ StoreImage *img = NULL;
                json_t *o;

                if (store_lookup(s, argv[i], &img, NULL, &err) < 0 || !(o = cli_image_inspect_json(s, img, &err))) {
                        rc = cli_fail(err);
                        error_free(err);
                        err = NULL;
                        continue;
                }
                json_array_append_new(out, o);
        }
        text = json_dumps(out, JSON_INDENT(4));
        if (text)
                puts(text);
        return rc;
}

/* ---- tag, import, load ---- */

int cmd_tag(const Cmd *cmd, int argc, char **argv)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_store_image_ StoreImage *img = NULL;
        _cleanup_ref_ ImageRef *target = NULL;
        _cleanup_free_ char *full = NULL;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", NULL, c)
        {
        }
        if (argc - optind != 2)
                return cli_args_error(cmd, "exactly 2 arguments");
        if (ref_parse(argv[optind + 1], &target, &err) < 0)
                return cli_fail(err);
        if (target->digest)
                return error_setx(&err, EINVAL, "refusing to create a tag with a digest reference"), cli_fail(err);
        full = ref_string(target);
        if (!full || cli_open_store(&s, &err) < 0 || store_lookup(s, argv[optind], &img, NULL, &err) < 0 ||
            store_tag(s, img->id, full, &err) < 0)
                return cli_fail(err);
        return 0;
}

/* ---- rmi, prune ---- */

static void print_deleted(const char *id, char **freed)
{
        printf("Deleted: %s\n", id);
        for (char **f = freed; f && *f; f++)
                printf("Deleted: %s\n", *f);
}

/* Untag what rmi -f of an image a stopped container uses removes: the tag
 * named, or every tag when named by ID; the image stays. */
static int rmi_untag_all(Store *s, const StoreImage *img, const char *tag, Error **ret_err)
{
        for (char **t = img->tags; t && *t; t++) {
                _cleanup_free_ char *f = NULL;
                int r;

                if (tag && !streq(*t, tag))
                        continue;
                r = store_untag(s, *t, ret_err);
                if (r < 0)
                        return r;
                f = cli_familiar(*t);
                printf("Untagged: %s\n", f ?: *t);
        }
        return 0;
}

/* Docker's rmi: a tag is untagged, and the image goes with its last tag;
 * an ID removes the image, which with several repositories needs -f. An
 * image a container uses stays: without -f that is an error, with -f its
 * tags go and the image stays, dangling; a running container's image
 * cannot be forced. */
static int rmi_one(Store *s, Engine *e, const char *name, bool force, Error **ret_err)
{
        _cleanup_store_image_ StoreImage *img = NULL;
        _cleanup_free_ char *tag = NULL;
        _cleanup_strv_ char **freed = NULL;
        size_t ntags;
        int r;

        r = store_lookup(s, name, &img, &tag, ret_err);
        if (r < 0)
                return r;
        ntags = strv_length(img->tags);
        if ((!tag || ntags <= 1) && rootfs_image_is_mounted(s, img) > 0)
                return error_setx(ret_err, EBUSY,
                                  "conflict: unable to delete %.12s - the image is mounted (husk image unmount)",
                                  img->id + 7);
        if (!tag || ntags <= 1) {
                _cleanup_free_ char *user = NULL;
                bool running;

                r = engine_image_user(e, img->id, &user, &running, ret_err);
                if (r < 0)
                        return r;
                if (r > 0 && tag && !force)
                        return error_setx(ret_err, EBUSY,
                                          "conflict: unable to remove repository reference \"%s\" (must force) - "
                                          "container %.12s is using its referenced image %.12s",
                                          name, user, img->id + 7);
                if (r > 0 && running)
                        return error_setx(ret_err, EBUSY,
                                          "conflict: unable to delete %.12s (cannot be forced) - image is being used "
                                          "by running container %.12s",
                                          img->id + 7, user);
                if (r > 0 && !force)
                        return error_setx(ret_err, EBUSY,
                                          "conflict: unable to delete %.12s (must be forced) - image is being used "
                                          "by stopped container %.12s",
                                          img->id + 7, user);
                if (r > 0)
                        return rmi_untag_all(s, img, tag, ret_err);
        }
        if (tag) {
                _cleanup_free_ char *f = cli_familiar(tag);
                r = store_untag(s, tag, ret_err);
                if (r < 0)
                        return r;
                printf("Untagged: %s\n", f ?: tag);
                if (ntags > 1)
                        return 0;
        } else {
                if (ntags > 1 && !force)
                        return error_setx(ret_err, EBUSY,
                                          "conflict: unable to delete %.12s (must be forced) - image is referenced in "
                                          "multiple repositories",
                                          img->id + 7);
                for (char **t = img->tags; *t; t++) {
                        _cleanup_free_ char *f = cli_familiar(*t);
                        printf("Untagged: %s\n", f ?: *t);
                }
        }
        r = store_delete(s, img->id, &freed, ret_err);
        if (r < 0)
                return r;
        print_deleted(img->id, freed);
        return 0;
}

int cmd_rmi(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "force", no_argument, NULL, 'f' }, { "no-prune", no_argument, NULL, 'P' }, OPT_HELP, OPTS_END
        };
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        bool force = false;
        int c, rc = 0;

        GETOPT_LOOP(cmd, argc, argv, "+f", lo, c)
        {
                if (c == 'f')
                        force = true;
        }
        if (optind == argc)
                return cli_args_error(cmd, "at least 1 argument");
        if (cli_open_store(&s, &err) < 0 || engine_open_query(s, cli_state_root(), &e, &err) < 0)
                return cli_fail(err);
        for (int i = optind; i < argc; i++) {
                /* one lock for the lookup, the containers' check and the
                 * removal: no container can start using it meanwhile */
                if (store_lock(s, true, &err) < 0 || rmi_one(s, e, argv[i], force, &err) < 0) {
                        rc = cli_fail(err);
                        error_free(err);
                        err = NULL;
                }
                store_unlock(s);
        }
        return rc;
}

int cmd_image_prune(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "all", no_argument, NULL, 'a' }, { "force", no_argument, NULL, 'f' }, OPT_HELP, OPTS_END
        };
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        StoreImage **imgs = NULL;
        size_t n = 0;
        bool all = false, force = false, header = false;
        uint64_t reclaimed = 0;
        char size[32];
        int c, r = 0;

        GETOPT_LOOP(cmd, argc, argv, "+af", lo, c)
        {
                if (c == 'a')
                        all = true;
                else if (c == 'f')
                        force = true;
        }
        if (optind != argc)
                return cli_args_error(cmd, "no arguments");
        if (!force) {
                char answer[16] = "";
                fprintf(stderr, "WARNING! This will remove %s.\nAre you sure you want to continue? [y/N] ",
                        all ? "all images without at least one container associated to them" : "all dangling images");
                if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
                        return 0;
        }
        if (cli_open_store(&s, &err) < 0 || engine_open_query(s, cli_state_root(), &e, &err) < 0 ||
            store_lock(s, true, &err) < 0)
                return cli_fail(err);
        r = store_list(s, &imgs, &n, &err);
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_strv_ char **freed = NULL;
                _cleanup_free_ char *user = NULL;
                StoreImage *img = imgs[i];
                bool running;

                if ((!all && strv_length(img->tags) > 0) || rootfs_image_is_mounted(s, img) > 0)
                        continue;
                r = engine_image_user(e, img->id, &user, &running, &err);
                if (r < 0)
                        break;
                if (r > 0) /* a container's image, with or without tags */
                        continue;
                r = store_delete(s, img->id, &freed, &err);
                if (r < 0)
                        break;
                if (!header)
                        printf("Deleted Images:\n");
                header = true;
                for (char **t = img->tags; *t; t++) {
                        _cleanup_free_ char *f = cli_familiar(*t);
                        printf("untagged: %s\n", f ?: *t);
                }
                printf("deleted: %s\n", img->id);
                for (char **f = freed; f && *f; f++) {
                        printf("deleted: %s\n", *f);
                        for (size_t k = 0; k < img->n_layers; k++)
                                if (streq(img->layers[k].diff_id, *f)) {
                                        reclaimed += img->layers[k].size;
                                        break;
                                }
                }
        }
        store_image_list_free(imgs, n);
        store_unlock(s);
        if (r < 0)
                return cli_fail(err);
        human_size(reclaimed, size, sizeof(size));
        printf("%sTotal reclaimed space: %s\n", header ? "\n" : "", size);
        return 0;
}
