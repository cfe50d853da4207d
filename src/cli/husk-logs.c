/* husk logs: the container's json-file log, with the files max-size
 * rotation left (<id>-json.log.N, oldest first), --since / --until,
 * --tail, -t and -f (following the log across rotations). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "engine/engine.h"
#include "lib/macros.h"
#include "lib/util.h"

/* Nanoseconds since the epoch. */
typedef long long Nanos;

static bool all_digits(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return n > 0;
}

/* A date as Docker's logs --since takes it (and the log's own times):
 * 2006-01-02[T15[:04[:05]]][.999999999][Z|+07:00|-07:00], local time when
 * no zone is given. */
static int parse_date(const char *s, Nanos *ret)
{
        struct tm tm = { .tm_mday = 1 };
        long long frac = 0;
        int digits = 0, n = 0, off = 0;
        bool zone = false;
        const char *p;
        time_t t;

        if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
                return -EINVAL;
        p = s + n;
        if (*p == 'T') {
                int k = 0;
                if (sscanf(p + 1, "%2d%n", &tm.tm_hour, &k) != 1 || k != 2)
                        return -EINVAL;
                p += 1 + k;
                if (*p == ':' && sscanf(p + 1, "%2d%n", &tm.tm_min, &k) == 1 && k == 2) {
                        p += 1 + k;
                        if (*p == ':' && sscanf(p + 1, "%2d%n", &tm.tm_sec, &k) == 1 && k == 2)
                                p += 1 + k;
                }
                if (*p == '.') {
                        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                                if (digits < 9)
                                        frac = frac * 10 + (*p - '0');
                        for (int d = digits; d < 9; d++)
                                frac *= 10;
                }
        }
        if (*p == 'Z' || *p == 'z') {
                zone = true;
                p++;
        } else if (*p == '+' || *p == '-') {
                int hh, mm, k = 0;
                if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &k) != 2 || k != 5)
                        return -EINVAL;
                off = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
                zone = true;
                p += 1 + k;
        }
        if (*p)
                return -EINVAL;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        if (zone)
                t = timegm(&tm) - off;
        else {
                tm.tm_isdst = -1;
                t = mktime(&tm);
        }
        *ret = (Nanos)t * 1000000000LL + frac;
        return 0;
}

/* --since / --until: a Go duration before now ("10m", "1h30m"), a Unix
 * timestamp ("1700000000", "1700000000.5") or a date (parse_date), as
 * Docker's. */
static int parse_when(const char *s, Nanos *ret)
{
        struct timespec now;
        int64_t d;
        const char *dot = strchr(s, '.');
        size_t ilen = dot ? (size_t)(dot - s) : strlen(s);

        clock_gettime(CLOCK_REALTIME, &now);
        if (!streq(s, "0") && parse_duration(s, &d) == 0) {
                *ret = (Nanos)now.tv_sec * 1000000000LL + now.tv_nsec - d;
                return 0;
        }
        if (all_digits(s, ilen) && (!dot || all_digits(dot + 1, strlen(dot + 1)))) {
                long long frac = 0;
                int digits = 0;
                for (const char *p = dot ? dot + 1 : ""; *p && digits < 9; p++, digits++)
                        frac = frac * 10 + (*p - '0');
                for (; digits < 9; digits++)
                        frac *= 10;
                *ret = strtoll(s, NULL, 10) * 1000000000LL + frac;
                return 0;
        }
        return parse_date(s, ret);
}

typedef struct LogFilter {
        bool timestamps;
        bool has_since, has_until;
        Nanos since, until;
} LogFilter;

/* Print one entry if it passes the filter; false once past --until. */
static bool print_log_line(const char *line, const LogFilter *f)
{
        /* a container may write NUL bytes: they are in the log as \u0000 */
        json_t *o = json_loads(line, JSON_ALLOW_NUL, NULL);
        const char *log = json_string_value(json_object_get(o, "log")),
                   *stream = json_string_value(json_object_get(o, "stream")),
                   *time = json_string_value(json_object_get(o, "time"));
        FILE *out = stream && streq(stream, "stderr") ? stderr : stdout;
        Nanos t = 0;
        bool more = true;

        if (log && (f->has_since || f->has_until) && (!time || parse_date(time, &t) < 0))
                log = NULL;
        if (log && f->has_since && t < f->since)
                log = NULL;
        if (log && f->has_until && t > f->until) {
                log = NULL;
                more = false;
        }
        if (log) {
                if (f->timestamps)
                        fprintf(out, "%s ", time ?: "");
                fwrite(log, 1, json_string_length(json_object_get(o, "log")), out);
                fflush(out);
        }
        json_decref(o);
        return more;
}

