/* Pure conversions and validation for the cgroup layer: no I/O here, so that
 * each rule is unit-tested on its own (tests/unit/cgroup/test-cgroup-logic.c). */
#include "cgroup/cgroup-internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/macros.h"
#include "lib/path.h"

static const struct {
        const char *v1;
        const char *v2;
} controller_names[_CGROUP_CTRL_MAX] = {
        [CGROUP_CTRL_CPU] = { "cpu", "cpu" },
        [CGROUP_CTRL_CPUACCT] = { "cpuacct", "cpu" },
        [CGROUP_CTRL_CPUSET] = { "cpuset", "cpuset" },
        [CGROUP_CTRL_MEMORY] = { "memory", "memory" },
        [CGROUP_CTRL_DEVICES] = { "devices", NULL },
        [CGROUP_CTRL_FREEZER] = { "freezer", NULL },
        [CGROUP_CTRL_BLKIO] = { "blkio", "io" },
        [CGROUP_CTRL_PIDS] = { "pids", "pids" },
        [CGROUP_CTRL_HUGETLB] = { "hugetlb", "hugetlb" },
        [CGROUP_CTRL_NET_CLS] = { "net_cls", NULL },
        [CGROUP_CTRL_NET_PRIO] = { "net_prio", NULL },
        [CGROUP_CTRL_PERF_EVENT] = { "perf_event", NULL },
        [CGROUP_CTRL_RDMA] = { "rdma", "rdma" },
        [CGROUP_CTRL_MISC] = { "misc", "misc" },
        [CGROUP_CTRL_NAME_SYSTEMD] = { "name=systemd", NULL },
};

const char *cgroup_controller_v1_name(CgroupController c)
{
        return (unsigned)c < _CGROUP_CTRL_MAX ? controller_names[c].v1 : NULL;
}

const char *cgroup_controller_v2_name(CgroupController c)
{
        return (unsigned)c < _CGROUP_CTRL_MAX ? controller_names[c].v2 : NULL;
}

int cgroup_controller_from_v1_name(const char *name)
{
        for (int i = 0; i < _CGROUP_CTRL_MAX; i++)
                if (streq(controller_names[i].v1, name))
                        return i;
        return -EINVAL;
}

int cgroup_systemd_expand_slice(const char *slice, char **ret)
{
        static const char suffix[] = ".slice";
        const size_t sl = sizeof(suffix) - 1;
        size_t len, name_len;
        char *out, *o;

        if (!slice)
                return -EINVAL;
        len = strlen(slice);
        /* Must end in ".slice" and be more than that; no path separators. */
        if (len <= sl || !streq(slice + len - sl, suffix) || strchr(slice, '/'))
                return -EINVAL;
        name_len = len - sl;
        if (name_len == 1 && slice[0] == '-') {
                out = strdup("/");
                if (!out)
                        return -ENOMEM;
                *ret = out;
                return 0;
        }
        /* "a-b-c" -> "/a.slice/a-b.slice/a-b-c.slice": every prefix ending
         * before a '-' is a parent slice. Empty components ("a--b", "-a",
         * "a-") are invalid, as in systemd's unit_name_to_path. */
        for (size_t i = 0; i < name_len; i++)
                if (slice[i] == '-' && (i == 0 || i + 1 == name_len || slice[i + 1] == '-'))
                        return -EINVAL;

        /* Worst case: every character starts a component. */
        out = malloc(name_len * (name_len + sl + 2) + 2);
        if (!out)
                return -ENOMEM;
        o = out;
        for (size_t i = 0; i <= name_len; i++) {
                if (i == name_len || slice[i] == '-') {
                        *o++ = '/';
                        memcpy(o, slice, i);
                        o += i;
                        memcpy(o, suffix, sl);
                        o += sl;
                }
        }
        *o = '\0';
        *ret = out;
        return 0;
}

