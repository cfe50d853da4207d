/* The cgroup layer's pure rules (path resolution, conversions, validation,
 * mountinfo parsing, the device BPF program) and what cgroup_apply() writes
 * where, against fake trees of plain files with the writes recorded. No
 * cgroupfs and no root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"
#include "lib/util.h"
#include "../lib/test-helpers.h"

/* ---- path resolution ---- */

static void check_resolve(const char *in, const char *id, CgroupManager m, bool systemd, const char *want)
{
        _cleanup_free_ char *got = NULL;
        _cleanup_error_ Error *e = NULL;
        int r = cgroup_resolve_path_full(in, id, m, systemd, &got, &e);

        if (r < 0)
                fail_msg("resolve(\"%s\", \"%s\"): %s", in ? in : "(null)", id ? id : "(null)", e ? e->msg : "?");
        if (!streq(got, want))
                fail_msg("resolve(\"%s\", \"%s\") = \"%s\", want \"%s\"", in ? in : "(null)", id ? id : "(null)", got,
                         want);
}

static void check_resolve_fails(const char *in, const char *id, CgroupManager m, bool systemd, const char *msg)
{
        _cleanup_free_ char *got = NULL;
        _cleanup_error_ Error *e = NULL;
        int r = cgroup_resolve_path_full(in, id, m, systemd, &got, &e);

        if (r >= 0)
                fail_msg("resolve(\"%s\") = \"%s\", want an error", in ? in : "(null)", got);
        assert_null(got);
        assert_non_null(e);
        if (msg && !strstr(e->msg, msg))
                fail_msg("resolve(\"%s\"): \"%s\" lacks \"%s\"", in ? in : "(null)", e->msg, msg);
}

static void test_resolve_cgroupfs(void **state)
{
        const CgroupManager fs = CGROUP_MANAGER_CGROUPFS;

        check_resolve("/a/b", "web", fs, false, "/a/b");
        check_resolve("//a//b/", "web", fs, false, "/a/b");
        check_resolve("/a/../b", "web", fs, false, "/b");
        check_resolve("/../../etc", "web", fs, false, "/etc"); /* never above the root */
        check_resolve("a/b", "web", fs, false, "/a/b");        /* relative: below the root */
        check_resolve("./a/../b", "web", fs, false, "/b");
        check_resolve(NULL, "web", fs, false, "/web");
        check_resolve("", "web", fs, false, "/web");
        check_resolve("/", "web", fs, false, "/");
        /* A colon form is a plain path for cgroupfs. */
        check_resolve("system.slice:husk:web", "web", fs, false, "/system.slice:husk:web");

        check_resolve_fails(NULL, NULL, fs, false, "no cgroupsPath");
        check_resolve_fails("", "", fs, false, "no cgroupsPath");
        check_resolve_fails("", "../x", fs, false, "no cgroupsPath");
        check_resolve_fails("", "..", fs, false, "no cgroupsPath");
}

static void test_resolve_systemd_not_running(void **state)
{
        _cleanup_free_ char *got = NULL;
        _cleanup_error_ Error *e = NULL;

        assert_int_equal(
                cgroup_resolve_path_full("system.slice:husk:web", "web", CGROUP_MANAGER_SYSTEMD, false, &got, &e),
                -ENOTSUP);
        assert_string_equal(e->msg, "systemd cgroup manager requested (\"system.slice:husk:web\"), but systemd is not "
                                    "running on this host (no /run/systemd/system; use --cgroup-manager cgroupfs)");
        check_resolve_fails(NULL, "web", CGROUP_MANAGER_SYSTEMD, false, "systemd is not running");

        /* The public function asks the host. */
        free(got);
        got = NULL;
        if (access("/run/systemd/system", F_OK) < 0)
                assert_int_equal(cgroup_resolve_path("a.slice:b:c", "web", CGROUP_MANAGER_SYSTEMD, &got, NULL),
                                 -ENOTSUP);
        else
                assert_int_equal(cgroup_resolve_path("a.slice:b:c", "web", CGROUP_MANAGER_SYSTEMD, &got, NULL), 0);
}

static void test_resolve_systemd(void **state)
{
        const CgroupManager sd = CGROUP_MANAGER_SYSTEMD;

        check_resolve("system.slice:husk:web", "x", sd, true, "/system.slice/husk-web.scope");
        check_resolve("a-b.slice:pfx:name", "x", sd, true, "/a.slice/a-b.slice/pfx-name.scope");
        check_resolve("a-b-c.slice:p:n", "x", sd, true, "/a.slice/a-b.slice/a-b-c.slice/p-n.scope");
        check_resolve(":husk:web", "x", sd, true, "/system.slice/husk-web.scope");
        check_resolve("-.slice:p:n", "x", sd, true, "/p-n.scope");
        check_resolve("machine.slice::web", "x", sd, true, "/machine.slice/web.scope");
        check_resolve("user.slice:p:child.slice", "x", sd, true, "/user.slice/child.slice");
        check_resolve(NULL, "web", sd, true, "/system.slice/husk-web.scope");

        check_resolve_fails("bad", "x", sd, true, "slice:prefix:name");
        check_resolve_fails("a:b", "x", sd, true, "slice:prefix:name");
        check_resolve_fails("a.slice:b:c:d", "x", sd, true, "slice:prefix:name");
        check_resolve_fails("bad-.slice:p:n", "x", sd, true, "invalid slice name");
        check_resolve_fails("nosuffix:p:n", "x", sd, true, "invalid slice name");
        check_resolve_fails("x.slice:p:", "x", sd, true, "invalid unit name");
        check_resolve_fails("x.slice:p/q:n", "x", sd, true, "invalid unit name");
        check_resolve_fails("x.slice:p:a/b", "x", sd, true, "invalid unit name");
        check_resolve_fails("x.slice:p:..", "x", sd, true, "invalid unit name");
}

static void check_slice(const char *in, const char *want)
{
        _cleanup_free_ char *got = NULL;
        int r = cgroup_systemd_expand_slice(in, &got);

        if (!want) {
                if (r != -EINVAL)
                        fail_msg("expand_slice(\"%s\") = %d \"%s\", want -EINVAL", in ? in : "(null)", r,
                                 got ? got : "");
                return;
        }
        if (r < 0)
                fail_msg("expand_slice(\"%s\") = %d", in, r);
        if (!streq(got, want))
                fail_msg("expand_slice(\"%s\") = \"%s\", want \"%s\"", in, got, want);
}

