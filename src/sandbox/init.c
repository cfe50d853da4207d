#include "sandbox/init.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/path.h"
#include "lib/procfs.h"
#include "lib/util.h"
#include "sandbox/caps.h"
#include "sandbox/hooks.h"
#include "sandbox/lsm.h"
#include "sandbox/process.h"
#include "sandbox/rootfs.h"
#include "sandbox/seccomp.h"
#include "sandbox/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1

int sandbox_new_ns_flags(const Spec *spec)
{
        int flags = 0;

        for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
                const SpecNamespace *ns = &spec->linux_.namespaces[i];
                if (!ns->path || !*ns->path)
                        flags |= ns_type_clone_flag(ns->type);
        }
        return flags;
}

/* Joining a pid or time namespace by path takes effect for children only,
 * and a user namespace joined by path comes before everything else: those
 * go through an intermediate process. The others (net, ipc, uts, mount,
 * cgroup) the init joins itself, on the fast path, cloned straight into
 * its cgroup (a move by cgroup.procs can wait for an RCU grace period). */
static bool needs_intermediate(const Spec *spec)
{
        for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
                const SpecNamespace *ns = &spec->linux_.namespaces[i];
                if (ns->path && *ns->path && (ns->type == NS_PID || ns->type == NS_TIME || ns->type == NS_USER))
                        return true;
                /* Offsets must be written before any process enters the
                 * time namespace, so it is made with unshare, not clone. */
                if (ns->type == NS_TIME)
                        return true;
        }
        return false;
}

/* Report an error to the runtime and die. Never returns. */
_noreturn_ static void child_fail(int sync_fd, Error *err)
{
        if (sync_fd >= 0)
                (void)sync_send_error(sync_fd, err);
        else
                fprintf(stderr, "husk-runtime: %s\n", err && err->msg ? err->msg : "unknown error");
        _exit(err && err->code == ENOENT ? 127 : err && err->code == EACCES ? 126 : 1);
}

