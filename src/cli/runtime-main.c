/* husk-runtime: the OCI runtime command line, runc's flags.
 *
 * Flags follow runc's (urfave/cli): global flags before the command, command
 * flags after it, both `--flag value` and `--flag=value`, single-dash long
 * forms (`-root`), and option parsing stops at the first positional
 * argument (so `exec ID sh -c ...` passes `-c` to sh). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "config.h"
#include "lib/log.h"
#include "lib/util.h"
#include "oci/state.h"
#include "runtime/runtime.h"

static const char *arg_root;
static const char *arg_log;
static bool arg_log_json;
static bool arg_debug;
static CgroupManager arg_cgroup_manager = CGROUP_MANAGER_CGROUPFS;
static bool arg_rootless;

static void warn(const char *msg)
{
        log_warning("%s", msg);
}

static RuntimeOpts runtime_opts(void)
{
        return (RuntimeOpts){
                .root = arg_root, .cgroup_manager = arg_cgroup_manager, .rootless = arg_rootless, .warn = warn
        };
}

/* Print the error once: to the log file (JSON when asked, podman and
 * containerd read the last error line there) and to stderr. */
static int fail(Error *err)
{
        const char *msg = err && err->msg ? err->msg : "unknown error";

        if (log_to_file())
                log_error("%s", msg);
        fprintf(stderr, "husk-runtime: %s\n", msg);
        return 1;
}

static int fail_usage(const char *fmt, ...) _printf_(1, 2);
static int fail_usage(const char *fmt, ...)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *m = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0)
                m = NULL;
        va_end(ap);
        error_setx(&err, EINVAL, "%s", m ? m : "usage error");
        fail(err);
        return 1;
}

static const char *usage_text = "usage: husk-runtime [global options] COMMAND [options] [ID] [args]\n"
                                "\n"
                                "An OCI runtime with runc's command line.\n"
                                "\n"
                                "Commands:\n"
                                "  spec       write a default config.json\n"
                                "  create     create a container (its process waits for start)\n"
                                "  start      start a created container\n"
                                "  run        create, start and wait for a container\n"
                                "  state      print the OCI state of a container\n"
                                "  kill       send a signal to the container's init (or all with --all)\n"
                                "  delete     delete a stopped container (--force kills it first)\n"
                                "  list       list containers\n"
                                "  ps         list the processes of a container\n"
                                "  exec       run a process in a running container\n"
                                "  pause      freeze all processes of a container\n"
                                "  resume     thaw a paused container\n"
                                "  update     change a container's resource limits\n"
                                "  events     print container statistics\n"
                                "  features   print the OCI features document\n"
                                "\n"
                                "Global options:\n"
                                "  --root DIR              state directory (default /run/husk-runtime)\n"
                                "  --log FILE              log file\n"
                                "  --log-format text|json  log format\n"
                                "  --debug                 debug logging\n"
                                "  --systemd-cgroup        cgroups as transient systemd scopes (cgroupsPath\n"
                                "                          slice:prefix:name, default system.slice:husk:ID)\n"
                                "  --cgroup-manager M      cgroupfs, systemd or disabled\n"
                                "  --rootless true|false|auto\n"
                                "  --version, -v           print the version\n"
                                "  --help, -h              this text\n";

/* ---- option parsing ---- */

#define OPT_END                  \
        {                        \
                NULL, 0, NULL, 0 \
        }

static int parse_opts(int argc, char **argv, const char *shortopts, const struct option *longopts,
                      int (*handle)(int c, const char *arg, void *data), void *data, const char *cmd)
{
        _cleanup_free_ char *so = NULL;
        int c, idx;

        /* --help for every command, listing its flags. */
        for (int k = 1; !streq(cmd, "husk-runtime") && k < argc && argv[k][0] == '-'; k++) {
                if (streq(argv[k], "--help") || streq(argv[k], "-help") || streq(argv[k], "-h")) {
                        printf("usage: husk-runtime %s [flags]%s\n\nflags:\n", cmd,
                               streq(cmd, "husk-runtime") ? "" : " [ID] [args]");
                        for (const struct option *lo = longopts; lo->name; lo++)
                                printf("  --%s%s\n", lo->name, lo->has_arg == required_argument ? " VALUE" : "");
                        exit(0);
                }
                if (streq(argv[k], "--"))
                        break;
        }
        if (asprintf(&so, "+:%s", shortopts) < 0)
                return -ENOMEM;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long_only(argc, argv, so, longopts, &idx)) != -1) {
                int r;

                if (c == '?') {
                        if (optopt)
                                return fail_usage("%s: unknown flag -%c", cmd, optopt), -EINVAL;
                        return fail_usage("%s: unknown flag %s", cmd, argv[optind - 1]), -EINVAL;
                }
                if (c == ':')
                        return fail_usage("%s: flag %s needs a value", cmd, argv[optind - 1]), -EINVAL;
                r = handle(c, optarg, data);
                if (r < 0)
                        return r;
        }
        return optind;
}

