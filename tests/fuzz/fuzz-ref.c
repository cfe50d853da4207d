/* libFuzzer target: image references and tar member names, the two
 * string parsers of src/image that read untrusted input. Beyond not
 * crashing: a parsed reference prints back to a string that parses to
 * itself (full and familiar forms), and a member name that unpack accepts
 * is relative and never climbs with "..". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/ref.h"
#include "image/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const char *s)
{
        ImageRef *r = NULL, *again = NULL, *fam_again = NULL;
        char *full, *fam, *full2, *full3;

        if (ref_parse(s, &r, NULL) < 0)
                return;
        full = ref_string(r);
        fam = ref_familiar_string(r);
        if (!full || !fam || ref_parse(full, &again, NULL) < 0 || ref_parse(fam, &fam_again, NULL) < 0)
                abort();
        full2 = ref_string(again);
        full3 = ref_string(fam_again);
        if (!full2 || !full3 || strcmp(full, full2) != 0 || strcmp(full, full3) != 0)
                abort();
        free(full);
        free(fam);
        free(full2);
        free(full3);
        ref_free(r);
        ref_free(again);
        ref_free(fam_again);
}

static void check_member(const char *s)
{
        char *path = NULL;
        UnpackKind kind;

        if (unpack_classify(s, &path, &kind) < 0)
                return;
        if (path[0] == '/' || strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 || strstr(path, "/../") ||
            (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
                abort();
        free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        check_round_trip(s);
        check_member(s);
        free(s);
        return 0;
}
