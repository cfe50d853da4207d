/* libFuzzer target: a layer tarball (plain or compressed) through
 * unpack_layer() into a fresh directory inside a private one. Beyond not
 * crashing: nothing may appear in the private directory next to the
 * layer's, whatever the archive's names, links and symlinks say. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../unit/lib/test-helpers.h"
#include "image/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[] = "/tmp/husk-fuzz-layer-XXXXXX";

static void remove_base(void)
{
        (void)rmdir(base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static bool made;
        UnpackOpts o = { .privileged = false, .max_entries = 256, .max_bytes = 1 << 20 };
        char layer[sizeof(base) + 8];
        Error *err = NULL;
        int src, dst;
        FILE *ls;
        char line[64];
        int others = 0;

        if (!made) {
                if (!mkdtemp(base))
                        abort();
                atexit(remove_base);
                made = true;
        }
        snprintf(layer, sizeof(layer), "%s/layer", base);
        if (mkdir(layer, 0755) < 0)
                abort();
        src = memfd_create("layer", MFD_CLOEXEC);
        dst = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0 || dst < 0 || write(src, data, size) != (ssize_t)size || lseek(src, 0, SEEK_SET) != 0)
                abort();
        (void)unpack_layer(src, dst, &o, NULL, &err);
        error_free(err);
        close(src);
        close(dst);

        /* the private dir holds the layer and nothing else */
        snprintf(line, sizeof(line), "ls -A %s", base);
        ls = popen(line, "r");
        while (ls && fgets(line, sizeof(line), ls))
                if (strcmp(line, "layer\n") != 0)
                        others++;
        if (ls)
                pclose(ls);
        if (others)
                abort();
        test_rm_rf(layer);
        return 0;
}
