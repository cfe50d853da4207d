/* config.json: the `linux` object (namespaces, id maps, devices, resources,
 * seccomp, personality, time offsets, ...). Names come from the
 * runtime-spec's config-linux.md. */

#include <inttypes.h>
#include <string.h>

#include "lib/util.h"
#include "oci/spec-internal.h"

const char *const spec_seccomp_actions[] = {
        "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_LOG",   "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",         NULL,
};

const char *const spec_seccomp_operators[] = {
        "SCMP_CMP_EQ", "SCMP_CMP_GE",        "SCMP_CMP_GT", "SCMP_CMP_LE",
        "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

static const char *const propagations[] = {
        "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable", NULL,
};

static const char *const personality_domains[] = { "LINUX", "LINUX32", NULL };

/* ---- freeing ------------------------------------------------------------ */

void spec_resources_clear(SpecResources *r)
{
        if (r->devices)
                for (size_t i = 0; i < r->n_devices; i++)
                        free(r->devices[i].access);
        free(r->devices);
        free(r->cpu_cpus);
        free(r->cpu_mems);
        free(r->blkio_weight_devices);
        free(r->blkio_throttle_read_bps);
        free(r->blkio_throttle_write_bps);
        free(r->blkio_throttle_read_iops);
        free(r->blkio_throttle_write_iops);
        if (r->hugepage_limits)
                for (size_t i = 0; i < r->n_hugepage_limits; i++)
                        free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        if (r->network_priorities)
                for (size_t i = 0; i < r->n_network_priorities; i++)
                        free(r->network_priorities[i].name);
        free(r->network_priorities);
        spec_kv_free(r->unified, r->n_unified);
        *r = (SpecResources){ 0 };
}

void spec_seccomp_clear(SpecSeccomp *s)
{
        free(s->default_action);
        strv_free(s->architectures);
        strv_free(s->flags);
        free(s->listener_path);
        free(s->listener_metadata);
        if (s->syscalls)
                for (size_t i = 0; i < s->n_syscalls; i++) {
                        SpecSeccompSyscall *sc = &s->syscalls[i];

                        strv_free(sc->names);
                        free(sc->action);
                        if (sc->args)
                                for (size_t j = 0; j < sc->n_args; j++)
                                        free(sc->args[j].op);
                        free(sc->args);
                }
        free(s->syscalls);
        *s = (SpecSeccomp){ 0 };
}

void spec_linux_clear(SpecLinux *l)
{
        if (l->namespaces)
                for (size_t i = 0; i < l->n_namespaces; i++)
                        free(l->namespaces[i].path);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        if (l->devices)
                for (size_t i = 0; i < l->n_devices; i++)
                        free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        spec_resources_clear(&l->resources);
        free(l->rootfs_propagation);
        spec_kv_free(l->sysctl, l->n_sysctl);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
        spec_seccomp_clear(&l->seccomp);
        free(l->personality_domain);
        strv_free(l->personality_flags);
        free(l->intel_rdt_clos_id);
        *l = (SpecLinux){ 0 };
}

/* ---- id maps ------------------------------------------------------------- */

static int parse_idmap(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecIdMap *m = elem;
        int r;

        if ((r = GET_UINT(c, e, path, "containerID", UINT32_MAX, true, NULL, m->container_id)) < 0 ||
            (r = GET_UINT(c, e, path, "hostID", UINT32_MAX, true, NULL, m->host_id)) < 0 ||
            (r = GET_UINT(c, e, path, "size", UINT32_MAX, true, NULL, m->size)) < 0)
                return r;
        /* The kernel rejects these too, but only at write time to
         * uid_map, in the middle of container creation, with a bare EINVAL. */
        if (m->size == 0)
                return spec_fail(c, "%s.size must be a positive integer", path);
        if ((uint64_t)m->container_id + m->size > (uint64_t)UINT32_MAX + 1 ||
            (uint64_t)m->host_id + m->size > (uint64_t)UINT32_MAX + 1)
                return spec_fail(c, "%s: the range overflows 32-bit ids", path);
        return 0;
}

int spec_parse_idmaps(ParseCtx *c, const json_t *o, const char *path, const char *key, SpecIdMap **ret, size_t *ret_n)
{
        return GET_OBJECT_ARRAY(c, o, path, key, ret, ret_n, parse_idmap, NULL);
}

/* ---- namespaces, devices ------------------------------------------------- */

static int parse_namespace(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        const SpecLinux *l = userdata;
        SpecNamespace *ns = elem;
        _cleanup_free_ char *type = NULL;
        char kp[JPATH_MAX];
        int r, t;

        r = get_string(c, e, path, "type", true, &type);
        if (r < 0)
                return r;
        t = ns_type_from_string(type);
        if (t < 0) {
                const char *names[_NS_MAX + 1] = { NULL };

                for (int k = 0; k < _NS_MAX; k++)
                        names[k] = ns_type_to_string((NsType)k);
                return spec_fail_unknown(c, jpath_key(kp, path, "type"), "namespace type", type, names);
        }
        ns->type = (NsType)t;
        for (size_t k = 0; k < i; k++)
                if (l->namespaces[k].type == ns->type)
                        return spec_fail(c, "%s: duplicate namespace type \"%s\" (also in linux.namespaces[%zu])", path,
                                         type, k);

        r = get_string(c, e, path, "path", false, &ns->path);
        if (r < 0)
                return r;
        /* Go's zero value: "" means "create a new one". */
        if (ns->path && ns->path[0] == '\0') {
                free(ns->path);
                ns->path = NULL;
        }
        if (ns->path && ns->path[0] != '/')
                return spec_fail(c, "%s must be an absolute path (got \"%s\")", jpath_key(kp, path, "path"), ns->path);
        return 0;
}

static int parse_device(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecDevice *d = elem;
        _cleanup_free_ char *type = NULL;
        char kp[JPATH_MAX];
        uint64_t mode = 0;
        int r;

        r = get_string(c, e, path, "type", true, &type);
        if (r < 0)
                return r;
        if (strlen(type) != 1 || !strchr("cbup", type[0]))
                return spec_fail(c, "%s: unknown device type \"%s\" (allowed: c, b, u, p)", jpath_key(kp, path, "type"),
                                 type);
        d->type = type[0];

        r = get_string(c, e, path, "path", true, &d->path);
        if (r < 0)
                return r;
        if (d->path[0] != '/')
                return spec_fail(c, "%s must be an absolute path (got \"%s\")", jpath_key(kp, path, "path"), d->path);

        /* A fifo has no device number; the others need both halves. */
        if ((r = get_i64(c, e, path, "major", INT64_MIN, INT64_MAX, d->type != 'p', NULL, &d->major)) < 0 ||
            (r = get_i64(c, e, path, "minor", INT64_MIN, INT64_MAX, d->type != 'p', NULL, &d->minor)) < 0 ||
            (r = get_u64(c, e, path, "fileMode", 07777, false, &d->has_file_mode, &mode)) < 0 ||
            (r = GET_UINT(c, e, path, "uid", UINT32_MAX - 1, false, &d->has_uid, d->uid)) < 0 ||
            (r = GET_UINT(c, e, path, "gid", UINT32_MAX - 1, false, &d->has_gid, d->gid)) < 0)
                return r;
        d->file_mode = (mode_t)mode;
        return 0;
}

/* ---- resources ------------------------------------------------------------ */

static int parse_device_rule(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecDeviceRule *d = elem;
        _cleanup_free_ char *type = NULL;
        char kp[JPATH_MAX];
        bool has_allow = false;
        int r;

        r = get_bool(c, e, path, "allow", &has_allow, &d->allow);
        if (r < 0)
                return r;
        if (!has_allow)
                return spec_fail(c, "%s is required", jpath_key(kp, path, "allow"));

        d->type = 'a';
        d->major = d->minor = -1;
        r = get_string(c, e, path, "type", false, &type);
        if (r < 0)
                return r;
        /* "" is Go's zero value, i.e. absent: all devices. */
        if (type && type[0] != '\0') {
                if (strlen(type) != 1 || !strchr("acb", type[0]))
                        return spec_fail(c, "%s: unknown device type \"%s\" (allowed: a, c, b)",
                                         jpath_key(kp, path, "type"), type);
                d->type = type[0];
        }
        if ((r = get_i64(c, e, path, "major", -1, INT64_MAX, false, NULL, &d->major)) < 0 ||
            (r = get_i64(c, e, path, "minor", -1, INT64_MAX, false, NULL, &d->minor)) < 0 ||
            (r = get_string(c, e, path, "access", false, &d->access)) < 0)
                return r;
        if (d->access) {
                for (const char *a = d->access; *a; a++)
                        if (!strchr("rwm", *a) || strchr(a + 1, *a))
                                return spec_fail(c, "%s must be a combination of r, w and m (got \"%s\")",
                                                 jpath_key(kp, path, "access"), d->access);
        }
        return 0;
}

static int parse_weight_device(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecWeightDevice *w = elem;
        int r;

        if ((r = get_i64(c, e, path, "major", INT64_MIN, INT64_MAX, true, NULL, &w->major)) < 0 ||
            (r = get_i64(c, e, path, "minor", INT64_MIN, INT64_MAX, true, NULL, &w->minor)) < 0 ||
            (r = GET_UINT(c, e, path, "weight", UINT16_MAX, false, &w->has_weight, w->weight)) < 0 ||
            (r = GET_UINT(c, e, path, "leafWeight", UINT16_MAX, false, &w->has_leaf_weight, w->leaf_weight)) < 0)
                return r;
        return 0;
}

static int parse_throttle_device(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecThrottleDevice *t = elem;
        int r;

        if ((r = get_i64(c, e, path, "major", INT64_MIN, INT64_MAX, true, NULL, &t->major)) < 0 ||
            (r = get_i64(c, e, path, "minor", INT64_MIN, INT64_MAX, true, NULL, &t->minor)) < 0 ||
            (r = get_u64(c, e, path, "rate", UINT64_MAX, true, NULL, &t->rate)) < 0)
                return r;
        return 0;
}

static int parse_hugepage_limit(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecHugepageLimit *h = elem;
        int r;

        if ((r = get_string(c, e, path, "pageSize", true, &h->page_size)) < 0 ||
            (r = get_u64(c, e, path, "limit", UINT64_MAX, true, NULL, &h->limit)) < 0)
                return r;
        return 0;
}

static int parse_net_priority(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecNetPriority *p = elem;
        int r;

        if ((r = get_string(c, e, path, "name", true, &p->name)) < 0 ||
            (r = GET_UINT(c, e, path, "priority", UINT32_MAX, true, NULL, p->priority)) < 0)
                return r;
        return 0;
}

static int parse_memory(ParseCtx *c, const json_t *o, const char *path, SpecResources *res)
{
        char mp[JPATH_MAX];
        json_t *m;
        int r;

        r = get_object(c, o, path, "memory", &m);
        if (r < 0 || !m)
                return r;
        jpath_key(mp, path, "memory");
        /* Signed: -1 means unlimited. */
        if ((r = get_i64(c, m, mp, "limit", INT64_MIN, INT64_MAX, false, &res->has_memory_limit, &res->memory_limit)) <
                    0 ||
            (r = get_i64(c, m, mp, "reservation", INT64_MIN, INT64_MAX, false, &res->has_memory_reservation,
                         &res->memory_reservation)) < 0 ||
            (r = get_i64(c, m, mp, "swap", INT64_MIN, INT64_MAX, false, &res->has_memory_swap, &res->memory_swap)) <
                    0 ||
            (r = get_i64(c, m, mp, "kernel", INT64_MIN, INT64_MAX, false, &res->has_memory_kernel,
                         &res->memory_kernel)) < 0 ||
            (r = get_i64(c, m, mp, "kernelTCP", INT64_MIN, INT64_MAX, false, &res->has_memory_kernel_tcp,
                         &res->memory_kernel_tcp)) < 0 ||
            (r = get_u64(c, m, mp, "swappiness", UINT64_MAX, false, &res->has_memory_swappiness,
                         &res->memory_swappiness)) < 0 ||
            (r = get_bool(c, m, mp, "disableOOMKiller", &res->has_memory_disable_oom_killer,
                          &res->memory_disable_oom_killer)) < 0 ||
            (r = get_bool(c, m, mp, "useHierarchy", &res->has_memory_use_hierarchy, &res->memory_use_hierarchy)) < 0 ||
            (r = get_bool(c, m, mp, "checkBeforeUpdate", &res->has_memory_check_before_update,
                          &res->memory_check_before_update)) < 0)
                return r;
        return 0;
}

static int parse_cpu(ParseCtx *c, const json_t *o, const char *path, SpecResources *res)
{
        char cp[JPATH_MAX];
        json_t *v;
        int r;

        r = get_object(c, o, path, "cpu", &v);
        if (r < 0 || !v)
                return r;
        jpath_key(cp, path, "cpu");
        if ((r = get_u64(c, v, cp, "shares", UINT64_MAX, false, &res->has_cpu_shares, &res->cpu_shares)) < 0 ||
            (r = get_i64(c, v, cp, "quota", INT64_MIN, INT64_MAX, false, &res->has_cpu_quota, &res->cpu_quota)) < 0 ||
            (r = get_u64(c, v, cp, "burst", UINT64_MAX, false, &res->has_cpu_burst, &res->cpu_burst)) < 0 ||
            (r = get_u64(c, v, cp, "period", UINT64_MAX, false, &res->has_cpu_period, &res->cpu_period)) < 0 ||
            (r = get_i64(c, v, cp, "realtimeRuntime", INT64_MIN, INT64_MAX, false, &res->has_cpu_realtime_runtime,
                         &res->cpu_realtime_runtime)) < 0 ||
            (r = get_u64(c, v, cp, "realtimePeriod", UINT64_MAX, false, &res->has_cpu_realtime_period,
                         &res->cpu_realtime_period)) < 0 ||
            (r = get_string(c, v, cp, "cpus", false, &res->cpu_cpus)) < 0 ||
            (r = get_string(c, v, cp, "mems", false, &res->cpu_mems)) < 0 ||
            (r = get_i64(c, v, cp, "idle", INT64_MIN, INT64_MAX, false, &res->has_cpu_idle, &res->cpu_idle)) < 0)
                return r;
        return 0;
}

static int parse_blkio(ParseCtx *c, const json_t *o, const char *path, SpecResources *res)
{
        char bp[JPATH_MAX];
        json_t *b;
        int r;

        r = get_object(c, o, path, "blockIO", &b);
        if (r < 0 || !b)
                return r;
        jpath_key(bp, path, "blockIO");
        if ((r = GET_UINT(c, b, bp, "weight", UINT16_MAX, false, &res->has_blkio_weight, res->blkio_weight)) < 0 ||
            (r = GET_UINT(c, b, bp, "leafWeight", UINT16_MAX, false, &res->has_blkio_leaf_weight,
                          res->blkio_leaf_weight)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, b, bp, "weightDevice", &res->blkio_weight_devices, &res->n_blkio_weight_devices,
                                  parse_weight_device, NULL)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, b, bp, "throttleReadBpsDevice", &res->blkio_throttle_read_bps,
                                  &res->n_blkio_throttle_read_bps, parse_throttle_device, NULL)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, b, bp, "throttleWriteBpsDevice", &res->blkio_throttle_write_bps,
                                  &res->n_blkio_throttle_write_bps, parse_throttle_device, NULL)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, b, bp, "throttleReadIOPSDevice", &res->blkio_throttle_read_iops,
                                  &res->n_blkio_throttle_read_iops, parse_throttle_device, NULL)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, b, bp, "throttleWriteIOPSDevice", &res->blkio_throttle_write_iops,
                                  &res->n_blkio_throttle_write_iops, parse_throttle_device, NULL)) < 0)
                return r;
        return 0;
}

