/* The config.json that `husk-runtime spec` writes: the same document as
 * `runc spec` (runc 1.1), byte for byte apart from ociVersion, so that
 * scripts and tests written against runc's template keep working. */

#include <jansson.h>

#include "oci/spec-internal.h"
#include "oci/state.h"

static json_t *default_process(void)
{
        static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
        static const char *const env[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm",
                NULL,
        };

        /* runc writes no "inheritable" set. */
        return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:o, s:s, s:{s:o, s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b}",
                         "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env", json_strv(env), "cwd", "/",
                         "capabilities", "bounding", json_strv(caps), "effective", json_strv(caps), "permitted",
                         json_strv(caps), "ambient", json_strv(caps), "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024,
                         "soft", 1024, "noNewPrivileges", 1);
}

json_t *spec_mount_json(const char *dest, const char *type, const char *source, const char *const *options)
{
        if (!options)
                return json_pack("{s:s, s:s, s:s}", "destination", dest, "type", type, "source", source);
        return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", source, "options",
                         json_strv(options));
}

static json_t *default_mounts(bool rootless)
{
        static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
        /* Rootless: no gid=5, the tty group is usually not mapped. */
        static const char *const pts[] = {
                "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL,
        };
        static const char *const pts_rootless[] = {
                "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL,
        };
        static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
        static const char *const mqueue[] = { "nosuid", "noexec", "nodev", NULL };
        static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
        /* Rootless: sysfs cannot be mounted without owning the network
         * namespace, so bind the host's. */
        static const char *const sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
        static const char *const cgroup[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
        json_t *a = json_array();

        if (!a)
                return NULL;
        if (json_array_append_new(a, spec_mount_json("/proc", "proc", "proc", NULL)) < 0 ||
            json_array_append_new(a, spec_mount_json("/dev", "tmpfs", "tmpfs", dev)) < 0 ||
            json_array_append_new(a, spec_mount_json("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts)) <
                    0 ||
            json_array_append_new(a, spec_mount_json("/dev/shm", "tmpfs", "shm", shm)) < 0 ||
            json_array_append_new(a, spec_mount_json("/dev/mqueue", "mqueue", "mqueue", mqueue)) < 0 ||
            json_array_append_new(a, rootless ? spec_mount_json("/sys", "none", "/sys", sys_rootless)
                                              : spec_mount_json("/sys", "sysfs", "sysfs", sys)) < 0 ||
            json_array_append_new(a, spec_mount_json("/sys/fs/cgroup", "cgroup", "cgroup", cgroup)) < 0) {
                json_decref(a);
                return NULL;
        }
        return a;
}

static json_t *default_linux(bool rootless, uid_t uid, gid_t gid)
{
        static const char *const masked[] = {
                "/proc/acpi",
                "/proc/asound",
                "/proc/kcore",
                "/proc/keys",
                "/proc/latency_stats",
                "/proc/timer_list",
                "/proc/timer_stats",
                "/proc/sched_debug",
                "/sys/firmware",
                "/proc/scsi",
                NULL,
        };
        static const char *const readonly[] = {
                "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
        };

        if (rootless)
                /* runc --rootless: no network namespace (it could not be
                 * connected anywhere), a user namespace mapping the caller
                 * to root, and no device cgroup rules (not delegated). */
                return json_pack("{s:[{s:i, s:I, s:i}], s:[{s:i, s:I, s:i}], "
                                 "s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:o, s:o}",
                                 "uidMappings", "containerID", 0, "hostID", (json_int_t)uid, "size", 1, "gidMappings",
                                 "containerID", 0, "hostID", (json_int_t)gid, "size", 1, "namespaces", "type", "pid",
                                 "type", "ipc", "type", "uts", "type", "mount", "type", "user", "maskedPaths",
                                 json_strv(masked), "readonlyPaths", json_strv(readonly));

        return json_pack("{s:{s:[{s:b, s:s}]}, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:o, s:o}", "resources",
                         "devices", "allow", 0, "access", "rwm", "namespaces", "type", "pid", "type", "network", "type",
                         "ipc", "type", "uts", "type", "mount", "maskedPaths", json_strv(masked), "readonlyPaths",
                         json_strv(readonly));
}

/* Go's json.MarshalIndent(v, "", "\t") indents with tabs; jansson only
 * with spaces. Dump with one space per level and turn each line's leading
 * spaces into tabs: a newline never occurs inside a JSON string (it is
 * escaped), so every run of spaces after a newline is indentation. */
static char *dump_with_tabs(const json_t *root)
{
        char *s = json_dumps(root, JSON_INDENT(1));
        bool at_line_start = false;
        char *w;

        if (!s)
                return NULL;
        w = s;
        for (const char *p = s; *p; p++) {
                if (*p == '\n')
                        at_line_start = true;
                else if (*p != ' ')
                        at_line_start = false;
                *w++ = (at_line_start && *p == ' ') ? '\t' : *p;
        }
        *w = '\0';
        return s;
}

char *spec_default_json(bool rootless, uid_t uid, gid_t gid)
{
        json_t *root;
        char *s;

        root = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", SPEC_VERSION, "process",
                         default_process(), "root", "path", "rootfs", "readonly", 1, "hostname", "runc", "mounts",
                         default_mounts(rootless), "linux", default_linux(rootless, uid, gid));
        if (!root)
                return NULL;
        s = dump_with_tabs(root);
        json_decref(root);
        return s;
}
