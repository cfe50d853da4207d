/* husk inspect and husk ps: a container record (or an image), whole or
 * through a Go template, and the list of containers with Docker's
 * filters and placeholders. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "cli/template.h"
#include "engine/engine.h"
#include "lib/macros.h"
#include "lib/util.h"

/* ---- shared helpers ---- */

void cli_size_string(uint64_t n, unsigned base, int precision, char *buf, size_t len)
{
        static const char *const dec[] = { "B", "kB", "MB", "GB", "TB", "PB" };
        static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
        double d = (double)n;
        size_t u = 0;

        while (d >= base && u + 1 < ELEMENTSOF(dec)) {
                d /= base;
                u++;
        }
        snprintf(buf, len, "%.*g%s", precision, d, base == 1024 ? bin[u] : dec[u]);
}

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

static uint64_t dir_size_at(int dfd, dev_t dev)
{
        _cleanup_(closedirp) DIR *d = fdopendir(dfd);
        struct dirent *de;
        uint64_t sum = 0;

        if (!d) {
                close(dfd);
                return 0;
        }
        while ((de = readdir(d))) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                sum += dir_size_at(sub, dev);
                } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
                        sum += (uint64_t)st.st_size;
        }
        return sum;
}

uint64_t cli_dir_size(const char *path)
{
        struct stat st;
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return 0;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return 0;
        }
        return dir_size_at(fd, st.st_dev);
}

static void set_default(json_t *o, const char *key, json_t *v)
{
        if (json_is_object(o) && !json_object_get(o, key))
                json_object_set_new(o, key, v);
        else
                json_decref(v);
}

/* The lowerdir= of the overlay mounted on `merged`, from mountinfo. */
static char *overlay_lowerdir(const char *merged)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t n = 0;

        if (!f)
                return NULL;
        while (getline(&line, &n, f) > 0) {
                char mp[4096], *l, *end;
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 || !streq(mp, merged))
                        continue;
                l = strstr(line, "lowerdir=");
                if (!l)
                        continue;
                l += 9;
                end = l + strcspn(l, ",\n ");
                return strndup(l, (size_t)(end - l));
        }
        return NULL;
}

/* Docker's inspect fields that follow from what the record holds and from
 * the live container: GraphDriver, NetworkSettings, the /etc file paths,
 * HostConfig defaults. Only keys the record lacks are added. */
