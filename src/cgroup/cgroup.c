/* The cgroup handle: path resolution, create/open, enter, apply, freeze.
 *
 * A Cgroup is one path ("/pod/web") below every hierarchy the host mounts:
 * on v2 one directory, on v1 one per hierarchy (comounted controllers share
 * one), on a hybrid host the v1 ones plus the unified one. Every operation
 * walks that list; resources go to the directory that holds their
 * controller (cgroup_dir_for()). See cgroup-internal.h for the file map. */
#include "cgroup/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup/cgroup-internal.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

/* ---- path ---- */

int cgroup_resolve_path(const char *cgroups_path, const char *id, CgroupManager manager, char **ret, Error **ret_err)
{
        /* sd_booted(): systemd creates this directory early at boot. */
        bool systemd = access("/run/systemd/system", F_OK) == 0;

        return cgroup_resolve_path_full(cgroups_path, id, manager, systemd, ret, ret_err);
}

int cgroup_stop_unit(const char *path, CgroupManager manager, Error **ret_err)
{
        _cleanup_free_ char *unit = NULL, *slice = NULL;

        if (manager != CGROUP_MANAGER_SYSTEMD || !path || cgroup_unit_from_path(path, &unit, &slice) < 0)
                return 0;
        return cgroup_systemd_stop(unit, ret_err);
}

/* ---- handle ---- */

CgroupDir *cgroup_unified_dir(const Cgroup *cg)
{
        for (size_t i = 0; cg && i < cg->n_dirs; i++)
                if (cg->dirs[i].unified)
                        return &cg->dirs[i];
        return NULL;
}

CgroupDir *cgroup_dir_for(const Cgroup *cg, CgroupController c, bool *ret_v2)
{
        const char *v2;
        CgroupDir *u;

        if (!cg)
                return NULL;
        for (size_t i = 0; i < cg->n_dirs; i++)
                if (!cg->dirs[i].unified && (cg->dirs[i].v1_mask & CGROUP_CTRL_BIT(c))) {
                        if (ret_v2)
                                *ret_v2 = false;
                        return &cg->dirs[i];
                }
        v2 = cgroup_controller_v2_name(c);
        u = cgroup_unified_dir(cg);
        if (!v2 || !u || !cgroup_v2_has_controller(u->path, v2))
                return NULL;
        if (ret_v2)
                *ret_v2 = true;
        return u;
}

void cgroup_free(Cgroup *cg)
{
        if (!cg)
                return;
        for (size_t i = 0; i < cg->n_dirs; i++)
                free(cg->dirs[i].path);
        free(cg->dirs);
        free(cg->path);
        free(cg->unit);
        free(cg);
}

const char *cgroup_path(const Cgroup *cg)
{
        return cg ? cg->path : NULL;
}

unsigned cgroup_created_depth(const Cgroup *cg)
{
        unsigned d = 0;

        for (size_t i = 0; cg && i < cg->n_dirs; i++)
                if (cg->dirs[i].created > d)
                        d = cg->dirs[i].created;
        return d;
}

static unsigned path_depth(const char *path)
{
        unsigned n = 0;

        for (const char *p = path; *p; p++)
                if (*p != '/' && (p == path || p[-1] == '/'))
                        n++;
        return n;
}

void cgroup_set_created_depth(Cgroup *cg, unsigned depth)
{
        unsigned max;

        if (!cg || !cg->path)
                return;
        max = path_depth(cg->path);
        for (size_t i = 0; i < cg->n_dirs; i++)
                cg->dirs[i].created = depth < max ? depth : max;
}

void cgroup_keep_parents(Cgroup *cg)
{
        for (size_t i = 0; cg && i < cg->n_dirs; i++)
                if (cg->dirs[i].created > 1)
                        cg->dirs[i].created = 1;
}

static Cgroup *cgroup_new(CgroupManager manager, bool rootless, const char *path)
{
        Cgroup *cg = calloc(1, sizeof(*cg));

        if (!cg)
                return NULL;
        cg->manager = manager;
        cg->rootless = rootless;
        cg->path = path ? path_clean(path) : strdup("/");
        if (!cg->path) {
                free(cg);
                return NULL;
        }
        return cg;
}

