/* husk ns, husk lsns, husk explain: a container's isolation as the kernel
 * reports it (src/explain), printed as tables, text, JSON or a picture. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "cli/template.h"
#include "engine/engine.h"
#include "explain/explain.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

/* jansson's json_decrefp */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* A running container's record and init pid. Prints Docker's error and
 * returns -1 when there is none or it is not running. */
static int container_pid(Engine *e, const char *ref, char **ret_id, json_t **ret_rec, pid_t *ret_pid)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL;
        json_t *rec = NULL, *st;

        if (engine_lookup(e, ref, &id, &err) < 0 || engine_load(e, id, &rec, &err) < 0) {
                fprintf(stderr, "Error response from daemon: %s\n", err->msg);
                return -1;
        }
        st = json_object_get(rec, "State");
        if (!json_is_true(json_object_get(st, "Running")) || json_integer_value(json_object_get(st, "Pid")) <= 0) {
                fprintf(stderr, "Error response from daemon: container %s is not running\n", id);
                json_decref(rec);
                return -1;
        }
        *ret_pid = (pid_t)json_integer_value(json_object_get(st, "Pid"));
        *ret_rec = rec;
        *ret_id = TAKE_PTR(id);
        return 0;
}

/* "/web" → "web" */
static const char *rec_name(json_t *rec)
{
        const char *n = json_string_value(json_object_get(rec, "Name"));

        return n ? n + (*n == '/') : "";
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

/* CONTAINER or, when no container has that name or id prefix, a host PID:
 * its pid, the record (NULL for a PID) and a label for headers. */
static int resolve(Engine *e, const char *ref, pid_t *ret_pid, json_t **ret_rec, char **ret_label)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_error_ Error *err = NULL;
        char *label = NULL;

        if (all_digits(ref) && engine_lookup(e, ref, &id, &err) < 0) {
                int pid;
                char path[64];
                if (parse_int(ref, &pid) < 0 || pid <= 0) {
                        fprintf(stderr, "Error: %s: not a container or a PID\n", ref);
                        return -1;
                }
                snprintf(path, sizeof(path), "/proc/%d/ns", pid);
                if (access(path, F_OK) < 0) {
                        fprintf(stderr, "Error: No such container or process: %s\n", ref);
                        return -1;
                }
                *ret_pid = pid;
                *ret_rec = NULL;
                if (asprintf(&label, "process") < 0)
                        return -1;
                *ret_label = label;
                return 0;
        }
        free(id);
        id = NULL;
        if (container_pid(e, ref, &id, ret_rec, ret_pid) < 0)
                return -1;
        *ret_label = strdup(rec_name(*ret_rec));
        return *ret_label ? 0 : -1;
}

static int print_json(json_t *j)
{
        _cleanup_free_ char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        if (!s)
                return 1;
        puts(s);
        return 0;
}

/* Close f (an open_memstream on *buf) and print *buf's tab-separated
 * columns aligned. */
static void tabwrite(FILE *f, char **buf)
{
        fclose(f);
        template_tabwrite(*buf ? *buf : "", 2, stdout);
}

