/* husk network create, ls, inspect, rm, prune, connect, disconnect:
 * Docker's network commands over the engine's networks (engine/networks.h).
 * Errors exit 1, as Docker's do; a usage error 125. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/husk-cli.h"
#include "engine/engine.h"
#include "engine/networks.h"
#include "lib/macros.h"
#include "lib/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

int cmd_network_create(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "driver", required_argument, NULL, 'd' },
                                            { "subnet", required_argument, NULL, 's' },
                                            { "gateway", required_argument, NULL, 'g' },
                                            { "ip-range", required_argument, NULL, 'r' },
                                            { "internal", no_argument, NULL, 'i' },
                                            { "label", required_argument, NULL, 'l' },
                                            { "opt", required_argument, NULL, 'o' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_strv_ char **labels = NULL, **opts = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL;
        EngineNetworkOpts o = { 0 };
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+d:o:", lo, c) switch (c)
        {
        case 'd': o.driver = optarg; break;
        case 's': o.subnet = optarg; break;
        case 'g': o.gateway = optarg; break;
        case 'r': o.ip_range = optarg; break;
        case 'i': o.internal = true; break;
        case 'l': strv_push(&labels, optarg); break;
        case 'o': strv_push(&opts, optarg); break;
        }
        if (argc - optind != 1)
                return cli_args_error(cmd, "exactly 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        o.name = argv[optind];
        o.labels = labels;
        o.options = opts;
        if (cli_open_engine(&s, &e, &err) < 0 || engine_net_create(e, &o, &id, &err) < 0)
                return cli_fail(err);
        printf("%s\n", id);
        return 0;
}

/* ls --filter KEY=VALUE: the values of one key are alternatives, the
 * keys all apply. */
enum { F_NAME, F_DRIVER, F_LABEL, F_ID, F_TYPE, N_FILTERS };
static const char *const filter_keys[N_FILTERS] = { "name", "driver", "label", "id", "type" };

typedef struct Filters {
        char **v[N_FILTERS];
} Filters;

static void filters_clear(Filters *f)
{
        for (size_t i = 0; i < N_FILTERS; i++)
                strv_free(f->v[i]);
}

static int filter_add(Filters *f, const char *arg)
{
        const char *eq = strchr(arg, '=');

        for (size_t i = 0; eq && i < N_FILTERS; i++) {
                if (strlen(filter_keys[i]) != (size_t)(eq - arg) || strncmp(arg, filter_keys[i], (size_t)(eq - arg)))
                        continue;
                if (i == F_TYPE && !streq(eq + 1, "custom") && !streq(eq + 1, "builtin")) {
                        fprintf(stderr, "Error: invalid filter: 'type'='%s'\n", eq + 1);
                        return -EINVAL;
                }
                return strv_push(&f->v[i], eq + 1);
        }
        fprintf(stderr, "Error: invalid filter '%s'\n", arg);
        return -EINVAL;
}

static const char *str(json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key)) ?: "";
}

static bool any_of(char **values, bool (*match)(const char *have, const char *want), const char *have)
{
        if (!values)
                return true;
        for (char **v = values; *v; v++)
                if (match(have, *v))
                        return true;
        return false;
}

static bool substring(const char *have, const char *want)
{
        return strstr(have, want) != NULL;
}

static bool prefix(const char *have, const char *want)
{
        return strncmp(have, want, strlen(want)) == 0;
}

static bool equal(const char *have, const char *want)
{
        return streq(have, want);
}

static bool network_matches(json_t *n, const Filters *f)
{
        bool builtin = streq(str(n, "Created"), "0001-01-01T00:00:00Z");

        if (!any_of(f->v[F_NAME], substring, str(n, "Name")) || !any_of(f->v[F_DRIVER], equal, str(n, "Driver")) ||
            !any_of(f->v[F_ID], prefix, str(n, "Id")) || !any_of(f->v[F_TYPE], equal, builtin ? "builtin" : "custom"))
                return false;
        for (char **l = f->v[F_LABEL]; l && *l; l++)
                if (!cli_label_matches(json_object_get(n, "Labels"), *l))
                        return false;
        return true;
}

/* Docker's network context: ID, Name, Driver, Scope, IPv6, Internal,
 * Labels, CreatedAt. */
