/* start, state, kill, delete, list, ps, pause, resume, update, events. */
#include "runtime/runtime.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "lib/util.h"
#include "runtime/statedir.h"
#include "sandbox/hooks.h"

static CgroupManager record_manager(const RuntimeOpts *o, const ContainerRecord *r);

static void runtime_warn(const RuntimeOpts *o, const Error *e)
{
        if (o->warn && e && e->msg)
                o->warn(e->msg);
}

static void warn_hook(const Error *e, void *userdata)
{
        runtime_warn(userdata, e);
}

void runtime_poststart(const RuntimeOpts *o, const Spec *spec, const ContainerRecord *rec)
{
        _cleanup_free_ char *state = NULL;

        if (spec->n_hooks[HOOK_POSTSTART] == 0 || !(state = oci_state_to_json(rec, STATUS_RUNNING, false)))
                return;
        (void)hooks_run_all(spec, HOOK_POSTSTART, state, warn_hook, (void *)o);
}

/* Validate the id, lock the container's directory (LOCK_SH or LOCK_EX), read
 * its record and compute its live status. With ret_dirfd the lock is handed
 * to the caller (close the fd to release it); without, it is released. */
static int load_locked(const RuntimeOpts *o, const char *id, int how, int *ret_dirfd, ContainerRecord **ret,
                       ContainerStatus *ret_status, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_record_ ContainerRecord *rec = NULL;
        int r;

        if (!runtime_id_valid(id))
                return error_setx(ret_err, EINVAL, "invalid container id \"%s\"", id);
        fd = statedir_lock(o, id, how, ret_err);
        if (fd < 0)
                return fd;
        r = statedir_read_record(fd, id, &rec, ret_err);
        if (r < 0)
                return r;
        if (ret_status)
                *ret_status = statedir_live_status(fd, rec, record_manager(o, rec));
        if (ret_dirfd)
                *ret_dirfd = TAKE_FD(fd);
        *ret = TAKE_PTR(rec);
        return 0;
}

int runtime_load(const RuntimeOpts *o, const char *id, ContainerRecord **ret, ContainerStatus *ret_status,
                 Error **ret_err)
{
        return load_locked(o, id, LOCK_SH, NULL, ret, ret_status, ret_err);
}

