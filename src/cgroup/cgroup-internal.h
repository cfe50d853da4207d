#pragma once

/* Internals of the cgroup layer, shared by its files and by the unit tests.
 *
 *   cgroup-host.c     host discovery: layout, hierarchies (statfs, mountinfo)
 *   cgroup-util.c     cgroup file helpers (read, write, keyed files)
 *   cgroup.c          path resolution, the handle: create/open/enter/apply
 *   cgroup-procs.c    pids, signalling, destroy
 *   cgroup-convert.c  pure conversions and validation (no I/O): systemd slice
 *                     expansion, shares -> weight, swap v1 -> v2, unified keys,
 *                     mountinfo parsing, device rule strings
 *   cgroup-apply.c    SpecResources -> cgroup files, v1 and v2
 *   cgroup-freeze.c   freezer (v1 freezer.state, v2 cgroup.freeze)
 *   cgroup-bpf.c      the v2 device controller: a BPF_PROG_TYPE_CGROUP_DEVICE
 *                     program built from the OCI device rules
 *   cgroup-stats.c    runc-shaped statistics JSON
 *   cgroup-oom.c      OOM notifications (v1 eventfd, v2 inotify)
 *   cgroup-unit.c     the systemd manager's pure part: unit names from a
 *                     cgroup path, resources -> unit properties (no I/O)
 *   cgroup-systemd.c  the systemd manager: transient units over D-Bus
 *                     (sd-bus, dlopen'ed)
 */

#include "cgroup/cgroup.h"

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

/* Controllers, by their v1 names. A resource is applied where its controller
 * lives: a v1 hierarchy that binds it, else the unified hierarchy when its
 * cgroup.controllers lists the v2 name. */
typedef enum CgroupController {
        CGROUP_CTRL_CPU,
        CGROUP_CTRL_CPUACCT,
        CGROUP_CTRL_CPUSET,
        CGROUP_CTRL_MEMORY,
        CGROUP_CTRL_DEVICES,
        CGROUP_CTRL_FREEZER,
        CGROUP_CTRL_BLKIO,
        CGROUP_CTRL_PIDS,
        CGROUP_CTRL_HUGETLB,
        CGROUP_CTRL_NET_CLS,
        CGROUP_CTRL_NET_PRIO,
        CGROUP_CTRL_PERF_EVENT,
        CGROUP_CTRL_RDMA,
        CGROUP_CTRL_MISC,
        CGROUP_CTRL_NAME_SYSTEMD, /* the "name=systemd" named hierarchy */
        _CGROUP_CTRL_MAX,
} CgroupController;

#define CGROUP_CTRL_BIT(c) (1u << (c))

/* "memory", "name=systemd"; -1 when unknown. */
const char *cgroup_controller_v1_name(CgroupController c);
int cgroup_controller_from_v1_name(const char *name);
/* The cgroup2 name ("io" for blkio, "cpu" for cpuacct), or NULL when v2 has
 * no such controller (devices, freezer, net_cls, ...: those are core
 * features or gone). */
const char *cgroup_controller_v2_name(CgroupController c);

/* One mounted hierarchy. */
typedef struct CgroupHierarchy {
        char *mount;      /* absolute path of the hierarchy's root directory */
        bool unified;     /* cgroup2 */
        uint32_t v1_mask; /* v1: CGROUP_CTRL_BIT()s bound to it */
} CgroupHierarchy;

/* What the host has, discovered once (cgroup_host()). */
typedef struct CgroupHost {
        CgroupLayout layout;
        char *root; /* /sys/fs/cgroup or $HUSK_CGROUP_ROOT */
        CgroupHierarchy *hier;
        size_t n_hier;
        bool partial; /* cgroup_host_probe_v2(): the cgroup2 hierarchy only */
} CgroupHost;

/* The cached host description; NULL when it could not be read (no cgroupfs
 * mounted, ENOMEM). Not thread-safe on the first call. */
const CgroupHost *cgroup_host(void);
/* The cgroup2 hierarchy alone, found with statfs() where that is enough
 * (a hybrid host's root/unified), without reading mountinfo: what creating
 * the cgroup2 part of a cgroup needs before the init is cloned into it. The
 * whole host (cgroup_host()) on a v2 host or once it is loaded. */
