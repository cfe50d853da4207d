#pragma once

#include "lib/error.h"
#include "oci/spec.h"

/* The engine's default security profile: what a container gets when
 * nobody asks for anything else. It is Docker's, so that images and habits
 * made for Docker behave the same under husk:
 *
 *   - 14 capabilities (profile_default_caps[]), none inheritable or ambient;
 *   - masked paths (bound over with /dev/null or an empty read-only tmpfs)
 *     and read-only paths in /proc and /sys;
 *   - the kernel filesystems with Docker's options (profile_default_mounts[]);
 *   - a seccomp allow-list, EPERM for everything else, with rules that
 *     depend on the container's capabilities and architectures.
 *
 * The seccomp profile is data: data/seccomp/default.json, compiled into
 * the binary at build time (nothing depends on an install path). Its format
 * is the OCI `linux.seccomp` object with a few additions, which the
 * renderer below resolves and removes:
 *
 *     {
 *       "defaultAction": "SCMP_ACT_ERRNO",
 *       "defaultErrnoRet": 1,
 *       "archMap": [
 *         { "architecture": "SCMP_ARCH_X86_64",
 *           "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] }
 *       ],
 *       "syscalls": [
 *         { "names": ["mount", "unshare"], "action": "SCMP_ACT_ALLOW",
 *           "includes": { "caps": ["CAP_SYS_ADMIN"] },
 *           "comment": "..." },
 *         { "names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [...],
 *           "excludes": { "caps": ["CAP_SYS_ADMIN"],
 *                         "arches": ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"] } }
 *       ]
 *     }
 *
 *   - "archMap": for a native architecture, the others whose binaries its
 *     kernel runs (x86_64 runs i386 and x32 code). The rendered filter
 *     covers the native architecture and these, so that such binaries run
 *     in the container too: a filter kills every syscall of an
 *     architecture it does not cover. An architecture absent from the map
 *     covers itself only.
 *   - "includes": the rule applies only if every cap in "caps" is in the
 *     container's set, and if "arches" is given, one of them is among the
 *     filter's architectures (Docker looks at the native one only; a
 *     filter that covers i386 wants the i386 rules too).
 *   - "excludes": the rule is dropped if any cap in "caps" is in the
 *     container's set, or any of "arches" is among the filter's
 *     architectures.
 *   - "comment": for readers of the file; dropped.
 *
 * Caps are "CAP_*" names and arches "SCMP_ARCH_*" names, as in config.json.
 * As in Docker, "the container's set" is its bounding set: a cap that is
 * not there can never be gained, so its syscalls stay blocked. Docker's
 * "minKernel" has no counterpart: Docker uses it to allow ptrace and
 * process_vm_readv/writev from Linux 4.8 on (since then a tracer cannot
 * get a syscall past the filter), which always holds for husk, as it
 * needs Linux >= 5.6 (openat2). Those are in the allow-list here. */

/* Docker's default capabilities, NULL-terminated. */
extern const char *const profile_default_caps[];
/* Docker's masked and read-only paths, NULL-terminated. */
extern const char *const profile_masked_paths[];
extern const char *const profile_readonly_paths[];

typedef struct ProfileMount {
        const char *destination;
        const char *type;
        const char *source;
        const char *const *options; /* NULL-terminated */
} ProfileMount;

/* /proc, /dev, /dev/pts, /sys, /sys/fs/cgroup, /dev/mqueue, /dev/shm with
 * Docker's options, in mount order. */
extern const ProfileMount profile_default_mounts[];
extern const size_t profile_n_default_mounts;

/* Render the profile for a container whose bounding set is `caps` (NULL =
 * none) and whose filter covers `arches` (NULL-terminated SCMP_ARCH_* names,
 * all of them: the map is not applied; NULL = this machine's, the
 * architecture husk was built for and its archMap entry).
 * On success *ret_json is the `linux.seccomp` object as JSON text, owned by
 * the caller (free()). Returns 0 or -errno with *ret_err set (ENOMEM, or
 * EINVAL when the embedded profile is malformed). */
int profile_seccomp_render(const char *const *caps, const char *const *arches, char **ret_json, Error **ret_err);

/* The same, parsed: *ret is filled only on success and the caller releases
 * it with spec_seccomp_clear(). */
int profile_seccomp(const char *const *caps, const char *const *arches, SpecSeccomp *ret, Error **ret_err);

/* Render a profile given as text in the format above (a user's
 * `--security-opt seccomp=FILE`); `name` is what messages call it
 * ("profile.json: syscalls[3].includes.cap: ..."). A plain OCI
 * linux.seccomp object is a profile too: without an archMap, and with
 * `arches` NULL, it keeps its own "architectures". *ret as above. */
int profile_seccomp_from_text(const char *text, size_t len, const char *name, const char *const *caps,
                              const char *const *arches, SpecSeccomp *ret, Error **ret_err);

/* Replace spec's linux.seccomp with the profile for its
 * process.capabilities.bounding (none when there is no process or no
 * capabilities) and `arches` (NULL = this machine's). Call it once the
 * capabilities are final (after --cap-add and --cap-drop); a privileged
 * container gets no filter at all instead. Returns 0 or -errno; spec is
 * left unchanged on failure. */
int profile_apply_seccomp(Spec *spec, const char *const *arches, Error **ret_err);

/* The config.json an engine container starts from: everything above, the
 * default seccomp profile rendered for profile_default_caps[] and this
 * machine, new pid, network, ipc, uts and mount namespaces, a read-write
 * root at "rootfs", `sh` as root in `/`, noNewPrivileges off (as Docker's
 * default). The engine fills in the image's process, the hostname and the
 * cgroup. On success *ret_json is owned by the caller (free()). */
int profile_default_config(char **ret_json, Error **ret_err);

/* The same, parsed into a new Spec (spec_free() it). */
int profile_default_spec(Spec **ret_spec, Error **ret_err);
