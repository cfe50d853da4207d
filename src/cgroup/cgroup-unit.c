/* The systemd manager's pure part: which unit a cgroup path names, and
 * which unit properties a container's resources become. No I/O, so that
 * each rule is unit-tested (tests/unit/cgroup/test-cgroup-logic.c);
 * cgroup-systemd.c sends the result over D-Bus. */
#include "cgroup/cgroup-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macros.h"

static bool has_suffix(const char *s, const char *suffix)
{
        size_t l = strlen(s), sl = strlen(suffix);

        return l > sl && streq(s + l - sl, suffix);
}

int cgroup_unit_from_path(const char *path, char **ret_unit, char **ret_slice)
{
        _cleanup_free_ char *unit = NULL, *slice = NULL;
        const char *last, *parent;

        if (!path || path[0] != '/')
                return -EINVAL;
        last = strrchr(path, '/') + 1;
        if (!has_suffix(last, ".scope") && !has_suffix(last, ".slice"))
                return -EINVAL;
        unit = strdup(last);
        if (last - 1 == path) {
                slice = strdup("-.slice");
        } else {
                parent = last - 2;
                while (parent > path && parent[-1] != '/')
                        parent--;
                slice = strndup(parent, (size_t)(last - 1 - parent));
                if (slice && !has_suffix(slice, ".slice"))
                        return -EINVAL;
        }
        if (!unit || !slice)
                return -ENOMEM;
        *ret_unit = TAKE_PTR(unit);
        *ret_slice = TAKE_PTR(slice);
        return 0;
}

int cgroup_cpuset_to_bits(const char *list, uint8_t **ret, size_t *ret_n)
{
        _cleanup_free_ uint16_t *ids = NULL;
        uint8_t *bits;
        size_t n_ids = 0, n = 0;
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (!list)
                return 0;
        r = cgroup_parse_id_list(list, &ids, &n_ids);
        if (r < 0 || n_ids == 0)
                return r;
        for (size_t i = 0; i < n_ids; i++)
                if ((size_t)ids[i] / 8 + 1 > n)
                        n = (size_t)ids[i] / 8 + 1;
        bits = calloc(n, 1);
        if (!bits)
                return -ENOMEM;
        for (size_t i = 0; i < n_ids; i++)
                bits[ids[i] / 8] |= (uint8_t)(1u << (ids[i] % 8));
        *ret = bits;
        *ret_n = n;
        return 0;
}

void cgroup_unit_props_free(CgroupUnitProp *p, size_t n)
{
        for (size_t i = 0; p && i < n; i++) {
                free(p[i].s);
                free(p[i].bytes);
        }
        free(p);
}

typedef struct PropList {
        CgroupUnitProp *v;
        size_t n;
        bool oom;
} PropList;

static CgroupUnitProp *prop_add(PropList *l, const char *name, char type)
{
        CgroupUnitProp *nv;

        if (l->oom)
                return NULL;
        nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
        if (!nv) {
                l->oom = true;
                return NULL;
        }
        l->v = nv;
        l->v[l->n] = (CgroupUnitProp){ .name = name, .type = type };
        return &l->v[l->n++];
}

/* Hand the list out (r >= 0 and no allocation failed) or free it. */
static int prop_list_finish(PropList *l, int r, CgroupUnitProp **ret, size_t *ret_n, Error **ret_err)
{
        if (r >= 0 && l->oom)
                r = error_set(ret_err, ENOMEM, "unit properties");
        if (r < 0) {
                cgroup_unit_props_free(l->v, l->n);
                return r;
        }
        *ret = l->v;
        *ret_n = l->n;
        return 0;
}

static void prop_u64(PropList *l, const char *name, char type, uint64_t v)
{
        CgroupUnitProp *p = prop_add(l, name, type);

        if (p)
                p->u = v;
}

static void prop_str(PropList *l, const char *name, const char *v)
{
        CgroupUnitProp *p = prop_add(l, name, 's');

        if (p && !(p->s = strdup(v)))
                l->oom = true;
}

/* A limit in bytes as systemd takes it: -1 (unlimited) is infinity. */
static uint64_t bytes_or_infinity(int64_t v)
{
        return v < 0 ? UINT64_MAX : (uint64_t)v;
}

/* CPUQuotaPerSecUSec: µs of CPU time per second. systemd keeps it as a
 * percentage (10 ms steps) and writes cpu.max from that: round up, as runc
 * does, so that the quota systemd sets is never below the one asked for
 * (the cgroup file then gets the exact value from us). */
static uint64_t quota_per_sec(int64_t quota, uint64_t period)
{
        uint64_t v;

        if (quota <= 0)
                return UINT64_MAX;
        if (period == 0)
                period = 100000; /* the kernel's default period */
        v = (uint64_t)quota * 1000000u / period;
        if (v % 10000)
                v = (v / 10000 + 1) * 10000;
        return v;
}

static int cpuset_prop(PropList *l, const char *name, const char *list, Error **ret_err)
{
        _cleanup_free_ uint8_t *bits = NULL;
        CgroupUnitProp *p;
        size_t n;
        int r;

        if (!list || !*list)
                return 0;
        r = cgroup_cpuset_to_bits(list, &bits, &n);
        if (r == -ENOMEM)
                return error_set(ret_err, ENOMEM, "%s", name);
        if (r < 0)
                return error_setx(ret_err, EINVAL, "%s: invalid cpu or memory node list \"%s\"", name, list);
        if (!bits)
                return 0;
        p = prop_add(l, name, 'y');
        if (p) {
                p->bytes = TAKE_PTR(bits);
                p->n_bytes = n;
        }
        return 0;
}