static int parse_bool(const char *s, bool *ret)
{
        if (!s || streq(s, "true") || streq(s, "1")) {
                *ret = true;
                return 0;
        }
        if (streq(s, "false") || streq(s, "0")) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

/* "1g", "512m", "1024k", "100" (bytes), "-1" (unlimited). */
static int parse_size(const char *s, int64_t *ret)
{
        char *end = NULL;
        double v;
        int64_t mult = 1;

        if (streq(s, "-1")) {
                *ret = -1;
                return 0;
        }
        errno = 0;
        v = strtod(s, &end);
        if (errno || end == s || v < 0)
                return -EINVAL;
        switch (*end) {
        case 'k':
        case 'K':
                mult = 1024;
                end++;
                break;
        case 'm':
        case 'M':
                mult = 1024 * 1024;
                end++;
                break;
        case 'g':
        case 'G':
                mult = 1024LL * 1024 * 1024;
                end++;
                break;
        case 't':
        case 'T':
                mult = 1024LL * 1024 * 1024 * 1024;
                end++;
                break;
        default: break;
        }
        if (*end == 'b' || *end == 'B')
                end++;
        if (*end)
                return -EINVAL;
        *ret = (int64_t)(v * (double)mult);
        return 0;
}

/* ---- spec ---- */

struct spec_args {
        bool rootless;
        const char *bundle;
};

static int spec_opt(int c, const char *arg, void *d)
{
        struct spec_args *a = d;
        if (c == 'r')
                a->rootless = true;
        else if (c == 'b')
                a->bundle = arg;
        return 0;
}

static int cmd_spec(int argc, char **argv)
{
        static const struct option lo[] = { { "rootless", no_argument, NULL, 'r' },
                                            { "bundle", required_argument, NULL, 'b' },
                                            OPT_END };
        struct spec_args a = { 0 };
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *json = NULL, *path = NULL;
        struct stat st;
        int i = parse_opts(argc, argv, "b:", lo, spec_opt, &a, "spec");

        if (i < 0)
                return 1;
        if (asprintf(&path, "%s/config.json", a.bundle ? a.bundle : ".") < 0)
                return 1;
        if (stat(path, &st) == 0) {
                error_setx(&err, EEXIST, "File %s exists. Remove it first", path);
                return fail(err);
        }
        json = spec_default_json(a.rootless, geteuid(), getegid());
        if (!json || write_file_atomic(path, json, strlen(json), 0644, &err) < 0) {
                if (!err)
                        error_set(&err, ENOMEM, "spec");
                return fail(err);
        }
        return 0;
}

/* ---- create / run ---- */

struct create_args {
        CreateOpts c;
        bool detach, keep;
};

/* The lowest fd >= 3 that was not open when we started. */
static int first_free_fd = -1;

/* --preserve-fds N passes fds 3 .. 3+N-1 into the container: each must be
 * open (inherited from our caller). A hole would be filled by an fd of our
 * own (the state directory, our end of a socket) and hand it to the
 * container. */
static int parse_preserve_fds(const char *arg, int *ret)
{
        if (parse_int(arg, ret) < 0 || *ret < 0)
                return fail_usage("--preserve-fds: not a number: %s", arg), -EINVAL;
        if (*ret > 0 && first_free_fd >= 0 && 3 + *ret > first_free_fd)
                return fail_usage("--preserve-fds %d: fd %d is not open (fds 3 to %d must all be)", *ret, first_free_fd,
                                  2 + *ret),
                       -EBADF;
        return 0;
}

static int create_opt(int c, const char *arg, void *d)
{
        struct create_args *a = d;

        switch (c) {
        case 'b': a->c.bundle = arg; break;
        case 'C': a->c.console_socket = arg; break;
        case 'P': a->c.pid_file = arg; break;
        case 'n': a->c.no_pivot = true; break;
        case 'k': a->c.no_new_keyring = true; break;
        case 'f': return parse_preserve_fds(arg, &a->c.preserve_fds);
        case 'd': a->detach = true; break;
        case 'K': a->keep = true; break;
        default: break;
        }
        return 0;
}

static const struct option create_lo[] = {
        { "bundle", required_argument, NULL, 'b' },   { "console-socket", required_argument, NULL, 'C' },
        { "pid-file", required_argument, NULL, 'P' }, { "no-pivot", no_argument, NULL, 'n' },
        { "no-new-keyring", no_argument, NULL, 'k' }, { "preserve-fds", required_argument, NULL, 'f' },
        { "detach", no_argument, NULL, 'd' },         { "keep", no_argument, NULL, 'K' },
        { "no-subreaper", no_argument, NULL, 'S' },   OPT_END,
};

static int need_id(int argc, char **argv, int i, const char *cmd, const char **ret)
{
        if (i >= argc) {
                fail_usage("%s: a container id is required", cmd);
                return -EINVAL;
        }
        *ret = argv[i];
        return 0;
}

static int cmd_create(int argc, char **argv)
{
        struct create_args a = { 0 };
        _cleanup_error_ Error *err = NULL;
        RuntimeOpts o = runtime_opts();
        const char *id;
        int i = parse_opts(argc, argv, "b:d", create_lo, create_opt, &a, "create");

        if (i < 0 || need_id(argc, argv, i, "create", &id) < 0)
                return 1;
        if (runtime_create(&o, id, &a.c, NULL, NULL, NULL, &err) < 0)
                return fail(err);
        return 0;
}

static int cmd_run(int argc, char **argv)
{
        struct create_args a = { 0 };
        _cleanup_error_ Error *err = NULL;
        RuntimeOpts o = runtime_opts();
        _cleanup_close_ int console = -EBADF;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_cgroup_ Cgroup *cg = NULL;
        const char *id;
        pid_t pid;
        int status, i = parse_opts(argc, argv, "b:d", create_lo, create_opt, &a, "run");

        if (i < 0 || need_id(argc, argv, i, "run", &id) < 0)
                return 1;
        /* create and start in one: the init execs as soon as it is set up. */
        a.c.start = true;
        if (!a.detach && !a.keep)
                a.c.ret_cgroup = &cg;
        if (runtime_create(&o, id, &a.c, &pid, a.detach ? NULL : &console, &spec, &err) < 0)
                return fail(err);
        if (a.detach)
                return 0;
        status = runtime_wait_forward(pid, console, &err);
        if (!a.keep) {
                _cleanup_error_ Error *e2 = NULL;
                if (runtime_delete_run(&o, id, TAKE_PTR(cg), spec, &e2) < 0)
                        fail(e2);
        }
        return status;
}

/* ---- simple commands on one id ---- */

static int no_opt(int c, const char *arg, void *d)
{
        return 0;
}

static int cmd_start(int argc, char **argv)
{
        static const struct option lo[] = { OPT_END };
        _cleanup_error_ Error *err = NULL;
        RuntimeOpts o = runtime_opts();
        const char *id;
        int i = parse_opts(argc, argv, "", lo, no_opt, NULL, "start");

        if (i < 0 || need_id(argc, argv, i, "start", &id) < 0)
                return 1;
        if (runtime_start(&o, id, NULL, &err) < 0)
                return fail(err);
        return 0;
}

static int cmd_state(int argc, char **argv)
{
        static const struct option lo[] = { OPT_END };
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *json = NULL;
        RuntimeOpts o = runtime_opts();
        const char *id;
        int i = parse_opts(argc, argv, "", lo, no_opt, NULL, "state");

        if (i < 0 || need_id(argc, argv, i, "state", &id) < 0)
                return 1;
        if (runtime_state(&o, id, &json, &err) < 0)
                return fail(err);
        puts(json);
        return 0;
}

static int bool_opt(int c, const char *arg, void *d)
{
        *(bool *)d = true;
        return 0;
}

static int cmd_kill(int argc, char **argv)
{
        static const struct option lo[] = { { "all", no_argument, NULL, 'a' }, OPT_END };
        _cleanup_error_ Error *err = NULL;
        RuntimeOpts o = runtime_opts();
        bool all = false;
        const char *id;
        int sig = SIGTERM, i = parse_opts(argc, argv, "a", lo, bool_opt, &all, "kill");

        if (i < 0 || need_id(argc, argv, i, "kill", &id) < 0)
                return 1;
        if (i + 1 < argc) {
                sig = signal_from_string(argv[i + 1]);
                if (sig < 0)
                        return fail_usage("kill: unknown signal \"%s\"", argv[i + 1]);
        }
        if (runtime_kill(&o, id, sig, all, &err) < 0)
                return fail(err);
        return 0;
}

static int cmd_delete(int argc, char **argv)
{
        static const struct option lo[] = { { "force", no_argument, NULL, 'f' }, OPT_END };
        _cleanup_error_ Error *err = NULL;
        RuntimeOpts o = runtime_opts();
        bool force = false;
        const char *id;
        int i = parse_opts(argc, argv, "f", lo, bool_opt, &force, "delete");

        if (i < 0 || need_id(argc, argv, i, "delete", &id) < 0)
                return 1;
        if (runtime_delete(&o, id, force, NULL, &err) < 0)
                return fail(err);
        return 0;
}

static int cmd_pause(int argc, char **argv)
{
        static const struct option lo[] = { OPT_END };
        _cleanup_error_ Error *err = NULL;
        RuntimeOpts o = runtime_opts();
        const char *id;
        bool resume = streq(argv[0], "resume");
        int i = parse_opts(argc, argv, "", lo, no_opt, NULL, argv[0]);

        if (i < 0 || need_id(argc, argv, i, argv[0], &id) < 0)
                return 1;
        if ((resume ? runtime_resume(&o, id, &err) : runtime_pause(&o, id, &err)) < 0)
                return fail(err);
        return 0;
}

/* ---- list / ps ---- */

struct fmt_args {
        const char *format;
        bool quiet;
};

static int fmt_opt(int c, const char *arg, void *d)
{
        struct fmt_args *a = d;
        if (c == 'f')
                a->format = arg;
        else if (c == 'q')
                a->quiet = true;
        return 0;
}

static int cmd_list(int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
                                            { "quiet", no_argument, NULL, 'q' },
                                            OPT_END };
        _cleanup_error_ Error *err = NULL;
        struct fmt_args a = { .format = "table" };
        RuntimeOpts o = runtime_opts();
        ContainerRecord **recs = NULL;
        ContainerStatus *sts = NULL;
        size_t n = 0;
        int i = parse_opts(argc, argv, "f:q", lo, fmt_opt, &a, "list");

        if (i < 0)
                return 1;
        if (!streq(a.format, "table") && !streq(a.format, "json"))
                return fail_usage("list: --format must be table or json, not \"%s\"", a.format);
        if (runtime_list(&o, &recs, &sts, &n, &err) < 0)
                return fail(err);
        if (a.quiet) {
                for (size_t k = 0; k < n; k++)
                        puts(recs[k]->id);
        } else if (streq(a.format, "json")) {
                _cleanup_free_ char *json = oci_list_to_json((const ContainerRecord *const *)recs, sts, n);
                puts(json ? json : "[]");
        } else {
                printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
                for (size_t k = 0; k < n; k++)
                        printf("%-12s %-8d %-10s %-40s %-30s %s\n", recs[k]->id,
                               sts[k] == STATUS_STOPPED ? 0 : (int)recs[k]->pid, container_status_to_string(sts[k]),
                               recs[k]->bundle ? recs[k]->bundle : "", recs[k]->created ? recs[k]->created : "",
                               recs[k]->owner ? recs[k]->owner : "");
        }
        for (size_t k = 0; k < n; k++)
                container_record_free(recs[k]);
        free(recs);
        free(sts);
        return 0;
}

