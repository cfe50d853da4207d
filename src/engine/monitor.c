/* The monitor (the shim): one small process per running container. It
 * creates and starts the container through the runtime library with the
 * container's stdio on pipes (or, with -t, a pty) it holds; the relay of
 * the output to Docker's json-file log and to the attached (the user's
 * stdio when `husk run` is itself the monitor, and the clients of its
 * attach socket, monitors/<id>.sock, attach.c) is relay.c's.
 * It waits for the init, records the exit, frees the runtime state,
 * restarts the container as its restart policy says (with Docker's
 * backoff) and, with --rm, removes the container. It holds
 * monitors/<id>.lock for its whole life: that is how everyone else knows
 * it lives (engine.h). No threads: one poll loop over the pipes, the pty,
 * the socket, its clients and a signalfd.
 *
 * Detached (no user stdio), the process does not stay this program while
 * the container runs: once the container has started, it execs
 * husk-supervise (supervise/husk-supervise.c), a static libc-only program
 * running the same relay in a fraction of the memory (this one links the
 * runtime library: jansson, libseccomp, libcap and glibc's static
 * start-up), which execs husk-monitor back (engine_monitor_resume) once
 * the init has exited. The pid, the lock, the attach socket and its
 * clients stay across both execs. Where husk-supervise cannot be run, the
 * relay runs here, as attached. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/monitor-opts.h"
#include "engine/relay.h"
#include "lib/macros.h"
#include "lib/util.h"

typedef struct Monitor {
        Engine *e;
        const char *id;
        bool auto_remove;
        MonitorPolicy policy;
        Relay r;
        bool raw;
        struct termios saved;
        char *log_path;
        int lock_fd; /* monitors/<id>.lock, flock'd */
        int mon_dir;
        char sock_path[108];
        /* the restart policy's state */
        int restarts;
        uint64_t backoff, started;
} Monitor;

/* ---- the record ---- */

/* Change the record: State fields from `state`, top-level ones from
 * `top`; then, with `remove`, remove the container (--rm). Takes both
 * references. */
static int set_record(Engine *e, const char *id, json_t *state, json_t *top, bool remove, Error **ret_err)
{
        json_t *rec = NULL;
        _cleanup_free_ char *p = engine_path(e, id, "container.json");
        int r;

        /* a record written only to be removed is a file made for nothing
         * (`husk run --rm`'s last): the record is written when the removal
         * fails */
        if (remove && !monitor_remove_reads_record && monitor_remove(e, id, NULL) >= 0) {
                json_decref(state);
                json_decref(top);
                return 0;
        }
        r = engine_lock(e, ret_err);
        if (r < 0)
                goto out;
        rec = p ? json_load_file(p, 0, NULL) : NULL;
        if (!rec) {
                r = error_setx(ret_err, ENOENT, "No such container: %s", id);
                goto unlock;
        }
        if (state)
                json_object_update(json_object_get(rec, "State"), state);
        if (top)
                json_object_update(rec, top);
        r = engine_save(e, id, rec, ret_err);
unlock:
        engine_unlock(e);
        if (r >= 0 && remove)
                r = monitor_remove(e, id, ret_err);
out:
        json_decref(rec);
        json_decref(state);
        json_decref(top);
        return r;
}

void engine_mark_stopped(Engine *e, const char *id)
{
        (void)set_record(e, id, NULL, json_pack("{s:b}", "HasBeenManuallyStopped", 1), false, NULL);
}

