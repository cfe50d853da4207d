/* The engine's default security profile (see profile.h for the seccomp data
 * format).
 *
 * Layout: Docker's defaults as tables (capabilities, paths, mounts), then the
 * seccomp renderer (architectures, includes/excludes, the OCI object it
 * produces), then the whole default config.json built from both. */

#include "oci/profile.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "oci/spec-internal.h"

/* data/seccomp/default.json, compiled in by data/embed.py. */
extern const char profile_seccomp_data[];
extern const size_t profile_seccomp_data_len;

/* What messages about the embedded profile call it. */
#define DEFAULT_NAME "data/seccomp/default.json"

#define _cleanup_json_ _cleanup_(json_decrefp)

/* ---- Docker's defaults ------------------------------------------------------ */

const char *const profile_default_caps[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_FSETID",
        "CAP_FOWNER",
        "CAP_MKNOD",
        "CAP_NET_RAW",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETFCAP",
        "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT",
        "CAP_KILL",
        "CAP_AUDIT_WRITE",
        NULL,
};

/* Host information that is not namespaced: kernel memory, keys, timers,
 * firmware, and the power-capping energy counters, a side channel on what
 * other processes compute (Platypus, CVE-2020-8694). */
const char *const profile_masked_paths[] = {
        "/proc/asound",
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
        NULL,
};

/* Kernel knobs that are global: readable, never writable from inside. */
const char *const profile_readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const char *const opts_proc[] = { "nosuid", "noexec", "nodev", NULL };
static const char *const opts_dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
static const char *const opts_pts[] = {
        "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL,
};
static const char *const opts_shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
static const char *const opts_mqueue[] = { "nosuid", "noexec", "nodev", NULL };
static const char *const opts_sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
static const char *const opts_cgroup[] = { "ro", "nosuid", "noexec", "nodev", NULL };

/* Parents before children: /dev before /dev/pts, /sys before its cgroups. */
const ProfileMount profile_default_mounts[] = {
        { "/proc", "proc", "proc", opts_proc },
        { "/dev", "tmpfs", "tmpfs", opts_dev },
        { "/dev/pts", "devpts", "devpts", opts_pts },
        { "/sys", "sysfs", "sysfs", opts_sys },
        { "/sys/fs/cgroup", "cgroup", "cgroup", opts_cgroup },
        { "/dev/mqueue", "mqueue", "mqueue", opts_mqueue },
        { "/dev/shm", "tmpfs", "shm", opts_shm },
};
const size_t profile_n_default_mounts = ELEMENTSOF(profile_default_mounts);

/* ---- seccomp: architectures ------------------------------------------------- */

/* The architecture husk was built for, as the filter names it: what Docker
 * takes too (Go's GOARCH). archMap adds the ones its kernel also runs. */
#if defined(__x86_64__) && defined(__ILP32__)
#define NATIVE_ARCH "SCMP_ARCH_X32"
#elif defined(__x86_64__)
#define NATIVE_ARCH "SCMP_ARCH_X86_64"
#elif defined(__i386__)
#define NATIVE_ARCH "SCMP_ARCH_X86"
#elif defined(__aarch64__)
#define NATIVE_ARCH "SCMP_ARCH_AARCH64"
#elif defined(__arm__)
#define NATIVE_ARCH "SCMP_ARCH_ARM"
#elif defined(__s390x__)
#define NATIVE_ARCH "SCMP_ARCH_S390X"
#elif defined(__s390__)
#define NATIVE_ARCH "SCMP_ARCH_S390"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ARCH "SCMP_ARCH_PPC64LE"
#elif defined(__powerpc64__)
#define NATIVE_ARCH "SCMP_ARCH_PPC64"
#elif defined(__powerpc__)
#define NATIVE_ARCH "SCMP_ARCH_PPC"
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH "SCMP_ARCH_RISCV64"
#elif defined(__mips__) && defined(_ABI64) && _MIPS_SIM == _ABI64
#define NATIVE_ARCH (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "SCMP_ARCH_MIPSEL64" : "SCMP_ARCH_MIPS64")
#elif defined(__mips__) && defined(_ABIN32) && _MIPS_SIM == _ABIN32
#define NATIVE_ARCH (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "SCMP_ARCH_MIPSEL64N32" : "SCMP_ARCH_MIPS64N32")
#elif defined(__mips__)
#define NATIVE_ARCH (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "SCMP_ARCH_MIPSEL" : "SCMP_ARCH_MIPS")
#else
/* cppcheck-suppress preprocessorErrorDirective ; it tries configurations with no architecture at all */
#error "husk: no seccomp architecture name for this target"
#endif

/* The profile being rendered, for messages: "NAME: syscalls[3].includes: ...". */
typedef struct Render {
        const char *name;
        Error **err;
} Render;