int spec_parse_resources_obj(ParseCtx *c, const json_t *o, const char *path, SpecResources *res)
{
        char kp[JPATH_MAX];
        json_t *v;
        int r;

        if ((r = GET_OBJECT_ARRAY(c, o, path, "devices", &res->devices, &res->n_devices, parse_device_rule, NULL)) <
                    0 ||
            (r = parse_memory(c, o, path, res)) < 0 || (r = parse_cpu(c, o, path, res)) < 0)
                return r;

        r = get_object(c, o, path, "pids", &v);
        if (r < 0)
                return r;
        if (v && (r = get_i64(c, v, jpath_key(kp, path, "pids"), "limit", INT64_MIN, INT64_MAX, false,
                              &res->has_pids_limit, &res->pids_limit)) < 0)
                return r;

        if ((r = parse_blkio(c, o, path, res)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, o, path, "hugepageLimits", &res->hugepage_limits, &res->n_hugepage_limits,
                                  parse_hugepage_limit, NULL)) < 0)
                return r;

        r = get_object(c, o, path, "network", &v);
        if (r < 0)
                return r;
        if (v) {
                jpath_key(kp, path, "network");
                if ((r = GET_UINT(c, v, kp, "classID", UINT32_MAX, false, &res->has_network_class_id,
                                  res->network_class_id)) < 0 ||
                    (r = GET_OBJECT_ARRAY(c, v, kp, "priorities", &res->network_priorities, &res->n_network_priorities,
                                          parse_net_priority, NULL)) < 0)
                        return r;
        }

        return get_kv(c, o, path, "unified", &res->unified, &res->n_unified);
}

