/* The container commands of `husk`: run, create, start, ps, stop, kill,
 * rm, logs, inspect, wait. Flags, output shapes and exit codes follow
 * Docker's: 125 for husk's own errors, 126 when the command cannot be
 * invoked, 127 when it is not found, else the container's. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "engine/engine.h"
#include "lib/macros.h"
#include "lib/util.h"

static int fail125(Error *err)
{
        cli_fail(err);
        return EXIT_USAGE;
}

static int open_engine(Store **s, Engine **e, Error **err)
{
        int r = cli_open_store(s, err);

        if (r < 0)
                return r;
        return engine_open(*s, cli_state_root(), e, err);
}

static int read_env_file(const char *path, char ***env, Error **err)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        ssize_t l;

        if (!f)
                return error_set(err, errno, "open %s", path);
        while ((l = getline(&line, &n, f)) >= 0) {
                char *s = line;
                if (l > 0 && s[l - 1] == '\n')
                        s[--l] = 0;
                while (*s == ' ' || *s == '\t')
                        s++;
                if (!*s || *s == '#')
                        continue;
                if (!strchr(s, '=')) {
                        const char *v = getenv(s);
                        _cleanup_free_ char *kv = NULL;
                        if (v && asprintf(&kv, "%s=%s", s, v) >= 0)
                                strv_push(env, kv);
                        continue;
                }
                strv_push(env, s);
        }
        return 0;
}

enum { OPT_RM = 1000, OPT_NAME, OPT_ENTRYPOINT, OPT_ENV_FILE, OPT_NETWORK, OPT_HOSTNAME, OPT_CGROUP_PARENT };

/* One -e value: KEY=VALUE, or KEY taken from our environment (dropped
 * when unset), as Docker does. */
static void push_env(char ***env, const char *arg)
{
        _cleanup_free_ char *kv = NULL;

        if (strchr(arg, '='))
                strv_push(env, arg);
        else if (getenv(arg) && asprintf(&kv, "%s=%s", arg, getenv(arg)) >= 0)
                strv_push(env, kv);
}

