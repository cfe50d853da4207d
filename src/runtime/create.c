/* `create`: the runtime side of the handshake in sandbox/sync.h.
 *
 * Order of work, and why:
 *   1. validate everything we can before touching the system (id, config,
 *      capabilities, seccomp), so a typo leaves nothing behind;
 *   2. claim <root>/<id> with mkdir (atomic: two creates of one id race
 *      safely), lock it, make exec.fifo;
 *   3. spawn the init; while it makes its namespaces and mounts, save
 *      config.json, create the cgroup and move the init into it (the init
 *      waits for that before its cgroup namespace, cgroup mounts and
 *      anything the container runs), write state.json (still under our
 *      lock), then answer its requests (id maps, hooks, console) until
 *      READY;
 *   4. on any failure undo in reverse: kill and reap the init, destroy the
 *      cgroup, remove the state directory. */
#include "runtime/runtime.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "lib/path.h"
#include "lib/util.h"
#include "runtime/console.h"
#include "runtime/statedir.h"
#include "sandbox/caps.h"
#include "sandbox/exe.h"
#include "sandbox/hooks.h"
#include "sandbox/idmap.h"
#include "sandbox/init.h"
#include "sandbox/lsm.h"
#include "sandbox/rootfs.h"
#include "sandbox/seccomp.h"
#include "sandbox/sync.h"

bool runtime_id_valid(const char *id)
{
        size_t n = strlen(id);

        if (n == 0 || n > 1024 || streq(id, ".") || streq(id, ".."))
                return false;
        for (const char *c = id; *c; c++)
                if (!(((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                       *c == '+' || *c == '-' || *c == '.')))
                        return false;
        return true;
}

static char *owner_name(void)
{
        char *s = NULL;

        if (asprintf(&s, "%u", (unsigned)geteuid()) < 0)
                return NULL;
        return s;
}

static int write_pid_file(const char *path, pid_t pid, Error **ret_err)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

        /* Atomic, like runc: containerd polls this file. */
        return write_file_atomic(path, buf, (size_t)n, 0644, ret_err);
}

/* Whether linux.resources.devices says what may be done with the node
 * type major:minor: then that is what the container gets (Docker's
 * --device /dev/sda:/dev/xvda:r is an allow rule with access "r"). */
static bool has_rule_for(const SpecResources *res, char type, int64_t major, int64_t minor)
{
        for (size_t i = 0; i < res->n_devices; i++) {
                const SpecDeviceRule *r = &res->devices[i];
                if (r->type == type && r->major == major && r->minor == minor)
                        return true;
        }
        return false;
}

/* The devices every container gets (runtime-spec "Default Devices", plus
 * the pty and console devices), allowed after the config's own rules so that
 * a "deny all" rule still leaves them usable, as runc does. linux.devices
 * entries are allowed too: rwm, or only m (the runtime makes the node) for
 * a node a rule of the config names. Returns a new array in *ret (caller
 * frees the array only; the strings are static or borrowed). */
static int device_rules_with_defaults(const Spec *spec, SpecDeviceRule **ret, size_t *ret_n)
{
        static const struct {
                char type;
                int64_t major, minor;
        } defaults[] = {
                { 'c', 1, 3 }, { 'c', 1, 5 }, { 'c', 1, 7 }, { 'c', 1, 8 },    { 'c', 1, 9 },
                { 'c', 5, 0 }, { 'c', 5, 1 }, { 'c', 5, 2 }, { 'c', 136, -1 },
        };
        const SpecResources *res = &spec->linux_.resources;
        size_t n = res->n_devices + ELEMENTSOF(defaults) + spec->linux_.n_devices, k = 0;
        SpecDeviceRule *rules = calloc(n, sizeof(*rules));

        if (!rules)
                return -ENOMEM;
        for (size_t i = 0; i < res->n_devices; i++)
                rules[k++] = res->devices[i];
        for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
                rules[k++] = (SpecDeviceRule){ .allow = true,
                                               .type = defaults[i].type,
                                               .major = defaults[i].major,
                                               .minor = defaults[i].minor,
                                               .access = (char *)"rwm" };
        for (size_t i = 0; i < spec->linux_.n_devices; i++) {
                const SpecDevice *d = &spec->linux_.devices[i];
                char type = d->type == 'u' ? 'c' : d->type;
                /* mknod is the runtime's own need: the node is made once
                 * the init is in its cgroup (on v2, from its clone on) */
                const char *access = has_rule_for(res, type, d->major, d->minor) ? "m" : "rwm";
                if (d->type == 'p')
                        continue;
                rules[k++] = (SpecDeviceRule){
                        .allow = true, .type = type, .major = d->major, .minor = d->minor, .access = (char *)access
                };
        }
        *ret = rules;
        *ret_n = k;
        return 0;
}

