/* linux.resources -> cgroup files, on v1 and v2.
 *
 * Each controller's part is written in the directory that holds it
 * (cgroup_dir_for()), with v1 or v2 file names and values. Only the fields
 * present are written; as in runc, a zero memory limit, cpu share, quota or
 * period means "unset" (Go's zero value there, "absent" in the spec). A
 * resource whose controller the host lacks is an error naming it; absent
 * controllers are otherwise of no concern. */
#include "cgroup/cgroup-internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/macros.h"
#include "lib/util.h"

static int unavailable(Error **ret_err, const char *what, const char *ctrl)
{
        return error_setx(ret_err, EOPNOTSUPP, "%s requested but the %s controller is not available", what, ctrl);
}

/* v2 numbers: -1 is "max". */
static int fmt_v2(int64_t v, char *buf, size_t size)
{
        if (v == -1)
                snprintf(buf, size, "max");
        else if (v < 0)
                return -EINVAL;
        else
                snprintf(buf, size, "%" PRIi64, v);
        return 0;
}

static int write_i64(const char *dir, const char *file, int64_t v, Error **ret_err)
{
        return cgroup_writef(dir, file, ret_err, "%" PRIi64, v);
}

static int write_u64(const char *dir, const char *file, uint64_t v, Error **ret_err)
{
        return cgroup_writef(dir, file, ret_err, "%" PRIu64, v);
}

static int write_v2(const char *dir, const char *file, int64_t v, Error **ret_err)
{
        char buf[32];

        if (fmt_v2(v, buf, sizeof(buf)) < 0)
                return error_setx(ret_err, EINVAL, "%s: invalid value %" PRIi64, file, v);
        return cgroup_write(dir, file, buf, ret_err);
}

#define OPT(res, name) ((res)->has_##name ? (res)->name : 0)

/* ---- memory ---- */

static bool memory_wanted(const SpecResources *r)
{
        return OPT(r, memory_limit) != 0 || OPT(r, memory_swap) != 0 || OPT(r, memory_reservation) != 0 ||
               OPT(r, memory_kernel_tcp) != 0 || (r->has_memory_swappiness && r->memory_swappiness != UINT64_MAX) ||
               OPT(r, memory_disable_oom_killer) || OPT(r, memory_use_hierarchy);
}

/* update with checkBeforeUpdate: refuse a limit below what is in use now,
 * which the kernel would meet by reclaiming or OOM-killing. */
static int memory_check_usage(const char *dir, bool v2, int64_t limit, Error **ret_err)
{
        uint64_t usage;

        if (limit <= 0)
                return 0;
        if (cgroup_read_u64(dir, v2 ? "memory.current" : "memory.usage_in_bytes", &usage) < 0)
                return 0;
        if (usage > (uint64_t)limit)
                return error_setx(ret_err, EBUSY, "rejecting memory limit %" PRIi64 " below the current usage %" PRIu64,
                                  limit, usage);
        return 0;
}

