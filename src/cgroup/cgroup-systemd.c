/* The systemd cgroup manager (--systemd-cgroup), as runc's: systemd makes
 * the container's cgroup, a transient scope holding the init
 * (StartTransientUnit), and removes it (StopUnit); the resources systemd
 * knows go to it as unit properties (cgroup-unit.c), and then every
 * resource is written to the cgroup files as with cgroupfs, systemd having
 * no equivalent for most of them.
 *
 * D-Bus goes through libsystemd's sd-bus, loaded with dlopen() on this path
 * only: husk-runtime links nothing but jansson, libseccomp and libcap, and
 * a container start without --systemd-cgroup must not pay for loading and
 * relocating libsystemd. The few entry points used are declared here
 * (sd-bus's ABI has been stable since libsystemd 221), so that building
 * needs no libsystemd-dev.
 *
 * husk-runtime is a static PIE: dlopen() then brings in the shared libc
 * libsystemd needs, with its own heap (glibc's static dlopen, as NSS uses
 * it). So nothing libsystemd allocates is freed here, nor the reverse:
 * strings are read out of messages, which sd-bus frees.
 *
 * As root we talk to systemd's own socket, /run/systemd/private, as
 * systemctl does: it works without a bus daemon (a minimal host, early
 * boot), saves the daemon's hop and its Hello round trip, and systemd sends
 * its signals to every such client. The system bus is the fallback. */
#include "cgroup/cgroup-internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macros.h"

