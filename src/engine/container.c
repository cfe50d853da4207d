/* Container lifecycle: create (rootfs, spec, record), start (a monitor),
 * kill, stop, wait, remove. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/hostconfig.h"
#include "engine/netfiles.h"
#include "engine/network.h"
#include "engine/volumes.h"
#include "engine/monitor-opts.h"
#include "image/imgspec.h"
#include "image/rootfs.h"
#include "lib/macros.h"
#include "lib/util.h"
#include "oci/spec.h"

bool engine_name_valid(const char *n)
{
        if (n[0] == '/')
                n++;
        if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= '0' && n[0] <= '9')))
                return false;
        for (const char *p = n + 1; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p))
                        return false;
        return n[1] != 0;
}

static json_t *strv_json(char *const *v)
{
        json_t *a;

        if (!v)
                return json_null();
        a = json_array();
        for (; a && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

static json_t *build_record(const char *id, const char *name, const EngineCreateOpts *o, const StoreImage *img,
                            const ImageConfig *ic, const Spec *spec, const char *network, const char *cgparent,
                            const char *log_path)
{
        _cleanup_free_ char *now = now_rfc3339(), *fullname = NULL;
        json_t *args = json_array(), *binds = json_null(), *mounts = json_array();
        char *const *entry = o->entrypoint ? o->entrypoint : ic->entrypoint;
        char *const *cmd = o->entrypoint ? o->cmd : (o->cmd ? o->cmd : ic->cmd);

        for (size_t i = 1; i < spec->process.n_args; i++)
                json_array_append_new(args, json_string(spec->process.args[i]));
        if (asprintf(&fullname, "/%s", name) < 0)
                fullname = NULL;
        return json_pack(
                "{s:s,s:s,s:s,s:o,s:{s:s,s:b,s:b,s:b,s:b,s:b,s:i,s:i,s:s,s:s,s:s},s:s,s:s,s:s,s:i,s:s,s:s,"
                "s:{s:o,s:s,s:b,s:s},s:o,"
                "s:{s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:o,s:o,s:s,s:s,s:o,s:o,s:s*}}",
                "Id", id, "Created", now ? now : "", "Path", spec->process.args[0], "Args", args, "State", "Status",
                "created", "Running", 0, "Paused", 0, "Restarting", 0, "OOMKilled", 0, "Dead", 0, "Pid", 0, "ExitCode",
                0, "Error", "", "StartedAt", "0001-01-01T00:00:00Z", "FinishedAt", "0001-01-01T00:00:00Z", "Image",
                img->id, "LogPath", log_path, "Name", fullname ? fullname : name, "RestartCount", 0, "Driver",
                "overlay", "Platform", "linux", "HostConfig", "Binds", binds, "NetworkMode", network, "AutoRemove",
                o->auto_remove, "CgroupParent", cgparent, "Mounts", mounts, "Config", "Hostname",
                spec->hostname ? spec->hostname : "", "Domainname", "", "User",
                o->user ? o->user : (ic->user ? ic->user : ""), "AttachStdin", o->interactive, "AttachStdout", 1,
                "AttachStderr", 1, "Tty", o->tty, "OpenStdin", o->interactive, "StdinOnce", o->interactive, "Env",
                strv_json(spec->process.env), "Cmd", strv_json(cmd), "Image", o->image, "WorkingDir",
                o->workdir ? o->workdir : (ic->working_dir ? ic->working_dir : ""), "Entrypoint",
                strv_json(entry && entry[0] ? entry : NULL), "Labels", json_object(), "StopSignal", ic->stop_signal);
}

/* What a create that died between mounting a rootfs and writing its
 * record left: a container directory without container.json, which no
 * command can name; and what a crash of the machine left of a --rm
 * container, whose record is written without fsync: an empty one. Only
 * under the engine lock, which every create holds from the first to the
 * last of those steps (and a record is replaced by rename, never seen
 * half-written otherwise). */