static int apply_memory_v1(const char *dir, const SpecResources *res, bool creating, Error **ret_err)
{
        int64_t mem = OPT(res, memory_limit), swap = OPT(res, memory_swap);
        bool have_memsw = cgroup_file_exists(dir, "memory.memsw.limit_in_bytes");
        bool swap_first = false;
        int r;

        if (!creating && OPT(res, memory_check_before_update)) {
                r = memory_check_usage(dir, false, mem, ret_err);
                if (r < 0)
                        return r;
        }
        /* Unlimited memory with no swap given means unlimited swap too. */
        if (mem == -1 && swap == 0 && have_memsw)
                swap = -1;
        if (swap != 0 && !have_memsw)
                return error_setx(ret_err, EOPNOTSUPP,
                                  "memory swap limit requested but swap accounting is not enabled "
                                  "(memory.memsw.limit_in_bytes is missing)");
        /* memsw.limit must stay >= limit at every moment: when raising
         * (or lifting) the swap limit, write it first. */
        if (mem != 0 && swap != 0) {
                uint64_t cur = 0;

                if (cgroup_read_u64(dir, "memory.limit_in_bytes", &cur) < 0)
                        cur = 0;
                if (swap == -1 || cur < (uint64_t)swap)
                        swap_first = true;
        }
        if (swap_first && (r = write_i64(dir, "memory.memsw.limit_in_bytes", swap, ret_err)) < 0)
                return r;
        if (mem != 0 && (r = write_i64(dir, "memory.limit_in_bytes", mem, ret_err)) < 0)
                return r;
        if (!swap_first && swap != 0 && (r = write_i64(dir, "memory.memsw.limit_in_bytes", swap, ret_err)) < 0)
                return r;

        if (OPT(res, memory_reservation) != 0 &&
            (r = write_i64(dir, "memory.soft_limit_in_bytes", res->memory_reservation, ret_err)) < 0)
                return r;
        /* memory.kmem.limit_in_bytes is ignored, as runc does: the kernel
         * deprecated it in 5.4 and refuses it since 6.1. kmem.tcp still works. */
        if (OPT(res, memory_kernel_tcp) != 0 &&
            (r = write_i64(dir, "memory.kmem.tcp.limit_in_bytes", res->memory_kernel_tcp, ret_err)) < 0)
                return r;
        if (res->has_memory_swappiness && res->memory_swappiness != UINT64_MAX) {
                if (res->memory_swappiness > 100)
                        return error_setx(ret_err, EINVAL, "invalid memory swappiness %" PRIu64 " (must be 0..100)",
                                          res->memory_swappiness);
                r = write_u64(dir, "memory.swappiness", res->memory_swappiness, ret_err);
                if (r < 0)
                        return r;
        }
        if (OPT(res, memory_disable_oom_killer) && (r = cgroup_write(dir, "memory.oom_control", "1", ret_err)) < 0)
                return r;
        /* use_hierarchy is always 1 since Linux 5.x (writing 0 fails):
         * only a request for 1 is passed on. */
        if (OPT(res, memory_use_hierarchy) && (r = cgroup_write(dir, "memory.use_hierarchy", "1", ret_err)) < 0)
                return r;
        return 0;
}

static int apply_memory_v2(const char *dir, const SpecResources *res, bool creating, Error **ret_err)
{
        int64_t mem = OPT(res, memory_limit), swap = 0;
        bool swap_set = false;
        int r;

        if (!creating && OPT(res, memory_check_before_update)) {
                r = memory_check_usage(dir, true, mem, ret_err);
                if (r < 0)
                        return r;
        }
        r = cgroup_swap_to_v2(mem, OPT(res, memory_swap), &swap_set, &swap, ret_err);
        if (r < 0)
                return r;
        /* Swap first, as runc does. */
        if (swap_set) {
                if (!cgroup_file_exists(dir, "memory.swap.max")) {
                        /* -1 with memory -1 is runc's implied value, not a request. */
                        if (OPT(res, memory_swap) != 0)
                                return error_setx(ret_err, EOPNOTSUPP,
                                                  "memory swap limit requested but swap accounting is not "
                                                  "enabled (memory.swap.max is missing)");
                } else if ((r = write_v2(dir, "memory.swap.max", swap, ret_err)) < 0) {
                        return r;
                }
        }
        if (mem != 0 && (r = write_v2(dir, "memory.max", mem, ret_err)) < 0)
                return r;
        if (OPT(res, memory_reservation) != 0 &&
            (r = write_v2(dir, "memory.low", res->memory_reservation, ret_err)) < 0)
                return r;
        /* No v2 equivalent, ignored as runc and crun do: kernel and
         * kernelTCP (v2 accounts them with the rest), swappiness,
         * disableOOMKiller, useHierarchy (always on). */
        return 0;
}

static int apply_memory(Cgroup *cg, const SpecResources *res, bool creating, Error **ret_err)
{
        CgroupDir *d;
        bool v2 = false;

        if (!memory_wanted(res))
                return 0;
        d = cgroup_dir_for(cg, CGROUP_CTRL_MEMORY, &v2);
        if (!d)
                return unavailable(ret_err, "memory limit", "memory");
        return v2 ? apply_memory_v2(d->path, res, creating, ret_err) : apply_memory_v1(d->path, res, creating, ret_err);
}