typedef struct sd_bus sd_bus;
typedef struct sd_bus_message sd_bus_message;
typedef struct sd_bus_slot sd_bus_slot;
typedef struct sd_bus_error {
        const char *name;
        const char *message;
        int need_free_;
} sd_bus_error;
typedef int (*sd_bus_message_handler_t)(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

#define SD_DEST    "org.freedesktop.systemd1"
#define SD_PATH    "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* How long systemd may take to start or stop a unit, as runc allows. */
#define SD_JOB_TIMEOUT_USEC (30 * UINT64_C(1000000))

static struct {
        int (*bus_new)(sd_bus **ret);
        int (*bus_set_address)(sd_bus *bus, const char *address);
        int (*bus_start)(sd_bus *bus);
        int (*bus_open_system)(sd_bus **ret);
        sd_bus *(*bus_flush_close_unref)(sd_bus *bus);
        int (*message_new_method_call)(sd_bus *bus, sd_bus_message **m, const char *dest, const char *path,
                                       const char *iface, const char *member);
        int (*message_append)(sd_bus_message *m, const char *types, ...);
        int (*message_append_array)(sd_bus_message *m, char type, const void *ptr, size_t size);
        int (*message_open_container)(sd_bus_message *m, char type, const char *contents);
        int (*message_close_container)(sd_bus_message *m);
        int (*message_read)(sd_bus_message *m, const char *types, ...);
        sd_bus_message *(*message_unref)(sd_bus_message *m);
        int (*call)(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error, sd_bus_message **reply);
        int (*call_method)(sd_bus *bus, const char *dest, const char *path, const char *iface, const char *member,
                           sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...);
        int (*get_property)(sd_bus *bus, const char *dest, const char *path, const char *iface, const char *member,
                            sd_bus_error *ret_error, sd_bus_message **reply, const char *type);
        int (*add_match)(sd_bus *bus, sd_bus_slot **slot, const char *match, sd_bus_message_handler_t callback,
                         void *userdata);
        sd_bus_slot *(*slot_unref)(sd_bus_slot *slot);
        int (*process)(sd_bus *bus, sd_bus_message **r);
        int (*wait)(sd_bus *bus, uint64_t timeout_usec);
        void (*error_free)(sd_bus_error *e);
        int (*error_has_name)(const sd_bus_error *e, const char *name);
} sd;

#define SYM(field, name)                              \
        {                                             \
                offsetof(__typeof__(sd), field), name \
        }
static const struct {
        size_t offset;
        const char *name;
} sd_symbols[] = {
        SYM(bus_new, "sd_bus_new"),
        SYM(bus_set_address, "sd_bus_set_address"),
        SYM(bus_start, "sd_bus_start"),
        SYM(bus_open_system, "sd_bus_open_system"),
        SYM(bus_flush_close_unref, "sd_bus_flush_close_unref"),
        SYM(message_new_method_call, "sd_bus_message_new_method_call"),
        SYM(message_append, "sd_bus_message_append"),
        SYM(message_append_array, "sd_bus_message_append_array"),
        SYM(message_open_container, "sd_bus_message_open_container"),
        SYM(message_close_container, "sd_bus_message_close_container"),
        SYM(message_read, "sd_bus_message_read"),
        SYM(message_unref, "sd_bus_message_unref"),
        SYM(call, "sd_bus_call"),
        SYM(call_method, "sd_bus_call_method"),
        SYM(get_property, "sd_bus_get_property"),
        SYM(add_match, "sd_bus_add_match"),
        SYM(slot_unref, "sd_bus_slot_unref"),
        SYM(process, "sd_bus_process"),
        SYM(wait, "sd_bus_wait"),
        SYM(error_free, "sd_bus_error_free"),
        SYM(error_has_name, "sd_bus_error_has_name"),
};

/* Load libsystemd once; it stays loaded (the runtime is a short-lived
 * command). */
static int sd_load(Error **ret_err)
{
        static bool loaded;
        void *h;

        if (loaded)
                return 0;
        h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return error_setx(ret_err, ENOTSUP,
                                  "the systemd cgroup manager needs libsystemd.so.0 (Debian package libsystemd0): %s",
                                  dlerror());
        for (size_t i = 0; i < ELEMENTSOF(sd_symbols); i++) {
                void *f = dlsym(h, sd_symbols[i].name);

                if (!f)
                        return error_setx(ret_err, ENOTSUP, "libsystemd.so.0 lacks %s", sd_symbols[i].name);
                memcpy((char *)&sd + sd_symbols[i].offset, &f, sizeof(f));
        }
        loaded = true;
        return 0;
}

static void bus_closep(sd_bus **b)
{
        if (*b)
                sd.bus_flush_close_unref(*b);
}

static void message_unrefp(sd_bus_message **m)
{
        if (*m)
                sd.message_unref(*m);
}

static void bus_error_freep(sd_bus_error *e)
{
        if (sd.error_free)
                sd.error_free(e);
}

#define _cleanup_bus_       _cleanup_(bus_closep)
#define _cleanup_message_   _cleanup_(message_unrefp)
#define _cleanup_bus_error_ _cleanup_(bus_error_freep)

/* "name: message" of a D-Bus error, or strerror(-r). */
static int bus_fail(Error **ret_err, int r, const sd_bus_error *e, const char *what, const char *unit)
{
        if (e && e->name)
                return error_setx(ret_err, r < 0 ? -r : EIO, "%s %s: %s", what, unit,
                                  e->message ? e->message : e->name);
        return error_set(ret_err, r, "%s %s", what, unit);
}

static int bus_connect(sd_bus **ret, Error **ret_err)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        int r;

        if (geteuid() == 0 && access("/run/systemd/private", F_OK) == 0) {
                r = sd.bus_new(&bus);
                if (r < 0)
                        return error_set(ret_err, -r, "sd_bus_new");
                r = sd.bus_set_address(bus, "unix:path=/run/systemd/private");
                if (r >= 0)
                        r = sd.bus_start(bus);
                if (r >= 0) {
                        *ret = TAKE_PTR(bus);
                        return 0;
                }
                sd.bus_flush_close_unref(TAKE_PTR(bus));
        }
        r = sd.bus_open_system(&bus);
        if (r < 0)
                return error_set(ret_err, -r, "connect to systemd (/run/systemd/private, then the system bus)");
        *ret = TAKE_PTR(bus);
        return 0;
}

/* A job we wait for: JobRemoved(id, job, unit, result) names it. */
typedef struct JobWait {
        const char *job;
        char result[32];
        bool done;
} JobWait;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        JobWait *w = userdata;
        const char *path = NULL, *unit = NULL, *result = NULL;
        uint32_t id;

        (void)ret_error;
        if (sd.message_read(m, "uoss", &id, &path, &unit, &result) < 0 || !w->job || !path)
                return 0;
        if (streq(path, w->job)) {
                snprintf(w->result, sizeof(w->result), "%s", result ? result : "");
                w->done = true;
        }
        return 0;
}

/* Watch for JobRemoved before the call that makes the job: the signal may
 * come before the call's reply. sd_bus_call() queues it meanwhile; it is
 * dispatched by sd_bus_process() in job_wait(). */
static int job_watch(sd_bus *bus, JobWait *w, sd_bus_slot **ret_slot, Error **ret_err)
{
        int r = sd.add_match(bus, ret_slot,
                             "type='signal',interface='" SD_MANAGER "',member='JobRemoved',path='" SD_PATH "'",
                             on_job_removed, w);

        return r < 0 ? error_set(ret_err, -r, "watch systemd's jobs") : 0;
}

