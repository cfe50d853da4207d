/* Statistics in the shape of runc 1.1's `events --stats` "data" object
 * (types.Stats, as encoding/json writes it), which containerd and podman
 * read. Keys come in runc's order:
 *
 *   {"cpu":{"usage":{"total","percpu","percpu_kernel","percpu_user","kernel","user"},
 *           "throttling":{"periods","throttledPeriods","throttledTime"}},
 *    "cpuset":{"cpus":[..],"cpu_exclusive",.."mems":[..],..,"sched_relax_domain_level"},
 *    "memory":{"cache","usage":{"limit","usage","max","failcnt"},"swap":{..},
 *              "kernel":{..},"kernelTCP":{..},"raw":{..}},
 *    "pids":{"current","limit"},
 *    "blkio":{"ioServiceBytesRecursive":[{"major","minor","op","value"}],..},
 *    "hugetlb":{"2MB":{"usage","max","failcnt"}},
 *    "intel_rdt":{},"network_interfaces":null}
 *
 * Fields that runc marks omitempty are left out when zero (so a pids limit
 * of "max", reported as 0, is absent, and so is an empty blkio list); maps
 * (raw, hugetlb) are sorted by key, as Go sorts them. Times are
 * nanoseconds. Missing controllers or files read as zero: stats are best
 * effort. v2 values are mapped the way runc maps them (swap reported as
 * memory+swap, "max" limits as 2^64-1, pids "max" as 0, io.stat split into
 * the v1 Read/Write lists). Beyond runc 1.1, on v2 the usage entry carries
 * memory.peak as "max" (as later runc does) and memory.events "max" as
 * "failcnt" (v1's failcnt counts the same thing: hitting the limit), and a
 * hybrid host's hugetlb is read from the cgroup2 hierarchy. */
#include "cgroup/cgroup-internal.h"

#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/util.h"

/* jansson 2.9+ has json_decrefp() for json_auto_t. */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* jansson's integers are signed 64-bit; larger values (v2's "max" as
 * 2^64-1) go through a marker string that stats_dump() turns back into
 * the bare number. */
#define U64_MARK "@@husk-u64:"

static json_t *json_u64(uint64_t v)
{
        char buf[64];

        if (v <= INT64_MAX)
                return json_integer((json_int_t)v);
        snprintf(buf, sizeof(buf), U64_MARK "%" PRIu64 "@@", v);
        return json_string(buf);
}

static void set_u64(json_t *o, const char *key, uint64_t v)
{
        json_object_set_new(o, key, json_u64(v));
}

/* A field that runc's types mark omitempty. */
static void set_u64_oe(json_t *o, const char *key, uint64_t v)
{
        if (v != 0)
                set_u64(o, key, v);
}

/* An omitempty array: set only when it has elements; takes a. */
static void set_array_oe(json_t *o, const char *key, json_t *a)
{
        if (a && json_array_size(a) > 0)
                json_object_set_new(o, key, a);
        else
                json_decref(a);
}

static uint64_t read_u64_or0(const char *dir, const char *file)
{
        uint64_t v = 0;

        if (!dir || cgroup_read_u64(dir, file, &v) < 0)
                return 0;
        return v;
}

static uint64_t keyed_or0(const char *dir, const char *file, const char *key)
{
        uint64_t v = 0;

        if (!dir || cgroup_read_keyed(dir, file, key, &v) < 0)
                return 0;
        return v;
}

/* ---- pure parsers (unit-tested) ---- */

