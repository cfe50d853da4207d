/* OOM notifications for `events`: a pollable fd that becomes readable when
 * the memory controller of a cgroup has an out-of-memory event.
 *
 *   v1: an eventfd registered on memory.oom_control through
 *       cgroup.event_control. The kernel signals it each time the cgroup
 *       goes into OOM, and once more when the cgroup is removed (so a
 *       signal with cgroup.event_control gone is not an OOM).
 *   v2: inotify on memory.events, whose "oom_kill" counter we compare with
 *       the value seen last (an IN_MODIFY also comes for "max", "high" and
 *       "low" going up, which are no OOM). */
#include "cgroup/cgroup-internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

struct CgroupOomWatch {
        int fd; /* eventfd (v1) or inotify fd (v2) */
        bool v2;
        char *dir;         /* the memory controller's directory */
        uint64_t oom_kill; /* v2: the counter as last seen */
};

void cgroup_oom_watch_free(CgroupOomWatch *w)
{
        if (!w)
                return;
        safe_close(w->fd);
        free(w->dir);
        free(w);
}

static int watch_v1(CgroupOomWatch *w, Error **ret_err)
{
        _cleanup_close_ int ctl = -EBADF;
        _cleanup_free_ char *path = path_join(w->dir, "memory.oom_control");
        char buf[64];

        if (!path)
                return error_set(ret_err, ENOMEM, "watch OOM events");
        ctl = open(path, O_RDONLY | O_CLOEXEC);
        if (ctl < 0)
                return error_set(ret_err, errno, "open %s", path);
        w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->fd < 0)
                return error_set(ret_err, errno, "eventfd");
        /* The registration holds its own reference to the oom_control
         * file: ours can go once it is written. */
        snprintf(buf, sizeof(buf), "%d %d", w->fd, ctl);
        return cgroup_write(w->dir, "cgroup.event_control", buf, ret_err);
}

static int watch_v2(CgroupOomWatch *w, Error **ret_err)
{
        _cleanup_free_ char *path = path_join(w->dir, "memory.events");

        if (!path)
                return error_set(ret_err, ENOMEM, "watch OOM events");
        w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (w->fd < 0)
                return error_set(ret_err, errno, "inotify_init1");
        if (inotify_add_watch(w->fd, path, IN_MODIFY) < 0)
                return error_set(ret_err, errno, "inotify_add_watch %s", path);
        /* Only kills from now on count. */
        if (cgroup_read_keyed(w->dir, "memory.events", "oom_kill", &w->oom_kill) < 0)
                w->oom_kill = 0;
        return 0;
}

int cgroup_oom_watch(Cgroup *cg, CgroupOomWatch **ret, Error **ret_err)
{
        CgroupOomWatch *w;
        CgroupDir *d;
        bool v2 = false;
        int r;

        if (!cg || cg->manager == CGROUP_MANAGER_DISABLED || !(d = cgroup_dir_for(cg, CGROUP_CTRL_MEMORY, &v2)))
                return error_setx(ret_err, EOPNOTSUPP, "no memory controller for cgroup %s", cg ? cg->path : "?");
        w = calloc(1, sizeof(*w));
        if (!w)
                return error_set(ret_err, ENOMEM, "watch OOM events");
        w->fd = -EBADF;
        w->v2 = v2;
        w->dir = strdup(d->path);
        if (!w->dir)
                r = error_set(ret_err, ENOMEM, "watch OOM events");
        else
                r = v2 ? watch_v2(w, ret_err) : watch_v1(w, ret_err);
        if (r < 0) {
                cgroup_oom_watch_free(w);
                return cgroup_prefix(r, ret_err, "watch OOM events of %s", cg->path);
        }
        *ret = w;
        return 0;
}

int cgroup_oom_watch_fd(const CgroupOomWatch *w)
{
        return w->fd;
}

int cgroup_oom_watch_read(CgroupOomWatch *w, bool *ret_oom)
{
        *ret_oom = false;
        if (!w->v2) {
                uint64_t n = 0;

                if (read(w->fd, &n, sizeof(n)) != sizeof(n))
                        return errno == EAGAIN ? 0 : -errno;
                /* The removal of the cgroup signals too. */
                if (!cgroup_file_exists(w->dir, "cgroup.event_control"))
                        return -ENODEV;
                *ret_oom = n > 0;
                return 0;
        } else {
                char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
                uint64_t now = 0;
                int r;

                /* Drain: the events themselves say nothing we need. */
                while (read(w->fd, buf, sizeof(buf)) > 0)
                        ;
                r = cgroup_read_keyed(w->dir, "memory.events", "oom_kill", &now);
                if (r < 0)
                        return r == -ENOENT && !cgroup_file_exists(w->dir, "memory.events") ? -ENODEV : r;
                if (now > w->oom_kill)
                        *ret_oom = true;
                w->oom_kill = now;
                return 0;
        }
}
