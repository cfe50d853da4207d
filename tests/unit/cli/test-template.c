/* src/cli/template.c: the Go template subset of --format, checked against
 * what Go's text/template prints for the same template and data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"
#include "lib/macros.h"

static const char *data_json =
        "{\"Id\":\"abc\",\"State\":{\"Status\":\"running\",\"Pid\":42,\"Running\":true,\"Paused\":false},"
        "\"Args\":[\"-c\",\"echo hi\"],\"Labels\":{\"b\":\"2\",\"a\":\"1\",\"x.y\":\"<z>\"},"
        "\"Empty\":[],\"Null\":null,\"Ratio\":0.5,\"Name\":\"/web\"}";

/* Run tmpl over the data; returns the output or the error message. */
static char *run(const char *tmpl, bool strict, int *ret_r)
{
        _cleanup_template_ Template *t = NULL;
        _cleanup_error_ Error *err = NULL;
        TemplateExecOpts o = { .strict = strict, .type_name = "*formatter.ContainerContext" };
        json_t *data = json_loads(data_json, 0, NULL);
        char *out = NULL;
        int r;

        assert_non_null(data);
        r = template_parse(tmpl, &t, &err);
        if (r >= 0)
                r = template_exec_string(t, data, &o, &out, &err);
        json_decref(data);
        *ret_r = r;
        if (r < 0)
                return strdup(err && err->msg ? err->msg : "?");
        return out;
}

static void check(const char *tmpl, const char *want)
{
        int r;
        _cleanup_free_ char *got = run(tmpl, false, &r);

        if (r < 0 || !streq(got, want))
                fail_msg("%s: got \"%s\" (%d), want \"%s\"", tmpl, got, r, want);
}

static void check_error(const char *tmpl, bool strict, const char *want)
{
        int r;
        _cleanup_free_ char *got = run(tmpl, strict, &r);

        if (r >= 0 || !streq(got, want))
                fail_msg("%s: got \"%s\" (%d), want error \"%s\"", tmpl, got, r, want);
}

static void test_fields(void **state)
{
        (void)state;
        check("{{.State.Pid}}", "42");
        check("pid={{ .State.Pid }}!", "pid=42!");
        check("{{.State.Running}} {{.State.Paused}}", "true false");
        check("{{.Args}}", "[-c echo hi]");
        check("{{.Labels}}", "map[a:1 b:2 x.y:<z>]");
        check("{{.Null}}", "<nil>");
        check("{{.Ratio}}", "0.5");
        check("{{.Nope}}", "<no value>");
        check("{{.Nope.Deeper}}", "<no value>");
        check("{{.State}}", "map[Paused:false Pid:42 Running:true Status:running]");
        check("{{$}}", "map[Args:[-c echo hi] Empty:[] Id:abc Labels:map[a:1 b:2 x.y:<z>] Name:/web Null:<nil> "
                       "Ratio:0.5 State:map[Paused:false Pid:42 Running:true Status:running]]");
}

static void test_functions(void **state)
{
        (void)state;
        check("{{json .State}}", "{\"Status\":\"running\",\"Pid\":42,\"Running\":true,\"Paused\":false}");
        check("{{json .Labels}}", "{\"b\":\"2\",\"a\":\"1\",\"x.y\":\"\\u003cz\\u003e\"}");
        check("{{json .Nope}}", "null");
        check("{{index .Labels \"x.y\"}}", "<z>");
        check("{{index .Labels \"nope\"}}", "<no value>");
        check("{{index .Args 1}}", "echo hi");
        check("{{join .Args \",\"}}", "-c,echo hi");
        check("{{upper .State.Status}}/{{lower \"AbC\"}}/{{title \"hello world\"}}", "RUNNING/abc/Hello World");
        check("{{len .Args}} {{len .Labels}} {{len .Id}}", "2 3 3");
        check("{{println .Id .State.Pid}}", "abc 42\n");
        check("{{print 1 2}}{{print \"a\" \"b\"}}", "1 2ab");
        check("{{printf \"%s-%d-%5s|%v\" .Id .State.Pid \"x\" .Args}}", "abc-42-    x|[-c echo hi]");
        check("{{printf \"%-4s|%.2s|%05d|%2000000s|%\" .Id .Id .State.Pid .Id}}",
              "abc |ab|00042|%!(BADWIDTH)abc|%!(NOVERB)");
        check("{{.State.Status | upper}}", "RUNNING");
        check("{{.Id | printf \"<%s>\"}}", "<abc>");
        check("{{(index .Labels \"a\") | len}}", "1");
        check("{{split \"a,b,c\" \",\"}}", "[a b c]");
        check("{{truncate .State.Status 3}}", "run");
        check("{{pad .Id 1 2}}|", " abc  |");
        check("{{slice .Id 1}}", "bc");
        check("{{`raw\\n`}}", "raw\\n");
}

