/* Container networking: -p parsing, network namespaces, IPAM, and the
 * setup and teardown that tie links (link.c) and rules (nft.c) together.
 * See net.h. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"
#include "net/net-internal.h"

/* ---- -p ---- */

/* "80" or "8000-8010": first and last. */
static int parse_range(const char *s, size_t len, uint16_t *first, uint16_t *last)
{
        char buf[16], *dash, *end;
        unsigned long a, b;

        if (len == 0 || len >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = 0;
        dash = strchr(buf, '-');
        if (dash)
                *dash = 0;
        errno = 0;
        a = strtoul(buf, &end, 10);
        if (errno || *end || buf[0] == 0 || a > 65535)
                return -EINVAL;
        b = a;
        if (dash) {
                b = strtoul(dash + 1, &end, 10);
                if (errno || *end || dash[1] == 0 || b > 65535 || b < a)
                        return -EINVAL;
        }
        *first = (uint16_t)a;
        *last = (uint16_t)b;
        return 0;
}

int net_parse_publish(const char *spec, NetPort **ports, size_t *n_ports, Error **ret_err)
{
        _cleanup_free_ char *copy = strdup(spec);
        char *proto = NULL, *parts[3] = { 0 }, *p, *slash;
        const char *ip = "", *hp = "";
        uint16_t hf = 0, hl = 0, cf, cl;
        size_t n = 0;
        NetPort *v;

        if (!copy)
                return error_set(ret_err, ENOMEM, "-p");
        slash = strrchr(copy, '/');
        if (slash) {
                *slash = 0;
                proto = slash + 1;
                if (!streq(proto, "tcp") && !streq(proto, "udp"))
                        return error_setx(ret_err, EINVAL, "invalid proto: %s", proto);
        }
        for (p = copy; n < 3; n++) {
                char *colon = strchr(p, ':');
                parts[n] = p;
                if (!colon)
                        break;
                *colon = 0;
                p = colon + 1;
        }
        if (n == 3)
                return error_setx(ret_err, EINVAL, "invalid port format for --publish: %s", spec);
        if (n == 2) {
                ip = parts[0];
                hp = parts[1];
        } else if (n == 1)
                hp = parts[0];
        if (parse_range(parts[n], strlen(parts[n]), &cf, &cl) < 0 || cf == 0)
                return error_setx(ret_err, EINVAL, "invalid containerPort: %s", parts[n]);
        if (*hp && (parse_range(hp, strlen(hp), &hf, &hl) < 0 || hf == 0))
                return error_setx(ret_err, EINVAL, "invalid hostPort: %s", hp);
        if (*hp && hl - hf != cl - cf)
                return error_setx(ret_err, EINVAL, "invalid ranges specified for container and host Ports: %s and %s",
                                  parts[n], hp);
        if (*ip) {
                struct in_addr a;
                if (inet_pton(AF_INET, ip, &a) != 1)
                        return error_setx(ret_err, EINVAL, "invalid IP address: %s", ip);
                if (a.s_addr == 0)
                        ip = ""; /* 0.0.0.0: every address */
        }
        v = realloc(*ports, (*n_ports + (size_t)(cl - cf) + 1) * sizeof(NetPort));
        if (!v)
                return error_set(ret_err, ENOMEM, "-p");
        *ports = v;
        for (unsigned k = 0; k <= (unsigned)(cl - cf); k++) {
                NetPort *np = &v[(*n_ports)++];
                memset(np, 0, sizeof(*np));
                snprintf(np->host_ip, sizeof(np->host_ip), "%s", ip);
                snprintf(np->proto, sizeof(np->proto), "%s", proto ? proto : "tcp");
                np->container_port = (uint16_t)(cf + k);
                np->host_port = *hp ? (uint16_t)(hf + k) : 0;
        }
        return 0;
}

void net_default_network(NetNetwork *ret)
{
        const char *s = getenv("HUSK_BRIDGE_SUBNET");

        *ret = (NetNetwork){ .name = "bridge", .bridge = "husk0", .subnet = s && *s ? s : "10.88.0.0/16" };
}

void net_attachment_clear(NetAttachment *a)
{
        free(a->ports);
        memset(a, 0, sizeof(*a));
}

/* ---- network namespaces ---- */

int net_netns_create(const char *path, Error **ret_err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        int status;
        pid_t pid;

        if (fd < 0)
                return error_set(ret_err, errno, "create %s", path);
        pid = fork();
        if (pid < 0) {
                (void)unlink(path);
                return error_set(ret_err, errno, "fork");
        }
        if (pid == 0) /* same mount namespace: the bind mount is ours too */
                _exit(unshare(CLONE_NEWNET) < 0 || mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0);
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                (void)unlink(path);
                return error_setx(ret_err, EIO, "make a network namespace at %s", path);
        }
        return 0;
}

