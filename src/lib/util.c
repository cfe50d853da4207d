#include "lib/util.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "lib/macros.h"

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

size_t strv_length(char *const *v)
{
        size_t n = 0;

        if (!v)
                return 0;
        while (v[n])
                n++;
        return n;
}

char **strv_copy(char *const *v)
{
        size_t n = strv_length(v);
        char **c;

        if (!v)
                return NULL;
        c = calloc(n + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(v[i]);
                if (!c[i]) {
                        strv_free(c);
                        errno = ENOMEM;
                        return NULL;
                }
        }
        return c;
}

int strv_push(char ***v, const char *s)
{
        size_t n = strv_length(*v);
        char **nv;
        char *d = strdup(s);

        if (!d)
                return -ENOMEM;
        nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv) {
                free(d);
                return -ENOMEM;
        }
        nv[n] = d;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

bool strv_contains(char *const *v, const char *s)
{
        if (!v)
                return false;
        for (; *v; v++)
                if (streq(*v, s))
                        return true;
        return false;
}

int read_full_fd(int fd, char **ret, size_t *ret_len, Error **ret_err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                ssize_t n;

                if (cap - len < 4096) {
                        size_t ncap = cap ? cap * 2 : 8192;
                        char *nb;

                        if (ncap > (size_t)1 << 30)
                                return error_setx(ret_err, EFBIG, "file larger than 1 GiB");
                        nb = realloc(buf, ncap);
                        if (!nb)
                                return error_set(ret_err, ENOMEM, "read");
                        buf = nb;
                        cap = ncap;
                }
                n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set(ret_err, errno, "read");
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_full_file(const char *path, char **ret, size_t *ret_len, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_set(ret_err, errno, "open %s", path);
        r = read_full_fd(fd, ret, ret_len, ret_err);
        if (r < 0) {
                /* error_prefix() cannot know the code when ret_err is NULL */
                if (ret_err)
                        error_prefix(ret_err, "%s", path);
                return r;
        }
        return 0;
}

int read_one_line(const char *path, char **ret)
{
        char *buf = NULL;
        size_t len;
        int r;

        r = read_full_file(path, &buf, &len, NULL);
        if (r < 0)
                return r;
        if (len > 0 && buf[len - 1] == '\n')
                buf[len - 1] = '\0';
        *ret = buf;
        return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int write_string_fileat(int dirfd, const char *path, const char *s)
{
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(s);
        ssize_t n;

        fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        /* One write(): kernel files (cgroup, sysctl) take a value per write. */
        n = write(fd, s, len);
        if (n < 0)
                return -errno;
        if ((size_t)n != len)
                return -EIO;
        return 0;
}

int write_string_file(const char *path, const char *s)
{
        return write_string_fileat(AT_FDCWD, path, s);
}

int write_file_atomic(const char *path, const char *content, size_t len, mode_t mode, Error **ret_err)
{
        return write_file_replace(path, content, len, mode, true, ret_err);
}

int write_file_replace(const char *path, const char *content, size_t len, mode_t mode, bool sync, Error **ret_err)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
                return error_set(ret_err, ENOMEM, "write %s", path);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return error_set(ret_err, errno, "open %s", tmp);
        r = write_all(fd, content, len);
        if (r < 0 || (sync && fsync(fd) < 0)) {
                r = r < 0 ? r : -errno;
                unlink(tmp);
                return error_set(ret_err, -r, "write %s", tmp);
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                unlink(tmp);
                return error_set(ret_err, -r, "rename %s to %s", tmp, path);
        }
        return 0;
}

int parse_u64(const char *s, uint64_t *ret)
{
        char *end = NULL;
        unsigned long long v;

        if (!s || !*s || !isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0)
                return -errno;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_id(const char *s, uint32_t *ret)
{
        uint64_t v;
        int r = parse_u64(s, &v);

        if (r < 0)
                return r;
        if (v >= UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

int parse_i64(const char *s, int64_t *ret)
{
        char *end = NULL;
        long long v;

        if (!s || !*s || isspace((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0)
                return -errno;
        if (*end || end == s)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_int(const char *s, int *ret)
{
        int64_t v;
        int r = parse_i64(s, &v);

        if (r < 0)
                return r;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int)v;
        return 0;
}

int parse_ram_size(const char *s, int64_t *ret)
{
        static const char units[] = "kmgtp";
        const char *p = s, *u;
        long double v = 0, scale = 1;
        bool digits = false;

        if (!s)
                return -EINVAL;
        for (; isdigit((unsigned char)*p); p++, digits = true)
                v = v * 10 + (*p - '0');
        if (!digits)
                return -EINVAL;
        if (*p == '.') {
                if (!isdigit((unsigned char)p[1]))
                        return -EINVAL;
                for (p++; isdigit((unsigned char)*p); p++)
                        v += (*p - '0') / (scale *= 10);
        }
        if (*p == ' ')
                p++;
        if (*p && (u = strchr(units, tolower((unsigned char)*p)))) {
                for (long i = 0; i <= u - units; i++)
                        v *= 1024;
                p++;
        }
        if (*p == 'i' || *p == 'I')
                p++;
        if (*p == 'b' || *p == 'B')
                p++;
        if (*p)
                return -EINVAL;
        if (v >= 9223372036854775808.0L)
                return -ERANGE;
        *ret = (int64_t)v;
        return 0;
}

int parse_duration(const char *s, int64_t *ret)
{
        /* Two-letter units first: "ms" must not be read as "m". */
        static const struct {
                const char *unit;
                uint64_t ns;
        } units[] = {
                { "ns", 1 },
                { "us", 1000 },
                { "\u00b5s", 1000 }, /* micro sign */
                { "\u03bcs", 1000 }, /* Greek mu */
                { "ms", 1000000 },
                { "s", UINT64_C(1000000000) },
                { "m", UINT64_C(60000000000) },
                { "h", UINT64_C(3600000000000) },
        };
        const uint64_t max = (uint64_t)INT64_MAX;
        const char *p = s;
        uint64_t total = 0;
        bool neg = false;

        if (!p || !*p)
                return -EINVAL;
        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (streq(p, "0")) {
                *ret = 0;
                return 0;
        }
        if (!*p)
                return -EINVAL;
        while (*p) {
                uint64_t whole = 0, frac = 0, scale = 1, unit = 0, v;
                bool digits = false;
                size_t ul = 0;

                for (; isdigit((unsigned char)*p); p++, digits = true) {
                        if (whole > (UINT64_MAX - 9) / 10)
                                return -ERANGE;
                        whole = whole * 10 + (uint64_t)(*p - '0');
                }
                if (*p == '.')
                        for (p++; isdigit((unsigned char)*p); p++, digits = true)
                                if (scale < UINT64_C(1000000000000000000)) { /* finer is below 1 ns */
                                        frac = frac * 10 + (uint64_t)(*p - '0');
                                        scale *= 10;
                                }
                if (!digits)
                        return -EINVAL;
                for (size_t i = 0; i < ELEMENTSOF(units) && !unit; i++) {
                        ul = strlen(units[i].unit);
                        if (strncmp(p, units[i].unit, ul) == 0)
                                unit = units[i].ns;
                }
                if (!unit)
                        return -EINVAL;
                p += ul;
                if (whole > max / unit)
                        return -ERANGE;
                /* frac / scale < 1 and unit < 2^42: no overflow. */
                v = whole * unit + (uint64_t)((long double)frac * (long double)unit / (long double)scale);
                if (v > max - total)
                        return -ERANGE;
                total += v;
        }
        *ret = neg ? -(int64_t)total : (int64_t)total;
        return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        if (!*p)
                return -ENOENT;
        /* Usually all there already: one call. */
        if (mkdir(p, mode) == 0 || errno == EEXIST)
                return 0;
        if (errno != ENOENT)
                return -errno;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* /proc/PID/stat: the comm field may hold spaces and ')', so parse from the
 * last ')'. */
static int proc_stat_fields(pid_t pid, char *state, unsigned long long *start)
{
        char path[64], buf[1024];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;
        char *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return -EIO;
        p += 2;
        if (state)
                *state = *p;
        /* field 3 is state; start time is field 22 */
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EIO;
                p++;
        }
        if (start)
                *start = strtoull(p, NULL, 10);
        return 0;
}

unsigned long long proc_start_time(pid_t pid)
{
        unsigned long long t = 0;

        if (proc_stat_fields(pid, NULL, &t) < 0)
                return 0;
        return t;
}

char proc_state(pid_t pid)
{
        char s = 0;

        if (proc_stat_fields(pid, &s, NULL) < 0)
                return 0;
        return s;
}

char *now_rfc3339(void)
{
        struct timespec ts;
        struct tm tm;
        char buf[64], *out = NULL;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        if (asprintf(&out, "%s.%09ldZ", buf, ts.tv_nsec) < 0)
                return NULL;
        return out;
}

static const struct {
        const char *name;
        int sig;
} signal_table[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT }, { "ILL", SIGILL },     { "TRAP", SIGTRAP },
        { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },   { "FPE", SIGFPE },     { "KILL", SIGKILL },
        { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },     { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },
        { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },   { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU }, { "URG", SIGURG },     { "XCPU", SIGXCPU },
        { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
        { "POLL", SIGPOLL }, { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

int signal_from_string(const char *s)
{
        int n;

        if (!s || !*s)
                return -EINVAL;
        if (parse_int(s, &n) == 0)
                return n > 0 && n < NSIG ? n : -EINVAL;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (strcasecmp(s, signal_table[i].name) == 0)
                        return signal_table[i].sig;
        if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
                bool min = strncasecmp(s, "RTMIN", 5) == 0;
                int off = 0;
                const char *rest = s + 5;

                if (*rest) {
                        if ((*rest != '+' && *rest != '-') || parse_int(rest + 1, &off) < 0)
                                return -EINVAL;
                        if (*rest == '-')
                                off = -off;
                }
                n = (min ? SIGRTMIN : SIGRTMAX) + off;
                return n >= SIGRTMIN && n <= SIGRTMAX ? n : -EINVAL;
        }
        return -EINVAL;
}

const char *signal_to_string(int sig)
{
        static const char *names[] = {
                [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",   [SIGKILL] = "SIGKILL",
                [SIGTERM] = "SIGTERM", [SIGUSR1] = "SIGUSR1", [SIGUSR2] = "SIGUSR2",   [SIGSTOP] = "SIGSTOP",
                [SIGCONT] = "SIGCONT", [SIGCHLD] = "SIGCHLD", [SIGWINCH] = "SIGWINCH",
        };
        if (sig > 0 && (size_t)sig < ELEMENTSOF(names))
                return names[sig];
        return NULL;
}

int lowest_free_fd(int from)
{
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), d;

        if (fd < 0)
                return -errno;
        if (fd >= from)
                d = fd; /* everything below it is taken */
        else if ((d = fcntl(fd, F_DUPFD_CLOEXEC, from)) >= 0)
                close(d);
        close(fd);
        return d < 0 ? -errno : d;
}

int close_all_fds(int from, const int *keep, size_t n_keep)
{
        int lo = from;

        /* Close the gaps between the sorted kept fds with close_range(2)
         * (Linux 5.9); fall back to a loop over /proc/self/fd. */
        for (;;) {
                int next = -1;

                for (size_t i = 0; i < n_keep; i++)
                        if (keep[i] >= lo && (next < 0 || keep[i] < next))
                                next = keep[i];
                if (next < 0) {
                        if (syscall(SYS_close_range, lo, ~0U, 0) < 0)
                                goto fallback;
                        return 0;
                }
                if (next > lo && syscall(SYS_close_range, lo, next - 1, 0) < 0)
                        goto fallback;
                lo = next + 1;
        }

fallback:
        for (int fd = from; fd < 65536; fd++) {
                bool k = false;
                for (size_t i = 0; i < n_keep; i++)
                        if (keep[i] == fd)
                                k = true;
                if (!k)
                        close(fd);
        }
        return 0;
}

int pidfd_open_(pid_t pid, unsigned flags)
{
        int fd = (int)syscall(SYS_pidfd_open, pid, flags);
        return fd < 0 ? -errno : fd;
}

int pidfd_send_signal_(int pidfd, int sig)
{
        return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

pid_t clone_fork(unsigned long flags, int cgroup_fd, bool *ret_in_cgroup)
{
        *ret_in_cgroup = false;
        if (cgroup_fd >= 0) {
                /* A CLONE_PARENT child signals the parent's parent as the
                 * caller would: clone3 wants no exit_signal of its own. */
                struct clone_args a = {
                        .flags = (uint64_t)flags | CLONE_INTO_CGROUP,
                        .exit_signal = flags & CLONE_PARENT ? 0 : SIGCHLD,
                        .cgroup = (uint64_t)cgroup_fd,
                };
                pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));

                if (pid >= 0) {
                        *ret_in_cgroup = true;
                        return pid;
                }
        }
        return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}

int send_fd_iov(int sock, int fd, const struct iovec *iov, size_t n_iov)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
        struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n_iov };

        if (fd >= 0) {
                struct cmsghdr *c;

                msg.msg_control = cbuf;
                msg.msg_controllen = sizeof(cbuf);
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        for (;;) {
                if (sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
}

ssize_t recv_fd_iov(int sock, struct iovec *iov, size_t n_iov, int *ret_fd, int *ret_flags)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
        struct msghdr msg = {
                .msg_iov = iov, .msg_iovlen = n_iov, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)
        };
        struct cmsghdr *c;
        ssize_t n;

        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        *ret_fd = -EBADF;
        for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        if (ret_flags)
                *ret_flags = msg.msg_flags;
        return n;
}

int send_fd(int sock, int fd, const void *data, size_t len)
{
        char dummy = 0;
        struct iovec iov = { .iov_base = (void *)(data ? data : &dummy), .iov_len = data ? len : 1 };

        return send_fd_iov(sock, fd, &iov, 1);
}

int recv_fd(int sock, int *ret_fd, void *data, size_t len)
{
        char dummy = 0;
        struct iovec iov = { .iov_base = data ? data : &dummy, .iov_len = data ? len : 1 };
        ssize_t n = recv_fd_iov(sock, &iov, 1, ret_fd, NULL);

        if (n < 0)
                return (int)n;
        if (n == 0) {
                *ret_fd = safe_close(*ret_fd);
                return -ECONNRESET;
        }
        if (*ret_fd < 0)
                return -EBADMSG;
        return (int)n;
}

bool running_in_init_userns(void)
{
        _cleanup_free_ char *map = NULL;

        if (read_one_line("/proc/self/uid_map", &map) < 0)
                return true;
        /* The initial namespace maps the whole range: "0 0 4294967295". */
        return strstr(map, "4294967295") != NULL;
}

size_t strv_env_key_len(const char *e)
{
        const char *eq = strchr(e, '=');

        return eq ? (size_t)(eq - e) : strlen(e);
}

int strv_env_set(char ***env, const char *e)
{
        size_t k = strv_env_key_len(e);

        for (char **p = *env; p && *p; p++)
                if (strv_env_key_len(*p) == k && strncmp(*p, e, k) == 0) {
                        char *d = strdup(e);
                        if (!d)
                                return -ENOMEM;
                        free(*p);
                        *p = d;
                        return 0;
                }
        return strv_push(env, e);
}

const char *self_exe_dir(void)
{
        static char dir[PATH_MAX];
        ssize_t n;
        char *slash;

        if (dir[0])
                return dir;
        n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
        if (n <= 0)
                return NULL;
        dir[n] = 0;
        slash = strrchr(dir, '/');
        if (!slash) {
                dir[0] = 0;
                return NULL;
        }
        *slash = 0;
        return dir;
}