static void test_expand_slice(void **state)
{
        check_slice("-.slice", "/");
        check_slice("system.slice", "/system.slice");
        check_slice("a-b.slice", "/a.slice/a-b.slice");
        check_slice("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
        check_slice("user-1000.slice", "/user.slice/user-1000.slice");
        check_slice("x.y.slice", "/x.y.slice");

        check_slice(NULL, NULL);
        check_slice("", NULL);
        check_slice(".slice", NULL);
        check_slice("a", NULL);
        check_slice("a.scope", NULL);
        check_slice("a/b.slice", NULL);
        check_slice("-a.slice", NULL);
        check_slice("a-.slice", NULL);
        check_slice("a--b.slice", NULL);
        check_slice("--.slice", NULL);
}

/* ---- conversions ---- */

static void test_shares_to_weight(void **state)
{
        assert_int_equal(cgroup_shares_to_weight(0), 0); /* unset */
        assert_int_equal(cgroup_shares_to_weight(1), 1); /* clamped to 2 */
        assert_int_equal(cgroup_shares_to_weight(2), 1);
        assert_int_equal(cgroup_shares_to_weight(512), 20);
        assert_int_equal(cgroup_shares_to_weight(1024), 39);
        assert_int_equal(cgroup_shares_to_weight(262144), 10000);
        assert_int_equal(cgroup_shares_to_weight(1000000), 10000); /* clamped */
        assert_int_equal(cgroup_shares_to_weight(UINT64_MAX), 10000);
        /* monotonic */
        for (uint64_t s = 2, prev = 0; s <= 262144; s += 97) {
                uint64_t w = cgroup_shares_to_weight(s);
                assert_true(w >= prev && w >= 1 && w <= 10000);
                prev = w;
        }
}

static void test_blkio_weight(void **state)
{
        assert_int_equal(cgroup_blkio_weight_to_io_weight(0), 0);
        assert_int_equal(cgroup_blkio_weight_to_io_weight(10), 1);
        assert_int_equal(cgroup_blkio_weight_to_io_weight(100), 910);
        assert_int_equal(cgroup_blkio_weight_to_io_weight(300), 2930);
        assert_int_equal(cgroup_blkio_weight_to_io_weight(500), 4950);
        assert_int_equal(cgroup_blkio_weight_to_io_weight(1000), 10000);
        assert_int_equal(cgroup_blkio_weight_to_io_weight(5), 1);         /* clamped */
        assert_int_equal(cgroup_blkio_weight_to_io_weight(65535), 10000); /* clamped */
}

static void check_swap(int64_t mem, int64_t swap, bool want_set, int64_t want)
{
        bool set = !want_set;
        int64_t v = 12345;
        _cleanup_error_ Error *e = NULL;

        if (cgroup_swap_to_v2(mem, swap, &set, &v, &e) < 0)
                fail_msg("swap(%lld, %lld): %s", (long long)mem, (long long)swap, e->msg);
        if (set != want_set || (want_set && v != want))
                fail_msg("swap(%lld, %lld) = %d/%lld, want %d/%lld", (long long)mem, (long long)swap, set, (long long)v,
                         want_set, (long long)want);
}

static void check_swap_fails(int64_t mem, int64_t swap, const char *msg)
{
        bool set;
        int64_t v;
        _cleanup_error_ Error *e = NULL;

        assert_int_equal(cgroup_swap_to_v2(mem, swap, &set, &v, &e), -EINVAL);
        if (!strstr(e->msg, msg))
                fail_msg("swap(%lld, %lld): \"%s\" lacks \"%s\"", (long long)mem, (long long)swap, e->msg, msg);
}

static void test_swap_to_v2(void **state)
{
        check_swap(0, 0, false, 0);
        check_swap(100, 0, false, 0);
        check_swap(-1, 0, true, -1); /* unlimited memory: unlimited swap */
        check_swap(100, -1, true, -1);
        check_swap(0, -1, true, -1);
        check_swap(100, 300, true, 200);
        check_swap(100, 100, true, 0); /* same value: no swap at all */
        check_swap(32 << 20, 64 << 20, true, 32 << 20);

        check_swap_fails(0, 100, "without memory limit");
        check_swap_fails(-1, 100, "without memory limit");
        check_swap_fails(200, 100, "should be >= memory limit");
        check_swap_fails(-5, 100, "invalid memory value");
        check_swap_fails(100, -2, "invalid memory swap value");
}

static void test_unified_key_check(void **state)
{
        static const char *const good[] = {
                "memory.high",      "cpu.max",        "io.max", "pids.max", "cgroup.max.descendants",
                "memory.oom.group", "hugetlb.2MB.max"
        };
        static const char *const bad[] = {
                "",       "..",    ".",       "/memory.max", "a/b",          "../x.y",
                "memory", ".high", "memory.", "mem ory.max", "memory.max\n", "memory.max/../../x"
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (cgroup_unified_key_check(good[i], NULL) < 0)
                        fail_msg("unified key \"%s\" refused", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ Error *e = NULL;

                if (cgroup_unified_key_check(bad[i], &e) != -EINVAL)
                        fail_msg("unified key \"%s\" accepted", bad[i]);
                assert_non_null(strstr(e->msg, "unified resource"));
        }
        assert_int_equal(cgroup_unified_key_check(NULL, NULL), -EINVAL);
}

static void test_hugetlb_size(void **state)
{
        assert_true(cgroup_hugetlb_size_valid("2MB"));
        assert_true(cgroup_hugetlb_size_valid("1GB"));
        assert_true(cgroup_hugetlb_size_valid("64KB"));
        assert_false(cgroup_hugetlb_size_valid(NULL));
        assert_false(cgroup_hugetlb_size_valid(""));
        assert_false(cgroup_hugetlb_size_valid("MB"));
        assert_false(cgroup_hugetlb_size_valid("2mb"));
        assert_false(cgroup_hugetlb_size_valid("2MB/../x"));
        assert_false(cgroup_hugetlb_size_valid("../2MB"));
        assert_false(cgroup_hugetlb_size_valid("2 MB"));
}

static void check_rule(SpecDeviceRule rule, const char *want)
{
        char buf[64];
        int n = cgroup_device_rule_format(&rule, buf, sizeof(buf));

        if (!want) {
                assert_int_equal(n, -EINVAL);
                return;
        }
        assert_int_equal(n, (int)strlen(want));
        assert_string_equal(buf, want);
}

static void test_device_rule_format(void **state)
{
        check_rule((SpecDeviceRule){ .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm" },
                   "c 1:3 rwm");
        check_rule((SpecDeviceRule){ .type = 'a', .major = -1, .minor = -1 }, "a *:* rwm");
        check_rule((SpecDeviceRule){ .type = 0, .major = -1, .minor = -1, .access = "" }, "a *:* rwm");
        check_rule((SpecDeviceRule){ .type = 'b', .major = 8, .minor = -1, .access = "r" }, "b 8:* r");
        check_rule((SpecDeviceRule){ .type = 'c', .major = -1, .minor = 7, .access = "mw" }, "c *:7 mw");
        check_rule((SpecDeviceRule){ .type = 'x', .major = 1, .minor = 1 }, NULL);
        check_rule((SpecDeviceRule){ .type = 'c', .major = 1, .minor = 1, .access = "rwx" }, NULL);
        check_rule((SpecDeviceRule){ .type = 'c', .major = 1, .minor = 1, .access = "rwmr" }, NULL);
}

static void test_parse_devnum(void **state)
{
        uint64_t maj = 0, min = 0;
        const char *rest;

        rest = cgroup_parse_devnum("8:16 Read 5", &maj, &min);
        assert_non_null(rest);
        assert_true(maj == 8 && min == 16);
        assert_string_equal(rest, " Read 5");
        assert_null(cgroup_parse_devnum("Total 5", &maj, &min));
        assert_null(cgroup_parse_devnum("8: 1", &maj, &min));
        assert_null(cgroup_parse_devnum(":1", &maj, &min));
}

/* ---- mountinfo ---- */

static const char mountinfo_hybrid[] =
        "22 1 0:21 / / rw,relatime - ext4 /dev/sda1 rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
        /* the same memory hierarchy again (a bind mount): skipped */
        "42 31 0:32 / /sys/fs/cgroup/memory2 rw - cgroup cgroup rw,memory\n"
        /* a named hierarchy nobody knows: skipped */
        "43 31 0:39 / /sys/fs/cgroup/foo rw - cgroup cgroup rw,name=foo\n"
        /* outside the root: skipped */
        "44 22 0:40 / /mnt/cg rw - cgroup cgroup rw,pids\n"
        "45 31 0:41 / /sys/fs/cgroup/pids/deeper rw - cgroup cgroup rw,pids\n"
        /* an escaped space in the mount point */
        "46 31 0:42 / /sys/fs/cgroup/free\\040zer rw - cgroup cgroup rw,freezer,clone_children\n"
        "garbage line\n"
        "47 31 0:43 / /sys/fs/cgroup/blkio rw - cgroup\n";

static void test_parse_mountinfo(void **state)
{
        CgroupHierarchy *h = NULL;
        size_t n = 0;

        assert_int_equal(cgroup_parse_mountinfo(mountinfo_hybrid, "/sys/fs/cgroup/", &h, &n), 0);
        assert_int_equal(n, 6);
        assert_string_equal(h[0].mount, "/sys/fs/cgroup/cpu,cpuacct");
        assert_false(h[0].unified);
        assert_int_equal(h[0].v1_mask, CGROUP_CTRL_BIT(CGROUP_CTRL_CPU) | CGROUP_CTRL_BIT(CGROUP_CTRL_CPUACCT));
        assert_string_equal(h[1].mount, "/sys/fs/cgroup/memory");
        assert_int_equal(h[1].v1_mask, CGROUP_CTRL_BIT(CGROUP_CTRL_MEMORY));
        assert_int_equal(h[2].v1_mask, CGROUP_CTRL_BIT(CGROUP_CTRL_NET_CLS) | CGROUP_CTRL_BIT(CGROUP_CTRL_NET_PRIO));
        assert_string_equal(h[3].mount, "/sys/fs/cgroup/systemd");
        assert_int_equal(h[3].v1_mask, CGROUP_CTRL_BIT(CGROUP_CTRL_NAME_SYSTEMD));
        assert_string_equal(h[4].mount, "/sys/fs/cgroup/unified");
        assert_true(h[4].unified);
        assert_string_equal(h[5].mount, "/sys/fs/cgroup/free zer");
        assert_int_equal(h[5].v1_mask, CGROUP_CTRL_BIT(CGROUP_CTRL_FREEZER));
        cgroup_hierarchies_free(h, n);

        /* Pure v2: the cgroup2 mount is the root itself. */
        assert_int_equal(cgroup_parse_mountinfo("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                                                "/sys/fs/cgroup", &h, &n),
                         0);
        assert_int_equal(n, 1);
        assert_true(h[0].unified);
        assert_string_equal(h[0].mount, "/sys/fs/cgroup");
        cgroup_hierarchies_free(h, n);

        assert_int_equal(cgroup_parse_mountinfo("", "/sys/fs/cgroup", &h, &n), 0);
        assert_int_equal(n, 0);
        cgroup_hierarchies_free(h, n);
}

/* ---- the device BPF program, run by a small interpreter ---- */

static int bpf_run(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t major, uint32_t minor)
{
        uint32_t ctx[3] = { (access << 16) | type, major, minor };
        uint64_t reg[11] = { 0 };

        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];

                switch (i->code) {
                case BPF_LDX | BPF_W | BPF_MEM:
                        assert_int_equal(i->src_reg, 1);
                        assert_true(i->off == 0 || i->off == 4 || i->off == 8);
                        reg[i->dst_reg] = ctx[i->off / 4];
                        break;
                case BPF_ALU | BPF_AND | BPF_K: reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] & (uint32_t)i->imm; break;
                case BPF_ALU | BPF_RSH | BPF_K: reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm; break;
                case BPF_ALU | BPF_MOV | BPF_X: reg[i->dst_reg] = (uint32_t)reg[i->src_reg]; break;
                case BPF_ALU64 | BPF_MOV | BPF_K: reg[i->dst_reg] = (uint64_t)(int64_t)i->imm; break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (reg[i->dst_reg] != (uint64_t)(int64_t)i->imm)
                                pc += (size_t)i->off;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        if (reg[i->dst_reg] == (uint64_t)(int64_t)i->imm)
                                pc += (size_t)i->off;
                        break;
                case BPF_JMP | BPF_JNE | BPF_X:
                        if (reg[i->dst_reg] != reg[i->src_reg])
                                pc += (size_t)i->off;
                        break;
                case BPF_JMP | BPF_EXIT: return (int)reg[0];
                default: fail_msg("unexpected opcode 0x%x at %zu", i->code, pc);
                }
                assert_true(pc < n);
        }
        fail_msg("program fell off its end");
        return -1;
}

/* The verifier refuses unreachable instructions and jumps out of range. */
static void check_reachable(const struct bpf_insn *p, size_t n)
{
        bool *seen = calloc(n, 1);

        assert_non_null(seen);
        seen[0] = true;
        for (size_t pc = 0; pc < n; pc++) {
                uint8_t cls = p[pc].code & 0x07;

                if (!seen[pc])
                        fail_msg("instruction %zu is unreachable", pc);
                if (p[pc].code == (BPF_JMP | BPF_EXIT))
                        continue;
                if (cls == BPF_JMP) {
                        size_t t = pc + 1 + (size_t)p[pc].off;
                        assert_true(p[pc].off >= 0 && t < n);
                        seen[t] = true;
                }
                if (pc + 1 < n)
                        seen[pc + 1] = true;
        }
        assert_int_equal(p[n - 1].code, BPF_JMP | BPF_EXIT);
        free(seen);
}

#define R   BPF_DEVCG_ACC_READ
#define W   BPF_DEVCG_ACC_WRITE
#define M   BPF_DEVCG_ACC_MKNOD
#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK

static void test_bpf_program(void **state)
{
        const SpecDeviceRule rules[] = {
                { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
                { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm" },
                { .allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m" },
                { .allow = true, .type = 'b', .major = -1, .minor = -1, .access = "m" },
                { .allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm" },
                { .allow = false, .type = 'c', .major = 1, .minor = 3, .access = "w" },
        };
        struct bpf_insn *p = NULL;
        size_t n = 0;

        assert_int_equal(cgroup_bpf_device_program(rules, ELEMENTSOF(rules), &p, &n), 0);
        /* The first rule (deny all) is unconditional: the scan from the
         * last rule stops there, no default epilogue. */
        check_reachable(p, n);
        assert_int_equal(bpf_run(p, n, CHR, R, 1, 3), 1);
        assert_int_equal(bpf_run(p, n, CHR, W, 1, 3), 0);     /* later deny w */
        assert_int_equal(bpf_run(p, n, CHR, R | W, 1, 3), 0); /* any denied access denies */
        assert_int_equal(bpf_run(p, n, CHR, R, 1, 5), 0);
        assert_int_equal(bpf_run(p, n, CHR, M, 1, 5), 1);
        assert_int_equal(bpf_run(p, n, BLK, M, 8, 0), 1);
        assert_int_equal(bpf_run(p, n, BLK, R, 8, 0), 0);
        assert_int_equal(bpf_run(p, n, CHR, R | W, 136, 4), 1);
        assert_int_equal(bpf_run(p, n, BLK, R | W, 136, 4), 0);
        assert_int_equal(bpf_run(p, n, CHR, R | M, 5, 1), 0); /* m allowed, r not */
        free(p);
}

static void test_bpf_program_edges(void **state)
{
        const SpecDeviceRule allow_all_last[] = {
                { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "r" },
                { .allow = true, .type = 'a', .major = -1, .minor = -1, .access = NULL },
        };
        const SpecDeviceRule only_specific[] = {
                { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw" },
        };
        const SpecDeviceRule bad_type[] = { { .allow = true, .type = 'x', .major = 1, .minor = 3 } };
        const SpecDeviceRule bad_access[] = { { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rx" } };
        const SpecDeviceRule bad_major[] = { { .allow = true, .type = 'c', .major = (int64_t)1 << 40, .minor = 3 } };
        struct bpf_insn *p = NULL;
        size_t n = 0;

        /* No rules: deny everything. */
        assert_int_equal(cgroup_bpf_device_program(NULL, 0, &p, &n), 0);
        check_reachable(p, n);
        assert_int_equal(n, 8);
        assert_int_equal(bpf_run(p, n, CHR, R, 1, 3), 0);
        free(p);

        /* A final allow-all makes everything before it dead: not emitted. */
        assert_int_equal(cgroup_bpf_device_program(allow_all_last, 2, &p, &n), 0);
        check_reachable(p, n);
        assert_int_equal(n, 8);
        assert_int_equal(bpf_run(p, n, BLK, R | W | M, 8, 0), 1);
        free(p);

        assert_int_equal(cgroup_bpf_device_program(only_specific, 1, &p, &n), 0);
        check_reachable(p, n);
        assert_int_equal(bpf_run(p, n, CHR, R, 1, 3), 1);
        assert_int_equal(bpf_run(p, n, CHR, R | W, 1, 3), 1);
        assert_int_equal(bpf_run(p, n, CHR, M, 1, 3), 0);
        assert_int_equal(bpf_run(p, n, CHR, R, 1, 4), 0);
        assert_int_equal(bpf_run(p, n, BLK, R, 1, 3), 0);
        free(p);

        assert_int_equal(cgroup_bpf_device_program(bad_type, 1, &p, &n), -EINVAL);
        assert_int_equal(cgroup_bpf_device_program(bad_access, 1, &p, &n), -EINVAL);
        assert_int_equal(cgroup_bpf_device_program(bad_major, 1, &p, &n), -EINVAL);
}

/* ---- apply against fake trees ---- */

typedef struct Fake {
        char *root;
        char writes[64][160];
        size_t n_writes;
        const char *fail_file;
        int fail_errno;
} Fake;

static Fake *fake; /* for the write hook */

static int record_write(const char *dir, const char *file, const char *value)
{
        size_t rl = strlen(fake->root);

        assert_true(strncmp(dir, fake->root, rl) == 0);
        assert_true(fake->n_writes < ELEMENTSOF(fake->writes));
        snprintf(fake->writes[fake->n_writes++], sizeof(fake->writes[0]), "%s/%s=%s", dir + rl, file, value);
        if (fake->fail_file && streq(file, fake->fail_file))
                return -fake->fail_errno;
        return 0;
}

static void fake_mkdir(const char *rel)
{
        char *p = NULL;

        assert_true(asprintf(&p, "%s/%s", fake->root, rel) > 0);
        assert_int_equal(mkdir_p(p, 0755), 0);
        free(p);
}

static void fake_file(const char *rel, const char *content)
{
        assert_int_equal(test_write(fake->root, rel, content), 0);
}

static int fake_setup(void **state)
{
        fake = calloc(1, sizeof(*fake));
        if (!fake)
                return -1;
        fake->root = test_mkdtemp();
        if (!fake->root)
                return -1;
        cgroup_write_hook = record_write;
        *state = fake;
        return 0;
}

static int fake_teardown(void **state)
{
        cgroup_write_hook = NULL;
        cgroup_host_reset();
        if (fake) {
                test_rm_rf(fake->root);
                free(fake->root);
                free(fake);
        }
        fake = NULL;
        return 0;
}

static void check_writes(const char *const *want, size_t n)
{
        for (size_t i = 0; i < n && i < fake->n_writes; i++)
                if (!streq(fake->writes[i], want[i]))
                        fail_msg("write %zu: \"%s\", want \"%s\"", i, fake->writes[i], want[i]);
        if (fake->n_writes != n) {
                for (size_t i = 0; i < fake->n_writes; i++)
                        print_message("  wrote %s\n", fake->writes[i]);
                fail_msg("%zu writes, want %zu", fake->n_writes, n);
        }
        fake->n_writes = 0;
}

static const char *const v1_dirs[] = { "memory",  "cpu,cpuacct", "cpuset",   "pids",    "blkio",
                                       "hugetlb", "net_cls",     "net_prio", "devices", "freezer" };

/* Every v1 hierarchy with a "test" cgroup and the files the code probes. */
static void fake_v1_tree(bool with_unified)
{
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++) {
                char rel[64];
                snprintf(rel, sizeof(rel), "%s/test", v1_dirs[i]);
                fake_mkdir(rel);
        }
        fake_file("memory/test/memory.limit_in_bytes", "9223372036854771712\n");
        fake_file("memory/test/memory.memsw.limit_in_bytes", "9223372036854771712\n");
        fake_file("blkio/test/blkio.weight", "500\n");
        fake_file("hugetlb/test/hugetlb.2MB.limit_in_bytes", "0\n");
        if (with_unified) {
                fake_mkdir("unified/test");
                fake_file("unified/test/cgroup.controllers", "hugetlb\n");
                fake_file("unified/test/hugetlb.2MB.max", "max\n");
                fake_file("unified/test/cgroup.max.descendants", "max\n");
        }
}

static void fake_v2_tree(void)
{
        fake_mkdir("test");
        fake_file("test/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        fake_file("test/memory.swap.max", "max\n");
        fake_file("test/cpu.max", "max 100000\n");
        fake_file("test/hugetlb.2MB.max", "max\n");
        fake_file("test/hugetlb.2MB.rsvd.max", "max\n");
        fake_file("test/memory.high", "max\n");
}

static Cgroup *fake_open(CgroupLayout layout)
{
        Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;

        assert_int_equal(cgroup_host_set_fake(layout, fake->root), 0);
        assert_int_equal(cgroup_layout(), layout);
        if (cgroup_open("/test", CGROUP_MANAGER_CGROUPFS, &cg, &e) < 0)
                fail_msg("cgroup_open: %s", e ? e->msg : "?");
        return cg;
}

static SpecWeightDevice wdev[] = { { .major = 8, .minor = 0, .has_weight = true, .weight = 300 } };
static SpecThrottleDevice rbps[] = { { .major = 8, .minor = 0, .rate = 1048576 } };
static SpecThrottleDevice wiops[] = { { .major = 8, .minor = 16, .rate = 100 } };
static SpecHugepageLimit huge[] = { { .page_size = "2MB", .limit = 4194304 } };
static SpecNetPriority prio[] = { { .name = "eth0", .priority = 5 } };
static SpecDeviceRule devrules[] = {
        { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
        { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm" },
};

/* Everything the spec has, minus what only v1 knows. */
static SpecResources full_resources(bool v1_only_fields)
{
        SpecResources r = { 0 };

        r.has_memory_limit = true, r.memory_limit = 1048576;
        r.has_memory_swap = true, r.memory_swap = 2097152;
        r.has_memory_reservation = true, r.memory_reservation = 524288;
        r.has_cpu_shares = true, r.cpu_shares = 512;
        r.has_cpu_quota = true, r.cpu_quota = 50000;
        r.has_cpu_period = true, r.cpu_period = 100000;
        r.has_cpu_burst = true, r.cpu_burst = 1000;
        r.has_cpu_idle = true, r.cpu_idle = 1;
        r.cpu_cpus = "0";
        r.cpu_mems = "0";
        r.has_pids_limit = true, r.pids_limit = 10;
        r.has_blkio_weight = true, r.blkio_weight = 500;
        r.blkio_weight_devices = wdev, r.n_blkio_weight_devices = 1;
        r.blkio_throttle_read_bps = rbps, r.n_blkio_throttle_read_bps = 1;
        r.blkio_throttle_write_iops = wiops, r.n_blkio_throttle_write_iops = 1;
        r.hugepage_limits = huge, r.n_hugepage_limits = 1;
        if (v1_only_fields) {
                r.has_memory_swappiness = true, r.memory_swappiness = 60;
                r.has_memory_disable_oom_killer = true, r.memory_disable_oom_killer = true;
                r.has_memory_kernel_tcp = true, r.memory_kernel_tcp = 4096;
                r.has_cpu_realtime_period = true, r.cpu_realtime_period = 1000000;
                r.has_cpu_realtime_runtime = true, r.cpu_realtime_runtime = 950000;
                r.has_network_class_id = true, r.network_class_id = 0x100001;
                r.network_priorities = prio, r.n_network_priorities = 1;
                r.devices = devrules, r.n_devices = 2;
        }
        return r;
}

static void test_apply_v1(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;
        SpecResources r = full_resources(true);
        static const char *const want[] = {
                "/cpuset/test/cpuset.cpus=0",
                "/cpuset/test/cpuset.mems=0",
                "/memory/test/memory.limit_in_bytes=1048576",
                "/memory/test/memory.memsw.limit_in_bytes=2097152",
                "/memory/test/memory.soft_limit_in_bytes=524288",
                "/memory/test/memory.kmem.tcp.limit_in_bytes=4096",
                "/memory/test/memory.swappiness=60",
                "/memory/test/memory.oom_control=1",
                "/cpu,cpuacct/test/cpu.shares=512",
                "/cpu,cpuacct/test/cpu.cfs_period_us=100000",
                "/cpu,cpuacct/test/cpu.cfs_quota_us=50000",
                "/cpu,cpuacct/test/cpu.cfs_burst_us=1000",
                "/cpu,cpuacct/test/cpu.rt_period_us=1000000",
                "/cpu,cpuacct/test/cpu.rt_runtime_us=950000",
                "/cpu,cpuacct/test/cpu.idle=1",
                "/pids/test/pids.max=10",
                "/blkio/test/blkio.weight=500",
                "/blkio/test/blkio.weight_device=8:0 300",
                "/blkio/test/blkio.throttle.read_bps_device=8:0 1048576",
                "/blkio/test/blkio.throttle.write_iops_device=8:16 100",
                "/hugetlb/test/hugetlb.2MB.limit_in_bytes=4194304",
                "/net_cls/test/net_cls.classid=1048577",
                "/net_prio/test/net_prio.ifpriomap=eth0 5",
                "/devices/test/devices.deny=a",
                "/devices/test/devices.deny=a *:* rwm",
                "/devices/test/devices.allow=c 1:3 rwm",
        };

        fake_v1_tree(false);
        cg = fake_open(CGROUP_LAYOUT_V1);
        assert_int_equal(cg->n_dirs, ELEMENTSOF(v1_dirs));
        if (cgroup_apply(cg, &r, &e) < 0)
                fail_msg("apply: %s", e->msg);
        check_writes(want, ELEMENTSOF(want));
}

static void test_apply_v1_memory_order(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        SpecResources r = { 0 };
        static const char *const raise[] = {
                "/memory/test/memory.memsw.limit_in_bytes=8388608",
                "/memory/test/memory.limit_in_bytes=4194304",
        };
        static const char *const unlimited[] = {
                "/memory/test/memory.memsw.limit_in_bytes=-1",
                "/memory/test/memory.limit_in_bytes=-1",
        };

        fake_v1_tree(false);
        /* Raising past the current limit: memsw first, or the kernel
         * refuses limit > memsw. */
        fake_file("memory/test/memory.limit_in_bytes", "1048576\n");
        cg = fake_open(CGROUP_LAYOUT_V1);
        r.has_memory_limit = true, r.memory_limit = 4194304;
        r.has_memory_swap = true, r.memory_swap = 8388608;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
        check_writes(raise, ELEMENTSOF(raise));

        /* -1 with no swap: both unlimited. */
        r.memory_limit = -1;
        r.has_memory_swap = false;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
        check_writes(unlimited, ELEMENTSOF(unlimited));
}

static void test_apply_v1_errors(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;
        SpecResources r = { 0 };
        SpecKeyValue kv = { .key = "memory.high", .value = "1G" };

        fake_v1_tree(false);
        cg = fake_open(CGROUP_LAYOUT_V1);

        fake->fail_file = "memory.limit_in_bytes";
        fake->fail_errno = EBUSY;
        r.has_memory_limit = true, r.memory_limit = 1048576;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EBUSY);
        assert_string_equal(e->msg,
                            "update cgroup /test: write memory.limit_in_bytes = 1048576: Device or resource busy");
        /* Without an error object the code still comes back. */
        assert_int_equal(cgroup_apply(cg, &r, NULL), -EBUSY);
        fake->fail_file = NULL;
        fake->n_writes = 0;

        r = (SpecResources){ 0 };
        r.has_memory_swappiness = true, r.memory_swappiness = 101;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EINVAL);
        assert_non_null(strstr(e->msg, "swappiness"));

        r = (SpecResources){ 0 };
        r.unified = &kv, r.n_unified = 1;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EOPNOTSUPP);
        assert_string_equal(e->msg, "update cgroup /test: unified resources (cgroup v2) requested but this host has no "
                                    "cgroup v2 hierarchy");

        r = (SpecResources){ 0 };
        huge[0].page_size = "2MB/../../x";
        r.hugepage_limits = huge, r.n_hugepage_limits = 1;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EINVAL);
        huge[0].page_size = "2MB";
        assert_int_equal(fake->n_writes, 0);
}

static void test_apply_missing_controller(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;
        SpecResources r = { 0 };

        fake_mkdir("memory/test");
        cg = fake_open(CGROUP_LAYOUT_V1);
        r.has_pids_limit = true, r.pids_limit = 10;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EOPNOTSUPP);
        assert_string_equal(e->msg,
                            "update cgroup /test: pids limit requested but the pids controller is not available");

        /* Nothing asked of the missing controllers: nothing to complain about. */
        r = (SpecResources){ 0 };
        r.has_memory_limit = true, r.memory_limit = 4096;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
}

static void test_apply_v2(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;
        SpecResources r = full_resources(false);
        static const char *const want[] = {
                "/test/cpuset.cpus=0",
                "/test/cpuset.mems=0",
                "/test/memory.swap.max=1048576",
                "/test/memory.max=1048576",
                "/test/memory.low=524288",
                "/test/cpu.weight=20",
                "/test/cpu.max=50000 100000",
                "/test/cpu.max.burst=1000",
                "/test/cpu.idle=1",
                "/test/pids.max=10",
                "/test/io.weight=4950",
                "/test/io.weight=8:0 2930",
                "/test/io.max=8:0 rbps=1048576",
                "/test/io.max=8:16 wiops=100",
                "/test/hugetlb.2MB.max=4194304",
                "/test/hugetlb.2MB.rsvd.max=4194304",
        };

        fake_v2_tree();
        cg = fake_open(CGROUP_LAYOUT_V2);
        if (cgroup_apply(cg, &r, &e) < 0)
                fail_msg("apply: %s", e->msg);
        check_writes(want, ELEMENTSOF(want));
}

static void test_apply_v2_values(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        SpecResources r = { 0 };
        static const char *const w1[] = { "/test/memory.swap.max=max", "/test/memory.max=max", "/test/pids.max=max" };
        static const char *const w2[] = { "/test/memory.swap.max=0", "/test/memory.max=1048576", "/test/pids.max=max" };
        static const char *const w3[] = { "/test/cpu.max=max 100000" };
        static const char *const w4[] = { "/test/cpu.max=max" };
        static const char *const w5[] = { "/test/cpu.max=50000 200000" };
        static const char *const w6[] = { "/test/memory.high=1G" };
        SpecKeyValue kv = { .key = "memory.high", .value = "1G" };

        fake_v2_tree();
        cg = fake_open(CGROUP_LAYOUT_V2);

        r.has_memory_limit = true, r.memory_limit = -1;
        r.has_pids_limit = true, r.pids_limit = 0;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
        check_writes(w1, ELEMENTSOF(w1));

        r.memory_limit = 1048576;
        r.has_memory_swap = true, r.memory_swap = 1048576; /* no swap */
        r.pids_limit = -1;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
        check_writes(w2, ELEMENTSOF(w2));

        /* Only a period: the quota in force (max) is kept. */
        r = (SpecResources){ 0 };
        r.has_cpu_period = true, r.cpu_period = 100000;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
        check_writes(w3, ELEMENTSOF(w3));

        r = (SpecResources){ 0 };
        r.has_cpu_quota = true, r.cpu_quota = -1;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
        check_writes(w4, ELEMENTSOF(w4));

        fake_file("test/cpu.max", "50000 100000\n");
        r = (SpecResources){ 0 };
        r.has_cpu_period = true, r.cpu_period = 200000;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
        check_writes(w5, ELEMENTSOF(w5));

        r = (SpecResources){ 0 };
        r.unified = &kv, r.n_unified = 1;
        assert_int_equal(cgroup_apply(cg, &r, NULL), 0);
        check_writes(w6, ELEMENTSOF(w6));
}

static void test_apply_v2_errors(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;
        SpecResources r = { 0 };
        SpecKeyValue bad = { .key = "../../memory.max", .value = "1" };
        SpecKeyValue missing = { .key = "rdma.max", .value = "1" };

        fake_v2_tree();
        cg = fake_open(CGROUP_LAYOUT_V2);

        r.has_network_class_id = true, r.network_class_id = 1;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EOPNOTSUPP);
        assert_string_equal(e->msg, "update cgroup /test: network class id requested but the net_cls controller is not "
                                    "available");

        r = (SpecResources){ 0 };
        r.has_memory_swap = true, r.memory_swap = 1000;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EINVAL);
        assert_non_null(strstr(e->msg, "unable to set swap limit without memory limit"));

        r = (SpecResources){ 0 };
        r.has_cpu_realtime_runtime = true, r.cpu_realtime_runtime = 1000;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EOPNOTSUPP);

        r = (SpecResources){ 0 };
        r.unified = &bad, r.n_unified = 1;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EINVAL);
        assert_non_null(strstr(e->msg, "not a path"));

        r.unified = &missing;
        assert_int_equal(cgroup_apply(cg, &r, &e), -EOPNOTSUPP);
        assert_non_null(strstr(e->msg, "rdma.max"));
        assert_int_equal(fake->n_writes, 0);
}

static void test_apply_hybrid(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;
        SpecResources r = { 0 };
        SpecKeyValue kv = { .key = "cgroup.max.descendants", .value = "10" };
        static const char *const want[] = {
                "/memory/test/memory.limit_in_bytes=4096",
                "/pids/test/pids.max=5",
                "/unified/test/hugetlb.2MB.max=4194304",
                "/unified/test/cgroup.max.descendants=10",
        };

        fake_v1_tree(true);
        {
                /* no v1 hugetlb on this host: it lives in the unified hierarchy */
                char *p = NULL;
                assert_true(asprintf(&p, "%s/hugetlb", fake->root) > 0);
                test_rm_rf(p);
                free(p);
        }
        cg = fake_open(CGROUP_LAYOUT_HYBRID);
        assert_non_null(cgroup_unified_dir(cg));
        r.has_memory_limit = true, r.memory_limit = 4096;
        r.has_pids_limit = true, r.pids_limit = 5;
        r.hugepage_limits = huge, r.n_hugepage_limits = 1;
        r.unified = &kv, r.n_unified = 1;
        if (cgroup_apply(cg, &r, &e) < 0)
                fail_msg("apply: %s", e->msg);
        check_writes(want, ELEMENTSOF(want));
}

/* ---- stats on fake trees ---- */

static json_t *stats_of(Cgroup *cg, char **ret_text)
{
        _cleanup_error_ Error *e = NULL;
        json_error_t je;
        char *text = NULL;
        json_t *j;

        if (cgroup_stats_json(cg, &text, &e) < 0)
                fail_msg("stats: %s", e->msg);
        j = json_loads(text, JSON_DECODE_INT_AS_REAL, &je);
        if (!j)
                fail_msg("stats JSON does not parse: %s: %s", je.text, text);
        *ret_text = text;
        return j;
}

static double num(json_t *root, const char *a, const char *b, const char *c)
{
        json_t *j = json_object_get(root, a);

        if (b)
                j = json_object_get(j, b);
        if (c)
                j = json_object_get(j, c);
        if (!json_is_number(j))
                fail_msg("stats: %s.%s.%s is not a number", a, b ? b : "", c ? c : "");
        return json_number_value(j);
}

static void test_stats_v2(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_free_ char *text = NULL;
        json_t *j, *bytes;

        fake_v2_tree();
        fake_file("test/memory.max", "max\n");
        fake_file("test/memory.current", "1000\n");
        fake_file("test/memory.stat", "anon 7\nfile 5\n");
        fake_file("test/memory.events", "low 0\nhigh 0\nmax 3\noom 0\n");
        fake_file("test/memory.swap.current", "10\n");
        fake_file("test/pids.current", "3\n");
        fake_file("test/pids.max", "max\n");
        fake_file("test/cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\nnr_periods 2\nnr_throttled 1\n"
                                   "throttled_usec 3\n");
        fake_file("test/io.stat", "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n");
        fake_file("test/hugetlb.2MB.current", "0\n");
        fake_file("test/hugetlb.2MB.events", "max 2\n");
        cg = fake_open(CGROUP_LAYOUT_V2);
        j = stats_of(cg, &text);

        /* "max" is 2^64-1, printed exactly (beyond jansson's integers). */
        assert_non_null(strstr(text, "\"limit\":18446744073709551615"));
        assert_null(strstr(text, "@@"));
        assert_true(num(j, "memory", "usage", "usage") == 1000);
        assert_true(num(j, "memory", "usage", "failcnt") == 3);
        assert_true(num(j, "memory", "swap", "usage") == 1010); /* memory + swap, as v1 */
        assert_true(num(j, "memory", "cache", NULL) == 5);
        assert_true(num(j, "memory", "raw", "anon") == 7);
        assert_true(num(j, "pids", "current", NULL) == 3);
        /* "max" is 0 to runc, and omitempty */
        assert_null(json_object_get(json_object_get(j, "pids"), "limit"));
        /* runc 1.1 reads no cpuset stats on v2: its zero values */
        assert_true(num(j, "cpuset", "sched_load_balance", NULL) == 0);
        assert_null(json_object_get(json_object_get(j, "cpuset"), "cpus"));
        assert_non_null(strstr(text, "\"kernel\":{\"limit\":0,\"failcnt\":0}"));
        assert_true(num(j, "cpu", "usage", "total") == 10000);
        assert_true(num(j, "cpu", "usage", "user") == 6000);
        assert_true(num(j, "cpu", "usage", "kernel") == 4000);
        assert_true(num(j, "cpu", "throttling", "throttledPeriods") == 1);
        assert_true(num(j, "cpu", "throttling", "throttledTime") == 3000);
        bytes = json_object_get(json_object_get(j, "blkio"), "ioServiceBytesRecursive");
        assert_int_equal(json_array_size(bytes), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(bytes, 1), "op")), "Write");
        assert_true(json_number_value(json_object_get(json_array_get(bytes, 1), "value")) == 2);
        assert_true(num(j, "hugetlb", "2MB", "failcnt") == 2);
        assert_int_equal(json_object_size(json_object_get(j, "hugetlb")), 1); /* not "2MB.rsvd" */
        json_decref(j);
}

