/* husk: the engine's command line, Docker's. For now the image commands:
 * images, image ls/inspect/prune/rm/tag/import/load/save, import, load,
 * rmi, tag, save. Global flags come before the command: --storage DIR
 * (HUSK_STORAGE), --version, --help. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "config.h"
#include "lib/macros.h"
#include "lib/util.h"

static const char *arg_storage;
static const char *arg_state;

/* Each command once; `husk X` and `husk image Y` share them. */
#define CMD_IMAGES(name)                                                                                      \
        {                                                                                                     \
                name, cmd_images, "[OPTIONS] [REPOSITORY[:TAG]]", "List images",                              \
                        "  -a, --all             Show all images (no intermediate images exist: the same as " \
                        "without)\n"                                                                          \
                        "      --format string   \"table\" (default) or \"json\" (one object a line)\n"       \
                        "      --no-trunc        Do not truncate output\n"                                    \
                        "  -q, --quiet           Only show image IDs\n"                                       \
        }
#define CMD_IMPORT(name)                                                                   \
        {                                                                                  \
                name, cmd_import, "[OPTIONS] file|- [REPOSITORY[:TAG]]",                   \
                        "Import the contents from a tarball to create a filesystem image", \
                        "  -m, --message string   Accepted for Docker compatibility\n"     \
        }
#define CMD_LOAD(name)                                                                                                \
        {                                                                                                             \
                name, cmd_load, "[OPTIONS]", "Load an image from a tar archive, an OCI layout or STDIN",              \
                        "  -i, --input string   Read from a tar archive file or an OCI layout directory, instead of " \
                        "STDIN\n"                                                                                     \
                        "  -q, --quiet          Accepted for Docker compatibility\n"                                  \
        }
#define CMD_RMI(name)                                                                                    \
        {                                                                                                \
                name, cmd_rmi, "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images",                \
                        "  -f, --force      Remove an image referenced in several repositories, by ID\n" \
                        "      --no-prune   Accepted for Docker compatibility\n"                         \
        }
#define CMD_SAVE(name)                                                                                  \
        {                                                                                               \
                name, cmd_save, "[OPTIONS] IMAGE [IMAGE...]",                                           \
                        "Save one or more images to a tar archive (docker save and OCI layout in one)", \
                        "  -o, --output string   Write to a file, instead of STDOUT\n"                  \
        }
#define CMD_TAG(name)                                                   \
        {                                                               \
                name, cmd_tag, "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", \
                        "Create a tag TARGET_IMAGE that refers to "     \
                        "SOURCE_IMAGE",                                 \
                        NULL                                            \
        }

#define CMD_PULL(name)                                                                                          \
        {                                                                                                       \
                name, cmd_pull, "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",            \
                        "      --insecure-registry list   Registries (host[:port], comma-separated) spoken to " \
                        "over plain http\n"                                                                     \
                        "                                 (loopback ones always are); env "                     \
                        "HUSK_INSECURE_REGISTRIES\n"                                                            \
                        "      --platform string          os/arch[/variant] (default: this host's)\n"           \
                        "  -q, --quiet                    Suppress verbose output\n"                            \
        }
#define RUN_OPTIONS                                                                                         \
        "      --cgroup-parent string   Parent cgroup of the container's (default \"/husk\")\n"             \
        "  -d, --detach                 Run in the background and print the container ID\n"                 \
        "      --entrypoint string      Overwrite the image's ENTRYPOINT\n"                                 \
        "      --init                   Run an init inside the container that forwards signals and reaps\n" \
        "                               processes\n"                                                        \
        "      --log-driver string      Logging driver for the container: json-file (default), none\n"      \
        "      --log-opt list           Log driver options: max-size=10m, max-file=3\n"                     \
        "  -e, --env list               Set environment variables\n"                                        \
        "      --env-file list          Read in a file of environment variables\n"                          \
        "  -h, --hostname string        Container host name\n"                                              \
        "  -i, --interactive            Keep STDIN open even if not attached\n"                             \
        "      --name string            Assign a name to the container\n"                                   \
        "      --network string         \"none\" (the default for now: only lo) or \"host\"; bridge\n"      \
        "                               networking (and -p) comes with the networking layer\n"              \
        "      --restart string         Restart policy: no, on-failure[:max-retries], always,\n"            \
        "                               unless-stopped (default \"no\")\n"                                  \
        "      --rm                     Remove the container when it exits\n"                               \
        "  -t, --tty                    Allocate a pseudo-TTY\n"                                            \
        "  -u, --user string            Username or UID (format: <name|uid>[:<group|gid>])\n"               \
        "  -v, --volume list            Bind mount a host path: /host:/ctr[:ro|rw]\n"                       \
        "  -w, --workdir string         Working directory inside the container\n"

