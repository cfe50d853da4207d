/* linux.seccomp: validation in-process, filters loaded in forked children. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <linux/seccomp.h>
#include <seccomp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "lib/util.h"
#include "oci/profile.h"
#include "sandbox/seccomp.h"
#include "child.h"

/* ---- building specs by hand ---- */

static char *names_getcwd[] = { "getcwd", NULL };
static char *names_getppid[] = { "getppid", NULL };

static SpecSeccomp one_rule(const char *def, SpecSeccompSyscall *sc)
{
        return (SpecSeccomp){ .default_action = (char *)def, .syscalls = sc, .n_syscalls = sc ? 1 : 0 };
}

/* Validation error message of s, or NULL (caller frees the Error). */
static void assert_invalid(const SpecSeccomp *s, const char *want)
{
        Error *err = NULL;

        assert_int_equal(seccomp_validate(s, &err), -EINVAL);
        assert_non_null(err);
        assert_string_equal(err->msg, want);
        error_free(err);
}

/* ---- validation ---- */

static void test_validate(void **state)
{
        SpecSeccompArg bad_op = { .index = 0, .value = 1, .op = "SCMP_CMP_XX" };
        SpecSeccompArg bad_index = { .index = 6, .value = 1, .op = "SCMP_CMP_EQ" };
        SpecSeccompSyscall sc = { .names = names_getcwd, .n_names = 1, .action = "SCMP_ACT_ERRNO" };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);
        char *archs[] = { "SCMP_ARCH_X86_64",   "SCMP_ARCH_X86",
                          "SCMP_ARCH_X32",      "SCMP_ARCH_AARCH64",
                          "SCMP_ARCH_RISCV64",  "SCMP_ARCH_MIPSEL64N32",
                          "SCMP_ARCH_PARISC64", "SCMP_ARCH_S390X",
                          "SCMP_ARCH_PPC64LE",  NULL };
        char *bad_archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_FOO", NULL };
        char *flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                          NULL };
        char *bad_flags[] = { "SECCOMP_FILTER_FLAG_FOO", NULL };
        char *write_name[] = { "read", "write", NULL };

        (void)state;
        assert_int_equal(seccomp_validate(&s, NULL), 0);
        assert_int_equal(seccomp_validate(NULL, NULL), 0);
        s.architectures = archs;
        s.flags = flags;
        assert_int_equal(seccomp_validate(&s, NULL), 0);

        s.default_action = "SCMP_ACT_FOO";
        assert_invalid(&s, "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
        s.default_action = "SCMP_ACT_ALLOW";

        sc.action = "SCMP_ACT_FOO";
        assert_invalid(&s, "linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_FOO\"");
        sc.action = "SCMP_ACT_ERRNO";

        sc.args = &bad_op;
        sc.n_args = 1;
        assert_invalid(&s, "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_XX\"");
        sc.args = &bad_index;
        assert_invalid(&s, "linux.seccomp.syscalls[0].args[0].index 6 is out of range [0, 5]");
        sc.args = NULL;
        sc.n_args = 0;

        s.architectures = bad_archs;
        assert_invalid(&s, "linux.seccomp.architectures: unknown architecture \"SCMP_ARCH_FOO\"");
        s.architectures = NULL;

        s.flags = bad_flags;
        assert_invalid(&s, "linux.seccomp.flags: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");
        s.flags = NULL;

        /* errnoRet only with ERRNO and TRACE. */
        sc.action = "SCMP_ACT_KILL";
        sc.has_errno_ret = true;
        sc.errno_ret = 5;
        assert_invalid(&s, "linux.seccomp.syscalls[0].errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
                           "not SCMP_ACT_KILL");
        sc.action = "SCMP_ACT_TRACE";
        assert_int_equal(seccomp_validate(&s, NULL), 0);
        sc.has_errno_ret = false;
        s.has_default_errno_ret = true;
        s.default_errno_ret = 1;
        assert_invalid(&s, "linux.seccomp.defaultErrnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
                           "SCMP_ACT_ALLOW");
        s.has_default_errno_ret = false;

        /* NOTIFY: needs listenerPath, never the default, never write. */
        sc.action = "SCMP_ACT_NOTIFY";
        assert_true(seccomp_uses_notify(&s));
        assert_invalid(&s, "linux.seccomp.listenerPath must be set when SCMP_ACT_NOTIFY is used");
        s.listener_path = "/run/agent.sock";
        assert_int_equal(seccomp_validate(&s, NULL), 0);
        sc.names = write_name;
        assert_invalid(&s, "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for the write syscall");
        sc.names = names_getcwd;
        s.default_action = "SCMP_ACT_NOTIFY";
        assert_invalid(&s, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
        s.default_action = "SCMP_ACT_ALLOW";
        sc.action = "SCMP_ACT_ERRNO";
        assert_false(seccomp_uses_notify(&s));
        assert_false(seccomp_uses_notify(NULL));
}

static void test_wait_killable_flag(void **state)
{
        char *flags[] = { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
        SpecSeccomp s = { .default_action = "SCMP_ACT_ALLOW", .flags = flags };
        Error *err = NULL;
        int r;

        (void)state;
        r = seccomp_validate(&s, &err);
        if (r == 0)
                skip(); /* a libseccomp >= 2.6 supports it */
        assert_int_equal(r, -EOPNOTSUPP);
        assert_non_null(
                strstr(err->msg, "flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV not supported by this libseccomp"));
        error_free(err);
}

/* ---- loading, in children ---- */

static int load(const SpecSeccomp *s, int *fd, char *msg, size_t size)
{
        Error *err = NULL;
        int dummy;

        if (seccomp_spec_load(s, fd ? fd : &dummy, &err) < 0)
                return child_fail(msg, size, "seccomp_spec_load: %s", err->msg);
        if (!fd && dummy != -EBADF)
                return child_fail(msg, size, "notify fd %d without NOTIFY", dummy);
        return 0;
}

static int child_errno(void *arg, char *msg, size_t size)
{
        SpecSeccompSyscall sc = {
                .names = names_getcwd, .n_names = 1, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = 38
        };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);
        char buf[256];

        (void)arg;
        if (load(&s, NULL, msg, size))
                return 1;
        errno = 0;
        if (syscall(SYS_getcwd, buf, sizeof(buf)) >= 0 || errno != 38)
                return child_fail(msg, size, "getcwd: errno %d, want 38", errno);
        if (getpid() <= 0)
                return child_fail(msg, size, "getpid");
        return 0;
}

static void test_errno(void **state)
{
        (void)state;
        assert_child_ok(child_errno, NULL);
}

/* Without errnoRet: EPERM. A name unknown to libseccomp is skipped. */
static int child_errno_default(void *arg, char *msg, size_t size)
{
        char *names[] = { "no_such_syscall_husk", "getcwd", NULL };
        SpecSeccompSyscall sc[] = {
                { .names = names, .n_names = 2, .action = "SCMP_ACT_ERRNO" },
                /* same as the default: skipped, libseccomp would refuse it */
                { .names = names_getppid, .n_names = 1, .action = "SCMP_ACT_ALLOW" },
        };
        SpecSeccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 2 };
        char buf[256];

        (void)arg;
        if (load(&s, NULL, msg, size))
                return 1;
        errno = 0;
        if (syscall(SYS_getcwd, buf, sizeof(buf)) >= 0 || errno != EPERM)
                return child_fail(msg, size, "getcwd: errno %d, want EPERM", errno);
        return 0;
}

