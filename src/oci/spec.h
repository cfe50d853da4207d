#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

/* The OCI runtime-spec config model (config.json), as far as husk uses it.
 *
 * Every string is owned by the Spec and freed by spec_free(). Arrays come
 * with an explicit count (`n_*`); string lists are also NULL-terminated.
 * Optional numbers carry a `has_*` flag. Parsing validates types and values
 * and reports `config.json:LINE:COL: ...` for malformed JSON, and the JSON
 * path of a bad field with what is allowed (`process.args must be a
 * non-empty array of strings`). */

typedef enum NsType {
        NS_PID,
        NS_NET,
        NS_MNT,
        NS_IPC,
        NS_UTS,
        NS_USER,
        NS_CGROUP,
        NS_TIME,
        _NS_MAX,
} NsType;

typedef struct SpecNamespace {
        NsType type;
        char *path; /* NULL: create a new one */
} SpecNamespace;

typedef struct SpecIdMap {
        uint32_t container_id;
        uint32_t host_id;
        uint32_t size;
} SpecIdMap;

typedef struct SpecMount {
        char *destination;
        char *type;     /* may be NULL (bind) */
        char *source;   /* may be NULL */
        char **options; /* NULL-terminated, may be NULL */
        size_t n_options;
        SpecIdMap *uid_mappings; /* idmapped mounts; may be NULL */
        size_t n_uid_mappings;
        SpecIdMap *gid_mappings;
        size_t n_gid_mappings;
} SpecMount;

typedef struct SpecRlimit {
        int resource; /* RLIMIT_* */
        char *type;   /* "RLIMIT_NOFILE" */
        uint64_t soft;
        uint64_t hard;
} SpecRlimit;

typedef struct SpecCapabilities {
        /* Each a NULL-terminated list of "CAP_*" names, or NULL when absent. */
        char **bounding;
        char **effective;
        char **inheritable;
        char **permitted;
        char **ambient;
} SpecCapabilities;

typedef struct SpecUser {
        uid_t uid;
        gid_t gid;
        bool has_umask;
        mode_t umask;
        gid_t *additional_gids;
        size_t n_additional_gids;
        char *username; /* not used on Linux */
} SpecUser;

typedef struct SpecConsoleSize {
        unsigned height;
        unsigned width;
} SpecConsoleSize;

/* process.scheduler (runtime-spec 1.2): sched_setattr(2) parameters. */
typedef struct SpecScheduler {
        char *policy; /* "SCHED_OTHER", "SCHED_FIFO", ... (validated) */
        int nice;     /* -20..19 */
        int priority;
        char **flags; /* "SCHED_FLAG_*", NULL-terminated, may be NULL */
        uint64_t runtime;
        uint64_t deadline;
        uint64_t period;
} SpecScheduler;

typedef struct SpecProcess {
        bool terminal;
        bool has_console_size;
        SpecConsoleSize console_size;
        SpecUser user;
        char **args; /* NULL-terminated, non-empty */
        size_t n_args;
        char *command_line; /* Windows only; rejected if set alone */
        char **env;         /* NULL-terminated, may be NULL */
        size_t n_env;
        char *cwd; /* absolute */
        bool has_capabilities;
        SpecCapabilities capabilities;
        SpecRlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        bool has_oom_score_adj;
        int oom_score_adj;
        char *selinux_label;
        /* execCPUAffinity, ioPriority, scheduler: parsed for validation */
        bool has_io_priority;
        char *io_priority_class; /* "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE" or "IOPRIO_CLASS_IDLE" */
        int io_priority;         /* 0..7 */
        bool has_scheduler;
        SpecScheduler scheduler;
        char *exec_cpu_affinity_initial; /* cpu list ("0-3,7"), may be NULL */
        char *exec_cpu_affinity_final;
} SpecProcess;

typedef struct SpecHook {
        char *path;
        char **args; /* NULL-terminated, may be NULL */
        char **env;  /* NULL-terminated, may be NULL */
        bool has_timeout;
        int timeout; /* seconds, > 0 */
} SpecHook;

typedef enum HookKind {
        HOOK_PRESTART,
        HOOK_CREATE_RUNTIME,
        HOOK_CREATE_CONTAINER,
        HOOK_START_CONTAINER,
        HOOK_POSTSTART,
        HOOK_POSTSTOP,
        _HOOK_MAX,
} HookKind;

typedef struct SpecDevice {
        char type; /* 'c', 'b', 'u', 'p' */
        char *path;
        int64_t major;
        int64_t minor;
        bool has_file_mode;
        mode_t file_mode;
        bool has_uid;
        uid_t uid;
        bool has_gid;
        gid_t gid;
} SpecDevice;