/* Whether the container gets a namespace of type t of its own: one it
 * creates, or one joined by path that is not the host's (PID 1's). */
static bool has_own_ns(const Spec *spec, NsType t)
{
        const SpecNamespace *ns = spec_namespace(spec, t);
        struct stat a, b;
        char host[64];

        if (!ns)
                return false;
        if (!ns->path || !*ns->path)
                return true;
        snprintf(host, sizeof(host), "/proc/1/ns/%s", ns_type_proc_name(t));
        if (stat(ns->path, &a) < 0 || stat(host, &b) < 0)
                return true;
        return !(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
}

/* linux.sysctl may only set what is scoped to a namespace the container
 * has of its own: anything else would change the host (runc's rules). */
static int validate_sysctls(const Spec *spec, Error **ret_err)
{
        static const char *const ipc[] = {
                "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"
        };

        for (size_t i = 0; i < spec->linux_.n_sysctl; i++) {
                const char *k = spec->linux_.sysctl[i].key;
                NsType need = _NS_MAX;

                for (size_t j = 0; j < ELEMENTSOF(ipc); j++)
                        if (streq(k, ipc[j]))
                                need = NS_IPC;
                if (strncmp(k, "fs.mqueue.", 10) == 0)
                        need = NS_IPC;
                else if (strncmp(k, "net.", 4) == 0)
                        need = NS_NET;
                else if (streq(k, "kernel.hostname") || streq(k, "kernel.domainname"))
                        need = NS_UTS;
                if (need == _NS_MAX)
                        return error_setx(ret_err, EINVAL,
                                          "config.json: linux.sysctl: \"%s\" is not in a separate kernel namespace", k);
                if (!has_own_ns(spec, need))
                        return error_setx(ret_err, EINVAL,
                                          "config.json: linux.sysctl: \"%s\" needs the container's own %s namespace, "
                                          "not the host's",
                                          k, ns_type_to_string(need));
        }
        return 0;
}

/* Make fd at least `min`, keeping O_CLOEXEC; closes the old one. */
static int fd_move_above(int fd, int min)
{
        int n;

        if (fd >= min)
                return fd;
        n = fcntl(fd, F_DUPFD_CLOEXEC, min);
        if (n < 0)
                return -errno;
        close(fd);
        return n;
}

/* When the init gives up during setup, it sends SYNC_ERROR and exits; if
 * we failed meanwhile (say, moving a process that is gone into its cgroup),
 * its report says better what went wrong. Takes it if one is queued. */
static void prefer_init_error(int sock, Error **ret_err)
{
        for (;;) {
                struct pollfd p = { .fd = sock, .events = POLLIN };
                SyncMsg hdr;
                Error *e = NULL;

                if (!ret_err || poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN) ||
                    recv(sock, &hdr, sizeof(hdr), MSG_PEEK | MSG_DONTWAIT) != (ssize_t)sizeof(hdr))
                        return;
                if (sync_recv(sock, NULL, NULL, NULL, &e) >= 0)
                        continue; /* not an error: look further */
                if (hdr.type == SYNC_ERROR) {
                        error_free(*ret_err);
                        *ret_err = e;
                } else {
                        error_free(e);
                }
                return;
        }
}

/* Append "<tag> <line>\n" to the message in *buf (of *len bytes); false
 * when it would not fit in one sync message. */
