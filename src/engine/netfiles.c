/* A container's /etc/resolv.conf, /etc/hosts and /etc/hostname (see
 * netfiles.h), and Docker's checks of the flags that shape them.
 *
 * The files are bind-mounted into the container, so they are rewritten in
 * place (truncated, then written): a rename would leave the container on
 * the old inode. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/netfiles.h"
#include "engine/networks.h"
#include "lib/macros.h"
#include "lib/util.h"
#include "net/net.h"

#define RESOLV_DEFAULT "/etc/resolv.conf"
#define HOSTS_HOST     "/etc/hosts"

/* ---- checks ---------------------------------------------------------------- */

static bool is_container_mode(const char *mode)
{
        return strncmp(mode, "container:", 10) == 0;
}

static bool ip_valid(const char *s)
{
        unsigned char buf[16];

        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Docker's domain syntax for --dns-search: labels of letters, digits and
 * inner dashes, dot-separated, an optional final dot; "." alone too. */
static bool domain_valid(const char *s)
{
        size_t n = strlen(s), label = 0;

        if (streq(s, "."))
                return true;
        if (n == 0 || n > 255)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (c == '.') {
                        if (label == 0 || s[i - 1] == '-')
                                return false;
                        label = 0;
                } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           (c == '-' && label > 0))
                        label++;
                else
                        return false;
        }
        return s[n - 1] != '-';
}

/* "name:ip" or "name=ip" (the address may be IPv6, in brackets or not, or
 * "host-gateway"): the parts in name/ip, or -EINVAL with Docker's message. */
static int add_host_split(const char *s, char name[256], char ip[64], Error **ret_err)
{
        const char *sep = strchr(s, '=');
        size_t nlen, ilen;

        if (!sep)
                sep = strchr(s, ':');
        nlen = sep ? (size_t)(sep - s) : 0;
        if (!sep || nlen == 0 || nlen >= 256 || strpbrk(s, " \t\n"))
                return error_setx(ret_err, EINVAL, "bad format for add-host: \"%s\"", s);
        memcpy(name, s, nlen);
        name[nlen] = 0;
        sep++;
        ilen = strlen(sep);
        if (ilen >= 2 && sep[0] == '[' && sep[ilen - 1] == ']')
                sep++, ilen -= 2;
        if (ilen >= 64)
                return error_setx(ret_err, EINVAL, "invalid IP address in add-host: \"%s\"", sep);
        memcpy(ip, sep, ilen);
        ip[ilen] = 0;
        if (!streq(ip, "host-gateway") && !ip_valid(ip))
                return error_setx(ret_err, EINVAL, "invalid IP address in add-host: \"%s\"", ip);
        return 0;
}

static int hex_digit(char c)
{
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
}

/* aa:bb:cc:dd:ee:ff (or with dashes), unicast: lower case with colons in
 * out. */
static bool mac_parse(const char *s, char out[18])
{
        unsigned char b[6];

        if (strlen(s) != 17 || (s[2] != ':' && s[2] != '-'))
                return false;
        for (int i = 0; i < 6; i++) {
                int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);
                if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != s[2]))
                        return false;
                b[i] = (unsigned char)(hi << 4 | lo);
        }
        /* the kernel refuses a multicast address for an interface */
        if (b[0] & 1)
                return false;
        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
        return true;
}