static int cgroup_add_dir(Cgroup *cg, const CgroupHierarchy *h, unsigned created)
{
        CgroupDir *nd;
        char *p;

        p = streq(cg->path, "/") ? strdup(h->mount) : path_join(h->mount, cg->path);
        if (!p)
                return -ENOMEM;
        nd = realloc(cg->dirs, (cg->n_dirs + 1) * sizeof(*nd));
        if (!nd) {
                free(p);
                return -ENOMEM;
        }
        cg->dirs = nd;
        cg->dirs[cg->n_dirs++] = (CgroupDir){
                .path = p,
                .unified = h->unified,
                .v1_mask = h->v1_mask,
                .created = created,
        };
        return 0;
}

static int check_path(const char *path, Error **ret_err)
{
        if (!path || path[0] != '/')
                return error_setx(ret_err, EINVAL, "cgroup path \"%s\" is not absolute (resolve it first)",
                                  path ? path : "");
        return 0;
}

static const CgroupHost *need_host(bool probe, Error **ret_err, int *ret_r)
{
        const CgroupHost *h = probe ? cgroup_host_probe_v2() : cgroup_host();

        if (!h) {
                *ret_r = error_set(ret_err, ENOMEM, "read the cgroup layout");
                return NULL;
        }
        if (h->partial)
                return h; /* what it lacks, create_rest() finds out */
        if (h->layout == CGROUP_LAYOUT_UNKNOWN || h->n_hier == 0) {
                *ret_r = error_setx(ret_err, ENOENT, "no cgroup filesystem is mounted at %s", h->root);
                return NULL;
        }
        return h;
}

/* Copy cpuset.cpus / cpuset.mems from the parent when empty: a v1 cpuset
 * cgroup starts with both empty and refuses tasks until they are set. */
static int cpuset_copy_from_parent(const char *dir, Error **ret_err)
{
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        _cleanup_free_ char *parent = path_join(dir, "..");

        if (!parent)
                return error_set(ret_err, ENOMEM, "cpuset");
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *cur = NULL, *up = NULL;
                int r;

                r = cgroup_read(dir, files[i], &cur);
                if (r < 0)
                        return error_set(ret_err, r, "read %s/%s", dir, files[i]);
                if (*cur)
                        continue;
                r = cgroup_read(parent, files[i], &up);
                if (r < 0)
                        return error_set(ret_err, r, "read %s/%s", parent, files[i]);
                r = cgroup_write(dir, files[i], up, ret_err);
                if (r < 0)
                        return cgroup_prefix(r, ret_err, "%s", dir);
        }
        return 0;
}

/* Enable controllers in dir's cgroup.subtree_control: all of `want` (v2
 * names, NULL-terminated) that dir's cgroup.controllers lists and that are
 * not enabled yet. As runc does, try them in one write, then one by one,
 * ignoring failures: an ancestor with processes in it refuses (EBUSY) and
 * the leaf's cgroup.controllers then tells what is missing. */
