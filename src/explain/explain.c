/* The /proc readings behind `husk ns`, `husk lsns` and `husk explain`
 * (explain.h). Each reading is kept next to the line that proves it: the
 * evidence lines quote the file read and what it said. */
#include "explain/explain.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

const char *const explain_ns_types[EXPLAIN_NS_TYPES] = { "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts" };

unsigned long long explain_ns_inode(pid_t pid, const char *type, char *link, size_t n)
{
        char path[64];
        struct stat st;
        ssize_t l;

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, type);
        if (link && n > 0) {
                l = readlink(path, link, n - 1);
                link[l > 0 ? l : 0] = 0;
        }
        if (stat(path, &st) < 0)
                return 0;
        return (unsigned long long)st.st_ino;
}

/* Runs of blanks to one space, in place (uid_map pads its columns). */
static char *squeeze(char *s)
{
        char *w = s;

        if (!s)
                return s;
        for (const char *r = s; *r; r++)
                if (!isblank((unsigned char)*r) || (w > s && w[-1] != ' '))
                        *w++ = isblank((unsigned char)*r) ? ' ' : *r;
        while (w > s && w[-1] == ' ')
                w--;
        *w = 0;
        return s;
}

/* A field of /proc/PID/status ("NSpid"), without its tabs, malloc'd. */
static char *status_field(pid_t pid, const char *key)
{
        _cleanup_free_ char *s = NULL;
        char path[64], *p, *end;
        size_t kl = strlen(key);

        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        if (read_full_file(path, &s, NULL, NULL) < 0)
                return NULL;
        for (p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
                        p += kl + 1;
                        while (*p == '\t' || *p == ' ')
                                p++;
                        end = strchrnul(p, '\n');
                        for (char *q = p; q < end; q++)
                                if (*q == '\t')
                                        *q = ' ';
                        return strndup(p, (size_t)(end - p));
                }
        return NULL;
}

json_t *explain_nspids(pid_t pid)
{
        _cleanup_free_ char *f = status_field(pid, "NSpid");
        json_t *a = json_array();
        char *p = f, *end;

        while (a && p && *p) {
                long v = strtol(p, &end, 10);
                if (end == p)
                        break;
                json_array_append_new(a, json_integer(v));
                p = end;
        }
        return a;
}

/* The option of record `rec` that decided namespace `type`: "--pid=host",
 * or "" when the record asked for nothing (the engine's default). */
static char *ns_flag(json_t *rec, const char *type)
{
        static const struct {
                const char *type, *key, *opt;
        } map[] = {
                { "pid", "PidMode", "--pid" },        { "net", "NetworkMode", "--network" },
                { "ipc", "IpcMode", "--ipc" },        { "uts", "UTSMode", "--uts" },
                { "user", "UsernsMode", "--userns" }, { "cgroup", "CgroupnsMode", "--cgroupns" },
        };
        json_t *hc = json_object_get(rec, "HostConfig");
        char *r = NULL;

        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                const char *v;
                if (!streq(map[i].type, type))
                        continue;
                v = json_string_value(json_object_get(hc, map[i].key));
                /* "private", "none", "bridge": what a container gets anyway */
                if (!v || !*v || streq(v, "private") || streq(v, "shareable") ||
                    (streq(type, "net") && (streq(v, "bridge") || streq(v, "none") || streq(v, "default"))))
                        break;
                if (asprintf(&r, "%s=%s", map[i].opt, v) < 0)
                        return NULL;
                return r;
        }
        return strdup("");
}

int explain_ns_table(pid_t pid, pid_t ref_pid, json_t *rec, json_t **ret, Error **ret_err)
{
        json_t *a;
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/ns", pid);
        if (access(path, F_OK) < 0)
                return error_set(ret_err, errno, "%s", path);
        a = json_array();
        if (!a)
                return error_set(ret_err, ENOMEM, "namespace table");
        for (size_t i = 0; i < EXPLAIN_NS_TYPES; i++) {
                const char *t = explain_ns_types[i];
                char link[128], ref_link[128];
                unsigned long long ino = explain_ns_inode(pid, t, link, sizeof(link));
                unsigned long long ref = explain_ns_inode(ref_pid, t, ref_link, sizeof(ref_link));
                _cleanup_free_ char *flag = NULL;

                if (ino == 0) /* a kernel without this type (time: 5.6) */
                        continue;
                flag = ns_flag(rec, t);
                json_array_append_new(a,
                                      json_pack("{s:s,s:s,s:I,s:s,s:I,s:s,s:s}", "type", t, "link", link, "inode",
                                                (json_int_t)ino, "ref_link", ref_link, "ref_inode", (json_int_t)ref,
                                                "state", ino == ref ? "SHARED" : "PRIVATE", "flag", flag ? flag : ""));
        }
        *ret = a;
        return 0;
}