typedef struct SpecDeviceRule {
        bool allow;
        char type;     /* 'a', 'c', 'b'; 'a' when absent */
        int64_t major; /* -1 = wildcard */
        int64_t minor; /* -1 = wildcard */
        char *access;  /* "rwm" subset, may be NULL = "rwm" */
} SpecDeviceRule;

typedef struct SpecWeightDevice {
        int64_t major, minor;
        bool has_weight;
        uint16_t weight;
        bool has_leaf_weight;
        uint16_t leaf_weight;
} SpecWeightDevice;

typedef struct SpecThrottleDevice {
        int64_t major, minor;
        uint64_t rate;
} SpecThrottleDevice;

typedef struct SpecHugepageLimit {
        char *page_size; /* "2MB" */
        uint64_t limit;
} SpecHugepageLimit;

typedef struct SpecKeyValue {
        char *key;
        char *value;
} SpecKeyValue;

typedef struct SpecNetPriority {
        char *name;
        uint32_t priority;
} SpecNetPriority;

/* Optional integer: `has` tells whether the field was present. */
#define SPEC_OPT(type, name) \
        bool has_##name;     \
        type name

typedef struct SpecResources {
        SpecDeviceRule *devices;
        size_t n_devices;

        /* memory */
        SPEC_OPT(int64_t, memory_limit);
        SPEC_OPT(int64_t, memory_reservation);
        SPEC_OPT(int64_t, memory_swap);
        SPEC_OPT(int64_t, memory_kernel);
        SPEC_OPT(int64_t, memory_kernel_tcp);
        SPEC_OPT(uint64_t, memory_swappiness);
        SPEC_OPT(bool, memory_disable_oom_killer);
        SPEC_OPT(bool, memory_use_hierarchy);
        SPEC_OPT(bool, memory_check_before_update);

        /* cpu */
        SPEC_OPT(uint64_t, cpu_shares);
        SPEC_OPT(int64_t, cpu_quota);
        SPEC_OPT(uint64_t, cpu_burst);
        SPEC_OPT(uint64_t, cpu_period);
        SPEC_OPT(int64_t, cpu_realtime_runtime);
        SPEC_OPT(uint64_t, cpu_realtime_period);
        char *cpu_cpus;
        char *cpu_mems;
        SPEC_OPT(int64_t, cpu_idle);

        /* pids */
        SPEC_OPT(int64_t, pids_limit);

        /* blockIO */
        SPEC_OPT(uint16_t, blkio_weight);
        SPEC_OPT(uint16_t, blkio_leaf_weight);
        SpecWeightDevice *blkio_weight_devices;
        size_t n_blkio_weight_devices;
        SpecThrottleDevice *blkio_throttle_read_bps;
        size_t n_blkio_throttle_read_bps;
        SpecThrottleDevice *blkio_throttle_write_bps;
        size_t n_blkio_throttle_write_bps;
        SpecThrottleDevice *blkio_throttle_read_iops;
        size_t n_blkio_throttle_read_iops;
        SpecThrottleDevice *blkio_throttle_write_iops;
        size_t n_blkio_throttle_write_iops;

        SpecHugepageLimit *hugepage_limits;
        size_t n_hugepage_limits;

        /* network (v1 net_cls / net_prio) */
        SPEC_OPT(uint32_t, network_class_id);
        SpecNetPriority *network_priorities;
        size_t n_network_priorities;

        /* rdma and unified */
        SpecKeyValue *unified;
        size_t n_unified;
} SpecResources;

typedef struct SpecSeccompArg {
        unsigned index;
        uint64_t value;
        uint64_t value_two;
        char *op; /* "SCMP_CMP_EQ", ... */
} SpecSeccompArg;

typedef struct SpecSeccompSyscall {
        char **names; /* NULL-terminated, non-empty */
        size_t n_names;
        char *action; /* "SCMP_ACT_ERRNO", ... */
        bool has_errno_ret;
        unsigned errno_ret;
        SpecSeccompArg *args;
        size_t n_args;
} SpecSeccompSyscall;

typedef struct SpecSeccomp {
        char *default_action;
        bool has_default_errno_ret;
        unsigned default_errno_ret;
        char **architectures; /* NULL-terminated, may be NULL */
        char **flags;         /* NULL-terminated, may be NULL */
        char *listener_path;
        char *listener_metadata;
        SpecSeccompSyscall *syscalls;
        size_t n_syscalls;
} SpecSeccomp;

typedef struct SpecTimeOffset {
        int64_t secs;
        uint32_t nanosecs;
} SpecTimeOffset;

