/* src/image/registry-parse.c: WWW-Authenticate challenges, platform
 * matching in indexes, Docker config auths, loopback/insecure registries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/registry.h"
#include "lib/util.h"

static void test_challenge_bearer(void **state)
{
        RegistryChallenge c;

        (void)state;
        assert_int_equal(registry_parse_challenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
                                                  "docker.io\",scope=\"repository:library/busybox:pull\"",
                                                  &c),
                         0);
        assert_string_equal(c.scheme, "bearer");
        assert_string_equal(c.realm, "https://auth.docker.io/token");
        assert_string_equal(c.service, "registry.docker.io");
        assert_string_equal(c.scope, "repository:library/busybox:pull");
        registry_challenge_done(&c);

        /* case-insensitive scheme and keys, spaces, escapes, unquoted values */
        assert_int_equal(registry_parse_challenge("BEARER  Realm = \"http://127.0.0.1:1/t?a=\\\"b\" , service=reg", &c),
                         0);
        assert_string_equal(c.scheme, "bearer");
        assert_string_equal(c.realm, "http://127.0.0.1:1/t?a=\"b");
        assert_string_equal(c.service, "reg");
        assert_null(c.scope);
        registry_challenge_done(&c);
}

static void test_challenge_basic_and_several(void **state)
{
        RegistryChallenge c;

        (void)state;
        assert_int_equal(registry_parse_challenge("Basic realm=\"Registry Realm\"", &c), 0);
        assert_string_equal(c.scheme, "basic");
        assert_string_equal(c.realm, "Registry Realm");
        registry_challenge_done(&c);

        /* Bearer is preferred whatever the order */
        assert_int_equal(registry_parse_challenge("Basic realm=\"x\", Bearer realm=\"https://t/\",service=\"s\"", &c),
                         0);
        assert_string_equal(c.scheme, "bearer");
        assert_string_equal(c.realm, "https://t/");
        registry_challenge_done(&c);
}

static void test_challenge_bad(void **state)
{
        RegistryChallenge c;

        (void)state;
        assert_int_equal(registry_parse_challenge("", &c), -EINVAL);
        assert_int_equal(registry_parse_challenge("Negotiate", &c), -EINVAL);
        assert_int_equal(registry_parse_challenge("Bearer service=\"s\"", &c), -EINVAL); /* no realm */
        assert_int_equal(registry_parse_challenge("Bearer realm=\"unterminated", &c), -EINVAL);
        assert_int_equal(registry_parse_challenge("realm=\"x\"", &c), -EINVAL);
}

static void test_platform(void **state)
{
        Platform p;

        (void)state;
        assert_int_equal(platform_parse("linux/amd64", &p), 0);
        assert_string_equal(p.os, "linux");
        assert_string_equal(p.arch, "amd64");
        assert_string_equal(p.variant, "");
        assert_int_equal(platform_parse("linux/arm64/v8", &p), 0);
        assert_string_equal(p.variant, "v8");
        assert_int_equal(platform_parse("linux", &p), -EINVAL);
        assert_int_equal(platform_parse("linux/", &p), -EINVAL);
        assert_int_equal(platform_parse("/amd64", &p), -EINVAL);
        assert_int_equal(platform_parse("linux/arm/v7/x", &p), -EINVAL);

        platform_parse("linux/amd64", &p);
        assert_true(platform_match(&p, "linux", "amd64", NULL) > 0);
        assert_true(platform_match(&p, "linux", "amd64", "v1") > 0);
        assert_true(platform_match(&p, "linux", "amd64", "v3") < 0);
        assert_true(platform_match(&p, "linux", "arm64", NULL) < 0);
        assert_true(platform_match(&p, "windows", "amd64", NULL) < 0);
        assert_true(platform_match(&p, NULL, "amd64", NULL) < 0);

        platform_parse("linux/arm/v7", &p);
        assert_true(platform_match(&p, "linux", "arm", "v6") < 0);
        assert_true(platform_match(&p, "linux", "arm", "v7") > platform_match(&p, "linux", "arm", NULL));
        assert_true(platform_match(&p, "linux", "arm", NULL) > 0);
}

