/* The engine's side of networking: --network and -p/-P at create (spec
 * and record), and at each start and exit the container's network
 * namespace, its bridge attachment and published ports (src/net).
 *
 * A bridge container's network namespace is made by the engine, before the
 * runtime runs, and bind-mounted at <state>/netns/<id>; the spec names that
 * path, as podman does. Its network state lives under <state>/net. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/engine-internal.h"
#include "engine/netfiles.h"
#include "engine/network.h"
#include "engine/networks.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"
#include "net/net.h"

char *engine_netns_path(Engine *e, const char *id)
{
        char *p = NULL;

        return asprintf(&p, "%s/netns/%s", e->state, id) < 0 ? NULL : p;
}

static char *net_state_dir(Engine *e)
{
        return path_join(e->state, "net");
}

const char *engine_network_mode(const char *requested)
{
        const char *d;

        if (requested && *requested)
                return streq(requested, "default") ? "bridge" : requested;
        d = getenv("HUSK_DEFAULT_NETWORK");
        return d && *d ? d : "bridge";
}

/* Make spec join the network namespace at path (taken). 0 or -ENOMEM. */
static int spec_set_netns(Spec *spec, char *path)
{
        SpecNamespace *v;

        spec_namespace_remove(spec, NS_NET);
        v = realloc(spec->linux_.namespaces, (spec->linux_.n_namespaces + 1) * sizeof(SpecNamespace));
        if (!v) {
                free(path);
                return -ENOMEM;
        }
        spec->linux_.namespaces = v;
        v[spec->linux_.n_namespaces++] = (SpecNamespace){ .type = NS_NET, .path = path };
        return 0;
}

/* "80/tcp" from a NetPort's container side. */
static void port_key(const NetPort *p, char out[16])
{
        snprintf(out, 16, "%u/%s", p->container_port, p->proto);
}

bool engine_network_bridged(const char *mode)
{
        return mode && !streq(mode, "none") && !streq(mode, "host") && strncmp(mode, "container:", 10) != 0;
}

