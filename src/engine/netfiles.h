#pragma once

#include <jansson.h>

#include "engine/engine.h"
#include "lib/error.h"
#include "oci/spec.h"

/* A container's /etc/resolv.conf, /etc/hosts and /etc/hostname, as Docker
 * makes them (src/engine/netfiles.c): files of its own under its directory
 * in the storage root,
 *
 *     containers/<id>/resolv.conf   the host's, less loopback and IPv6
 *                                   nameservers (Google's when none is
 *                                   left), --dns/--dns-search/--dns-option
 *                                   replacing their parts; with --network
 *                                   host the host's file as it is
 *     containers/<id>/hosts         localhost and Docker's IPv6 lines, the
 *                                   --add-host lines, "<ip> <hostname>"
 *                                   once a bridge container has its address
 *     containers/<id>/hostname      the hostname
 *
 * bind-mounted on the container's /etc files (a user's own mount there
 * wins), written at create and again at each start. The host's resolv.conf is HUSK_RESOLV_CONF when set, else
 * /etc/resolv.conf, read in the namespaces husk runs in. A container made
 * with --network container:X has none of its own: X's are bound. */

/* Docker's checks of --dns, --dns-search, --add-host, --mac-address, --ip
 * and --hostname against the network mode (already resolved: "bridge",
 * "none", "host", "container:X", or a network's name), nothing looked up:
 * 0 or -EINVAL with Docker's message. */
int netfiles_validate(const EngineCreateOpts *o, const char *mode, Error **ret_err);

/* The hostname a new container gets: --hostname, else X's for
 * container:X (xrec: X's record), the host's with --network host, the
 * short id otherwise. malloc'd, NULL on ENOMEM. */
char *netfiles_hostname(const EngineCreateOpts *o, const char *mode, const char *id, json_t *xrec);

/* At create, after the spec's mounts and the record are made: write the
 * three files under the container's directory (nothing for container:X,
 * whose xrec names X's files), bind them into the spec unless a mount of
 * the user's is there (read-only with a read-only rootfs, as Docker), and
 * record ResolvConfPath, HostnamePath, HostsPath and HostConfig's Dns,
 * DnsSearch, DnsOptions and ExtraHosts. The files go with the
 * container's directory. 0 or -errno with *ret_err set. */
int netfiles_create(Engine *e, const char *id, const EngineCreateOpts *o, const char *mode, json_t *xrec, Spec *spec,
                    json_t *rec, Error **ret_err);

/* (Re)write container id's three files from its record (HostConfig's
 * NetworkMode, Dns, DnsSearch, DnsOptions, ExtraHosts; Config.Hostname)
 * and the host's files as they are now, as Docker does at each start;
 * ip: the bridge address of this start, or NULL. Nothing for container:X.
 * 0 or -errno with *ret_err set. */
int netfiles_write(Engine *e, const char *id, json_t *rec, const char *ip, Error **ret_err);

/* (Re)write container id's hosts file in place (it is bind-mounted: the
 * file is truncated and written, never replaced): Docker's lines, its
 * --add-host lines ("host-gateway" the bridge's gateway), "<ip>
 * <hostname>" when ip is given, then `extra`'s "ip name..." lines (the
 * other containers of a network, say). rec: its record. 0 without writing
 * when the container has no hosts file of its own (container:X, --network
 * host without --add-host), else 0 or -errno with *ret_err set. */
int netfiles_write_hosts(Engine *e, const char *id, json_t *rec, const char *ip, char *const *extra, Error **ret_err);