static bool pid_in(pid_t p, const pid_t *pids, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == p)
                        return true;
        return false;
}

static int cmd_ps(int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' }, OPT_END };
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        struct fmt_args a = { .format = "table" };
        RuntimeOpts o = runtime_opts();
        const char *id;
        size_t n = 0;
        int i = parse_opts(argc, argv, "f:", lo, fmt_opt, &a, "ps");

        if (i < 0 || need_id(argc, argv, i, "ps", &id) < 0)
                return 1;
        if (runtime_pids(&o, id, &pids, &n, &err) < 0)
                return fail(err);
        if (streq(a.format, "json")) {
                printf("[");
                for (size_t k = 0; k < n; k++)
                        printf("%s%d", k ? "," : "", (int)pids[k]);
                printf("]\n");
                return 0;
        }
        if (!streq(a.format, "table"))
                return fail_usage("ps: --format must be table or json, not \"%s\"", a.format);
        {
                /* Like runc: run ps(1) with the given options (default -ef)
                 * and keep the header and the lines of our pids. */
                _cleanup_strv_ char **av = NULL;
                _cleanup_free_ char *out = NULL;
                int pfd[2], pid_col = -1, status;
                pid_t child;

                strv_push(&av, "ps");
                if (i + 1 < argc)
                        for (int k = i + 1; k < argc; k++)
                                strv_push(&av, argv[k]);
                else
                        strv_push(&av, "-ef");
                if (pipe2(pfd, O_CLOEXEC) < 0)
                        return 1;
                child = fork();
                if (child == 0) {
                        dup2(pfd[1], 1);
                        execvp("ps", av);
                        _exit(127);
                }
                close(pfd[1]);
                if (read_full_fd(pfd[0], &out, NULL, &err) < 0) {
                        close(pfd[0]);
                        return fail(err);
                }
                close(pfd[0]);
                waitpid(child, &status, 0);
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                        error_setx(&err, EIO, "ps failed: %s", out);
                        return fail(err);
                }
                {
                        char *save = NULL, *line = strtok_r(out, "\n", &save);
                        if (!line)
                                return 0;
                        {
                                _cleanup_free_ char *h = strdup(line);
                                char *s2 = NULL;
                                int col = 0;
                                for (char *t = strtok_r(h, " \t", &s2); t; t = strtok_r(NULL, " \t", &s2), col++)
                                        if (streq(t, "PID"))
                                                pid_col = col;
                        }
                        if (pid_col < 0) {
                                error_setx(&err, EINVAL, "ps output has no PID column");
                                return fail(err);
                        }
                        puts(line);
                        while ((line = strtok_r(NULL, "\n", &save))) {
                                _cleanup_free_ char *l = strdup(line);
                                char *s2 = NULL, *t = strtok_r(l, " \t", &s2);
                                int p;
                                for (int col = 0; t && col < pid_col; col++)
                                        t = strtok_r(NULL, " \t", &s2);
                                if (t && parse_int(t, &p) == 0 && pid_in(p, pids, n))
                                        puts(line);
                        }
                }
        }
        return 0;
}