int engine_network_create(Engine *e, const char *id, const char *mode, const char *ip, char *const *aliases,
                          char *const *publish, bool publish_all, char *const *exposed, Spec *spec, json_t *rec,
                          Error **ret_err)
{
        _cleanup_free_ NetPort *ports = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_(json_decrefp) json_t *nrec = NULL;
        json_t *hc = json_object_get(rec, "HostConfig"), *bindings = json_object(), *ep;
        NetNetwork nw;
        size_t n = 0;
        int r;

        if (!streq(mode, "bridge") && !streq(mode, "none") && !streq(mode, "host") &&
            strncmp(mode, "container:", 10) != 0) {
                r = engine_net_resolve(e, mode, &nw, &nrec, ret_err);
                if (r < 0) {
                        json_decref(bindings);
                        return r;
                }
                mode = nw.name;
        }
        if ((ip && *ip) || (aliases && *aliases)) {
                const char *what = ip && *ip ? "user specified IP address is supported on user defined networks only"
                                             : "network-scoped alias is supported only for containers in user "
                                               "defined networks";
                if (!nrec) {
                        json_decref(bindings);
                        return error_setx(ret_err, EINVAL, "%s", what);
                }
                if (ip && *ip && (r = net_ip_check(&nw, ip, ret_err)) < 0) {
                        json_decref(bindings);
                        return r;
                }
        }
        for (char *const *p = publish; p && *p; p++)
                if (net_parse_publish(*p, &ports, &n, ret_err) < 0) {
                        json_decref(bindings);
                        return -EINVAL;
                }
        if ((n > 0 || publish_all) && !engine_network_bridged(mode)) {
                /* Docker drops them with a warning; a silent no-op would
                 * surprise more */
                json_decref(bindings);
                return error_setx(ret_err, EINVAL, "published ports need the bridge network, not --network %s", mode);
        }
        for (size_t i = 0; i < n; i++) {
                char key[16], hp[8];
                json_t *list;
                port_key(&ports[i], key);
                list = json_object_get(bindings, key);
                if (!list) {
                        list = json_array();
                        json_object_set_new(bindings, key, list);
                }
                snprintf(hp, sizeof(hp), "%u", ports[i].host_port);
                json_array_append_new(list, json_pack("{s:s,s:s}", "HostIp", ports[i].host_ip, "HostPort",
                                                      ports[i].host_port ? hp : ""));
        }
        if (publish_all)
                for (char *const *x = exposed; x && *x; x++) {
                        NetPort *np = NULL;
                        size_t k = 0;
                        if (json_object_get(bindings, *x))
                                continue;
                        if (net_parse_publish(*x, &np, &k, NULL) == 0 && k == 1)
                                json_object_set_new(bindings, *x,
                                                    json_pack("[{s:s,s:s}]", "HostIp", "", "HostPort", ""));
                        free(np);
                }
        json_object_set_new(hc, "NetworkMode", json_string(mode));
        json_object_set_new(hc, "PortBindings", bindings);
        json_object_set_new(hc, "PublishAllPorts", json_boolean(publish_all));
        /* NetworkSettings: filled in by engine_network_start (bridge), or
         * by inspect from the running container */

        if (streq(mode, "host"))
                spec_namespace_remove(spec, NS_NET);
        if (!engine_network_bridged(mode))
                return 0; /* container:X: engine_network_join_container */
        /* the networks it is on, each filled in at start */
        ep = engine_network_endpoint(nrec ? json_string_value(json_object_get(nrec, "Id")) : "bridge", ip, aliases);
        if (!ep)
                return error_set(ret_err, ENOMEM, "network");
        json_object_set_new(rec, "NetworkSettings", json_pack("{s:{s:o}}", "Networks", mode, ep));
        path = engine_netns_path(e, id);
        if (!path || spec_set_netns(spec, TAKE_PTR(path)) < 0)
                return error_set(ret_err, ENOMEM, "network");
        return 0;
}

int engine_network_join_container(Engine *e, json_t *xrec, Spec *spec, Error **ret_err)
{
        const char *xmode = json_string_value(json_object_get(json_object_get(xrec, "HostConfig"), "NetworkMode")),
                   *xid = json_string_value(json_object_get(xrec, "Id"));
        long long pid = json_integer_value(json_object_get(json_object_get(xrec, "State"), "Pid"));
        char *path = NULL;

        if (xmode && streq(xmode, "host")) {
                spec_namespace_remove(spec, NS_NET);
                return 0;
        }
        /* a bridge X's namespace is mounted for as long as it runs; any
         * other's is its init's */
        if (xmode && streq(xmode, "bridge") && xid)
                path = engine_netns_path(e, xid);
        else if (asprintf(&path, "/proc/%lld/ns/net", pid) < 0)
                path = NULL;
        if (!path || spec_set_netns(spec, path) < 0)
                return error_set(ret_err, ENOMEM, "network");
        return 0;
}

/* The ports a bridge container publishes, from its HostConfig. */
static int ports_of(json_t *hc, NetPort **ret, size_t *ret_n, Error **ret_err)
{
        json_t *bindings = json_object_get(hc, "PortBindings"), *list, *b;
        const char *key;
        size_t i;

        *ret = NULL;
        *ret_n = 0;
        json_object_foreach(bindings, key, list)
        {
                json_array_foreach(list, i, b)
                {
                        _cleanup_free_ char *spec = NULL;
                        const char *ip = json_string_value(json_object_get(b, "HostIp")) ?: "",
                                   *hp = json_string_value(json_object_get(b, "HostPort")) ?: "";
                        if (asprintf(&spec, "%s%s%s:%s", ip, *ip ? ":" : "", hp, key) < 0)
                                return error_set(ret_err, ENOMEM, "ports");
                        if (net_parse_publish(spec, ret, ret_n, ret_err) < 0)
                                return -EINVAL;
                }
        }
        return 0;
}