int net_netns_remove(const char *path)
{
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return -errno;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* ---- state: lock, leases, records ---- */

static int state_lock(const char *state_dir, Error **ret_err)
{
        _cleanup_free_ char *lock = path_join(state_dir, "lock"), *leases = path_join(state_dir, "leases"),
                            *recs = path_join(state_dir, "containers");
        int fd;

        if (!lock || !leases || !recs)
                return error_set(ret_err, ENOMEM, "network state");
        if (mkdir_p(leases, 0700) < 0 || mkdir_p(recs, 0700) < 0)
                return error_set(ret_err, errno, "create %s", state_dir);
        fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_set(ret_err, errno, "open %s", lock);
        if (flock(fd, LOCK_EX) < 0) {
                int e = errno;
                close(fd);
                return error_set(ret_err, e, "lock %s", lock);
        }
        return fd;
}

/* The network's lease directory, malloc'd. */
static char *leases_dir(const char *state_dir, const NetNetwork *nw)
{
        char *p = NULL;

        if (!nw->id)
                return path_join(state_dir, "leases");
        return asprintf(&p, "%s/networks/%s/leases", state_dir, nw->id) < 0 ? NULL : p;
}

typedef struct Subnet {
        uint32_t base; /* host order */
        int prefix;
} Subnet;

static uint32_t subnet_size(const Subnet *sn)
{
        return sn->prefix == 0 ? 0 : 1u << (32 - sn->prefix);
}

static bool subnet_contains(const Subnet *sn, uint32_t a)
{
        return (a & (sn->prefix ? ~0u << (32 - sn->prefix) : 0)) == sn->base;
}

static int parse_cidr(const char *s, int min_prefix, Subnet *ret)
{
        char buf[32], *slash;
        struct in_addr a;
        int pl;

        snprintf(buf, sizeof(buf), "%s", s);
        slash = strchr(buf, '/');
        if (!slash || parse_int(slash + 1, &pl) < 0 || pl < min_prefix || pl > 30)
                return -EINVAL;
        *slash = 0;
        if (inet_pton(AF_INET, buf, &a) != 1)
                return -EINVAL;
        ret->prefix = pl;
        ret->base = ntohl(a.s_addr) & (pl ? ~0u << (32 - pl) : 0);
        return 0;
}

static int parse_subnet(const char *s, Subnet *ret, Error **ret_err)
{
        if (parse_cidr(s, 8, ret) < 0)
                return error_setx(ret_err, EINVAL, "invalid subnet %s (want a.b.c.d/8..30)", s);
        return 0;
}

static int parse_ip(const char *s, uint32_t *ret)
{
        struct in_addr a;

        if (!s || inet_pton(AF_INET, s, &a) != 1)
                return -EINVAL;
        *ret = ntohl(a.s_addr);
        return 0;
}

static void ip_string(uint32_t host_order, char out[16])
{
        struct in_addr a = { .s_addr = htonl(host_order) };
        inet_ntop(AF_INET, &a, out, 16);
}

int net_network_check(const NetNetwork *nw, char ret_gateway[16], Error **ret_err)
{
        char base[16], addr[16];
        Subnet sn, range;
        uint32_t gw = 0;

        if (parse_subnet(nw->subnet, &sn, ret_err) < 0)
                return -EINVAL;
        /* no host bits: they would be the bridge's address, or nothing */
        snprintf(addr, sizeof(addr), "%.*s", (int)(strchr(nw->subnet, '/') - nw->subnet), nw->subnet);
        ip_string(sn.base, base);
        if (!streq(addr, base))
                return error_setx(ret_err, EINVAL, "invalid subnet %s: it should be %s/%d", nw->subnet, base,
                                  sn.prefix);
        if (nw->gateway && *nw->gateway) {
                if (parse_ip(nw->gateway, &gw) < 0)
                        return error_setx(ret_err, EINVAL, "invalid gateway address %s", nw->gateway);
                if (!subnet_contains(&sn, gw) || gw == sn.base || gw == sn.base + subnet_size(&sn) - 1)
                        return error_setx(ret_err, EINVAL, "no matching subnet for gateway %s", nw->gateway);
        } else
                gw = sn.base + 1;
        if (nw->ip_range && *nw->ip_range) {
                if (parse_cidr(nw->ip_range, 8, &range) < 0)
                        return error_setx(ret_err, EINVAL, "invalid CIDR address: %s", nw->ip_range);
                if (range.prefix < sn.prefix || !subnet_contains(&sn, range.base))
                        return error_setx(ret_err, EINVAL, "no matching subnet for range %s", nw->ip_range);
        }
        ip_string(gw, ret_gateway);
        return 0;
}

bool net_subnets_overlap(const char *a, const char *b)
{
        Subnet x, y;

        if (parse_cidr(a, 0, &x) < 0 || parse_cidr(b, 0, &y) < 0)
                return false;
        /* two prefixes overlap when the shorter one contains the other */
        return x.prefix <= y.prefix ? subnet_contains(&x, y.base) : subnet_contains(&y, x.base);
}

int net_subnet_next(char *const *taken, char ret[32], Error **ret_err)
{
        for (uint32_t third = 0; third < 256; third++) {
                char ip[16];
                bool used = false;

                ip_string((10u << 24) | (89u << 16) | (third << 8), ip);
                snprintf(ret, 32, "%s/24", ip);
                for (char *const *t = taken; t && *t && !used; t++)
                        used = net_subnets_overlap(ret, *t);
                if (!used)
                        return 0;
        }
        return error_setx(ret_err, ENOSPC,
                          "could not find an available, non-overlapping IPv4 address pool among the "
                          "defaults to assign to the network");
}

int net_ip_check(const NetNetwork *nw, const char *ip, Error **ret_err)
{
        char gw_s[16];
        uint32_t a, gw = 0;
        Subnet sn;
        int r;

        r = net_network_check(nw, gw_s, ret_err);
        if (r < 0)
                return r;
        (void)parse_subnet(nw->subnet, &sn, NULL);
        (void)parse_ip(gw_s, &gw);
        if (parse_ip(ip, &a) < 0)
                return error_setx(ret_err, EINVAL, "invalid IPv4 address: %s", ip);
        if (!subnet_contains(&sn, a) || a == sn.base || a == sn.base + subnet_size(&sn) - 1 || a == gw)
                return error_setx(ret_err, EINVAL, "no configured subnet or ip-range contain the IP address %s", ip);
        return 0;
}

/* An address for container `id` (`want`, or the lowest free one of the
 * range, the gateway, the network's address and its broadcast skipped),
 * its lease made with O_EXCL in `dir`. Called under the lock. */
static int lease_take(const char *dir, const Subnet *sn, const Subnet *range, uint32_t gw, const char *want,
                      const char *id, char ip[16], Error **ret_err)
{
        _cleanup_close_ int dfd = -EBADF;
        uint32_t size = subnet_size(range), last = sn->base + subnet_size(sn) - 1;
        int r = 0;

        if (mkdir_p(dir, 0700) < 0)
                return error_set(ret_err, errno, "create %s", dir);
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return error_set(ret_err, errno, "open %s", dir);
        for (uint32_t h = 0; h < size; h++) {
                _cleanup_close_ int fd = -EBADF;
                uint32_t a = range->base + h;
                if (want) {
                        snprintf(ip, 16, "%s", want);
                        h = size; /* this one only */
                } else if (a == sn->base || a == last || a == gw)
                        continue;
                else
                        ip_string(a, ip);
                fd = openat(dfd, ip, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (fd < 0 && errno == EEXIST && !want)
                        continue;
                if (fd >= 0 && write_all(fd, id, strlen(id)) < 0) {
                        r = error_set(ret_err, errno, "lease %s", ip);
                        (void)unlinkat(dfd, ip, 0);
                } else if (fd < 0 && errno == EEXIST)
                        r = error_setx(ret_err, EADDRINUSE, "Address already in use");
                else if (fd < 0)
                        r = error_set(ret_err, errno, "lease %s", ip);
                /* no address is ours but a lease we made: the caller's
                 * undo drops what ip names */
                if (r < 0)
                        ip[0] = 0;
                return r;
        }
        ip[0] = 0;
        return error_setx(ret_err, ENOSPC, "no available IPv4 addresses on this network's address pools: %s", dir);
}

static void lease_drop(const char *dir, const char *ip)
{
        _cleanup_free_ char *p = path_join(dir, ip);

        if (p)
                (void)unlink(p);
}

/* containers/<id>.json for eth0, containers/<id>.<ifname>.json for the
 * others. */
static char *record_path(const char *state_dir, const char *id, const char *ifname)
{
        char *p = NULL;
        int r = !ifname || streq(ifname, "eth0") ? asprintf(&p, "%s/containers/%s.json", state_dir, id)
                                                 : asprintf(&p, "%s/containers/%s.%s.json", state_dir, id, ifname);

        return r < 0 ? NULL : p;
}

static json_t *ports_json(const NetPort *ports, size_t n)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, json_pack("{s:s,s:s,s:i,s:i}", "proto", ports[i].proto, "host_ip",
                                                   ports[i].host_ip, "host_port", ports[i].host_port, "container_port",
                                                   ports[i].container_port));
        return a;
}

