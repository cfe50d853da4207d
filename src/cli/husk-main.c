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
#include "lib/path.h"
#include "lib/util.h"

static const char *arg_storage;
static const char *arg_state;
static char **main_argv;

#ifdef HUSK_TRANSFER
#define TRANSFER(fn) fn
#else
/* The commands that need libcurl or libarchive run in husk-transfer: next
 * to this binary (a build tree, or an install that keeps them together),
 * else in HUSK_LIBEXECDIR. It parses the whole command line again. */
static int cmd_transfer(const Cmd *cmd, int argc, char **argv)
{
        _cleanup_free_ char *here = NULL;
        char self[4096], *slash;
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        if (n > 0) {
                self[n] = 0;
                slash = strrchr(self, '/');
        } else
                slash = NULL;
        if (slash) {
                *slash = 0;
                here = path_join(self, "husk-transfer");
                if (here && access(here, X_OK) == 0) {
                        execv(here, main_argv);
                        fprintf(stderr, "Error: cannot run %s: %m\n", here);
                        return EXIT_USAGE;
                }
        }
        execv(HUSK_LIBEXECDIR "/husk-transfer", main_argv);
        fprintf(stderr, "Error: \"husk %s\" needs %s: %m\n", cmd->name, HUSK_LIBEXECDIR "/husk-transfer");
        return EXIT_USAGE;
}
#define TRANSFER(fn) cmd_transfer
#endif

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
                name, TRANSFER(cmd_import), "[OPTIONS] file|- [REPOSITORY[:TAG]]",         \
                        "Import the contents from a tarball to create a filesystem image", \
                        "  -m, --message string   Accepted for Docker compatibility\n"     \
        }
#define CMD_LOAD(name)                                                                                                \
        {                                                                                                             \
                name, TRANSFER(cmd_load), "[OPTIONS]", "Load an image from a tar archive, an OCI layout or STDIN",    \
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
                name, TRANSFER(cmd_save), "[OPTIONS] IMAGE [IMAGE...]",                                 \
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
                name, TRANSFER(cmd_pull), "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",  \
                        "      --insecure-registry list   Registries (host[:port], comma-separated) spoken to " \
                        "over plain http\n"                                                                     \
                        "                                 (loopback ones always are); env "                     \
                        "HUSK_INSECURE_REGISTRIES\n"                                                            \
                        "      --platform string          os/arch[/variant] (default: this host's)\n"           \
                        "  -q, --quiet                    Suppress verbose output\n"                            \
        }
