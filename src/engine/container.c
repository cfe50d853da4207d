/* Container lifecycle: create (rootfs, spec, record), start (a monitor),
 * kill, stop, wait, remove. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine-internal.h"
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

typedef struct Volume {
        char *source, *destination;
        bool ro;
} Volume;

static void volumes_free(Volume *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].source);
                free(v[i].destination);
        }
        free(v);
}

static int parse_volumes(char *const *specs, Volume **ret, size_t *ret_n, Error **ret_err)
{
        size_t n = strv_length(specs);
        Volume *v = calloc(n + 1, sizeof(Volume));

        if (!v)
                return error_set(ret_err, ENOMEM, "volumes");
        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_ char **parts = NULL;
                char *copy = strdup(specs[i]), *save = NULL;
                size_t k = 0;

                for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
                        strv_push(&parts, t);
                free(copy);
                k = strv_length(parts);
                if (k < 2 || k > 3 || parts[0][0] != '/' || parts[1][0] != '/' ||
                    (k == 3 && !streq(parts[2], "ro") && !streq(parts[2], "rw"))) {
                        volumes_free(v, n);
                        return error_setx(
                                ret_err, EINVAL,
                                "invalid volume specification: '%s' (want /host/path:/container/path[:ro|rw]; "
                                "named volumes are not supported yet)",
                                specs[i]);
                }
                v[i].source = path_clean(parts[0]);
                v[i].destination = path_clean(parts[1]);
                v[i].ro = k == 3 && streq(parts[2], "ro");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int add_bind(Spec *spec, const Volume *v)
{
        SpecMount *m = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(SpecMount));
        SpecMount *nm;

        if (!m)
                return -ENOMEM;
        spec->mounts = m;
        nm = &m[spec->n_mounts];
        *nm = (SpecMount){ 0 };
        nm->destination = strdup(v->destination);
        nm->type = strdup("bind");
        nm->source = strdup(v->source);
        nm->options = calloc(4, sizeof(char *));
        spec->n_mounts++;
        if (!nm->destination || !nm->type || !nm->source || !nm->options)
                return -ENOMEM;
        nm->options[0] = strdup("rbind");
        nm->options[1] = strdup("rprivate");
        nm->options[2] = strdup(v->ro ? "ro" : "rw");
        nm->n_options = 3;
        return nm->options[0] && nm->options[1] && nm->options[2] ? 0 : -ENOMEM;
}

static void drop_netns(Spec *spec)
{
        SpecLinux *l = &spec->linux_;

        for (size_t i = 0; i < l->n_namespaces; i++)
                if (l->namespaces[i].type == NS_NET) {
                        free(l->namespaces[i].path);
                        memmove(&l->namespaces[i], &l->namespaces[i + 1],
                                (l->n_namespaces - i - 1) * sizeof(SpecNamespace));
                        l->n_namespaces--;
                        return;
                }
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
                            const ImageConfig *ic, const Spec *spec, const Volume *vols, size_t n_vols,
                            const char *network, const char *cgparent, const char *log_path)
{
        _cleanup_free_ char *now = now_rfc3339(), *fullname = NULL;
        json_t *args = json_array(), *binds = n_vols ? json_array() : json_null(), *mounts = json_array();
        char *const *entry = o->entrypoint ? o->entrypoint : ic->entrypoint;
        char *const *cmd = o->entrypoint ? o->cmd : (o->cmd ? o->cmd : ic->cmd);

        for (size_t i = 1; i < spec->process.n_args; i++)
                json_array_append_new(args, json_string(spec->process.args[i]));
        for (size_t i = 0; i < n_vols; i++) {
                char *b = NULL;
                if (asprintf(&b, "%s:%s%s", vols[i].source, vols[i].destination, vols[i].ro ? ":ro" : "") >= 0)
                        json_array_append_new(binds, json_string(b));
                free(b);
                json_array_append_new(mounts,
                                      json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "bind", "Source", vols[i].source,
                                                "Destination", vols[i].destination, "Mode", vols[i].ro ? "ro" : "",
                                                "RW", !vols[i].ro, "Propagation", "rprivate"));
        }
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

int engine_create(Engine *e, const EngineCreateOpts *o, char **ret_id, Error **ret_err)
{
        _cleanup_store_image_ StoreImage *img = NULL;
        _cleanup_image_config_ ImageConfig *ic = NULL;
        _cleanup_free_ char *cfg = NULL, *merged = NULL, *name = NULL, *taken = NULL, *cgpath = NULL, *spec_path = NULL,
                            *spec_text = NULL, *log_path = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_close_ int rootfs_fd = -EBADF;
        const char *network = o->network ? o->network : "none", *cgparent = o->cgroup_parent;
        Volume *vols = NULL;
        size_t n_vols = 0, cfg_len = 0;
        json_t *rec = NULL;
        char id[65];
        int r;

        if (streq(network, "default"))
                network = "none";
        if (streq(network, "bridge"))
                return error_setx(ret_err, EINVAL,
                                  "network bridge: bridge networking is not implemented yet (it comes with the "
                                  "networking layer); use --network none (the default for now) or --network host");
        if (!streq(network, "none") && !streq(network, "host"))
                return error_setx(ret_err, ENOENT, "network %s not found", network);
        if (o->tty)
                return error_setx(ret_err, EOPNOTSUPP, "-t/--tty is not supported by husk run yet");
        if (o->name && !engine_name_valid(o->name))
                return error_setx(ret_err, EINVAL,
                                  "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", o->name);
        if (!cgparent || !*cgparent)
                cgparent = "/husk";
        if (o->volumes && parse_volumes(o->volumes, &vols, &n_vols, ret_err) < 0)
                return -EINVAL;

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
                                        .hostname = o->hostname,
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
        if (streq(network, "host"))
                drop_netns(spec);
        for (size_t i = 0; i < n_vols; i++) {
                struct stat st;
                /* Docker makes a missing host directory */
                if (stat(vols[i].source, &st) < 0 && mkdir_p(vols[i].source, 0755) < 0) {
                        r = error_set(ret_err, errno, "create %s", vols[i].source);
                        goto undo;
                }
                if (add_bind(spec, &vols[i]) < 0) {
                        r = error_set(ret_err, ENOMEM, "volumes");
                        goto undo;
                }
        }
        if (!spec->root_path || !spec->linux_.cgroups_path) {
                r = error_set(ret_err, ENOMEM, "spec");
                goto undo;
        }
        spec_path = engine_path(e, id, "config.json");
        log_path = engine_log_path(e, id);
        r = spec_to_json(spec, &spec_text, ret_err);
        if (r < 0)
                goto undo;
        r = write_file_atomic(spec_path, spec_text, strlen(spec_text), 0600, ret_err);
        if (r < 0)
                goto undo;
        rec = build_record(id, name, o, img, ic, spec, vols, n_vols, network, cgparent, log_path);
        if (!rec) {
                r = error_set(ret_err, ENOMEM, "container record");
                goto undo;
        }
        r = engine_save(e, id, rec, ret_err);
        json_decref(rec);
        if (r < 0)
                goto undo;
        engine_unlock(e);
        volumes_free(vols, n_vols);
        *ret_id = strdup(id);
        return 0;
