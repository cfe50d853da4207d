/* Statistics in the shape of runc's `events --stats` "data" object, which
 * containerd and podman read:
 *
 *   {"cpu":{"usage":{"total","percpu","kernel","user"},
 *           "throttling":{"periods","throttledPeriods","throttledTime"}},
 *    "memory":{"cache","usage":{..},"swap":{..},"kernel":{..},"kernelTCP":{..},"raw":{..}},
 *    "pids":{"current","limit"},
 *    "blkio":{"ioServiceBytesRecursive":[..],"ioServicedRecursive":[..]},
 *    "hugetlb":{"2MB":{"usage","max","failcnt"}}}
 *
 * Times are nanoseconds. Missing controllers or files read as zero: stats
 * are best effort, as in runc. v2 values are mapped the way runc maps them
 * (swap reported as memory+swap, "max" limits as 2^64-1, pids "max" as 0). */
#include "cgroup/cgroup-internal.h"

#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
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

static int set_u64(json_t *o, const char *key, uint64_t v)
{
        return json_object_set_new(o, key, json_u64(v));
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

/* The directory whose cpu.stat usage_usec we read on v2 (present without
 * the cpu controller). */
static const char *v2_dir(const Cgroup *cg)
{
        CgroupDir *u = cg->layout == CGROUP_LAYOUT_V2 ? cgroup_unified_dir(cg) : NULL;
        return u ? u->path : NULL;
}

static json_t *stats_cpu(const Cgroup *cg)
{
        json_t *cpu = json_object(), *usage = json_object(), *thr = json_object(), *percpu = json_array();
        CgroupDir *acct = NULL, *c = NULL;
        bool v2 = false;
        const char *u2 = v2_dir(cg);

        if (!cpu || !usage || !thr || !percpu)
                goto oom;
        acct = cgroup_dir_for(cg, CGROUP_CTRL_CPUACCT, &v2);
        if (acct && v2)
                acct = NULL;
        c = cgroup_dir_for(cg, CGROUP_CTRL_CPU, &v2);
        if (c && v2)
                c = NULL;

        if (acct) {
                _cleanup_free_ char *pc = NULL;
                uint64_t user = 0, sys = 0;

                set_u64(usage, "total", read_u64_or0(acct->path, "cpuacct.usage"));
                if (cgroup_read(acct->path, "cpuacct.usage_percpu", &pc) == 0) {
                        char *save = NULL;
                        for (char *t = strtok_r(pc, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                                uint64_t v;
                                if (parse_u64(t, &v) == 0)
                                        json_array_append_new(percpu, json_u64(v));
                        }
                }
                if (cgroup_read_u64(acct->path, "cpuacct.usage_user", &user) < 0 ||
                    cgroup_read_u64(acct->path, "cpuacct.usage_sys", &sys) < 0) {
                        /* Older kernels: cpuacct.stat in USER_HZ ticks. */
                        long hz = sysconf(_SC_CLK_TCK);

                        if (hz <= 0)
                                hz = 100;
                        user = keyed_or0(acct->path, "cpuacct.stat", "user") * (1000000000u / (uint64_t)hz);
                        sys = keyed_or0(acct->path, "cpuacct.stat", "system") * (1000000000u / (uint64_t)hz);
                }
                set_u64(usage, "kernel", sys);
                set_u64(usage, "user", user);
        } else if (u2) {
                set_u64(usage, "total", keyed_or0(u2, "cpu.stat", "usage_usec") * 1000);
                set_u64(usage, "kernel", keyed_or0(u2, "cpu.stat", "system_usec") * 1000);
                set_u64(usage, "user", keyed_or0(u2, "cpu.stat", "user_usec") * 1000);
        } else {
                set_u64(usage, "total", 0);
                set_u64(usage, "kernel", 0);
                set_u64(usage, "user", 0);
        }
        json_object_set_new(usage, "percpu", percpu);
        percpu = NULL;

        if (c) {
                set_u64(thr, "periods", keyed_or0(c->path, "cpu.stat", "nr_periods"));
                set_u64(thr, "throttledPeriods", keyed_or0(c->path, "cpu.stat", "nr_throttled"));
                set_u64(thr, "throttledTime", keyed_or0(c->path, "cpu.stat", "throttled_time"));
        } else {
                set_u64(thr, "periods", keyed_or0(u2, "cpu.stat", "nr_periods"));
                set_u64(thr, "throttledPeriods", keyed_or0(u2, "cpu.stat", "nr_throttled"));
                set_u64(thr, "throttledTime", keyed_or0(u2, "cpu.stat", "throttled_usec") * 1000);
        }
        json_object_set_new(cpu, "usage", usage);
        json_object_set_new(cpu, "throttling", thr);
        return cpu;
oom:
        json_decref(cpu);
        json_decref(usage);
        json_decref(thr);
        json_decref(percpu);
        return NULL;
}

static json_t *mem_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
        json_t *e = json_object();

        if (!e)
                return NULL;
        set_u64(e, "limit", limit);
        set_u64(e, "usage", usage);
        set_u64(e, "max", max);
        set_u64(e, "failcnt", failcnt);
        return e;
}

static json_t *v1_mem_entry(const char *dir, const char *prefix)
{
        char f[4][96];
        static const char *const names[] = { "limit_in_bytes", "usage_in_bytes", "max_usage_in_bytes", "failcnt" };

        for (size_t i = 0; i < 4; i++)
                snprintf(f[i], sizeof(f[i]), "%s%s", prefix, names[i]);
        return mem_entry(read_u64_or0(dir, f[0]), read_u64_or0(dir, f[1]), read_u64_or0(dir, f[2]),
                         read_u64_or0(dir, f[3]));
}

static json_t *read_raw_keyed(const char *dir, const char *file)
{
        _cleanup_free_ char *s = NULL;
        json_t *raw = json_object();

        if (!raw || !dir || cgroup_read(dir, file, &s) < 0)
                return raw;
        for (char *line = s, *nl; line && *line; line = nl) {
                char *sp;
                uint64_t v;

                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = '\0';
                sp = strchr(line, ' ');
                if (!sp)
                        continue;
                *sp = '\0';
                if (parse_u64(sp + 1, &v) == 0)
                        set_u64(raw, line, v);
        }
        return raw;
}

static json_t *stats_memory(const Cgroup *cg)
{
        json_t *m = json_object(), *raw;
        bool v2 = false;
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_MEMORY, &v2);
        const char *p = d ? d->path : NULL;
        uint64_t cache;

        if (!m)
                return NULL;
        raw = read_raw_keyed(p, "memory.stat");
        if (!raw) {
                json_decref(m);
                return NULL;
        }
        cache = json_integer_value(json_object_get(raw, v2 ? "file" : "cache"));
        set_u64(m, "cache", cache);
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
                if (slimit != UINT64_MAX && limit != UINT64_MAX)
                        slimit += limit;
                else
                        slimit = UINT64_MAX;
                json_object_set_new(m, "swap",
                                    mem_entry(slimit, susage + usage, 0, keyed_or0(p, "memory.swap.events", "max")));
                json_object_set_new(m, "kernel", mem_entry(0, 0, 0, 0));
                json_object_set_new(m, "kernelTCP", mem_entry(0, 0, 0, 0));
        }
        json_object_set_new(m, "raw", raw);
        return m;
}

