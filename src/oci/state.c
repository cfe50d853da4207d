/* The runtime's per-container record (state.json, internal format) and the
 * OCI state documents derived from it (`state`, `list --format json`). */

#include "oci/state.h"

#include <string.h>

#include "lib/util.h"
#include "oci/spec-internal.h"

static const char *const status_names[] = {
        [STATUS_CREATING] = "creating", [STATUS_CREATED] = "created", [STATUS_RUNNING] = "running",
        [STATUS_STOPPED] = "stopped",   [STATUS_PAUSED] = "paused",   NULL,
};
#define N_STATUS (ELEMENTSOF(status_names) - 1)

const char *container_status_to_string(ContainerStatus s)
{
        return (unsigned)s < N_STATUS ? status_names[s] : NULL;
}

int container_status_from_string(const char *s)
{
        for (size_t i = 0; s && i < N_STATUS; i++)
                if (streq(s, status_names[i]))
                        return (int)i;
        return -EINVAL;
}

void container_record_free(ContainerRecord *r)
{
        if (!r)
                return;
        free(r->id);
        free(r->bundle);
        free(r->rootfs);
        free(r->created);
        free(r->owner);
        free(r->cgroup_path);
        spec_kv_free(r->annotations, r->n_annotations);
        free(r);
}

/* json_object_set_new() with an optional string: absent when NULL. Errors
 * are collected in *ok so that a sequence of sets is checked once. */
static void set_str(json_t *o, const char *key, const char *s, bool *ok)
{
        if (s && json_object_set_new(o, key, json_string(s)) < 0)
                *ok = false;
}

static void set_new(json_t *o, const char *key, json_t *v, bool *ok)
{
        if (json_object_set_new(o, key, v) < 0)
                *ok = false;
}

static json_t *annotations_json(const SpecKeyValue *kv, size_t n)
{
        json_t *o = json_object();
        bool ok = true;

        for (size_t i = 0; o && i < n; i++)
                set_new(o, kv[i].key, json_string(kv[i].value), &ok);
        if (!ok) {
                json_decref(o);
                return NULL;
        }
        return o;
}

static char *dump_and_free(json_t *root, size_t flags)
{
        char *s;

        if (!root)
                return NULL;
        s = json_dumps(root, flags);
        json_decref(root);
        return s;
}

char *container_record_to_json(const ContainerRecord *r)
{
        json_t *o = json_object();
        bool ok = o != NULL;

        if (!ok)
                return NULL;
        set_str(o, "id", r->id, &ok);
        set_str(o, "bundle", r->bundle, &ok);
        set_str(o, "rootfs", r->rootfs, &ok);
        set_new(o, "pid", json_integer(r->pid), &ok);
        set_new(o, "pidStartTime", json_integer((json_int_t)r->pid_start_time), &ok);
        set_str(o, "status", container_status_to_string(r->status), &ok);
        set_str(o, "created", r->created, &ok);
        set_str(o, "owner", r->owner, &ok);
        set_str(o, "cgroupPath", r->cgroup_path, &ok);
        set_new(o, "cgroupCreatedDepth", json_integer(r->cgroup_created_depth), &ok);
        set_new(o, "rootless", json_boolean(r->rootless), &ok);
        set_new(o, "systemdCgroup", json_boolean(r->systemd_cgroup), &ok);
        if (r->n_annotations > 0)
                set_new(o, "annotations", annotations_json(r->annotations, r->n_annotations), &ok);
        if (!ok) {
                json_decref(o);
                return NULL;
        }
        return dump_and_free(o, JSON_COMPACT);
}

int container_record_from_json(const char *text, size_t len, const char *filename, ContainerRecord **ret,
                               Error **ret_err)
{
        _cleanup_(parse_ctx_done) ParseCtx c = { .filename = filename ? filename : "state.json", .err = ret_err };
        _cleanup_record_ ContainerRecord *rec = NULL;
        _cleanup_free_ char *status = NULL;
        json_t *root = NULL;
        int r, s;

        r = spec_json_load(&c, text, len, &root);
        if (r < 0)
                return r;
        rec = calloc(1, sizeof(ContainerRecord));
        if (!rec) {
                json_decref(root);
                return spec_oom(&c);
        }
        if ((r = get_string(&c, root, "", "id", true, &rec->id)) < 0 ||
            (r = get_string(&c, root, "", "bundle", false, &rec->bundle)) < 0 ||
            (r = get_string(&c, root, "", "rootfs", false, &rec->rootfs)) < 0 ||
            (r = GET_INT(&c, root, "", "pid", 0, INT32_MAX, false, NULL, rec->pid)) < 0 ||
            (r = GET_UINT(&c, root, "", "pidStartTime", UINT64_MAX, false, NULL, rec->pid_start_time)) < 0 ||
            (r = get_string(&c, root, "", "status", true, &status)) < 0 ||
            (r = get_string(&c, root, "", "created", false, &rec->created)) < 0 ||
            (r = get_string(&c, root, "", "owner", false, &rec->owner)) < 0 ||
            (r = get_string(&c, root, "", "cgroupPath", false, &rec->cgroup_path)) < 0 ||
            (r = GET_UINT(&c, root, "", "cgroupCreatedDepth", UINT32_MAX, false, NULL, rec->cgroup_created_depth)) <
                    0 ||
            (r = get_bool(&c, root, "", "rootless", NULL, &rec->rootless)) < 0 ||
            (r = get_bool(&c, root, "", "systemdCgroup", NULL, &rec->systemd_cgroup)) < 0 ||
            (r = get_kv(&c, root, "", "annotations", &rec->annotations, &rec->n_annotations)) < 0) {
                json_decref(root);
                return r;
        }
        json_decref(root);

        s = container_status_from_string(status);
        if (s < 0)
                return spec_fail_unknown(&c, "status", "status", status, status_names);
        rec->status = (ContainerStatus)s;
        *ret = TAKE_PTR(rec);
        return 0;
}

/* runc's containerState, field for field and in its order (Go marshals
 * struct fields in declaration order): annotations is omitempty, and pid is
 * 0 once the container has stopped. */
static json_t *oci_state_object(const ContainerRecord *r, ContainerStatus status)
{
        json_t *o = json_object();
        bool ok = o != NULL;

        if (!ok)
                return NULL;
        set_str(o, "ociVersion", SPEC_VERSION, &ok);
        set_str(o, "id", r->id ? r->id : "", &ok);
        set_new(o, "pid", json_integer(status == STATUS_STOPPED ? 0 : r->pid), &ok);
        set_str(o, "status", container_status_to_string(status), &ok);
        set_str(o, "bundle", r->bundle ? r->bundle : "", &ok);
        set_str(o, "rootfs", r->rootfs ? r->rootfs : "", &ok);
        set_str(o, "created", r->created ? r->created : "", &ok);
        if (r->n_annotations > 0)
                set_new(o, "annotations", annotations_json(r->annotations, r->n_annotations), &ok);
        set_str(o, "owner", r->owner ? r->owner : "", &ok);
        if (!ok) {
                json_decref(o);
                return NULL;
        }
        return o;
}

char *oci_state_to_json(const ContainerRecord *r, ContainerStatus status, bool pretty)
{
        return dump_and_free(oci_state_object(r, status), pretty ? JSON_INDENT(2) : JSON_COMPACT);
}

char *oci_list_to_json(const ContainerRecord *const *records, const ContainerStatus *statuses, size_t n)
{
        json_t *a = json_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (json_array_append_new(a, oci_state_object(records[i], statuses[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return dump_and_free(a, JSON_COMPACT);
}
