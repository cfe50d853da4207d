/* config.json: the top level, process, hooks and mounts; the linux object is
 * in spec-linux.c, the JSON helpers in spec-json.c.
 *
 * Validation here is about the document: types, required fields, value
 * ranges and names from fixed vocabularies (namespace types, rlimits). What
 * depends on the host (capability names the kernel knows, seccomp
 * architectures libseccomp supports, whether a path exists) is checked by
 * the layer that uses it. */

#include "oci/spec.h"

#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/util.h"
#include "oci/spec-internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6 */
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* ---- lookups ------------------------------------------------------------ */

static const char *const ns_spec_names[_NS_MAX + 1] = {
        [NS_PID] = "pid",   [NS_NET] = "network",   [NS_MNT] = "mount", [NS_IPC] = "ipc", [NS_UTS] = "uts",
        [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time", [_NS_MAX] = NULL,
};

static const char *const ns_proc_names[_NS_MAX] = {
        [NS_PID] = "pid", [NS_NET] = "net",   [NS_MNT] = "mnt",       [NS_IPC] = "ipc",
        [NS_UTS] = "uts", [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

static const int ns_clone_flags[_NS_MAX] = {
        [NS_PID] = CLONE_NEWPID, [NS_NET] = CLONE_NEWNET,   [NS_MNT] = CLONE_NEWNS,        [NS_IPC] = CLONE_NEWIPC,
        [NS_UTS] = CLONE_NEWUTS, [NS_USER] = CLONE_NEWUSER, [NS_CGROUP] = CLONE_NEWCGROUP, [NS_TIME] = CLONE_NEWTIME,
};

const char *ns_type_to_string(NsType t)
{
        return (unsigned)t < _NS_MAX ? ns_spec_names[t] : NULL;
}

int ns_type_from_string(const char *s)
{
        for (int t = 0; t < _NS_MAX; t++)
                if (s && streq(s, ns_spec_names[t]))
                        return t;
        return -EINVAL;
}

const char *ns_type_proc_name(NsType t)
{
        return (unsigned)t < _NS_MAX ? ns_proc_names[t] : NULL;
}

int ns_type_clone_flag(NsType t)
{
        return (unsigned)t < _NS_MAX ? ns_clone_flags[t] : 0;
}

static const char *const hook_names[_HOOK_MAX + 1] = {
        [HOOK_PRESTART] = "prestart",
        [HOOK_CREATE_RUNTIME] = "createRuntime",
        [HOOK_CREATE_CONTAINER] = "createContainer",
        [HOOK_START_CONTAINER] = "startContainer",
        [HOOK_POSTSTART] = "poststart",
        [HOOK_POSTSTOP] = "poststop",
        [_HOOK_MAX] = NULL,
};

const char *hook_kind_to_string(HookKind k)
{
        return (unsigned)k < _HOOK_MAX ? hook_names[k] : NULL;
}

const SpecNamespace *spec_namespace(const Spec *spec, NsType t)
{
        if (!spec || !spec->has_linux)
                return NULL;
        for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
                if (spec->linux_.namespaces[i].type == t)
                        return &spec->linux_.namespaces[i];
        return NULL;
}

void spec_namespace_remove(Spec *spec, NsType t)
{
        SpecLinux *l = &spec->linux_;

        for (size_t i = 0; i < l->n_namespaces; i++)
                if (l->namespaces[i].type == t) {
                        free(l->namespaces[i].path);
                        memmove(&l->namespaces[i], &l->namespaces[i + 1],
                                (l->n_namespaces - i - 1) * sizeof(SpecNamespace));
                        l->n_namespaces--;
                        return;
                }
}

const char *spec_annotation(const Spec *spec, const char *key)
{
        if (!spec || !key)
                return NULL;
        for (size_t i = 0; i < spec->n_annotations; i++)
                if (streq(spec->annotations[i].key, key))
                        return spec->annotations[i].value;
        return NULL;
}

/* ---- freeing ------------------------------------------------------------ */

static void capabilities_clear(SpecCapabilities *caps)
{
        strv_free(caps->bounding);
        strv_free(caps->effective);
        strv_free(caps->inheritable);
        strv_free(caps->permitted);
        strv_free(caps->ambient);
        *caps = (SpecCapabilities){ 0 };
}

static void process_clear(SpecProcess *p)
{
        free(p->user.additional_gids);
        free(p->user.username);
        strv_free(p->args);
        free(p->command_line);
        strv_free(p->env);
        free(p->cwd);
        capabilities_clear(&p->capabilities);
        if (p->rlimits)
                for (size_t i = 0; i < p->n_rlimits; i++)
                        free(p->rlimits[i].type);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        free(p->io_priority_class);
        free(p->scheduler.policy);
        strv_free(p->scheduler.flags);
        free(p->exec_cpu_affinity_initial);
        free(p->exec_cpu_affinity_final);
        *p = (SpecProcess){ 0 };
}

void spec_process_free(SpecProcess *p)
{
        if (!p)
                return;
        process_clear(p);
        free(p);
}

static void mount_clear(SpecMount *m)
{
        free(m->destination);
        free(m->type);
        free(m->source);
        strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

void spec_mount_remove(Spec *spec, size_t i)
{
        mount_clear(&spec->mounts[i]);
        memmove(&spec->mounts[i], &spec->mounts[i + 1], (spec->n_mounts - i - 1) * sizeof(SpecMount));
        spec->n_mounts--;
}

static void hook_clear(SpecHook *h)
{
        free(h->path);
        strv_free(h->args);
        strv_free(h->env);
}

void spec_free(Spec *spec)
{
        if (!spec)
                return;
        free(spec->oci_version);
        free(spec->root_path);
        process_clear(&spec->process);
        free(spec->hostname);
        free(spec->domainname);
        if (spec->mounts)
                for (size_t i = 0; i < spec->n_mounts; i++)
                        mount_clear(&spec->mounts[i]);
        free(spec->mounts);
        for (int k = 0; k < _HOOK_MAX; k++) {
                if (spec->hooks[k])
                        for (size_t i = 0; i < spec->n_hooks[k]; i++)
                                hook_clear(&spec->hooks[k][i]);
                free(spec->hooks[k]);
        }
        spec_kv_free(spec->annotations, spec->n_annotations);
        spec_linux_clear(&spec->linux_);
        strv_free(spec->warnings);
        free(spec);
}

/* ---- ociVersion ---------------------------------------------------------- */

/* Parse "MAJOR.MINOR.PATCH" followed by nothing, "-prerelease" or "+build"
 * (semver, which the runtime-spec uses). Returns false on anything else. */
static bool parse_version(const char *s, unsigned v[3])
{
        for (int i = 0; i < 3; i++) {
                unsigned long n = 0;
                const char *start = s;

                while (*s >= '0' && *s <= '9') {
                        n = n * 10 + (unsigned long)(*s - '0');
                        if (n > 100000)
                                return false;
                        s++;
                }
                if (s == start || (s - start > 1 && *start == '0'))
                        return false;
                v[i] = (unsigned)n;
                if (i < 2) {
                        if (*s != '.')
                                return false;
                        s++;
                }
        }
        return *s == '\0' || ((*s == '-' || *s == '+') && s[1] != '\0');
}

static int check_oci_version(ParseCtx *c, const char *version)
{
        unsigned v[3], max[3];

        if (!parse_version(SPEC_VERSION_MAX, max))
                return spec_fail(c, "internal error: bad SPEC_VERSION_MAX");
        if (!parse_version(version, v))
                return spec_fail(c, "ociVersion \"%s\" is not a valid version (allowed: 1.0.0 to %s)", version,
                                 SPEC_VERSION_MAX);
        /* Pre-releases of a version compare equal to it: "1.0.0-rc5" is a
         * 1.0.0 for us (configs from before 1.0 final still circulate). */
        if (v[0] != 1 || v[1] > max[1] || (v[1] == max[1] && v[2] > max[2]))
                return spec_fail(c, "ociVersion \"%s\" is not supported (allowed: 1.0.0 to %s)", version,
                                 SPEC_VERSION_MAX);
        return 0;
}

/* ---- process ------------------------------------------------------------- */

typedef struct RlimitName {
        const char *name;
        int resource;
} RlimitName;

static const RlimitName rlimit_names[] = {
        { "RLIMIT_AS", RLIMIT_AS },
        { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },
        { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },
        { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
        { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },
        { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },
        { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
        { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
        { "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(ParseCtx *c, const json_t *o, const char *path, SpecProcess *p)
{
        char rp[JPATH_MAX], tp[JPATH_MAX];
        json_t *a;
        int r;

        r = get_array(c, o, path, "rlimits", &a);
        if (r < 0 || !a)
                return r;
        jpath_key(rp, path, "rlimits");

        p->rlimits = calloc(json_array_size(a) + 1, sizeof(SpecRlimit));
        if (!p->rlimits)
                return spec_oom(c);
        p->n_rlimits = json_array_size(a);
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const json_t *e = json_array_get(a, i);
                SpecRlimit *rl = &p->rlimits[i];
                char ep[JPATH_MAX];
                bool found = false;

                jpath_index(ep, rp, i);
                if (!json_is_object(e))
                        return spec_fail(c, "%s must be an object", ep);
                r = get_string(c, e, ep, "type", true, &rl->type);
                if (r < 0)
                        return r;
                for (size_t k = 0; k < ELEMENTSOF(rlimit_names); k++)
                        if (streq(rl->type, rlimit_names[k].name)) {
                                rl->resource = rlimit_names[k].resource;
                                found = true;
                        }
                if (!found) {
                        const char *names[ELEMENTSOF(rlimit_names) + 1] = { NULL };

                        for (size_t k = 0; k < ELEMENTSOF(rlimit_names); k++)
                                names[k] = rlimit_names[k].name;
                        return spec_fail_unknown(c, jpath_key(tp, ep, "type"), "rlimit", rl->type, names);
                }
                /* setrlimit() would silently take the last one: almost
                 * certainly a mistake in whatever generated the config. */
                for (size_t k = 0; k < i; k++)
                        if (p->rlimits[k].resource == rl->resource)
                                return spec_fail(c, "%s: duplicate rlimit type \"%s\" (also in %s[%zu])", ep, rl->type,
                                                 rp, k);
                r = get_u64(c, e, ep, "soft", UINT64_MAX, true, NULL, &rl->soft);
                if (r < 0)
                        return r;
                r = get_u64(c, e, ep, "hard", UINT64_MAX, true, NULL, &rl->hard);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_capabilities(ParseCtx *c, const json_t *o, const char *path, SpecProcess *p)
{
        char cp[JPATH_MAX];
        json_t *caps;
        int r;

        r = get_object(c, o, path, "capabilities", &caps);
        if (r < 0 || !caps)
                return r;
        jpath_key(cp, path, "capabilities");
        p->has_capabilities = true;
        if ((r = get_strv(c, caps, cp, "bounding", false, &p->capabilities.bounding, NULL)) < 0 ||
            (r = get_strv(c, caps, cp, "effective", false, &p->capabilities.effective, NULL)) < 0 ||
            (r = get_strv(c, caps, cp, "inheritable", false, &p->capabilities.inheritable, NULL)) < 0 ||
            (r = get_strv(c, caps, cp, "permitted", false, &p->capabilities.permitted, NULL)) < 0 ||
            (r = get_strv(c, caps, cp, "ambient", false, &p->capabilities.ambient, NULL)) < 0)
                return r;
        return 0;
}

static int parse_user(ParseCtx *c, const json_t *o, const char *path, SpecProcess *p)
{
        char up[JPATH_MAX];
        json_t *u, *gids;
        uint64_t umask_v = 0;
        int r;

        /* An absent user is uid 0, gid 0, as in runc (Go's zero value). */
        r = get_object(c, o, path, "user", &u);
        if (r < 0 || !u)
                return r;
        jpath_key(up, path, "user");

        /* (uid_t)-1 means "leave unchanged" to setresuid(2): a config saying
         * 4294967295 would keep the runtime's own uid (root). */
        if ((r = GET_UINT(c, u, up, "uid", UINT32_MAX - 1, true, NULL, p->user.uid)) < 0 ||
            (r = GET_UINT(c, u, up, "gid", UINT32_MAX - 1, true, NULL, p->user.gid)) < 0)
                return r;
        r = get_u64(c, u, up, "umask", 0777, false, &p->user.has_umask, &umask_v);
        if (r < 0)
                return r;
        p->user.umask = (mode_t)umask_v;
        r = get_string(c, u, up, "username", false, &p->user.username);
        if (r < 0)
                return r;

        r = get_array(c, u, up, "additionalGids", &gids);
        if (r < 0 || !gids)
                return r;
        p->user.additional_gids = calloc(json_array_size(gids) + 1, sizeof(gid_t));
        if (!p->user.additional_gids)
                return spec_oom(c);
        p->user.n_additional_gids = json_array_size(gids);
        for (size_t i = 0; i < p->user.n_additional_gids; i++) {
                char gp[JPATH_MAX], ap[JPATH_MAX];
                uint64_t g;

                jpath_index(gp, jpath_key(ap, up, "additionalGids"), i);
                r = jv_u64(c, json_array_get(gids, i), gp, UINT32_MAX - 1, &g);
                if (r < 0)
                        return r;
                p->user.additional_gids[i] = (gid_t)g;
        }
        return 0;
}

static const char *const ioprio_classes[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };

static const char *const sched_policies[] = {
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

static const char *const sched_flags[] = {
        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",        "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
        "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

static int parse_io_priority(ParseCtx *c, const json_t *o, const char *path, SpecProcess *p)
{
        char ip[JPATH_MAX], kp[JPATH_MAX];
        json_t *io;
        int r;

        r = get_object(c, o, path, "ioPriority", &io);
        if (r < 0 || !io)
                return r;
        jpath_key(ip, path, "ioPriority");
        p->has_io_priority = true;
        r = get_string(c, io, ip, "class", true, &p->io_priority_class);
        if (r < 0)
                return r;
        if (!str_in(p->io_priority_class, ioprio_classes))
                return spec_fail_unknown(c, jpath_key(kp, ip, "class"), "class", p->io_priority_class, ioprio_classes);
        /* The kernel's IOPRIO_PRIO_DATA levels are 0 (highest) to 7. */
        return GET_INT(c, io, ip, "priority", 0, 7, false, NULL, p->io_priority);
}

static int parse_scheduler(ParseCtx *c, const json_t *o, const char *path, SpecProcess *p)
{
        char sp[JPATH_MAX], kp[JPATH_MAX];
        SpecScheduler *s = &p->scheduler;
        json_t *so;
        int r;

        r = get_object(c, o, path, "scheduler", &so);
        if (r < 0 || !so)
                return r;
        jpath_key(sp, path, "scheduler");
        p->has_scheduler = true;
        r = get_string(c, so, sp, "policy", true, &s->policy);
        if (r < 0)
                return r;
        if (!str_in(s->policy, sched_policies))
                return spec_fail_unknown(c, jpath_key(kp, sp, "policy"), "policy", s->policy, sched_policies);
        if ((r = GET_INT(c, so, sp, "nice", -20, 19, false, NULL, s->nice)) < 0 ||
            (r = GET_INT(c, so, sp, "priority", INT32_MIN, INT32_MAX, false, NULL, s->priority)) < 0 ||
            (r = get_strv(c, so, sp, "flags", false, &s->flags, NULL)) < 0 ||
            (r = get_u64(c, so, sp, "runtime", UINT64_MAX, false, NULL, &s->runtime)) < 0 ||
            (r = get_u64(c, so, sp, "deadline", UINT64_MAX, false, NULL, &s->deadline)) < 0 ||
            (r = get_u64(c, so, sp, "period", UINT64_MAX, false, NULL, &s->period)) < 0)
                return r;
        for (size_t i = 0; s->flags && s->flags[i]; i++)
                if (!str_in(s->flags[i], sched_flags)) {
                        char fp[JPATH_MAX], fi[JPATH_MAX];

                        return spec_fail_unknown(c, jpath_index(fi, jpath_key(fp, sp, "flags"), i), "flag", s->flags[i],
                                                 sched_flags);
                }
        return 0;
}

static int parse_process_obj(ParseCtx *c, const json_t *o, const char *path, SpecProcess *p)
{
        char kp[JPATH_MAX];
        json_t *v;
        int r;

        if ((r = get_bool(c, o, path, "terminal", NULL, &p->terminal)) < 0)
                return r;

        r = get_object(c, o, path, "consoleSize", &v);
        if (r < 0)
                return r;
        if (v) {
                jpath_key(kp, path, "consoleSize");
                p->has_console_size = true;
                if ((r = GET_UINT(c, v, kp, "height", UINT16_MAX, true, NULL, p->console_size.height)) < 0 ||
                    (r = GET_UINT(c, v, kp, "width", UINT16_MAX, true, NULL, p->console_size.width)) < 0)
                        return r;
        }

        if ((r = parse_user(c, o, path, p)) < 0)
                return r;

        if ((r = get_strv(c, o, path, "args", true, &p->args, &p->n_args)) < 0 ||
            (r = get_string(c, o, path, "commandLine", false, &p->command_line)) < 0)
                return r;
        if (p->n_args == 0) {
                /* commandLine is the Windows form of args; on Linux it
                 * cannot stand in for them. */
                if (p->command_line)
                        return spec_fail(c, "%s must be a non-empty array of strings (%s is only used on Windows)",
                                         jpath_key(kp, path, "args"), "commandLine");
                return spec_fail(c, "%s must be a non-empty array of strings", jpath_key(kp, path, "args"));
        }

        if ((r = get_strv(c, o, path, "env", false, &p->env, &p->n_env)) < 0)
                return r;

        r = get_string(c, o, path, "cwd", true, &p->cwd);
        if (r < 0)
                return r;
        if (p->cwd[0] != '/')
                return spec_fail(c, "%s must be an absolute path (got \"%s\")", jpath_key(kp, path, "cwd"), p->cwd);

        if ((r = parse_capabilities(c, o, path, p)) < 0 || (r = parse_rlimits(c, o, path, p)) < 0 ||
            (r = get_bool(c, o, path, "noNewPrivileges", NULL, &p->no_new_privileges)) < 0 ||
            (r = get_string(c, o, path, "apparmorProfile", false, &p->apparmor_profile)) < 0 ||
            (r = get_string(c, o, path, "selinuxLabel", false, &p->selinux_label)) < 0 ||
            (r = GET_INT(c, o, path, "oomScoreAdj", -1000, 1000, false, &p->has_oom_score_adj, p->oom_score_adj)) < 0 ||
            (r = parse_io_priority(c, o, path, p)) < 0 || (r = parse_scheduler(c, o, path, p)) < 0)
                return r;

        r = get_object(c, o, path, "execCPUAffinity", &v);
        if (r < 0)
                return r;
        if (v) {
                jpath_key(kp, path, "execCPUAffinity");
                if ((r = get_string(c, v, kp, "initial", false, &p->exec_cpu_affinity_initial)) < 0 ||
                    (r = get_string(c, v, kp, "final", false, &p->exec_cpu_affinity_final)) < 0)
                        return r;
        }
        return 0;
}

/* ---- hooks, mounts -------------------------------------------------------- */

static int parse_hooks(ParseCtx *c, const json_t *o, Spec *spec)
{
        json_t *hooks;
        int r;

        r = get_object(c, o, "", "hooks", &hooks);
        if (r < 0 || !hooks)
                return r;

        for (int k = 0; k < _HOOK_MAX; k++) {
                char hp[JPATH_MAX];
                json_t *a;

                jpath_key(hp, "hooks", hook_names[k]);
                r = get_array(c, hooks, "hooks", hook_names[k], &a);
                if (r < 0)
                        return r;
                if (!a)
                        continue;
                spec->hooks[k] = calloc(json_array_size(a) + 1, sizeof(SpecHook));
                if (!spec->hooks[k])
                        return spec_oom(c);
                spec->n_hooks[k] = json_array_size(a);
                for (size_t i = 0; i < spec->n_hooks[k]; i++) {
                        const json_t *e = json_array_get(a, i);
                        SpecHook *h = &spec->hooks[k][i];
                        char ep[JPATH_MAX], kp[JPATH_MAX];

                        jpath_index(ep, hp, i);
                        if (!json_is_object(e))
                                return spec_fail(c, "%s must be an object", ep);
                        r = get_string(c, e, ep, "path", true, &h->path);
                        if (r < 0)
                                return r;
                        if (h->path[0] != '/')
                                return spec_fail(c, "%s must be an absolute path (got \"%s\")",
                                                 jpath_key(kp, ep, "path"), h->path);
                        if ((r = get_strv(c, e, ep, "args", false, &h->args, NULL)) < 0 ||
                            (r = get_strv(c, e, ep, "env", false, &h->env, NULL)) < 0 ||
                            (r = GET_INT(c, e, ep, "timeout", 1, INT32_MAX, false, &h->has_timeout, h->timeout)) < 0)
                                return r;
                }
        }
        return 0;
}

static int parse_mounts(ParseCtx *c, const json_t *o, Spec *spec)
{
        json_t *a;
        int r;

        r = get_array(c, o, "", "mounts", &a);
        if (r < 0 || !a)
                return r;
        spec->mounts = calloc(json_array_size(a) + 1, sizeof(SpecMount));
        if (!spec->mounts)
                return spec_oom(c);
        spec->n_mounts = json_array_size(a);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const json_t *e = json_array_get(a, i);
                SpecMount *m = &spec->mounts[i];
                char ep[JPATH_MAX], kp[JPATH_MAX];

                jpath_index(ep, "mounts", i);
                if (!json_is_object(e))
                        return spec_fail(c, "%s must be an object", ep);
                r = get_string(c, e, ep, "destination", true, &m->destination);
                if (r < 0)
                        return r;
                if (m->destination[0] == '\0')
                        return spec_fail(c, "%s must be an absolute path", jpath_key(kp, ep, "destination"));
                /* runtime-spec 1.1: "This value MUST be an absolute path."
                 * (runc 1.1 still guessed with a warning.) */
                if (m->destination[0] != '/')
                        return spec_fail(c, "%s must be an absolute path, not \"%s\"", jpath_key(kp, ep, "destination"),
                                         m->destination);
                if ((r = get_string(c, e, ep, "type", false, &m->type)) < 0 ||
                    (r = get_string(c, e, ep, "source", false, &m->source)) < 0 ||
                    (r = get_strv(c, e, ep, "options", false, &m->options, &m->n_options)) < 0 ||
                    (r = spec_parse_idmaps(c, e, ep, "uidMappings", &m->uid_mappings, &m->n_uid_mappings)) < 0 ||
                    (r = spec_parse_idmaps(c, e, ep, "gidMappings", &m->gid_mappings, &m->n_gid_mappings)) < 0)
                        return r;
        }
        return 0;
}

/* ---- entry points -------------------------------------------------------- */

static int parse_spec_obj(ParseCtx *c, const json_t *o, Spec *spec)
{
        json_t *v;
        int r;

        r = get_string(c, o, "", "ociVersion", true, &spec->oci_version);
        if (r < 0)
                return r;
        r = check_oci_version(c, spec->oci_version);
        if (r < 0)
                return r;

        r = get_object(c, o, "", "root", &v);
        if (r < 0)
                return r;
        if (v) {
                if ((r = get_string(c, v, "root", "path", true, &spec->root_path)) < 0 ||
                    (r = get_bool(c, v, "root", "readonly", NULL, &spec->root_readonly)) < 0)
                        return r;
                if (spec->root_path[0] == '\0')
                        return spec_fail(c, "root.path must not be empty");
        }

        r = get_object(c, o, "", "process", &v);
        if (r < 0)
                return r;
        if (v) {
                /* A process runs in some root filesystem; runc refuses a
                 * config that has one without the other. */
                if (!spec->root_path)
                        return spec_fail(c, "root is required when process is set");
                spec->has_process = true;
                r = parse_process_obj(c, v, "process", &spec->process);
                if (r < 0)
                        return r;
        }

        if ((r = get_string(c, o, "", "hostname", false, &spec->hostname)) < 0 ||
            (r = get_string(c, o, "", "domainname", false, &spec->domainname)) < 0 ||
            (r = parse_mounts(c, o, spec)) < 0 || (r = parse_hooks(c, o, spec)) < 0 ||
            (r = get_kv(c, o, "", "annotations", &spec->annotations, &spec->n_annotations)) < 0)
                return r;

        r = get_object(c, o, "", "linux", &v);
        if (r < 0)
                return r;
        if (v) {
                spec->has_linux = true;
                r = spec_parse_linux(c, v, "linux", &spec->linux_);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_root(ParseCtx *c, const json_t *root, Spec **ret_spec)
{
        _cleanup_spec_ Spec *spec = calloc(1, sizeof(Spec));
        int r;

        if (!spec)
                return spec_oom(c);
        if (!json_is_object(root))
                return spec_fail(c, "the top level must be a JSON object");
        r = parse_spec_obj(c, root, spec);
        if (r < 0)
                return r;
        spec->warnings = TAKE_PTR(c->warnings);
        spec->n_warnings = c->n_warnings;
        *ret_spec = TAKE_PTR(spec);
        return 0;
}

int spec_parse(const char *text, size_t len, const char *filename, Spec **ret_spec, Error **ret_err)
{
        _cleanup_(parse_ctx_done) ParseCtx c = { .filename = filename ? filename : "config.json", .err = ret_err };
        json_t *root = NULL;
        int r;

        r = spec_json_load(&c, text, len, &root);
        if (r < 0)
                return r;
        r = parse_root(&c, root, ret_spec);
        json_decref(root);
        return r;
}

int spec_parse_json(const json_t *root, const char *filename, Spec **ret_spec, Error **ret_err)
{
        _cleanup_(parse_ctx_done) ParseCtx c = { .filename = filename ? filename : "config.json", .err = ret_err };

        return parse_root(&c, root, ret_spec);
}

int spec_load(const char *path, Spec **ret_spec, Error **ret_err)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        r = read_full_file(path, &text, &len, ret_err);
        if (r < 0)
                return r;
        return spec_parse(text, len, path, ret_spec, ret_err);
}

int spec_parse_process(const char *text, size_t len, const char *filename, SpecProcess **ret_proc, Error **ret_err)
{
        _cleanup_(parse_ctx_done) ParseCtx c = { .filename = filename ? filename : "process.json", .err = ret_err };
        SpecProcess *p;
        json_t *root = NULL;
        int r;

        r = spec_json_load(&c, text, len, &root);
        if (r < 0)
                return r;
        p = calloc(1, sizeof(SpecProcess));
        if (!p) {
                json_decref(root);
                return spec_oom(&c);
        }
        /* The path prefix is empty: in a process.json, "args" is top level. */
        r = parse_process_obj(&c, root, "", p);
        json_decref(root);
        if (r < 0) {
                spec_process_free(p);
                return r;
        }
        *ret_proc = p;
        return 0;
}

int spec_parse_resources(const char *text, size_t len, const char *filename, SpecResources **ret_res, Error **ret_err)
{
        _cleanup_(parse_ctx_done) ParseCtx c = { .filename = filename ? filename : "resources.json", .err = ret_err };
        SpecResources *res;
        json_t *root = NULL;
        int r;

        r = spec_json_load(&c, text, len, &root);
        if (r < 0)
                return r;
        res = calloc(1, sizeof(SpecResources));
        if (!res) {
                json_decref(root);
                return spec_oom(&c);
        }
        r = spec_parse_resources_obj(&c, root, "", res);
        json_decref(root);
        if (r < 0) {
                spec_resources_free(res);
                return r;
        }
        *ret_res = res;
        return 0;
}

void spec_resources_free(SpecResources *r)
{
        if (!r)
                return;
        spec_resources_clear(r);
        free(r);
}
