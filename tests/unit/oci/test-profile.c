/* Unit tests for the engine's default profile (src/oci/profile.c): the
 * seccomp renderer's includes/excludes and architectures, and Docker's
 * default capabilities, paths and mounts. What the filter does to real
 * syscalls is tested in tests/unit/sandbox/test-seccomp.c and
 * tests/integration/security/profile.bats. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/util.h"
#include "oci/profile.h"

/* CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
 * | CLONE_NEWPID | CLONE_NEWNET */
#define NS_FLAGS 0x7E020000u

static const char *const no_caps[] = { NULL };
static const char *const x86[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
static const char *const arm[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
static const char *const s390[] = { "SCMP_ARCH_S390X", "SCMP_ARCH_S390", NULL };

/* ---- helpers ---- */

static void render(const char *const *caps, const char *const *arches, SpecSeccomp *s)
{
        Error *err = NULL;

        if (profile_seccomp(caps, arches, s, &err) < 0)
                fail_msg("profile_seccomp: %s", err->msg);
}

/* The default capabilities and one more. */
static void render_default_plus(const char *cap, SpecSeccomp *s)
{
        const char *caps[32] = { 0 };
        size_t n = 0;

        for (; profile_default_caps[n]; n++)
                caps[n] = profile_default_caps[n];
        assert_true(n + 1 < ELEMENTSOF(caps));
        caps[n] = cap;
        render(caps, NULL, s);
}

static bool names(const SpecSeccompSyscall *sc, const char *name)
{
        return strv_contains(sc->names, name);
}

/* The number of rules naming `name` with `action`; with args or without. */
static size_t count_rules(const SpecSeccomp *s, const char *name, const char *action, bool with_args)
{
        size_t n = 0;

        for (size_t i = 0; i < s->n_syscalls; i++)
                if (names(&s->syscalls[i], name) && streq(s->syscalls[i].action, action) &&
                    (s->syscalls[i].n_args > 0) == with_args)
                        n++;
        return n;
}

/* Allowed whatever its arguments. */
static bool allowed(const SpecSeccomp *s, const char *name)
{
        return count_rules(s, name, "SCMP_ACT_ALLOW", false) > 0;
}

/* Named by no rule at all: the default action (EPERM) answers. */
static bool unlisted(const SpecSeccomp *s, const char *name)
{
        for (size_t i = 0; i < s->n_syscalls; i++)
                if (names(&s->syscalls[i], name))
                        return false;
        return true;
}

static const SpecSeccompSyscall *only_rule(const SpecSeccomp *s, const char *name)
{
        const SpecSeccompSyscall *found = NULL;

        for (size_t i = 0; i < s->n_syscalls; i++)
                if (names(&s->syscalls[i], name)) {
                        if (found)
                                fail_msg("%s: more than one rule", name);
                        found = &s->syscalls[i];
                }
        if (!found)
                fail_msg("%s: no rule", name);
        return found;
}

/* ---- the seccomp renderer ---- */

static void test_default_action(void **state)
{
        SpecSeccomp s;

        (void)state;
        render(profile_default_caps, NULL, &s);
        assert_string_equal(s.default_action, "SCMP_ACT_ERRNO");
        assert_true(s.has_default_errno_ret);
        assert_int_equal(s.default_errno_ret, EPERM);
        /* The first rule is the big allow-list. */
        assert_true(s.n_syscalls > 10);
        assert_true(s.syscalls[0].n_names > 300);
        assert_true(allowed(&s, "read") && allowed(&s, "execve") && allowed(&s, "exit_group"));
#if defined(__x86_64__) && !defined(__ILP32__)
        /* This machine's architecture first, then what it runs (archMap). */
        assert_non_null(s.architectures);
        assert_int_equal(strv_length(s.architectures), 3);
        assert_string_equal(s.architectures[0], "SCMP_ARCH_X86_64");
        assert_string_equal(s.architectures[1], "SCMP_ARCH_X86");
        assert_string_equal(s.architectures[2], "SCMP_ARCH_X32");
#endif
        spec_seccomp_clear(&s);

        /* Given architectures are taken as they are, the map is not applied. */
        render(profile_default_caps, arm, &s);
        assert_int_equal(strv_length(s.architectures), 2);
        assert_string_equal(s.architectures[0], "SCMP_ARCH_AARCH64");
        assert_string_equal(s.architectures[1], "SCMP_ARCH_ARM");
        spec_seccomp_clear(&s);
}

static void test_cap_sys_admin(void **state)
{
        static const char *const gated[] = {
                "mount",         "umount2",   "unshare",    "setns",         "bpf",           "perf_event_open",
                "pivot_root",    "open_tree", "move_mount", "fsopen",        "fsmount",       "sethostname",
                "setdomainname", "quotactl",  "syslog",     "fanotify_init", "mount_setattr", NULL,
        };
        static const char *const sys_admin[] = { "CAP_SYS_ADMIN", NULL };
        SpecSeccomp without, with, alone;

        (void)state;
        render(profile_default_caps, NULL, &without);
        render_default_plus("CAP_SYS_ADMIN", &with);
        render(sys_admin, NULL, &alone);
        for (size_t i = 0; gated[i]; i++) {
                if (!unlisted(&without, gated[i]))
                        fail_msg("%s is listed without CAP_SYS_ADMIN", gated[i]);
                if (!allowed(&with, gated[i]) || !allowed(&alone, gated[i]))
                        fail_msg("%s is not allowed with CAP_SYS_ADMIN", gated[i]);
        }
        spec_seccomp_clear(&without);
        spec_seccomp_clear(&with);
        spec_seccomp_clear(&alone);
}

/* Each capability opens its syscalls, and only that capability does (with
 * none, or Docker's defaults, they stay with the default action). */
static void test_cap_gated(void **state)
{
        static const struct {
                const char *cap;
                const char *names[5];
        } table[] = {
                { "CAP_SYS_BOOT", { "reboot" } },
                { "CAP_SYS_MODULE", { "init_module", "finit_module", "delete_module" } },
                { "CAP_SYS_PACCT", { "acct" } },
                { "CAP_SYS_PTRACE", { "kcmp", "pidfd_getfd", "process_madvise" } },
                { "CAP_SYS_RAWIO", { "iopl", "ioperm" } },
                { "CAP_SYS_TIME", { "clock_settime", "settimeofday", "stime" } },
                { "CAP_SYS_NICE", { "mbind", "set_mempolicy", "get_mempolicy" } },
                { "CAP_SYS_TTY_CONFIG", { "vhangup" } },
                { "CAP_SYSLOG", { "syslog" } },
                { "CAP_DAC_READ_SEARCH", { "open_by_handle_at" } },
                { "CAP_BPF", { "bpf" } },
                { "CAP_PERFMON", { "perf_event_open" } },
                { "CAP_SYS_CHROOT", { "chroot" } },
        };
        SpecSeccomp none, defaults;

        (void)state;
        render(no_caps, NULL, &none);
        render(profile_default_caps, NULL, &defaults);
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                const char *caps[] = { table[i].cap, NULL };
                SpecSeccomp with;

                render(caps, NULL, &with);
                for (size_t j = 0; j < ELEMENTSOF(table[i].names) && table[i].names[j]; j++) {
                        const char *name = table[i].names[j];

                        if (!allowed(&with, name))
                                fail_msg("%s: not allowed with %s", name, table[i].cap);
                        if (!unlisted(&none, name))
                                fail_msg("%s: listed with no capabilities", name);
                        /* chroot is the one Docker's defaults grant. */
                        if (!streq(table[i].cap, "CAP_SYS_CHROOT") && !unlisted(&defaults, name))
                                fail_msg("%s: listed with Docker's default capabilities", name);
                }
                spec_seccomp_clear(&with);
        }
        assert_true(allowed(&defaults, "chroot"));
        /* Since Linux 4.8 a tracer cannot get a syscall past the filter:
         * ptrace needs no capability of its own. */
        assert_true(allowed(&none, "ptrace") && allowed(&none, "process_vm_readv"));
        spec_seccomp_clear(&none);
        spec_seccomp_clear(&defaults);
}

/* Not even every capability opens these: the kernel keyring, kexec, swap,
 * userfaultfd, io_uring and obsolete interfaces stay blocked (a privileged
 * container runs without a filter instead). */
static void test_never_allowed(void **state)
{
        static const char *const never[] = {
                "keyctl",
                "add_key",
                "request_key",
                "kexec_load",
                "kexec_file_load",
                "swapon",
                "swapoff",
                "userfaultfd",
                "io_uring_setup",
                "io_uring_enter",
                "nfsservctl",
                "uselib",
                "_sysctl",
                "create_module",
                "get_kernel_syms",
                "query_module",
                "vm86",
                "vm86old",
                NULL,
        };
        const char *const *sets[] = { x86, arm, s390, NULL };

        (void)state;
        for (size_t a = 0; sets[a]; a++) {
                SpecSeccomp s;

                render(spec_capabilities, sets[a], &s);
                for (size_t i = 0; never[i]; i++)
                        if (!unlisted(&s, never[i]))
                                fail_msg("%s is listed with every capability (%s)", never[i], sets[a][0]);
                spec_seccomp_clear(&s);
        }
}

/* excludes: clone without namespace flags and clone3 as ENOSYS are the
 * rules of a container without CAP_SYS_ADMIN, and gone with it. */
static void test_excludes(void **state)
{
        const SpecSeccompSyscall *clone, *clone3;
        SpecSeccomp without, with;

        (void)state;
        render(profile_default_caps, x86, &without);
        clone = only_rule(&without, "clone");
        assert_string_equal(clone->action, "SCMP_ACT_ALLOW");
        assert_int_equal(clone->n_args, 1);
        assert_int_equal(clone->args[0].index, 0);
        assert_int_equal(clone->args[0].value, NS_FLAGS);
        assert_int_equal(clone->args[0].value_two, 0);
        assert_string_equal(clone->args[0].op, "SCMP_CMP_MASKED_EQ");
        clone3 = only_rule(&without, "clone3");
        assert_string_equal(clone3->action, "SCMP_ACT_ERRNO");
        assert_true(clone3->has_errno_ret);
        assert_int_equal(clone3->errno_ret, ENOSYS);

        render_default_plus("CAP_SYS_ADMIN", &with);
        assert_int_equal(count_rules(&with, "clone", "SCMP_ACT_ALLOW", true), 0);
        assert_int_equal(count_rules(&with, "clone3", "SCMP_ACT_ERRNO", false), 0);
        assert_true(allowed(&with, "clone") && allowed(&with, "clone3"));
        spec_seccomp_clear(&without);
        spec_seccomp_clear(&with);
}

/* Per-architecture rules appear only for their architectures. */
static void test_arches(void **state)
{
        static const char *const x86_only[] = { "arch_prctl", "modify_ldt", NULL };
        static const char *const arm_only[] = { "breakpoint", "cacheflush", "set_tls", "arm_fadvise64_64", NULL };
        static const char *const s390_only[] = { "s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr",
                                                 NULL };
        const char *const *sets[] = { x86, arm, s390 };
        const char *const *only[] = { x86_only, arm_only, s390_only };

        (void)state;
        for (size_t a = 0; a < ELEMENTSOF(sets); a++) {
                SpecSeccomp s;

                render(profile_default_caps, sets[a], &s);
                for (size_t b = 0; b < ELEMENTSOF(only); b++)
                        for (size_t i = 0; only[b][i]; i++) {
                                if (a == b && !allowed(&s, only[b][i]))
                                        fail_msg("%s: not allowed on %s", only[b][i], sets[a][0]);
                                if (a != b && !unlisted(&s, only[b][i]))
                                        fail_msg("%s: listed on %s", only[b][i], sets[a][0]);
                        }
                /* s390 passes clone's flags second. */
                const SpecSeccompSyscall *clone = only_rule(&s, "clone");
                assert_int_equal(clone->n_args, 1);
                assert_int_equal(clone->args[0].index, sets[a] == s390 ? 1 : 0);
                assert_int_equal(clone->args[0].value, NS_FLAGS);
                spec_seccomp_clear(&s);
        }
}

/* The profile's own rules with their arguments: personality and socket. */
static void test_argument_rules(void **state)
{
        SpecSeccomp s;

        (void)state;
        render(profile_default_caps, NULL, &s);
        assert_int_equal(count_rules(&s, "personality", "SCMP_ACT_ALLOW", true), 5);
        assert_int_equal(count_rules(&s, "personality", "SCMP_ACT_ALLOW", false), 0);
        const SpecSeccompSyscall *sock = only_rule(&s, "socket");
        assert_int_equal(sock->n_args, 1);
        assert_int_equal(sock->args[0].value, 40); /* AF_VSOCK */
        assert_string_equal(sock->args[0].op, "SCMP_CMP_NE");
        spec_seccomp_clear(&s);
}

static void test_render_json(void **state)
{
        static const char *const sys_admin[] = { "CAP_SYS_ADMIN", NULL };
        char *json = NULL;
        Error *err = NULL;

        (void)state;
        assert_int_equal(profile_seccomp_render(sys_admin, x86, &json, &err), 0);
        assert_non_null(json);
        /* OCI's shape only: the renderer's own keys are gone. */
        assert_null(strstr(json, "includes"));
        assert_null(strstr(json, "excludes"));
        assert_null(strstr(json, "comment"));
        assert_null(strstr(json, "archMap"));
        assert_non_null(strstr(json, "\"unshare\""));
        assert_non_null(strstr(json, "\"defaultErrnoRet\": 1"));
        free(json);
}

static void test_apply_seccomp(void **state)
{
        static const char config[] = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
                                     " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\","
                                     "  \"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\", \"CAP_KILL\"]}},"
                                     " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}}";
        Spec *spec = NULL;
        Error *err = NULL;

        (void)state;
        assert_int_equal(spec_parse(config, strlen(config), NULL, &spec, &err), 0);
        assert_int_equal(profile_apply_seccomp(spec, x86, &err), 0);
        assert_true(spec->linux_.has_seccomp);
        assert_string_equal(spec->linux_.seccomp.default_action, "SCMP_ACT_ERRNO");
        assert_true(allowed(&spec->linux_.seccomp, "mount"));
        assert_true(unlisted(&spec->linux_.seccomp, "chroot"));

        /* No process: no capabilities, the strictest profile. */
        spec->has_process = false;
        assert_int_equal(profile_apply_seccomp(spec, x86, &err), 0);
        assert_true(unlisted(&spec->linux_.seccomp, "mount"));
        spec_free(spec);
}

static void assert_bad(const char *text, const char *want)
{
        SpecSeccomp s = { 0 };
        Error *err = NULL;

        assert_int_equal(profile_seccomp_from_text(text, strlen(text), "p.json", profile_default_caps, x86, &s, &err),
                         -EINVAL);
        assert_non_null(err);
        assert_string_equal(err->msg, want);
        assert_null(s.default_action);
        error_free(err);
}

static void test_from_text(void **state)
{
        static const char plain[] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\","
                                    " \"architectures\": [\"SCMP_ARCH_AARCH64\"],"
                                    " \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                                    "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\","
                                    "   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_NET_ADMIN\"]}},"
                                    "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\","
                                    "   \"excludes\": {\"caps\": [\"CAP_NET_ADMIN\", \"CAP_KILL\"]}}]}";
        static const char *const admin[] = { "CAP_SYS_ADMIN", NULL };
        static const char *const both[] = { "CAP_NET_ADMIN", "CAP_SYS_ADMIN", NULL };
        SpecSeccomp s;
        Error *err = NULL;

        (void)state;
        /* A plain OCI object keeps its architectures; includes need every
         * cap; excludes drop on any. */
        assert_int_equal(profile_seccomp_from_text(plain, strlen(plain), "p.json", admin, NULL, &s, &err), 0);
        assert_int_equal(strv_length(s.architectures), 1);
        assert_string_equal(s.architectures[0], "SCMP_ARCH_AARCH64");
        assert_true(allowed(&s, "read") && unlisted(&s, "mount") && allowed(&s, "kill"));
        spec_seccomp_clear(&s);
        assert_int_equal(profile_seccomp_from_text(plain, strlen(plain), "p.json", both, x86, &s, &err), 0);
        assert_string_equal(s.architectures[0], "SCMP_ARCH_X86_64");
        assert_true(allowed(&s, "mount") && unlisted(&s, "kill"));
        spec_seccomp_clear(&s);

        assert_bad("{\"syscalls\": [", "p.json:1:14: ']' expected near end of file");
        assert_bad("[]", "p.json: must be an object with a \"syscalls\" array");
        assert_bad("{\"syscalls\": [{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": "
                   "{\"cap\": [\"CAP_SYS_ADMIN\"]}}]}",
                   "p.json: syscalls[0].includes.cap: only \"caps\" (CAP_* names) and \"arches\" (SCMP_ARCH_* names) "
                   "are allowed");
        assert_bad("{\"syscalls\": [{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": "
                   "{\"arches\": [\"amd64\"]}}]}",
                   "p.json: syscalls[0].excludes.arches: only \"caps\" (CAP_* names) and \"arches\" (SCMP_ARCH_* "
                   "names) are allowed");
        assert_bad("{\"syscalls\": [{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": []}]}",
                   "p.json: syscalls[0].includes must be an object");
        assert_bad("{\"syscalls\": [7]}", "p.json: syscalls[0] must be an object");
        /* What renders must still be a valid linux.seccomp. */
        assert_bad("{\"defaultAction\": \"SCMP_ACT_NOPE\", \"syscalls\": []}",
                   "p.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\" (allowed: SCMP_ACT_ALLOW, "
                   "SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_LOG, "
                   "SCMP_ACT_NOTIFY, SCMP_ACT_TRACE, SCMP_ACT_TRAP)");
}