static const Cmd commands[] = {
        CMD_IMAGES("images"),
        CMD_IMPORT("import"),
        CMD_LOAD("load"),
        CMD_RMI("rmi"),
        CMD_SAVE("save"),
        CMD_TAG("tag"),
        CMD_PULL("pull"),
        { "login", cmd_login, "[OPTIONS] SERVER", "Log in to a registry (stored in ~/.docker/config.json)",
          "  -p, --password string   Password\n"
          "      --insecure-registry list   As for pull\n"
          "      --password-stdin    Take the password from stdin\n"
          "  -u, --username string   Username\n" },
        { "logout", cmd_logout, "SERVER", "Log out from a registry", NULL },
        { "create", cmd_create, "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", RUN_OPTIONS },
        { "attach", cmd_attach, "[OPTIONS] CONTAINER",
          "Attach local standard input, output, and error streams to a running container",
          "      --detach-keys string   Override the key sequence for detaching a container (default "
          "\"ctrl-p,ctrl-q\")\n"
          "      --no-stdin             Do not attach STDIN\n"
          "      --sig-proxy            Proxy all received signals to the process (default true)\n" },
        { "exec", cmd_exec, "[OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container",
          "  -d, --detach           Detached mode: run command in the background\n"
          "  -e, --env list         Set environment variables\n"
          "      --env-file list    Read in a file of environment variables\n"
          "  -i, --interactive      Keep STDIN open even if not attached\n"
          "  -t, --tty              Allocate a pseudo-TTY\n"
          "  -u, --user string      Username or UID (format: <name|uid>[:<group|gid>])\n"
          "  -w, --workdir string   Working directory inside the container\n" },
        { "inspect", cmd_inspect, "[OPTIONS] CONTAINER [CONTAINER...]", "Return low-level information on containers",
          "  -f, --format string   A template of field paths: '{{.State.Pid}}', '{{json .Config}}'\n" },
        { "kill", cmd_kill, "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers",
          "  -s, --signal string   Signal to send to the container (default \"KILL\")\n" },
        { "logs", cmd_logs, "[OPTIONS] CONTAINER", "Fetch the logs of a container",
          "  -f, --follow         Follow log output\n"
          "      --since string   Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. "
          "\"42m\" for 42 minutes)\n"
          "  -n, --tail string    Number of lines to show from the end of the logs (default \"all\")\n"
          "  -t, --timestamps     Show timestamps\n"
          "      --until string   Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. "
          "\"42m\" for 42 minutes)\n" },
        { "ps", cmd_ps, "[OPTIONS]", "List containers",
          "  -a, --all        Show all containers (default shows just running)\n"
          "      --no-trunc   Don't truncate output\n"
          "  -q, --quiet      Only display container IDs\n" },
        { "restart", cmd_restart, "[OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers",
          "  -t, --time int   Seconds to wait before killing the container (default 10)\n" },
        { "rm", cmd_rm, "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
          "  -f, --force   Force the removal of a running container (uses SIGKILL)\n" },
        { "run", cmd_run, "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image",
          RUN_OPTIONS },
        { "start", cmd_start, "[OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers",
          "  -a, --attach               Attach STDOUT/STDERR and forward signals\n"
          "      --detach-keys string   Override the key sequence for detaching a container\n"
          "  -i, --interactive          Attach container's STDIN\n" },
        { "stop", cmd_stop, "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
          "  -t, --time int   Seconds to wait before killing the container (default 10)\n" },
        { "wait", cmd_wait, "CONTAINER [CONTAINER...]",
          "Block until one or more containers stop, then print their exit codes", NULL },
};

