/* Capabilities: name checks in-process, the real kernel in forked children. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/prctl.h>

#include "sandbox/caps.h"
#include "sandbox/process.h"
#include "child.h"

#define BIT(c) (UINT64_C(1) << (c))

static void test_from_name(void **state)
{
        (void)state;
        assert_int_equal(caps_from_name("CAP_CHOWN"), 0);
        assert_int_equal(caps_from_name("CAP_KILL"), 5);
        assert_int_equal(caps_from_name("CAP_SYS_RESOURCE"), 24);
        assert_int_equal(caps_from_name("CAP_AUDIT_READ"), 37);
        assert_int_equal(caps_from_name("CAP_PERFMON"), 38);
        assert_int_equal(caps_from_name("CAP_BPF"), 39);
        assert_int_equal(caps_from_name("CAP_CHECKPOINT_RESTORE"), 40);
        assert_int_equal(caps_from_name("CAP_TEST"), -EINVAL);
        assert_int_equal(caps_from_name("chown"), -EINVAL);
        assert_int_equal(caps_from_name("cap_chown"), -EINVAL);
        assert_int_equal(caps_from_name(""), -EINVAL);
        assert_int_equal(caps_from_name(NULL), -EINVAL);
}

static void test_last_cap(void **state)
{
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        int v = -1;

        (void)state;
        assert_non_null(f);
        assert_int_equal(fscanf(f, "%d", &v), 1);
        fclose(f);
        assert_int_equal(caps_last_cap(), v);
}

static void test_validate(void **state)
{
        char *good[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHECKPOINT_RESTORE", NULL };
        char *bad[] = { "CAP_CHOWN", "CAP_TEST", NULL };
        char *lower[] = { "chown", NULL };
        SpecCapabilities c = { .bounding = good, .effective = good, .permitted = good };
        Error *err = NULL;

        (void)state;
        assert_int_equal(caps_validate(&c, &err), 0);
        assert_null(err);
        assert_int_equal(caps_validate(NULL, &err), 0);

        c.effective = bad;
        assert_int_equal(caps_validate(&c, &err), -EINVAL);
        assert_non_null(err);
        assert_string_equal(err->msg, "process.capabilities.effective: unknown capability \"CAP_TEST\"");
        error_free(err);
        err = NULL;

        c.effective = good;
        c.ambient = lower;
        assert_int_equal(caps_validate(&c, &err), -EINVAL);
        assert_string_equal(err->msg, "process.capabilities.ambient: unknown capability \"chown\"");
        error_free(err);
        err = NULL;

        c.ambient = NULL;
        c.bounding = bad;
        assert_int_equal(caps_validate(&c, &err), -EINVAL);
        assert_string_equal(err->msg, "process.capabilities.bounding: unknown capability \"CAP_TEST\"");
        error_free(err);
}

/* The sequence of the container's init: bounding, keepcaps, user, apply. */
static int apply_as(const SpecCapabilities *c, uid_t uid, char *msg, size_t size)
{
        SpecUser u = { .uid = uid, .gid = uid };
        Error *err = NULL;

        if (caps_drop_bounding(c, &err) < 0)
                return child_fail(msg, size, "caps_drop_bounding: %s", err->msg);
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return child_fail(msg, size, "keepcaps: %m");
        if (process_switch_user(&u, &err) < 0)
                return child_fail(msg, size, "process_switch_user: %s", err->msg);
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return child_fail(msg, size, "keepcaps 0: %m");
        if (caps_apply(c, &err) < 0)
                return child_fail(msg, size, "caps_apply: %s", err->msg);
        return 0;
}

static int check_masks(char *msg, size_t size, uint64_t bnd, uint64_t eff, uint64_t prm, uint64_t inh, uint64_t amb)
{
        const struct {
                const char *field;
                uint64_t want;
        } f[] = { { "CapBnd", bnd }, { "CapEff", eff }, { "CapPrm", prm }, { "CapInh", inh }, { "CapAmb", amb } };

        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
                uint64_t got = status_mask(f[i].field);
                if (got != f[i].want)
                        return child_fail(msg, size, "%s is %#" PRIx64 ", want %#" PRIx64, f[i].field, got, f[i].want);
        }
        return 0;
}

