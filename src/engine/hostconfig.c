/* `husk run`'s security, namespace, resource, label and stop flags:
 * Docker's checks (validate), their effect on the OCI spec (apply_spec)
 * and their record (apply_record).
 *
 * The file goes in that order: small parsers (capabilities, ulimits,
 * devices, sysctls, cpusets), the checks, then the spec, by topic
 * (capabilities and seccomp, --privileged, namespaces, /dev/shm,
 * resources, devices, process settings), then the record. */
#include "engine/hostconfig.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/network.h"
#include "lib/macros.h"
#include "lib/util.h"
#include "oci/profile.h"
#include "sandbox/lsm.h"

#define MIN_MEMORY         (6 * 1024 * 1024) /* Docker's floor for -m and --memory-reservation */
#define DEFAULT_SHM_SIZE   (64 * 1024 * 1024)
#define CPU_PERIOD_DEFAULT 100000 /* what --cpus divides (Docker's) */

/* ---- capabilities -------------------------------------------------------- */

static bool cap_known(const char *name)
{
        for (const char *const *c = spec_capabilities; *c; c++)
                if (streq(*c, name))
                        return true;
        return false;
}

/* Docker's spelling of a --cap-add/--cap-drop list: upper case, "CAP_"
 * prefixed unless "ALL", each once, in the order given. An unknown name is
 * an error naming the list (`invalid CapAdd: unknown capability: "CAP_X"`).
 * *ret NULL-terminated, NULL for an empty list. */