static void inspect_complete(Engine *e, json_t *rec, bool size)
{
        const char *id = json_string_value(json_object_get(rec, "Id")) ?: "";
        json_t *st = json_object_get(rec, "State"), *hc = json_object_get(rec, "HostConfig");
        const char *mode = json_string_value(json_object_get(hc, "NetworkMode")) ?: "none";
        long long pid = json_integer_value(json_object_get(st, "Pid"));
        _cleanup_free_ char *upper = engine_container_path(e, id, "upper"),
                            *work = engine_container_path(e, id, "work"),
                            *merged = engine_container_path(e, id, "merged"), *lower = NULL, *key = NULL;
        json_t *ns, *nets, *ep, *cur;

        if (upper && merged) {
                lower = overlay_lowerdir(merged);
                set_default(rec, "GraphDriver",
                            json_pack("{s:{s:s?,s:s,s:s,s:s},s:s}", "Data", "LowerDir", lower, "MergedDir", merged,
                                      "UpperDir", upper, "WorkDir", work ? work : "", "Name",
                                      json_string_value(json_object_get(rec, "Driver")) ?: "overlay"));
        }
        /* the /etc files' paths are in the record (engine/netfiles.h);
         * a record made before husk wrote them has none */
        set_default(rec, "ResolvConfPath", json_string(""));
        set_default(rec, "HostnamePath", json_string(""));
        set_default(rec, "HostsPath", json_string(""));
        set_default(hc, "PortBindings", json_object());
        set_default(hc, "RestartPolicy", json_pack("{s:s,s:i}", "Name", "no", "MaximumRetryCount", 0));
        set_default(hc, "Privileged", json_false());
        if (pid > 0 && asprintf(&key, "/proc/%lld/ns/net", pid) < 0)
                key = NULL;
        ep = json_pack("{s:n,s:n,s:n,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:i,s:n,s:n}", "IPAMConfig", "Links", "Aliases",
                       "MacAddress", "", "NetworkID", "", "EndpointID", "", "Gateway", "", "IPAddress", "",
                       "IPPrefixLen", 0, "IPv6Gateway", "", "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0,
                       "DriverOpts", "DNSNames");
        nets = json_object();
        /* container:X has no network of its own: Docker shows none */
        if (strncmp(mode, "container:", 10) != 0)
                json_object_set(nets, mode, ep);
        ns = json_pack("{s:s,s:s,s:s,s:b,s:s,s:i,s:o,s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:o}", "Bridge", "", "SandboxID", "",
                       "SandboxKey", key ? key : "", "HairpinMode", 0, "LinkLocalIPv6Address", "",
                       "LinkLocalIPv6PrefixLen", 0, "Ports", json_object(), "EndpointID", "", "Gateway", "",
                       "IPPrefixLen", 0, "IPAddress", "", "IPv6Gateway", "", "GlobalIPv6PrefixLen", 0, "MacAddress", "",
                       "Networks", nets);
        cur = json_object_get(rec, "NetworkSettings");
        if (cur) {
                /* a bridge container's, from the engine: Docker's other
                 * fields added, each network's too */
                const char *k;
                json_t *v;
                json_object_foreach(json_object_get(cur, "Networks"), k, v)
                {
                        json_object_update_missing(v, ep);
                }
                json_object_update_missing(cur, ns);
                json_decref(ns);
        } else
                json_object_set_new(rec, "NetworkSettings", ns);
        json_decref(ep);
        if (size && upper) {
                uint64_t rw = cli_dir_size(upper), root = merged ? cli_dir_size(merged) : 0;
                json_object_set_new(rec, "SizeRw", json_integer((json_int_t)rw));
                json_object_set_new(rec, "SizeRootFs", json_integer((json_int_t)root));
        }
}

/* ---- inspect ---- */

int cmd_inspect(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
                                            { "size", no_argument, NULL, 's' },
                                            { "type", required_argument, NULL, 't' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_template_ Template *t = NULL;
        _cleanup_free_ char *errtext = NULL;
        const char *fmt = NULL, *type = NULL;
        size_t errlen = 0;
        bool size = false;
        json_t *all;
        FILE *errs;
        int c, ret = 0;

        GETOPT_LOOP(cmd, argc, argv, "+f:s", lo, c) switch (c)
        {
        case 'f': fmt = optarg; break;
        case 's': size = true; break;
        case 't': type = optarg; break;
        }
        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (streq(cmd->name, "image inspect"))
                type = "image";
        if (type && !streq(type, "container") && !streq(type, "image")) {
                fprintf(stderr, "\"%s\" is not a valid value for --type\n", type);
                return EXIT_USAGE;
        }
        if (fmt && !*fmt)
                fmt = NULL; /* Docker: an empty format is the JSON */
        if (fmt && template_parse(fmt, &t, &err) < 0) {
                /* docker/cli's inspect: a StatusError with code 64 */
                fprintf(stderr, "Template parsing error: %s\n", err->msg);
                return 64;
        }
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        all = json_array();
        errs = open_memstream(&errtext, &errlen);
        if (!errs)
                return 1;
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_error_ Error *e2 = NULL;
                json_t *rec = NULL;
                int r = -ENOENT;

                if (!type || streq(type, "container")) {
                        r = engine_lookup(e, argv[i], &id, &e2);
                        if (r >= 0)
                                r = engine_load(e, id, &rec, &e2);
                        if (r >= 0)
                                inspect_complete(e, rec, size);
                }
                if (r == -ENOENT && (!type || streq(type, "image"))) {
                        _cleanup_store_image_ StoreImage *img = NULL;
                        error_free(e2);
                        e2 = NULL;
                        r = store_lookup(s, argv[i], &img, NULL, &e2);
                        if (r >= 0 && !(rec = cli_image_inspect_json(s, img, &e2)))
                                r = -ENOMEM;
                }
                if (r < 0) {
                        if (r == -ENOENT)
                                fprintf(errs, "Error: No such %s: %s\n", type ? type : "object", argv[i]);
                        else
                                fprintf(errs, "Error: %s\n", e2 && e2->msg ? e2->msg : "unknown error");
                        ret = 1;
                        continue;
                }
                if (t) {
                        _cleanup_error_ Error *e3 = NULL;
                        _cleanup_free_ char *out = NULL;
                        if (template_exec_string(t, rec, NULL, &out, &e3) < 0) {
                                fprintf(stderr, "%s\n", e3->msg);
                                ret = 1;
                        } else
                                printf("%s\n", out);
                        json_decref(rec);
                } else
                        json_array_append_new(all, rec);
        }
        if (!fmt) {
                _cleanup_free_ char *out = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
                printf("%s\n", out ? out : "[]");
        }
        json_decref(all);
        /* Docker prints what it found, then the errors */
        fclose(errs);
        fflush(stdout);
        fputs(errtext ? errtext : "", stderr);
        return ret;
}

