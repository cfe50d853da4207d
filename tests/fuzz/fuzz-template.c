/* libFuzzer target: the Go template language of --format (src/cli/template.c).
 * A template that parses is run over a record with maps, lists, strings,
 * numbers and nulls, strict and not; beyond not crashing, a run either
 * succeeds or fails with a message naming the template. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char record[] =
        "{\"Id\":\"abc\",\"State\":{\"Status\":\"running\",\"Pid\":42,\"Running\":true},\"Args\":[\"-c\",\"x\"],"
        "\"Labels\":{\"a\":\"1\"},\"Empty\":[],\"Null\":null,\"Ratio\":0.5}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        Template *t = NULL;
        json_t *rec;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        rec = json_loads(record, 0, NULL);
        if (rec && template_parse(s, &t, NULL) >= 0) {
                for (int strict = 0; strict < 2; strict++) {
                        TemplateExecOpts o = { .strict = strict, .type_name = "T" };
                        Error *err = NULL;
                        char *out = NULL;
                        if (template_exec_string(t, rec, &o, &out, &err) < 0) {
                                if (!err || !err->msg || strncmp(err->msg, "template:", 9) != 0)
                                        abort();
                        }
                        error_free(err);
                        free(out);
                }
                template_free(t);
        }
        json_decref(rec);
        free(s);
        return 0;
}