static void sweep_unrecorded(Engine *e)
{
        _cleanup_(closedirp) DIR *d = opendir(e->cdir);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                struct stat st;
                char rec[80];
                if (strlen(de->d_name) != 64 || strspn(de->d_name, "0123456789abcdef") != 64)
                        continue;
                snprintf(rec, sizeof(rec), "%s/container.json", de->d_name);
                if (fstatat(dirfd(d), rec, &st, AT_SYMLINK_NOFOLLOW) < 0 ? errno == ENOENT : st.st_size == 0)
                        ERROR_IGNORE(rootfs_remove(e->store, de->d_name, &ign_));
        }
}

int engine_create(Engine *e, const EngineCreateOpts *o, char **ret_id, Error **ret_err)
{
        _cleanup_store_image_ StoreImage *img = NULL;
        _cleanup_image_config_ ImageConfig *ic = NULL;
        _cleanup_free_ char *cfg = NULL, *merged = NULL, *name = NULL, *taken = NULL, *cgpath = NULL, *spec_path = NULL,
                            *spec_text = NULL, *log_path = NULL, *hostname = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_close_ int rootfs_fd = -EBADF;
        const char *network = engine_network_mode(o->network), *cgparent = o->cgroup_parent;
        _cleanup_(engine_mounts_freep) EngineMounts *mounts = NULL;
        size_t cfg_len = 0;
        json_t *rec = NULL, *xrec = NULL; /* xrec: --network container:X's record */
        char id[65];
        int r;

        if ((r = engine_monitor_check(o, ret_err)) < 0)
                return r;
        if ((r = netfiles_validate(o, network, ret_err)) < 0)
                return r;
        if (o->name && !engine_name_valid(o->name))
                return error_setx(ret_err, EINVAL,
                                  "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", o->name);
        /* the default parent: HUSK_CGROUP_PARENT, as dockerd's
         * --cgroup-parent, else /husk */
        if (!cgparent || !*cgparent)
                cgparent = getenv("HUSK_CGROUP_PARENT");
        if (!cgparent || !*cgparent)
                cgparent = "/husk";
        r = engine_mounts_parse(o, &mounts, ret_err);
        if (r < 0)
                return r;

        r = store_lookup(e->store, o->image, &img, NULL, ret_err);
        if (r < 0)
                goto out;
        r = store_read_blob(e->store, img->id, &cfg, &cfg_len, ret_err);
        if (r < 0)
                goto out;
        r = imgspec_parse_config(cfg, cfg_len, img->id, &ic, ret_err);
        if (r < 0)
                goto out;

        r = engine_lock(e, ret_err);
        if (r < 0)
                goto out;
        sweep_unrecorded(e);
        if (o->name) {
                taken = engine_find_name(e, o->name);
                if (taken) {
                        r = error_setx(ret_err, EEXIST,
                                       "Conflict. The container name \"/%s\" is already in use by container \"%s\". "
                                       "You have to remove (or rename) that container to be able to reuse that name.",
                                       o->name[0] == '/' ? o->name + 1 : o->name, taken);
                        goto unlock;
                }
                name = strdup(o->name[0] == '/' ? o->name + 1 : o->name);
        } else
                for (int tries = 0; tries < 20; tries++) {
                        free(name);
                        name = engine_random_name();
                        if (!name || !(taken = engine_find_name(e, name)))
                                break;
                        free(taken);
                        taken = NULL;
                }
        if (!name || taken || (r = engine_new_id(id)) < 0) {
                r = error_set(ret_err, taken ? EEXIST : ENOMEM, "name the container");
                goto unlock;
        }
        if (strncmp(network, "container:", 10) == 0 &&
            (r = hostconfig_peer(e, network + 10, "network", &xrec, ret_err)) < 0)
                goto unlock;
        hostname = netfiles_hostname(o, network, id, xrec);
        if (!hostname) {
                r = error_set(ret_err, ENOMEM, "hostname");
                goto unlock;
        }
        r = rootfs_prepare(e->store, img, id, NULL, &merged, ret_err);
        if (r < 0)
                goto unlock;
        rootfs_fd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfs_fd < 0) {
                r = error_set(ret_err, errno, "open %s", merged);
                goto undo;
        }
        {
                ImgSpecOverrides ov = { .entrypoint = o->entrypoint,
                                        .cmd = o->cmd,
                                        .env = o->env,
                                        .user = o->user,
                                        .workdir = o->workdir,
                                        .hostname = hostname,
                                        .id = id };
                r = imgspec_build(ic, rootfs_fd, &ov, &spec, ret_err);
                if (r < 0)
                        goto undo;
        }
        free(spec->root_path);
        spec->root_path = strdup(merged);
        if (asprintf(&cgpath, cgparent[0] == '/' ? "%s/%s" : "/%s/%s", cgparent, id) < 0) {
                r = error_set(ret_err, ENOMEM, "cgroup path");
                goto undo;
        }
        free(spec->linux_.cgroups_path);
        spec->linux_.cgroups_path = TAKE_PTR(cgpath);
        r = engine_mounts_apply(e, mounts, ic, rootfs_fd, spec, ret_err);
        if (r < 0)
                goto undo;
        if (!spec->root_path || !spec->linux_.cgroups_path) {
                r = error_set(ret_err, ENOMEM, "spec");
                goto undo;
        }
        if ((r = hostconfig_apply_spec(e, o, spec, ret_err)) < 0)
                goto undo;
        spec_path = engine_path(e, id, "config.json");
        log_path = engine_log_path(e, id);
        rec = build_record(id, name, o, img, ic, spec, network, cgparent, log_path);
        if (rec && (hostconfig_apply_record(o, ic, rec, NULL) < 0 || engine_mounts_record(mounts, rec) < 0 ||
                    engine_monitor_record(rec, o) < 0))
                rec = (json_decref(rec), NULL);
        if (!rec) {
                r = error_set(ret_err, ENOMEM, "container record");
                goto undo;
        }
        r = engine_network_create(e, id, network, o->ip, o->network_aliases, o->publish, o->publish_all,
                                  ic->exposed_ports, spec, rec, ret_err);
        if (r >= 0 && xrec)
                r = engine_network_join_container(e, xrec, spec, ret_err);
        if (r >= 0)
                r = netfiles_create(e, id, o, network, xrec, spec, rec, ret_err);
        if (r < 0)
                goto undo;
        r = spec_to_json(spec, &spec_text, ret_err);
        if (r < 0)
                goto undo;
        r = write_file_replace(spec_path, spec_text, strlen(spec_text), 0600, !o->auto_remove, ret_err);
        if (r < 0)
                goto undo;
        r = engine_save(e, id, rec, ret_err);
        if (r < 0)
                goto undo;
        json_decref(rec);
        json_decref(xrec);
        engine_unlock(e);
        *ret_id = strdup(id);
        return 0;
