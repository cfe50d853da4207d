/* husk top, stats, port, rename, pause, unpause and container prune:
 * Docker's small container commands, read from /proc and the container's
 * cgroup instead of asking a daemon. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "cli/template.h"
#include "engine/engine.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

/* Resolve argv's container (engine_lookup); prints Docker's error. */
static int lookup_or_fail(Engine *e, const char *ref, char **ret_id)
{
        _cleanup_error_ Error *err = NULL;

        if (engine_lookup(e, ref, ret_id, &err) < 0) {
                fprintf(stderr, "Error response from daemon: %s\n", err->msg);
                return -1;
        }
        return 0;
}

/* ---- top ---- */

typedef struct ProcInfo {
        pid_t pid, ppid, nspid;
        uid_t uid;
        int tty_nr;
        unsigned long long utime, stime, start, vsz_kb, rss_kb; /* VmSize, VmRSS */
        char state;
        char comm[64];
        char *cmdline;
} ProcInfo;

static int proc_read(pid_t pid, ProcInfo *p)
{
        char path[64], buf[4096], *c;
        _cleanup_free_ char *status = NULL, *cmd = NULL;
        size_t len = 0;
        FILE *f;

        *p = (ProcInfo){ .pid = pid, .nspid = pid };
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        if (!fgets(buf, sizeof(buf), f)) {
                fclose(f);
                return -EIO;
        }
        fclose(f);
        /* comm may hold spaces and parens: the last ')' ends it */
        c = strrchr(buf, ')');
        if (!c || !strchr(buf, '('))
                return -EIO;
        snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(c - strchr(buf, '(') - 1), strchr(buf, '(') + 1);
        for (char *q = p->comm; *q; q++)
                if ((unsigned char)*q < 0x20 || *q == 0x7f)
                        *q = '?';
        if (sscanf(c + 2, "%c %d %*d %*d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu", &p->state,
                   &p->ppid, &p->tty_nr, &p->utime, &p->stime, &p->start) != 6)
                return -EIO;
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        if (read_full_file(path, &status, NULL, NULL) >= 0) {
                const char *u = strstr(status, "\nUid:"), *ns = strstr(status, "\nNSpid:");
                const char *vsz = strstr(status, "\nVmSize:"), *rss = strstr(status, "\nVmRSS:");
                if (u)
                        p->uid = (uid_t)strtoul(u + 5, NULL, 10);
                if (vsz)
                        p->vsz_kb = strtoull(vsz + 8, NULL, 10);
                if (rss)
                        p->rss_kb = strtoull(rss + 7, NULL, 10);
                if (ns) {
                        /* the last pid in the list is the innermost namespace's */
                        const char *end = strchr(ns + 1, '\n');
                        const char *q = end ? end : ns + strlen(ns);
                        while (q > ns && isspace((unsigned char)q[-1]))
                                q--;
                        while (q > ns && isdigit((unsigned char)q[-1]))
                                q--;
                        p->nspid = (pid_t)strtol(q, NULL, 10);
                }
        }
        snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
        if (read_full_file(path, &cmd, &len, NULL) >= 0 && len > 0) {
                /* the container's process writes its own argv: control
                 * characters (a terminal's escapes, a tab that would shift
                 * the columns) print as '?', as ps prints them */
                for (size_t i = 0; i + 1 < len; i++)
                        if (cmd[i] == 0)
                                cmd[i] = ' ';
                        else if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
                                cmd[i] = '?';
                p->cmdline = TAKE_PTR(cmd);
        } else if (asprintf(&p->cmdline, "[%s]", p->comm) < 0)
                p->cmdline = NULL;
        return 0;
}

static double uptime_secs(void)
{
        _cleanup_free_ char *s = NULL;

        if (read_full_file("/proc/uptime", &s, NULL, NULL) < 0)
                return 0;
        return strtod(s, NULL);
}