static int ports_from_json(json_t *a, NetPort **ret, size_t *ret_n)
{
        size_t n = json_array_size(a);
        NetPort *v = calloc(n + 1, sizeof(NetPort));

        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_t *o = json_array_get(a, i);
                snprintf(v[i].proto, sizeof(v[i].proto), "%s", json_string_value(json_object_get(o, "proto")) ?: "tcp");
                snprintf(v[i].host_ip, sizeof(v[i].host_ip), "%s",
                         json_string_value(json_object_get(o, "host_ip")) ?: "");
                v[i].host_port = (uint16_t)json_integer_value(json_object_get(o, "host_port"));
                v[i].container_port = (uint16_t)json_integer_value(json_object_get(o, "container_port"));
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* Every port published by any container (records), for conflicts. */
static int ports_in_use(const char *state_dir, NetPort **ret, size_t *ret_n)
{
        _cleanup_free_ char *dir = path_join(state_dir, "containers");
        DIR *d = dir ? opendir(dir) : NULL;
        struct dirent *de;
        NetPort *all = NULL;
        size_t n = 0;

        *ret = NULL;
        *ret_n = 0;
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                NetPort *v = NULL, *m;
                size_t k = 0;
                json_t *rec;

                if (de->d_name[0] == '.' || asprintf(&p, "%s/%s", dir, de->d_name) < 0)
                        continue;
                rec = json_load_file(p, 0, NULL);
                if (rec && ports_from_json(json_object_get(rec, "ports"), &v, &k) == 0 && k > 0) {
                        m = realloc(all, (n + k) * sizeof(NetPort));
                        if (m) {
                                memcpy(m + n, v, k * sizeof(NetPort));
                                all = m;
                                n += k;
                        }
                }
                free(v);
                json_decref(rec);
        }
        closedir(d);
        *ret = all;
        *ret_n = n;
        return 0;
}