static void test_errno_default(void **state)
{
        (void)state;
        assert_child_ok(child_errno_default, NULL);
}

static int child_arg_condition(void *arg, char *msg, size_t size)
{
        char *names[] = { "personality", NULL };
        SpecSeccompArg a = { .index = 0, .value = 0xffffffff, .op = "SCMP_CMP_EQ" };
        SpecSeccompSyscall sc = { .names = names, .n_names = 1, .action = "SCMP_ACT_ERRNO", .args = &a, .n_args = 1 };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);

        (void)arg;
        if (load(&s, NULL, msg, size))
                return 1;
        errno = 0;
        if (personality(0xffffffff) != -1 || errno != EPERM)
                return child_fail(msg, size, "personality(0xffffffff): errno %d, want EPERM", errno);
        if (personality(PER_LINUX) < 0)
                return child_fail(msg, size, "personality(PER_LINUX): %m");
        return 0;
}

static void test_arg_condition(void **state)
{
        (void)state;
        assert_child_ok(child_arg_condition, NULL);
}

/* Two conditions on one argument: libseccomp refuses them in one rule; like
 * runc, each becomes its own rule. */
static int child_same_index(void *arg, char *msg, size_t size)
{
        char *names[] = { "getpgid", NULL };
        SpecSeccompArg a[] = {
                { .index = 0, .value = 11111, .op = "SCMP_CMP_EQ" },
                { .index = 0, .value = 22222, .op = "SCMP_CMP_EQ" },
        };
        SpecSeccompSyscall sc = { .names = names,
                                  .n_names = 1,
                                  .action = "SCMP_ACT_ERRNO",
                                  .has_errno_ret = true,
                                  .errno_ret = ENOMSG,
                                  .args = a,
                                  .n_args = 2 };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);

        (void)arg;
        if (load(&s, NULL, msg, size))
                return 1;
        errno = 0;
        if (getpgid(11111) != -1 || errno != ENOMSG)
                return child_fail(msg, size, "getpgid(11111): errno %d", errno);
        errno = 0;
        if (getpgid(22222) != -1 || errno != ENOMSG)
                return child_fail(msg, size, "getpgid(22222): errno %d", errno);
        if (getpgid(0) < 0)
                return child_fail(msg, size, "getpgid(0): %m");
        return 0;
}