/* The start of test_stats_v1's JSON: runc's key order. */
static const char v1_head[] = "{\"cpu\":{\"usage\":{\"total\":100,\"percpu\":[60,40],\"percpu_kernel\":[10,20],"
                              "\"percpu_user\":[50,20],\"kernel\":30,\"user\":70},\"throttling\":{\"periods\":9,";

static void test_stats_v1(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_free_ char *text = NULL;
        json_t *j, *percpu, *ios;

        fake_v1_tree(false);
        fake_file("cpu,cpuacct/test/cpuacct.usage", "100\n");
        fake_file("cpu,cpuacct/test/cpuacct.usage_percpu", "60 40 \n");
        fake_file("cpu,cpuacct/test/cpuacct.usage_all", "cpu user system\n0 50 10\n1 20 20\n");
        fake_file("cpu,cpuacct/test/cpuacct.usage_user", "70\n");
        fake_file("cpu,cpuacct/test/cpuacct.usage_sys", "30\n");
        fake_file("cpu,cpuacct/test/cpu.stat", "nr_periods 9\nnr_throttled 8\nthrottled_time 7\n");
        fake_file("memory/test/memory.usage_in_bytes", "4096\n");
        fake_file("memory/test/memory.max_usage_in_bytes", "8192\n");
        fake_file("memory/test/memory.failcnt", "1\n");
        fake_file("memory/test/memory.stat", "cache 11\nrss 22\n");
        fake_file("pids/test/pids.current", "2\n");
        fake_file("pids/test/pids.max", "10\n");
        fake_file("blkio/test/blkio.throttle.io_service_bytes_recursive", "8:0 Read 4096\n8:0 Write 0\nTotal 4096\n");
        fake_file("blkio/test/blkio.throttle.io_serviced_recursive", "8:0 Read 1\nTotal 1\n");
        fake_file("hugetlb/test/hugetlb.2MB.usage_in_bytes", "0\n");
        fake_file("hugetlb/test/hugetlb.2MB.failcnt", "4\n");
        fake_file("hugetlb/test/hugetlb.1GB.limit_in_bytes", "0\n");
        fake_file("cpuset/test/cpuset.cpus", "0-2,5\n");
        fake_file("cpuset/test/cpuset.mems", "0\n");
        fake_file("cpuset/test/cpuset.sched_load_balance", "1\n");
        fake_file("cpuset/test/cpuset.sched_relax_domain_level", "-1\n");
        cg = fake_open(CGROUP_LAYOUT_V1);
        j = stats_of(cg, &text);

        /* runc's key order (struct fields), and Go's sorted map keys. */
        assert_true(strncmp(text, v1_head, strlen(v1_head)) == 0);
        assert_non_null(strstr(text, "\"cpuset\":{\"cpus\":[0,1,2,5],\"cpu_exclusive\":0,\"mems\":[0],"));
        assert_non_null(strstr(text, "\"sched_load_balance\":1,\"sched_relax_domain_level\":-1},\"memory\":{"));
        assert_non_null(strstr(text, "\"raw\":{\"cache\":11,\"rss\":22}"));
        assert_non_null(strstr(text, "\"hugetlb\":{\"1GB\":{\"failcnt\":0},\"2MB\":{\"failcnt\":4}}"));
        assert_non_null(strstr(text, "\"intel_rdt\":{},\"network_interfaces\":null}"));
        /* Zero blkio values and ops-less entries, as runc's omitempty. */
        assert_non_null(strstr(text, "{\"major\":8,\"op\":\"Write\"}"));

        assert_true(num(j, "cpu", "usage", "total") == 100);
        assert_true(num(j, "cpu", "usage", "user") == 70);
        assert_true(num(j, "cpu", "usage", "kernel") == 30);
        percpu = json_object_get(json_object_get(json_object_get(j, "cpu"), "usage"), "percpu");
        assert_int_equal(json_array_size(percpu), 2);
        assert_true(num(j, "cpu", "throttling", "periods") == 9);
        assert_true(num(j, "cpu", "throttling", "throttledTime") == 7);
        assert_true(num(j, "memory", "usage", "limit") == 9223372036854771712.0);
        assert_true(num(j, "memory", "usage", "usage") == 4096);
        assert_true(num(j, "memory", "usage", "max") == 8192);
        assert_true(num(j, "memory", "cache", NULL) == 11);
        assert_true(num(j, "memory", "raw", "rss") == 22);
        assert_true(num(j, "pids", "current", NULL) == 2);
        assert_true(num(j, "pids", "limit", NULL) == 10);
        ios = json_object_get(json_object_get(j, "blkio"), "ioServicedRecursive");
        assert_int_equal(json_array_size(ios), 1);
        assert_true(num(j, "hugetlb", "2MB", "failcnt") == 4);
        json_decref(j);
}