const CgroupHost *cgroup_host_probe_v2(void);
/* Forget the cache (tests that change HUSK_CGROUP_ROOT). */
void cgroup_host_reset(void);
/* Tests: describe a fake tree of plain directories and files instead of the
 * host. v1 hierarchies are the subdirectories of root named after their
 * controllers ("memory", "cpu,cpuacct"); the unified one is root itself
 * (V2) or root/unified (HYBRID). Replaces the cache. */
int cgroup_host_set_fake(CgroupLayout layout, const char *root);

/* One directory of a cgroup: the cgroup's path below one hierarchy. */
typedef struct CgroupDir {
        char *path; /* mount + cgroup path */
        bool unified;
        uint32_t v1_mask;
        unsigned created; /* trailing path components we made (0: none) */
} CgroupDir;

struct Cgroup {
        CgroupManager manager;
        bool rootless;
        char *path; /* resolved cgroup path, "/pod/web" */
        CgroupDir *dirs;
        size_t n_dirs;
        CgroupLayout layout;
        unsigned parts_made; /* CgroupPart bits create has made */
        /* The systemd manager: the unit that holds the cgroup, once
         * cgroup_create_unit() has made it or cgroup_open() found the path,
         * for cgroup_destroy() to stop. NULL otherwise. */
        char *unit;
};

/* The directory that holds controller c for this cgroup, NULL if none.
 * *ret_v2 tells which file names to use. For the unified directory, the
 * answer comes from its cgroup.controllers. */
CgroupDir *cgroup_dir_for(const Cgroup *cg, CgroupController c, bool *ret_v2);
/* The unified directory, NULL if there is none. */
CgroupDir *cgroup_unified_dir(const Cgroup *cg);
/* Whether `ctrl` (a v2 name) is listed in <dir>/cgroup.controllers. */
bool cgroup_v2_has_controller(const char *dir, const char *ctrl);

/* Small file helpers. cgroup_write() fills ret_err with
 * "write <file> = <value>: <strerror>" (file relative to dir). */
int cgroup_write(const char *dir, const char *file, const char *value, Error **ret_err);
/* Tests: when set, cgroup_write() calls this instead of writing the file
 * (to record the writes in order, or to inject a failure). 0 or -errno. */
extern int (*cgroup_write_hook)(const char *dir, const char *file, const char *value);
int cgroup_writef(const char *dir, const char *file, Error **ret_err, const char *fmt, ...) _printf_(4, 5);
/* A cgroup file kept open for several values, one write() each (v1 device
 * rules: a dozen per container). Opened on the first write; goes through
 * cgroup_write_hook when that is set. */
typedef struct CgroupFile {
        const char *dir, *file;
        int fd;
} CgroupFile;
#define CGROUP_FILE(d, f) ((CgroupFile){ .dir = (d), .file = (f), .fd = -1 })
int cgroup_file_write(CgroupFile *f, const char *value, Error **ret_err);
void cgroup_file_close(CgroupFile *f);
/* Read <dir>/<file> into a malloc'd string, trailing whitespace removed. */
int cgroup_read(const char *dir, const char *file, char **ret);
int cgroup_read_u64(const char *dir, const char *file, uint64_t *ret);
bool cgroup_file_exists(const char *dir, const char *file);
/* A key from a flat-keyed file ("key value" lines: cpu.stat, memory.stat,
 * cgroup.events). Returns 0 and *ret, -ENOENT when absent. */
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret);
/* error_prefix() that returns r (the failure's -errno) also when ret_err
 * is NULL, where error_prefix() itself would return -EINVAL. */
int cgroup_prefix(int r, Error **ret_err, const char *fmt, ...) _printf_(3, 4);
/* Move the error in *src into *ret_err (replacing what was there); returns
 * its -code. */
int cgroup_error_take(Error **ret_err, Error **src);
/* Sleep for `us` microseconds (EINTR-safe); CLOCK_MONOTONIC in us. */
void cgroup_sleep_us(unsigned long us);
uint64_t cgroup_now_usec(void);

/* Remove the `created` trailing levels of d (the leaf with any child
 * cgroups in it, then parents while they are empty); sets created to 0. */
int cgroup_dir_remove_created(CgroupDir *d, Error **ret_err);
/* The same for an empty leaf with no child cgroups: one rmdir. False (d
 * unchanged) when that fails (processes or child cgroups in it). */