static void test_same_index(void **state)
{
        (void)state;
        assert_child_ok(child_same_index, NULL);
}

/* MASKED_EQ: value is the mask, valueTwo the datum. */
static int child_masked(void *arg, char *msg, size_t size)
{
        char *names[] = { "getpgid", NULL };
        SpecSeccompArg a = { .index = 0, .value = 0xff00, .value_two = 0x1200, .op = "SCMP_CMP_MASKED_EQ" };
        SpecSeccompSyscall sc = { .names = names,
                                  .n_names = 1,
                                  .action = "SCMP_ACT_ERRNO",
                                  .has_errno_ret = true,
                                  .errno_ret = ENOMSG,
                                  .args = &a,
                                  .n_args = 1 };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);

        (void)arg;
        if (load(&s, NULL, msg, size))
                return 1;
        errno = 0;
        if (getpgid(0x1234) != -1 || errno != ENOMSG)
                return child_fail(msg, size, "getpgid(0x1234): errno %d", errno);
        errno = 0;
        if (getpgid(0x3434) != -1 || errno != ESRCH)
                return child_fail(msg, size, "getpgid(0x3434): errno %d, want ESRCH", errno);
        return 0;
}

static void test_masked(void **state)
{
        (void)state;
        assert_child_ok(child_masked, NULL);
}

static int child_action(void *arg, char *msg, size_t size)
{
        SpecSeccompSyscall sc = { .names = names_getppid, .n_names = 1, .action = arg };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);

        if (load(&s, NULL, msg, size))
                return 1;
        errno = 0;
        if (syscall(SYS_getppid) < 0)
                return child_fail(msg, size, "getppid: errno %d", errno);
        return 0;
}

static void test_kill(void **state)
{
        const char *actions[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP" };
        char m[1024];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(actions); i++) {
                int st = run_child(child_action, (void *)actions[i], m, sizeof(m));
                if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
                        fail_msg("%s: status %#x, want SIGSYS: %s", actions[i], st, m);
        }
}

