/* libFuzzer target: a cpuset list from config.json (linux.resources.cpu.cpus
 * or .mems) as the systemd manager turns it into an AllowedCPUs= mask. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size + 1);
        uint8_t *bits = NULL;
        size_t n = 0;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        if (cgroup_cpuset_to_bits(buf, &bits, &n) == 0 && n > 0) {
                /* The mask covers the highest CPU named, and no more. */
                if (!bits || bits[n - 1] == 0 || n > 65536 / 8)
                        abort();
        }
        free(bits);
        free(buf);
        return 0;
}
