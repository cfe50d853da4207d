/* src/lib/procfs.c: paths below a procfs of our own, against the real
 * kernel. Tests that change the process for good (mount namespace, pid
 * namespace, uid) run in a forked child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched.h>
#include <sys/mount.h>

#include "lib/procfs.h"
#include "lib/util.h"
#include "../sandbox/child.h"
#include "test-helpers.h"

static void test_self(void **state)
{
        _cleanup_free_ char *stat = NULL, *tstat = NULL, *ostype = NULL, *want = NULL;

        (void)state;
        if (geteuid() != 0)
                skip();
        assert_true(asprintf(&want, "%d (", (int)getpid()) > 0);
        assert_int_equal(procfs_read_line("self/stat", &stat, NULL), 0);
        assert_memory_equal(stat, want, strlen(want));
        assert_int_equal(procfs_read_line("thread-self/stat", &tstat, NULL), 0);
        assert_memory_equal(tstat, want, strlen(want));
        assert_int_equal(procfs_read_line("sys/kernel/ostype", &ostype, NULL), 0);
        assert_string_equal(ostype, "Linux");
        procfs_close();
}

/* Nothing leads out: not "..", not a symlink (/proc/net is one), not a
 * magic link (self/root, self/cwd). */
static void test_no_way_out(void **state)
{
        Error *err = NULL;

        (void)state;
        if (geteuid() != 0)
                skip();
        assert_int_equal(procfs_open("../etc/passwd", O_RDONLY, &err), -EXDEV);
        assert_string_equal(err->msg, "open /proc/../etc/passwd (a mount or a symlink on the way): Invalid "
                                      "cross-device link");
        assert_int_equal(procfs_open("net/dev", O_RDONLY, &err), -ELOOP);
        assert_int_equal(procfs_open("self/root/etc/passwd", O_RDONLY, &err), -ELOOP);
        assert_int_equal(procfs_open("self/cwd", O_RDONLY | O_DIRECTORY, &err), -ELOOP);
        assert_int_equal(procfs_open("self/nonexistent", O_RDONLY, &err), -ENOENT);
        assert_string_equal(err->msg, "open /proc/self/nonexistent: No such file or directory");
        error_free(err);
        procfs_close();
}

/* bind `src` over `dst` in our (private) mount namespace. */
static int bind_over(const char *src, const char *dst)
{
        return mount(src, dst, NULL, MS_BIND, NULL);
}

/* Decoys bound over /proc files are neither read nor written: the private
 * procfs has nothing mounted in it. Then, without CAP_SYS_ADMIN (no procfs
 * of our own), /proc is used, and a path that crosses a mount is refused. */
static int child_decoys(void *arg, char *msg, size_t size)
{
        const char *dir = arg;
        _cleanup_free_ char *decoy = NULL, *v = NULL, *d = NULL;
        Error *err = NULL;
        int fd;

        if (asprintf(&decoy, "%s/decoy", dir) < 0 || test_write(dir, "decoy", "decoy\n") < 0)
                return child_fail(msg, size, "decoy: %m");
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return child_fail(msg, size, "private mount namespace: %m");
        if (bind_over(decoy, "/proc/sys/kernel/ostype") < 0 || bind_over(decoy, "/proc/self/oom_score_adj") < 0)
                return child_fail(msg, size, "bind decoys: %m");

        if (procfs_read_line("sys/kernel/ostype", &v, &err) < 0)
                return child_fail(msg, size, "read ostype: %s", err->msg);
        if (strcmp(v, "Linux") != 0)
                return child_fail(msg, size, "ostype read \"%s\"", v);
        if (procfs_write("self/oom_score_adj", "7", &err) < 0)
                return child_fail(msg, size, "write oom_score_adj: %s", err->msg);
        free(v);
        v = NULL;
        if (procfs_read_line("self/oom_score_adj", &v, &err) < 0 || strcmp(v, "7") != 0)
                return child_fail(msg, size, "oom_score_adj is %s", v ? v : err->msg);
        if (read_one_line(decoy, &d) < 0 || strcmp(d, "decoy") != 0)
                return child_fail(msg, size, "the decoy was written: %s", d ? d : "?");

        procfs_close();
        if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                return child_fail(msg, size, "drop privileges: %m");
        fd = procfs_open("sys/kernel/ostype", O_RDONLY, &err);
        if (fd != -EXDEV)
                return child_fail(msg, size, "through /proc: %d (%s)", fd, err ? err->msg : "no error");
        if (strcmp(err->msg, "open /proc/sys/kernel/ostype (a mount or a symlink on the way): Invalid cross-device "
                             "link") != 0)
                return child_fail(msg, size, "message: %s", err->msg);
        free(v);
        v = NULL;
        if (procfs_read_line("sys/kernel/osrelease", &v, &err) < 0)
                return child_fail(msg, size, "through /proc, no decoy: %s", err->msg);
        error_free(err);
        return 0;
}

static void test_decoys(void **state)
{
        _cleanup_free_ char *dir = test_mkdtemp();

        (void)state;
        if (geteuid() != 0)
                skip();
        assert_non_null(dir);
        assert_int_equal(chmod(dir, 0755), 0);
        assert_child_ok(child_decoys, dir);
        test_rm_rf(dir);
}

/* A child in a new pid namespace does not use its parent's procfs, even
 * when the number of the parent's fd is taken by something else: it makes
 * its own, which shows it as pid 1. */
static int grandchild_pidns(void *arg, char *msg, size_t size)
{
        _cleanup_free_ char *stat = NULL;
        Error *err = NULL;
        int fd;

        (void)arg;
        close_all_fds(3, NULL, 0);
        fd = open("/", O_PATH | O_CLOEXEC);
        if (fd < 0)
                return child_fail(msg, size, "open /: %m");
        if (procfs_read_line("self/stat", &stat, &err) < 0)
                return child_fail(msg, size, "%s", err->msg);
        if (strncmp(stat, "1 (", 3) != 0)
                return child_fail(msg, size, "self/stat: %.40s", stat);
        return 0;
}

static int child_pidns(void *arg, char *msg, size_t size)
{
        char m[1024];
        int st;

        (void)arg;
        if (procfs_prepare(NULL) < 0)
                return child_fail(msg, size, "procfs_prepare");
        if (unshare(CLONE_NEWPID) < 0)
                return child_fail(msg, size, "unshare pid namespace: %m");
        st = run_child(grandchild_pidns, NULL, m, sizeof(m));
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                return child_fail(msg, size, "in the new pid namespace: %s", m);
        return 0;
}

static void test_pidns(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        assert_child_ok(child_pidns, NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_self),
                cmocka_unit_test(test_no_way_out),
                cmocka_unit_test(test_decoys),
                cmocka_unit_test(test_pidns),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
