/* The functions of link.c and nft.c as husk links them: each loads
 * husk-netlink.so on first use and calls its version (net-internal.h). */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lib/macros.h"
#include "lib/util.h"
#include "net/net-internal.h"

void net_locate_module(void)
{
        (void)self_exe_dir();
}

static const NetlinkOps *netlink(Error **ret_err)
{
        static const NetlinkOps *ops;
        char path[PATH_MAX + sizeof(NETLINK_MODULE) + 1];
        const char *dir;
        void *h = NULL;

        if (ops)
                return ops;
        dir = self_exe_dir();
        if (dir && snprintf(path, sizeof(path), "%s/%s", dir, NETLINK_MODULE) < (int)sizeof(path))
                h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                h = dlopen(HUSK_LIBEXECDIR "/" NETLINK_MODULE, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                error_setx(ret_err, ELIBACC, "networking needs %s: %s", HUSK_LIBEXECDIR "/" NETLINK_MODULE, dlerror());
                return NULL;
        }
        ops = dlsym(h, NETLINK_OPS);
        if (!ops)
                error_setx(ret_err, ELIBBAD, "%s: no %s", NETLINK_MODULE, NETLINK_OPS);
        return ops; /* the module stays loaded for the process's life */
}

int link_ensure_bridge(const char *name, const char *gateway, int prefix_len, Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->link_ensure_bridge(name, gateway, prefix_len, ret_err) : -ELIBACC;
}

int link_add_veth(const char *bridge, const char *host, int netns_fd, const char *peer, const char *mac, const char *ip,
                  int prefix_len, const char *gateway, Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->link_add_veth(bridge, host, netns_fd, peer, mac, ip, prefix_len, gateway, ret_err) : -ELIBACC;
}

int link_default_route(int netns_fd, const char *ifname, const char *gateway, Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->link_default_route(netns_fd, ifname, gateway, ret_err) : -ELIBACC;
}

int link_exists(const char *name, Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->link_exists(name, ret_err) : -ELIBACC;
}

int link_delete(const char *name, Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->link_delete(name, ret_err) : -ELIBACC;
}

int link_detach(const char *name, Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->link_detach(name, ret_err) : -ELIBACC;
}

int nft_ensure(Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->nft_ensure(ret_err) : -ELIBACC;
}

int nft_network_add(const char *bridge, const char *subnet, bool internal, Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->nft_network_add(bridge, subnet, internal, ret_err) : -ELIBACC;
}

void nft_network_remove(const char *bridge, const char *subnet, bool internal)
{
        const NetlinkOps *o = netlink(NULL);
        if (o)
                o->nft_network_remove(bridge, subnet, internal);
}

int nft_port(bool add, const NetPort *p, const char *ip, Error **ret_err)
{
        const NetlinkOps *o = netlink(ret_err);
        return o ? o->nft_port(add, p, ip, ret_err) : -ELIBACC;
}
