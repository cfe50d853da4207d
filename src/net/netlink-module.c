/* husk-netlink.so: link.c and nft.c behind the one symbol netlink-load.c
 * looks up (net-internal.h says why they are a module). Everything else
 * in the module is hidden (-fvisibility=hidden). */
#include "net/net-internal.h"

__attribute__((visibility("default"))) extern const NetlinkOps husk_netlink_ops;

const NetlinkOps husk_netlink_ops = {
        .link_ensure_bridge = link_ensure_bridge,
        .link_add_veth = link_add_veth,
        .link_default_route = link_default_route,
        .link_exists = link_exists,
        .link_delete = link_delete,
        .link_detach = link_detach,
        .nft_ensure = nft_ensure,
        .nft_network_add = nft_network_add,
        .nft_network_remove = nft_network_remove,
        .nft_port = nft_port,
};