int cgroup_parse_id_list(const char *s, uint16_t **ret, size_t *ret_n)
{
        _cleanup_free_ uint16_t *v = NULL;
        size_t n = 0, cap = 0;
        const char *p = s;

        while (*p && *p != '\n') {
                unsigned long lo, hi;
                char *end;

                if (*p < '0' || *p > '9')
                        return -EINVAL;
                lo = strtoul(p, &end, 10);
                hi = lo;
                if (*end == '-') {
                        p = end + 1;
                        if (*p < '0' || *p > '9')
                                return -EINVAL;
                        hi = strtoul(p, &end, 10);
                }
                if (hi > UINT16_MAX || lo > hi)
                        return -EINVAL;
                for (unsigned long i = lo; i <= hi; i++) {
                        if (n == cap) {
                                size_t ncap = cap ? cap * 2 : 16;
                                uint16_t *nv = realloc(v, ncap * sizeof(*v));

                                if (!nv)
                                        return -ENOMEM;
                                v = nv;
                                cap = ncap;
                        }
                        v[n++] = (uint16_t)i;
                }
                p = end;
                if (*p == ',' && p[1] >= '0' && p[1] <= '9')
                        p++;
                else if (*p && *p != '\n')
                        return -EINVAL;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

int cgroup_parse_usage_all(const char *text, uint64_t **ret_user, uint64_t **ret_sys, size_t *ret_n)
{
        _cleanup_free_ uint64_t *user = NULL, *sys = NULL;
        size_t n = 0, lines = 0;
        const char *p = strchr(text, '\n');

        /* "cpu user system" then one "N user_ns system_ns" line per cpu. */
        for (const char *q = text; (q = strchr(q, '\n')); q++)
                lines++;
        user = calloc(lines + 1, sizeof(*user));
        sys = calloc(lines + 1, sizeof(*sys));
        if (!user || !sys)
                return -ENOMEM;
        for (; p && *p; p = strchr(p, '\n')) {
                unsigned cpu;
                uint64_t u, s;

                p++;
                if (sscanf(p, "%u %" SCNu64 " %" SCNu64, &cpu, &u, &s) != 3)
                        continue;
                user[n] = u;
                sys[n] = s;
                n++;
        }
        *ret_user = TAKE_PTR(user);
        *ret_sys = TAKE_PTR(sys);
        *ret_n = n;
        return 0;
}

int cgroup_parse_blkio_line(const char *line, uint64_t *ret_major, uint64_t *ret_minor, char *op, size_t op_size,
                            uint64_t *ret_value)
{
        const char *rest = cgroup_parse_devnum(line, ret_major, ret_minor);
        char word[32];
        uint64_t v;
        int n;

        if (!rest)
                return -EINVAL;
        /* "8:0 Read 4096", or "8:0 4096" (blkio.time, blkio.sectors). */
        n = sscanf(rest, " %31s %" SCNu64, word, &v);
        if (n == 2) {
                if (strlen(word) >= op_size)
                        return -EINVAL;
                strcpy(op, word);
        } else if (n == 1 && parse_u64(word, &v) == 0) {
                op[0] = '\0';
        } else {
                return -EINVAL;
        }
        *ret_value = v;
        return 0;
}

/* ---- cpu ---- */

static json_t *u64_array(const uint64_t *v, size_t n)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, json_u64(v[i]));
        return a;
}

/* The directory whose cpu.stat we read on v2 (present without the cpu
 * controller). */
static const char *v2_dir(const Cgroup *cg)
{
        CgroupDir *u = cg->layout == CGROUP_LAYOUT_V2 ? cgroup_unified_dir(cg) : NULL;
        return u ? u->path : NULL;
}

/* v1: the cpuacct files. */
static void cpu_usage_v1(json_t *usage, const char *dir)
{
        _cleanup_free_ char *pc = NULL, *all = NULL;
        uint64_t user = 0, sys = 0;

        set_u64_oe(usage, "total", read_u64_or0(dir, "cpuacct.usage"));
        if (cgroup_read(dir, "cpuacct.usage_percpu", &pc) == 0) {
                json_t *percpu = json_array();
                char *save = NULL;

                for (char *t = strtok_r(pc, " \n", &save); percpu && t; t = strtok_r(NULL, " \n", &save)) {
                        uint64_t v;
                        if (parse_u64(t, &v) == 0)
                                json_array_append_new(percpu, json_u64(v));
                }
                set_array_oe(usage, "percpu", percpu);
        }
        if (cgroup_read(dir, "cpuacct.usage_all", &all) == 0) {
                _cleanup_free_ uint64_t *u = NULL, *s = NULL;
                size_t n = 0;

                if (cgroup_parse_usage_all(all, &u, &s, &n) == 0) {
                        set_array_oe(usage, "percpu_kernel", u64_array(s, n));
                        set_array_oe(usage, "percpu_user", u64_array(u, n));
                }
        }
        if (cgroup_read_u64(dir, "cpuacct.usage_user", &user) < 0 ||
            cgroup_read_u64(dir, "cpuacct.usage_sys", &sys) < 0) {
                /* Older kernels: cpuacct.stat in USER_HZ ticks. */
                long hz = sysconf(_SC_CLK_TCK);

                if (hz <= 0)
                        hz = 100;
                user = keyed_or0(dir, "cpuacct.stat", "user") * (1000000000u / (uint64_t)hz);
                sys = keyed_or0(dir, "cpuacct.stat", "system") * (1000000000u / (uint64_t)hz);
        }
        set_u64(usage, "kernel", sys);
        set_u64(usage, "user", user);
}