undo:
        json_decref(rec);
        engine_mounts_undo(e, mounts);
        /* an fd open in the rootfs would keep it busy */
        rootfs_fd = safe_close(rootfs_fd);
        (void)rootfs_remove(e->store, id, NULL);
unlock:
        json_decref(xrec);
        engine_unlock(e);
out:
        return r;
}

int engine_start(Engine *e, const char *id, bool attach, int *ret_exit, Error **ret_err)
{
        if (!attach)
                return engine_start_detached(e, id, -EBADF, ret_err);
        if (hostconfig_rejoin(e, id, ret_err) < 0)
                return -EINVAL;
        return engine_monitor(e, id, true, -EBADF, -EBADF, ret_exit, ret_err);
}

int engine_start_detached(Engine *e, const char *id, int client_fd, Error **ret_err)
{
        int p[2], status, code = 0;
        char msg[4096];
        ssize_t n;
        pid_t child;

        if (hostconfig_rejoin(e, id, ret_err) < 0) {
                safe_close(client_fd);
                return -EINVAL;
        }
        if (pipe2(p, O_CLOEXEC) < 0) {
                safe_close(client_fd);
                return error_set(ret_err, errno, "pipe");
        }
        child = fork();
        if (child < 0) {
                close(p[0]);
                close(p[1]);
                safe_close(client_fd);
                return error_set(ret_err, errno, "fork");
        }
        if (child == 0) {
                /* the monitor: in its own session, reparented to init (or
                 * a subreaper) by the double fork, so that the caller can
                 * exit */
                close(p[0]);
                setsid();
                if (fork() != 0)
                        _exit(0);
                engine_close_inherited(p[1]);
                engine_exec_monitor(e, id, p[1], client_fd);
                /* no husk-monitor next to husk: this process will do */
                _exit(engine_monitor(e, id, false, p[1], client_fd, NULL, NULL) < 0 ? 1 : 0);
        }
        close(p[1]);
        safe_close(client_fd);
        (void)waitpid(child, &status, 0);
        memset(msg, 0, sizeof(msg));
        n = read(p[0], &code, sizeof(code));
        if (n == (ssize_t)sizeof(code) && code != 0) {
                ssize_t m = read(p[0], msg, sizeof(msg) - 1);
                (void)m;
        }
        close(p[0]);
        if (n != (ssize_t)sizeof(code))
                return error_setx(ret_err, EIO, "container %s: its monitor exited before it started", id);
        if (code != 0)
                return error_setx(ret_err, code, "%s", msg);
        return 0;
}

