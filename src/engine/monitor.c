/* The monitor (the shim): one small process per running container. It
 * creates and starts the container through the runtime library with the
 * container's stdout and stderr on pipes it holds, writes them to Docker's
 * json-file log (and, attached, to its own stdout and stderr), waits for
 * the init, records the exit, frees the runtime state and, with --rm,
 * removes the container. It holds monitors/<id>.lock for its whole life:
 * that is how everyone else knows it lives (engine.h). No threads: one
 * poll loop over the two pipes and a signalfd. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/network.h"
#include "engine/volumes.h"
#include "image/rootfs.h"
#include "lib/macros.h"
#include "lib/util.h"

#define LINE_MAX_BYTES 16384

typedef struct Stream {
        int fd;    /* the pipe's read end, -1 at EOF */
        int relay; /* attached: where to copy the bytes, else -1 */
        const char *name;
        char buf[LINE_MAX_BYTES];
        size_t len;
} Stream;

/* One json-file entry: {"log":"...","stream":"stdout","time":"..."}. */
static void log_entry(int log_fd, const char *stream, const char *data, size_t len)
{
        _cleanup_free_ char *now = now_rfc3339(), *line = NULL;
        json_t *s = json_stringn(data, len), *o;

        if (!s) { /* not UTF-8: keep what is ASCII */
                _cleanup_free_ char *copy = malloc(len);
                if (!copy)
                        return;
                for (size_t i = 0; i < len; i++)
                        copy[i] = (unsigned char)data[i] < 0x80 && data[i] ? data[i] : '?';
                s = json_stringn(copy, len);
        }
        o = json_pack("{s:o,s:s,s:s}", "log", s, "stream", stream, "time", now ? now : "");
        line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        if (line) {
                size_t l = strlen(line);
                line[l] = '\n';
                (void)write_all(log_fd, line, l + 1);
        }
}

static void stream_read(Stream *s, int log_fd)
{
        char buf[8192];
        ssize_t n = read(s->fd, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) {
                if (s->len)
                        log_entry(log_fd, s->name, s->buf, s->len);
                s->len = 0;
                s->fd = safe_close(s->fd) < 0 ? -1 : -1;
                return;
        }
        if (s->relay >= 0)
                (void)write_all(s->relay, buf, (size_t)n);
        for (ssize_t i = 0; i < n; i++) {
                s->buf[s->len++] = buf[i];
                if (buf[i] == '\n' || s->len == sizeof(s->buf)) {
                        log_entry(log_fd, s->name, s->buf, s->len);
                        s->len = 0;
                }
        }
}

static int set_state(Engine *e, const char *id, json_t *changes, bool remove, Error **ret_err)
{
        json_t *rec = NULL;
        _cleanup_free_ char *p = engine_path(e, id, "container.json");
        int r = engine_lock(e, ret_err);

        if (r < 0)
                goto out;
        rec = p ? json_load_file(p, 0, NULL) : NULL;
        if (!rec) {
                r = error_setx(ret_err, ENOENT, "No such container: %s", id);
                goto unlock;
        }
        if (remove) {
                _cleanup_free_ char *lock = engine_monitor_lock_path(e, id);
                r = rootfs_remove(e->store, id, ret_err);
                if (lock)
                        (void)unlink(lock);
                /* --rm takes the anonymous volumes with it, as Docker */
                if (r >= 0)
                        engine_volumes_drop_anonymous(e, rec);
        } else {
                json_object_update(json_object_get(rec, "State"), changes);
                r = engine_save(e, id, rec, ret_err);
        }
unlock:
        engine_unlock(e);
out:
        json_decref(rec);
        json_decref(changes);
        return r;
}

static void report(int fd, int code, const char *msg)
{
        if (fd < 0)
                return;
        (void)write_all(fd, &code, sizeof(code));
        if (code && msg)
                (void)write_all(fd, msg, strlen(msg));
}

/* Map a runtime error to Docker's exit codes: 127 when the command is not
 * there, 126 when it cannot be run. */
int engine_start_error_code(const Error *err)
{
        if (!err)
                return EIO;
        if (err->code == ENOENT && strstr(err->msg ?: "", "executable file not found"))
                return ENOENT;
        if (err->code == ENOENT || err->code == EACCES || err->code == ENOEXEC)
                return err->code == ENOENT ? ENOENT : EACCES;
        return err->code ? err->code : EIO;
}