static int bad_profile(const Render *rd, const char *fmt, ...) _printf_(2, 3);
static int bad_profile(const Render *rd, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return error_set(rd->err, ENOMEM, "%s", rd->name);
        return error_setx(rd->err, EINVAL, "%s: %s", rd->name, msg);
}

static int oom(const Render *rd)
{
        return error_set(rd->err, ENOMEM, "%s", rd->name);
}

/* Whether `v` is a JSON array of strings that each start with `prefix`. */
static bool is_name_array(const json_t *v, const char *prefix)
{
        size_t i;
        json_t *e;

        if (!json_is_array(v))
                return false;
        json_array_foreach(v, i, e)
        {
                if (!json_is_string(e) || strncmp(json_string_value(e), prefix, strlen(prefix)) != 0)
                        return false;
        }
        return true;
}

static int append_string(json_t *a, const char *s)
{
        return json_array_append_new(a, json_string(s)) < 0 ? -ENOMEM : 0;
}

/* The filter's architectures: `arches` as given, or the profile's own
 * "architectures" when it has no archMap, or the native one and its archMap
 * entry. A new reference in *ret. */
static int filter_arches(const Render *rd, const json_t *profile, const char *const *arches, json_t **ret)
{
        _cleanup_json_ json_t *a = json_array();
        json_t *map, *entry;
        size_t i;

        if (!a)
                return oom(rd);
        if (arches) {
                for (i = 0; arches[i]; i++)
                        if (append_string(a, arches[i]) < 0)
                                return oom(rd);
                *ret = TAKE_PTR(a);
                return 0;
        }

        /* A plain OCI profile names its architectures itself. */
        map = json_object_get(profile, "archMap");
        if (!map && json_object_get(profile, "architectures")) {
                json_t *own = json_object_get(profile, "architectures");
                if (!is_name_array(own, "SCMP_ARCH_"))
                        return bad_profile(rd, "architectures must be an array of SCMP_ARCH_* names");
                *ret = json_incref(own);
                return 0;
        }

        if (append_string(a, NATIVE_ARCH) < 0)
                return oom(rd);
        if (map && !json_is_array(map))
                return bad_profile(rd, "archMap must be an array");
        json_array_foreach(map, i, entry)
        {
                const json_t *arch = json_object_get(entry, "architecture");
                const json_t *subs = json_object_get(entry, "subArchitectures");
                size_t j;
                json_t *sub;

                if (!json_is_string(arch) || (subs && !is_name_array(subs, "SCMP_ARCH_")))
                        return bad_profile(rd,
                                           "archMap[%zu] needs an \"architecture\" and \"subArchitectures\" of "
                                           "SCMP_ARCH_* names",
                                           i);
                if (!streq(json_string_value(arch), NATIVE_ARCH))
                        continue;
                json_array_foreach(subs, j, sub)
                {
                        if (append_string(a, json_string_value(sub)) < 0)
                                return oom(rd);
                }
        }
        *ret = TAKE_PTR(a);
        return 0;
}

/* ---- seccomp: conditions -------------------------------------------------- */

static bool in_json_array(const json_t *a, const char *s)
{
        size_t i;
        json_t *e;

        json_array_foreach(a, i, e)
        {
                if (streq(json_string_value(e), s))
                        return true;
        }
        return false;
}

typedef struct Condition {
        const json_t *caps;   /* array of CAP_* names, or NULL */
        const json_t *arches; /* array of SCMP_ARCH_* names, or NULL */
} Condition;

/* Read rule.includes or rule.excludes. An unknown key is an error and not
 * ignored: a typo ("cap") would silently make a rule unconditional. */
static int get_condition(const Render *rd, const json_t *rule, size_t i, const char *key, Condition *ret)
{
        json_t *o = json_object_get(rule, key), *v;
        const char *k;

        *ret = (Condition){ 0 };
        if (!o)
                return 0;
        if (!json_is_object(o))
                return bad_profile(rd, "syscalls[%zu].%s must be an object", i, key);
        json_object_foreach(o, k, v)
        {
                if (streq(k, "caps") && is_name_array(v, "CAP_"))
                        ret->caps = v;
                else if (streq(k, "arches") && is_name_array(v, "SCMP_ARCH_"))
                        ret->arches = v;
                else
                        return bad_profile(rd,
                                           "syscalls[%zu].%s.%s: only \"caps\" (CAP_* names) and \"arches\" "
                                           "(SCMP_ARCH_* names) are allowed",
                                           i, key, k);
        }
        return 0;
}

/* all: every cap of `want` is in `caps` (includes); else any is (excludes). */
static bool caps_match(const json_t *want, const char *const *caps, bool all)
{
        size_t i;
        json_t *e;

        json_array_foreach(want, i, e)
        {
                bool have = caps && str_in(json_string_value(e), caps);
                if (all && !have)
                        return false;
                if (!all && have)
                        return true;
        }
        return all;
}