typedef struct SpecLinux {
        SpecNamespace *namespaces;
        size_t n_namespaces;
        SpecIdMap *uid_mappings;
        size_t n_uid_mappings;
        SpecIdMap *gid_mappings;
        size_t n_gid_mappings;
        SpecDevice *devices;
        size_t n_devices;
        char *cgroups_path;
        bool has_resources;
        SpecResources resources;
        char *rootfs_propagation;
        SpecKeyValue *sysctl;
        size_t n_sysctl;
        char **masked_paths; /* NULL-terminated, may be NULL */
        size_t n_masked_paths;
        char **readonly_paths; /* NULL-terminated, may be NULL */
        size_t n_readonly_paths;
        char *mount_label;
        bool has_seccomp;
        SpecSeccomp seccomp;
        bool has_personality;
        char *personality_domain; /* "LINUX" or "LINUX32" */
        char **personality_flags;
        bool has_time_offsets;
        SpecTimeOffset time_offset_monotonic;
        SpecTimeOffset time_offset_boottime;
        char *intel_rdt_clos_id;
} SpecLinux;

typedef struct Spec {
        char *oci_version;
        char *root_path; /* absolute or relative to the bundle */
        bool root_readonly;
        bool has_process;
        SpecProcess process;
        char *hostname;
        char *domainname;
        SpecMount *mounts;
        size_t n_mounts;
        SpecHook *hooks[_HOOK_MAX];
        size_t n_hooks[_HOOK_MAX];
        SpecKeyValue *annotations;
        size_t n_annotations;
        bool has_linux;
        SpecLinux linux_;
        /* Things accepted for runc compatibility that deserve a warning
         * (a relative mount destination), as full messages, for cli/ to log
         * (library code does not). NULL-terminated, may be NULL. */
        char **warnings;
        size_t n_warnings;
} Spec;

/* Parse and validate config.json text. `filename` is used in messages
 * ("config.json:3:7: ..."). On success *ret_spec owns a new Spec
 * (spec_free() it). Returns 0 or -errno with *ret_err set. */
int spec_parse(const char *text, size_t len, const char *filename, Spec **ret_spec, Error **ret_err);
/* The same from a config already in jansson's form (made by code, not
 * read: integers past int64 cannot occur in it). */
struct json_t;
int spec_parse_json(const struct json_t *root, const char *filename, Spec **ret_spec, Error **ret_err);

/* Read and parse `<bundle>/config.json` (or any path). */
int spec_load(const char *path, Spec **ret_spec, Error **ret_err);

/* Parse and validate a process.json (as `exec --process` takes). The result
 * is a SpecProcess that the caller frees with spec_process_free(). */
int spec_parse_process(const char *text, size_t len, const char *filename, SpecProcess **ret_proc, Error **ret_err);
void spec_process_free(SpecProcess *p);

/* Parse a linux.resources object as `update -r` takes. */
int spec_parse_resources(const char *text, size_t len, const char *filename, SpecResources **ret_res, Error **ret_err);
void spec_resources_free(SpecResources *r);

/* The inverse of spec_parse(): config.json text (pretty, 2-space indent)
 * holding every field of spec that the parser reads, optional ones only when
 * present, so that spec_parse() of it gives the same Spec. *ret_json is
 * malloc'd (free()). Returns 0 or -ENOMEM. */
int spec_to_json(const Spec *spec, char **ret_json, Error **ret_err);

void spec_free(Spec *spec);
/* Free what a SpecSeccomp holds and zero it (the struct itself is the
 * caller's). */
void spec_seccomp_clear(SpecSeccomp *s);
static inline void spec_freep(Spec **s)
{
        spec_free(*s);
}
#define _cleanup_spec_ _cleanup_(spec_freep)

/* Lookups. */
const char *ns_type_to_string(NsType t);     /* "pid", "network", "mount", ... (spec names) */
int ns_type_from_string(const char *s);      /* -EINVAL when unknown */
const char *ns_type_proc_name(NsType t);     /* "pid", "net", "mnt", ... (/proc/PID/ns names) */
int ns_type_clone_flag(NsType t);            /* CLONE_NEWPID, ... */
const char *hook_kind_to_string(HookKind k); /* "prestart", "createRuntime", ... */

/* Every capability name this layer knows: up to CAP_CHECKPOINT_RESTORE (40,
 * Linux 5.9), in number order, NULL-terminated. */
extern const char *const spec_capabilities[];

/* The namespace entry of type t, or NULL. */
const SpecNamespace *spec_namespace(const Spec *spec, NsType t);

/* Drop the namespace entry of type t (the container shares the caller's). */
void spec_namespace_remove(Spec *spec, NsType t);
/* Drop mounts[i], freeing what it holds. */
void spec_mount_remove(Spec *spec, size_t i);

/* Annotations lookup, NULL when absent. */
const char *spec_annotation(const Spec *spec, const char *key);

/* Highest runtime-spec version this parser accepts. */
#define SPEC_VERSION_MAX "1.3.0"
/* The version written by `spec` and reported in state. */
#define SPEC_VERSION "1.2.0"
