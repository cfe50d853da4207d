/* Links, addresses and routes through netlink (libnl-route-3). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/util.h"
#include "net/net-internal.h"

static void sockp(struct nl_sock **s)
{
        if (*s)
                nl_socket_free(*s);
}
static void linkp(struct rtnl_link **l)
{
        if (*l)
                rtnl_link_put(*l);
}
static void nladdrp(struct nl_addr **a)
{
        if (*a)
                nl_addr_put(*a);
}
#define _cleanup_sock_   _cleanup_(sockp)
#define _cleanup_link_   _cleanup_(linkp)
#define _cleanup_nladdr_ _cleanup_(nladdrp)

static int nl_fail(Error **ret_err, int nle, const char *what, const char *name)
{
        return error_setx(ret_err, EIO, "netlink: %s %s: %s", what, name, nl_geterror(nle));
}

static int nl_open(struct nl_sock **ret, Error **ret_err)
{
        struct nl_sock *s = nl_socket_alloc();
        int r;

        if (!s)
                return error_set(ret_err, ENOMEM, "netlink socket");
        r = nl_connect(s, NETLINK_ROUTE);
        if (r < 0) {
                nl_socket_free(s);
                return nl_fail(ret_err, r, "connect", "NETLINK_ROUTE");
        }
        *ret = s;
        return 0;
}

/* A netlink socket of the network namespace netns_fd: the calling thread
 * enters it for the socket() call only (sockets keep their namespace). */
static int nl_open_in(int netns_fd, struct nl_sock **ret, Error **ret_err)
{
        _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        int r;

        if (self < 0)
                return error_set(ret_err, errno, "open /proc/self/ns/net");
        if (setns(netns_fd, CLONE_NEWNET) < 0)
                return error_set(ret_err, errno, "enter the container's network namespace");
        r = nl_open(ret, ret_err);
        if (setns(self, CLONE_NEWNET) < 0)
                abort(); /* never run on in the container's namespace */
        return r;
}

static int set_up(struct nl_sock *s, struct rtnl_link *l, const char *name, Error **ret_err)
{
        _cleanup_link_ struct rtnl_link *chg = rtnl_link_alloc();
        int r;

        if (!chg)
                return error_set(ret_err, ENOMEM, "link");
        rtnl_link_set_flags(chg, IFF_UP);
        r = rtnl_link_change(s, l, chg, 0);
        return r < 0 ? nl_fail(ret_err, r, "set up", name) : 0;
}

static int add_addr(struct nl_sock *s, int ifindex, const char *cidr, const char *name, Error **ret_err)
{
        _cleanup_nladdr_ struct nl_addr *local = NULL;
        struct rtnl_addr *a = rtnl_addr_alloc();
        int r;

        if (!a)
                return error_set(ret_err, ENOMEM, "address");
        r = nl_addr_parse(cidr, AF_INET, &local);
        if (r >= 0) {
                rtnl_addr_set_ifindex(a, ifindex);
                r = rtnl_addr_set_local(a, local);
        }
        if (r >= 0)
                r = rtnl_addr_add(s, a, 0);
        rtnl_addr_put(a);
        if (r < 0 && r != -NLE_EXIST)
                return error_setx(ret_err, EIO, "netlink: add address %s to %s: %s", cidr, name, nl_geterror(r));
        return 0;
}

/* ip/prefix_len on the link `name`, and the link up. */
static int addr_and_up(struct nl_sock *s, struct rtnl_link *l, const char *name, const char *ip, int prefix_len,
                       Error **ret_err)
{
        char cidr[32];
        int r;

        snprintf(cidr, sizeof(cidr), "%s/%d", ip, prefix_len);
        r = add_addr(s, rtnl_link_get_ifindex(l), cidr, name, ret_err);
        return r < 0 ? r : set_up(s, l, name, ret_err);
}

static int write_sysctl(const char *path, const char *value, Error **ret_err)
{
        int r = write_string_file(path, value);

        return r < 0 ? error_set(ret_err, -r, "write %s", path) : 0;
}