static const Cmd image_commands[] = {
        CMD_IMPORT("image import"),
        { "image inspect", cmd_image_inspect, "[OPTIONS] IMAGE [IMAGE...]",
          "Display detailed information on one or more images",
          "  -f, --format string   Not supported (Go templates); use jq\n" },
        CMD_LOAD("image load"),
        CMD_IMAGES("image ls"),
        CMD_IMAGES("image list"),
        { "image mount", cmd_image_mount, "IMAGE [IMAGE...]",
          "Mount an image's root filesystem read-only and print where", NULL },
        CMD_PULL("image pull"),
        { "image prune", cmd_image_prune, "[OPTIONS]", "Remove unused images",
          "  -a, --all     Remove all unused images, not just dangling ones\n"
          "  -f, --force   Do not prompt for confirmation\n" },
        CMD_RMI("image rm"),
        CMD_SAVE("image save"),
        CMD_TAG("image tag"),
        { "image unmount", cmd_image_unmount, "IMAGE [IMAGE...]", "Unmount what \"image mount\" mounted", NULL },
};

static void usage(FILE *f)
{
        fprintf(f, "Usage:  husk [OPTIONS] COMMAND\n\n"
                   "A daemonless container engine with Docker's command line.\n\n"
                   "Options:\n"
                   "      --storage string   Storage root (images, layers); default /var/lib/husk,\n"
                   "                         ~/.local/share/husk rootless; env HUSK_STORAGE\n"
                   "      --state string     Engine state root (monitors, runtime state); default\n"
                   "                         /run/husk, $XDG_RUNTIME_DIR/husk rootless; env HUSK_STATE\n"
                   "  -v, --version          Print version information and quit\n\n"
                   "Environment:\n"
                   "  HUSK_STORAGE             the storage root, when --storage is not given\n"
                   "  HUSK_STATE               the engine state root, when --state is not given\n"
                   "  HUSK_LAYER_MAX_ENTRIES   entries a layer may have (default 1048576)\n"
                   "  HUSK_LAYER_MAX_BYTES     bytes of files a layer may hold (default 256 GiB)\n\n"
                   "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nManagement Commands:\n  image      Manage images\n\n"
                   "Run 'husk COMMAND --help' for more information on a command.\n");
}

