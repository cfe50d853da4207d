#pragma once

/* Run a test body in a forked child, for everything that changes the process
 * for good (bounding set, uid, seccomp filter, personality). The body returns
 * 0 or fills `msg` and returns non-zero; the child reports the message over a
 * pipe and _exit()s (no atexit handlers, no LeakSanitizer run in a process
 * whose filter may forbid what it needs). Never use cmocka asserts in a body:
 * they would longjmp inside the child. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (*ChildFn)(void *arg, char *msg, size_t size);

/* Format a failure into msg and return 1, for `return child_fail(msg, size, ...)`. */
__attribute__((format(printf, 3, 4), unused)) static int child_fail(char *msg, size_t size, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, size, fmt, ap);
        va_end(ap);
        return 1;
}

/* In a forked child: back to the default dispositions. cmocka catches
 * SIGSEGV, SIGSYS and friends to longjmp to its runner, which in a child
 * would go on running the rest of the suite (a SCMP_ACT_TRAP test would never
 * see the child die of SIGSYS). */
__attribute__((unused)) static void child_reset_signals(void)
{
        static const int sigs[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGSYS };

        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                signal(sigs[i], SIG_DFL);
}

/* Fork, run fn(arg) in the child; the child's message goes to msg. Returns the
 * wait status. */
__attribute__((unused)) static int run_child(ChildFn fn, void *arg, char *msg, size_t size)
{
        int p[2], status = 0;
        size_t got = 0;
        pid_t pid;

        msg[0] = 0;
        if (pipe2(p, O_CLOEXEC) < 0)
                abort();
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                abort();
        if (pid == 0) {
                char buf[1024] = "";
                int r;

                close(p[0]);
                child_reset_signals();
                r = fn(arg, buf, sizeof(buf));
                if (r != 0 && write(p[1], buf, strlen(buf)) < 0)
                        _exit(3);
                _exit(r == 0 ? 0 : 1);
        }
        close(p[1]);
        for (;;) {
                ssize_t n = read(p[0], msg + got, size - 1 - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                got += (size_t)n;
                if (got == size - 1)
                        break;
        }
        msg[got] = 0;
        close(p[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        abort();
        return status;
}

/* The child exited 0; else fail the test with its message. */
#define assert_child_ok(fn, arg)                                                                      \
        do {                                                                                          \
                char _m[1024];                                                                        \
                int _st = run_child((fn), (arg), _m, sizeof(_m));                                     \
                if (!WIFEXITED(_st) || WEXITSTATUS(_st) != 0)                                         \
                        fail_msg("%s: child %s %d: %s", #fn, WIFEXITED(_st) ? "exited" : "killed by", \
                                 WIFEXITED(_st) ? WEXITSTATUS(_st) : WTERMSIG(_st), _m);              \
        } while (0)

/* A field of /proc/self/status as a hex mask ("CapEff"), or UINT64_MAX. */
__attribute__((unused)) static uint64_t status_mask(const char *field)
{
        char line[256];
        size_t flen = strlen(field);
        uint64_t v = UINT64_MAX;
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return v;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
                        v = strtoull(line + flen + 1, NULL, 16);
                        break;
                }
        fclose(f);
        return v;
}

/* Whether this process has cap in its effective set (for skipping tests
 * that need the machine to lack it). */
__attribute__((unused)) static int have_cap(int cap)
{
        uint64_t eff = status_mask("CapEff");
        return eff != UINT64_MAX && (eff & (UINT64_C(1) << cap));
}