bool cgroup_dir_remove_leaf(CgroupDir *d);

/* cgroup-apply.c */
int cgroup_apply_resources(Cgroup *cg, const SpecResources *res, bool creating, Error **ret_err);
/* Which controllers `res` needs (CGROUP_CTRL_BIT()s). Devices are not
 * counted: on v2 they need no controller. */
uint32_t cgroup_resources_controllers(const SpecResources *res);

/* cgroup-freeze.c */
int cgroup_freeze_impl(Cgroup *cg, bool freeze, Error **ret_err);
bool cgroup_is_frozen_impl(Cgroup *cg);

/* cgroup-bpf.c: build the program (pure) and load + attach it (kernel). */
int cgroup_bpf_device_program(const SpecDeviceRule *rules, size_t n_rules, struct bpf_insn **ret, size_t *ret_n);
int cgroup_bpf_device_apply(const char *dir, const SpecDeviceRule *rules, size_t n_rules, Error **ret_err);

/* ---- pure helpers (cgroup-convert.c), unit-tested ---- */

/* cgroup_resolve_path() with the "is systemd running" answer given. */
int cgroup_resolve_path_full(const char *cgroups_path, const char *id, CgroupManager manager, bool systemd_running,
                             char **ret, Error **ret_err);

/* systemd's slice expansion: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice",
 * "-.slice" -> "/". Returns 0 or -EINVAL (bad slice name). */
int cgroup_systemd_expand_slice(const char *slice, char **ret);

/* cpu.shares (2..262144, clamped) -> cpu.weight (1..10000), as runc and crun
 * convert: 1 + ((shares - 2) * 9999) / 262142. 0 (unset) stays 0. */
uint64_t cgroup_shares_to_weight(uint64_t shares);

/* blkio.weight (10..1000, clamped) -> io.weight (1..10000):
 * 1 + (w - 10) * 9999 / 990. 0 (unset) stays 0. */
uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight);

/* memory.swap.max from the OCI values, which follow v1 (swap = memory +
 * swap), with runc's rules (0 meaning unset). *ret_set tells whether to
 * write at all; *ret is then -1 for "max" or the swap-only byte count (0
 * when swap equals memory: no swap). -EINVAL with a message
 * ("memory+swap limit should be >= memory limit"). */
int cgroup_swap_to_v2(int64_t memory, int64_t swap, bool *ret_set, int64_t *ret, Error **ret_err);

/* A linux.resources.unified key: "controller.file", a plain file name (no
 * '/', not "." or ".."), of printable characters. Returns 0 or -EINVAL with
 * a message. */
int cgroup_unified_key_check(const char *key, Error **ret_err);

/* A "hugetlb.<size>..." page size ("2MB", "1GB", "64KB"): digits then a unit. */
bool cgroup_hugetlb_size_valid(const char *size);

/* A v1 devices.allow/deny line: "c 1:3 rwm", "a *:* rwm". Returns the
 * length or -EINVAL (bad type or access). buf must hold 64 bytes. */
int cgroup_device_rule_format(const SpecDeviceRule *rule, char *buf, size_t size);

/* Parse /proc/self/mountinfo text: cgroup ("cgroup", v1) and cgroup2 mounts
 * whose mount point is `root` or directly below it. v1 hierarchies are kept
 * once per superblock (comounted cpu,cpuacct is one entry) and only with
 * known controllers or name=systemd. *ret is malloc'd (free with
 * cgroup_hierarchies_free()). */
int cgroup_parse_mountinfo(const char *text, const char *root, CgroupHierarchy **ret, size_t *ret_n);
void cgroup_hierarchies_free(CgroupHierarchy *h, size_t n);

/* Parse a "maj:min ..." line prefix. Returns pointer past "maj:min" or NULL. */
const char *cgroup_parse_devnum(const char *s, uint64_t *ret_major, uint64_t *ret_minor);

/* ---- stats parsers (cgroup-stats.c), unit-tested ---- */

/* A cpuset list ("0-3,8,10-11", as in cpuset.cpus) as numbers, in order.
 * "" is an empty list. Returns 0 (*ret malloc'd, possibly NULL when empty)
 * or -EINVAL (not a list, a range backwards, a number past 65535). */
int cgroup_parse_id_list(const char *s, uint16_t **ret, size_t *ret_n);

