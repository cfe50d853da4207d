/* The cgroup layer against the real cgroupfs of this host (root only).
 *
 * Each test works below its own "/husk-test-<pid>-<n>" in every hierarchy
 * and its teardown removes that subtree whatever happened (killing and
 * thawing what is left first), so a failing assertion leaves nothing behind.
 * Run with HUSK_CGROUP_ROOT=/sys/fs/cgroup/unified on a hybrid host, the
 * same tests exercise the pure v2 code paths (with the few controllers that
 * hierarchy has). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/magic.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup/cgroup-internal.h"
#include "lib/util.h"

typedef struct Ctx {
        char base[64]; /* "/husk-test-<pid>-<n>" */
        char path[96]; /* base + "/a" */
        Cgroup *cg;
        pid_t child;
        volatile uint64_t *counter; /* the child's heartbeat, shared */
        char *unified_root_subtree; /* cgroup.subtree_control of the unified root before */
} Ctx;

static unsigned test_seq;

/* ---- host helpers ---- */

static bool have(CgroupController c)
{
        const CgroupHost *h = cgroup_host();
        const char *v2 = cgroup_controller_v2_name(c);

        for (size_t i = 0; h && i < h->n_hier; i++) {
                if (!h->hier[i].unified && (h->hier[i].v1_mask & CGROUP_CTRL_BIT(c)))
                        return true;
                if (h->hier[i].unified && v2 && cgroup_v2_has_controller(h->hier[i].mount, v2))
                        return true;
        }
        return false;
}

static bool have_hugetlb_2mb(void)
{
        return have(CGROUP_CTRL_HUGETLB) && access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0;
}

static const char *unified_mount(void)
{
        const CgroupHost *h = cgroup_host();

        for (size_t i = 0; h && i < h->n_hier; i++)
                if (h->hier[i].unified)
                        return h->hier[i].mount;
        return NULL;
}

/* Kill, thaw and remove a subtree, deepest first. */
static void force_remove(const char *dir, int depth)
{
        DIR *d;
        struct dirent *de;
        _cleanup_free_ char *procs = NULL;

        if (depth > 16)
                return;
        (void)cgroup_write(dir, "freezer.state", "THAWED", NULL);
        (void)cgroup_write(dir, "cgroup.freeze", "0", NULL);
        if (cgroup_read(dir, "cgroup.procs", &procs) == 0) {
                for (char *line = strtok(procs, "\n"); line; line = strtok(NULL, "\n")) {
                        int pid;
                        if (parse_int(line, &pid) == 0 && pid > 1 && pid != getpid())
                                kill(pid, SIGKILL);
                }
        }
        d = opendir(dir);
        if (d) {
                while ((de = readdir(d))) {
                        char *sub = NULL;

                        if (de->d_type != DT_DIR || de->d_name[0] == '.')
                                continue;
                        if (asprintf(&sub, "%s/%s", dir, de->d_name) > 0) {
                                force_remove(sub, depth + 1);
                                free(sub);
                        }
                }
                closedir(d);
        }
        for (int i = 0; i < 200 && rmdir(dir) < 0 && errno == EBUSY; i++)
                usleep(10000);
}

static void for_each_hierarchy_dir(const char *rel, void (*fn)(const char *dir, void *u), void *u)
{
        const CgroupHost *h = cgroup_host();

        for (size_t i = 0; h && i < h->n_hier; i++) {
                char *p = NULL;

                if (asprintf(&p, "%s%s", h->hier[i].mount, rel) < 0)
                        continue;
                fn(p, u);
                free(p);
        }
}

static void remove_cb(const char *dir, void *u)
{
        (void)u;
        force_remove(dir, 0);
}

static void count_existing_cb(const char *dir, void *u)
{
        if (access(dir, F_OK) == 0)
                (*(int *)u)++;
}

static void print_existing_cb(const char *dir, void *u)
{
        (void)u;
        if (access(dir, F_OK) == 0)
                print_message("  left behind: %s\n", dir);
}