/* ---- ps ---- */

static time_t parse_time(const char *s)
{
        struct tm tm = { 0 };

        if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
                return 0;
        return timegm(&tm);
}

/* go-units HumanDuration */
static void human_duration(time_t secs, char *buf, size_t n)
{
        if (secs < 1)
                snprintf(buf, n, "Less than a second");
        else if (secs == 1)
                snprintf(buf, n, "1 second");
        else if (secs < 60)
                snprintf(buf, n, "%ld seconds", (long)secs);
        else if (secs / 60 == 1)
                snprintf(buf, n, "About a minute");
        else if (secs < 3600)
                snprintf(buf, n, "%ld minutes", (long)secs / 60);
        else if ((secs + 1800) / 3600 == 1)
                snprintf(buf, n, "About an hour");
        else if (secs < 48 * 3600)
                snprintf(buf, n, "%ld hours", (long)(secs + 1800) / 3600);
        else
                snprintf(buf, n, "%ld days", (long)secs / 86400);
}

/* Docker's ps filters: the same key ORed (but label, whose values must
 * all match: moby's MatchKVList), different keys ANDed. */
typedef struct Filter {
        char *key, *value;
        regex_t re; /* name */
        bool has_re;
        char *ref_created; /* before/since: the container's Created */
} Filter;

static const char *const filter_keys[] = { "id",     "name",      "label",   "status",  "exited", "ancestor",
                                           "before", "since",     "volume",  "network", "health", "publish",
                                           "expose", "isolation", "is-task", NULL };
static const char *const statuses[] = {
        "created", "restarting", "running", "removing", "paused", "exited", "dead", NULL
};

static void filters_free(Filter *f, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(f[i].key);
                if (f[i].has_re)
                        regfree(&f[i].re);
                free(f[i].ref_created);
        }
        free(f);
}

static int parse_filter(Engine *e, const char *arg, Filter *f, Error **ret_err)
{
        const char *eq = strchr(arg, '=');
        bool known = false;

        *f = (Filter){ 0 };
        if (!eq)
                return error_setx(ret_err, EINVAL, "bad format of filter (expected name=value)");
        f->key = strdup(arg);
        if (!f->key)
                return error_set(ret_err, ENOMEM, "filter");
        f->key[eq - arg] = 0;
        f->value = f->key + (eq - arg) + 1;
        for (size_t i = 0; filter_keys[i]; i++)
                known = known || streq(filter_keys[i], f->key);
        if (!known)
                return error_setx(ret_err, EINVAL, "invalid filter '%s'", f->key);
        if (streq(f->key, "status") && !strv_contains((char **)statuses, f->value))
                return error_setx(ret_err, EINVAL, "invalid filter 'status=%s'", f->value);
        if (streq(f->key, "exited")) {
                int code;
                if (parse_int(f->value, &code) < 0)
                        return error_setx(ret_err, EINVAL, "invalid filter 'exited=%s'", f->value);
        }
        if (streq(f->key, "name")) {
                if (regcomp(&f->re, f->value, REG_EXTENDED | REG_NOSUB) != 0)
                        return error_setx(ret_err, EINVAL, "invalid filter 'name=%s': not a regular expression",
                                          f->value);
                f->has_re = true;
        }
        if (streq(f->key, "before") || streq(f->key, "since")) {
                _cleanup_free_ char *id = NULL;
                json_t *rec = NULL;
                if (engine_lookup(e, f->value, &id, ret_err) < 0 || engine_load(e, id, &rec, ret_err) < 0)
                        return -ENOENT;
                f->ref_created = strdup(json_string_value(json_object_get(rec, "Created")) ?: "");
                json_decref(rec);
        }
        return 0;
}

