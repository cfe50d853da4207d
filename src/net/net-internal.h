#pragma once

/* Private to src/net. */
#include <stdint.h>

#include "net/net.h"

/* link.c: netlink through libnl-route-3. */

/* The bridge `name` with gateway/prefix_len, up; made when missing: 1
 * then, else 0. */
int link_ensure_bridge(const char *name, const char *gateway, int prefix_len, Error **ret_err);
/* A veth pair: `host` on `bridge`, up; the peer in the network namespace
 * netns_fd as `peer` (eth0, eth1...) with `mac` and ip/prefix_len, up, lo
 * up, and a default route via gateway (NULL: none). */
int link_add_veth(const char *bridge, const char *host, int netns_fd, const char *peer, const char *mac, const char *ip,
                  int prefix_len, const char *gateway, Error **ret_err);
/* A default route via gateway through ifname in the network namespace
 * netns_fd (the interface that had it went). */
int link_default_route(int netns_fd, const char *ifname, const char *gateway, Error **ret_err);
/* Whether there is a link `name`: 1, 0. */
int link_exists(const char *name, Error **ret_err);
/* Delete the link `name` (its peer goes with it); 0 when it is not there.
 * Takes ~15 ms: the kernel waits for RCU grace periods. */
int link_delete(const char *name, Error **ret_err);
/* Take the link `name` off its bridge and down, at once: the kernel
 * deletes the pair by itself when the other end's network namespace goes.
 * 0 when it is not there. */
int link_detach(const char *name, Error **ret_err);

/* nft.c: husk's table `ip husk`, through libnftables. */

/* The table with its maps, sets and chains, when missing: 1 then, else 0. */
int nft_ensure(Error **ret_err);
/* A network's part: its bridge in @bridges, its subnet in @masq (unless
 * internal), its isolation chain iso_<bridge>. Idempotent. */
int nft_network_add(const char *bridge, const char *subnet, bool internal, Error **ret_err);
/* Remove what nft_network_add made; what is missing is skipped. */
void nft_network_remove(const char *bridge, const char *subnet, bool internal);
/* Publish (add) or withdraw one port of a container at ip. */
int nft_port(bool add, const NetPort *p, const char *ip, Error **ret_err);

/* link.c and nft.c need libnl-route-3 and libnftables, whose loading
 * (nine libraries, their relocations and constructors) took half a
 * millisecond of every husk command, networked or not. They are built as
 * a module, husk-netlink.so, that netlink-load.c loads on the first call
 * of one of the functions above (husk links netlink-load.c's versions of
 * them, which call through this table): next to the executable, else in
 * HUSK_LIBEXECDIR. */
typedef struct NetlinkOps {
        int (*link_ensure_bridge)(const char *name, const char *gateway, int prefix_len, Error **ret_err);
        int (*link_add_veth)(const char *bridge, const char *host, int netns_fd, const char *peer, const char *mac,
                             const char *ip, int prefix_len, const char *gateway, Error **ret_err);
        int (*link_default_route)(int netns_fd, const char *ifname, const char *gateway, Error **ret_err);
        int (*link_exists)(const char *name, Error **ret_err);
        int (*link_delete)(const char *name, Error **ret_err);
        int (*link_detach)(const char *name, Error **ret_err);
        int (*nft_ensure)(Error **ret_err);
        int (*nft_network_add)(const char *bridge, const char *subnet, bool internal, Error **ret_err);
        void (*nft_network_remove)(const char *bridge, const char *subnet, bool internal);
        int (*nft_port)(bool add, const NetPort *p, const char *ip, Error **ret_err);
} NetlinkOps;

#define NETLINK_MODULE "husk-netlink.so"
#define NETLINK_OPS    "husk_netlink_ops"
