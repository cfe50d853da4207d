/* JSON reading helpers for the spec parsers: loading with line:column
 * errors, big unsigned integers, and typed getters that name the JSON path
 * of a bad field. See spec-internal.h for the conventions. */

#include "oci/spec-internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

void parse_ctx_done(ParseCtx *c)
{
        free(c->big);
        c->big = NULL;
        c->n_big = 0;
        strv_free(c->warnings);
        c->warnings = NULL;
        c->n_warnings = 0;
}

_printf_(2, 0) static int spec_vfail(ParseCtx *c, const char *fmt, va_list ap)
{
        _cleanup_free_ char *msg = NULL;

        if (vasprintf(&msg, fmt, ap) < 0)
                return spec_oom(c);
        return error_setx(c->err, EINVAL, "%s: %s", c->filename, msg);
}

int spec_fail(ParseCtx *c, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = spec_vfail(c, fmt, ap);
        va_end(ap);
        return r;
}

int spec_oom(ParseCtx *c)
{
        return error_set(c->err, ENOMEM, "%s", c->filename);
}

int spec_warn(ParseCtx *c, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL, *full = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0 || asprintf(&full, "%s: %s", c->filename, msg) < 0)
                return spec_oom(c);
        if (strv_push(&c->warnings, full) < 0)
                return spec_oom(c);
        c->n_warnings++;
        return 0;
}

const char *jpath_key(char buf[static JPATH_MAX], const char *parent, const char *key)
{
        if (!parent || !*parent)
                snprintf(buf, JPATH_MAX, "%s", key);
        else
                snprintf(buf, JPATH_MAX, "%s.%s", parent, key);
        return buf;
}

const char *jpath_index(char buf[static JPATH_MAX], const char *parent, size_t i)
{
        snprintf(buf, JPATH_MAX, "%s[%zu]", parent, i);
        return buf;
}

bool str_in(const char *s, const char *const *allowed)
{
        for (; *allowed; allowed++)
                if (streq(s, *allowed))
                        return true;
        return false;
}

char *str_join(const char *const *v, const char *sep)
{
        size_t len = 1, seplen = strlen(sep);
        char *s, *p;

        for (const char *const *i = v; *i; i++)
                len += strlen(*i) + seplen;
        s = malloc(len);
        if (!s)
                return NULL;
        p = s;
        *p = '\0';
        for (const char *const *i = v; *i; i++) {
                if (i != v)
                        p = stpcpy(p, sep);
                p = stpcpy(p, *i);
        }
        return s;
}

int spec_fail_unknown(ParseCtx *c, const char *path, const char *what, const char *value, const char *const *allowed)
{
        _cleanup_free_ char *list = str_join(allowed, ", ");

        if (!list)
                return spec_oom(c);
        return spec_fail(c, "%s: unknown %s \"%s\" (allowed: %s)", path, what, value, list);
}

/* jansson keeps integers in json_int_t (long long) and fails with "too big
 * integer" above INT64_MAX, but the runtime-spec has uint64 fields where the
 * top half of the range is meaningful: RLIM_INFINITY (18446744073709551615)
 * in rlimits, 64-bit masks in seccomp argument values. Go (runc) accepts
 * them, so must we.
 *
 * Before parsing we replace every such integer token with a negative
 * sentinel of the *same length* (so that line:column in later syntax errors
 * stay right) and remember the real value in c->big. The sentinel of the
 * k-th big value is -(5*10^17 + k) for a 19-digit token and -(5*10^18 + k)
 * for a 20-digit one; the unsigned getters map it back, the signed ones
 * report it as out of range. A config that also writes exactly such a
 * negative number would be misread, which we accept. */
#define BIG_BASE19 UINT64_C(500000000000000000)
#define BIG_BASE20 UINT64_C(5000000000000000000)

static bool is_digit(char ch)
{
        return ch >= '0' && ch <= '9';
}

static bool is_number_char(char ch)
{
        return is_digit(ch) || ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-';
}

/* Characters after which a JSON value may begin. */
static bool is_value_lead(char ch)
{
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '[' || ch == ',' || ch == ':';
}