/* ps's TTY column from tty_nr: pts/N, ttyN, or "?". */
static void tty_name(int nr, char *buf, size_t n)
{
        unsigned maj = ((unsigned)nr >> 8) & 0xfff, min = ((unsigned)nr & 0xff) | (((unsigned)nr >> 12) & 0xfff00);

        if (nr == 0)
                snprintf(buf, n, "?");
        else if (maj >= 136 && maj <= 143)
                snprintf(buf, n, "pts/%u", (maj - 136) * 256 + min);
        else if (maj == 4)
                snprintf(buf, n, "tty%u", min);
        else
                snprintf(buf, n, "?");
}

/* The container's /etc/passwd, read through its root (/proc/PID/root)
 * with RESOLVE_IN_ROOT: an image's symlink cannot send the read to a host
 * file. NULL when it has none. */
static char *container_passwd(pid_t init)
{
        _cleanup_close_ int root = -EBADF, fd = -EBADF;
        char path[64], *text = NULL;

        snprintf(path, sizeof(path), "/proc/%d/root", init);
        root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return NULL;
        fd = path_open_in_root(root, "/etc/passwd", O_RDONLY, 0, NULL);
        if (fd < 0 || read_full_fd(fd, &text, NULL, NULL) < 0)
                return NULL;
        return text;
}

/* The uid that host uid `uid` is inside pid's user namespace (uid_map:
 * "inside outside count" lines), or -1 when it is not mapped there. */