/* ---- exec ---- */

struct exec_args {
        const char *process_file, *console_socket, *pid_file, *cwd, *user;
        char **env, **caps, **gids;
        bool tty, detach, no_new_privs;
        int preserve_fds;
};

static int exec_opt(int c, const char *arg, void *d)
{
        struct exec_args *a = d;

        switch (c) {
        case 'p': a->process_file = arg; break;
        case 'C': a->console_socket = arg; break;
        case 'P': a->pid_file = arg; break;
        case 'w': a->cwd = arg; break;
        case 'u': a->user = arg; break;
        case 'e': strv_push(&a->env, arg); break;
        case 'c': strv_push(&a->caps, arg); break;
        case 'g': strv_push(&a->gids, arg); break;
        case 't': a->tty = true; break;
        case 'd': a->detach = true; break;
        case 'N': a->no_new_privs = true; break;
        case 'f': return parse_preserve_fds(arg, &a->preserve_fds);
        default: break;
        }
        return 0;
}

static int env_set(SpecProcess *p, const char *kv)
{
        const char *eq = strchr(kv, '=');
        size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);

        for (size_t i = 0; i < p->n_env; i++)
                if (strncmp(p->env[i], kv, klen) == 0 && p->env[i][klen] == '=') {
                        char *n = strdup(kv);
                        if (!n)
                                return -ENOMEM;
                        free(p->env[i]);
                        p->env[i] = n;
                        return 0;
                }
        if (strv_push(&p->env, kv) < 0)
                return -ENOMEM;
        p->n_env++;
        return 0;
}

