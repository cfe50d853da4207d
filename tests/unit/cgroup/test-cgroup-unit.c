/* The systemd manager's pure part (cgroup-unit.c): the unit and slice a
 * cgroup path names, cpuset lists as AllowedCPUs= masks, and the
 * properties StartTransientUnit gets. No systemd needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"
#include "lib/macros.h"

static void check_unit(const char *path, const char *want_unit, const char *want_slice)
{
        _cleanup_free_ char *unit = NULL, *slice = NULL;
        int r = cgroup_unit_from_path(path, &unit, &slice);

        if (!want_unit) {
                if (r != -EINVAL)
                        fail_msg("unit_from_path(\"%s\") = %d, want -EINVAL", path ? path : "(null)", r);
                return;
        }
        if (r < 0)
                fail_msg("unit_from_path(\"%s\") = %d", path, r);
        if (!streq(unit, want_unit) || !streq(slice, want_slice))
                fail_msg("unit_from_path(\"%s\") = \"%s\" in \"%s\", want \"%s\" in \"%s\"", path, unit, slice,
                         want_unit, want_slice);
}

static void test_unit_from_path(void **state)
{
        (void)state;
        check_unit("/system.slice/husk-web.scope", "husk-web.scope", "system.slice");
        check_unit("/a.slice/a-b.slice/p-n.scope", "p-n.scope", "a-b.slice");
        check_unit("/p-n.scope", "p-n.scope", "-.slice");
        check_unit("/user.slice/child.slice", "child.slice", "user.slice");
        check_unit("/x.slice", "x.slice", "-.slice");
        check_unit("/pod/web", NULL, NULL);               /* a cgroupfs path */
        check_unit("/pod/web.scope", NULL, NULL);         /* parent not a slice */
        check_unit("system.slice/web.scope", NULL, NULL); /* not absolute */
        check_unit("/system.slice/.scope", NULL, NULL);
        check_unit(NULL, NULL, NULL);
}

static void check_bits(const char *list, const uint8_t *want, size_t want_n)
{
        _cleanup_free_ uint8_t *bits = NULL;
        size_t n = 99;
        int r = cgroup_cpuset_to_bits(list, &bits, &n);

        if (!want && want_n == 1) {
                if (r != -EINVAL)
                        fail_msg("cpuset_to_bits(\"%s\") = %d, want -EINVAL", list, r);
                return;
        }
        if (r < 0)
                fail_msg("cpuset_to_bits(\"%s\") = %d", list, r);
        assert_int_equal(n, want_n);
        if (want_n)
                assert_memory_equal(bits, want, want_n);
        else
                assert_null(bits);
}

#define BITS(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })
#define BAD       NULL, 1

static void test_cpuset_to_bits(void **state)
{
        (void)state;
        check_bits("0", BITS(0x01));
        check_bits("5", BITS(0x20));
        check_bits("0-3,8", BITS(0x0f, 0x01));
        check_bits("1,3-4\n", BITS(0x1a));
        check_bits("7-9", BITS(0x80, 0x03));
        check_bits("16", BITS(0x00, 0x00, 0x01));
        check_bits("3,1", BITS(0x0a));
        check_bits("", NULL, 0);
        check_bits("\n", NULL, 0);
        check_bits(NULL, NULL, 0);
        check_bits("a", BAD);
        check_bits("3-1", BAD);
        check_bits("1,", BAD);
        check_bits("-1", BAD);
        check_bits("1-", BAD);
        check_bits("1 2", BAD);
        check_bits("65536", BAD);
        check_bits("99999999999999999999999", BAD);
}

static const CgroupUnitProp *find(const CgroupUnitProp *p, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (streq(p[i].name, name))
                        return &p[i];
        return NULL;
}

static void want_u64(const CgroupUnitProp *p, size_t n, const char *name, char type, uint64_t v)
{
        const CgroupUnitProp *x = find(p, n, name);

        if (!x)
                fail_msg("no property %s", name);
        if (x->type != type || x->u != v)
                fail_msg("%s = %c %llu, want %c %llu", name, x->type, (unsigned long long)x->u, type,
                         (unsigned long long)v);
}