static int count_existing(const char *rel)
{
        int n = 0;

        for_each_hierarchy_dir(rel, count_existing_cb, &n);
        return n;
}

/* No directory `rel` in any hierarchy. */
static void assert_gone(const char *rel)
{
        int n = count_existing(rel);

        if (n != 0) {
                for_each_hierarchy_dir(rel, print_existing_cb, NULL);
                fail_msg("%s left behind in %d hierarchies", rel, n);
        }
}

static int count_hierarchies(void)
{
        const CgroupHost *h = cgroup_host();
        return h ? (int)h->n_hier : 0;
}

/* ---- child processes ---- */

static void sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* A child that beats (increments the shared counter) every millisecond,
 * and dies with us. `grandchildren` extra processes sleep alongside. */
static pid_t spawn_beater(Ctx *c, int grandchildren)
{
        int sync[2];
        pid_t pid;
        char ch;

        assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                close(sync[0]);
                for (int i = 0; i < grandchildren; i++)
                        if (fork() == 0) {
                                prctl(PR_SET_PDEATHSIG, SIGKILL);
                                for (;;)
                                        pause();
                        }
                if (write(sync[1], "x", 1) != 1)
                        _exit(1);
                for (;;) {
                        (*c->counter)++;
                        usleep(1000);
                }
        }
        close(sync[1]);
        assert_int_equal(read(sync[0], &ch, 1), 1);
        close(sync[0]);
        c->child = pid;
        return pid;
}

static bool beating(Ctx *c)
{
        uint64_t before = *c->counter;

        sleep_ms(60);
        return *c->counter != before;
}

/* Wait (bounded) for a child to end; returns its status or -1. */
static int wait_child(pid_t pid, unsigned ms)
{
        int status;

        for (unsigned i = 0; i < ms; i++) {
                pid_t r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        return status;
                if (r < 0)
                        return -1;
                sleep_ms(1);
        }
        return -1;
}

/* ---- setup / teardown ---- */

static int setup(void **state)
{
        Ctx *c = calloc(1, sizeof(*c));
        const char *u = unified_mount();

        if (!c)
                return -1;
        snprintf(c->base, sizeof(c->base), "/husk-test-%d-%u", (int)getpid(), test_seq++);
        snprintf(c->path, sizeof(c->path), "%s/a", c->base);
        c->counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (c->counter == MAP_FAILED) {
                free(c);
                return -1;
        }
        if (u)
                (void)cgroup_read(u, "cgroup.subtree_control", &c->unified_root_subtree);
        *state = c;
        return 0;
}

static int teardown(void **state)
{
        Ctx *c = *state;
        const char *u = unified_mount();

        if (!c)
                return 0;
        if (c->child > 0) {
                kill(c->child, SIGKILL);
                for_each_hierarchy_dir(c->base, remove_cb, NULL); /* thaws it */
                (void)wait_child(c->child, 2000);
        }
        if (c->cg) {
                (void)cgroup_destroy(c->cg, NULL);
                cgroup_free(c->cg);
        }
        for_each_hierarchy_dir(c->base, remove_cb, NULL);
        /* Put the unified root's subtree_control back as it was. */
        if (u && c->unified_root_subtree) {
                _cleanup_free_ char *now = NULL;
                if (cgroup_read(u, "cgroup.subtree_control", &now) == 0 &&
                    !strstr(c->unified_root_subtree, "hugetlb") && strstr(now, "hugetlb"))
                        (void)cgroup_write(u, "cgroup.subtree_control", "-hugetlb", NULL);
        }
        free(c->unified_root_subtree);
        munmap((void *)c->counter, 4096);
        free(c);
        return 0;
}

/* ---- helpers on the handle ---- */