static long uid_inside(pid_t pid, uid_t uid)
{
        _cleanup_free_ char *map = NULL;
        char path[64];
        unsigned long in, out, count;

        snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
        if (read_full_file(path, &map, NULL, NULL) < 0)
                return uid;
        for (char *l = map; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (sscanf(l, "%lu %lu %lu", &in, &out, &count) == 3 && uid >= out && uid - out < count)
                        return (long)(in + (uid - out));
        return -1;
}

/* The user inside: the container's passwd name of the uid inside, else
 * the number. */
static void user_inside(const ProcInfo *p, const char *passwd, char *buf, size_t n)
{
        long uid = uid_inside(p->pid, p->uid);
        char key[32];
        size_t kl;

        if (uid < 0) {
                snprintf(buf, n, "nobody");
                return;
        }
        snprintf(buf, n, "%ld", uid);
        kl = (size_t)snprintf(key, sizeof(key), ":%ld:", uid);
        for (const char *l = passwd; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *eol = strchrnul(l, '\n');
                if (c1 && c2 && c2 < eol && (size_t)(eol - c2) > kl && strncmp(c2, key, kl) == 0 && c1 - l < 32) {
                        snprintf(buf, n, "%.*s", (int)(c1 - l), l);
                        for (char *q = buf; *q; q++)
                                if ((unsigned char)*q < 0x20 || *q == 0x7f)
                                        *q = '?';
                        return;
                }
        }
}

/* One row of `ps -ef` (aux: false) or `ps aux` for p; -ef's CUSER is the
 * user inside (passwd: the container's /etc/passwd). */
static void top_row(FILE *out, const ProcInfo *p, bool aux, long hz, double up, time_t boot, const struct tm *today,
                    const char *passwd)
{
        char cuser[40];
        struct passwd *pw = getpwuid(p->uid);
        char user[32], start[16], tty[16];
        unsigned long long cpu = (p->utime + p->stime) / (unsigned long long)hz;
        double age = up - (double)p->start / (double)hz, pcpu;
        time_t started = boot + (time_t)(p->start / (unsigned long long)hz);
        struct tm tm;

        if (pw && strlen(pw->pw_name) <= 8)
                snprintf(user, sizeof(user), "%s", pw->pw_name);
        else
                snprintf(user, sizeof(user), "%u", (unsigned)p->uid);
        localtime_r(&started, &tm);
        if (tm.tm_yday == today->tm_yday && tm.tm_year == today->tm_year)
                strftime(start, sizeof(start), "%H:%M", &tm);
        else
                strftime(start, sizeof(start), "%b%d", &tm);
        tty_name(p->tty_nr, tty, sizeof(tty));
        pcpu = age > 0 ? (double)(p->utime + p->stime) / (double)hz * 100 / age : 0;
        if (aux) {
                struct sysinfo si;
                double total = sysinfo(&si) == 0 ? (double)si.totalram * si.mem_unit : 0;
                fprintf(out, "%s\t%d\t%.1f\t%.1f\t%llu\t%llu\t%s\t%c\t%s\t%llu:%02llu\t%d\t%s\n", user, p->pid, pcpu,
                        total > 0 ? (double)p->rss_kb * 1024 * 100 / total : 0, p->vsz_kb, p->rss_kb, tty, p->state,
                        start, cpu / 60, cpu % 60, p->nspid, p->cmdline ? p->cmdline : p->comm);
        } else {
                user_inside(p, passwd, cuser, sizeof(cuser));
                fprintf(out, "%s\t%d\t%d\t%d\t%s\t%s\t%02llu:%02llu:%02llu\t%d\t%s\t%s\n", user, p->pid, p->ppid,
                        (int)pcpu, start, tty, cpu / 3600, cpu / 60 % 60, cpu % 60, p->nspid, cuser,
                        p->cmdline ? p->cmdline : p->comm);
        }
}

int cmd_top(const Cmd *cmd, int argc, char **argv)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL, *buf = NULL, *passwd = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, len = 0;
        json_t *rec = NULL;
        long hz = sysconf(_SC_CLK_TCK);
        double up = uptime_secs();
        time_t now = time(NULL), boot = now - (time_t)up;
        bool aux = false;
        struct tm today;
        FILE *out;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", NULL, c)
        {
        }
        if (argc - optind < 1)
                return cli_args_error(cmd, "at least 1 argument"), EXIT_USAGE;
        /* ps options: husk reads /proc itself, in the columns of ps -ef
         * (Docker's default) or ps aux */
        for (int i = optind + 1; i < argc; i++) {
                if (streq(argv[i], "aux") || streq(argv[i], "-aux") || streq(argv[i], "au") || streq(argv[i], "ax"))
                        aux = true;
                else if (!streq(argv[i], "-ef") && !streq(argv[i], "-e") && !streq(argv[i], "-f")) {
                        fprintf(stderr,
                                "Error response from daemon: husk top shows the columns of ps -ef or ps aux; "
                                "ps option \"%s\" is not supported\n",
                                argv[i]);
                        return 1;
                }
        }
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        if (lookup_or_fail(e, argv[optind], &id) < 0)
                return 1;
        if (engine_pids(e, id, &pids, &n, &err) < 0) {
                fprintf(stderr, "Error response from daemon: %s\n", err->msg);
                return 1;
        }
        if (hz <= 0)
                hz = 100;
        localtime_r(&now, &today);
        out = open_memstream(&buf, &len);
        if (!out)
                return 1;
        fputs(aux ? "USER\tPID\t%CPU\t%MEM\tVSZ\tRSS\tTTY\tSTAT\tSTART\tTIME\tCPID\tCOMMAND\n"
                  : "UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCPID\tCUSER\tCMD\n",
              out);
        if (engine_load(e, id, &rec, NULL) >= 0) {
                passwd = container_passwd(
                        (pid_t)json_integer_value(json_object_get(json_object_get(rec, "State"), "Pid")));
                json_decref(rec);
        }
        for (size_t i = 0; i < n; i++) {
                ProcInfo p;
                if (proc_read(pids[i], &p) < 0)
                        continue; /* exited meanwhile */
                top_row(out, &p, aux, hz, up, boot, &today, passwd);
                free(p.cmdline);
        }
        fclose(out);
        template_tabwrite(buf ? buf : "", 20, stdout);
        return 0;
}

/* ---- stats ---- */