static int load_spec_at(int dirfd, const char *id, Spec **ret, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        fd = openat(dirfd, "config.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return error_set(ret_err, errno, "open saved config of %s", id);
        r = read_full_fd(fd, &text, &len, ret_err);
        if (r < 0)
                return r;
        return spec_parse(text, len, "config.json", ret, ret_err);
}

int runtime_load_spec(const RuntimeOpts *o, const char *id, Spec **ret, Error **ret_err)
{
        _cleanup_close_ int fd = statedir_lock(o, id, LOCK_SH, ret_err);

        if (fd < 0)
                return fd;
        return load_spec_at(fd, id, ret, ret_err);
}

static CgroupManager record_manager(const RuntimeOpts *o, const ContainerRecord *r)
{
        if (o->cgroup_manager == CGROUP_MANAGER_DISABLED)
                return CGROUP_MANAGER_DISABLED;
        return r->systemd_cgroup ? CGROUP_MANAGER_SYSTEMD : CGROUP_MANAGER_CGROUPFS;
}

int runtime_start(const RuntimeOpts *o, const char *id, const Spec *spec_in, Error **ret_err)
{
        _cleanup_close_ int dirfd = -EBADF, fifo = -EBADF, pidfd = -EBADF;
        _cleanup_record_ ContainerRecord *rec = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        ContainerStatus st;
        char byte;
        int r;

        r = load_locked(o, id, LOCK_EX, &dirfd, &rec, &st, ret_err);
        if (r < 0)
                return r;
        if (st != STATUS_CREATED)
                return error_setx(ret_err, EINVAL, "cannot start container \"%s\": it is %s, not created", id,
                                  container_status_to_string(st));

        if (!spec_in) {
                r = load_spec_at(dirfd, id, &spec, ret_err);
                if (r < 0)
                        return r;
                spec_in = spec;
        }

        /* O_NONBLOCK: opening the read end must not hang if the init died. */
        fifo = openat(dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo < 0)
                return error_set(ret_err, errno, "open exec.fifo of %s", id);
        pidfd = pidfd_open_(rec->pid, 0);
        for (;;) {
                struct pollfd p[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
                ssize_t n;

                if (poll(p, pidfd >= 0 ? 2 : 1, 5000) < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set(ret_err, errno, "wait for container init");
                }
                n = read(fifo, &byte, 1);
                if (n == 1)
                        break;
                if (n < 0 && errno != EAGAIN)
                        return error_set(ret_err, errno, "read exec.fifo");
                if (pidfd >= 0 && (p[1].revents & POLLIN))
                        return error_setx(ret_err, ESRCH, "container init of \"%s\" exited before start", id);
                if (pidfd < 0 && kill(rec->pid, 0) < 0)
                        return error_setx(ret_err, ESRCH, "container init of \"%s\" exited before start", id);
        }
        /* With poststart hooks, wait for EOF: the init's write end closes
         * when it execs (or dies), so they run after the user's program
         * started. Without, return now, as runc does: the init is past its
         * last check and execs on its own. */
        while (spec_in->n_hooks[HOOK_POSTSTART] > 0) {
                struct pollfd p = { .fd = fifo, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, -1) < 0 && errno != EINTR)
                        break;
                n = read(fifo, &byte, 1);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                        break;
        }
        /* Started: exec.fifo gone is what status reads (state.json stays
         * as create wrote it). */
        if (unlinkat(dirfd, "exec.fifo", 0) < 0 && errno != ENOENT)
                return error_set(ret_err, errno, "remove exec.fifo of %s", id);

        runtime_poststart(o, spec_in, rec);
        return 0;
}

int runtime_state(const RuntimeOpts *o, const char *id, char **ret_json, Error **ret_err)
{
        _cleanup_record_ ContainerRecord *rec = NULL;
        ContainerStatus st;
        int r;

        r = runtime_load(o, id, &rec, &st, ret_err);
        if (r < 0)
                return r;
        *ret_json = oci_state_to_json(rec, st, true);
        return *ret_json ? 0 : error_set(ret_err, ENOMEM, "state");
}

static int signal_init(const ContainerRecord *rec, int sig, Error **ret_err)
{
        _cleanup_close_ int pidfd = pidfd_open_(rec->pid, 0);
        int r;

        /* Through a pidfd, and only after checking the start time: a
         * recycled pid must never get the signal. */
        if (pidfd < 0)
                return error_set(ret_err, -pidfd, "open pid %d", (int)rec->pid);
        if (rec->pid_start_time && proc_start_time(rec->pid) != rec->pid_start_time)
                return error_setx(ret_err, ESRCH, "container is not running");
        r = pidfd_send_signal_(pidfd, sig);
        if (r < 0)
                return error_set(ret_err, -r, "signal %d to pid %d", sig, (int)rec->pid);
        return 0;
}

int runtime_kill(const RuntimeOpts *o, const char *id, int sig, bool all, Error **ret_err)
{
        _cleanup_close_ int dirfd = -EBADF;
        _cleanup_record_ ContainerRecord *rec = NULL;
        ContainerStatus st;
        int r;

        r = load_locked(o, id, LOCK_SH, &dirfd, &rec, &st, ret_err);
        if (r < 0)
                return r;

        if (all) {
                _cleanup_cgroup_ Cgroup *cg = NULL;

                if (rec->cgroup_path && record_manager(o, rec) != CGROUP_MANAGER_DISABLED) {
                        r = cgroup_open(rec->cgroup_path, record_manager(o, rec), &cg, ret_err);
                        if (r >= 0)
                                r = cgroup_kill_all(cg, sig, ret_err);
                        if (r < 0 && st != STATUS_STOPPED)
                                return r;
                        return 0;
                }
                if (st == STATUS_STOPPED)
                        return 0;
                return signal_init(rec, sig, ret_err);
        }
        if (st == STATUS_STOPPED)
                return error_setx(ret_err, ESRCH, "container \"%s\" is not running", id);
        return signal_init(rec, sig, ret_err);
}

static void wait_pid_gone(pid_t pid, unsigned long long start, int ms)
{
        _cleanup_close_ int pidfd = pidfd_open_(pid, 0);

        if (pidfd >= 0) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                (void)poll(&p, 1, ms);
                return;
        }
        for (int i = 0; i < ms / 10; i++) {
                char s = proc_state(pid);
                if (s == 0 || s == 'Z' || (start && proc_start_time(pid) != start))
                        return;
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
}

int runtime_delete(const RuntimeOpts *o, const char *id, bool force, const Spec *spec_in, Error **ret_err)
{
        _cleanup_close_ int dirfd = -EBADF;
        _cleanup_record_ ContainerRecord *rec = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *ignored = NULL;
        ContainerStatus st;
        int r;

        r = load_locked(o, id, LOCK_EX, &dirfd, &rec, &st, ret_err);
        if (r == -ENOENT && force && runtime_id_valid(id)) {
                if (ret_err) {
                        error_free(*ret_err);
                        *ret_err = NULL;
                }
                /* A half-made directory without state.json. */
                (void)statedir_remove(o, id);
                return 0;
        }
        if (r < 0)
                return r;
        if (st != STATUS_STOPPED && !force)
                return error_setx(ret_err, EBUSY, "cannot delete container \"%s\": it is %s (use --force)", id,
                                  container_status_to_string(st));

        if (rec->cgroup_path && cgroup_open(rec->cgroup_path, record_manager(o, rec), &cg, &ignored) >= 0)
                cgroup_set_created_depth(cg, rec->cgroup_created_depth);
        if (st != STATUS_STOPPED) {
                if (cg)
                        (void)cgroup_kill_all(cg, SIGKILL, &ignored);
                (void)signal_init(rec, SIGKILL, &ignored);
                wait_pid_gone(rec->pid, rec->pid_start_time, 5000);
        }
        if (cg) {
                r = cgroup_destroy(cg, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "delete container \"%s\"", id);
        } else if (rec->cgroup_path) {
                /* A systemd unit whose cgroup is gone may be kept as failed,
                 * its name taken; best effort (systemd may be gone too). */
                (void)cgroup_stop_unit(rec->cgroup_path, record_manager(o, rec), &ignored);
        }

        /* poststop: after the container is gone; a failure is a warning. */
        if (!spec_in && load_spec_at(dirfd, id, &spec, &ignored) >= 0)
                spec_in = spec;
        if (spec_in && spec_in->n_hooks[HOOK_POSTSTOP] > 0) {
                _cleanup_free_ char *state = oci_state_to_json(rec, STATUS_STOPPED, false);

                if (state)
                        (void)hooks_run_all(spec_in, HOOK_POSTSTOP, state, warn_hook, (void *)o);
        }
        r = statedir_remove(o, id);
        if (r < 0)
                return error_set(ret_err, -r, "remove state of \"%s\"", id);
        return 0;
}

int runtime_delete_run(const RuntimeOpts *o, const char *id, Cgroup *cg_in, const Spec *spec, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = cg_in;
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dirfd = -EBADF;
        int r;

        if (!cg || !spec || spec->n_hooks[HOOK_POSTSTOP] > 0)
                return runtime_delete(o, id, true, spec, ret_err);
        dir = statedir_path(o, id);
        if (!dir)
                return error_set(ret_err, ENOMEM, "state dir");
        /* Locked as any delete, against a concurrent one. */
        dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dirfd < 0 && errno == ENOENT)
                return 0; /* deleted meanwhile, cgroup and all */
        if (dirfd < 0 || flock(dirfd, LOCK_EX) < 0)
                return error_set(ret_err, errno, "lock %s", dir);
        r = cgroup_destroy(cg, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "delete container \"%s\"", id);
        r = statedir_remove(o, id);
        if (r < 0)
                return error_set(ret_err, -r, "remove state of \"%s\"", id);
        return 0;
}

