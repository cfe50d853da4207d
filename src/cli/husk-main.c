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
                        "      --format string   \"table\" (default), \"json\" or a Go template\n"            \
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
#define RUN_OPTIONS                                                                                    \
        "      --cgroup-parent string   Parent cgroup of the container's (default \"/husk\")\n"        \
        "  -d, --detach                 Run in the background and print the container ID\n"            \
        "      --entrypoint string      Overwrite the image's ENTRYPOINT\n"                            \
        "  -e, --env list               Set environment variables\n"                                   \
        "      --env-file list          Read in a file of environment variables\n"                     \
        "  -h, --hostname string        Container host name\n"                                         \
        "  -i, --interactive            Keep STDIN open (attached runs)\n"                             \
        "      --name string            Assign a name to the container\n"                              \
        "      --network string         \"none\" (the default for now: only lo) or \"host\"; bridge\n" \
        "                               networking (and -p) comes with the networking layer\n"         \
        "      --rm                     Remove the container when it exits\n"                          \
        "  -t, --tty                    Not supported yet\n"                                           \
        "  -u, --user string            Username or UID (format: <name|uid>[:<group|gid>])\n"          \
        "  -v, --volume list            Bind mount a host path: /host:/ctr[:ro|rw]\n"                  \
        "  -w, --workdir string         Working directory inside the container\n"

#define CMD_CP(name)                                                                          \
        {                                                                                     \
                name, cmd_cp,                                                                 \
                        "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\thusk " name              \
                        " [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",                          \
                        "Copy files/folders between a container and the local filesystem",    \
                        "  -a, --archive       Archive mode (copy all uid/gid information)\n" \
                        "  -L, --follow-link   Always follow symbol link in SRC_PATH\n"       \
                        "  -q, --quiet         Accepted for Docker compatibility\n"           \
        }
#define CMD_INSPECT(name)                                                                               \
        {                                                                                               \
                name, cmd_inspect, "[OPTIONS] NAME|ID [NAME|ID...]",                                    \
                        "Return low-level information on containers or images",                         \
                        "  -f, --format string   Format the output using the given Go template\n"       \
                        "  -s, --size            Display total file sizes (SizeRw, SizeRootFs)\n"       \
                        "      --type string     Return JSON for specified type (container or image)\n" \
        }
#define CMD_PS(name)                                                                                           \
        {                                                                                                      \
                name, cmd_ps, "[OPTIONS]", "List containers",                                                  \
                        "  -a, --all             Show all containers (default shows just running)\n"           \
                        "  -f, --filter filter   Filter output based on conditions provided\n"                 \
                        "      --format string   Pretty-print containers using a Go template, \"table ...\"\n" \
                        "                        or \"json\"\n"                                                \
                        "  -n, --last int        Show n last created containers (includes all states)\n"       \
                        "  -l, --latest          Show the latest created container (includes all states)\n"    \
                        "      --no-trunc        Don't truncate output\n"                                      \
                        "  -q, --quiet           Only display container IDs\n"                                 \
                        "  -s, --size            Display total file sizes\n"                                   \
        }
#define CMD_PAUSE(name)                                                                                                \
        {                                                                                                              \
                name, cmd_pause, "CONTAINER [CONTAINER...]", "Pause all processes within one or more containers", NULL \
        }
#define CMD_UNPAUSE(name)                                                                                             \
        {                                                                                                             \
                name, cmd_unpause, "CONTAINER [CONTAINER...]", "Unpause all processes within one or more containers", \
                        NULL                                                                                          \
        }
#define CMD_PORT(name)                                                                                           \
        {                                                                                                        \
                name, cmd_port, "CONTAINER [PRIVATE_PORT[/PROTO]]", "List port mappings for the container", NULL \
        }
#define CMD_RENAME(name)                                                           \
        {                                                                          \
                name, cmd_rename, "CONTAINER NEW_NAME", "Rename a container", NULL \
        }
#define CMD_STATS(name)                                                                                            \
        {                                                                                                          \
                name, cmd_stats, "[OPTIONS] [CONTAINER...]", "Display a live stream of resource usage statistics", \
                        "  -a, --all             Show all containers (default shows just running)\n"               \
                        "      --format string   Format output using a Go template\n"                              \
                        "      --no-stream       Disable streaming stats and only pull the first result\n"         \
                        "      --no-trunc        Do not truncate output\n"                                         \
        }
