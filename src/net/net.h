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
 *   - IPAM: one lease file per address under the network's lease
 *     directory, made with O_EXCL under <state>/lock, so that no address
 *     is given out twice, even by concurrent husk processes; removed at
 *     teardown.
 *   - user-defined networks (`husk network create`): each its own bridge,
 *     subnet and lease directory; nftables keeps each bridge's traffic off
 *     the others (Docker's isolation rules), and an internal network's off
 *     everything but its own bridge, without masquerade.
 *
 * Links, addresses and routes go through netlink (libnl-route-3), the
 * rules through libnftables; nothing runs `ip` or `nft`.
 *
 * Under the state directory (the engine's <state>/net):
 *     lock                    flock: every change
 *     leases/<ip>             the container id holding the address (the
 *                             default network)
 *     networks/<id>/leases/<ip>   the same, for user-defined network <id>
 *     containers/<id>.json    what teardown must undo (address, veth,
 *                             ports), written at setup, for eth0;
 *     containers/<id>.<if>.json   the same for the container's other
 *                             interfaces (eth1...) */

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
        const char *name;     /* "bridge" */
        const char *id;       /* NULL: the default network */
        const char *bridge;   /* "husk0" */
        const char *subnet;   /* "10.88.0.0/16" */
        const char *gateway;  /* NULL or "": the subnet's first address */
        const char *ip_range; /* NULL or "": the whole subnet */
        bool internal;        /* no masquerade, no way out of its bridge */
} NetNetwork;

/* Find the network module (husk-netlink.so, loaded on first use) now:
 * before a runtime create in this process, which changes what
 * /proc/self/exe names. */
void net_locate_module(void);

/* The default network, from HUSK_BRIDGE_SUBNET when set. */
void net_default_network(NetNetwork *ret);

/* Check a network's subnet, gateway and ip_range (Docker's messages);
 * *ret_gateway: the gateway (given or the first address). */
int net_network_check(const NetNetwork *nw, char ret_gateway[16], Error **ret_err);
/* Whether the two a.b.c.d/n overlap (false when either is invalid). */
bool net_subnets_overlap(const char *a, const char *b);
/* The first /24 from 10.89.0.0 upward that overlaps none of `taken`. */
int net_subnet_next(char *const *taken, char ret[32], Error **ret_err);
/* Whether ip may be asked for on the network (--ip): an address of its
 * subnet that is neither the network's, nor its broadcast, nor the
 * gateway. */
int net_ip_check(const NetNetwork *nw, const char *ip, Error **ret_err);

/* At network create: the bridge with the gateway address (-EEXIST when
 * an interface has its name), and the network's rules. (net_setup makes
 * them again when missing: after a reboot.) */
int net_network_ensure(const char *state_dir, const NetNetwork *nw, Error **ret_err);
/* Remove the bridge, the rules and the lease directory of a user-defined
 * network. */
int net_network_remove(const char *state_dir, const NetNetwork *nw, Error **ret_err);

typedef struct NetAttachment {
        char ip[16];
        char gateway[16];
        int prefix_len;
        char mac[18];
        char veth[16];   /* the host end */
        char ifname[16]; /* in the container: eth0, eth1... */
        NetPort *ports;  /* host ports filled in */
        size_t n_ports;
} NetAttachment;

void net_attachment_clear(NetAttachment *a);

/* Make a network namespace and bind-mount it at `path` (a new file). */
int net_netns_create(const char *path, Error **ret_err);
/* Unmount and remove it; 0 when it is not there. */
int net_netns_remove(const char *path);

/* Connect the network namespace at netns_path to network `nw` as container
 * `id`'s next interface (eth0, then eth1...): bridge, rules and
 * ip_forward if missing, an address (`ip`, or NULL for the next free one),
 * the veth pair, the interface configured with its MAC (ret->mac when that
 * is set on entry, else Docker's 02:42:<ip>) and a default route through
 * eth0 unless the network is internal, the ports published (a host port 0
 * gets a free one). On failure everything made for it is undone. */
int net_setup(const char *state_dir, const NetNetwork *nw, const char *id, const char *netns_path, const char *ip,
              const NetPort *ports, size_t n_ports, NetAttachment *ret, Error **ret_err);

/* Undo net_setup for every interface of container `id` from what it
 * recorded: the ports, the host end of the veth, the lease. 0 when there
 * is nothing to undo. */
int net_teardown(const char *state_dir, const char *id, Error **ret_err);
/* The same for its interface on network `network` (a name) only, while
 * the container runs: the veth pair is deleted (its namespace, at
 * netns_path, stays); when the default route went with it, another of
 * its interfaces gets one. */
int net_teardown_network(const char *state_dir, const char *id, const char *network, const char *netns_path,
                         Error **ret_err);