static void test_stats_v1_blkio_cfq(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_free_ char *text = NULL;
        json_t *j, *b;

        fake_v1_tree(false);
        fake_file("blkio/test/blkio.io_service_bytes_recursive", "8:16 Read 10\nTotal 10\n");
        fake_file("blkio/test/blkio.io_serviced_recursive", "8:16 Read 1\n");
        fake_file("blkio/test/blkio.time_recursive", "8:16 77\n");
        fake_file("blkio/test/blkio.sectors_recursive", "8:16 3\n");
        cg = fake_open(CGROUP_LAYOUT_V1);
        j = stats_of(cg, &text);
        b = json_object_get(j, "blkio");
        assert_int_equal(json_array_size(json_object_get(b, "ioServiceBytesRecursive")), 1);
        assert_int_equal(json_array_size(json_object_get(b, "ioServicedRecursive")), 1);
        assert_non_null(strstr(text, "\"ioTimeRecursive\":[{\"major\":8,\"minor\":16,\"value\":77}]"));
        assert_non_null(strstr(text, "\"sectorsRecursive\":[{\"major\":8,\"minor\":16,\"value\":3}]"));
        /* empty lists are left out */
        assert_null(json_object_get(b, "ioQueueRecursive"));
        json_decref(j);
}

static void test_parse_id_list(void **state)
{
        uint16_t *v = NULL;
        size_t n = 99;

        assert_int_equal(cgroup_parse_id_list("0-3,8,10-11", &v, &n), 0);
        assert_int_equal(n, 7);
        assert_int_equal(v[0], 0);
        assert_int_equal(v[3], 3);
        assert_int_equal(v[4], 8);
        assert_int_equal(v[6], 11);
        free(v);
        v = NULL;
        assert_int_equal(cgroup_parse_id_list("", &v, &n), 0);
        assert_int_equal(n, 0);
        free(v);
        assert_int_equal(cgroup_parse_id_list("7\n", &v, &n), 0);
        assert_int_equal(n, 1);
        free(v);
        assert_int_equal(cgroup_parse_id_list("3-1", &v, &n), -EINVAL);
        assert_int_equal(cgroup_parse_id_list("1-", &v, &n), -EINVAL);
        assert_int_equal(cgroup_parse_id_list("a", &v, &n), -EINVAL);
        assert_int_equal(cgroup_parse_id_list("1;2", &v, &n), -EINVAL);
        assert_int_equal(cgroup_parse_id_list("65536", &v, &n), -EINVAL);
        assert_int_equal(cgroup_parse_id_list("-1", &v, &n), -EINVAL);
}