static void want_str(const CgroupUnitProp *p, size_t n, const char *name, const char *v)
{
        const CgroupUnitProp *x = find(p, n, name);

        if (!x)
                fail_msg("no property %s", name);
        assert_int_equal(x->type, 's');
        assert_string_equal(x->s, v);
}

/* Numbers and booleans expected, and names expected absent (NULL-ended). */
typedef struct Want {
        const char *name;
        char type;
        uint64_t u;
} Want;

static void want_props(const CgroupUnitProp *p, size_t n, const Want *w, size_t nw, const char *const *absent)
{
        for (size_t i = 0; i < nw; i++)
                want_u64(p, n, w[i].name, w[i].type, w[i].u);
        for (size_t i = 0; absent && absent[i]; i++)
                if (find(p, n, absent[i]))
                        fail_msg("property %s, unwanted", absent[i]);
}

static void test_props_unit(void **state)
{
        static const Want scope[] = {
                { "Delegate", 'b', 1 },
                { "PIDs", 'p', 42 },
                { "MemoryAccounting", 'b', 1 },
                { "CPUAccounting", 'b', 1 },
                { "IOAccounting", 'b', 1 },
                { "TasksAccounting", 'b', 1 },
                { "DefaultDependencies", 'b', 0 },
        };
        CgroupUnitProp *p = NULL;
        size_t n = 0;
        _cleanup_error_ Error *e = NULL;

        (void)state;
        assert_int_equal(cgroup_unit_props("husk-web.scope", "system.slice", 42, NULL, true, -1, &p, &n, &e), 0);
        want_str(p, n, "Description", "husk container husk-web.scope");
        want_str(p, n, "Slice", "system.slice");
        want_props(p, n, scope, ELEMENTSOF(scope), (const char *const[]){ "BlockIOAccounting", "Wants", NULL });
        assert_int_equal(n, 9);
        cgroup_unit_props_free(p, n);

        /* v1 and hybrid hosts: the blkio controller's name. */
        assert_int_equal(cgroup_unit_props("husk-web.scope", "-.slice", 42, NULL, false, -1, &p, &n, &e), 0);
        want_str(p, n, "Slice", "-.slice");
        want_props(p, n, &(Want){ "BlockIOAccounting", 'b', 1 }, 1, (const char *const[]){ "IOAccounting", NULL });
        cgroup_unit_props_free(p, n);

        /* A slice wants its parent and holds no process of its own. */
        assert_int_equal(cgroup_unit_props("child.slice", "user.slice", 42, NULL, true, -1, &p, &n, &e), 0);
        want_str(p, n, "Wants", "user.slice");
        want_props(p, n, NULL, 0, (const char *const[]){ "Slice", "PIDs", "Delegate", NULL });
        cgroup_unit_props_free(p, n);
}

/* The resources both layouts are tested with. */
#define SET(field, v) .has_##field = true, .field = (v)
static SpecResources sample_resources(void)
{
        return (SpecResources){
                SET(memory_limit, 67108864), SET(memory_reservation, 33554432),
                SET(memory_swap, 100663296), SET(cpu_shares, 1024),
                SET(cpu_quota, 12345),       SET(cpu_period, 100000),
                SET(pids_limit, 42),         SET(blkio_weight, 300),
                .cpu_cpus = (char *)"0-1",   .cpu_mems = (char *)"0",
        };
}

