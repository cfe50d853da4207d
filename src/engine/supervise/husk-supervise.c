/* husk-supervise: the monitor of a detached container while the container
 * runs.
 *
 *     husk-supervise pid=N (console=FD | out=FD err=FD) [stdin=FD]
 *                    [open-stdin] [ready=FD] [listen=FD] [keep=FD]... [log=FD
 *                    log-path=PATH log-size=N log-max-size=N log-max-file=N]
 *                    [client=FD]... -- MONITOR ARG...
 *
 * husk-monitor (monitor.c) execs it, in the same process, once the
 * container has started: the init (pid=) is our child, the fds are the
 * container's stdio (pipes' ends or the pty master), the attach socket
 * and its clients, the json-file log. It tells husk, waiting on ready=,
 * that the container runs (a 0 int: monitor.c's report()), runs the relay (relay.c) until
 * the init has exited and its output is drained, then execs
 * `MONITOR ARG... code=N [client=FD]...` (husk-monitor --resume), which
 * records the exit and applies the restart policy. The listen socket and
 * the keep= fds (the monitor's flock'd lock file: the lock must not lapse
 * while the container lives) cross both execs as they came.
 *
 * Why a program of its own: memory. husk-monitor links the runtime
 * library (jansson, libseccomp, libcap) into a static glibc PIE, 1.4 MiB
 * resident; this is libc only, built with musl when it is there, and
 * lives as long as the container.
 *
 * It runs as root beside every container, so it is kept small: no
 * parsing but its own command line (from husk-monitor), no files opened
 * but the log's next one at rotation. It makes itself non-dumpable first:
 * a container sharing the host's pid namespace must not reach its memory
 * or /proc/PID/exe (the binary on the host).
 *
 * If it dies (killed), the lock goes with it, and the engine's recovery
 * of a container whose monitor died (record.c) takes over, as for any
 * monitor. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "engine/relay.h"
#include "lib/macros.h"

#define MAX_KEEP 4

typedef struct Args {
        Relay r;
        int ready;
        int keep[MAX_KEEP];
        size_t n_keep;
        char **monitor; /* the command line after "--" */
} Args;

/* (lib/util.c's parsers are not built for musl: lib/ uses Linux's own
 * headers, which musl-gcc does not see) */
static int parse_uint(const char *s, int *ret)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 0 || v > INT_MAX)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

static int parse_u64(const char *s, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "key=..."'s value, or NULL. */
static const char *value_of(const char *arg, const char *key)
{
        size_t n = strlen(key);

        return strncmp(arg, key, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

/* An fd argument: ours alone from now on, until the exec back passes on
 * what it names. */
static int take_fd(const char *v, int *ret)
{
        if (parse_uint(v, ret) < 0)
                return -EINVAL;
        (void)fcntl(*ret, F_SETFD, FD_CLOEXEC);
        return 0;
}

static int parse_args(char **argv, Args *a)
{
        Relay *r = &a->r;
        const char *v;
        int fd, pid = 0, k = 0;

        for (; *argv && !streq(*argv, "--"); argv++) {
                const char *s = *argv;

                if (streq(s, "open-stdin"))
                        r->open_stdin = true;
                else if ((v = value_of(s, "pid")))
                        k = parse_uint(v, &pid);
                else if ((v = value_of(s, "console"))) {
                        r->tty = true;
                        k = take_fd(v, &r->console);
                        r->out = r->console;
                } else if ((v = value_of(s, "out")))
                        k = take_fd(v, &r->out);
                else if ((v = value_of(s, "err")))
                        k = take_fd(v, &r->err);
                else if ((v = value_of(s, "stdin")))
                        k = take_fd(v, &r->stdin_w);
                else if ((v = value_of(s, "ready")))
                        k = take_fd(v, &a->ready);
                else if ((v = value_of(s, "listen")))
                        k = take_fd(v, &r->listen_fd);
                else if ((v = value_of(s, "keep")) && a->n_keep < MAX_KEEP)
                        k = take_fd(v, &a->keep[a->n_keep++]);
                else if ((v = value_of(s, "client"))) {
                        k = take_fd(v, &fd);
                        if (k >= 0)
                                relay_client_add(r, fd);
                } else if ((v = value_of(s, "log")))
                        k = take_fd(v, &r->log.fd);
                else if ((v = value_of(s, "log-path")))
                        r->log.path = v;
                else if ((v = value_of(s, "log-size")))
                        k = parse_u64(v, &r->log.size);
                else if ((v = value_of(s, "log-max-size")))
                        k = parse_u64(v, &r->log.max_size);
                else if ((v = value_of(s, "log-max-file")))
                        k = parse_uint(v, &r->log.max_file);
                else
                        k = -EINVAL;
                if (k < 0)
                        return k;
        }
        if (!*argv || !argv[1] || pid <= 0 || (r->log.fd >= 0 && (!r->log.path || r->log.max_file < 1)))
                return -EINVAL;
        r->pid = pid;
        a->monitor = argv + 1;
        return 0;
}

/* The monitor's command line with the exit code and the clients now
 * attached; their fds, the listen socket and the keep= ones cross the
 * exec. Returns only on failure. */
static void exec_monitor(Args *a, int code)
{
        size_t n = 0, extra = 1 + RELAY_MAX_CLIENTS;
        char **argv;

        while (a->monitor[n])
                n++;
        argv = calloc(n + extra + 1, sizeof(char *));
        if (!argv)
                return;
        memcpy(argv, a->monitor, n * sizeof(char *));
        if (asprintf(&argv[n++], "code=%d", code) < 0)
                return;
        for (size_t i = 0; i < RELAY_MAX_CLIENTS; i++)
                if (a->r.clients[i]) {
                        if (asprintf(&argv[n++], "client=%d", a->r.clients[i]->fd) < 0)
                                return;
                        (void)fcntl(a->r.clients[i]->fd, F_SETFD, 0);
                }
        if (a->r.listen_fd >= 0)
                (void)fcntl(a->r.listen_fd, F_SETFD, 0);
        for (size_t i = 0; i < a->n_keep; i++)
                (void)fcntl(a->keep[i], F_SETFD, 0);
        execv(argv[0], argv);
}

int main(int argc, char **argv)
{
        Args a = { .r = RELAY_INIT, .ready = -1 };
        sigset_t mask;
        int code;

        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        if (argc < 2 || parse_args(argv + 1, &a) < 0) {
                fprintf(stderr, "usage: husk-supervise pid=N ... -- MONITOR ARG... (started by husk-monitor)\n");
                return 2;
        }
        /* SIGCHLD: the init has exited (blocked already by the monitor:
         * one that came before this signalfd is pending, not lost) */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        a.r.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (a.ready >= 0) { /* (a husk gone meanwhile does not matter) */
                int started = 0;
                ssize_t k = write(a.ready, &started, sizeof(started));
                (void)k;
                close(a.ready);
        }

        code = relay_exit_code(relay_run(&a.r));
        exec_monitor(&a, code);
        /* the lock goes with us: the engine recovers the container as one
         * whose monitor died */
        fprintf(stderr, "husk-supervise: exec %s: %s\n", a.monitor[0], strerror(errno));
        return 1;
}