int netfiles_validate(const EngineCreateOpts *o, const char *mode, Error **ret_err)
{
        bool shared = is_container_mode(mode);
        char name[256], ip[64], mac[18];

        if (shared && !mode[10])
                return error_setx(ret_err, EINVAL,
                                  "Invalid network mode: invalid container format container:<name|id>");
        /* runconfig's validateNetContainerMode, in its order */
        if (shared && o->hostname && *o->hostname)
                return error_setx(ret_err, EINVAL, "conflicting options: hostname and the network mode");
        if (shared && o->dns && *o->dns)
                return error_setx(ret_err, EINVAL, "conflicting options: dns and the network mode");
        if (shared && o->add_hosts && *o->add_hosts)
                return error_setx(ret_err, EINVAL,
                                  "conflicting options: custom host-to-IP mapping and the network mode");
        if ((shared || streq(mode, "host")) && o->mac_address && *o->mac_address)
                return error_setx(ret_err, EINVAL, "conflicting options: mac-address and the network mode");
        if (shared && ((o->publish && *o->publish) || o->publish_all))
                return error_setx(ret_err, EINVAL,
                                  "conflicting options: port publishing and the container type network mode");
        for (char *const *d = o->dns; d && *d; d++)
                if (!ip_valid(*d))
                        return error_setx(ret_err, EINVAL, "IP address is not correctly formatted: %s", *d);
        for (char *const *d = o->dns_search; d && *d; d++)
                if (!domain_valid(*d))
                        return error_setx(ret_err, EINVAL, "%s is not a valid domain", *d);
        for (char *const *h = o->add_hosts; h && *h; h++)
                if (add_host_split(*h, name, ip, ret_err) < 0)
                        return -EINVAL;
        if (o->mac_address && *o->mac_address && !mac_parse(o->mac_address, mac))
                return error_setx(ret_err, EINVAL, "%s is not a valid mac address", o->mac_address);
        if (o->ip && *o->ip) {
                /* the daemon's order: the network first, the address next */
                if (shared || streq(mode, "bridge") || streq(mode, "none") || streq(mode, "host"))
                        return error_setx(ret_err, EINVAL,
                                          "user specified IP address is supported on user defined networks only");
                if (inet_pton(AF_INET, o->ip, ip) != 1)
                        return error_setx(ret_err, EINVAL, "invalid IPv4 address: %s", o->ip);
        }
        return 0;
}

char *netfiles_hostname(const EngineCreateOpts *o, const char *mode, const char *id, json_t *xrec)
{
        char host[256] = "";

        if (o->hostname && *o->hostname)
                return strdup(o->hostname);
        if (xrec)
                return strdup(json_string_value(json_object_get(json_object_get(xrec, "Config"), "Hostname")) ?: "");
        if (streq(mode, "host") && gethostname(host, sizeof(host) - 1) == 0)
                return strdup(host);
        return strndup(id, 12);
}

/* ---- writing ---------------------------------------------------------------- */

/* Write `path` (made 0644 if missing) in place, since the container may
 * have it bind-mounted; not at all when it already says `text` (at every
 * start, mostly). Written first, then cut to length: ext4 flushes a file
 * truncated to zero when it is closed (its auto_da_alloc), a write to the
 * disk at every start. */