/* Any arch of `want` is one the filter covers. */
static bool arches_match(const json_t *want, const json_t *arches)
{
        size_t i;
        json_t *e;

        json_array_foreach(want, i, e)
        {
                if (in_json_array(arches, json_string_value(e)))
                        return true;
        }
        return false;
}

static int rule_applies(const Render *rd, const json_t *rule, size_t i, const char *const *caps, const json_t *arches,
                        bool *ret)
{
        Condition inc, exc;
        int r;

        if ((r = get_condition(rd, rule, i, "includes", &inc)) < 0 ||
            (r = get_condition(rd, rule, i, "excludes", &exc)) < 0)
                return r;
        *ret = (!inc.caps || caps_match(inc.caps, caps, true)) && (!inc.arches || arches_match(inc.arches, arches)) &&
               !(exc.caps && caps_match(exc.caps, caps, false)) && !(exc.arches && arches_match(exc.arches, arches));
        return 0;
}

/* ---- seccomp: rendering --------------------------------------------------- */

static int render(const Render *rd, const char *text, size_t len, const char *const *caps, const char *const *arches,
                  json_t **ret)
{
        _cleanup_json_ json_t *profile = NULL, *out = NULL, *rules = NULL, *archv = NULL;
        json_error_t jerr;
        json_t *v, *rule;
        const char *key;
        size_t i;
        int r;

        profile = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!profile)
                return error_setx(rd->err, EINVAL, "%s:%d:%d: %s", rd->name, jerr.line, jerr.column, jerr.text);
        if (!json_is_object(profile) || !json_is_array(json_object_get(profile, "syscalls")))
                return bad_profile(rd, "must be an object with a \"syscalls\" array");

        r = filter_arches(rd, profile, arches, &archv);
        if (r < 0)
                return r;

        /* Everything at the top but the map is OCI's (defaultAction,
         * defaultErrnoRet, flags): copied as it is, for the parser to check. */
        out = json_object();
        rules = json_array();
        if (!out || !rules)
                return oom(rd);
        json_object_foreach(profile, key, v)
        {
                if (streq(key, "archMap") || streq(key, "syscalls") || streq(key, "architectures"))
                        continue;
                if (json_object_set(out, key, v) < 0)
                        return oom(rd);
        }
        if (json_object_set(out, "architectures", archv) < 0)
                return oom(rd);

        json_array_foreach(json_object_get(profile, "syscalls"), i, rule)
        {
                _cleanup_json_ json_t *copy = NULL;
                bool applies;

                if (!json_is_object(rule))
                        return bad_profile(rd, "syscalls[%zu] must be an object", i);
                r = rule_applies(rd, rule, i, caps, archv, &applies);
                if (r < 0)
                        return r;
                if (!applies)
                        continue;
                /* A shallow copy: deleting keys from it leaves the profile's
                 * rule alone, and names and args are shared, not copied. */
                copy = json_copy(rule);
                if (!copy)
                        return oom(rd);
                json_object_del(copy, "includes");
                json_object_del(copy, "excludes");
                json_object_del(copy, "comment");
                if (json_array_append(rules, copy) < 0)
                        return oom(rd);
        }
        if (json_object_set(out, "syscalls", rules) < 0)
                return oom(rd);
        *ret = TAKE_PTR(out);
        return 0;
}

static int render_default(const char *const *caps, const char *const *arches, json_t **ret, Error **ret_err)
{
        const Render rd = { .name = DEFAULT_NAME, .err = ret_err };

        return render(&rd, profile_seccomp_data, profile_seccomp_data_len, caps, arches, ret);
}

/* The rendered object through the config.json parser, so that a profile
 * that renders into something the runtime would refuse fails here, with the
 * field named. */
static int parse_rendered(const Render *rd, const json_t *o, SpecSeccomp *ret)
{
        _cleanup_(parse_ctx_done) ParseCtx c = { .filename = rd->name, .err = rd->err };
        SpecSeccomp s = { 0 };
        int r;

        r = spec_parse_seccomp_obj(&c, o, "linux.seccomp", &s);
        if (r < 0) {
                spec_seccomp_clear(&s);
                return r;
        }
        *ret = s;
        return 0;
}

int profile_seccomp_render(const char *const *caps, const char *const *arches, char **ret_json, Error **ret_err)
{
        _cleanup_json_ json_t *o = NULL;
        char *s;
        int r;

        r = render_default(caps, arches, &o, ret_err);
        if (r < 0)
                return r;
        s = json_dumps(o, JSON_INDENT(2));
        if (!s)
                return error_set(ret_err, ENOMEM, DEFAULT_NAME);
        *ret_json = s;
        return 0;
}