static void test_index_select(void **state)
{
        json_t *idx = json_loads(
                "{\"manifests\":["
                "{\"digest\":\"sha256:aa\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":"
                "\"v8\"}},"
                "{\"digest\":\"sha256:bb\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                "{\"digest\":\"sha256:cc\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":"
                "\"v7\"}},"
                "{\"digest\":\"sha256:dd\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}",
                0, NULL);
        Platform p;
        const char *d = NULL;
        Error *err = NULL;

        (void)state;
        assert_non_null(idx);
        platform_parse("linux/amd64", &p);
        assert_int_equal(registry_index_select(idx, &p, &d, &err), 0);
        assert_string_equal(d, "sha256:bb");
        platform_parse("linux/arm64/v8", &p);
        assert_int_equal(registry_index_select(idx, &p, &d, &err), 0);
        assert_string_equal(d, "sha256:aa"); /* exact variant beats none */
        platform_parse("linux/arm/v7", &p);
        assert_int_equal(registry_index_select(idx, &p, &d, &err), 0);
        assert_string_equal(d, "sha256:cc");
        platform_parse("linux/s390x", &p);
        assert_int_equal(registry_index_select(idx, &p, &d, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "no matching manifest for linux/s390x"));
        assert_non_null(strstr(err->msg, "linux/arm64/v8, linux/amd64"));
        error_free(err);
        json_decref(idx);
}

static void test_docker_config(void **state)
{
        /* "alice:s3cr:et" and "bob:pw" in base64 */
        const char *cfg = "{\"auths\":{"
                          "\"127.0.0.1:5000\":{\"auth\":\"YWxpY2U6czNjcjpldA==\"},"
                          "\"https://index.docker.io/v1/\":{\"auth\":\"Ym9iOnB3\"},"
                          "\"https://reg.example.com/v2/\":{\"username\":\"u\",\"password\":\"p\"},"
                          "\"bad:1\":{\"auth\":\"bm9jb2xvbg==\"}}}";
        char *u = NULL, *p = NULL;
        Error *err = NULL;

        (void)state;
        assert_int_equal(docker_config_lookup(cfg, "127.0.0.1:5000", &u, &p, &err), 1);
        assert_string_equal(u, "alice");
        assert_string_equal(p, "s3cr:et"); /* the first colon splits */
        free(u);
        free(p);
        assert_int_equal(docker_config_lookup(cfg, "docker.io", &u, &p, &err), 1);
        assert_string_equal(u, "bob");
        assert_string_equal(p, "pw");
        free(u);
        free(p);
        assert_int_equal(docker_config_lookup(cfg, "reg.example.com", &u, &p, &err), 1);
        assert_string_equal(u, "u");
        assert_string_equal(p, "p");
        free(u);
        free(p);
        assert_int_equal(docker_config_lookup(cfg, "127.0.0.1:5001", &u, &p, &err), 0);
        assert_int_equal(docker_config_lookup(cfg, "bad:1", &u, &p, &err), -EBADMSG);
        error_free(err);
        err = NULL;
        assert_int_equal(docker_config_lookup("{", "x", &u, &p, &err), -EBADMSG);
        error_free(err);
}

static void test_docker_config_store(void **state)
{
        char dir[] = "/tmp/husk-test-dockercfg.XXXXXX", path[128];
        _cleanup_free_ char *text = NULL;
        char *u = NULL, *p = NULL;
        struct stat st;

        (void)state;
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/sub/config.json", dir);
        assert_int_equal(docker_config_store(path, "127.0.0.1:5000", "alice", "pw", NULL), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(docker_config_store(path, "docker.io", "bob", "x", NULL), 0);
        assert_int_equal(read_full_file(path, &text, NULL, NULL), 0);
        assert_non_null(strstr(text, "https://index.docker.io/v1/"));
        assert_int_equal(docker_config_lookup(text, "127.0.0.1:5000", &u, &p, NULL), 1);
        assert_string_equal(u, "alice");
        assert_string_equal(p, "pw");
        free(u);
        free(p);
        assert_int_equal(docker_config_store(path, "127.0.0.1:5000", NULL, NULL, NULL), 0);
        assert_int_equal(docker_config_store(path, "127.0.0.1:5000", NULL, NULL, NULL), -ENOENT);
        free(text);
        text = NULL;
        assert_int_equal(read_full_file(path, &text, NULL, NULL), 0);
        assert_int_equal(docker_config_lookup(text, "127.0.0.1:5000", &u, &p, NULL), 0);
        assert_int_equal(docker_config_lookup(text, "docker.io", &u, &p, NULL), 1);
        free(u);
        free(p);
        unlink(path);
        snprintf(path, sizeof(path), "%s/sub", dir);
        rmdir(path);
        rmdir(dir);
}

static void test_insecure(void **state)
{
        (void)state;
        assert_true(registry_is_insecure("localhost:5000", NULL));
        assert_true(registry_is_insecure("127.0.0.1:5000", NULL));
        assert_true(registry_is_insecure("127.1.2.3", NULL));
        assert_true(registry_is_insecure("[::1]:5000", NULL));
        assert_false(registry_is_insecure("128.0.0.1:5000", NULL));
        assert_false(registry_is_insecure("docker.io", NULL));
        assert_false(registry_is_insecure("localhost.example.com", NULL));
        assert_true(registry_is_insecure("reg.lan:5000", "a.b, reg.lan:5000"));
        assert_true(registry_is_insecure("reg.lan:5000", "reg.lan"));
        assert_false(registry_is_insecure("reg.lan:5000", "reg.lan:5001"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_challenge_bearer),    cmocka_unit_test(test_challenge_basic_and_several),
                cmocka_unit_test(test_challenge_bad),       cmocka_unit_test(test_platform),
                cmocka_unit_test(test_index_select),        cmocka_unit_test(test_docker_config),
                cmocka_unit_test(test_docker_config_store), cmocka_unit_test(test_insecure),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