int runtime_list(const RuntimeOpts *o, ContainerRecord ***ret, ContainerStatus **ret_status, size_t *ret_n,
                 Error **ret_err)
{
        ContainerRecord **recs = NULL;
        ContainerStatus *sts = NULL;
        size_t n = 0;
        DIR *d;
        struct dirent *de;

        *ret = NULL;
        *ret_status = NULL;
        *ret_n = 0;
        d = opendir(o->root);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return error_set(ret_err, errno, "open %s", o->root);
        }
        while ((de = readdir(d))) {
                ContainerRecord *r = NULL;
                ContainerStatus st;
                void *p;

                if (de->d_name[0] == '.' || !runtime_id_valid(de->d_name))
                        continue;
                if (runtime_load(o, de->d_name, &r, &st, NULL) < 0)
                        continue;
                p = realloc(recs, (n + 1) * sizeof(*recs));
                if (!p) {
                        container_record_free(r);
                        break;
                }
                recs = p;
                p = realloc(sts, (n + 1) * sizeof(*sts));
                if (!p) {
                        container_record_free(r);
                        break;
                }
                sts = p;
                recs[n] = r;
                sts[n] = st;
                n++;
        }
        closedir(d);
        *ret = recs;
        *ret_status = sts;
        *ret_n = n;
        return 0;
}