/* TRACE without a tracer: the kernel fails the syscall with ENOSYS. LOG
 * allows. */
static int child_trace_log(void *arg, char *msg, size_t size)
{
        char *names_getpgrp[] = { "getpgrp", NULL };
        SpecSeccompSyscall sc[] = {
                { .names = names_getppid, .n_names = 1, .action = "SCMP_ACT_TRACE" },
                { .names = names_getpgrp, .n_names = 1, .action = "SCMP_ACT_LOG" },
        };
        SpecSeccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 2 };

        (void)arg;
        if (load(&s, NULL, msg, size))
                return 1;
        errno = 0;
        if (syscall(SYS_getppid) != -1 || errno != ENOSYS)
                return child_fail(msg, size, "getppid under TRACE: errno %d, want ENOSYS", errno);
        if (syscall(SYS_getpgrp) < 0)
                return child_fail(msg, size, "getpgrp under LOG: %m");
        return 0;
}

static void test_trace_log(void **state)
{
        (void)state;
        assert_child_ok(child_trace_log, NULL);
}

/* Default ERRNO with defaultErrnoRet, extra architectures and flags. */
static int child_default_errno(void *arg, char *msg, size_t size)
{
        /* sigaltstack: under ASan, _exit() (noreturn) checks the signal
         * stack first and aborts when the call fails. */
        char *allow[] = { "exit",         "exit_group", "write", "read",   "close",       "getpid",
                          "rt_sigreturn", "brk",        "mmap",  "munmap", "sigaltstack", NULL };
        char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", NULL };
        char *flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                          NULL };
        SpecSeccompSyscall sc = { .names = allow, .n_names = 11, .action = "SCMP_ACT_ALLOW" };
        SpecSeccomp s = { .default_action = "SCMP_ACT_ERRNO",
                          .has_default_errno_ret = true,
                          .default_errno_ret = EXDEV,
                          .architectures = archs,
                          .flags = flags,
                          .syscalls = &sc,
                          .n_syscalls = 1 };

        (void)arg;
        if (load(&s, NULL, msg, size))
                return 1;
        errno = 0;
        if (syscall(SYS_getppid) != -1 || errno != EXDEV)
                return child_fail(msg, size, "getppid: errno %d, want EXDEV", errno);
        if (syscall(SYS_getpid) <= 0)
                return child_fail(msg, size, "getpid: %m");
        return 0;
}

static void test_default_errno(void **state)
{
        (void)state;
        assert_child_ok(child_default_errno, NULL);
}

/* Without no_new_privs a filter needs CAP_SYS_ADMIN: libseccomp's own NNP
 * attribute must not paper over that. */
static int child_needs_nnp(void *arg, char *msg, size_t size)
{
        SpecSeccompSyscall sc = { .names = names_getcwd, .n_names = 1, .action = "SCMP_ACT_ERRNO" };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);
        Error *err = NULL;
        int fd, r;

        (void)arg;
        if (setresgid(1000, 1000, 1000) < 0 || setresuid(1000, 1000, 1000) < 0)
                return child_fail(msg, size, "setresuid: %m");
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
                return child_fail(msg, size, "no_new_privs already set");
        r = seccomp_spec_load(&s, &fd, &err);
        if (r != -EACCES || !err)
                return child_fail(msg, size, "load without NNP returned %d", r);
        if (strcmp(err->msg, "seccomp: load filter: Permission denied (needs no_new_privs or CAP_SYS_ADMIN)") != 0)
                return child_fail(msg, size, "message: %s", err->msg);
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
                return child_fail(msg, size, "seccomp_spec_load set no_new_privs");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return child_fail(msg, size, "set NNP: %m");
        return load(&s, NULL, msg, size);
}

static void test_needs_nnp(void **state)
{
        (void)state;
        assert_child_ok(child_needs_nnp, NULL);
}