static int load_running(Engine *e, const char *id, json_t **ret, bool *ret_running, Error **ret_err)
{
        int r = engine_load(e, id, ret, ret_err);

        if (r < 0)
                return r;
        *ret_running = json_is_true(json_object_get(json_object_get(*ret, "State"), "Running"));
        return 0;
}

/* Whether the container runs (its record, recovered, says so). */
static int is_running(Engine *e, const char *id, bool *ret_running, Error **ret_err)
{
        json_t *rec = NULL;
        int r = load_running(e, id, &rec, ret_running, ret_err);

        json_decref(rec);
        return r;
}

int engine_kill(Engine *e, const char *id, int sig, Error **ret_err)
{
        bool running;
        int r = is_running(e, id, &running, ret_err);

        if (r < 0)
                return r;
        if (!running)
                return error_setx(ret_err, EINVAL, "cannot kill container: %s: container %s is not running", id, id);
        if (sig == SIGKILL) /* other signals wait for unpause, as Docker's */
                engine_thaw_for_signal(e, id);
        return runtime_kill(&e->ro, id, sig, false, ret_err);
}

/* Block until the monitor has gone (its lock is free). */
static void wait_monitor(Engine *e, const char *id)
{
        _cleanup_free_ char *p = engine_monitor_lock_path(e, id);
        _cleanup_close_ int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -EBADF;

        if (fd >= 0)
                (void)flock(fd, LOCK_SH);
}

int engine_wait(Engine *e, const char *id, int *ret_exit, Error **ret_err)
{
        json_t *rec = NULL;
        int r;

        wait_monitor(e, id);
        r = engine_load(e, id, &rec, ret_err);
        if (r < 0)
                return r;
        *ret_exit = (int)json_integer_value(json_object_get(json_object_get(rec, "State"), "ExitCode"));
        json_decref(rec);
        return 0;
}