/* ---- seccomp ---------------------------------------------------------------- */

static int parse_seccomp_arg(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecSeccompArg *a = elem;
        char kp[JPATH_MAX];
        int r;

        /* A syscall has six arguments. */
        if ((r = GET_UINT(c, e, path, "index", 5, true, NULL, a->index)) < 0 ||
            (r = get_u64(c, e, path, "value", UINT64_MAX, true, NULL, &a->value)) < 0 ||
            (r = get_u64(c, e, path, "valueTwo", UINT64_MAX, false, NULL, &a->value_two)) < 0 ||
            (r = get_string(c, e, path, "op", true, &a->op)) < 0)
                return r;
        if (!str_in(a->op, spec_seccomp_operators))
                return spec_fail_unknown(c, jpath_key(kp, path, "op"), "operator", a->op, spec_seccomp_operators);
        return 0;
}

static int parse_seccomp_syscall(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata)
{
        SpecSeccompSyscall *sc = elem;
        char kp[JPATH_MAX];
        json_t *names;
        int r;

        names = jfield(e, "names");
        if (!names)
                return spec_fail(c, "%s is required", jpath_key(kp, path, "names"));
        if ((r = jv_strv(c, names, jpath_key(kp, path, "names"), true, &sc->names, &sc->n_names)) < 0 ||
            (r = get_string(c, e, path, "action", true, &sc->action)) < 0)
                return r;
        if (!str_in(sc->action, spec_seccomp_actions))
                return spec_fail_unknown(c, jpath_key(kp, path, "action"), "action", sc->action, spec_seccomp_actions);
        if ((r = GET_UINT(c, e, path, "errnoRet", UINT32_MAX, false, &sc->has_errno_ret, sc->errno_ret)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, e, path, "args", &sc->args, &sc->n_args, parse_seccomp_arg, NULL)) < 0)
                return r;
        return 0;
}