#define RUN_OPTIONS                                                                                           \
        "      --add-host list          Add a custom host-to-IP mapping (host:ip, ip host-gateway)\n"         \
        "      --cap-add list           Add Linux capabilities (NET_ADMIN, ALL)\n"                            \
        "      --cap-drop list          Drop Linux capabilities\n"                                            \
        "      --cgroup-parent string   Parent cgroup of the container's (default \"/husk\")\n"               \
        "      --cpu-period int         Limit CPU CFS period\n"                                               \
        "      --cpu-quota int          Limit CPU CFS quota\n"                                                \
        "  -c, --cpu-shares int         CPU shares (relative weight)\n"                                       \
        "      --cpus decimal           Number of CPUs\n"                                                     \
        "      --cpuset-cpus string     CPUs in which to allow execution (0-3, 0,1)\n"                        \
        "      --cpuset-mems string     MEMs in which to allow execution (0-3, 0,1)\n"                        \
        "  -d, --detach                 Run in the background and print the container ID\n"                   \
        "      --device list            Add a host device: /dev/x[:/dev/y][:rwm]\n"                           \
        "      --dns list               Set custom DNS servers\n"                                             \
        "      --dns-option list        Set DNS options\n"                                                    \
        "      --dns-search list        Set custom DNS search domains\n"                                      \
        "      --entrypoint string      Overwrite the image's ENTRYPOINT\n"                                   \
        "  -e, --env list               Set environment variables\n"                                          \
        "      --env-file list          Read in a file of environment variables\n"                            \
        "      --group-add list         Add additional groups to join\n"                                      \
        "  -h, --hostname string        Container host name\n"                                                \
        "  -i, --interactive            Keep STDIN open even if not attached\n"                               \
        "      --ip string              IPv4 address (user-defined networks only)\n"                          \
        "      --init                   Run an init inside the container that forwards signals and reaps\n"   \
        "                               processes\n"                                                          \
        "      --ipc string             IPC mode: host, private, shareable, none, container:X\n"              \
        "  -l, --label list             Set meta data on a container\n"                                       \
        "      --label-file list        Read in a line delimited file of labels\n"                            \
        "      --log-driver string      Logging driver for the container: json-file (default), none\n"        \
        "      --log-opt list           Log driver options: max-size=10m, max-file=3\n"                       \
        "      --mac-address string     Container MAC address (e.g., 92:d0:c6:0a:29:33)\n"                    \
        "  -m, --memory bytes           Memory limit (512m, 1g)\n"                                            \
        "      --memory-reservation bytes\n"                                                                  \
        "                               Memory soft limit\n"                                                  \
        "      --memory-swap bytes      Memory plus swap (-1: unlimited swap)\n"                              \
        "      --mount mount            Attach a filesystem mount: type=bind|volume|tmpfs,\n"                 \
        "                               source=..,target=..[,readonly][,bind-propagation=..]\n"               \
        "                               [,volume-nocopy][,tmpfs-size=..][,tmpfs-mode=..]\n"                   \
        "      --name string            Assign a name to the container\n"                                     \
        "      --ip string              IPv4 address on a user-defined network (e.g., 10.89.0.44)\n"          \
        "      --network string         bridge (the default), none, host, container:X, or a network's name\n" \
        "      --network-alias list     Add a network-scoped alias for the container\n"                       \
        "      --oom-kill-disable       Disable the OOM killer\n"                                             \
        "      --oom-score-adj int      Tune the host's OOM preferences (-1000 to 1000)\n"                    \
        "  -p, --publish list           Publish a container's port: [ip:][hostPort:]containerPort[/udp]\n"    \
        "  -P, --publish-all            Publish every exposed port to a free host port\n"                     \
        "      --pid string             PID namespace: host or container:X\n"                                 \
        "      --pids-limit int         Tune container pids limit (-1 for unlimited)\n"                       \
        "      --privileged             Give extended privileges to this container\n"                         \
        "      --read-only              Mount the container's root filesystem as read only\n"                 \
        "      --restart string         Restart policy: no, on-failure[:max-retries], always,\n"              \
        "                               unless-stopped (default \"no\")\n"                                    \
        "      --rm                     Remove the container when it exits\n"                                 \
        "      --security-opt list      seccomp=unconfined|FILE, no-new-privileges[=false],\n"                \
        "                               label=..., apparmor=...\n"                                            \
        "      --shm-size bytes         Size of /dev/shm (default 64m)\n"                                     \
        "      --stop-signal string     Signal to stop the container\n"                                       \
        "      --stop-timeout int       Seconds to wait before killing the container on stop\n"               \
        "      --sysctl list            Namespaced kernel parameters (net.*, kernel.shm*, ...)\n"             \
        "      --tmpfs list             Mount a tmpfs directory: /path[:options]\n"                           \
        "  -t, --tty                    Allocate a pseudo-TTY\n"                                              \
        "      --ulimit list            Ulimit options: name=soft[:hard]\n"                                   \
        "  -u, --user string            Username or UID (format: <name|uid>[:<group|gid>])\n"                 \
        "      --uts string             UTS namespace: host\n"                                                \
        "  -v, --volume list            Bind mount a volume: /host:/ctr[:opts], name:/ctr[:opts]\n"           \
        "                               or /ctr; opts: ro|rw, z|Z, nocopy, [r]private,\n"                     \
        "                               [r]shared, [r]slave (default rprivate)\n"                             \
        "  -w, --workdir string         Working directory inside the container\n"

#define CMD_CP(name)                                                                          \
        {                                                                                     \
                name, TRANSFER(cmd_cp),                                                       \
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
                        "  container's PID namespace (NSpid); with -ef, CUSER, the user inside\n"        \
                        "  (its uid through the container's uid_map, named by its /etc/passwd)\n"        \
        }

