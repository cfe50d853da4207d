/* The processes of a cgroup: listing, signalling, and destroying the
 * cgroup once they are gone. */
#include "cgroup/cgroup-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>

#include "lib/macros.h"
#include "lib/util.h"

typedef struct PidSet {
        pid_t *v;
        size_t n, cap;
} PidSet;

static int pidset_add(PidSet *s, pid_t p)
{
        if (s->n == s->cap) {
                size_t ncap = s->cap ? s->cap * 2 : 64;
                pid_t *nv = realloc(s->v, ncap * sizeof(pid_t));

                if (!nv)
                        return -ENOMEM;
                s->v = nv;
                s->cap = ncap;
        }
        s->v[s->n++] = p;
        return 0;
}

static bool pidset_has(const PidSet *s, pid_t p)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i] == p)
                        return true;
        return false;
}

static int read_procs_recursive(int dfd, PidSet *s, int depth_left)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        DIR *d;
        struct dirent *de;
        int r;

        fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno; /* removed under us */
        r = read_full_fd(fd, &buf, NULL, NULL);
        if (r < 0)
                return r == -ENODEV ? 0 : r;
        for (char *line = buf, *nl; line && *line; line = nl) {
                int pid;

                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = '\0';
                if (parse_int(line, &pid) == 0 && pid > 0 && (r = pidset_add(s, pid)) < 0)
                        return r;
        }

        if (depth_left <= 0)
                return 0;
        safe_close(fd);
        fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -EBADF; /* owned by d now */
        r = 0;
        while ((de = readdir(d))) {
                _cleanup_close_ int sub = -EBADF;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                sub = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0)
                        continue; /* a child cgroup removed meanwhile */
                r = read_procs_recursive(sub, s, depth_left - 1);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

/* The directory whose cgroup.procs lists the container: the pids
 * controller's, else (v2) the unified one, else freezer's, else any. */
static CgroupDir *procs_dir(const Cgroup *cg)
{
        CgroupDir *d;

        for (size_t i = 0; i < cg->n_dirs; i++)
                if (!cg->dirs[i].unified && (cg->dirs[i].v1_mask & CGROUP_CTRL_BIT(CGROUP_CTRL_PIDS)))
                        return &cg->dirs[i];
        if (cg->layout == CGROUP_LAYOUT_V2 && (d = cgroup_unified_dir(cg)))
                return d;
        for (size_t i = 0; i < cg->n_dirs; i++)
                if (!cg->dirs[i].unified && (cg->dirs[i].v1_mask & CGROUP_CTRL_BIT(CGROUP_CTRL_FREEZER)))
                        return &cg->dirs[i];
        return cg->n_dirs > 0 ? &cg->dirs[0] : NULL;
}

static int collect_pids(const Cgroup *cg, PidSet *s, Error **ret_err)
{
        _cleanup_close_ int dfd = -EBADF;
        CgroupDir *d = procs_dir(cg);
        int r;

        if (!d)
                return 0;
        dfd = open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                if (errno == ENOENT)
                        return 0;
                return error_set(ret_err, errno, "open %s", d->path);
        }
        r = read_procs_recursive(dfd, s, 32);
        if (r < 0)
                return error_set(ret_err, r, "read %s/cgroup.procs", d->path);
        return 0;
}

int cgroup_pids(Cgroup *cg, pid_t **ret, size_t *ret_n, Error **ret_err)
{
        PidSet s = { 0 };
        int r;

        if (cg && cg->manager != CGROUP_MANAGER_DISABLED) {
                r = collect_pids(cg, &s, ret_err);
                if (r < 0) {
                        free(s.v);
                        return r;
                }
        }
        if (!s.v) {
                s.v = malloc(sizeof(pid_t)); /* a valid, empty array */
                if (!s.v)
                        return error_set(ret_err, ENOMEM, "cgroup pids");
        }
        *ret = s.v;
        *ret_n = s.n;
        return 0;
}