static bool add_line(char **buf, size_t *len, char tag, const char *line, size_t l)
{
        char *nb;

        if (*len + l + 3 > SYNC_PAYLOAD_MAX || !(nb = realloc(*buf, *len + l + 4)))
                return false;
        *buf = nb;
        *len += (size_t)sprintf(nb + *len, "%c %.*s\n", tag, (int)l, line);
        return true;
}

/* The rest of the cgroup, once the init exists (it makes its namespaces and
 * mounts meanwhile: see sandbox_spawn): the v1 hierarchies, the resources,
 * and the init moved into what it is not in yet. Without a user namespace
 * the init joins the v1 part itself (cgroup_v1_tasks_files()). SYNC_CGROUP
 * tells it what to join and, so that it need not read mountinfo, the host's
 * cgroup mounts. */
static int place_in_cgroup(const Spec *spec, Cgroup *cg, const SpecResources *res, pid_t pid, bool in_v2, int sock,
                           bool tree, Error **ret_err)
{
        _cleanup_strv_ char **tasks = NULL;
        _cleanup_free_ char *msg = NULL, *text = NULL;
        size_t len = 0;
        bool fits = true;
        int r;

        /* With systemd: the unit, with the init in it, is the cgroup. */
        r = cgroup_create_unit(cg, pid, res, ret_err);
        if (r >= 0)
                r = cgroup_create_rest(cg, res, ret_err);
        if (r < 0)
                return r;
        if (!in_v2) {
                r = cgroup_enter_part(cg, pid, CGROUP_PART_V2, ret_err);
                if (r < 0)
                        return r;
        }
        if (!spec_namespace(spec, NS_USER) && cgroup_v1_tasks_files(cg, &tasks) < 0)
                return error_set(ret_err, ENOMEM, "cgroup");
        for (size_t i = 0; tasks && tasks[i] && fits; i++)
                fits = add_line(&msg, &len, 'T', tasks[i], strlen(tasks[i]));
        if (!fits) {
                /* Too long for one message: we move it ourselves. */
                len = 0;
                r = cgroup_enter_part(cg, pid, CGROUP_PART_V1, ret_err);
                if (r < 0)
                        return r;
        }
        if (rootfs_describe_cgroup_mounts(&text, NULL) >= 0) {
                size_t before = len;

                fits = true;
                for (const char *p = text, *nl; fits && (nl = strchr(p, '\n')); p = nl + 1)
                        fits = add_line(&msg, &len, 'M', p, (size_t)(nl - p));
                if (!fits)
                        len = before; /* then the init reads mountinfo itself */
        }
        r = sync_send(sock, SYNC_CGROUP, 0, msg, len, -1);
        if (r >= 0 && tree) {
                /* While the init joins the v1 hierarchies; a failure is
                 * no error: the init then mounts them itself. */
                _cleanup_strv_ char **dirs = NULL;
                _cleanup_close_ int fd = -EBADF;

                if (cgroup_dir_paths(cg, &dirs) < 0)
                        fd = -ENOMEM;
                else
                        fd = rootfs_build_cgroup_tree(spec, fits ? text : NULL, dirs, NULL);
                r = sync_send(sock, SYNC_CGROUP_TREE, fd < 0 ? fd : 0, NULL, 0, fd);
        }
        return r < 0 ? error_set(ret_err, -r, "sync") : 0;
}