static const Cmd commands[] = {
        CMD_IMAGES("images"),
        CMD_IMPORT("import"),
        CMD_LOAD("load"),
        CMD_RMI("rmi"),
        CMD_SAVE("save"),
        CMD_TAG("tag"),
        CMD_PULL("pull"),
        { "login", TRANSFER(cmd_login), "[OPTIONS] SERVER", "Log in to a registry (stored in ~/.docker/config.json)",
          "  -p, --password string   Password\n"
          "      --insecure-registry list   As for pull\n"
          "      --password-stdin    Take the password from stdin\n"
          "  -u, --username string   Username\n" },
        { "logout", TRANSFER(cmd_logout), "SERVER", "Log out from a registry", NULL },
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
        CMD_INSPECT("inspect"),
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
        CMD_PS("ps"),
        { "restart", cmd_restart, "[OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers",
          "  -t, --time int   Seconds to wait before killing the container (default 10)\n" },
        { "rm", cmd_rm, "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
          "  -f, --force     Force the removal of a running container (uses SIGKILL)\n"
          "  -v, --volumes   Remove anonymous volumes associated with the container\n" },
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
        /* query and management commands (husk-ps.c, husk-query.c, husk-cp.c, husk-system.c) */
        CMD_CP("cp"),
        { "info", cmd_info, "[OPTIONS]", "Display system-wide information",
          "  -f, --format string   Format the output using the given Go template\n" },
        CMD_PAUSE("pause"),
        CMD_PORT("port"),
        CMD_RENAME("rename"),
        CMD_STATS("stats"),
        CMD_TOP("top"),
        { "ns", cmd_ns, "[OPTIONS] CONTAINER|PID", "Show a container's (or a process's) namespaces against the host's",
          "      --json              Print JSON\n"
          "      --vs CONTAINER|PID  Compare with this one instead of the host (husk's own namespaces)\n" },
        { "lsns", cmd_lsns, "[OPTIONS]", "List the namespaces husk containers hold, like lsns",
          "      --json   Print JSON\n" },
        { "explain", cmd_explain, "[OPTIONS] CONTAINER", "Explain a container's isolation, with the kernel's evidence",
          "      --format string   text (default), json, dot (Graphviz) or svg\n"
          "      --graph           Draw the chain: monitor, init, processes, veth, bridge, NAT\n"
          "      --json            Print JSON\n" },
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

static const Cmd volume_commands[] = {
        { "volume create", cmd_volume_create, "[OPTIONS] [VOLUME]", "Create a volume",
          "  -d, --driver string   Specify volume driver name (only \"local\")\n"
          "      --label list      Set metadata for a volume\n"
          "      --name string     Specify volume name\n" },
        { "volume inspect", cmd_volume_inspect, "VOLUME [VOLUME...]",
          "Display detailed information on one or more volumes", NULL },
        { "volume ls", cmd_volume_ls, "[OPTIONS]", "List volumes",
          "  -f, --filter filter   Provide filter values (name=.., driver=local, label=KEY[=VALUE],\n"
          "                        dangling=true|false)\n"
          "  -q, --quiet           Only display volume names\n" },
        { "volume list", cmd_volume_ls, "[OPTIONS]", "List volumes",
          "  -f, --filter filter   Provide filter values (name=.., driver=local, label=KEY[=VALUE],\n"
          "                        dangling=true|false)\n"
          "  -q, --quiet           Only display volume names\n" },
        { "volume prune", cmd_volume_prune, "[OPTIONS]", "Remove unused local volumes",
          "  -a, --all     Remove all unused volumes, not just anonymous ones\n"
          "  -f, --force   Do not prompt for confirmation\n" },
        { "volume rm", cmd_volume_rm, "[OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes",
          "  -f, --force   Do not fail on a volume that does not exist\n" },
        { "volume remove", cmd_volume_rm, "[OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes",
          "  -f, --force   Do not fail on a volume that does not exist\n" },
};

#define NETWORK_LS_OPTIONS                                                                      \
        "  -f, --filter filter   Provide filter values (name=.., driver=.., label=.., id=..,\n" \
        "                        type=custom|builtin)\n"                                        \
        "      --format string   \"table\" (default), \"json\" or a Go template\n"              \
        "      --no-trunc        Do not truncate the output\n"                                  \
        "  -q, --quiet           Only display network IDs\n"
#define NETWORK_RM_OPTIONS "  -f, --force   Do not error if the network does not exist\n"

static const Cmd network_commands[] = {
        { "network connect", cmd_network_connect, "[OPTIONS] NETWORK CONTAINER", "Connect a container to a network",
          "      --alias strings   Add network-scoped alias for the container\n"
          "      --ip string       IPv4 address (e.g., \"10.89.0.44\")\n" },
        { "network create", cmd_network_create, "[OPTIONS] NETWORK", "Create a network",
          "  -d, --driver string   Driver to manage the Network (only \"bridge\")\n"
          "      --gateway string  IPv4 Gateway for the master subnet\n"
          "      --internal        Restrict external access to the network\n"
          "      --ip-range string Allocate container ip from a sub-range\n"
          "      --label list      Set metadata on a network\n"
          "  -o, --opt map         Set driver specific options (com.docker.network.bridge.name=NAME)\n"
          "      --subnet string   Subnet in CIDR format (default: the next free /24 of 10.89.0.0/16)\n" },
        { "network disconnect", cmd_network_disconnect, "[OPTIONS] NETWORK CONTAINER",
          "Disconnect a container from a network",
          "  -f, --force   Force the container to disconnect from a network\n" },
        { "network inspect", cmd_network_inspect, "[OPTIONS] NETWORK [NETWORK...]",
          "Display detailed information on one or more networks",
          "  -f, --format string   Format the output using the given Go template\n" },
        { "network ls", cmd_network_ls, "[OPTIONS]", "List networks", NETWORK_LS_OPTIONS },
        { "network list", cmd_network_ls, "[OPTIONS]", "List networks", NETWORK_LS_OPTIONS },
        { "network prune", cmd_network_prune, "[OPTIONS]", "Remove all unused networks",
          "  -f, --force   Do not prompt for confirmation\n" },
        { "network rm", cmd_network_rm, "[OPTIONS] NETWORK [NETWORK...]", "Remove one or more networks",
          NETWORK_RM_OPTIONS },
        { "network remove", cmd_network_rm, "[OPTIONS] NETWORK [NETWORK...]", "Remove one or more networks",
          NETWORK_RM_OPTIONS },
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
                   "  HUSK_LAYER_MAX_BYTES     bytes of files a layer may hold (default 256 GiB)\n"
                   "  HUSK_DEFAULT_NETWORK     the network of run/create without --network (default bridge)\n"
                   "  HUSK_CGROUP_PARENT       the parent cgroup without --cgroup-parent (default /husk)\n"
                   "  HUSK_BRIDGE_SUBNET       the default bridge's subnet (default 10.88.0.0/16)\n"
                   "  HUSK_CERTS_D             per-registry certificates (default /etc/husk/certs.d,\n"
                   "                           then /etc/docker/certs.d)\n"
                   "  HUSK_INSECURE_REGISTRIES registries spoken to without TLS verification\n\n"
                   "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nManagement Commands:\n  container  Manage containers\n  image      Manage images\n"
                   "  system     Manage husk\n  volume     Manage volumes\n\n"
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

/* The management commands: `husk GROUP COMMAND`. */
static const struct {
        const char *name, *what;
        const Cmd *table;
        size_t n;
} groups[] = {
        { "container", "containers", container_commands, ELEMENTSOF(container_commands) },
        { "image", "images", image_commands, ELEMENTSOF(image_commands) },
        { "network", "networks", network_commands, ELEMENTSOF(network_commands) },
        { "system", "husk", system_commands, ELEMENTSOF(system_commands) },
        { "volume", "volumes", volume_commands, ELEMENTSOF(volume_commands) },
};

int main(int argc, char **argv)
{
        const Cmd *cmd;
        int i = 1;

        main_argv = argv;
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
        if (streq(argv[i], "__network"))
                return cli_network_hook(argc - i, argv + i);
        for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                if (!streq(argv[i], groups[g].name))
                        continue;
                if (i + 1 == argc || streq(argv[i + 1], "--help")) {
                        FILE *f = i + 1 == argc ? stderr : stdout;
                        fprintf(f, "\nUsage:  husk %s COMMAND\n\nManage %s\n\nCommands:\n", argv[i], groups[g].what);
                        for (size_t k = 0; k < groups[g].n; k++)
                                fprintf(f, "  %-8s %s\n", strchr(groups[g].table[k].name, ' ') + 1,
                                        groups[g].table[k].summary);
                        return i + 1 == argc ? EXIT_USAGE : 0;
                }
                cmd = find(groups[g].table, groups[g].n, argv[i], argv[i + 1]);
                if (!cmd) {
                        fprintf(stderr, "husk: '%s %s' is not a husk command.\nSee 'husk %s --help'\n", argv[i],
                                argv[i + 1], argv[i]);
                        return 1;
                }
                return cmd->run(cmd, argc - i - 1, argv + i + 1);
        }
        cmd = find(commands, ELEMENTSOF(commands), NULL, argv[i]);
        if (!cmd) {
                fprintf(stderr, "husk: '%s' is not a husk command.\nSee 'husk --help'\n", argv[i]);
                return 1;
        }
        return cmd->run(cmd, argc - i, argv + i);
}
