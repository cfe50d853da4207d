/* The OCI features document (runtime-spec features.md) that `husk-runtime
 * features` prints. It must tell the truth about husk: callers (containerd,
 * podman) use it to decide which options they may put in a config. */

#include <jansson.h>

#include "oci/spec-internal.h"
#include "oci/state.h"

/* What the mount code understands (runc's list minus acl/noacl, which are
 * filesystem options, and tmpcopyup/idmap, which husk does not implement). */
static const char *const mount_options[] = {
        "async",
        "atime",
        "bind",
        "defaults",
        "dev",
        "diratime",
        "dirsync",
        "exec",
        "iversion",
        "lazytime",
        "loud",
        "mand",
        "noatime",
        "nodev",
        "nodiratime",
        "noexec",
        "noiversion",
        "nolazytime",
        "nomand",
        "norelatime",
        "nostrictatime",
        "nosuid",
        "nosymfollow",
        "private",
        "ratime",
        "rbind",
        "rdev",
        "rdiratime",
        "relatime",
        "remount",
        "rexec",
        "rnoatime",
        "rnodev",
        "rnodiratime",
        "rnoexec",
        "rnorelatime",
        "rnostrictatime",
        "rnosuid",
        "rnosymfollow",
        "ro",
        "rprivate",
        "rrelatime",
        "rro",
        "rrw",
        "rshared",
        "rslave",
        "rstrictatime",
        "rsuid",
        "rsymfollow",
        "runbindable",
        "rw",
        "shared",
        "silent",
        "slave",
        "strictatime",
        "suid",
        "symfollow",
        "sync",
        "unbindable",
        NULL,
};

const char *const spec_capabilities[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
        NULL,
};

/* The architectures libseccomp 2.5 resolves by name. */
static const char *const seccomp_archs[] = {
        "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",     "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS",        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",  "SCMP_ARCH_PPC",     "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",   "SCMP_ARCH_S390X",     "SCMP_ARCH_RISCV64", NULL,
};

static const char *const seccomp_flags[] = {
        "SECCOMP_FILTER_FLAG_TSYNC",
        "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
        NULL,
};

char *features_json(void)
{
        const char *hooks[_HOOK_MAX + 1] = { NULL }, *namespaces[_NS_MAX + 1] = { NULL };
        json_t *root;
        char *s;

        for (int k = 0; k < _HOOK_MAX; k++)
                hooks[k] = hook_kind_to_string((HookKind)k);
        for (int t = 0; t < _NS_MAX; t++)
                namespaces[t] = ns_type_to_string((NsType)t);

        root = json_pack("{s:s, s:s, s:o, s:o, "
                         "s:{s:o, s:o, s:{s:b, s:b, s:b, s:b}, "
                         "s:{s:b, s:o, s:o, s:o, s:o, s:o}, s:{s:b}, s:{s:b}}, "
                         "s:{s:s}}",
                         "ociVersionMin", "1.0.0", "ociVersionMax", SPEC_VERSION_MAX, "hooks", json_strv(hooks),
                         "mountOptions", json_strv(mount_options), "linux", "namespaces", json_strv(namespaces),
                         "capabilities", json_strv(spec_capabilities), "cgroup", "v1", 1, "v2", 1, "systemd", 1,
                         "systemdUser", 0, "seccomp", "enabled", 1, "actions", json_strv(spec_seccomp_actions),
                         "operators", json_strv(spec_seccomp_operators), "archs", json_strv(seccomp_archs),
                         "knownFlags", json_strv(seccomp_flags), "supportedFlags", json_strv(seccomp_flags), "apparmor",
                         "enabled", 1, "selinux", "enabled", 1, "annotations", "io.husk.runtime", "husk-runtime");
        if (!root)
                return NULL;
        /* runc prints it with four spaces. */
        s = json_dumps(root, JSON_INDENT(4));
        json_decref(root);
        return s;
}
