/* src/explain: the chain drawn from an explain object (text, dot, SVG),
 * and the namespace table of this process against itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain/explain.h"
#include "lib/macros.h"

/* A bridge container: the init (100), its child (101), an exec'd process
 * (102, whose parent is outside), a command with characters that dot and
 * XML must quote. */
static const char *object_json =
        "{\"pid\":100,\"monitor_pid\":99,"
        "\"processes\":["
        "{\"pid\":100,\"nspid\":1,\"ppid\":99,\"command\":\"sh -c x\"},"
        "{\"pid\":101,\"nspid\":2,\"ppid\":100,\"command\":\"echo \\\"a<b&c\\\"\"},"
        "{\"pid\":102,\"nspid\":3,\"ppid\":1,\"command\":\"top\"}],"
        "\"network\":{\"mode\":\"bridge\",\"veth\":\"veth12345678\",\"bridge\":\"husk0\",\"ip\":\"10.88.0.2\","
        "\"ports\":[\"0.0.0.0:8080 -> 80/tcp\"]}}";

static json_t *object(void)
{
        json_t *x = json_loads(object_json, 0, NULL);

        assert_non_null(x);
        return x;
}

static void test_dot(void **state)
{
        json_t *x = object();
        _cleanup_free_ char *dot = explain_graph_dot(x);

        assert_non_null(dot);
        assert_non_null(strstr(dot, "digraph husk {\n"));
        assert_non_null(strstr(dot, "  n0 [label=\"husk-monitor pid 99\"];\n"));
        assert_non_null(strstr(dot, "  n1 [label=\"sh -c x pid 100 (PID 1 inside)\"];\n"));
        /* quotes escaped for dot */
        assert_non_null(strstr(dot, "  n2 [label=\"echo \\\"a<b&c\\\" pid 101 (PID 2 inside)\"];\n"));
        assert_non_null(strstr(dot, "  n3 [label=\"top pid 102 (PID 3 inside)\"];\n"));
        assert_non_null(strstr(dot, "  n0 -> n1 [label=\"forks\"];\n"));
        assert_non_null(strstr(dot, "  n1 -> n2 [label=\"\"];\n"));
        /* the exec'd process hangs under the monitor */
        assert_non_null(strstr(dot, "  n0 -> n3 [label=\"exec\"];\n"));
        assert_non_null(strstr(dot, "[label=\"veth12345678 (host end)\"]"));
        assert_non_null(strstr(dot, "[label=\"published 0.0.0.0:8080 -> 80/tcp\"]"));
        assert_non_null(strstr(dot, "[label=\"DNAT\"]"));
        json_decref(x);
}

static void test_text_and_svg(void **state)
{
        json_t *x = object();
        _cleanup_free_ char *text = explain_graph_text(x), *svg = explain_graph_svg(x);

        assert_non_null(text);
        assert_non_null(strstr(text, "husk-monitor pid 99\n└─ sh -c x pid 100 (PID 1 inside)\n"
                                     "   └─ echo \"a<b&c\" pid 101 (PID 2 inside)\n"));
        assert_non_null(strstr(text, "eth0 10.88.0.2 (container) ──(veth pair)──> veth12345678 (host end)\n"));
        assert_non_null(strstr(text, "veth12345678 (host end) ──(enslaved)──> bridge husk0\n"));
        assert_non_null(svg);
        assert_int_equal(strncmp(svg, "<svg ", 5), 0);
        /* XML-quoted, never raw */
        assert_non_null(strstr(svg, "echo \"a&lt;b&amp;c\""));
        assert_null(strstr(svg, "a<b"));
        assert_non_null(strstr(svg, "published 0.0.0.0:8080 -&gt; 80/tcp"));
        json_decref(x);
}

static void test_no_network(void **state)
{
        json_t *x =
                json_loads("{\"pid\":5,\"monitor_pid\":4,\"processes\":[],\"network\":{\"mode\":\"none\"}}", 0, NULL);
        _cleanup_free_ char *text = explain_graph_text(x);

        assert_non_null(text);
        assert_string_equal(text, "husk-monitor pid 4\n\nnetwork: none (no veth)\n");
        json_decref(x);
}

static void test_ns_self(void **state)
{
        json_t *t = NULL, *row, *pids;
        size_t i;

        assert_int_equal(explain_ns_table(getpid(), getpid(), NULL, &t, NULL), 0);
        assert_true(json_array_size(t) >= 7);
        json_array_foreach(t, i, row)
        {
                char link[128];
                const char *type = json_string_value(json_object_get(row, "type"));
                assert_string_equal(json_string_value(json_object_get(row, "state")), "SHARED");
                assert_string_equal(json_string_value(json_object_get(row, "flag")), "");
                assert_true(explain_ns_inode(getpid(), type, link, sizeof(link)) ==
                            (unsigned long long)json_integer_value(json_object_get(row, "inode")));
                assert_string_equal(json_string_value(json_object_get(row, "link")), link);
        }
        json_decref(t);
        assert_true(explain_ns_table(-1, getpid(), NULL, &t, NULL) < 0);
        /* the innermost pid is this process's own */
        pids = explain_nspids(getpid());
        assert_int_equal(json_integer_value(json_array_get(pids, json_array_size(pids) - 1)), getpid());
        json_decref(pids);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dot),
                cmocka_unit_test(test_text_and_svg),
                cmocka_unit_test(test_no_network),
                cmocka_unit_test(test_ns_self),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