/* ---- cpu ---- */

static int apply_cpu_v1(const char *dir, const SpecResources *res, Error **ret_err)
{
        uint64_t period = OPT(res, cpu_period);
        int64_t quota = OPT(res, cpu_quota);
        bool period_pending = false;
        int r;

        if (OPT(res, cpu_shares) != 0 && (r = write_u64(dir, "cpu.shares", res->cpu_shares, ret_err)) < 0)
                return r;
        /* A period smaller than the current one can be refused (EINVAL) as
         * old_quota/new_period would exceed the parent's bandwidth; when a
         * quota comes too, retry the period after it (runc does the same). */
        if (period != 0) {
                _cleanup_error_ Error *e = NULL;

                r = write_u64(dir, "cpu.cfs_period_us", period, &e);
                if (r == -EINVAL && quota != 0)
                        period_pending = true;
                else if (r < 0)
                        return cgroup_error_take(ret_err, &e);
        }
        if (quota != 0) {
                r = write_i64(dir, "cpu.cfs_quota_us", quota, ret_err);
                if (r < 0)
                        return r;
                if (period_pending && (r = write_u64(dir, "cpu.cfs_period_us", period, ret_err)) < 0)
                        return r;
        }
        if (res->has_cpu_burst && (r = write_u64(dir, "cpu.cfs_burst_us", res->cpu_burst, ret_err)) < 0)
                return r;
        /* The rt period first: the runtime must fit in it. */
        if (OPT(res, cpu_realtime_period) != 0 &&
            (r = write_u64(dir, "cpu.rt_period_us", res->cpu_realtime_period, ret_err)) < 0)
                return r;
        if (OPT(res, cpu_realtime_runtime) != 0 &&
            (r = write_i64(dir, "cpu.rt_runtime_us", res->cpu_realtime_runtime, ret_err)) < 0)
                return r;
        if (res->has_cpu_idle && (r = write_i64(dir, "cpu.idle", res->cpu_idle, ret_err)) < 0)
                return r;
        return 0;
}

static int apply_cpu_v2(const char *dir, const SpecResources *res, Error **ret_err)
{
        uint64_t period = OPT(res, cpu_period);
        int64_t quota = OPT(res, cpu_quota);
        int r;

        if (OPT(res, cpu_realtime_period) != 0 || OPT(res, cpu_realtime_runtime) != 0)
                return error_setx(ret_err, EOPNOTSUPP, "cpu realtime limits are not supported on cgroup v2");
        if (OPT(res, cpu_shares) != 0 &&
            (r = write_u64(dir, "cpu.weight", cgroup_shares_to_weight(res->cpu_shares), ret_err)) < 0)
                return r;
        if (quota != 0 || period != 0) {
                _cleanup_free_ char *cur = NULL;
                char q[32];

                if (quota > 0)
                        snprintf(q, sizeof(q), "%" PRIi64, quota);
                else if (quota < 0)
                        snprintf(q, sizeof(q), "max");
                else {
                        /* Only a period: keep the quota in force ("max" or
                         * a number), where runc would reset it to max. */
                        snprintf(q, sizeof(q), "max");
                        if (cgroup_read(dir, "cpu.max", &cur) == 0) {
                                size_t n = strcspn(cur, " ");
                                if (n > 0 && n < sizeof(q))
                                        snprintf(q, sizeof(q), "%.*s", (int)n, cur);
                        }
                }
                if (period != 0)
                        r = cgroup_writef(dir, "cpu.max", ret_err, "%s %" PRIu64, q, period);
                else
                        r = cgroup_write(dir, "cpu.max", q, ret_err);
                if (r < 0)
                        return r;
        }
        if (res->has_cpu_burst && (r = write_u64(dir, "cpu.max.burst", res->cpu_burst, ret_err)) < 0)
                return r;
        if (res->has_cpu_idle && (r = write_i64(dir, "cpu.idle", res->cpu_idle, ret_err)) < 0)
                return r;
        return 0;
}

