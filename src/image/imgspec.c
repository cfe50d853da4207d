/* The image config applied to a runtime spec; rules in imgspec.h.
 *
 * Threat model: the config and the rootfs' /etc/passwd and /etc/group come
 * from the image, i.e. from whoever built it. The files are opened inside
 * the rootfs only (RESOLVE_IN_ROOT, no magic links), must be regular files
 * (a FIFO would block us, a device would read the host's device), are read
 * up to a bound, and every line is parsed by length: a NUL, a missing
 * field, a number out of range or a line of megabytes is skipped, never
 * trusted. */
#include "image/imgspec.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"
#include "oci/profile.h"

#define IMGSPEC_MAX_FILE   ((size_t)4 << 20)
#define IMGSPEC_MAX_GROUPS 65536
#define IMGSPEC_MAX_ID     2147483647u /* runc's (and Docker's) range for uids and gids */
#define DEFAULT_PATH       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#define _cleanup_json_ _cleanup_(json_decrefp)

void imgspec_config_free(ImageConfig *c)
{
        if (!c)
                return;
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        strv_free(c->env);
        free(c->working_dir);
        free(c->user);
        strv_free(c->exposed_ports);
        strv_free(c->volumes);
        free(c->stop_signal);
        strv_free(c->labels);
        free(c);
}