static bool manually_stopped(Engine *e, const char *id)
{
        _cleanup_free_ char *p = engine_path(e, id, "container.json");
        json_t *rec = p ? json_load_file(p, 0, NULL) : NULL;
        bool r = !rec || json_is_true(json_object_get(rec, "HasBeenManuallyStopped"));

        json_decref(rec);
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

/* ---- one run of the container ---- */

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Create and start the container with its stdio on our pipes (read ends
 * in m->r.out and .err, stdin's write end in .stdin_w with -i) or a pty
 * (.console, also .out). */
static int run_create(Monitor *m, Cgroup **ret_cg, Spec **ret_rspec, Error **ret_err)
{
        _cleanup_free_ char *dir = engine_path(m->e, m->id, ""), *spec_path = engine_path(m->e, m->id, "config.json");
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_close_ int devnull = -EBADF, in_r = -EBADF, s0 = -EBADF, s1 = -EBADF, s2 = -EBADF;
        int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, console = -EBADF, r;
        CreateOpts c = { .start = true, .ret_cgroup = ret_cg, .keep_cgroup_parents = true };
        Relay *rl = &m->r;

        if (!dir || !spec_path)
                return error_set(ret_err, ENOMEM, "monitor");
        c.bundle = dir;
        r = spec_load(spec_path, &spec, ret_err);
        if (r < 0)
                return r;
        r = monitor_adjust_spec(&m->policy, spec, ret_err);
        if (r < 0)
                return r;
        c.spec = spec;
        spec->process.terminal = rl->tty;
        if (rl->tty) {
                struct winsize ws;
                if (rl->user_in >= 0 && ioctl(rl->user_in, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
                        spec->process.has_console_size = true;
                        spec->process.console_size.height = ws.ws_row;
                        spec->process.console_size.width = ws.ws_col;
                }
                r = runtime_create(&m->e->ro, m->id, &c, &rl->pid, &console, NULL, ret_err);
                if (r < 0)
                        return r;
                *ret_rspec = TAKE_PTR(spec); /* for runtime_delete_run */
                rl->console = rl->out = console;
                (void)fcntl(console, F_SETFL, O_NONBLOCK);
                return 0;
        }

        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                return error_set(ret_err, errno, "open /dev/null");
        if (rl->open_stdin) {
                int pi[2];
                if (pipe2(pi, O_CLOEXEC) < 0)
                        return error_set(ret_err, errno, "pipe");
                in_r = pi[0];
                rl->stdin_w = pi[1];
                (void)fcntl(rl->stdin_w, F_SETFL, O_NONBLOCK);
        }
        if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
                r = error_set(ret_err, errno, "pipe");
                goto fail;
        }
        /* The init inherits our fds 0, 1, 2: point them at the pipes for
         * the create, then back. */
        s0 = fcntl(0, F_DUPFD_CLOEXEC, 3);
        s1 = fcntl(1, F_DUPFD_CLOEXEC, 3);
        s2 = fcntl(2, F_DUPFD_CLOEXEC, 3);
        (void)dup2(in_r >= 0 ? in_r : devnull, 0);
        (void)dup2(po[1], 1);
        (void)dup2(pe[1], 2);
        r = runtime_create(&m->e->ro, m->id, &c, &rl->pid, NULL, NULL, ret_err);
        (void)dup2(s0 >= 0 ? s0 : devnull, 0);
        (void)dup2(s1 >= 0 ? s1 : devnull, 1);
        (void)dup2(s2 >= 0 ? s2 : devnull, 2);
        close(po[1]);
        close(pe[1]);
        if (r < 0) {
                close(po[0]);
                close(pe[0]);
                rl->stdin_w = safe_close(rl->stdin_w);
                return r;
        }
        rl->out = po[0];
        rl->err = pe[0];
        *ret_rspec = TAKE_PTR(spec); /* for runtime_delete_run */
        return 0;
fail:
        for (int i = 0; i < 2; i++) {
                safe_close(po[i]);
                safe_close(pe[i]);
        }
        rl->stdin_w = safe_close(rl->stdin_w);
        return r;
}

/* "key=value" at the end of *argv; 0 or -ENOMEM. */
static int argv_add(char ***argv, const char *key, const char *value)
{
        _cleanup_free_ char *s = NULL;

        if (asprintf(&s, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_push(argv, s);
}

static int argv_add_num(char ***argv, const char *key, uint64_t value)
{
        char s[24];

        snprintf(s, sizeof(s), "%" PRIu64, value);
        return argv_add(argv, key, s);
}

/* Detached, with the container started: exec husk-supervise for the
 * relay of this run (the top of this file says why). Its arguments are
 * the relay's fds and settings, then, after "--", the command line of the
 * husk-monitor it execs back into (engine_monitor_resume), to which it
 * adds the exit code and its attach clients. husk-supervise reports the
 * start on ready_fd (husk run -d returns once the process beside the
 * container is the one that stays). Returns only when that could not be
 * done, with everything as it was: the relay then runs here. */
static void supervise_exec(Monitor *m, int ready_fd)
{
        _cleanup_free_ char *exe = monitor_sibling_path("husk-supervise"), *self = monitor_sibling_path("husk-monitor");
        _cleanup_strv_ char **argv = NULL;
        const Relay *rl = &m->r;
        int fds[7 + RELAY_MAX_CLIENTS], r;
        size_t n = 0;

        if (!exe || !self || access(exe, X_OK) < 0 || access(self, X_OK) < 0)
                return;
        r = strv_push(&argv, "husk-supervise");
        if (r >= 0)
                r = argv_add_num(&argv, "pid", (uint64_t)rl->pid);
        if (r >= 0 && rl->tty)
                r = argv_add_num(&argv, "console", fds[n++] = rl->console);
        if (r >= 0 && !rl->tty)
                r = argv_add_num(&argv, "out", fds[n++] = rl->out);
        if (r >= 0 && !rl->tty)
                r = argv_add_num(&argv, "err", fds[n++] = rl->err);
        if (r >= 0 && rl->stdin_w >= 0)
                r = argv_add_num(&argv, "stdin", fds[n++] = rl->stdin_w);
        if (r >= 0 && ready_fd >= 0)
                r = argv_add_num(&argv, "ready", (uint64_t)(fds[n++] = ready_fd));
        if (r >= 0 && rl->open_stdin)
                r = strv_push(&argv, "open-stdin");
        if (r >= 0 && rl->listen_fd >= 0)
                r = argv_add_num(&argv, "listen", fds[n++] = rl->listen_fd);
        if (r >= 0)
                r = argv_add_num(&argv, "keep", fds[n++] = m->lock_fd);
        if (r >= 0 && rl->log.fd >= 0)
                r = argv_add_num(&argv, "log", fds[n++] = rl->log.fd);
        if (r >= 0 && rl->log.fd >= 0)
                r = argv_add(&argv, "log-path", rl->log.path);
        if (r >= 0 && rl->log.fd >= 0)
                r = argv_add_num(&argv, "log-size", rl->log.size);
        if (r >= 0 && rl->log.fd >= 0)
                r = argv_add_num(&argv, "log-max-size", rl->log.max_size);
        if (r >= 0 && rl->log.fd >= 0)
                r = argv_add_num(&argv, "log-max-file", rl->log.max_file);
        for (size_t i = 0; r >= 0 && i < RELAY_MAX_CLIENTS; i++)
                if (rl->clients[i])
                        r = argv_add_num(&argv, "client", fds[n++] = rl->clients[i]->fd);
        if (r >= 0)
                r = strv_push(&argv, "--");
        if (r >= 0)
                r = strv_push(&argv, self);
        if (r >= 0)
                r = strv_push(&argv, store_root(m->e->store));
        if (r >= 0)
                r = strv_push(&argv, m->e->state);
        if (r >= 0)
                r = strv_push(&argv, m->id);
        if (r >= 0)
                r = strv_push(&argv, "--resume");
        if (r >= 0)
                r = argv_add_num(&argv, "lock", m->lock_fd);
        if (r >= 0 && rl->listen_fd >= 0)
                r = argv_add_num(&argv, "listen", rl->listen_fd);
        if (r >= 0)
                r = argv_add_num(&argv, "restarts", m->restarts);
        if (r >= 0)
                r = argv_add_num(&argv, "backoff", m->backoff);
        if (r >= 0)
                r = argv_add_num(&argv, "started", m->started);
        if (r < 0)
                return;
        /* these, and only these, cross the exec (the lock's flock with
         * its open file description) */
        for (size_t i = 0; i < n; i++)
                (void)fcntl(fds[i], F_SETFD, 0);
        execv(exe, argv);
        for (size_t i = 0; i < n; i++)
                (void)fcntl(fds[i], F_SETFD, FD_CLOEXEC);
}

/* One run: create and start, relay until the init has exited and its
 * output is drained. *ret_code: the exit code. Detached, the relay is
 * husk-supervise's: this does not return, and engine_monitor_resume, in
 * the husk-monitor exec'd back, carries on from the same point. */
static int run_once(Monitor *m, int *ready_fd, int *ret_code, Error **ret_err)
{
        _cleanup_spec_ Spec *rspec = NULL;
        _cleanup_free_ char *now = NULL;
        Cgroup *cg = NULL;
        int r;

        m->r.in_len = 0; /* a new run: a new stdin */
        m->r.in_eof = false;
        r = monitor_network(m->e, m->id, true, ret_err);
        if (r < 0)
                return r;
        r = run_create(m, &cg, &rspec, ret_err);
        if (r < 0) {
                ERROR_IGNORE(runtime_delete(&m->e->ro, m->id, true, NULL, &ign_));
                (void)monitor_network(m->e, m->id, false, NULL);
                return r;
        }
        now = now_rfc3339();
        (void)set_record(m->e, m->id,
                         json_pack("{s:s,s:b,s:b,s:i,s:i,s:s,s:s,s:s}", "Status", "running", "Running", 1, "Restarting",
                                   0, "Pid", m->r.pid, "ExitCode", 0, "Error", "", "StartedAt", now ? now : "",
                                   "FinishedAt", "0001-01-01T00:00:00Z"),
                         NULL, false, NULL);
        if (m->r.user_in < 0 && m->r.user_out < 0)
                supervise_exec(m, *ready_fd);
        report(*ready_fd, 0, NULL);
        *ready_fd = safe_close(*ready_fd);

        *ret_code = relay_exit_code(relay_run(&m->r));
        ERROR_IGNORE(runtime_delete_run(&m->e->ro, m->id, cg, rspec, &ign_));
        (void)monitor_network(m->e, m->id, false, NULL);
        return 0;
}

/* ---- the monitor ---- */

/* Close what this process inherited without O_CLOEXEC (a caller's pipes:
 * bats waits for its fd 3 to close), keeping `keep`. */
void engine_close_inherited(int keep)
{
        _cleanup_(closedirp) DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name), fl;
                if (fd < 3 || fd == keep || fd == dirfd(d))
                        continue;
                fl = fcntl(fd, F_GETFD);
                if (fl >= 0 && !(fl & FD_CLOEXEC))
                        close(fd);
        }
}

static void raw_restore(Monitor *m)
{
        if (m->raw)
                (void)tcsetattr(m->r.user_in, TCSANOW, &m->saved);
        m->raw = false;
}

static int listen_socket(Monitor *m)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        if (attach_socket_path(m->mon_dir, m->id, sa.sun_path) < 0)
                return -ENAMETOOLONG;
        (void)unlink(sa.sun_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        memcpy(m->sock_path, sa.sun_path, sizeof(m->sock_path));
        return fd;
}

/* `husk run` attached, whose container is to be restarted: the restarts
 * belong to a monitor in the background, as Docker's CLI returns at the
 * first exit. The parent returns; the child carries on detached. */
static bool go_background(Monitor *m)
{
        _cleanup_close_ int devnull = -EBADF;
        pid_t child;

        raw_restore(m);
        child = fork();
        if (child != 0)
                return child > 0 ? false : true;
        (void)setsid();
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd < 3 && devnull >= 0; fd++)
                (void)dup2(devnull, fd);
        safe_close(m->r.user_in);
        safe_close(m->r.user_out);
        safe_close(m->r.user_err);
        m->r.user_in = m->r.user_out = m->r.user_err = -1;
        engine_close_inherited(-1);
        return true;
}

/* Docker's backoff: 100 ms, doubled at each restart, back to 100 ms once
 * a run lasted 10 s; at most a minute. */
static uint64_t next_backoff(uint64_t prev, uint64_t ran_ms)
{
        if (ran_ms >= 10000 || prev == 0)
                return 100;
        return prev * 2 > 60000 ? 60000 : prev * 2;
}

/* Wait out the backoff, serving attach connections; false when the user
 * stopped the container meanwhile. */
static bool backoff_wait(Monitor *m, uint64_t ms)
{
        uint64_t end = now_ms() + ms;

        for (uint64_t t = now_ms(); t < end; t = now_ms()) {
                struct pollfd p = { .fd = m->r.listen_fd, .events = POLLIN };
                uint64_t left = end - t;
                if (poll(&p, m->r.listen_fd >= 0 ? 1 : 0, left > 100 ? 100 : (int)left) > 0)
                        relay_accept(&m->r);
                if (manually_stopped(m->e, m->id))
                        return false;
        }
        return !manually_stopped(m->e, m->id);
}

static void monitor_free(Monitor *m)
{
        raw_restore(m);
        for (size_t i = 0; i < RELAY_MAX_CLIENTS; i++)
                relay_client_drop(&m->r, i);
        if (m->r.listen_fd >= 0) {
                (void)unlink(m->sock_path);
                safe_close(m->r.listen_fd);
        }
        safe_close(m->mon_dir);
        safe_close(m->r.log.fd);
        safe_close(m->r.sfd);
        if (m->r.user_in >= 0) { /* dups made at start; 0, 1, 2 stay */
                safe_close(m->r.user_in);
                safe_close(m->r.user_out);
                safe_close(m->r.user_err);
        }
        free(m->log_path);
        free(m->r.in_buf);
        monitor_policy_clear(&m->policy);
        /* last: --rm has removed the container (and the lock file) by now */
        safe_close(m->lock_fd);
}

/* What engine_monitor and engine_monitor_resume both take from the record
 * and open: the policy and settings, the log. */
static int monitor_setup(Monitor *m, json_t *rec, Error **ret_err)
{
        int r = monitor_policy_load(rec, &m->policy, ret_err);

        m->r.tty = json_is_true(json_object_get(json_object_get(rec, "Config"), "Tty"));
        m->r.open_stdin = json_is_true(json_object_get(json_object_get(rec, "Config"), "OpenStdin"));
        m->auto_remove = json_is_true(json_object_get(json_object_get(rec, "HostConfig"), "AutoRemove"));
        if (r < 0)
                return r;
        m->log_path = engine_log_path(m->e, m->id);
        if (!m->log_path)
                return error_set(ret_err, ENOMEM, "monitor");
        m->r.log = (JsonLog){
                .fd = -1, .path = m->log_path, .max_size = m->policy.log_max_size, .max_file = m->policy.log_max_file
        };
        if (!m->policy.log_none) {
                struct stat st;
                m->r.log.fd = open(m->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
                if (m->r.log.fd < 0)
                        return error_set(ret_err, errno, "open %s", m->log_path);
                if (fstat(m->r.log.fd, &st) == 0)
                        m->r.log.size = (uint64_t)st.st_size;
        }
        m->mon_dir = open(m->e->mon_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return 0;
}

/* Signals: SIGCHLD tells the init has exited; attached, the ones a user
 * sends to `husk run` go to the container, as docker run's --sig-proxy
 * does. Blocked only now: the init must not inherit a blocked mask (the
 * runtime unblocks what it blocks itself). */
static void monitor_signals(Monitor *m, bool attach)
{
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (attach)
                for (int s = 1; s < 32; s++)
                        if (s != SIGCHLD && s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS &&
                            s != SIGFPE && s != SIGILL && s != SIGPIPE && s != SIGTTIN && s != SIGTTOU && s != SIGTSTP)
                                sigaddset(&mask, s);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        m->r.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* A first run that could not start: the code and message to the waiting
 * husk (ready_fd) and to the record. Takes *err. */
static int monitor_fail(Monitor *m, int ready_fd, Error **err, Error **ret_err)
{
        int code = engine_start_error_code(*err);

        report(ready_fd, code, *err ? (*err)->msg : NULL);
        safe_close(ready_fd);
        (void)set_record(m->e, m->id,
                         json_pack("{s:i,s:s}", "ExitCode",
                                   code == ENOENT   ? 127
                                   : code == EACCES ? 126
                                                    : 128,
                                   "Error", *err && (*err)->msg ? (*err)->msg : ""),
                         NULL, m->auto_remove, NULL);
        monitor_free(m);
        if (ret_err)
                *ret_err = TAKE_PTR(*err);
        return -code;
}

/* The runs of the container, and what follows each: the record, the exit
 * code to the clients, the restart policy. resumed: the first run has
 * happened already (in husk-supervise) and exited with `code`. */
static int monitor_loop(Monitor *m, int ready_fd, bool resumed, int code, int *ret_exit, Error **ret_err)
{
        _cleanup_error_ Error *err = NULL;
        bool first = !resumed;
        int r = 0;

        for (;; first = false, resumed = false) {
                _cleanup_free_ char *now = NULL;
                uint8_t cb[4];
                bool again;

                if (!resumed) {
                        m->started = now_ms();
                        r = run_once(m, &ready_fd, &code, &err);
                        if (r < 0 && first)
                                return monitor_fail(m, ready_fd, &err, ret_err);
                        if (r < 0)
                                code = 128;
                }
                cb[0] = (uint8_t)(code >> 24);
                cb[1] = (uint8_t)(code >> 16);
                cb[2] = (uint8_t)(code >> 8);
                cb[3] = (uint8_t)code;
                again = monitor_policy_restart(&m->policy, code, m->restarts) && !manually_stopped(m->e, m->id);
                now = now_rfc3339();
                if (!again) {
                        (void)set_record(m->e, m->id,
                                         json_pack("{s:s,s:b,s:b,s:i,s:i,s:s,s:s}", "Status", "exited", "Running", 0,
                                                   "Restarting", 0, "Pid", 0, "ExitCode", code, "FinishedAt",
                                                   now ? now : "", "Error", r < 0 && err ? err->msg : ""),
                                         NULL, m->auto_remove, NULL);
                        /* after the record: a client reading the code
                         * (attach, start -a) may inspect the container next */
                        relay_clients_send(&m->r, ATTACH_EXIT, cb, 4);
                        break;
                }
                (void)set_record(m->e, m->id,
                                 json_pack("{s:s,s:b,s:b,s:i,s:i,s:s}", "Status", "restarting", "Running", 1,
                                           "Restarting", 1, "Pid", 0, "ExitCode", code, "FinishedAt", now ? now : ""),
                                 NULL, false, NULL);
                relay_clients_send(&m->r, ATTACH_EXIT, cb, 4);
                for (size_t i = 0; i < RELAY_MAX_CLIENTS; i++)
                        relay_client_drop(&m->r, i);
                if (m->r.user_out >= 0) {
                        if (ret_exit)
                                *ret_exit = code;
                        if (!go_background(m)) {
                                /* the parent: its part is done */
                                m->r.listen_fd = safe_close(m->r.listen_fd);
                                monitor_free(m);
                                return 0;
                        }
                }
                m->backoff = next_backoff(m->backoff, now_ms() - m->started);
                if (!backoff_wait(m, m->backoff)) {
                        (void)set_record(m->e, m->id,
                                         json_pack("{s:s,s:b,s:b}", "Status", "exited", "Running", 0, "Restarting", 0),
                                         NULL, false, NULL);
                        break;
                }
                m->restarts++;
                (void)set_record(m->e, m->id, NULL, json_pack("{s:i}", "RestartCount", m->restarts), false, NULL);
        }
        if (ret_exit)
                *ret_exit = code;
        monitor_free(m);
        return 0;
}

#define MONITOR_INIT(e_, id_)                                                         \
        (Monitor)                                                                     \
        {                                                                             \
                .e = (e_), .id = (id_), .r = RELAY_INIT, .lock_fd = -1, .mon_dir = -1 \
        }

int engine_monitor(Engine *e, const char *id, bool attach, int ready_fd, int client_fd, int *ret_exit, Error **ret_err)
{
        _cleanup_free_ char *lock_path = engine_monitor_lock_path(e, id);
        _cleanup_error_ Error *err = NULL;
        Monitor m = MONITOR_INIT(e, id);
        json_t *rec = NULL;
        bool stopped;
        int r;

        if (!lock_path) {
                safe_close(client_fd);
                return error_set(ret_err, ENOMEM, "monitor");
        }
        free(monitor_sibling_path("husk-init")); /* before the create seals our exe */
        m.lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (m.lock_fd < 0 || flock(m.lock_fd, LOCK_EX | LOCK_NB) < 0) {
                r = errno == EWOULDBLOCK ? error_setx(ret_err, EBUSY, "container %s is already running", id)
                                         : error_set(ret_err, errno, "lock %s", lock_path);
                report(ready_fd, EBUSY, (*ret_err)->msg);
                safe_close(client_fd);
                safe_close(m.lock_fd);
                return r;
        }
        if (client_fd >= 0)
                relay_client_add(&m.r, client_fd);
        r = engine_load(e, id, &rec, &err);
        if (r >= 0 && json_is_true(json_object_get(json_object_get(rec, "State"), "Running")))
                r = error_setx(&err, EBUSY, "container %s is already running", id);
        if (r >= 0)
                r = monitor_setup(&m, rec, &err);
        m.restarts = (int)json_integer_value(json_object_get(rec, "RestartCount"));
        stopped = json_is_true(json_object_get(rec, "HasBeenManuallyStopped"));
        json_decref(rec);
        if (r < 0)
                return monitor_fail(&m, ready_fd, &err, ret_err);
        if (m.mon_dir >= 0)
                m.r.listen_fd = listen_socket(&m);
        if (m.r.listen_fd < 0)
                m.r.listen_fd = -1; /* attach is lost, the container still runs */
        if (attach) {
                m.r.user_in = fcntl(0, F_DUPFD_CLOEXEC, 3);
                m.r.user_out = fcntl(1, F_DUPFD_CLOEXEC, 3);
                m.r.user_err = fcntl(2, F_DUPFD_CLOEXEC, 3);
                if (m.r.tty && m.r.open_stdin && isatty(m.r.user_in) && tcgetattr(m.r.user_in, &m.saved) == 0) {
                        struct termios t = m.saved;
                        cfmakeraw(&t);
                        t.c_oflag = m.saved.c_oflag;
                        m.raw = tcsetattr(m.r.user_in, TCSANOW, &t) == 0;
                }
        } else {
                _cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                for (int fd = 0; fd < 3 && devnull >= 0; fd++)
                        (void)dup2(devnull, fd);
        }
        monitor_signals(&m, attach);
        if (stopped) /* started again: the policy applies again */
                (void)set_record(e, id, NULL, json_pack("{s:b}", "HasBeenManuallyStopped", 0), false, NULL);
        return monitor_loop(&m, ready_fd, false, 0, ret_exit, ret_err);
}

int engine_monitor_resume(Engine *e, const char *id, const MonitorResume *res, Error **ret_err)
{
        _cleanup_error_ Error *err = NULL;
        Monitor m = MONITOR_INIT(e, id);
        json_t *rec = NULL;

        /* ours across the execs; not the next program's */
        m.lock_fd = res->lock_fd;
        (void)fcntl(m.lock_fd, F_SETFD, FD_CLOEXEC);
        m.r.listen_fd = res->listen_fd;
        if (m.r.listen_fd >= 0)
                (void)fcntl(m.r.listen_fd, F_SETFD, FD_CLOEXEC);
        for (size_t i = 0; i < res->n_clients; i++) {
                (void)fcntl(res->clients[i], F_SETFD, FD_CLOEXEC);
                relay_client_add(&m.r, res->clients[i]);
        }
        m.restarts = res->restarts;
        m.backoff = res->backoff;
        m.started = res->started;
        /* The flock came with its open file description: taking it again
         * on the same one succeeds, and fails if this fd is not the lock
         * (someone else's then holds it). */
        if (flock(m.lock_fd, LOCK_EX | LOCK_NB) < 0) {
                int r = error_set(ret_err, errno, "monitor of %s: the lock did not come through", id);
                monitor_free(&m);
                return r;
        }
        free(monitor_sibling_path("husk-init")); /* before a create seals our exe */
        if (engine_load(e, id, &rec, &err) >= 0)
                (void)monitor_setup(&m, rec, &err);
        json_decref(rec);
        /* Without its record, the container can only be recorded as
         * exited (no policy: no restart); the exit is recorded all the
         * same. */
        if (m.mon_dir >= 0 && attach_socket_path(m.mon_dir, id, m.sock_path) < 0)
                m.sock_path[0] = 0;
        monitor_signals(&m, false);

        /* what run_once does after its relay */
        ERROR_IGNORE(runtime_delete(&e->ro, id, true, NULL, &ign_));
        (void)monitor_network(e, id, false, NULL);
        return monitor_loop(&m, -1, true, res->code, NULL, ret_err);
}
