/* src/net/net.c: the subnet arithmetic behind user-defined networks:
 * overlaps, the next free /24 of 10.89.0.0/16, a network's gateway and
 * ip range, --ip, with Docker's messages for the refused ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/macros.h"
#include "net/net.h"

static void test_overlap(void **state)
{
        (void)state;
        assert_true(net_subnets_overlap("10.89.0.0/24", "10.89.0.128/25"));
        assert_true(net_subnets_overlap("10.89.0.128/25", "10.89.0.0/16"));
        assert_true(net_subnets_overlap("10.88.0.0/16", "10.88.5.0/24"));
        assert_false(net_subnets_overlap("10.89.0.0/24", "10.89.1.0/24"));
        assert_false(net_subnets_overlap("10.88.0.0/16", "10.89.0.0/24"));
        assert_false(net_subnets_overlap("nonsense", "10.89.0.0/24"));
}

static void test_next(void **state)
{
        char *taken[] = { "10.88.0.0/16", "10.89.0.0/24", "10.89.2.0/23", NULL };
        char out[32];
        char *full[] = { "10.89.0.0/16", NULL };
        _cleanup_error_ Error *err = NULL;

        (void)state;
        assert_int_equal(net_subnet_next(NULL, out, NULL), 0);
        assert_string_equal(out, "10.89.0.0/24");
        assert_int_equal(net_subnet_next(taken, out, NULL), 0);
        assert_string_equal(out, "10.89.1.0/24");
        taken[1] = "10.89.0.0/23"; /* 10.89.0 and .1, then .2 and .3 */
        assert_int_equal(net_subnet_next(taken, out, NULL), 0);
        assert_string_equal(out, "10.89.4.0/24");
        assert_int_equal(net_subnet_next(full, out, &err), -ENOSPC);
        assert_non_null(strstr(err->msg, "non-overlapping IPv4 address pool"));
}

static void check_network(const char *subnet, const char *gateway, const char *range, const char *want)
{
        NetNetwork nw = {
                .name = "n", .id = "x", .bridge = "b", .subnet = subnet, .gateway = gateway, .ip_range = range
        };
        _cleanup_error_ Error *err = NULL;
        char gw[16];
        int r = net_network_check(&nw, gw, &err);

        if (want[0] >= '0' && want[0] <= '9') {
                if (r < 0)
                        fail_msg("%s: %s", subnet, err->msg);
                assert_string_equal(gw, want);
        } else {
                assert_true(r < 0);
                if (!streq(err->msg, want))
                        fail_msg("\"%s\", want \"%s\"", err->msg, want);
        }
}

static void test_network(void **state)
{
        (void)state;
        check_network("10.90.0.0/16", NULL, NULL, "10.90.0.1");
        check_network("10.90.0.0/16", "", "", "10.90.0.1");
        check_network("10.90.0.7/16", NULL, NULL, "invalid subnet 10.90.0.7/16: it should be 10.90.0.0/16");
        check_network("10.90.0.0/16", "10.90.0.254", "10.90.1.0/24", "10.90.0.254");
        check_network("10.90.0.0/16", "10.91.0.1", NULL, "no matching subnet for gateway 10.91.0.1");
        check_network("10.90.0.0/24", "10.90.0.255", NULL, "no matching subnet for gateway 10.90.0.255");
        check_network("10.90.0.0/24", "x", NULL, "invalid gateway address x");
        check_network("10.90.0.0/24", NULL, "10.90.0.0/16", "no matching subnet for range 10.90.0.0/16");
        check_network("10.90.0.0/24", NULL, "10.91.0.0/28", "no matching subnet for range 10.91.0.0/28");
        check_network("10.90.0.0", NULL, NULL, "invalid subnet 10.90.0.0 (want a.b.c.d/8..30)");
        check_network("10.90.0.0/31", NULL, NULL, "invalid subnet 10.90.0.0/31 (want a.b.c.d/8..30)");
}

static void test_ip(void **state)
{
        NetNetwork nw = { .name = "n", .id = "x", .bridge = "b", .subnet = "10.91.0.0/24" };
        _cleanup_error_ Error *err = NULL;

        (void)state;
        assert_int_equal(net_ip_check(&nw, "10.91.0.50", NULL), 0);
        assert_int_equal(net_ip_check(&nw, "10.91.0.254", NULL), 0);
        assert_int_equal(net_ip_check(&nw, "10.91.0.1", NULL), -EINVAL); /* the gateway */
        assert_int_equal(net_ip_check(&nw, "10.91.0.0", NULL), -EINVAL);
        assert_int_equal(net_ip_check(&nw, "10.91.0.255", NULL), -EINVAL);
        assert_int_equal(net_ip_check(&nw, "10.92.0.5", &err), -EINVAL);
        assert_string_equal(err->msg, "no configured subnet or ip-range contain the IP address 10.92.0.5");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_overlap),
                cmocka_unit_test(test_next),
                cmocka_unit_test(test_network),
                cmocka_unit_test(test_ip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