static bool filter_one(Store *s, const Filter *f, json_t *rec)
{
        json_t *st = json_object_get(rec, "State"), *cfg = json_object_get(rec, "Config");
        const char *v = f->value, *id = json_string_value(json_object_get(rec, "Id")) ?: "";
        const char *status = json_string_value(json_object_get(st, "Status")) ?: "";
        const char *name = json_string_value(json_object_get(rec, "Name")) ?: "";
        const char *created = json_string_value(json_object_get(rec, "Created")) ?: "";

        if (streq(f->key, "id"))
                return strncmp(id, v, strlen(v)) == 0;
        if (streq(f->key, "name")) /* Docker's names start with '/': name=^/web$ */
                return regexec(&f->re, name, 0, NULL, 0) == 0;
        if (streq(f->key, "label")) {
                const char *eq = strchr(v, '=');
                json_t *labels = json_object_get(cfg, "Labels");
                _cleanup_free_ char *k = eq ? strndup(v, (size_t)(eq - v)) : strdup(v);
                json_t *l = k ? json_object_get(labels, k) : NULL;
                return l && (!eq || streq(json_string_value(l) ?: "", eq + 1));
        }
        if (streq(f->key, "status"))
                return streq(status, v);
        if (streq(f->key, "exited")) {
                int code = 0;
                (void)parse_int(v, &code);
                return streq(status, "exited") && json_integer_value(json_object_get(st, "ExitCode")) == code;
        }
        if (streq(f->key, "ancestor")) {
                _cleanup_store_image_ StoreImage *img = NULL;
                const char *image_id = json_string_value(json_object_get(rec, "Image")) ?: "";
                if (streq(json_string_value(json_object_get(cfg, "Image")) ?: "", v))
                        return true;
                return store_lookup(s, v, &img, NULL, NULL) >= 0 && streq(img->id, image_id);
        }
        if (streq(f->key, "before"))
                return strcmp(created, f->ref_created) < 0;
        if (streq(f->key, "since"))
                return strcmp(created, f->ref_created) > 0;
        if (streq(f->key, "volume")) {
                json_t *m;
                size_t i;
                json_array_foreach(json_object_get(rec, "Mounts"), i,
                                   m) if (streq(json_string_value(json_object_get(m, "Source")) ?: "", v) ||
                                          streq(json_string_value(json_object_get(m, "Destination")) ?: "", v) ||
                                          streq(json_string_value(json_object_get(m, "Name")) ?: "", v)) return true;
                return false;
        }
        if (streq(f->key, "network"))
                return streq(
                        json_string_value(json_object_get(json_object_get(rec, "HostConfig"), "NetworkMode")) ?: "", v);
        if (streq(f->key, "health"))
                return streq(v, "none"); /* no health checks yet: every container has none */
        if (streq(f->key, "isolation"))
                return streq(v, "default");
        if (streq(f->key, "is-task"))
                return streq(v, "false");
        return false; /* publish, expose: nothing is published yet */
}

static bool filters_match(Store *s, const Filter *f, size_t n, json_t *rec)
{
        for (size_t i = 0; i < n; i++) {
                bool seen = false, all = streq(f[i].key, "label"), ok = all;
                /* the first filter of each key decides for all of that key */
                for (size_t k = 0; k < i; k++)
                        seen = seen || streq(f[k].key, f[i].key);
                if (seen)
                        continue;
                for (size_t k = i; k < n; k++)
                        if (streq(f[k].key, f[i].key)) {
                                bool m = filter_one(s, &f[k], rec);
                                ok = all ? ok && m : ok || m;
                        }
                if (!ok)
                        return false;
        }
        return true;
}