static json_t *network_row(json_t *n, bool no_trunc)
{
        _cleanup_free_ char *labels = NULL;
        size_t len = 0;
        const char *k;
        json_t *v;
        bool first = true;
        FILE *f = open_memstream(&labels, &len);

        if (f) {
                json_object_foreach(json_object_get(n, "Labels"), k, v)
                {
                        fprintf(f, "%s%s=%s", first ? "" : ",", k, json_string_value(v) ?: "");
                        first = false;
                }
                fclose(f);
        }
        return json_pack("{s:s%,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", str(n, "Id"), no_trunc ? (size_t)64 : (size_t)12,
                         "Name", str(n, "Name"), "Driver", str(n, "Driver"), "Scope", str(n, "Scope"), "IPv6",
                         json_is_true(json_object_get(n, "EnableIPv6")) ? "true" : "false", "Internal",
                         json_is_true(json_object_get(n, "Internal")) ? "true" : "false", "Labels",
                         labels ? labels : "", "CreatedAt", str(n, "Created"));
}

int cmd_network_ls(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "filter", required_argument, NULL, 'f' }, { "format", required_argument, NULL, 'F' },
                { "no-trunc", no_argument, NULL, 'T' },     { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },         { 0 }
        };
        _cleanup_(filters_clear) Filters f = { 0 };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_json_ json_t *all = NULL, *rows = json_array(), *h = NULL;
        const char *fmt = NULL;
        bool quiet = false, no_trunc = false;
        json_t *n;
        size_t i;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+f:q", lo, c) switch (c)
        {
        case 'f':
                if (filter_add(&f, optarg) < 0)
                        return EXIT_USAGE;
                break;
        case 'F': fmt = optarg; break;
        case 'T': no_trunc = true; break;
        case 'q': quiet = true; break;
        }
        if (optind != argc)
                return cli_args_error(cmd, "no arguments") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_store(&s, &err) < 0 || engine_open_query(s, cli_state_root(), &e, &err) < 0 ||
            engine_net_list(e, &all, &err) < 0)
                return cli_fail(err);
        json_array_foreach(all, i, n)
        {
                if (!network_matches(n, &f))
                        continue;
                if (quiet)
                        printf("%.*s\n", no_trunc ? 64 : 12, str(n, "Id"));
                else
                        json_array_append_new(rows, network_row(n, no_trunc));
        }
        if (quiet)
                return 0;
        if (!fmt || !*fmt || streq(fmt, "table"))
                fmt = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
        h = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", "NETWORK ID", "Name", "NAME", "Driver", "DRIVER",
                      "Scope", "SCOPE", "IPv6", "IPV6", "Internal", "INTERNAL", "Labels", "LABELS", "CreatedAt",
                      "CREATED AT");
        return cli_format_rows(fmt, "*formatter.networkContext", h, rows);
}

int cmd_network_inspect(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        const char *fmt = NULL;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+f:", lo, c) if (c == 'f') fmt = optarg;
        return cli_inspect_each(cmd, argc, argv, engine_net_inspect, fmt, "types.NetworkResource");
}

int cmd_network_rm(const Cmd *cmd, int argc, char **argv)
{
        return cli_remove_each(cmd, argc, argv, engine_net_remove);
}

int cmd_network_prune(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "force", no_argument, NULL, 'f' },
                                            { "filter", required_argument, NULL, 'F' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_strv_ char **removed = NULL;
        bool force = false;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+f", lo, c)
        {
                if (c == 'f')
                        force = true;
                else if (c == 'F') {
                        fprintf(stderr, "Error: network prune --filter is not supported\n");
                        return EXIT_USAGE;
                }
        }
        if (optind != argc)
                return cli_args_error(cmd, "no arguments") ? EXIT_USAGE : EXIT_USAGE;
        if (!force && !cli_prune_confirm("all custom networks not used by at least one container"))
                return 0;
        if (cli_open_engine(&s, &e, &err) < 0 || engine_net_prune(e, &removed, &err) < 0)
                return cli_fail(err);
        cli_print_deleted("Deleted Networks:", removed);
        return 0;
}

int cmd_network_connect(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "ip", required_argument, NULL, 'i' },
                                            { "alias", required_argument, NULL, 'a' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_strv_ char **aliases = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        const char *ip = NULL;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", lo, c)
        {
                if (c == 'i')
                        ip = optarg;
                else if (c == 'a')
                        strv_push(&aliases, optarg);
        }
        if (argc - optind != 2)
                return cli_args_error(cmd, "exactly 2 arguments") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0 ||
            engine_net_connect(e, argv[optind], argv[optind + 1], ip, aliases, &err) < 0)
                return cli_fail(err);
        return 0;
}

int cmd_network_disconnect(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "force", no_argument, NULL, 'f' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        bool force = false;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+f", lo, c) if (c == 'f') force = true;
        if (argc - optind != 2)
                return cli_args_error(cmd, "exactly 2 arguments") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0 ||
            engine_net_disconnect(e, argv[optind], argv[optind + 1], force, &err) < 0)
                return cli_fail(err);
        return 0;
}