/* ---- processes ---- */

static json_t *proc_json(pid_t pid)
{
        _cleanup_free_ char *stat = NULL, *cmd = NULL, *uid = NULL;
        char path[64], *c;
        size_t len = 0;
        int ppid = 0;
        json_t *ns;

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        if (read_full_file(path, &stat, NULL, NULL) < 0)
                return NULL;
        c = strrchr(stat, ')');
        if (!c || sscanf(c + 2, "%*c %d", &ppid) != 1)
                return NULL;
        snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
        if (read_full_file(path, &cmd, &len, NULL) < 0 || len == 0) {
                free(cmd);
                cmd = strdup("?");
        } else
                for (size_t i = 0; i + 1 < len; i++)
                        if (cmd[i] == 0)
                                cmd[i] = ' ';
                        else if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
                                cmd[i] = '?';
        uid = status_field(pid, "Uid");
        ns = explain_nspids(pid);
        return json_pack("{s:i,s:I,s:i,s:I,s:s,s:o}", "pid", pid, "nspid",
                         (json_int_t)json_integer_value(json_array_get(ns, json_array_size(ns) - 1)), "ppid", ppid,
                         "uid", (json_int_t)(uid ? strtoul(uid, NULL, 10) : 0), "command", cmd ? cmd : "?", "nspids",
                         ns);
}

/* ---- capabilities, seccomp ---- */

static json_t *cap_names(const char *hex)
{
        json_t *a = json_array();
        unsigned long long mask = hex ? strtoull(hex, NULL, 16) : 0;

        for (int i = 0; i < 64 && a; i++) {
                char *n;
                if (!(mask & (1ULL << i)))
                        continue;
                n = cap_to_name((cap_value_t)i);
                if (!n)
                        continue;
                for (char *q = n; *q; q++)
                        *q = (char)toupper((unsigned char)*q);
                json_array_append_new(a, json_string(n));
                cap_free(n);
        }
        return a;
}

static const char *seccomp_mode(const char *v)
{
        if (!v)
                return "unknown";
        return streq(v, "0") ? "disabled" : streq(v, "1") ? "strict" : streq(v, "2") ? "filter" : "unknown";
}

/* ---- cgroup ---- */

static char *cgroup_value(const char *dir, const char *file)
{
        _cleanup_free_ char *p = path_join(dir, file);
        char *v = NULL;

        if (!p || read_one_line(p, &v) < 0)
                return NULL;
        return v;
}

/* Whether v1's comma-joined controller list `ctl` ("cpu,cpuacct") has `name`. */
static bool has_controller(const char *ctl, const char *name)
{
        size_t l = strlen(name);

        for (const char *t = ctl; *t; t += strcspn(t, ",") + (t[strcspn(t, ",")] == ',')) {
                if (strncmp(t, name, l) == 0 && (t[l] == ',' || t[l] == 0))
                        return true;
        }
        return false;
}

/* v1 writes "no limit" as a page-rounded LONG_MAX */
static char *v1_limit(char *v)
{
        if (v && strtoull(v, NULL, 10) >= 0x7FFFFFFFFFFFF000ULL) {
                free(v);
                return strdup("max");
        }
        return v;
}