static json_t *stats_pids(const Cgroup *cg)
{
        json_t *o = json_object();
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_PIDS, NULL);
        uint64_t limit = read_u64_or0(d ? d->path : NULL, "pids.max");

        if (!o)
                return NULL;
        set_u64(o, "current", read_u64_or0(d ? d->path : NULL, "pids.current"));
        set_u64(o, "limit", limit == UINT64_MAX ? 0 : limit);
        return o;
}

static void blkio_entry(json_t *arr, uint64_t maj, uint64_t min, const char *op, uint64_t v)
{
        json_t *e = json_object();

        if (!e)
                return;
        set_u64(e, "major", maj);
        set_u64(e, "minor", min);
        json_object_set_new(e, "op", json_string(op));
        set_u64(e, "value", v);
        json_array_append_new(arr, e);
}

/* v1 "8:0 Read 4096" lines ("Total N" skipped). Returns how many it added. */
static size_t blkio_v1_file(json_t *arr, const char *dir, const char *file)
{
        _cleanup_free_ char *s = NULL;
        size_t n = 0;

        if (cgroup_read(dir, file, &s) < 0)
                return 0;
        for (char *line = s, *nl; line && *line; line = nl) {
                uint64_t maj, min, v;
                const char *rest;
                char op[16];

                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = '\0';
                rest = cgroup_parse_devnum(line, &maj, &min);
                if (!rest || sscanf(rest, " %15s %" SCNu64, op, &v) != 2)
                        continue;
                blkio_entry(arr, maj, min, op, v);
                n++;
        }
        return n;
}