static int child_bounding_kill(void *arg, char *msg, size_t size)
{
        char *bounding[] = { "CAP_CHOWN", "CAP_KILL", NULL };
        char *kill_only[] = { "CAP_KILL", NULL };
        SpecCapabilities c = { .bounding = bounding, .effective = kill_only, .permitted = kill_only };
        int r;

        (void)arg;
        r = apply_as(&c, 1000, msg, size);
        if (r)
                return r;
        if (getuid() != 1000 || geteuid() != 1000)
                return child_fail(msg, size, "uid %u/%u", getuid(), geteuid());
        return check_masks(msg, size, BIT(0) | BIT(5), BIT(5), BIT(5), 0, 0);
}

static void test_bounding_and_user(void **state)
{
        (void)state;
        assert_child_ok(child_bounding_kill, NULL);
}

static int child_ambient(void *arg, char *msg, size_t size)
{
        char *bounding[] = { "CAP_NET_BIND_SERVICE", "CAP_KILL", NULL };
        char *nbs[] = { "CAP_NET_BIND_SERVICE", NULL };
        /* CAP_KILL is not inheritable: the kernel would refuse raising it in
         * ambient; it is skipped, not an error. */
        char *amb[] = { "CAP_NET_BIND_SERVICE", "CAP_KILL", NULL };
        char *prm[] = { "CAP_NET_BIND_SERVICE", "CAP_KILL", NULL };
        SpecCapabilities c = {
                .bounding = bounding, .effective = nbs, .permitted = prm, .inheritable = nbs, .ambient = amb
        };
        int r;

        (void)arg;
        r = apply_as(&c, 1000, msg, size);
        if (r)
                return r;
        return check_masks(msg, size, BIT(10) | BIT(5), BIT(10), BIT(10) | BIT(5), BIT(10), BIT(10));
}

static void test_ambient(void **state)
{
        (void)state;
        assert_child_ok(child_ambient, NULL);
}

static int child_none(void *arg, char *msg, size_t size)
{
        Error *err = NULL;
        uint64_t bnd = status_mask("CapBnd");

        (void)arg;
        /* No capabilities block: the bounding set stays, the rest goes. */
        if (caps_drop_bounding(NULL, &err) < 0 || caps_apply(NULL, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        return check_masks(msg, size, bnd, 0, 0, 0, 0);
}

static void test_none(void **state)
{
        (void)state;
        assert_child_ok(child_none, NULL);
}

static int child_eff_not_permitted(void *arg, char *msg, size_t size)
{
        char *kill_only[] = { "CAP_KILL", NULL };
        char *chown_only[] = { "CAP_CHOWN", NULL };
        SpecCapabilities c = { .effective = kill_only, .permitted = chown_only };
        Error *err = NULL;
        int r;

        (void)arg;
        r = caps_apply(&c, &err);
        if (r != -EPERM || !err)
                return child_fail(msg, size, "caps_apply returned %d", r);
        if (strcmp(err->msg, "capset: effective capability CAP_KILL is not in the permitted set") != 0)
                return child_fail(msg, size, "message: %s", err->msg);
        return 0;
}

static void test_effective_not_permitted(void **state)
{
        (void)state;
        assert_child_ok(child_eff_not_permitted, NULL);
}

static int child_lost_permitted(void *arg, char *msg, size_t size)
{
        char *kill_only[] = { "CAP_KILL", NULL };
        SpecCapabilities c = { .effective = kill_only, .permitted = kill_only };
        Error *err = NULL;
        int r;

        (void)arg;
        /* uid switch without keepcaps: the permitted set is gone. */
        if (setresgid(1000, 1000, 1000) < 0 || setresuid(1000, 1000, 1000) < 0)
                return child_fail(msg, size, "setresuid: %m");
        r = caps_apply(&c, &err);
        if (r != -EPERM || !err)
                return child_fail(msg, size, "caps_apply returned %d", r);
        if (!strstr(err->msg, "permitted capability CAP_KILL is not held by the process"))
                return child_fail(msg, size, "message: %s", err->msg);
        return 0;
}

static void test_lost_permitted(void **state)
{
        (void)state;
        assert_child_ok(child_lost_permitted, NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_from_name),
                cmocka_unit_test(test_last_cap),
                cmocka_unit_test(test_validate),
                cmocka_unit_test(test_bounding_and_user),
                cmocka_unit_test(test_ambient),
                cmocka_unit_test(test_none),
                cmocka_unit_test(test_effective_not_permitted),
                cmocka_unit_test(test_lost_permitted),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