/* cpuacct.usage_all ("cpu user system" header, then "N user_ns sys_ns" a
 * line): per-cpu user and system times, malloc'd. Malformed lines are
 * skipped. Returns 0 or -ENOMEM. */
int cgroup_parse_usage_all(const char *text, uint64_t **ret_user, uint64_t **ret_sys, size_t *ret_n);

/* One line of a v1 blkio file: "8:0 Read 4096", or "8:0 4096" (no op:
 * op set to ""). op must hold op_size bytes. Returns 0 or -EINVAL (a
 * "Total N" line, a malformed one). */
int cgroup_parse_blkio_line(const char *line, uint64_t *ret_major, uint64_t *ret_minor, char *op, size_t op_size,
                            uint64_t *ret_value);

/* ---- the systemd manager ---- */

/* The unit a systemd-managed cgroup path names and the slice it sits in:
 * "/system.slice/husk-web.scope" -> "husk-web.scope", "system.slice";
 * "/a.slice/a-b.slice/x.slice" -> "x.slice", "a-b.slice"; "/x.scope" ->
 * "x.scope", "-.slice" (the root slice). -EINVAL when the last component is
 * neither a scope nor a slice, or the parent is not a slice. Both malloc'd. */
int cgroup_unit_from_path(const char *path, char **ret_unit, char **ret_slice);

/* A cpuset list ("0-3,8", as cpuset.cpus takes it) as systemd's
 * AllowedCPUs= bit mask: bit (n % 8) of byte n / 8 for CPU n. At most
 * 65536 CPUs (cgroup_parse_id_list's). Returns 0 and a malloc'd *ret of
 * *ret_n bytes (NULL and 0 for an empty list), -EINVAL or -ENOMEM. */
int cgroup_cpuset_to_bits(const char *list, uint8_t **ret, size_t *ret_n);

/* One property of a transient unit, as StartTransientUnit takes it. */
typedef struct CgroupUnitProp {
        const char *name;
        char type;      /* 'b' boolean, 't' uint64, 's' string, 'p' "au" of one pid, 'y' "ay" */
        uint64_t u;     /* 'b', 't', 'p' */
        char *s;        /* 's', owned */
        uint8_t *bytes; /* 'y', owned */
        size_t n_bytes;
} CgroupUnitProp;

/* What StartTransientUnit gets for `unit` (a scope holding pid, or a
 * slice) in `slice`, as runc asks for it: Description, Slice= (a slice:
 * Wants=), Delegate=yes and PIDs= for a scope, accounting for every
 * controller, DefaultDependencies=no, and the resources systemd knows as
 * properties (v2: MemoryMax, MemoryLow, MemorySwapMax, CPUWeight; v1 and
 * hybrid: MemoryLimit, CPUShares, BlockIOWeight; both: CPUQuota*, TasksMax
 * and, from systemd 244, AllowedCPUs/AllowedMemoryNodes). The cgroup files
 * are written afterwards all the same. systemd_version < 0: unknown (the
 * properties that need a version are left out). Returns 0 and *ret
 * (free with cgroup_unit_props_free()), or -errno with a message. */
int cgroup_unit_props(const char *unit, const char *slice, pid_t pid, const SpecResources *res, bool v2,
                      int systemd_version, CgroupUnitProp **ret, size_t *ret_n, Error **ret_err);
void cgroup_unit_props_free(CgroupUnitProp *p, size_t n);
/* The resource properties alone, for SetUnitProperties (update); *ret may
 * be NULL with *ret_n 0. */
int cgroup_unit_resource_props(const SpecResources *res, bool v2, int systemd_version, CgroupUnitProp **ret,
                               size_t *ret_n, Error **ret_err);
/* Whether cgroup_unit_props() would use the systemd version for `res`. */
bool cgroup_unit_props_need_version(const SpecResources *res);

/* cgroup-systemd.c: stop `unit` and reset it when it failed, waiting for
 * the job; a unit that is gone already is no error. */
int cgroup_systemd_stop(const char *unit, Error **ret_err);
/* cgroup-systemd.c: give a running unit the resource properties of `res`
 * (SetUnitProperties, runtime), so that systemd does not put back the old
 * limits when it applies the unit's settings again. */
int cgroup_systemd_set(const char *unit, const SpecResources *res, bool v2, Error **ret_err);