static bool ports_clash(const NetPort *a, const NetPort *b)
{
        return a->host_port == b->host_port && streq(a->proto, b->proto) &&
               (!a->host_ip[0] || !b->host_ip[0] || streq(a->host_ip, b->host_ip));
}

/* Whether something on this host listens on the port already. */
static bool port_bindable(const NetPort *p)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p->host_port) };
        _cleanup_close_ int fd = socket(AF_INET, (streq(p->proto, "udp") ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return true;
        if (p->host_ip[0])
                (void)inet_pton(AF_INET, p->host_ip, &sa.sin_addr);
        return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

/* Host ports for the container's ports: given ones checked, 0 ones chosen
 * from the ephemeral range as Docker does. */
static int ports_assign(const char *state_dir, NetPort *ports, size_t n, Error **ret_err)
{
        _cleanup_free_ NetPort *used = NULL;
        size_t n_used = 0;
        uint16_t next = 32768;

        (void)ports_in_use(state_dir, &used, &n_used);
        for (size_t i = 0; i < n; i++) {
                NetPort *p = &ports[i];
                bool chosen = p->host_port == 0;
                for (;;) {
                        bool clash = false;
                        if (chosen)
                                p->host_port = next++;
                        for (size_t k = 0; k < n_used && !clash; k++)
                                clash = ports_clash(p, &used[k]);
                        for (size_t k = 0; k < i && !clash; k++)
                                clash = ports_clash(p, &ports[k]);
                        if (!clash && port_bindable(p))
                                break;
                        if (!chosen)
                                return error_setx(ret_err, EADDRINUSE,
                                                  "driver failed programming external connectivity: Bind for "
                                                  "%s:%u failed: port is already allocated",
                                                  p->host_ip[0] ? p->host_ip : "0.0.0.0", p->host_port);
                        if (next >= 61000)
                                return error_setx(ret_err, EADDRINUSE, "no free host port for %u/%s", p->container_port,
                                                  p->proto);
                }
        }
        return 0;
}

/* ---- networks ---- */

/* Under the lock. rules: the network's rules even when its bridge and the
 * table were there. */
static int network_ensure(const NetNetwork *nw, const Subnet *sn, const char *gateway, bool rules, Error **ret_err)
{
        int made_link = link_ensure_bridge(nw->bridge, gateway, sn->prefix, ret_err), made_table;

        if (made_link < 0)
                return made_link;
        made_table = nft_ensure(ret_err);
        if (made_table < 0)
                return made_table;
        /* the network's rules go with its bridge: an nftables transaction
         * at each container start would cost more than the start's other
         * network work */
        if (rules || made_link || made_table)
                return nft_network_add(nw->bridge, nw->subnet, nw->internal, ret_err);
        return 0;
}

int net_network_ensure(const char *state_dir, const NetNetwork *nw, Error **ret_err)
{
        _cleanup_close_ int lock = -EBADF;
        char gw[16];
        Subnet sn;
        int r;

        r = net_network_check(nw, gw, ret_err);
        if (r < 0)
                return r;
        (void)parse_subnet(nw->subnet, &sn, NULL);
        lock = state_lock(state_dir, ret_err);
        if (lock < 0)
                return lock;
        /* the bridge goes with the network: never one that was not ours */
        r = link_exists(nw->bridge, ret_err);
        if (r != 0)
                return r < 0 ? r : error_setx(ret_err, EEXIST, "an interface named %s exists already", nw->bridge);
        r = network_ensure(nw, &sn, gw, true, ret_err);
        if (r < 0) {
                nft_network_remove(nw->bridge, nw->subnet, nw->internal);
                ERROR_IGNORE(link_delete(nw->bridge, &ign_));
        }
        return r;
}

int net_network_remove(const char *state_dir, const NetNetwork *nw, Error **ret_err)
{
        _cleanup_free_ char *leases = leases_dir(state_dir, nw), *dir = NULL;
        _cleanup_close_ int lock = -EBADF;
        int r;

        if (!nw->id || !leases)
                return error_setx(ret_err, EINVAL, "%s is a pre-defined network and cannot be removed", nw->name);
        lock = state_lock(state_dir, ret_err);
        if (lock < 0)
                return lock;
        nft_network_remove(nw->bridge, nw->subnet, nw->internal);
        r = link_delete(nw->bridge, ret_err);
        if (r < 0)
                return r;
        /* its leases are gone with its containers' teardowns */
        (void)rmdir(leases);
        dir = strndup(leases, strlen(leases) - strlen("/leases"));
        if (dir)
                (void)rmdir(dir);
        return 0;
}

/* ---- setup and teardown ---- */

/* delete: the veth pair now (the container's namespace stays); else off
 * the bridge, and deleted by the kernel with the namespace, which the
 * caller releases next. */
static void undo(const char *leases, const NetAttachment *a, size_t n_published, bool delete)
{
        for (size_t i = 0; i < n_published; i++)
                ERROR_IGNORE(nft_port(false, &a->ports[i], a->ip, &ign_));
        if (a->veth[0] && delete)
                ERROR_IGNORE(link_delete(a->veth, &ign_));
        else if (a->veth[0])
                ERROR_IGNORE(link_detach(a->veth, &ign_));
        if (a->ip[0] && leases)
                lease_drop(leases, a->ip);
}

/* The container's lowest ethN without a record. Under the lock. */
static char *free_ifname(const char *state_dir, const char *id, char ifname[16])
{
        for (int n = 0; n < 100; n++) {
                char *p;
                snprintf(ifname, 16, "eth%d", n);
                p = record_path(state_dir, id, ifname);
                if (!p || access(p, F_OK) < 0)
                        return p;
                free(p);
        }
        return NULL;
}

int net_setup(const char *state_dir, const NetNetwork *nw, const char *id, const char *netns_path, const char *ip,
              const NetPort *ports, size_t n_ports, NetAttachment *ret, Error **ret_err)
{
        _cleanup_close_ int lock = -EBADF, nsfd = -EBADF;
        _cleanup_free_ char *rec_path = NULL, *text = NULL, *leases = leases_dir(state_dir, nw);
        NetAttachment a = { 0 };
        Subnet sn = { 0 }, range;
        size_t published = 0;
        bool first;
        json_t *rec;
        uint32_t ipn, gw = 0;
        int r;

        snprintf(a.mac, sizeof(a.mac), "%s", ret->mac);
        memset(ret, 0, sizeof(*ret));
        if (!leases)
                return error_set(ret_err, ENOMEM, "network");
        r = net_network_check(nw, a.gateway, ret_err);
        if (r < 0)
                return r;
        if (ip && (r = net_ip_check(nw, ip, ret_err)) < 0)
                return r;
        (void)parse_subnet(nw->subnet, &sn, NULL);
        range = sn;
        if (nw->ip_range && *nw->ip_range)
                (void)parse_cidr(nw->ip_range, 8, &range);
        (void)parse_ip(a.gateway, &gw);
        nsfd = open(netns_path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return error_set(ret_err, errno, "open %s", netns_path);
        a.ports = calloc(n_ports + 1, sizeof(NetPort));
        if (!a.ports)
                return error_set(ret_err, ENOMEM, "network");
        if (n_ports)
                memcpy(a.ports, ports, n_ports * sizeof(NetPort));
        a.n_ports = n_ports;

        lock = state_lock(state_dir, ret_err);
        if (lock < 0) {
                net_attachment_clear(&a);
                return lock;
        }
        a.prefix_len = sn.prefix;
        rec_path = free_ifname(state_dir, id, a.ifname);
        if (!rec_path) {
                r = error_setx(ret_err, ENOSPC, "no free interface name");
                goto fail;
        }
        first = streq(a.ifname, "eth0");
        if (!first && a.n_ports) {
                /* published ports go to the first network's address */
                a.n_ports = 0;
        }
        r = network_ensure(nw, &sn, a.gateway, false, ret_err);
        if (r >= 0)
                r = ports_assign(state_dir, a.ports, a.n_ports, ret_err);
        if (r >= 0)
                r = lease_take(leases, &sn, &range, gw, ip, id, a.ip, ret_err);
        if (r < 0)
                goto fail;
        /* Docker's MAC: 02:42 and the address, unless the caller chose one */
        (void)inet_pton(AF_INET, a.ip, &ipn);
        ipn = ntohl(ipn);
        if (!a.mac[0])
                snprintf(a.mac, sizeof(a.mac), "02:42:%02x:%02x:%02x:%02x", ipn >> 24, (ipn >> 16) & 0xff,
                         (ipn >> 8) & 0xff, ipn & 0xff);
        if (first)
                snprintf(a.veth, sizeof(a.veth), "veth%.8s", id);
        else
                snprintf(a.veth, sizeof(a.veth), "veth%.8s.%.2s", id, a.ifname + 3);
        /* the default route through eth0, as Docker's through the first
         * network; none out of an internal network */
        r = link_add_veth(nw->bridge, a.veth, nsfd, a.ifname, a.mac, a.ip, sn.prefix,
                          first && !nw->internal ? a.gateway : NULL, ret_err);
        if (r < 0) {
                a.veth[0] = 0; /* link_add_veth removed it */
                goto fail;
        }
        for (; published < a.n_ports; published++) {
                r = nft_port(true, &a.ports[published], a.ip, ret_err);
                if (r < 0)
                        goto fail;
        }
        rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:o}", "network", nw->name, "bridge", nw->bridge, "ip",
                        a.ip, "veth", a.veth, "leases", leases, "ifname", a.ifname, "gateway", a.gateway, "internal",
                        nw->internal, "default_route", first && !nw->internal, "ports", ports_json(a.ports, a.n_ports));
        text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
        json_decref(rec);
        if (!text) {
                r = error_set(ret_err, ENOMEM, "network record");
                goto fail;
        }
        r = write_file_atomic(rec_path, text, strlen(text), 0600, ret_err);
        if (r < 0)
                goto fail;
        *ret = a;
        return 0;
fail:
        undo(leases, &a, published, !streq(a.ifname, "eth0"));
        net_attachment_clear(&a);
        return r;
}

/* Undo what the record at rec_path says, and remove it. Under the lock.
 * Whether the default route was through it. */
static bool teardown_record(const char *state_dir, const char *rec_path, bool delete)
{
        _cleanup_free_ char *leases = path_join(state_dir, "leases");
        NetAttachment a = { 0 };
        json_t *rec = json_load_file(rec_path, 0, NULL);
        bool route = json_is_true(json_object_get(rec, "default_route"));

        if (rec) {
                const char *l = json_string_value(json_object_get(rec, "leases"));
                if (l) { /* a record from before user-defined networks has none */
                        free(leases);
                        leases = strdup(l);
                }
                snprintf(a.ip, sizeof(a.ip), "%s", json_string_value(json_object_get(rec, "ip")) ?: "");
                snprintf(a.veth, sizeof(a.veth), "%s", json_string_value(json_object_get(rec, "veth")) ?: "");
                (void)ports_from_json(json_object_get(rec, "ports"), &a.ports, &a.n_ports);
                json_decref(rec);
        }
        undo(leases, &a, a.n_ports, delete);
        net_attachment_clear(&a);
        (void)unlink(rec_path);
        return route;
}

/* The default route went with an interface that left: through the first
 * of the container's other interfaces on a network that is not internal
 * now, as Docker moves the gateway. Under the lock. */
static void route_handover(const char *dir, const char *id, const char *netns_path)
{
        _cleanup_close_ int nsfd = open(netns_path, O_RDONLY | O_CLOEXEC);
        size_t idlen = strlen(id);
        struct dirent *de;
        DIR *d = nsfd >= 0 ? opendir(dir) : NULL;

        while (d && (de = readdir(d))) {
                _cleanup_free_ char *p = NULL, *text = NULL;
                json_t *rec;
                int r = -1;
                if (strncmp(de->d_name, id, idlen) != 0 || de->d_name[idlen] != '.' ||
                    !(p = path_join(dir, de->d_name)))
                        continue;
                rec = json_load_file(p, 0, NULL);
                if (rec && !json_is_true(json_object_get(rec, "internal"))) {
                        _cleanup_error_ Error *err = NULL;
                        r = link_default_route(nsfd, json_string_value(json_object_get(rec, "ifname")) ?: "",
                                               json_string_value(json_object_get(rec, "gateway")) ?: "", &err);
                        json_object_set_new(rec, "default_route", json_true());
                        text = r >= 0 ? json_dumps(rec, JSON_COMPACT) : NULL;
                        if (text)
                                ERROR_IGNORE(write_file_atomic(p, text, strlen(text), 0600, &ign_));
                }
                json_decref(rec);
                if (r >= 0)
                        break;
        }
        if (d)
                closedir(d);
}

/* Tear down the container's records (<id>.json, <id>.<ifname>.json):
 * all of them, or those of network `network` only. */
static int teardown_matching(const char *state_dir, const char *id, const char *network, const char *netns_path,
                             Error **ret_err)
{
        bool route = false;
        _cleanup_free_ char *dir = path_join(state_dir, "containers");
        _cleanup_close_ int lock = -EBADF;
        size_t idlen = strlen(id);
        struct dirent *de;
        DIR *d;

        if (!dir)
                return error_set(ret_err, ENOMEM, "network");
        d = opendir(dir);
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                json_t *rec;
                bool match = true;
                if (strncmp(de->d_name, id, idlen) != 0 || de->d_name[idlen] != '.')
                        continue;
                if (lock < 0) {
                        lock = state_lock(state_dir, ret_err);
                        if (lock < 0)
                                break;
                }
                p = path_join(dir, de->d_name);
                if (p && network) {
                        rec = json_load_file(p, 0, NULL);
                        match = rec && streq(json_string_value(json_object_get(rec, "network")) ?: "", network);
                        json_decref(rec);
                }
                /* a container leaving one network keeps running: its veth
                 * pair goes now */
                if (p && match)
                        route |= teardown_record(state_dir, p, network != NULL);
        }
        closedir(d);
        if (route && netns_path)
                route_handover(dir, id, netns_path);
        return lock < 0 && lock != -EBADF ? lock : 0;
}

int net_teardown(const char *state_dir, const char *id, Error **ret_err)
{
        return teardown_matching(state_dir, id, NULL, NULL, ret_err);
}

int net_teardown_network(const char *state_dir, const char *id, const char *network, const char *netns_path,
                         Error **ret_err)
{
        return teardown_matching(state_dir, id, network, netns_path, ret_err);
}