int sandbox_find_executable(const char *file, char *const *env, const char *cwd, char **ret, Error **ret_err)
{
        const char *path = NULL;
        _cleanup_free_ char *copy = NULL;
        char *save = NULL;
        int last = ENOENT;
        struct stat st;

        if (!file || !*file)
                return error_setx(ret_err, ENOENT, "exec: empty command");
        if (strchr(file, '/')) {
                if (stat(file, &st) < 0)
                        return error_set(ret_err, errno, "exec: \"%s\"", file);
                if (!S_ISREG(st.st_mode))
                        return error_setx(ret_err, EACCES, "exec: \"%s\": not a regular file", file);
                if (access(file, X_OK) < 0)
                        return error_set(ret_err, errno, "exec: \"%s\"", file);
                *ret = strdup(file);
                return *ret ? 0 : -ENOMEM;
        }
        for (char *const *e = env; e && *e; e++)
                if (strncmp(*e, "PATH=", 5) == 0)
                        path = *e + 5;
        if (!path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *full = NULL;

                if (asprintf(&full, "%s/%s", *dir ? dir : (cwd ? cwd : "."), file) < 0)
                        return -ENOMEM;
                if (stat(full, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (access(full, X_OK) < 0) {
                        last = errno;
                        continue;
                }
                *ret = TAKE_PTR(full);
                return 0;
        }
        if (last == ENOENT)
                return error_setx(ret_err, ENOENT,
                                  "exec: \"%s\": executable file not found in $PATH: No such file or directory", file);
        return error_set(ret_err, last, "exec: \"%s\"", file);
}

/* Capabilities, user, seccomp: the order matters.
 *  - bounding set first, while we still hold CAP_SETPCAP;
 *  - without noNewPrivileges, seccomp needs CAP_SYS_ADMIN, so it is loaded
 *    before the capabilities go (the user's filter then also sees our
 *    setresuid/capset: it must allow them, as with runc);
 *  - the uid switch keeps the permitted set through PR_SET_KEEPCAPS, and
 *    caps_apply() sets the final sets. */
/* The filter: the compiled program when the runtime made one, else built
 * here through libseccomp (NOTIFY rules: the listener fd comes back). */
static int load_seccomp(const Spec *spec, const SeccompProgram *prog, int *ret_notify_fd, Error **ret_err)
{
        if (prog && prog->insns)
                return seccomp_program_load(prog, ret_err);
        return seccomp_spec_load(&spec->linux_.seccomp, ret_notify_fd, ret_err);
}

static int finalize_identity(const Spec *spec, const SpecProcess *proc, const SeccompProgram *prog, int *ret_notify_fd,
                             Error **ret_err)
{
        const SpecCapabilities *caps = proc->has_capabilities ? &proc->capabilities : NULL;
        int r;

        *ret_notify_fd = -EBADF;
        if (caps) {
                r = caps_drop_bounding(caps, ret_err);
                if (r < 0)
                        return r;
        }
        if (spec->linux_.has_seccomp && (!proc->no_new_privileges || seccomp_uses_notify(&spec->linux_.seccomp))) {
                if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        return error_set(ret_err, errno, "set no_new_privs");
                r = load_seccomp(spec, prog, ret_notify_fd, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "load seccomp filter");
        }
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return error_set(ret_err, errno, "set keepcaps");
        r = process_switch_user(&proc->user, ret_err);
        if (r < 0)
                return r;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return error_set(ret_err, errno, "clear keepcaps");
        r = caps_apply(caps, ret_err);
        if (r < 0)
                return r;
        if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return error_set(ret_err, errno, "set no_new_privs");
        return 0;
}

/* The last step: as close to execve as possible, so that the filter does
 * not see the runtime's own setup. */
static int late_seccomp(const Spec *spec, const SpecProcess *proc, const SeccompProgram *prog, Error **ret_err)
{
        int fd = -EBADF, r;

        if (!spec->linux_.has_seccomp || !proc->no_new_privileges || seccomp_uses_notify(&spec->linux_.seccomp))
                return 0;
        r = load_seccomp(spec, prog, &fd, ret_err);
        safe_close(fd);
        if (r < 0)
                return error_prefix(ret_err, "load seccomp filter");
        return 0;
}

static int do_chdir(const char *cwd, Error **ret_err)
{
        char buf[4096];

        if (chdir(cwd) < 0) {
                /* runc creates a missing cwd. */
                _cleanup_close_ int fd = path_mkdir_in_root(AT_FDCWD, cwd, 0755, NULL);
                if (fd < 0 || chdir(cwd) < 0)
                        return error_set(ret_err, errno, "chdir to cwd (\"%s\") set in config.json", cwd);
        }
        /* CVE-2024-21626: a cwd that resolves outside the root (through a
         * leaked fd) reads back as "(unreachable)/..." or fails. */
        if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
                return error_setx(ret_err, EPERM, "cwd %s is outside the container root", cwd);
        return 0;
}

_noreturn_ static void exec_user(const SpecProcess *proc, const char *exe)
{
        extern char **environ;
        char *const empty[] = { NULL };

        environ = proc->env ? proc->env : (char **)empty;
        execve(exe, proc->args, environ);
        {
                int e = errno;
                fprintf(stderr, "husk-runtime: exec %s: %s\n", exe, strerror(e));
                _exit(e == ENOENT ? 127 : 126);
        }
}

/* Mark every fd above the ones we pass on close-on-exec, so nothing of the
 * runtime's (sync socket, fifo, containerd's extra socket on fd 3) reaches
 * the container. */
static void fd_hygiene(int preserve_fds)
{
        unsigned first = 3 + (unsigned)(preserve_fds > 0 ? preserve_fds : 0);

        if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
                for (int fd = (int)first; fd < 65536; fd++) {
                        int fl = fcntl(fd, F_GETFD);
                        if (fl >= 0)
                                (void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
                }
        }
        for (int fd = 3; fd < (int)first; fd++) {
                int fl = fcntl(fd, F_GETFD);
                if (fl >= 0)
                        (void)fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
        }
}

/* Block until `start` opens exec.fifo, then run the startContainer hooks,
 * then tell `start` with one byte. With poststart hooks `start` then reads
 * until EOF, which comes when our write end (O_CLOEXEC) closes at execve: so
 * they run only once the user's program has been exec'd, as the spec
 * orders them. */
static int wait_for_start(int fifo_fd, int fd_dir, const Spec *spec, const char *state, int *ret_fd, Error **ret_err)
{
        _cleanup_close_ int w = -EBADF;
        int r;

        /* Through the fd directory opened before pivot_root: the
         * container's /proc/self/fd, an image's own directory when no
         * procfs is mounted there, could hand us any file to write to and
         * let the program run before `start`. */
        w = procfs_reopen(fd_dir, fifo_fd, O_WRONLY, ret_err);
        if (w < 0)
                return error_prefix(ret_err, "open exec fifo");
        r = hooks_run(spec, HOOK_START_CONTAINER, state, ret_err);
        if (r < 0)
                return r;
        if (write(w, "0", 1) != 1)
                return error_set(ret_err, errno, "write exec fifo");
        *ret_fd = TAKE_FD(w);
        return 0;
}

/* The state JSON for startContainer hooks: the one the runtime sent, with
 * the status the container has by then. */
static void state_set_created(char *state)
{
        char *p = strstr(state, "\"status\":\"creating\"");

        if (p)
                memmove(p + 17, p + 18, strlen(p + 18) + 1); /* "creating" -> "created" */
        if (p)
                memcpy(p + 10, "created", 7);
}

/* Through our own procfs (procfs.h), not /proc: whatever is mounted there
 * (a namespace the config joins, a decoy) would get the value, or pass it
 * on to another file. The values land in the namespaces we are in, which
 * is what /proc/sys follows. */
static int set_sysctls(const Spec *spec, Error **ret_err)
{
        for (size_t i = 0; i < spec->linux_.n_sysctl; i++) {
                const SpecKeyValue *kv = &spec->linux_.sysctl[i];
                _cleanup_free_ char *path = NULL;
                int r;

                if (strstr(kv->key, "..") || kv->key[0] == '/' || kv->key[0] == '.')
                        return error_setx(ret_err, EINVAL, "linux.sysctl: invalid key \"%s\"", kv->key);
                if (asprintf(&path, "sys/%s", kv->key) < 0)
                        return -ENOMEM;
                for (char *c = path + 4; *c; c++)
                        if (*c == '.')
                                *c = '/';
                r = procfs_write(path, kv->value, ret_err);
                if (r < 0)
                        return error_prefix(ret_err, "linux.sysctl: write %s = %s", kv->key, kv->value);
        }
        return 0;
}

/* SYNC_CGROUP's lines (see sync.h): "T <file>": move ourselves into that
 * v1 cgroup by writing 0 to its `tasks` file, cheaper for the kernel than
 * the runtime writing our pid to cgroup.procs (see cgroup_v1_tasks_files();
 * we are single-threaded, so the thread is the process); "M <line>": one
 * line of rootfs_describe_cgroup_mounts(), collected into *ret_mounts. */
static int join_cgroups(char *list, char **ret_mounts, Error **ret_err)
{
        _cleanup_free_ char *mounts = calloc(1, strlen(list) + 1);
        char *save = NULL;

        if (!mounts)
                return error_set(ret_err, ENOMEM, "cgroup");
        for (char *p = strtok_r(list, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
                int r;

                if (p[0] == 'M' && p[1] == ' ') {
                        strcat(strcat(mounts, p + 2), "\n");
                        continue;
                }
                if (p[0] != 'T' || p[1] != ' ')
                        return error_setx(ret_err, EPROTO, "malformed cgroup message from the runtime");
                r = write_string_file(p + 2, "0");
                if (r < 0)
                        return error_set(ret_err, -r, "join cgroup: write %s", p + 2);
        }
        *ret_mounts = *mounts ? TAKE_PTR(mounts) : NULL;
        return 0;
}

/* The runtime answers SYNC_PID once the cgroup is ready: SYNC_CGROUP (what
 * to join ourselves, the host's cgroup mounts), then the state JSON.
 * Returns a malloc'd copy of the latter, or _exit()s: the runtime gave up. */
static char *receive_state(int sync_fd, char **ret_mounts, bool want_tree, int *ret_tree)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *list = malloc(SYNC_PAYLOAD_MAX + 1);
        char *state = malloc(SYNC_PAYLOAD_MAX + 1);

        if (!list || !state || sync_expect(sync_fd, SYNC_CGROUP, NULL, list, NULL, &err) < 0)
                _exit(1);
        /* The runtime builds the cgroup mount meanwhile. */
        if (join_cgroups(list, ret_mounts, &err) < 0)
                child_fail(sync_fd, err);
        if (want_tree && sync_expect(sync_fd, SYNC_CGROUP_TREE, NULL, NULL, ret_tree, &err) < 0)
                _exit(1);
        if (sync_expect(sync_fd, SYNC_STATE, NULL, state, NULL, &err) < 0)
                _exit(1);
        return state;
}

/* The init's wait for its cgroup. Until the runtime has moved it there,
 * the init makes its namespaces and mounts; it waits before the first
 * thing that depends on the cgroup it is in: its cgroup namespace (whose
 * root is the cgroup at unshare time), a mount that shows cgroups, the
 * hooks and the user's program. */
typedef struct Placement {
        int sync_fd;
        int new_flags;
        char *state;         /* the state JSON, once placed */
        char *cgroup_mounts; /* from SYNC_CGROUP, or NULL */
        bool want_tree;      /* SYNC_CGROUP_TREE comes */
        int cgroup_tree;     /* from it, or -1 */
        bool done;
        bool moved;     /* step_aside() changed our CPU affinity */
        cpu_set_t cpus; /* the affinity to give back */
} Placement;

/* A new task often starts on its parent's CPU, and without kernel
 * preemption the one running there keeps it: the runtime, creating our
 * cgroup, and we, creating namespaces, would take turns on one CPU while
 * others idle. Keep off the runtime's CPU until we are placed;
 * await_cgroup() gives the inherited affinity back before anything of the
 * container runs. */
static void step_aside(Placement *p, int runtime_cpu)
{
        cpu_set_t other;

        if (runtime_cpu < 0 || sched_getaffinity(0, sizeof(p->cpus), &p->cpus) < 0 || CPU_COUNT(&p->cpus) < 2 ||
            !CPU_ISSET(runtime_cpu, &p->cpus))
                return;
        other = p->cpus;
        CPU_CLR(runtime_cpu, &other);
        p->moved = sched_setaffinity(0, sizeof(other), &other) == 0;
}

static int await_cgroup(void *userdata, Error **ret_err)
{
        Placement *p = userdata;

        if (p->done)
                return 0;
        if (!p->state)
                p->state = receive_state(p->sync_fd, &p->cgroup_mounts, p->want_tree, &p->cgroup_tree);
        if (p->moved && sched_setaffinity(0, sizeof(p->cpus), &p->cpus) < 0)
                return error_set(ret_err, errno, "restore CPU affinity");
        p->moved = false;
        if ((p->new_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                return error_set(ret_err, errno, "unshare cgroup namespace");
        p->done = true;
        return 0;
}

static int join_namespaces(const Spec *spec, bool user_pass, Error **ret_err)
{
        for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
                const SpecNamespace *ns = &spec->linux_.namespaces[i];
                _cleanup_close_ int fd = -EBADF;

                if (!ns->path || !*ns->path)
                        continue;
                if ((ns->type == NS_USER) != user_pass)
                        continue;
                fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return error_set(ret_err, errno, "open %s namespace %s", ns_type_to_string(ns->type), ns->path);
                if (setns(fd, ns_type_clone_flag(ns->type)) < 0)
                        return error_set(ret_err, errno, "join %s namespace %s", ns_type_to_string(ns->type), ns->path);
        }
        return 0;
}

/* The container's init. `rest`: the namespaces it still has to unshare
 * (all but the cgroup namespace exist otherwise). `state` is NULL until it
 * is in its cgroup; `cgroup_mounts` comes with it (receive_state()). */
_noreturn_ static void init_main(const InitConfig *c, int new_flags, int rest, char *state, char *cgroup_mounts,
                                 int cgroup_tree)
{
        const Spec *spec = c->spec;
        const SpecProcess *proc = &spec->process;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *exe = NULL;
        RootfsConfig rc = {
                .spec = spec,
                .rootfs = c->rootfs,
                .userns = false,
                .new_mntns = spec_namespace(spec, NS_MNT) != NULL,
                .cgroupns = (new_flags & CLONE_NEWCGROUP) != 0,
                .no_pivot = c->no_pivot,
        };
        Placement pl = { .sync_fd = c->sync_fd,
                         .new_flags = new_flags,
                         .state = state,
                         .cgroup_mounts = cgroup_mounts,
                         .want_tree = c->cgroup_tree,
                         .cgroup_tree = cgroup_tree };
        int notify_fd = -EBADF, fd_dir = -EBADF;

        rc.userns = spec_namespace(spec, NS_USER) != NULL;
        /* Modes of what setup creates are exact; the user's umask comes
         * with the uid switch. */
        umask(0);
        /* On the fast path, the namespaces joined by path (the intermediate
         * joined them otherwise): before the new ones, as it would. */
        if (!needs_intermediate(spec) && join_namespaces(spec, false, &err) < 0)
                child_fail(c->sync_fd, err);
        if (rest) {
                step_aside(&pl, c->runtime_cpu);
                if (unshare(rest) < 0)
                        child_fail(c->sync_fd, (error_set(&err, errno, "unshare namespaces"), err));
        }
        if (state && await_cgroup(&pl, &err) < 0)
                child_fail(c->sync_fd, err);
        rc.before_cgroup = await_cgroup;
        rc.cgroup_mounts = (const char *const *)&pl.cgroup_mounts;
        rc.cgroup_tree = &pl.cgroup_tree;
        rc.userdata = &pl;

        if (spec->hostname && (new_flags & CLONE_NEWUTS || spec_namespace(spec, NS_UTS)) &&
            sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                child_fail(c->sync_fd, (error_set(&err, errno, "sethostname %s", spec->hostname), err));
        if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                child_fail(c->sync_fd, (error_set(&err, errno, "setdomainname %s", spec->domainname), err));

        if (rootfs_setup(&rc, &err) < 0 || await_cgroup(&pl, &err) < 0)
                child_fail(c->sync_fd, err);
        state = pl.state;
        pl.cgroup_tree = safe_close(pl.cgroup_tree);

        if (set_sysctls(spec, &err) < 0)
                child_fail(c->sync_fd, err);

        /* prestart and createRuntime run in the runtime's namespaces, after
         * the mounts and before pivot_root. */
        if ((spec->n_hooks[HOOK_PRESTART] > 0 || spec->n_hooks[HOOK_CREATE_RUNTIME] > 0) &&
            (sync_send(c->sync_fd, SYNC_HOOKS, 0, NULL, 0, -1) < 0 ||
             sync_expect(c->sync_fd, SYNC_HOOKS_ACK, NULL, NULL, NULL, &err) < 0))
                _exit(1);
        if (hooks_run(spec, HOOK_CREATE_CONTAINER, state, &err) < 0)
                child_fail(c->sync_fd, err);

        /* oomScoreAdj and exec.fifo come after pivot_root, when the only
         * procfs in sight may be none at all: get ours while the runtime's
         * is there. */
        if (proc->has_oom_score_adj && !rc.userns && procfs_prepare(&err) < 0)
                child_fail(c->sync_fd, err);
        if (c->fifo_fd >= 0 && (fd_dir = procfs_open_fd_dir(&err)) < 0)
                child_fail(c->sync_fd, err);
        if (rootfs_pivot(&rc, &err) < 0)
                child_fail(c->sync_fd, err);

        if (proc->terminal) {
                int master = rootfs_setup_console(spec, true, &err);
                if (master < 0)
                        child_fail(c->sync_fd, err);
                if (sync_send(c->sync_fd, SYNC_CONSOLE, 0, NULL, 0, master) < 0)
                        _exit(1);
                close(master);
        }

        if (rootfs_finalize(&rc, &err) < 0)
                child_fail(c->sync_fd, err);

        if (!c->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS &&
            errno != EPERM && errno != EACCES)
                child_fail(c->sync_fd, (error_set(&err, errno, "join session keyring"), err));

        if (process_apply_rlimits(proc->rlimits, proc->n_rlimits, &err) < 0)
                child_fail(c->sync_fd, err);
        /* (In a user namespace the runtime writes it: see create.c.) */
        if (proc->has_oom_score_adj && !rc.userns && process_set_oom_score_adj(proc->oom_score_adj, &err) < 0)
                child_fail(c->sync_fd, err);
        if (spec->linux_.has_personality && process_apply_personality(&spec->linux_, &err) < 0)
                child_fail(c->sync_fd, err);
        if (proc->has_io_priority && process_apply_io_priority(proc, &err) < 0)
                child_fail(c->sync_fd, err);

        if (do_chdir(proc->cwd ? proc->cwd : "/", &err) < 0)
                child_fail(c->sync_fd, err);
        /* Check the program exists now, so that `create` fails (podman maps
         * this message to exit code 127) rather than the container later. */
        if (sandbox_find_executable(proc->args[0], proc->env, proc->cwd, &exe, &err) < 0)
                child_fail(c->sync_fd, err);

        if (lsm_apply_exec_labels(proc, &err) < 0 || finalize_identity(spec, proc, c->seccomp, &notify_fd, &err) < 0)
                child_fail(c->sync_fd, err);
        procfs_close();
        if (notify_fd >= 0) {
                if (sync_send(c->sync_fd, SYNC_CONSOLE, 1, NULL, 0, notify_fd) < 0)
                        _exit(1);
                notify_fd = safe_close(notify_fd);
        }

        fd_hygiene(c->preserve_fds);
        if (sync_send(c->sync_fd, SYNC_READY, 0, NULL, 0, -1) < 0)
                _exit(1);
        /* Without exec.fifo the runtime learns of the exec from this
         * socket's EOF (close-on-exec). */
        if (c->fifo_fd >= 0)
                close(c->sync_fd);

        state_set_created(state);
        if (c->fifo_fd >= 0) {
                int w = -EBADF;

                if (wait_for_start(c->fifo_fd, fd_dir, spec, state, &w, &err) < 0)
                        child_fail(-1, err);
                close(c->fifo_fd);
                fd_dir = safe_close(fd_dir);
                /* w stays open (close-on-exec) until execve. */
        } else if (hooks_run(spec, HOOK_START_CONTAINER, state, &err) < 0) {
                child_fail(-1, err);
        }
        free(state);
        if (late_seccomp(spec, proc, c->seccomp, &err) < 0)
                child_fail(-1, err);
        exec_user(proc, exe);
}

static int write_time_offsets(const Spec *spec, Error **ret_err)
{
        char buf[128];
        int r;

        if (!spec->linux_.has_time_offsets)
                return 0;
        snprintf(buf, sizeof(buf), "monotonic %lld %u\nboottime %lld %u\n",
                 (long long)spec->linux_.time_offset_monotonic.secs, spec->linux_.time_offset_monotonic.nanosecs,
                 (long long)spec->linux_.time_offset_boottime.secs, spec->linux_.time_offset_boottime.nanosecs);
        /* We may be in a mount namespace joined by path: not its /proc. */
        r = procfs_write("self/timens_offsets", buf, ret_err);
        procfs_close();
        if (r < 0)
                return error_prefix(ret_err, "linux.timeOffsets");
        return 0;
}

/* The intermediate process: joins namespaces by path (the user namespace
 * first, so that we hold capabilities over the others), creates the new
 * ones, then forks the init into them (CLONE_PARENT: the init becomes the
 * runtime's child) and exits. */
_noreturn_ static void intermediate_main(const InitConfig *c, int new_flags)
{
        const Spec *spec = c->spec;
        _cleanup_error_ Error *err = NULL;
        pid_t pid;

        if (join_namespaces(spec, true, &err) < 0)
                child_fail(c->sync_fd, err);
        if (new_flags & CLONE_NEWUSER) {
                if (unshare(CLONE_NEWUSER) < 0)
                        child_fail(c->sync_fd, (error_set(&err, errno, "unshare user namespace"), err));
                if (sync_send(c->sync_fd, SYNC_USERNS, getpid(), NULL, 0, -1) < 0 ||
                    sync_expect(c->sync_fd, SYNC_USERNS_ACK, NULL, NULL, NULL, &err) < 0)
                        _exit(1);
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        child_fail(c->sync_fd, (error_set(&err, errno, "become root in the user namespace"), err));
        }
        /* Before joining a pid namespace where others may look: the init,
         * cloned from us, inherits it. */
        if (c->hide_exe)
                sandbox_hide_runtime_exe();
        if (join_namespaces(spec, false, &err) < 0)
                child_fail(c->sync_fd, err);
        if (unshare(new_flags & ~(CLONE_NEWUSER | CLONE_NEWCGROUP)) < 0)
                child_fail(c->sync_fd, (error_set(&err, errno, "unshare namespaces"), err));
        if ((new_flags & CLONE_NEWTIME) && write_time_offsets(spec, &err) < 0)
                child_fail(c->sync_fd, err);

        pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
        if (pid < 0)
                child_fail(c->sync_fd, (error_set(&err, errno, "clone container init"), err));
        if (pid == 0) {
                char *mounts = NULL;
                int tree = -EBADF;
                char *state = receive_state(c->sync_fd, &mounts, c->cgroup_tree, &tree);

                init_main(c, new_flags, 0, state, mounts, tree);
        }
        /* The init may sit in a new pid namespace (where it is pid 1): its
         * host pid is only known here. */
        if (sync_send(c->sync_fd, SYNC_PID, pid, NULL, 0, -1) < 0) {
                kill(pid, SIGKILL);
                _exit(1);
        }
        _exit(0);
}

/* The child shares the runtime's open file descriptions until exec: a
 * flock held on the state directory, a log file, a client's socket. Close
 * everything but stdio, the fds passed on, and our two. */
static void child_close_fds(const InitConfig *c)
{
        int keep[2] = { c->sync_fd, c->fifo_fd };

        close_all_fds(3 + (c->preserve_fds > 0 ? c->preserve_fds : 0), keep, c->fifo_fd >= 0 ? 2 : 1);
}

void sandbox_hide_runtime_exe(void)
{
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

pid_t sandbox_spawn(const InitConfig *c, bool *ret_in_cgroup, Error **ret_err)
{
        int new_flags = sandbox_new_ns_flags(c->spec);
        bool via_intermediate = needs_intermediate(c->spec);
        int clone_flags;
        pid_t pid;

        *ret_in_cgroup = false;
        if (via_intermediate) {
                pid = fork();
                if (pid < 0)
                        return error_set(ret_err, errno, "fork");
                if (pid == 0) {
                        child_close_fds(c);
                        intermediate_main(c, new_flags);
                }
                return pid;
        }

        /* The fast path. With a new user namespace, one clone creates every
         * namespace (all of them owned by it). Without one, the clone makes
         * only the pid namespace (the init must be its pid 1), and the init
         * unshares the others itself (a network namespace alone costs half
         * a millisecond) while the runtime creates its cgroup. The cgroup
         * namespace waits until the init is in its cgroup. */
        clone_flags = new_flags & ~CLONE_NEWCGROUP;
        if (!(new_flags & CLONE_NEWUSER))
                clone_flags &= CLONE_NEWPID;
        pid = clone_fork((unsigned long)clone_flags, c->cgroup_fd, ret_in_cgroup);
        if (pid < 0)
                return error_set(ret_err, errno, "clone");
        if (pid == 0) {
                _cleanup_error_ Error *err = NULL;
                char *state = NULL, *mounts = NULL;
                int rest = new_flags & ~(clone_flags | CLONE_NEWCGROUP), tree = -EBADF;

                child_close_fds(c);
                /* (With a new user namespace, once the id maps are written:
                 * newuidmap insists on a target it may look at.) */
                if (c->hide_exe && !(new_flags & CLONE_NEWUSER))
                        sandbox_hide_runtime_exe();
                if (sync_send(c->sync_fd, SYNC_PID, 0, NULL, 0, -1) < 0)
                        _exit(1);
                if (new_flags & CLONE_NEWUSER) {
                        state = receive_state(c->sync_fd, &mounts, c->cgroup_tree, &tree);
                        if (sync_send(c->sync_fd, SYNC_USERNS, 0, NULL, 0, -1) < 0 ||
                            sync_expect(c->sync_fd, SYNC_USERNS_ACK, NULL, NULL, NULL, &err) < 0)
                                _exit(1);
                        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                                child_fail(c->sync_fd,
                                           (error_set(&err, errno, "become root in the user namespace"), err));
                        if (c->hide_exe)
                                sandbox_hide_runtime_exe();
                }
                init_main(c, new_flags, rest, state, mounts, tree);
        }
        return pid;
}

_noreturn_ void sandbox_exec_process(const Spec *spec, const SpecProcess *proc, const SeccompProgram *seccomp,
                                     int sync_fd, int preserve_fds)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *exe = NULL;
        int notify_fd = -EBADF;

        if (proc->terminal) {
                int master = rootfs_setup_console(spec, false, &err);
                if (master < 0)
                        child_fail(sync_fd, err);
                if (sync_send(sync_fd, SYNC_CONSOLE, 0, NULL, 0, master) < 0)
                        _exit(1);
                close(master);
        }
        /* oomScoreAdj was set before the namespaces were joined. */
        if (process_apply_rlimits(proc->rlimits, proc->n_rlimits, &err) < 0)
                child_fail(sync_fd, err);
        if (do_chdir(proc->cwd ? proc->cwd : "/", &err) < 0)
                child_fail(sync_fd, err);
        if (sandbox_find_executable(proc->args[0], proc->env, proc->cwd, &exe, &err) < 0)
                child_fail(sync_fd, err);
        if (lsm_apply_exec_labels(proc, &err) < 0 || finalize_identity(spec, proc, seccomp, &notify_fd, &err) < 0)
                child_fail(sync_fd, err);
        procfs_close();
        safe_close(notify_fd);
        if (late_seccomp(spec, proc, seccomp, &err) < 0)
                child_fail(sync_fd, err);
        fd_hygiene(preserve_fds);
        if (sync_fd >= 0) {
                (void)sync_send(sync_fd, SYNC_READY, 0, NULL, 0, -1);
                close(sync_fd);
        }
        exec_user(proc, exe);
}