int runtime_create(const RuntimeOpts *o, const char *id, const CreateOpts *c, pid_t *ret_pid, int *ret_console,
                   Spec **ret_spec, Error **ret_err)
{
        _cleanup_spec_ Spec *parsed = NULL;
        const Spec *spec = c->spec;
        _cleanup_free_ char *bundle = NULL, *config_path = NULL, *config_text = NULL, *rootfs = NULL, *dir = NULL,
                            *cgpath = NULL, *state = NULL;
        _cleanup_close_ int dirfd = -EBADF, sock_parent = -EBADF, sock_child = -EBADF, fifo = -EBADF, console = -EBADF,
                            cgroup_fd = -EBADF;
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_free_ SpecDeviceRule *rules = NULL;
        SpecResources res = { 0 };
        ContainerRecord rec = { 0 };
        _cleanup_(seccomp_program_clear) SeccompProgram sprog = { 0 };
        InitConfig ic = { 0 };
        size_t config_len = 0;
        pid_t child = -1, init_pid = -1;
        bool dir_made = false, setgroups_denied = false, in_v2 = false;
        int sp[2], r, high;

        if (ret_console)
                *ret_console = -EBADF;
        if (!runtime_id_valid(id))
                return error_setx(ret_err, EINVAL, "invalid container id \"%s\" (allowed: letters, digits, _ + - .)",
                                  id);

        /* 1. the config */
        bundle = realpath(c->bundle ? c->bundle : ".", NULL);
        if (!bundle)
                return error_set(ret_err, errno, "bundle %s", c->bundle ? c->bundle : ".");
        if (c->spec) {
                r = spec_to_json(c->spec, &config_text, ret_err);
                if (r < 0)
                        return r;
                config_len = strlen(config_text);
        } else {
                config_path = path_join(bundle, "config.json");
                if (!config_path)
                        return error_set(ret_err, ENOMEM, "config");
                r = read_full_file(config_path, &config_text, &config_len, ret_err);
                if (r < 0)
                        return r;
        }
        /* The engine's spec was parsed, and so checked, when its monitor
         * loaded it: it is not parsed again (0.2 ms), only written out */
        if (!spec) {
                r = spec_parse(config_text, config_len, "config.json", &parsed, ret_err);
                if (r < 0)
                        return r;
                spec = parsed;
        }
        if (!spec->has_process)
                return error_setx(ret_err, EINVAL, "config.json: process is required to create a container");
        if (!spec->root_path)
                return error_setx(ret_err, EINVAL, "config.json: root.path is required");
        {
                _cleanup_free_ char *rp =
                        spec->root_path[0] == '/' ? strdup(spec->root_path) : path_join(bundle, spec->root_path);
                struct stat st;

                if (!rp)
                        return error_set(ret_err, ENOMEM, "rootfs");
                rootfs = realpath(rp, NULL);
                if (!rootfs || stat(rootfs, &st) < 0)
                        return error_set(ret_err, errno, "rootfs %s", rp);
                if (!S_ISDIR(st.st_mode))
                        return error_setx(ret_err, ENOTDIR, "rootfs %s is not a directory", rp);
        }
        if (spec->process.has_capabilities && caps_validate(&spec->process.capabilities, ret_err) < 0)
                return error_prefix(ret_err, "config.json");
        if (statedir_compile_seccomp(o, spec, &sprog, ret_err) < 0)
                return error_prefix(ret_err, "config.json: linux.seccomp");
        if (lsm_validate(spec, &spec->process, "config.json", ret_err) < 0)
                return -EINVAL;
        if (spec->hostname && !spec_namespace(spec, NS_UTS))
                return error_setx(ret_err, EINVAL, "config.json: hostname requires a new uts namespace");
        if (spec->process.terminal && !c->console_socket && !ret_console)
                return error_setx(ret_err, EINVAL, "process.terminal is true: --console-socket is required");
        if (!spec->process.terminal && c->console_socket)
                return error_setx(ret_err, EINVAL, "--console-socket given but process.terminal is false");
        if ((spec->linux_.n_uid_mappings > 0 || spec->linux_.n_gid_mappings > 0) && !spec_namespace(spec, NS_USER))
                return error_setx(ret_err, EINVAL,
                                  "config.json: linux.uidMappings and gidMappings need a user namespace in "
                                  "linux.namespaces");
        if (validate_sysctls(spec, ret_err) < 0)
                return -EINVAL;
        if (spec_namespace(spec, NS_USER) && !spec_namespace(spec, NS_USER)->path && spec->linux_.n_uid_mappings == 0)
                return error_setx(ret_err, EINVAL, "config.json: a new user namespace needs linux.uidMappings");

        /* Before anything is made: its fallback starts the command over. */
        r = sandbox_seal_exe(ret_err);
        if (r < 0)
                return r;

        /* 2. the state directory */
        r = mkdir_p(o->root, 0700);
        if (r < 0)
                return error_set(ret_err, -r, "create state root %s", o->root);
        dir = statedir_path(o, id);
        if (!dir)
                return error_set(ret_err, ENOMEM, "state dir");
        if (mkdir(dir, 0711) < 0) {
                if (errno == EEXIST)
                        return error_setx(ret_err, EEXIST, "container \"%s\" already exists", id);
                return error_set(ret_err, errno, "create %s", dir);
        }
        dir_made = true;
        dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dirfd < 0 || flock(dirfd, LOCK_EX) < 0) {
                r = error_set(ret_err, errno, "lock %s", dir);
                goto fail;
        }
        /* Writable by anyone: the init may run as a mapped or non-root user
         * by the time it opens it. Only the state dir's 0711 guards it. (run
         * needs none: its init execs as soon as it is set up.) */
        if (!c->start && (mkfifoat(dirfd, "exec.fifo", 0622) < 0 || fchmodat(dirfd, "exec.fifo", 0622, 0) < 0)) {
                r = error_set(ret_err, errno, "create exec.fifo");
                goto fail;
        }
        if (!c->start && (fifo = openat(dirfd, "exec.fifo", O_PATH | O_CLOEXEC)) < 0) {
                r = error_set(ret_err, errno, "open exec.fifo");
                goto fail;
        }

        /* 3. cgroup, spawn, handshake */
        r = cgroup_resolve_path(spec->linux_.cgroups_path, id, o->cgroup_manager, &cgpath, ret_err);
        if (r < 0)
                goto fail;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
                r = error_set(ret_err, errno, "socketpair");
                goto fail;
        }
        sock_parent = sp[0];
        sock_child = sp[1];
        /* Keep our fds clear of the range passed to the container. */
        high = 3 + (c->preserve_fds > 0 ? c->preserve_fds : 0);
        sock_child = fd_move_above(sock_child, high);
        if (fifo >= 0)
                fifo = fd_move_above(fifo, high);
        if (sock_child < 0 || (!c->start && fifo < 0)) {
                r = error_set(ret_err, EMFILE, "move fds");
                goto fail;
        }

        rec.id = (char *)id;
        rec.bundle = bundle;
        rec.rootfs = rootfs;
        rec.created = now_rfc3339();
        rec.owner = owner_name();
        rec.cgroup_path = cgpath;
        rec.rootless = o->rootless;
        rec.systemd_cgroup = o->cgroup_manager == CGROUP_MANAGER_SYSTEMD;
        rec.annotations = spec->annotations;
        rec.n_annotations = spec->n_annotations;
        rec.status = STATUS_CREATED; /* what it is once anyone can read it */

        ic.spec = spec;
        ic.seccomp = &sprog;
        ic.rootfs = rootfs;
        ic.sync_fd = sock_child;
        ic.fifo_fd = fifo;
        ic.no_pivot = c->no_pivot;
        ic.no_new_keyring = c->no_new_keyring;
        ic.preserve_fds = c->preserve_fds;
        ic.runtime_cpu = sched_getcpu();
        ic.hide_exe = !o->rootless;
        ic.cgroup_tree =
                !o->rootless && o->cgroup_manager != CGROUP_MANAGER_DISABLED && rootfs_cgroup_tree_wanted(spec);

        /* The cgroup2 part first (on a v2 or hybrid host), so the init is
         * cloned into it; the rest is made while the init sets up. */
        if (spec->linux_.has_resources) {
                res = spec->linux_.resources;
                if (res.n_devices > 0) {
                        if (device_rules_with_defaults(spec, &rules, &res.n_devices) < 0) {
                                r = error_set(ret_err, ENOMEM, "device rules");
                                goto fail;
                        }
                        res.devices = rules;
                }
        }
        r = cgroup_create_part(cgpath, spec->linux_.has_resources ? &res : NULL, o->cgroup_manager, o->rootless,
                               CGROUP_PART_V2, &cg, ret_err);
        if (r < 0) {
                error_prefix(ret_err, "cgroup %s", cgpath);
                goto fail;
        }
        cgroup_fd = cgroup_unified_fd(cg);
        if (cgroup_fd >= 0) {
                int moved = fd_move_above(cgroup_fd, high);

                if (moved < 0) /* then the init enters it by cgroup.procs */
                        cgroup_fd = safe_close(cgroup_fd);
                else
                        cgroup_fd = moved;
        }
        ic.cgroup_fd = cgroup_fd;

        child = sandbox_spawn(&ic, &in_v2, ret_err);
        if (child < 0) {
                r = child;
                goto fail;
        }
        sock_child = safe_close(sock_child);
        fifo = safe_close(fifo);
        cgroup_fd = safe_close(cgroup_fd);
        /* For exec, update and the rest; saved while the init works (before
         * state.json, which says the container exists). */
        {
                _cleanup_close_ int cfd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (cfd < 0 || write_all(cfd, config_text, config_len) < 0) {
                        r = error_set(ret_err, errno, "save config.json");
                        goto fail;
                }
        }

        for (;;) {
                char payload[SYNC_PAYLOAD_MAX + 1];
                SyncMsg m;
                int fd = -EBADF;

                r = sync_recv(sock_parent, &m, payload, &fd, ret_err);
                if (r < 0)
                        goto fail;
                switch (m.type) {
                case SYNC_PID:
                        init_pid = m.value > 0 ? m.value : child;
                        if (init_pid != child) {
                                /* The intermediate process has done its job. */
                                (void)waitpid(child, NULL, 0);
                                child = -1;
                        }
                        /* An init in a user namespace cannot open its own
                         * /proc/self/oom_score_adj: non-dumpable, its /proc
                         * files belong to a root its namespace does not
                         * map. We write it, before it runs anything. */
                        if (spec->process.has_oom_score_adj && spec_namespace(spec, NS_USER)) {
                                char path[64], val[16];

                                snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)init_pid);
                                snprintf(val, sizeof(val), "%d", spec->process.oom_score_adj);
                                r = write_string_file(path, val);
                                if (r < 0) {
                                        error_set(ret_err, -r, "process.oomScoreAdj %d: write %s",
                                                  spec->process.oom_score_adj, path);
                                        goto fail;
                                }
                        }
                        r = place_in_cgroup(spec, cg, spec->linux_.has_resources ? &res : NULL, init_pid, in_v2,
                                            sock_parent, ic.cgroup_tree, ret_err);
                        if (r < 0) {
                                error_prefix(ret_err, "cgroup %s", cgpath);
                                goto fail;
                        }
                        if (c->keep_cgroup_parents)
                                cgroup_keep_parents(cg);
                        rec.cgroup_created_depth = cgroup_created_depth(cg);
                        rec.pid = init_pid;
                        rec.pid_start_time = proc_start_time(init_pid);
                        free(state);
                        /* "created", as crun and the conformance suite's
                         * hooks_stdin expect: the container exists. */
                        state = oci_state_to_json(&rec, STATUS_CREATED, false);
                        if (!state) {
                                r = error_set(ret_err, ENOMEM, "state");
                                goto fail;
                        }
                        r = sync_send(sock_parent, SYNC_STATE, 0, state, strlen(state), -1);
                        if (r < 0) {
                                error_set(ret_err, -r, "sync");
                                goto fail;
                        }
                        /* The record is complete: write it while the init
                         * finishes its setup. Nobody reads it before we
                         * return: readers take the lock we hold. */
                        r = statedir_write_record(dirfd, &rec, ret_err);
                        if (r < 0)
                                goto fail;
                        break;
                case SYNC_USERNS: {
                        pid_t target = m.value > 0 ? m.value : child;
                        const SpecLinux *l = &spec->linux_;

                        r = idmap_write(target, l->uid_mappings, l->n_uid_mappings, l->gid_mappings, l->n_gid_mappings,
                                        &setgroups_denied, ret_err);
                        if (r < 0)
                                goto fail;
                        r = sync_send(sock_parent, SYNC_USERNS_ACK, 0, NULL, 0, -1);
                        if (r < 0) {
                                error_set(ret_err, -r, "sync");
                                goto fail;
                        }
                        break;
                }
                case SYNC_HOOKS:
                        r = hooks_run(spec, HOOK_PRESTART, state, ret_err);
                        if (r >= 0)
                                r = hooks_run(spec, HOOK_CREATE_RUNTIME, state, ret_err);
                        if (r < 0) {
                                (void)sync_send_error(sock_parent, *ret_err);
                                goto fail;
                        }
                        r = sync_send(sock_parent, SYNC_HOOKS_ACK, 0, NULL, 0, -1);
                        if (r < 0) {
                                error_set(ret_err, -r, "sync");
                                goto fail;
                        }
                        break;
                case SYNC_CONSOLE:
                        if (m.value == 1) {
                                /* seccomp notify fd for listenerPath */
                                _cleanup_close_ int nfd = fd;
                                _cleanup_free_ char *ps = NULL;
                                const SpecSeccomp *s = &spec->linux_.seccomp;

                                if (asprintf(&ps,
                                             "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%d,"
                                             "\"metadata\":\"%s\",\"state\":%s}",
                                             SPEC_VERSION, (int)init_pid,
                                             s->listener_metadata ? s->listener_metadata : "", state) < 0) {
                                        r = error_set(ret_err, ENOMEM, "seccomp state");
                                        goto fail;
                                }
                                r = seccomp_send_listener(s->listener_path, nfd, ps, ret_err);
                                if (r < 0)
                                        goto fail;
                                break;
                        }
                        safe_close(console);
                        console = fd;
                        break;
                case SYNC_READY: goto ready;
                default:
                        safe_close(fd);
                        r = error_setx(ret_err, EPROTO, "unexpected message %u from init", m.type);
                        goto fail;
                }
        }