static uint64_t jget(json_t *o, const char *a, const char *b, const char *c)
{
        json_t *v = json_object_get(o, a);

        if (b)
                v = json_object_get(v, b);
        if (c)
                v = json_object_get(v, c);
        return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

typedef struct Sample {
        char *id, *name;
        pid_t pid;
        uint64_t cpu_ns;
        struct timespec at;
        json_t *stats;
} Sample;

static int sample(Engine *e, Sample *x)
{
        _cleanup_free_ char *text = NULL;
        json_t *rec = NULL;

        json_decref(x->stats);
        x->stats = NULL;
        if (engine_load(e, x->id, &rec, NULL) < 0)
                return -ENOENT;
        x->pid = (pid_t)json_integer_value(json_object_get(json_object_get(rec, "State"), "Pid"));
        json_decref(rec);
        if (engine_stats_json(e, x->id, &text, NULL) < 0)
                return -ESRCH;
        x->stats = json_loads(text, 0, NULL);
        clock_gettime(CLOCK_MONOTONIC, &x->at);
        x->cpu_ns = jget(x->stats, "cpu", "usage", "total");
        return x->stats ? 0 : -EBADMSG;
}

/* Bytes received and sent on the container's interfaces but lo. */
static void net_io(pid_t pid, uint64_t *rx, uint64_t *tx)
{
        char path[64], line[512];
        FILE *f;

        *rx = *tx = 0;
        if (pid <= 0)
                return;
        snprintf(path, sizeof(path), "/proc/%d/net/dev", pid);
        f = fopen(path, "re");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                char ifn[64];
                unsigned long long r, t;
                if (sscanf(line, " %63[^:]: %llu %*u %*u %*u %*u %*u %*u %*u %llu", ifn, &r, &t) == 3 &&
                    !streq(ifn, "lo")) {
                        *rx += r;
                        *tx += t;
                }
        }
        fclose(f);
}

static json_t *stats_row(const Sample *a, const Sample *b, const char *typed, bool notrunc)
{
        json_t *m = json_object_get(b->stats, "memory"), *raw = json_object_get(m, "raw"), *x;
        uint64_t usage = jget(m, "usage", "usage", NULL), limit = jget(m, "usage", "limit", NULL);
        uint64_t inactive = jget(raw, "total_inactive_file", NULL, NULL) ?: jget(raw, "inactive_file", NULL, NULL);
        uint64_t rd = 0, wr = 0, rx, tx;
        double dt = (double)(b->at.tv_sec - a->at.tv_sec) * 1e9 + (double)(b->at.tv_nsec - a->at.tv_nsec);
        double cpu = dt > 0 && b->cpu_ns >= a->cpu_ns ? (double)(b->cpu_ns - a->cpu_ns) / dt * 100 : 0;
        struct sysinfo si;
        char cpus[32], mu[80], mp[32], nio[80], bio[80], u1[32], u2[32], pids[32];
        size_t i;

        if (sysinfo(&si) == 0 && (limit == 0 || limit > (uint64_t)si.totalram * si.mem_unit))
                limit = (uint64_t)si.totalram * si.mem_unit;
        if (inactive < usage)
                usage -= inactive;
        json_array_foreach(json_object_get(json_object_get(b->stats, "blkio"), "ioServiceBytesRecursive"), i, x)
        {
                const char *op = json_string_value(json_object_get(x, "op")) ?: "";
                if (strcasecmp(op, "read") == 0)
                        rd += (uint64_t)json_integer_value(json_object_get(x, "value"));
                else if (strcasecmp(op, "write") == 0)
                        wr += (uint64_t)json_integer_value(json_object_get(x, "value"));
        }
        net_io(b->pid, &rx, &tx);
        snprintf(cpus, sizeof(cpus), "%.2f%%", cpu);
        cli_size_string(usage, 1024, 4, u1, sizeof(u1));
        cli_size_string(limit, 1024, 4, u2, sizeof(u2));
        snprintf(mu, sizeof(mu), "%s / %s", u1, u2);
        snprintf(mp, sizeof(mp), "%.2f%%", limit ? (double)usage / (double)limit * 100 : 0);
        cli_size_string(rx, 1000, 3, u1, sizeof(u1));
        cli_size_string(tx, 1000, 3, u2, sizeof(u2));
        snprintf(nio, sizeof(nio), "%s / %s", u1, u2);
        cli_size_string(rd, 1000, 3, u1, sizeof(u1));
        cli_size_string(wr, 1000, 3, u2, sizeof(u2));
        snprintf(bio, sizeof(bio), "%s / %s", u1, u2);
        snprintf(pids, sizeof(pids), "%llu", (unsigned long long)jget(b->stats, "pids", "current", NULL));
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "BlockIO", bio, "CPUPerc", cpus, "Container", typed,
                         "ID", notrunc ? b->id : "", "MemPerc", mp, "MemUsage", mu, "Name", b->name, "NetIO", nio,
                         "PIDs", pids);
}