static int cmd_exec(int argc, char **argv)
{
        static const struct option lo[] = {
                { "process", required_argument, NULL, 'p' },
                { "console-socket", required_argument, NULL, 'C' },
                { "pid-file", required_argument, NULL, 'P' },
                { "cwd", required_argument, NULL, 'w' },
                { "user", required_argument, NULL, 'u' },
                { "env", required_argument, NULL, 'e' },
                { "cap", required_argument, NULL, 'c' },
                { "additional-gids", required_argument, NULL, 'g' },
                { "tty", no_argument, NULL, 't' },
                { "detach", no_argument, NULL, 'd' },
                { "no-new-privs", no_argument, NULL, 'N' },
                { "preserve-fds", required_argument, NULL, 'f' },
                { "process-label", required_argument, NULL, 'L' },
                { "apparmor", required_argument, NULL, 'A' },
                { "ignore-paused", no_argument, NULL, 'I' },
                { "cgroup", required_argument, NULL, 'G' },
                OPT_END,
        };
        _cleanup_error_ Error *err = NULL;
        struct exec_args a = { 0 };
        RuntimeOpts o = runtime_opts();
        SpecProcess *proc = NULL;
        ExecOpts e = { 0 };
        const char *id;
        int status = 1, r, i = parse_opts(argc, argv, "p:e:u:w:c:g:tdf:", lo, exec_opt, &a, "exec");

        if (i < 0 || need_id(argc, argv, i, "exec", &id) < 0)
                goto out;
        if (a.process_file) {
                _cleanup_free_ char *text = NULL;
                size_t len;

                if (read_full_file(a.process_file, &text, &len, &err) < 0 ||
                    spec_parse_process(text, len, a.process_file, &proc, &err) < 0) {
                        status = fail(err);
                        goto out;
                }
        } else {
                _cleanup_spec_ Spec *spec = NULL;

                if (i + 1 >= argc) {
                        status = fail_usage("exec: a command is required (or --process)");
                        goto out;
                }
                if (runtime_load_spec(&o, id, &spec, &err) < 0) {
                        status = fail(err);
                        goto out;
                }
                /* Start from the container's process: env, user, caps,
                 * rlimits; then apply the flags. */
                proc = calloc(1, sizeof(*proc));
                if (!proc)
                        goto out;
                *proc = spec->process;
                memset(&spec->process, 0, sizeof(spec->process));
                spec->has_process = false;
                strv_free(proc->args);
                proc->args = strv_copy(argv + i + 1);
                proc->n_args = strv_length(proc->args);
                proc->terminal = false;
                proc->has_console_size = false;
        }
        if (a.tty)
                proc->terminal = true;
        if (a.cwd) {
                free(proc->cwd);
                proc->cwd = strdup(a.cwd);
        }
        for (char **kv = a.env; kv && *kv; kv++)
                if (env_set(proc, *kv) < 0)
                        goto out;
        if (a.user) {
                _cleanup_free_ char *u = strdup(a.user);
                char *colon = u ? strchr(u, ':') : NULL;
                uint32_t uid, gid = 0;

                if (colon)
                        *colon = '\0';
                /* Numbers only, each a valid id: a name, junk or (uid_t)-1
                 * must not leave the process root. */
                if (!u || parse_id(u, &uid) < 0 || (colon && parse_id(colon + 1, &gid) < 0)) {
                        status = fail_usage("exec: --user must be UID[:GID], each 0 to 4294967294, not \"%s\"", a.user);
                        goto out;
                }
                proc->user.uid = uid;
                if (colon)
                        proc->user.gid = gid;
        }
        for (char **g = a.gids; g && *g; g++) {
                uint32_t v;
                gid_t *ng;
                if (parse_id(*g, &v) < 0) {
                        status = fail_usage("exec: --additional-gids: not a gid (0 to 4294967294): %s", *g);
                        goto out;
                }
                ng = realloc(proc->user.additional_gids, (proc->user.n_additional_gids + 1) * sizeof(gid_t));
                if (!ng)
                        goto out;
                ng[proc->user.n_additional_gids++] = (gid_t)v;
                proc->user.additional_gids = ng;
        }
        for (char **c = a.caps; c && *c; c++) {
                SpecCapabilities *cs = &proc->capabilities;
                proc->has_capabilities = true;
                strv_push(&cs->bounding, *c);
                strv_push(&cs->effective, *c);
                strv_push(&cs->permitted, *c);
                if (cs->ambient)
                        strv_push(&cs->ambient, *c);
        }
        if (a.no_new_privs)
                proc->no_new_privileges = true;

        e.process = proc;
        e.console_socket = a.console_socket;
        e.pid_file = a.pid_file;
        e.detach = a.detach;
        e.preserve_fds = a.preserve_fds;
        r = runtime_exec(&o, id, &e, &status, &err);
        if (r < 0)
                status = fail(err);
out:
        if (proc)
                spec_process_free(proc);
        strv_free(a.env);
        strv_free(a.caps);
        strv_free(a.gids);
        return status;
}