static char *read_ctrl_file(Cgroup *cg, CgroupController ctrl, const char *v1_file, const char *v2_file)
{
        bool v2 = false;
        CgroupDir *d = cgroup_dir_for(cg, ctrl, &v2);
        char *s = NULL;

        assert_non_null(d);
        if (cgroup_read(d->path, v2 ? v2_file : v1_file, &s) < 0)
                fail_msg("read %s/%s", d->path, v2 ? v2_file : v1_file);
        return s;
}

static void check_ctrl_file(Cgroup *cg, CgroupController ctrl, const char *v1_file, const char *v2_file,
                            const char *want_v1, const char *want_v2)
{
        bool v2 = false;
        _cleanup_free_ char *s = NULL;

        assert_non_null(cgroup_dir_for(cg, ctrl, &v2));
        s = read_ctrl_file(cg, ctrl, v1_file, v2_file);
        if (!streq(s, v2 ? want_v2 : want_v1))
                fail_msg("%s = \"%s\", want \"%s\"", v2 ? v2_file : v1_file, s, v2 ? want_v2 : want_v1);
}

/* Lines of /proc/PID/cgroup that name `path`. */
static int proc_cgroup_lines(pid_t pid, const char *path)
{
        char file[64];
        _cleanup_free_ char *s = NULL;
        size_t pl = strlen(path);
        int n = 0;

        snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
        assert_int_equal(read_full_file(file, &s, NULL, NULL), 0);
        for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
                size_t l = strlen(line);
                if (l > pl && streq(line + l - pl, path) && line[l - pl - 1] == ':')
                        n++;
        }
        return n;
}

static SpecHugepageLimit huge2m = { .page_size = "2MB", .limit = 4194304 };

static SpecResources some_resources(void)
{
        SpecResources r = { 0 };

        if (have(CGROUP_CTRL_MEMORY))
                r.has_memory_limit = true, r.memory_limit = 32 << 20;
        if (have(CGROUP_CTRL_PIDS))
                r.has_pids_limit = true, r.pids_limit = 10;
        if (have(CGROUP_CTRL_CPU)) {
                r.has_cpu_quota = true, r.cpu_quota = 50000;
                r.has_cpu_period = true, r.cpu_period = 100000;
        }
        if (have_hugetlb_2mb())
                r.hugepage_limits = &huge2m, r.n_hugepage_limits = 1;
        return r;
}

static Cgroup *create_ok(const char *path, const SpecResources *r)
{
        Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;

        if (cgroup_create(path, r, CGROUP_MANAGER_CGROUPFS, false, &cg, &e) < 0)
                fail_msg("cgroup_create %s: %s", path, e ? e->msg : "?");
        return cg;
}

/* ---- tests ---- */

