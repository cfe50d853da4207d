/* husk volume create, ls, inspect, rm, prune: Docker's volume commands
 * over the engine's volume store (<storage>/volumes). Errors exit 1, as
 * Docker's volume commands do; a usage error 125. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/husk-cli.h"
#include "engine/engine.h"
#include "lib/macros.h"
#include "lib/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

int cmd_volume_create(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "driver", required_argument, NULL, 'd' }, { "label", required_argument, NULL, 'l' },
                { "name", required_argument, NULL, 'n' },   { "opt", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },         { 0 }
        };
        _cleanup_strv_ char **labels = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *made = NULL;
        const char *name = NULL, *driver = NULL;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+d:o:", lo, c) switch (c)
        {
        case 'd': driver = optarg; break;
        case 'l': strv_push(&labels, optarg); break;
        case 'n': name = optarg; break;
        case 'o':
                fprintf(stderr, "Error: create: the local driver takes no options here (--opt %s)\n", optarg);
                return 1;
        }
        if (argc - optind > 1)
                return cli_args_error(cmd, "at most 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (optind < argc) {
                if (name && !streq(name, argv[optind])) {
                        fprintf(stderr, "Conflicting options: either specify --name or provide positional arg, not "
                                        "both\n");
                        return EXIT_USAGE;
                }
                name = argv[optind];
        }
        if (cli_open_engine(&s, &e, &err) < 0 || engine_volume_create(e, name, driver, labels, &made, &err) < 0)
                return cli_fail(err);
        printf("%s\n", made);
        return 0;
}

typedef struct Filters {
        char **name, **driver, **label, **dangling;
} Filters;

static void filters_clear(Filters *f)
{
        strv_free(f->name);
        strv_free(f->driver);
        strv_free(f->label);
        strv_free(f->dangling);
}

static int filter_add(Filters *f, const char *arg)
{
        const char *eq = strchr(arg, '=');
        size_t k = eq ? (size_t)(eq - arg) : 0;
        char ***slot = !eq                                      ? NULL
                       : k == 4 && !strncmp(arg, "name", 4)     ? &f->name
                       : k == 6 && !strncmp(arg, "driver", 6)   ? &f->driver
                       : k == 5 && !strncmp(arg, "label", 5)    ? &f->label
                       : k == 8 && !strncmp(arg, "dangling", 8) ? &f->dangling
                                                                : NULL;

        if (!slot) {
                fprintf(stderr, "Error: invalid filter '%s'\n", arg);
                return -EINVAL;
        }
        if (slot == &f->dangling && !streq(eq + 1, "true") && !streq(eq + 1, "false") && !streq(eq + 1, "1") &&
            !streq(eq + 1, "0")) {
                fprintf(stderr, "Error: invalid filter 'dangling=%s'\n", eq + 1);
                return -EINVAL;
        }
        return strv_push(slot, eq + 1);
}

bool cli_label_matches(json_t *labels, const char *want)
{
        const char *eq = strchr(want, '=');
        _cleanup_free_ char *key = eq ? strndup(want, (size_t)(eq - want)) : strdup(want);
        json_t *v = key ? json_object_get(labels, key) : NULL;

        return v && (!eq || streq(json_string_value(v) ?: "", eq + 1));
}

/* Values of one filter are alternatives; different filters all apply. */
static int volume_matches(Engine *e, json_t *v, const Filters *f)
{
        const char *name = json_string_value(json_object_get(v, "Name"));
        bool ok = !f->name;

        for (char **n = f->name; n && *n && !ok; n++)
                ok = strstr(name, *n) != NULL;
        if (!ok)
                return 0;
        ok = !f->driver;
        for (char **n = f->driver; n && *n && !ok; n++)
                ok = streq(*n, "local");
        if (!ok)
                return 0;
        for (char **n = f->label; n && *n; n++)
                if (!cli_label_matches(json_object_get(v, "Labels"), *n))
                        return 0;
        if (f->dangling) {
                _cleanup_error_ Error *err = NULL;
                bool used = false, want = streq(f->dangling[0], "true") || streq(f->dangling[0], "1");
                if (engine_volume_in_use(e, name, &used, &err) < 0)
                        return -1;
                if (used == want)
                        return 0;
        }
        return 1;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "Name")),
                      json_string_value(json_object_get(*(json_t *const *)b, "Name")));
}

