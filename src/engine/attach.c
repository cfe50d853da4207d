/* husk attach and start -a: a client of the container's monitor over its
 * attach socket (the frames are described in engine-internal.h). The
 * client puts its terminal in raw mode for a -t container, sends its
 * window size and stdin, and leaves on the detach keys (ctrl-p,ctrl-q). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "lib/macros.h"
#include "lib/util.h"

/* Docker's --detach-keys: "ctrl-p,ctrl-q", "a,ctrl-@". */
static int parse_detach_keys(const char *s, char *ret, size_t *ret_n, Error **ret_err)
{
        _cleanup_free_ char *copy = strdup(s);
        char *save = NULL;
        size_t n = 0;

        if (!copy)
                return error_set(ret_err, ENOMEM, "detach keys");
        for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
                if (n == 16)
                        break;
                if (strlen(k) == 1)
                        ret[n++] = k[0];
                else if (strncmp(k, "ctrl-", 5) == 0 && strlen(k) == 6 &&
                         ((k[5] >= 'a' && k[5] <= 'z') || strchr("@[\\]^_", k[5])))
                        ret[n++] = k[5] >= 'a' && k[5] <= 'z' ? (char)(k[5] - 'a' + 1) : (char)(k[5] - '@');
                else
                        return error_setx(ret_err, EINVAL, "Invalid detach keys (%s) provided", s);
        }
        if (n == 0)
                return error_setx(ret_err, EINVAL, "Invalid detach keys (%s) provided", s);
        *ret_n = n;
        return 0;
}

static void send_winsize(int sock)
{
        struct winsize ws;
        uint8_t b[4];

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
                return;
        b[0] = (uint8_t)(ws.ws_row >> 8);
        b[1] = (uint8_t)ws.ws_row;
        b[2] = (uint8_t)(ws.ws_col >> 8);
        b[3] = (uint8_t)ws.ws_col;
        (void)attach_send(sock, ATTACH_RESIZE, b, 4);
}

typedef struct Client {
        int sock;
        bool tty, want_stdin, proxy;
        char keys[16];
        size_t n_keys, matched;
} Client;

/* Stdin bytes to the monitor, holding back what may be the start of the
 * detach keys (tty only, as Docker). Returns true on the detach keys. */
static bool send_stdin(Client *c, const char *buf, size_t n)
{
        char out[8192 + 16];
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                if (c->tty && c->n_keys && buf[i] == c->keys[c->matched]) {
                        if (++c->matched == c->n_keys) {
                                if (k)
                                        (void)attach_send(c->sock, ATTACH_STDIN, out, k);
                                return true;
                        }
                        continue;
                }
                if (c->matched) {
                        memcpy(out + k, c->keys, c->matched);
                        k += c->matched;
                        c->matched = 0;
                        if (c->tty && buf[i] == c->keys[0]) {
                                c->matched = 1;
                                continue;
                        }
                }
                out[k++] = buf[i];
                if (k >= 8192) {
                        (void)attach_send(c->sock, ATTACH_STDIN, out, k);
                        k = 0;
                }
        }
        if (k)
                (void)attach_send(c->sock, ATTACH_STDIN, out, k);
        return false;
}

/* Relay until the monitor sends the exit (1, *ret_exit), the user detaches
 * (0) or the monitor goes away (-EPIPE). */
