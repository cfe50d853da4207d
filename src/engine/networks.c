/* User-defined networks: their records, Docker's network commands
 * (create, ls, inspect, rm, prune, connect, disconnect), and the hosts
 * files that let a network's members find each other by name. The kernel
 * side (bridge, rules, leases) is src/net's; see networks.h for the
 * layout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/network.h"
#include "engine/netfiles.h"
#include "engine/networks.h"
#include "lib/macros.h"
#include "lib/util.h"
#include "oci/spec.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

static const char *const predefined[] = { "bridge", "host", "none" };

static char *nets_dir(Engine *e)
{
        return path_join(store_root(e->store), "networks");
}

static char *net_state(Engine *e)
{
        return path_join(e->state, "net");
}

/* networks/.lock, held: the fd, or -errno. */
static int nets_lock(Engine *e, Error **ret_err)
{
        _cleanup_free_ char *dir = nets_dir(e), *p = dir ? path_join(dir, ".lock") : NULL;
        int fd;

        if (!p)
                return error_set(ret_err, ENOMEM, "networks");
        if (mkdir_p(dir, 0700) < 0)
                return error_set(ret_err, errno, "create %s", dir);
        fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_set(ret_err, errno, "open %s", p);
        if (flock(fd, LOCK_EX) < 0) {
                int r = error_set(ret_err, errno, "lock %s", p);
                close(fd);
                return r;
        }
        return fd;
}

static const char *str(json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key)) ?: "";
}

/* A pre-defined network's id: 64 hex digits that stay the same. */
static void predefined_id(const char *name, char out[65])
{
        for (int part = 0; part < 4; part++) {
                uint64_t h = 0xcbf29ce484222325ULL + (uint64_t)part;
                for (const char *c = name; *c; c++)
                        h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
                snprintf(out + part * 16, 17, "%016llx", (unsigned long long)h);
        }
}

static json_t *predefined_record(const char *name)
{
        char id[65], gw[16] = "";
        NetNetwork nw;
        json_t *config = json_array(), *options = json_object();

        predefined_id(name, id);
        if (streq(name, "bridge")) {
                net_default_network(&nw);
                if (net_network_check(&nw, gw, NULL) >= 0)
                        json_array_append_new(config, json_pack("{s:s,s:s}", "Subnet", nw.subnet, "Gateway", gw));
                json_object_set_new(options, "com.docker.network.bridge.default_bridge", json_string("true"));
                json_object_set_new(options, "com.docker.network.bridge.enable_ip_masquerade", json_string("true"));
                json_object_set_new(options, "com.docker.network.bridge.name", json_string(nw.bridge));
        }
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:{s:s,s:n,s:o},s:b,s:b,s:b,s:{s:s},s:b,s:o,s:o}", "Name", name,
                         "Id", id, "Created", "0001-01-01T00:00:00Z", "Scope", "local", "Driver",
                         streq(name, "bridge") ? "bridge"
                         : streq(name, "host") ? "host"
                                               : "null",
                         "EnableIPv6", 0, "IPAM", "Driver", "default", "Options", "Config", config, "Internal", 0,
                         "Attachable", 0, "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly", 0, "Options",
                         options, "Labels", json_object());
}

