/* husk inspect and husk ps: a container record, whole or through a
 * format, and the list of containers. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "engine/engine.h"
#include "lib/macros.h"
#include "lib/util.h"

/* ---- inspect ---- */

/* '{{.State.Pid}}' and '{{json .Config}}': field paths only. */
static int print_format(json_t *rec, const char *fmt)
{
        const char *p = fmt;

        while (*p) {
                const char *open = strstr(p, "{{"), *close;
                _cleanup_free_ char *expr = NULL;
                json_t *v = rec;
                bool as_json = false;
                char *t, *save = NULL, *x;

                if (!open) {
                        fputs(p, stdout);
                        break;
                }
                fwrite(p, 1, (size_t)(open - p), stdout);
                close = strstr(open, "}}");
                if (!close) {
                        fprintf(stderr, "Error: template: unclosed action in %s\n", fmt);
                        return 1;
                }
                expr = strndup(open + 2, (size_t)(close - open - 2));
                x = expr;
                while (*x == ' ')
                        x++;
                if (strncmp(x, "json ", 5) == 0) {
                        as_json = true;
                        x += 5;
                }
                while (*x == ' ')
                        x++;
                for (t = strtok_r(x, ". }", &save); t && v; t = strtok_r(NULL, ". }", &save))
                        v = json_object_get(v, t);
                if (!v && !as_json) {
                        fprintf(stderr, "Error: template: can't evaluate field in %s\n", fmt);
                        return 1;
                }
                if (as_json || json_is_object(v) || json_is_array(v)) {
                        _cleanup_free_ char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
                        fputs(s ? s : "", stdout);
                } else if (json_is_string(v))
                        fputs(json_string_value(v), stdout);
                else if (json_is_integer(v))
                        printf("%lld", (long long)json_integer_value(v));
                else if (json_is_boolean(v))
                        fputs(json_is_true(v) ? "true" : "false", stdout);
                else
                        fputs("<no value>", stdout);
                p = close + 2;
        }
        putchar('\n');
        return 0;
}

int cmd_inspect(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        const char *fmt = NULL;
        json_t *all;
        int c, ret = 0;

        GETOPT_LOOP(cmd, argc, argv, "+f:", lo, c) if (c == 'f') fmt = optarg;
        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        all = json_array();
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_error_ Error *e2 = NULL;
                json_t *rec = NULL;
                if (engine_lookup(e, argv[i], &id, &e2) < 0 || engine_load(e, id, &rec, &e2) < 0) {
                        fprintf(stderr, "Error: %s\n", e2 && e2->msg ? e2->msg : "unknown error");
                        ret = 1;
                        continue;
                }
                if (fmt) {
                        if (print_format(rec, fmt))
                                ret = 1;
                        json_decref(rec);
                } else
                        json_array_append_new(all, rec);
        }
        if (!fmt) {
                _cleanup_free_ char *out = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
                printf("%s\n", out ? out : "[]");
        }
        json_decref(all);
        return ret;
}

/* ---- ps ---- */

static time_t parse_time(const char *s)
{
        struct tm tm = { 0 };

        if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
                return 0;
        return timegm(&tm);
}

/* go-units HumanDuration */
static void human_duration(time_t secs, char *buf, size_t n)
{
        if (secs < 1)
                snprintf(buf, n, "Less than a second");
        else if (secs == 1)
                snprintf(buf, n, "1 second");
        else if (secs < 60)
                snprintf(buf, n, "%ld seconds", (long)secs);
        else if (secs / 60 == 1)
                snprintf(buf, n, "About a minute");
        else if (secs < 3600)
                snprintf(buf, n, "%ld minutes", (long)secs / 60);
        else if ((secs + 1800) / 3600 == 1)
                snprintf(buf, n, "About an hour");
        else if (secs < 48 * 3600)
                snprintf(buf, n, "%ld hours", (long)(secs + 1800) / 3600);
        else
                snprintf(buf, n, "%ld days", (long)secs / 86400);
}

