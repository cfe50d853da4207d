#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "engine/engine.h"
#include "oci/spec.h"

/* --network and -p/-P (src/engine/network.c). Modes: bridge (Docker's
 * default; HUSK_DEFAULT_NETWORK changes the default, as dockerd's
 * --bridge=none does), none, host, container:X (X's namespace). */

/* The mode for --network `requested` (NULL: not given). */
const char *engine_network_mode(const char *requested);

/* <state>/netns/<id>, where a bridge container's network namespace is
 * mounted while it runs. malloc'd. */
char *engine_netns_path(Engine *e, const char *id);

/* At create: check the mode and the -p specs (Docker's messages), point
 * the spec's network namespace at engine_netns_path (bridge) or drop it
 * (host), and record HostConfig.NetworkMode/PortBindings/PublishAllPorts
 * and an empty NetworkSettings. exposed: the image's "80/tcp" list, for
 * -P. */
int engine_network_create(Engine *e, const char *id, const char *mode, const char *ip, char *const *aliases,
                          char *const *publish, bool publish_all, char *const *exposed, Spec *spec, json_t *rec,
                          Error **ret_err);
/* Whether the mode gives the container a network namespace of its own
 * (bridge, a user-defined network): not none, host, container:X. */
bool engine_network_bridged(const char *mode);

/* Point spec's network namespace at running container X's (xrec: its
 * record, hostconfig_peer's): a bridge X's mounted namespace, a host X's (none of the
 * container's own), else X's init's. At create and before each start. */
int engine_network_join_container(Engine *e, json_t *xrec, Spec *spec, Error **ret_err);

/* Before the runtime starts a bridge container: its network namespace,
 * address, veth pair (eth0 with Config.MacAddress when set) and
 * published ports (a host port left open gets a free one); NetworkSettings
 * filled in in rec (the caller saves it), the address written in its
 * hosts file. Other modes: nothing. On failure nothing is left. */
int engine_network_start(Engine *e, const char *id, json_t *rec, Error **ret_err);

/* After it exits (or when it is removed after a dead monitor): undo
 * engine_network_start, whatever of it was done; NetworkSettings in rec
 * (may be NULL) emptied as Docker shows a stopped container's. */
void engine_network_stop(Engine *e, const char *id, json_t *rec);

/* engine_network_start and _stop on the saved record (what the monitor
 * and rm call): the settings are written back under the engine's lock. */
int engine_network_up(Engine *e, const char *id, Error **ret_err);
void engine_network_down(Engine *e, const char *id);
