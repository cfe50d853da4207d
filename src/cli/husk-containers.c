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
#include "engine/network.h"
#include "engine/hostconfig.h"
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
        OPT_IP,
        OPT_NETWORK_ALIAS,
        OPT_HOSTNAME,
        OPT_DNS,
        OPT_DNS_SEARCH,
        OPT_DNS_OPTION,
        OPT_ADD_HOST,
        OPT_MAC_ADDRESS,
        OPT_CGROUP_PARENT,
        /* mounts */
        OPT_MOUNTS_ = 1100,
        OPT_MOUNT,
        OPT_TMPFS,
        OPT_READ_ONLY,

        /* security, namespaces, resources, labels, stop signal */
        OPT_SECURITY_ = 1200,
        OPT_CAP_ADD,
        OPT_CAP_DROP,
        OPT_PRIVILEGED,
        OPT_SECURITY_OPT,
        OPT_PID,
        OPT_IPC,
        OPT_UTS,
        OPT_MEMORY_SWAP,
        OPT_MEMORY_RESERVATION,
        OPT_CPUS,
        OPT_CPU_QUOTA,
        OPT_CPU_PERIOD,
        OPT_CPUSET_CPUS,
        OPT_CPUSET_MEMS,
        OPT_PIDS_LIMIT,
        OPT_ULIMIT,
        OPT_SYSCTL,
        OPT_DEVICE,
        OPT_OOM_KILL_DISABLE,
        OPT_OOM_SCORE_ADJ,
        OPT_SHM_SIZE,
        OPT_LABEL_FILE,
        OPT_STOP_SIGNAL,
        OPT_STOP_TIMEOUT,
        OPT_GROUP_ADD,
        OPT_SECURITY_END_,

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

/* The lists behind run's security, resource and label flags. */
typedef struct RunLists {
        char **cap_add, **cap_drop, **security_opt, **ulimits, **sysctls, **devices, **group_add, **labels;
} RunLists;

static void run_lists_free(RunLists *l)
{
        strv_free(l->cap_add);
        strv_free(l->cap_drop);
        strv_free(l->security_opt);
        strv_free(l->ulimits);
        strv_free(l->sysctls);
        strv_free(l->devices);
        strv_free(l->group_add);
        strv_free(l->labels);
}

/* Docker's message for a flag whose value is wrong; returns -1. */
static int flag_error(const char *flag, const char *value, const char *why)
{
        fprintf(stderr, "invalid argument \"%s\" for \"%s\" flag: %s\n", value, flag, why);
        return -1;
}

static int flag_i64(const char *flag, const char *value, int64_t *ret)
{
        char why[256];

        if (parse_i64(value, ret) >= 0)
                return 0;
        snprintf(why, sizeof(why), "strconv.ParseInt: parsing \"%s\": invalid syntax", value);
        return flag_error(flag, value, why);
}

static int flag_size(const char *flag, const char *value, int64_t *ret)
{
        char why[256];

        if (parse_ram_size(value, ret) >= 0)
                return 0;
        snprintf(why, sizeof(why), "invalid size: '%s'", value);
        return flag_error(flag, value, why);
}

/* --cpus: a decimal number of CPUs, to billionths. */
static int flag_cpus(const char *value, int64_t *ret)
{
        const char *p = value;
        int64_t whole = 0, frac = 0, scale = 1000000000;
        bool digits = false;

        for (; *p >= '0' && *p <= '9' && whole < 1000000000; p++, digits = true)
                whole = whole * 10 + (*p - '0');
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++, digits = true) {
                        if (scale == 1)
                                return flag_error("--cpus", value, "value is too precise");
                        scale /= 10;
                        frac += (*p - '0') * scale;
                }
        if (!digits || *p) {
                char why[256];
                snprintf(why, sizeof(why), "failed to parse %s as a rational number", value);
                return flag_error("--cpus", value, why);
        }
        *ret = whole * 1000000000 + frac;
        return 0;
}