int cgroup_kill_all(Cgroup *cg, int sig, Error **ret_err)
{
        PidSet done = { 0 };
        CgroupDir *u;
        bool frozen;
        int r = 0;

        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED || cg->n_dirs == 0)
                return 0;
        frozen = cgroup_is_frozen_impl(cg);

        /* cgroup.kill (Linux 5.14) kills the whole subtree atomically, forks
         * in flight included. Every container process is in the unified
         * cgroup on hybrid hosts too, so it serves there as well; the loop
         * below then only mops up. */
        u = cgroup_unified_dir(cg);
        if (sig == SIGKILL && u && cgroup_file_exists(u->path, "cgroup.kill"))
                (void)cgroup_write(u->path, "cgroup.kill", "1", NULL);

        /* Signal until a pass finds no process we have not signalled: a
         * process may fork while we read cgroup.procs. Bounded, because a
         * fork bomb would keep us busy forever. */
        for (int round = 0; round < 64; round++) {
                PidSet now = { 0 };
                size_t fresh = 0;

                r = collect_pids(cg, &now, ret_err);
                if (r < 0) {
                        free(now.v);
                        break;
                }
                for (size_t i = 0; i < now.n; i++) {
                        if (pidset_has(&done, now.v[i]))
                                continue;
                        fresh++;
                        if (kill(now.v[i], sig) < 0 && errno != ESRCH && r == 0)
                                r = error_set(ret_err, errno, "kill %d", (int)now.v[i]);
                        if (pidset_add(&done, now.v[i]) < 0 && r == 0)
                                r = error_set(ret_err, ENOMEM, "kill");
                }
                free(now.v);
                if (fresh == 0 || r < 0)
                        break;
        }
        free(done.v);

        /* A frozen process only acts on a signal once thawed (v1 freezer
         * holds even SIGKILL). */
        if (frozen) {
                _cleanup_error_ Error *e = NULL;
                int q = cgroup_freeze_impl(cg, false, &e);

                if (q < 0 && r == 0)
                        r = cgroup_error_take(ret_err, &e);
        }
        if (r < 0)
                return cgroup_prefix(r, ret_err, "signal cgroup %s", cg->path);
        return 0;
}

int cgroup_destroy(Cgroup *cg, Error **ret_err)
{
        uint64_t deadline;
        uint64_t next_kill = 0;
        bool busy = false;
        int r = 0;

        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED)
                return 0;

        /* The common case: the container is gone and each leaf cgroup is
         * empty, so a plain rmdir removes it (and the parents we made). */
        for (size_t i = 0; i < cg->n_dirs; i++)
                if (!cgroup_dir_remove_leaf(&cg->dirs[i]))
                        busy = true;
        /* systemd's own directories are not ours to rmdir: empty them, then
         * have systemd stop the unit (with processes left in it, a stop
         * would first wait for them to answer SIGTERM). */
        if (cg->unit)
                busy = true;

        /* Else kill what is left and wait (bounded) for the cgroup to
         * empty: rmdir fails with EBUSY while a process is in it. */
        deadline = cgroup_now_usec() + UINT64_C(2000000);
        while (busy) {
                PidSet s = { 0 };
                int q = collect_pids(cg, &s, NULL);

                free(s.v);
                if (q < 0 || s.n == 0)
                        break;
                if (cgroup_now_usec() >= deadline) {
                        /* rmdir would only wait for EBUSY in each hierarchy. */
                        r = error_setx(ret_err, EBUSY, "%zu processes still in the cgroup after SIGKILL", s.n);
                        return cgroup_prefix(r, ret_err, "destroy cgroup %s", cg->path);
                }
                if (cgroup_now_usec() >= next_kill) {
                        (void)cgroup_kill_all(cg, SIGKILL, NULL);
                        next_kill = cgroup_now_usec() + 200000u;
                }
                cgroup_sleep_us(5000);
        }

        if (cg->unit) {
                /* Best effort: the scope is empty now, and systemd collects
                 * an empty scope by itself. */
                (void)cgroup_systemd_stop(cg->unit, NULL);
                free(cg->unit);
                cg->unit = NULL;
        }
        for (size_t i = 0; i < cg->n_dirs; i++) {
                _cleanup_error_ Error *e = NULL;
                int q = cgroup_dir_remove_created(&cg->dirs[i], &e);

                if (q < 0 && r == 0)
                        r = cgroup_error_take(ret_err, &e);
        }
        if (r < 0)
                return cgroup_prefix(r, ret_err, "destroy cgroup %s", cg->path);
        return 0;
}