static int replace_big_integers(ParseCtx *c, const char *text, size_t len, char **ret_copy)
{
        _cleanup_free_ char *copy = NULL;
        bool in_string = false;

        for (size_t i = 0; i < len; i++) {
                char ch = text[i];
                size_t j, tok;
                uint64_t v = 0;
                bool ok = true;

                if (in_string) {
                        if (ch == '\\')
                                i++;
                        else if (ch == '"')
                                in_string = false;
                        continue;
                }
                if (ch == '"') {
                        in_string = true;
                        continue;
                }
                if (!is_digit(ch))
                        continue;

                for (j = i; j < len && is_number_char(text[j]); j++)
                        ;
                tok = j - i;
                /* Only a plain positive integer that starts a value, of 19 or
                 * 20 digits, can lie in (INT64_MAX, UINT64_MAX]. */
                if ((tok == 19 || tok == 20) && ch != '0' && (i == 0 || is_value_lead(text[i - 1]))) {
                        for (size_t k = i; k < j && ok; k++) {
                                unsigned d = (unsigned)(text[k] - '0');

                                if (!is_digit(text[k]) || v > (UINT64_MAX - d) / 10)
                                        ok = false;
                                else
                                        v = v * 10 + d;
                        }
                        if (ok && v > (uint64_t)INT64_MAX) {
                                char sentinel[32];
                                uint64_t *nb;
                                int n;

                                if (!copy) {
                                        copy = malloc(len + 1);
                                        if (!copy)
                                                return spec_oom(c);
                                        memcpy(copy, text, len);
                                        copy[len] = '\0';
                                }
                                nb = realloc(c->big, (c->n_big + 1) * sizeof(uint64_t));
                                if (!nb)
                                        return spec_oom(c);
                                c->big = nb;
                                n = snprintf(sentinel, sizeof(sentinel), "-%" PRIu64,
                                             (tok == 19 ? BIG_BASE19 : BIG_BASE20) + c->n_big);
                                if (n != (int)tok)
                                        return spec_fail(c, "too many large integers");
                                c->big[c->n_big++] = v;
                                memcpy(copy + i, sentinel, tok);
                        }
                }
                i = j - 1;
        }

        *ret_copy = TAKE_PTR(copy);
        return 0;
}

static bool big_lookup(const ParseCtx *c, json_int_t v, uint64_t *ret)
{
        uint64_t m;

        if (v >= 0 || c->n_big == 0 || v == INT64_MIN)
                return false;
        m = (uint64_t)-v;
        if (m >= BIG_BASE20 && m - BIG_BASE20 < c->n_big) {
                *ret = c->big[m - BIG_BASE20];
                return true;
        }
        if (m >= BIG_BASE19 && m < BIG_BASE19 + BIG_BASE19 / 5 && m - BIG_BASE19 < c->n_big) {
                *ret = c->big[m - BIG_BASE19];
                return true;
        }
        return false;
}

int spec_json_load(ParseCtx *c, const char *text, size_t len, json_t **ret_root)
{
        _cleanup_free_ char *copy = NULL;
        json_error_t jerr;
        json_t *root;
        int r;

        r = replace_big_integers(c, text, len, &copy);
        if (r < 0)
                return r;

        /* Duplicate keys are accepted, the last one wins: that is what Go's
         * encoding/json does, and configs written for runc rely on it.
         * Without JSON_DECODE_ANY the top level must be an object or array;
         * without JSON_ALLOW_NUL a "\u0000" in a string is rejected, so every
         * string is a proper C string. */
        root = json_loadb(copy ? copy : text, len, 0, &jerr);
        if (!root) {
                if (json_error_code(&jerr) == json_error_out_of_memory)
                        return spec_oom(c);
                return error_setx(c->err, EINVAL, "%s:%d:%d: %s", c->filename, jerr.line, jerr.column, jerr.text);
        }
        if (!json_is_object(root)) {
                json_decref(root);
                return spec_fail(c, "the top level must be a JSON object");
        }
        *ret_root = root;
        return 0;
}

json_t *jfield(const json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);

        return json_is_null(v) ? NULL : v;
}

