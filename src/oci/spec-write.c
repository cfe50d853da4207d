/* spec_to_json(): a Spec back to config.json text, the inverse of
 * spec_parse(). Everything the parser reads is written, optional fields
 * only when present (has_* flags, NULL pointers), so that parsing the
 * result gives the same Spec: the engine builds a Spec in memory and the
 * runtime saves it as the container's config.json.
 *
 * uint64 values above INT64_MAX (RLIM_INFINITY, seccomp masks) do not fit
 * jansson's json_int_t: they are written as marker strings and replaced by
 * their digits in the dumped text (the parser has the matching trick, see
 * spec_json_load()). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macros.h"
#include "oci/spec-internal.h"
#include "oci/spec.h"

/* A JSON string cannot contain a raw \x01, so this prefix (escaped as
 * "\u0001" by json_dumps) never collides with real content. */
#define BIG_MARK "\001u64:"

typedef struct Writer {
        bool oom;
} Writer;

static json_t *w_check(Writer *w, json_t *v)
{
        if (!v)
                w->oom = true;
        return v;
}

static void set(Writer *w, json_t *o, const char *key, json_t *v)
{
        if (!v) {
                w->oom = true;
                return;
        }
        if (json_object_set_new(o, key, v) < 0)
                w->oom = true;
}

static void append(Writer *w, json_t *a, json_t *v)
{
        if (!v) {
                w->oom = true;
                return;
        }
        if (json_array_append_new(a, v) < 0)
                w->oom = true;
}

static void set_str(Writer *w, json_t *o, const char *key, const char *s)
{
        if (s)
                set(w, o, key, json_string(s));
}

static void set_strv(Writer *w, json_t *o, const char *key, char *const *v)
{
        if (v)
                set(w, o, key, json_strv((const char *const *)v));
}

static json_t *json_u64(uint64_t v)
{
        char buf[64];

        if (v <= INT64_MAX)
                return json_integer((json_int_t)v);
        snprintf(buf, sizeof(buf), BIG_MARK "%" PRIu64, v);
        return json_string(buf);
}

static void set_u64(Writer *w, json_t *o, const char *key, uint64_t v)
{
        set(w, o, key, json_u64(v));
}

static void set_i64(Writer *w, json_t *o, const char *key, int64_t v)
{
        set(w, o, key, json_integer(v));
}

static json_t *obj_kv(Writer *w, const SpecKeyValue *kv, size_t n)
{
        json_t *o = w_check(w, json_object());

        for (size_t i = 0; o && i < n; i++)
                set_str(w, o, kv[i].key, kv[i].value);
        return o;
}

static json_t *idmaps(Writer *w, const SpecIdMap *m, size_t n)
{
        json_t *a = w_check(w, json_array());

        for (size_t i = 0; a && i < n; i++)
                append(w, a,
                       json_pack("{s:I,s:I,s:I}", "containerID", (json_int_t)m[i].container_id, "hostID",
                                 (json_int_t)m[i].host_id, "size", (json_int_t)m[i].size));
        return a;
}

static void set_idmaps(Writer *w, json_t *o, const char *key, const SpecIdMap *m, size_t n)
{
        if (m)
                set(w, o, key, idmaps(w, m, n));
}

static json_t *write_user(Writer *w, const SpecUser *u)
{
        json_t *o = w_check(w, json_object());

        if (!o)
                return NULL;
        set_u64(w, o, "uid", u->uid);
        set_u64(w, o, "gid", u->gid);
        if (u->has_umask)
                set_u64(w, o, "umask", u->umask);
        if (u->additional_gids) {
                json_t *a = w_check(w, json_array());
                for (size_t i = 0; a && i < u->n_additional_gids; i++)
                        append(w, a, json_u64(u->additional_gids[i]));
                set(w, o, "additionalGids", a);
        }
        set_str(w, o, "username", u->username);
        return o;
}