static json_t *cgroup_json(pid_t pid, json_t *evidence)
{
        _cleanup_free_ char *text = NULL, *v2 = NULL, *mem = NULL, *pids = NULL, *cpu = NULL, *memdir = NULL;
        _cleanup_free_ char *pidsdir = NULL, *cpudir = NULL;
        char path[64];
        int version = 2;

        snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return json_null();
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *ctl;
                if (!c2)
                        continue;
                *c2 = 0;
                ctl = c1 + 1;
                if (!*ctl || has_controller(ctl, "memory") || has_controller(ctl, "pids") || has_controller(ctl, "cpu"))
                        json_array_append_new(
                                evidence, json_sprintf("%s: %.*s:%s:%s", path, (int)(c1 - line), line, ctl, c2 + 1));
                if (!*ctl && !v2)
                        v2 = strdup(c2 + 1);
                /* v1 lists controllers, comma-joined: "cpu,cpuacct" */
                if (!memdir && has_controller(ctl, "memory") &&
                    asprintf(&memdir, "/sys/fs/cgroup/%s%s", ctl, c2 + 1) < 0)
                        memdir = NULL;
                if (!pidsdir && has_controller(ctl, "pids") &&
                    asprintf(&pidsdir, "/sys/fs/cgroup/%s%s", ctl, c2 + 1) < 0)
                        pidsdir = NULL;
                if (!cpudir && has_controller(ctl, "cpu") && asprintf(&cpudir, "/sys/fs/cgroup/%s%s", ctl, c2 + 1) < 0)
                        cpudir = NULL;
        }
        if (memdir || pidsdir || cpudir) {
                version = 1;
                mem = memdir ? v1_limit(cgroup_value(memdir, "memory.limit_in_bytes")) : NULL;
                pids = pidsdir ? cgroup_value(pidsdir, "pids.max") : NULL;
                if (cpudir) {
                        _cleanup_free_ char *q = cgroup_value(cpudir, "cpu.cfs_quota_us");
                        _cleanup_free_ char *p = cgroup_value(cpudir, "cpu.cfs_period_us");
                        if (q && p && asprintf(&cpu, "%s %s", streq(q, "-1") ? "max" : q, p) < 0)
                                cpu = NULL;
                }
        } else if (v2) {
                _cleanup_free_ char *dir = path_join("/sys/fs/cgroup", v2);
                mem = dir ? cgroup_value(dir, "memory.max") : NULL;
                pids = dir ? cgroup_value(dir, "pids.max") : NULL;
                cpu = dir ? cgroup_value(dir, "cpu.max") : NULL;
        }
        return json_pack("{s:i,s:s?,s:s?,s:s?,s:s?,s:s?}", "version", version, "path",
                         memdir    ? memdir
                         : pidsdir ? pidsdir
                                   : v2,
                         "memory_max", mem, "pids_max", pids, "cpu_max", cpu, "v2_path", v2);
}

/* ---- mounts ---- */

/* "overlay on / (rw,relatime), private" from a line of mountinfo:
 * "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
static char *mount_summary(const char *line, bool shared, bool slave)
{
        char opts[256] = "", fstype[64] = "", *r = NULL;
        const char *dash = strstr(line, " - "), *upper;
        int ul = 0;

        if (sscanf(line, "%*d %*d %*s %*s %*s %255s", opts) != 1 || !dash || sscanf(dash + 3, "%63s", fstype) != 1)
                return NULL;
        /* an overlay's writable layer: where its files are on the host */
        upper = strstr(dash, ",upperdir=");
        if (upper) {
                upper += strlen(",upperdir=");
                ul = (int)strcspn(upper, ", \n");
        }
        if (asprintf(&r, "%s on / (%s), %s%s%.*s", fstype, opts,
                     shared  ? "shared"
                     : slave ? "slave"
                             : "private",
                     upper ? ", upperdir " : "", ul, upper ? upper : "") < 0)
                return NULL;
        return r;
}

/* The root mount's line of /proc/PID/mountinfo and how its mounts
 * propagate: counts of shared, slave (master:) and private ones. */
static json_t *mounts_json(pid_t pid)
{
        _cleanup_free_ char *text = NULL, *root = NULL;
        char path[64];
        int n = 0, shared = 0, slave = 0, priv = 0;

        snprintf(path, sizeof(path), "/proc/%d/mountinfo", pid);
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return json_null();
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                char mp[4096];
                bool sh = strstr(line, " shared:") != NULL, sl = strstr(line, " master:") != NULL;
                n++;
                shared += sh;
                slave += sl;
                priv += !sh && !sl;
                if (sscanf(line, "%*d %*d %*s %*s %4095s", mp) == 1 && streq(mp, "/") && !root)
                        root = mount_summary(line, sh, sl);
        }
        return json_pack("{s:i,s:i,s:i,s:i,s:s?}", "count", n, "shared", shared, "slave", slave, "private", priv,
                         "root_line", root);
}

/* ---- network ---- */

static json_t *interfaces(pid_t pid)
{
        _cleanup_free_ char *text = NULL;
        char path[64];
        json_t *a = json_array();

        snprintf(path, sizeof(path), "/proc/%d/net/dev", pid);
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return a;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                char *colon = strchr(line, ':');
                while (*line == ' ')
                        line++;
                if (colon && colon > line && !strchr(line, '|'))
                        json_array_append_new(a, json_stringn(line, (size_t)(colon - line)));
        }
        return a;
}

