/* The monitor (the shim): one small process per running container. It
 * creates and starts the container through the runtime library with the
 * container's stdio on pipes (or, with -t, a pty) it holds, writes the
 * output to Docker's json-file log (rotated by max-size / max-file) and to
 * the attached: the user's stdio when `husk run` is itself the monitor,
 * and the clients of its attach socket (monitors/<id>.sock, attach.c).
 * It waits for the init, records the exit, frees the runtime state,
 * restarts the container as its restart policy says (with Docker's
 * backoff) and, with --rm, removes the container. It holds
 * monitors/<id>.lock for its whole life: that is how everyone else knows
 * it lives (engine.h). No threads: one poll loop over the pipes, the pty,
 * the socket, its clients and a signalfd. */
#include <errno.h>
#include <fcntl.h>
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
#include "lib/macros.h"
#include "lib/util.h"

#define LINE_MAX_BYTES 16384
#define MAX_CLIENTS    16

typedef struct Stream {
        int fd; /* the pipe's read end (or the pty master), -1 at EOF */
        const char *name;
        uint8_t type; /* ATTACH_STDOUT, ATTACH_STDERR */
        char buf[LINE_MAX_BYTES];
        size_t len;
} Stream;

typedef struct Client {
        int fd;
        AttachBuf in;
} Client;

typedef struct Monitor {
        Engine *e;
        const char *id;
        bool tty, open_stdin, auto_remove;
        MonitorPolicy policy;
        /* the user's stdio when this process is `husk run`, else -1 */
        int user_in, user_out, user_err;
        bool user_in_eof;
        bool raw;
        struct termios saved;
        /* the json-file log; -1 with --log-driver none */
        int log_fd;
        char *log_path;
        uint64_t log_size;
        int mon_dir;
        int listen_fd;
        char sock_path[108];
        Client *clients[MAX_CLIENTS];
        /* the current run */
        pid_t pid;
        int stdin_w; /* -i without -t: the container's stdin pipe */
        int console; /* -t: the pty master */
        int sfd;
        /* what is on its way to the container's stdin: written as the
         * container reads it (never blocking the monitor, which must go
         * on reading the container's output); the user's stdin and the
         * attach clients are not read while it is full */
        uint8_t *in_buf;
        size_t in_len;
        bool in_eof; /* close the stdin once in_buf is written */
} Monitor;

#define STDIN_BUF  (256u << 10)
#define STDIN_HIGH (STDIN_BUF - ATTACH_FRAME_MAX - 8192)

/* ---- the log ---- */

/* Move <id>-json.log to .1, .1 to .2, ... (dropping the last) and start a
 * new one, as Docker's json-file does past max-size. */