/* Every user-defined network's record, a new array. */
static json_t *user_records(Engine *e)
{
        _cleanup_free_ char *dir = nets_dir(e);
        _cleanup_(closedirp) DIR *d = dir ? opendir(dir) : NULL;
        json_t *all = json_array();
        struct dirent *de;

        while (d && all && (de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                size_t l = strlen(de->d_name);
                json_t *rec;
                if (de->d_name[0] == '.' || l < 6 || !streq(de->d_name + l - 5, ".json"))
                        continue;
                p = path_join(dir, de->d_name);
                rec = p ? json_load_file(p, 0, NULL) : NULL;
                if (rec)
                        json_array_append_new(all, rec);
        }
        return all;
}

/* The record of network `ref` (name, id or unique id prefix), pre-defined
 * ones included: a new reference, or -ENOENT/-EINVAL. */
static int find(Engine *e, const char *ref, json_t **ret, Error **ret_err)
{
        _cleanup_json_ json_t *all = user_records(e);
        json_t *v, *hit = NULL;
        size_t i, l = strlen(ref);
        int n = 0;

        for (size_t k = 0; k < ELEMENTSOF(predefined); k++)
                json_array_append_new(all, predefined_record(predefined[k]));
        json_array_foreach(all, i, v)
        {
                if (streq(str(v, "Name"), ref) || streq(str(v, "Id"), ref)) {
                        *ret = json_incref(v);
                        return 0;
                }
        }
        json_array_foreach(all, i, v)
        {
                if (l > 0 && strncmp(str(v, "Id"), ref, l) == 0) {
                        hit = v;
                        n++;
                }
        }
        if (n == 1) {
                *ret = json_incref(hit);
                return 0;
        }
        if (n > 1)
                return error_setx(ret_err, EINVAL, "network %s is ambiguous (%d matches found based on ID prefix)", ref,
                                  n);
        return error_setx(ret_err, ENOENT, "network %s not found", ref);
}

static bool is_predefined(const char *name)
{
        for (size_t k = 0; k < ELEMENTSOF(predefined); k++)
                if (streq(name, predefined[k]))
                        return true;
        return false;
}

/* The NetNetwork a record describes; its strings are the record's. */
static void record_network(json_t *rec, NetNetwork *ret)
{
        json_t *cfg = json_array_get(json_object_get(json_object_get(rec, "IPAM"), "Config"), 0);

        *ret = (NetNetwork){ .name = str(rec, "Name"),
                             .id = str(rec, "Id"),
                             .bridge = str(json_object_get(rec, "Options"), "com.docker.network.bridge.name"),
                             .subnet = str(cfg, "Subnet"),
                             .gateway = str(cfg, "Gateway"),
                             .ip_range = str(cfg, "IPRange"),
                             .internal = json_is_true(json_object_get(rec, "Internal")) };
}

int engine_net_resolve(Engine *e, const char *name, NetNetwork *ret, json_t **ret_rec, Error **ret_err)
{
        json_t *rec = NULL;
        int r;

        *ret_rec = NULL;
        if (streq(name, "bridge")) {
                net_default_network(ret);
                return 0;
        }
        r = find(e, name, &rec, ret_err);
        if (r < 0)
                return r;
        if (is_predefined(str(rec, "Name"))) {
                json_decref(rec);
                return error_setx(ret_err, EINVAL, "network %s is not a bridge network", name);
        }
        record_network(rec, ret);
        *ret_rec = rec;
        return 0;
}

/* ---- containers on networks (from the containers' records) ---- */

/* Every container record, raw (no recovery: this is called from inside
 * start and stop), a new array. */
static json_t *container_records(Engine *e)
{
        _cleanup_(closedirp) DIR *d = opendir(e->cdir);
        json_t *all = json_array();
        struct dirent *de;

        while (d && all && (de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                json_t *rec;
                if (de->d_name[0] == '.')
                        continue;
                p = engine_path(e, de->d_name, "container.json");
                rec = p ? json_load_file(p, 0, NULL) : NULL;
                if (rec)
                        json_array_append_new(all, rec);
        }
        return all;
}

static json_t *endpoints(json_t *crec)
{
        return json_object_get(json_object_get(crec, "NetworkSettings"), "Networks");
}

/* Docker's Containers of a network: the containers attached (running) */
static json_t *attached(Engine *e, const char *name)
{
        _cleanup_json_ json_t *all = container_records(e);
        json_t *out = json_object(), *c;
        size_t i;

        json_array_foreach(all, i, c)
        {
                json_t *ep = json_object_get(endpoints(c), name);
                const char *n = str(c, "Name");
                _cleanup_free_ char *cidr = NULL;
                if (!ep || !*str(ep, "IPAddress"))
                        continue;
                if (asprintf(&cidr, "%s/%lld", str(ep, "IPAddress"),
                             (long long)json_integer_value(json_object_get(ep, "IPPrefixLen"))) < 0)
                        continue;
                json_object_set_new(out, str(c, "Id"),
                                    json_pack("{s:s,s:s,s:s,s:s,s:s}", "Name", n[0] == '/' ? n + 1 : n, "EndpointID",
                                              str(ep, "EndpointID"), "MacAddress", str(ep, "MacAddress"), "IPv4Address",
                                              cidr, "IPv6Address", ""));
        }
        return out;
}

/* The inspect object: the record and its Containers, Docker's key order. */
static json_t *inspect_object(Engine *e, json_t *rec)
{
        json_t *out = json_object();
        const char *k;
        json_t *v;

        json_object_foreach(rec, k, v)
        {
                if (streq(k, "Options"))
                        json_object_set_new(out, "Containers", attached(e, str(rec, "Name")));
                json_object_set(out, k, v);
        }
        return out;
}

/* ---- the commands ---- */

static bool bridge_name_valid(const char *n)
{
        size_t l = strlen(n);

        if (l == 0 || l > 15)
                return false;
        for (const char *p = n; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p))
                        return false;
        return true;
}

static int kv_object(char *const *list, json_t *obj, const char *what, Error **ret_err)
{
        for (char *const *p = list; p && *p; p++) {
                const char *eq = strchr(*p, '=');
                _cleanup_free_ char *key = eq ? strndup(*p, (size_t)(eq - *p)) : strdup(*p);
                if (!key)
                        return error_set(ret_err, ENOMEM, "%s", what);
                if (!*key)
                        return error_setx(ret_err, EINVAL, "invalid %s: %s", what, *p);
                json_object_set_new(obj, key, json_string(eq ? eq + 1 : ""));
        }
        return 0;
}

int engine_net_create(Engine *e, const EngineNetworkOpts *o, char **ret_id, Error **ret_err)
{
        _cleanup_json_ json_t *all = NULL, *labels = json_object(), *options = json_object(), *existing = NULL,
                              *rec = NULL;
        _cleanup_free_ char *dir = nets_dir(e), *state = net_state(e), *path = NULL, *now = now_rfc3339(), *text = NULL;
        _cleanup_strv_ char **taken = NULL;
        _cleanup_close_ int lock = -EBADF;
        char id[65], subnet[32], gw[16], bridge[16];
        const char *bname;
        NetNetwork nw, def;
        json_t *v, *cfg;
        size_t i;
        int r;

        if (!dir || !state || !labels || !options)
                return error_set(ret_err, ENOMEM, "network create");
        if (!engine_name_valid(o->name) || o->name[0] == '/')
                return error_setx(ret_err, EINVAL, "invalid network name \"%s\"", o->name);
        if (o->driver && *o->driver && !streq(o->driver, "bridge"))
                return error_setx(ret_err, ENOENT, "plugin \"%s\" not found", o->driver);
        if ((r = kv_object(o->labels, labels, "label", ret_err)) < 0 ||
            (r = kv_object(o->options, options, "option", ret_err)) < 0)
                return r;
        if ((!o->subnet || !*o->subnet) && ((o->gateway && *o->gateway) || (o->ip_range && *o->ip_range)))
                return error_setx(ret_err, EINVAL, "--gateway and --ip-range need --subnet");
        lock = nets_lock(e, ret_err);
        if (lock < 0)
                return lock;
        if (find(e, o->name, &existing, NULL) >= 0)
                return error_setx(ret_err, EEXIST, "network with name %s already exists", o->name);
        r = engine_new_id(id);
        if (r < 0)
                return error_set(ret_err, -r, "network id");
        bname = json_string_value(json_object_get(options, "com.docker.network.bridge.name"));
        if (bname && !bridge_name_valid(bname))
                return error_setx(ret_err, EINVAL, "invalid bridge name \"%s\" (1 to 15 of [a-zA-Z0-9_.-])", bname);
        /* husk-<id>, as Docker's br-<id>, in the 15 characters a Linux
         * interface name may have */
        snprintf(bridge, sizeof(bridge), "husk-%.10s", id);
        if (!bname)
                bname = bridge;

        /* the subnets (and bridges) of the networks there are */
        net_default_network(&def);
        if (strv_push(&taken, def.subnet) < 0)
                return error_set(ret_err, ENOMEM, "network create");
        all = user_records(e);
        json_array_foreach(all, i, v)
        {
                NetNetwork other;
                record_network(v, &other);
                if (strv_push(&taken, other.subnet) < 0)
                        return error_set(ret_err, ENOMEM, "network create");
                if (streq(other.bridge, bname))
                        return error_setx(ret_err, EEXIST, "bridge %s is used by network %s", bname, other.name);
        }
        if (streq(bname, def.bridge))
                return error_setx(ret_err, EEXIST, "bridge %s is used by network %s", bname, def.name);
        if (o->subnet && *o->subnet) {
                snprintf(subnet, sizeof(subnet), "%s", o->subnet);
                for (char **t = taken; *t; t++)
                        if (net_subnets_overlap(subnet, *t))
                                return error_setx(ret_err, EEXIST,
                                                  "invalid pool request: Pool overlaps with other one on this address "
                                                  "space");
        } else if ((r = net_subnet_next(taken, subnet, ret_err)) < 0)
                return r;
        nw = (NetNetwork){ .name = o->name,
                           .id = id,
                           .bridge = bname,
                           .subnet = subnet,
                           .gateway = o->gateway,
                           .ip_range = o->ip_range,
                           .internal = o->internal };
        r = net_network_check(&nw, gw, ret_err);
        if (r < 0)
                return r;
        json_object_set_new(options, "com.docker.network.bridge.name", json_string(bname));
        cfg = json_pack("{s:s,s:s}", "Subnet", subnet, "Gateway", gw);
        if (cfg && o->ip_range && *o->ip_range)
                json_object_set_new(cfg, "IPRange", json_string(o->ip_range));
        rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:{s:s,s:n,s:[o]},s:b,s:b,s:b,s:{s:s},s:b,s:O,s:O}", "Name", o->name,
                        "Id", id, "Created", now ? now : "", "Scope", "local", "Driver", "bridge", "EnableIPv6", 0,
                        "IPAM", "Driver", "default", "Options", "Config", cfg, "Internal", o->internal, "Attachable", 0,
                        "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly", 0, "Options", options, "Labels",
                        labels);
        text = rec ? json_dumps(rec, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
        if (!text || asprintf(&path, "%s/%s.json", dir, id) < 0)
                return error_set(ret_err, ENOMEM, "network create");
        record_network(rec, &nw);
        /* the bridge and its rules now, as Docker: the network is usable
         * from the host at once */
        r = net_network_ensure(state, &nw, ret_err);
        if (r < 0)
                return r;
        r = write_file_atomic(path, text, strlen(text), 0600, ret_err);
        if (r < 0) {
                ERROR_IGNORE(net_network_remove(state, &nw, &ign_));
                return r;
        }
        *ret_id = strdup(id);
        return *ret_id ? 0 : error_set(ret_err, ENOMEM, "network create");
}

