/* src/engine/volumes.c: -v, --mount and --tmpfs as Docker parses them,
 * the accepted forms with what they record and the refused ones with
 * Docker's messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "engine/volumes.h"
#include "lib/macros.h"

/* Parse one flag's values and write the record fields into a skeleton. */
static json_t *record_of(char **v, char **mounts, char **tmpfs, bool ro)
{
        EngineCreateOpts o = { .volumes = v, .mounts = mounts, .tmpfs = tmpfs, .read_only = ro };
        _cleanup_(engine_mounts_freep) EngineMounts *m = NULL;
        _cleanup_error_ Error *err = NULL;
        json_t *rec = json_pack("{s:{},s:{}}", "HostConfig", "Config");

        if (engine_mounts_parse(&o, &m, &err) < 0)
                fail_msg("parse failed: %s", err ? err->msg : "?");
        assert_int_equal(engine_mounts_record(m, rec), 0);
        return rec;
}

static void check_bad(char **v, char **mounts, char **tmpfs, const char *want)
{
        EngineCreateOpts o = { .volumes = v, .mounts = mounts, .tmpfs = tmpfs };
        _cleanup_(engine_mounts_freep) EngineMounts *m = NULL;
        _cleanup_error_ Error *err = NULL;

        if (engine_mounts_parse(&o, &m, &err) >= 0)
                fail_msg("accepted, want \"%s\"", want);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        if (!streq(err->msg, want))
                fail_msg("\"%s\", want \"%s\"", err->msg, want);
}

static char *field(json_t *rec, const char *path)
{
        json_t *j = rec;
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;

        for (char *t = strtok_r(copy, ".", &save); t && j; t = strtok_r(NULL, ".", &save))
                j = json_is_array(j) ? json_array_get(j, (size_t)atoi(t)) : json_object_get(j, t);
        return j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(none)");
}

static void check_fields(json_t *rec, const char *const want[][2], size_t n)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *got = field(rec, want[i][0]);
                if (!streq(got, want[i][1]))
                        fail_msg("%s = %s, want %s", want[i][0], got, want[i][1]);
        }
}

static void test_v_forms(void **state)
{
        char *v[] = { "/h//a/:/c/./a", "/h/b:/c/b:ro,Z,rslave", "vol:/c/v:nocopy", "/anon", NULL };
        json_t *rec = record_of(v, NULL, NULL, false);

        static const char *const want[][2] = {
                { "HostConfig.Binds", "[\"/h//a/:/c/./a\",\"/h/b:/c/b:ro,Z,rslave\",\"vol:/c/v:nocopy\"]" },
                { "Mounts.0",
                  "{\"Type\":\"bind\",\"Source\":\"/h/a\",\"Destination\":\"/c/a\",\"Mode\":\"\",\"RW\":true,"
                  "\"Propagation\":\"rprivate\"}" },
                { "Mounts.1.Mode", "\"ro,Z,rslave\"" },
                { "Mounts.1.RW", "false" },
                { "Mounts.1.Propagation", "\"rslave\"" },
                { "Mounts.2.Name", "\"vol\"" },
                { "Mounts.2.Propagation", "\"\"" },
                { "Config.Volumes", "{\"/anon\":{}}" },
                { "HostConfig.ReadonlyRootfs", "false" },
                { "HostConfig.Mounts", "(none)" },
        };

        check_fields(rec, want, ELEMENTSOF(want));
        json_decref(rec);
}

static void test_mount_and_tmpfs(void **state)
{
        char *m[] = { "type=bind,src=/,dst=/b,ro=true,bind-propagation=shared",
                      "type=volume,source=vv,destination=/v,volume-nocopy",
                      "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=700", "target=/anon", NULL };
        char *t[] = { "/run", "/x:size=1m,exec", NULL };
        json_t *rec = record_of(NULL, m, t, true);

        static const char *const want[][2] = {
                { "HostConfig.Mounts.0",
                  "{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/b\",\"ReadOnly\":true,\"BindOptions\":{"
                  "\"Propagation\":\"shared\"}}" },
                { "HostConfig.Mounts.1.VolumeOptions", "{\"NoCopy\":true}" },
                { "HostConfig.Mounts.2.TmpfsOptions", "{\"SizeBytes\":1048576,\"Mode\":448}" },
                { "HostConfig.Mounts.3", "{\"Type\":\"volume\",\"Source\":\"\",\"Target\":\"/anon\"}" },
                { "HostConfig.Tmpfs", "{\"/run\":\"\",\"/x\":\"size=1m,exec\"}" },
                { "HostConfig.Binds", "null" },
                { "HostConfig.ReadonlyRootfs", "true" },
                { "Mounts.2.Type", "\"tmpfs\"" },
                { "Mounts.3.Type", "\"volume\"" },
                { "Mounts.4", "(none)" },
        };

        check_fields(rec, want, ELEMENTSOF(want));
        json_decref(rec);
}

