/* libFuzzer target: a container's output as husk-supervise and the
 * monitor write it to the json-file log (src/engine/json-log.c, no JSON
 * library): the entry must be what jansson makes of the same bytes (the
 * monitor's writer before), which `husk logs` and Docker's tools parse. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/json-log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *d = (const char *)data, *t = "2024-01-02T03:04:05.000000006Z";
        json_t *s = json_stringn(d, size), *o;
        char *want, *got, *copy = NULL;
        size_t n = 0;

        if (!s) { /* not UTF-8: its ASCII, '?' for the rest */
                copy = malloc(size + 1);
                if (!copy)
                        return 0;
                for (size_t i = 0; i < size; i++)
                        copy[i] = data[i] < 0x80 && data[i] ? d[i] : '?';
                s = json_stringn(copy, size);
                free(copy);
                if (!s)
                        abort();
        }
        o = json_pack("{s:o,s:s,s:s}", "log", s, "stream", "stdout", "time", t);
        want = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        got = json_log_line("stdout", d, size, t, &n);
        if (want && got && (n != strlen(want) + 1 || memcmp(got, want, n - 1) != 0 || got[n - 1] != '\n'))
                abort();
        free(want);
        free(got);
        return 0;
}
