#include "caps.h"

/* Capabilities of the container process.
 *
 * Threat model: this runs in the container's init (or an exec'd process)
 * after clone and before exec, still as uid 0 with the runtime's full set.
 * Whatever we fail to drop here the workload keeps, so every failure is an
 * error, never a warning: a container must not start with more privilege
 * than its config asked for.
 *
 * Sets are handled as 64-bit masks indexed by capability number. husk knows
 * the names 0..CAPS_MAX_KNOWN (CAP_CHECKPOINT_RESTORE, Linux 5.9); a name
 * that husk knows but the running kernel does not (above cap_last_cap) is
 * accepted and silently left out when applying, as runc does, so that one
 * config works across kernels. */

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/util.h"

/* Our own table, so that the name <-> number mapping does not depend on the
 * libcap version installed (cap_from_name() only knows what libcap was built
 * with). Numbers are the kernel ABI (include/uapi/linux/capability.h). */
static const char *const cap_names[] = {
        [0] = "CAP_CHOWN",
        [1] = "CAP_DAC_OVERRIDE",
        [2] = "CAP_DAC_READ_SEARCH",
        [3] = "CAP_FOWNER",
        [4] = "CAP_FSETID",
        [5] = "CAP_KILL",
        [6] = "CAP_SETGID",
        [7] = "CAP_SETUID",
        [8] = "CAP_SETPCAP",
        [9] = "CAP_LINUX_IMMUTABLE",
        [10] = "CAP_NET_BIND_SERVICE",
        [11] = "CAP_NET_BROADCAST",
        [12] = "CAP_NET_ADMIN",
        [13] = "CAP_NET_RAW",
        [14] = "CAP_IPC_LOCK",
        [15] = "CAP_IPC_OWNER",
        [16] = "CAP_SYS_MODULE",
        [17] = "CAP_SYS_RAWIO",
        [18] = "CAP_SYS_CHROOT",
        [19] = "CAP_SYS_PTRACE",
        [20] = "CAP_SYS_PACCT",
        [21] = "CAP_SYS_ADMIN",
        [22] = "CAP_SYS_BOOT",
        [23] = "CAP_SYS_NICE",
        [24] = "CAP_SYS_RESOURCE",
        [25] = "CAP_SYS_TIME",
        [26] = "CAP_SYS_TTY_CONFIG",
        [27] = "CAP_MKNOD",
        [28] = "CAP_LEASE",
        [29] = "CAP_AUDIT_WRITE",
        [30] = "CAP_AUDIT_CONTROL",
        [31] = "CAP_SETFCAP",
        [32] = "CAP_MAC_OVERRIDE",
        [33] = "CAP_MAC_ADMIN",
        [34] = "CAP_SYSLOG",
        [35] = "CAP_WAKE_ALARM",
        [36] = "CAP_BLOCK_SUSPEND",
        [37] = "CAP_AUDIT_READ",
        [38] = "CAP_PERFMON",
        [39] = "CAP_BPF",
        [40] = "CAP_CHECKPOINT_RESTORE",
};
#define CAPS_MAX_KNOWN ((int)ELEMENTSOF(cap_names) - 1)

_Static_assert(ELEMENTSOF(cap_names) <= 64, "capability masks are 64 bits wide");

#define CAP_BIT(c) (UINT64_C(1) << (c))

static void cap_freep(cap_t *p)
{
        if (*p)
                cap_free(*p);
}
#define _cleanup_cap_ _cleanup_(cap_freep)

int caps_from_name(const char *name)
{
        if (!name)
                return -EINVAL;
        /* Exact match: the spec writes "CAP_CHOWN"; runc refuses "chown" and
         * "cap_chown" too, and accepting them here would let a config work
         * with husk and fail everywhere else. */
        for (int i = 0; i <= CAPS_MAX_KNOWN; i++)
                if (streq(cap_names[i], name))
                        return i;
        return -EINVAL;
}

/* Name of cap number c, for messages. */
static const char *cap_name(int c)
{
        return c >= 0 && c <= CAPS_MAX_KNOWN ? cap_names[c] : "CAP_?";
}