int engine_stop(Engine *e, const char *id, int timeout, Error **ret_err)
{
        json_t *rec = NULL;
        bool running, st, forever;
        const char *ss;
        int sig = SIGTERM, r = load_running(e, id, &rec, &running, ret_err);

        if (r < 0)
                return r;
        ss = json_string_value(json_object_get(json_object_get(rec, "Config"), "StopSignal"));
        if (ss && signal_from_string(ss) > 0)
                sig = signal_from_string(ss);
        st = timeout < 0 && json_is_integer(json_object_get(json_object_get(rec, "Config"), "StopTimeout"));
        if (st)
                timeout = (int)json_integer_value(json_object_get(json_object_get(rec, "Config"), "StopTimeout"));
        json_decref(rec);
        if (!running)
                return 0;
        forever = timeout == -1 && st; /* --stop-timeout -1 */
        if (timeout < 0)
                timeout = 10;
        engine_mark_stopped(e, id);
        engine_thaw_for_signal(e, id);
        ERROR_IGNORE(runtime_kill(&e->ro, id, sig, false, &ign_));
        for (int i = 0; (forever || i < timeout * 50) && engine_monitor_alive(e, id); i++)
                usleep(20000);
        if (engine_monitor_alive(e, id))
                ERROR_IGNORE(runtime_kill(&e->ro, id, SIGKILL, false, &ign_));
        wait_monitor(e, id);
        return 0;
}

int engine_remove(Engine *e, const char *id, bool force, Error **ret_err)
{
        _cleanup_free_ char *lock = NULL;
        bool running;
        int r = is_running(e, id, &running, ret_err);

        if (r < 0)
                return r;
        if (running && !force)
                return error_setx(ret_err, EBUSY,
                                  "cannot remove container \"%s\": container is running: stop the container before "
                                  "removing or force remove",
                                  id);
        if (running) {
                engine_mark_stopped(e, id);
                engine_thaw_for_signal(e, id);
                ERROR_IGNORE(runtime_kill(&e->ro, id, SIGKILL, false, &ign_));
                wait_monitor(e, id);
        }
        engine_network_down(e, id); /* what a dead monitor left */
        r = engine_lock(e, ret_err);
        if (r < 0)
                return r;
        ERROR_IGNORE(runtime_delete(&e->ro, id, true, NULL, &ign_));
        r = rootfs_remove(e->store, id, ret_err);
        lock = engine_monitor_lock_path(e, id);
        if (lock)
                (void)unlink(lock);
        engine_unlock(e);
        return r;
}

/* exec -d -t: the runtime hands the pty's master to a console socket, and
 * a process of ours takes it and reads what the command writes (dropped,
 * as Docker's shim drops it) until the command and what it started have
 * closed the pty. The socket's path in *ret_path, the process in *ret_pid. */
static int exec_tty_holder(Engine *e, const char *id, char **ret_path, pid_t *ret_pid, Error **ret_err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;
        pid_t pid;

        if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%.12s.exec-%d.sock", e->mon_dir, id, (int)getpid()) >=
            (int)sizeof(sa.sun_path))
                return error_setx(ret_err, ENAMETOOLONG, "exec -t: a console socket in %s: path too long", e->mon_dir);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set(ret_err, errno, "exec -t: console socket");
        (void)unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
                return error_set(ret_err, errno, "exec -t: console socket %s", sa.sun_path);
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                (void)unlink(sa.sun_path);
                return error_set(ret_err, -r, "fork");
        }
        if (pid == 0) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC), c, master = -EBADF;
                char buf[4096];

                /* nothing of husk's kept open (the engine's lock among
                 * them) for as long as the command runs */
                (void)setsid();
                for (int i = 0; i < 3 && devnull >= 0; i++)
                        (void)dup2(devnull, i);
                (void)close_all_fds(3, &fd, 1);
                if (poll(&p, 1, 30000) <= 0)
                        _exit(1);
                c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0 || recv_fd(c, &master, buf, sizeof(buf)) < 0)
                        _exit(1);
                close(c);
                close(fd);
                for (;;) {
                        ssize_t n = read(master, buf, sizeof(buf));
                        if (n > 0 || (n < 0 && errno == EINTR))
                                continue;
                        break; /* EIO: the last of the command's ends closed */
                }
                _exit(0);
        }
        *ret_path = strdup(sa.sun_path);
        if (!*ret_path) {
                (void)unlink(sa.sun_path);
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return error_set(ret_err, ENOMEM, "exec");
        }
        *ret_pid = pid;
        return 0;
}