int link_ensure_bridge(const char *name, const char *gateway, int prefix_len, Error **ret_err)
{
        _cleanup_sock_ struct nl_sock *s = NULL;
        _cleanup_link_ struct rtnl_link *l = NULL;
        char path[96];
        int r;

        bool made = false;

        r = nl_open(&s, ret_err);
        if (r < 0)
                return r;
        if (rtnl_link_get_kernel(s, 0, name, &l) < 0) {
                made = true;
                _cleanup_link_ struct rtnl_link *nb = rtnl_link_bridge_alloc();
                if (!nb)
                        return error_set(ret_err, ENOMEM, "bridge");
                rtnl_link_set_name(nb, name);
                r = rtnl_link_add(s, nb, NLM_F_CREATE | NLM_F_EXCL);
                if (r < 0 && r != -NLE_EXIST)
                        return nl_fail(ret_err, r, "create bridge", name);
                r = rtnl_link_get_kernel(s, 0, name, &l);
                if (r < 0)
                        return nl_fail(ret_err, r, "find bridge", name);
        }
        r = addr_and_up(s, l, name, gateway, prefix_len, ret_err);
        if (r < 0)
                return r;
        /* 127.0.0.1:port DNAT'ed into the bridge must not be dropped as a
         * martian; and the namespace must forward. */
        snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", name);
        r = write_sysctl(path, "1", ret_err);
        if (r >= 0)
                r = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1", ret_err);
        return r < 0 ? r : made;
}

/* A default route via gateway through the interface ifindex. */
static int add_default_route(struct nl_sock *s, int ifindex, const char *gateway, Error **ret_err)
{
        _cleanup_nladdr_ struct nl_addr *dst = NULL, *gw = NULL;
        struct rtnl_route *route;
        struct rtnl_nexthop *nh;
        int r;

        route = rtnl_route_alloc();
        nh = rtnl_route_nh_alloc();
        if (!route || !nh) {
                if (route)
                        rtnl_route_put(route);
                if (nh)
                        rtnl_route_nh_free(nh);
                return error_set(ret_err, ENOMEM, "route");
        }
        r = nl_addr_parse("0.0.0.0/0", AF_INET, &dst);
        if (r >= 0)
                r = nl_addr_parse(gateway, AF_INET, &gw);
        if (r >= 0) {
                rtnl_route_set_family(route, AF_INET);
                r = rtnl_route_set_dst(route, dst);
        }
        if (r >= 0) {
                rtnl_route_nh_set_gateway(nh, gw);
                rtnl_route_nh_set_ifindex(nh, ifindex);
                rtnl_route_add_nexthop(route, nh);
                nh = NULL;
                r = rtnl_route_add(s, route, NLM_F_CREATE);
        }
        if (nh)
                rtnl_route_nh_free(nh);
        rtnl_route_put(route);
        if (r < 0)
                return error_setx(ret_err, EIO, "netlink: default route via %s: %s", gateway, nl_geterror(r));
        return 0;
}

int link_default_route(int netns_fd, const char *ifname, const char *gateway, Error **ret_err)
{
        _cleanup_sock_ struct nl_sock *s = NULL;
        _cleanup_link_ struct rtnl_link *l = NULL;
        int r = nl_open_in(netns_fd, &s, ret_err);

        if (r < 0)
                return r;
        r = rtnl_link_get_kernel(s, 0, ifname, &l);
        if (r < 0)
                return nl_fail(ret_err, r, "find", ifname);
        return add_default_route(s, rtnl_link_get_ifindex(l), gateway, ret_err);
}

/* The interface `ifname` and lo up, the address and the default route
 * (gateway NULL: none), in the container's namespace. */
static int configure_peer(int netns_fd, const char *ifname, const char *ip, int prefix_len, const char *gateway,
                          Error **ret_err)
{
        _cleanup_sock_ struct nl_sock *s = NULL;
        _cleanup_link_ struct rtnl_link *eth = NULL, *lo = NULL;
        int r;

        r = nl_open_in(netns_fd, &s, ret_err);
        if (r < 0)
                return r;
        r = rtnl_link_get_kernel(s, 0, "lo", &lo);
        if (r < 0)
                return nl_fail(ret_err, r, "find", "lo");
        r = set_up(s, lo, "lo", ret_err);
        if (r < 0)
                return r;
        r = rtnl_link_get_kernel(s, 0, ifname, &eth);
        if (r < 0)
                return nl_fail(ret_err, r, "find", ifname);
        r = addr_and_up(s, eth, ifname, ip, prefix_len, ret_err);
        if (r < 0 || !gateway)
                return r;

        return add_default_route(s, rtnl_link_get_ifindex(eth), gateway, ret_err);
}

