/* The relay of one run (relay.h). */
#include "engine/relay.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macros.h"

#define LINE_MAX_BYTES 16384
#define STDIN_BUF      (256u << 10)
#define STDIN_HIGH     (STDIN_BUF - ATTACH_FRAME_MAX - 8192)

typedef struct Stream {
        int fd; /* the pipe's read end (or the pty master), -1 at EOF */
        const char *name;
        uint8_t type; /* ATTACH_STDOUT, ATTACH_STDERR */
        char buf[LINE_MAX_BYTES];
        size_t len;
} Stream;

static void write_user(int fd, const char *p, size_t len)
{
        while (fd >= 0 && len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                p += n;
                len -= (size_t)n;
        }
}

void relay_client_drop(Relay *r, size_t i)
{
        if (!r->clients[i])
                return;
        safe_close(r->clients[i]->fd);
        free(r->clients[i]);
        r->clients[i] = NULL;
}

void relay_client_add(Relay *r, int fd)
{
        struct timeval tv = { .tv_sec = 5 };

        /* a client that stops reading (a suspended `husk attach`) is
         * dropped rather than stalling the container's output */
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        for (size_t i = 0; i < RELAY_MAX_CLIENTS; i++)
                if (!r->clients[i]) {
                        r->clients[i] = calloc(1, sizeof(RelayClient));
                        if (r->clients[i]) {
                                r->clients[i]->fd = fd;
                                return;
                        }
                        break;
                }
        safe_close(fd);
}

void relay_clients_send(Relay *r, uint8_t type, const void *data, size_t len)
{
        for (size_t i = 0; i < RELAY_MAX_CLIENTS; i++)
                if (r->clients[i] && attach_send(r->clients[i]->fd, type, data, len) < 0)
                        relay_client_drop(r, i);
}

