/* `exec`: a new process in a running container.
 *
 * The runtime forks a helper that joins the container's namespaces (user
 * first: joining it is what gives us rights over the others), chroots into
 * the init's root (so --no-pivot containers work too), and forks the process
 * itself with CLONE_PARENT so that it lands in the pid namespace and is our
 * child. The process starts in the container's cgroup: the helper joins
 * the v1 hierarchies itself (writing 0 to their `tasks` files) and clones
 * the process straight into the cgroup2 directory (CLONE_INTO_CGROUP). A
 * pid written to cgroup.procs by another process takes the kernel's
 * global threadgroup lock, whose RCU waits cost 10-20 ms now and then
 * (see create.c). */
#include "runtime/runtime.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "lib/procfs.h"
#include "lib/util.h"
#include "runtime/console.h"
#include "runtime/statedir.h"
#include "sandbox/exe.h"
#include "sandbox/init.h"
#include "sandbox/lsm.h"
#include "sandbox/process.h"
#include "sandbox/sync.h"

static const char *const ns_order[] = { "user", "ipc", "uts", "net", "pid", "cgroup", "time", "mnt" };
static const int ns_flags[] = { CLONE_NEWUSER,
                                CLONE_NEWIPC,
                                CLONE_NEWUTS,
                                CLONE_NEWNET,
                                CLONE_NEWPID,
                                CLONE_NEWCGROUP,
                                0x80 /* CLONE_NEWTIME */,
                                CLONE_NEWNS };

static bool same_ns(pid_t pid, const char *name)
{
        char a[64], b[64];
        struct stat sa, sb;

        snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)pid, name);
        snprintf(b, sizeof(b), "/proc/self/ns/%s", name);
        if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
                return true; /* namespace type unsupported: nothing to join */
        return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/* The container's cgroup, for the helper to place the process in. */
typedef struct ExecCgroup {
        char **tasks; /* v1 `tasks` files (host paths) */
        int v2_dir;   /* the cgroup2 directory, or -1 */
        bool rootless;
} ExecCgroup;

/* Join the v1 hierarchies through fds opened before the namespaces were
 * joined (the paths are the host's), and clone the process into the
 * cgroup2 directory. Where the kernel refuses that clone, the child moves
 * itself with its cgroup.procs. Returns the child's pid (0 in the child)
 * or -errno. */
static pid_t clone_into_cgroup(const ExecCgroup *cg, const int *tasks_fds, size_t n_tasks, int v2_procs,
                               Error **ret_err)
{
        bool in_cgroup;
        pid_t pid;

        for (size_t i = 0; i < n_tasks; i++) {
                if (tasks_fds[i] < 0 || write(tasks_fds[i], "0", 1) == 1)
                        continue;
                if (cg->rootless && (errno == EACCES || errno == EPERM))
                        continue;
                return error_set(ret_err, errno, "join cgroup %s", cg->tasks[i]);
        }
        pid = clone_fork(CLONE_PARENT, cg->v2_dir, &in_cgroup);
        if (pid != 0 || in_cgroup || v2_procs < 0)
                return pid < 0 ? error_set(ret_err, errno, "clone") : pid;
        /* The child, where the kernel refused to clone into the cgroup. */
        if (write(v2_procs, "0", 1) != 1 && !(cg->rootless && (errno == EACCES || errno == EPERM)))
                return error_set(ret_err, errno, "join the cgroup2 directory");
        return 0;
}