/* The lines of <path>.N ... <path>.1, <path>, oldest first; <path> stays
 * open at its end in *ret_current (or NULL) for -f. */
static void read_all(const char *path, char ***lines, FILE **ret_current)
{
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        int max = 0;

        for (;; max++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s.%d", path, max + 1) < 0 || access(p, F_OK) < 0)
                        break;
        }
        for (int i = max; i >= 0; i--) {
                _cleanup_free_ char *p = NULL;
                _cleanup_fclose_ FILE *f = NULL;
                if (i == 0)
                        p = strdup(path);
                else if (asprintf(&p, "%s.%d", path, i) < 0)
                        p = NULL;
                f = p ? fopen(p, "re") : NULL;
                while (f && getline(&line, &n, f) > 0)
                        strv_push(lines, line);
                if (i == 0)
                        *ret_current = TAKE_PTR(f);
        }
}

/* -f: print what comes, reopening the log when it was rotated, until the
 * container's monitor has gone. */
static void follow(Engine *e, const char *id, const char *path, FILE *f, const LogFilter *lf)
{
        _cleanup_free_ char *line = NULL;
        size_t n = 0;

        for (;;) {
                bool alive = engine_monitor_alive(e, id);
                struct stat a, b;

                if (!f)
                        f = fopen(path, "re");
                while (f && getline(&line, &n, f) > 0)
                        if (!print_log_line(line, lf)) {
                                fclose(f);
                                return;
                        }
                if (f && (stat(path, &a) < 0 || fstat(fileno(f), &b) < 0 || a.st_ino != b.st_ino)) {
                        fclose(f); /* rotated: the new file from its start */
                        f = fopen(path, "re");
                        continue;
                }
                if (f)
                        clearerr(f);
                if (!alive)
                        break;
                usleep(50000);
        }
        if (f)
                fclose(f);
}

static int bad_when(const char *flag, const char *v)
{
        fprintf(stderr, "Error: invalid value for \"%s\": failed to parse value as time or duration: \"%s\"\n", flag,
                v);
        return 1; /* Docker's daemon refuses it: not a flag error */
}

int cmd_logs(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "follow", no_argument, NULL, 'f' },      { "tail", required_argument, NULL, 'n' },
                { "timestamps", no_argument, NULL, 't' },  { "since", required_argument, NULL, 'S' },
                { "until", required_argument, NULL, 'U' }, { "details", no_argument, NULL, 'D' },
                { "help", no_argument, NULL, 'h' },        { 0 }
        };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL, *path = NULL;
        _cleanup_strv_ char **lines = NULL;
        _cleanup_fclose_ FILE *cur = NULL;
        LogFilter lf = { 0 };
        json_t *rec = NULL;
        const char *driver;
        bool follow_ = false, readable;
        long tail = -1;
        size_t count;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "fn:t", lo, c) switch (c)
        {
        case 'f': follow_ = true; break;
        case 't': lf.timestamps = true; break;
        case 'S':
                if (parse_when(optarg, &lf.since) < 0)
                        return bad_when("since", optarg);
                lf.has_since = true;
                break;
        case 'U':
                if (parse_when(optarg, &lf.until) < 0)
                        return bad_when("until", optarg);
                lf.has_until = true;
                break;
        case 'n':
                if (!streq(optarg, "all")) {
                        int t;
                        if (parse_int(optarg, &t) < 0) {
                                fprintf(stderr, "invalid argument \"%s\" for \"-n, --tail\" flag\n", optarg);
                                return EXIT_USAGE;
                        }
                        tail = t;
                }
                break;
        }
        if (optind + 1 != argc)
                return cli_args_error(cmd, "exactly 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0 || engine_lookup(e, argv[optind], &id, &err) < 0 ||
            engine_load(e, id, &rec, &err) < 0)
                return cli_fail(err);
        driver = json_string_value(
                json_object_get(json_object_get(json_object_get(rec, "HostConfig"), "LogConfig"), "Type"));
        readable = !driver || streq(driver, "json-file");
        json_decref(rec);
        if (!readable) {
                fprintf(stderr, "Error: configured logging driver does not support reading\n");
                return 1;
        }
        path = engine_log_path(e, id);
        if (!path)
                return 1;
        read_all(path, &lines, &cur);
        count = strv_length(lines);
        for (size_t i = tail >= 0 && (size_t)tail < count ? count - (size_t)tail : 0; i < count; i++)
                if (!print_log_line(lines[i], &lf))
                        return 0;
        if (follow_)
                follow(e, id, path, TAKE_PTR(cur), &lf);
        return 0;
}
