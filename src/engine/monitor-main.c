/* husk-monitor: the monitor of a detached container (monitor.c) as a
 * program of its own, which husk starts with exec after its fork.
 *
 *     husk-monitor STORAGE STATE ID READY_FD CLIENT_FD
 *     husk-monitor STORAGE STATE ID --resume lock=FD [listen=FD] restarts=N
 *                  backoff=MS started=MS code=N [client=FD]...
 *
 * The second form is how husk-supervise (supervise/husk-supervise.c),
 * which the monitor of a detached container execs into while the
 * container runs, comes back once the init has exited
 * (engine_monitor_resume, monitor.c). Same pid, same lock.
 *
 * Why not husk itself: a monitor lives as long as its container, and a
 * forked husk carries every library husk links (libcurl, libarchive,
 * libcrypto and their own forty-odd dependencies), whose relocated data
 * alone is 1.7 MiB of private memory per container. This program links
 * the runtime library only (statically, when husk-runtime is), not the
 * image layer: the store is reached through its path alone, and --rm is
 * left to `husk rm`. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/monitor-opts.h"
#include "lib/macros.h"
#include "lib/util.h"

static const char *arg_storage, *arg_state;

/* "key=..." */
static bool strneq_key(const char *arg, const char *key)
{
        size_t n = strlen(key);

        return strncmp(arg, key, n) == 0 && arg[n] == '=';
}

/* The link seam for the store (image/store.h), which this program does
 * not link: the engine needs its root path only. */
const char *store_root(Store *s)
{
        return arg_storage;
}

/* --rm: `husk rm`, which has the image layer, once the record says
 * exited (it does by now). */
const bool monitor_remove_reads_record = true;

int monitor_remove(Engine *e, const char *id, Error **ret_err)
{
        _cleanup_free_ char *husk = monitor_sibling_path("husk");
        int status;
        pid_t pid;

        if (!husk)
                return error_set(ret_err, ENOMEM, "remove %s", id);
        pid = fork();
        if (pid < 0)
                return error_set(ret_err, errno, "fork");
        if (pid == 0) {
                execl(husk, "husk", "--storage", arg_storage, "--state", arg_state, "rm", "-v", id, (char *)NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_setx(ret_err, EIO, "remove %s: %s rm failed", id, husk);
        return 0;
}

/* The network, by `husk __network up|down ID`, which links the network
 * layer; its error message comes back on a pipe. */
int monitor_network(Engine *e, const char *id, bool up, Error **ret_err)
{
        _cleanup_free_ char *husk = monitor_sibling_path("husk");
        char msg[1024];
        ssize_t n = 0, k;
        int p[2], status;
        pid_t pid;

        if (!husk)
                return error_set(ret_err, ENOMEM, "network of %s", id);
        if (pipe2(p, O_CLOEXEC) < 0)
                return error_set(ret_err, errno, "pipe");
        pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return error_set(ret_err, errno, "fork");
        }
        if (pid == 0) {
                (void)dup2(p[1], STDERR_FILENO);
                execl(husk, "husk", "--storage", arg_storage, "--state", arg_state, "__network", up ? "up" : "down", id,
                      (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        while (n < (ssize_t)sizeof(msg) - 1 && (k = read(p[0], msg + n, sizeof(msg) - 1 - (size_t)n)) > 0)
                n += k;
        close(p[0]);
        msg[n] = 0;
        while (n > 0 && msg[n - 1] == '\n')
                msg[--n] = 0;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_setx(ret_err, EIO, "%s", n ? msg : "network set-up failed");
        return 0;
}

void monitor_network_release(Engine *e, const char *id, json_t *rec)
{
}

/* The key=value arguments of --resume; -EINVAL on anything else. */
static int parse_resume(char **args, MonitorResume *ret)
{
        MonitorResume res = { .code = -1, .lock_fd = -1, .listen_fd = -1, .backoff = 0 };
        bool started = false;

        for (; *args; args++) {
                const char *a = *args, *v = strchr(a, '=');
                uint64_t u = 0;
                int n = 0, r;

                if (!v)
                        return -EINVAL;
                v++;
                if (strneq_key(a, "backoff") || strneq_key(a, "started"))
                        r = parse_u64(v, &u);
                else
                        r = parse_int(v, &n);
                if (r < 0)
                        return -EINVAL;
                if (strneq_key(a, "lock"))
                        res.lock_fd = n;
                else if (strneq_key(a, "listen"))
                        res.listen_fd = n;
                else if (strneq_key(a, "restarts"))
                        res.restarts = n;
                else if (strneq_key(a, "code"))
                        res.code = n;
                else if (strneq_key(a, "backoff"))
                        res.backoff = u;
                else if (strneq_key(a, "started")) {
                        res.started = u;
                        started = true;
                } else if (strneq_key(a, "client") && n >= 0) {
                        if (res.n_clients < ELEMENTSOF(res.clients))
                                res.clients[res.n_clients++] = n;
                        else /* (husk-supervise keeps no more) */
                                close(n);
                } else {
                        return -EINVAL;
                }
        }
        if (res.lock_fd < 0 || res.code < 0 || !started)
                return -EINVAL;
        *ret = res;
        return 0;
}

int main(int argc, char **argv)
{
        _cleanup_engine_ Engine *e = NULL;
        MonitorResume res;
        int ready, client;
        bool resume = argc >= 5 && streq(argv[4], "--resume");

        if (resume ? parse_resume(argv + 5, &res) < 0
                   : argc != 6 || parse_int(argv[4], &ready) < 0 || parse_int(argv[5], &client) < 0) {
                fprintf(stderr, "usage: husk-monitor STORAGE STATE ID READY_FD CLIENT_FD (started by husk)\n");
                return 2;
        }
        arg_storage = argv[1];
        arg_state = argv[2];
        free(monitor_sibling_path("husk")); /* before the create seals our exe */
        if (engine_open(NULL, arg_state, &e, NULL) < 0)
                return 1;
        if (resume)
                return engine_monitor_resume(e, argv[3], &res, NULL) < 0 ? 1 : 0;
        return engine_monitor(e, argv[3], false, ready, client, NULL, NULL) < 0 ? 1 : 0;
}