int engine_network_start(Engine *e, const char *id, json_t *rec, Error **ret_err)
{
        json_t *hc = json_object_get(rec, "HostConfig"), *settings, *pj, *nets, *ep;
        const char *mode = json_string_value(json_object_get(hc, "NetworkMode")) ?: "none", *name;
        _cleanup_free_ char *path = NULL, *dir = NULL;
        _cleanup_free_ NetPort *ports = NULL;
        const char *bridge = "";
        NetAttachment a = { 0 }, first = { 0 };
        char ip0[16] = "";
        bool done_first = false;
        size_t n = 0;
        int r;

        if (!engine_network_bridged(mode))
                return 0;
        path = engine_netns_path(e, id);
        dir = path_join(e->state, "netns");
        if (!path || !dir)
                return error_set(ret_err, ENOMEM, "network");
        r = ports_of(hc, &ports, &n, ret_err);
        if (r < 0)
                return r;
        if (mkdir_p(dir, 0700) < 0)
                return error_set(ret_err, errno, "create %s", dir);
        /* what a dead monitor left */
        engine_network_stop(e, id, NULL);
        r = net_netns_create(path, ret_err);
        if (r < 0)
                return r;
        settings = json_object_get(rec, "NetworkSettings");
        if (!json_is_object(settings)) {
                settings = json_object();
                json_object_set_new(rec, "NetworkSettings", settings);
        }
        nets = json_object_get(settings, "Networks");
        if (!json_is_object(nets) || json_object_size(nets) == 0) {
                nets = json_pack("{s:o}", mode, engine_network_endpoint("bridge", NULL, NULL));
                json_object_set_new(settings, "Networks", nets);
        }
        /* --mac-address (checked at create): eth0's */
        snprintf(a.mac, sizeof(a.mac), "%s",
                 json_string_value(json_object_get(json_object_get(rec, "Config"), "MacAddress")) ?: "");
        json_object_foreach(nets, name, ep)
        {
                r = engine_network_join(e, id, name, ep, done_first ? NULL : ports, done_first ? 0 : n, &a, ret_err);
                if (r < 0) {
                        net_attachment_clear(&first);
                        engine_network_stop(e, id, NULL);
                        return r;
                }
                if (done_first) {
                        net_attachment_clear(&a);
                        continue;
                }
                first = a;
                memset(&a, 0, sizeof(a));
                done_first = true;
                snprintf(ip0, sizeof(ip0), "%s", first.ip);
                /* the top-level fields are the default network's, as Docker's */
                if (streq(name, "bridge")) {
                        NetNetwork def;
                        net_default_network(&def);
                        bridge = def.bridge;
                } else
                        first.ip[0] = first.gateway[0] = first.mac[0] = 0, first.prefix_len = 0;
        }
        pj = json_object();
        for (size_t i = 0; i < first.n_ports; i++) {
                char key[16], hp[8];
                json_t *list;
                port_key(&first.ports[i], key);
                list = json_object_get(pj, key);
                if (!list) {
                        list = json_array();
                        json_object_set_new(pj, key, list);
                }
                snprintf(hp, sizeof(hp), "%u", first.ports[i].host_port);
                json_array_append_new(list, json_pack("{s:s,s:s}", "HostIp",
                                                      first.ports[i].host_ip[0] ? first.ports[i].host_ip : "0.0.0.0",
                                                      "HostPort", hp));
        }
        json_object_set_new(settings, "Bridge", json_string(bridge));
        json_object_set_new(settings, "IPAddress", json_string(first.ip));
        json_object_set_new(settings, "Gateway", json_string(first.gateway));
        json_object_set_new(settings, "IPPrefixLen", json_integer(first.prefix_len));
        json_object_set_new(settings, "MacAddress", json_string(first.mac));
        json_object_set_new(settings, "SandboxKey", json_string(path));
        json_object_set_new(settings, "Ports", pj);
        net_attachment_clear(&first);
        /* the address is known now: "<ip> <hostname>" in its hosts file,
         * with its networks' other members */
        r = netfiles_write(e, id, rec, ip0, ret_err);
        if (r < 0)
                engine_network_stop(e, id, rec);
        return r;
}