int cmd_ps(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "all", no_argument, NULL, 'a' },
                                            { "quiet", no_argument, NULL, 'q' },
                                            { "no-trunc", no_argument, NULL, 1 },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        static const char *const heads[] = {
                "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"
        };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_strv_ char **ids = NULL;
        bool all = false, quiet = false, notrunc = false;
        char ***rows = NULL;
        size_t nrows = 0, w[7];
        time_t now = time(NULL);
        int c;

        GETOPT_LOOP(cmd, argc, argv, "aq", lo, c) switch (c)
        {
        case 'a': all = true; break;
        case 'q': quiet = true; break;
        case 1: notrunc = true; break;
        }
        if (cli_open_engine(&s, &e, &err) < 0 || engine_list(e, &ids, &err) < 0)
                return cli_fail125(err);
        rows = calloc(strv_length(ids) + 1, sizeof(char **));
        for (size_t i = 0; i < 7; i++)
                w[i] = strlen(heads[i]);
        for (char **id = ids; rows && *id; id++) {
                json_t *rec = NULL, *st, *args;
                char created[64], status[128], command[256], *cells[7];
                const char *stat, *name;
                if (engine_load(e, *id, &rec, NULL) < 0)
                        continue;
                st = json_object_get(rec, "State");
                stat = json_string_value(json_object_get(st, "Status")) ?: "";
                if (!all && !streq(stat, "running")) {
                        json_decref(rec);
                        continue;
                }
                if (quiet) {
                        printf("%.*s\n", notrunc ? 64 : 12, *id);
                        json_decref(rec);
                        continue;
                }
                human_duration(now - parse_time(json_string_value(json_object_get(rec, "Created"))), created,
                               sizeof(created));
                strcat(created, " ago");
                if (streq(stat, "running")) {
                        char d[64];
                        human_duration(now - parse_time(json_string_value(json_object_get(st, "StartedAt"))), d,
                                       sizeof(d));
                        snprintf(status, sizeof(status), "Up %s", d);
                } else if (streq(stat, "exited")) {
                        char d[64];
                        human_duration(now - parse_time(json_string_value(json_object_get(st, "FinishedAt"))), d,
                                       sizeof(d));
                        snprintf(status, sizeof(status), "Exited (%lld) %s ago",
                                 (long long)json_integer_value(json_object_get(st, "ExitCode")), d);
                } else
                        snprintf(status, sizeof(status), "Created");
                snprintf(command, sizeof(command), "%s", json_string_value(json_object_get(rec, "Path")) ?: "");
                args = json_object_get(rec, "Args");
                for (size_t k = 0; k < json_array_size(args); k++) {
                        size_t l = strlen(command);
                        snprintf(command + l, sizeof(command) - l, " %s", json_string_value(json_array_get(args, k)));
                }
                if (!notrunc && strlen(command) > 20)
                        strcpy(command + 19, "…");
                name = json_string_value(json_object_get(rec, "Name")) ?: "";
                cells[0] = strndup(*id, notrunc ? 64 : 12);
                cells[1] = strdup(json_string_value(json_object_get(json_object_get(rec, "Config"), "Image")) ?: "");
                if (asprintf(&cells[2], "\"%s\"", command) < 0)
                        cells[2] = NULL;
                cells[3] = strdup(created);
                cells[4] = strdup(status);
                cells[5] = strdup("");
                cells[6] = strdup(name[0] == '/' ? name + 1 : name);
                rows[nrows] = calloc(8, sizeof(char *));
                for (size_t k = 0; k < 7; k++) {
                        if (rows[nrows])
                                rows[nrows][k] = cells[k] ? cells[k] : strdup("");
                        /* display width: "…" is 3 bytes, one column */
                        if (cells[k] && strlen(cells[k]) - (strstr(cells[k], "…") ? 2 : 0) > w[k])
                                w[k] = strlen(cells[k]) - (strstr(cells[k], "…") ? 2 : 0);
                }
                nrows++;
                json_decref(rec);
        }
        if (!quiet) {
                for (size_t k = 0; k < 6; k++)
                        printf("%-*s   ", (int)w[k], heads[k]);
                printf("%s\n", heads[6]);
                for (size_t i = 0; i < nrows; i++) {
                        for (size_t k = 0; k < 7; k++) {
                                const char *cell = rows[i][k];
                                int pad = (int)w[k] + (strstr(cell, "…") ? 2 : 0);
                                if (k == 6)
                                        printf("%s\n", cell);
                                else
                                        printf("%-*s   ", pad, cell);
                        }
                        strv_free(rows[i]);
                }
        }
        free(rows);
        return 0;
}