static json_t *write_process(Writer *w, const SpecProcess *p)
{
        json_t *o = w_check(w, json_object());

        if (!o)
                return NULL;
        if (p->terminal)
                set(w, o, "terminal", json_true());
        if (p->has_console_size)
                set(w, o, "consoleSize",
                    json_pack("{s:I,s:I}", "height", (json_int_t)p->console_size.height, "width",
                              (json_int_t)p->console_size.width));
        set(w, o, "user", write_user(w, &p->user));
        set_strv(w, o, "args", p->args);
        set_str(w, o, "commandLine", p->command_line);
        set_strv(w, o, "env", p->env);
        set_str(w, o, "cwd", p->cwd);
        if (p->has_capabilities) {
                const SpecCapabilities *c = &p->capabilities;
                json_t *caps = w_check(w, json_object());
                if (caps) {
                        set_strv(w, caps, "bounding", c->bounding);
                        set_strv(w, caps, "effective", c->effective);
                        set_strv(w, caps, "inheritable", c->inheritable);
                        set_strv(w, caps, "permitted", c->permitted);
                        set_strv(w, caps, "ambient", c->ambient);
                }
                set(w, o, "capabilities", caps);
        }
        if (p->rlimits) {
                json_t *a = w_check(w, json_array());
                for (size_t i = 0; a && i < p->n_rlimits; i++) {
                        json_t *r = w_check(w, json_object());
                        if (!r)
                                break;
                        set_str(w, r, "type", p->rlimits[i].type);
                        set_u64(w, r, "hard", p->rlimits[i].hard);
                        set_u64(w, r, "soft", p->rlimits[i].soft);
                        append(w, a, r);
                }
                set(w, o, "rlimits", a);
        }
        if (p->no_new_privileges)
                set(w, o, "noNewPrivileges", json_true());
        set_str(w, o, "apparmorProfile", p->apparmor_profile);
        if (p->has_oom_score_adj)
                set_i64(w, o, "oomScoreAdj", p->oom_score_adj);
        set_str(w, o, "selinuxLabel", p->selinux_label);
        if (p->has_io_priority)
                set(w, o, "ioPriority",
                    json_pack("{s:s,s:I}", "class", p->io_priority_class, "priority", (json_int_t)p->io_priority));
        if (p->has_scheduler) {
                const SpecScheduler *s = &p->scheduler;
                json_t *so = w_check(w, json_object());
                if (so) {
                        set_str(w, so, "policy", s->policy);
                        set_i64(w, so, "nice", s->nice);
                        set_i64(w, so, "priority", s->priority);
                        set_strv(w, so, "flags", s->flags);
                        set_u64(w, so, "runtime", s->runtime);
                        set_u64(w, so, "deadline", s->deadline);
                        set_u64(w, so, "period", s->period);
                }
                set(w, o, "scheduler", so);
        }
        if (p->exec_cpu_affinity_initial || p->exec_cpu_affinity_final) {
                json_t *a = w_check(w, json_object());
                if (a) {
                        set_str(w, a, "initial", p->exec_cpu_affinity_initial);
                        set_str(w, a, "final", p->exec_cpu_affinity_final);
                }
                set(w, o, "execCPUAffinity", a);
        }
        return o;
}

static json_t *write_mounts(Writer *w, const Spec *spec)
{
        json_t *a = w_check(w, json_array());

        for (size_t i = 0; a && i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];
                json_t *o = w_check(w, json_object());
                if (!o)
                        break;
                set_str(w, o, "destination", m->destination);
                set_str(w, o, "type", m->type);
                set_str(w, o, "source", m->source);
                set_strv(w, o, "options", m->options);
                set_idmaps(w, o, "uidMappings", m->uid_mappings, m->n_uid_mappings);
                set_idmaps(w, o, "gidMappings", m->gid_mappings, m->n_gid_mappings);
                append(w, a, o);
        }
        return a;
}

static json_t *write_hooks(Writer *w, const Spec *spec)
{
        json_t *o = w_check(w, json_object());

        for (HookKind k = 0; o && k < _HOOK_MAX; k++) {
                json_t *a;
                if (!spec->hooks[k])
                        continue;
                a = w_check(w, json_array());
                for (size_t i = 0; a && i < spec->n_hooks[k]; i++) {
                        const SpecHook *h = &spec->hooks[k][i];
                        json_t *ho = w_check(w, json_object());
                        if (!ho)
                                break;
                        set_str(w, ho, "path", h->path);
                        set_strv(w, ho, "args", h->args);
                        set_strv(w, ho, "env", h->env);
                        if (h->has_timeout)
                                set_i64(w, ho, "timeout", h->timeout);
                        append(w, a, ho);
                }
                set(w, o, hook_kind_to_string(k), a);
        }
        return o;
}

static char type_char_str(char t, char buf[static 2])
{
        buf[0] = t;
        buf[1] = 0;
        return t;
}