/* ---- update / events / features ---- */

struct update_args {
        SpecResources res;
        const char *resources_file;
        bool bad;
};

static int update_opt(int c, const char *arg, void *d)
{
        struct update_args *a = d;
        SpecResources *r = &a->res;
        int64_t v;
        uint64_t u;

        switch (c) {
        case 'r': a->resources_file = arg; return 0;
        case 'c':
                free(r->cpu_cpus);
                r->cpu_cpus = strdup(arg);
                return 0;
        case 'M':
                free(r->cpu_mems);
                r->cpu_mems = strdup(arg);
                return 0;
        case 'm':
        case 'R':
        case 's':
        case 'K':
        case 'T':
                if (parse_size(arg, &v) < 0)
                        return fail_usage("update: invalid size \"%s\"", arg), -EINVAL;
                if (c == 'm') {
                        r->has_memory_limit = true;
                        r->memory_limit = v;
                }
                if (c == 'R') {
                        r->has_memory_reservation = true;
                        r->memory_reservation = v;
                }
                if (c == 's') {
                        r->has_memory_swap = true;
                        r->memory_swap = v;
                }
                if (c == 'K') {
                        r->has_memory_kernel = true;
                        r->memory_kernel = v;
                }
                if (c == 'T') {
                        r->has_memory_kernel_tcp = true;
                        r->memory_kernel_tcp = v;
                }
                return 0;
        case 'q':
        case 'p':
                if (parse_i64(arg, &v) < 0)
                        return fail_usage("update: invalid number \"%s\"", arg), -EINVAL;
                if (c == 'q') {
                        r->has_cpu_quota = true;
                        r->cpu_quota = v;
                }
                if (c == 'p') {
                        r->has_pids_limit = true;
                        r->pids_limit = v;
                }
                return 0;
        case 'P':
        case 'S':
        case 'b':
        case 'E':
        case 'U':
                if (parse_u64(arg, &u) < 0)
                        return fail_usage("update: invalid number \"%s\"", arg), -EINVAL;
                if (c == 'P') {
                        r->has_cpu_period = true;
                        r->cpu_period = u;
                }
                if (c == 'S') {
                        r->has_cpu_shares = true;
                        r->cpu_shares = u;
                }
                if (c == 'b') {
                        r->has_blkio_weight = true;
                        r->blkio_weight = (uint16_t)u;
                }
                if (c == 'E') {
                        r->has_cpu_realtime_period = true;
                        r->cpu_realtime_period = u;
                }
                if (c == 'U') {
                        r->has_cpu_realtime_runtime = true;
                        r->cpu_realtime_runtime = (int64_t)u;
                }
                return 0;
        default: return 0;
        }
}

