/* libFuzzer target for the config.json parser: whatever the input, spec_parse
 * must return cleanly (0 with a Spec, or -errno with an Error), without
 * leaks, crashes or undefined behaviour. The same input also goes through
 * the process.json and resources parsers, which share the code paths. */

#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"
#include "oci/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *)data;
        Error *err = NULL;
        Spec *spec = NULL;
        SpecProcess *proc = NULL;
        SpecResources *res = NULL;
        ContainerRecord *rec = NULL;

        if (spec_parse(text, size, "config.json", &spec, &err) >= 0)
                spec_free(spec);
        error_free(err);
        err = NULL;

        if (spec_parse_process(text, size, "process.json", &proc, &err) >= 0)
                spec_process_free(proc);
        error_free(err);
        err = NULL;

        if (spec_parse_resources(text, size, "resources.json", &res, &err) >= 0)
                spec_resources_free(res);
        error_free(err);
        err = NULL;

        if (container_record_from_json(text, size, "state.json", &rec, &err) >= 0) {
                char *s = container_record_to_json(rec);

                free(s);
                container_record_free(rec);
        }
        error_free(err);
        return 0;
}