/* Asked of the kernel, never read from /proc/sys/kernel/cap_last_cap: the
 * init asks after pivot_root, where /proc is whatever the container put
 * there (the image's own directory when no procfs is mounted), and a
 * "last cap" of 0 would leave every higher capability in the bounding set,
 * which root's next execve makes effective (the class of CVE-2025-52881).
 * PR_CAPBSET_READ answers EINVAL exactly for the numbers the kernel does not
 * know (cap_valid()): a binary search, six prctl(2) calls. */
int caps_last_cap(void)
{
        static int cached = -1;
        int lo = 0, hi = 63;

        if (cached >= 0)
                return cached;
        while (lo < hi) {
                int mid = (lo + hi + 1) / 2;

                if (prctl(PR_CAPBSET_READ, (unsigned long)mid, 0, 0, 0) < 0 && errno == EINVAL)
                        hi = mid - 1;
                else
                        lo = mid;
        }
        cached = lo;
        return lo;
}

/* Names of one set into a mask of cap numbers (all husk knows, including those
 * above the kernel's last cap). NULL list is the empty set. */
static int caps_mask(char *const *names, const char *set, uint64_t *ret_mask, Error **ret_err)
{
        uint64_t mask = 0;

        for (size_t i = 0; names && names[i]; i++) {
                int c = caps_from_name(names[i]);
                if (c < 0)
                        return error_setx(ret_err, EINVAL, "process.capabilities.%s: unknown capability \"%s\"", set,
                                          names[i]);
                mask |= CAP_BIT(c);
        }
        *ret_mask = mask;
        return 0;
}

/* Bits the running kernel knows. */
static uint64_t kernel_mask(void)
{
        int last = caps_last_cap();

        return last >= 63 ? UINT64_MAX : CAP_BIT(last + 1) - 1;
}

int caps_validate(const SpecCapabilities *caps, Error **ret_err)
{
        uint64_t m = 0;
        int r;

        if (!caps)
                return 0;

        const struct {
                const char *set;
                char *const *names;
        } sets[] = {
                { "bounding", caps->bounding },       { "effective", caps->effective },
                { "inheritable", caps->inheritable }, { "permitted", caps->permitted },
                { "ambient", caps->ambient },
        };
        for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                r = caps_mask(sets[i].names, sets[i].set, &m, ret_err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int caps_drop_bounding(const SpecCapabilities *caps, Error **ret_err)
{
        uint64_t keep = 0;
        int last, r;

        if (!caps)
                return 0;

        r = caps_mask(caps->bounding, "bounding", &keep, ret_err);
        if (r < 0)
                return r;

        last = caps_last_cap();
        for (int c = 0; c <= last; c++) {
                if (keep & CAP_BIT(c))
                        continue;
                /* Already gone (the runtime itself may run with a reduced
                 * bounding set, as on the machines here without
                 * CAP_SYS_RESOURCE): nothing to do, and dropping again would
                 * still need CAP_SETPCAP. */
                if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 0)
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0) {
                        int e = errno;
                        if (e == EPERM)
                                return error_setx(ret_err, e, "drop %s from the bounding set: %s (needs CAP_SETPCAP)",
                                                  cap_name(c), strerror(e));
                        return error_set(ret_err, e, "drop %s from the bounding set", cap_name(c));
                }
        }
        return 0;
}

static uint64_t cap_get_mask(cap_t state, cap_flag_t flag)
{
        uint64_t mask = 0;
        int last = caps_last_cap();

        for (int c = 0; c <= last && c <= CAPS_MAX_KNOWN; c++) {
                cap_flag_value_t v = CAP_CLEAR;
                if (cap_get_flag(state, (cap_value_t)c, flag, &v) == 0 && v == CAP_SET)
                        mask |= CAP_BIT(c);
        }
        return mask;
}

static int cap_set_mask(cap_t state, cap_flag_t flag, uint64_t mask)
{
        for (int c = 0; c <= CAPS_MAX_KNOWN; c++) {
                cap_value_t v = (cap_value_t)c;
                if (!(mask & CAP_BIT(c)))
                        continue;
                if (cap_set_flag(state, flag, 1, &v, CAP_SET) < 0)
                        return -errno;
        }
        return 0;
}

/* The first capability in mask, for messages. */
static int first_cap(uint64_t mask)
{
        for (int c = 0; c < 64; c++)
                if (mask & CAP_BIT(c))
                        return c;
        return -1;
}