static void resources_clear(SpecResources *r)
{
        free(r->cpu_cpus);
        free(r->cpu_mems);
}

static int cmd_update(int argc, char **argv)
{
        static const struct option lo[] = {
                { "resources", required_argument, NULL, 'r' },
                { "memory", required_argument, NULL, 'm' },
                { "memory-reservation", required_argument, NULL, 'R' },
                { "memory-swap", required_argument, NULL, 's' },
                { "kernel-memory", required_argument, NULL, 'K' },
                { "kernel-memory-tcp", required_argument, NULL, 'T' },
                { "cpu-quota", required_argument, NULL, 'q' },
                { "cpu-period", required_argument, NULL, 'P' },
                { "cpu-shares", required_argument, NULL, 'S' },
                { "cpu-rt-period", required_argument, NULL, 'E' },
                { "cpu-rt-runtime", required_argument, NULL, 'U' },
                { "cpuset-cpus", required_argument, NULL, 'c' },
                { "cpuset-mems", required_argument, NULL, 'M' },
                { "pids-limit", required_argument, NULL, 'p' },
                { "blkio-weight", required_argument, NULL, 'b' },
                OPT_END,
        };
        _cleanup_error_ Error *err = NULL;
        struct update_args a = { 0 };
        RuntimeOpts o = runtime_opts();
        SpecResources *from_file = NULL;
        const char *id;
        int status = 0, i = parse_opts(argc, argv, "r:", lo, update_opt, &a, "update");

        if (i < 0 || need_id(argc, argv, i, "update", &id) < 0) {
                resources_clear(&a.res);
                return 1;
        }
        if (a.resources_file) {
                _cleanup_free_ char *text = NULL;
                size_t len;
                int r = streq(a.resources_file, "-") ? read_full_fd(STDIN_FILENO, &text, &len, &err)
                                                     : read_full_file(a.resources_file, &text, &len, &err);
                if (r < 0 ||
                    spec_parse_resources(text, len, streq(a.resources_file, "-") ? "<stdin>" : a.resources_file,
                                         &from_file, &err) < 0) {
                        resources_clear(&a.res);
                        return fail(err);
                }
        }
        if (runtime_update(&o, id, from_file ? from_file : &a.res, &err) < 0)
                status = fail(err);
        if (from_file)
                spec_resources_free(from_file);
        resources_clear(&a.res);
        return status;
}

struct events_args {
        bool stats;
        uint64_t interval_ms;
};

static int events_opt(int c, const char *arg, void *d)
{
        struct events_args *a = d;
        int64_t ns;

        if (c == 's')
                a->stats = true;
        else if (c == 'i') {
                /* A Go duration, as runc's flag takes: "5s", "500ms", "1m". */
                if (parse_duration(arg, &ns) < 0)
                        return fail_usage("events: invalid --interval \"%s\": want a duration such as 5s, 500ms "
                                          "or 1m",
                                          arg),
                               -EINVAL;
                if (ns < 1000000)
                        return fail_usage("events: --interval must be at least 1ms, not \"%s\"", arg), -EINVAL;
                a->interval_ms = (uint64_t)ns / 1000000u;
        }
        return 0;
}

/* One event a line, as runc's JSON encoder writes them: {"type","id"}
 * and, for statistics, "data". Container ids need no escaping
 * (runtime_id_valid()). */
static int print_event(RuntimeEventType type, const char *data, void *userdata)
{
        const char *id = userdata;

        if (type == RUNTIME_EVENT_OOM)
                printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
        else
                printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
        /* A reader that went away ends the stream. */
        return fflush(stdout) == 0 ? 0 : -errno;
}

static int cmd_events(int argc, char **argv)
{
        static const struct option lo[] = { { "stats", no_argument, NULL, 's' },
                                            { "interval", required_argument, NULL, 'i' },
                                            OPT_END };
        _cleanup_error_ Error *err = NULL;
        struct events_args a = { .interval_ms = 5000 };
        RuntimeOpts o = runtime_opts();
        const char *id;
        int i = parse_opts(argc, argv, "", lo, events_opt, &a, "events");

        if (i < 0 || need_id(argc, argv, i, "events", &id) < 0)
                return 1;
        if (a.stats) {
                _cleanup_free_ char *data = NULL;

                if (runtime_stats_json(&o, id, &data, &err) < 0)
                        return fail(err);
                return print_event(RUNTIME_EVENT_STATS, data, (void *)id) < 0;
        }
        if (runtime_events(&o, id, a.interval_ms, print_event, (void *)id, &err) < 0)
                return fail(err);
        return 0;
}

