/* Freezing: the v1 freezer controller where the host has it (hybrid hosts
 * included), else cgroup v2's core cgroup.freeze (Linux 5.2). */
#include "cgroup/cgroup-internal.h"

#include <string.h>

#include "lib/macros.h"

static bool v1_state_is(const char *dir, const char *want)
{
        _cleanup_free_ char *s = NULL;

        return cgroup_read(dir, "freezer.state", &s) == 0 && streq(s, want);
}

/* v1: writing FROZEN starts freezing; the state reads FREEZING until every
 * task has stopped, which can take long when tasks keep forking or sit in
 * uninterruptible sleeps. As runc does, rewrite FROZEN in a loop, thawing
 * briefly now and then so that new tasks stop forking mid-way, for about a
 * second; then give up and leave the cgroup thawed, never half frozen. */
static int freeze_v1(const char *dir, bool freeze, Error **ret_err)
{
        uint64_t deadline = cgroup_now_usec() + 1000000u;
        int r;

        if (!freeze) {
                r = cgroup_write(dir, "freezer.state", "THAWED", ret_err);
                if (r < 0)
                        return r;
                while (!v1_state_is(dir, "THAWED")) {
                        if (cgroup_now_usec() >= deadline)
                                return error_setx(ret_err, ETIMEDOUT, "thaw %s: freezer.state did not settle", dir);
                        cgroup_sleep_us(1000);
                }
                return 0;
        }

        for (int i = 0; i < 1000 && cgroup_now_usec() < deadline; i++) {
                if (i % 50 == 49) {
                        (void)cgroup_write(dir, "freezer.state", "THAWED", NULL);
                        cgroup_sleep_us(10000);
                }
                r = cgroup_write(dir, "freezer.state", "FROZEN", ret_err);
                if (r < 0)
                        return r;
                if (i % 25 == 24)
                        cgroup_sleep_us(10);
                if (v1_state_is(dir, "FROZEN"))
                        return 0;
                cgroup_sleep_us(100);
        }
        (void)cgroup_write(dir, "freezer.state", "THAWED", NULL);
        return error_setx(ret_err, EBUSY, "freeze %s: freezer.state stayed FREEZING, gave up (thawed again)", dir);
}

static int v2_frozen(const char *dir)
{
        uint64_t v;
        int r = cgroup_read_keyed(dir, "cgroup.events", "frozen", &v);

        return r < 0 ? r : v == 1;
}

/* v2: cgroup.freeze asks, cgroup.events "frozen 1" confirms once every task
 * has stopped (tasks in uninterruptible sleep delay it). */
static int freeze_v2(const char *dir, bool freeze, Error **ret_err)
{
        uint64_t deadline = cgroup_now_usec() + 2000000u;
        unsigned long pause = 100;
        int r;

        if (!cgroup_file_exists(dir, "cgroup.freeze"))
                return error_setx(ret_err, EOPNOTSUPP,
                                  "freezing needs the v1 freezer controller or cgroup.freeze (Linux 5.2)");
        r = cgroup_write(dir, "cgroup.freeze", freeze ? "1" : "0", ret_err);
        if (r < 0)
                return r;
        for (;;) {
                r = v2_frozen(dir);
                if (r < 0)
                        return error_set(ret_err, r, "read %s/cgroup.events", dir);
                /* Thawing only needs cgroup.freeze 0: an ancestor may
                 * still hold the cgroup frozen, which is not ours to undo. */
                if (r == (int)freeze || !freeze)
                        return 0;
                if (cgroup_now_usec() >= deadline)
                        break;
                cgroup_sleep_us(pause);
                if (pause < 10000)
                        pause *= 2;
        }
        (void)cgroup_write(dir, "cgroup.freeze", "0", NULL);
        return error_setx(ret_err, ETIMEDOUT,
                          "freeze %s: cgroup.events did not report frozen within 2 s (thawed again)", dir);
}

int cgroup_freeze_impl(Cgroup *cg, bool freeze, Error **ret_err)
{
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_FREEZER, NULL);

        if (d)
                return freeze_v1(d->path, freeze, ret_err);
        d = cgroup_unified_dir(cg);
        if (d)
                return freeze_v2(d->path, freeze, ret_err);
        return error_setx(ret_err, EOPNOTSUPP, "%s cgroup %s: the freezer controller is not available",
                          freeze ? "freeze" : "thaw", cg->path);
}

bool cgroup_is_frozen_impl(Cgroup *cg)
{
        CgroupDir *d = cgroup_dir_for(cg, CGROUP_CTRL_FREEZER, NULL);
        _cleanup_free_ char *s = NULL;

        if (d)
                return v1_state_is(d->path, "FROZEN");
        d = cgroup_unified_dir(cg);
        if (!d)
                return false;
        switch (v2_frozen(d->path)) {
        case 1: return true;
        case 0: return false; /* thawed, or still freezing */
        default:
                /* no "frozen" key in cgroup.events before 5.2 */
                return cgroup_read(d->path, "cgroup.freeze", &s) == 0 && streq(s, "1");
        }
}