static bool filters_have(const Filter *f, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (streq(f[i].key, key))
                        return true;
        return false;
}

/* Docker's container Status line. */
static void status_line(json_t *st, time_t now, char *buf, size_t n)
{
        const char *stat = json_string_value(json_object_get(st, "Status")) ?: "";
        char d[64];

        if (streq(stat, "running") || streq(stat, "paused")) {
                human_duration(now - parse_time(json_string_value(json_object_get(st, "StartedAt"))), d, sizeof(d));
                snprintf(buf, n, "Up %s%s", d, streq(stat, "paused") ? " (Paused)" : "");
        } else if (streq(stat, "exited")) {
                human_duration(now - parse_time(json_string_value(json_object_get(st, "FinishedAt"))), d, sizeof(d));
                snprintf(buf, n, "Exited (%lld) %s ago", (long long)json_integer_value(json_object_get(st, "ExitCode")),
                         d);
        } else if (streq(stat, "dead"))
                snprintf(buf, n, "Dead");
        else if (streq(stat, "removing"))
                snprintf(buf, n, "Removal In Progress");
        else
                snprintf(buf, n, "Created");
}

static size_t utf8_chars(const char *s)
{
        size_t n = 0;

        for (; *s; s++)
                n += ((unsigned char)*s & 0xc0) != 0x80;
        return n;
}

/* The ps context of one container: Docker's placeholders as keys. */
static json_t *ps_context(Store *s, Engine *e, json_t *rec, bool notrunc, bool size, time_t now)
{
        json_t *st = json_object_get(rec, "State"), *cfg = json_object_get(rec, "Config"), *args, *labels, *m;
        const char *id = json_string_value(json_object_get(rec, "Id")) ?: "";
        const char *name = json_string_value(json_object_get(rec, "Name")) ?: "";
        char created[64], status[128], command[4096], at[64];
        _cleanup_free_ char *quoted = NULL, *lbl = NULL, *mounts = NULL;
        size_t len = 0, i;
        const char *key;
        json_t *v, *ctx;
        FILE *f;
        struct tm tm;
        time_t ct = parse_time(json_string_value(json_object_get(rec, "Created")));

        human_duration(now - ct, created, sizeof(created));
        strcat(created, " ago");
        status_line(st, now, status, sizeof(status));
        snprintf(command, sizeof(command), "%s", json_string_value(json_object_get(rec, "Path")) ?: "");
        args = json_object_get(rec, "Args");
        for (size_t k = 0; k < json_array_size(args); k++) {
                size_t l = strlen(command);
                snprintf(command + l, sizeof(command) - l, " %s", json_string_value(json_array_get(args, k)));
        }
        if (!notrunc && utf8_chars(command) > 20) {
                /* Docker: 20 characters, the last one "…" */
                char *p = command;
                for (int k = 0; k < 19 && *p; k++) {
                        p++;
                        while ((*p & 0xc0) == 0x80)
                                p++;
                }
                strcpy(p, "…");
        }
        if (asprintf(&quoted, "\"%s\"", command) < 0)
                quoted = NULL;
        localtime_r(&ct, &tm);
        strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
        labels = json_object_get(cfg, "Labels");
        f = open_memstream(&lbl, &len);
        if (f) {
                bool first = true;
                json_object_foreach(labels, key, v)
                {
                        fprintf(f, "%s%s=%s", first ? "" : ",", key, json_string_value(v) ?: "");
                        first = false;
                }
                fclose(f);
        }
        f = open_memstream(&mounts, &len);
        if (f) {
                json_array_foreach(json_object_get(rec, "Mounts"), i, m)
                {
                        const char *nm = json_string_value(json_object_get(m, "Name"));
                        fprintf(f, "%s%s", i ? "," : "", nm ? nm : json_string_value(json_object_get(m, "Source")) ?: "");
                }
                fclose(f);
        }
        ctx = json_pack(
                "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s}", "Command", quoted ? quoted : "",
                "CreatedAt", at, "ID", notrunc ? id : "", "Image",
                json_string_value(json_object_get(cfg, "Image")) ?: "", "Labels", lbl ? lbl : "", "LocalVolumes", "0",
                "Mounts", mounts ? mounts : "", "Names", name[0] == '/' ? name + 1 : name, "Networks",
                json_string_value(json_object_get(json_object_get(rec, "HostConfig"), "NetworkMode")) ?: "", "Label",
                json_is_object(labels) ? json_incref(labels) : json_object(), "Ports", "", "RunningFor", created,
                "Size", "", "State", json_string_value(json_object_get(st, "Status")) ?: "", "Status", status);
        if (!ctx)
                return NULL;
        if (!notrunc)
                json_object_set_new(ctx, "ID", json_stringn(id, strlen(id) < 12 ? strlen(id) : 12));
        if (size) {
                _cleanup_free_ char *upper = engine_container_path(e, id, "upper");
                _cleanup_store_image_ StoreImage *img = NULL;
                char a[32], b[32], sz[80];
                uint64_t rw = upper ? cli_dir_size(upper) : 0, base = 0;
                if (store_lookup(s, json_string_value(json_object_get(rec, "Image")) ?: "", &img, NULL, NULL) >= 0)
                        base = img->size;
                cli_size_string(rw, 1000, 3, a, sizeof(a));
                cli_size_string(rw + base, 1000, 3, b, sizeof(b));
                snprintf(sz, sizeof(sz), "%s (virtual %s)", a, b);
                json_object_set_new(ctx, "Size", json_string(sz));
        }
        return ctx;
}