void imgspec_user_clear(ImgSpecUser *u)
{
        free(u->additional_gids);
        free(u->home);
        *u = (ImgSpecUser){ 0 };
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list of strings (Docker also writes a lone string for Entrypoint and
 * Cmd). null or absent: *ret stays NULL. */
static int get_strv(json_t *obj, const char *key, bool allow_string, char ***ret, const char *what, Error **ret_err)
{
        json_t *v = json_object_get(obj, key), *e;
        _cleanup_strv_ char **l = NULL;
        size_t i;

        if (!v || json_is_null(v))
                return 0;
        if (allow_string && json_is_string(v)) {
                if (strv_push(&l, json_string_value(v)) < 0)
                        return error_set(ret_err, ENOMEM, "%s", what);
                *ret = TAKE_PTR(l);
                return 0;
        }
        if (!json_is_array(v))
                return error_setx(ret_err, EINVAL, "%s: config.%s must be an array of strings", what, key);
        l = calloc(1, sizeof(char *));
        if (!l)
                return error_set(ret_err, ENOMEM, "%s", what);
        json_array_foreach(v, i, e)
        {
                if (!json_is_string(e))
                        return error_setx(ret_err, EINVAL, "%s: config.%s[%zu] must be a string", what, key, i);
                if (strv_push(&l, json_string_value(e)) < 0)
                        return error_set(ret_err, ENOMEM, "%s", what);
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int get_str(json_t *obj, const char *key, char **ret, const char *what, Error **ret_err)
{
        json_t *v = json_object_get(obj, key);

        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v))
                return error_setx(ret_err, EINVAL, "%s: config.%s must be a string", what, key);
        *ret = strdup(json_string_value(v));
        return *ret ? 0 : error_set(ret_err, ENOMEM, "%s", what);
}

/* The keys of an object ({"80/tcp": {}}), or "KEY=VALUE" for string
 * values (labels); sorted. */
static int get_keys(json_t *obj, const char *key, bool values, char ***ret, const char *what, Error **ret_err)
{
        json_t *v = json_object_get(obj, key), *e;
        _cleanup_strv_ char **l = NULL;
        const char *k;

        if (!v || json_is_null(v))
                return 0;
        if (!json_is_object(v))
                return error_setx(ret_err, EINVAL, "%s: config.%s must be an object", what, key);
        json_object_foreach(v, k, e)
        {
                _cleanup_free_ char *s = NULL;
                if (values && !json_is_string(e))
                        return error_setx(ret_err, EINVAL, "%s: config.%s.%s must be a string", what, key, k);
                if (asprintf(&s, "%s%s%s", k, values ? "=" : "", values ? json_string_value(e) : "") < 0 ||
                    strv_push(&l, s) < 0)
                        return error_set(ret_err, ENOMEM, "%s", what);
        }
        if (l)
                qsort(l, strv_length(l), sizeof(char *), cmp_str);
        *ret = TAKE_PTR(l);
        return 0;
}

int imgspec_parse_config(const char *json, size_t len, const char *what, ImageConfig **ret, Error **ret_err)
{
        _cleanup_(imgspec_config_freep) ImageConfig *c = NULL;
        _cleanup_json_ json_t *root = NULL;
        json_error_t jerr;
        json_t *cfg;
        int r;

        root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return error_setx(ret_err, EINVAL, "%s:%d:%d: %s", what, jerr.line, jerr.column, jerr.text);
        if (!json_is_object(root))
                return error_setx(ret_err, EINVAL, "%s: the image config must be a JSON object", what);
        c = calloc(1, sizeof(*c));
        if (!c)
                return error_set(ret_err, ENOMEM, "%s", what);
        c->stop_signo = SIGTERM;
        cfg = json_object_get(root, "config");
        if (!cfg || json_is_null(cfg)) {
                *ret = TAKE_PTR(c);
                return 0;
        }
        if (!json_is_object(cfg))
                return error_setx(ret_err, EINVAL, "%s: config must be an object", what);
        if ((r = get_strv(cfg, "Entrypoint", true, &c->entrypoint, what, ret_err)) < 0 ||
            (r = get_strv(cfg, "Cmd", true, &c->cmd, what, ret_err)) < 0 ||
            (r = get_strv(cfg, "Env", false, &c->env, what, ret_err)) < 0 ||
            (r = get_str(cfg, "WorkingDir", &c->working_dir, what, ret_err)) < 0 ||
            (r = get_str(cfg, "User", &c->user, what, ret_err)) < 0 ||
            (r = get_keys(cfg, "ExposedPorts", false, &c->exposed_ports, what, ret_err)) < 0 ||
            (r = get_keys(cfg, "Volumes", false, &c->volumes, what, ret_err)) < 0 ||
            (r = get_str(cfg, "StopSignal", &c->stop_signal, what, ret_err)) < 0 ||
            (r = get_keys(cfg, "Labels", true, &c->labels, what, ret_err)) < 0)
                return r;
        if (c->stop_signal && *c->stop_signal) {
                r = signal_from_string(c->stop_signal);
                if (r <= 0)
                        return error_setx(ret_err, EINVAL, "%s: config.StopSignal \"%s\" is not a signal", what,
                                          c->stop_signal);
                c->stop_signo = r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

/* ---- passwd and group ---- */

/* Read rootfs/path: regular file, at most IMGSPEC_MAX_FILE bytes. A missing
 * file is empty (*ret NULL, *ret_len 0). */
static int read_in_root(int rootfs_fd, const char *path, char **ret, size_t *ret_len, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        struct stat st;

        /* O_NONBLOCK: opening a FIFO must not wait for a writer */
        fd = path_open_in_root(rootfs_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, NULL);
        if (fd < 0) {
                if (fd == -ENOENT) {
                        *ret = NULL;
                        *ret_len = 0;
                        return 0;
                }
                return error_set(ret_err, -fd, "open %s in the image", path);
        }
        if (fstat(fd, &st) < 0)
                return error_set(ret_err, errno, "stat %s in the image", path);
        if (!S_ISREG(st.st_mode))
                return error_setx(ret_err, EINVAL, "%s in the image is not a regular file", path);
        buf = malloc(IMGSPEC_MAX_FILE + 1);
        if (!buf)
                return error_set(ret_err, ENOMEM, "read %s", path);
        for (;;) {
                ssize_t n = read(fd, buf + len, IMGSPEC_MAX_FILE + 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set(ret_err, errno, "read %s in the image", path);
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > IMGSPEC_MAX_FILE)
                        return error_setx(ret_err, EFBIG, "%s in the image is larger than %zu bytes", path,
                                          IMGSPEC_MAX_FILE);
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* Split one line (no '\n', may not contain NUL) at ':' into at most
 * `max` fields, in place; returns how many. */
static size_t split_fields(char *line, char **f, size_t max)
{
        size_t n = 0;

        f[n++] = line;
        for (char *p = line; *p && n < max; p++)
                if (*p == ':') {
                        *p = '\0';
                        f[n++] = p + 1;
                }
        return n;
}

/* Iterate over the lines of buf[0..len): calls fn on each usable one (no
 * NUL inside, not empty, not a comment), NUL-terminated in place. fn
 * returns > 0 to stop. */
static int foreach_line(char *buf, size_t len, int (*fn)(char *line, void *ud), void *ud)
{
        char *p = buf, *end = buf + len;

        while (p < end) {
                char *nl = memchr(p, '\n', (size_t)(end - p));
                char *le = nl ? nl : end;
                int r;

                if (memchr(p, '\0', (size_t)(le - p)) || le == p || *p == '#') {
                        p = le + 1;
                        continue;
                }
                *le = '\0';
                if (le > p && le[-1] == '\r')
                        le[-1] = '\0';
                r = fn(p, ud);
                if (r != 0)
                        return r;
                p = le + 1;
        }
        return 0;
}

static int parse_id_max(const char *s, uint32_t *ret)
{
        uint32_t v;

        if (parse_id(s, &v) < 0 || v > IMGSPEC_MAX_ID)
                return -EINVAL;
        *ret = v;
        return 0;
}

typedef struct PwMatch {
        const char *name; /* what to match: the name, or the number as written */
        bool numeric;
        uint32_t id;
        bool found;
        char *pw_name;
        uint32_t uid, gid;
        char *home;
} PwMatch;

static int pw_line(char *line, void *ud)
{
        PwMatch *m = ud;
        char *f[7];
        size_t n = split_fields(line, f, 7);
        uint32_t uid, gid;

        if (n < 4 || !*f[0])
                return 0;
        if (parse_id_max(f[2], &uid) < 0 || parse_id_max(f[3], &gid) < 0)
                return 0;
        if (!streq(f[0], m->name) && !(m->numeric && uid == m->id))
                return 0;
        m->pw_name = strdup(f[0]);
        m->home = strdup(n >= 6 && *f[5] == '/' ? f[5] : "/");
        if (!m->pw_name || !m->home)
                return -ENOMEM;
        m->found = true;
        m->uid = uid;
        m->gid = gid;
        return 1;
}

typedef struct GrMatch {
        /* explicit group lookup */
        const char *name;
        bool numeric;
        uint32_t id;
        bool found;
        uint32_t gid;
        /* supplementary groups of user `member` */
        const char *member;
        uint32_t *gids;
        size_t n_gids;
        bool overflow;
} GrMatch;

static int gr_line(char *line, void *ud)
{
        GrMatch *m = ud;
        char *f[4] = { 0 };
        size_t n = split_fields(line, f, 4);
        uint32_t gid;

        if (n < 3 || !*f[0] || parse_id_max(f[2], &gid) < 0)
                return 0;
        if (m->name && !m->found && (streq(f[0], m->name) || (m->numeric && gid == m->id))) {
                m->found = true;
                m->gid = gid;
        }
        if (m->member && n == 4) {
                for (char *tok = f[3], *next; tok; tok = next) {
                        next = strchr(tok, ',');
                        if (next)
                                *next++ = '\0';
                        if (!streq(tok, m->member))
                                continue;
                        for (size_t i = 0; i < m->n_gids; i++)
                                if (m->gids[i] == gid)
                                        return 0;
                        if (m->n_gids >= IMGSPEC_MAX_GROUPS) {
                                m->overflow = true;
                                return 1;
                        }
                        uint32_t *g = realloc(m->gids, (m->n_gids + 1) * sizeof(*g));
                        if (!g)
                                return -ENOMEM;
                        m->gids = g;
                        m->gids[m->n_gids++] = gid;
                        return 0;
                }
        }
        return 0;
}

int imgspec_resolve_user(int rootfs_fd, const char *user, ImgSpecUser *ret, Error **ret_err)
{
        _cleanup_free_ char *spec = strdup(user ? user : ""), *passwd = NULL, *group = NULL;
        PwMatch pw = { 0 };
        GrMatch gr = { 0 };
        size_t pw_len = 0, gr_len = 0;
        const char *uname, *gname = NULL;
        uint32_t uid, gid = 0;
        char *colon;
        int r;

        if (!spec)
                return error_set(ret_err, ENOMEM, "user %s", user);
        colon = strchr(spec, ':');
        if (colon) {
                *colon = '\0';
                gname = colon + 1;
                if (!*spec || !*gname)
                        return error_setx(ret_err, EINVAL, "invalid user \"%s\": expected USER[:GROUP]", user);
        }
        uname = *spec ? spec : "0";

        r = read_in_root(rootfs_fd, "/etc/passwd", &passwd, &pw_len, ret_err);
        if (r < 0)
                return r;
        pw.name = uname;
        pw.numeric = parse_id(uname, &pw.id) == 0;
        if (pw.numeric && pw.id > IMGSPEC_MAX_ID)
                return error_setx(ret_err, EINVAL, "uid %s is out of range (0-%u)", uname, IMGSPEC_MAX_ID);
        if (!pw.numeric && uname[strspn(uname, "0123456789")] == '\0')
                return error_setx(ret_err, EINVAL, "uid %s is out of range (0-%u)", uname, IMGSPEC_MAX_ID);
        r = passwd ? foreach_line(passwd, pw_len, pw_line, &pw) : 0;
        if (r < 0) {
                free(pw.pw_name);
                free(pw.home);
                return error_set(ret_err, -r, "user %s", user);
        }
        if (!pw.found && !pw.numeric)
                return error_setx(ret_err, ENOENT, "unable to find user %s: no matching entries in passwd file", uname);
        uid = pw.found ? pw.uid : pw.id;
        gid = pw.found ? pw.gid : 0;

        r = read_in_root(rootfs_fd, "/etc/group", &group, &gr_len, ret_err);
        if (r < 0)
                goto fail;
        if (gname) {
                gr.name = gname;
                gr.numeric = parse_id(gname, &gr.id) == 0;
                if ((gr.numeric && gr.id > IMGSPEC_MAX_ID) ||
                    (!gr.numeric && gname[strspn(gname, "0123456789")] == '\0')) {
                        r = error_setx(ret_err, EINVAL, "gid %s is out of range (0-%u)", gname, IMGSPEC_MAX_ID);
                        goto fail;
                }
        }
        gr.member = pw.pw_name;
        r = group && (gr.name || gr.member) ? foreach_line(group, gr_len, gr_line, &gr) : 0;
        if (r < 0) {
                r = error_set(ret_err, -r, "user %s", user);
                goto fail;
        }
        if (gr.overflow) {
                r = error_setx(ret_err, E2BIG, "user %s: more than %d supplementary groups in /etc/group", user,
                               IMGSPEC_MAX_GROUPS);
                goto fail;
        }
        if (gname) {
                if (!gr.found && !gr.numeric) {
                        r = error_setx(ret_err, ENOENT, "unable to find group %s: no matching entries in group file",
                                       gname);
                        goto fail;
                }
                gid = gr.found ? gr.gid : gr.id;
        }
        /* the primary group is not a supplementary one */
        for (size_t i = 0; i < gr.n_gids;)
                if (gr.gids[i] == gid)
                        memmove(&gr.gids[i], &gr.gids[i + 1], (--gr.n_gids - i) * sizeof(*gr.gids));
                else
                        i++;

        *ret = (ImgSpecUser){
                .uid = uid,
                .gid = gid,
                .additional_gids = gr.n_gids ? gr.gids : NULL,
                .n_additional_gids = gr.n_gids,
                .home = pw.home ? pw.home : strdup("/"),
        };
        if (!gr.n_gids)
                free(gr.gids);
        free(pw.pw_name);
        if (!ret->home) {
                imgspec_user_clear(ret);
                return error_set(ret_err, ENOMEM, "user %s", user);
        }
        return 0;
fail:
        free(gr.gids);
        free(pw.pw_name);
        free(pw.home);
        return r;
}

/* ---- the spec ---- */

static bool env_has(char *const *env, const char *key)
{
        size_t k = strlen(key);

        for (; env && *env; env++)
                if (strv_env_key_len(*env) == k && strncmp(*env, key, k) == 0)
                        return true;
        return false;
}

static int strv_append_all(char ***dst, char *const *src)
{
        for (; src && *src; src++)
                if (strv_push(dst, *src) < 0)
                        return -ENOMEM;
        return 0;
}

int imgspec_build(const ImageConfig *ic, int rootfs_fd, const ImgSpecOverrides *o, Spec **ret_spec, Error **ret_err)
{
        static const ImgSpecOverrides none = { 0 };
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_strv_ char **args = NULL, **env = NULL;
        _cleanup_free_ char *cwd = NULL, *hostname = NULL;
        _cleanup_(imgspec_user_clear) ImgSpecUser user = { 0 };
        char *const *entrypoint, *const *cmd;
        const char *wd, *u;
        SpecProcess *p;
        int r;

        if (!o)
                o = &none;
        /* Docker: --entrypoint replaces the image's and drops its Cmd */
        entrypoint = o->entrypoint ? o->entrypoint : ic->entrypoint;
        cmd = o->cmd ? o->cmd : o->entrypoint ? NULL : ic->cmd;
        if (strv_append_all(&args, entrypoint) < 0 || strv_append_all(&args, cmd) < 0)
                return error_set(ret_err, ENOMEM, "process.args");
        if (!args || !args[0])
                return error_setx(ret_err, EINVAL, "no command specified");

        wd = o->workdir && *o->workdir ? o->workdir : ic->working_dir && *ic->working_dir ? ic->working_dir : "/";
        if (wd[0] != '/')
                return error_setx(ret_err, EINVAL,
                                  "the working directory '%s' is invalid, it needs to be an absolute path", wd);
        cwd = path_clean(wd);
        if (!cwd)
                return error_set(ret_err, ENOMEM, "working directory");

        u = o->user ? o->user : ic->user ? ic->user : "";
        r = imgspec_resolve_user(rootfs_fd, u, &user, ret_err);
        if (r < 0)
                return r;

        if (o->hostname && *o->hostname)
                hostname = strdup(o->hostname);
        else if (o->id && *o->id)
                hostname = strndup(o->id, 12);
        if ((o->hostname || o->id) && !hostname)
                return error_set(ret_err, ENOMEM, "hostname");

        for (char *const *e = ic->env; e && *e; e++)
                if (strv_env_set(&env, *e) < 0)
                        return error_set(ret_err, ENOMEM, "process.env");
        for (char *const *e = o->env; e && *e; e++) {
                if (!strchr(*e, '=') || **e == '=')
                        return error_setx(ret_err, EINVAL, "invalid environment variable \"%s\": expected KEY=VALUE",
                                          *e);
                if (strv_env_set(&env, *e) < 0)
                        return error_set(ret_err, ENOMEM, "process.env");
        }
        if (!env_has(env, "PATH") && strv_push(&env, DEFAULT_PATH) < 0)
                return error_set(ret_err, ENOMEM, "process.env");
        if (hostname && !env_has(env, "HOSTNAME")) {
                _cleanup_free_ char *h = NULL;
                if (asprintf(&h, "HOSTNAME=%s", hostname) < 0 || strv_push(&env, h) < 0)
                        return error_set(ret_err, ENOMEM, "process.env");
        }
        if (!env_has(env, "HOME")) {
                _cleanup_free_ char *h = NULL;
                if (asprintf(&h, "HOME=%s", user.home) < 0 || strv_push(&env, h) < 0)
                        return error_set(ret_err, ENOMEM, "process.env");
        }

        r = profile_default_spec(&spec, ret_err);
        if (r < 0)
                return r;
        p = &spec->process;
        spec->has_process = true;
        strv_free(p->args);
        p->n_args = strv_length(args);
        p->args = TAKE_PTR(args);
        strv_free(p->env);
        p->n_env = strv_length(env);
        p->env = TAKE_PTR(env);
        free(p->cwd);
        p->cwd = TAKE_PTR(cwd);
        p->user.uid = user.uid;
        p->user.gid = user.gid;
        free(p->user.additional_gids);
        p->user.additional_gids = NULL;
        p->user.n_additional_gids = 0;
        if (user.n_additional_gids) {
                p->user.additional_gids = calloc(user.n_additional_gids, sizeof(gid_t));
                if (!p->user.additional_gids)
                        return error_set(ret_err, ENOMEM, "process.user");
                for (size_t i = 0; i < user.n_additional_gids; i++)
                        p->user.additional_gids[i] = user.additional_gids[i];
                p->user.n_additional_gids = user.n_additional_gids;
        }
        if (hostname) {
                free(spec->hostname);
                spec->hostname = TAKE_PTR(hostname);
        }
        *ret_spec = TAKE_PTR(spec);
        return 0;
}