static void test_parse_usage_all(void **state)
{
        _cleanup_free_ uint64_t *u = NULL, *s = NULL;
        size_t n = 0;

        assert_int_equal(cgroup_parse_usage_all("cpu user system\n0 5 6\nbad line\n1 7 8", &u, &s, &n), 0);
        assert_int_equal(n, 2);
        assert_true(u[0] == 5 && s[0] == 6 && u[1] == 7 && s[1] == 8);
        free(u);
        free(s);
        assert_int_equal(cgroup_parse_usage_all("cpu user system", &u, &s, &n), 0);
        assert_int_equal(n, 0);
}

static void test_parse_blkio_line(void **state)
{
        uint64_t maj, min, v;
        char op[16];

        assert_int_equal(cgroup_parse_blkio_line("8:0 Read 4096", &maj, &min, op, sizeof(op), &v), 0);
        assert_true(maj == 8 && min == 0 && v == 4096);
        assert_string_equal(op, "Read");
        assert_int_equal(cgroup_parse_blkio_line("253:1 42", &maj, &min, op, sizeof(op), &v), 0);
        assert_true(maj == 253 && min == 1 && v == 42);
        assert_string_equal(op, "");
        assert_int_equal(cgroup_parse_blkio_line("Total 4096", &maj, &min, op, sizeof(op), &v), -EINVAL);
        assert_int_equal(cgroup_parse_blkio_line("8:0 Read", &maj, &min, op, sizeof(op), &v), -EINVAL);
        assert_int_equal(cgroup_parse_blkio_line("8:0 Read x", &maj, &min, op, sizeof(op), &v), -EINVAL);
        assert_int_equal(cgroup_parse_blkio_line("8:0 AVeryLongOperationName 1", &maj, &min, op, 8, &v), -EINVAL);
}