int profile_seccomp_from_text(const char *text, size_t len, const char *name, const char *const *caps,
                              const char *const *arches, SpecSeccomp *ret, Error **ret_err)
{
        const Render rd = { .name = name, .err = ret_err };
        _cleanup_json_ json_t *o = NULL;
        int r;

        r = render(&rd, text, len, caps, arches, &o);
        if (r < 0)
                return r;
        return parse_rendered(&rd, o, ret);
}

int profile_seccomp(const char *const *caps, const char *const *arches, SpecSeccomp *ret, Error **ret_err)
{
        return profile_seccomp_from_text(profile_seccomp_data, profile_seccomp_data_len, DEFAULT_NAME, caps, arches,
                                         ret, ret_err);
}

int profile_apply_seccomp(Spec *spec, const char *const *arches, Error **ret_err)
{
        const char *const *caps = NULL;
        SpecSeccomp s;
        int r;

        if (spec->has_process && spec->process.has_capabilities)
                caps = (const char *const *)spec->process.capabilities.bounding;
        r = profile_seccomp(caps, arches, &s, ret_err);
        if (r < 0)
                return r;
        spec_seccomp_clear(&spec->linux_.seccomp);
        spec->linux_.seccomp = s;
        spec->linux_.has_seccomp = true;
        spec->has_linux = true;
        return 0;
}

/* ---- the default config.json ---------------------------------------------- */

static json_t *default_mounts(void)
{
        _cleanup_json_ json_t *a = json_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < profile_n_default_mounts; i++) {
                const ProfileMount *m = &profile_default_mounts[i];
                if (json_array_append_new(a, spec_mount_json(m->destination, m->type, m->source, m->options)) < 0)
                        return NULL;
        }
        return TAKE_PTR(a);
}

static json_t *default_process(void)
{
        static const char *const env[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                NULL,
        };

        /* Bounding, effective and permitted only: an inheritable or ambient
         * set would let a non-root user keep caps across exec of a file with
         * inheritable file caps (CVE-2022-24769). */
        return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:o, s:s, s:{s:o, s:o, s:o}, s:b}", "terminal", 0, "user", "uid",
                         0, "gid", 0, "args", "sh", "env", json_strv(env), "cwd", "/", "capabilities", "bounding",
                         json_strv(profile_default_caps), "effective", json_strv(profile_default_caps), "permitted",
                         json_strv(profile_default_caps), "noNewPrivileges", 0);
}

static json_t *default_linux(json_t *seccomp)
{
        /* Deny every device, then allow creating (not opening) any node:
         * the container has CAP_MKNOD, and an image's tooling may mknod. The
         * runtime adds its own defaults (null, zero, tty, pts...) after these. */
        return json_pack("{s:{s:[{s:b, s:s}, {s:b, s:s, s:s}, {s:b, s:s, s:s}]}, "
                         "s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:o, s:o, s:o}",
                         "resources", "devices", "allow", 0, "access", "rwm", "allow", 1, "type", "c", "access", "m",
                         "allow", 1, "type", "b", "access", "m", "namespaces", "type", "pid", "type", "network", "type",
                         "ipc", "type", "uts", "type", "mount", "maskedPaths", json_strv(profile_masked_paths),
                         "readonlyPaths", json_strv(profile_readonly_paths), "seccomp", seccomp);
}

/* The default config in jansson's form: a new reference. */
static int default_config(json_t **ret, Error **ret_err)
{
        json_t *seccomp = NULL, *root;
        int r;

        r = render_default(profile_default_caps, NULL, &seccomp, ret_err);
        if (r < 0)
                return r;
        /* json_pack's "o" takes the reference even when it fails. */
        root = json_pack("{s:s, s:o, s:{s:s, s:b}, s:o, s:o}", "ociVersion", SPEC_VERSION, "process", default_process(),
                         "root", "path", "rootfs", "readonly", 0, "mounts", default_mounts(), "linux",
                         default_linux(seccomp));
        if (!root)
                return error_set(ret_err, ENOMEM, "default config");
        *ret = root;
        return 0;
}

int profile_default_config(char **ret_json, Error **ret_err)
{
        _cleanup_json_ json_t *root = NULL;
        char *s;
        int r;

        r = default_config(&root, ret_err);
        if (r < 0)
                return r;
        s = json_dumps(root, JSON_INDENT(2));
        if (!s)
                return error_set(ret_err, ENOMEM, "default config");
        *ret_json = s;
        return 0;
}

int profile_default_spec(Spec **ret_spec, Error **ret_err)
{
        _cleanup_json_ json_t *root = NULL;
        int r;

        /* straight from the tree: no text to write and read back (0.3 ms
         * of every husk create) */
        r = default_config(&root, ret_err);
        if (r < 0)
                return r;
        return spec_parse_json(root, "default config", ret_spec, ret_err);
}