int spec_parse_seccomp_obj(ParseCtx *c, const json_t *so, const char *sp, SpecSeccomp *s)
{
        char kp[JPATH_MAX];
        int r;

        r = get_string(c, so, sp, "defaultAction", true, &s->default_action);
        if (r < 0)
                return r;
        if (!str_in(s->default_action, spec_seccomp_actions))
                return spec_fail_unknown(c, jpath_key(kp, sp, "defaultAction"), "action", s->default_action,
                                         spec_seccomp_actions);
        /* Architecture and flag names depend on the libseccomp and kernel at
         * hand: sandbox/seccomp.c checks them. */
        if ((r = GET_UINT(c, so, sp, "defaultErrnoRet", UINT32_MAX, false, &s->has_default_errno_ret,
                          s->default_errno_ret)) < 0 ||
            (r = get_strv(c, so, sp, "architectures", false, &s->architectures, NULL)) < 0 ||
            (r = get_strv(c, so, sp, "flags", false, &s->flags, NULL)) < 0 ||
            (r = get_string(c, so, sp, "listenerPath", false, &s->listener_path)) < 0 ||
            (r = get_string(c, so, sp, "listenerMetadata", false, &s->listener_metadata)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, so, sp, "syscalls", &s->syscalls, &s->n_syscalls, parse_seccomp_syscall, NULL)) <
                    0)
                return r;
        return 0;
}