int jv_string(ParseCtx *c, const json_t *v, const char *path, char **ret)
{
        char *s;

        if (!json_is_string(v))
                return spec_fail(c, "%s must be a string", path);
        s = strdup(json_string_value(v));
        if (!s)
                return spec_oom(c);
        free(*ret);
        *ret = s;
        return 0;
}

int jv_bool(ParseCtx *c, const json_t *v, const char *path, bool *ret)
{
        if (!json_is_boolean(v))
                return spec_fail(c, "%s must be a boolean", path);
        *ret = json_is_true(v);
        return 0;
}

int jv_i64(ParseCtx *c, const json_t *v, const char *path, int64_t min, int64_t max, int64_t *ret)
{
        json_int_t i;
        uint64_t big;

        if (!json_is_integer(v))
                return spec_fail(c, "%s must be an integer", path);
        i = json_integer_value(v);
        if (big_lookup(c, i, &big) || i < min || i > max)
                return spec_fail(c, "%s must be an integer between %" PRId64 " and %" PRId64, path, min, max);
        *ret = i;
        return 0;
}

int jv_u64(ParseCtx *c, const json_t *v, const char *path, uint64_t max, uint64_t *ret)
{
        json_int_t i;
        uint64_t u;

        if (!json_is_integer(v))
                goto bad;
        i = json_integer_value(v);
        if (i >= 0)
                u = (uint64_t)i;
        else if (!big_lookup(c, i, &u))
                return spec_fail(c, "%s must be a non-negative integer (got %" PRId64 ")", path, (int64_t)i);
        if (u > max)
                goto bad;
        *ret = u;
        return 0;
bad:
        if (max == UINT64_MAX)
                return spec_fail(c, "%s must be a non-negative integer", path);
        return spec_fail(c, "%s must be an integer between 0 and %" PRIu64, path, max);
}

