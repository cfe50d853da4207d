/* husk-init: the PID 1 of `husk run --init` (docker-init's part, which is
 * tini). The kernel gives a pid namespace's init no default signal
 * actions: a program that never expected to be PID 1 ignores SIGTERM and
 * SIGINT, and nobody reaps the orphans it leaves. So: run the command as a
 * child in its own process group (and the terminal's foreground group when
 * there is one), forward every catchable signal to that group, reap every
 * child, and exit with the command's status, 128+N when signal N killed
 * it.
 *
 *     husk-init [--] COMMAND [ARG...]
 *
 * Built static against libc only: bind-mounted into the container, it
 * must run whatever the image's libc is, or none. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int exit_code(int status)
{
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
        sigset_t all, old;
        pid_t child;
        int argi = 1;

        if (argi < argc && strcmp(argv[argi], "--") == 0)
                argi++;
        if (argi >= argc) {
                fprintf(stderr, "usage: husk-init [--] COMMAND [ARG...]\n");
                return 1;
        }
        /* Everything blocked before the fork: a signal arriving between
         * the fork and sigwaitinfo is queued, not lost. */
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        child = fork();
        if (child < 0) {
                perror("husk-init: fork");
                return 1;
        }
        if (child == 0) {
                (void)setpgid(0, 0);
                /* a tty: the command is its foreground group, so that ^C
                 * and job control reach it */
                if (isatty(STDIN_FILENO)) {
                        signal(SIGTTOU, SIG_IGN);
                        (void)tcsetpgrp(STDIN_FILENO, getpgrp());
                        signal(SIGTTOU, SIG_DFL);
                }
                sigprocmask(SIG_SETMASK, &old, NULL);
                execvp(argv[argi], argv + argi);
                fprintf(stderr, "husk-init: exec %s: %s\n", argv[argi], strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        (void)setpgid(child, child); /* no race with the child's own */

        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&all, &si), status;
                pid_t p;

                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        /* to the command's group: what it started gets
                         * it too, as a shell's job would */
                        if (kill(-child, sig) < 0)
                                (void)kill(child, sig);
                        continue;
                }
                /* reap the command and every orphan handed to us */
                while ((p = waitpid(-1, &status, WNOHANG)) > 0)
                        if (p == child)
                                return exit_code(status);
        }
}