int engine_exec(Engine *e, const char *id, const EngineExecOpts *o, int *ret_exit, Error **ret_err)
{
        _cleanup_spec_ Spec *spec = NULL;
        json_t *rec = NULL;
        SpecProcess *p;
        ExecOpts x = { 0 };
        const char *status;
        bool running;
        int r;

        *ret_exit = 0;
        r = engine_load(e, id, &rec, ret_err);
        if (r < 0)
                return r;
        status = json_string_value(json_object_get(json_object_get(rec, "State"), "Status"));
        running = status && streq(status, "running");
        json_decref(rec);
        if (!running)
                return error_setx(ret_err, EINVAL, "container %s is not running", id);
        r = runtime_load_spec(&e->ro, id, &spec, ret_err);
        if (r < 0)
                return r;
        p = &spec->process;
        strv_free(p->args);
        p->args = strv_copy(o->argv);
        if (!p->args)
                return error_set(ret_err, ENOMEM, "exec");
        p->n_args = strv_length(p->args);
        for (char *const *kv = o->env; kv && *kv; kv++)
                if (strv_env_set(&p->env, *kv) < 0)
                        return error_set(ret_err, ENOMEM, "exec");
        p->n_env = strv_length(p->env);
        if (o->workdir) {
                if (o->workdir[0] != '/')
                        return error_setx(ret_err, EINVAL,
                                          "the working directory '%s' is invalid, it needs to be an "
                                          "absolute path",
                                          o->workdir);
                free(p->cwd);
                p->cwd = strdup(o->workdir);
                if (!p->cwd)
                        return error_set(ret_err, ENOMEM, "exec");
        }
        if (o->user) {
                _cleanup_close_ int root = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                ImgSpecUser u = { 0 };

                if (root < 0)
                        return error_set(ret_err, errno, "open the container's rootfs %s", spec->root_path);
                r = imgspec_resolve_user(root, o->user, &u, ret_err);
                if (r < 0)
                        return r;
                p->user.uid = u.uid;
                p->user.gid = u.gid;
                free(p->user.additional_gids);
                p->user.additional_gids = TAKE_PTR(u.additional_gids);
                p->user.n_additional_gids = u.n_additional_gids;
                imgspec_user_clear(&u);
        }
        p->terminal = o->tty;
        x.process = p;
        x.detach = o->detach;
        if (o->tty && o->detach) {
                _cleanup_free_ char *sock = NULL;
                pid_t holder;

                r = exec_tty_holder(e, id, &sock, &holder, ret_err);
                if (r < 0)
                        return r;
                x.console_socket = sock;
                r = runtime_exec(&e->ro, id, &x, ret_exit, ret_err);
                (void)unlink(sock);
                if (r < 0) {
                        (void)kill(holder, SIGKILL);
                        (void)waitpid(holder, NULL, 0);
                        return -engine_start_error_code(ret_err ? *ret_err : NULL);
                }
                return 0;
        }
        if (!o->interactive && !o->tty && !o->detach) {
                /* without -i the command's stdin is empty, as Docker's */
                _cleanup_close_ int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC),
                                    saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
                if (devnull >= 0 && saved >= 0)
                        (void)dup2(devnull, 0);
                r = runtime_exec(&e->ro, id, &x, ret_exit, ret_err);
                if (devnull >= 0 && saved >= 0)
                        (void)dup2(saved, 0);
        } else
                r = runtime_exec(&e->ro, id, &x, ret_exit, ret_err);
        if (r < 0)
                return -engine_start_error_code(ret_err ? *ret_err : NULL);
        return 0;
}
