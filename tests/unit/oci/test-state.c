/* Unit tests for state.json records, the OCI state document, the default
 * spec and the features document (src/oci/state.c, spec-default.c,
 * features.c). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "oci/state.h"

static void record_init(ContainerRecord *r, SpecKeyValue *kv, size_t n_kv)
{
        *r = (ContainerRecord){
                .id = (char *)"web",
                .bundle = (char *)"/srv/bundles/web",
                .rootfs = (char *)"/srv/bundles/web/rootfs",
                .pid = 4242,
                .pid_start_time = 123456789ULL,
                .status = STATUS_RUNNING,
                .created = (char *)"2024-05-01T10:20:30.123456789Z",
                .owner = (char *)"root",
                .cgroup_path = (char *)"/husk/web",
                .rootless = true,
                .systemd_cgroup = false,
                .annotations = kv,
                .n_annotations = n_kv,
        };
}

static json_t *load(const char *s)
{
        json_error_t jerr;
        json_t *v = json_loads(s, 0, &jerr);

        if (!v)
                fail_msg("invalid JSON (%s): %s", jerr.text, s);
        return v;
}

static void test_status_strings(void **state)
{
        assert_string_equal(container_status_to_string(STATUS_CREATING), "creating");
        assert_string_equal(container_status_to_string(STATUS_CREATED), "created");
        assert_string_equal(container_status_to_string(STATUS_RUNNING), "running");
        assert_string_equal(container_status_to_string(STATUS_STOPPED), "stopped");
        assert_string_equal(container_status_to_string(STATUS_PAUSED), "paused");
        assert_null(container_status_to_string((ContainerStatus)99));
        assert_int_equal(container_status_from_string("paused"), STATUS_PAUSED);
        assert_int_equal(container_status_from_string("Paused"), -EINVAL);
        assert_int_equal(container_status_from_string(NULL), -EINVAL);
}

static void test_record_roundtrip(void **state)
{
        SpecKeyValue kv[] = { { (char *)"a", (char *)"1" }, { (char *)"io.x", (char *)"two" } };
        _cleanup_record_ ContainerRecord *back = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *s = NULL;
        ContainerRecord r;

        record_init(&r, kv, 2);
        s = container_record_to_json(&r);
        assert_non_null(s);
        assert_int_equal(container_record_from_json(s, strlen(s), "state.json", &back, &err), 0);
        assert_string_equal(back->id, r.id);
        assert_string_equal(back->bundle, r.bundle);
        assert_string_equal(back->rootfs, r.rootfs);
        assert_int_equal(back->pid, r.pid);
        assert_true(back->pid_start_time == r.pid_start_time);
        assert_int_equal(back->status, STATUS_RUNNING);
        assert_string_equal(back->created, r.created);
        assert_string_equal(back->owner, r.owner);
        assert_string_equal(back->cgroup_path, r.cgroup_path);
        assert_true(back->rootless);
        assert_false(back->systemd_cgroup);
        assert_int_equal(back->n_annotations, 2);
        assert_string_equal(back->annotations[1].key, "io.x");
        assert_string_equal(back->annotations[1].value, "two");
}

static void test_record_minimal_and_errors(void **state)
{
        _cleanup_record_ ContainerRecord *rec = NULL;
        _cleanup_error_ Error *err = NULL;
        ContainerRecord *bad = NULL;
        const char *s;

        s = "{\"id\": \"x\", \"status\": \"created\"}";
        assert_int_equal(container_record_from_json(s, strlen(s), "state.json", &rec, &err), 0);
        assert_string_equal(rec->id, "x");
        assert_null(rec->bundle);
        assert_int_equal(rec->pid, 0);
        assert_int_equal(rec->n_annotations, 0);

        s = "{\"id\": \"x\", \"status\": \"zombie\"}";
        assert_int_equal(container_record_from_json(s, strlen(s), "state.json", &bad, &err), -EINVAL);
        assert_null(bad);
        assert_non_null(strstr(err->msg, "state.json: status: unknown status \"zombie\""));

        s = "{\"status\": \"created\"}";
        assert_int_equal(container_record_from_json(s, strlen(s), "state.json", &bad, &err), -EINVAL);
        assert_string_equal(err->msg, "state.json: id is required");

        s = "{\"id\": \"x\",";
        assert_int_equal(container_record_from_json(s, strlen(s), "state.json", &bad, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "state.json:1:"));
}

static void test_oci_state(void **state)
{
        SpecKeyValue kv[] = { { (char *)"org.example", (char *)"yes" } };
        _cleanup_free_ char *pretty = NULL, *compact = NULL, *stopped = NULL, *plain = NULL;
        ContainerRecord r;
        json_t *o, *a;
        const char *key;
        json_t *v;
        static const char *const order[] = { "ociVersion", "id",      "pid",         "status", "bundle",
                                             "rootfs",     "created", "annotations", "owner" };
        size_t i = 0;

        record_init(&r, kv, 1);
        pretty = oci_state_to_json(&r, STATUS_RUNNING, true);
        assert_non_null(pretty);
        /* runc indents with two spaces */
        assert_non_null(strstr(pretty, "{\n  \"ociVersion\": \"" SPEC_VERSION "\",\n  \"id\": \"web\","));
        o = load(pretty);
        assert_string_equal(json_string_value(json_object_get(o, "ociVersion")), SPEC_VERSION);
        assert_string_equal(json_string_value(json_object_get(o, "id")), "web");
        assert_int_equal(json_integer_value(json_object_get(o, "pid")), 4242);
        assert_string_equal(json_string_value(json_object_get(o, "status")), "running");
        assert_string_equal(json_string_value(json_object_get(o, "bundle")), "/srv/bundles/web");
        assert_string_equal(json_string_value(json_object_get(o, "rootfs")), "/srv/bundles/web/rootfs");
        assert_string_equal(json_string_value(json_object_get(o, "created")), "2024-05-01T10:20:30.123456789Z");
        assert_string_equal(json_string_value(json_object_get(o, "owner")), "root");
        a = json_object_get(o, "annotations");
        assert_string_equal(json_string_value(json_object_get(a, "org.example")), "yes");
        /* the internal fields stay internal */
        assert_null(json_object_get(o, "cgroupPath"));
        assert_null(json_object_get(o, "pidStartTime"));
        /* runc's field order */
        json_object_foreach(o, key, v)
        {
                assert_true(i < ELEMENTSOF(order));
                assert_string_equal(key, order[i++]);
        }
        assert_int_equal(i, ELEMENTSOF(order));
        json_decref(o);

        compact = oci_state_to_json(&r, STATUS_PAUSED, false);
        assert_null(strchr(compact, '\n'));
        assert_non_null(strstr(compact, "\"status\":\"paused\""));

        /* stopped: pid 0, whatever the record says */
        stopped = oci_state_to_json(&r, STATUS_STOPPED, false);
        assert_non_null(strstr(stopped, "\"pid\":0,"));

        /* no annotations: the key is omitted */
        r.n_annotations = 0;
        plain = oci_state_to_json(&r, STATUS_CREATED, false);
        assert_null(strstr(plain, "annotations"));
        assert_non_null(strstr(plain, "\"status\":\"created\""));
}

