/* husk attach, start -a/-i and restart: the commands that talk to a
 * container's monitor rather than to its record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/husk-cli.h"
#include "engine/engine.h"
#include "lib/macros.h"
#include "lib/util.h"

/* Exit with the container's code, as docker attach and start -a do. */
static int attach_one(const Cmd *cmd, int argc, char **argv, const EngineAttachOpts *o, bool start)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *id = NULL;
        int code = 0, r;

        if (argc - optind != 1)
                return cli_args_error(cmd, start ? "exactly 1 argument with -a or -i" : "exactly 1 argument")
                               ? EXIT_USAGE
                               : EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0 || engine_lookup(e, argv[optind], &id, &err) < 0)
                return cli_fail(err);
        r = start ? engine_start_attach(e, id, o, &code, &err) : engine_attach(e, id, o, &code, &err);
        if (r < 0) {
                cli_fail(err);
                return start ? cli_exec_exit(r, 1) : 1;
        }
        return code;
}

int cli_start_attach(const Cmd *cmd, int argc, char **argv, const EngineAttachOpts *o)
{
        return attach_one(cmd, argc, argv, o, true);
}

int cmd_attach(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "no-stdin", no_argument, NULL, 'n' },
                                            { "sig-proxy", optional_argument, NULL, 's' },
                                            { "detach-keys", required_argument, NULL, 'k' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        EngineAttachOpts o = { .stdin_ = true, .sig_proxy = true };
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+", lo, c) switch (c)
        {
        case 'n': o.stdin_ = false; break;
        case 's': o.sig_proxy = !optarg || !streq(optarg, "false"); break;
        case 'k': o.detach_keys = optarg; break;
        }
        return attach_one(cmd, argc, argv, &o, false);
}

int cmd_restart(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "time", required_argument, NULL, 't' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        int c, t = -1, ret = 0;

        GETOPT_LOOP(cmd, argc, argv, "+t:", lo, c) if (c == 't' && parse_int(optarg, &t) < 0)
        {
                fprintf(stderr, "invalid argument \"%s\" for \"-t, --time\" flag\n", optarg);
                return EXIT_USAGE;
        }
        if (optind >= argc)
                return cli_args_error(cmd, "at least 1 argument") ? EXIT_USAGE : EXIT_USAGE;
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_error_ Error *e2 = NULL;
                if (engine_lookup(e, argv[i], &id, &e2) < 0 || engine_stop(e, id, t, &e2) < 0 ||
                    engine_start(e, id, false, NULL, &e2) < 0) {
                        cli_fail(e2);
                        ret = 1;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return ret;
}
