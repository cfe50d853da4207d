/* Mount option parsing: what each OCI option turns into for mount(2) and
 * mount_setattr(2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "sandbox/idmap.h"
#include "sandbox/mountopts.h"

static void parse(MountOpts *o, char *const *opts)
{
        size_t n = 0;
        Error *err = NULL;

        while (opts[n])
                n++;
        assert_int_equal(mount_opts_parse(opts, n, o, &err), 0);
        assert_null(err);
}

static void test_flags(void **state)
{
        char *opts[] = { "nosuid", "noexec", "nodev", "ro", "relatime", NULL };
        MountOpts o;

        parse(&o, opts);
        assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY | MS_RELATIME);
        assert_false(o.bind);
        assert_null(o.data);
        mount_opts_done(&o);
}

static void test_last_wins(void **state)
{
        char *opts[] = { "ro", "rw", "nosuid", "suid", "exec", "noexec", NULL };
        MountOpts o;

        parse(&o, opts);
        assert_int_equal(o.flags, MS_NOEXEC);
        assert_int_equal(o.clear, MS_RDONLY | MS_NOSUID);
        mount_opts_done(&o);
}

static void test_bind_and_propagation(void **state)
{
        char *opts[] = { "rbind", "rslave", NULL };
        char *opts2[] = { "bind", "private", NULL };
        MountOpts o;

        parse(&o, opts);
        assert_true(o.bind);
        assert_true(o.recursive_bind);
        assert_int_equal(o.propagation, MS_SLAVE | MS_REC);
        mount_opts_done(&o);

        parse(&o, opts2);
        assert_true(o.bind);
        assert_false(o.recursive_bind);
        assert_int_equal(o.propagation, MS_PRIVATE);
        mount_opts_done(&o);
}

static void test_data_passthrough(void **state)
{
        char *opts[] = { "nosuid", "size=65536k", "mode=755", "newinstance", "ptmxmode=0666", NULL };
        MountOpts o;

        parse(&o, opts);
        assert_int_equal(o.flags, MS_NOSUID);
        assert_string_equal(o.data, "size=65536k,mode=755,newinstance,ptmxmode=0666");
        mount_opts_done(&o);
}

static void test_recursive_attrs(void **state)
{
        char *opts[] = { "rbind", "rro", "rnosuid", "rnoexec", "rrw", NULL };
        MountOpts o;

        parse(&o, opts);
        assert_int_equal(o.rec_attr_set, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_RDONLY);
        assert_int_equal(o.flags, 0);
        mount_opts_done(&o);
}

static void test_empty_option_refused(void **state)
{
        char *opts[] = { "ro", "", NULL };
        MountOpts o;
        Error *err = NULL;

        assert_int_equal(mount_opts_parse(opts, 2, &o, &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "options[1] is empty"));
        error_free(err);
}

static void test_propagation_names(void **state)
{
        assert_int_equal(mount_propagation_from_string("rshared"), MS_SHARED | MS_REC);
        assert_int_equal(mount_propagation_from_string("unbindable"), MS_UNBINDABLE);
        assert_int_equal(mount_propagation_from_string("rprivate"), MS_PRIVATE | MS_REC);
        assert_int_equal(mount_propagation_from_string("nosuid"), 0);
        assert_int_equal(mount_propagation_from_string("bogus"), 0);
}

static void test_idmap_format(void **state)
{
        SpecIdMap m[] = { { 0, 100000, 65536 }, { 65536, 1000, 1 } };
        char *s = idmap_format(m, 2);

        assert_string_equal(s, "0 100000 65536\n65536 1000 1\n");
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_flags),
                cmocka_unit_test(test_last_wins),
                cmocka_unit_test(test_bind_and_propagation),
                cmocka_unit_test(test_data_passthrough),
                cmocka_unit_test(test_recursive_attrs),
                cmocka_unit_test(test_empty_option_refused),
                cmocka_unit_test(test_propagation_names),
                cmocka_unit_test(test_idmap_format),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
