/* libFuzzer target: what a registry (or a config file) hands the registry
 * client's parsers: WWW-Authenticate challenges, indexes (platform
 * selection) and Docker config auths. Beyond not crashing: a challenge
 * that parses is Bearer with a realm or Basic, and an index entry chosen
 * is one of the index's digests. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_challenge(const char *s)
{
        RegistryChallenge c;

        if (registry_parse_challenge(s, &c) < 0)
                return;
        if (strcmp(c.scheme, "basic") != 0 && (strcmp(c.scheme, "bearer") != 0 || !c.realm))
                abort();
        registry_challenge_done(&c);
}

static void check_index(const char *s, size_t size)
{
        json_t *j = json_loadb(s, size, 0, NULL), *m;
        Platform p;
        const char *d = NULL;
        Error *err = NULL;
        bool found = false;
        size_t i;

        platform_host(&p);
        if (j && registry_index_select(j, &p, &d, &err) == 0) {
                json_array_foreach(json_object_get(j, "manifests"), i, m) found |=
                        json_string_value(json_object_get(m, "digest")) == d;
                if (!found)
                        abort();
        }
        error_free(err);
        json_decref(j);
}

static void check_config(const char *s)
{
        char *u = NULL, *pw = NULL;
        Error *err = NULL;

        if (docker_config_lookup(s, "127.0.0.1:5000", &u, &pw, &err) == 1 && (!u || !pw))
                abort();
        free(u);
        free(pw);
        error_free(err);
}

/* The parsers take C strings: the input up to its first NUL. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = strndup((const char *)data, size);

        if (s) {
                check_challenge(s);
                check_index(s, strlen(s));
                check_config(s);
        }
        free(s);
        return 0;
}