bool cgroup_unit_props_need_version(const SpecResources *res)
{
        return res && ((res->has_cpu_period && res->cpu_period) || (res->cpu_cpus && *res->cpu_cpus) ||
                       (res->cpu_mems && *res->cpu_mems));
}

#define HAS(res, name) ((res)->has_##name && (res)->name != 0)

static int resource_props(PropList *l, const SpecResources *res, bool v2, int version, Error **ret_err)
{
        int r;

        if (HAS(res, memory_limit))
                prop_u64(l, v2 ? "MemoryMax" : "MemoryLimit", 't', bytes_or_infinity(res->memory_limit));
        if (v2 && HAS(res, memory_reservation))
                prop_u64(l, "MemoryLow", 't', bytes_or_infinity(res->memory_reservation));
        if (v2 && res->has_memory_swap) {
                bool set = false;
                int64_t swap = 0;

                r = cgroup_swap_to_v2(res->has_memory_limit ? res->memory_limit : 0, res->memory_swap, &set, &swap,
                                      ret_err);
                if (r < 0)
                        return r;
                if (set)
                        prop_u64(l, "MemorySwapMax", 't', bytes_or_infinity(swap));
        }
        if (HAS(res, cpu_shares)) {
                if (v2)
                        prop_u64(l, "CPUWeight", 't', cgroup_shares_to_weight(res->cpu_shares));
                else
                        prop_u64(l, "CPUShares", 't', res->cpu_shares);
        }
        if (!v2 && HAS(res, blkio_weight))
                prop_u64(l, "BlockIOWeight", 't', res->blkio_weight);
        if (HAS(res, cpu_quota) || HAS(res, cpu_period)) {
                uint64_t period = HAS(res, cpu_period) ? res->cpu_period : 0;

                /* CPUQuotaPeriodSec= came with systemd 242. */
                if (period && version >= 242)
                        prop_u64(l, "CPUQuotaPeriodUSec", 't', period);
                prop_u64(l, "CPUQuotaPerSecUSec", 't', quota_per_sec(res->has_cpu_quota ? res->cpu_quota : 0, period));
        }
        if (res->has_pids_limit)
                /* As the pids.max we write: <= 0 is no limit. */
                prop_u64(l, "TasksMax", 't', res->pids_limit > 0 ? (uint64_t)res->pids_limit : UINT64_MAX);
        /* AllowedCPUs= and AllowedMemoryNodes= came with systemd 244. */
        if (version >= 244) {
                r = cpuset_prop(l, "AllowedCPUs", res->cpu_cpus, ret_err);
                if (r >= 0)
                        r = cpuset_prop(l, "AllowedMemoryNodes", res->cpu_mems, ret_err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_unit_props(const char *unit, const char *slice, pid_t pid, const SpecResources *res, bool v2,
                      int systemd_version, CgroupUnitProp **ret, size_t *ret_n, Error **ret_err)
{
        PropList l = { 0 };
        _cleanup_free_ char *desc = NULL;
        bool is_slice = has_suffix(unit, ".slice");
        int r = 0;

        if (asprintf(&desc, "husk container %s", unit) < 0) {
                desc = NULL;
                return error_set(ret_err, ENOMEM, "unit properties");
        }
        prop_str(&l, "Description", desc);
        if (is_slice) {
                /* A slice holds no processes of its own: it only wants its
                 * parent; the init joins it through cgroupfs. */
                prop_str(&l, "Wants", slice);
        } else {
                prop_str(&l, "Slice", slice);
                /* The container owns its subtree (nested runtimes, systemd
                 * in the container); supported by scopes since systemd 218. */
                prop_u64(&l, "Delegate", 'b', 1);
                prop_u64(&l, "PIDs", 'p', (uint64_t)pid);
        }
        /* Accounting on for every controller, as runc: the controllers are
         * then enabled down to the unit whatever the limits (stats, a later
         * update), and a process joins the memory cgroup from the start. */
        prop_u64(&l, "MemoryAccounting", 'b', 1);
        prop_u64(&l, "CPUAccounting", 'b', 1);
        prop_u64(&l, v2 ? "IOAccounting" : "BlockIOAccounting", 'b', 1);
        prop_u64(&l, "TasksAccounting", 'b', 1);
        /* No implicit ordering after basic.target / before shutdown.target:
         * a container may start during boot and is stopped by its runtime. */
        prop_u64(&l, "DefaultDependencies", 'b', 0);
        if (res)
                r = resource_props(&l, res, v2, systemd_version, ret_err);
        return prop_list_finish(&l, r, ret, ret_n, ret_err);
}

int cgroup_unit_resource_props(const SpecResources *res, bool v2, int systemd_version, CgroupUnitProp **ret,
                               size_t *ret_n, Error **ret_err)
{
        PropList l = { 0 };
        int r = resource_props(&l, res, v2, systemd_version, ret_err);

        return prop_list_finish(&l, r, ret, ret_n, ret_err);
}
