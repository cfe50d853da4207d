#pragma once

/* Private to src/oci: the JSON reading helpers shared by spec.c,
 * spec-linux.c and state.c. Not installed, not included by other layers.
 *
 * Every getter takes the object, the JSON path of that object ("process",
 * "linux.namespaces[2]", "" for the top level) and a key, so that an error
 * can name the field exactly as the user wrote it:
 *
 *     config.json: linux.namespaces[2].type: unknown namespace type "foo" (...)
 *
 * Conventions: a key that is absent or JSON null counts as absent (as in Go's
 * encoding/json, which runc uses); unknown keys are ignored (forward
 * compatibility, as runc does); getters write their output only when the key
 * is present; they return 0 or -errno with c->err set. */

#include <jansson.h>

#include "oci/spec.h"

typedef struct ParseCtx {
        const char *filename;
        Error **err;
        /* Integers above INT64_MAX, which jansson cannot hold (json_int_t is
         * long long) but uint64 fields (rlimits, seccomp values) allow. See
         * spec_json_load(). */
        uint64_t *big;
        size_t n_big;
        /* Warnings collected while parsing (Spec.warnings). */
        char **warnings;
        size_t n_warnings;
} ParseCtx;

void parse_ctx_done(ParseCtx *c);

/* Parse `text` into a JSON object. Malformed JSON gives
 * "FILENAME:LINE:COL: <jansson's text>". Returns the new reference in
 * *ret_root. */
int spec_json_load(ParseCtx *c, const char *text, size_t len, json_t **ret_root);

/* Record an EINVAL error "FILENAME: <fmt...>". Returns -EINVAL. */
int spec_fail(ParseCtx *c, const char *fmt, ...) _printf_(2, 3);
int spec_oom(ParseCtx *c);
/* Record a warning "FILENAME: <fmt...>"; returns 0 or -ENOMEM. */
int spec_warn(ParseCtx *c, const char *fmt, ...) _printf_(2, 3);

/* JSON paths: "parent.key" (or "key" at the top) and "parent[i]". Long paths
 * are truncated; they only go into messages. */
#define JPATH_MAX 256
const char *jpath_key(char buf[static JPATH_MAX], const char *parent, const char *key);
const char *jpath_index(char buf[static JPATH_MAX], const char *parent, size_t i);

/* The value of key in o, NULL if absent or null. */
json_t *jfield(const json_t *o, const char *key);

/* Value-level checks: `path` names v itself. */
int jv_string(ParseCtx *c, const json_t *v, const char *path, char **ret);
int jv_bool(ParseCtx *c, const json_t *v, const char *path, bool *ret);
int jv_i64(ParseCtx *c, const json_t *v, const char *path, int64_t min, int64_t max, int64_t *ret);
int jv_u64(ParseCtx *c, const json_t *v, const char *path, uint64_t max, uint64_t *ret);
int jv_strv(ParseCtx *c, const json_t *v, const char *path, bool nonempty, char ***ret, size_t *ret_n);
int jv_kv(ParseCtx *c, const json_t *v, const char *path, SpecKeyValue **ret, size_t *ret_n);

/* Key-level getters. `required` makes absence an error ("PATH.key is
 * required"); `has` (may be NULL) reports presence. */
int get_string(ParseCtx *c, const json_t *o, const char *path, const char *key, bool required, char **ret);
int get_bool(ParseCtx *c, const json_t *o, const char *path, const char *key, bool *has, bool *ret);
int get_i64(ParseCtx *c, const json_t *o, const char *path, const char *key, int64_t min, int64_t max, bool required,
            bool *has, int64_t *ret);
int get_u64(ParseCtx *c, const json_t *o, const char *path, const char *key, uint64_t max, bool required, bool *has,
            uint64_t *ret);
int get_strv(ParseCtx *c, const json_t *o, const char *path, const char *key, bool nonempty, char ***ret,
             size_t *ret_n);