static int run_or_create(const Cmd *cmd, int argc, char **argv, bool run)
{
        static const struct option lo[] = {
                { "detach", no_argument, NULL, 'd' },
                { "rm", no_argument, NULL, OPT_RM },
                { "interactive", no_argument, NULL, 'i' },
                { "tty", no_argument, NULL, 't' },
                { "name", required_argument, NULL, OPT_NAME },
                { "env", required_argument, NULL, 'e' },
                { "env-file", required_argument, NULL, OPT_ENV_FILE },
                { "workdir", required_argument, NULL, 'w' },
                { "user", required_argument, NULL, 'u' },
                { "hostname", required_argument, NULL, OPT_HOSTNAME },
                { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
                { "volume", required_argument, NULL, 'v' },
                { "network", required_argument, NULL, OPT_NETWORK },
                { "net", required_argument, NULL, OPT_NETWORK },
                { "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        _cleanup_strv_ char **env = NULL, **vols = NULL, **entry = NULL, **cmdv = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL;
        EngineCreateOpts o = { 0 };
        bool detach = false, has_entry = false;
        int c, code = 0, r;

        /* flags stop at the image name: the rest is the command */
        GETOPT_LOOP(cmd, argc, argv, "+de:hitu:v:w:", lo, c) switch (c)
        {
        case 'd': detach = true; break;
        case OPT_RM: o.auto_remove = true; break;
        case 'i': o.interactive = true; break;
        case 't': o.tty = true; break;
        case OPT_NAME: o.name = optarg; break;
        case 'e': push_env(&env, optarg); break;
        case OPT_ENV_FILE:
                if (read_env_file(optarg, &env, &err) < 0)
                        return fail125(err);
                break;
        case 'w': o.workdir = optarg; break;
        case 'u': o.user = optarg; break;
        case 'h':
        case OPT_HOSTNAME: o.hostname = optarg; break;
        case OPT_ENTRYPOINT:
                has_entry = true;
                entry = calloc(2, sizeof(char *));
                if (entry && *optarg)
                        entry[0] = strdup(optarg);
                break;
        case 'v': strv_push(&vols, optarg); break;
        case OPT_NETWORK: o.network = optarg; break;
        case OPT_CGROUP_PARENT: o.cgroup_parent = optarg; break;
        }
        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        o.image = argv[optind];
        if (optind + 1 < argc)
                cmdv = strv_copy(argv + optind + 1);
        o.cmd = cmdv;
        o.entrypoint = has_entry ? entry : NULL;
        o.env = env;
        o.volumes = vols;
        if (open_engine(&s, &e, &err) < 0 || engine_create(e, &o, &id, &err) < 0)
                return fail125(err);
        if (!run) {
                printf("%s\n", id);
                return 0;
        }
        r = engine_start(e, id, !detach, &code, &err);
        if (r < 0) {
                cli_fail(err);
                if (o.auto_remove)
                        (void)engine_remove(e, id, true, NULL);
                return cli_exec_exit(r, EXIT_USAGE);
        }
        if (detach)
                printf("%s\n", id);
        else {
                fflush(stdout);
                return code;
        }
        return 0;
}

int cmd_run(const Cmd *cmd, int argc, char **argv)
{
        return run_or_create(cmd, argc, argv, true);
}

int cmd_create(const Cmd *cmd, int argc, char **argv)
{
        return run_or_create(cmd, argc, argv, false);
}

/* For commands taking containers: look each up, call fn, print what Docker
 * prints (the name as given), and exit 1 if any failed. */
typedef int (*EachFn)(Engine *e, const char *id, void *data, Error **err);

static int for_each(const Cmd *cmd, int argc, char **argv, EachFn fn, void *data, bool echo)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        int ret = 0;

        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (open_engine(&s, &e, &err) < 0)
                return fail125(err);
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_error_ Error *e2 = NULL;
                if (engine_lookup(e, argv[i], &id, &e2) < 0 || fn(e, id, data, &e2) < 0) {
                        cli_fail(e2);
                        ret = 1;
                        continue;
                }
                if (echo)
                        printf("%s\n", argv[i]);
        }
        return ret;
}

static int do_start(Engine *e, const char *id, void *data, Error **err)
{
        return engine_start(e, id, false, NULL, err);
}

int cmd_start(const Cmd *cmd, int argc, char **argv)
{
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", NULL, c)
        {
        }
        return for_each(cmd, argc, argv, do_start, NULL, true);
}

static int do_stop(Engine *e, const char *id, void *data, Error **err)
{
        return engine_stop(e, id, *(int *)data, err);
}

int cmd_stop(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "time", required_argument, NULL, 't' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        int c, t = -1;

        GETOPT_LOOP(cmd, argc, argv, "+t:", lo, c) if (c == 't' && parse_int(optarg, &t) < 0)
        {
                fprintf(stderr, "invalid argument \"%s\" for \"-t, --time\" flag\n", optarg);
                return EXIT_USAGE;
        }
        return for_each(cmd, argc, argv, do_stop, &t, true);
}

int cmd_exec(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "detach", no_argument, NULL, 'd' },
                { "env", required_argument, NULL, 'e' },
                { "env-file", required_argument, NULL, OPT_ENV_FILE },
                { "interactive", no_argument, NULL, 'i' },
                { "tty", no_argument, NULL, 't' },
                { "user", required_argument, NULL, 'u' },
                { "workdir", required_argument, NULL, 'w' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        _cleanup_strv_ char **env = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL;
        EngineExecOpts o = { 0 };
        int c, code = 0, r;

        /* flags stop at the container: the rest is the command */
        GETOPT_LOOP(cmd, argc, argv, "+de:itu:w:", lo, c) switch (c)
        {
        case 'd': o.detach = true; break;
        case 'e': push_env(&env, optarg); break;
        case OPT_ENV_FILE:
                if (read_env_file(optarg, &env, &err) < 0)
                        return fail125(err);
                break;
        case 'i': break; /* stdin is the process's own already */
        case 't': fprintf(stderr, "husk: exec -t is not supported yet\n"); return EXIT_USAGE;
        case 'u': o.user = optarg; break;
        case 'w': o.workdir = optarg; break;
        }
        if (argc - optind < 2)
                return cli_args_error(cmd, "at least 2 arguments") ? EXIT_USAGE : EXIT_USAGE;
        o.argv = argv + optind + 1;
        o.env = env;
        if (open_engine(&s, &e, &err) < 0 || engine_lookup(e, argv[optind], &id, &err) < 0) {
                cli_fail(err);
                return 1;
        }
        r = engine_exec(e, id, &o, &code, &err);
        if (r < 0) {
                cli_fail(err);
                return cli_exec_exit(r, 1);
        }
        return code;
}

static int do_kill(Engine *e, const char *id, void *data, Error **err)
{
        return engine_kill(e, id, *(int *)data, err);
}

int cmd_kill(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "signal", required_argument, NULL, 's' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        int c, sig = SIGKILL;

        GETOPT_LOOP(cmd, argc, argv, "+s:", lo, c) if (c == 's')
        {
                sig = signal_from_string(optarg);
                if (sig <= 0 && parse_int(optarg, &sig) < 0) {
                        fprintf(stderr, "invalid signal: %s\n", optarg);
                        return EXIT_USAGE;
                }
        }
        return for_each(cmd, argc, argv, do_kill, &sig, true);
}

static int do_rm(Engine *e, const char *id, void *data, Error **err)
{
        return engine_remove(e, id, *(bool *)data, err);
}

int cmd_rm(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "force", no_argument, NULL, 'f' },
                                            { "volumes", no_argument, NULL, 'v' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        bool force = false;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+fv", lo, c) if (c == 'f') force = true;
        return for_each(cmd, argc, argv, do_rm, &force, true);
}

static int do_wait(Engine *e, const char *id, void *data, Error **err)
{
        int code, r = engine_wait(e, id, &code, err);

        if (r >= 0)
                printf("%d\n", code);
        return r;
}

int cmd_wait(const Cmd *cmd, int argc, char **argv)
{
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", NULL, c)
        {
        }
        return for_each(cmd, argc, argv, do_wait, NULL, false);
}

/* ---- inspect ---- */

/* '{{.State.Pid}}' and '{{json .Config}}': field paths only. */
static int print_format(json_t *rec, const char *fmt)
{
        const char *p = fmt;

        while (*p) {
                const char *open = strstr(p, "{{"), *close;
                _cleanup_free_ char *expr = NULL;
                json_t *v = rec;
                bool as_json = false;
                char *t, *save = NULL, *x;

                if (!open) {
                        fputs(p, stdout);
                        break;
                }
                fwrite(p, 1, (size_t)(open - p), stdout);
                close = strstr(open, "}}");
                if (!close) {
                        fprintf(stderr, "Error: template: unclosed action in %s\n", fmt);
                        return 1;
                }
                expr = strndup(open + 2, (size_t)(close - open - 2));
                x = expr;
                while (*x == ' ')
                        x++;
                if (strncmp(x, "json ", 5) == 0) {
                        as_json = true;
                        x += 5;
                }
                while (*x == ' ')
                        x++;
                for (t = strtok_r(x, ". }", &save); t && v; t = strtok_r(NULL, ". }", &save))
                        v = json_object_get(v, t);
                if (!v && !as_json) {
                        fprintf(stderr, "Error: template: can't evaluate field in %s\n", fmt);
                        return 1;
                }
                if (as_json || json_is_object(v) || json_is_array(v)) {
                        _cleanup_free_ char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
                        fputs(s ? s : "", stdout);
                } else if (json_is_string(v))
                        fputs(json_string_value(v), stdout);
                else if (json_is_integer(v))
                        printf("%lld", (long long)json_integer_value(v));
                else if (json_is_boolean(v))
                        fputs(json_is_true(v) ? "true" : "false", stdout);
                else
                        fputs("<no value>", stdout);
                p = close + 2;
        }
        putchar('\n');
        return 0;
}

int cmd_inspect(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        const char *fmt = NULL;
        json_t *all;
        int c, ret = 0;

        GETOPT_LOOP(cmd, argc, argv, "+f:", lo, c) if (c == 'f') fmt = optarg;
        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (open_engine(&s, &e, &err) < 0)
                return fail125(err);
        all = json_array();
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_error_ Error *e2 = NULL;
                json_t *rec = NULL;
                if (engine_lookup(e, argv[i], &id, &e2) < 0 || engine_load(e, id, &rec, &e2) < 0) {
                        fprintf(stderr, "Error: %s\n", e2 && e2->msg ? e2->msg : "unknown error");
                        ret = 1;
                        continue;
                }
                if (fmt) {
                        if (print_format(rec, fmt))
                                ret = 1;
                        json_decref(rec);
                } else
                        json_array_append_new(all, rec);
        }
        if (!fmt) {
                _cleanup_free_ char *out = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
                printf("%s\n", out ? out : "[]");
        }
        json_decref(all);
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

int cmd_ps(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "all", no_argument, NULL, 'a' },
                                            { "quiet", no_argument, NULL, 'q' },
                                            { "no-trunc", no_argument, NULL, 1 },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        static const char *const heads[] = {
                "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"
        };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_strv_ char **ids = NULL;
        bool all = false, quiet = false, notrunc = false;
        char ***rows = NULL;
        size_t nrows = 0, w[7];
        time_t now = time(NULL);
        int c;

        GETOPT_LOOP(cmd, argc, argv, "aq", lo, c) switch (c)
        {
        case 'a': all = true; break;
        case 'q': quiet = true; break;
        case 1: notrunc = true; break;
        }
        if (open_engine(&s, &e, &err) < 0 || engine_list(e, &ids, &err) < 0)
                return fail125(err);
        rows = calloc(strv_length(ids) + 1, sizeof(char **));
        for (size_t i = 0; i < 7; i++)
                w[i] = strlen(heads[i]);
        for (char **id = ids; rows && *id; id++) {
                json_t *rec = NULL, *st, *args;
                char created[64], status[128], command[256], *cells[7];
                const char *stat, *name;
                if (engine_load(e, *id, &rec, NULL) < 0)
                        continue;
                st = json_object_get(rec, "State");
                stat = json_string_value(json_object_get(st, "Status")) ?: "";
                if (!all && !streq(stat, "running")) {
                        json_decref(rec);
                        continue;
                }
                if (quiet) {
                        printf("%.*s\n", notrunc ? 64 : 12, *id);
                        json_decref(rec);
                        continue;
                }
                human_duration(now - parse_time(json_string_value(json_object_get(rec, "Created"))), created,
                               sizeof(created));
                strcat(created, " ago");
                if (streq(stat, "running")) {
                        char d[64];
                        human_duration(now - parse_time(json_string_value(json_object_get(st, "StartedAt"))), d,
                                       sizeof(d));
                        snprintf(status, sizeof(status), "Up %s", d);
                } else if (streq(stat, "exited")) {
                        char d[64];
                        human_duration(now - parse_time(json_string_value(json_object_get(st, "FinishedAt"))), d,
                                       sizeof(d));
                        snprintf(status, sizeof(status), "Exited (%lld) %s ago",
                                 (long long)json_integer_value(json_object_get(st, "ExitCode")), d);
                } else
                        snprintf(status, sizeof(status), "Created");
                snprintf(command, sizeof(command), "%s", json_string_value(json_object_get(rec, "Path")) ?: "");
                args = json_object_get(rec, "Args");
                for (size_t k = 0; k < json_array_size(args); k++) {
                        size_t l = strlen(command);
                        snprintf(command + l, sizeof(command) - l, " %s", json_string_value(json_array_get(args, k)));
                }
                if (!notrunc && strlen(command) > 20)
                        strcpy(command + 19, "…");
                name = json_string_value(json_object_get(rec, "Name")) ?: "";
                cells[0] = strndup(*id, notrunc ? 64 : 12);
                cells[1] = strdup(json_string_value(json_object_get(json_object_get(rec, "Config"), "Image")) ?: "");
                if (asprintf(&cells[2], "\"%s\"", command) < 0)
                        cells[2] = NULL;
                cells[3] = strdup(created);
                cells[4] = strdup(status);
                cells[5] = strdup("");
                cells[6] = strdup(name[0] == '/' ? name + 1 : name);
                rows[nrows] = calloc(8, sizeof(char *));
                for (size_t k = 0; k < 7; k++) {
                        if (rows[nrows])
                                rows[nrows][k] = cells[k] ? cells[k] : strdup("");
                        /* display width: "…" is 3 bytes, one column */
                        if (cells[k] && strlen(cells[k]) - (strstr(cells[k], "…") ? 2 : 0) > w[k])
                                w[k] = strlen(cells[k]) - (strstr(cells[k], "…") ? 2 : 0);
                }
                nrows++;
                json_decref(rec);
        }
        if (!quiet) {
                for (size_t k = 0; k < 6; k++)
                        printf("%-*s   ", (int)w[k], heads[k]);
                printf("%s\n", heads[6]);
                for (size_t i = 0; i < nrows; i++) {
                        for (size_t k = 0; k < 7; k++) {
                                const char *cell = rows[i][k];
                                int pad = (int)w[k] + (strstr(cell, "…") ? 2 : 0);
                                if (k == 6)
                                        printf("%s\n", cell);
                                else
                                        printf("%-*s   ", pad, cell);
                        }
                        strv_free(rows[i]);
                }
        }
        free(rows);
        return 0;
}