static int open_cgroup(const RuntimeOpts *o, const char *id, ContainerRecord **ret_rec, ContainerStatus *ret_st,
                       Cgroup **ret_cg, Error **ret_err)
{
        _cleanup_record_ ContainerRecord *rec = NULL;
        int r;

        r = runtime_load(o, id, &rec, ret_st, ret_err);
        if (r < 0)
                return r;
        r = cgroup_open(rec->cgroup_path ? rec->cgroup_path : "/", record_manager(o, rec), ret_cg, ret_err);
        if (r < 0)
                return r;
        if (ret_rec)
                *ret_rec = TAKE_PTR(rec);
        return 0;
}

int runtime_pids(const RuntimeOpts *o, const char *id, pid_t **ret, size_t *ret_n, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_record_ ContainerRecord *rec = NULL;
        ContainerStatus st;
        int r;

        r = open_cgroup(o, id, &rec, &st, &cg, ret_err);
        if (r < 0)
                return r;
        if (st == STATUS_STOPPED) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (record_manager(o, rec) == CGROUP_MANAGER_DISABLED) {
                *ret = malloc(sizeof(pid_t));
                if (!*ret)
                        return -ENOMEM;
                (*ret)[0] = rec->pid;
                *ret_n = 1;
                return 0;
        }
        return cgroup_pids(cg, ret, ret_n, ret_err);
}

static int freeze(const RuntimeOpts *o, const char *id, bool on, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        ContainerStatus st;
        int r;

        r = open_cgroup(o, id, NULL, &st, &cg, ret_err);
        if (r < 0)
                return r;
        if (on && st != STATUS_RUNNING && st != STATUS_CREATED)
                return error_setx(ret_err, EINVAL, "cannot pause container \"%s\": it is %s", id,
                                  container_status_to_string(st));
        if (!on && st != STATUS_PAUSED)
                return error_setx(ret_err, EINVAL, "cannot resume container \"%s\": it is %s, not paused", id,
                                  container_status_to_string(st));
        return cgroup_freeze(cg, on, ret_err);
}

int runtime_pause(const RuntimeOpts *o, const char *id, Error **ret_err)
{
        return freeze(o, id, true, ret_err);
}

int runtime_resume(const RuntimeOpts *o, const char *id, Error **ret_err)
{
        return freeze(o, id, false, ret_err);
}

/* The cgroup of a container that is not stopped, for update and stats. */
static int open_live_cgroup(const RuntimeOpts *o, const char *id, const char *what, Cgroup **ret_cg, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        ContainerStatus st;
        int r;

        r = open_cgroup(o, id, NULL, &st, &cg, ret_err);
        if (r < 0)
                return r;
        if (st == STATUS_STOPPED)
                return error_setx(ret_err, EINVAL, "cannot %s container \"%s\": it is stopped", what, id);
        *ret_cg = TAKE_PTR(cg);
        return 0;
}