/* ---- OOM watch on fake trees ---- */

static bool readable(int fd)
{
        struct pollfd p = { .fd = fd, .events = POLLIN };
        return poll(&p, 1, 1000) == 1;
}

static CgroupOomWatch *watch_ok(Cgroup *cg)
{
        _cleanup_error_ Error *e = NULL;
        CgroupOomWatch *w = NULL;

        if (cgroup_oom_watch(cg, &w, &e) < 0)
                fail_msg("watch: %s", e->msg);
        return w;
}

static void test_oom_watch_v2(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        CgroupOomWatch *w;
        bool oom = true;

        fake_v2_tree();
        fake_file("test/memory.events", "low 0\nhigh 0\nmax 0\noom 1\noom_kill 1\n");
        cg = fake_open(CGROUP_LAYOUT_V2);
        w = watch_ok(cg);
        /* a kill from before the watch does not count */
        assert_int_equal(cgroup_oom_watch_read(w, &oom), 0);
        assert_false(oom);
        /* "max" going up is no OOM */
        fake_file("test/memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n");
        assert_true(readable(cgroup_oom_watch_fd(w)));
        assert_int_equal(cgroup_oom_watch_read(w, &oom), 0);
        assert_false(oom);
        fake_file("test/memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\n");
        assert_true(readable(cgroup_oom_watch_fd(w)));
        assert_int_equal(cgroup_oom_watch_read(w, &oom), 0);
        assert_true(oom);
        assert_int_equal(cgroup_oom_watch_read(w, &oom), 0);
        assert_false(oom);
        cgroup_oom_watch_free(w);
}