static int by_name(const void *a, const void *b)
{
        return strcmp(str(*(json_t *const *)a, "Name"), str(*(json_t *const *)b, "Name"));
}

int engine_net_list(Engine *e, json_t **ret, Error **ret_err)
{
        _cleanup_json_ json_t *all = user_records(e);
        _cleanup_free_ json_t **v = NULL;
        json_t *out = json_array();
        size_t n;

        if (!all || !out) {
                json_decref(out);
                return error_set(ret_err, ENOMEM, "networks");
        }
        for (size_t k = 0; k < ELEMENTSOF(predefined); k++)
                json_array_append_new(all, predefined_record(predefined[k]));
        n = json_array_size(all);
        v = calloc(n + 1, sizeof(json_t *));
        if (!v) {
                json_decref(out);
                return error_set(ret_err, ENOMEM, "networks");
        }
        for (size_t i = 0; i < n; i++)
                v[i] = json_array_get(all, i);
        qsort(v, n, sizeof(json_t *), by_name);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(out, inspect_object(e, v[i]));
        *ret = out;
        return 0;
}

int engine_net_inspect(Engine *e, const char *ref, json_t **ret, Error **ret_err)
{
        _cleanup_json_ json_t *rec = NULL;
        int r = find(e, ref, &rec, ret_err);

        if (r < 0)
                return r;
        *ret = inspect_object(e, rec);
        return 0;
}