static void test_v_refused(void **state)
{
        char *v1[] = { ":/x", NULL }, *v2[] = { "/a:b", NULL }, *v3[] = { "/a:/b:rx", NULL },
             *v4[] = { "/a:/b:c:d", NULL }, *v5[] = { "n$:/x", NULL }, *v6[] = { "/a:/", NULL },
             *v7[] = { "/a:/b:nocopy", NULL }, *v8[] = { "vv:/b:shared", NULL }, *v9[] = { "/a:/b::", NULL },
             *v10[] = { "/x:ro", NULL }, *v11[] = { "/a:/x", "bb:/x/", NULL }, *v12[] = { "rel", NULL };

        check_bad(v1, NULL, NULL, "invalid volume specification: ':/x'");
        check_bad(v2, NULL, NULL,
                  "invalid volume specification: '/a:b': invalid mount config for type \"bind\": invalid mount "
                  "path: 'b' mount path must be absolute");
        check_bad(v3, NULL, NULL, "invalid mode: rx");
        check_bad(v4, NULL, NULL, "invalid volume specification: '/a:/b:c:d'");
        check_bad(v5, NULL, NULL,
                  "create n$: \"n$\" includes invalid characters for a local volume name, only "
                  "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use "
                  "absolute path");
        check_bad(v6, NULL, NULL, "invalid specification: destination can't be '/'");
        check_bad(v7, NULL, NULL, "invalid mode: nocopy");
        check_bad(v8, NULL, NULL, "invalid mode: shared");
        check_bad(v9, NULL, NULL, "invalid volume specification: '/a:/b::'");
        check_bad(v10, NULL, NULL, "invalid volume specification: '/x:ro'");
        check_bad(v11, NULL, NULL, "Duplicate mount point: /x");
        check_bad(v12, NULL, NULL,
                  "invalid volume specification: 'rel': invalid mount config for type \"volume\": invalid mount "
                  "path: 'rel' mount path must be absolute");
}

static void test_mount_refused(void **state)
{
        char *m1[] = { "type=bind,target=/x", NULL }, *m2[] = { "type=tmpfs,src=a,dst=/x", NULL },
             *m3[] = { "type=bind,src=/,dst=/x,bind-propagation=up", NULL }, *m4[] = { "src=v", NULL },
             *m5[] = { "type=volume,dst=/x,tmpfs-size=1m", NULL },
             *m6[] = { "type=tmpfs,dst=/x,tmpfs-size=lots", NULL },
             *m7[] = { "type=bind,src=/no/such/dir/here,dst=/x", NULL }, *m8[] = { "dst=/x,readonly=maybe", NULL },
             *m9[] = { "dst=/x,bogus", NULL }, *t1[] = { "tmp", NULL };

        check_bad(NULL, m1, NULL, "invalid mount config for type \"bind\": field Source must not be empty");
        check_bad(NULL, m2, NULL, "invalid mount config for type \"tmpfs\": field Source must not be specified");
        check_bad(NULL, m3, NULL,
                  "invalid argument \"type=bind,src=/,dst=/x,bind-propagation=up\" for \"--mount\" flag: invalid "
                  "propagation: up");
        check_bad(NULL, m4, NULL, "invalid mount config for type \"volume\": field Target must not be empty");
        check_bad(NULL, m5, NULL, "invalid mount config for type \"volume\": field TmpfsOptions must not be specified");
        check_bad(NULL, m6, NULL,
                  "invalid argument \"type=tmpfs,dst=/x,tmpfs-size=lots\" for \"--mount\" flag: invalid value for "
                  "tmpfs-size: lots");
        check_bad(NULL, m7, NULL,
                  "invalid mount config for type \"bind\": bind source path does not exist: /no/such/dir/here");
        check_bad(NULL, m8, NULL,
                  "invalid argument \"dst=/x,readonly=maybe\" for \"--mount\" flag: invalid value for readonly");
        check_bad(NULL, m9, NULL,
                  "invalid argument \"dst=/x,bogus\" for \"--mount\" flag: invalid field 'bogus' must be a "
                  "key=value pair");
        check_bad(NULL, NULL, t1, "invalid mount path: 'tmp' mount path must be absolute");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_v_forms),
                cmocka_unit_test(test_mount_and_tmpfs),
                cmocka_unit_test(test_v_refused),
                cmocka_unit_test(test_mount_refused),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
