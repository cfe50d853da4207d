/* Foreground `run` and `exec`: wait for the process, forward the signals the
 * user sends us, and relay the terminal when we hold the pty master. */
#include "runtime/runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>

#include "lib/util.h"

static int status_to_exit(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

static void copy_winsize(int from, int to)
{
        struct winsize ws;

        if (ioctl(from, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(to, TIOCSWINSZ, &ws);
}

/* Returns false on EOF/EIO of `from`. */
static bool pump(int from, int to)
{
        char buf[8192];
        ssize_t n = read(from, buf, sizeof(buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        if (n <= 0)
                return false;
        (void)write_all(to, buf, (size_t)n);
        return true;
}

int runtime_wait_forward(pid_t pid, int console, Error **ret_err)
{
        _cleanup_close_ int sfd = -EBADF, pidfd = -EBADF;
        struct termios saved;
        bool raw = false, in_open = console >= 0, out_open = console >= 0;
        sigset_t mask, old;
        int status = 0;

        sigfillset(&mask);
        sigdelset(&mask, SIGSEGV);
        sigdelset(&mask, SIGBUS);
        sigdelset(&mask, SIGILL);
        sigdelset(&mask, SIGFPE);
        sigdelset(&mask, SIGABRT);
        sigprocmask(SIG_BLOCK, &mask, &old);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return error_set(ret_err, errno, "signalfd");
        pidfd = pidfd_open_(pid, 0);

        if (console >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                struct termios t = saved;
                cfmakeraw(&t);
                t.c_oflag |= OPOST; /* keep \n -> \r\n from the container's tty alone */
                t.c_oflag = saved.c_oflag;
                if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
                        raw = true;
                copy_winsize(STDIN_FILENO, console);
        }

        for (;;) {
                struct pollfd p[4];
                int n = 0, ip = -1, ic = -1, is = -1, iw = -1;

                p[n] = (struct pollfd){ .fd = sfd, .events = POLLIN };
                is = n++;
                if (pidfd >= 0 && !out_open) {
                        p[n] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
                        iw = n++;
                }
                if (out_open) {
                        p[n] = (struct pollfd){ .fd = console, .events = POLLIN };
                        ic = n++;
                }
                if (in_open) {
                        p[n] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
                        ip = n++;
                }
                if (poll(p, (nfds_t)n, pidfd >= 0 || out_open ? -1 : 100) < 0 && errno != EINTR)
                        break;

                if (p[is].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                if (si.ssi_signo == SIGCHLD)
                                        continue;
                                if (si.ssi_signo == SIGWINCH) {
                                        if (console >= 0)
                                                copy_winsize(STDIN_FILENO, console);
                                        continue;
                                }
                                kill(pid, (int)si.ssi_signo);
                        }
                }
                if (ic >= 0 && (p[ic].revents & (POLLIN | POLLHUP | POLLERR)))
                        if (!pump(console, STDOUT_FILENO))
                                out_open = false;
                if (ip >= 0 && (p[ip].revents & (POLLIN | POLLHUP | POLLERR)))
                        if (!pump(STDIN_FILENO, console))
                                in_open = false;

                if (!out_open || iw >= 0 || pidfd < 0) {
                        pid_t w = waitpid(pid, &status, WNOHANG);
                        if (w == pid)
                                break;
                        if (w < 0 && errno != EINTR) {
                                status = 0;
                                break;
                        }
                }
        }
        if (raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return status_to_exit(status);
}