static int write_in_place(const char *path, const char *text, Error **ret_err)
{
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        size_t len = strlen(text), done = 0;
        struct stat st;

        if (fd < 0)
                return error_set(ret_err, errno, "open %s", path);
        if (fstat(fd, &st) < 0)
                return error_set(ret_err, errno, "stat %s", path);
        if ((uint64_t)st.st_size == len && len < 65536) {
                char old[65536];
                if (pread(fd, old, len, 0) == (ssize_t)len && memcmp(old, text, len) == 0 &&
                    (st.st_mode & 07777) == 0644)
                        return 0;
        }
        /* readable by the container's users whatever the umask */
        if ((st.st_mode & 07777) != 0644 && fchmod(fd, 0644) < 0)
                return error_set(ret_err, errno, "chmod %s", path);
        while (done < len) {
                ssize_t n = pwrite(fd, text + done, len - done, (off_t)done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return error_set(ret_err, n < 0 ? errno : EIO, "write %s", path);
                done += (size_t)n;
        }
        if (ftruncate(fd, (off_t)len) < 0)
                return error_set(ret_err, errno, "write %s", path);
        return 0;
}

/* A host file (its resolv.conf, its hosts) read whole; "" when there is
 * none. */
static int host_file(const char *path, char **ret, Error **ret_err)
{
        int r = read_full_file(path, ret, NULL, NULL);

        if (r == -ENOENT)
                return (*ret = strdup("")) ? 0 : error_set(ret_err, ENOMEM, "read %s", path);
        if (r < 0)
                return error_set(ret_err, -r, "read %s", path);
        return 0;
}

/* The host's resolv.conf: HUSK_RESOLV_CONF, else /etc/resolv.conf. */
static const char *resolv_source(void)
{
        const char *p = getenv("HUSK_RESOLV_CONF");

        return p && *p ? p : RESOLV_DEFAULT;
}

static bool ns_keep_legacy(const char *ns)
{
        unsigned char a[4];

        /* loopback only answers in the host's namespace; the bridge has no
         * IPv6 */
        if (inet_pton(AF_INET, ns, a) == 1)
                return a[0] != 127;
        return false;
}

/* Docker's resolv.conf for a container: the host's nameservers, last
 * search line and options (each replaced by the flags when given), other
 * lines kept; legacy: loopback and IPv6 nameservers dropped unless --dns
 * gave them, Google's when none is left. */
static int resolv_build(const char *host, bool legacy, char *const *dns, char *const *search, char *const *options,
                        char **ret)
{
        _cleanup_strv_ char **ns = NULL, **srch = NULL, **opts = NULL, **other = NULL;
        _cleanup_free_ char *copy = strdup(host), *buf = NULL;
        char *save = NULL;
        size_t len = 0;
        FILE *f;

        if (!copy)
                return -ENOMEM;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                _cleanup_free_ char *l = strdup(line);
                char *fs = NULL, *key = l ? strtok_r(l, " \t\r", &fs) : NULL, *w;

                if (!l)
                        return -ENOMEM;
                if (!key || key[0] == '#' || key[0] == ';')
                        continue;
                if (streq(key, "nameserver")) {
                        w = strtok_r(NULL, " \t\r", &fs);
                        if (w && ip_valid(w) && strv_push(&ns, w) < 0)
                                return -ENOMEM;
                } else if (streq(key, "search") || streq(key, "domain")) {
                        if (!(w = strtok_r(NULL, " \t\r", &fs)))
                                continue;
                        strv_free(srch);
                        srch = NULL;
                        for (; w; w = strtok_r(NULL, " \t\r", &fs))
                                if (strv_push(&srch, w) < 0)
                                        return -ENOMEM;
                } else if (streq(key, "options")) {
                        while ((w = strtok_r(NULL, " \t\r", &fs)))
                                if (strv_push(&opts, w) < 0)
                                        return -ENOMEM;
                } else if (strv_push(&other, line) < 0)
                        return -ENOMEM;
        }
        if (dns && *dns) {
                strv_free(ns);
                ns = strv_copy(dns);
        } else if (legacy) {
                char **kept = NULL;
                for (char **p = ns; p && *p; p++)
                        if (ns_keep_legacy(*p) && strv_push(&kept, *p) < 0) {
                                strv_free(kept);
                                return -ENOMEM;
                        }
                if (!kept && (strv_push(&kept, "8.8.8.8") < 0 || strv_push(&kept, "8.8.4.4") < 0)) {
                        strv_free(kept);
                        return -ENOMEM;
                }
                strv_free(ns);
                ns = kept;
        }
        if (search && *search) {
                strv_free(srch);
                srch = NULL;
                for (char *const *s = search; *s; s++)
                        if (!streq(*s, ".") && strv_push(&srch, *s) < 0)
                                return -ENOMEM;
        }
        if (options && *options) {
                strv_free(opts);
                opts = strv_copy(options);
        }

        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        for (char **p = ns; p && *p; p++)
                fprintf(f, "nameserver %s\n", *p);
        for (char **p = srch; p && *p; p++)
                fprintf(f, "%s%s%s", p == srch ? "search " : " ", *p, p[1] ? "" : "\n");
        for (char **p = opts; p && *p; p++)
                fprintf(f, "%s%s%s", p == opts ? "options " : " ", *p, p[1] ? "" : "\n");
        for (char **p = other; p && *p; p++)
                fprintf(f, "%s\n", *p);
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* The container's hostname from its record: Config.Hostname, which is
 * empty with --uts host, where the host's is the container's. */
static const char *rec_hostname(json_t *rec, char buf[256])
{
        const char *h = json_string_value(json_object_get(json_object_get(rec, "Config"), "Hostname"));

        if (h && *h)
                return h;
        buf[0] = 0;
        if (gethostname(buf, 255) < 0)
                buf[0] = 0;
        buf[255] = 0;
        return buf;
}

/* Append a JSON array's strings to *store: 0 or -ENOMEM. */
static int json_strv(json_t *a, char ***store)
{
        size_t i;
        json_t *v;

        json_array_foreach(a, i, v)
        {
                if (json_is_string(v) && strv_push(store, json_string_value(v)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The default bridge's gateway, what --add-host host-gateway means (as
 * dockerd's default --host-gateway-ip is docker0's address). */
static void bridge_gateway(char out[16])
{
        NetNetwork nw;
        char base[16] = "";
        struct in_addr a;

        net_default_network(&nw);
        snprintf(base, sizeof(base), "%.*s", (int)strcspn(nw.subnet, "/"), nw.subnet);
        out[0] = 0;
        if (inet_pton(AF_INET, base, &a) != 1)
                return;
        a.s_addr = htonl(ntohl(a.s_addr) + 1);
        inet_ntop(AF_INET, &a, out, 16);
}

int netfiles_write_hosts(Engine *e, const char *id, json_t *rec, const char *ip, char *const *extra, Error **ret_err)
{
        json_t *hc = json_object_get(rec, "HostConfig");
        const char *mode = json_string_value(json_object_get(hc, "NetworkMode")) ?: "none", *hostname;
        _cleanup_free_ char *path = engine_path(e, id, "hosts"), *buf = NULL;
        _cleanup_strv_ char **hosts = NULL;
        char gw[16] = "", hbuf[256];
        size_t len = 0;
        FILE *f;

        if (is_container_mode(mode))
                return 0;
        hostname = rec_hostname(rec, hbuf);
        if (!path || json_strv(json_object_get(hc, "ExtraHosts"), &hosts) < 0)
                return error_set(ret_err, ENOMEM, "hosts file");
        if (streq(mode, "host") && !hosts) {
                /* Docker's host mode: the host's file as it is */
                _cleanup_free_ char *text = NULL;
                int r = host_file(HOSTS_HOST, &text, ret_err);
                return r < 0 ? r : write_in_place(path, text, ret_err);
        }
        f = open_memstream(&buf, &len);
        if (!f)
                return error_set(ret_err, ENOMEM, "hosts file");
        fputs("127.0.0.1\tlocalhost\n"
              "::1\tlocalhost ip6-localhost ip6-loopback\n"
              "fe00::0\tip6-localnet\n"
              "ff00::0\tip6-mcastprefix\n"
              "ff02::1\tip6-allnodes\n"
              "ff02::2\tip6-allrouters\n",
              f);
        for (char **h = hosts; h && *h; h++) {
                char name[256], addr[64];
                if (add_host_split(*h, name, addr, NULL) < 0)
                        continue;
                if (streq(addr, "host-gateway")) {
                        if (!gw[0])
                                bridge_gateway(gw);
                        snprintf(addr, sizeof(addr), "%s", gw);
                }
                fprintf(f, "%s\t%s\n", addr, name);
        }
        if (ip && *ip) {
                /* Docker's: the name as given, and its first label when it
                 * has dots */
                size_t dot = strcspn(hostname, ".");
                if (hostname[dot])
                        fprintf(f, "%s\t%s %.*s\n", ip, hostname, (int)dot, hostname);
                else
                        fprintf(f, "%s\t%s\n", ip, hostname);
        }
        for (char *const *x = extra; x && *x; x++)
                fprintf(f, "%s\n", *x);
        if (fclose(f) != 0)
                return error_set(ret_err, ENOMEM, "hosts file");
        return write_in_place(path, buf, ret_err);
}

int netfiles_write(Engine *e, const char *id, json_t *rec, const char *ip, Error **ret_err)
{
        json_t *hc = json_object_get(rec, "HostConfig");
        const char *mode = json_string_value(json_object_get(hc, "NetworkMode")) ?: "none";
        _cleanup_free_ char *rpath = engine_path(e, id, "resolv.conf"), *hpath = engine_path(e, id, "hostname"),
                            *host = NULL, *resolv = NULL, *hostname = NULL;
        _cleanup_strv_ char **dns = NULL, **search = NULL, **options = NULL;
        char hbuf[256];
        int r;

        if (is_container_mode(mode))
                return 0;
        if (!rpath || !hpath || json_strv(json_object_get(hc, "Dns"), &dns) < 0 ||
            json_strv(json_object_get(hc, "DnsSearch"), &search) < 0 ||
            json_strv(json_object_get(hc, "DnsOptions"), &options) < 0 ||
            asprintf(&hostname, "%s\n", rec_hostname(rec, hbuf)) < 0)
                return error_set(ret_err, ENOMEM, "network files");
        r = host_file(resolv_source(), &host, ret_err);
        if (r < 0)
                return r;
        if (streq(mode, "host") && !dns && !search && !options)
                resolv = TAKE_PTR(host); /* Docker's host mode: as it is */
        else if ((r = resolv_build(host, !streq(mode, "host"), dns, search, options, &resolv)) < 0)
                return error_set(ret_err, -r, "resolv.conf");
        r = write_in_place(rpath, resolv, ret_err);
        if (r >= 0)
                r = write_in_place(hpath, hostname, ret_err);
        if (r >= 0) {
                /* its user-defined networks' other members, by name */
                _cleanup_strv_ char **peers = NULL;
                (void)engine_network_peers(e, id, &peers);
                r = netfiles_write_hosts(e, id, rec, ip, peers, ret_err);
        }
        return r;
}

/* ---- create ------------------------------------------------------------------ */

static bool has_mount(const Spec *spec, const char *dest)
{
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (spec->mounts[i].destination && streq(spec->mounts[i].destination, dest))
                        return true;
        return false;
}

/* Bind `source` on `dest` unless the user mounts something there. */
static int bind_file(Spec *spec, const char *source, const char *dest)
{
        char *opts[] = { "rbind", "rprivate", spec->root_readonly ? "ro" : NULL, NULL };
        SpecMount *v;

        if (!source || !*source || has_mount(spec, dest))
                return 0;
        v = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(SpecMount));
        if (!v)
                return -ENOMEM;
        spec->mounts = v;
        v = &v[spec->n_mounts];
        *v = (SpecMount){ .destination = strdup(dest), .type = strdup("bind"), .source = strdup(source) };
        v->options = strv_copy(opts);
        v->n_options = strv_length(v->options);
        spec->n_mounts++;
        return v->destination && v->type && v->source && v->options ? 0 : -ENOMEM;
}

static json_t *list_json(char *const *v)
{
        json_t *a = json_array();

        for (; a && v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

int netfiles_create(Engine *e, const char *id, const EngineCreateOpts *o, const char *mode, json_t *xrec, Spec *spec,
                    json_t *rec, Error **ret_err)
{
        static const char *const dests[] = { "/etc/resolv.conf", "/etc/hostname", "/etc/hosts" };
        static const char *const keys[] = { "ResolvConfPath", "HostnamePath", "HostsPath" };
        static const char *const files[] = { "resolv.conf", "hostname", "hosts" };
        json_t *hc = json_object_get(rec, "HostConfig");
        char *paths[3] = { 0 };
        int r = 0;

        json_object_set_new(hc, "Dns", list_json(o->dns));
        json_object_set_new(hc, "DnsOptions", list_json(o->dns_options));
        json_object_set_new(hc, "DnsSearch", list_json(o->dns_search));
        json_object_set_new(hc, "ExtraHosts", o->add_hosts && *o->add_hosts ? list_json(o->add_hosts) : json_null());
        if (o->mac_address && *o->mac_address) {
                char mac[18];
                if (mac_parse(o->mac_address, mac))
                        json_object_set_new(json_object_get(rec, "Config"), "MacAddress", json_string(mac));
        }

        for (size_t i = 0; i < 3; i++) {
                if (xrec)
                        paths[i] = strdup(json_string_value(json_object_get(xrec, keys[i])) ?: "");
                else
                        paths[i] = engine_path(e, id, files[i]);
                if (!paths[i]) {
                        r = error_set(ret_err, ENOMEM, "network files");
                        goto out;
                }
        }
        if (!xrec && (r = netfiles_write(e, id, rec, NULL, ret_err)) < 0)
                goto out;
        for (size_t i = 0; i < 3; i++) {
                json_object_set_new(rec, keys[i], json_string(paths[i]));
                if (bind_file(spec, paths[i], dests[i]) < 0) {
                        r = error_set(ret_err, ENOMEM, "network files");
                        goto out;
                }
        }
out:
        for (size_t i = 0; i < 3; i++)
                free(paths[i]);
        return r;
}