/* ---- NOTIFY, with a real listener ---- */

typedef struct NotifyArgs {
        char path[108];
} NotifyArgs;

static int child_notify(void *arg, char *msg, size_t size)
{
        NotifyArgs *na = arg;
        SpecSeccompSyscall sc = { .names = names_getppid, .n_names = 1, .action = "SCMP_ACT_NOTIFY" };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);
        Error *err = NULL;
        int fd = -1, fl;
        long v;

        s.listener_path = na->path;
        if (load(&s, &fd, msg, size))
                return 1;
        if (fd <= 0)
                return child_fail(msg, size, "notify fd %d", fd);
        fl = fcntl(fd, F_GETFD);
        if (fl < 0 || !(fl & FD_CLOEXEC))
                return child_fail(msg, size, "notify fd %d not CLOEXEC", fd);
        if (seccomp_send_listener(na->path, fd, "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":1}", &err) <
            0)
                return child_fail(msg, size, "%s", err->msg);
        close(fd);
        /* The listener answers 4242 for us. */
        v = syscall(SYS_getppid);
        if (v != 4242)
                return child_fail(msg, size, "getppid returned %ld, want 4242 from the listener", v);
        return 0;
}

static void test_notify(void **state)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        char dir[] = "/tmp/husk-test-seccomp-XXXXXX";
        char data[4096] = "", cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;
        struct pollfd pfd;
        NotifyArgs na;
        int lsock, conn, nfd = -1, p[2], status;
        pid_t pid;
        ssize_t n;

        (void)state;
        assert_non_null(mkdtemp(dir));
        snprintf(na.path, sizeof(na.path), "%s/agent.sock", dir);
        memcpy(addr.sun_path, na.path, strlen(na.path) + 1);
        lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(lsock >= 0);
        assert_int_equal(bind(lsock, (struct sockaddr *)&addr, sizeof(addr)), 0);
        assert_int_equal(listen(lsock, 1), 0);

        /* run_child() waits for the child: fork by hand so that this process
         * can play the agent meanwhile. */
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char m[1024] = "";
                int r;

                child_reset_signals();
                r = child_notify(&na, m, sizeof(m));
                if (r && write(p[1], m, strlen(m)) < 0)
                        _exit(3);
                _exit(r ? 1 : 0);
        }
        close(p[1]);

        pfd = (struct pollfd){ .fd = lsock, .events = POLLIN };
        if (poll(&pfd, 1, 10000) != 1) {
                kill(pid, SIGKILL);
                fail_msg("no connection from the container");
        }
        conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
        assert_true(conn >= 0);
        n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
        assert_true(n > 0);
        data[n] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&nfd, CMSG_DATA(c), sizeof(int));
        assert_true(nfd >= 0);
        assert_string_equal(data, "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":1}");

        pfd = (struct pollfd){ .fd = nfd, .events = POLLIN };
        if (poll(&pfd, 1, 10000) != 1) {
                kill(pid, SIGKILL);
                fail_msg("no notification");
        }
        memset(&req, 0, sizeof(req));
        assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
        assert_int_equal(req.data.nr, SYS_getppid);
        assert_int_equal(req.pid, pid);
        resp = (struct seccomp_notif_resp){ .id = req.id, .val = 4242, .error = 0, .flags = 0 };
        assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);

        n = read(p[0], data, sizeof(data) - 1);
        data[n > 0 ? n : 0] = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("child: status %#x: %s", status, data);

        close(nfd);
        close(conn);
        close(lsock);
        close(p[0]);
        unlink(na.path);
        rmdir(dir);
}

/* NOTIFY rules that name only syscalls this architecture lacks: no listener,
 * no fd, nothing waits. */
