/* Per-process settings against the real kernel, each in a forked child. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <grp.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "sandbox/process.h"
#include "child.h"

#define CAP_SYS_RESOURCE_NR 24

static int child_rlimits(void *arg, char *msg, size_t size)
{
        SpecRlimit rl[] = {
                { .resource = RLIMIT_NOFILE, .type = "RLIMIT_NOFILE", .soft = 100, .hard = 200 },
                { .resource = RLIMIT_CORE, .type = "RLIMIT_CORE", .soft = 0, .hard = 0 },
        };
        struct rlimit got;
        Error *err = NULL;

        (void)arg;
        if (process_apply_rlimits(rl, 2, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        if (getrlimit(RLIMIT_NOFILE, &got) < 0 || got.rlim_cur != 100 || got.rlim_max != 200)
                return child_fail(msg, size, "RLIMIT_NOFILE is %lu/%lu", (unsigned long)got.rlim_cur,
                                  (unsigned long)got.rlim_max);
        if (getrlimit(RLIMIT_CORE, &got) < 0 || got.rlim_cur != 0 || got.rlim_max != 0)
                return child_fail(msg, size, "RLIMIT_CORE is %lu/%lu", (unsigned long)got.rlim_cur,
                                  (unsigned long)got.rlim_max);
        return 0;
}

static void test_rlimits(void **state)
{
        (void)state;
        assert_child_ok(child_rlimits, NULL);
}

static int child_rlimit_raise(void *arg, char *msg, size_t size)
{
        /* No type string: the name comes from the resource number. */
        SpecRlimit rl = { .resource = RLIMIT_NOFILE, .soft = 1048576, .hard = 1048576 };
        Error *err = NULL;
        int r;

        (void)arg;
        r = process_apply_rlimits(&rl, 1, &err);
        if (r != -EPERM || !err)
                return child_fail(msg, size, "process_apply_rlimits returned %d", r);
        if (strcmp(err->msg, "setrlimit RLIMIT_NOFILE (soft 1048576, hard 1048576): Operation not permitted "
                             "(raising a hard limit needs CAP_SYS_RESOURCE)") != 0)
                return child_fail(msg, size, "message: %s", err->msg);
        error_free(err);
        return 0;
}

static void test_rlimit_raise_hard(void **state)
{
        (void)state;
        if (have_cap(CAP_SYS_RESOURCE_NR))
                skip(); /* only meaningful where CAP_SYS_RESOURCE is missing, as on the machines here */
        assert_child_ok(child_rlimit_raise, NULL);
}

static void test_rlimit_soft_above_hard(void **state)
{
        SpecRlimit rl = { .resource = RLIMIT_NOFILE, .type = "RLIMIT_NOFILE", .soft = 300, .hard = 200 };
        Error *err = NULL;

        (void)state;
        /* EINVAL before anything changes: safe in-process. */
        assert_int_equal(process_apply_rlimits(&rl, 1, &err), -EINVAL);
        assert_string_equal(err->msg,
                            "setrlimit RLIMIT_NOFILE (soft 300, hard 200): Invalid argument (soft above hard)");
        error_free(err);
}

static int read_oom(void)
{
        FILE *f = fopen("/proc/self/oom_score_adj", "re");
        int v = -10000;

        if (f) {
                if (fscanf(f, "%d", &v) != 1)
                        v = -10000;
                fclose(f);
        }
        return v;
}