static int parse_seccomp(ParseCtx *c, const json_t *o, const char *path, SpecLinux *l)
{
        char sp[JPATH_MAX];
        json_t *so;
        int r;

        r = get_object(c, o, path, "seccomp", &so);
        if (r < 0 || !so)
                return r;
        l->has_seccomp = true;
        return spec_parse_seccomp_obj(c, so, jpath_key(sp, path, "seccomp"), &l->seccomp);
}

/* ---- the rest --------------------------------------------------------------- */

static int parse_personality(ParseCtx *c, const json_t *o, const char *path, SpecLinux *l)
{
        char pp[JPATH_MAX], kp[JPATH_MAX];
        json_t *po;
        int r;

        r = get_object(c, o, path, "personality", &po);
        if (r < 0 || !po)
                return r;
        jpath_key(pp, path, "personality");
        l->has_personality = true;
        r = get_string(c, po, pp, "domain", true, &l->personality_domain);
        if (r < 0)
                return r;
        if (!str_in(l->personality_domain, personality_domains))
                return spec_fail_unknown(c, jpath_key(kp, pp, "domain"), "domain", l->personality_domain,
                                         personality_domains);
        return get_strv(c, po, pp, "flags", false, &l->personality_flags, NULL);
}

static int parse_time_offsets(ParseCtx *c, const json_t *o, const char *path, SpecLinux *l)
{
        static const char *const clocks[] = { "monotonic", "boottime", NULL };
        char tp[JPATH_MAX];
        const char *clock;
        json_t *to, *v;
        int r;

        r = get_object(c, o, path, "timeOffsets", &to);
        if (r < 0 || !to)
                return r;
        jpath_key(tp, path, "timeOffsets");
        l->has_time_offsets = true;
        json_object_foreach(to, clock, v)
        {
                SpecTimeOffset *off;
                char cp[JPATH_MAX];

                if (streq(clock, "monotonic"))
                        off = &l->time_offset_monotonic;
                else if (streq(clock, "boottime"))
                        off = &l->time_offset_boottime;
                else
                        return spec_fail_unknown(c, tp, "clock", clock, clocks);
                jpath_key(cp, tp, clock);
                if (json_is_null(v))
                        continue;
                if (!json_is_object(v))
                        return spec_fail(c, "%s must be an object", cp);
                if ((r = get_i64(c, v, cp, "secs", INT64_MIN, INT64_MAX, false, NULL, &off->secs)) < 0 ||
                    (r = GET_UINT(c, v, cp, "nanosecs", 999999999, false, NULL, off->nanosecs)) < 0)
                        return r;
        }
        return 0;
}