/* A systemd unit name part: no '/', not empty. */
static bool systemd_name_valid(const char *s)
{
        return s && *s && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

int cgroup_resolve_path_full(const char *cgroups_path, const char *id, CgroupManager manager, bool systemd_running,
                             char **ret, Error **ret_err)
{
        _cleanup_free_ char *joined = NULL;
        char *out;

        if (manager == CGROUP_MANAGER_SYSTEMD) {
                _cleanup_free_ char *copy = NULL;
                _cleanup_free_ char *slice_path = NULL;
                const char *slice, *prefix, *name;
                char *c1, *c2;
                int r;

                if (!systemd_running)
                        return error_setx(ret_err, ENOTSUP,
                                          "systemd cgroup manager requested (\"%s\"), but systemd is not "
                                          "running on this host (no /run/systemd/system; use --cgroup-manager "
                                          "cgroupfs)",
                                          cgroups_path && *cgroups_path ? cgroups_path : "slice:prefix:name");
                if (cgroups_path && *cgroups_path) {
                        size_t colons = 0;

                        for (const char *p = cgroups_path; *p; p++)
                                colons += *p == ':';
                        if (colons != 2)
                                return error_setx(ret_err, EINVAL,
                                                  "cgroupsPath \"%s\": with the systemd cgroup manager it "
                                                  "must be \"slice:prefix:name\"",
                                                  cgroups_path);
                        copy = strdup(cgroups_path);
                        if (!copy)
                                return error_set(ret_err, ENOMEM, "cgroupsPath");
                        c1 = strchr(copy, ':');
                        c2 = strchr(c1 + 1, ':');
                        *c1 = *c2 = '\0';
                        slice = *copy ? copy : "system.slice";
                        prefix = c1 + 1;
                        name = c2 + 1;
                } else {
                        if (!id || !*id)
                                return error_setx(ret_err, EINVAL, "no cgroupsPath and no container id");
                        slice = "system.slice";
                        prefix = "husk";
                        name = id;
                }
                if (!systemd_name_valid(name) || strchr(prefix, '/'))
                        return error_setx(ret_err, EINVAL, "cgroupsPath \"%s\": invalid unit name",
                                          cgroups_path ? cgroups_path : "");
                r = cgroup_systemd_expand_slice(slice, &slice_path);
                if (r == -ENOMEM)
                        return error_set(ret_err, ENOMEM, "cgroupsPath");
                if (r < 0)
                        return error_setx(ret_err, EINVAL, "cgroupsPath \"%s\": invalid slice name \"%s\"",
                                          cgroups_path ? cgroups_path : "", slice);
                /* A name that is itself a slice is the unit (runc's getUnitName);
                 * anything else becomes a scope. */
                {
                        size_t nl = strlen(name);

                        if (nl > 6 && streq(name + nl - 6, ".slice")) {
                                if (asprintf(&joined, "%s/%s", slice_path, name) < 0)
                                        joined = NULL;
                        } else if (*prefix) {
                                if (asprintf(&joined, "%s/%s-%s.scope", slice_path, prefix, name) < 0)
                                        joined = NULL;
                        } else if (asprintf(&joined, "%s/%s.scope", slice_path, name) < 0) {
                                joined = NULL;
                        }
                }
                if (!joined)
                        return error_set(ret_err, ENOMEM, "cgroupsPath");
        } else if (!cgroups_path || !*cgroups_path) {
                if (!id || !*id || strchr(id, '/') || streq(id, ".") || streq(id, ".."))
                        return error_setx(ret_err, EINVAL, "no cgroupsPath and no usable container id");
                /* As runc and crun: the container's own cgroup right below each
                 * hierarchy root, so the default costs one directory, not two. */
                if (asprintf(&joined, "/%s", id) < 0)
                        return error_set(ret_err, ENOMEM, "cgroupsPath");
        } else if (cgroups_path[0] == '/') {
                joined = strdup(cgroups_path);
        } else {
                /* Relative paths are taken below the hierarchy roots, not
                 * below the runtime's own cgroup as runc does on v1: our own
                 * cgroup differs per v1 hierarchy (and is often a leaf with
                 * processes on v2), so a single path could not name it. */
                if (asprintf(&joined, "/%s", cgroups_path) < 0)
                        joined = NULL;
        }
        if (!joined)
                return error_set(ret_err, ENOMEM, "cgroupsPath");

        /* Lexically clean: ".." never climbs above a hierarchy root. */
        out = path_clean(joined);
        if (!out)
                return error_set(ret_err, ENOMEM, "cgroupsPath");
        *ret = out;
        return 0;
}

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight)
{
        if (weight == 0)
                return 0;
        if (weight < 10)
                weight = 10;
        if (weight > 1000)
                weight = 1000;
        return 1 + (weight - 10) * 9999 / 990;
}