static json_t *stats_blkio(const Cgroup *cg)
{
        json_t *o = json_object(), *bytes = json_array(), *ios = json_array();
        bool v2 = false;
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_BLKIO, &v2);

        if (!o || !bytes || !ios) {
                json_decref(o);
                json_decref(bytes);
                json_decref(ios);
                return NULL;
        }
        if (d && !v2) {
                /* CFQ's files, else BFQ's, else the throttling layer's: the
                 * first that lists a device, as runc reads them. A
                 * scheduler's files count only the devices it schedules:
                 * BFQ's exist once its module is loaded, and stay empty for
                 * a disk without a scheduler (NVMe with "none", a RAM disk),
                 * which only the throttling layer counts. */
                static const char *const pfx[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };

                for (size_t i = 0; i < ELEMENTSOF(pfx); i++) {
                        char f1[96], f2[96];

                        snprintf(f1, sizeof(f1), "%sio_service_bytes_recursive", pfx[i]);
                        snprintf(f2, sizeof(f2), "%sio_serviced_recursive", pfx[i]);
                        if (blkio_v1_file(bytes, d->path, f1) == 0)
                                continue;
                        blkio_v1_file(ios, d->path, f2);
                        break;
                }
        } else if (d) {
                _cleanup_free_ char *s = NULL;

                /* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
                if (cgroup_read(d->path, "io.stat", &s) == 0) {
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
        }
        json_object_set_new(o, "ioServiceBytesRecursive", bytes);
        json_object_set_new(o, "ioServicedRecursive", ios);
        return o;
}

static json_t *stats_hugetlb(const Cgroup *cg)
{
        json_t *o = json_object();
        bool v2 = false;
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_HUGETLB, &v2);
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
                char size[32], f[96];
                json_t *e;

                /* hugetlb.<size>.max, not hugetlb.<size>.rsvd.max */
                if (strncmp(de->d_name, "hugetlb.", 8) != 0 || len <= 8 + sl || !streq(de->d_name + len - sl, suffix) ||
                    len - sl - 8 >= sizeof(size))
                        continue;
                snprintf(size, sizeof(size), "%.*s", (int)(len - sl - 8), de->d_name + 8);
                if (strchr(size, '.'))
                        continue;
                e = json_object();
                if (!e)
                        break;
                if (!v2) {
                        snprintf(f, sizeof(f), "hugetlb.%s.usage_in_bytes", size);
                        set_u64(e, "usage", read_u64_or0(d->path, f));
                        snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", size);
                        set_u64(e, "max", read_u64_or0(d->path, f));
                        snprintf(f, sizeof(f), "hugetlb.%s.failcnt", size);
                        set_u64(e, "failcnt", read_u64_or0(d->path, f));
                } else {
                        snprintf(f, sizeof(f), "hugetlb.%s.current", size);
                        set_u64(e, "usage", read_u64_or0(d->path, f));
                        set_u64(e, "max", 0);
                        snprintf(f, sizeof(f), "hugetlb.%s.events", size);
                        set_u64(e, "failcnt", keyed_or0(d->path, f, "max"));
                }
                json_object_set_new(o, size, e);
        }
        closedir(dir);
        return o;
}

/* Dump, turning the U64_MARK strings back into bare numbers. */
static char *stats_dump(const json_t *root)
{
        _cleanup_free_ char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
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
            json_object_set_new(root, "memory", stats_memory(c)) < 0 ||
            json_object_set_new(root, "pids", stats_pids(c)) < 0 ||
            json_object_set_new(root, "blkio", stats_blkio(c)) < 0 ||
            json_object_set_new(root, "hugetlb", stats_hugetlb(c)) < 0)
                return error_set(ret_err, ENOMEM, "cgroup stats");
        s = stats_dump(root);
        if (!s)
                return error_set(ret_err, ENOMEM, "cgroup stats");
        *ret = s;
        return 0;
}
