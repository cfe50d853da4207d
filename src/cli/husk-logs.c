/* husk logs: the container's json-file log. */
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

/* ---- logs ---- */

static void print_log_line(const char *line, bool timestamps)
{
        json_t *o = json_loads(line, 0, NULL);
        const char *log = json_string_value(json_object_get(o, "log")),
                   *stream = json_string_value(json_object_get(o, "stream"));
        FILE *f = stream && streq(stream, "stderr") ? stderr : stdout;

        if (log) {
                if (timestamps)
                        fprintf(f, "%s ", json_string_value(json_object_get(o, "time")) ?: "");
                fputs(log, f);
                fflush(f);
        }
        json_decref(o);
}

int cmd_logs(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "follow", no_argument, NULL, 'f' },
                                            { "tail", required_argument, NULL, 'n' },
                                            { "timestamps", no_argument, NULL, 't' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL, *path = NULL, *line = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_strv_ char **lines = NULL;
        bool follow = false, ts = false;
        long tail = -1;
        size_t n = 0, count;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "fn:t", lo, c) switch (c)
        {
        case 'f': follow = true; break;
        case 't': ts = true; break;
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
        if (cli_open_engine(&s, &e, &err) < 0 || engine_lookup(e, argv[optind], &id, &err) < 0)
                return cli_fail125(err) ? 1 : 1;
        path = engine_log_path(e, id);
        f = path ? fopen(path, "re") : NULL;
        if (f) {
                while (getline(&line, &n, f) > 0)
                        strv_push(&lines, line);
        }
        count = strv_length(lines);
        for (size_t i = tail >= 0 && (size_t)tail < count ? count - (size_t)tail : 0; i < count; i++)
                print_log_line(lines[i], ts);
        while (follow) {
                bool alive = engine_monitor_alive(e, id);
                if (!f)
                        f = path ? fopen(path, "re") : NULL;
                while (f && getline(&line, &n, f) > 0)
                        print_log_line(line, ts);
                if (f)
                        clearerr(f);
                if (!alive)
                        break;
                usleep(50000);
        }
        return 0;
}