static int job_wait(sd_bus *bus, JobWait *w, const char *unit, Error **ret_err)
{
        uint64_t deadline = cgroup_now_usec() + SD_JOB_TIMEOUT_USEC;
        int r;

        while (!w->done) {
                uint64_t now = cgroup_now_usec();

                r = sd.process(bus, NULL);
                if (r < 0)
                        return error_set(ret_err, -r, "wait for systemd's job on %s", unit);
                if (r > 0)
                        continue;
                if (now >= deadline)
                        return error_setx(ret_err, ETIMEDOUT, "systemd's job on %s did not finish in %llu s", unit,
                                          (unsigned long long)(SD_JOB_TIMEOUT_USEC / 1000000));
                r = sd.wait(bus, deadline - now);
                if (r < 0)
                        return error_set(ret_err, -r, "wait for systemd's job on %s", unit);
        }
        return 0;
}

static void reset_failed(sd_bus *bus, const char *unit)
{
        _cleanup_bus_error_ sd_bus_error e = { 0 };

        (void)sd.call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", &e, NULL, "s", unit);
}

/* systemd's version number ("252.38-1~deb12u1" -> 252), -1 when unknown. */
static int systemd_version(sd_bus *bus)
{
        _cleanup_bus_error_ sd_bus_error e = { 0 };
        _cleanup_message_ sd_bus_message *reply = NULL;
        const char *v = NULL, *p;

        if (sd.get_property(bus, SD_DEST, SD_PATH, SD_MANAGER, "Version", &e, &reply, "s") < 0 ||
            sd.message_read(reply, "s", &v) < 0 || !v)
                return -1;
        p = v[0] == 'v' ? v + 1 : v;
        return *p >= '0' && *p <= '9' ? atoi(p) : -1;
}

static int append_prop(sd_bus_message *m, const CgroupUnitProp *p)
{
        int r;

        switch (p->type) {
        case 'b': return sd.message_append(m, "(sv)", p->name, "b", (int)(p->u != 0));
        case 't': return sd.message_append(m, "(sv)", p->name, "t", p->u);
        case 's': return sd.message_append(m, "(sv)", p->name, "s", p->s);
        case 'p': return sd.message_append(m, "(sv)", p->name, "au", 1, (uint32_t)p->u);
        case 'y':
                r = sd.message_open_container(m, 'r', "sv");
                if (r >= 0)
                        r = sd.message_append(m, "s", p->name);
                if (r >= 0)
                        r = sd.message_open_container(m, 'v', "ay");
                if (r >= 0)
                        r = sd.message_append_array(m, 'y', p->bytes, p->n_bytes);
                if (r >= 0)
                        r = sd.message_close_container(m);
                if (r >= 0)
                        r = sd.message_close_container(m);
                return r;
        default: return -EINVAL;
        }
}

static int append_props(sd_bus_message *m, const CgroupUnitProp *props, size_t n)
{
        int r = sd.message_open_container(m, 'a', "(sv)");

        for (size_t i = 0; r >= 0 && i < n; i++)
                r = append_prop(m, &props[i]);
        return r < 0 ? r : sd.message_close_container(m);
}

static int start_unit_call(sd_bus *bus, const char *unit, const CgroupUnitProp *props, size_t n, sd_bus_error *e,
                           sd_bus_message **ret_reply)
{
        _cleanup_message_ sd_bus_message *m = NULL;
        int r;

        r = sd.message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
        if (r >= 0)
                r = sd.message_append(m, "ss", unit, "replace");
        if (r >= 0)
                r = append_props(m, props, n);
        if (r >= 0)
                r = sd.message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        return sd.call(bus, m, 0, e, ret_reply);
}