static void test_lifecycle(void **state)
{
        Ctx *c = *state;
        SpecResources r = some_resources();
        _cleanup_error_ Error *e = NULL;
        _cleanup_free_ char *stats = NULL;
        pid_t *pids = NULL;
        size_t n = 0;
        int status, fd;
        json_t *j;
        json_error_t je;

        print_message("  layout %s, %d hierarchies\n", cgroup_layout_to_string(cgroup_layout()), count_hierarchies());
        c->cg = create_ok(c->path, &r);
        assert_string_equal(cgroup_path(c->cg), c->path);
        assert_int_equal(cgroup_created_depth(c->cg), 2);
        assert_int_equal(count_existing(c->path), count_hierarchies());

        if (r.has_memory_limit)
                check_ctrl_file(c->cg, CGROUP_CTRL_MEMORY, "memory.limit_in_bytes", "memory.max", "33554432",
                                "33554432");
        if (r.has_pids_limit)
                check_ctrl_file(c->cg, CGROUP_CTRL_PIDS, "pids.max", "pids.max", "10", "10");
        if (r.has_cpu_quota) {
                check_ctrl_file(c->cg, CGROUP_CTRL_CPU, "cpu.cfs_quota_us", "cpu.max", "50000", "50000 100000");
                check_ctrl_file(c->cg, CGROUP_CTRL_CPU, "cpu.cfs_period_us", "cpu.max", "100000", "50000 100000");
        }
        if (r.n_hugepage_limits)
                check_ctrl_file(c->cg, CGROUP_CTRL_HUGETLB, "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.max", "4194304",
                                "4194304");

        fd = cgroup_unified_fd(c->cg);
        if (unified_mount()) {
                struct stat st;
                assert_true(fd >= 0);
                assert_int_equal(fstat(fd, &st), 0);
                assert_true(S_ISDIR(st.st_mode));
                close(fd);
        } else {
                assert_int_equal(fd, -EOPNOTSUPP);
        }

        spawn_beater(c, 0);
        if (cgroup_enter(c->cg, c->child, &e) < 0)
                fail_msg("enter: %s", e->msg);
        assert_int_equal(proc_cgroup_lines(c->child, c->path), (int)c->cg->n_dirs);

        assert_int_equal(cgroup_pids(c->cg, &pids, &n, &e), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], c->child);
        free(pids);

        /* freeze: the heartbeat stops; thaw: it goes on. */
        assert_true(beating(c));
        assert_false(cgroup_is_frozen(c->cg));
        if (cgroup_freeze(c->cg, true, &e) < 0)
                fail_msg("freeze: %s", e->msg);
        assert_true(cgroup_is_frozen(c->cg));
        print_message("  frozen child state: %c\n", proc_state(c->child));
        assert_false(beating(c));
        if (cgroup_freeze(c->cg, false, &e) < 0)
                fail_msg("thaw: %s", e->msg);
        assert_false(cgroup_is_frozen(c->cg));
        assert_true(beating(c));

        /* stats */
        assert_int_equal(cgroup_stats_json(c->cg, &stats, &e), 0);
        j = json_loads(stats, JSON_DECODE_INT_AS_REAL, &je);
        if (!j)
                fail_msg("stats: %s: %s", je.text, stats);
        if (r.has_pids_limit) {
                assert_true(json_number_value(json_object_get(json_object_get(j, "pids"), "current")) == 1);
                assert_true(json_number_value(json_object_get(json_object_get(j, "pids"), "limit")) == 10);
        }
        if (r.has_memory_limit) {
                json_t *u = json_object_get(json_object_get(j, "memory"), "usage");
                /* usage may be 0: v1 does not move charges with the task */
                assert_true(json_number_value(json_object_get(u, "limit")) == 32 << 20);
        }
        assert_true(json_is_object(json_object_get(j, "hugetlb")));
        assert_true(json_is_object(json_object_get(json_object_get(j, "cpu"), "usage")));
        /* cpuacct's per-cpu times: v1 only (runc has none on v2) */
        if (cgroup_layout() != CGROUP_LAYOUT_V2)
                assert_true(
                        json_is_array(json_object_get(json_object_get(json_object_get(j, "cpu"), "usage"), "percpu")));
        json_decref(j);

        /* kill_all, then destroy: nothing left in any hierarchy. */
        if (cgroup_kill_all(c->cg, SIGKILL, &e) < 0)
                fail_msg("kill_all: %s", e->msg);
        status = wait_child(c->child, 2000);
        assert_true(status != -1);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        c->child = 0;
        if (cgroup_destroy(c->cg, &e) < 0)
                fail_msg("destroy: %s", e->msg);
        assert_gone(c->path);
        assert_gone(c->base);
        /* Destroy twice: nothing to do. */
        assert_int_equal(cgroup_destroy(c->cg, &e), 0);
}

/* destroy alone kills what runs (a forking child included) and removes the
 * cgroup, the killed processes being still unreaped zombies of ours. */