int jv_strv(ParseCtx *c, const json_t *v, const char *path, bool nonempty, char ***ret, size_t *ret_n)
{
        _cleanup_strv_ char **l = NULL;
        size_t n;

        if (!json_is_array(v) || (nonempty && json_array_size(v) == 0))
                goto bad;
        n = json_array_size(v);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return spec_oom(c);
        for (size_t i = 0; i < n; i++) {
                const json_t *e = json_array_get(v, i);

                if (!json_is_string(e))
                        goto bad;
                l[i] = strdup(json_string_value(e));
                if (!l[i])
                        return spec_oom(c);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        if (ret_n)
                *ret_n = n;
        return 0;
bad:
        return spec_fail(c, "%s must be %s array of strings", path, nonempty ? "a non-empty" : "an");
}

void spec_kv_free(SpecKeyValue *kv, size_t n)
{
        if (!kv)
                return;
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

int jv_kv(ParseCtx *c, const json_t *v, const char *path, SpecKeyValue **ret, size_t *ret_n)
{
        SpecKeyValue *kv;
        const char *key;
        json_t *val;
        size_t n = 0;

        if (!json_is_object(v))
                return spec_fail(c, "%s must be an object of strings", path);
        kv = calloc(json_object_size(v) + 1, sizeof(SpecKeyValue));
        if (!kv)
                return spec_oom(c);
        json_object_foreach((json_t *)v, key, val)
        {
                if (!json_is_string(val)) {
                        spec_kv_free(kv, n);
                        return spec_fail(c, "%s[\"%s\"] must be a string", path, key);
                }
                kv[n].key = strdup(key);
                kv[n].value = strdup(json_string_value(val));
                n++;
                if (!kv[n - 1].key || !kv[n - 1].value) {
                        spec_kv_free(kv, n);
                        return spec_oom(c);
                }
        }
        spec_kv_free(*ret, *ret_n);
        *ret = kv;
        *ret_n = n;
        return 0;
}

/* The member, or NULL; fails when it is required and absent. */
static int member(ParseCtx *c, const json_t *o, const char *path, const char *key, bool required, json_t **ret)
{
        char p[JPATH_MAX];

        *ret = jfield(o, key);
        if (!*ret && required)
                return spec_fail(c, "%s is required", jpath_key(p, path, key));
        return 0;
}

int get_string(ParseCtx *c, const json_t *o, const char *path, const char *key, bool required, char **ret)
{
        char p[JPATH_MAX];
        json_t *v;
        int r;

        r = member(c, o, path, key, required, &v);
        if (r < 0 || !v)
                return r;
        return jv_string(c, v, jpath_key(p, path, key), ret);
}

int get_bool(ParseCtx *c, const json_t *o, const char *path, const char *key, bool *has, bool *ret)
{
        char p[JPATH_MAX];
        json_t *v = jfield(o, key);
        int r;

        if (has)
                *has = false;
        if (!v)
                return 0;
        r = jv_bool(c, v, jpath_key(p, path, key), ret);
        if (r >= 0 && has)
                *has = true;
        return r;
}

int get_i64(ParseCtx *c, const json_t *o, const char *path, const char *key, int64_t min, int64_t max, bool required,
            bool *has, int64_t *ret)
{
        char p[JPATH_MAX];
        json_t *v;
        int r;

        if (has)
                *has = false;
        r = member(c, o, path, key, required, &v);
        if (r < 0 || !v)
                return r;
        r = jv_i64(c, v, jpath_key(p, path, key), min, max, ret);
        if (r >= 0 && has)
                *has = true;
        return r;
}

int get_u64(ParseCtx *c, const json_t *o, const char *path, const char *key, uint64_t max, bool required, bool *has,
            uint64_t *ret)
{
        char p[JPATH_MAX];
        json_t *v;
        int r;

        if (has)
                *has = false;
        r = member(c, o, path, key, required, &v);
        if (r < 0 || !v)
                return r;
        r = jv_u64(c, v, jpath_key(p, path, key), max, ret);
        if (r >= 0 && has)
                *has = true;
        return r;
}

int get_strv(ParseCtx *c, const json_t *o, const char *path, const char *key, bool nonempty, char ***ret, size_t *ret_n)
{
        char p[JPATH_MAX];
        json_t *v = jfield(o, key);

        if (!v)
                return 0;
        return jv_strv(c, v, jpath_key(p, path, key), nonempty, ret, ret_n);
}

int get_kv(ParseCtx *c, const json_t *o, const char *path, const char *key, SpecKeyValue **ret, size_t *ret_n)
{
        char p[JPATH_MAX];
        json_t *v = jfield(o, key);

        if (!v)
                return 0;
        return jv_kv(c, v, jpath_key(p, path, key), ret, ret_n);
}

int get_object(ParseCtx *c, const json_t *o, const char *path, const char *key, json_t **ret)
{
        char p[JPATH_MAX];
        json_t *v = jfield(o, key);

        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_object(v))
                return spec_fail(c, "%s must be an object", jpath_key(p, path, key));
        *ret = v;
        return 0;
}

int get_array(ParseCtx *c, const json_t *o, const char *path, const char *key, json_t **ret)
{
        char p[JPATH_MAX];
        json_t *v = jfield(o, key);

        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_array(v))
                return spec_fail(c, "%s must be an array", jpath_key(p, path, key));
        *ret = v;
        return 0;
}

int get_object_array(ParseCtx *c, const json_t *o, const char *path, const char *key, size_t elem_size, void **ret,
                     size_t *ret_n, ElementParser fn, void *userdata)
{
        char ap[JPATH_MAX];
        json_t *a;
        size_t n;
        int r;

        r = get_array(c, o, path, key, &a);
        if (r < 0 || !a)
                return r;
        jpath_key(ap, path, key);
        n = json_array_size(a);
        /* One spare element, so that an empty array still gives a non-NULL
         * pointer ("present but empty" differs from "absent" for some
         * fields, e.g. linux.resources.devices). */
        *ret = calloc(n + 1, elem_size);
        if (!*ret)
                return spec_oom(c);
        *ret_n = n;
        for (size_t i = 0; i < n; i++) {
                const json_t *e = json_array_get(a, i);
                char ep[JPATH_MAX];

                jpath_index(ep, ap, i);
                if (!json_is_object(e))
                        return spec_fail(c, "%s must be an object", ep);
                r = fn(c, e, ep, (char *)*ret + i * elem_size, i, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

json_t *json_strv(const char *const *v)
{
        json_t *a = json_array();

        for (; a && *v; v++)
                if (json_array_append_new(a, json_string(*v)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}
