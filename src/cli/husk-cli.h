#pragma once

/* Shared by the `husk` engine CLI's files: Docker's command line, where
 * flags may come anywhere among the arguments, a bad flag exits 125 and a
 * failing command 1. */

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "image/store.h"
#include "lib/error.h"

#define EXIT_USAGE 125

typedef struct Cmd Cmd;
struct Cmd {
        const char *name; /* "images", "image inspect" */
        int (*run)(const Cmd *cmd, int argc, char **argv);
        const char *usage;   /* "[OPTIONS] [REPOSITORY[:TAG]]" */
        const char *summary; /* one line */
        const char *options; /* the options part of --help, or NULL */
};

/* Parse argv[0..] of command `cmd` (argv[0] is the command name) with
 * getopt_long: returns each option like getopt_long, -1 at the end, or
 * -2 after printing a usage error (the caller exits EXIT_USAGE). --help is
 * handled here (prints and returns -3: exit 0). */
int cli_getopt(const Cmd *cmd, int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Parse the options of a command; on a usage error or --help return from
 * the calling command. */
#define GETOPT_LOOP(cmd, argc, argv, so, lo, c)                                        \
        for (optind = 1; ((c) = cli_getopt((cmd), (argc), (argv), (so), (lo))) != -1;) \
                if ((c) == -2)                                                         \
                        return EXIT_USAGE;                                             \
                else if ((c) == -3)                                                    \
                        return 0;                                                      \
                else

#define OPTS_END              \
        {                     \
                NULL, 0, 0, 0 \
        }
#define OPT_HELP                               \
        {                                      \
                "help", no_argument, NULL, 'h' \
        }

/* "busybox:latest" from "docker.io/library/busybox:latest". malloc'd. */
char *cli_familiar(const char *full);

/* "\"husk tag\" requires exactly 2 arguments." and the like; returns 1. */
int cli_args_error(const Cmd *cmd, const char *what);

/* Docker's exit code for a command that could not run: 127 when it is not
 * there (-ENOENT), 126 when it cannot be run (-EACCES), else `other`. */
static inline int cli_exec_exit(int r, int other)
{
        return r == -ENOENT ? 127 : r == -EACCES ? 126 : other;
}

/* Print "husk: MESSAGE" to stderr; returns 1. */
int cli_fail(Error *err);

/* Open the store named by --storage, HUSK_STORAGE or the default. */
int cli_open_store(Store **ret, Error **ret_err);

/* The engine state root named by --state or HUSK_STATE; NULL: the default. */
const char *cli_state_root(void);

typedef struct Engine Engine;
/* Open the store and the engine over it (cli_open_store, cli_state_root). */
int cli_open_engine(Store **s, Engine **e, Error **err);
/* cli_fail(err), then EXIT_USAGE: for husk's own errors. */
int cli_fail125(Error *err);

int cmd_images(const Cmd *cmd, int argc, char **argv);
int cmd_image_inspect(const Cmd *cmd, int argc, char **argv);
int cmd_image_mount(const Cmd *cmd, int argc, char **argv);
int cmd_image_unmount(const Cmd *cmd, int argc, char **argv);
int cmd_image_prune(const Cmd *cmd, int argc, char **argv);
int cmd_import(const Cmd *cmd, int argc, char **argv);
int cmd_load(const Cmd *cmd, int argc, char **argv);
int cmd_login(const Cmd *cmd, int argc, char **argv);
int cmd_logout(const Cmd *cmd, int argc, char **argv);
int cmd_pull(const Cmd *cmd, int argc, char **argv);
int cmd_rmi(const Cmd *cmd, int argc, char **argv);
int cmd_save(const Cmd *cmd, int argc, char **argv);
int cmd_tag(const Cmd *cmd, int argc, char **argv);
int cmd_run(const Cmd *cmd, int argc, char **argv);
int cmd_exec(const Cmd *cmd, int argc, char **argv);
int cmd_create(const Cmd *cmd, int argc, char **argv);
int cmd_start(const Cmd *cmd, int argc, char **argv);
int cmd_stop(const Cmd *cmd, int argc, char **argv);
int cmd_kill(const Cmd *cmd, int argc, char **argv);
int cmd_rm(const Cmd *cmd, int argc, char **argv);
int cmd_wait(const Cmd *cmd, int argc, char **argv);
int cmd_ps(const Cmd *cmd, int argc, char **argv);
int cmd_logs(const Cmd *cmd, int argc, char **argv);
int cmd_inspect(const Cmd *cmd, int argc, char **argv);
int cmd_volume_create(const Cmd *cmd, int argc, char **argv);
int cmd_volume_ls(const Cmd *cmd, int argc, char **argv);
int cmd_volume_inspect(const Cmd *cmd, int argc, char **argv);
int cmd_volume_rm(const Cmd *cmd, int argc, char **argv);
int cmd_volume_prune(const Cmd *cmd, int argc, char **argv);
/* inspect and rm of volumes and networks: for each of argv[optind..],
 * get (printed as a JSON array, or through the template fmt) or rm (with
 * -f: force); errors printed, and the exit code 1 after the others. */
typedef int (*CliInspectFn)(Engine *e, const char *name, json_t **ret, Error **ret_err);
typedef int (*CliRemoveFn)(Engine *e, const char *name, bool force, Error **ret_err);
int cli_inspect_each(const Cmd *cmd, int argc, char **argv, CliInspectFn get, const char *fmt, const char *type_name);
int cli_remove_each(const Cmd *cmd, int argc, char **argv, CliRemoveFn rm);
/* prune's question, "WARNING! This will remove WHAT. ...": answered yes. */
bool cli_prune_confirm(const char *what);
/* "Deleted Volumes:" and the names, when there are any. */
void cli_print_deleted(const char *title, char *const *names);
/* A label=KEY[=VALUE] filter against a Labels object. */
bool cli_label_matches(json_t *labels, const char *want);
int cmd_attach(const Cmd *cmd, int argc, char **argv);
int cmd_network_create(const Cmd *cmd, int argc, char **argv);
int cmd_network_ls(const Cmd *cmd, int argc, char **argv);
int cmd_network_inspect(const Cmd *cmd, int argc, char **argv);
int cmd_network_rm(const Cmd *cmd, int argc, char **argv);
int cmd_network_prune(const Cmd *cmd, int argc, char **argv);
int cmd_network_connect(const Cmd *cmd, int argc, char **argv);
int cmd_network_disconnect(const Cmd *cmd, int argc, char **argv);
/* husk __network up|down ID (husk-monitor's network, not for users). */
int cli_network_hook(int argc, char **argv);
int cmd_restart(const Cmd *cmd, int argc, char **argv);
struct EngineAttachOpts;
/* start -a / -i of the one container argv[optind]. */
int cli_start_attach(const Cmd *cmd, int argc, char **argv, const struct EngineAttachOpts *o);

/* Query commands (husk-ps.c, husk-query.c, husk-cp.c, husk-system.c). */
/* `husk image inspect`'s object for img (new reference), NULL on error. */
json_t *cli_image_inspect_json(Store *s, const StoreImage *img, Error **ret_err);
/* A size as Docker prints it with go-units: base 1000 ("1.23MB", "0B";
 * HumanSize is precision 4, HumanSizeWithPrecision takes it) or 1024
 * (BytesSize: "1.5MiB"). */
void cli_size_string(uint64_t n, unsigned base, int precision, char *buf, size_t len);
static inline void cli_human_size(uint64_t n, char *buf, size_t len)
{
        cli_size_string(n, 1000, 4, buf, len);
}
/* The bytes under a directory (not following symlinks or mounts). */
uint64_t cli_dir_size(const char *path);
/* Print rows (JSON objects, Docker's format context) through a --format:
 * "table ..." (aligned, with the header object's row first), "json", or a
 * template, one row a line. Fields missing from a row are errors naming
 * type_name, as Go's on Docker's structs. Returns the exit code (1 after
 * printing Docker's message for a bad template). */
int cli_format_rows(const char *fmt, const char *type_name, json_t *header, json_t *rows);
int cmd_top(const Cmd *cmd, int argc, char **argv);
/* husk-explain.c: namespaces and isolation from /proc */
int cmd_ns(const Cmd *cmd, int argc, char **argv);
int cmd_lsns(const Cmd *cmd, int argc, char **argv);
int cmd_explain(const Cmd *cmd, int argc, char **argv);
int cmd_stats(const Cmd *cmd, int argc, char **argv);
int cmd_port(const Cmd *cmd, int argc, char **argv);
int cmd_rename(const Cmd *cmd, int argc, char **argv);
int cmd_pause(const Cmd *cmd, int argc, char **argv);
int cmd_unpause(const Cmd *cmd, int argc, char **argv);
int cmd_container_prune(const Cmd *cmd, int argc, char **argv);
int cmd_cp(const Cmd *cmd, int argc, char **argv);
int cmd_system_df(const Cmd *cmd, int argc, char **argv);
int cmd_info(const Cmd *cmd, int argc, char **argv);
int cmd_version(const Cmd *cmd, int argc, char **argv);
