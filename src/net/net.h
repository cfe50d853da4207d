#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* Container networking, as Docker's default bridge network does it:
 *
 *   - a bridge (husk0, 10.88.0.1/16 by default) made on first use, with
 *     ip_forward on in the network namespace where it lives;
 *   - per container, a network namespace of its own, bind-mounted at a
 *     path the engine chooses (the runtime joins it by path), and a veth
 *     pair: the host end on the bridge, the other end moved into that
 *     namespace as eth0 with an address from IPAM, a default route via the
 *     bridge, lo up;
 *   - nftables, in husk's own table `ip husk` and nowhere else:
 *     masquerade for traffic leaving the subnet, DNAT of published ports
 *     (prerouting for other hosts, output for the host itself, 127.0.0.1
 *     included through route_localnet on the bridge), masquerade of DNAT'ed
 *     connections into the bridge so that replies come back through the
 *     host (localhost and hairpin). Each published port is one element of a
 *     map, added at setup and deleted at teardown: no rule of anyone else's
 *     is touched, and removing a container's ports is exact.
 *   - IPAM: one lease file per address under <state>/leases/, made with
 *     O_EXCL under <state>/lock, so that no address is given out twice,
 *     even by concurrent husk processes; removed at teardown.
 *
 * Links, addresses and routes go through netlink (libnl-route-3), the
 * rules through libnftables; nothing runs `ip` or `nft`.
 *
 * Under the state directory (the engine's <state>/net):
 *     lock                    flock: every change
 *     leases/<ip>             the container id holding the address
 *     containers/<id>.json    what teardown must undo (address, veth,
 *                             ports), written at setup */

typedef struct NetPort {
        char host_ip[16]; /* "" for every address */
        uint16_t host_port;
        uint16_t container_port;
        char proto[4]; /* "tcp" or "udp" */
} NetPort;

/* Docker's -p: [ip:][hostPort:]containerPort[/proto], where a port may be
 * a range (hostPort-hostPort:containerPort-containerPort, same length), an
 * empty or missing hostPort meaning one chosen at setup (0 here). Appends
 * to *ports. -EINVAL with Docker's message for a bad one. */
int net_parse_publish(const char *spec, NetPort **ports, size_t *n_ports, Error **ret_err);

typedef struct NetNetwork {
        const char *name;   /* "bridge" */
        const char *bridge; /* "husk0" */
        const char *subnet; /* "10.88.0.0/16" */
} NetNetwork;

/* The default network, from HUSK_BRIDGE_SUBNET when set. */
void net_default_network(NetNetwork *ret);

typedef struct NetAttachment {
        char ip[16];
        char gateway[16];
        int prefix_len;
        char mac[18];
        char veth[16];  /* the host end */
        NetPort *ports; /* host ports filled in */
        size_t n_ports;
} NetAttachment;

void net_attachment_clear(NetAttachment *a);

/* Make a network namespace and bind-mount it at `path` (a new file). */
int net_netns_create(const char *path, Error **ret_err);
/* Unmount and remove it; 0 when it is not there. */
int net_netns_remove(const char *path);

/* Connect the network namespace at netns_path to network `nw` as container
 * `id`: bridge, rules and ip_forward if missing, an address, the veth pair,
 * eth0 configured (its MAC ret->mac when that is set on entry, else
 * Docker's 02:42:<ip>), the ports published (a host port 0 gets a free one).
 * On failure everything made for the container is undone. */
int net_setup(const char *state_dir, const NetNetwork *nw, const char *id, const char *netns_path, const NetPort *ports,
              size_t n_ports, NetAttachment *ret, Error **ret_err);

/* Undo net_setup for container `id` from what it recorded: the ports, the
 * host end of the veth, the lease. 0 when there is nothing to undo. */
int net_teardown(const char *state_dir, const char *id, Error **ret_err);