/* What the kernel says of host link `name` (RTM_GETLINK in the caller's
 * network namespace): its index, its peer's index in the other namespace
 * (IFLA_LINK, what `ip link` prints as "@ifN") and the bridge it is
 * enslaved to (IFLA_MASTER). Returns 0 or -errno. One request, by hand:
 * this layer reads what the kernel reports and links neither src/net nor
 * libnl. */
static int link_info(const char *name, int *ret_index, int *ret_peer, int *ret_master)
{
        struct {
                struct nlmsghdr nh;
                struct ifinfomsg ifi;
                char attrs[64];
        } req = { 0 };
        _cleanup_close_ int fd = -EBADF;
        union {
                struct nlmsghdr nh;
                char buf[8192];
        } resp;
        struct rtattr *rta;
        size_t nl = strlen(name) + 1;
        ssize_t n;
        int len;

        if (nl > IFNAMSIZ)
                return -EINVAL;
        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
        req.nh.nlmsg_type = RTM_GETLINK;
        req.nh.nlmsg_flags = NLM_F_REQUEST;
        req.ifi.ifi_family = AF_UNSPEC;
        rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
        rta->rta_type = IFLA_IFNAME;
        rta->rta_len = (unsigned short)RTA_LENGTH(nl);
        memcpy(RTA_DATA(rta), name, nl);
        req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
        if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
                return -errno;
        n = recv(fd, &resp, sizeof(resp), 0);
        if (n < 0)
                return -errno;
        if (!NLMSG_OK(&resp.nh, (size_t)n) || resp.nh.nlmsg_type != RTM_NEWLINK)
                return resp.nh.nlmsg_type == NLMSG_ERROR ? -ENODEV : -EBADMSG;
        *ret_index = ((struct ifinfomsg *)NLMSG_DATA(&resp.nh))->ifi_index;
        *ret_peer = *ret_master = 0;
        len = (int)IFLA_PAYLOAD(&resp.nh);
        for (rta = IFLA_RTA(NLMSG_DATA(&resp.nh)); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
                if (rta->rta_type == IFLA_LINK && RTA_PAYLOAD(rta) >= sizeof(int))
                        memcpy(ret_peer, RTA_DATA(rta), sizeof(int));
                else if (rta->rta_type == IFLA_MASTER && RTA_PAYLOAD(rta) >= sizeof(int))
                        memcpy(ret_master, RTA_DATA(rta), sizeof(int));
        return 0;
}

/* The index of interface `name` in pid's network namespace, from
 * /proc/PID/net/dev_mcast ("index name users global address"), which
 * lists every interface that is up with a multicast address (an IPv4
 * interface joins all-hosts); 0 when it is not there. */
static int ifindex_inside(pid_t pid, const char *name)
{
        _cleanup_free_ char *text = NULL;
        char path[64], ifn[IFNAMSIZ + 1];
        int idx;

        snprintf(path, sizeof(path), "/proc/%d/net/dev_mcast", pid);
        if (read_full_file(path, &text, NULL, NULL) < 0)
                return 0;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                if (sscanf(line, "%d %16s", &idx, ifn) == 2 && streq(ifn, name))
                        return idx;
        return 0;
}

static json_t *ports_json(json_t *rec)
{
        json_t *ports = json_object_get(json_object_get(rec, "NetworkSettings"), "Ports"), *a = json_array(), *v;
        const char *k;

        json_object_foreach(ports, k, v)
        {
                size_t i;
                json_t *b;
                json_array_foreach(v, i, b)
                {
                        const char *ip = json_string_value(json_object_get(b, "HostIp"));
                        json_array_append_new(a, json_sprintf("%s:%s -> %s", ip && *ip ? ip : "0.0.0.0",
                                                              json_string_value(json_object_get(b, "HostPort")) ?: "?",
                                                              k));
                }
        }
        return a;
}

static json_t *network_json(pid_t pid, json_t *rec, const char *net_state, bool shared)
{
        const char *mode = json_string_value(json_object_get(json_object_get(rec, "HostConfig"), "NetworkMode"));
        const char *id = json_string_value(json_object_get(rec, "Id"));
        _cleanup_free_ char *path = NULL;
        json_t *n, *st = NULL;
        const char *veth = NULL, *bridge = NULL;
        int vi = 0, peer = 0, master = 0;

        if (net_state && id && asprintf(&path, "%s/containers/%s.json", net_state, id) >= 0)
                st = json_load_file(path, 0, NULL);
        if (st) {
                veth = json_string_value(json_object_get(st, "veth"));
                bridge = json_string_value(json_object_get(st, "bridge"));
        }
        if (veth && link_info(veth, &vi, &peer, &master) < 0)
                vi = peer = master = 0;
        n = json_pack("{s:s,s:o,s:s?,s:i,s:i,s:i,s:i,s:s?,s:i,s:s?,s:o,s:s?}", "mode",
                      mode     ? mode
                      : shared ? "host"
                               : "none",
                      "interfaces", interfaces(pid), "veth", veth, "veth_ifindex", vi, "veth_peer_ifindex", peer,
                      "veth_master_ifindex", master, "eth0_ifindex", ifindex_inside(pid, "eth0"), "bridge", bridge,
                      "bridge_ifindex", bridge ? (int)if_nametoindex(bridge) : 0, "ip",
                      json_string_value(json_object_get(st, "ip")), "ports", ports_json(rec), "record",
                      st ? path : NULL);
        json_decref(st);
        return n;
}

/* ---- the questions ---- */

static void add_ns_lines(json_t *ev, pid_t pid, const char *type, bool *ret_shared)
{
        char link[128], host[128];
        unsigned long long a = explain_ns_inode(pid, type, link, sizeof(link));
        unsigned long long b = explain_ns_inode(getpid(), type, host, sizeof(host));

        *ret_shared = a != 0 && a == b;
        json_array_append_new(ev, json_sprintf("/proc/%d/ns/%s -> %s", pid, type, link));
        json_array_append_new(ev, json_sprintf("host /proc/self/ns/%s -> %s", type, host));
}

static json_t *question(const char *key, const char *q, const char *answer, json_t *text, json_t *ev)
{
        return json_pack("{s:s,s:s,s:s,s:o,s:o}", "key", key, "question", q, "answer", answer, "text", text, "evidence",
                         ev);
}

static json_t *q_pid(pid_t pid, json_t *rec)
{
        json_t *ev = json_array(), *ns = explain_nspids(pid);
        _cleanup_free_ char *flag = ns_flag(rec, "pid"), *nsline = status_field(pid, "NSpid");
        json_int_t inner = json_integer_value(json_array_get(ns, json_array_size(ns) - 1));
        bool shared, by_flag = flag && *flag;

        json_decref(ns);
        add_ns_lines(ev, pid, "pid", &shared);
        json_array_append_new(ev, json_sprintf("/proc/%d/status NSpid: %s", pid, nsline ? nsline : "?"));
        if (by_flag)
                json_array_append_new(ev, json_sprintf("record: %s", flag));
        if (shared)
                return question("pid", "Can it see the host's processes?", "yes",
                                json_sprintf("Yes: it is in the host's PID namespace%s%s%s; its init is PID %d on "
                                             "both sides.",
                                             by_flag ? " (" : "", by_flag ? flag : "", by_flag ? ")" : "", pid),
                                ev);
        return question("pid", "Can it see the host's processes?", "no",
                        json_sprintf("No: it has a PID namespace of its own%s%s; host PID %d is PID %lld inside.",
                                     by_flag ? ", shared through " : "", by_flag ? flag : "", pid, (long long)inner),
                        ev);
}

static json_t *q_mnt(pid_t pid, json_t *mounts)
{
        json_t *ev = json_array();
        char path[64];
        struct stat st, host;
        bool shared, same_root;
        const char *rl = json_string_value(json_object_get(mounts, "root_line"));

        add_ns_lines(ev, pid, "mnt", &shared);
        snprintf(path, sizeof(path), "/proc/%d/root/", pid);
        same_root = stat(path, &st) == 0 && stat("/proc/self/root/", &host) == 0 && st.st_dev == host.st_dev &&
                    st.st_ino == host.st_ino;
        json_array_append_new(ev,
                              json_sprintf("stat /proc/%d/root: dev %u:%u ino %llu; host /proc/self/root: dev "
                                           "%u:%u ino %llu",
                                           pid, major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino,
                                           major(host.st_dev), minor(host.st_dev), (unsigned long long)host.st_ino));
        if (rl)
                json_array_append_new(ev, json_sprintf("/proc/%d/mountinfo: %s", pid, rl));
        json_array_append_new(ev, json_sprintf("/proc/%d/mountinfo: %lld mounts: %lld shared, %lld slave, %lld "
                                               "private",
                                               pid, json_integer_value(json_object_get(mounts, "count")),
                                               json_integer_value(json_object_get(mounts, "shared")),
                                               json_integer_value(json_object_get(mounts, "slave")),
                                               json_integer_value(json_object_get(mounts, "private"))));
        return question("mnt", "Which filesystem and mount table does it see?", shared ? "host" : "own",
                        json_sprintf("%s; its root is %s; %lld mounts, %lld of them propagating from the host "
                                     "(slave) and %lld to it (shared).",
                                     shared ? "The host's mount table" : "A mount table of its own",
                                     same_root ? "the host's /" : "not the host's /",
                                     json_integer_value(json_object_get(mounts, "count")),
                                     json_integer_value(json_object_get(mounts, "slave")),
                                     json_integer_value(json_object_get(mounts, "shared"))),
                        ev);
}

static json_t *q_user(pid_t pid, json_t *rec)
{
        json_t *ev = json_array(), *binds = json_object_get(json_object_get(rec, "HostConfig"), "Binds"), *b;
        _cleanup_free_ char *uidmap = NULL, *gidmap = NULL, *uid = NULL, *flag = ns_flag(rec, "user");
        char path[64];
        unsigned long inside = 0, outside = 0, count = 0;
        bool shared, identity;
        size_t i;

        add_ns_lines(ev, pid, "user", &shared);
        snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
        if (read_one_line(path, &uidmap) >= 0)
                json_array_append_new(ev, json_sprintf("%s: %s", path, squeeze(uidmap)));
        snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
        if (read_one_line(path, &gidmap) >= 0)
                json_array_append_new(ev, json_sprintf("%s: %s", path, squeeze(gidmap)));
        uid = status_field(pid, "Uid");
        json_array_append_new(ev, json_sprintf("/proc/%d/status Uid: %s", pid, uid ? uid : "?"));
        if (flag && *flag)
                json_array_append_new(ev, json_sprintf("record: %s", flag));
        if (uidmap)
                sscanf(uidmap, "%lu %lu %lu", &inside, &outside, &count);
        identity = inside == 0 && outside == 0 && count == 4294967295UL;
        json_array_foreach(binds, i, b)
        {
                const char *spec = json_string_value(b);
                _cleanup_free_ char *src = spec ? strndup(spec, strcspn(spec, ":")) : NULL;
                struct stat st;
                struct passwd *pw;
                if (!src || *src != '/' || stat(src, &st) < 0)
                        continue;
                pw = getpwuid(st.st_uid);
                json_array_append_new(ev, json_sprintf("bind %s: owned by uid %u (%s) on the host, written as uid "
                                                       "%lu by its root",
                                                       spec, (unsigned)st.st_uid, pw ? pw->pw_name : "?",
                                                       identity || inside != 0 ? 0UL : outside));
        }
        if (identity)
                return question("user", "Is its root the host's root?", "yes",
                                json_sprintf("Yes: %s, uid 0 inside is uid 0 on the host (uid_map 0 0 4294967295): "
                                             "what its root writes to a bind mount is owned by root on the host; "
                                             "capabilities and seccomp are what stand between them.",
                                             shared ? "no user namespace of its own" : "an identity uid map"),
                                ev);
        return question(
                "user", "Is its root the host's root?", "no",
                json_sprintf("No: uid %lu inside is uid %lu on the host (a range of %lu).", inside, outside, count),
                ev);
}

static json_t *q_net(pid_t pid, json_t *net)
{
        json_t *ev = json_array(), *ifs = json_object_get(net, "interfaces"), *ports = json_object_get(net, "ports");
        const char *veth = json_string_value(json_object_get(net, "veth"));
        const char *bridge = json_string_value(json_object_get(net, "bridge"));
        const char *ip = json_string_value(json_object_get(net, "ip"));
        const char *mode = json_string_value(json_object_get(net, "mode"));
        _cleanup_free_ char *names = NULL, *pl = NULL;
        size_t i;
        json_t *v;
        bool shared;
        FILE *f = NULL;
        size_t len;

        json_int_t eth0 = json_integer_value(json_object_get(net, "eth0_ifindex"));
        json_int_t peer = json_integer_value(json_object_get(net, "veth_peer_ifindex"));

        add_ns_lines(ev, pid, "net", &shared);
        f = open_memstream(&names, &len);
        json_array_foreach(ifs, i, v)
        {
                fprintf(f, "%s%s", i ? " " : "", json_string_value(v));
        }
        fclose(f);
        f = open_memstream(&pl, &len);
        json_array_foreach(ports, i, v)
        {
                fprintf(f, "%s%s", i ? ", " : "", json_string_value(v));
        }
        fclose(f);
        json_array_append_new(ev, json_sprintf("/proc/%d/net/dev: %s", pid, names ? names : ""));
        if (veth) {
                json_array_append_new(ev, json_sprintf("%s: veth %s, bridge %s, ip %s",
                                                       json_string_value(json_object_get(net, "record")), veth,
                                                       bridge ? bridge : "?", ip ? ip : "?"));
                json_array_append_new(ev, json_sprintf("netlink: %s ifindex %lld, peer ifindex %lld (IFLA_LINK), "
                                                       "master ifindex %lld (IFLA_MASTER); %s ifindex %lld",
                                                       veth, json_integer_value(json_object_get(net, "veth_ifindex")),
                                                       json_integer_value(json_object_get(net, "veth_peer_ifindex")),
                                                       json_integer_value(json_object_get(net, "veth_master_ifindex")),
                                                       bridge ? bridge : "?",
                                                       json_integer_value(json_object_get(net, "bridge_ifindex"))));
                json_array_append_new(ev, json_sprintf("/proc/%d/net/dev_mcast: eth0 ifindex %lld", pid,
                                                       json_integer_value(json_object_get(net, "eth0_ifindex"))));
        }
        if (pl && *pl)
                json_array_append_new(ev, json_sprintf("published: %s", pl));
        json_array_append_new(ev, json_sprintf("record: --network=%s", mode));
        if (shared)
                return question("net", "Which network stack does it use?", "host",
                                json_sprintf("The host's (--network=%s): every host interface (%s), no NAT.", mode,
                                             names ? names : ""),
                                ev);
        if (veth)
                return question("net", "Which network stack does it use?", "own",
                                json_sprintf("Its own: %s; eth0 (%s, ifindex %lld) %s %s on bridge %s on the host%s%s.",
                                             names ? names : "", ip ? ip : "?", eth0,
                                             eth0 && eth0 == peer ? "is the peer of" : "is not linked to", veth,
                                             bridge ? bridge : "?", pl && *pl ? "; published through NAT: " : "",
                                             pl ? pl : ""),
                                ev);
        return question(
                "net", "Which network stack does it use?", "own",
                json_sprintf("Its own (--network=%s): %s, nothing connects it to the host.", mode, names ? names : ""),
                ev);
}

int explain_container(pid_t pid, json_t *rec, const pid_t *pids, size_t n, const char *net_state, json_t **ret,
                      Error **ret_err)
{
        _cleanup_free_ char *capeff = NULL, *capbnd = NULL, *seccomp = NULL, *stat = NULL, *monitor_comm = NULL;
        json_t *x, *procs, *qs, *mounts, *net, *cgev = json_array();
        char path[64], *c;
        const char *name = json_string_value(json_object_get(rec, "Name"));
        int monitor = 0;
        bool net_shared;

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        if (read_full_file(path, &stat, NULL, ret_err) < 0)
                return error_prefix(ret_err, "pid %d", pid);
        c = strrchr(stat, ')');
        if (c)
                sscanf(c + 2, "%*c %d", &monitor);
        /* husk-supervise while a detached container runs (the monitor
         * execs it), husk-monitor or husk otherwise */
        snprintf(path, sizeof(path), "/proc/%d/comm", monitor);
        if (monitor > 0)
                (void)read_one_line(path, &monitor_comm);
        procs = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *p = proc_json(pids[i]);
                if (p)
                        json_array_append_new(procs, p);
        }
        capeff = status_field(pid, "CapEff");
        capbnd = status_field(pid, "CapBnd");
        seccomp = status_field(pid, "Seccomp");
        mounts = mounts_json(pid);
        net_shared = explain_ns_inode(pid, "net", NULL, 0) == explain_ns_inode(getpid(), "net", NULL, 0);
        net = network_json(pid, rec, net_state, net_shared);
        qs = json_array();
        json_array_append_new(qs, q_pid(pid, rec));
        json_array_append_new(qs, q_mnt(pid, mounts));
        json_array_append_new(qs, q_user(pid, rec));
        json_array_append_new(qs, q_net(pid, net));
        x = json_pack("{s:s?,s:s?,s:i,s:i,s:s?,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:s?,s:s?},s:s,s:s?,s:o,s:o}", "id",
                      json_string_value(json_object_get(rec, "Id")), "name", name ? name + (*name == '/') : NULL, "pid",
                      pid, "monitor_pid", monitor, "monitor_command", monitor_comm, "questions", qs, "processes", procs,
                      "cgroup", cgroup_json(pid, cgev), "cgroup_evidence", cgev, "capabilities", "effective",
                      cap_names(capeff), "bounding", cap_names(capbnd), "effective_hex", capeff, "bounding_hex", capbnd,
                      "seccomp", seccomp_mode(seccomp), "seccomp_field", seccomp, "mounts", mounts, "network", net);
        if (!x)
                return error_set(ret_err, ENOMEM, "explain");
        *ret = x;
        return 0;
}