static void test_control(void **state)
{
        (void)state;
        check("{{if .State.Running}}up{{else}}down{{end}}", "up");
        check("{{if .State.Paused}}p{{else if eq .State.Status \"running\"}}r{{else}}x{{end}}", "r");
        check("{{if .Empty}}e{{else if .Null}}n{{else}}none{{end}}", "none");
        check("{{if .Empty}}a{{else if .Null}}b{{else if .Id}}c{{else}}d{{end}}.", "c.");
        check("{{with .Nope}}a{{else with .State}}{{.Pid}}{{end}}", "42");
        check("{{if not .Nope}}missing{{end}}", "missing");
        check("{{if .Nope}}x{{else if .Nope2}}y{{else}}none{{end}}", "none");
        check("{{if and .State.Running (eq .State.Pid 42)}}yes{{end}}", "yes");
        check("{{if or .Empty .Id}}{{or .Empty .Id}}{{end}}", "abc");
        check("{{if ne .State.Pid 1}}ne{{end}}{{if lt .State.Pid 100}}lt{{end}}{{if ge .Ratio 0.5}}ge{{end}}",
              "neltge");
        check("{{if eq .State.Status \"x\" \"running\"}}any{{end}}", "any");
        check("{{range .Args}}[{{.}}]{{end}}", "[-c][echo hi]");
        check("{{range $i, $a := .Args}}{{$i}}={{$a}} {{end}}", "0=-c 1=echo hi ");
        check("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}", "a:1;b:2;x.y:<z>;");
        check("{{range .Empty}}x{{else}}empty{{end}}", "empty");
        check("{{range .Nope}}x{{end}}.", ".");
        check("{{with .State}}{{.Status}}{{end}}", "running");
        check("{{with .Nope}}x{{else}}none{{end}}", "none");
        check("{{$p := .State.Pid}}{{range .Args}}{{$p}}{{end}}", "4242");
        check("{{$x := 1}}{{$x = 2}}{{$x}}", "2");
        check("{{range .Args}}{{$.Id}}{{end}}", "abcabc");
        check("a  {{- .Id -}}  b", "aabcb");
        check("{{/* a comment */}}x", "x");
        check("{{- /* trimmed */ -}}\n x", "x");
        check("line\n{{.Id}}\n", "line\nabc\n");
}

static void test_strict(void **state)
{
        int r;
        _cleanup_free_ char *ok = run("{{.Id}}", true, &r);

        (void)state;
        assert_int_equal(r, 0);
        assert_string_equal(ok, "abc");
        check_error("{{.Foo}}", true,
                    "template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type "
                    "*formatter.ContainerContext");
        /* inside a map the strictness ends, as Go's does */
        {
                _cleanup_free_ char *s = run("{{.Labels.nope}}", true, &r);
                assert_int_equal(r, 0);
                assert_string_equal(s, "<no value>");
        }
}

static void test_errors(void **state)
{
        (void)state;
        check_error("{{.Id", false, "template: :1: unclosed action");
        check_error("a\n{{.Id", false, "template: :2: unclosed action");
        check_error("{{foo .Id}}", false, "template: :1: function \"foo\" not defined");
        check_error("{{if .Id}}x", false, "template: :1: unexpected EOF");
        check_error("{{end}}", false, "template: :1: unexpected {{end}}");
        check_error("{{if 1}}{{else}}{{else}}{{end}}", false, "template: :1: expected end; found {{else}}");
        check_error("{{}}", false, "template: :1: missing value for command");
        check_error("{{1e999}}", false, "template: :1: illegal number syntax: \"1e999\"");
        check_error("{{\"abc}}", false, "template: :1: unclosed action");
        check_error("{{index .Id 1}}", false,
                    "template: :1:2: executing \"\" at <index>: error calling index: cannot index string with int");
        check_error("{{.Id.X}}", false,
                    "template: :1:2: executing \"\" at <.Id.X>: can't evaluate field X in type string");
        check_error("{{range .Id}}{{end}}", false,
                    "template: :1:8: executing \"\" at <.Id>: range can't iterate over string");
        check_error("{{$nope}}", false, "template: :1:2: executing \"\" at <$nope>: undefined variable: $nope");
}

static void test_tabwriter(void **state)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        (void)state;
        assert_non_null(f);
        template_tabwrite("CONTAINER ID\tNAMES\nabc\tweb\nabcdefabcdefabcd\tx…y\n", 10, f);
        fclose(f);
        assert_string_equal(buf, "CONTAINER ID       NAMES\n"
                                 "abc                web\n"
                                 "abcdefabcdefabcd   x…y\n");
        free(buf);
}

static void test_format_body(void **state)
{
        bool table;

        (void)state;
        assert_string_equal(template_format_body("table {{.ID}}", &table), "{{.ID}}");
        assert_true(table);
        assert_string_equal(template_format_body("json", &table), "{{json .}}");
        assert_false(table);
        assert_string_equal(template_format_body("tablex", &table), "tablex");
        assert_false(table);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fields),      cmocka_unit_test(test_functions), cmocka_unit_test(test_control),
                cmocka_unit_test(test_strict),      cmocka_unit_test(test_errors),    cmocka_unit_test(test_tabwriter),
                cmocka_unit_test(test_format_body),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