int get_kv(ParseCtx *c, const json_t *o, const char *path, const char *key, SpecKeyValue **ret, size_t *ret_n);
/* An object or array member: 0 and *ret = NULL when absent. */
int get_object(ParseCtx *c, const json_t *o, const char *path, const char *key, json_t **ret);
int get_array(ParseCtx *c, const json_t *o, const char *path, const char *key, json_t **ret);

/* An array of objects at o.key: allocates *ret (n elements of elem_size,
 * zeroed, set with *ret_n before parsing, so that the caller's free
 * function sees partial results) and calls fn for each element with its
 * path and index. */
typedef int (*ElementParser)(ParseCtx *c, const json_t *e, const char *path, void *elem, size_t i, void *userdata);
int get_object_array(ParseCtx *c, const json_t *o, const char *path, const char *key, size_t elem_size, void **ret,
                     size_t *ret_n, ElementParser fn, void *userdata);
#define GET_OBJECT_ARRAY(c, o, path, key, retp, ret_n, fn, userdata) \
        get_object_array((c), (o), (path), (key), sizeof(**(retp)), (void **)(retp), (ret_n), (fn), (userdata))

/* Narrowing wrappers: read into a u64/i64 and store in `dst` (any integer
 * lvalue) only when present. Evaluate to the getter's return value. */
#define GET_UINT(c, o, path, key, max, required, hasp, dst)                               \
        ({                                                                                \
                uint64_t _v = 0;                                                          \
                bool _has = false, *_hasp = (hasp);                                       \
                int _r = get_u64((c), (o), (path), (key), (max), (required), &_has, &_v); \
                if (_r >= 0 && _has)                                                      \
                        (dst) = (__typeof__(dst))_v;                                      \
                if (_r >= 0 && _hasp)                                                     \
                        *_hasp = _has;                                                    \
                _r;                                                                       \
        })
#define GET_INT(c, o, path, key, min, max, required, hasp, dst)                                  \
        ({                                                                                       \
                int64_t _v = 0;                                                                  \
                bool _has = false, *_hasp = (hasp);                                              \
                int _r = get_i64((c), (o), (path), (key), (min), (max), (required), &_has, &_v); \
                if (_r >= 0 && _has)                                                             \
                        (dst) = (__typeof__(dst))_v;                                             \
                if (_r >= 0 && _hasp)                                                            \
                        *_hasp = _has;                                                           \
                _r;                                                                              \
        })

/* Shared between spec.c and spec-linux.c. */
int spec_parse_idmaps(ParseCtx *c, const json_t *o, const char *path, const char *key, SpecIdMap **ret, size_t *ret_n);
int spec_parse_linux(ParseCtx *c, const json_t *o, const char *path, SpecLinux *l);
int spec_parse_resources_obj(ParseCtx *c, const json_t *o, const char *path, SpecResources *r);
void spec_linux_clear(SpecLinux *l);
void spec_resources_clear(SpecResources *r);
void spec_kv_free(SpecKeyValue *kv, size_t n);

/* Whether `s` is one of the NULL-terminated `allowed`; and "a, b, c" of
 * them for messages (malloc'd, NULL on ENOMEM). */
/* Vocabularies, shared with features.c. NULL-terminated. */
extern const char *const spec_seccomp_actions[];
extern const char *const spec_seccomp_operators[];

bool str_in(const char *s, const char *const *allowed);
char *str_join(const char *const *v, const char *sep);
/* spec_fail() for "PATH: unknown WHAT "VALUE" (allowed: a, b, c)". */
int spec_fail_unknown(ParseCtx *c, const char *path, const char *what, const char *value, const char *const *allowed);

/* A JSON array of the strings of a NULL-terminated list; NULL on ENOMEM. */
json_t *json_strv(const char *const *v);

/* A config.json mount entry; no "options" key when options is NULL. NULL on
 * ENOMEM. Shared by spec-default.c and profile.c. */
json_t *spec_mount_json(const char *dest, const char *type, const char *source, const char *const *options);

/* linux.seccomp: parse the object `so` at JSON path `path` into *s (the
 * caller clears *s with spec_seccomp_clear(), also after a failure). */
int spec_parse_seccomp_obj(ParseCtx *c, const json_t *so, const char *path, SpecSeccomp *s);