int runtime_update(const RuntimeOpts *o, const char *id, const SpecResources *res, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        int r = open_live_cgroup(o, id, "update", &cg, ret_err);

        return r < 0 ? r : cgroup_apply(cg, res, ret_err);
}

int runtime_stats_json(const RuntimeOpts *o, const char *id, char **ret, Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        int r = open_live_cgroup(o, id, "read statistics of", &cg, ret_err);

        return r < 0 ? r : cgroup_stats_json(cg, ret, ret_err);
}

static uint64_t now_msec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Read the OOM watch and emit an "oom" event if there was one. Returns 1
 * when the cgroup went away (the stream is over), 0, or the emitter's
 * error. */
static int events_oom(CgroupOomWatch *w, RuntimeEventFn emit, void *userdata)
{
        bool oom = false;
        int r;

        if (!w)
                return 0;
        r = cgroup_oom_watch_read(w, &oom);
        if (r == -ENODEV)
                return 1;
        if (oom && (r = emit(RUNTIME_EVENT_OOM, NULL, userdata)) < 0)
                return r;
        return 0;
}

int runtime_events(const RuntimeOpts *o, const char *id, uint64_t interval_ms, RuntimeEventFn emit, void *userdata,
                   Error **ret_err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_record_ ContainerRecord *rec = NULL;
        _cleanup_oom_watch_ CgroupOomWatch *w = NULL;
        _cleanup_error_ Error *e = NULL;
        _cleanup_close_ int pidfd = -EBADF;
        ContainerStatus st;
        uint64_t next;
        int r;

        if (interval_ms == 0)
                return error_setx(ret_err, EINVAL, "events: the interval must be greater than 0");
        r = open_cgroup(o, id, &rec, &st, &cg, ret_err);
        if (r < 0)
                return r;
        if (st == STATUS_STOPPED)
                return error_setx(ret_err, EINVAL, "container \"%s\" is not running", id);
        /* The init's exit ends the stream. Opened before the start time is
         * checked: a recycled pid then fails the check instead of being
         * watched. */
        pidfd = pidfd_open_(rec->pid, 0);
        if (pidfd == -ESRCH || (rec->pid_start_time && proc_start_time(rec->pid) != rec->pid_start_time))
                return 0; /* it stopped meanwhile */
        if (pidfd < 0)
                return error_set(ret_err, -pidfd, "open pid %d", (int)rec->pid);
        /* Without a memory controller there are no OOM events to report,
         * but statistics still are. */
        if (record_manager(o, rec) != CGROUP_MANAGER_DISABLED) {
                r = cgroup_oom_watch(cg, &w, &e);
                if (r < 0 && r != -EOPNOTSUPP)
                        return error_setx(ret_err, -r, "%s", e ? e->msg : "watch OOM events");
        }

        /* As runc: the first statistics after one interval. */
        next = now_msec() + interval_ms;
        for (;;) {
                struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
                                       { .fd = w ? cgroup_oom_watch_fd(w) : -1, .events = POLLIN } };
                uint64_t now = now_msec();
                int timeout = next <= now ? 0 : next - now > INT_MAX ? INT_MAX : (int)(next - now);

                r = poll(p, 2, timeout);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set(ret_err, errno, "events: poll");
                }
                /* OOM before exit: a kill of the init shows both at once. */
                if (p[1].revents || p[0].revents) {
                        r = events_oom(w, emit, userdata);
                        if (r < 0)
                                return error_set(ret_err, -r, "events");
                        if (r > 0 || p[0].revents)
                                return 0;
                }
                if (now_msec() >= next) {
                        _cleanup_free_ char *data = NULL;

                        r = cgroup_stats_json(cg, &data, ret_err);
                        if (r < 0)
                                return r;
                        r = emit(RUNTIME_EVENT_STATS, data, userdata);
                        if (r < 0)
                                return error_set(ret_err, -r, "events");
                        next += interval_ms;
                        if (next <= now_msec()) /* a slow reader: do not burst */
                                next = now_msec() + interval_ms;
                }
        }
}