int cmd_volume_ls(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "filter", required_argument, NULL, 'f' },
                                            { "quiet", no_argument, NULL, 'q' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_(filters_clear) Filters f = { 0 };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_json_ json_t *all = NULL;
        _cleanup_free_ json_t **sorted = NULL;
        bool quiet = false;
        size_t n;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+f:q", lo, c) switch (c)
        {
        case 'f':
                if (filter_add(&f, optarg) < 0)
                        return EXIT_USAGE;
                break;
        case 'q': quiet = true; break;
        }
        if (optind != argc)
                return cli_args_error(cmd, "no arguments") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_store(&s, &err) < 0 || engine_open_query(s, cli_state_root(), &e, &err) < 0 ||
            engine_volume_list(e, &all, &err) < 0)
                return cli_fail(err);
        n = json_array_size(all);
        sorted = calloc(n + 1, sizeof(json_t *));
        if (!sorted)
                return 1;
        for (size_t i = 0; i < n; i++)
                sorted[i] = json_array_get(all, i);
        qsort(sorted, n, sizeof(json_t *), by_name);
        if (!quiet)
                printf("%-10s%s\n", "DRIVER", "VOLUME NAME");
        for (size_t i = 0; i < n; i++) {
                int m = volume_matches(e, sorted[i], &f);
                if (m < 0)
                        return 1;
                if (!m)
                        continue;
                if (quiet)
                        printf("%s\n", json_string_value(json_object_get(sorted[i], "Name")));
                else
                        printf("%-10s%s\n", "local", json_string_value(json_object_get(sorted[i], "Name")));
        }
        return 0;
}

int cli_inspect_each(const Cmd *cmd, int argc, char **argv, CliInspectFn get, const char *fmt, const char *type_name)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_json_ json_t *out = json_array();
        _cleanup_free_ char *text = NULL;
        int ret = 0;

        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_store(&s, &err) < 0 || engine_open_query(s, cli_state_root(), &e, &err) < 0)
                return cli_fail(err);
        for (int i = optind; i < argc; i++) {
                _cleanup_error_ Error *e2 = NULL;
                json_t *v = NULL;
                if (get(e, argv[i], &v, &e2) < 0) {
                        cli_fail(e2);
                        ret = 1;
                        continue;
                }
                json_array_append_new(out, v);
        }
        if (fmt) {
                int r = cli_format_rows(fmt, type_name, NULL, out);
                return r ? r : ret;
        }
        text = json_dumps(out, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
        printf("%s\n", text ? text : "[]");
        return ret;
}

int cmd_volume_inspect(const Cmd *cmd, int argc, char **argv)
{
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", NULL, c)
        {
        }
        return cli_inspect_each(cmd, argc, argv, engine_volume_inspect, NULL, NULL);
}

int cli_remove_each(const Cmd *cmd, int argc, char **argv, CliRemoveFn rm)
{
        static const struct option lo[] = { { "force", no_argument, NULL, 'f' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        bool force = false;
        int c, ret = 0;

        GETOPT_LOOP(cmd, argc, argv, "+f", lo, c) if (c == 'f') force = true;
        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail(err);
        for (int i = optind; i < argc; i++) {
                _cleanup_error_ Error *e2 = NULL;
                if (rm(e, argv[i], force, &e2) < 0) {
                        cli_fail(e2);
                        ret = 1;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return ret;
}

int cmd_volume_rm(const Cmd *cmd, int argc, char **argv)
{
        return cli_remove_each(cmd, argc, argv, engine_volume_remove);
}

bool cli_prune_confirm(const char *what)
{
        char answer[16] = "";

        fprintf(stderr, "WARNING! This will remove %s.\nAre you sure you want to continue? [y/N] ", what);
        return fgets(answer, sizeof(answer), stdin) && (answer[0] == 'y' || answer[0] == 'Y');
}

void cli_print_deleted(const char *title, char *const *names)
{
        if (!names)
                return;
        printf("%s\n", title);
        for (char *const *n = names; *n; n++)
                printf("%s\n", *n);
}

int cmd_volume_prune(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "all", no_argument, NULL, 'a' },
                                            { "force", no_argument, NULL, 'f' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_strv_ char **removed = NULL;
        bool all = false, force = false;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+af", lo, c)
        {
                if (c == 'a')
                        all = true;
                else if (c == 'f')
                        force = true;
        }
        if (optind != argc)
                return cli_args_error(cmd, "no arguments") ? EXIT_USAGE : EXIT_USAGE;
        if (!force && !cli_prune_confirm(all ? "all local volumes not used by at least one container"
                                             : "anonymous local volumes not used by at least one container"))
                return 0;
        if (cli_open_engine(&s, &e, &err) < 0 || engine_volume_prune(e, all, &removed, &err) < 0)
                return cli_fail(err);
        cli_print_deleted("Deleted Volumes:", removed);
        return 0;
}
