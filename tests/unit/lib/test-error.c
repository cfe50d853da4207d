/* src/lib/error.c: message composition, codes, the child->parent wire format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/error.h"

static void test_set_appends_strerror(void **state)
{
        _cleanup_error_ Error *e = NULL;

        assert_int_equal(error_set(&e, ENOENT, "open %s", "/x"), -ENOENT);
        assert_non_null(e);
        assert_int_equal(e->code, ENOENT);
        assert_string_equal(e->msg, "open /x: No such file or directory");
        assert_int_equal(error_code(e), -ENOENT);
}

static void test_set_negative_and_zero_code(void **state)
{
        _cleanup_error_ Error *e = NULL;

        /* The sign is ignored: `error_set(err, r, ...)` with r = -errno works. */
        assert_int_equal(error_set(&e, -EACCES, "mkdir"), -EACCES);
        assert_string_equal(e->msg, "mkdir: Permission denied");
        assert_int_equal(error_setx(&e, 0, "bad"), -EINVAL);
        assert_int_equal(e->code, EINVAL);
        assert_string_equal(e->msg, "bad");
}

static void test_setx_has_no_strerror(void **state)
{
        _cleanup_error_ Error *e = NULL;

        assert_int_equal(error_setx(&e, EINVAL, "process.args must be a non-empty array"), -EINVAL);
        assert_string_equal(e->msg, "process.args must be a non-empty array");
}

static void test_prefix_chain(void **state)
{
        _cleanup_error_ Error *e = NULL;

        error_set(&e, ENOENT, "b");
        assert_int_equal(error_prefix(&e, "a"), -ENOENT);
        assert_string_equal(e->msg, "a: b: No such file or directory");
        assert_int_equal(error_prefix(&e, "create %s", "web"), -ENOENT);
        assert_string_equal(e->msg, "create web: a: b: No such file or directory");
        assert_int_equal(e->code, ENOENT);
}

static void test_set_replaces_earlier(void **state)
{
        _cleanup_error_ Error *e = NULL;

        error_set(&e, ENOENT, "first");
        error_setx(&e, EBUSY, "second");
        assert_int_equal(e->code, EBUSY);
        assert_string_equal(e->msg, "second");
}

static void test_null_err(void **state)
{
        /* ret_err may be NULL: the code still comes back. */
        assert_int_equal(error_set(NULL, ENOENT, "x"), -ENOENT);
        assert_int_equal(error_setx(NULL, EPERM, "x"), -EPERM);
        assert_int_equal(error_code(NULL), -EINVAL);
        error_free(NULL);
}

static void test_prefix_without_error(void **state)
{
        _cleanup_error_ Error *e = NULL;

        /* Documented: no earlier error records EINVAL. */
        assert_int_equal(error_prefix(&e, "ctx"), -EINVAL);
        assert_non_null(e);
        assert_int_equal(e->code, EINVAL);
}

static void test_encode_decode_roundtrip(void **state)
{
        _cleanup_error_ Error *e = NULL, *d = NULL;
        char buf[256];
        int n;

        error_set(&e, EACCES, "open %s", "/etc/shadow");
        n = error_encode(e, buf, sizeof(buf));
        assert_int_equal(n, 4 + (int)strlen(e->msg));
        assert_int_equal(error_decode(&d, buf, (size_t)n), -EACCES);
        assert_int_equal(d->code, EACCES);
        assert_string_equal(d->msg, e->msg);
}

static void test_encode_truncates(void **state)
{
        _cleanup_error_ Error *e = NULL, *d = NULL;
        char buf[4 + 5];
        int n;

        error_setx(&e, E2BIG, "0123456789");
        n = error_encode(e, buf, sizeof(buf));
        assert_int_equal(n, (int)sizeof(buf));
        assert_int_equal(error_decode(&d, buf, (size_t)n), -E2BIG);
        assert_string_equal(d->msg, "01234");
        assert_int_equal(error_encode(e, buf, 3), -ENOBUFS);
}

static void test_encode_null_and_short_decode(void **state)
{
        _cleanup_error_ Error *d = NULL;
        char buf[64];
        int n;

        n = error_encode(NULL, buf, sizeof(buf));
        assert_true(n > 4);
        assert_int_equal(error_decode(&d, buf, (size_t)n), -EINVAL);
        assert_string_equal(d->msg, "unknown error");
        assert_int_equal(error_decode(&d, buf, 3), -EPROTO);
        assert_int_equal(d->code, EPROTO);
}

static void test_decode_empty_message(void **state)
{
        _cleanup_error_ Error *d = NULL;
        int32_t code = ENOSPC;
        char buf[4];

        memcpy(buf, &code, 4);
        assert_int_equal(error_decode(&d, buf, 4), -ENOSPC);
        assert_string_equal(d->msg, "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set_appends_strerror), cmocka_unit_test(test_set_negative_and_zero_code),
                cmocka_unit_test(test_setx_has_no_strerror), cmocka_unit_test(test_prefix_chain),
                cmocka_unit_test(test_set_replaces_earlier), cmocka_unit_test(test_null_err),
                cmocka_unit_test(test_prefix_without_error), cmocka_unit_test(test_encode_decode_roundtrip),
                cmocka_unit_test(test_encode_truncates),     cmocka_unit_test(test_encode_null_and_short_decode),
                cmocka_unit_test(test_decode_empty_message),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