int cgroup_create_unit(Cgroup *cg, pid_t pid, const SpecResources *res, Error **ret_err)
{
        _cleanup_free_ char *unit = NULL, *slice = NULL, *job = NULL;
        _cleanup_bus_ sd_bus *bus = NULL;
        CgroupUnitProp *props = NULL;
        sd_bus_slot *slot = NULL;
        JobWait w = { 0 };
        size_t n = 0;
        int r, version = -1;

        if (!cg || cg->manager != CGROUP_MANAGER_SYSTEMD || cg->unit)
                return 0;
        r = cgroup_unit_from_path(cg->path, &unit, &slice);
        if (r == -ENOMEM)
                return error_set(ret_err, ENOMEM, "systemd unit");
        if (r < 0)
                return error_setx(ret_err, EINVAL, "cgroup %s names no systemd scope or slice", cg->path);
        r = sd_load(ret_err);
        if (r < 0)
                return r;
        r = bus_connect(&bus, ret_err);
        if (r < 0)
                return r;
        if (cgroup_unit_props_need_version(res))
                version = systemd_version(bus);
        r = cgroup_unit_props(unit, slice, pid, res, cgroup_layout() == CGROUP_LAYOUT_V2, version, &props, &n, ret_err);
        if (r < 0)
                return error_prefix(ret_err, "systemd unit %s", unit);
        r = job_watch(bus, &w, &slot, ret_err);
        for (int attempt = 0; r >= 0 && attempt < 2; attempt++) {
                _cleanup_bus_error_ sd_bus_error e = { 0 };
                _cleanup_message_ sd_bus_message *reply = NULL;
                const char *path = NULL;

                r = start_unit_call(bus, unit, props, n, &e, &reply);
                if (r < 0 && attempt == 0 && sd.error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) {
                        /* Maybe a failed unit of an earlier container that
                         * nobody reset: once, as runc does. */
                        reset_failed(bus, unit);
                        r = 0;
                        continue;
                }
                if (r < 0 && sd.error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) {
                        r = error_setx(ret_err, EEXIST, "systemd unit %s exists already (another container's?): %s",
                                       unit, e.message ? e.message : e.name);
                        break;
                }
                if (r < 0) {
                        r = bus_fail(ret_err, r, &e, "start systemd unit", unit);
                        break;
                }
                r = sd.message_read(reply, "o", &path);
                if (r < 0 || !path || !(job = strdup(path))) {
                        r = error_set(ret_err, r < 0 ? -r : ENOMEM, "start systemd unit %s: read the job", unit);
                        break;
                }
                w.job = job;
                r = job_wait(bus, &w, unit, ret_err);
                if (r >= 0 && !streq(w.result, "done")) {
                        reset_failed(bus, unit);
                        r = error_setx(ret_err, EIO, "start systemd unit %s: the job ended with \"%s\"", unit,
                                       w.result);
                }
                break;
        }
        if (slot)
                sd.slot_unref(slot);
        cgroup_unit_props_free(props, n);
        if (r < 0)
                return r;
        cg->unit = TAKE_PTR(unit);
        return 0;
}

int cgroup_systemd_stop(const char *unit, Error **ret_err)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_bus_error_ sd_bus_error e = { 0 };
        _cleanup_message_ sd_bus_message *reply = NULL;
        sd_bus_slot *slot = NULL;
        const char *path = NULL;
        JobWait w = { 0 };
        int r;

        r = sd_load(ret_err);
        if (r >= 0)
                r = bus_connect(&bus, ret_err);
        if (r >= 0)
                r = job_watch(bus, &w, &slot, ret_err);
        if (r < 0)
                return cgroup_prefix(r, ret_err, "stop systemd unit %s", unit);
        r = sd.call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", &e, &reply, "ss", unit, "replace");
        if (r < 0) {
                /* Gone already: an empty scope is stopped and collected by
                 * systemd itself. */
                if (!sd.error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
                        r = bus_fail(ret_err, r, &e, "stop systemd unit", unit);
                else
                        r = 0;
        } else if (sd.message_read(reply, "o", &path) >= 0 && path) {
                w.job = path;
                r = job_wait(bus, &w, unit, ret_err);
        }
        /* A failed unit stays loaded until reset, and its name taken. */
        reset_failed(bus, unit);
        sd.slot_unref(slot);
        return r;
}

int cgroup_systemd_set(const char *unit, const SpecResources *res, bool v2, Error **ret_err)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_bus_error_ sd_bus_error e = { 0 };
        _cleanup_message_ sd_bus_message *m = NULL;
        CgroupUnitProp *props = NULL;
        size_t n = 0;
        int r;

        r = sd_load(ret_err);
        if (r >= 0)
                r = bus_connect(&bus, ret_err);
        if (r >= 0)
                r = cgroup_unit_resource_props(res, v2, cgroup_unit_props_need_version(res) ? systemd_version(bus) : -1,
                                               &props, &n, ret_err);
        if (r < 0)
                return cgroup_prefix(r, ret_err, "update systemd unit %s", unit);
        if (n == 0)
                return 0;
        r = sd.message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
        if (r >= 0)
                r = sd.message_append(m, "sb", unit, 1);
        if (r >= 0)
                r = append_props(m, props, n);
        cgroup_unit_props_free(props, n);
        if (r >= 0)
                r = sd.call(bus, m, 0, &e, NULL);
        return r < 0 ? bus_fail(ret_err, r, &e, "update systemd unit", unit) : 0;
}
