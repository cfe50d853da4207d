/* libFuzzer target: OCI mount options (a NUL- or comma-separated list). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/mountopts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size + 1);
        char *opts[64];
        size_t n = 0;
        MountOpts o;
        Error *err = NULL;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        /* Split on ',' and '\n' keeping empty entries, which the parser must refuse. */
        for (char *p = buf;;) {
                char *e = strpbrk(p, ",\n");
                if (n < 64)
                        opts[n++] = p;
                if (!e)
                        break;
                *e = '\0';
                p = e + 1;
        }
        if (mount_opts_parse(opts, n, &o, &err) == 0)
                mount_opts_done(&o);
        error_free(err);
        free(buf);
        return 0;
}