ready:
        if (child > 0 && child != init_pid)
                (void)waitpid(child, NULL, 0);
        if (console >= 0 && c->console_socket) {
                r = console_send(c->console_socket, console, ret_err);
                if (r < 0)
                        goto fail;
                console = safe_close(console);
        }
        if (c->pid_file) {
                r = write_pid_file(c->pid_file, init_pid, ret_err);
                if (r < 0)
                        goto fail;
        }
        if (c->start && spec->n_hooks[HOOK_POSTSTART] > 0) {
                /* poststart runs once the user's program runs: our end of
                 * the sync socket sees EOF when the init's (close-on-exec)
                 * closes. */
                char b;
                ssize_t n;

                do
                        n = recv(sock_parent, &b, 1, 0);
                while (n > 0 || (n < 0 && errno == EINTR));
                runtime_poststart(o, spec, &rec);
        }
        if (ret_pid)
                *ret_pid = init_pid;
        if (ret_console)
                *ret_console = TAKE_FD(console);
        if (ret_spec)
                *ret_spec = TAKE_PTR(parsed);
        if (c->ret_cgroup)
                *c->ret_cgroup = TAKE_PTR(cg);
        free(rec.created);
        free(rec.owner);
        return 0;

fail:
        if (sock_parent >= 0)
                prefer_init_error(sock_parent, ret_err);
        if (init_pid > 0) {
                kill(init_pid, SIGKILL);
                (void)waitpid(init_pid, NULL, 0);
        }
        if (child > 0 && child != init_pid) {
                kill(child, SIGKILL);
                (void)waitpid(child, NULL, 0);
        }
        if (cg) {
                _cleanup_error_ Error *e2 = NULL;
                (void)cgroup_destroy(cg, &e2);
        }
        if (dir_made) {
                (void)unlinkat(dirfd, "exec.fifo", 0);
                (void)statedir_remove(o, id);
        }
        free(rec.created);
        free(rec.owner);
        return r < 0 ? r : -EIO;
}