static void cmd_help(const Cmd *cmd)
{
        printf("\nUsage:  husk %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
        if (cmd->options)
                printf("\nOptions:\n%s", cmd->options);
}

int cli_getopt(const Cmd *cmd, int argc, char **argv, const char *shortopts, const struct option *longopts)
{
        static const struct option help_only[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
        int c;

        if (!longopts)
                longopts = help_only;
        opterr = 0;
        c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c == 'h' && (!strchr(shortopts, 'h') || streq(argv[optind - 1], "--help"))) {
                cmd_help(cmd);
                return -3;
        }
        if (c == '?' || c == ':') {
                const char *bad = argv[optind - 1];
                if (c == ':')
                        fprintf(stderr, "flag needs an argument: %s\n", bad);
                else if (optopt && strncmp(bad, "--", 2) != 0)
                        fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", optopt, bad);
                else
                        fprintf(stderr, "unknown flag: %s\n", bad);
                fprintf(stderr, "See 'husk %s --help'.\n", cmd->name);
                return -2;
        }
        return c;
}

int cli_args_error(const Cmd *cmd, const char *what)
{
        fprintf(stderr, "\"husk %s\" requires %s.\nSee 'husk %s --help'.\n\nUsage:  husk %s %s\n\n%s\n", cmd->name,
                what, cmd->name, cmd->name, cmd->usage, cmd->summary);
        return 1;
}

int cli_fail(Error *err)
{
        fprintf(stderr, "Error: %s\n", err && err->msg ? err->msg : "unknown error");
        return 1;
}

int cli_open_store(Store **ret, Error **ret_err)
{
        _cleanup_free_ char *def = NULL;
        const char *root = arg_storage;
        StoreOpts o = { .privileged = geteuid() == 0 };
        const char *e;

        if (!root || !*root)
                root = getenv("HUSK_STORAGE");
        if (!root || !*root)
                root = def = store_default_root();
        if (!root)
                return error_setx(ret_err, ENOENT, "no storage root: set --storage or HUSK_STORAGE");
        /* bounds against tar bombs; the defaults suit real images */
        if ((e = getenv("HUSK_LAYER_MAX_ENTRIES")) && parse_u64(e, &o.max_layer_entries) < 0)
                return error_setx(ret_err, EINVAL, "HUSK_LAYER_MAX_ENTRIES=%s: not a number", e);
        if ((e = getenv("HUSK_LAYER_MAX_BYTES")) && parse_u64(e, &o.max_layer_bytes) < 0)
                return error_setx(ret_err, EINVAL, "HUSK_LAYER_MAX_BYTES=%s: not a number", e);
        return store_open(root, &o, ret, ret_err);
}

const char *cli_state_root(void)
{
        if (arg_state && *arg_state)
                return arg_state;
        return getenv("HUSK_STATE");
}

static const Cmd *find(const Cmd *table, size_t n, const char *prefix, const char *name)
{
        for (size_t i = 0; i < n; i++) {
                const char *c = table[i].name;
                if (prefix) {
                        size_t l = strlen(prefix);
                        if (strncmp(c, prefix, l) != 0 || c[l] != ' ')
                                continue;
                        c += l + 1;
                }
                if (streq(c, name))
                        return &table[i];
        }
        return NULL;
}

int main(int argc, char **argv)
{
        const Cmd *cmd;
        int i = 1;

        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i];
                if (streq(a, "--help") || streq(a, "-h")) {
                        usage(stdout);
                        return 0;
                }
                if (streq(a, "--version") || streq(a, "-v")) {
                        printf("husk version %s, build %s\n", HUSK_VERSION, HUSK_COMMIT);
                        return 0;
                }
                if (streq(a, "--storage") && i + 1 < argc) {
                        arg_storage = argv[++i];
                        continue;
                }
                if (streq(a, "--state") && i + 1 < argc) {
                        arg_state = argv[++i];
                        continue;
                }
                if (strncmp(a, "--state=", 8) == 0) {
                        arg_state = a + 8;
                        continue;
                }
                if (strncmp(a, "--storage=", 10) == 0) {
                        arg_storage = a + 10;
                        continue;
                }
                fprintf(stderr, "unknown flag: %s\nSee 'husk --help'.\n", a);
                return EXIT_USAGE;
        }
        if (i == argc) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (streq(argv[i], "image")) {
                if (i + 1 == argc || streq(argv[i + 1], "--help")) {
                        fprintf(i + 1 == argc ? stderr : stdout, "\nUsage:  husk image COMMAND\n\nManage images\n\n"
                                                                 "Commands:\n");
                        for (size_t k = 0; k < ELEMENTSOF(image_commands); k++)
                                fprintf(i + 1 == argc ? stderr : stdout, "  %-8s %s\n", image_commands[k].name + 6,
                                        image_commands[k].summary);
                        return i + 1 == argc ? EXIT_USAGE : 0;
                }
                cmd = find(image_commands, ELEMENTSOF(image_commands), "image", argv[i + 1]);
                if (!cmd) {
                        fprintf(stderr, "husk: 'image %s' is not a husk command.\nSee 'husk image --help'\n",
                                argv[i + 1]);
                        return 1;
                }
                i++;
        } else {
                cmd = find(commands, ELEMENTSOF(commands), NULL, argv[i]);
                if (!cmd) {
                        fprintf(stderr, "husk: '%s' is not a husk command.\nSee 'husk --help'\n", argv[i]);
                        return 1;
                }
        }
        return cmd->run(cmd, argc - i, argv + i);
}
