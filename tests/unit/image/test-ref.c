/* src/image/ref.c: Docker's reference grammar and normalisation, case by
 * case as `docker pull` / `docker tag` accept or refuse them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "image/ref.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_ok(const char *in, const char *full, const char *familiar)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_ref_ ImageRef *r = NULL;
        _cleanup_free_ char *got = NULL, *fam = NULL;

        if (ref_parse(in, &r, &err) < 0)
                fail_msg("ref_parse(\"%s\") failed: %s", in, err ? err->msg : "?");
        got = ref_string(r);
        fam = ref_familiar_string(r);
        assert_non_null(got);
        assert_non_null(fam);
        if (!streq(got, full))
                fail_msg("ref_parse(\"%s\") = \"%s\", want \"%s\"", in, got, full);
        if (!streq(fam, familiar))
                fail_msg("familiar(\"%s\") = \"%s\", want \"%s\"", in, fam, familiar);
}

static void check_bad(const char *in, const char *want_in_msg)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_ref_ ImageRef *r = NULL;

        if (ref_parse(in, &r, &err) >= 0)
                fail_msg("ref_parse(\"%s\") accepted it", in);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        if (!strstr(err->msg, want_in_msg))
                fail_msg("ref_parse(\"%s\"): \"%s\" does not say \"%s\"", in, err->msg, want_in_msg);
}

static void test_normalise(void **state)
{
        check_ok("busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check_ok("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36");
        check_ok("library/busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36");
        check_ok("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check_ok("index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check_ok("docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check_ok("me/app", "docker.io/me/app:latest", "me/app:latest");
        check_ok("me/app/sub:v1", "docker.io/me/app/sub:v1", "me/app/sub:v1");
        check_ok("localhost/app", "localhost/app:latest", "localhost/app:latest");
        check_ok("localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app:latest");
        check_ok("localhost:5000/app@sha256:" D64, "localhost:5000/app@sha256:" D64, "localhost:5000/app@sha256:" D64);
        check_ok("app:v2@sha256:" D64, "docker.io/library/app:v2@sha256:" D64, "app:v2@sha256:" D64);
        check_ok("busybox@sha256:" D64, "docker.io/library/busybox@sha256:" D64, "busybox@sha256:" D64);
        check_ok("quay.io/coreos/etcd:v3.5.0", "quay.io/coreos/etcd:v3.5.0", "quay.io/coreos/etcd:v3.5.0");
        check_ok("registry.example.com:443/a/b", "registry.example.com:443/a/b:latest",
                 "registry.example.com:443/a/b:latest");
        check_ok("[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000/app:latest");
        check_ok("Registry/app", "Registry/app:latest", "Registry/app:latest");
        check_ok("a.b/c", "a.b/c:latest", "a.b/c:latest");
        check_ok("foo_bar.baz-qux__x:TAG_1.0-rc", "docker.io/library/foo_bar.baz-qux__x:TAG_1.0-rc",
                 "foo_bar.baz-qux__x:TAG_1.0-rc");
        check_ok("a---b", "docker.io/library/a---b:latest", "a---b:latest");
        check_ok("docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest");
        /* a first component without '.', ':' or "localhost" is a path */
        check_ok("localhostx/app", "docker.io/localhostx/app:latest", "localhostx/app:latest");
        check_ok("tagged:_x", "docker.io/library/tagged:_x", "tagged:_x");
        /* found by fuzzing: a familiar name must read back as itself */
        check_ok("docker.io/l.wh.ry/a/b", "docker.io/l.wh.ry/a/b:latest", "docker.io/l.wh.ry/a/b:latest");
        check_ok("docker.io/localhost/a", "docker.io/localhost/a:latest", "docker.io/localhost/a:latest");
        check_ok("docker.io/l.x", "docker.io/library/l.x:latest", "l.x:latest");
        check_bad("_tagged", "path components");
}

static void test_refuse(void **state)
{
        check_bad("", "empty reference");
        check_bad("Busybox", "repository name (Busybox) must be lowercase");
        check_bad("me/Busybox", "must be lowercase");
        check_bad(D64, "cannot specify 64-byte hexadecimal strings");
        check_bad("busybox:", "tag must be");
        check_bad("busybox:-x", "tag must be");
        check_bad("busybox:a/b", "registry host");
        check_bad("busybox@sha256:abc", "digest is not 64 lower-case hex digits");
        check_bad("busybox@md5:" D64, "digest must be sha256");
        check_bad("busybox@sha256:" D64 "0", "digest is not 64");
        check_bad("busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                  "digest is not 64");
        check_bad("/busybox", "empty path component");
        check_bad("busybox/", "empty path component");
        check_bad("a//b", "empty path component");
        check_bad("-busybox", "path components");
        check_bad("busybox-", "path components");
        check_bad("a...b", "path components");
        check_bad("a___b", "path components");
        check_bad("a b", "path components");
        check_bad("localhost:port/app", "registry host is not host[:port]");
        check_bad("-bad.host/app", "registry host");
        check_bad("bad..host/app", "registry host");
        check_bad("host:/app", "registry host");
        check_bad(":tag", "empty repository name");
        check_bad("app:"
                  "0123456789012345678901234567890123456789012345678901234567890123456789"
                  "01234567890123456789012345678901234567890123456789012345678901234",
                  "tag must be");
}

static void test_long_name(void **state)
{
        char name[300];

        memset(name, 'a', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        check_bad(name, "longer than 255");
        /* 255 in all: "docker.io/library/" counts */
        name[255 - strlen("docker.io/library/")] = '\0';
        {
                _cleanup_error_ Error *err = NULL;
                _cleanup_ref_ ImageRef *r = NULL;
                assert_int_equal(ref_parse(name, &r, &err), 0);
        }
        name[255 - strlen("docker.io/library/")] = 'a';
        name[256 - strlen("docker.io/library/")] = '\0';
        check_bad(name, "longer than 255");
}

static void test_name_only(void **state)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_ref_ ImageRef *r = NULL;
        _cleanup_free_ char *repo = NULL, *fam = NULL;

        assert_int_equal(ref_parse_name("busybox", &r, &err), 0);
        assert_null(r->tag);
        assert_null(r->digest);
        repo = ref_repo(r);
        fam = ref_familiar_repo(r);
        assert_string_equal(repo, "docker.io/library/busybox");
        assert_string_equal(fam, "busybox");
}

static void test_digests(void **state)
{
        assert_true(digest_is_valid("sha256:" D64));
        assert_false(digest_is_valid("sha256:" D64 "0"));
        assert_false(digest_is_valid("sha512:" D64));
        assert_false(digest_is_valid(D64));
        assert_true(hex64_is_valid(D64));
        assert_false(hex64_is_valid("0123"));
        assert_false(hex64_is_valid("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalise), cmocka_unit_test(test_refuse),  cmocka_unit_test(test_long_name),
                cmocka_unit_test(test_name_only), cmocka_unit_test(test_digests),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
