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

int cli_fail125(Error *err)
{
        cli_fail(err);
        return EXIT_USAGE;
}

int cli_open_engine(Store **s, Engine **e, Error **err)
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

enum {
        OPT_RM = 1000,
        OPT_NAME,
        OPT_ENTRYPOINT,
        OPT_ENV_FILE,
        OPT_NETWORK,
        OPT_HOSTNAME,
        OPT_CGROUP_PARENT,
        /* mounts */
        OPT_MOUNTS_ = 1100,

        /* security, namespaces, resources, labels, stop signal */
        OPT_SECURITY_ = 1200,

        /* the monitor: restart policy, --init, logging */
        OPT_MONITOR_ = 1300,
        OPT_RESTART,
        OPT_INIT,
        OPT_LOG_DRIVER,
        OPT_LOG_OPT,

};

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
                /* mounts */

                /* security, namespaces, resources, labels, stop signal */

                /* the monitor: restart policy, --init, logging */
                { "restart", required_argument, NULL, OPT_RESTART },
                { "init", no_argument, NULL, OPT_INIT },
                { "log-driver", required_argument, NULL, OPT_LOG_DRIVER },
                { "log-opt", required_argument, NULL, OPT_LOG_OPT },

                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        _cleanup_strv_ char **env = NULL, **vols = NULL, **entry = NULL, **cmdv = NULL, **log_opts = NULL;
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
                        return cli_fail125(err);
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
        case OPT_CGROUP_PARENT:
                o.cgroup_parent = optarg;
                break;
                /* mounts */

                /* security, namespaces, resources, labels, stop signal */

                /* the monitor: restart policy, --init, logging */
        case OPT_RESTART: o.restart = optarg; break;
        case OPT_INIT: o.init = true; break;
        case OPT_LOG_DRIVER: o.log_driver = optarg; break;
        case OPT_LOG_OPT: strv_push(&log_opts, optarg); break;
        }
        o.log_opts = log_opts;
        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        o.image = argv[optind];
        if (optind + 1 < argc)
                cmdv = strv_copy(argv + optind + 1);
        o.cmd = cmdv;
        o.entrypoint = has_entry ? entry : NULL;
        o.env = env;
        o.volumes = vols;
        if (cli_open_engine(&s, &e, &err) < 0 || engine_create(e, &o, &id, &err) < 0)
                return cli_fail125(err);
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
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
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
        static const struct option lo[] = { { "attach", no_argument, NULL, 'a' },
                                            { "interactive", no_argument, NULL, 'i' },
                                            { "detach-keys", required_argument, NULL, 'k' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        EngineAttachOpts ao = { .sig_proxy = true };
        bool attach = false;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+ai", lo, c) switch (c)
        {
        case 'a': attach = true; break;
        case 'i': ao.stdin_ = true; break;
        case 'k': ao.detach_keys = optarg; break;
        }
        if (attach || ao.stdin_)
                return cli_start_attach(cmd, argc, argv, &ao);
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
                        return cli_fail125(err);
                break;
        case 'i': o.interactive = true; break;
        case 't': o.tty = true; break;
        case 'u': o.user = optarg; break;
        case 'w': o.workdir = optarg; break;
        }
        if (argc - optind < 2)
                return cli_args_error(cmd, "at least 2 arguments") ? EXIT_USAGE : EXIT_USAGE;
        o.argv = argv + optind + 1;
        o.env = env;
        if (cli_open_engine(&s, &e, &err) < 0 || engine_lookup(e, argv[optind], &id, &err) < 0) {
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