_noreturn_ static void exec_helper(pid_t init, const Spec *spec, const SeccompProgram *seccomp, const ExecOpts *e,
                                   const ExecCgroup *cg, bool hide_exe, int sync_fd)
{
        _cleanup_error_ Error *err = NULL;
        int fds[ELEMENTSOF(ns_order)], tasks_fds[64];
        _cleanup_close_ int root = -EBADF, v2_procs = -EBADF;
        char path[64];
        size_t n_tasks = 0;
        pid_t child;

        /* Before we join the container's pid namespace. */
        if (hide_exe)
                sandbox_hide_runtime_exe();
        {
                int keep[2] = { sync_fd, cg->v2_dir };
                close_all_fds(3 + (e->preserve_fds > 0 ? e->preserve_fds : 0), keep, cg->v2_dir >= 0 ? 2 : 1);
        }
        /* oomScoreAdj from here, before the user namespace: the process
         * inherits it, and inside a user namespace its own
         * /proc/self/oom_score_adj belongs to an unmapped root. */
        if (e->process->has_oom_score_adj && process_set_oom_score_adj(e->process->oom_score_adj, &err) < 0)
                goto fail;
        procfs_close();
        /* The cgroup files, by host path: before the mount namespace. */
        for (; cg->tasks && cg->tasks[n_tasks] && n_tasks < ELEMENTSOF(tasks_fds); n_tasks++) {
                tasks_fds[n_tasks] = open(cg->tasks[n_tasks], O_WRONLY | O_CLOEXEC);
                if (tasks_fds[n_tasks] < 0 && !(cg->rootless && (errno == EACCES || errno == EPERM))) {
                        error_set(&err, errno, "open %s", cg->tasks[n_tasks]);
                        goto fail;
                }
        }
        if (cg->v2_dir >= 0)
                v2_procs = openat(cg->v2_dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        /* Open everything first: after joining the mount namespace
         * /proc/<init> may no longer be reachable. */
        for (size_t i = 0; i < ELEMENTSOF(ns_order); i++) {
                fds[i] = -1;
                if (same_ns(init, ns_order[i]))
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)init, ns_order[i]);
                fds[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0) {
                        error_set(&err, errno, "open %s", path);
                        goto fail;
                }
        }
        snprintf(path, sizeof(path), "/proc/%d/root", (int)init);
        root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
                error_set(&err, errno, "open %s", path);
                goto fail;
        }
        if (sync_expect(sync_fd, SYNC_STATE, NULL, NULL, NULL, &err) < 0)
                _exit(1);
        for (size_t i = 0; i < ELEMENTSOF(ns_order); i++) {
                if (fds[i] < 0)
                        continue;
                if (setns(fds[i], ns_flags[i]) < 0) {
                        error_set(&err, errno, "join %s namespace of pid %d", ns_order[i], (int)init);
                        goto fail;
                }
                close(fds[i]);
                fds[i] = -1;
        }
        if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0) {
                error_set(&err, errno, "enter container root");
                goto fail;
        }
        child = clone_into_cgroup(cg, tasks_fds, n_tasks, v2_procs, &err);
        if (child < 0) {
                error_prefix(&err, "clone");
                goto fail;
        }
        if (child == 0) {
                sigset_t none;

                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                sandbox_exec_process(spec, e->process, seccomp, sync_fd, e->preserve_fds);
        }
        (void)sync_send(sync_fd, SYNC_PID, child, NULL, 0, -1);
        _exit(0);
fail:
        (void)sync_send_error(sync_fd, err);
        _exit(1);
}