static void test_props_resources_v2(void **state)
{
        static const Want v2[] = {
                { "MemoryMax", 't', 67108864 },
                { "MemoryLow", 't', 33554432 },
                { "MemorySwapMax", 't', 33554432 }, /* swap alone, as memory.swap.max */
                { "CPUWeight", 't', 39 },           /* cpu.shares 1024 as cpu.weight */
                { "CPUQuotaPeriodUSec", 't', 100000 },
                /* 12.345% is 123450 µs per s: systemd's 10 ms steps, rounded up. */
                { "CPUQuotaPerSecUSec", 't', 130000 },
                { "TasksMax", 't', 42 },
        };
        static const Want unlimited[] = {
                { "MemoryMax", 't', UINT64_MAX },
                { "TasksMax", 't', UINT64_MAX }, /* 0, as pids.max gets it */
                { "CPUQuotaPerSecUSec", 't', UINT64_MAX },
        };
        SpecResources res = sample_resources();
        CgroupUnitProp *p = NULL;
        const CgroupUnitProp *x;
        size_t n = 0;
        _cleanup_error_ Error *e = NULL;

        (void)state;
        assert_true(cgroup_unit_props_need_version(&res));
        assert_int_equal(cgroup_unit_props("a.scope", "system.slice", 1, &res, true, 252, &p, &n, &e), 0);
        want_props(p, n, v2, ELEMENTSOF(v2),
                   (const char *const[]){ "MemoryLimit", "CPUShares", "BlockIOWeight", NULL });
        x = find(p, n, "AllowedCPUs");
        assert_non_null(x);
        assert_int_equal(x->type, 'y');
        assert_int_equal(x->n_bytes, 1);
        assert_int_equal(x->bytes[0], 0x03);
        assert_non_null(find(p, n, "AllowedMemoryNodes"));
        cgroup_unit_props_free(p, n);

        /* Before systemd 244 (and 242 for the period): left to cgroupfs. */
        assert_int_equal(cgroup_unit_props("a.scope", "system.slice", 1, &res, true, 241, &p, &n, &e), 0);
        want_props(p, n, &v2[5], 1,
                   (const char *const[]){ "AllowedCPUs", "AllowedMemoryNodes", "CPUQuotaPeriodUSec", NULL });
        cgroup_unit_props_free(p, n);

        res.memory_limit = -1;
        res.pids_limit = 0;
        res.has_memory_swap = false;
        res.cpu_quota = -1;
        assert_int_equal(cgroup_unit_props("a.scope", "system.slice", 1, &res, true, 252, &p, &n, &e), 0);
        want_props(p, n, unlimited, ELEMENTSOF(unlimited), NULL);
        cgroup_unit_props_free(p, n);

        /* For update: the resources alone. */
        assert_int_equal(cgroup_unit_resource_props(&res, true, 252, &p, &n, &e), 0);
        want_props(p, n, unlimited, ELEMENTSOF(unlimited), (const char *const[]){ "Description", "PIDs", NULL });
        cgroup_unit_props_free(p, n);

        /* A bad list is the user's error, named. */
        res.cpu_cpus = (char *)"0-x";
        assert_int_equal(cgroup_unit_props("a.scope", "system.slice", 1, &res, true, 252, &p, &n, &e), -EINVAL);
        assert_string_equal(e->msg, "AllowedCPUs: invalid cpu or memory node list \"0-x\"");
}

/* v1 and hybrid hosts: the v1 property names; what only v2 has is left to
 * the cgroup files. */
static void test_props_resources_v1(void **state)
{
        static const Want v1[] = {
                { "MemoryLimit", 't', 67108864 },      { "CPUShares", 't', 1024 },
                { "BlockIOWeight", 't', 300 },         { "TasksMax", 't', 42 },
                { "CPUQuotaPerSecUSec", 't', 130000 },
        };
        SpecResources res = sample_resources();
        CgroupUnitProp *p = NULL;
        size_t n = 0;
        _cleanup_error_ Error *e = NULL;

        (void)state;
        assert_int_equal(cgroup_unit_props("a.scope", "system.slice", 1, &res, false, 252, &p, &n, &e), 0);
        want_props(p, n, v1, ELEMENTSOF(v1),
                   (const char *const[]){ "MemoryMax", "MemoryLow", "MemorySwapMax", "CPUWeight", NULL });
        cgroup_unit_props_free(p, n);

        res.cpu_cpus = res.cpu_mems = NULL;
        res.has_cpu_period = false;
        assert_false(cgroup_unit_props_need_version(&res));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unit_from_path),     cmocka_unit_test(test_cpuset_to_bits),
                cmocka_unit_test(test_props_unit),         cmocka_unit_test(test_props_resources_v2),
                cmocka_unit_test(test_props_resources_v1),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