/* Remove a user network that no running container is on. Under the lock. */
static int remove_locked(Engine *e, json_t *rec, Error **ret_err)
{
        _cleanup_json_ json_t *on = attached(e, str(rec, "Name"));
        _cleanup_free_ char *state = net_state(e), *path = NULL, *dir = nets_dir(e);
        NetNetwork nw;
        int r;

        if (is_predefined(str(rec, "Name")))
                return error_setx(ret_err, EPERM, "%s is a pre-defined network and cannot be removed",
                                  str(rec, "Name"));
        if (json_object_size(on) > 0)
                return error_setx(ret_err, EBUSY, "error while removing network: network %s id %s has active endpoints",
                                  str(rec, "Name"), str(rec, "Id"));
        if (!state || !dir || asprintf(&path, "%s/%s.json", dir, str(rec, "Id")) < 0)
                return error_set(ret_err, ENOMEM, "network rm");
        record_network(rec, &nw);
        r = net_network_remove(state, &nw, ret_err);
        if (r < 0)
                return r;
        if (unlink(path) < 0 && errno != ENOENT)
                return error_set(ret_err, errno, "remove %s", path);
        return 0;
}

int engine_net_remove(Engine *e, const char *ref, bool force, Error **ret_err)
{
        _cleanup_json_ json_t *rec = NULL;
        _cleanup_close_ int lock = nets_lock(e, ret_err);
        int r;

        if (lock < 0)
                return lock;
        r = find(e, ref, &rec, force ? NULL : ret_err);
        if (r == -ENOENT && force)
                return 0;
        return r < 0 ? r : remove_locked(e, rec, ret_err);
}