static void log_rotate(Monitor *m)
{
        int n = m->policy.log_max_file;

        if (n > 1) {
                for (int i = n - 1; i > 0; i--) {
                        _cleanup_free_ char *from = NULL, *to = NULL;
                        if (i == 1)
                                from = strdup(m->log_path);
                        else if (asprintf(&from, "%s.%d", m->log_path, i - 1) < 0)
                                from = NULL;
                        if (asprintf(&to, "%s.%d", m->log_path, i) < 0)
                                to = NULL;
                        if (from && to)
                                (void)rename(from, to);
                }
                safe_close(m->log_fd);
                m->log_fd = open(m->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
        } else if (ftruncate(m->log_fd, 0) < 0) {
                return;
        }
        m->log_size = 0;
}

/* One json-file entry: {"log":"...","stream":"stdout","time":"..."}. */
static void log_entry(Monitor *m, const char *stream, const char *data, size_t len)
{
        _cleanup_free_ char *now = NULL, *line = NULL;
        json_t *s, *o;
        size_t l;

        if (m->log_fd < 0)
                return;
        now = now_rfc3339();
        s = json_stringn(data, len);
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
        if (!line)
                return;
        l = strlen(line);
        line[l] = '\n';
        if (m->policy.log_max_size && m->log_size > 0 && m->log_size + l + 1 > m->policy.log_max_size)
                log_rotate(m);
        if (m->log_fd >= 0 && write_all(m->log_fd, line, l + 1) >= 0)
                m->log_size += l + 1;
}

/* ---- the attached ---- */

static void client_drop(Monitor *m, size_t i)
{
        if (!m->clients[i])
                return;
        safe_close(m->clients[i]->fd);
        free(m->clients[i]);
        m->clients[i] = NULL;
}

static void client_add(Monitor *m, int fd)
{
        struct timeval tv = { .tv_sec = 5 };

        /* a client that stops reading (a suspended `husk attach`) is
         * dropped rather than stalling the container's output */
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        for (size_t i = 0; i < MAX_CLIENTS; i++)
                if (!m->clients[i]) {
                        m->clients[i] = calloc(1, sizeof(Client));
                        if (m->clients[i]) {
                                m->clients[i]->fd = fd;
                                return;
                        }
                        break;
                }
        safe_close(fd);
}

static void clients_send(Monitor *m, uint8_t type, const void *data, size_t len)
{
        for (size_t i = 0; i < MAX_CLIENTS; i++)
                if (m->clients[i] && attach_send(m->clients[i]->fd, type, data, len) < 0)
                        client_drop(m, i);
}

static void stream_read(Monitor *m, Stream *s)
{
        char buf[8192];
        ssize_t n = read(s->fd, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) { /* EOF, or EIO: the pty's last slave closed */
                if (s->len)
                        log_entry(m, s->name, s->buf, s->len);
                s->len = 0;
                if (s->fd != m->console)
                        safe_close(s->fd);
                s->fd = -1;
                return;
        }
        if (s->type == ATTACH_STDOUT && m->user_out >= 0)
                (void)write_all(m->user_out, buf, (size_t)n);
        if (s->type == ATTACH_STDERR && m->user_err >= 0)
                (void)write_all(m->user_err, buf, (size_t)n);
        clients_send(m, s->type, buf, (size_t)n);
        for (ssize_t i = 0; i < n; i++) {
                s->buf[s->len++] = buf[i];
                if (buf[i] == '\n' || s->len == sizeof(s->buf)) {
                        log_entry(m, s->name, s->buf, s->len);
                        s->len = 0;
                }
        }
}

/* Bytes for the container's stdin (the pty with -t). */
static int stdin_fd(const Monitor *m)
{
        return m->tty ? m->console : m->stdin_w;
}

/* Write what in_buf holds, as far as the container takes it now. */
static void stdin_flush(Monitor *m)
{
        int fd = stdin_fd(m);
        size_t done = 0;

        while (fd >= 0 && done < m->in_len) {
                ssize_t n = write(fd, m->in_buf + done, m->in_len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0) { /* nobody reads it any more */
                        done = m->in_len;
                        if (!m->tty)
                                m->stdin_w = safe_close(m->stdin_w);
                        break;
                }
                done += (size_t)n;
        }
        if (done > 0)
                memmove(m->in_buf, m->in_buf + done, m->in_len - done);
        m->in_len -= done;
        if (m->in_len == 0 && m->in_eof && !m->tty)
                m->stdin_w = safe_close(m->stdin_w);
}

static void stdin_write(Monitor *m, const void *data, size_t len)
{
        if (stdin_fd(m) < 0 || !m->open_stdin || m->in_eof)
                return;
        if (!m->in_buf && !(m->in_buf = malloc(STDIN_BUF)))
                return;
        if (len > STDIN_BUF - m->in_len) /* (reading stops at STDIN_HIGH) */
                len = STDIN_BUF - m->in_len;
        memcpy(m->in_buf + m->in_len, data, len);
        m->in_len += len;
        stdin_flush(m);
}

static void stdin_close(Monitor *m)
{
        m->in_eof = true;
        stdin_flush(m);
}

static void client_read(Monitor *m, size_t i)
{
        Client *c = m->clients[i];
        const uint8_t *d;
        uint32_t len;
        uint8_t type;

        if (attach_fill(c->fd, &c->in) <= 0) {
                client_drop(m, i);
                return;
        }
        while (attach_next(&c->in, &type, &d, &len) > 0) {
                if (type == ATTACH_STDIN)
                        stdin_write(m, d, len);
                else if (type == ATTACH_CLOSE_STDIN)
                        stdin_close(m);
                else if (type == ATTACH_RESIZE && len == 4 && m->console >= 0) {
                        struct winsize ws = { .ws_row = (unsigned short)(d[0] << 8 | d[1]),
                                              .ws_col = (unsigned short)(d[2] << 8 | d[3]) };
                        (void)ioctl(m->console, TIOCSWINSZ, &ws);
                } else if (type == ATTACH_SIGNAL && len == 4 && m->pid > 0) {
                        int sig = d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
                        (void)kill(m->pid, sig);
                }
                attach_consume(&c->in, len);
        }
}

static void user_in_read(Monitor *m)
{
        char buf[8192];
        ssize_t n = read(m->user_in, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) {
                /* EOF on the user's stdin: the container's stdin ends too,
                 * as docker run -i's does (StdinOnce) */
                m->user_in_eof = true;
                stdin_close(m);
                return;
        }
        stdin_write(m, buf, (size_t)n);
}

static void accept_clients(Monitor *m)
{
        int fd;

        while ((fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
                client_add(m, fd);
}

/* ---- the record ---- */

/* Change the record: State fields from `state`, top-level ones from
 * `top`; then, with `remove`, remove the container (--rm). Takes both
 * references. */
static int set_record(Engine *e, const char *id, json_t *state, json_t *top, bool remove, Error **ret_err)
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
 * in *ret_out, *ret_err_fd, stdin's write end in m->stdin_w with -i) or a
 * pty (m->console). */
static int run_create(Monitor *m, int *ret_out, int *ret_err_fd, Cgroup **ret_cg, Spec **ret_rspec, Error **ret_err)
{
        _cleanup_free_ char *dir = engine_path(m->e, m->id, ""), *spec_path = engine_path(m->e, m->id, "config.json");
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_close_ int devnull = -EBADF, in_r = -EBADF, s0 = -EBADF, s1 = -EBADF, s2 = -EBADF;
        int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, console = -EBADF, r;
        CreateOpts c = { .start = true, .ret_cgroup = ret_cg, .keep_cgroup_parents = true };

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
        spec->process.terminal = m->tty;
        if (m->tty) {
                struct winsize ws;
                if (m->user_in >= 0 && ioctl(m->user_in, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
                        spec->process.has_console_size = true;
                        spec->process.console_size.height = ws.ws_row;
                        spec->process.console_size.width = ws.ws_col;
                }
                r = runtime_create(&m->e->ro, m->id, &c, &m->pid, &console, NULL, ret_err);
                if (r < 0)
                        return r;
                *ret_rspec = TAKE_PTR(spec); /* for runtime_delete_run */
                m->console = console;
                (void)fcntl(console, F_SETFL, O_NONBLOCK);
                *ret_out = *ret_err_fd = -1;
                return 0;
        }

        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                return error_set(ret_err, errno, "open /dev/null");
        if (m->open_stdin) {
                int pi[2];
                if (pipe2(pi, O_CLOEXEC) < 0)
                        return error_set(ret_err, errno, "pipe");
                in_r = pi[0];
                m->stdin_w = pi[1];
                (void)fcntl(m->stdin_w, F_SETFL, O_NONBLOCK);
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
        r = runtime_create(&m->e->ro, m->id, &c, &m->pid, NULL, NULL, ret_err);
        (void)dup2(s0 >= 0 ? s0 : devnull, 0);
        (void)dup2(s1 >= 0 ? s1 : devnull, 1);
        (void)dup2(s2 >= 0 ? s2 : devnull, 2);
        close(po[1]);
        close(pe[1]);
        if (r < 0) {
                close(po[0]);
                close(pe[0]);
                m->stdin_w = safe_close(m->stdin_w);
                return r;
        }
        *ret_out = po[0];
        *ret_err_fd = pe[0];
        *ret_rspec = TAKE_PTR(spec); /* for runtime_delete_run */
        return 0;
fail:
        for (int i = 0; i < 2; i++) {
                safe_close(po[i]);
                safe_close(pe[i]);
        }
        m->stdin_w = safe_close(m->stdin_w);
        return r;
}

static void handle_signals(Monitor *m, bool reaped)
{
        struct signalfd_siginfo si;

        while (read(m->sfd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGCHLD)
                        continue;
                if (si.ssi_signo == SIGWINCH) {
                        struct winsize ws;
                        if (m->console >= 0 && m->user_in >= 0 && ioctl(m->user_in, TIOCGWINSZ, &ws) == 0)
                                (void)ioctl(m->console, TIOCSWINSZ, &ws);
                        continue;
                }
                if (!reaped)
                        (void)kill(m->pid, (int)si.ssi_signo);
        }
}

/* One run: create and start, relay until the init has exited and its
 * output is drained. *ret_code: the exit code. */
static int run_once(Monitor *m, int *ready_fd, int *ret_code, Error **ret_err)
{
        _cleanup_spec_ Spec *rspec = NULL;
        _cleanup_free_ char *now = NULL;
        Cgroup *cg = NULL;
        Stream out = { .fd = -1, .name = "stdout", .type = ATTACH_STDOUT },
               errs = { .fd = -1, .name = "stderr", .type = ATTACH_STDERR };
        bool reaped = false;
        int status = 0, r;

        m->console = m->stdin_w = -1;
        m->in_len = 0; /* a new run: a new stdin */
        m->in_eof = false;
        r = monitor_network(m->e, m->id, true, ret_err);
        if (r < 0)
                return r;
        r = run_create(m, &out.fd, &errs.fd, &cg, &rspec, ret_err);
        if (r < 0) {
                ERROR_IGNORE(runtime_delete(&m->e->ro, m->id, true, NULL, &ign_));
                (void)monitor_network(m->e, m->id, false, NULL);
                return r;
        }
        if (m->tty)
                out.fd = m->console;
        now = now_rfc3339();
        (void)set_record(m->e, m->id,
                         json_pack("{s:s,s:b,s:b,s:i,s:i,s:s,s:s,s:s}", "Status", "running", "Running", 1, "Restarting",
                                   0, "Pid", m->pid, "ExitCode", 0, "Error", "", "StartedAt", now ? now : "",
                                   "FinishedAt", "0001-01-01T00:00:00Z"),
                         NULL, false, NULL);
        report(*ready_fd, 0, NULL);
        *ready_fd = safe_close(*ready_fd);

        while (out.fd >= 0 || errs.fd >= 0 || !reaped) {
                struct pollfd pfd[5 + MAX_CLIENTS];
                int n = 0, io = -1, ie = -1, is, iu = -1, iw = -1, il = -1, ic[MAX_CLIENTS];
                bool any = false;

                if (out.fd >= 0) {
                        io = n;
                        pfd[n++] = (struct pollfd){ .fd = out.fd, .events = POLLIN };
                }
                if (errs.fd >= 0) {
                        ie = n;
                        pfd[n++] = (struct pollfd){ .fd = errs.fd, .events = POLLIN };
                }
                is = n;
                pfd[n++] = (struct pollfd){ .fd = m->sfd, .events = POLLIN };
                if (m->user_in >= 0 && !m->user_in_eof && m->open_stdin && !reaped && m->in_len < STDIN_HIGH) {
                        iu = n;
                        pfd[n++] = (struct pollfd){ .fd = m->user_in, .events = POLLIN };
                }
                if (m->in_len > 0 && stdin_fd(m) >= 0 && !reaped) {
                        iw = n;
                        pfd[n++] = (struct pollfd){ .fd = stdin_fd(m), .events = POLLOUT };
                }
                if (m->listen_fd >= 0) {
                        il = n;
                        pfd[n++] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
                }
                for (size_t i = 0; i < MAX_CLIENTS; i++) {
                        ic[i] = -1;
                        if (m->clients[i]) {
                                ic[i] = n;
                                pfd[n++] = (struct pollfd){ .fd = m->clients[i]->fd,
                                                            .events = m->in_len < STDIN_HIGH ? POLLIN : 0 };
                        }
                }
                if (poll(pfd, (nfds_t)n, reaped ? 200 : -1) < 0 && errno != EINTR)
                        break;
                if (io >= 0 && pfd[io].revents) {
                        stream_read(m, &out);
                        any = true;
                }
                if (ie >= 0 && pfd[ie].revents) {
                        stream_read(m, &errs);
                        any = true;
                }
                if (pfd[is].revents)
                        handle_signals(m, reaped);
                if (iu >= 0 && pfd[iu].revents)
                        user_in_read(m);
                if (iw >= 0 && pfd[iw].revents)
                        stdin_flush(m);
                if (il >= 0 && pfd[il].revents)
                        accept_clients(m);
                for (size_t i = 0; i < MAX_CLIENTS; i++)
                        if (ic[i] >= 0 && pfd[ic[i]].revents && m->clients[i])
                                client_read(m, i);
                if (!reaped && waitpid(m->pid, &status, WNOHANG) == m->pid)
                        reaped = true;
                else if (reaped && !any)
                        /* the init is gone and nothing came for a while:
                         * whoever still holds a pipe (a daemon outside
                         * its pid namespace) does not keep the container
                         * running */
                        break;
        }
        if (out.fd >= 0 && out.fd != m->console)
                close(out.fd);
        safe_close(errs.fd);
        m->console = safe_close(m->console);
        m->stdin_w = safe_close(m->stdin_w);
        m->pid = 0;
        *ret_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
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
                (void)tcsetattr(m->user_in, TCSANOW, &m->saved);
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
        safe_close(m->user_in);
        safe_close(m->user_out);
        safe_close(m->user_err);
        m->user_in = m->user_out = m->user_err = -1;
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
                struct pollfd p = { .fd = m->listen_fd, .events = POLLIN };
                uint64_t left = end - t;
                if (poll(&p, m->listen_fd >= 0 ? 1 : 0, left > 100 ? 100 : (int)left) > 0)
                        accept_clients(m);
                if (manually_stopped(m->e, m->id))
                        return false;
        }
        return !manually_stopped(m->e, m->id);
}

static void monitor_free(Monitor *m)
{
        raw_restore(m);
        for (size_t i = 0; i < MAX_CLIENTS; i++)
                client_drop(m, i);
        if (m->listen_fd >= 0) {
                (void)unlink(m->sock_path);
                safe_close(m->listen_fd);
        }
        safe_close(m->mon_dir);
        safe_close(m->log_fd);
        safe_close(m->sfd);
        if (m->user_in >= 0) { /* dups made at start; 0, 1, 2 stay */
                safe_close(m->user_in);
                safe_close(m->user_out);
                safe_close(m->user_err);
        }
        free(m->log_path);
        free(m->in_buf);
        monitor_policy_clear(&m->policy);
}

int engine_monitor(Engine *e, const char *id, bool attach, int ready_fd, int client_fd, int *ret_exit, Error **ret_err)
{
        _cleanup_free_ char *lock_path = engine_monitor_lock_path(e, id);
        _cleanup_close_ int lock_fd = -EBADF;
        _cleanup_error_ Error *err = NULL;
        Monitor m = { .e = e,
                      .id = id,
                      .user_in = -1,
                      .user_out = -1,
                      .user_err = -1,
                      .log_fd = -1,
                      .mon_dir = -1,
                      .listen_fd = -1,
                      .console = -1,
                      .stdin_w = -1,
                      .sfd = -1 };
        json_t *rec = NULL;
        uint64_t backoff = 0;
        int r, code = 0, restarts;
        bool first = true, stopped;
        sigset_t mask;

        if (!lock_path) {
                safe_close(client_fd);
                return error_set(ret_err, ENOMEM, "monitor");
        }
        free(monitor_sibling_path("husk-init")); /* before the create seals our exe */
        lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
                r = errno == EWOULDBLOCK ? error_setx(ret_err, EBUSY, "container %s is already running", id)
                                         : error_set(ret_err, errno, "lock %s", lock_path);
                report(ready_fd, EBUSY, (*ret_err)->msg);
                safe_close(client_fd);
                return r;
        }
        if (client_fd >= 0)
                client_add(&m, client_fd);
        r = engine_load(e, id, &rec, &err);
        if (r >= 0 && json_is_true(json_object_get(json_object_get(rec, "State"), "Running")))
                r = error_setx(&err, EBUSY, "container %s is already running", id);
        if (r >= 0)
                r = monitor_policy_load(rec, &m.policy, &err);
        m.tty = json_is_true(json_object_get(json_object_get(rec, "Config"), "Tty"));
        m.open_stdin = json_is_true(json_object_get(json_object_get(rec, "Config"), "OpenStdin"));
        m.auto_remove = json_is_true(json_object_get(json_object_get(rec, "HostConfig"), "AutoRemove"));
        restarts = (int)json_integer_value(json_object_get(rec, "RestartCount"));
        stopped = json_is_true(json_object_get(rec, "HasBeenManuallyStopped"));
        json_decref(rec);
        if (r < 0)
                goto fail;
        m.log_path = engine_log_path(e, id);
        if (!m.log_path) {
                r = error_set(&err, ENOMEM, "monitor");
                goto fail;
        }
        if (!m.policy.log_none) {
                struct stat st;
                m.log_fd = open(m.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
                if (m.log_fd < 0) {
                        r = error_set(&err, errno, "open %s", m.log_path);
                        goto fail;
                }
                if (fstat(m.log_fd, &st) == 0)
                        m.log_size = (uint64_t)st.st_size;
        }
        m.mon_dir = open(e->mon_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (m.mon_dir >= 0)
                m.listen_fd = listen_socket(&m);
        if (m.listen_fd < 0)
                m.listen_fd = -1; /* attach is lost, the container still runs */
        if (attach) {
                m.user_in = fcntl(0, F_DUPFD_CLOEXEC, 3);
                m.user_out = fcntl(1, F_DUPFD_CLOEXEC, 3);
                m.user_err = fcntl(2, F_DUPFD_CLOEXEC, 3);
                if (m.tty && m.open_stdin && isatty(m.user_in) && tcgetattr(m.user_in, &m.saved) == 0) {
                        struct termios t = m.saved;
                        cfmakeraw(&t);
                        t.c_oflag = m.saved.c_oflag;
                        m.raw = tcsetattr(m.user_in, TCSANOW, &t) == 0;
                }
        } else {
                _cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                for (int fd = 0; fd < 3 && devnull >= 0; fd++)
                        (void)dup2(devnull, fd);
        }

        /* Signals: SIGCHLD tells the init has exited; attached, the ones a
         * user sends to `husk run` go to the container, as docker run's
         * --sig-proxy does. Blocked only now: the init must not inherit a
         * blocked mask (the runtime unblocks what it blocks itself). */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (attach)
                for (int s = 1; s < 32; s++)
                        if (s != SIGCHLD && s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS &&
                            s != SIGFPE && s != SIGILL && s != SIGPIPE && s != SIGTTIN && s != SIGTTOU && s != SIGTSTP)
                                sigaddset(&mask, s);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        m.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (stopped) /* started again: the policy applies again */
                (void)set_record(e, id, NULL, json_pack("{s:b}", "HasBeenManuallyStopped", 0), false, NULL);

        for (;;) {
                uint64_t started = now_ms();
                _cleanup_free_ char *now = NULL;
                uint8_t cb[4];
                bool again;

                r = run_once(&m, &ready_fd, &code, &err);
                if (r < 0 && first)
                        goto fail;
                if (r < 0)
                        code = 128;
                first = false;
                cb[0] = (uint8_t)(code >> 24);
                cb[1] = (uint8_t)(code >> 16);
                cb[2] = (uint8_t)(code >> 8);
                cb[3] = (uint8_t)code;
                again = monitor_policy_restart(&m.policy, code, restarts) && !manually_stopped(e, id);
                now = now_rfc3339();
                if (!again) {
                        (void)set_record(e, id,
                                         json_pack("{s:s,s:b,s:b,s:i,s:i,s:s,s:s}", "Status", "exited", "Running", 0,
                                                   "Restarting", 0, "Pid", 0, "ExitCode", code, "FinishedAt",
                                                   now ? now : "", "Error", r < 0 && err ? err->msg : ""),
                                         NULL, m.auto_remove, NULL);
                        clients_send(&m, ATTACH_EXIT, cb, 4);
                        break;
                }
                (void)set_record(e, id,
                                 json_pack("{s:s,s:b,s:b,s:i,s:i,s:s}", "Status", "restarting", "Running", 1,
                                           "Restarting", 1, "Pid", 0, "ExitCode", code, "FinishedAt", now ? now : ""),
                                 NULL, false, NULL);
                clients_send(&m, ATTACH_EXIT, cb, 4);
                for (size_t i = 0; i < MAX_CLIENTS; i++)
                        client_drop(&m, i);
                if (m.user_out >= 0) {
                        if (ret_exit)
                                *ret_exit = code;
                        if (!go_background(&m)) {
                                /* the parent: its part is done */
                                m.listen_fd = safe_close(m.listen_fd);
                                monitor_free(&m);
                                return 0;
                        }
                }
                backoff = next_backoff(backoff, now_ms() - started);
                if (!backoff_wait(&m, backoff)) {
                        (void)set_record(e, id,
                                         json_pack("{s:s,s:b,s:b}", "Status", "exited", "Running", 0, "Restarting", 0),
                                         NULL, false, NULL);
                        break;
                }
                restarts++;
                (void)set_record(e, id, NULL, json_pack("{s:i}", "RestartCount", restarts), false, NULL);
        }
        if (ret_exit)
                *ret_exit = code;
        monitor_free(&m);
        return 0;

fail:
        code = engine_start_error_code(err);
        report(ready_fd, code, err ? err->msg : NULL);
        safe_close(ready_fd);
        (void)set_record(e, id,
                         json_pack("{s:i,s:s}", "ExitCode",
                                   code == ENOENT   ? 127
                                   : code == EACCES ? 126
                                                    : 128,
                                   "Error", err && err->msg ? err->msg : ""),
                         NULL, m.auto_remove, NULL);
        monitor_free(&m);
        r = -code;
        if (ret_err)
                *ret_err = TAKE_PTR(err);
        return r;
}
