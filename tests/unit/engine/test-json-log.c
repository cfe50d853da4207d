/* src/engine/json-log.c: the json-file entries, written without a JSON
 * library, are byte for byte what the monitor wrote with jansson before
 * (json_stringn, and for what is not UTF-8 its ASCII with '?' for the
 * rest, dumped with JSON_COMPACT | JSON_PRESERVE_ORDER): fixed cases, then
 * random bytes biased to the edges (controls, quotes, UTF-8 lead and
 * continuation bytes, surrogates, overlong forms). And the rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/json-log.h"
#include "lib/macros.h"

/* The entry as jansson makes it. */
static char *with_jansson(const char *stream, const char *data, size_t len, const char *time)
{
        json_t *s = json_stringn(data, len), *o;
        char *line;

        if (!s) {
                _cleanup_free_ char *copy = malloc(len + 1);
                assert_non_null(copy);
                for (size_t i = 0; i < len; i++)
                        copy[i] = (unsigned char)data[i] < 0x80 && data[i] ? data[i] : '?';
                s = json_stringn(copy, len);
        }
        assert_non_null(s);
        o = json_pack("{s:o,s:s,s:s}", "log", s, "stream", stream, "time", time);
        line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        assert_non_null(line);
        return line;
}

static void check(const char *data, size_t len)
{
        _cleanup_free_ char *want = with_jansson("stderr", data, len, "2024-01-02T03:04:05.000000006Z");
        _cleanup_free_ char *got = NULL;
        size_t n = 0;

        got = json_log_line("stderr", data, len, "2024-01-02T03:04:05.000000006Z", &n);
        assert_non_null(got);
        assert_int_equal(n, strlen(want) + 1);
        assert_int_equal(got[n - 1], '\n');
        got[n - 1] = 0;
        assert_string_equal(got, want);
}

static void test_fixed(void **state)
{
        static const char *cases[] = {
                "",
                "hello\n",
                "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f end",
                "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n",
                "bad \xff\n",
                "truncated \xe2\x82",
                "surrogate \xed\xa0\x80",
                "overlong \xc0\xaf \xe0\x80\xaf",
                "past U+10FFFF \xf4\x90\x80\x80",
                "lone continuation \x80",
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                check(cases[i], strlen(cases[i]));
        check("nul \0 inside", 13);
        check("nul \0 and \xff", 12);
}

static void test_random(void **state)
{
        static const unsigned char edge[] = { 0x00, 0x01, 0x08, 0x0a, 0x1f, 0x20, '"',  '\\', '/',
                                              0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed,
                                              0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f };
        char buf[64];

        srand(1);
        for (int round = 0; round < 200000; round++) {
                size_t len = (size_t)rand() % sizeof(buf);
                for (size_t i = 0; i < len; i++) {
                        int k = rand() % 4;
                        buf[i] = (char)(k == 0   ? rand() % 256
                                        : k == 1 ? 'a' + rand() % 26
                                                 : edge[rand() % sizeof(edge)]);
                }
                check(buf, len);
        }
}

/* Past max-size, the file moves to .1 (.1 to .2, the last dropped). */
static void test_rotate(void **state)
{
        char dir[] = "/tmp/test-json-log.XXXXXX";
        _cleanup_free_ char *path = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL;
        JsonLog l;
        struct stat st;

        assert_non_null(mkdtemp(dir));
        assert_true(asprintf(&path, "%s/c-json.log", dir) > 0);
        assert_true(asprintf(&p1, "%s.1", path) > 0);
        assert_true(asprintf(&p2, "%s.2", path) > 0);
        assert_true(asprintf(&p3, "%s.3", path) > 0);
        l = (JsonLog){ .path = path, .max_size = 200, .max_file = 3 };
        l.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        assert_true(l.fd >= 0);
        for (int i = 0; i < 20; i++)
                json_log_entry(&l, "stdout", "0123456789012345678901234567890123456789\n", 41);
        assert_int_equal(stat(path, &st), 0);
        assert_true(st.st_size > 0 && st.st_size <= 200);
        assert_int_equal((uint64_t)st.st_size, l.size);
        assert_int_equal(stat(p1, &st), 0);
        assert_true(st.st_size <= 200);
        assert_int_equal(stat(p2, &st), 0);
        assert_int_not_equal(stat(p3, &st), 0);
        safe_close(l.fd);
        unlink(path);
        unlink(p1);
        unlink(p2);
        rmdir(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixed),
                cmocka_unit_test(test_random),
                cmocka_unit_test(test_rotate),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