#define CMD_TOP(name)                                                                                    \
        {                                                                                                \
                name, cmd_top, "CONTAINER [ps OPTIONS]", "Display the running processes of a container", \
                        "  ps -ef's columns (ps aux's with aux), read from /proc for every process\n"    \
                        "  in the container's cgroup: host PIDs, and CPID, the PID inside the\n"         \
                        "  container's PID namespace (NSpid)\n"                                          \
        }

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
        { "exec", cmd_exec, "[OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container",
          "  -d, --detach           Detached mode: run command in the background\n"
          "  -e, --env list         Set environment variables\n"
          "      --env-file list    Read in a file of environment variables\n"
          "  -i, --interactive      Keep STDIN open (it is the command's own)\n"
          "  -t, --tty              Not supported yet\n"
          "  -u, --user string      Username or UID (format: <name|uid>[:<group|gid>])\n"
          "  -w, --workdir string   Working directory inside the container\n" },
        CMD_INSPECT("inspect"),
        { "kill", cmd_kill, "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers",
          "  -s, --signal string   Signal to send to the container (default \"KILL\")\n" },
        { "logs", cmd_logs, "[OPTIONS] CONTAINER", "Fetch the logs of a container",
          "  -f, --follow         Follow log output\n"
          "  -n, --tail string    Number of lines to show from the end of the logs (default \"all\")\n"
          "  -t, --timestamps     Show timestamps\n" },
        CMD_PS("ps"),
        { "rm", cmd_rm, "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
          "  -f, --force   Force the removal of a running container (uses SIGKILL)\n" },
        { "run", cmd_run, "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image",
          RUN_OPTIONS },
        { "start", cmd_start, "CONTAINER [CONTAINER...]", "Start one or more stopped containers", NULL },
        { "stop", cmd_stop, "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
          "  -t, --time int   Seconds to wait before killing the container (default 10)\n" },
        { "wait", cmd_wait, "CONTAINER [CONTAINER...]",
          "Block until one or more containers stop, then print their exit codes", NULL },
        /* query and management commands (husk-ps.c, husk-query.c, husk-cp.c, husk-system.c) */
        CMD_CP("cp"),
        { "info", cmd_info, "[OPTIONS]", "Display system-wide information",
          "  -f, --format string   Format the output using the given Go template\n" },
        CMD_PAUSE("pause"),
        CMD_PORT("port"),
        CMD_RENAME("rename"),
        CMD_STATS("stats"),
        CMD_TOP("top"),
        CMD_UNPAUSE("unpause"),
        { "version", cmd_version, "[OPTIONS]", "Show the husk version information",
          "  -f, --format string   Format the output using the given Go template\n" },
};

/* `husk container X`: the container commands again, and prune. */
static const Cmd container_commands[] = {
        CMD_CP("container cp"),
        { "container create", cmd_create, "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", RUN_OPTIONS },
        { "container exec", cmd_exec, "[OPTIONS] CONTAINER COMMAND [ARG...]",
          "Execute a command in a running container", NULL },
        CMD_INSPECT("container inspect"),
        { "container kill", cmd_kill, "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers",
          "  -s, --signal string   Signal to send to the container (default \"KILL\")\n" },
        { "container logs", cmd_logs, "[OPTIONS] CONTAINER", "Fetch the logs of a container", NULL },
        CMD_PS("container ls"),
        CMD_PS("container list"),
        CMD_PS("container ps"),
        CMD_PAUSE("container pause"),
        CMD_PORT("container port"),
        { "container prune", cmd_container_prune, "[OPTIONS]", "Remove all stopped containers",
          "      --filter filter   Provide filter values (e.g. \"until=<timestamp>\", \"label=k=v\")\n"
          "  -f, --force           Do not prompt for confirmation\n" },
        CMD_RENAME("container rename"),
        { "container rm", cmd_rm, "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
          "  -f, --force   Force the removal of a running container (uses SIGKILL)\n" },
        { "container run", cmd_run, "[OPTIONS] IMAGE [COMMAND] [ARG...]",
          "Create and run a new container from an image", RUN_OPTIONS },
        { "container start", cmd_start, "CONTAINER [CONTAINER...]", "Start one or more stopped containers", NULL },
        CMD_STATS("container stats"),
        { "container stop", cmd_stop, "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
          "  -t, --time int   Seconds to wait before killing the container (default 10)\n" },
        CMD_TOP("container top"),
        CMD_UNPAUSE("container unpause"),
        { "container wait", cmd_wait, "CONTAINER [CONTAINER...]",
          "Block until one or more containers stop, then print their exit codes", NULL },
};

static const Cmd system_commands[] = {
        { "system df", cmd_system_df, "[OPTIONS]", "Show husk disk usage",
          "      --format string   Format the output using the given Go template\n"
          "  -v, --verbose         Show detailed information on space usage\n" },
        { "system info", cmd_info, "[OPTIONS]", "Display system-wide information",
          "  -f, --format string   Format the output using the given Go template\n" },
};

static const Cmd image_commands[] = {
        CMD_IMPORT("image import"),
        { "image inspect", cmd_image_inspect, "[OPTIONS] IMAGE [IMAGE...]",
          "Display detailed information on one or more images",
          "  -f, --format string   Format the output using the given Go template\n" },
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
        fprintf(f, "\nManagement Commands:\n  container  Manage containers\n  image      Manage images\n"
                   "  system     Manage husk\n\n"
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
        if (streq(argv[i], "container") || streq(argv[i], "system")) {
                bool ctr = streq(argv[i], "container");
                const Cmd *tab = ctr ? container_commands : system_commands;
                size_t n = ctr ? ELEMENTSOF(container_commands) : ELEMENTSOF(system_commands);
                if (i + 1 == argc || streq(argv[i + 1], "--help")) {
                        FILE *f = i + 1 == argc ? stderr : stdout;
                        fprintf(f, "\nUsage:  husk %s COMMAND\n\nManage %s\n\nCommands:\n", argv[i],
                                ctr ? "containers" : "husk");
                        for (size_t k = 0; k < n; k++)
                                fprintf(f, "  %-8s %s\n", strchr(tab[k].name, ' ') + 1, tab[k].summary);
                        return i + 1 == argc ? EXIT_USAGE : 0;
                }
                cmd = find(tab, n, argv[i], argv[i + 1]);
                if (!cmd) {
                        fprintf(stderr, "husk: '%s %s' is not a husk command.\nSee 'husk %s --help'\n", argv[i],
                                argv[i + 1], argv[i]);
                        return 1;
                }
                return cmd->run(cmd, argc - i - 1, argv + i + 1);
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
