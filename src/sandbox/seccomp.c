#include "seccomp.h"

/* linux.seccomp through libseccomp.
 *
 * Layout: name tables (actions, operators, architectures, flags), then
 * seccomp_validate() which only looks at names and combinations, then
 * seccomp_spec_load() which builds the filter with the same tables, then
 * seccomp_spec_compile() which exports it as BPF through a cache (the
 * runtime compiles before it clones the init, which loads the program with
 * seccomp(2): libseccomp takes ~10 ms to build Docker's profile, the
 * cache ~0.1 ms to read it), then the listener hand-off of SCMP_ACT_NOTIFY.
 *
 * Semantics follow runc where the spec is silent, so that profiles written
 * for Docker, podman and Kubernetes behave the same under husk:
 *   - a syscall name that libseccomp does not know for the native
 *     architecture is skipped (profiles list syscalls of every arch);
 *   - a rule whose action equals the default action is skipped (libseccomp
 *     refuses it with EACCES);
 *   - several conditions on the same argument index (which libseccomp
 *     refuses in one rule) become one rule per condition;
 *   - the native architecture always stays in the filter;
 *   - no_new_privs is the caller's business (process.noNewPrivileges), so
 *     libseccomp's own NNP attribute is turned off. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/util.h"

/* SCMP_FLTATR_CTL_WAITKILL (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) came with
 * libseccomp 2.6. */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define HAVE_SCMP_WAITKILL 1
#else
#define HAVE_SCMP_WAITKILL 0
#endif

typedef enum ActKind {
        ACT_KILL,
        ACT_KILL_PROCESS,
        ACT_KILL_THREAD,
        ACT_TRAP,
        ACT_ERRNO,
        ACT_TRACE,
        ACT_ALLOW,
        ACT_LOG,
        ACT_NOTIFY,
} ActKind;