/* capset() failed with EPERM: say which of the kernel's rules the requested
 * sets break (capabilities(7), "Programmatically adjusting capability sets"). */
static int capset_eperm(uint64_t eff, uint64_t prm, uint64_t inh, Error **ret_err)
{
        _cleanup_cap_ cap_t cur = cap_get_proc();
        uint64_t cur_prm, bnd = 0;
        int last = caps_last_cap();

        for (int c = 0; c <= last; c++)
                if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 1)
                        bnd |= CAP_BIT(c);

        if (eff & ~prm)
                return error_setx(ret_err, EPERM, "capset: effective capability %s is not in the permitted set",
                                  cap_name(first_cap(eff & ~prm)));
        if (cur) {
                cur_prm = cap_get_mask(cur, CAP_PERMITTED);
                if (prm & ~cur_prm)
                        return error_setx(ret_err, EPERM,
                                          "capset: permitted capability %s is not held by the process "
                                          "(dropped from the bounding set before the user switch?)",
                                          cap_name(first_cap(prm & ~cur_prm)));
        }
        if (inh & ~bnd)
                return error_setx(ret_err, EPERM, "capset: inheritable capability %s is not in the bounding set",
                                  cap_name(first_cap(inh & ~bnd)));
        return error_set(ret_err, EPERM,
                         "capset (effective %#" PRIx64 ", permitted %#" PRIx64 ", inheritable %#" PRIx64 ")", eff, prm,
                         inh);
}

int caps_apply(const SpecCapabilities *caps, Error **ret_err)
{
        static const SpecCapabilities none = { 0 };
        _cleanup_cap_ cap_t state = NULL;
        uint64_t eff = 0, prm = 0, inh = 0, amb = 0, known = kernel_mask();
        int r;

        if (!caps)
                caps = &none;

        if ((r = caps_mask(caps->effective, "effective", &eff, ret_err)) < 0 ||
            (r = caps_mask(caps->permitted, "permitted", &prm, ret_err)) < 0 ||
            (r = caps_mask(caps->inheritable, "inheritable", &inh, ret_err)) < 0 ||
            (r = caps_mask(caps->ambient, "ambient", &amb, ret_err)) < 0)
                return r;
        eff &= known;
        prm &= known;
        inh &= known;
        amb &= known;

        state = cap_init(); /* all clear */
        if (!state)
                return error_set(ret_err, errno, "cap_init");
        if ((r = cap_set_mask(state, CAP_EFFECTIVE, eff)) < 0 || (r = cap_set_mask(state, CAP_PERMITTED, prm)) < 0 ||
            (r = cap_set_mask(state, CAP_INHERITABLE, inh)) < 0)
                return error_set(ret_err, r, "cap_set_flag");

        /* cap_set_proc() is capset(2) on the calling thread (libcap without
         * psx): we run single-threaded between clone and exec. */
        if (cap_set_proc(state) < 0) {
                int e = errno;
                if (e == EPERM)
                        return capset_eperm(eff, prm, inh, ret_err);
                return error_set(ret_err, e,
                                 "capset (effective %#" PRIx64 ", permitted %#" PRIx64 ", inheritable %#" PRIx64 ")",
                                 eff, prm, inh);
        }

        /* Ambient last: the kernel only accepts a raise for a capability that
         * is in both permitted and inheritable, which capset just settled.
         * Linux < 4.3 has no ambient set (EINVAL): fine when none is asked. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
                int e = errno;
                if (e == EINVAL && amb == 0)
                        return 0;
                return error_set(ret_err, e, "clear the ambient capability set");
        }
        for (int c = 0; c <= CAPS_MAX_KNOWN; c++) {
                if (!(amb & CAP_BIT(c)))
                        continue;
                /* runc only warns when an ambient capability cannot be raised;
                 * the usual cause is a config that lists it in ambient but not
                 * in inheritable, which the kernel forbids. Skip those, as
                 * runc ends up doing; any other failure is an error. */
                if (!(prm & inh & CAP_BIT(c)))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0)
                        return error_set(ret_err, errno, "raise ambient capability %s", cap_name(c));
        }
        return 0;
}