int cgroup_swap_to_v2(int64_t memory, int64_t swap, bool *ret_set, int64_t *ret, Error **ret_err)
{
        /* For compatibility with v1, unlimited memory without an explicit
         * swap means unlimited swap too. */
        if (memory == -1 && swap == 0) {
                *ret_set = true;
                *ret = -1;
                return 0;
        }
        if (swap == 0) {
                *ret_set = false;
                *ret = 0;
                return 0;
        }
        if (swap == -1) {
                *ret_set = true;
                *ret = -1;
                return 0;
        }
        if (swap < -1)
                return error_setx(ret_err, EINVAL, "invalid memory swap value %" PRIi64, swap);
        if (memory == 0 || memory == -1)
                return error_setx(ret_err, EINVAL, "unable to set swap limit without memory limit");
        if (memory < 0)
                return error_setx(ret_err, EINVAL, "invalid memory value %" PRIi64, memory);
        if (swap < memory)
                return error_setx(ret_err, EINVAL,
                                  "memory+swap limit (%" PRIi64 ") should be >= memory limit (%" PRIi64 ")", swap,
                                  memory);
        /* swap == memory: 0, no swap at all (runc special-cases this too). */
        *ret_set = true;
        *ret = swap - memory;
        return 0;
}

int cgroup_unified_key_check(const char *key, Error **ret_err)
{
        const char *dot;

        if (!key || !*key)
                return error_setx(ret_err, EINVAL, "unified resource: empty key");
        if (strchr(key, '/') || streq(key, ".") || streq(key, ".."))
                return error_setx(ret_err, EINVAL, "unified resource \"%s\": must be a file name, not a path", key);
        for (const char *p = key; *p; p++)
                if (!isprint((unsigned char)*p) || isspace((unsigned char)*p))
                        return error_setx(ret_err, EINVAL, "unified resource \"%s\": invalid character", key);
        dot = strchr(key, '.');
        if (!dot || dot == key || !dot[1])
                return error_setx(ret_err, EINVAL, "unified resource \"%s\": expected \"<controller>.<file>\"", key);
        return 0;
}

bool cgroup_hugetlb_size_valid(const char *size)
{
        const char *p = size;

        if (!p || !isdigit((unsigned char)*p))
                return false;
        while (isdigit((unsigned char)*p))
                p++;
        return streq(p, "KB") || streq(p, "MB") || streq(p, "GB") || streq(p, "TB") || streq(p, "PB");
}

int cgroup_device_rule_format(const SpecDeviceRule *rule, char *buf, size_t size)
{
        const char *access = rule->access && *rule->access ? rule->access : "rwm";
        const char type = rule->type ? rule->type : (char)'a';
        char maj[24], min[24];
        int n;

        if (type != 'a' && type != 'c' && type != 'b')
                return -EINVAL;
        if (strspn(access, "rwm") != strlen(access) || strlen(access) > 3)
                return -EINVAL;
        if (rule->major < 0)
                strcpy(maj, "*");
        else
                snprintf(maj, sizeof(maj), "%" PRIi64, rule->major);
        if (rule->minor < 0)
                strcpy(min, "*");
        else
                snprintf(min, sizeof(min), "%" PRIi64, rule->minor);
        n = snprintf(buf, size, "%c %s:%s %s", type, maj, min, access);
        if (n < 0 || (size_t)n >= size)
                return -EINVAL;
        return n;
}

void cgroup_hierarchies_free(CgroupHierarchy *h, size_t n)
{
        if (!h)
                return;
        for (size_t i = 0; i < n; i++)
                free(h[i].mount);
        free(h);
}

/* mountinfo escapes ' ', '\t', '\n' and '\\' as octal "\040". In place. */
static void unescape_octal(char *s)
{
        char *o = s;

        for (char *p = s; *p;) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
                    p[3] <= '7') {
                        *o++ = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
                        p += 4;
                } else {
                        *o++ = *p++;
                }
        }
        *o = '\0';
}