int cmd_stats(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "all", no_argument, NULL, 'a' },    { "no-stream", no_argument, NULL, 1 },
                { "no-trunc", no_argument, NULL, 2 }, { "format", required_argument, NULL, 3 },
                { "help", no_argument, NULL, 'h' },   { 0 }
        };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_strv_ char **ids = NULL, **typed = NULL;
        bool all = false, stream = true, notrunc = false;
        const char *fmt = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{."
                          "BlockIO}}\t{{.PIDs}}";
        Sample *a = NULL, *b = NULL;
        size_t n = 0;
        int c, ret = 0;

        GETOPT_LOOP(cmd, argc, argv, "a", lo, c) switch (c)
        {
        case 'a': all = true; break;
        case 1: stream = false; break;
        case 2: notrunc = true; break;
        case 3: fmt = optarg; break;
        }
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        if (optind < argc) {
                for (int i = optind; i < argc; i++) {
                        char *id = NULL;
                        if (lookup_or_fail(e, argv[i], &id) < 0)
                                return 1;
                        strv_push(&ids, id);
                        strv_push(&typed, argv[i]);
                        free(id);
                }
        } else {
                _cleanup_strv_ char **every = NULL;
                if (engine_list(e, &every, &err) < 0)
                        return cli_fail(err);
                for (char **i = every; *i; i++) {
                        json_t *rec = NULL;
                        bool running;
                        if (engine_load(e, *i, &rec, NULL) < 0)
                                continue;
                        running = json_is_true(json_object_get(json_object_get(rec, "State"), "Running"));
                        json_decref(rec);
                        if (running || all) {
                                char shortid[13];
                                snprintf(shortid, sizeof(shortid), "%.12s", *i);
                                strv_push(&ids, *i);
                                strv_push(&typed, shortid);
                        }
                }
        }
        n = strv_length(ids);
        a = calloc(n + 1, sizeof(Sample));
        b = calloc(n + 1, sizeof(Sample));
        if (!a || !b)
                return 1;
        for (size_t i = 0; i < n; i++) {
                json_t *rec = NULL;
                const char *nm = "";
                a[i].id = b[i].id = ids[i];
                if (engine_load(e, ids[i], &rec, NULL) >= 0)
                        nm = json_string_value(json_object_get(rec, "Name")) ?: "";
                a[i].name = b[i].name = strdup(nm[0] == '/' ? nm + 1 : nm);
                json_decref(rec);
                (void)sample(e, &a[i]);
        }
        for (;;) {
                json_t *rows = json_array(), *h;
                usleep(500000);
                for (size_t i = 0; i < n; i++) {
                        json_t *row;
                        if (sample(e, &b[i]) < 0) {
                                /* stopped: Docker shows zeros, "--" for the name */
                                row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "BlockIO", "0B / 0B",
                                                "CPUPerc", "0.00%", "Container", typed[i], "ID", ids[i], "MemPerc",
                                                "0.00%", "MemUsage", "0B / 0B", "Name", "--", "NetIO", "0B / 0B",
                                                "PIDs", "0");
                        } else
                                row = stats_row(&a[i], &b[i], typed[i], notrunc);
                        if (row && !notrunc)
                                json_object_set_new(row, "ID", json_stringn(ids[i], 12));
                        if (row)
                                json_array_append_new(rows, row);
                        json_decref(a[i].stats);
                        a[i].stats = b[i].stats;
                        b[i].stats = NULL;
                        a[i].cpu_ns = b[i].cpu_ns;
                        a[i].at = b[i].at;
                }
                h = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "BlockIO", "BLOCK I/O", "CPUPerc", "CPU %",
                              "Container", "CONTAINER", "ID", "CONTAINER ID", "MemPerc", "MEM %", "MemUsage",
                              "MEM USAGE / LIMIT", "Name", "NAME", "NetIO", "NET I/O", "PIDs", "PIDS");
                if (stream)
                        fputs("\033[2J\033[H", stdout);
                ret = cli_format_rows(fmt, "*formatter.statsContext", h, rows);
                json_decref(h);
                json_decref(rows);
                fflush(stdout);
                if (!stream || ret != 0)
                        break;
        }
        for (size_t i = 0; i < n; i++) {
                json_decref(a[i].stats);
                json_decref(b[i].stats);
                free(a[i].name);
        }
        free(a);
        free(b);
        return ret;
}