int engine_net_prune(Engine *e, char ***ret_removed, Error **ret_err)
{
        _cleanup_json_ json_t *all = NULL;
        _cleanup_close_ int lock = nets_lock(e, ret_err);
        json_t *v;
        size_t i;

        *ret_removed = NULL;
        if (lock < 0)
                return lock;
        all = user_records(e);
        json_array_foreach(all, i, v)
        {
                _cleanup_error_ Error *err = NULL;
                if (remove_locked(e, v, &err) >= 0 && strv_push(ret_removed, str(v, "Name")) < 0)
                        return error_set(ret_err, ENOMEM, "network prune");
        }
        return 0;
}

/* ---- a container's endpoints ---- */

json_t *engine_network_endpoint(const char *network_id, const char *ip, char *const *aliases)
{
        json_t *al = json_null();

        if (aliases && *aliases) {
                al = json_array();
                for (char *const *a = aliases; *a; a++)
                        json_array_append_new(al, json_string(*a));
        }
        return json_pack("{s:o,s:n,s:o,s:s,s:s,s:s,s:s,s:i,s:s}", "IPAMConfig",
                         ip && *ip ? json_pack("{s:s}", "IPv4Address", ip) : json_null(), "Links", "Aliases", al,
                         "NetworkID", network_id, "EndpointID", "", "Gateway", "", "IPAddress", "", "IPPrefixLen", 0,
                         "MacAddress", "");
}

/* The endpoint of one network filled in from its attachment. */
static void endpoint_fill(json_t *ep, const NetAttachment *a)
{
        char eid[65];

        if (engine_new_id(eid) < 0)
                eid[0] = 0;
        json_object_set_new(ep, "EndpointID", json_string(eid));
        json_object_set_new(ep, "Gateway", json_string(a->gateway));
        json_object_set_new(ep, "IPAddress", json_string(a->ip));
        json_object_set_new(ep, "IPPrefixLen", json_integer(a->prefix_len));
        json_object_set_new(ep, "MacAddress", json_string(a->mac));
}

int engine_network_join(Engine *e, const char *id, const char *name, json_t *ep, const NetPort *ports, size_t n_ports,
                        NetAttachment *ret, Error **ret_err)
{
        _cleanup_free_ char *path = engine_netns_path(e, id), *state = net_state(e);
        _cleanup_(json_decrefp) json_t *nrec = NULL;
        NetNetwork nw;
        const char *ip = json_string_value(json_object_get(json_object_get(ep, "IPAMConfig"), "IPv4Address"));
        int r;

        if (!path || !state)
                return error_set(ret_err, ENOMEM, "network");
        r = engine_net_resolve(e, name, &nw, &nrec, ret_err);
        if (r < 0)
                return r;
        r = net_setup(state, &nw, id, path, ip, ports, n_ports, ret, ret_err);
        if (r < 0)
                return r;
        endpoint_fill(ep, ret);
        if (nrec)
                json_object_set_new(ep, "NetworkID", json_string(json_string_value(json_object_get(nrec, "Id"))));
        return 0;
}