static json_t *write_devices(Writer *w, const SpecDevice *d, size_t n)
{
        json_t *a = w_check(w, json_array());

        for (size_t i = 0; a && i < n; i++) {
                json_t *o = w_check(w, json_object());
                char t[2];
                if (!o)
                        break;
                type_char_str(d[i].type, t);
                set_str(w, o, "type", t);
                set_str(w, o, "path", d[i].path);
                if (d[i].type != 'p' || d[i].major || d[i].minor) {
                        set_i64(w, o, "major", d[i].major);
                        set_i64(w, o, "minor", d[i].minor);
                }
                if (d[i].has_file_mode)
                        set_u64(w, o, "fileMode", d[i].file_mode);
                if (d[i].has_uid)
                        set_u64(w, o, "uid", d[i].uid);
                if (d[i].has_gid)
                        set_u64(w, o, "gid", d[i].gid);
                append(w, a, o);
        }
        return a;
}

static json_t *throttle(Writer *w, const SpecThrottleDevice *t, size_t n)
{
        json_t *a = w_check(w, json_array());

        for (size_t i = 0; a && i < n; i++)
                append(w, a,
                       json_pack("{s:I,s:I,s:o}", "major", (json_int_t)t[i].major, "minor", (json_int_t)t[i].minor,
                                 "rate", json_u64(t[i].rate)));
        return a;
}