static int cmd_features(int argc, char **argv)
{
        _cleanup_free_ char *json = features_json();

        if (!json)
                return 1;
        puts(json);
        return 0;
}

static void print_version(void)
{
        const struct scmp_version *v = seccomp_version();

        printf("husk-runtime version %s\n", HUSK_VERSION);
        printf("commit: %s\n", HUSK_COMMIT);
        printf("spec: %s\n", SPEC_VERSION);
        if (v)
                printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

/* ---- main ---- */

static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
} commands[] = {
        { "spec", cmd_spec },     { "create", cmd_create }, { "start", cmd_start },       { "run", cmd_run },
        { "state", cmd_state },   { "kill", cmd_kill },     { "delete", cmd_delete },     { "list", cmd_list },
        { "ps", cmd_ps },         { "exec", cmd_exec },     { "pause", cmd_pause },       { "resume", cmd_pause },
        { "update", cmd_update }, { "events", cmd_events }, { "features", cmd_features },
};

static int global_opt(int c, const char *arg, void *d)
{
        bool b;

        switch (c) {
        case 'R': arg_root = arg; break;
        case 'l': arg_log = arg; break;
        case 'F':
                if (!streq(arg, "json") && !streq(arg, "text"))
                        return fail_usage("--log-format must be text or json, not \"%s\"", arg), -EINVAL;
                arg_log_json = streq(arg, "json");
                break;
        case 'D': arg_debug = true; break;
        case 's': arg_cgroup_manager = CGROUP_MANAGER_SYSTEMD; break;
        case 'm':
                if (streq(arg, "cgroupfs"))
                        arg_cgroup_manager = CGROUP_MANAGER_CGROUPFS;
                else if (streq(arg, "systemd"))
                        arg_cgroup_manager = CGROUP_MANAGER_SYSTEMD;
                else if (streq(arg, "disabled"))
                        arg_cgroup_manager = CGROUP_MANAGER_DISABLED;
                else
                        return fail_usage("--cgroup-manager must be cgroupfs, systemd or disabled, not \"%s\"", arg),
                               -EINVAL;
                break;
        case 'r':
                if (arg && streq(arg, "auto"))
                        arg_rootless = geteuid() != 0 || !running_in_init_userns();
                else if (parse_bool(arg, &b) < 0)
                        return fail_usage("--rootless must be true, false or auto, not \"%s\"", arg), -EINVAL;
                else
                        arg_rootless = b;
                break;
        case 'v': print_version(); exit(0);
        case 'h': fputs(usage_text, stdout); exit(0);
        default: break;
        }
        return 0;
}

int main(int argc, char **argv)
{
        static const struct option lo[] = {
                { "root", required_argument, NULL, 'R' },
                { "log", required_argument, NULL, 'l' },
                { "log-format", required_argument, NULL, 'F' },
                { "debug", no_argument, NULL, 'D' },
                { "systemd-cgroup", no_argument, NULL, 's' },
                { "cgroup-manager", required_argument, NULL, 'm' },
                { "rootless", required_argument, NULL, 'r' },
                { "version", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "criu", required_argument, NULL, 'c' },
                OPT_END,
        };
        _cleanup_free_ char *default_root = NULL;
        int i, r;

        /* Before we open anything: which inherited fds there are. */
        first_free_fd = lowest_free_fd(3);
        /* --rootless defaults to auto, as in runc: an unprivileged caller
         * or one inside a user namespace. */
        arg_rootless = geteuid() != 0 || !running_in_init_userns();
        i = parse_opts(argc, argv, "vh", lo, global_opt, NULL, "husk-runtime");
        if (i < 0)
                return 1;
        if (arg_log && log_open(arg_log, arg_log_json, arg_debug) < 0)
                fprintf(stderr, "husk-runtime: cannot open log file %s: %s\n", arg_log, strerror(errno));
        if (!arg_root) {
                const char *env = getenv("HUSK_RUNTIME_ROOT");
                const char *xdg = getenv("XDG_RUNTIME_DIR");

                if (env && *env)
                        arg_root = env;
                else if (geteuid() != 0 && xdg && *xdg && asprintf(&default_root, "%s/husk-runtime", xdg) >= 0)
                        arg_root = default_root;
                else
                        arg_root = "/run/husk-runtime";
        }
        if (i >= argc) {
                fputs(usage_text, stderr);
                return 1;
        }
        for (size_t k = 0; k < ELEMENTSOF(commands); k++)
                if (streq(argv[i], commands[k].name)) {
                        r = commands[k].fn(argc - i, argv + i);
                        log_close();
                        return r;
                }
        return fail_usage("unknown command \"%s\" (see --help)", argv[i]);
}