static json_t *stats_cpu(const Cgroup *cg)
{
        json_t *cpu = json_object(), *usage = json_object(), *thr = json_object();
        CgroupDir *acct = NULL, *c = NULL;
        bool v2 = false;
        const char *u2 = v2_dir(cg);

        if (!cpu || !usage || !thr) {
                json_decref(cpu);
                json_decref(usage);
                json_decref(thr);
                return NULL;
        }
        acct = cgroup_dir_for(cg, CGROUP_CTRL_CPUACCT, &v2);
        if (acct && v2)
                acct = NULL;
        c = cgroup_dir_for(cg, CGROUP_CTRL_CPU, &v2);
        if (c && v2)
                c = NULL;

        if (acct) {
                cpu_usage_v1(usage, acct->path);
        } else {
                set_u64_oe(usage, "total", keyed_or0(u2, "cpu.stat", "usage_usec") * 1000);
                set_u64(usage, "kernel", keyed_or0(u2, "cpu.stat", "system_usec") * 1000);
                set_u64(usage, "user", keyed_or0(u2, "cpu.stat", "user_usec") * 1000);
        }
        if (c) {
                set_u64_oe(thr, "periods", keyed_or0(c->path, "cpu.stat", "nr_periods"));
                set_u64_oe(thr, "throttledPeriods", keyed_or0(c->path, "cpu.stat", "nr_throttled"));
                set_u64_oe(thr, "throttledTime", keyed_or0(c->path, "cpu.stat", "throttled_time"));
        } else {
                set_u64_oe(thr, "periods", keyed_or0(u2, "cpu.stat", "nr_periods"));
                set_u64_oe(thr, "throttledPeriods", keyed_or0(u2, "cpu.stat", "nr_throttled"));
                set_u64_oe(thr, "throttledTime", keyed_or0(u2, "cpu.stat", "throttled_usec") * 1000);
        }
        json_object_set_new(cpu, "usage", usage);
        json_object_set_new(cpu, "throttling", thr);
        return cpu;
}

/* ---- cpuset ---- */

static json_t *id_list(const char *dir, const char *file)
{
        _cleanup_free_ char *s = NULL;
        _cleanup_free_ uint16_t *v = NULL;
        json_t *a;
        size_t n = 0;

        if (!dir || cgroup_read(dir, file, &s) < 0 || cgroup_parse_id_list(s, &v, &n) < 0)
                return NULL;
        a = json_array();
        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, json_integer(v[i]));
        return a;
}

/* runc reads these on v1 only; on v2 the object has its zero values. */
static json_t *stats_cpuset(const Cgroup *cg)
{
        static const char *const flags[] = {
                "cpu_exclusive",      "mems", /* the list goes here */
                "mem_hardwall",       "mem_exclusive",
                "memory_migrate",     "memory_spread_page",
                "memory_spread_slab", "memory_pressure",
                "sched_load_balance",
        };
        json_t *o = json_object();
        bool v2 = false;
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_CPUSET, &v2);
        const char *p = d && !v2 ? d->path : NULL;
        int64_t relax = 0;
        _cleanup_free_ char *s = NULL;

        if (!o)
                return NULL;
        set_array_oe(o, "cpus", id_list(p, "cpuset.cpus"));
        for (size_t i = 0; i < ELEMENTSOF(flags); i++) {
                char f[64];

                if (streq(flags[i], "mems")) {
                        set_array_oe(o, "mems", id_list(p, "cpuset.mems"));
                        continue;
                }
                snprintf(f, sizeof(f), "cpuset.%s", flags[i]);
                set_u64(o, flags[i], read_u64_or0(p, f));
        }
        if (p && cgroup_read(p, "cpuset.sched_relax_domain_level", &s) == 0 && parse_i64(s, &relax) < 0)
                relax = 0;
        json_object_set_new(o, "sched_relax_domain_level", json_integer(relax));
        return o;
}

