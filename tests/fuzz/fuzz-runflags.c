/* libFuzzer target: the values of husk run's resource flags, as a user types
 * them: sizes (--memory, --shm-size), --ulimit, --device and --sysctl. The
 * input is tried as each. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hostconfig.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size + 1);
        HostUlimit u;
        HostDevice d;
        Error *err = NULL;
        int64_t v;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        if (parse_ram_size(buf, &v) == 0 && v < 0)
                abort(); /* a size is never negative */
        if (hostconfig_parse_ulimit(buf, &u, &err) == 0 && (u.soft < -1 || u.hard < -1 || !u.name))
                abort();
        error_free(err);
        err = NULL;
        if (hostconfig_parse_device(buf, &d, &err) == 0) {
                if (!d.host || !d.container || d.container[0] != '/' || !d.perms || !*d.perms)
                        abort();
                hostconfig_device_clear(&d);
        }
        error_free(err);
        err = NULL;
        (void)hostconfig_check_sysctl(buf, &err);
        error_free(err);
        free(buf);
        return 0;
}
