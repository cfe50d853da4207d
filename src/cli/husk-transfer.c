/* The commands that move images in and out of the store: import, load,
 * save (and, in husk-pull.c, pull, login, logout; husk-cp.c's cp, files in
 * and out of a container, streams tar too). They link libarchive,
 * libcrypto and libcurl, which the rest of husk does without: they live in
 * the husk-transfer binary, which `husk` execs for them (husk-main.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/husk-cli.h"
#include "image/load.h"
#include "image/save.h"
#include "image/store.h"
#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

static void note_skipped(Store *s)
{
        uint64_t n = store_skipped_devices(s);

        if (n > 0)
                fprintf(stderr, "husk: note: %llu device node%s in the layers not created: that needs root\n",
                        (unsigned long long)n, n == 1 ? "" : "s");
}

int cmd_import(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "message", required_argument, NULL, 'm' }, OPT_HELP, OPTS_END };
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_free_ char *id = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *src;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+m:", lo, c)
        {
        }
        if (argc - optind < 1 || argc - optind > 2)
                return cli_args_error(cmd, "at least 1 and at most 2 arguments");
        src = argv[optind];
        fd = streq(src, "-") ? dup(STDIN_FILENO) : open(src, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set(&err, errno, "open %s", src), cli_fail(err);
        if (cli_open_store(&s, &err) < 0 ||
            image_import(s, fd, src, optind + 1 < argc ? argv[optind + 1] : NULL, &id, &err) < 0)
                return cli_fail(err);
        note_skipped(s);
        puts(id);
        return 0;
}

/* Docker prints these with -q too (it only drops the progress bars). */
static void report_loaded(void *ud, const char *id, char *const *tags)
{
        if (!tags || !*tags) {
                printf("Loaded image ID: %s\n", id);
                return;
        }
        for (; *tags; tags++) {
                _cleanup_free_ char *f = cli_familiar(*tags);
                printf("Loaded image: %s\n", f ?: *tags);
        }
}

/* stdin that is not a file (a pipe) is copied to an unnamed file first:
 * loading needs to seek. */
static int stdin_as_file(Store *s, char **ret_path, int *ret_fd, Error **ret_err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *tmp = path_join(store_root(s), "tmp"), *buf = malloc(1 << 20);
        struct stat st;

        if (fstat(STDIN_FILENO, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
                *ret_fd = -EBADF;
                return asprintf(ret_path, "/proc/self/fd/%d", STDIN_FILENO) < 0 ? -ENOMEM : 0;
        }
        if (isatty(STDIN_FILENO))
                return error_setx(ret_err, EINVAL, "requested load from stdin, but stdin is empty");
        if (!tmp || !buf)
                return error_set(ret_err, ENOMEM, "load");
        fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_set(ret_err, errno, "create a temporary file in %s", tmp);
        for (;;) {
                ssize_t n = read(STDIN_FILENO, buf, 1 << 20);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set(ret_err, errno, "read stdin");
                if (n == 0)
                        break;
                if (write_all(fd, buf, (size_t)n) < 0)
                        return error_set(ret_err, errno, "write %s", tmp);
        }
        if (asprintf(ret_path, "/proc/self/fd/%d", fd) < 0)
                return -ENOMEM;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int cmd_load(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = {
                { "input", required_argument, NULL, 'i' }, { "quiet", no_argument, NULL, 'q' }, OPT_HELP, OPTS_END
        };
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_free_ char *stdin_path = NULL;
        _cleanup_close_ int stdin_fd = -EBADF;
        const char *input = NULL;
        int c, r;

        /* -q is accepted: there are no progress bars to drop */
        GETOPT_LOOP(cmd, argc, argv, "+i:q", lo, c)
        {
                if (c == 'i')
                        input = optarg;
        }
        if (optind != argc)
                return cli_args_error(cmd, "no arguments");
        if (cli_open_store(&s, &err) < 0)
                return cli_fail(err);
        if (!input) {
                if (stdin_as_file(s, &stdin_path, &stdin_fd, &err) < 0)
                        return cli_fail(err);
                input = stdin_path;
        }
        r = image_load(s, input, report_loaded, NULL, &err);
        note_skipped(s);
        if (r < 0)
                return cli_fail(err);
        return 0;
}

int cmd_save(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "output", required_argument, NULL, 'o' }, OPT_HELP, OPTS_END };
        _cleanup_error_ Error *err = NULL;
        _cleanup_store_ Store *s = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *output = NULL;
        int c;

        GETOPT_LOOP(cmd, argc, argv, "+o:", lo, c)
        {
                if (c == 'o')
                        output = optarg;
        }
        if (optind == argc)
                return cli_args_error(cmd, "at least 1 argument");
        if (!output && isatty(STDOUT_FILENO)) {
                fprintf(stderr, "Error: cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
                return 1;
        }
        fd = output ? open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : dup(STDOUT_FILENO);
        if (fd < 0)
                return error_set(&err, errno, "open %s", output ?: "stdout"), cli_fail(err);
        if (cli_open_store(&s, &err) < 0 || image_save(s, argv + optind, fd, &err) < 0) {
                if (output)
                        (void)unlink(output);
                return cli_fail(err);
        }
        return 0;
}