static void test_oom_watch_v1(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_free_ char *ctl = NULL;
        CgroupOomWatch *w;
        uint64_t one = 1;
        bool oom = true;
        char want[64];

        fake_v1_tree(false);
        fake_file("memory/test/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        fake_file("memory/test/cgroup.event_control", "");
        cg = fake_open(CGROUP_LAYOUT_V1);
        w = watch_ok(cg);
        /* "<eventfd> <oom_control fd>" to cgroup.event_control */
        assert_int_equal(fake->n_writes, 1);
        snprintf(want, sizeof(want), "/memory/test/cgroup.event_control=%d ", cgroup_oom_watch_fd(w));
        assert_true(strncmp(fake->writes[0], want, strlen(want)) == 0);
        assert_int_equal(cgroup_oom_watch_read(w, &oom), 0);
        assert_false(oom);
        /* the kernel's signal, played by us */
        assert_int_equal(write(cgroup_oom_watch_fd(w), &one, sizeof(one)), sizeof(one));
        assert_int_equal(cgroup_oom_watch_read(w, &oom), 0);
        assert_true(oom);
        /* the signal that comes with the cgroup's removal is not an OOM */
        assert_true(asprintf(&ctl, "%s/memory/test/cgroup.event_control", fake->root) > 0);
        assert_int_equal(unlink(ctl), 0);
        assert_int_equal(write(cgroup_oom_watch_fd(w), &one, sizeof(one)), sizeof(one));
        assert_int_equal(cgroup_oom_watch_read(w, &oom), -ENODEV);
        assert_false(oom);
        cgroup_oom_watch_free(w);
}

static void test_oom_watch_no_memory(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;
        CgroupOomWatch *w = NULL;

        fake_mkdir("test");
        fake_file("test/cgroup.controllers", "cpu pids\n");
        cg = fake_open(CGROUP_LAYOUT_V2);
        assert_int_equal(cgroup_oom_watch(cg, &w, &e), -EOPNOTSUPP);
        assert_null(w);
        assert_non_null(strstr(e->msg, "no memory controller"));
}

/* BFQ's files exist once its module is loaded but list only the devices it
 * schedules: a disk without a scheduler shows in the throttling layer's. */
static void test_stats_v1_blkio_empty_bfq(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_free_ char *text = NULL;
        json_t *j, *bytes, *ios;

        fake_v1_tree(false);
        fake_file("blkio/test/blkio.bfq.io_service_bytes_recursive", "Total 0\n");
        fake_file("blkio/test/blkio.bfq.io_serviced_recursive", "Total 0\n");
        fake_file("blkio/test/blkio.throttle.io_service_bytes_recursive",
                  "1:0 Read 0\n1:0 Write 2097152\nTotal 2097152\n");
        fake_file("blkio/test/blkio.throttle.io_serviced_recursive", "1:0 Read 0\n1:0 Write 32\nTotal 32\n");
        cg = fake_open(CGROUP_LAYOUT_V1);
        j = stats_of(cg, &text);

        bytes = json_object_get(json_object_get(j, "blkio"), "ioServiceBytesRecursive");
        ios = json_object_get(json_object_get(j, "blkio"), "ioServicedRecursive");
        assert_int_equal(json_array_size(bytes), 2);
        assert_int_equal(json_array_size(ios), 2);
        assert_true(json_number_value(json_object_get(json_array_get(bytes, 1), "value")) == 2097152);
        assert_true(json_number_value(json_object_get(json_array_get(ios, 1), "value")) == 32);
        json_decref(j);
}

/* ---- the disabled manager ---- */

static void test_disabled(void **state)
{
        _cleanup_cgroup_ Cgroup *cg = NULL, *cg2 = NULL;
        _cleanup_error_ Error *e = NULL;
        _cleanup_free_ char *stats = NULL;
        SpecResources r = full_resources(true);
        pid_t *pids = NULL;
        size_t n = 99;

        assert_int_equal(cgroup_create("/husk/none", &r, CGROUP_MANAGER_DISABLED, false, &cg, &e), 0);
        assert_string_equal(cgroup_path(cg), "/husk/none");
        assert_int_equal(cgroup_apply(cg, &r, &e), 0);
        assert_int_equal(cgroup_enter(cg, getpid(), &e), 0);
        assert_int_equal(cgroup_freeze(cg, true, &e), 0);
        assert_false(cgroup_is_frozen(cg));
        assert_int_equal(cgroup_pids(cg, &pids, &n, &e), 0);
        assert_int_equal(n, 0);
        free(pids);
        assert_int_equal(cgroup_kill_all(cg, SIGKILL, &e), 0);
        assert_int_equal(cgroup_unified_fd(cg), -EOPNOTSUPP);
        assert_int_equal(cgroup_stats_json(cg, &stats, &e), 0);
        assert_non_null(strstr(stats, "\"memory\""));
        assert_int_equal(cgroup_destroy(cg, &e), 0);
        assert_int_equal(cgroup_open("/husk/none", CGROUP_MANAGER_DISABLED, &cg2, &e), 0);
        assert_int_equal(cgroup_destroy(cg2, &e), 0);
        assert_null(e);
}

static void test_relative_path_refused(void **state)
{
        Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;

        assert_int_equal(cgroup_create("husk/x", NULL, CGROUP_MANAGER_CGROUPFS, false, &cg, &e), -EINVAL);
        assert_null(cg);
}

static void test_layout_strings(void **state)
{
        assert_string_equal(cgroup_layout_to_string(CGROUP_LAYOUT_V2), "v2");
        assert_string_equal(cgroup_layout_to_string(CGROUP_LAYOUT_V1), "v1");
        assert_string_equal(cgroup_layout_to_string(CGROUP_LAYOUT_HYBRID), "hybrid");
        assert_string_equal(cgroup_layout_to_string(CGROUP_LAYOUT_UNKNOWN), "unknown");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_resolve_cgroupfs),
                cmocka_unit_test(test_resolve_systemd_not_running),
                cmocka_unit_test(test_resolve_systemd),
                cmocka_unit_test(test_expand_slice),
                cmocka_unit_test(test_shares_to_weight),
                cmocka_unit_test(test_blkio_weight),
                cmocka_unit_test(test_swap_to_v2),
                cmocka_unit_test(test_unified_key_check),
                cmocka_unit_test(test_hugetlb_size),
                cmocka_unit_test(test_device_rule_format),
                cmocka_unit_test(test_parse_devnum),
                cmocka_unit_test(test_parse_mountinfo),
                cmocka_unit_test(test_bpf_program),
                cmocka_unit_test(test_bpf_program_edges),
                cmocka_unit_test_setup_teardown(test_apply_v1, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_v1_memory_order, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_v1_errors, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_missing_controller, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_v2, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_v2_values, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_v2_errors, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_apply_hybrid, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_stats_v2, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_stats_v1, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_stats_v1_blkio_cfq, fake_setup, fake_teardown),
                cmocka_unit_test(test_parse_id_list),
                cmocka_unit_test(test_parse_usage_all),
                cmocka_unit_test(test_parse_blkio_line),
                cmocka_unit_test_setup_teardown(test_oom_watch_v2, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_oom_watch_v1, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_oom_watch_no_memory, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_stats_v1_blkio_empty_bfq, fake_setup, fake_teardown),
                cmocka_unit_test(test_disabled),
                cmocka_unit_test(test_relative_path_refused),
                cmocka_unit_test(test_layout_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