int cmd_ns(const Cmd *cmd, int argc, char **argv)
{
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'j' }, { "vs", required_argument, NULL, 'v' }, OPT_HELP, OPTS_END
        };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_json_ json_t *rec = NULL, *vs_rec = NULL, *table = NULL, *out = NULL, *other = NULL;
        _cleanup_free_ char *label = NULL, *vs_label = NULL, *buf = NULL;
        const char *vs = NULL;
        bool json = false;
        pid_t pid, ref = getpid();
        size_t i, len = 0;
        json_t *row;
        FILE *f = NULL;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "", opts, c)
        {
                if (c == 'j')
                        json = true;
                else if (c == 'v')
                        vs = optarg;
        }
        if (argc - optind != 1)
                return cli_args_error(cmd, "exactly 1 argument"), EXIT_USAGE;
        if (cli_open_store(&s, &err) < 0 || engine_open_query(s, cli_state_root(), &e, &err) < 0)
                return cli_fail125(err);
        if (resolve(e, argv[optind], &pid, &rec, &label) < 0)
                return 1;
        if (vs && resolve(e, vs, &ref, &vs_rec, &vs_label) < 0)
                return 1;
        if (explain_ns_table(pid, ref, rec, &table, &err) < 0)
                return cli_fail(err);
        /* against another container, a row is shared when either asked */
        if (vs_rec && explain_ns_table(ref, getpid(), vs_rec, &other, NULL) >= 0)
                json_array_foreach(table, i, row)
                {
                        if (!*json_string_value(json_object_get(row, "flag")))
                                json_object_set(row, "flag", json_object_get(json_array_get(other, i), "flag"));
                }
        if (json) {
                out = json_pack("{s:s,s:i,s:s,s:i,s:O}", "name", label, "pid", pid, "ref", vs_label ? vs_label : "host",
                                "ref_pid", ref, "namespaces", table);
                return print_json(out);
        }
        f = open_memstream(&buf, &len);
        if (!f)
                return 1;
        if (vs_label)
                fprintf(f, "NS\t%s (PID %d)\t%s (PID %d)\tSTATE\tFLAG\n", label, pid, vs_label, ref);
        else
                fprintf(f, "NS\t%s (PID %d)\tHOST\tSTATE\tFLAG\n", label, pid);
        json_array_foreach(table, i, row)
        {
                const char *flag = json_string_value(json_object_get(row, "flag"));
                fprintf(f, "%s\t%s\t%s\t%s\t%s\n", json_string_value(json_object_get(row, "type")),
                        json_string_value(json_object_get(row, "link")),
                        json_string_value(json_object_get(row, "ref_link")),
                        json_string_value(json_object_get(row, "state")), flag && *flag ? flag : "-");
        }
        tabwrite(f, &buf);
        return 0;
}

int cmd_lsns(const Cmd *cmd, int argc, char **argv)
{
        static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, OPT_HELP, OPTS_END };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_strv_ char **ids = NULL;
        _cleanup_json_ json_t *rows = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ char *buf = NULL;
        _cleanup_strv_ char **names = NULL;
        size_t n = 0, len = 0, i;
        bool json = false;
        json_t *row;
        FILE *f = NULL;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "", opts, c)
        {
                if (c == 'j')
                        json = true;
        }
        if (argc - optind != 0)
                return cli_args_error(cmd, "no arguments"), EXIT_USAGE;
        if (cli_open_store(&s, &err) < 0 || engine_open_query(s, cli_state_root(), &e, &err) < 0 ||
            engine_list(e, &ids, &err) < 0)
                return cli_fail125(err);
        pids = calloc(strv_length(ids) + 1, sizeof(pid_t));
        names = calloc(strv_length(ids) + 1, sizeof(char *));
        if (!pids || !names)
                return 1;
        for (char **id = ids; id && *id; id++) {
                _cleanup_json_ json_t *rec = NULL;
                json_t *st;
                if (engine_load(e, *id, &rec, NULL) < 0)
                        continue;
                st = json_object_get(rec, "State");
                if (!json_is_true(json_object_get(st, "Running")))
                        continue;
                pids[n] = (pid_t)json_integer_value(json_object_get(st, "Pid"));
                names[n] = strdup(rec_name(rec));
                if (pids[n] > 0 && names[n])
                        n++;
                else
                        free(names[n]), names[n] = NULL;
        }
        if (explain_lsns(pids, (const char *const *)names, n, &rows, &err) < 0)
                return cli_fail(err);
        if (json) {
                _cleanup_json_ json_t *o = json_pack("{s:O}", "namespaces", rows);
                return print_json(o);
        }
        f = open_memstream(&buf, &len);
        if (!f)
                return 1;
        fputs("NS\tTYPE\tNPROCS\tPID\tUSER\tCONTAINER\tCOMMAND\n", f);
        json_array_foreach(rows, i, row)
        {
                json_t *cs = json_object_get(row, "containers"), *v;
                size_t k;
                fprintf(f, "%lld\t%s\t%lld\t%lld\t%s\t", json_integer_value(json_object_get(row, "ns")),
                        json_string_value(json_object_get(row, "type")),
                        json_integer_value(json_object_get(row, "nprocs")),
                        json_integer_value(json_object_get(row, "pid")),
                        json_string_value(json_object_get(row, "user")));
                json_array_foreach(cs, k, v)
                {
                        fprintf(f, "%s%s", k ? "," : "", json_string_value(v));
                }
                fprintf(f, "\t%s\n", json_string_value(json_object_get(row, "command")));
        }
        tabwrite(f, &buf);
        return 0;
}

static void print_list(const char *title, json_t *a)
{
        size_t i;
        json_t *v;

        printf("  %s:", title);
        json_array_foreach(a, i, v)
        {
                printf(" %s", json_string_value(v));
        }
        if (json_array_size(a) == 0)
                printf(" (none)");
        putchar('\n');
}

