/* husk pull, login, logout. Progress: on a tty one line per layer,
 * redrawn in place ("a1b2c3d4e5f6: Downloading 1.2MB/3.4MB"); otherwise a
 * plain line each time a layer changes state. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "image/pull.h"
#include "image/registry.h"
#include "lib/macros.h"
#include "lib/util.h"

typedef struct View {
        bool tty, quiet;
        size_t n;              /* layer lines drawn */
        char **rows;           /* per layer */
        PullLayerState *shown; /* plain output: the state printed last, per layer */
        struct timespec last;
} View;

static void human(uint64_t b, char *out, size_t size)
{
        if (b >= 1000000000)
                snprintf(out, size, "%.2fGB", (double)b / 1e9);
        else if (b >= 1000000)
                snprintf(out, size, "%.1fMB", (double)b / 1e6);
        else if (b >= 1000)
                snprintf(out, size, "%.1fkB", (double)b / 1e3);
        else
                snprintf(out, size, "%lluB", (unsigned long long)b);
}

static void redraw(View *v)
{
        if (v->n)
                printf("\033[%zuA", v->n);
        for (size_t i = 0; i < v->n; i++)
                printf("\033[2K%s\n", v->rows[i] ? v->rows[i] : "");
        fflush(stdout);
}

static void on_layer(void *ud, size_t i, size_t n, const char *digest, PullLayerState st, uint64_t done, uint64_t total)
{
        static const char *const names[] = {
                [PULL_LAYER_WAITING] = "Pulling fs layer", [PULL_LAYER_EXISTS] = "Already exists",
                [PULL_LAYER_DOWNLOADING] = "Downloading",  [PULL_LAYER_DOWNLOADED] = "Download complete",
                [PULL_LAYER_EXTRACTING] = "Extracting",    [PULL_LAYER_COMPLETE] = "Pull complete",
        };
        View *v = ud;
        char line[128], a[32], b[32];
        struct timespec now;

        if (v->quiet)
                return;
        if (st == PULL_LAYER_DOWNLOADING && (done || total)) {
                human(done, a, sizeof(a));
                human(total, b, sizeof(b));
                snprintf(line, sizeof(line), "%.12s: Downloading %s/%s", digest + 7, a, b);
        } else {
                snprintf(line, sizeof(line), "%.12s: %s", digest + 7, names[st]);
        }
        if (!v->rows) {
                v->rows = calloc(n, sizeof(char *));
                v->shown = calloc(n, sizeof(PullLayerState));
                if (!v->rows || !v->shown)
                        return;
                for (size_t k = 0; v->tty && k < n; k++)
                        printf("\n");
                for (size_t k = 0; k < n; k++)
                        v->shown[k] = (PullLayerState)-1;
                v->n = n;
        }
        if (i >= v->n)
                return;
        if (!v->tty) {
                /* plain: a line per state change, no byte counts */
                if (v->shown[i] == st)
                        return;
                v->shown[i] = st;
                printf("%.12s: %s\n", digest + 7, names[st]);
                fflush(stdout);
                return;
        }
        free(v->rows[i]);
        v->rows[i] = strdup(line);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (st == PULL_LAYER_DOWNLOADING &&
            (now.tv_sec - v->last.tv_sec) * 1000000000L + (now.tv_nsec - v->last.tv_nsec) < 100000000L)
                return;
        v->last = now;
        redraw(v);
}

static void on_line(void *ud, const char *line)
{
        View *v = ud;

        if (!v->quiet)
                printf("%s\n", line);
}

