#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "engine/engine.h"
#include "net/net.h"
#include "oci/spec.h"

/* User-defined networks, as Docker's `network` commands (networks.c).
 *
 * Under the storage root:
 *
 *     networks/.lock        flock: while records are created or removed,
 *                           and while the hosts files of a network's
 *                           members are rewritten
 *     networks/<id>.json    the record: Docker's `network inspect` object
 *                           but Containers, which is read from the
 *                           containers' records (the networks each is on,
 *                           with its address while it runs)
 *
 * The pre-defined networks bridge (husk0), host and none have no record:
 * they are listed and inspected as Docker lists them. */

typedef struct EngineNetworkOpts {
        const char *name;
        const char *driver;   /* NULL or "bridge" */
        const char *subnet;   /* NULL: the next free /24 of 10.89.0.0/16 */
        const char *gateway;  /* NULL: the subnet's first address */
        const char *ip_range; /* NULL: the whole subnet */
        bool internal;
        char *const *labels;  /* "k=v" */
        char *const *options; /* -o "com.docker.network.bridge.name=NAME" */
} EngineNetworkOpts;

/* network create: the record, the bridge and its rules. *ret_id malloc'd. */
int engine_net_create(Engine *e, const EngineNetworkOpts *o, char **ret_id, Error **ret_err);
/* Every network's inspect object, by name, a new array. */
int engine_net_list(Engine *e, json_t **ret, Error **ret_err);
/* By name, id or unique id prefix: the inspect object (new reference).
 * -ENOENT "network REF not found". */
int engine_net_inspect(Engine *e, const char *ref, json_t **ret, Error **ret_err);
/* -EBUSY when a running container is on it (Docker's message); the
 * pre-defined ones cannot be removed; force: a missing one is no error. */
int engine_net_remove(Engine *e, const char *ref, bool force, Error **ret_err);
/* Remove the user-defined networks no running container is on; the names
 * removed in *ret_removed (strv, NULL when none). */
int engine_net_prune(Engine *e, char ***ret_removed, Error **ret_err);
/* Connect a container (a running one gets its next interface, eth1...;
 * a stopped one is connected at its next start); ip: --ip or NULL. */
int engine_net_connect(Engine *e, const char *net, const char *container, const char *ip, char *const *aliases,
                       Error **ret_err);
/* Disconnect it (a running one loses that interface). */
int engine_net_disconnect(Engine *e, const char *net, const char *container, bool force, Error **ret_err);

/* For engine/network.c: the NetNetwork of network `name` (the default
 * one for "bridge"); its strings live in *ret_rec (a new reference), NULL
 * for the default. -ENOENT "network NAME not found". */
int engine_net_resolve(Engine *e, const char *name, NetNetwork *ret, json_t **ret_rec, Error **ret_err);

/* A container's endpoints (NetworkSettings.Networks entries). */
/* The entry of a container before it runs, a new object: the network's
 * id, --ip, --network-alias. */
json_t *engine_network_endpoint(const char *network_id, const char *ip, char *const *aliases);
/* Connect the running container's network namespace to network `name` as
 * its next interface (ports go with eth0), and fill ep in. */
int engine_network_join(Engine *e, const char *id, const char *name, json_t *ep, const NetPort *ports, size_t n_ports,
                        NetAttachment *ret, Error **ret_err);
/* Add the entry `ep` for network `name` to the container's record (saved
 * under the engine's lock); running: its interface on that network first,
 * ep filled in. */
int engine_network_attach(Engine *e, const char *id, const char *name, json_t *ep, bool running, Error **ret_err);
/* Remove it; running: its interface on that network first. */
int engine_network_detach(Engine *e, const char *id, const char *name, bool running, Error **ret_err);

/* Name resolution. The "ip name [alias...]" lines a container's hosts
 * file must have for the other running members of its user-defined
 * networks (strv, NULL when none). */
int engine_network_peers(Engine *e, const char *container_id, char ***ret_lines);
/* Called after the container joined or left a network (start, stop,
 * connect, disconnect): rewrites the hosts files of it and of the other
 * members of its user-defined networks. */
void engine_network_members_changed(Engine *e, const char *container_id);