static void print_explain(json_t *x)
{
        json_t *qs = json_object_get(x, "questions"), *q, *v, *cg = json_object_get(x, "cgroup");
        json_t *caps = json_object_get(x, "capabilities");
        size_t i, k;

        printf("Container %s: init pid %lld, monitor pid %lld\n\n", json_string_value(json_object_get(x, "name")),
               json_integer_value(json_object_get(x, "pid")), json_integer_value(json_object_get(x, "monitor_pid")));
        json_array_foreach(qs, i, q)
        {
                printf("%s\n  %s\n", json_string_value(json_object_get(q, "question")),
                       json_string_value(json_object_get(q, "text")));
                json_array_foreach(json_object_get(q, "evidence"), k, v)
                {
                        printf("    %s\n", json_string_value(v));
                }
                putchar('\n');
        }
        printf("What limits it (cgroup v%lld, %s)\n", json_integer_value(json_object_get(cg, "version")),
               json_string_value(json_object_get(cg, "path")) ?: "?");
        printf("  memory %s, pids %s, cpu %s\n", json_string_value(json_object_get(cg, "memory_max")) ?: "?",
               json_string_value(json_object_get(cg, "pids_max")) ?: "?",
               json_string_value(json_object_get(cg, "cpu_max")) ?: "?");
        json_array_foreach(json_object_get(x, "cgroup_evidence"), k, v)
        {
                printf("    %s\n", json_string_value(v));
        }
        printf("\nWhat it may do\n");
        print_list("capabilities (CapEff)", json_object_get(caps, "effective"));
        printf("    /proc/%lld/status CapEff: %s, CapBnd: %s\n", json_integer_value(json_object_get(x, "pid")),
               json_string_value(json_object_get(caps, "effective_hex")) ?: "?",
               json_string_value(json_object_get(caps, "bounding_hex")) ?: "?");
        printf("  seccomp: %s\n    /proc/%lld/status Seccomp: %s\n", json_string_value(json_object_get(x, "seccomp")),
               json_integer_value(json_object_get(x, "pid")),
               json_string_value(json_object_get(x, "seccomp_field")) ?: "?");
}

int cmd_explain(const Cmd *cmd, int argc, char **argv)
{
        static const struct option opts[] = { { "json", no_argument, NULL, 'j' },
                                              { "graph", no_argument, NULL, 'g' },
                                              { "format", required_argument, NULL, 'f' },
                                              OPT_HELP,
                                              OPTS_END };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_json_ json_t *rec = NULL, *x = NULL;
        _cleanup_free_ char *id = NULL, *root = NULL, *net_state = NULL, *text = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        const char *format = NULL;
        bool json = false, graph = false;
        size_t n = 0;
        pid_t pid;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "", opts, c)
        {
                if (c == 'j')
                        json = true;
                else if (c == 'g')
                        graph = true;
                else if (c == 'f')
                        format = optarg;
        }
        if (argc - optind != 1)
                return cli_args_error(cmd, "exactly 1 argument"), EXIT_USAGE;
        if (format && !streq(format, "text") && !streq(format, "dot") && !streq(format, "svg") &&
            !streq(format, "json")) {
                fprintf(stderr, "Error: --format %s: want text, json, dot or svg\n", format);
                return EXIT_USAGE;
        }
        if (cli_open_store(&s, &err) < 0 || engine_open_query(s, cli_state_root(), &e, &err) < 0)
                return cli_fail125(err);
        if (container_pid(e, argv[optind], &id, &rec, &pid) < 0)
                return 1;
        if (engine_pids(e, id, &pids, &n, &err) < 0)
                return cli_fail(err);
        root = cli_state_root() ? strdup(cli_state_root()) : engine_default_state_root();
        net_state = root ? path_join(root, "net") : NULL;
        if (explain_container(pid, rec, pids, n, net_state, &x, &err) < 0)
                return cli_fail(err);
        if (json || (format && streq(format, "json")))
                return print_json(x);
        if (format && streq(format, "dot"))
                text = explain_graph_dot(x);
        else if (format && streq(format, "svg"))
                text = explain_graph_svg(x);
        else if (graph) {
                text = explain_graph_text(x);
        } else {
                print_explain(x);
                return 0;
        }
        if (!text)
                return 1;
        fputs(text, stdout);
        return 0;
}