/* ---- lsns ---- */

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

int explain_lsns(const pid_t *pids, const char *const *names, size_t n, json_t **ret, Error **ret_err)
{
        _cleanup_(closedirp) DIR *d = NULL;
        json_t *rows = json_array(), *byino = json_object();
        struct dirent *de;

        /* the namespaces the containers hold, but the host's */
        for (size_t i = 0; i < n; i++)
                for (size_t t = 0; t < EXPLAIN_NS_TYPES; t++) {
                        const char *type = explain_ns_types[t];
                        unsigned long long ino = explain_ns_inode(pids[i], type, NULL, 0);
                        char key[32];
                        json_t *row, *cs;
                        if (ino == 0 || ino == explain_ns_inode(getpid(), type, NULL, 0))
                                continue;
                        snprintf(key, sizeof(key), "%llu", ino);
                        row = json_object_get(byino, key);
                        if (!row) {
                                row = json_pack("{s:I,s:s,s:i,s:i,s:[]}", "ns", (json_int_t)ino, "type", type, "nprocs",
                                                0, "pid", 0, "containers");
                                json_object_set_new(byino, key, row);
                        }
                        cs = json_object_get(row, "containers");
                        if (names && names[i]) {
                                bool have = false;
                                size_t k;
                                json_t *v;
                                json_array_foreach(cs, k, v)
                                {
                                        have |= streq(json_string_value(v), names[i]);
                                }
                                if (!have)
                                        json_array_append_new(cs, json_string(names[i]));
                        }
                }
        /* lsns's NPROCS and PID (the lowest): over every process */
        d = opendir("/proc");
        if (!d) {
                json_decref(rows);
                json_decref(byino);
                return error_set(ret_err, errno, "/proc");
        }
        while ((de = readdir(d))) {
                int pid;
                if (!isdigit((unsigned char)de->d_name[0]) || parse_int(de->d_name, &pid) < 0)
                        continue;
                for (size_t t = 0; t < EXPLAIN_NS_TYPES; t++) {
                        char key[32];
                        json_t *row;
                        long long cur;
                        snprintf(key, sizeof(key), "%llu", explain_ns_inode(pid, explain_ns_types[t], NULL, 0));
                        row = json_object_get(byino, key);
                        if (!row || !streq(json_string_value(json_object_get(row, "type")), explain_ns_types[t]))
                                continue;
                        json_object_set_new(row, "nprocs",
                                            json_integer(json_integer_value(json_object_get(row, "nprocs")) + 1));
                        cur = json_integer_value(json_object_get(row, "pid"));
                        if (cur == 0 || pid < cur)
                                json_object_set_new(row, "pid", json_integer(pid));
                }
        }
        {
                const char *k;
                json_t *row;
                json_object_foreach(byino, k, row)
                {
                        pid_t p = (pid_t)json_integer_value(json_object_get(row, "pid"));
                        json_t *pj = p > 0 ? proc_json(p) : NULL;
                        struct passwd *pw = pj ? getpwuid((uid_t)json_integer_value(json_object_get(pj, "uid"))) : NULL;
                        char uid[16];
                        snprintf(uid, sizeof(uid), "%lld", json_integer_value(json_object_get(pj, "uid")));
                        json_object_set_new(row, "user", json_string(pw ? pw->pw_name : uid));
                        json_object_set_new(row, "command",
                                            json_string(pj ? json_string_value(json_object_get(pj, "command")) : ""));
                        json_decref(pj);
                        json_array_append(rows, row);
                }
        }
        json_decref(byino);
        *ret = rows;
        return 0;
}