static json_t *ps_header(void)
{
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Command", "COMMAND",
                         "CreatedAt", "CREATED AT", "ID", "CONTAINER ID", "Image", "IMAGE", "Labels", "LABELS",
                         "LocalVolumes", "LOCAL VOLUMES", "Mounts", "MOUNTS", "Names", "NAMES", "Networks", "NETWORKS",
                         "Label", "LABEL", "Ports", "PORTS", "RunningFor", "CREATED", "Size", "SIZE", "State", "STATE",
                         "Status", "STATUS");
}

/* Docker's formatter: "\t" and "\n" typed as two characters become the
 * characters, and the format is trimmed of spaces. */
static char *format_unescape(const char *fmt)
{
        char *o = malloc(strlen(fmt) + 1), *q = o;

        if (!o)
                return NULL;
        while (*fmt == ' ')
                fmt++;
        for (const char *p = fmt; *p; p++) {
                if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
                        *q++ = p[1] == 't' ? '\t' : '\n';
                        p++;
                } else
                        *q++ = *p;
        }
        while (q > o && q[-1] == ' ')
                q--;
        *q = 0;
        return o;
}

int cli_format_rows(const char *fmt, const char *type_name, json_t *header, json_t *rows)
{
        _cleanup_template_ Template *t = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *body = NULL, *buf = NULL;
        TemplateExecOpts o = { .strict = true, .type_name = type_name };
        bool table;
        size_t len = 0;
        FILE *out;
        json_t *row;
        size_t i;
        int r = 0;

        body = format_unescape(template_format_body(fmt, &table));
        if (!body || template_parse(body, &t, &err) < 0) {
                fprintf(stderr, "template parsing error: %s\n", err && err->msg ? err->msg : "out of memory");
                return 1;
        }
        out = open_memstream(&buf, &len);
        if (!out)
                return 1;
        if (table && header) {
                r = template_exec(t, header, &o, out, &err);
                fputc('\n', out);
        }
        json_array_foreach(rows, i, row)
        {
                if (r < 0)
                        break;
                /* Docker marshals the context without the Label method */
                if (streq(body, "{{json .}}"))
                        json_object_del(row, "Label");
                r = template_exec(t, row, &o, out, &err);
                fputc('\n', out);
        }
        fclose(out);
        if (r < 0) {
                fprintf(stderr, "%s\n", err && err->msg ? err->msg : "template error");
                return 1;
        }
        if (table)
                template_tabwrite(buf ? buf : "", 10, stdout);
        else
                fputs(buf ? buf : "", stdout);
        return 0;
}