#define SET_OPT_I64(w, o, key, res, f) \
        if ((res)->has_##f)            \
        set_i64(w, o, key, (res)->f)
#define SET_OPT_U64(w, o, key, res, f) \
        if ((res)->has_##f)            \
        set_u64(w, o, key, (res)->f)
#define SET_OPT_BOOL(w, o, key, res, f) \
        if ((res)->has_##f)             \
        set(w, o, key, json_boolean((res)->f))

static json_t *write_resources(Writer *w, const SpecResources *r)
{
        json_t *o = w_check(w, json_object()), *m, *c, *b;

        if (!o)
                return NULL;
        if (r->devices) {
                json_t *a = w_check(w, json_array());
                for (size_t i = 0; a && i < r->n_devices; i++) {
                        const SpecDeviceRule *d = &r->devices[i];
                        json_t *e = w_check(w, json_object());
                        char t[2];
                        if (!e)
                                break;
                        set(w, e, "allow", json_boolean(d->allow));
                        type_char_str(d->type ? d->type : 'a', t);
                        set_str(w, e, "type", t);
                        set_i64(w, e, "major", d->major);
                        set_i64(w, e, "minor", d->minor);
                        set_str(w, e, "access", d->access);
                        append(w, a, e);
                }
                set(w, o, "devices", a);
        }

        m = w_check(w, json_object());
        if (m) {
                SET_OPT_I64(w, m, "limit", r, memory_limit);
                SET_OPT_I64(w, m, "reservation", r, memory_reservation);
                SET_OPT_I64(w, m, "swap", r, memory_swap);
                SET_OPT_I64(w, m, "kernel", r, memory_kernel);
                SET_OPT_I64(w, m, "kernelTCP", r, memory_kernel_tcp);
                SET_OPT_U64(w, m, "swappiness", r, memory_swappiness);
                SET_OPT_BOOL(w, m, "disableOOMKiller", r, memory_disable_oom_killer);
                SET_OPT_BOOL(w, m, "useHierarchy", r, memory_use_hierarchy);
                SET_OPT_BOOL(w, m, "checkBeforeUpdate", r, memory_check_before_update);
                if (json_object_size(m))
                        set(w, o, "memory", m);
                else
                        json_decref(m);
        }

        c = w_check(w, json_object());
        if (c) {
                SET_OPT_U64(w, c, "shares", r, cpu_shares);
                SET_OPT_I64(w, c, "quota", r, cpu_quota);
                SET_OPT_U64(w, c, "burst", r, cpu_burst);
                SET_OPT_U64(w, c, "period", r, cpu_period);
                SET_OPT_I64(w, c, "realtimeRuntime", r, cpu_realtime_runtime);
                SET_OPT_U64(w, c, "realtimePeriod", r, cpu_realtime_period);
                set_str(w, c, "cpus", r->cpu_cpus);
                set_str(w, c, "mems", r->cpu_mems);
                SET_OPT_I64(w, c, "idle", r, cpu_idle);
                if (json_object_size(c))
                        set(w, o, "cpu", c);
                else
                        json_decref(c);
        }

        if (r->has_pids_limit)
                set(w, o, "pids", json_pack("{s:I}", "limit", (json_int_t)r->pids_limit));

        b = w_check(w, json_object());
        if (b) {
                SET_OPT_U64(w, b, "weight", r, blkio_weight);
                SET_OPT_U64(w, b, "leafWeight", r, blkio_leaf_weight);
                if (r->blkio_weight_devices) {
                        json_t *a = w_check(w, json_array());
                        for (size_t i = 0; a && i < r->n_blkio_weight_devices; i++) {
                                const SpecWeightDevice *d = &r->blkio_weight_devices[i];
                                json_t *e = w_check(w, json_object());
                                if (!e)
                                        break;
                                set_i64(w, e, "major", d->major);
                                set_i64(w, e, "minor", d->minor);
                                if (d->has_weight)
                                        set_u64(w, e, "weight", d->weight);
                                if (d->has_leaf_weight)
                                        set_u64(w, e, "leafWeight", d->leaf_weight);
                                append(w, a, e);
                        }
                        set(w, b, "weightDevice", a);
                }
                if (r->blkio_throttle_read_bps)
                        set(w, b, "throttleReadBpsDevice",
                            throttle(w, r->blkio_throttle_read_bps, r->n_blkio_throttle_read_bps));
                if (r->blkio_throttle_write_bps)
                        set(w, b, "throttleWriteBpsDevice",
                            throttle(w, r->blkio_throttle_write_bps, r->n_blkio_throttle_write_bps));
                if (r->blkio_throttle_read_iops)
                        set(w, b, "throttleReadIOPSDevice",
                            throttle(w, r->blkio_throttle_read_iops, r->n_blkio_throttle_read_iops));
                if (r->blkio_throttle_write_iops)
                        set(w, b, "throttleWriteIOPSDevice",
                            throttle(w, r->blkio_throttle_write_iops, r->n_blkio_throttle_write_iops));
                if (json_object_size(b))
                        set(w, o, "blockIO", b);
                else
                        json_decref(b);
        }

        if (r->hugepage_limits) {
                json_t *a = w_check(w, json_array());
                for (size_t i = 0; a && i < r->n_hugepage_limits; i++)
                        append(w, a,
                               json_pack("{s:s,s:o}", "pageSize", r->hugepage_limits[i].page_size, "limit",
                                         json_u64(r->hugepage_limits[i].limit)));
                set(w, o, "hugepageLimits", a);
        }

        if (r->has_network_class_id || r->network_priorities) {
                json_t *n = w_check(w, json_object());
                if (n) {
                        SET_OPT_U64(w, n, "classID", r, network_class_id);
                        if (r->network_priorities) {
                                json_t *a = w_check(w, json_array());
                                for (size_t i = 0; a && i < r->n_network_priorities; i++)
                                        append(w, a,
                                               json_pack("{s:s,s:I}", "name", r->network_priorities[i].name, "priority",
                                                         (json_int_t)r->network_priorities[i].priority));
                                set(w, n, "priorities", a);
                        }
                }
                set(w, o, "network", n);
        }

        if (r->unified)
                set(w, o, "unified", obj_kv(w, r->unified, r->n_unified));
        return o;
}

static json_t *write_seccomp(Writer *w, const SpecSeccomp *s)
{
        json_t *o = w_check(w, json_object());

        if (!o)
                return NULL;
        set_str(w, o, "defaultAction", s->default_action);
        if (s->has_default_errno_ret)
                set_u64(w, o, "defaultErrnoRet", s->default_errno_ret);
        set_strv(w, o, "architectures", s->architectures);
        set_strv(w, o, "flags", s->flags);
        set_str(w, o, "listenerPath", s->listener_path);
        set_str(w, o, "listenerMetadata", s->listener_metadata);
        if (s->syscalls) {
                json_t *a = w_check(w, json_array());
                for (size_t i = 0; a && i < s->n_syscalls; i++) {
                        const SpecSeccompSyscall *sc = &s->syscalls[i];
                        json_t *e = w_check(w, json_object());
                        if (!e)
                                break;
                        set_strv(w, e, "names", sc->names);
                        set_str(w, e, "action", sc->action);
                        if (sc->has_errno_ret)
                                set_u64(w, e, "errnoRet", sc->errno_ret);
                        if (sc->args) {
                                json_t *args = w_check(w, json_array());
                                for (size_t k = 0; args && k < sc->n_args; k++) {
                                        const SpecSeccompArg *sa = &sc->args[k];
                                        append(w, args,
                                               json_pack("{s:I,s:o,s:o,s:s}", "index", (json_int_t)sa->index, "value",
                                                         json_u64(sa->value), "valueTwo", json_u64(sa->value_two), "op",
                                                         sa->op));
                                }
                                set(w, e, "args", args);
                        }
                        append(w, a, e);
                }
                set(w, o, "syscalls", a);
        }
        return o;
}

static json_t *write_linux(Writer *w, const SpecLinux *l)
{
        json_t *o = w_check(w, json_object());

        if (!o)
                return NULL;
        if (l->namespaces) {
                json_t *a = w_check(w, json_array());
                for (size_t i = 0; a && i < l->n_namespaces; i++) {
                        json_t *e = w_check(w, json_object());
                        if (!e)
                                break;
                        set_str(w, e, "type", ns_type_to_string(l->namespaces[i].type));
                        set_str(w, e, "path", l->namespaces[i].path);
                        append(w, a, e);
                }
                set(w, o, "namespaces", a);
        }
        set_idmaps(w, o, "uidMappings", l->uid_mappings, l->n_uid_mappings);
        set_idmaps(w, o, "gidMappings", l->gid_mappings, l->n_gid_mappings);
        if (l->devices)
                set(w, o, "devices", write_devices(w, l->devices, l->n_devices));
        set_str(w, o, "cgroupsPath", l->cgroups_path);
        if (l->has_resources)
                set(w, o, "resources", write_resources(w, &l->resources));
        set_str(w, o, "rootfsPropagation", l->rootfs_propagation);
        if (l->sysctl)
                set(w, o, "sysctl", obj_kv(w, l->sysctl, l->n_sysctl));
        set_strv(w, o, "maskedPaths", l->masked_paths);
        set_strv(w, o, "readonlyPaths", l->readonly_paths);
        set_str(w, o, "mountLabel", l->mount_label);
        if (l->has_seccomp)
                set(w, o, "seccomp", write_seccomp(w, &l->seccomp));
        if (l->has_personality) {
                json_t *p = w_check(w, json_object());
                if (p) {
                        set_str(w, p, "domain", l->personality_domain);
                        set_strv(w, p, "flags", l->personality_flags);
                }
                set(w, o, "personality", p);
        }
        if (l->has_time_offsets)
                set(w, o, "timeOffsets",
                    json_pack("{s:{s:I,s:I},s:{s:I,s:I}}", "monotonic", "secs",
                              (json_int_t)l->time_offset_monotonic.secs, "nanosecs",
                              (json_int_t)l->time_offset_monotonic.nanosecs, "boottime", "secs",
                              (json_int_t)l->time_offset_boottime.secs, "nanosecs",
                              (json_int_t)l->time_offset_boottime.nanosecs));
        if (l->intel_rdt_clos_id)
                set(w, o, "intelRdt", json_pack("{s:s}", "closID", l->intel_rdt_clos_id));
        return o;
}

/* Replace each "\u0001u64:DIGITS" string by DIGITS, in place. */
static void unmark_big(char *s)
{
        static const char mark[] = "\"\\u0001u64:";
        char *p, *out = s;

        while ((p = strstr(s, mark))) {
                size_t n = (size_t)(p - s);
                memmove(out, s, n);
                out += n;
                s = p + strlen(mark);
                while (*s >= '0' && *s <= '9')
                        *out++ = *s++;
                s++; /* the closing quote */
        }
        memmove(out, s, strlen(s) + 1);
}

int spec_to_json(const Spec *spec, char **ret_json, Error **ret_err)
{
        Writer w = {};
        json_t *o = json_object();
        char *s;

        if (!o)
                return error_setx(ret_err, ENOMEM, "config.json: out of memory");
        set_str(&w, o, "ociVersion", spec->oci_version);
        if (spec->root_path) {
                json_t *root = w_check(&w, json_object());
                if (root) {
                        set_str(&w, root, "path", spec->root_path);
                        if (spec->root_readonly)
                                set(&w, root, "readonly", json_true());
                }
                set(&w, o, "root", root);
        }
        if (spec->has_process)
                set(&w, o, "process", write_process(&w, &spec->process));
        set_str(&w, o, "hostname", spec->hostname);
        set_str(&w, o, "domainname", spec->domainname);
        if (spec->mounts)
                set(&w, o, "mounts", write_mounts(&w, spec));
        for (HookKind k = 0; k < _HOOK_MAX; k++)
                if (spec->hooks[k]) {
                        set(&w, o, "hooks", write_hooks(&w, spec));
                        break;
                }
        if (spec->annotations)
                set(&w, o, "annotations", obj_kv(&w, spec->annotations, spec->n_annotations));
        if (spec->has_linux)
                set(&w, o, "linux", write_linux(&w, &spec->linux_));

        s = w.oom ? NULL : json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (!s)
                return error_setx(ret_err, ENOMEM, "config.json: out of memory");
        unmark_big(s);
        *ret_json = s;
        return 0;
}