int spec_parse_linux(ParseCtx *c, const json_t *o, const char *path, SpecLinux *l)
{
        char kp[JPATH_MAX];
        json_t *v;
        int r;

        if ((r = GET_OBJECT_ARRAY(c, o, path, "namespaces", &l->namespaces, &l->n_namespaces, parse_namespace, l)) <
                    0 ||
            (r = spec_parse_idmaps(c, o, path, "uidMappings", &l->uid_mappings, &l->n_uid_mappings)) < 0 ||
            (r = spec_parse_idmaps(c, o, path, "gidMappings", &l->gid_mappings, &l->n_gid_mappings)) < 0 ||
            (r = GET_OBJECT_ARRAY(c, o, path, "devices", &l->devices, &l->n_devices, parse_device, NULL)) < 0 ||
            (r = get_string(c, o, path, "cgroupsPath", false, &l->cgroups_path)) < 0)
                return r;

        r = get_object(c, o, path, "resources", &v);
        if (r < 0)
                return r;
        if (v) {
                l->has_resources = true;
                r = spec_parse_resources_obj(c, v, jpath_key(kp, path, "resources"), &l->resources);
                if (r < 0)
                        return r;
        }

        r = get_string(c, o, path, "rootfsPropagation", false, &l->rootfs_propagation);
        if (r < 0)
                return r;
        if (l->rootfs_propagation && l->rootfs_propagation[0] == '\0') {
                free(l->rootfs_propagation);
                l->rootfs_propagation = NULL;
        }
        if (l->rootfs_propagation && !str_in(l->rootfs_propagation, propagations))
                return spec_fail_unknown(c, jpath_key(kp, path, "rootfsPropagation"), "propagation",
                                         l->rootfs_propagation, propagations);

        if ((r = get_kv(c, o, path, "sysctl", &l->sysctl, &l->n_sysctl)) < 0 ||
            (r = get_strv(c, o, path, "maskedPaths", false, &l->masked_paths, &l->n_masked_paths)) < 0 ||
            (r = get_strv(c, o, path, "readonlyPaths", false, &l->readonly_paths, &l->n_readonly_paths)) < 0 ||
            (r = get_string(c, o, path, "mountLabel", false, &l->mount_label)) < 0 ||
            (r = parse_seccomp(c, o, path, l)) < 0 || (r = parse_personality(c, o, path, l)) < 0 ||
            (r = parse_time_offsets(c, o, path, l)) < 0)
                return r;

        r = get_object(c, o, path, "intelRdt", &v);
        if (r < 0)
                return r;
        if (v && (r = get_string(c, v, jpath_key(kp, path, "intelRdt"), "closID", false, &l->intel_rdt_clos_id)) < 0)
                return r;
        return 0;
}
