/* Host discovery: which layout (v2, v1, hybrid) and which hierarchies are
 * mounted where. statfs() tells a cgroup2 root; the v1 hierarchies and the
 * hybrid unified mount come from /proc/self/mountinfo. */
#include "cgroup/cgroup-internal.h"

#include <dirent.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/vfs.h>

#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

#define DEFAULT_ROOT "/sys/fs/cgroup"

static void closedirp_(DIR **d)
{
        if (*d)
                closedir(*d);
}

static CgroupHost *host_cache, *probe_cache;

static void host_free(CgroupHost *h)
{
        if (!h)
                return;
        free(h->root);
        cgroup_hierarchies_free(h->hier, h->n_hier);
        free(h);
}

void cgroup_host_reset(void)
{
        host_free(host_cache);
        host_free(probe_cache);
        host_cache = probe_cache = NULL;
}

static bool is_fs(const char *path, long magic)
{
        struct statfs s;

        return statfs(path, &s) == 0 && (long)s.f_type == magic;
}

static CgroupHost *host_load(void)
{
        _cleanup_free_ char *mountinfo = NULL, *unified = NULL;
        CgroupHierarchy *all = NULL;
        size_t n_all = 0;
        const char *root = getenv("HUSK_CGROUP_ROOT");
        CgroupHost *h = calloc(1, sizeof(*h));

        if (!h)
                return NULL;
        h->root = path_clean(root && *root ? root : DEFAULT_ROOT);
        if (!h->root)
                goto fail;

        /* statfs first: a cgroup2 root is the pure v2 layout whatever
         * mountinfo says (it may be a bind mount with another path). */
        if (is_fs(h->root, CGROUP2_SUPER_MAGIC)) {
                h->hier = calloc(1, sizeof(CgroupHierarchy));
                if (!h->hier)
                        goto fail;
                h->hier[0].mount = strdup(h->root);
                if (!h->hier[0].mount)
                        goto fail;
                h->hier[0].unified = true;
                h->n_hier = 1;
                h->layout = CGROUP_LAYOUT_V2;
                return h;
        }

        if (read_full_file("/proc/self/mountinfo", &mountinfo, NULL, NULL) < 0)
                return h; /* UNKNOWN */
        if (cgroup_parse_mountinfo(mountinfo, h->root, &all, &n_all) < 0)
                goto fail;
        unified = path_join(h->root, "unified");
        if (!unified)
                goto fail;

        /* Keep the v1 hierarchies and the one cgroup2 mount at root/unified,
         * and check the latter is what it claims (statfs). */
        h->hier = calloc(n_all ? n_all : 1, sizeof(CgroupHierarchy));
        if (!h->hier)
                goto fail;
        for (size_t i = 0; i < n_all; i++) {
                bool keep = all[i].unified ? streq(all[i].mount, unified) && is_fs(unified, CGROUP2_SUPER_MAGIC)
                                           : !streq(all[i].mount, h->root);
                if (!keep)
                        continue;
                h->hier[h->n_hier++] = all[i];
                all[i].mount = NULL;
        }
        cgroup_hierarchies_free(all, n_all);

        {
                bool have_v1 = false, have_v2 = false;

                for (size_t i = 0; i < h->n_hier; i++) {
                        if (h->hier[i].unified)
                                have_v2 = true;
                        else
                                have_v1 = true;
                }
                if (have_v1)
                        h->layout = have_v2 ? CGROUP_LAYOUT_HYBRID : CGROUP_LAYOUT_V1;
                else if (have_v2)
                        h->layout = CGROUP_LAYOUT_HYBRID;
        }
        return h;

fail:
        host_free(h);
        return NULL;
}

const CgroupHost *cgroup_host(void)
{
        if (!host_cache)
                host_cache = host_load();
        return host_cache;
}

const CgroupHost *cgroup_host_probe_v2(void)
{
        const char *root = getenv("HUSK_CGROUP_ROOT");
        CgroupHost *h;

        if (host_cache || probe_cache)
                return host_cache ? host_cache : probe_cache;
        h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;
        h->root = path_clean(root && *root ? root : DEFAULT_ROOT);
        if (!h->root || is_fs(h->root, CGROUP2_SUPER_MAGIC)) {
                host_free(h);
                return cgroup_host(); /* v2: the whole answer is as cheap */
        }
        h->partial = true;
        h->layout = CGROUP_LAYOUT_V1;
        h->hier = calloc(1, sizeof(CgroupHierarchy));
        if (!h->hier || !(h->hier[0].mount = path_join(h->root, "unified"))) {
                host_free(h);
                return NULL;
        }
        if (is_fs(h->hier[0].mount, CGROUP2_SUPER_MAGIC)) {
                h->hier[0].unified = true;
                h->n_hier = 1;
                h->layout = CGROUP_LAYOUT_HYBRID;
        }
        probe_cache = h;
        return h;
}

int cgroup_host_set_fake(CgroupLayout layout, const char *root)
{
        _cleanup_(closedirp_) DIR *d = NULL;
        CgroupHost *h;
        struct dirent *de;

        cgroup_host_reset();
        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        host_cache = h;
        h->layout = layout;
        h->root = path_clean(root);
        if (!h->root)
                return -ENOMEM;
        h->hier = calloc(_CGROUP_CTRL_MAX + 1, sizeof(CgroupHierarchy));
        if (!h->hier)
                return -ENOMEM;
        if (layout == CGROUP_LAYOUT_V2) {
                h->hier[0] = (CgroupHierarchy){ .mount = strdup(h->root), .unified = true };
                h->n_hier = 1;
                return h->hier[0].mount ? 0 : -ENOMEM;
        }
        d = opendir(root);
        if (!d)
                return -errno;
        while ((de = readdir(d)) && h->n_hier < _CGROUP_CTRL_MAX + 1) {
                CgroupHierarchy *e = &h->hier[h->n_hier];
                char *save = NULL;
                _cleanup_free_ char *names = NULL;

                if (de->d_name[0] == '.' || de->d_type != DT_DIR)
                        continue;
                if (streq(de->d_name, "unified")) {
                        if (layout != CGROUP_LAYOUT_HYBRID)
                                continue;
                        e->unified = true;
                } else {
                        names = strdup(de->d_name);
                        if (!names)
                                return -ENOMEM;
                        for (char *t = strtok_r(names, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                                int c = cgroup_controller_from_v1_name(t);
                                if (c >= 0)
                                        e->v1_mask |= CGROUP_CTRL_BIT(c);
                        }
                        if (!e->v1_mask)
                                continue;
                }
                e->mount = path_join(h->root, de->d_name);
                if (!e->mount)
                        return -ENOMEM;
                h->n_hier++;
        }
        return 0;
}

CgroupLayout cgroup_layout(void)
{
        const CgroupHost *h = cgroup_host();

        return h ? h->layout : CGROUP_LAYOUT_UNKNOWN;
}

const char *cgroup_layout_to_string(CgroupLayout l)
{
        switch (l) {
        case CGROUP_LAYOUT_V2: return "v2";
        case CGROUP_LAYOUT_V1: return "v1";
        case CGROUP_LAYOUT_HYBRID: return "hybrid";
        case CGROUP_LAYOUT_UNKNOWN:
        default: return "unknown";
        }
}