static int apply_cpu(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        CgroupDir *d;
        bool v2 = false;

        if (OPT(res, cpu_shares) == 0 && OPT(res, cpu_quota) == 0 && OPT(res, cpu_period) == 0 && !res->has_cpu_burst &&
            OPT(res, cpu_realtime_period) == 0 && OPT(res, cpu_realtime_runtime) == 0 && !res->has_cpu_idle)
                return 0;
        d = cgroup_dir_for(cg, CGROUP_CTRL_CPU, &v2);
        if (!d)
                return unavailable(ret_err, "cpu limit", "cpu");
        return v2 ? apply_cpu_v2(d->path, res, ret_err) : apply_cpu_v1(d->path, res, ret_err);
}

static int apply_cpuset(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        bool cpus = res->cpu_cpus && *res->cpu_cpus, mems = res->cpu_mems && *res->cpu_mems;
        CgroupDir *d;
        int r;

        if (!cpus && !mems)
                return 0;
        d = cgroup_dir_for(cg, CGROUP_CTRL_CPUSET, NULL);
        if (!d)
                return unavailable(ret_err, "cpuset", "cpuset");
        /* Same file names on v1 and v2. */
        if (cpus && (r = cgroup_write(d->path, "cpuset.cpus", res->cpu_cpus, ret_err)) < 0)
                return r;
        if (mems && (r = cgroup_write(d->path, "cpuset.mems", res->cpu_mems, ret_err)) < 0)
                return r;
        return 0;
}

static int apply_pids(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        CgroupDir *d;

        if (!res->has_pids_limit)
                return 0;
        d = cgroup_dir_for(cg, CGROUP_CTRL_PIDS, NULL);
        if (!d)
                return unavailable(ret_err, "pids limit", "pids");
        /* As runc: a limit <= 0 means no limit. */
        if (res->pids_limit <= 0)
                return cgroup_write(d->path, "pids.max", "max", ret_err);
        return write_i64(d->path, "pids.max", res->pids_limit, ret_err);
}

/* ---- block IO ---- */

static bool blkio_wanted(const SpecResources *r)
{
        return OPT(r, blkio_weight) != 0 || OPT(r, blkio_leaf_weight) != 0 || r->n_blkio_weight_devices ||
               r->n_blkio_throttle_read_bps || r->n_blkio_throttle_write_bps || r->n_blkio_throttle_read_iops ||
               r->n_blkio_throttle_write_iops;
}