/* ---- the other defaults ---- */

static void assert_strv(char **got, const char *const *want)
{
        size_t n = 0;

        assert_non_null(got);
        for (; want[n]; n++) {
                assert_non_null(got[n]);
                assert_string_equal(got[n], want[n]);
        }
        assert_null(got[n]);
}

static void test_default_spec(void **state)
{
        static const char *const docker_caps[] = {
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
        static const char *const masked[] = {
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
        static const char *const readonly[] = {
                "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
        };
        static const struct {
                const char *dest, *type, *source, *options[7];
        } mounts[] = {
                { "/proc", "proc", "proc", { "nosuid", "noexec", "nodev" } },
                { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
                { "/dev/pts",
                  "devpts",
                  "devpts",
                  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
                { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
                { "/sys/fs/cgroup", "cgroup", "cgroup", { "ro", "nosuid", "noexec", "nodev" } },
                { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
                { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
        };
        Spec *spec = NULL;
        Error *err = NULL;

        (void)state;
        if (profile_default_spec(&spec, &err) < 0)
                fail_msg("%s", err->msg);
        assert_int_equal(strv_length((char **)profile_default_caps), 14);
        assert_strv(spec->process.capabilities.bounding, docker_caps);
        assert_strv(spec->process.capabilities.effective, docker_caps);
        assert_strv(spec->process.capabilities.permitted, docker_caps);
        assert_null(spec->process.capabilities.inheritable);
        assert_null(spec->process.capabilities.ambient);
        assert_false(spec->process.no_new_privileges);
        assert_int_equal(spec->process.user.uid, 0);

        assert_strv(spec->linux_.masked_paths, masked);
        assert_strv(spec->linux_.readonly_paths, readonly);
        assert_int_equal(spec->n_mounts, ELEMENTSOF(mounts));
        for (size_t i = 0; i < ELEMENTSOF(mounts); i++) {
                const SpecMount *m = &spec->mounts[i];
                size_t n = 0;

                assert_string_equal(m->destination, mounts[i].dest);
                assert_string_equal(m->type, mounts[i].type);
                assert_string_equal(m->source, mounts[i].source);
                while (n < ELEMENTSOF(mounts[i].options) && mounts[i].options[n])
                        n++;
                assert_int_equal(m->n_options, n);
                for (size_t j = 0; j < n; j++)
                        assert_string_equal(m->options[j], mounts[i].options[j]);
        }

        for (NsType t = NS_PID; t <= NS_UTS; t++)
                assert_non_null(spec_namespace(spec, t));
        assert_null(spec_namespace(spec, NS_USER));
        assert_true(spec->linux_.has_resources);
        assert_false(spec->linux_.resources.devices[0].allow);

        /* The profile for the capabilities above. */
        assert_true(spec->linux_.has_seccomp);
        assert_string_equal(spec->linux_.seccomp.default_action, "SCMP_ACT_ERRNO");
        assert_true(allowed(&spec->linux_.seccomp, "chroot"));
        assert_true(unlisted(&spec->linux_.seccomp, "mount"));
        spec_free(spec);
}

static void test_default_config_text(void **state)
{
        char *json = NULL;
        Error *err = NULL;

        (void)state;
        assert_int_equal(profile_default_config(&json, &err), 0);
        assert_non_null(strstr(json, "\"noNewPrivileges\": false"));
        assert_null(strstr(json, "includes"));
        free(json);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_action), cmocka_unit_test(test_cap_sys_admin),
                cmocka_unit_test(test_cap_gated),      cmocka_unit_test(test_never_allowed),
                cmocka_unit_test(test_excludes),       cmocka_unit_test(test_arches),
                cmocka_unit_test(test_argument_rules), cmocka_unit_test(test_render_json),
                cmocka_unit_test(test_apply_seccomp),  cmocka_unit_test(test_from_text),
                cmocka_unit_test(test_default_spec),   cmocka_unit_test(test_default_config_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
