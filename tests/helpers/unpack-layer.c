/* unpack-layer LAYER DIR [DIGEST]: unpack one layer tarball with husk's
 * unpacker (src/image/unpack.c) and print what it found as JSON. With
 * DIGEST (the layer file's verified sha256, as the store knows it for every
 * blob), a plain tar is not hashed again. For bench/unpack-bench.sh and for
 * looking at what a layer does. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image/unpack.h"

int main(int argc, char **argv)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_close_ int src = -EBADF, dst = -EBADF;
        UnpackOpts o = { .privileged = geteuid() == 0 };
        UnpackStats st;

        if (argc != 3 && argc != 4) {
                fprintf(stderr, "usage: unpack-layer LAYER DIR [DIGEST]\n");
                return 2;
        }
        o.plain_digest = argc == 4 ? argv[3] : NULL;
        src = open(argv[1], O_RDONLY | O_CLOEXEC);
        dst = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0 || dst < 0) {
                perror(src < 0 ? argv[1] : argv[2]);
                return 1;
        }
        if (unpack_layer(src, dst, &o, &st, &err) < 0) {
                fprintf(stderr, "unpack-layer: %s\n", err->msg);
                return 1;
        }
        printf("{\"diffID\":\"%s\",\"entries\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"skippedDevices\":%" PRIu64 "}\n",
               st.diff_id, st.entries, st.bytes, st.skipped_devices);
        return 0;
}