/* ---- port ---- */

int cmd_port(const Cmd *cmd, int argc, char **argv)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL, *want = NULL;
        json_t *rec = NULL, *ports, *binds;
        const char *key;
        bool found = false;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", NULL, c)
        {
        }
        if (argc - optind < 1 || argc - optind > 2)
                return cli_args_error(cmd, "at least 1 and at most 2 arguments"), EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        if (lookup_or_fail(e, argv[optind], &id) < 0 || engine_load(e, id, &rec, &err) < 0)
                return err ? cli_fail(err) : 1;
        if (argc - optind == 2) {
                const char *p = argv[optind + 1];
                if (asprintf(&want, strchr(p, '/') ? "%s" : "%s/tcp", p) < 0)
                        want = NULL;
        }
        /* NetworkSettings.Ports once networking publishes ports, else the
         * bindings asked for */
        ports = json_object_get(json_object_get(rec, "NetworkSettings"), "Ports");
        if (!json_is_object(ports))
                ports = json_object_get(json_object_get(rec, "HostConfig"), "PortBindings");
        json_object_foreach(ports, key, binds)
        {
                json_t *bnd;
                size_t i;
                if (want && !streq(want, key))
                        continue;
                json_array_foreach(binds, i, bnd)
                {
                        const char *ip = json_string_value(json_object_get(bnd, "HostIp")) ?: "";
                        const char *hp = json_string_value(json_object_get(bnd, "HostPort")) ?: "";
                        if (want)
                                printf("%s:%s\n", *ip ? ip : "0.0.0.0", hp);
                        else
                                printf("%s -> %s:%s\n", key, *ip ? ip : "0.0.0.0", hp);
                        found = true;
                }
        }
        json_decref(rec);
        if (want && !found) {
                fprintf(stderr, "Error: No public port '%s' published for %s\n", want, argv[optind]);
                return 1;
        }
        return 0;
}

/* ---- rename, pause, unpause ---- */

int cmd_rename(const Cmd *cmd, int argc, char **argv)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", NULL, c)
        {
        }
        if (argc - optind != 2)
                return cli_args_error(cmd, "exactly 2 arguments"), EXIT_USAGE;
        if (!*argv[optind + 1]) {
                fprintf(stderr, "Error: Neither old nor new names may be empty\n");
                return 1;
        }
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        if (lookup_or_fail(e, argv[optind], &id) < 0)
                return 1;
        if (engine_rename(e, id, argv[optind + 1], &err) < 0) {
                fprintf(stderr, "Error response from daemon: %s\n", err->msg);
                return 1;
        }
        return 0;
}

static int pause_many(const Cmd *cmd, int argc, char **argv, bool pause)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        int c, ret = 0;

        GETOPT_LOOP(cmd, argc, argv, "+", NULL, c)
        {
        }
        if (argc - optind < 1)
                return cli_args_error(cmd, "at least 1 argument"), EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_error_ Error *e2 = NULL;
                if (lookup_or_fail(e, argv[i], &id) < 0) {
                        ret = 1;
                        continue;
                }
                if (engine_pause(e, id, pause, &e2) < 0) {
                        fprintf(stderr, "Error response from daemon: %s\n", e2->msg);
                        ret = 1;
                        continue;
                }
                puts(argv[i]);
        }
        return ret;
}

int cmd_pause(const Cmd *cmd, int argc, char **argv)
{
        return pause_many(cmd, argc, argv, true);
}