static const char *const action_names[] = {
        [ACT_KILL] = "SCMP_ACT_KILL",
        [ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
        [ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
        [ACT_TRAP] = "SCMP_ACT_TRAP",
        [ACT_ERRNO] = "SCMP_ACT_ERRNO",
        [ACT_TRACE] = "SCMP_ACT_TRACE",
        [ACT_ALLOW] = "SCMP_ACT_ALLOW",
        [ACT_LOG] = "SCMP_ACT_LOG",
        [ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static int action_kind(const char *name)
{
        for (size_t i = 0; name && i < ELEMENTSOF(action_names); i++)
                if (streq(action_names[i], name))
                        return (int)i;
        return -EINVAL;
}

/* Only ERRNO and TRACE carry a return value (runtime-spec: for any other
 * action an errnoRet is an error). */
static bool action_takes_errno(ActKind k)
{
        return k == ACT_ERRNO || k == ACT_TRACE;
}

static uint32_t action_value(ActKind k, bool has_errno, unsigned errno_ret)
{
        uint16_t data = has_errno ? (uint16_t)errno_ret : EPERM;

        switch (k) {
        case ACT_KILL: return SCMP_ACT_KILL;
        case ACT_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
        case ACT_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
        case ACT_TRAP: return SCMP_ACT_TRAP;
        case ACT_ERRNO: return SCMP_ACT_ERRNO(data);
        case ACT_TRACE: return SCMP_ACT_TRACE(data);
        case ACT_ALLOW: return SCMP_ACT_ALLOW;
        case ACT_LOG: return SCMP_ACT_LOG;
        case ACT_NOTIFY: return SCMP_ACT_NOTIFY;
        }
        return SCMP_ACT_KILL_PROCESS;
}

static const struct {
        const char *name;
        enum scmp_compare op;
} op_table[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int op_from_name(const char *name, enum scmp_compare *ret)
{
        for (size_t i = 0; name && i < ELEMENTSOF(op_table); i++)
                if (streq(op_table[i].name, name)) {
                        *ret = op_table[i].op;
                        return 0;
                }
        return -EINVAL;
}

/* The architectures the runtime-spec lists. libseccomp's own names are the
 * suffixes in lower case ("SCMP_ARCH_X86_64" -> "x86_64"). */
static const char *const arch_names[] = {
        "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",     "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS",        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",    "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
        "SCMP_ARCH_S390X",       "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64",
};

/* libseccomp's token for a spec architecture name, 0 when unknown to the
 * spec or to this libseccomp. */
static uint32_t arch_token(const char *name)
{
        static const char prefix[] = "SCMP_ARCH_";
        char lower[32];
        size_t i;
        bool known = false;

        for (i = 0; name && i < ELEMENTSOF(arch_names); i++)
                if (streq(arch_names[i], name))
                        known = true;
        if (!known)
                return 0;

        const char *suffix = name + sizeof(prefix) - 1;
        for (i = 0; i < sizeof(lower) - 1 && suffix[i]; i++)
                lower[i] = (char)(suffix[i] >= 'A' && suffix[i] <= 'Z' ? suffix[i] - 'A' + 'a' : suffix[i]);
        lower[i] = 0;
        return seccomp_arch_resolve_name(lower);
}

typedef enum FlagKind {
        FLAG_TSYNC,
        FLAG_LOG,
        FLAG_SPEC_ALLOW,
        FLAG_WAIT_KILLABLE_RECV,
} FlagKind;

static const char *const flag_names[] = {
        [FLAG_TSYNC] = "SECCOMP_FILTER_FLAG_TSYNC",
        [FLAG_LOG] = "SECCOMP_FILTER_FLAG_LOG",
        [FLAG_SPEC_ALLOW] = "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        [FLAG_WAIT_KILLABLE_RECV] = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static int flag_kind(const char *name)
{
        for (size_t i = 0; name && i < ELEMENTSOF(flag_names); i++)
                if (streq(flag_names[i], name))
                        return (int)i;
        return -EINVAL;
}

static int flag_unsupported(Error **ret_err)
{
        return error_setx(ret_err, EOPNOTSUPP,
                          "linux.seccomp.flags: flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV not supported by this "
                          "libseccomp (%d.%d.%d, needs 2.6)",
                          SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
}

/* Kernel limit on the argument index (struct seccomp_data has args[6]). */
#define SECCOMP_MAX_ARGS 6

bool seccomp_uses_notify(const SpecSeccomp *s)
{
        if (!s)
                return false;
        if (action_kind(s->default_action) == ACT_NOTIFY)
                return true;
        for (size_t i = 0; i < s->n_syscalls; i++)
                if (action_kind(s->syscalls[i].action) == ACT_NOTIFY)
                        return true;
        return false;
}

static int validate_syscall(const SpecSeccompSyscall *sc, size_t i, Error **ret_err)
{
        int k = action_kind(sc->action);
        enum scmp_compare op;

        if (!sc->names || !sc->names[0])
                return error_setx(ret_err, EINVAL, "linux.seccomp.syscalls[%zu].names must be a non-empty array", i);
        if (k < 0)
                return error_setx(ret_err, EINVAL, "linux.seccomp.syscalls[%zu].action: unknown action \"%s\"", i,
                                  sc->action ? sc->action : "");
        if (sc->has_errno_ret && !action_takes_errno((ActKind)k))
                return error_setx(ret_err, EINVAL,
                                  "linux.seccomp.syscalls[%zu].errnoRet is only valid with SCMP_ACT_ERRNO or "
                                  "SCMP_ACT_TRACE, not %s",
                                  i, sc->action);
        if (sc->has_errno_ret && sc->errno_ret > UINT16_MAX)
                return error_setx(ret_err, EINVAL, "linux.seccomp.syscalls[%zu].errnoRet %u is out of range", i,
                                  sc->errno_ret);
        /* Between loading the filter and handing the notify fd over, the
         * container's init still talks to the runtime (runc's sync pipe uses
         * write(2)); a notified write would wait for a listener that has no
         * fd yet. runc and youki refuse this too. */
        if (k == ACT_NOTIFY)
                for (size_t j = 0; sc->names[j]; j++)
                        if (streq(sc->names[j], "write"))
                                return error_setx(ret_err, EINVAL,
                                                  "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used for "
                                                  "the write syscall",
                                                  i);
        for (size_t j = 0; j < sc->n_args; j++) {
                const SpecSeccompArg *a = &sc->args[j];
                if (a->index >= SECCOMP_MAX_ARGS)
                        return error_setx(ret_err, EINVAL,
                                          "linux.seccomp.syscalls[%zu].args[%zu].index %u is out of range [0, 5]", i, j,
                                          a->index);
                if (op_from_name(a->op, &op) < 0)
                        return error_setx(ret_err, EINVAL,
                                          "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"", i, j,
                                          a->op ? a->op : "");
        }
        return 0;
}

int seccomp_validate(const SpecSeccomp *s, Error **ret_err)
{
        int k, r;

        if (!s)
                return 0;

        k = action_kind(s->default_action);
        if (k < 0)
                return error_setx(ret_err, EINVAL, "linux.seccomp.defaultAction: unknown action \"%s\"",
                                  s->default_action ? s->default_action : "");
        /* Every syscall not listed would wait for a listener that the
         * runtime itself can only reach through syscalls. */
        if (k == ACT_NOTIFY)
                return error_setx(ret_err, EINVAL,
                                  "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
        if (s->has_default_errno_ret && !action_takes_errno((ActKind)k))
                return error_setx(ret_err, EINVAL,
                                  "linux.seccomp.defaultErrnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
                                  "not %s",
                                  s->default_action);
        if (s->has_default_errno_ret && s->default_errno_ret > UINT16_MAX)
                return error_setx(ret_err, EINVAL, "linux.seccomp.defaultErrnoRet %u is out of range",
                                  s->default_errno_ret);

        for (size_t i = 0; s->architectures && s->architectures[i]; i++)
                if (arch_token(s->architectures[i]) == 0)
                        return error_setx(ret_err, EINVAL, "linux.seccomp.architectures: unknown architecture \"%s\"",
                                          s->architectures[i]);

        for (size_t i = 0; s->flags && s->flags[i]; i++) {
                int f = flag_kind(s->flags[i]);
                if (f < 0)
                        return error_setx(ret_err, EINVAL, "linux.seccomp.flags: unknown flag \"%s\"", s->flags[i]);
                if (f == FLAG_WAIT_KILLABLE_RECV && !HAVE_SCMP_WAITKILL)
                        return flag_unsupported(ret_err);
        }

        for (size_t i = 0; i < s->n_syscalls; i++) {
                r = validate_syscall(&s->syscalls[i], i, ret_err);
                if (r < 0)
                        return r;
        }

        if (seccomp_uses_notify(s) && (!s->listener_path || !s->listener_path[0]))
                return error_setx(ret_err, EINVAL,
                                  "linux.seccomp.listenerPath must be set when SCMP_ACT_NOTIFY is used");
        return 0;
}

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

static int set_attr(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value, const char *what, Error **ret_err)
{
        int r = seccomp_attr_set(ctx, attr, value);
        if (r < 0)
                return error_set(ret_err, r, "seccomp: set %s", what);
        return 0;
}

/* Add the rules of one syscalls[] entry for one name. */
static int add_rule(scmp_filter_ctx ctx, uint32_t act, const char *name, const SpecSeccompSyscall *sc, bool *added,
                    Error **ret_err)
{
        struct scmp_arg_cmp conds[SECCOMP_MAX_ARGS * 4];
        unsigned per_index[SECCOMP_MAX_ARGS] = { 0 };
        bool split = false;
        size_t n = 0;
        int nr, r;

        nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return 0; /* not a syscall of this architecture (or too new for libseccomp) */

        if (sc->n_args > ELEMENTSOF(conds))
                return error_setx(ret_err, E2BIG, "seccomp: %s: too many argument conditions (%zu)", name, sc->n_args);
        for (size_t j = 0; j < sc->n_args; j++) {
                const SpecSeccompArg *a = &sc->args[j];
                enum scmp_compare op;

                if (a->index >= SECCOMP_MAX_ARGS || op_from_name(a->op, &op) < 0)
                        return error_setx(ret_err, EINVAL, "seccomp: %s: bad argument condition", name);
                if (++per_index[a->index] > 1)
                        split = true;
                /* For SCMP_CMP_MASKED_EQ the spec's value is the mask and
                 * valueTwo the datum, as libseccomp takes them. */
                conds[n++] = (struct scmp_arg_cmp){
                        .arg = a->index, .op = op, .datum_a = a->value, .datum_b = a->value_two
                };
        }

        if (!split) {
                r = seccomp_rule_add_array(ctx, act, nr, (unsigned)n, n ? conds : NULL);
                if (r < 0)
                        return error_set(ret_err, r, "seccomp: add rule %s for %s", sc->action, name);
                *added = true;
                return 0;
        }
        for (size_t j = 0; j < n; j++) {
                r = seccomp_rule_add_array(ctx, act, nr, 1, &conds[j]);
                if (r < 0)
                        return error_set(ret_err, r, "seccomp: add rule %s for %s (argument %u)", sc->action, name,
                                         conds[j].arg);
        }
        *added = true;
        return 0;
}

/* Build the filter of `s` (validated) into *ret_ctx; *ret_notify tells
 * whether it has a NOTIFY rule for a syscall of this architecture. */
static int build_filter(const SpecSeccomp *s, scmp_filter_ctx *ret_ctx, bool *ret_notify, Error **ret_err)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        bool notify = false;
        uint32_t def;
        int r;

        def = action_value((ActKind)action_kind(s->default_action), s->has_default_errno_ret, s->default_errno_ret);
        ctx = seccomp_init(def);
        if (!ctx)
                return error_setx(ret_err, EOPNOTSUPP,
                                  "seccomp_init %s failed (action not supported by the kernel or libseccomp?)",
                                  s->default_action);

        /* Raw kernel errnos from every call from here on, so that messages
         * say what the kernel said and not libseccomp's -ECANCELED. */
        r = set_attr(ctx, SCMP_FLTATR_API_SYSRAWRC, 1, "SCMP_FLTATR_API_SYSRAWRC", ret_err);
        if (r < 0)
                return r;
        r = set_attr(ctx, SCMP_FLTATR_CTL_NNP, 0, "SCMP_FLTATR_CTL_NNP", ret_err);
        if (r < 0)
                return r;

        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                uint32_t a = arch_token(s->architectures[i]);
                r = seccomp_arch_add(ctx, a);
                if (r < 0 && r != -EEXIST)
                        return error_set(ret_err, r, "seccomp: add architecture %s", s->architectures[i]);
        }

        for (size_t i = 0; s->flags && s->flags[i]; i++) {
                switch ((FlagKind)flag_kind(s->flags[i])) {
                case FLAG_TSYNC: r = set_attr(ctx, SCMP_FLTATR_CTL_TSYNC, 1, s->flags[i], ret_err); break;
                case FLAG_LOG: r = set_attr(ctx, SCMP_FLTATR_CTL_LOG, 1, s->flags[i], ret_err); break;
                case FLAG_SPEC_ALLOW: r = set_attr(ctx, SCMP_FLTATR_CTL_SSB, 1, s->flags[i], ret_err); break;
                case FLAG_WAIT_KILLABLE_RECV:
#if HAVE_SCMP_WAITKILL
                        r = set_attr(ctx, SCMP_FLTATR_CTL_WAITKILL, 1, s->flags[i], ret_err);
#else
                        r = flag_unsupported(ret_err);
#endif
                        break;
                default: r = error_setx(ret_err, EINVAL, "linux.seccomp.flags: unknown flag \"%s\"", s->flags[i]);
                }
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < s->n_syscalls; i++) {
                const SpecSeccompSyscall *sc = &s->syscalls[i];
                uint32_t act = action_value((ActKind)action_kind(sc->action), sc->has_errno_ret, sc->errno_ret);

                /* libseccomp refuses a rule that repeats the default (EACCES),
                 * and it would change nothing. */
                if (act == def)
                        continue;
                for (size_t j = 0; sc->names[j]; j++) {
                        bool added = false;
                        r = add_rule(ctx, act, sc->names[j], sc, &added, ret_err);
                        if (r < 0)
                                return r;
                        if (added && act == SCMP_ACT_NOTIFY)
                                notify = true;
                }
        }
        *ret_ctx = TAKE_PTR(ctx);
        *ret_notify = notify;
        return 0;
}

static int load_error(int r, Error **ret_err)
{
        if (r == -EACCES)
                return error_setx(ret_err, r, "seccomp: load filter: %s (needs no_new_privs or CAP_SYS_ADMIN)",
                                  strerror(-r));
        if (r == -EINVAL)
                return error_setx(ret_err, r,
                                  "seccomp: load filter: %s (kernel without CONFIG_SECCOMP_FILTER, or a flag "
                                  "it does not know)",
                                  strerror(-r));
        return error_set(ret_err, r, "seccomp: load filter");
}

int seccomp_spec_load(const SpecSeccomp *s, int *ret_notify_fd, Error **ret_err)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        bool notify = false;
        int r, fd;

        if (ret_notify_fd)
                *ret_notify_fd = -EBADF;
        if (!s)
                return 0;

        r = seccomp_validate(s, ret_err);
        if (r < 0)
                return r;
        r = build_filter(s, &ctx, &notify, ret_err);
        if (r < 0)
                return r;

        r = seccomp_load(ctx);
        if (r < 0)
                return load_error(r, ret_err);

        /* No fd when every NOTIFY rule named syscalls this architecture does
         * not have: the kernel made no listener, and nothing will wait. */
        if (notify) {
                /* The listener fd belongs to the caller from here: libseccomp
                 * keeps a copy of the number but never closes it. */
                fd = seccomp_notify_fd(ctx);
                if (fd < 0)
                        return error_setx(ret_err, EIO, "seccomp: the filter was loaded without a notify fd");
                if (ret_notify_fd)
                        *ret_notify_fd = fd;
                else
                        close(fd);
        }
        return 0;
}

/* ---- compiled programs and their cache ---- */

/* What the compiled program depends on besides the profile: libseccomp's
 * version and API level (what it found the kernel supports) and the
 * kernel. Then the profile, every string with its length. */
static char *cache_key(const SpecSeccomp *s, size_t *ret_len)
{
        const struct scmp_version *v = seccomp_version();
        struct utsname u;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        if (uname(&u) < 0)
                memset(&u, 0, sizeof(u));
#define KEY_STR(x) fprintf(f, "%zu:%s;", strlen((x) ? (x) : ""), (x) ? (x) : "")
        fprintf(f, "husk-seccomp-1;%u.%u.%u;%u;", v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0,
                seccomp_api_get());
        KEY_STR(u.machine);
        KEY_STR(u.release);
        KEY_STR(u.version);
        KEY_STR(s->default_action);
        fprintf(f, "%d,%u;", s->has_default_errno_ret, s->default_errno_ret);
        for (size_t i = 0; s->architectures && s->architectures[i]; i++)
                KEY_STR(s->architectures[i]);
        fputs("|", f);
        for (size_t i = 0; s->flags && s->flags[i]; i++)
                KEY_STR(s->flags[i]);
        fprintf(f, "|%zu;", s->n_syscalls);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const SpecSeccompSyscall *sc = &s->syscalls[i];
                fprintf(f, "%zu;", sc->n_names);
                for (size_t j = 0; j < sc->n_names; j++)
                        KEY_STR(sc->names[j]);
                KEY_STR(sc->action);
                fprintf(f, "%d,%u,%zu;", sc->has_errno_ret, sc->errno_ret, sc->n_args);
                for (size_t j = 0; j < sc->n_args; j++) {
                        KEY_STR(sc->args[j].op);
                        fprintf(f, "%u,%" PRIu64 ",%" PRIu64 ";", sc->args[j].index, sc->args[j].value,
                                sc->args[j].value_two);
                }
        }
#undef KEY_STR
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        *ret_len = len;
        return buf;
}

/* FNV-1a: only names the cache file; the file holds the whole key, which
 * must match byte for byte. */
static uint64_t fnv1a(const char *p, size_t n)
{
        uint64_t h = 0xcbf29ce484222325ULL;

        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)p[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

#define CACHE_MAGIC "HUSKBPF1"

/* A cache file: magic, the key's length (u64), the key, the kernel flags
 * (u32), the instructions. */
static int cache_read(int dirfd, const char *name, const char *key, size_t key_len, SeccompProgram *ret)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_free_ char *data = NULL;
        size_t n = 0, off = sizeof(CACHE_MAGIC) - 1;
        uint64_t kl;
        uint32_t flags;

        if (fd < 0 || read_full_fd(fd, &data, &n, NULL) < 0)
                return -ENOENT;
        if (n < off + sizeof(kl) || memcmp(data, CACHE_MAGIC, off) != 0)
                return -EINVAL;
        memcpy(&kl, data + off, sizeof(kl));
        off += sizeof(kl);
        if (kl != key_len || n - off < key_len + sizeof(flags) || memcmp(data + off, key, key_len) != 0)
                return -ESTALE;
        off += key_len;
        memcpy(&flags, data + off, sizeof(flags));
        off += sizeof(flags);
        n -= off;
        if (n == 0 || n % sizeof(struct sock_filter) != 0 || n / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -EINVAL;
        ret->insns = malloc(n);
        if (!ret->insns)
                return -ENOMEM;
        memcpy(ret->insns, data + off, n);
        ret->len = (unsigned short)(n / sizeof(struct sock_filter));
        ret->flags = flags;
        return 0;
}

static void cache_write(int dirfd, const char *name, const char *key, size_t key_len, const SeccompProgram *p)
{
        char tmp[64];
        uint64_t kl = key_len;
        _cleanup_close_ int fd = -EBADF;
        bool ok;

        snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return;
        ok = write_all(fd, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) >= 0 && write_all(fd, &kl, sizeof(kl)) >= 0 &&
             write_all(fd, key, key_len) >= 0 && write_all(fd, &p->flags, sizeof(p->flags)) >= 0 &&
             write_all(fd, p->insns, p->len * sizeof(struct sock_filter)) >= 0;
        if (!ok || renameat(dirfd, tmp, dirfd, name) < 0)
                (void)unlinkat(dirfd, tmp, 0);
}

static unsigned kernel_flags(const SpecSeccomp *s)
{
        unsigned f = 0;

        for (size_t i = 0; s->flags && s->flags[i]; i++)
                switch ((FlagKind)flag_kind(s->flags[i])) {
                case FLAG_TSYNC: f |= SECCOMP_FILTER_FLAG_TSYNC; break;
                case FLAG_LOG: f |= SECCOMP_FILTER_FLAG_LOG; break;
                case FLAG_SPEC_ALLOW: f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW; break;
                default: break; /* WAIT_KILLABLE_RECV: only with a listener */
                }
        return f;
}

static int export_filter(scmp_filter_ctx ctx, SeccompProgram *ret, Error **ret_err)
{
        _cleanup_close_ int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
        _cleanup_free_ char *data = NULL;
        size_t n = 0;
        int r;

        if (fd < 0)
                return error_set(ret_err, errno, "seccomp: memfd");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return error_set(ret_err, r, "seccomp: export the filter");
        if (lseek(fd, 0, SEEK_SET) < 0 || read_full_fd(fd, &data, &n, NULL) < 0)
                return error_set(ret_err, errno, "seccomp: read the filter");
        if (n == 0 || n % sizeof(struct sock_filter) != 0 || n / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return error_setx(ret_err, E2BIG, "seccomp: the filter has %zu bytes", n);
        ret->insns = (struct sock_filter *)TAKE_PTR(data);
        ret->len = (unsigned short)(n / sizeof(struct sock_filter));
        return 0;
}

int seccomp_spec_compile(const SpecSeccomp *s, const char *cache_dir, SeccompProgram *ret, Error **ret_err)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        _cleanup_free_ char *key = NULL;
        _cleanup_close_ int dirfd = -EBADF;
        char name[32];
        size_t key_len = 0;
        bool notify = false;
        int r;

        *ret = (SeccompProgram){ 0 };
        if (!s || seccomp_uses_notify(s))
                return 0;
        r = seccomp_validate(s, ret_err);
        if (r < 0)
                return r;
        if (cache_dir) {
                key = cache_key(s, &key_len);
                if (key && (mkdir(cache_dir, 0700) == 0 || errno == EEXIST))
                        dirfd = open(cache_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dirfd >= 0) {
                        snprintf(name, sizeof(name), "%016" PRIx64 ".bpf", fnv1a(key, key_len));
                        if (cache_read(dirfd, name, key, key_len, ret) == 0)
                                return 0;
                }
        }
        r = build_filter(s, &ctx, &notify, ret_err);
        if (r < 0)
                return r;
        r = export_filter(ctx, ret, ret_err);
        if (r < 0)
                return r;
        ret->flags = kernel_flags(s);
        if (dirfd >= 0)
                cache_write(dirfd, name, key, key_len, ret);
        return 0;
}

int seccomp_program_load(const SeccompProgram *p, Error **ret_err)
{
        struct sock_fprog prog = { .len = p->len, .filter = p->insns };

        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog) < 0)
                return load_error(-errno, ret_err);
        return 0;
}

void seccomp_program_clear(SeccompProgram *p)
{
        free(p->insns);
        *p = (SeccompProgram){ 0 };
}

int seccomp_send_listener(const char *listener_path, int notify_fd, const char *process_state_json, Error **ret_err)
{
        _cleanup_close_ int sock = -EBADF;
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        size_t len, path_len;
        char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *c;
        ssize_t n;

        if (!listener_path || !process_state_json || notify_fd < 0)
                return error_setx(ret_err, EINVAL, "seccomp listener: missing path, fd or state");

        path_len = strlen(listener_path);
        if (path_len == 0 || path_len >= sizeof(addr.sun_path))
                return error_setx(ret_err, ENAMETOOLONG,
                                  "linux.seccomp.listenerPath %s: a unix socket path must be 1-%zu bytes",
                                  listener_path, sizeof(addr.sun_path) - 1);
        memcpy(addr.sun_path, listener_path, path_len);

        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return error_set(ret_err, errno, "seccomp listener: socket");
        while (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                if (errno != EINTR)
                        return error_set(ret_err, errno, "connect to seccomp listener %s", listener_path);

        /* One sendmsg carries the fd with the first bytes of the state; on a
         * stream socket the rest may follow in further writes. */
        len = strlen(process_state_json);
        if (len == 0)
                return error_setx(ret_err, EINVAL, "seccomp listener: empty state");
        iov = (struct iovec){ .iov_base = (void *)process_state_json, .iov_len = len };
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));

        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return error_set(ret_err, errno, "send seccomp notify fd to %s", listener_path);
        for (size_t off = (size_t)n; off < len; off += (size_t)n) {
                n = send(sock, process_state_json + off, len - off, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR) {
                        n = 0;
                        continue;
                }
                if (n < 0)
                        return error_set(ret_err, errno, "send container process state to %s", listener_path);
        }
        return 0;
}