static void test_oci_list(void **state)
{
        ContainerRecord a, b;
        const ContainerRecord *recs[2] = { &a, &b };
        ContainerStatus st[2] = { STATUS_RUNNING, STATUS_STOPPED };
        _cleanup_free_ char *s = NULL, *empty = NULL;
        json_t *arr;

        record_init(&a, NULL, 0);
        record_init(&b, NULL, 0);
        b.id = (char *)"db";
        s = oci_list_to_json(recs, st, 2);
        arr = load(s);
        assert_true(json_is_array(arr));
        assert_int_equal(json_array_size(arr), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 1), "id")), "db");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 1), "pid")), 0);
        assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "status")), "running");
        assert_non_null(json_object_get(json_array_get(arr, 0), "owner"));
        json_decref(arr);

        empty = oci_list_to_json(NULL, NULL, 0);
        assert_string_equal(empty, "[]");
}

static void test_default_spec(void **state)
{
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *root = NULL, *rootless = NULL;
        _cleanup_spec_ Spec *s = NULL, *rs = NULL;

        root = spec_default_json(false, 0, 0);
        assert_non_null(root);
        /* runc's layout: tab indentation, no trailing newline */
        assert_non_null(
                strstr(root, "{\n\t\"ociVersion\": \"" SPEC_VERSION "\",\n\t\"process\": {\n\t\t\"terminal\": true,"));
        assert_int_not_equal(root[strlen(root) - 1], '\n');
        assert_int_equal(spec_parse(root, strlen(root), "config.json", &s, &err), 0);
        assert_string_equal(s->oci_version, SPEC_VERSION);
        assert_true(s->process.terminal);
        assert_int_equal(s->process.n_args, 1);
        assert_string_equal(s->process.args[0], "sh");
        assert_string_equal(s->process.cwd, "/");
        assert_int_equal(s->process.n_env, 2);
        assert_string_equal(s->process.capabilities.bounding[2], "CAP_NET_BIND_SERVICE");
        assert_null(s->process.capabilities.inheritable);
        assert_int_equal(s->process.n_rlimits, 1);
        assert_int_equal(s->process.rlimits[0].hard, 1024);
        assert_true(s->process.no_new_privileges);
        assert_string_equal(s->root_path, "rootfs");
        assert_true(s->root_readonly);
        assert_string_equal(s->hostname, "runc");
        assert_int_equal(s->n_mounts, 7);
        assert_string_equal(s->mounts[2].destination, "/dev/pts");
        assert_string_equal(s->mounts[2].options[5], "gid=5");
        assert_string_equal(s->mounts[5].type, "sysfs");
        assert_int_equal(s->linux_.n_namespaces, 5);
        assert_non_null(spec_namespace(s, NS_NET));
        assert_null(spec_namespace(s, NS_USER));
        assert_true(s->linux_.has_resources);
        assert_int_equal(s->linux_.resources.n_devices, 1);
        assert_false(s->linux_.resources.devices[0].allow);
        assert_int_equal(s->linux_.n_masked_paths, 10);
        assert_int_equal(s->linux_.n_readonly_paths, 5);
        assert_int_equal(s->linux_.n_uid_mappings, 0);
        assert_int_equal(s->n_warnings, 0);

        rootless = spec_default_json(true, 1000, 1001);
        assert_int_equal(spec_parse(rootless, strlen(rootless), "config.json", &rs, &err), 0);
        assert_null(spec_namespace(rs, NS_NET));
        assert_non_null(spec_namespace(rs, NS_USER));
        assert_int_equal(rs->linux_.n_uid_mappings, 1);
        assert_int_equal(rs->linux_.uid_mappings[0].container_id, 0);
        assert_int_equal(rs->linux_.uid_mappings[0].host_id, 1000);
        assert_int_equal(rs->linux_.uid_mappings[0].size, 1);
        assert_int_equal(rs->linux_.gid_mappings[0].host_id, 1001);
        assert_false(rs->linux_.has_resources);
        assert_int_equal(rs->mounts[2].n_options, 5); /* no gid=5 */
        assert_string_equal(rs->mounts[5].type, "none");
        assert_string_equal(rs->mounts[5].source, "/sys");
        assert_string_equal(rs->mounts[5].options[0], "rbind");
}

