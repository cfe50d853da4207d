#include "process.h"

/* Per-process settings of the container's init (or an exec'd process),
 * applied between clone and exec: rlimits, oom_score_adj, personality, the
 * uid/gid switch with umask, and the I/O priority.
 *
 * Ordering (the caller's, see caps.h): rlimits and oom_score_adj while still
 * privileged, then the user switch under PR_SET_KEEPCAPS, then caps_apply().
 * Every failure is returned; nothing here logs or exits. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <grp.h>
#include <unistd.h>

#include "lib/procfs.h"
#include "lib/util.h"

static const char *const rlimit_names[] = {
        [RLIMIT_CPU] = "RLIMIT_CPU",           [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
        [RLIMIT_DATA] = "RLIMIT_DATA",         [RLIMIT_STACK] = "RLIMIT_STACK",
        [RLIMIT_CORE] = "RLIMIT_CORE",         [RLIMIT_RSS] = "RLIMIT_RSS",
        [RLIMIT_NPROC] = "RLIMIT_NPROC",       [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
        [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",   [RLIMIT_AS] = "RLIMIT_AS",
        [RLIMIT_LOCKS] = "RLIMIT_LOCKS",       [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
        [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
        [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",     [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

static const char *rlimit_name(const SpecRlimit *rl)
{
        if (rl->type)
                return rl->type;
        if (rl->resource >= 0 && (size_t)rl->resource < ELEMENTSOF(rlimit_names) && rlimit_names[rl->resource])
                return rlimit_names[rl->resource];
        return "RLIMIT_?";
}

/* "1048576" or "unlimited" into buf. */
static const char *rlim_str(uint64_t v, char buf[static 24])
{
        if (v == (uint64_t)RLIM_INFINITY)
                return "unlimited";
        snprintf(buf, 24, "%" PRIu64, v);
        return buf;
}

int process_apply_rlimits(const SpecRlimit *rl, size_t n, Error **ret_err)
{
        for (size_t i = 0; i < n; i++) {
                const SpecRlimit *r = &rl[i];
                struct rlimit want = { .rlim_cur = (rlim_t)r->soft, .rlim_max = (rlim_t)r->hard };
                struct rlimit cur = { 0 };
                char sbuf[24], hbuf[24];
                int e;

                if (setrlimit((__rlimit_resource_t)r->resource, &want) >= 0)
                        continue;
                e = errno;

                /* EPERM means the hard limit went up without CAP_SYS_RESOURCE
                 * (the only other EPERM, RLIMIT_NOFILE above fs.nr_open, is
                 * EPERM too and needs the same fix or a smaller value). */
                if (e == EPERM && getrlimit((__rlimit_resource_t)r->resource, &cur) >= 0 &&
                    (uint64_t)cur.rlim_max != (uint64_t)RLIM_INFINITY && r->hard > (uint64_t)cur.rlim_max)
                        return error_setx(ret_err, e,
                                          "setrlimit %s (soft %s, hard %s): %s (raising a hard limit needs "
                                          "CAP_SYS_RESOURCE)",
                                          rlimit_name(r), rlim_str(r->soft, sbuf), rlim_str(r->hard, hbuf),
                                          strerror(e));
                if (e == EINVAL && r->soft > r->hard)
                        return error_setx(ret_err, e, "setrlimit %s (soft %s, hard %s): %s (soft above hard)",
                                          rlimit_name(r), rlim_str(r->soft, sbuf), rlim_str(r->hard, hbuf),
                                          strerror(e));
                return error_set(ret_err, e, "setrlimit %s (soft %s, hard %s)", rlimit_name(r), rlim_str(r->soft, sbuf),
                                 rlim_str(r->hard, hbuf));
        }
        return 0;
}

int process_set_oom_score_adj(int value, Error **ret_err)
{
        _cleanup_free_ char *line = NULL;
        char buf[16];
        int current = 0, r;

        if (value < -1000 || value > 1000)
                return error_setx(ret_err, EINVAL, "process.oomScoreAdj %d is out of range [-1000, 1000]", value);

        /* Read first only to explain a failure: the kernel refuses to go
         * below the lowest value a privileged writer set (oom_score_adj_min)
         * without CAP_SYS_RESOURCE, and answers EACCES. Both through our own
         * procfs (procfs.h): this runs after pivot_root, where /proc/self
         * is whatever the container has there. */
        if (procfs_read_line("self/oom_score_adj", &line, NULL) < 0 || parse_int(line, &current) < 0)
                current = 0;

        snprintf(buf, sizeof(buf), "%d", value);
        r = procfs_write("self/oom_score_adj", buf, ret_err);
        if (r < 0) {
                if ((r == -EACCES || r == -EPERM) && value < current)
                        return error_setx(ret_err, r,
                                          "write /proc/self/oom_score_adj (%d): %s (lowering oom_score_adj needs "
                                          "CAP_SYS_RESOURCE)",
                                          value, strerror(-r));
                return error_prefix(ret_err, "process.oomScoreAdj %d", value);
        }
        return 0;
}