/* ---- logs ---- */

static void print_log_line(const char *line, bool timestamps)
{
        json_t *o = json_loads(line, 0, NULL);
        const char *log = json_string_value(json_object_get(o, "log")),
                   *stream = json_string_value(json_object_get(o, "stream"));
        FILE *f = stream && streq(stream, "stderr") ? stderr : stdout;

        if (log) {
                if (timestamps)
                        fprintf(f, "%s ", json_string_value(json_object_get(o, "time")) ?: "");
                fputs(log, f);
                fflush(f);
        }
        json_decref(o);
}

int cmd_logs(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "follow", no_argument, NULL, 'f' },
                                            { "tail", required_argument, NULL, 'n' },
                                            { "timestamps", no_argument, NULL, 't' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL, *path = NULL, *line = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_strv_ char **lines = NULL;
        bool follow = false, ts = false;
        long tail = -1;
        size_t n = 0, count;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "fn:t", lo, c) switch (c)
        {
        case 'f': follow = true; break;
        case 't': ts = true; break;
        case 'n':
                if (!streq(optarg, "all")) {
                        int t;
                        if (parse_int(optarg, &t) < 0) {
                                fprintf(stderr, "invalid argument \"%s\" for \"-n, --tail\" flag\n", optarg);
                                return EXIT_USAGE;
                        }
                        tail = t;
                }
                break;
        }
        if (optind + 1 != argc)
                return cli_args_error(cmd, "exactly 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (open_engine(&s, &e, &err) < 0 || engine_lookup(e, argv[optind], &id, &err) < 0)
                return fail125(err) ? 1 : 1;
        path = engine_log_path(e, id);
        f = path ? fopen(path, "re") : NULL;
        if (f) {
                while (getline(&line, &n, f) > 0)
                        strv_push(&lines, line);
        }
        count = strv_length(lines);
        for (size_t i = tail >= 0 && (size_t)tail < count ? count - (size_t)tail : 0; i < count; i++)
                print_log_line(lines[i], ts);
        while (follow) {
                bool alive = engine_monitor_alive(e, id);
                if (!f)
                        f = path ? fopen(path, "re") : NULL;
                while (f && getline(&line, &n, f) > 0)
                        print_log_line(line, ts);
                if (f)
                        clearerr(f);
                if (!alive)
                        break;
                usleep(50000);
        }
        return 0;
}