int runtime_exec(const RuntimeOpts *o, const char *id, const ExecOpts *e, int *ret_status, Error **ret_err)
{
        _cleanup_record_ ContainerRecord *rec = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_close_ int sock = -EBADF, console = -EBADF, v2_dir = -EBADF;
        _cleanup_strv_ char **tasks = NULL;
        _cleanup_(seccomp_program_clear) SeccompProgram sprog = { 0 };
        ExecCgroup ecg = { .v2_dir = -1, .rootless = o->rootless };
        ContainerStatus st;
        sigset_t all, old;
        pid_t helper, proc = -1;
        int sp[2], r;

        r = runtime_load(o, id, &rec, &st, ret_err);
        if (r < 0)
                return r;
        if (st != STATUS_RUNNING && st != STATUS_CREATED)
                return error_setx(ret_err, EINVAL, "cannot exec in container \"%s\": it is %s", id,
                                  container_status_to_string(st));
        r = runtime_load_spec(o, id, &spec, ret_err);
        if (r < 0)
                return r;
        if (e->process->terminal && !e->console_socket && e->detach)
                return error_setx(ret_err, EINVAL, "--tty with --detach needs --console-socket");
        if (lsm_validate(NULL, e->process, "exec", ret_err) < 0)
                return -EINVAL;
        r = statedir_compile_seccomp(o, spec, &sprog, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "linux.seccomp");
        /* Before anything is made: its fallback starts the command over. */
        r = sandbox_seal_exe(ret_err);
        if (r < 0)
                return r;

        if (rec->cgroup_path && o->cgroup_manager != CGROUP_MANAGER_DISABLED) {
                r = cgroup_open(rec->cgroup_path, rec->systemd_cgroup ? CGROUP_MANAGER_SYSTEMD : o->cgroup_manager, &cg,
                                ret_err);
                if (r < 0)
                        return r;
        }

        if (cg) {
                if (cgroup_v1_tasks_files(cg, &tasks) < 0)
                        return error_set(ret_err, ENOMEM, "cgroup");
                ecg.tasks = tasks;
                v2_dir = cgroup_unified_fd(cg);
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return error_set(ret_err, errno, "socketpair");
        {
                /* Our fds clear of the range passed to the process. */
                int min = 3 + (e->preserve_fds > 0 ? e->preserve_fds : 0);
                if (sp[1] < min) {
                        int n = fcntl(sp[1], F_DUPFD_CLOEXEC, min);
                        close(sp[1]);
                        sp[1] = n;
                }
                if (v2_dir >= 0 && v2_dir < min) {
                        int n = fcntl(v2_dir, F_DUPFD_CLOEXEC, min);
                        close(v2_dir);
                        v2_dir = n;
                }
                ecg.v2_dir = v2_dir >= 0 ? v2_dir : -1;
        }
        /* Signals are blocked from here so that the waiting loop sees every
         * one; the process unblocks them before exec. */
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        helper = fork();
        if (helper < 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                close(sp[0]);
                close(sp[1]);
                return error_set(ret_err, errno, "fork");
        }
        if (helper == 0) {
                close(sp[0]);
                exec_helper(rec->pid, spec, &sprog, e, &ecg, !o->rootless, sp[1]);
        }
        close(sp[1]);
        sock = sp[0];

        r = sync_send(sock, SYNC_STATE, 0, NULL, 0, -1);
        if (r < 0) {
                error_set(ret_err, -r, "sync");
                goto fail;
        }
        for (;;) {
                SyncMsg m;
                int fd = -EBADF;

                r = sync_recv(sock, &m, NULL, &fd, ret_err);
                if (r < 0)
                        goto fail;
                if (m.type == SYNC_PID) {
                        proc = m.value;
                        (void)waitpid(helper, NULL, 0);
                        helper = -1;
                } else if (m.type == SYNC_CONSOLE) {
                        safe_close(console);
                        console = fd;
                } else if (m.type == SYNC_READY) {
                        break;
                } else {
                        safe_close(fd);
                }
        }
        if (console >= 0 && e->console_socket) {
                r = console_send(e->console_socket, console, ret_err);
                if (r < 0)
                        goto fail;
                console = safe_close(console);
        }
        if (e->pid_file) {
                char buf[32];
                int n = snprintf(buf, sizeof(buf), "%d", (int)proc);
                r = write_file_atomic(e->pid_file, buf, (size_t)n, 0644, ret_err);
                if (r < 0)
                        goto fail;
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (e->detach) {
                *ret_status = 0;
                return 0;
        }
        *ret_status = runtime_wait_forward(proc, console, ret_err);
        return 0;

fail:
        if (helper > 0) {
                kill(helper, SIGKILL);
                (void)waitpid(helper, NULL, 0);
        }
        if (proc > 0) {
                kill(proc, SIGKILL);
                (void)waitpid(proc, NULL, 0);
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