/* ---- memory ---- */

/* runc's MemoryEntry: limit and failcnt always, usage and max omitempty. */
static json_t *mem_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
        json_t *e = json_object();

        if (!e)
                return NULL;
        set_u64(e, "limit", limit);
        set_u64_oe(e, "usage", usage);
        set_u64_oe(e, "max", max);
        set_u64(e, "failcnt", failcnt);
        return e;
}

/* A v1 entry; all zero when the files are missing (no swap accounting, no
 * kmem), as in runc. */
static json_t *v1_mem_entry(const char *dir, const char *prefix)
{
        char f[4][96];
        static const char *const names[] = { "limit_in_bytes", "usage_in_bytes", "max_usage_in_bytes", "failcnt" };

        for (size_t i = 0; i < 4; i++)
                snprintf(f[i], sizeof(f[i]), "%s%s", prefix, names[i]);
        return mem_entry(read_u64_or0(dir, f[0]), read_u64_or0(dir, f[1]), read_u64_or0(dir, f[2]),
                         read_u64_or0(dir, f[3]));
}

typedef struct KeyValue {
        const char *key;
        uint64_t value;
} KeyValue;

static int kv_cmp(const void *a, const void *b)
{
        return strcmp(((const KeyValue *)a)->key, ((const KeyValue *)b)->key);
}

/* memory.stat as a map sorted by key; *ret_cache gets the key `cache_key`. */
static json_t *read_raw_keyed(const char *dir, const char *file, const char *cache_key, uint64_t *ret_cache)
{
        _cleanup_free_ char *s = NULL;
        _cleanup_free_ KeyValue *kv = NULL;
        size_t n = 0, lines = 1;
        json_t *raw = json_object();

        *ret_cache = 0;
        if (!raw || !dir || cgroup_read(dir, file, &s) < 0)
                return raw;
        for (const char *q = s; (q = strchr(q, '\n')); q++)
                lines++;
        kv = calloc(lines, sizeof(*kv));
        if (!kv)
                return raw;
        for (char *line = s, *nl; line && *line; line = nl) {
                char *sp;
                uint64_t v;

                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = '\0';
                sp = strchr(line, ' ');
                if (!sp || n >= lines)
                        continue;
                *sp = '\0';
                if (parse_u64(sp + 1, &v) < 0)
                        continue;
                kv[n++] = (KeyValue){ line, v };
                if (streq(line, cache_key))
                        *ret_cache = v;
        }
        qsort(kv, n, sizeof(*kv), kv_cmp);
        for (size_t i = 0; i < n; i++)
                set_u64(raw, kv[i].key, kv[i].value);
        return raw;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static json_t *stats_memory(const Cgroup *cg)
{
        json_t *m = json_object(), *raw;
        bool v2 = false;
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_MEMORY, &v2);
        const char *p = d ? d->path : NULL;
        uint64_t cache = 0;

        if (!m)
                return NULL;
        raw = read_raw_keyed(p, "memory.stat", v2 ? "file" : "cache", &cache);
        set_u64_oe(m, "cache", cache);
        if (!v2) {
                json_object_set_new(m, "usage", v1_mem_entry(p, "memory."));
                json_object_set_new(m, "swap", v1_mem_entry(p, "memory.memsw."));
                json_object_set_new(m, "kernel", v1_mem_entry(p, "memory.kmem."));
                json_object_set_new(m, "kernelTCP", v1_mem_entry(p, "memory.kmem.tcp."));
        } else {
                uint64_t limit = read_u64_or0(p, "memory.max"), usage = read_u64_or0(p, "memory.current");
                uint64_t slimit = read_u64_or0(p, "memory.swap.max"), susage = read_u64_or0(p, "memory.swap.current");

                json_object_set_new(
                        m, "usage",
                        mem_entry(limit, usage, read_u64_or0(p, "memory.peak"), keyed_or0(p, "memory.events", "max")));
                /* v1 reports swap as memory+swap; so does runc on v2. */
                if (slimit != UINT64_MAX)
                        slimit = add_sat(slimit, limit);
                json_object_set_new(
                        m, "swap",
                        mem_entry(slimit, add_sat(susage, usage), 0, keyed_or0(p, "memory.swap.events", "max")));
                json_object_set_new(m, "kernel", mem_entry(0, 0, 0, 0));
                json_object_set_new(m, "kernelTCP", mem_entry(0, 0, 0, 0));
        }
        if (raw && json_object_size(raw) > 0)
                json_object_set_new(m, "raw", raw);
        else
                json_decref(raw);
        return m;
}