static uint32_t v1_mask_from_options(const char *opts)
{
        _cleanup_free_ char *copy = strdup(opts);
        char *save = NULL;
        uint32_t mask = 0;

        if (!copy)
                return 0;
        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                int c = cgroup_controller_from_v1_name(o);
                if (c >= 0)
                        mask |= CGROUP_CTRL_BIT(c);
        }
        return mask;
}

/* Whether path is root + "/" + one component. */
static bool is_direct_child(const char *path, const char *root, size_t rl)
{
        const char *rel;

        if (strncmp(path, root, rl) != 0)
                return false;
        if (rl == 1 && root[0] == '/')
                rel = path + 1;
        else if (path[rl] == '/')
                rel = path + rl + 1;
        else
                return false;
        return *rel && !strchr(rel, '/');
}

int cgroup_parse_mountinfo(const char *text, const char *root, CgroupHierarchy **ret, size_t *ret_n)
{
        _cleanup_free_ char *copy = strdup(text);
        _cleanup_free_ char *root_clean = path_clean(root);
        CgroupHierarchy *h = NULL;
        struct {
                unsigned long maj, min;
        } *seen = NULL;
        size_t n = 0, rl;
        char *save = NULL;

        if (!copy || !root_clean)
                return -ENOMEM;
        rl = strlen(root_clean);

        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *fields[6], *sep, *fstype, *super, *mnt, *tok, *lsave = NULL;
                unsigned long maj, min;
                bool unified, at_root, below_root;
                uint32_t mask = 0;
                size_t nf = 0;
                void *nh;

                sep = strstr(line, " - ");
                if (!sep)
                        continue;
                *sep = '\0';
                for (tok = strtok_r(line, " ", &lsave); tok && nf < ELEMENTSOF(fields);
                     tok = strtok_r(NULL, " ", &lsave))
                        fields[nf++] = tok;
                if (nf < 5)
                        continue;
                lsave = NULL;
                fstype = strtok_r(sep + 3, " ", &lsave);
                if (!fstype || !strtok_r(NULL, " ", &lsave))
                        continue;
                super = strtok_r(NULL, " ", &lsave);
                if (!super)
                        super = "";
                if (streq(fstype, "cgroup2"))
                        unified = true;
                else if (streq(fstype, "cgroup"))
                        unified = false;
                else
                        continue;
                if (sscanf(fields[2], "%lu:%lu", &maj, &min) != 2)
                        continue;
                mnt = fields[4];
                unescape_octal(mnt);

                /* Only the hierarchies mounted at the root or right below it
                 * are ours to use; others (a container's bind mounts) are not. */
                at_root = streq(mnt, root_clean);
                below_root = is_direct_child(mnt, root_clean, rl);
                if (!at_root && !below_root)
                        continue;
                if (!unified) {
                        mask = v1_mask_from_options(super);
                        if (mask == 0)
                                continue;
                }

                /* A hierarchy mounted twice is one hierarchy: keep the first. */
                {
                        bool dup = false;
                        for (size_t i = 0; i < n; i++)
                                if (seen[i].maj == maj && seen[i].min == min)
                                        dup = true;
                        if (dup)
                                continue;
                }

                nh = realloc(h, (n + 1) * sizeof(*h));
                if (!nh)
                        goto oom;
                h = nh;
                nh = realloc(seen, (n + 1) * sizeof(*seen));
                if (!nh)
                        goto oom;
                seen = nh;
                h[n] = (CgroupHierarchy){ .mount = strdup(mnt), .unified = unified, .v1_mask = mask };
                if (!h[n].mount)
                        goto oom;
                seen[n].maj = maj;
                seen[n].min = min;
                n++;
        }
        free(seen);
        *ret = h;
        *ret_n = n;
        return 0;

oom:
        free(seen);
        cgroup_hierarchies_free(h, n);
        return -ENOMEM;
}

const char *cgroup_parse_devnum(const char *s, uint64_t *ret_major, uint64_t *ret_minor)
{
        char *end;
        unsigned long long maj, min;

        if (!isdigit((unsigned char)*s))
                return NULL;
        errno = 0;
        maj = strtoull(s, &end, 10);
        if (errno || *end != ':' || !isdigit((unsigned char)end[1]))
                return NULL;
        min = strtoull(end + 1, &end, 10);
        if (errno)
                return NULL;
        *ret_major = maj;
        *ret_minor = min;
        return end;
}
