/* Replays a libFuzzer corpus without libFuzzer: calls LLVMFuzzerTestOneInput
 * once per file, for each file given on the command line and each regular
 * file in each directory given. Built with the sanitizers of the build, it
 * makes `meson test` catch regressions on every committed input. */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t len;

        if (read_full_file(path, &buf, &len, &err) < 0) {
                fprintf(stderr, "replay: %s\n", err->msg);
                return -1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        return 0;
}

static int replay_path(const char *path, unsigned *n)
{
        struct stat st;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "replay: stat %s: %m\n", path);
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                (*n)++;
                return replay_file(path);
        }
        d = opendir(path);
        if (!d) {
                fprintf(stderr, "replay: opendir %s: %m\n", path);
                return -1;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&p, "%s/%s", path, de->d_name) < 0) {
                        r = -1;
                        break;
                }
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                        (*n)++;
                        if (replay_file(p) < 0)
                                r = -1;
                }
        }
        closedir(d);
        return r;
}

int main(int argc, char **argv)
{
        unsigned n = 0;
        int r = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
                return 2;
        }
        for (int i = 1; i < argc; i++)
                if (replay_path(argv[i], &n) < 0)
                        r = 1;
        if (n == 0) {
                fprintf(stderr, "replay: no inputs\n");
                return 1;
        }
        printf("replayed %u inputs\n", n);
        return r;
}