int cmd_ps(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "all", no_argument, NULL, 'a' },        { "quiet", no_argument, NULL, 'q' },
                { "no-trunc", no_argument, NULL, 1 },     { "filter", required_argument, NULL, 'f' },
                { "format", required_argument, NULL, 2 }, { "last", required_argument, NULL, 'n' },
                { "latest", no_argument, NULL, 'l' },     { "size", no_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },       { 0 }
        };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_strv_ char **ids = NULL, **fargs = NULL;
        bool all = false, quiet = false, notrunc = false, size = false;
        const char *fmt = NULL;
        Filter *filters = NULL;
        size_t nf = 0, shown = 0;
        int last = -1, c, ret;
        json_t *rows;
        time_t now = time(NULL);

        GETOPT_LOOP(cmd, argc, argv, "aqf:n:ls", lo, c) switch (c)
        {
        case 'a': all = true; break;
        case 'q': quiet = true; break;
        case 1: notrunc = true; break;
        case 2: fmt = optarg; break;
        case 's': size = true; break;
        case 'l': last = 1; break;
        case 'n':
                if (parse_int(optarg, &last) < 0) {
                        fprintf(stderr,
                                "invalid argument \"%s\" for \"-n, --last\" flag: strconv.ParseInt: parsing "
                                "\"%s\": invalid syntax\nSee 'husk ps --help'.\n",
                                optarg, optarg);
                        return EXIT_USAGE;
                }
                break;
        case 'f':
                /* a value without '=' is the flag's own error, as Docker's */
                if (!strchr(optarg, '=')) {
                        fprintf(stderr,
                                "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected "
                                "name=value)\nSee 'husk ps --help'.\n",
                                optarg);
                        return EXIT_USAGE;
                }
                if (strv_push(&fargs, optarg) < 0)
                        return EXIT_USAGE;
                break;
        }
        if (optind < argc) {
                fprintf(stderr, "\"husk ps\" accepts no arguments.\nSee 'husk ps --help'.\n");
                return EXIT_USAGE;
        }
        if (cli_open_engine(&s, &e, &err) < 0 || engine_list(e, &ids, &err) < 0)
                return cli_fail125(err);
        filters = calloc(strv_length(fargs) + 1, sizeof(Filter));
        if (!filters)
                return EXIT_USAGE;
        for (char **a = fargs; a && *a; a++) {
                if (parse_filter(e, *a, &filters[nf++], &err) < 0) {
                        filters_free(filters, nf);
                        fprintf(stderr, "Error response from daemon: %s\n", err->msg);
                        return 1;
                }
        }
        /* Docker: -n/-l list every state; a status filter looks past
         * running ones */
        if (last >= 0 || filters_have(filters, nf, "status"))
                all = true;
        if (fmt && strstr(fmt, ".Size"))
                size = true;
        rows = json_array();
        for (char **id = ids; *id; id++) {
                json_t *rec = NULL, *ctx;
                const char *stat;
                if (last >= 0 && shown >= (size_t)last)
                        break;
                if (engine_load(e, *id, &rec, NULL) < 0)
                        continue;
                stat = json_string_value(json_object_get(json_object_get(rec, "State"), "Status")) ?: "";
                if ((!all && !streq(stat, "running") && !streq(stat, "paused")) ||
                    !filters_match(s, filters, nf, rec)) {
                        json_decref(rec);
                        continue;
                }
                shown++;
                if (quiet) {
                        printf("%.*s\n", notrunc ? 64 : 12, *id);
                        json_decref(rec);
                        continue;
                }
                ctx = ps_context(s, e, rec, notrunc, size, now);
                json_decref(rec);
                if (ctx)
                        json_array_append_new(rows, ctx);
        }
        filters_free(filters, nf);
        if (quiet) {
                json_decref(rows);
                return 0;
        }
        if (!fmt || !*fmt || streq(fmt, "table"))
                fmt = size ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{."
                             "Names}}\t{{.Size}}"
                           : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{."
                             "Names}}";
        {
                json_t *h = ps_header();
                ret = cli_format_rows(fmt, "*formatter.ContainerContext", h, rows);
                json_decref(h);
        }
        json_decref(rows);
        return ret;
}