/* ---- pids ---- */

static json_t *stats_pids(const Cgroup *cg)
{
        json_t *o = json_object();
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_PIDS, NULL);
        uint64_t limit = read_u64_or0(d ? d->path : NULL, "pids.max"), current;

        if (!o)
                return NULL;
        if (d) {
                current = read_u64_or0(d->path, "pids.current");
        } else {
                /* No pids controller: count the processes, as runc does. */
                pid_t *pids = NULL;
                size_t n = 0;

                current = cgroup_pids((Cgroup *)cg, &pids, &n, NULL) == 0 ? n : 0;
                free(pids);
        }
        set_u64_oe(o, "current", current);
        set_u64_oe(o, "limit", limit == UINT64_MAX ? 0 : limit);
        return o;
}

/* ---- blkio ---- */

static void blkio_entry(json_t *arr, uint64_t maj, uint64_t min, const char *op, uint64_t v)
{
        json_t *e = json_object();

        if (!e)
                return;
        /* Every field of runc's BlkioEntry is omitempty. */
        set_u64_oe(e, "major", maj);
        set_u64_oe(e, "minor", min);
        if (op && *op)
                json_object_set_new(e, "op", json_string(op));
        set_u64_oe(e, "value", v);
        json_array_append_new(arr, e);
}

/* A v1 blkio file as a list; NULL when the file is missing or unreadable.
 * "Total N" lines are skipped. */
static json_t *blkio_v1_file(const char *dir, const char *pfx, const char *name)
{
        _cleanup_free_ char *s = NULL;
        char file[96];
        json_t *arr;

        snprintf(file, sizeof(file), "%s%s", pfx, name);
        if (cgroup_read(dir, file, &s) < 0)
                return NULL;
        arr = json_array();
        for (char *line = s, *nl; arr && line && *line; line = nl) {
                uint64_t maj, min, v;
                char op[16];

                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = '\0';
                if (cgroup_parse_blkio_line(line, &maj, &min, op, sizeof(op), &v) == 0)
                        blkio_entry(arr, maj, min, op, v);
        }
        return arr;
}

/* The v1 lists, in runc's key order, with the file each comes from. */
static const struct {
        const char *key, *file;
} blkio_lists[] = {
        { "ioServiceBytesRecursive", "io_service_bytes_recursive" },
        { "ioServicedRecursive", "io_serviced_recursive" },
        { "ioQueueRecursive", "io_queued_recursive" },
        { "ioServiceTimeRecursive", "io_service_time_recursive" },
        { "ioWaitTimeRecursive", "io_wait_time_recursive" },
        { "ioMergedRecursive", "io_merged_recursive" },
        { "ioTimeRecursive", "time_recursive" },
        { "sectorsRecursive", "sectors_recursive" },
};

/* Whether a v1 blkio file has a line for a device ("8:0 Read 4096"), not
 * only "Total N". */
static bool blkio_v1_lists_device(const char *dir, const char *file)
{
        _cleanup_free_ char *s = NULL;

        return cgroup_read(dir, file, &s) >= 0 && s[0] >= '0' && s[0] <= '9';
}