static int child_notify_unknown(void *arg, char *msg, size_t size)
{
        char *names[] = { "no_such_syscall_husk", NULL };
        SpecSeccompSyscall sc = { .names = names, .n_names = 1, .action = "SCMP_ACT_NOTIFY" };
        SpecSeccomp s = one_rule("SCMP_ACT_ALLOW", &sc);
        int fd = 0;

        (void)arg;
        s.listener_path = "/run/agent.sock";
        if (load(&s, &fd, msg, size))
                return 1;
        if (fd != -EBADF)
                return child_fail(msg, size, "notify fd %d, want -EBADF", fd);
        return 0;
}

static void test_notify_unknown(void **state)
{
        (void)state;
        assert_child_ok(child_notify_unknown, NULL);
}

static void test_send_listener_errors(void **state)
{
        char longpath[200];
        Error *err = NULL;

        (void)state;
        assert_int_equal(seccomp_send_listener("/nonexistent/husk/agent.sock", 0, "{}", &err), -ENOENT);
        assert_string_equal(err->msg,
                            "connect to seccomp listener /nonexistent/husk/agent.sock: No such file or directory");
        memset(longpath, 'a', sizeof(longpath) - 1);
        longpath[0] = '/';
        longpath[sizeof(longpath) - 1] = 0;
        assert_int_equal(seccomp_send_listener(longpath, 0, "{}", &err), -ENAMETOOLONG);
        error_free(err);
}

/* ---- the engine's default profile (src/oci/profile.c) ---- */

/* Probes only syscalls that are harmless if the filter let them through:
 * they run in a forked child that first moves into a private mount
 * namespace, mount and pivot_root aim at a path that does not exist, and
 * what could harm the machine (reboot, kexec, modules, swap, clocks,
 * accounting) is never called: test-profile.c checks that no rule opens it. */
#define NOWHERE "/nonexistent-husk-seccomp-probe"

static int blocked(long r, const char *what, char *msg, size_t size)
{
        if (r != -1 || errno != EPERM)
                return child_fail(msg, size, "%s: returned %ld errno %d, want EPERM", what, r, errno);
        return 0;
}

/* Let through by the filter: anything but EPERM (the kernel's own answer). */
static int passed(long r, const char *what, char *msg, size_t size)
{
        if (r == -1 && errno == EPERM)
                return child_fail(msg, size, "%s: EPERM, want it let through", what);
        return 0;
}

/* clone(flags) that reaps what it made, should it make something. */
static long clone_probe(unsigned long flags)
{
        long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
        int saved = errno;

        if (r == 0)
                _exit(0);
        if (r > 0)
                (void)waitpid((pid_t)r, NULL, 0);
        errno = saved;
        return r;
}

static int private_mount_ns(char *msg, size_t size)
{
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return child_fail(msg, size, "private mount namespace: %m");
        return 0;
}

static int load_profile(const char *const *caps, char *msg, size_t size)
{
        SpecSeccomp s;
        Error *err = NULL;
        int r;

        if (profile_seccomp(caps, NULL, &s, &err) < 0)
                return child_fail(msg, size, "profile_seccomp: %s", err->msg);
        r = load(&s, NULL, msg, size);
        spec_seccomp_clear(&s);
        return r;
}