int cmd_pull(const Cmd *cmd, int argc, char **argv)
{
        static const struct option opts[] = {
                { "quiet", no_argument, NULL, 'q' },
                { "platform", required_argument, NULL, 'P' },
                { "insecure-registry", required_argument, NULL, 'I' },
                { "all-tags", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_free_ char *name = NULL;
        View v = { .tty = isatty(STDOUT_FILENO) };
        PullOpts o = { .insecure = getenv("HUSK_INSECURE_REGISTRIES") };
        PullEvents ev = { .layer = on_layer, .line = on_line, .userdata = &v };
        int c, r;

        while ((c = cli_getopt(cmd, argc, argv, "+qa", opts)) != -1) {
                if (c < 0)
                        return c == -3 ? 0 : EXIT_USAGE;
                if (c == 'q')
                        v.quiet = true;
                else if (c == 'P')
                        o.platform = optarg;
                else if (c == 'I')
                        o.insecure = optarg;
                else if (c == 'a') {
                        fprintf(stderr, "husk pull: --all-tags is not supported\n");
                        return EXIT_USAGE;
                }
        }
        if (argc - optind != 1)
                return cli_args_error(cmd, "exactly 1 argument");
        if (cli_open_store(&s, &err) < 0)
                return cli_fail(err);
        r = image_pull(s, argv[optind], &o, &ev, &name, &err);
        for (size_t i = 0; i < v.n; i++)
                free(v.rows[i]);
        free(v.rows);
        free(v.shown);
        if (r < 0)
                return cli_fail(err);
        printf("%s\n", name);
        return 0;
}

static char *read_password(bool from_stdin)
{
        struct termios old, raw;
        bool echo_off = false;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;

        if (!from_stdin && isatty(STDIN_FILENO)) {
                fprintf(stderr, "Password: ");
                if (tcgetattr(STDIN_FILENO, &old) == 0) {
                        raw = old;
                        raw.c_lflag &= ~(tcflag_t)ECHO;
                        echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
                }
        }
        n = getline(&line, &cap, stdin);
        if (echo_off) {
                (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
                fprintf(stderr, "\n");
        }
        if (n < 0) {
                free(line);
                return NULL;
        }
        line[strcspn(line, "\r\n")] = 0;
        return line;
}

int cmd_login(const Cmd *cmd, int argc, char **argv)
{
        static const struct option opts[] = {
                { "username", required_argument, NULL, 'u' }, { "password", required_argument, NULL, 'p' },
                { "password-stdin", no_argument, NULL, 'S' }, { "insecure-registry", required_argument, NULL, 'I' },
                { "help", no_argument, NULL, 'h' },           { 0 },
        };
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *path = docker_config_path(), *pw = NULL, *user_buf = NULL;
        const char *user = NULL, *pass = NULL, *reg, *arg_insecure = NULL;
        bool from_stdin = false;
        int c;

        while ((c = cli_getopt(cmd, argc, argv, "+u:p:", opts)) != -1) {
                if (c < 0)
                        return c == -3 ? 0 : EXIT_USAGE;
                if (c == 'u')
                        user = optarg;
                else if (c == 'p')
                        pass = optarg;
                else if (c == 'S')
                        from_stdin = true;
                else if (c == 'I')
                        arg_insecure = optarg;
        }
        if (argc - optind != 1)
                return cli_args_error(cmd, "exactly 1 argument (the registry)");
        reg = argv[optind];
        if (!user) {
                size_t cap = 0;
                fprintf(stderr, "Username: ");
                if (getline(&user_buf, &cap, stdin) < 0) {
                        fprintf(stderr, "Error: no username\n");
                        return 1;
                }
                user_buf[strcspn(user_buf, "\r\n")] = 0;
                user = user_buf;
        }
        if (!pass) {
                pw = read_password(from_stdin);
                if (!pw) {
                        fprintf(stderr, "Error: no password\n");
                        return 1;
                }
                pass = pw;
        }
        {
                /* like Docker: only credentials the registry accepts are kept */
                _cleanup_registry_ Registry *r = NULL;
                RegistryOpts ro = { .insecure = arg_insecure ? arg_insecure : getenv("HUSK_INSECURE_REGISTRIES"),
                                    .user = user,
                                    .pass = pass };
                RegistryConn *conn = NULL;
                int k = registry_open(reg, "", &ro, &r, &err);

                if (k >= 0 && !(conn = registry_conn_new(r)))
                        k = error_set(&err, ENOMEM, "curl");
                if (k >= 0)
                        k = registry_ping(conn, &err);
                registry_conn_free(conn);
                if (k < 0)
                        return cli_fail(err);
        }
        if (!path || docker_config_store(path, reg, user, pass, &err) < 0)
                return cli_fail(err);
        printf("Login Succeeded\n");
        return 0;
}

int cmd_logout(const Cmd *cmd, int argc, char **argv)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *path = docker_config_path();
        int c, r;

        while ((c = cli_getopt(cmd, argc, argv, "+", NULL)) != -1)
                if (c < 0)
                        return c == -3 ? 0 : EXIT_USAGE;
        if (argc - optind != 1)
                return cli_args_error(cmd, "exactly 1 argument (the registry)");
        r = path ? docker_config_store(path, argv[optind], NULL, NULL, &err) : -ENOMEM;
        if (r == -ENOENT) {
                printf("Not logged in to %s\n", argv[optind]);
                return 0;
        }
        if (r < 0)
                return cli_fail(err);
        printf("Removing login credentials for %s\n", argv[optind]);
        return 0;
}