static void stats_blkio_v1(json_t *o, const char *dir)
{
        const char *pfx;
        bool all = true; /* CFQ and BFQ (with debug stats) have all eight */

        /* CFQ's files, else BFQ's, else the throttling layer's (recursive
         * where the kernel has them, 4.14+): the first that lists a device,
         * as runc picks them. A scheduler's files count only the disks it
         * schedules: BFQ's exist once its module is loaded, and list nothing
         * for a disk without a scheduler (NVMe with "none", a RAM disk),
         * which only the throttling layer counts. */
        if (blkio_v1_lists_device(dir, "blkio.io_service_bytes_recursive"))
                pfx = "blkio.";
        else if (blkio_v1_lists_device(dir, "blkio.bfq.io_service_bytes_recursive"))
                pfx = "blkio.bfq.";
        else {
                pfx = "blkio.throttle.";
                all = false;
        }
        for (size_t i = 0; i < ELEMENTSOF(blkio_lists); i++) {
                json_t *a;

                if (!all && i >= 2)
                        break;
                a = blkio_v1_file(dir, pfx, blkio_lists[i].file);
                if (!a && !all) {
                        /* "io_service_bytes" before the _recursive files */
                        char plain[64];
                        size_t len = strlen(blkio_lists[i].file) - strlen("_recursive");

                        snprintf(plain, sizeof(plain), "%.*s", (int)len, blkio_lists[i].file);
                        a = blkio_v1_file(dir, pfx, plain);
                }
                set_array_oe(o, blkio_lists[i].key, a);
        }
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
static void stats_blkio_v2(json_t *o, const char *dir)
{
        _cleanup_free_ char *s = NULL;
        json_t *bytes = json_array(), *ios = json_array();

        if (bytes && ios && cgroup_read(dir, "io.stat", &s) == 0) {
                for (char *line = s, *nl; line && *line; line = nl) {
                        uint64_t maj, min, rb = 0, wb = 0, ri = 0, wi = 0;
                        const char *rest;

                        nl = strchr(line, '\n');
                        if (nl)
                                *nl++ = '\0';
                        rest = cgroup_parse_devnum(line, &maj, &min);
                        if (!rest)
                                continue;
                        for (const char *t = rest; (t = strchr(t, ' '));) {
                                t++;
                                sscanf(t, "rbytes=%" SCNu64, &rb);
                                sscanf(t, "wbytes=%" SCNu64, &wb);
                                sscanf(t, "rios=%" SCNu64, &ri);
                                sscanf(t, "wios=%" SCNu64, &wi);
                        }
                        blkio_entry(bytes, maj, min, "Read", rb);
                        blkio_entry(bytes, maj, min, "Write", wb);
                        blkio_entry(ios, maj, min, "Read", ri);
                        blkio_entry(ios, maj, min, "Write", wi);
                }
        }
        set_array_oe(o, "ioServiceBytesRecursive", bytes);
        set_array_oe(o, "ioServicedRecursive", ios);
}

static json_t *stats_blkio(const Cgroup *cg)
{
        json_t *o = json_object();
        bool v2 = false;
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_BLKIO, &v2);

        if (!o || !d)
                return o;
        if (v2)
                stats_blkio_v2(o, d->path);
        else
                stats_blkio_v1(o, d->path);
        return o;
}

/* ---- hugetlb ---- */

static int str_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *hugetlb_entry(const char *dir, const char *size, bool v2)
{
        json_t *e = json_object();
        char f[96];

        if (!e)
                return NULL;
        if (!v2) {
                snprintf(f, sizeof(f), "hugetlb.%s.usage_in_bytes", size);
                set_u64_oe(e, "usage", read_u64_or0(dir, f));
                snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", size);
                set_u64_oe(e, "max", read_u64_or0(dir, f));
                snprintf(f, sizeof(f), "hugetlb.%s.failcnt", size);
                set_u64(e, "failcnt", read_u64_or0(dir, f));
        } else {
                snprintf(f, sizeof(f), "hugetlb.%s.current", size);
                set_u64_oe(e, "usage", read_u64_or0(dir, f));
                snprintf(f, sizeof(f), "hugetlb.%s.events", size);
                set_u64(e, "failcnt", keyed_or0(dir, f, "max"));
        }
        return e;
}