void engine_network_stop(Engine *e, const char *id, json_t *rec)
{
        _cleanup_free_ char *path = engine_netns_path(e, id), *state = net_state_dir(e);
        json_t *settings = json_object_get(rec, "NetworkSettings");

        if (state)
                ERROR_IGNORE(net_teardown(state, id, &ign_));
        if (path)
                (void)net_netns_remove(path);
        if (settings) {
                json_t *nets = json_object_get(settings, "Networks");
                const char *k;
                json_t *v;
                json_object_set_new(settings, "IPAddress", json_string(""));
                json_object_set_new(settings, "Gateway", json_string(""));
                json_object_set_new(settings, "MacAddress", json_string(""));
                json_object_set_new(settings, "IPPrefixLen", json_integer(0));
                json_object_set_new(settings, "SandboxKey", json_string(""));
                json_object_set_new(settings, "Ports", json_object());
                json_object_foreach(nets, k, v)
                {
                        json_object_set_new(v, "EndpointID", json_string(""));
                        json_object_set_new(v, "IPAddress", json_string(""));
                        json_object_set_new(v, "IPPrefixLen", json_integer(0));
                        json_object_set_new(v, "Gateway", json_string(""));
                        json_object_set_new(v, "MacAddress", json_string(""));
                }
        }
}

/* Replace the record's NetworkSettings with `settings` (stolen), under the
 * lock, if the record is still there. */
static void save_settings(Engine *e, const char *id, json_t *settings)
{
        _cleanup_free_ char *p = engine_path(e, id, "container.json");
        json_t *rec;

        if (!p || engine_lock(e, NULL) < 0) {
                json_decref(settings);
                return;
        }
        rec = json_load_file(p, 0, NULL);
        if (rec && settings) {
                json_object_set(rec, "NetworkSettings", settings);
                ERROR_IGNORE(engine_save(e, id, rec, &ign_));
        }
        json_decref(rec);
        json_decref(settings);
        engine_unlock(e);
}

/* Whether one of the container's networks is user-defined: other
 * containers may have its name in their hosts files. */
static bool on_user_network(json_t *rec)
{
        const char *k;
        json_t *v;

        json_object_foreach(json_object_get(json_object_get(rec, "NetworkSettings"), "Networks"), k, v)
        {
                if (!streq(k, "bridge"))
                        return true;
        }
        return false;
}

static bool is_bridge(json_t *rec)
{
        return engine_network_bridged(
                json_string_value(json_object_get(json_object_get(rec, "HostConfig"), "NetworkMode")));
}

int engine_network_up(Engine *e, const char *id, Error **ret_err)
{
        json_t *rec = NULL;
        int r = engine_load(e, id, &rec, ret_err);

        if (r < 0)
                return r;
        if (!is_bridge(rec)) {
                /* the host's files may have changed since the last start */
                r = netfiles_write(e, id, rec, NULL, ret_err);
                json_decref(rec);
                return r;
        }
        r = engine_network_start(e, id, rec, ret_err);
        if (r >= 0) {
                save_settings(e, id, json_incref(json_object_get(rec, "NetworkSettings")));
                if (on_user_network(rec))
                        engine_network_members_changed(e, id);
        }
        json_decref(rec);
        return r;
}

void engine_network_down(Engine *e, const char *id)
{
        json_t *rec = NULL;

        if (engine_load(e, id, &rec, NULL) < 0) {
                engine_network_stop(e, id, NULL);
                return;
        }
        if (!is_bridge(rec)) {
                json_decref(rec);
                return;
        }
        engine_network_stop(e, id, rec);
        save_settings(e, id, json_incref(json_object_get(rec, "NetworkSettings")));
        if (on_user_network(rec))
                engine_network_members_changed(e, id);
        json_decref(rec);
}