int link_add_veth(const char *bridge, const char *host, int netns_fd, const char *peer_name, const char *mac,
                  const char *ip, int prefix_len, const char *gateway, Error **ret_err)
{
        _cleanup_sock_ struct nl_sock *s = NULL;
        _cleanup_link_ struct rtnl_link *veth = NULL, *peer = NULL, *hl = NULL, *br = NULL;
        _cleanup_nladdr_ struct nl_addr *hw = NULL;
        int r;

        r = nl_open(&s, ret_err);
        if (r < 0)
                return r;
        r = rtnl_link_get_kernel(s, 0, bridge, &br);
        if (r < 0)
                return nl_fail(ret_err, r, "find bridge", bridge);
        veth = rtnl_link_veth_alloc();
        if (!veth)
                return error_set(ret_err, ENOMEM, "veth");
        peer = rtnl_link_veth_get_peer(veth);
        rtnl_link_set_name(veth, host);
        rtnl_link_set_master(veth, rtnl_link_get_ifindex(br));
        rtnl_link_set_name(peer, peer_name);
        rtnl_link_set_ns_fd(peer, netns_fd);
        if (nl_addr_parse(mac, AF_LLC, &hw) >= 0)
                rtnl_link_set_addr(peer, hw);
        r = rtnl_link_add(s, veth, NLM_F_CREATE | NLM_F_EXCL);
        if (r == -NLE_EXIST) {
                /* the pair of this container's last run, which the kernel
                 * had not deleted yet (link_detach) */
                r = link_delete(host, ret_err);
                if (r < 0)
                        return r;
                r = rtnl_link_add(s, veth, NLM_F_CREATE | NLM_F_EXCL);
        }
        if (r < 0)
                return nl_fail(ret_err, r, "create veth pair", host);
        r = rtnl_link_get_kernel(s, 0, host, &hl);
        if (r >= 0)
                r = set_up(s, hl, host, ret_err);
        else
                r = nl_fail(ret_err, r, "find", host);
        if (r >= 0)
                r = configure_peer(netns_fd, peer_name, ip, prefix_len, gateway, ret_err);
        if (r < 0) {
                ERROR_IGNORE(link_delete(host, &ign_));
                return r;
        }
        return 0;
}

int link_exists(const char *name, Error **ret_err)
{
        _cleanup_sock_ struct nl_sock *s = NULL;
        _cleanup_link_ struct rtnl_link *l = NULL;
        int r = nl_open(&s, ret_err);

        if (r < 0)
                return r;
        return rtnl_link_get_kernel(s, 0, name, &l) >= 0;
}

int link_delete(const char *name, Error **ret_err)
{
        _cleanup_sock_ struct nl_sock *s = NULL;
        _cleanup_link_ struct rtnl_link *l = NULL;
        int r;

        r = nl_open(&s, ret_err);
        if (r < 0)
                return r;
        if (rtnl_link_get_kernel(s, 0, name, &l) < 0)
                return 0;
        r = rtnl_link_delete(s, l);
        if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
                return nl_fail(ret_err, r, "delete", name);
        return 0;
}

int link_detach(const char *name, Error **ret_err)
{
        _cleanup_sock_ struct nl_sock *s = NULL;
        _cleanup_link_ struct rtnl_link *l = NULL, *chg = NULL;
        int r;

        r = nl_open(&s, ret_err);
        if (r < 0)
                return r;
        if (rtnl_link_get_kernel(s, 0, name, &l) < 0)
                return 0;
        chg = rtnl_link_alloc();
        if (!chg)
                return error_set(ret_err, ENOMEM, "link");
        rtnl_link_set_master(chg, 0);
        rtnl_link_unset_flags(chg, IFF_UP);
        r = rtnl_link_change(s, l, chg, 0);
        if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
                return nl_fail(ret_err, r, "detach", name);
        return 0;
}