static int caps_normalize(char *const *in, const char *field, char ***ret, Error **ret_err)
{
        _cleanup_strv_ char **out = NULL;

        for (; in && *in; in++) {
                _cleanup_free_ char *n = NULL;
                const char *s = *in;

                while (isspace((unsigned char)*s))
                        s++;
                if (!*s)
                        continue;
                if (asprintf(&n, "%s%s", strncasecmp(s, "CAP_", 4) == 0 || strcasecmp(s, "ALL") == 0 ? "" : "CAP_", s) <
                    0)
                        return error_set(ret_err, ENOMEM, "capabilities");
                for (char *p = n; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                for (char *p = n + strlen(n); p > n && isspace((unsigned char)p[-1]); p--)
                        p[-1] = 0;
                if (!streq(n, "ALL") && !cap_known(n))
                        return error_setx(ret_err, EINVAL, "invalid %s: unknown capability: \"%s\"", field, n);
                if (!strv_contains(out, n) && strv_push(&out, n) < 0)
                        return error_set(ret_err, ENOMEM, "capabilities");
        }
        *ret = TAKE_PTR(out);
        return 0;
}

/* The effective --cap-add and --cap-drop lists, as Docker's CLI makes them:
 * "ALL" in a list stands alone, and a cap both added and dropped is added. */
static int caps_effective(const EngineCreateOpts *o, char ***ret_add, char ***ret_drop, Error **ret_err)
{
        _cleanup_strv_ char **add = NULL, **drop = NULL, **d = NULL;
        int r;

        r = caps_normalize(o->cap_add, "CapAdd", &add, ret_err);
        if (r >= 0)
                r = caps_normalize(o->cap_drop, "CapDrop", &drop, ret_err);
        if (r < 0)
                return r;
        if (strv_contains(add, "ALL")) {
                strv_free(add);
                add = NULL;
                if (strv_push(&add, "ALL") < 0)
                        return error_set(ret_err, ENOMEM, "capabilities");
        }
        if (strv_contains(drop, "ALL")) {
                strv_free(drop);
                drop = NULL;
                if (strv_push(&drop, "ALL") < 0)
                        return error_set(ret_err, ENOMEM, "capabilities");
        }
        for (char **c = drop; c && *c; c++)
                if (!strv_contains(add, *c) && strv_push(&d, *c) < 0)
                        return error_set(ret_err, ENOMEM, "capabilities");
        *ret_add = TAKE_PTR(add);
        *ret_drop = TAKE_PTR(d);
        return 0;
}

/* "All capabilities": those husk knows that this process may hand on (its
 * bounding set). Docker takes the kernel's list; a cap outside our bounding
 * set (CAP_SYS_RESOURCE on the machines here) could never be granted, and
 * asking for it would only make the container fail to start. */
static int caps_all(char ***ret)
{
        _cleanup_strv_ char **all = NULL;

        for (int i = 0; spec_capabilities[i]; i++)
                if (prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0) == 1 && strv_push(&all, spec_capabilities[i]) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(all);
        return 0;
}

/* The container's capability list from the image default `basics` and the
 * flags (Docker's TweakCapabilities). */
static int caps_final(const EngineCreateOpts *o, char *const *basics, char ***ret, Error **ret_err)
{
        _cleanup_strv_ char **add = NULL, **drop = NULL, **all = NULL, **caps = NULL;
        int r;

        if (caps_all(&all) < 0)
                return error_set(ret_err, ENOMEM, "capabilities");
        if (o->privileged) {
                *ret = TAKE_PTR(all);
                return 0;
        }
        r = caps_effective(o, &add, &drop, ret_err);
        if (r < 0)
                return r;
        if (strv_contains(add, "ALL")) {
                for (char **c = all; c && *c; c++)
                        if (!strv_contains(drop, *c) && strv_push(&caps, *c) < 0)
                                return error_set(ret_err, ENOMEM, "capabilities");
        } else {
                if (!strv_contains(drop, "ALL"))
                        for (char *const *c = basics; c && *c; c++)
                                if (!strv_contains(drop, *c) && strv_push(&caps, *c) < 0)
                                        return error_set(ret_err, ENOMEM, "capabilities");
                for (char **c = add; c && *c; c++)
                        if (!strv_contains(caps, *c) && strv_push(&caps, *c) < 0)
                                return error_set(ret_err, ENOMEM, "capabilities");
        }
        if (!caps && !(caps = calloc(1, sizeof(char *))))
                return error_set(ret_err, ENOMEM, "capabilities");
        *ret = TAKE_PTR(caps);
        return 0;
}

/* ---- ulimits, devices, sysctls, cpusets ------------------------------------ */

static const struct {
        const char *name;
        int resource;
} ulimit_names[] = {
        { "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },
        { "data", RLIMIT_DATA },         { "fsize", RLIMIT_FSIZE },
        { "locks", RLIMIT_LOCKS },       { "memlock", RLIMIT_MEMLOCK },
        { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
        { "nofile", RLIMIT_NOFILE },     { "nproc", RLIMIT_NPROC },
        { "rss", RLIMIT_RSS },           { "rtprio", RLIMIT_RTPRIO },
        { "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
        { "stack", RLIMIT_STACK },
};

int hostconfig_parse_ulimit(const char *s, HostUlimit *ret, Error **ret_err)
{
        const char *eq = strchr(s, '='), *colon;
        _cleanup_free_ char *soft = NULL, *hard = NULL;
        HostUlimit u = { 0 };

        if (!eq)
                return error_setx(ret_err, EINVAL, "invalid ulimit argument: %s", s);
        for (size_t i = 0; i < ELEMENTSOF(ulimit_names); i++)
                if (strlen(ulimit_names[i].name) == (size_t)(eq - s) &&
                    strncmp(s, ulimit_names[i].name, (size_t)(eq - s)) == 0) {
                        u.name = ulimit_names[i].name;
                        u.resource = ulimit_names[i].resource;
                }
        if (!u.name)
                return error_setx(ret_err, EINVAL, "invalid ulimit type: %.*s", (int)(eq - s), s);
        colon = strchr(eq + 1, ':');
        if (colon && strchr(colon + 1, ':'))
                return error_setx(ret_err, EINVAL,
                                  "too many limit value arguments - %s, can only have up to two, `soft[:hard]`",
                                  eq + 1);
        soft = colon ? strndup(eq + 1, (size_t)(colon - eq - 1)) : strdup(eq + 1);
        hard = colon ? strdup(colon + 1) : NULL;
        if (!soft || (colon && !hard))
                return error_set(ret_err, ENOMEM, "ulimit");
        if (parse_i64(soft, &u.soft) < 0)
                return error_setx(ret_err, EINVAL, "invalid ulimit value \"%s\" in %s: not a number", soft, s);
        u.hard = u.soft;
        if (hard && parse_i64(hard, &u.hard) < 0)
                return error_setx(ret_err, EINVAL, "invalid ulimit value \"%s\" in %s: not a number", hard, s);
        if (u.soft < -1 || u.hard < -1)
                return error_setx(ret_err, EINVAL, "invalid ulimit value in %s: -1 (unlimited) is the lowest", s);
        if (u.hard != -1 && (u.soft == -1 || u.soft > u.hard))
                return error_setx(ret_err, EINVAL,
                                  "ulimit soft limit must be less than or equal to hard limit: %s > %s", soft, hard);
        *ret = u;
        return 0;
}

void hostconfig_device_clear(HostDevice *d)
{
        free(d->host);
        free(d->container);
        free(d->perms);
        *d = (HostDevice){ 0 };
}

static bool perms_valid(const char *p)
{
        if (!*p || strlen(p) > 3)
                return false;
        for (const char *c = p; *c; c++)
                if (!strchr("rwm", *c) || strchr(c + 1, *c))
                        return false;
        return true;
}

int hostconfig_parse_device(const char *s, HostDevice *ret, Error **ret_err)
{
        _cleanup_strv_ char **parts = NULL;
        HostDevice d = { 0 };
        const char *start = s;
        size_t n;

        for (const char *p = s;; p++)
                if (*p == ':' || !*p) {
                        _cleanup_free_ char *part = strndup(start, (size_t)(p - start));
                        if (!part || strv_push(&parts, part) < 0)
                                return error_set(ret_err, ENOMEM, "device");
                        if (!*p)
                                break;
                        start = p + 1;
                }
        n = strv_length(parts);
        if (n > 3 || !*parts[0])
                return error_setx(ret_err, EINVAL, "bad format for path: %s", s);
        d.host = strdup(parts[0]);
        if (n == 3 || (n == 2 && !perms_valid(parts[1])))
                d.container = strdup(parts[1]);
        else
                d.container = strdup(parts[0]);
        d.perms = strdup(n == 3 ? parts[2] : (n == 2 && perms_valid(parts[1]) ? parts[1] : "rwm"));
        if (!d.host || !d.container || !d.perms) {
                hostconfig_device_clear(&d);
                return error_set(ret_err, ENOMEM, "device");
        }
        if (d.container[0] != '/') {
                hostconfig_device_clear(&d);
                return error_setx(ret_err, EINVAL, "bad format for path: %s", s);
        }
        if (!perms_valid(d.perms)) {
                hostconfig_device_clear(&d);
                return error_setx(ret_err, EINVAL, "bad mode specified: %s", s);
        }
        *ret = d;
        return 0;
}

/* Docker's allowed sysctls: those of the ipc and network namespaces. The
 * namespace a key needs (NS_IPC, NS_NET), or -EINVAL. */
static int sysctl_ns(const char *key, size_t len)
{
        static const char *const ipc[] = {
                "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"
        };

        for (size_t i = 0; i < ELEMENTSOF(ipc); i++)
                if (strlen(ipc[i]) == len && strncmp(key, ipc[i], len) == 0)
                        return NS_IPC;
        if (len > 10 && strncmp(key, "fs.mqueue.", 10) == 0)
                return NS_IPC;
        if (len > 4 && strncmp(key, "net.", 4) == 0)
                return NS_NET;
        return -EINVAL;
}

int hostconfig_check_sysctl(const char *s, Error **ret_err)
{
        const char *eq = strchr(s, '=');

        if (!eq || eq == s)
                return error_setx(ret_err, EINVAL, "sysctl '%s' is not allowed", s);
        if (sysctl_ns(s, (size_t)(eq - s)) < 0)
                return error_setx(ret_err, EINVAL, "sysctl '%s' is not allowed", s);
        return 0;
}

/* A cpuset list ("0-3,7") as a bit per CPU (at most 8192), into set.
 * -EINVAL when malformed. */
static int cpuset_parse(const char *s, uint8_t set[1024])
{
        const char *p = s;

        memset(set, 0, 1024);
        if (!*p)
                return -EINVAL;
        while (*p) {
                char *end;
                unsigned long a, b;

                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                a = b = strtoul(p, &end, 10);
                p = end;
                if (*p == '-') {
                        if (!isdigit((unsigned char)p[1]))
                                return -EINVAL;
                        b = strtoul(p + 1, &end, 10);
                        p = end;
                }
                if (a > b || b >= 8192)
                        return -EINVAL;
                for (unsigned long i = a; i <= b; i++)
                        set[i / 8] |= (uint8_t)(1u << (i % 8));
                if (*p == ',' && p[1])
                        p++;
                else if (*p)
                        return -EINVAL;
        }
        return 0;
}

/* --cpuset-cpus/--cpuset-mems: well formed, and within what this host has
 * (its online CPUs or memory nodes). */
static int cpuset_check(const char *s, const char *what, const char *online_path, const char *avail_name,
                        Error **ret_err)
{
        _cleanup_free_ char *online = NULL;
        uint8_t want[1024], have[1024];

        if (cpuset_parse(s, want) < 0)
                return error_setx(ret_err, EINVAL, "Invalid value %s for cpuset %s", s, what);
        if (read_one_line(online_path, &online) < 0 || cpuset_parse(online, have) < 0)
                return 0; /* the kernel decides */
        for (size_t i = 0; i < sizeof(want); i++)
                if (want[i] & ~have[i])
                        return error_setx(ret_err, EINVAL,
                                          "Requested %s are not available - requested %s, available: %s", avail_name, s,
                                          online);
        return 0;
}

/* ---- checks -------------------------------------------------------------- */

/* A container:X mode's X, or NULL. */
static const char *mode_container(const char *mode)
{
        return mode && strncmp(mode, "container:", 10) == 0 && mode[10] ? mode + 10 : NULL;
}

static bool mode_is(const char *mode, const char *what)
{
        return mode && streq(mode, what);
}

/* One --security-opt: its key and value (malloc'd), as Docker's daemon
 * splits them ("no-new-privileges" alone, "disable" alone, "k=v", the
 * deprecated "k:v"). */
static int secopt_split(const char *opt, char **ret_key, char **ret_val, Error **ret_err)
{
        const char *sep = strchr(opt, '=');

        if (streq(opt, "no-new-privileges") || streq(opt, "disable")) {
                *ret_key = strdup(streq(opt, "disable") ? "label" : opt);
                *ret_val = strdup(streq(opt, "disable") ? "disable" : "true");
        } else {
                if (!sep)
                        sep = strchr(opt, ':');
                if (!sep)
                        return error_setx(ret_err, EINVAL, "invalid --security-opt 1: \"%s\"", opt);
                *ret_key = strndup(opt, (size_t)(sep - opt));
                *ret_val = strdup(sep + 1);
        }
        if (!*ret_key || !*ret_val) {
                free(*ret_key);
                free(*ret_val);
                return error_set(ret_err, ENOMEM, "security options");
        }
        return 0;
}

static int secopt_check(const char *opt, Error **ret_err)
{
        _cleanup_free_ char *k = NULL, *v = NULL;
        int r = secopt_split(opt, &k, &v, ret_err);

        if (r < 0)
                return r;
        if (streq(k, "seccomp") || streq(k, "apparmor"))
                return *v ? 0 : error_setx(ret_err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
        if (streq(k, "no-new-privileges"))
                return streq(v, "true") || streq(v, "false") || streq(v, "1") || streq(v, "0")
                               ? 0
                               : error_setx(ret_err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
        if (streq(k, "label")) {
                static const char *const keys[] = { "user:", "role:", "type:", "level:", "filetype:" };
                if (streq(v, "disable") || streq(v, "nested"))
                        return 0;
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        if (strncmp(v, keys[i], strlen(keys[i])) == 0 && v[strlen(keys[i])])
                                return 0;
                return error_setx(ret_err, EINVAL,
                                  "bad label option \"%s\", valid options 'disable' or 'user, role, level, type, "
                                  "filetype' followed by ':' and a value",
                                  v);
        }
        return error_setx(ret_err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
}

static int check_resources(const EngineCreateOpts *o, Error **ret_err)
{
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

        if (o->memory > 0 && o->memory < MIN_MEMORY)
                return error_setx(ret_err, EINVAL, "Minimum memory limit allowed is 6MB");
        if (o->memory_swap > 0 && o->memory <= 0)
                return error_setx(ret_err, EINVAL,
                                  "You should always set the Memory limit when using Memoryswap limit, see usage.");
        if (o->memory_swap > 0 && o->memory_swap < o->memory)
                return error_setx(ret_err, EINVAL,
                                  "Minimum memoryswap limit should be larger than memory limit, see usage.");
        if (o->memory_reservation > 0 && o->memory_reservation < MIN_MEMORY)
                return error_setx(ret_err, EINVAL, "Minimum memory reservation allowed is 6MB");
        if (o->memory > 0 && o->memory_reservation > o->memory)
                return error_setx(ret_err, EINVAL,
                                  "Minimum memory limit can not be less than memory reservation limit, see usage.");
        if (o->nano_cpus && o->cpu_period)
                return error_setx(ret_err, EINVAL, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
        if (o->nano_cpus && o->cpu_quota)
                return error_setx(ret_err, EINVAL, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
        /* below 0.01 CPU the quota would be under the kernel's 1 ms */
        if (ncpu > 0 &&
            (o->nano_cpus < 0 || (o->nano_cpus > 0 && o->nano_cpus < 10000000) || o->nano_cpus > ncpu * 1000000000LL))
                return error_setx(ret_err, EINVAL,
                                  "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available", ncpu,
                                  ncpu);
        if (o->cpu_period && (o->cpu_period < 1000 || o->cpu_period > 1000000))
                return error_setx(
                        ret_err, EINVAL,
                        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        if (o->cpu_quota > 0 && o->cpu_quota < 1000)
                return error_setx(ret_err, EINVAL, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
        if (o->cpu_shares < 0)
                return error_setx(ret_err, EINVAL, "invalid CPU shares: %lld", (long long)o->cpu_shares);
        if (o->has_oom_score_adj && (o->oom_score_adj < -1000 || o->oom_score_adj > 1000))
                return error_setx(ret_err, EINVAL, "Invalid value %d, range for oom score adj is [-1000, 1000]",
                                  o->oom_score_adj);
        if (o->shm_size < 0)
                return error_setx(ret_err, EINVAL, "SHM size can not be less than 0");
        if (o->has_stop_timeout && o->stop_timeout < -1)
                return error_setx(ret_err, EINVAL, "invalid stop timeout %d: -1 (wait forever) is the lowest",
                                  o->stop_timeout);
        if (o->cpuset_cpus &&
            cpuset_check(o->cpuset_cpus, "cpus", "/sys/devices/system/cpu/online", "CPUs", ret_err) < 0)
                return -EINVAL;
        if (o->cpuset_mems &&
            cpuset_check(o->cpuset_mems, "mems", "/sys/devices/system/node/online", "memory nodes", ret_err) < 0)
                return -EINVAL;
        return 0;
}

int hostconfig_validate(const EngineCreateOpts *o, Error **ret_err)
{
        _cleanup_strv_ char **add = NULL, **drop = NULL;
        int r;

        r = caps_effective(o, &add, &drop, ret_err);
        if (r < 0)
                return r;
        if (o->pid_mode && *o->pid_mode && !mode_is(o->pid_mode, "host") && !mode_container(o->pid_mode))
                return error_setx(ret_err, EINVAL, "--pid: invalid PID mode");
        if (o->ipc_mode && *o->ipc_mode && !mode_is(o->ipc_mode, "host") && !mode_is(o->ipc_mode, "private") &&
            !mode_is(o->ipc_mode, "shareable") && !mode_is(o->ipc_mode, "none") && !mode_container(o->ipc_mode))
                return error_setx(ret_err, EINVAL, "--ipc: invalid IPC mode");
        if (o->uts_mode && *o->uts_mode && !mode_is(o->uts_mode, "host"))
                return error_setx(ret_err, EINVAL, "--uts: invalid UTS mode");
        if (mode_is(o->uts_mode, "host") && o->hostname && *o->hostname)
                return error_setx(ret_err, EINVAL, "conflicting options: hostname and the UTS mode");
        for (char *const *s = o->security_opt; s && *s; s++)
                if ((r = secopt_check(*s, ret_err)) < 0)
                        return r;
        r = check_resources(o, ret_err);
        if (r < 0)
                return r;
        for (char *const *s = o->ulimits; s && *s; s++) {
                HostUlimit u;
                if ((r = hostconfig_parse_ulimit(*s, &u, ret_err)) < 0)
                        return r;
        }
        for (char *const *s = o->sysctls; s && *s; s++) {
                const char *eq = strchr(*s, '=');
                if ((r = hostconfig_check_sysctl(*s, ret_err)) < 0)
                        return r;
                if (sysctl_ns(*s, (size_t)(eq - *s)) == NS_NET && mode_is(o->network, "host"))
                        return error_setx(ret_err, EINVAL,
                                          "sysctl \"%.*s\" is not allowed in the host's network namespace "
                                          "(--network host)",
                                          (int)(eq - *s), *s);
                if (sysctl_ns(*s, (size_t)(eq - *s)) == NS_IPC &&
                    (mode_is(o->ipc_mode, "host") || mode_container(o->ipc_mode)))
                        return error_setx(ret_err, EINVAL,
                                          "sysctl \"%.*s\" is not allowed with --ipc %s: the container has no IPC "
                                          "namespace of its own",
                                          (int)(eq - *s), *s, o->ipc_mode);
        }
        for (char *const *s = o->devices; s && *s; s++) {
                HostDevice d;
                if ((r = hostconfig_parse_device(*s, &d, ret_err)) < 0)
                        return r;
                hostconfig_device_clear(&d);
        }
        if (o->stop_signal && signal_from_string(o->stop_signal) <= 0)
                return error_setx(ret_err, EINVAL, "Invalid signal: %s", o->stop_signal);
        return 0;
}

/* ---- the spec: capabilities, seccomp, labels ----------------------------- */

static int set_caps(SpecCapabilities *c, char **caps)
{
        char **b = strv_copy(caps), **e = strv_copy(caps), **p = strv_copy(caps);

        if (!b || !e || !p) {
                strv_free(b);
                strv_free(e);
                strv_free(p);
                return -ENOMEM;
        }
        strv_free(c->bounding);
        strv_free(c->effective);
        strv_free(c->permitted);
        c->bounding = b;
        c->effective = e;
        c->permitted = p;
        return 0;
}

/* The SELinux process label for label=user:/role:/type:/level: options,
 * over the usual container context. NULL (*ret) when none is asked. */
static int selinux_label(char *const *opts, char **ret)
{
        const char *f[4] = { "system_u", "system_r", "container_t", "s0" };
        static const char *const keys[] = { "user:", "role:", "type:", "level:" };
        bool any = false;

        *ret = NULL;
        for (char *const *o = opts; o && *o; o++)
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        if (strncmp(*o, keys[i], strlen(keys[i])) == 0) {
                                f[i] = *o + strlen(keys[i]);
                                any = true;
                        }
        if (any && asprintf(ret, "%s:%s:%s:%s", f[0], f[1], f[2], f[3]) < 0)
                return -ENOMEM;
        return 0;
}

static int apply_security(const EngineCreateOpts *o, Spec *spec, Error **ret_err)
{
        SpecProcess *p = &spec->process;
        _cleanup_strv_ char **caps = NULL, **labels = NULL;
        _cleanup_free_ char *profile = NULL;
        bool unconfined = o->privileged, changed = o->privileged || o->cap_add || o->cap_drop;
        int r;

        for (char *const *s = o->security_opt; s && *s; s++) {
                _cleanup_free_ char *k = NULL, *v = NULL;
                if ((r = secopt_split(*s, &k, &v, ret_err)) < 0)
                        return r;
                if (streq(k, "seccomp") && streq(v, "unconfined"))
                        unconfined = true;
                else if (streq(k, "seccomp") && !streq(v, "builtin")) {
                        free(profile);
                        profile = TAKE_PTR(v);
                } else if (streq(k, "no-new-privileges"))
                        p->no_new_privileges = streq(v, "true") || streq(v, "1");
                else if (streq(k, "label") && strv_push(&labels, v) < 0)
                        return error_set(ret_err, ENOMEM, "security options");
                else if (streq(k, "apparmor") && lsm_apparmor_enabled()) {
                        /* Docker ignores the option where AppArmor is absent */
                        free(p->apparmor_profile);
                        p->apparmor_profile = TAKE_PTR(v);
                }
        }
        if (lsm_selinux_enabled() && !strv_contains(labels, "disable") && !o->privileged) {
                _cleanup_free_ char *l = NULL;
                if (selinux_label(labels, &l) < 0)
                        return error_set(ret_err, ENOMEM, "SELinux label");
                if (l) {
                        free(p->selinux_label);
                        p->selinux_label = TAKE_PTR(l);
                }
        }

        if (changed) {
                r = caps_final(o, p->has_capabilities ? p->capabilities.bounding : NULL, &caps, ret_err);
                if (r < 0)
                        return r;
                if (set_caps(&p->capabilities, caps) < 0)
                        return error_set(ret_err, ENOMEM, "capabilities");
                p->has_capabilities = true;
        }

        if (unconfined) {
                spec_seccomp_clear(&spec->linux_.seccomp);
                spec->linux_.has_seccomp = false;
        } else if (profile) {
                SpecSeccomp s;
                r = profile_seccomp_from_text(profile, strlen(profile), "seccomp profile",
                                              (const char *const *)p->capabilities.bounding, NULL, &s, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "--security-opt seccomp");
                spec_seccomp_clear(&spec->linux_.seccomp);
                spec->linux_.seccomp = s;
                spec->linux_.has_seccomp = true;
        } else if (changed) {
                r = profile_apply_seccomp(spec, NULL, ret_err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- the spec: --privileged, devices ------------------------------------- */

static SpecMount *find_mount(Spec *spec, const char *dst)
{
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (streq(spec->mounts[i].destination, dst))
                        return &spec->mounts[i];
        return NULL;
}

static void drop_option(SpecMount *m, const char *opt)
{
        for (size_t i = 0; i < m->n_options; i++)
                if (streq(m->options[i], opt)) {
                        free(m->options[i]);
                        memmove(&m->options[i], &m->options[i + 1], (m->n_options - i) * sizeof(char *));
                        m->n_options--;
                        i--;
                }
}

static int add_device_rule(SpecResources *res, bool allow, char type, int64_t major, int64_t minor, const char *access)
{
        SpecDeviceRule *v = realloc(res->devices, (res->n_devices + 1) * sizeof(SpecDeviceRule));

        if (!v)
                return -ENOMEM;
        res->devices = v;
        v[res->n_devices] = (SpecDeviceRule){
                .allow = allow, .type = type, .major = major, .minor = minor, .access = strdup(access)
        };
        return v[res->n_devices++].access ? 0 : -ENOMEM;
}

/* A device node of the host (st) at `path` in the container, and the rule
 * that lets the container use it with `perms`. */
static int add_device(Spec *spec, const struct stat *st, const char *path, const char *perms)
{
        SpecLinux *l = &spec->linux_;
        SpecDevice *v;
        char type = S_ISBLK(st->st_mode) ? 'b' : 'c';

        for (size_t i = 0; i < l->n_devices; i++)
                if (streq(l->devices[i].path, path))
                        return 0; /* the first one named wins, as in Docker */
        v = realloc(l->devices, (l->n_devices + 1) * sizeof(SpecDevice));
        if (!v)
                return -ENOMEM;
        l->devices = v;
        v[l->n_devices] = (SpecDevice){ .type = type,
                                        .path = strdup(path),
                                        .major = major(st->st_rdev),
                                        .minor = minor(st->st_rdev),
                                        .has_file_mode = true,
                                        .file_mode = st->st_mode & 07777,
                                        .has_uid = true,
                                        .uid = st->st_uid,
                                        .has_gid = true,
                                        .gid = st->st_gid };
        if (!v[l->n_devices++].path)
                return -ENOMEM;
        return add_device_rule(&l->resources, true, type, major(st->st_rdev), minor(st->st_rdev), perms);
}

/* Every device node under host directory `dir` at the same place under
 * `ctr`, recursively; `top` skips what Docker skips in a privileged
 * container's /dev (pts, shm, mqueue, fd and the console, which are the
 * container's own). Returns the number added or -errno. */
static int add_device_tree(Spec *spec, const char *dir, const char *ctr, const char *perms, bool top)
{
        _cleanup_(closedirp) DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0, r;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *h = NULL, *c = NULL;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (top && (streq(de->d_name, "pts") || streq(de->d_name, "shm") || streq(de->d_name, "mqueue") ||
                            streq(de->d_name, "fd") || streq(de->d_name, "console") || de->d_name[0] == '.'))
                        continue;
                h = path_join(dir, de->d_name);
                c = path_join(ctr, de->d_name);
                if (!h || !c)
                        return -ENOMEM;
                if (lstat(h, &st) < 0)
                        continue; /* gone meanwhile */
                if (S_ISDIR(st.st_mode))
                        r = add_device_tree(spec, h, c, perms, false);
                else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                        r = add_device(spec, &st, c, perms) < 0 ? -ENOMEM : 1;
                else
                        continue;
                if (r == -ENOMEM)
                        return r;
                n += r > 0 ? r : 0;
        }
        return n;
}

static int apply_devices(const EngineCreateOpts *o, Spec *spec, Error **ret_err)
{
        for (char *const *s = o->devices; s && *s; s++) {
                HostDevice d;
                struct stat st;
                int r = hostconfig_parse_device(*s, &d, ret_err);

                if (r < 0)
                        return r;
                if (stat(d.host, &st) < 0) {
                        r = error_set(ret_err, errno,
                                      "error gathering device information while adding custom device \"%s\"", d.host);
                } else if (S_ISDIR(st.st_mode)) {
                        r = add_device_tree(spec, d.host, d.container, d.perms, false);
                        if (r < 0)
                                r = error_set(ret_err, -r, "add the devices under %s", d.host);
                } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
                        r = add_device(spec, &st, d.container, d.perms);
                        if (r < 0)
                                r = error_set(ret_err, ENOMEM, "devices");
                } else
                        r = error_setx(ret_err, EINVAL,
                                       "error gathering device information while adding custom device "
                                       "\"%s\": not a device node",
                                       d.host);
                hostconfig_device_clear(&d);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Docker's --privileged beyond capabilities and seccomp: no masked or
 * read-only paths, /sys and its cgroups writable, every host device and
 * the right to use any. */
static int apply_privileged(Spec *spec, Error **ret_err)
{
        SpecLinux *l = &spec->linux_;
        SpecMount *m;
        int r;

        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        l->masked_paths = l->readonly_paths = NULL;
        l->n_masked_paths = l->n_readonly_paths = 0;
        if ((m = find_mount(spec, "/sys")))
                drop_option(m, "ro");
        if ((m = find_mount(spec, "/sys/fs/cgroup")))
                drop_option(m, "ro");
        r = add_device_tree(spec, "/dev", "/dev", "rwm", true);
        if (r < 0)
                return error_set(ret_err, -r, "list the host's devices in /dev");
        if (add_device_rule(&l->resources, true, 'a', -1, -1, "rwm") < 0)
                return error_set(ret_err, ENOMEM, "devices");
        l->has_resources = true;
        return 0;
}

/* ---- the spec: namespaces and /dev/shm ------------------------------------ */

static int ns_join(Spec *spec, NsType t, const char *path)
{
        SpecLinux *l = &spec->linux_;
        char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_namespaces; i++)
                if (l->namespaces[i].type == t) {
                        free(l->namespaces[i].path);
                        l->namespaces[i].path = p;
                        return 0;
                }
        free(p);
        return -ENOENT;
}

int hostconfig_peer(Engine *e, const char *ref, const char *what, json_t **ret, Error **ret_err)
{
        _cleanup_free_ char *id = NULL, *path = NULL;
        json_t *rec, *st;
        int r = engine_lookup(e, ref, &id, ret_err);

        if (r < 0)
                return r;
        path = engine_path(e, id, "container.json");
        if (!path)
                return error_set(ret_err, ENOMEM, "container %s", ref);
        rec = json_load_file(path, 0, NULL);
        if (!rec)
                return error_setx(ret_err, ENOENT, "No such container: %s", ref);
        st = json_object_get(rec, "State");
        if (!json_is_true(json_object_get(st, "Running")) || json_integer_value(json_object_get(st, "Pid")) <= 0 ||
            !engine_monitor_alive(e, id)) {
                json_decref(rec);
                return error_setx(ret_err, EINVAL, "cannot join %s of a non running container: %s", what, ref);
        }
        *ret = rec;
        return 0;
}

/* The pid of running container `ref`'s init (for --pid/--ipc container:X),
 * and its IpcMode. */
static int container_init_pid(Engine *e, const char *ref, const char *what, pid_t *ret, char **ret_ipc, Error **ret_err)
{
        json_t *rec = NULL;
        const char *ipc;
        int r = hostconfig_peer(e, ref, what, &rec, ret_err);

        if (r < 0)
                return r;
        *ret = (pid_t)json_integer_value(json_object_get(json_object_get(rec, "State"), "Pid"));
        ipc = json_string_value(json_object_get(json_object_get(rec, "HostConfig"), "IpcMode"));
        *ret_ipc = strdup(ipc ? ipc : "private");
        json_decref(rec);
        return *ret_ipc ? 0 : error_set(ret_err, ENOMEM, "container %s", ref);
}

/* Make spec join the pid or ipc namespace of running container x (its
 * init's /proc/PID/ns/ path), as --pid/--ipc container:X ask. For IPC, x
 * must have been made --ipc shareable (or host), as Docker wants.
 *
 * SysV IPC and POSIX message queues are shared; /dev/shm stays the
 * container's own: the donor's is a tmpfs in its mount namespace, which
 * cannot be bound from another one (open_tree and MS_BIND say EINVAL), and
 * Docker's host-side /dev/shm per container is not made here. */
static int join_container(Engine *e, Spec *spec, NsType t, const char *x, Error **ret_err)
{
        _cleanup_free_ char *ipc = NULL;
        char path[64];
        pid_t pid = 0;
        int r = container_init_pid(e, x, t == NS_PID ? "PID" : "IPC", &pid, &ipc, ret_err);

        if (r < 0)
                return r;
        if (t == NS_IPC && !streq(ipc, "shareable") && !streq(ipc, "host"))
                return error_setx(ret_err, EINVAL,
                                  "container %s: non-shareable IPC (hint: use IpcMode:shareable for the donor "
                                  "container)",
                                  x);
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_type_proc_name(t));
        if (ns_join(spec, t, path) < 0)
                return error_set(ret_err, ENOMEM, "%s namespace", ns_type_proc_name(t));
        return 0;
}

static int shm_bind(SpecMount *m, const char *source)
{
        static const char *const opts[] = { "rbind", "nosuid", "noexec", "nodev", NULL };
        char **o = strv_copy((char *const *)opts);
        char *s = strdup(source), *t = strdup("bind");

        if (!o || !s || !t) {
                strv_free(o);
                free(s);
                free(t);
                return -ENOMEM;
        }
        strv_free(m->options);
        free(m->source);
        free(m->type);
        m->options = o;
        m->n_options = strv_length(o);
        m->source = s;
        m->type = t;
        return 0;
}

static int apply_namespaces(Engine *e, const EngineCreateOpts *o, Spec *spec, Error **ret_err)
{
        SpecMount *shm = find_mount(spec, "/dev/shm");
        const char *x;
        int r;

        if (mode_is(o->pid_mode, "host"))
                spec_namespace_remove(spec, NS_PID);
        else if ((x = mode_container(o->pid_mode)) && (r = join_container(e, spec, NS_PID, x, ret_err)) < 0)
                return r;
        if (mode_is(o->uts_mode, "host")) {
                spec_namespace_remove(spec, NS_UTS);
                free(spec->hostname);
                spec->hostname = NULL;
        }
        if (mode_is(o->ipc_mode, "host")) {
                spec_namespace_remove(spec, NS_IPC);
                if (shm && shm_bind(shm, "/dev/shm") < 0)
                        return error_set(ret_err, ENOMEM, "/dev/shm");
        } else if ((x = mode_container(o->ipc_mode))) {
                r = join_container(e, spec, NS_IPC, x, ret_err);
                if (r < 0)
                        return r;
        } else if (mode_is(o->ipc_mode, "none")) {
                if (shm)
                        spec_mount_remove(spec, (size_t)(shm - spec->mounts));
        } else if (shm && o->shm_size > 0) {
                char opt[64];
                size_t k = 0;
                for (size_t i = 0; i < shm->n_options; i++)
                        if (strncmp(shm->options[i], "size=", 5) == 0)
                                free(shm->options[i]);
                        else
                                shm->options[k++] = shm->options[i];
                shm->options[k] = NULL;
                shm->n_options = k;
                snprintf(opt, sizeof(opt), "size=%lldk", (long long)((o->shm_size + 1023) / 1024));
                if (strv_push(&shm->options, opt) < 0)
                        return error_set(ret_err, ENOMEM, "/dev/shm");
                shm->n_options = strv_length(shm->options);
        }
        return 0;
}

/* ---- the spec: resources and process settings ----------------------------- */

static void apply_resources(const EngineCreateOpts *o, Spec *spec)
{
        SpecResources *res = &spec->linux_.resources;

#define SET(field, value)                          \
        do {                                       \
                res->has_##field = true;           \
                res->field = (value);              \
                spec->linux_.has_resources = true; \
        } while (0)
        if (o->memory > 0) {
                SET(memory_limit, o->memory);
                /* Docker: swap as large as the memory unless told */
                SET(memory_swap, o->memory_swap ? o->memory_swap : 2 * o->memory);
        }
        if (o->memory_reservation > 0)
                SET(memory_reservation, o->memory_reservation);
        if (o->oom_kill_disable)
                SET(memory_disable_oom_killer, true);
        if (o->nano_cpus > 0) {
                SET(cpu_period, CPU_PERIOD_DEFAULT);
                SET(cpu_quota, o->nano_cpus * CPU_PERIOD_DEFAULT / 1000000000LL);
        }
        if (o->cpu_period > 0)
                SET(cpu_period, (uint64_t)o->cpu_period);
        if (o->cpu_quota)
                SET(cpu_quota, o->cpu_quota);
        if (o->cpu_shares > 0) /* the kernel's range, as Docker clamps it */
                SET(cpu_shares, (uint64_t)(o->cpu_shares < 2 ? 2 : o->cpu_shares > 262144 ? 262144 : o->cpu_shares));
        if (o->pids_limit > 0)
                SET(pids_limit, o->pids_limit);
#undef SET
}

static int apply_process(const EngineCreateOpts *o, Spec *spec, Error **ret_err)
{
        SpecProcess *p = &spec->process;
        SpecLinux *l = &spec->linux_;

        if ((o->cpuset_cpus && !(l->resources.cpu_cpus = strdup(o->cpuset_cpus))) ||
            (o->cpuset_mems && !(l->resources.cpu_mems = strdup(o->cpuset_mems))))
                return error_set(ret_err, ENOMEM, "cpuset");
        if (o->cpuset_cpus || o->cpuset_mems)
                l->has_resources = true;
        if (o->has_oom_score_adj) {
                p->has_oom_score_adj = true;
                p->oom_score_adj = o->oom_score_adj;
        }
        for (char *const *s = o->ulimits; s && *s; s++) {
                HostUlimit u;
                SpecRlimit *v;
                size_t i;
                int r = hostconfig_parse_ulimit(*s, &u, ret_err);

                if (r < 0)
                        return r;
                for (i = 0; i < p->n_rlimits && p->rlimits[i].resource != u.resource; i++)
                        ;
                if (i == p->n_rlimits) {
                        char type[32];
                        snprintf(type, sizeof(type), "RLIMIT_%s", u.name);
                        for (char *c = type; *c; c++)
                                *c = (char)toupper((unsigned char)*c);
                        v = realloc(p->rlimits, (p->n_rlimits + 1) * sizeof(SpecRlimit));
                        if (!v)
                                return error_set(ret_err, ENOMEM, "ulimits");
                        p->rlimits = v;
                        v[i] = (SpecRlimit){ .resource = u.resource, .type = strdup(type) };
                        p->n_rlimits++;
                        if (!v[i].type)
                                return error_set(ret_err, ENOMEM, "ulimits");
                }
                p->rlimits[i].soft = u.soft < 0 ? RLIM_INFINITY : (uint64_t)u.soft;
                p->rlimits[i].hard = u.hard < 0 ? RLIM_INFINITY : (uint64_t)u.hard;
        }
        for (char *const *s = o->sysctls; s && *s; s++) {
                const char *eq = strchr(*s, '=');
                SpecKeyValue *v = realloc(l->sysctl, (l->n_sysctl + 1) * sizeof(SpecKeyValue));

                if (!v)
                        return error_set(ret_err, ENOMEM, "sysctls");
                l->sysctl = v;
                v[l->n_sysctl] = (SpecKeyValue){ .key = strndup(*s, (size_t)(eq - *s)), .value = strdup(eq + 1) };
                if (!v[l->n_sysctl++].key || !v[l->n_sysctl - 1].value)
                        return error_set(ret_err, ENOMEM, "sysctls");
        }
        return 0;
}

/* --group-add: gids, or group names looked up in the container's
 * /etc/group (through imgspec's resolver, as the group of a user spec). */
static int apply_groups(const EngineCreateOpts *o, Spec *spec, Error **ret_err)
{
        SpecUser *u = &spec->process.user;
        _cleanup_close_ int root = -EBADF;

        for (char *const *g = o->group_add; g && *g; g++) {
                uint32_t gid;
                gid_t *v;

                if (parse_id(*g, &gid) < 0) {
                        _cleanup_free_ char *spec_user = NULL;
                        ImgSpecUser r = { 0 };
                        if (root < 0 && (root = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                                return error_set(ret_err, errno, "open %s", spec->root_path);
                        if (asprintf(&spec_user, "0:%s", *g) < 0)
                                return error_set(ret_err, ENOMEM, "groups");
                        if (imgspec_resolve_user(root, spec_user, &r, ret_err) < 0)
                                return error_prefix(ret_err, "--group-add %s", *g);
                        gid = r.gid;
                        imgspec_user_clear(&r);
                }
                if (gid == u->gid)
                        continue;
                for (size_t i = 0; i < u->n_additional_gids; i++)
                        if (u->additional_gids[i] == gid)
                                gid = u->gid; /* already there */
                if (gid == u->gid)
                        continue;
                v = realloc(u->additional_gids, (u->n_additional_gids + 1) * sizeof(gid_t));
                if (!v)
                        return error_set(ret_err, ENOMEM, "groups");
                u->additional_gids = v;
                v[u->n_additional_gids++] = gid;
        }
        return 0;
}

int hostconfig_apply_spec(Engine *e, const EngineCreateOpts *o, Spec *spec, Error **ret_err)
{
        int r;

        r = hostconfig_validate(o, ret_err);
        if (r >= 0)
                r = apply_security(o, spec, ret_err);
        if (r >= 0 && o->privileged)
                r = apply_privileged(spec, ret_err);
        if (r >= 0)
                r = apply_namespaces(e, o, spec, ret_err);
        if (r >= 0)
                r = apply_devices(o, spec, ret_err);
        if (r >= 0) {
                apply_resources(o, spec);
                r = apply_process(o, spec, ret_err);
        }
        if (r >= 0)
                r = apply_groups(o, spec, ret_err);
        return r;
}

int hostconfig_rejoin(Engine *e, const char *id, Error **ret_err)
{
        _cleanup_free_ char *path = engine_path(e, id, "config.json"), *text = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        const char *pid_x, *ipc_x, *net_x;
        json_t *rec = NULL, *hc, *xrec = NULL;
        int r = engine_load(e, id, &rec, ret_err);

        if (r < 0)
                return r;
        hc = json_object_get(rec, "HostConfig");
        pid_x = mode_container(json_string_value(json_object_get(hc, "PidMode")));
        ipc_x = mode_container(json_string_value(json_object_get(hc, "IpcMode")));
        net_x = mode_container(json_string_value(json_object_get(hc, "NetworkMode")));
        if (!pid_x && !ipc_x && !net_x) {
                json_decref(rec);
                return 0;
        }
        if (!path)
                r = error_set(ret_err, ENOMEM, "container %s", id);
        if (r >= 0)
                r = spec_load(path, &spec, ret_err);
        if (r >= 0 && pid_x)
                r = join_container(e, spec, NS_PID, pid_x, ret_err);
        if (r >= 0 && ipc_x)
                r = join_container(e, spec, NS_IPC, ipc_x, ret_err);
        if (r >= 0 && net_x && (r = hostconfig_peer(e, net_x, "network", &xrec, ret_err)) >= 0) {
                r = engine_network_join_container(e, xrec, spec, ret_err);
                json_decref(xrec);
        }
        json_decref(rec);
        if (r >= 0)
                r = spec_to_json(spec, &text, ret_err);
        if (r >= 0)
                r = write_file_atomic(path, text, strlen(text), 0600, ret_err);
        return r;
}

/* ---- the record ------------------------------------------------------------ */

static json_t *list_or_null(char *const *v)
{
        json_t *a;

        if (!v || !*v)
                return json_null();
        a = json_array();
        for (; a && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

/* "k=v" (or "k") entries into obj, later ones winning. */
static void kv_into(json_t *obj, char *const *v)
{
        for (; v && *v; v++) {
                const char *eq = strchr(*v, '=');
                _cleanup_free_ char *k = eq ? strndup(*v, (size_t)(eq - *v)) : strdup(*v);
                if (k && *k)
                        json_object_set_new(obj, k, json_string(eq ? eq + 1 : ""));
        }
}

static json_t *ulimits_json(char *const *v)
{
        json_t *a;

        if (!v || !*v)
                return json_null();
        a = json_array();
        for (; a && *v; v++) {
                HostUlimit u;
                if (hostconfig_parse_ulimit(*v, &u, NULL) >= 0)
                        json_array_append_new(a, json_pack("{s:s,s:I,s:I}", "Name", u.name, "Hard", (json_int_t)u.hard,
                                                           "Soft", (json_int_t)u.soft));
        }
        return a;
}

static json_t *devices_json(char *const *v)
{
        json_t *a = json_array();

        for (; a && v && *v; v++) {
                HostDevice d;
                if (hostconfig_parse_device(*v, &d, NULL) < 0)
                        continue;
                json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "PathOnHost", d.host, "PathInContainer",
                                                   d.container, "CgroupPermissions", d.perms));
                hostconfig_device_clear(&d);
        }
        return a;
}

int hostconfig_apply_record(const EngineCreateOpts *o, const ImageConfig *ic, json_t *rec, Error **ret_err)
{
        _cleanup_strv_ char **add = NULL, **drop = NULL;
        json_t *hc = json_object_get(rec, "HostConfig"), *cfg = json_object_get(rec, "Config"), *sysctls, *labels, *u;
        int64_t swap = o->memory > 0 && !o->memory_swap ? 2 * o->memory : o->memory_swap;

        if (!hc || !cfg || caps_effective(o, &add, &drop, NULL) < 0)
                return error_set(ret_err, ENOMEM, "container record");
        sysctls = json_object();
        kv_into(sysctls, o->sysctls);
        labels = json_object();
        kv_into(labels, ic->labels);
        kv_into(labels, o->labels);
        u = json_pack(
                "{s:o,s:o,s:b,s:o,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:o,s:o,s:o,s:b,s:i,s:I,"
                "s:o}",
                "CapAdd", list_or_null(add), "CapDrop", list_or_null(drop), "Privileged", o->privileged, "SecurityOpt",
                list_or_null(o->security_opt), "PidMode", o->pid_mode ? o->pid_mode : "", "IpcMode",
                o->ipc_mode && *o->ipc_mode ? o->ipc_mode : "private", "UTSMode", o->uts_mode ? o->uts_mode : "",
                "Memory", (json_int_t)o->memory, "MemorySwap", (json_int_t)swap, "MemoryReservation",
                (json_int_t)o->memory_reservation, "NanoCpus", (json_int_t)o->nano_cpus, "CpuShares",
                (json_int_t)o->cpu_shares, "CpuQuota", (json_int_t)o->cpu_quota, "CpuPeriod", (json_int_t)o->cpu_period,
                "CpusetCpus", o->cpuset_cpus ? o->cpuset_cpus : "", "CpusetMems", o->cpuset_mems ? o->cpuset_mems : "",
                "PidsLimit", o->pids_limit > 0 ? json_integer(o->pids_limit) : json_null(), "Ulimits",
                ulimits_json(o->ulimits), "Devices", devices_json(o->devices), "OomKillDisable", o->oom_kill_disable,
                "OomScoreAdj", o->has_oom_score_adj ? o->oom_score_adj : 0, "ShmSize",
                (json_int_t)(o->shm_size > 0 ? o->shm_size : DEFAULT_SHM_SIZE), "GroupAdd", list_or_null(o->group_add));
        if (!u || !sysctls || !labels) {
                json_decref(u);
                json_decref(sysctls);
                json_decref(labels);
                return error_set(ret_err, ENOMEM, "container record");
        }
        if (json_object_size(sysctls))
                json_object_set(u, "Sysctls", sysctls);
        json_decref(sysctls);
        json_object_update(hc, u);
        json_decref(u);
        json_object_set_new(cfg, "Labels", labels);
        if (o->stop_signal)
                json_object_set_new(cfg, "StopSignal", json_string(o->stop_signal));
        if (o->has_stop_timeout)
                json_object_set_new(cfg, "StopTimeout", json_integer(o->stop_timeout));
        return 0;
}