static int child_default_profile(void *arg, char *msg, size_t size)
{
        char buf[16];
        int p[2], st;
        pid_t pid;

        (void)arg;
        if (private_mount_ns(msg, size) || load_profile(profile_default_caps, msg, size))
                return 1;

        /* Allowed. */
        if (getpid() <= 0 || syscall(SYS_getpid) <= 0)
                return child_fail(msg, size, "getpid: %m");
        if (pipe(p) < 0 || write(p[1], "ok", 2) != 2 || read(p[0], buf, sizeof(buf)) != 2)
                return child_fail(msg, size, "pipe/read/write: %m");
        if (personality(0xffffffff) < 0 || personality(PER_LINUX) < 0)
                return child_fail(msg, size, "personality query: %m");
        /* fork(): clone without namespace flags (and clone3 answers ENOSYS
         * when libc tries it first). */
        pid = fork();
        if (pid < 0)
                return child_fail(msg, size, "fork: %m");
        if (pid == 0)
                _exit(7);
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
                return child_fail(msg, size, "fork child status %#x", st);
        errno = 0;
        if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
                return child_fail(msg, size, "clone3: errno %d, want ENOSYS", errno);
        int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (sfd < 0)
                return child_fail(msg, size, "socket(AF_UNIX): %m");
        close(sfd);
        /* Docker's defaults include CAP_SYS_CHROOT. */
        if (chroot("/") < 0)
                return child_fail(msg, size, "chroot(\"/\"): %m");
#ifdef __x86_64__
        /* The x86 rule: arch_prctl(ARCH_GET_FS). */
        unsigned long fs;
        if (syscall(SYS_arch_prctl, 0x1003, &fs) < 0)
                return child_fail(msg, size, "arch_prctl(ARCH_GET_FS): %m");
#endif

        /* Blocked with EPERM. */
        errno = 0;
        if (blocked(unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)", msg, size) ||
            blocked(unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)", msg, size) ||
            blocked(clone_probe(CLONE_NEWUSER), "clone(CLONE_NEWUSER)", msg, size) ||
            blocked(mount("none", NOWHERE, "tmpfs", 0, NULL), "mount", msg, size) ||
            blocked(umount2(NOWHERE, MNT_DETACH), "umount2", msg, size) ||
            blocked(syscall(SYS_pivot_root, NOWHERE, NOWHERE), "pivot_root", msg, size) ||
            blocked(syscall(SYS_keyctl, 0, 0, 0, 0, 0), "keyctl", msg, size) ||
            blocked(syscall(SYS_add_key, "user", "x", "y", 1, 0), "add_key", msg, size) ||
            blocked(syscall(SYS_setns, 0, 0), "setns", msg, size) ||
            blocked(syscall(SYS_bpf, 0, NULL, 0), "bpf", msg, size) ||
            blocked(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), "perf_event_open", msg, size) ||
            blocked(syscall(SYS_userfaultfd, 0), "userfaultfd", msg, size) ||
            blocked(syscall(SYS_syslog, 3, NULL, 0), "syslog", msg, size) ||
            blocked(syscall(SYS_open_by_handle_at, -1, NULL, 0), "open_by_handle_at", msg, size) ||
            blocked(syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0), "kcmp", msg, size) ||
            blocked(personality(0x0040000), "personality(ADDR_NO_RANDOMIZE)", msg, size) ||
            blocked(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0), "socket(AF_VSOCK)", msg, size) ||
            blocked(syscall(SYS_io_uring_setup, 1, NULL), "io_uring_setup", msg, size))
                return 1;
        return 0;
}

static void test_default_profile(void **state)
{
        (void)state;
        assert_child_ok(child_default_profile, NULL);
}

/* The same probes with CAP_SYS_ADMIN in the set: its syscalls reach the
 * kernel (which answers ENOENT for the missing path), the rest stay
 * blocked. This process has every capability, so an EPERM can only be the
 * filter's. */
static int child_sys_admin_profile(void *arg, char *msg, size_t size)
{
        const char *caps[32] = { 0 };
        size_t n = 0;

        (void)arg;
        for (; n < ELEMENTSOF(caps) - 2 && profile_default_caps[n]; n++)
                caps[n] = profile_default_caps[n];
        caps[n] = "CAP_SYS_ADMIN";
        if (private_mount_ns(msg, size) || load_profile(caps, msg, size))
                return 1;

        if (passed(unshare(CLONE_NEWUTS), "unshare(CLONE_NEWUTS)", msg, size) ||
            passed(unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)", msg, size) ||
            passed(mount("none", NOWHERE, "tmpfs", 0, NULL), "mount", msg, size) ||
            passed(umount2(NOWHERE, MNT_DETACH), "umount2", msg, size) ||
            passed(syscall(SYS_pivot_root, NOWHERE, NOWHERE), "pivot_root", msg, size) ||
            passed(syscall(SYS_setns, 0, 0), "setns", msg, size) ||
            passed(clone_probe(CLONE_NEWUTS), "clone(CLONE_NEWUTS)", msg, size))
                return 1;
        /* Not CAP_SYS_ADMIN's: still blocked. */
        if (blocked(syscall(SYS_keyctl, 0, 0, 0, 0, 0), "keyctl", msg, size) ||
            blocked(syscall(SYS_open_by_handle_at, -1, NULL, 0), "open_by_handle_at", msg, size) ||
            blocked(syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0), "kcmp", msg, size))
                return 1;
        return 0;
}