static int child_oom(void *arg, char *msg, size_t size)
{
        bool can_lower = *(bool *)arg;
        Error *err = NULL;
        int r;

        if (process_set_oom_score_adj(100, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        if (read_oom() != 100)
                return child_fail(msg, size, "oom_score_adj is %d", read_oom());
        if (process_set_oom_score_adj(50, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        if (read_oom() != 50)
                return child_fail(msg, size, "oom_score_adj is %d", read_oom());
        if (can_lower)
                return 0;
        r = process_set_oom_score_adj(-100, &err);
        if (r >= 0 || !err)
                return child_fail(msg, size, "lowering below 0 worked");
        if (strcmp(err->msg, "write /proc/self/oom_score_adj (-100): Permission denied (lowering oom_score_adj "
                             "needs CAP_SYS_RESOURCE)") != 0)
                return child_fail(msg, size, "message: %s", err->msg);
        error_free(err);
        return 0;
}

static void test_oom_score_adj(void **state)
{
        bool can_lower = have_cap(CAP_SYS_RESOURCE_NR);
        Error *err = NULL;

        (void)state;
        assert_child_ok(child_oom, &can_lower);

        assert_int_equal(process_set_oom_score_adj(1001, &err), -EINVAL);
        assert_string_equal(err->msg, "process.oomScoreAdj 1001 is out of range [-1000, 1000]");
        error_free(err);
}

static int child_personality(void *arg, char *msg, size_t size)
{
        SpecLinux l = { .has_personality = true, .personality_domain = "LINUX32" };
        struct utsname u;
        Error *err = NULL;
        int p;

        (void)arg;
        if (process_apply_personality(&l, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        p = personality(0xffffffff);
        if (p != PER_LINUX32)
                return child_fail(msg, size, "personality is %#x", p);
#if defined(__x86_64__)
        if (uname(&u) < 0 || strcmp(u.machine, "i686") != 0)
                return child_fail(msg, size, "uname -m is %s under LINUX32", u.machine);
#else
        (void)u;
#endif
        l.personality_domain = "LINUX";
        if (process_apply_personality(&l, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        p = personality(0xffffffff);
        if (p != PER_LINUX)
                return child_fail(msg, size, "personality is %#x", p);
        return 0;
}

static void test_personality(void **state)
{
        SpecLinux l = { .has_personality = true, .personality_domain = "LINUX64" };
        SpecLinux none = { 0 };
        Error *err = NULL;

        (void)state;
        assert_child_ok(child_personality, NULL);

        assert_int_equal(process_apply_personality(&none, &err), 0);
        assert_int_equal(process_apply_personality(&l, &err), -EINVAL);
        assert_string_equal(err->msg, "linux.personality.domain: unknown domain \"LINUX64\" (LINUX or LINUX32)");
        error_free(err);
}

static int child_switch_user(void *arg, char *msg, size_t size)
{
        gid_t gids[] = { 10, 20 };
        SpecUser u = { .uid = 1000,
                       .gid = 1001,
                       .additional_gids = gids,
                       .n_additional_gids = 2,
                       .has_umask = true,
                       .umask = 027 };
        uid_t r_, e_, s_;
        gid_t rg, eg, sg, got[8];
        Error *err = NULL;
        mode_t m;
        int n;

        (void)arg;
        if (process_switch_user(&u, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        if (getresuid(&r_, &e_, &s_) < 0 || r_ != 1000 || e_ != 1000 || s_ != 1000)
                return child_fail(msg, size, "uids %u %u %u", r_, e_, s_);
        if (getresgid(&rg, &eg, &sg) < 0 || rg != 1001 || eg != 1001 || sg != 1001)
                return child_fail(msg, size, "gids %u %u %u", rg, eg, sg);
        n = getgroups(8, got);
        if (n != 2 || got[0] != 10 || got[1] != 20)
                return child_fail(msg, size, "%d supplementary groups", n);
        m = umask(0);
        if (m != 027)
                return child_fail(msg, size, "umask %03o", (unsigned)m);
        /* Now without privileges: a second switch fails naming the groups
         * (setgroups is allowed here, CAP_SETGID is what is missing). */
        u.uid = 0;
        u.gid = 0;
        if (process_switch_user(&u, &err) >= 0)
                return child_fail(msg, size, "switching back to root worked");
        if (strcmp(err->msg, "setgroups [10, 20]: Operation not permitted") != 0)
                return child_fail(msg, size, "message: %s", err->msg);
        u.n_additional_gids = 0;
        if (process_switch_user(&u, &err) >= 0)
                return child_fail(msg, size, "setgroups [] worked");
        if (strcmp(err->msg, "setgroups []: Operation not permitted") != 0)
                return child_fail(msg, size, "message: %s", err->msg);
        error_free(err);
        return 0;
}

/* In a user namespace whose setgroups file says "deny" (as a rootless
 * runtime leaves it), the groups cannot change: asking for some fails
 * saying why, asking for none is fine. The file is read through a procfs of
 * our own, which here (no CAP_SYS_ADMIN over our mount namespace) is /proc,
 * verified. */
static int child_switch_user_denied(void *arg, char *msg, size_t size)
{
        gid_t gids[] = { 10, 20 };
        SpecUser u = { .uid = 0, .gid = 0, .additional_gids = gids, .n_additional_gids = 2 };
        Error *err = NULL;
        FILE *f;

        (void)arg;
        if (unshare(CLONE_NEWUSER) < 0)
                return child_fail(msg, size, "unshare user namespace: %m");
        if (!(f = fopen("/proc/self/setgroups", "we")) || fputs("deny", f) < 0 || fclose(f) != 0)
                return child_fail(msg, size, "deny setgroups: %m");
        if (!(f = fopen("/proc/self/uid_map", "we")) || fputs("0 0 1", f) < 0 || fclose(f) != 0)
                return child_fail(msg, size, "uid_map: %m");
        if (!(f = fopen("/proc/self/gid_map", "we")) || fputs("0 0 1", f) < 0 || fclose(f) != 0)
                return child_fail(msg, size, "gid_map: %m");
        if (process_switch_user(&u, &err) >= 0)
                return child_fail(msg, size, "setgroups [10, 20] worked");
        if (strcmp(err->msg, "process.user.additionalGids [10, 20]: setgroups is denied in this user namespace") != 0)
                return child_fail(msg, size, "message: %s", err->msg);
        u.n_additional_gids = 0;
        if (process_switch_user(&u, &err) < 0)
                return child_fail(msg, size, "no additionalGids: %s", err->msg);
        error_free(err);
        return 0;
}

static void test_switch_user_denied(void **state)
{
        (void)state;
        assert_child_ok(child_switch_user_denied, NULL);
}

static void test_switch_user(void **state)
{
        (void)state;
        assert_child_ok(child_switch_user, NULL);
}

static int child_switch_user_defaults(void *arg, char *msg, size_t size)
{
        SpecUser u = { .uid = 0, .gid = 0 };
        Error *err = NULL;
        gid_t got[8];
        mode_t m;
        int n;

        (void)arg;
        umask(0077);
        if (setgroups(2, (gid_t[]){ 4, 5 }) < 0)
                return child_fail(msg, size, "setgroups: %m");
        if (process_switch_user(&u, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        n = getgroups(8, got);
        if (n != 0)
                return child_fail(msg, size, "%d supplementary groups left", n);
        m = umask(0);
        if (m != 0022)
                return child_fail(msg, size, "umask %03o, want 022", (unsigned)m);
        return 0;
}

static void test_switch_user_defaults(void **state)
{
        (void)state;
        assert_child_ok(child_switch_user_defaults, NULL);
}

static int child_io_priority(void *arg, char *msg, size_t size)
{
        SpecProcess p = { .has_io_priority = true, .io_priority_class = "IOPRIO_CLASS_BE", .io_priority = 4 };
        Error *err = NULL;
        long v;

        (void)arg;
        if (process_apply_io_priority(&p, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        v = syscall(SYS_ioprio_get, 1, 0);
        if (v != ((2 << 13) | 4))
                return child_fail(msg, size, "ioprio is %#lx", v);
        p.io_priority_class = "IOPRIO_CLASS_IDLE";
        p.io_priority = 0;
        if (process_apply_io_priority(&p, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        v = syscall(SYS_ioprio_get, 1, 0);
        if (v != (3 << 13))
                return child_fail(msg, size, "ioprio is %#lx", v);
        return 0;
}

static void test_io_priority(void **state)
{
        SpecProcess p = { .has_io_priority = true, .io_priority_class = "IOPRIO_CLASS_FOO", .io_priority = 4 };
        Error *err = NULL;

        (void)state;
        assert_child_ok(child_io_priority, NULL);

        assert_int_equal(process_apply_io_priority(&p, &err), -EINVAL);
        assert_string_equal(err->msg, "process.ioPriority.class: unknown class \"IOPRIO_CLASS_FOO\" "
                                      "(IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)");
        p.io_priority_class = "IOPRIO_CLASS_BE";
        p.io_priority = 8;
        assert_int_equal(process_apply_io_priority(&p, &err), -EINVAL);
        assert_string_equal(err->msg, "process.ioPriority.priority 8 is out of range [0, 7]");
        error_free(err);
        p.has_io_priority = false;
        assert_int_equal(process_apply_io_priority(&p, NULL), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rlimits),
                cmocka_unit_test(test_rlimit_raise_hard),
                cmocka_unit_test(test_rlimit_soft_above_hard),
                cmocka_unit_test(test_oom_score_adj),
                cmocka_unit_test(test_personality),
                cmocka_unit_test(test_switch_user),
                cmocka_unit_test(test_switch_user_defaults),
                cmocka_unit_test(test_switch_user_denied),
                cmocka_unit_test(test_io_priority),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