/* --label-file: KEY=VALUE lines, blank lines and #comments skipped. */
static int read_label_file(const char *path, char ***labels)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        ssize_t l;

        if (!f) {
                fprintf(stderr, "Error: open %s: %s\n", path, strerror(errno));
                return -1;
        }
        while ((l = getline(&line, &n, f)) >= 0) {
                char *s = line;
                while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
                        s[--l] = 0;
                while (*s == ' ' || *s == '\t')
                        s++;
                if (*s && *s != '#')
                        strv_push(labels, s);
        }
        return 0;
}

/* --security-opt, with a seccomp profile FILE read here and carried as its
 * compact JSON, as Docker's CLI does. */
static int push_security_opt(const char *opt, char ***list)
{
        _cleanup_free_ char *text = NULL, *kv = NULL;
        const char *file = NULL;
        json_error_t je;
        json_t *j;

        if (strncmp(opt, "seccomp=", 8) == 0 || strncmp(opt, "seccomp:", 8) == 0)
                file = opt + 8;
        if (!file || streq(file, "unconfined") || streq(file, "builtin"))
                return strv_push(list, opt);
        if (access(file, R_OK) < 0) {
                fprintf(stderr, "Error: opening seccomp profile (%s) failed: %s\n", file, strerror(errno));
                return -1;
        }
        j = json_load_file(file, 0, &je);
        if (!j) {
                fprintf(stderr, "Error: compacting json for seccomp profile (%s) failed: %s:%d:%d: %s\n", file, file,
                        je.line, je.column, je.text);
                return -1;
        }
        text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        if (!text || asprintf(&kv, "seccomp=%s", text) < 0)
                return -1;
        return strv_push(list, kv);
}

/* One of run's security, namespace, resource, label or stop flags into o
 * and l. 0, or -1 after printing what was wrong. */