int engine_monitor(Engine *e, const char *id, bool attach, int ready_fd, int *ret_exit, Error **ret_err)
{
        _cleanup_free_ char *lock_path = engine_monitor_lock_path(e, id), *dir = engine_path(e, id, ""),
                            *spec_path = engine_path(e, id, "config.json"), *log_path = engine_log_path(e, id),
                            *now = NULL;
        _cleanup_close_ int lock_fd = -EBADF, devnull = -EBADF, log_fd = -EBADF, sfd = -EBADF, so = -EBADF, se = -EBADF,
                            si = -EBADF;
        _cleanup_spec_ Spec *spec = NULL, *rspec = NULL;
        _cleanup_error_ Error *err = NULL;
        Cgroup *cg = NULL;
        Stream out = { .fd = -1, .relay = -1, .name = "stdout" }, errs = { .fd = -1, .relay = -1, .name = "stderr" };
        json_t *rec = NULL;
        bool interactive, auto_remove, reaped = false;
        int po[2], pe[2], r, status = 0, code;
        sigset_t mask;
        pid_t pid;

        if (!lock_path || !dir || !spec_path || !log_path)
                return error_set(ret_err, ENOMEM, "monitor");
        lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
                r = errno == EWOULDBLOCK ? error_setx(ret_err, EBUSY, "container %s is already running", id)
                                         : error_set(ret_err, errno, "lock %s", lock_path);
                report(ready_fd, EBUSY, (*ret_err)->msg);
                return r;
        }
        r = engine_load(e, id, &rec, &err);
        if (r >= 0 && json_is_true(json_object_get(json_object_get(rec, "State"), "Running")))
                r = error_setx(&err, EBUSY, "container %s is already running", id);
        if (r >= 0)
                r = spec_load(spec_path, &spec, &err);
        interactive = json_is_true(json_object_get(json_object_get(rec, "Config"), "OpenStdin"));
        auto_remove = json_is_true(json_object_get(json_object_get(rec, "HostConfig"), "AutoRemove"));
        json_decref(rec);
        if (r >= 0)
                r = engine_network_up(e, id, &err);
        if (r < 0)
                goto fail;
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (devnull < 0 || log_fd < 0 || pipe2(po, O_CLOEXEC) < 0) {
                r = error_set(&err, errno, "monitor set-up");
                goto fail;
        }
        if (pipe2(pe, O_CLOEXEC) < 0) {
                close(po[0]);
                close(po[1]);
                r = error_set(&err, errno, "pipe");
                goto fail;
        }
        out.fd = po[0];
        errs.fd = pe[0];
        /* The init inherits our fds 0, 1, 2: point them at the pipes (and
         * stdin at /dev/null unless -i) for the create, then back. */
        if (attach) {
                so = fcntl(1, F_DUPFD_CLOEXEC, 3);
                se = fcntl(2, F_DUPFD_CLOEXEC, 3);
                si = fcntl(0, F_DUPFD_CLOEXEC, 3);
        }
        (void)dup2(po[1], 1);
        (void)dup2(pe[1], 2);
        if (!attach || !interactive)
                (void)dup2(devnull, 0);
        {
                CreateOpts c = { .bundle = dir, .spec = spec, .start = true, .ret_cgroup = &cg };
                r = runtime_create(&e->ro, id, &c, &pid, NULL, &rspec, &err);
        }
        if (attach) {
                (void)dup2(so, 1);
                (void)dup2(se, 2);
                (void)dup2(si, 0);
                out.relay = so;
                errs.relay = se;
        } else {
                (void)dup2(devnull, 0);
                (void)dup2(devnull, 1);
                (void)dup2(devnull, 2);
        }
        close(po[1]);
        close(pe[1]);
        if (r < 0) {
                RT_IGNORE(runtime_delete(&e->ro, id, true, NULL, &ign_));
                goto fail;
        }

        /* Signals: SIGCHLD tells the init has exited; attached, the ones a
         * user sends to `husk run` go to the container, as docker run's
         * --sig-proxy does. Blocked only now: the init must not inherit a
         * blocked mask. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (attach)
                for (int s = 1; s < 32; s++)
                        if (s != SIGCHLD && s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS &&
                            s != SIGFPE && s != SIGILL && s != SIGPIPE && s != SIGTTIN && s != SIGTTOU && s != SIGTSTP)
                                sigaddset(&mask, s);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

        now = now_rfc3339();
        (void)set_state(e, id,
                        json_pack("{s:s,s:b,s:i,s:i,s:s,s:s,s:s}", "Status", "running", "Running", 1, "Pid", pid,
                                  "ExitCode", 0, "Error", "", "StartedAt", now ? now : "", "FinishedAt",
                                  "0001-01-01T00:00:00Z"),
                        false, NULL);
        report(ready_fd, 0, NULL);
        ready_fd = safe_close(ready_fd);

        while (out.fd >= 0 || errs.fd >= 0 || !reaped) {
                struct pollfd pfd[3] = { { .fd = out.fd, .events = POLLIN },
                                         { .fd = errs.fd, .events = POLLIN },
                                         { .fd = sfd, .events = POLLIN } };
                if (poll(pfd, 3, reaped ? 1000 : -1) < 0 && errno != EINTR)
                        break;
                if (pfd[0].revents)
                        stream_read(&out, log_fd);
                if (pfd[1].revents)
                        stream_read(&errs, log_fd);
                if (pfd[2].revents) {
                        struct signalfd_siginfo si_;
                        while (read(sfd, &si_, sizeof(si_)) == sizeof(si_))
                                if (si_.ssi_signo != SIGCHLD && !reaped)
                                        (void)kill(pid, (int)si_.ssi_signo);
                }
                if (!reaped && waitpid(pid, &status, WNOHANG) == pid)
                        reaped = true;
                if (reaped && !pfd[0].revents && !pfd[1].revents && (out.fd >= 0 || errs.fd >= 0) &&
                    poll(pfd, 2, 0) == 0)
                        /* the init is gone; whoever still holds a pipe
                         * (a daemon outside its pid namespace) does not
                         * keep the container running */
                        break;
        }
        code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        RT_IGNORE(runtime_delete_run(&e->ro, id, cg, rspec, &ign_));
        engine_network_down(e, id);
        free(now);
        now = now_rfc3339();
        (void)set_state(e, id,
                        json_pack("{s:s,s:b,s:i,s:i,s:s}", "Status", "exited", "Running", 0, "Pid", 0, "ExitCode", code,
                                  "FinishedAt", now ? now : ""),
                        auto_remove, NULL);
        if (ret_exit)
                *ret_exit = code;
        return 0;

fail:
        engine_network_down(e, id);
        code = engine_start_error_code(err);
        report(ready_fd, code, err ? err->msg : NULL);
        (void)set_state(e, id,
                        json_pack("{s:i,s:s}", "ExitCode",
                                  code == ENOENT   ? 127
                                  : code == EACCES ? 126
                                                   : 128,
                                  "Error", err && err->msg ? err->msg : ""),
                        auto_remove, NULL);
        r = -code;
        if (ret_err)
                *ret_err = TAKE_PTR(err);
        return r;
}