int engine_network_attach(Engine *e, const char *id, const char *name, json_t *ep, bool running, Error **ret_err)
{
        _cleanup_free_ char *p = engine_path(e, id, "container.json");
        NetAttachment a = { 0 };
        json_t *rec;
        int r;

        if (!p)
                return error_set(ret_err, ENOMEM, "network connect");
        if (running) {
                r = engine_network_join(e, id, name, ep, NULL, 0, &a, ret_err);
                if (r < 0)
                        return r;
                net_attachment_clear(&a);
        }
        r = engine_lock(e, ret_err);
        if (r < 0)
                return r;
        rec = json_load_file(p, 0, NULL);
        if (rec) {
                json_t *settings = json_object_get(rec, "NetworkSettings"), *nets;
                if (!json_is_object(settings)) {
                        settings = json_object();
                        json_object_set_new(rec, "NetworkSettings", settings);
                }
                nets = json_object_get(settings, "Networks");
                if (!json_is_object(nets)) {
                        nets = json_object();
                        json_object_set_new(settings, "Networks", nets);
                }
                json_object_set(nets, name, ep);
                r = engine_save(e, id, rec, ret_err);
                json_decref(rec);
        }
        engine_unlock(e);
        return r;
}

int engine_network_detach(Engine *e, const char *id, const char *name, bool running, Error **ret_err)
{
        _cleanup_free_ char *p = engine_path(e, id, "container.json"), *state = net_state(e),
                            *path = engine_netns_path(e, id);
        json_t *rec;
        int r;

        if (!p || !state || !path)
                return error_set(ret_err, ENOMEM, "network disconnect");
        if (running) {
                r = net_teardown_network(state, id, name, path, ret_err);
                if (r < 0)
                        return r;
        }
        r = engine_lock(e, ret_err);
        if (r < 0)
                return r;
        rec = json_load_file(p, 0, NULL);
        if (rec) {
                json_object_del(json_object_get(json_object_get(rec, "NetworkSettings"), "Networks"), name);
                r = engine_save(e, id, rec, ret_err);
                json_decref(rec);
        }
        engine_unlock(e);
        return r;
}

/* ---- connect, disconnect ---- */

/* The container's network mode allows more networks: its own namespace. */
static bool mode_bridged(const char *mode)
{
        return !streq(mode, "none") && !streq(mode, "host") && strncmp(mode, "container:", 10) != 0;
}

/* The container's id, the network's record (NULL when it is not found
 * and missing_ok) and the container's record, for connect and
 * disconnect. */
static int connect_args(Engine *e, const char *net, const char *container, bool missing_ok, char **ret_id,
                        json_t **ret_nrec, json_t **ret_crec, Error **ret_err)
{
        int r = engine_lookup(e, container, ret_id, ret_err);

        if (r < 0)
                return r;
        r = find(e, net, ret_nrec, missing_ok ? NULL : ret_err);
        if (r < 0 && !missing_ok)
                return r;
        return engine_load(e, *ret_id, ret_crec, ret_err);
}

int engine_net_connect(Engine *e, const char *net, const char *container, const char *ip, char *const *aliases,
                       Error **ret_err)
{
        _cleanup_json_ json_t *nrec = NULL, *crec = NULL, *ep = NULL;
        _cleanup_free_ char *id = NULL;
        const char *name, *mode;
        NetNetwork nw;
        bool running;
        int r;

        r = connect_args(e, net, container, false, &id, &nrec, &crec, ret_err);
        if (r < 0)
                return r;
        name = str(nrec, "Name");
        mode = str(json_object_get(crec, "HostConfig"), "NetworkMode");
        if (streq(mode, "none") || streq(name, "none"))
                return error_setx(ret_err, EINVAL,
                                  "container cannot be connected to multiple networks with one of the networks in "
                                  "private (none) mode");
        if (!mode_bridged(mode) || streq(name, "host"))
                return error_setx(ret_err, EINVAL,
                                  "container cannot be disconnected from host network or connected to host network");
        if (json_object_get(endpoints(crec), name))
                return error_setx(ret_err, EEXIST, "endpoint with name %s already exists in network %s",
                                  str(crec, "Name") + 1, name);
        if (ip && *ip) {
                if (streq(name, "bridge"))
                        return error_setx(ret_err, EINVAL,
                                          "user specified IP address is supported on user defined "
                                          "networks only");
                record_network(nrec, &nw);
                r = net_ip_check(&nw, ip, ret_err);
                if (r < 0)
                        return r;
        }
        ep = engine_network_endpoint(str(nrec, "Id"), ip, aliases);
        if (!ep)
                return error_set(ret_err, ENOMEM, "network connect");
        running = json_is_true(json_object_get(json_object_get(crec, "State"), "Running"));
        r = engine_network_attach(e, id, name, ep, running, ret_err);
        if (r >= 0 && running)
                engine_network_members_changed(e, id);
        return r;
}