static void test_sys_admin_profile(void **state)
{
        (void)state;
        assert_child_ok(child_sys_admin_profile, NULL);
}

/* With no capabilities at all even chroot is blocked. */
static int child_no_caps_profile(void *arg, char *msg, size_t size)
{
        static const char *const none[] = { NULL };

        (void)arg;
        if (load_profile(none, msg, size))
                return 1;
        return blocked(chroot("/"), "chroot", msg, size);
}

static void test_no_caps_profile(void **state)
{
        (void)state;
        assert_child_ok(child_no_caps_profile, NULL);
}

/* Every name in every rule, rendered for every capability and each family
 * of architectures, is a syscall libseccomp knows: a typo would silently
 * leave a syscall blocked. */
static void test_profile_names(void **state)
{
        static const char *const none[] = { NULL };
        static const char *const x86[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
        static const char *const arm[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
        static const char *const s390[] = { "SCMP_ARCH_S390X", "SCMP_ARCH_S390", NULL };
        static const char *const ppc[] = { "SCMP_ARCH_PPC64LE", NULL };
        static const char *const riscv[] = { "SCMP_ARCH_RISCV64", NULL };
        /* Newer than the libseccomp of Debian 12 (2.5.4). */
        static const char *const too_new[] = { "riscv_hwprobe", NULL };
        const char *const *arches[] = { x86, arm, s390, ppc, riscv };
        const char *const *caps[] = { none, spec_capabilities };

        (void)state;
        for (size_t a = 0; a < ELEMENTSOF(arches); a++)
                for (size_t c = 0; c < ELEMENTSOF(caps); c++) {
                        SpecSeccomp s;
                        Error *err = NULL;

                        if (profile_seccomp(caps[c], arches[a], &s, &err) < 0)
                                fail_msg("%s", err->msg);
                        if (seccomp_validate(&s, &err) < 0)
                                fail_msg("%s", err->msg);
                        for (size_t i = 0; i < s.n_syscalls; i++)
                                for (size_t j = 0; s.syscalls[i].names[j]; j++) {
                                        const char *name = s.syscalls[i].names[j];
                                        if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR &&
                                            !strv_contains((char **)too_new, name))
                                                fail_msg("syscalls[%zu]: \"%s\" is no syscall libseccomp knows", i,
                                                         name);
                                }
                        spec_seccomp_clear(&s);
                }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_validate),        cmocka_unit_test(test_wait_killable_flag),
                cmocka_unit_test(test_errno),           cmocka_unit_test(test_errno_default),
                cmocka_unit_test(test_arg_condition),   cmocka_unit_test(test_same_index),
                cmocka_unit_test(test_masked),          cmocka_unit_test(test_kill),
                cmocka_unit_test(test_trace_log),       cmocka_unit_test(test_default_errno),
                cmocka_unit_test(test_needs_nnp),       cmocka_unit_test(test_notify),
                cmocka_unit_test(test_notify_unknown),  cmocka_unit_test(test_send_listener_errors),
                cmocka_unit_test(test_default_profile), cmocka_unit_test(test_sys_admin_profile),
                cmocka_unit_test(test_no_caps_profile), cmocka_unit_test(test_profile_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