undo:
        (void)rootfs_remove(e->store, id, NULL);
unlock:
        engine_unlock(e);
out:
        volumes_free(vols, n_vols);
        return r;
}

/* Close what this process inherited without O_CLOEXEC (a caller's pipes:
 * bats waits for its fd 3 to close), keeping `keep`. */
static void close_inherited(int keep)
{
        _cleanup_(closedirp) DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name), fl;
                if (fd < 3 || fd == keep || fd == dirfd(d))
                        continue;
                fl = fcntl(fd, F_GETFD);
                if (fl >= 0 && !(fl & FD_CLOEXEC))
                        close(fd);
        }
}

int engine_start(Engine *e, const char *id, bool attach, int *ret_exit, Error **ret_err)
{
        int p[2], status, code = 0;
        char msg[4096];
        ssize_t n;
        pid_t child;

        if (attach)
                return engine_monitor(e, id, true, -EBADF, ret_exit, ret_err);
        if (pipe2(p, O_CLOEXEC) < 0)
                return error_set(ret_err, errno, "pipe");
        child = fork();
        if (child < 0) {
                close(p[0]);
                close(p[1]);
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
                close_inherited(p[1]);
                _exit(engine_monitor(e, id, false, p[1], NULL, NULL) < 0 ? 1 : 0);
        }
        close(p[1]);
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
        bool running;
        const char *ss;
        int sig = SIGTERM, r = load_running(e, id, &rec, &running, ret_err);

        if (r < 0)
                return r;
        ss = json_string_value(json_object_get(json_object_get(rec, "Config"), "StopSignal"));
        if (ss && signal_from_string(ss) > 0)
                sig = signal_from_string(ss);
        json_decref(rec);
        if (!running)
                return 0;
        if (timeout < 0)
                timeout = 10;
        engine_thaw_for_signal(e, id);
        RT_IGNORE(runtime_kill(&e->ro, id, sig, false, &ign_));
        for (int i = 0; i < timeout * 50 && engine_monitor_alive(e, id); i++)
                usleep(20000);
        if (engine_monitor_alive(e, id))
                RT_IGNORE(runtime_kill(&e->ro, id, SIGKILL, false, &ign_));
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
                engine_thaw_for_signal(e, id);
                RT_IGNORE(runtime_kill(&e->ro, id, SIGKILL, false, &ign_));
                wait_monitor(e, id);
        }
        r = engine_lock(e, ret_err);
        if (r < 0)
                return r;
        RT_IGNORE(runtime_delete(&e->ro, id, true, NULL, &ign_));
        r = rootfs_remove(e->store, id, ret_err);
        lock = engine_monitor_lock_path(e, id);
        if (lock)
                (void)unlink(lock);
        engine_unlock(e);
        return r;
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
        p->terminal = false;
        x.process = p;
        x.detach = o->detach;
        r = runtime_exec(&e->ro, id, &x, ret_exit, ret_err);
        if (r < 0)
                return -engine_start_error_code(ret_err ? *ret_err : NULL);
        return 0;
}