static json_t *stats_hugetlb(const Cgroup *cg)
{
        json_t *o = json_object();
        bool v2 = false;
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_HUGETLB, &v2);
        _cleanup_strv_ char **sizes = NULL;
        DIR *dir;
        struct dirent *de;

        if (!o || !d)
                return o;
        dir = opendir(d->path);
        if (!dir)
                return o;
        while ((de = readdir(dir))) {
                const char *suffix = v2 ? ".max" : ".limit_in_bytes";
                size_t len = strlen(de->d_name), sl = strlen(suffix);
                char size[32];

                /* hugetlb.<size>.max, not hugetlb.<size>.rsvd.max */
                if (strncmp(de->d_name, "hugetlb.", 8) != 0 || len <= 8 + sl || !streq(de->d_name + len - sl, suffix) ||
                    len - sl - 8 >= sizeof(size))
                        continue;
                snprintf(size, sizeof(size), "%.*s", (int)(len - sl - 8), de->d_name + 8);
                if (strchr(size, '.'))
                        continue;
                if (strv_push(&sizes, size) < 0)
                        break;
        }
        closedir(dir);
        if (!sizes)
                return o;
        qsort(sizes, strv_length(sizes), sizeof(*sizes), str_cmp);
        for (char **s = sizes; *s; s++)
                json_object_set_new(o, *s, hugetlb_entry(d->path, *s, v2));
        return o;
}

/* Dump, turning the U64_MARK strings back into bare numbers. */
static char *stats_dump(const json_t *root)
{
        /* Insertion order: runc's field order. */
        _cleanup_free_ char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char *out, *o;
        const char *p;

        if (!s)
                return NULL;
        out = malloc(strlen(s) + 1);
        if (!out)
                return NULL;
        for (p = s, o = out; *p;) {
                const char *m = strstr(p, "\"" U64_MARK);
                const char *end;

                if (!m) {
                        strcpy(o, p);
                        return out;
                }
                memcpy(o, p, (size_t)(m - p));
                o += m - p;
                m += strlen("\"" U64_MARK);
                end = strstr(m, "@@\"");
                if (!end) { /* cannot happen: we wrote it */
                        free(out);
                        return NULL;
                }
                memcpy(o, m, (size_t)(end - m));
                o += end - m;
                p = end + 3;
        }
        *o = '\0';
        return out;
}

int cgroup_stats_json(Cgroup *cg, char **ret, Error **ret_err)
{
        _cleanup_json_ json_t *root = json_object();
        Cgroup empty = { .manager = CGROUP_MANAGER_DISABLED };
        const Cgroup *c = cg && cg->manager != CGROUP_MANAGER_DISABLED ? cg : &empty;
        char *s;

        if (!root)
                return error_set(ret_err, ENOMEM, "cgroup stats");
        if (json_object_set_new(root, "cpu", stats_cpu(c)) < 0 ||
            json_object_set_new(root, "cpuset", stats_cpuset(c)) < 0 ||
            json_object_set_new(root, "memory", stats_memory(c)) < 0 ||
            json_object_set_new(root, "pids", stats_pids(c)) < 0 ||
            json_object_set_new(root, "blkio", stats_blkio(c)) < 0 ||
            json_object_set_new(root, "hugetlb", stats_hugetlb(c)) < 0 ||
            /* runc's Intel RDT and network interface stats; husk has
             * neither (runc itself leaves them empty without RDT and
             * without a network interface list in its state). */
            json_object_set_new(root, "intel_rdt", json_object()) < 0 ||
            json_object_set_new(root, "network_interfaces", json_null()) < 0)
                return error_set(ret_err, ENOMEM, "cgroup stats");
        s = stats_dump(root);
        if (!s)
                return error_set(ret_err, ENOMEM, "cgroup stats");
        *ret = s;
        return 0;
}