static bool array_has(const json_t *a, const char *s)
{
        size_t i;
        json_t *v;

        json_array_foreach(a, i, v) if (json_is_string(v) && streq(json_string_value(v), s)) return true;
        return false;
}

static void test_features(void **state)
{
        _cleanup_free_ char *s = features_json();
        json_t *f, *linux_, *seccomp;

        assert_non_null(s);
        f = load(s);
        assert_string_equal(json_string_value(json_object_get(f, "ociVersionMin")), "1.0.0");
        assert_string_equal(json_string_value(json_object_get(f, "ociVersionMax")), SPEC_VERSION_MAX);
        assert_int_equal(json_array_size(json_object_get(f, "hooks")), 6);
        assert_true(array_has(json_object_get(f, "hooks"), "createContainer"));
        assert_true(array_has(json_object_get(f, "mountOptions"), "rbind"));
        assert_true(array_has(json_object_get(f, "mountOptions"), "nosymfollow"));
        assert_false(array_has(json_object_get(f, "mountOptions"), "idmap"));
        assert_false(array_has(json_object_get(f, "mountOptions"), "tmpcopyup"));
        linux_ = json_object_get(f, "linux");
        assert_int_equal(json_array_size(json_object_get(linux_, "namespaces")), 8);
        assert_true(array_has(json_object_get(linux_, "namespaces"), "time"));
        assert_int_equal(json_array_size(json_object_get(linux_, "capabilities")), 41);
        assert_true(array_has(json_object_get(linux_, "capabilities"), "CAP_CHECKPOINT_RESTORE"));
        assert_true(json_is_true(json_object_get(json_object_get(linux_, "cgroup"), "v1")));
        assert_true(json_is_true(json_object_get(json_object_get(linux_, "cgroup"), "systemd")));
        seccomp = json_object_get(linux_, "seccomp");
        assert_true(json_is_true(json_object_get(seccomp, "enabled")));
        assert_int_equal(json_array_size(json_object_get(seccomp, "actions")), 9);
        assert_int_equal(json_array_size(json_object_get(seccomp, "operators")), 7);
        assert_true(array_has(json_object_get(seccomp, "archs"), "SCMP_ARCH_X86_64"));
        assert_true(array_has(json_object_get(seccomp, "knownFlags"), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
        assert_true(json_is_true(json_object_get(json_object_get(linux_, "apparmor"), "enabled")));
        assert_true(json_is_object(json_object_get(f, "annotations")));
        json_decref(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_status_strings),
                cmocka_unit_test(test_record_roundtrip),
                cmocka_unit_test(test_record_minimal_and_errors),
                cmocka_unit_test(test_oci_state),
                cmocka_unit_test(test_oci_list),
                cmocka_unit_test(test_default_spec),
                cmocka_unit_test(test_features),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