static int run_hostconfig_flag(int c, const char *arg, EngineCreateOpts *o, RunLists *l)
{
        _cleanup_error_ Error *err = NULL;
        int64_t v;

        switch (c) {
        case OPT_CAP_ADD: return strv_push(&l->cap_add, arg);
        case OPT_CAP_DROP: return strv_push(&l->cap_drop, arg);
        case OPT_PRIVILEGED: o->privileged = true; return 0;
        case OPT_SECURITY_OPT: return push_security_opt(arg, &l->security_opt);
        case OPT_PID: o->pid_mode = arg; return 0;
        case OPT_IPC: o->ipc_mode = arg; return 0;
        case OPT_UTS: o->uts_mode = arg; return 0;
        case 'm': return flag_size("-m, --memory", arg, &o->memory);
        case OPT_MEMORY_SWAP:
                if (streq(arg, "-1")) {
                        o->memory_swap = -1;
                        return 0;
                }
                return flag_size("--memory-swap", arg, &o->memory_swap);
        case OPT_MEMORY_RESERVATION: return flag_size("--memory-reservation", arg, &o->memory_reservation);
        case OPT_SHM_SIZE: return flag_size("--shm-size", arg, &o->shm_size);
        case OPT_CPUS: return flag_cpus(arg, &o->nano_cpus);
        case 'c': return flag_i64("-c, --cpu-shares", arg, &o->cpu_shares);
        case OPT_CPU_QUOTA: return flag_i64("--cpu-quota", arg, &o->cpu_quota);
        case OPT_CPU_PERIOD: return flag_i64("--cpu-period", arg, &o->cpu_period);
        case OPT_CPUSET_CPUS: o->cpuset_cpus = arg; return 0;
        case OPT_CPUSET_MEMS: o->cpuset_mems = arg; return 0;
        case OPT_PIDS_LIMIT: return flag_i64("--pids-limit", arg, &o->pids_limit);
        case OPT_ULIMIT: {
                HostUlimit u;
                if (hostconfig_parse_ulimit(arg, &u, &err) < 0)
                        return flag_error("--ulimit", arg, err->msg);
                return strv_push(&l->ulimits, arg);
        }
        case OPT_SYSCTL:
                if (hostconfig_check_sysctl(arg, &err) < 0)
                        return flag_error("--sysctl", arg, err->msg);
                return strv_push(&l->sysctls, arg);
        case OPT_DEVICE: {
                HostDevice d;
                if (hostconfig_parse_device(arg, &d, &err) < 0)
                        return flag_error("--device", arg, err->msg);
                hostconfig_device_clear(&d);
                return strv_push(&l->devices, arg);
        }
        case OPT_OOM_KILL_DISABLE: o->oom_kill_disable = true; return 0;
        case OPT_OOM_SCORE_ADJ:
                if (flag_i64("--oom-score-adj", arg, &v) < 0)
                        return -1;
                o->has_oom_score_adj = true;
                o->oom_score_adj = v < -1001 ? -1001 : v > 1001 ? 1001 : (int)v;
                return 0;
        case 'l': return strv_push(&l->labels, arg);
        case OPT_LABEL_FILE: return read_label_file(arg, &l->labels);
        case OPT_STOP_SIGNAL: o->stop_signal = arg; return 0;
        case OPT_STOP_TIMEOUT:
                if (flag_i64("--stop-timeout", arg, &v) < 0)
                        return -1;
                o->has_stop_timeout = true;
                o->stop_timeout = v < -1 ? -2 : v > 100000000 ? 100000000 : (int)v;
                return 0;
        case OPT_GROUP_ADD: return strv_push(&l->group_add, arg);
        }
        return 0;
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
                { "ip", required_argument, NULL, OPT_IP },
                { "network-alias", required_argument, NULL, OPT_NETWORK_ALIAS },
                { "net-alias", required_argument, NULL, OPT_NETWORK_ALIAS },
                { "publish", required_argument, NULL, 'p' },
                { "publish-all", no_argument, NULL, 'P' },
                { "dns", required_argument, NULL, OPT_DNS },
                { "dns-search", required_argument, NULL, OPT_DNS_SEARCH },
                { "dns-option", required_argument, NULL, OPT_DNS_OPTION },
                { "dns-opt", required_argument, NULL, OPT_DNS_OPTION },
                { "add-host", required_argument, NULL, OPT_ADD_HOST },
                { "mac-address", required_argument, NULL, OPT_MAC_ADDRESS },
                { "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
                /* mounts */
                { "mount", required_argument, NULL, OPT_MOUNT },
                { "tmpfs", required_argument, NULL, OPT_TMPFS },
                { "read-only", no_argument, NULL, OPT_READ_ONLY },

                /* security, namespaces, resources, labels, stop signal */
                { "cap-add", required_argument, NULL, OPT_CAP_ADD },
                { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
                { "privileged", no_argument, NULL, OPT_PRIVILEGED },
                { "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
                { "pid", required_argument, NULL, OPT_PID },
                { "ipc", required_argument, NULL, OPT_IPC },
                { "uts", required_argument, NULL, OPT_UTS },
                { "memory", required_argument, NULL, 'm' },
                { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
                { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
                { "cpus", required_argument, NULL, OPT_CPUS },
                { "cpu-shares", required_argument, NULL, 'c' },
                { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
                { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
                { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
                { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
                { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
                { "ulimit", required_argument, NULL, OPT_ULIMIT },
                { "sysctl", required_argument, NULL, OPT_SYSCTL },
                { "device", required_argument, NULL, OPT_DEVICE },
                { "oom-kill-disable", no_argument, NULL, OPT_OOM_KILL_DISABLE },
                { "oom-score-adj", required_argument, NULL, OPT_OOM_SCORE_ADJ },
                { "shm-size", required_argument, NULL, OPT_SHM_SIZE },
                { "label", required_argument, NULL, 'l' },
                { "label-file", required_argument, NULL, OPT_LABEL_FILE },
                { "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
                { "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
                { "group-add", required_argument, NULL, OPT_GROUP_ADD },

                /* the monitor: restart policy, --init, logging */
                { "restart", required_argument, NULL, OPT_RESTART },
                { "init", no_argument, NULL, OPT_INIT },
                { "log-driver", required_argument, NULL, OPT_LOG_DRIVER },
                { "log-opt", required_argument, NULL, OPT_LOG_OPT },

                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        _cleanup_strv_ char **env = NULL, **vols = NULL, **entry = NULL, **cmdv = NULL, **publish = NULL,
                            **mounts = NULL, **tmpfs = NULL, **log_opts = NULL, **dns = NULL, **dns_search = NULL,
                            **dns_options = NULL, **add_hosts = NULL, **aliases = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL;
        EngineCreateOpts o = { 0 };
        _cleanup_(run_lists_free) RunLists hl = { 0 };
        bool detach = false, has_entry = false;
        int c, code = 0, r;

        /* flags stop at the image name: the rest is the command */
        GETOPT_LOOP(cmd, argc, argv, "+c:de:h:il:m:p:Ptu:v:w:", lo, c) switch (c)
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
        case OPT_IP: o.ip = optarg; break;
        case OPT_NETWORK_ALIAS: strv_push(&aliases, optarg); break;
        case 'p': strv_push(&publish, optarg); break;
        case 'P': o.publish_all = true; break;
        case OPT_DNS: strv_push(&dns, optarg); break;
        case OPT_DNS_SEARCH: strv_push(&dns_search, optarg); break;
        case OPT_DNS_OPTION: strv_push(&dns_options, optarg); break;
        case OPT_ADD_HOST: strv_push(&add_hosts, optarg); break;
        case OPT_MAC_ADDRESS: o.mac_address = optarg; break;
        case OPT_CGROUP_PARENT:
                o.cgroup_parent = optarg;
                break;
                /* mounts */
        case OPT_MOUNT: strv_push(&mounts, optarg); break;
        case OPT_TMPFS: strv_push(&tmpfs, optarg); break;
        case OPT_READ_ONLY:
                o.read_only = true;
                break;

                /* security, namespaces, resources, labels, stop signal */
        case 'c':
        case 'l':
        case 'm':
        case OPT_SECURITY_ ... OPT_SECURITY_END_:
                if (run_hostconfig_flag(c, optarg, &o, &hl) < 0)
                        return EXIT_USAGE;
                break;

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
        o.cap_add = hl.cap_add, o.cap_drop = hl.cap_drop, o.security_opt = hl.security_opt, o.ulimits = hl.ulimits;
        o.sysctls = hl.sysctls, o.devices = hl.devices, o.group_add = hl.group_add, o.labels = hl.labels;
        o.publish = publish;
        o.dns = dns, o.dns_search = dns_search, o.dns_options = dns_options, o.add_hosts = add_hosts;
        o.network_aliases = aliases;
        if (hostconfig_validate(&o, &err) < 0)
                return cli_fail125(err);
        o.mounts = mounts;
        o.tmpfs = tmpfs;
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
                        (void)engine_remove_volumes(e, id, true, true, NULL);
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

typedef struct RmOpts {
        bool force, volumes;
} RmOpts;

static int do_rm(Engine *e, const char *id, void *data, Error **err)
{
        const RmOpts *o = data;

        return engine_remove_volumes(e, id, o->force, o->volumes, err);
}

int cmd_rm(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "force", no_argument, NULL, 'f' },
                                            { "volumes", no_argument, NULL, 'v' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        RmOpts o = { 0 };
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+fv", lo, c) switch (c)
        {
        case 'f': o.force = true; break;
        case 'v': o.volumes = true; break;
        }
        return for_each(cmd, argc, argv, do_rm, &o, true);
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

/* `husk __network up|down ID`: a container's network, for husk-monitor,
 * which does not link the network layer (src/engine/monitor-main.c). Not
 * a command for users: not listed. The error, if any, is one line on
 * stderr. */
int cli_network_hook(int argc, char **argv)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;

        if (argc != 3 || (!streq(argv[1], "up") && !streq(argv[1], "down"))) {
                fprintf(stderr, "usage: husk __network up|down ID\n");
                return EXIT_USAGE;
        }
        if (cli_open_engine(&s, &e, &err) < 0) {
                fprintf(stderr, "%s\n", err && err->msg ? err->msg : "open the engine");
                return 1;
        }
        if (streq(argv[1], "down")) {
                engine_network_down(e, argv[2]);
                return 0;
        }
        if (engine_network_up(e, argv[2], &err) < 0) {
                fprintf(stderr, "%s\n", err && err->msg ? err->msg : "network set-up failed");
                return 1;
        }
        return 0;
}