void relay_accept(Relay *r)
{
        int fd;

        while (r->listen_fd >= 0 && (fd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
                relay_client_add(r, fd);
}

int relay_exit_code(int status)
{
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static void stream_read(Relay *r, Stream *s)
{
        char buf[8192];
        ssize_t n = read(s->fd, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) { /* EOF, or EIO: the pty's last slave closed */
                if (s->len)
                        json_log_entry(&r->log, s->name, s->buf, s->len);
                s->len = 0;
                if (s->fd != r->console)
                        safe_close(s->fd);
                s->fd = -1;
                return;
        }
        write_user(s->type == ATTACH_STDOUT ? r->user_out : r->user_err, buf, (size_t)n);
        relay_clients_send(r, s->type, buf, (size_t)n);
        for (ssize_t i = 0; i < n; i++) {
                s->buf[s->len++] = buf[i];
                if (buf[i] == '\n' || s->len == sizeof(s->buf)) {
                        json_log_entry(&r->log, s->name, s->buf, s->len);
                        s->len = 0;
                }
        }
}

/* Bytes for the container's stdin (the pty with -t). */
static int stdin_fd(const Relay *r)
{
        return r->tty ? r->console : r->stdin_w;
}

/* Write what in_buf holds, as far as the container takes it now. */
static void stdin_flush(Relay *r)
{
        int fd = stdin_fd(r);
        size_t done = 0;

        while (fd >= 0 && done < r->in_len) {
                ssize_t n = write(fd, r->in_buf + done, r->in_len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0) { /* nobody reads it any more */
                        done = r->in_len;
                        if (!r->tty)
                                r->stdin_w = safe_close(r->stdin_w);
                        break;
                }
                done += (size_t)n;
        }
        if (done > 0)
                memmove(r->in_buf, r->in_buf + done, r->in_len - done);
        r->in_len -= done;
        if (r->in_len == 0 && r->in_eof && !r->tty)
                r->stdin_w = safe_close(r->stdin_w);
}

static void stdin_write(Relay *r, const void *data, size_t len)
{
        if (stdin_fd(r) < 0 || !r->open_stdin || r->in_eof)
                return;
        if (!r->in_buf && !(r->in_buf = malloc(STDIN_BUF)))
                return;
        if (len > STDIN_BUF - r->in_len) /* (reading stops at STDIN_HIGH) */
                len = STDIN_BUF - r->in_len;
        memcpy(r->in_buf + r->in_len, data, len);
        r->in_len += len;
        stdin_flush(r);
}

static void stdin_close(Relay *r)
{
        r->in_eof = true;
        stdin_flush(r);
}

static void client_read(Relay *r, size_t i)
{
        RelayClient *c = r->clients[i];
        const uint8_t *d;
        uint32_t len;
        uint8_t type;

        if (attach_fill(c->fd, &c->in) <= 0) {
                relay_client_drop(r, i);
                return;
        }
        while (attach_next(&c->in, &type, &d, &len) > 0) {
                if (type == ATTACH_STDIN)
                        stdin_write(r, d, len);
                else if (type == ATTACH_CLOSE_STDIN)
                        stdin_close(r);
                else if (type == ATTACH_RESIZE && len == 4 && r->console >= 0) {
                        struct winsize ws = { .ws_row = (unsigned short)(d[0] << 8 | d[1]),
                                              .ws_col = (unsigned short)(d[2] << 8 | d[3]) };
                        (void)ioctl(r->console, TIOCSWINSZ, &ws);
                } else if (type == ATTACH_SIGNAL && len == 4 && r->pid > 0) {
                        int sig = d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
                        (void)kill(r->pid, sig);
                }
                attach_consume(&c->in, len);
        }
}

static void user_in_read(Relay *r)
{
        char buf[8192];
        ssize_t n = read(r->user_in, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) {
                /* EOF on the user's stdin: the container's stdin ends too,
                 * as docker run -i's does (StdinOnce) */
                r->user_in_eof = true;
                stdin_close(r);
                return;
        }
        stdin_write(r, buf, (size_t)n);
}

static void handle_signals(Relay *r, bool reaped)
{
        struct signalfd_siginfo si;

        while (read(r->sfd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGCHLD)
                        continue;
                if (si.ssi_signo == SIGWINCH) {
                        struct winsize ws;
                        if (r->console >= 0 && r->user_in >= 0 && ioctl(r->user_in, TIOCGWINSZ, &ws) == 0)
                                (void)ioctl(r->console, TIOCSWINSZ, &ws);
                        continue;
                }
                if (!reaped)
                        (void)kill(r->pid, (int)si.ssi_signo);
        }
}

int relay_run(Relay *r)
{
        Stream out = { .fd = r->out, .name = "stdout", .type = ATTACH_STDOUT },
               errs = { .fd = r->err, .name = "stderr", .type = ATTACH_STDERR };
        bool reaped = false;
        int status = 0;

        while (out.fd >= 0 || errs.fd >= 0 || !reaped) {
                struct pollfd pfd[5 + RELAY_MAX_CLIENTS];
                int n = 0, io = -1, ie = -1, is = -1, iu = -1, iw = -1, il = -1, ic[RELAY_MAX_CLIENTS];
                bool any = false;

                if (out.fd >= 0) {
                        io = n;
                        pfd[n++] = (struct pollfd){ .fd = out.fd, .events = POLLIN };
                }
                if (errs.fd >= 0) {
                        ie = n;
                        pfd[n++] = (struct pollfd){ .fd = errs.fd, .events = POLLIN };
                }
                if (r->sfd >= 0) {
                        is = n;
                        pfd[n++] = (struct pollfd){ .fd = r->sfd, .events = POLLIN };
                }
                if (r->user_in >= 0 && !r->user_in_eof && r->open_stdin && !reaped && r->in_len < STDIN_HIGH) {
                        iu = n;
                        pfd[n++] = (struct pollfd){ .fd = r->user_in, .events = POLLIN };
                }
                if (r->in_len > 0 && stdin_fd(r) >= 0 && !reaped) {
                        iw = n;
                        pfd[n++] = (struct pollfd){ .fd = stdin_fd(r), .events = POLLOUT };
                }
                if (r->listen_fd >= 0) {
                        il = n;
                        pfd[n++] = (struct pollfd){ .fd = r->listen_fd, .events = POLLIN };
                }
                for (size_t i = 0; i < RELAY_MAX_CLIENTS; i++) {
                        ic[i] = -1;
                        if (r->clients[i]) {
                                ic[i] = n;
                                pfd[n++] = (struct pollfd){ .fd = r->clients[i]->fd,
                                                            .events = r->in_len < STDIN_HIGH ? POLLIN : 0 };
                        }
                }
                /* without a signalfd, look at the init every second */
                if (poll(pfd, (nfds_t)n, reaped ? 200 : r->sfd >= 0 ? -1 : 1000) < 0 && errno != EINTR)
                        break;
                if (io >= 0 && pfd[io].revents) {
                        stream_read(r, &out);
                        any = true;
                }
                if (ie >= 0 && pfd[ie].revents) {
                        stream_read(r, &errs);
                        any = true;
                }
                if (is >= 0 && pfd[is].revents)
                        handle_signals(r, reaped);
                if (iu >= 0 && pfd[iu].revents)
                        user_in_read(r);
                if (iw >= 0 && pfd[iw].revents)
                        stdin_flush(r);
                if (il >= 0 && pfd[il].revents)
                        relay_accept(r);
                for (size_t i = 0; i < RELAY_MAX_CLIENTS; i++)
                        if (ic[i] >= 0 && pfd[ic[i]].revents && r->clients[i])
                                client_read(r, i);
                if (!reaped && waitpid(r->pid, &status, WNOHANG) == r->pid)
                        reaped = true;
                else if (reaped && !any)
                        /* the init is gone and nothing came for a while:
                         * whoever still holds a pipe (a daemon outside
                         * its pid namespace) does not keep the container
                         * running */
                        break;
        }
        if (out.fd >= 0 && out.fd != r->console)
                close(out.fd);
        safe_close(errs.fd);
        r->out = r->err = -1;
        r->console = safe_close(r->console);
        r->stdin_w = safe_close(r->stdin_w);
        r->pid = 0;
        return status;
}