int cmd_unpause(const Cmd *cmd, int argc, char **argv)
{
        return pause_many(cmd, argc, argv, false);
}

/* ---- container prune ---- */

/* Docker's prune filters: until=<timestamp|duration>, label=k[=v],
 * label!=k[=v]. */
static bool prune_match(json_t *rec, char **filters, time_t now)
{
        json_t *labels = json_object_get(json_object_get(rec, "Config"), "Labels");

        for (char **f = filters; f && *f; f++) {
                if (strncmp(*f, "until=", 6) == 0) {
                        struct tm tm = { 0 };
                        int64_t ns;
                        time_t limit, created;
                        const char *cr = json_string_value(json_object_get(rec, "Created"));
                        if (parse_duration(*f + 6, &ns) == 0)
                                limit = now - (time_t)(ns / 1000000000);
                        else if (strptime(*f + 6, "%Y-%m-%dT%H:%M:%S", &tm) || strptime(*f + 6, "%Y-%m-%d", &tm))
                                limit = timegm(&tm);
                        else
                                limit = (time_t)strtoll(*f + 6, NULL, 10);
                        memset(&tm, 0, sizeof(tm));
                        if (!cr || !strptime(cr, "%Y-%m-%dT%H:%M:%S", &tm))
                                return false;
                        created = timegm(&tm);
                        if (created >= limit)
                                return false;
                } else {
                        bool neg = strncmp(*f, "label!=", 7) == 0;
                        const char *kv = *f + (neg ? 7 : 6), *eq = strchr(kv, '=');
                        _cleanup_free_ char *k = eq ? strndup(kv, (size_t)(eq - kv)) : strdup(kv);
                        json_t *l = k ? json_object_get(labels, k) : NULL;
                        bool has = l && (!eq || streq(json_string_value(l) ?: "", eq + 1));
                        if (has == neg)
                                return false;
                }
        }
        return true;
}

int cmd_container_prune(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "force", no_argument, NULL, 'f' },
                                            { "filter", required_argument, NULL, 1 },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_strv_ char **ids = NULL, **filters = NULL;
        bool force = false, header = false;
        uint64_t reclaimed = 0;
        time_t now = time(NULL);
        char sz[32];
        int c;

        GETOPT_LOOP(cmd, argc, argv, "f", lo, c) switch (c)
        {
        case 'f': force = true; break;
        case 1:
                if (strncmp(optarg, "until=", 6) != 0 && strncmp(optarg, "label=", 6) != 0 &&
                    strncmp(optarg, "label!=", 7) != 0) {
                        fprintf(stderr, "Error response from daemon: invalid filter '%.*s'\n",
                                (int)strcspn(optarg, "!="), optarg);
                        return 1;
                }
                strv_push(&filters, optarg);
                break;
        }
        if (!force) {
                char answer[16] = "";
                fputs("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ",
                      stdout);
                fflush(stdout);
                if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
                        return 0;
        }
        if (cli_open_engine(&s, &e, &err) < 0 || engine_list(e, &ids, &err) < 0)
                return cli_fail125(err);
        for (char **id = ids; *id; id++) {
                _cleanup_free_ char *upper = engine_container_path(e, *id, "upper");
                _cleanup_error_ Error *e2 = NULL;
                json_t *rec = NULL;
                bool running, match;
                uint64_t size;
                if (engine_load(e, *id, &rec, NULL) < 0)
                        continue;
                running = json_is_true(json_object_get(json_object_get(rec, "State"), "Running"));
                match = !running && prune_match(rec, filters, now);
                json_decref(rec);
                if (!match)
                        continue;
                size = upper ? cli_dir_size(upper) : 0;
                if (engine_remove(e, *id, false, &e2) < 0) {
                        fprintf(stderr, "Error: %s\n", e2->msg);
                        continue;
                }
                if (!header)
                        puts("Deleted Containers:");
                header = true;
                puts(*id);
                reclaimed += size;
        }
        cli_human_size(reclaimed, sz, sizeof(sz));
        printf("%sTotal reclaimed space: %s\n", header ? "\n" : "", sz);
        return 0;
}