static int client_loop(Client *c, int *ret_exit)
{
        _cleanup_free_ AttachBuf *b = calloc(1, sizeof(AttachBuf));
        _cleanup_close_ int sfd = -EBADF;
        struct termios saved;
        bool raw = false, in_open = c->want_stdin;
        sigset_t mask, old;
        int r = -EPIPE;

        if (!b)
                return -ENOMEM;
        sigemptyset(&mask);
        if (c->tty)
                sigaddset(&mask, SIGWINCH);
        if (c->proxy && !c->tty)
                for (int s = 1; s < 32; s++)
                        if (s != SIGCHLD && s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS &&
                            s != SIGFPE && s != SIGILL && s != SIGPIPE && s != SIGTTIN && s != SIGTTOU &&
                            s != SIGTSTP && s != SIGWINCH && s != SIGCONT)
                                sigaddset(&mask, s);
        sigprocmask(SIG_BLOCK, &mask, &old);
        signal(SIGPIPE, SIG_IGN);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (c->tty && isatty(STDIN_FILENO)) {
                if (in_open && tcgetattr(STDIN_FILENO, &saved) == 0) {
                        struct termios t = saved;
                        cfmakeraw(&t);
                        t.c_oflag = saved.c_oflag;
                        raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
                }
                send_winsize(c->sock);
        }
        for (;;) {
                struct pollfd p[3] = { { .fd = c->sock, .events = POLLIN },
                                       { .fd = sfd, .events = POLLIN },
                                       { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN } };
                const uint8_t *d;
                uint32_t len;
                uint8_t type;
                ssize_t n;

                if (poll(p, 3, -1) < 0 && errno != EINTR)
                        break;
                if (p[1].revents) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                uint8_t s[4] = { 0, 0, 0, (uint8_t)si.ssi_signo };
                                if (si.ssi_signo == SIGWINCH)
                                        send_winsize(c->sock);
                                else
                                        (void)attach_send(c->sock, ATTACH_SIGNAL, s, 4);
                        }
                }
                if (p[2].revents) {
                        char buf[8192];
                        n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) {
                                in_open = false;
                                (void)attach_send(c->sock, ATTACH_CLOSE_STDIN, NULL, 0);
                        } else if (n > 0 && send_stdin(c, buf, (size_t)n)) {
                                r = 0;
                                *ret_exit = 0;
                                break;
                        }
                }
                if (!p[0].revents)
                        continue;
                n = attach_fill(c->sock, b);
                if (n <= 0)
                        break;
                while (attach_next(b, &type, &d, &len) > 0) {
                        if (type == ATTACH_STDOUT)
                                (void)write_all(STDOUT_FILENO, d, len);
                        else if (type == ATTACH_STDERR)
                                (void)write_all(STDERR_FILENO, d, len);
                        else if (type == ATTACH_EXIT && len == 4) {
                                *ret_exit = d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
                                r = 1;
                        }
                        attach_consume(b, len);
                }
                if (r == 1)
                        break;
        }
        if (raw)
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

static int client_init(Engine *e, const char *id, const EngineAttachOpts *o, bool running_required, Client *c,
                       Error **ret_err)
{
        json_t *rec = NULL, *state, *config;
        int r = engine_load(e, id, &rec, ret_err);

        if (r < 0)
                return r;
        state = json_object_get(rec, "State");
        config = json_object_get(rec, "Config");
        if (running_required && json_is_true(json_object_get(state, "Restarting")))
                r = error_setx(ret_err, EINVAL,
                               "You cannot attach to a restarting container, wait until it is running");
        else if (running_required && !json_is_true(json_object_get(state, "Running")))
                r = error_setx(ret_err, EINVAL, "You cannot attach to a stopped container, start it first");
        *c = (Client){ .sock = -1,
                       .tty = json_is_true(json_object_get(config, "Tty")),
                       .want_stdin = o->stdin_ && json_is_true(json_object_get(config, "OpenStdin")),
                       .proxy = o->sig_proxy };
        json_decref(rec);
        if (r < 0)
                return r;
        return parse_detach_keys(o->detach_keys ? o->detach_keys : "ctrl-p,ctrl-q", c->keys, &c->n_keys, ret_err);
}

/* After the loop: the exit code, or the recorded one when the monitor
 * went away without a word (killed). */
static int client_finish(Engine *e, const char *id, int r, int *ret_exit, Error **ret_err)
{
        if (r >= 0)
                return 0;
        if (r == -EPIPE)
                return engine_wait(e, id, ret_exit, ret_err);
        return error_set(ret_err, -r, "attach");
}

int engine_attach(Engine *e, const char *id, const EngineAttachOpts *o, int *ret_exit, Error **ret_err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int dir = -EBADF;
        Client c;
        int r = client_init(e, id, o, true, &c, ret_err);

        if (r < 0)
                return r;
        dir = open(e->mon_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0 || attach_socket_path(dir, id, sa.sun_path) < 0)
                return error_set(ret_err, dir < 0 ? errno : ENAMETOOLONG, "open %s", e->mon_dir);
        c.sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c.sock < 0 || connect(c.sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                r = error_set(ret_err, errno, "attach to container %s: connect to its monitor", id);
                safe_close(c.sock);
                return r;
        }
        r = client_loop(&c, ret_exit);
        safe_close(c.sock);
        return client_finish(e, id, r, ret_exit, ret_err);
}

int engine_start_attach(Engine *e, const char *id, const EngineAttachOpts *o, int *ret_exit, Error **ret_err)
{
        Client c;
        int sp[2], r = client_init(e, id, o, false, &c, ret_err);

        if (r < 0)
                return r;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                return error_set(ret_err, errno, "socketpair");
        r = engine_start_detached(e, id, sp[1], ret_err);
        if (r < 0) {
                close(sp[0]);
                return r;
        }
        c.sock = sp[0];
        r = client_loop(&c, ret_exit);
        safe_close(c.sock);
        return client_finish(e, id, r, ret_exit, ret_err);
}