int process_apply_personality(const SpecLinux *l, Error **ret_err)
{
        unsigned long persona;

        if (!l || !l->has_personality)
                return 0;

        if (!l->personality_domain || streq(l->personality_domain, "LINUX"))
                persona = PER_LINUX;
        else if (streq(l->personality_domain, "LINUX32"))
                persona = PER_LINUX32;
        else
                return error_setx(ret_err, EINVAL, "linux.personality.domain: unknown domain \"%s\" (LINUX or LINUX32)",
                                  l->personality_domain);

        /* personality_flags: the spec defines none we act on; ignored. */
        if (personality(persona) < 0)
                return error_set(ret_err, errno, "personality %s",
                                 l->personality_domain ? l->personality_domain : "LINUX");
        return 0;
}

/* "1, 2, 3" for messages; malloc'd or NULL. */
static char *gids_to_string(const gid_t *gids, size_t n)
{
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return NULL;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%u", i ? ", " : "", (unsigned)gids[i]);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

/* Whether setgroups(2) is denied in our user namespace (its setgroups file
 * says "deny", as a rootless runtime with one id mapped leaves it). Read
 * through our own procfs: a fake "deny" in the container's /proc would keep
 * the runtime's supplementary groups in the container. */
static bool setgroups_denied(void)
{
        _cleanup_free_ char *s = NULL;

        return procfs_read_line("self/setgroups", &s, NULL) >= 0 && streq(s, "deny");
}

int process_switch_user(const SpecUser *u, Error **ret_err)
{
        if (!u)
                return error_setx(ret_err, EINVAL, "process.user: missing");

        /* Groups first, then gid, then uid: once the uid is not 0 the
         * process can no longer change its groups or gid (without the
         * capabilities that PR_SET_KEEPCAPS keeps only in permitted).
         * With no additionalGids the supplementary groups are cleared:
         * otherwise the container would inherit the runtime's (root's).
         * Tried first, so that /proc is read only when the kernel refuses. */
        if (setgroups(u->n_additional_gids, u->n_additional_gids ? u->additional_gids : NULL) < 0) {
                int e = errno;
                _cleanup_free_ char *list = NULL;

                /* Denied: the groups are what the user namespace's creator
                 * had, which nobody in it can change; with none asked for,
                 * that is all there is to do. */
                if (e == EPERM && setgroups_denied()) {
                        if (u->n_additional_gids > 0) {
                                list = gids_to_string(u->additional_gids, u->n_additional_gids);
                                return error_setx(ret_err, EPERM,
                                                  "process.user.additionalGids [%s]: setgroups is denied in this "
                                                  "user namespace",
                                                  list ? list : "?");
                        }
                } else {
                        list = gids_to_string(u->additional_gids, u->n_additional_gids);
                        return error_set(ret_err, e, "setgroups [%s]", list ? list : "?");
                }
        }

        if (setresgid(u->gid, u->gid, u->gid) < 0) {
                int e = errno;
                if (e == EINVAL)
                        return error_setx(ret_err, e, "setresgid %u: %s (gid not mapped in the user namespace)",
                                          (unsigned)u->gid, strerror(e));
                return error_set(ret_err, e, "setresgid %u", (unsigned)u->gid);
        }
        if (setresuid(u->uid, u->uid, u->uid) < 0) {
                int e = errno;
                if (e == EINVAL)
                        return error_setx(ret_err, e, "setresuid %u: %s (uid not mapped in the user namespace)",
                                          (unsigned)u->uid, strerror(e));
                return error_set(ret_err, e, "setresuid %u", (unsigned)u->uid);
        }

        /* Like runc: without process.user.umask the workload gets 0022, not
         * whatever the runtime was started with. */
        umask(u->has_umask ? (u->umask & 07777) : 0022);
        return 0;
}

/* include/uapi/linux/ioprio.h, which older libc headers lack. */
#define HUSK_IOPRIO_WHO_PROCESS           1
#define HUSK_IOPRIO_CLASS_SHIFT           13
#define HUSK_IOPRIO_PRIO_VALUE(cls, data) (((cls) << HUSK_IOPRIO_CLASS_SHIFT) | (data))

int process_apply_io_priority(const SpecProcess *p, Error **ret_err)
{
        int cls;

        if (!p || !p->has_io_priority)
                return 0;

        if (!p->io_priority_class)
                return error_setx(ret_err, EINVAL, "process.ioPriority.class: missing");
        if (streq(p->io_priority_class, "IOPRIO_CLASS_RT"))
                cls = 1;
        else if (streq(p->io_priority_class, "IOPRIO_CLASS_BE"))
                cls = 2;
        else if (streq(p->io_priority_class, "IOPRIO_CLASS_IDLE"))
                cls = 3;
        else
                return error_setx(ret_err, EINVAL,
                                  "process.ioPriority.class: unknown class \"%s\" (IOPRIO_CLASS_RT, "
                                  "IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)",
                                  p->io_priority_class);
        if (p->io_priority < 0 || p->io_priority > 7)
                return error_setx(ret_err, EINVAL, "process.ioPriority.priority %d is out of range [0, 7]",
                                  p->io_priority);

        if (syscall(SYS_ioprio_set, HUSK_IOPRIO_WHO_PROCESS, 0, HUSK_IOPRIO_PRIO_VALUE(cls, p->io_priority)) < 0) {
                int e = errno;
                if (e == EPERM && cls == 1)
                        return error_setx(ret_err, e,
                                          "ioprio_set %s %d: %s (the realtime class needs CAP_SYS_NICE or "
                                          "CAP_SYS_ADMIN)",
                                          p->io_priority_class, p->io_priority, strerror(e));
                return error_set(ret_err, e, "ioprio_set %s %d", p->io_priority_class, p->io_priority);
        }
        return 0;
}