static int write_throttle(const char *dir, const char *file, const char *key, const SpecThrottleDevice *t, size_t n,
                          Error **ret_err)
{
        int r;

        for (size_t i = 0; i < n; i++) {
                if (t[i].major < 0 || t[i].minor < 0)
                        return error_setx(ret_err, EINVAL, "%s: invalid device %" PRIi64 ":%" PRIi64, file, t[i].major,
                                          t[i].minor);
                if (!key)
                        r = cgroup_writef(dir, file, ret_err, "%" PRIi64 ":%" PRIi64 " %" PRIu64, t[i].major,
                                          t[i].minor, t[i].rate);
                else if (t[i].rate == 0) /* v1: 0 lifts the limit; v2 says "max" */
                        r = cgroup_writef(dir, file, ret_err, "%" PRIi64 ":%" PRIi64 " %s=max", t[i].major, t[i].minor,
                                          key);
                else
                        r = cgroup_writef(dir, file, ret_err, "%" PRIi64 ":%" PRIi64 " %s=%" PRIu64, t[i].major,
                                          t[i].minor, key, t[i].rate);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_blkio_v1(const char *dir, const SpecResources *res, Error **ret_err)
{
        /* CFQ's blkio.weight is gone with the legacy block layer (5.0); BFQ
         * offers blkio.bfq.weight with the same range instead. */
        bool bfq = !cgroup_file_exists(dir, "blkio.weight") && cgroup_file_exists(dir, "blkio.bfq.weight");
        const char *wfile = bfq ? "blkio.bfq.weight" : "blkio.weight";
        const char *wdfile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
        int r;

        if (OPT(res, blkio_weight) != 0 && (r = write_u64(dir, wfile, res->blkio_weight, ret_err)) < 0)
                return r;
        if (OPT(res, blkio_leaf_weight) != 0 &&
            (r = write_u64(dir, "blkio.leaf_weight", res->blkio_leaf_weight, ret_err)) < 0)
                return r;
        for (size_t i = 0; i < res->n_blkio_weight_devices; i++) {
                const SpecWeightDevice *w = &res->blkio_weight_devices[i];

                if (w->has_weight && (r = cgroup_writef(dir, wdfile, ret_err, "%" PRIi64 ":%" PRIi64 " %u", w->major,
                                                        w->minor, (unsigned)w->weight)) < 0)
                        return r;
                if (w->has_leaf_weight &&
                    (r = cgroup_writef(dir, "blkio.leaf_weight_device", ret_err, "%" PRIi64 ":%" PRIi64 " %u", w->major,
                                       w->minor, (unsigned)w->leaf_weight)) < 0)
                        return r;
        }
        if ((r = write_throttle(dir, "blkio.throttle.read_bps_device", NULL, res->blkio_throttle_read_bps,
                                res->n_blkio_throttle_read_bps, ret_err)) < 0 ||
            (r = write_throttle(dir, "blkio.throttle.write_bps_device", NULL, res->blkio_throttle_write_bps,
                                res->n_blkio_throttle_write_bps, ret_err)) < 0 ||
            (r = write_throttle(dir, "blkio.throttle.read_iops_device", NULL, res->blkio_throttle_read_iops,
                                res->n_blkio_throttle_read_iops, ret_err)) < 0 ||
            (r = write_throttle(dir, "blkio.throttle.write_iops_device", NULL, res->blkio_throttle_write_iops,
                                res->n_blkio_throttle_write_iops, ret_err)) < 0)
                return r;
        return 0;
}

static int apply_blkio_v2(const char *dir, const SpecResources *res, Error **ret_err)
{
        /* With BFQ, io.bfq.weight takes blkio's 1..1000 scale as is;
         * otherwise io.weight (1..10000) gets the converted value. Leaf
         * weights have no v2 counterpart and are ignored. */
        bool bfq = cgroup_file_exists(dir, "io.bfq.weight");
        int r;

        if (OPT(res, blkio_weight) != 0) {
                if (bfq)
                        r = write_u64(dir, "io.bfq.weight", res->blkio_weight, ret_err);
                else
                        r = write_u64(dir, "io.weight", cgroup_blkio_weight_to_io_weight(res->blkio_weight), ret_err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < res->n_blkio_weight_devices; i++) {
                const SpecWeightDevice *w = &res->blkio_weight_devices[i];

                if (!w->has_weight)
                        continue;
                if (bfq)
                        r = cgroup_writef(dir, "io.bfq.weight", ret_err, "%" PRIi64 ":%" PRIi64 " %u", w->major,
                                          w->minor, (unsigned)w->weight);
                else
                        r = cgroup_writef(dir, "io.weight", ret_err, "%" PRIi64 ":%" PRIi64 " %" PRIu64, w->major,
                                          w->minor, cgroup_blkio_weight_to_io_weight(w->weight));
                if (r < 0)
                        return r;
        }
        if ((r = write_throttle(dir, "io.max", "rbps", res->blkio_throttle_read_bps, res->n_blkio_throttle_read_bps,
                                ret_err)) < 0 ||
            (r = write_throttle(dir, "io.max", "wbps", res->blkio_throttle_write_bps, res->n_blkio_throttle_write_bps,
                                ret_err)) < 0 ||
            (r = write_throttle(dir, "io.max", "riops", res->blkio_throttle_read_iops, res->n_blkio_throttle_read_iops,
                                ret_err)) < 0 ||
            (r = write_throttle(dir, "io.max", "wiops", res->blkio_throttle_write_iops,
                                res->n_blkio_throttle_write_iops, ret_err)) < 0)
                return r;
        return 0;
}

static int apply_blkio(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        CgroupDir *d;
        bool v2 = false;

        if (!blkio_wanted(res))
                return 0;
        d = cgroup_dir_for(cg, CGROUP_CTRL_BLKIO, &v2);
        if (!d)
                return unavailable(ret_err, "block IO limit", cg->layout == CGROUP_LAYOUT_V2 ? "io" : "blkio");
        return v2 ? apply_blkio_v2(d->path, res, ret_err) : apply_blkio_v1(d->path, res, ret_err);
}

static int apply_hugetlb(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        CgroupDir *d;
        bool v2 = false;
        int r;

        if (res->n_hugepage_limits == 0)
                return 0;
        d = cgroup_dir_for(cg, CGROUP_CTRL_HUGETLB, &v2);
        if (!d)
                return unavailable(ret_err, "hugepage limit", "hugetlb");
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const SpecHugepageLimit *h = &res->hugepage_limits[i];
                char file[96], rsvd[96];

                /* The size is part of a file name: keep it to "2MB"-like. */
                if (!cgroup_hugetlb_size_valid(h->page_size))
                        return error_setx(ret_err, EINVAL, "hugepage limit: invalid page size \"%s\"",
                                          h->page_size ? h->page_size : "");
                snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size, v2 ? "max" : "limit_in_bytes");
                snprintf(rsvd, sizeof(rsvd), "hugetlb.%s.rsvd.%s", h->page_size, v2 ? "max" : "limit_in_bytes");
                if (!cgroup_file_exists(d->path, file))
                        return error_setx(ret_err, EINVAL, "hugepage limit: page size %s is not supported by the host",
                                          h->page_size);
                r = write_u64(d->path, file, h->limit, ret_err);
                if (r < 0)
                        return r;
                /* Reservations (5.7+) are limited alike, as runc does, so that
                 * a mmap cannot reserve past the limit and fault later. */
                if (cgroup_file_exists(d->path, rsvd) && (r = write_u64(d->path, rsvd, h->limit, ret_err)) < 0)
                        return r;
        }
        return 0;
}

static int apply_network(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        CgroupDir *d;
        int r;

        if (res->has_network_class_id) {
                d = cgroup_dir_for(cg, CGROUP_CTRL_NET_CLS, NULL);
                if (!d)
                        return unavailable(ret_err, "network class id", "net_cls");
                r = cgroup_writef(d->path, "net_cls.classid", ret_err, "%" PRIu32, res->network_class_id);
                if (r < 0)
                        return r;
        }
        if (res->n_network_priorities > 0) {
                d = cgroup_dir_for(cg, CGROUP_CTRL_NET_PRIO, NULL);
                if (!d)
                        return unavailable(ret_err, "network priorities", "net_prio");
                for (size_t i = 0; i < res->n_network_priorities; i++) {
                        const SpecNetPriority *p = &res->network_priorities[i];

                        if (!p->name || !*p->name || strpbrk(p->name, " \n/"))
                                return error_setx(ret_err, EINVAL, "network priority: invalid interface name \"%s\"",
                                                  p->name ? p->name : "");
                        r = cgroup_writef(d->path, "net_prio.ifpriomap", ret_err, "%s %" PRIu32, p->name, p->priority);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int apply_unified(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        CgroupDir *u;
        int r;

        if (res->n_unified == 0)
                return 0;
        u = cgroup_unified_dir(cg);
        if (!u)
                return error_setx(ret_err, EOPNOTSUPP,
                                  "unified resources (cgroup v2) requested but this host has no cgroup v2 hierarchy");
        for (size_t i = 0; i < res->n_unified; i++) {
                const SpecKeyValue *kv = &res->unified[i];

                r = cgroup_unified_key_check(kv->key, ret_err);
                if (r < 0)
                        return r;
                if (!cgroup_file_exists(u->path, kv->key)) {
                        _cleanup_free_ char *ctrl = strndup(kv->key, strcspn(kv->key, "."));

                        return error_setx(ret_err, EOPNOTSUPP,
                                          "unified resource \"%s\": no such cgroup v2 file (is the %s controller "
                                          "available here?)",
                                          kv->key, ctrl ? ctrl : "");
                }
                r = cgroup_write(u->path, kv->key, kv->value ? kv->value : "", ret_err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_devices(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        CgroupDir *d, *u;
        int r;

        /* Device access control needs privileges a rootless runtime lacks;
         * its containers only see the devices bind-mounted in (runc too). */
        if (res->n_devices == 0 || cg->rootless)
                return 0;
        d = cgroup_dir_for(cg, CGROUP_CTRL_DEVICES, NULL);
        if (d) {
                CgroupFile allow = CGROUP_FILE(d->path, "devices.allow"), deny = CGROUP_FILE(d->path, "devices.deny");

                /* Start from "deny all" and replay the rules in order: v1
                 * allow adds an exception, deny removes one, so the last
                 * matching rule wins as the spec says. */
                r = cgroup_file_write(&deny, "a", ret_err);
                for (size_t i = 0; r >= 0 && i < res->n_devices; i++) {
                        const SpecDeviceRule *rule = &res->devices[i];
                        char line[64];

                        if (cgroup_device_rule_format(rule, line, sizeof(line)) < 0)
                                r = error_setx(ret_err, EINVAL, "invalid device rule %zu (type '%c', access \"%s\")", i,
                                               rule->type ? rule->type : 'a', rule->access ? rule->access : "");
                        else
                                r = cgroup_file_write(rule->allow ? &allow : &deny, line, ret_err);
                }
                cgroup_file_close(&allow);
                cgroup_file_close(&deny);
                return r < 0 ? r : 0;
        }
        u = cgroup_unified_dir(cg);
        if (u)
                return cgroup_bpf_device_apply(u->path, res->devices, res->n_devices, ret_err);
        return unavailable(ret_err, "device rules", "devices");
}

uint32_t cgroup_resources_controllers(const SpecResources *res)
{
        uint32_t m = 0;

        if (!res)
                return 0;
        if (memory_wanted(res))
                m |= CGROUP_CTRL_BIT(CGROUP_CTRL_MEMORY);
        if (OPT(res, cpu_shares) != 0 || OPT(res, cpu_quota) != 0 || OPT(res, cpu_period) != 0 || res->has_cpu_burst ||
            OPT(res, cpu_realtime_period) != 0 || OPT(res, cpu_realtime_runtime) != 0 || res->has_cpu_idle)
                m |= CGROUP_CTRL_BIT(CGROUP_CTRL_CPU);
        if ((res->cpu_cpus && *res->cpu_cpus) || (res->cpu_mems && *res->cpu_mems))
                m |= CGROUP_CTRL_BIT(CGROUP_CTRL_CPUSET);
        if (res->has_pids_limit)
                m |= CGROUP_CTRL_BIT(CGROUP_CTRL_PIDS);
        if (blkio_wanted(res))
                m |= CGROUP_CTRL_BIT(CGROUP_CTRL_BLKIO);
        if (res->n_hugepage_limits)
                m |= CGROUP_CTRL_BIT(CGROUP_CTRL_HUGETLB);
        if (res->has_network_class_id)
                m |= CGROUP_CTRL_BIT(CGROUP_CTRL_NET_CLS);
        if (res->n_network_priorities)
                m |= CGROUP_CTRL_BIT(CGROUP_CTRL_NET_PRIO);
        return m;
}

int cgroup_apply_resources(Cgroup *cg, const SpecResources *res, bool creating, Error **ret_err)
{
        int r;

        if (!res)
                return 0;
        /* cpuset before anything that could move memory; unified last so
         * that it overrides the fields it duplicates (runc's order). */
        if ((r = apply_cpuset(cg, res, ret_err)) < 0 || (r = apply_memory(cg, res, creating, ret_err)) < 0 ||
            (r = apply_cpu(cg, res, ret_err)) < 0 || (r = apply_pids(cg, res, ret_err)) < 0 ||
            (r = apply_blkio(cg, res, ret_err)) < 0 || (r = apply_hugetlb(cg, res, ret_err)) < 0 ||
            (r = apply_network(cg, res, ret_err)) < 0 || (r = apply_unified(cg, res, ret_err)) < 0 ||
            (r = apply_devices(cg, res, ret_err)) < 0) {
                if (!creating)
                        return cgroup_prefix(r, ret_err, "update cgroup %s", cg->path);
                return r;
        }
        return 0;
}