static void test_destroy_kills(void **state)
{
        Ctx *c = *state;
        _cleanup_error_ Error *e = NULL;
        pid_t *pids = NULL;
        size_t n = 0;
        int status;

        c->cg = create_ok(c->path, NULL);
        spawn_beater(c, 3);
        /* The grandchildren were forked before the move: move them too. */
        assert_int_equal(cgroup_enter(c->cg, c->child, &e), 0);
        {
                char p[64];
                _cleanup_free_ char *kids = NULL;
                snprintf(p, sizeof(p), "/proc/%d/task/%d/children", (int)c->child, (int)c->child);
                assert_int_equal(read_full_file(p, &kids, NULL, NULL), 0);
                for (char *t = strtok(kids, " \n"); t; t = strtok(NULL, " \n")) {
                        int k;
                        assert_int_equal(parse_int(t, &k), 0);
                        assert_int_equal(cgroup_enter(c->cg, k, &e), 0);
                }
        }
        assert_int_equal(cgroup_pids(c->cg, &pids, &n, &e), 0);
        free(pids);
        assert_int_equal(n, 4);

        if (cgroup_destroy(c->cg, &e) < 0)
                fail_msg("destroy: %s", e->msg);
        assert_gone(c->base);
        status = wait_child(c->child, 2000);
        assert_true(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        c->child = 0;
}

/* A frozen cgroup: kill_all with SIGTERM thaws it so the signal lands. */
static void test_kill_frozen(void **state)
{
        Ctx *c = *state;
        _cleanup_error_ Error *e = NULL;
        int status;

        c->cg = create_ok(c->path, NULL);
        spawn_beater(c, 0);
        assert_int_equal(cgroup_enter(c->cg, c->child, &e), 0);
        if (cgroup_freeze(c->cg, true, &e) < 0)
                fail_msg("freeze: %s", e->msg);
        assert_true(cgroup_is_frozen(c->cg));
        if (cgroup_kill_all(c->cg, SIGTERM, &e) < 0)
                fail_msg("kill_all: %s", e->msg);
        status = wait_child(c->child, 2000);
        assert_true(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
        c->child = 0;
        assert_false(cgroup_is_frozen(c->cg));
        assert_int_equal(cgroup_destroy(c->cg, &e), 0);
        assert_gone(c->base);
}

/* A cgroup that exists already is shared: not removed by its second user. */
static void test_existing_is_kept(void **state)
{
        Ctx *c = *state;
        _cleanup_cgroup_ Cgroup *again = NULL;
        _cleanup_error_ Error *e = NULL;

        c->cg = create_ok(c->path, NULL);
        again = create_ok(c->path, NULL);
        assert_int_equal(cgroup_created_depth(again), 0);
        assert_int_equal(cgroup_destroy(again, &e), 0);
        assert_int_equal(count_existing(c->path), count_hierarchies());
        assert_int_equal(cgroup_destroy(c->cg, &e), 0);
        assert_gone(c->base);
}

/* In two steps, as create does: the cgroup2 part alone, then the rest. A
 * process then joins the v1 part by writing "0" to the tasks files. */
static void test_two_steps(void **state)
{
        Ctx *c = *state;
        _cleanup_error_ Error *e = NULL;
        _cleanup_strv_ char **tasks = NULL;
        int n_v1 = 0, sync[2];
        SpecResources r = { 0 };
        char ch = 0;
        pid_t pid;

        if (have(CGROUP_CTRL_PIDS))
                r.has_pids_limit = true, r.pids_limit = 33;
        /* From a cold start, as in a runtime: the cgroup2 part is found
         * without mountinfo (cgroup_host_probe_v2()). */
        cgroup_host_reset();
        if (cgroup_create_part(c->path, &r, CGROUP_MANAGER_CGROUPFS, false, CGROUP_PART_V2, &c->cg, &e) < 0)
                fail_msg("create v2 part: %s", e->msg);
        for (int i = 0; i < count_hierarchies(); i++)
                if (!cgroup_host()->hier[i].unified)
                        n_v1++;
        assert_int_equal(count_existing(c->path), unified_mount() ? 1 : 0);
        assert_int_equal(cgroup_create_rest(c->cg, &r, &e), 0);
        assert_int_equal(count_existing(c->path), count_hierarchies());
        if (r.has_pids_limit)
                check_ctrl_file(c->cg, CGROUP_CTRL_PIDS, "pids.max", "pids.max", "33", "33");

        assert_int_equal(cgroup_v1_tasks_files(c->cg, &tasks), 0);
        assert_int_equal((int)strv_length(tasks), n_v1);
        assert_int_equal(pipe(sync), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                for (size_t i = 0; tasks[i]; i++)
                        if (write_string_file(tasks[i], "0") < 0)
                                _exit(1);
                if (write(sync[1], "x", 1) != 1)
                        _exit(1);
                pause();
                _exit(0);
        }
        close(sync[1]);
        assert_int_equal(read(sync[0], &ch, 1), 1);
        close(sync[0]);
        c->child = pid;
        /* Every v1 hierarchy; the unified one only by cgroup_enter_part. */
        assert_int_equal(proc_cgroup_lines(pid, c->path), n_v1);
        assert_int_equal(cgroup_enter_part(c->cg, pid, CGROUP_PART_V2, &e), 0);
        assert_int_equal(proc_cgroup_lines(pid, c->path), count_hierarchies());
        assert_int_equal(cgroup_destroy(c->cg, &e), 0);
        assert_gone(c->path);
}

/* A later invocation: open, update, destroy the leaf (the parent stays). */
static void test_open_update(void **state)
{
        Ctx *c = *state;
        _cleanup_cgroup_ Cgroup *cg = NULL;
        _cleanup_error_ Error *e = NULL;
        SpecResources r = { 0 };
        char missing[128];

        c->cg = create_ok(c->path, NULL);
        assert_int_equal(cgroup_open(c->path, CGROUP_MANAGER_CGROUPFS, &cg, &e), 0);
        assert_int_equal(cg->n_dirs, c->cg->n_dirs);
        assert_int_equal(cgroup_created_depth(cg), 1);
        if (have(CGROUP_CTRL_PIDS)) {
                r.has_pids_limit = true, r.pids_limit = 20;
                if (cgroup_apply(cg, &r, &e) < 0)
                        fail_msg("apply: %s", e->msg);
                check_ctrl_file(cg, CGROUP_CTRL_PIDS, "pids.max", "pids.max", "20", "20");
                r.pids_limit = 0;
                assert_int_equal(cgroup_apply(cg, &r, &e), 0);
                check_ctrl_file(cg, CGROUP_CTRL_PIDS, "pids.max", "pids.max", "max", "max");
        }
        assert_int_equal(cgroup_destroy(cg, &e), 0);
        assert_gone(c->path);
        assert_int_equal(count_existing(c->base), count_hierarchies());

        snprintf(missing, sizeof(missing), "%s/nope", c->base);
        cgroup_free(cg);
        cg = NULL;
        assert_int_equal(cgroup_open(missing, CGROUP_MANAGER_CGROUPFS, &cg, &e), -ENOENT);
        assert_non_null(strstr(e->msg, "does not exist"));
}

/* A failing create leaves nothing behind. */
static void test_create_failure_cleans_up(void **state)
{
        Ctx *c = *state;
        _cleanup_error_ Error *e = NULL;
        SpecResources r = { 0 };
        Cgroup *cg = NULL;
        int rr;

        if (have(CGROUP_CTRL_CPUSET))
                r.cpu_cpus = "99999"; /* no such CPU: the write fails */
        else if (!have(CGROUP_CTRL_MEMORY))
                r.has_memory_limit = true, r.memory_limit = 1 << 20; /* not available */
        else
                r.has_network_class_id = true, r.network_class_id = 1;
        rr = cgroup_create(c->path, &r, CGROUP_MANAGER_CGROUPFS, false, &cg, &e);
        assert_true(rr < 0);
        assert_null(cg);
        print_message("  %s\n", e->msg);
        assert_true(strncmp(e->msg, "create cgroup ", 14) == 0);
        assert_gone(c->base);
}

/* Device rules: v1 devices.allow/deny, or the v2 BPF program. */
static int try_open(const char *path, int flags)
{
        int fd = open(path, flags | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

static int device_probe(Ctx *c, const char *const *paths, const int *flags, size_t n)
{
        int sync[2], status;
        pid_t pid;
        char ch = 0;
        _cleanup_error_ Error *e = NULL;

        assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int bits = 0;

                prctl(PR_SET_PDEATHSIG, SIGKILL);
                close(sync[1]);
                if (read(sync[0], &ch, 1) != 1)
                        _exit(100);
                for (size_t i = 0; i < n; i++)
                        if (try_open(paths[i], flags[i]) == 0)
                                bits |= 1 << i;
                _exit(bits);
        }
        close(sync[0]);
        c->child = pid;
        if (cgroup_enter(c->cg, pid, &e) < 0)
                fail_msg("enter: %s", e->msg);
        assert_int_equal(write(sync[1], "x", 1), 1);
        close(sync[1]);
        status = wait_child(pid, 5000);
        c->child = 0;
        assert_true(status != -1 && WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void test_devices(void **state)
{
        Ctx *c = *state;
        _cleanup_error_ Error *e = NULL;
        SpecDeviceRule rules[] = {
                { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
                { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm" }, /* null */
                { .allow = true, .type = 'c', .major = 1, .minor = 5, .access = "r" },   /* zero, read only */
        };
        SpecDeviceRule more[] = {
                { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
                { .allow = true, .type = 'c', .major = 1, .minor = 7, .access = "rw" }, /* full */
        };
        static const char *const paths[] = { "/dev/null", "/dev/zero", "/dev/zero", "/dev/full" };
        static const int flags[] = { O_RDWR, O_RDONLY, O_WRONLY, O_RDONLY };
        SpecResources r = { 0 };
        int bits;

        r.devices = rules, r.n_devices = ELEMENTSOF(rules);
        if (cgroup_create(c->path, &r, CGROUP_MANAGER_CGROUPFS, false, &c->cg, &e) < 0)
                fail_msg("create: %s", e->msg);
        print_message("  device rules via %s\n",
                      cgroup_dir_for(c->cg, CGROUP_CTRL_DEVICES, NULL) ? "devices.allow/deny" : "BPF program");
        bits = device_probe(c, paths, flags, 4);
        assert_int_equal(bits, 0x1 | 0x2); /* null rw, zero r; not zero w, not full */

        /* Update: the old rules are replaced, not added to. */
        r.devices = more, r.n_devices = ELEMENTSOF(more);
        if (cgroup_apply(c->cg, &r, &e) < 0)
                fail_msg("apply: %s", e->msg);
        bits = device_probe(c, paths, flags, 4);
        assert_int_equal(bits, 0x8);

        assert_int_equal(cgroup_destroy(c->cg, &e), 0);
        assert_gone(c->base);
}

int main(void)
{
        const char *root = getenv("HUSK_CGROUP_ROOT");
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
                cmocka_unit_test_setup_teardown(test_destroy_kills, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kill_frozen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_existing_is_kept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_update, setup, teardown),
                cmocka_unit_test_setup_teardown(test_two_steps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_failure_cleans_up, setup, teardown),
                cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
        };

        if (geteuid() != 0) {
                fprintf(stderr, "skipped: needs root\n");
                return 77;
        }
        if (root && *root) {
                struct statfs s;
                if (statfs(root, &s) < 0 || (s.f_type != CGROUP2_SUPER_MAGIC && s.f_type != TMPFS_MAGIC)) {
                        fprintf(stderr, "skipped: %s is not a cgroup root\n", root);
                        return 77;
                }
        }
        if (cgroup_layout() == CGROUP_LAYOUT_UNKNOWN) {
                fprintf(stderr, "skipped: no cgroup filesystem\n");
                return 77;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