int engine_net_disconnect(Engine *e, const char *net, const char *container, bool force, Error **ret_err)
{
        _cleanup_json_ json_t *nrec = NULL, *crec = NULL;
        _cleanup_free_ char *id = NULL;
        const char *name;
        bool running;
        int r;

        /* -f: from a network that is gone too */
        r = connect_args(e, net, container, force, &id, &nrec, &crec, ret_err);
        if (r < 0)
                return r;
        name = nrec ? str(nrec, "Name") : net;
        if (!json_object_get(endpoints(crec), name))
                return error_setx(ret_err, EINVAL, "container %s is not connected to network %s", id, net);
        running = json_is_true(json_object_get(json_object_get(crec, "State"), "Running"));
        r = engine_network_detach(e, id, name, running, ret_err);
        if (r >= 0 && running)
                engine_network_members_changed(e, id);
        return r;
}

/* ---- name resolution: hosts files ---- */

/* The lines of the running containers but `self` that share one of self's
 * user-defined networks. */
static int peers_of(json_t *all, json_t *self, char ***ret)
{
        const char *sid = str(self, "Id"), *net;
        json_t *mine = endpoints(self), *sep, *c;
        size_t i;

        *ret = NULL;
        json_object_foreach(mine, net, sep)
        {
                if (is_predefined(net))
                        continue;
                json_array_foreach(all, i, c)
                {
                        _cleanup_free_ char *line = NULL, *aliases = NULL;
                        json_t *ep = json_object_get(endpoints(c), net), *a;
                        const char *n = str(c, "Name");
                        size_t k;
                        if (streq(str(c, "Id"), sid) || !ep || !*str(ep, "IPAddress"))
                                continue;
                        json_array_foreach(json_object_get(ep, "Aliases"), k, a)
                        {
                                char *more = NULL;
                                if (asprintf(&more, "%s %s", aliases ? aliases : "", json_string_value(a) ?: "") < 0)
                                        return -ENOMEM;
                                free(aliases);
                                aliases = more;
                        }
                        if (asprintf(&line, "%s\t%s %.12s%s", str(ep, "IPAddress"), n[0] == '/' ? n + 1 : n,
                                     str(c, "Id"), aliases ? aliases : "") < 0)
                                return -ENOMEM;
                        if (!strv_contains(*ret, line) && strv_push(ret, line) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

int engine_network_peers(Engine *e, const char *container_id, char ***ret_lines)
{
        _cleanup_json_ json_t *all = container_records(e);
        json_t *c;
        size_t i;

        *ret_lines = NULL;
        json_array_foreach(all, i, c)
        {
                if (streq(str(c, "Id"), container_id))
                        return peers_of(all, c, ret_lines);
        }
        return 0;
}

/* Rewrite c's hosts file (netfiles.h) with its networks' other members,
 * if it runs. */
static void hosts_write(Engine *e, json_t *all, json_t *c)
{
        _cleanup_strv_ char **peers = NULL;
        const char *ip = "", *net;
        json_t *ep;

        if (!json_is_true(json_object_get(json_object_get(c, "State"), "Running")) || peers_of(all, c, &peers) < 0)
                return;
        json_object_foreach(endpoints(c), net, ep)
        {
                if (!*ip)
                        ip = str(ep, "IPAddress");
        }
        ERROR_IGNORE(netfiles_write_hosts(e, str(c, "Id"), c, ip, peers, &ign_));
}

void engine_network_members_changed(Engine *e, const char *container_id)
{
        _cleanup_close_ int lock = nets_lock(e, NULL);
        _cleanup_json_ json_t *all = container_records(e);
        json_t *c;
        size_t i;

        /* every hosts file husk made: the container may have left a
         * network, whose members its record no longer names */
        (void)container_id;
        json_array_foreach(all, i, c)
        {
                hosts_write(e, all, c);
        }
}
