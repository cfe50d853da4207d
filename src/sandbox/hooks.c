#include "sandbox/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "lib/util.h"

static int hook_run_one(const SpecHook *h, const char *state_json, Error **ret_err)
{
        _cleanup_close_ int pidfd = -EBADF;
        int in[2], status;
        pid_t pid;

        if (pipe2(in, O_CLOEXEC) < 0)
                return error_set(ret_err, errno, "pipe");

        pid = fork();
        if (pid < 0) {
                close(in[0]);
                close(in[1]);
                return error_set(ret_err, errno, "fork");
        }
        if (pid == 0) {
                char *const empty[] = { NULL };
                char *const argv0[] = { h->path, NULL };

                if (dup2(in[0], STDIN_FILENO) < 0)
                        _exit(127);
                /* A hook must not inherit the runtime's sockets and fds. */
                close_all_fds(3, NULL, 0);
                signal(SIGPIPE, SIG_DFL);
                execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : empty);
                _exit(errno == ENOENT ? 127 : 126);
        }
        close(in[0]);
        /* The hook may not read stdin at all: ignore EPIPE. */
        {
                void (*old)(int) = signal(SIGPIPE, SIG_IGN);
                (void)write_all(in[1], state_json, strlen(state_json));
                signal(SIGPIPE, old);
        }
        close(in[1]);

        pidfd = pidfd_open_(pid, 0);
        if (h->has_timeout && pidfd >= 0) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                int n;

                do
                        n = poll(&p, 1, h->timeout * 1000);
                while (n < 0 && errno == EINTR);
                if (n == 0) {
                        kill(pid, SIGKILL);
                        (void)waitpid(pid, NULL, 0);
                        return error_setx(ret_err, ETIMEDOUT, "%s timed out after %d s", h->path, h->timeout);
                }
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_set(ret_err, errno, "wait for %s", h->path);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return error_setx(ret_err, ENOENT, "%s: cannot execute (not found)", h->path);
        if (WIFEXITED(status))
                return error_setx(ret_err, EIO, "%s exited with status %d", h->path, WEXITSTATUS(status));
        return error_setx(ret_err, EIO, "%s killed by signal %d", h->path, WTERMSIG(status));
}

size_t hooks_run_all(const Spec *spec, HookKind kind, const char *state_json,
                     void (*warn)(const Error *e, void *userdata), void *userdata)
{
        size_t failed = 0;

        for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
                _cleanup_error_ Error *e = NULL;

                if (hook_run_one(&spec->hooks[kind][i], state_json, &e) >= 0)
                        continue;
                error_prefix(&e, "%s hook #%zu", hook_kind_to_string(kind), i);
                if (warn)
                        warn(e, userdata);
                failed++;
        }
        return failed;
}

int hooks_run(const Spec *spec, HookKind kind, const char *state_json, Error **ret_err)
{
        for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
                int r = hook_run_one(&spec->hooks[kind][i], state_json, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "%s hook #%zu", hook_kind_to_string(kind), i);
        }
        return 0;
}