static void enable_subtree_controllers(const char *dir, char *const *want, bool all)
{
        _cleanup_free_ char *avail = NULL, *enabled = NULL, *line = NULL;
        _cleanup_strv_ char **todo = NULL;
        size_t len = 0;
        char *save = NULL;

        if (!all && (!want || !*want))
                return; /* nothing asked for (a hybrid host's unified tree, usually) */
        if (cgroup_read(dir, "cgroup.controllers", &avail) < 0)
                return;
        if (cgroup_read(dir, "cgroup.subtree_control", &enabled) < 0)
                return;
        for (char *t = strtok_r(avail, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                char *s2 = NULL;
                bool on = false;
                _cleanup_free_ char *e = strdup(enabled);

                if (!e)
                        return;
                for (char *u = strtok_r(e, " \n", &s2); u; u = strtok_r(NULL, " \n", &s2))
                        if (streq(u, t))
                                on = true;
                if (on || (!all && !strv_contains(want, t)))
                        continue;
                if (strv_push(&todo, t) < 0)
                        return;
        }
        if (!todo)
                return;
        for (size_t i = 0; todo[i]; i++)
                len += strlen(todo[i]) + 2;
        line = calloc(1, len + 1);
        if (!line)
                return;
        for (size_t i = 0; todo[i]; i++) {
                strcat(line, i ? " +" : "+");
                strcat(line, todo[i]);
        }
        if (cgroup_write(dir, "cgroup.subtree_control", line, NULL) == 0)
                return;
        for (size_t i = 0; todo[i]; i++)
                (void)cgroup_writef(dir, "cgroup.subtree_control", NULL, "+%s", todo[i]);
}

/* mkdir -p mount/path, one level at a time so that each level can be set up
 * before the next (cpuset on v1, subtree_control on v2). *ret_created gets
 * the number of trailing levels made here. */
static int make_hierarchy_dir(const CgroupHierarchy *h, const char *path, char *const *v2_want, bool v2_all,
                              unsigned *ret_created, Error **ret_err)
{
        _cleanup_free_ char *cur = strdup(h->mount);
        _cleanup_free_ char *copy = strdup(path);
        unsigned depth = path_depth(path), level = 0, created = 0;
        char *save = NULL;
        int r;

        *ret_created = 0;
        if (!cur || !copy)
                return error_set(ret_err, ENOMEM, "mkdir");
        for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                char *next;

                if (h->unified)
                        enable_subtree_controllers(cur, v2_want, v2_all);
                next = path_join(cur, comp);
                if (!next)
                        return error_set(ret_err, ENOMEM, "mkdir");
                free(cur);
                cur = next;
                level++;
                if (mkdir(cur, 0755) == 0) {
                        if (created == 0)
                                created = depth - level + 1;
                        /* Leave what we made for the caller to undo. */
                        *ret_created = created;
                } else if (errno != EEXIST) {
                        return error_set(ret_err, errno, "mkdir %s", cur);
                }
                if (!h->unified && (h->v1_mask & CGROUP_CTRL_BIT(CGROUP_CTRL_CPUSET))) {
                        r = cpuset_copy_from_parent(cur, ret_err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* rmdir dir and, first, any child cgroups in it (a container may have
 * made some: nested runtimes, systemd in the container). A cgroup that
 * still has processes refuses with EBUSY; retry briefly, as the last
 * ones may be exiting. */
static int rmdir_tree(const char *dir, int depth_left)
{
        DIR *d;
        struct dirent *de;
        int r = 0;

        /* The common case, a leaf with no processes left: one rmdir, no
         * directory scan. */
        if (rmdir(dir) == 0 || errno == ENOENT)
                return 0;
        d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (depth_left <= 0) {
                        r = -ELOOP;
                        break;
                }
                sub = path_join(dir, de->d_name);
                if (!sub) {
                        r = -ENOMEM;
                        break;
                }
                r = rmdir_tree(sub, depth_left - 1);
                if (r < 0)
                        break;
        }
        closedir(d);
        if (r < 0)
                return r;
        for (int i = 0;; i++) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || i >= 100)
                        return -errno;
                cgroup_sleep_us(10000);
        }
}

/* Remove the created parents of d->path (its `created` - 1 trailing levels
 * above the leaf) while they are empty: a shared parent such as "/pod"
 * stays while other containers use it. */
static void remove_created_parents(const CgroupDir *d)
{
        _cleanup_free_ char *p = NULL;

        if (d->created <= 1 || !(p = strdup(d->path)))
                return;
        for (unsigned i = 1; i < d->created; i++) {
                char *slash = strrchr(p, '/');

                if (!slash || slash == p)
                        break;
                *slash = '\0';
                if (rmdir(p) < 0)
                        break; /* ENOTEMPTY/EBUSY: someone else's now */
        }
}

bool cgroup_dir_remove_leaf(CgroupDir *d)
{
        if (d->created == 0)
                return true;
        if (rmdir(d->path) < 0 && errno != ENOENT)
                return false;
        remove_created_parents(d);
        d->created = 0;
        return true;
}

int cgroup_dir_remove_created(CgroupDir *d, Error **ret_err)
{
        int r;

        if (d->created == 0)
                return 0;
        r = rmdir_tree(d->path, 32);
        if (r < 0)
                return error_set(ret_err, r, "rmdir %s", d->path);
        remove_created_parents(d);
        d->created = 0;
        return 0;
}

/* Whether a hierarchy is needed by `res` (rootless may skip the others). */
static bool hierarchy_wanted(const CgroupHierarchy *h, uint32_t needed, uint32_t v1_all, const SpecResources *res)
{
        if (!h->unified)
                return (h->v1_mask & needed) != 0;
        for (int c = 0; c < _CGROUP_CTRL_MAX; c++)
                if ((needed & CGROUP_CTRL_BIT(c)) && !(v1_all & CGROUP_CTRL_BIT(c)) && cgroup_controller_v2_name(c))
                        return true;
        return res && res->n_unified > 0;
}

/* The start of create and open: a handle, and the host's hierarchies unless
 * the manager is disabled. Returns 1 when the handle is complete (disabled),
 * 0 when *ret_h is set and the caller goes on, or -errno. */
static int cgroup_begin(const char *path, CgroupManager manager, bool rootless, bool probe, const char *verb,
                        Cgroup **ret_cg, const CgroupHost **ret_h, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        const CgroupHost *h = NULL;
        int r;

        if (manager != CGROUP_MANAGER_DISABLED) {
                r = check_path(path, ret_err);
                if (r < 0)
                        return r;
                h = need_host(probe, ret_err, &r);
                if (!h)
                        return cgroup_prefix(r, ret_err, "%s cgroup %s", verb, path);
        }
        cg = cgroup_new(manager, rootless, path);
        if (!cg)
                return error_set(ret_err, ENOMEM, "%s cgroup %s", verb, path);
        if (h)
                cg->layout = h->layout;
        *ret_cg = TAKE_PTR(cg);
        *ret_h = h;
        return h ? 0 : 1;
}

/* Make the cgroup's directories in the hierarchies of `part` that are not
 * made yet. `res` tells which v2 controllers to enable down the path and
 * which hierarchies rootless may not skip; nothing of it is applied. On
 * failure, what this call made is removed again. */
static int create_dirs(Cgroup *cg, const CgroupHost *h, const SpecResources *res, CgroupPart part, Error **ret_err)
{
        _cleanup_strv_ char **v2_want = NULL;
        size_t n_before = cg->n_dirs;
        uint32_t needed, v1_all = 0;
        int r;

        part &= ~cg->parts_made;
        if (!part || !h)
                return 0;
        if (!h->partial)
                cg->layout = h->layout;
        needed = cgroup_resources_controllers(res);
        for (size_t i = 0; i < h->n_hier; i++)
                if (!h->hier[i].unified)
                        v1_all |= h->hier[i].v1_mask;
        /* On v2, enable the controllers the resources need (and on a pure v2
         * host all of them, as runc and crun do, so that a later update and
         * the stats find them). On a hybrid host the unified hierarchy only
         * gets what v1 lacks. */
        for (int c = 0; c < _CGROUP_CTRL_MAX; c++) {
                const char *v2 = cgroup_controller_v2_name(c);

                if (!v2 || !(needed & CGROUP_CTRL_BIT(c)) || (v1_all & CGROUP_CTRL_BIT(c)) ||
                    strv_contains(v2_want, v2))
                        continue;
                if (strv_push(&v2_want, v2) < 0)
                        return error_set(ret_err, ENOMEM, "create cgroup %s", cg->path);
        }

        for (size_t i = 0; i < h->n_hier; i++) {
                const CgroupHierarchy *hi = &h->hier[i];
                unsigned created = 0;
                _cleanup_error_ Error *e = NULL;

                if (!(part & (hi->unified ? CGROUP_PART_V2 : CGROUP_PART_V1)))
                        continue;
                r = make_hierarchy_dir(hi, cg->path, v2_want, h->layout == CGROUP_LAYOUT_V2, &created, &e);
                if (r < 0) {
                        /* Undo this hierarchy's part, then decide. */
                        if (created > 0) {
                                CgroupDir tmp = { .path = NULL, .created = created };

                                tmp.path = path_join(hi->mount, cg->path);
                                if (tmp.path)
                                        (void)cgroup_dir_remove_created(&tmp, NULL);
                                free(tmp.path);
                        }
                        /* Rootless: a hierarchy we may not write to is skipped, as
                         * runc does, unless a resource needs it. */
                        if (cg->rootless && (r == -EACCES || r == -EPERM || r == -EROFS) &&
                            !hierarchy_wanted(hi, needed, v1_all, res))
                                continue;
                        cgroup_error_take(ret_err, &e);
                        goto fail;
                }
                r = cgroup_add_dir(cg, hi, created);
                if (r < 0) {
                        error_set(ret_err, r, "add %s", hi->mount);
                        goto fail;
                }
        }
        cg->parts_made |= part;
        return 0;

fail:
        while (cg->n_dirs > n_before) {
                CgroupDir *d = &cg->dirs[--cg->n_dirs];

                (void)cgroup_dir_remove_created(d, NULL);
                free(d->path);
        }
        return cgroup_prefix(r, ret_err, "create cgroup %s", cg->path);
}

int cgroup_create_part(const char *path, const SpecResources *res, CgroupManager manager, bool rootless,
                       CgroupPart part, Cgroup **ret, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        const CgroupHost *h;
        int r;

        /* The cgroup2 part alone needs no mountinfo (rootless may need to
         * know which v1 hierarchies it can do without: read it all). */
        if (manager == CGROUP_MANAGER_SYSTEMD && rootless)
                return error_setx(ret_err, ENOTSUP,
                                  "the systemd cgroup manager is not supported for rootless containers (it would need "
                                  "systemd's user instance): use --cgroup-manager cgroupfs");
        r = cgroup_begin(path, manager, rootless, part == CGROUP_PART_V2 && !rootless, "create", &cg, &h, ret_err);
        /* 1: a handle that does nothing. With systemd, the directories come
         * once systemd has made the unit (cgroup_create_unit()): a scope
         * needs its first process. */
        if (r == 0 && manager != CGROUP_MANAGER_SYSTEMD)
                r = create_dirs(cg, h, res, part, ret_err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(cg);
        return 0;
}

int cgroup_create_rest(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        int r;

        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED)
                return 0;
        if (cg->manager == CGROUP_MANAGER_SYSTEMD && !cg->unit)
                return error_setx(ret_err, EINVAL, "create cgroup %s: systemd has not made its unit yet", cg->path);
        r = create_dirs(cg, cgroup_host(), res, CGROUP_PART_ALL, ret_err);
        if (r < 0)
                return r;
        if (cg->n_dirs == 0 && !cg->rootless)
                return error_setx(ret_err, ENOENT, "create cgroup %s: no usable cgroup hierarchy", cg->path);
        if (res) {
                r = cgroup_apply_resources(cg, res, true, ret_err);
                if (r < 0)
                        return cgroup_prefix(r, ret_err, "create cgroup %s", cg->path);
        }
        return 0;
}

int cgroup_create(const char *path, const SpecResources *res, CgroupManager manager, bool rootless, Cgroup **ret,
                  Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        int r;

        r = cgroup_create_part(path, res, manager, rootless, CGROUP_PART_ALL, &cg, ret_err);
        if (r < 0)
                return r;
        r = cgroup_create_rest(cg, res, ret_err);
        if (r < 0) {
                for (size_t i = 0; i < cg->n_dirs; i++)
                        (void)cgroup_dir_remove_created(&cg->dirs[i], NULL);
                return r;
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

int cgroup_open(const char *path, CgroupManager manager, Cgroup **ret, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        const CgroupHost *h;
        int r;

        r = cgroup_begin(path, manager, false, false, "open", &cg, &h, ret_err);
        if (r < 0)
                return r;
        if (r > 0) {
                *ret = TAKE_PTR(cg);
                return 0;
        }
        for (size_t i = 0; i < h->n_hier; i++) {
                _cleanup_free_ char *p = path_join(h->hier[i].mount, cg->path);
                struct stat st;

                if (!p)
                        return error_set(ret_err, ENOMEM, "open cgroup %s", path);
                if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                r = cgroup_add_dir(cg, &h->hier[i], streq(cg->path, "/") ? 0 : 1);
                if (r < 0)
                        return error_set(ret_err, r, "open cgroup %s", path);
        }
        if (cg->n_dirs == 0)
                return error_setx(ret_err, ENOENT, "cgroup %s does not exist", cg->path);
        if (manager == CGROUP_MANAGER_SYSTEMD) {
                _cleanup_free_ char *slice = NULL;

                /* For cgroup_destroy(); a path that names no unit has none to stop. */
                (void)cgroup_unit_from_path(cg->path, &cg->unit, &slice);
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

int cgroup_unified_fd(Cgroup *cg)
{
        CgroupDir *u;
        int fd;

        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED)
                return -EOPNOTSUPP;
        u = cgroup_unified_dir(cg);
        if (!u)
                return -EOPNOTSUPP;
        fd = open(u->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int cgroup_enter(Cgroup *cg, pid_t pid, Error **ret_err)
{
        return cgroup_enter_part(cg, pid, CGROUP_PART_ALL, ret_err);
}

int cgroup_v1_tasks_files(const Cgroup *cg, char ***ret)
{
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));

        if (!v)
                return -ENOMEM;
        for (size_t i = 0; cg && cg->manager != CGROUP_MANAGER_DISABLED && i < cg->n_dirs; i++) {
                char *p;

                if (cg->dirs[i].unified)
                        continue;
                p = path_join(cg->dirs[i].path, "tasks");
                if (!p || strv_push(&v, p) < 0) {
                        free(p);
                        return -ENOMEM;
                }
                free(p);
        }
        *ret = TAKE_PTR(v);
        return 0;
}

int cgroup_dir_paths(const Cgroup *cg, char ***ret)
{
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));

        if (!v)
                return -ENOMEM;
        for (size_t i = 0; cg && cg->manager != CGROUP_MANAGER_DISABLED && i < cg->n_dirs; i++)
                if (strv_push(&v, cg->dirs[i].path) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

int cgroup_enter_part(Cgroup *cg, pid_t pid, CgroupPart part, Error **ret_err)
{
        char buf[32];

        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED)
                return 0;
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (size_t i = 0; i < cg->n_dirs; i++) {
                _cleanup_error_ Error *e = NULL;
                int r;

                if (!(part & (cg->dirs[i].unified ? CGROUP_PART_V2 : CGROUP_PART_V1)))
                        continue;
                r = cgroup_write(cg->dirs[i].path, "cgroup.procs", buf, &e);

                if (r < 0) {
                        if (cg->rootless && (r == -EACCES || r == -EPERM))
                                continue;
                        cgroup_error_take(ret_err, &e);
                        return cgroup_prefix(r, ret_err, "enter cgroup %s", cg->dirs[i].path);
                }
        }
        return 0;
}

int cgroup_apply(Cgroup *cg, const SpecResources *res, Error **ret_err)
{
        int r;

        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED || !res)
                return 0;
        /* systemd first, as runc: it writes its own values when it
         * applies the unit's properties; ours then go on top. */
        if (cg->unit) {
                r = cgroup_systemd_set(cg->unit, res, cgroup_layout() == CGROUP_LAYOUT_V2, ret_err);
                if (r < 0)
                        return r;
        }
        return cgroup_apply_resources(cg, res, false, ret_err);
}

int cgroup_freeze(Cgroup *cg, bool freeze, Error **ret_err)
{
        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED)
                return 0;
        return cgroup_freeze_impl(cg, freeze, ret_err);
}

bool cgroup_is_frozen(Cgroup *cg)
{
        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED)
                return false;
        return cgroup_is_frozen_impl(cg);
}
