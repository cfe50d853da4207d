/* The functions of the template language (json, index, join, printf,
 * comparisons, ...), values printed as Go's %v, and Docker's tabwriter.
 * The parser and the executor are in template.c. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template-internal.h"
#include "lib/util.h"

/* ---- values ---- */

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted (Go prints and ranges over maps so). */
const char **template_sorted_keys(json_t *o, size_t *ret_n)
{
        size_t n = json_object_size(o), i = 0;
        const char **k = calloc(n + 1, sizeof(char *));
        const char *key;
        json_t *v;

        if (!k)
                return NULL;
        json_object_foreach(o, key, v) k[i++] = key;
        qsort(k, n, sizeof(char *), cmp_str);
        *ret_n = n;
        return k;
}

static void print_real(FILE *out, double d)
{
        char buf[64];

        /* strconv.FormatFloat(d, 'g', -1, 64): the shortest that reads back */
        for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof(buf), "%.*g", prec, d);
                if (strtod(buf, NULL) == d)
                        break;
        }
        fputs(buf, out);
}

void template_print_value(FILE *out, json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_STRING: fwrite(json_string_value(v), 1, json_string_length(v), out); break;
        case JSON_INTEGER: fprintf(out, "%lld", (long long)json_integer_value(v)); break;
        case JSON_REAL: print_real(out, json_real_value(v)); break;
        case JSON_TRUE: fputs("true", out); break;
        case JSON_FALSE: fputs("false", out); break;
        case JSON_NULL: fputs("<nil>", out); break;
        case JSON_ARRAY:
                fputc('[', out);
                for (size_t i = 0; i < json_array_size(v); i++) {
                        if (i)
                                fputc(' ', out);
                        template_print_value(out, json_array_get(v, i));
                }
                fputc(']', out);
                break;
        case JSON_OBJECT: {
                size_t n = 0;
                _cleanup_free_ const char **k = template_sorted_keys(v, &n);
                fputs("map[", out);
                for (size_t i = 0; k && i < n; i++) {
                        fprintf(out, "%s%s:", i ? " " : "", k[i]);
                        template_print_value(out, json_object_get(v, k[i]));
                }
                fputc(']', out);
                break;
        }
        }
}

bool template_truth(json_t *v)
{
        if (!v)
                return false;
        switch (json_typeof(v)) {
        case JSON_STRING: return json_string_length(v) > 0;
        case JSON_INTEGER: return json_integer_value(v) != 0;
        case JSON_REAL: return json_real_value(v) != 0;
        case JSON_TRUE: return true;
        case JSON_ARRAY: return json_array_size(v) > 0;
        case JSON_OBJECT: return json_object_size(v) > 0;
        default: return false;
        }
}

char *template_to_string(json_t *v)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        if (v == MISSING)
                fputs("<no value>", f);
        else
                template_print_value(f, v);
        fclose(f);
        return buf;
}

/* Go's json.Marshal: compact, with <, > and & escaped as encoding/json
 * does for HTML safety. */
static char *to_json(json_t *v)
{
        _cleanup_free_ char *s =
                v == MISSING ? strdup("null") : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        char *o, *q;

        if (!s)
                return NULL;
        o = malloc(strlen(s) * 6 + 1);
        if (!o)
                return NULL;
        q = o;
        for (const char *p = s; *p; p++) {
                if (*p == '<' || *p == '>' || *p == '&')
                        q += sprintf(q, "\\u%04x", (unsigned)*p);
                else
                        *q++ = *p;
        }
        *q = 0;
        return o;
}

static int cmp_values(json_t *a, json_t *b, int *ret)
{
        if (json_is_number(a) && json_is_number(b)) {
                double x = json_number_value(a), y = json_number_value(b);
                *ret = x < y ? -1 : x > y;
                return 0;
        }
        if (json_is_string(a) && json_is_string(b)) {
                *ret = strcmp(json_string_value(a), json_string_value(b));
                return 0;
        }
        if (json_is_boolean(a) && json_is_boolean(b)) {
                *ret = json_is_true(a) != json_is_true(b);
                return 0;
        }
        if (json_is_null(a) && json_is_null(b)) {
                *ret = 0;
                return 0;
        }
        return -EINVAL;
}

static json_t *title_case(const char *s)
{
        _cleanup_free_ char *c = strdup(s);
        bool start = true;

        if (!c)
                return NULL;
        for (char *p = c; *p; p++) {
                if (start && islower((unsigned char)*p))
                        *p = (char)toupper((unsigned char)*p);
                start = isspace((unsigned char)*p) || ispunct((unsigned char)*p);
        }
        return json_string(c);
}

/* printf with Go's verbs, the common ones: %s %v %d %q %%, with flags and
 * widths passed through. The format is the user's, but what reaches
 * fprintf is only a rebuilt "%<flags><width>s" or "...lld" spec. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static char *go_printf(const char *fmt, json_t **args, size_t n)
{
        char *buf = NULL;
        size_t len = 0, ai = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        for (const char *p = fmt; *p; p++) {
                char spec[32];
                size_t sl = 0;
                if (*p != '%') {
                        fputc(*p, f);
                        continue;
                }
                if (p[1] == '%') {
                        fputc('%', f);
                        p++;
                        continue;
                }
                spec[sl++] = '%';
                p++;
                while (*p && strchr("-+ 0#", *p) && sl < 8)
                        spec[sl++] = *p++;
                /* width and precision as Go takes them: past 1e6 is
                 * %!(BADWIDTH) / %!(BADPREC) and ignored */
                for (int part = 0; part < 2; part++) {
                        unsigned long v = 0;
                        bool big = false, any = false;
                        if (part == 1) {
                                if (*p != '.')
                                        break;
                                p++;
                        }
                        for (; *p >= '0' && *p <= '9'; p++) {
                                v = v * 10 + (unsigned long)(*p - '0');
                                big = big || v > 1000000;
                                any = true;
                        }
                        if (big)
                                fputs(part ? "%!(BADPREC)" : "%!(BADWIDTH)", f);
                        else if (any || part == 1)
                                sl += (size_t)snprintf(spec + sl, sizeof(spec) - sl, part ? ".%lu" : "%lu", v);
                }
                if (!*p) {
                        fputs("%!(NOVERB)", f);
                        break;
                }
                if (ai >= n) {
                        fprintf(f, "%%!%c(MISSING)", *p);
                        continue;
                }
                {
                        json_t *a = args[ai++];
                        _cleanup_free_ char *s = NULL;
                        if (*p == 'd' && json_is_integer(a)) {
                                spec[sl++] = 'l';
                                spec[sl++] = 'l';
                                spec[sl++] = 'd';
                                spec[sl] = 0;
                                fprintf(f, spec, (long long)json_integer_value(a));
                                continue;
                        }
                        s = *p == 'q' ? to_json(a) : template_to_string(a);
                        spec[sl++] = 's';
                        spec[sl] = 0;
                        fprintf(f, spec, s ? s : "");
                }
        }
        fclose(f);
        return buf;
}
#pragma GCC diagnostic pop

static size_t utf8_len(const char *s)
{
        size_t n = 0;

        for (; *s; s++)
                n += ((unsigned char)*s & 0xc0) != 0x80;
        return n;
}

int template_call(Exec *x, const Operand *fn, json_t **a, size_t n, json_t **ret)
{
        const char *f = fn->str;
        _cleanup_free_ char *s = NULL;

#define NEED(k)                                                                                                      \
        do {                                                                                                         \
                if (n != (k))                                                                                        \
                        return template_xerr(x, fn, "wrong number of args for %s: want %d got %zu", f, (int)(k), n); \
        } while (0)
        if (streq(f, "json")) {
                NEED(1);
                s = to_json(a[0]);
                *ret = s ? json_string(s) : NULL;
        } else if (streq(f, "index")) {
                json_t *cur;
                if (n < 1)
                        return template_xerr(x, fn, "wrong number of args for index: want at least 1 got 0");
                cur = template_ref(a[0]);
                for (size_t i = 1; i < n; i++) {
                        json_t *next = NULL;
                        if (json_is_object(cur) && json_is_string(a[i]))
                                next = json_object_get(cur, json_string_value(a[i]));
                        else if (json_is_array(cur) && json_is_integer(a[i])) {
                                json_int_t k = json_integer_value(a[i]);
                                if (k < 0 || (size_t)k >= json_array_size(cur)) {
                                        template_unref(cur);
                                        return template_xerr(x, fn, "error calling index: index out of range: %lld",
                                                             (long long)k);
                                }
                                next = json_array_get(cur, (size_t)k);
                        } else if (cur == MISSING || json_is_null(cur)) {
                                template_unref(cur);
                                return template_xerr(x, fn, "error calling index: index of untyped nil");
                        } else {
                                int r = template_xerr(x, fn, "error calling index: cannot index %s with %s",
                                                      template_type_of(cur), template_type_of(a[i]));
                                template_unref(cur);
                                return r;
                        }
                        template_unref(cur);
                        /* Go: a missing map key is the zero value, printed <no value> */
                        cur = next ? json_incref(next) : MISSING;
                }
                *ret = cur;
                return 0;
        } else if (streq(f, "join")) {
                FILE *m;
                size_t len = 0;
                NEED(2);
                if (!json_is_array(a[0]) && !json_is_null(a[0]) && a[0] != MISSING)
                        return template_xerr(x, fn, "wrong type for value; expected []string; got %s",
                                             template_type_of(a[0]));
                m = open_memstream(&s, &len);
                if (!m)
                        return -ENOMEM;
                for (size_t i = 0; a[0] != MISSING && i < json_array_size(a[0]); i++) {
                        _cleanup_free_ char *e = template_to_string(json_array_get(a[0], i));
                        fprintf(m, "%s%s", i ? json_string_value(a[1]) ?: "" : "", e ? e : "");
                }
                fclose(m);
                *ret = json_string(s ? s : "");
        } else if (streq(f, "split")) {
                const char *str, *sep;
                json_t *arr;
                NEED(2);
                str = json_string_value(a[0]);
                sep = json_string_value(a[1]);
                if (!str || !sep)
                        return template_xerr(x, fn, "wrong type for value; expected string");
                arr = json_array();
                if (!*sep) {
                        for (const char *p = str; *p; p++)
                                json_array_append_new(arr, json_stringn(p, 1));
                } else
                        for (const char *p = str;;) {
                                const char *q = strstr(p, sep);
                                json_array_append_new(arr, json_stringn(p, q ? (size_t)(q - p) : strlen(p)));
                                if (!q)
                                        break;
                                p = q + strlen(sep);
                        }
                *ret = arr;
        } else if (streq(f, "upper") || streq(f, "lower") || streq(f, "title")) {
                NEED(1);
                s = template_to_string(a[0]);
                if (!s)
                        return -ENOMEM;
                if (streq(f, "title")) {
                        *ret = title_case(s);
                } else {
                        for (char *p = s; *p; p++)
                                *p = (char)(f[0] == 'u' ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
                        *ret = json_string(s);
                }
        } else if (streq(f, "len")) {
                NEED(1);
                if (json_is_string(a[0]))
                        *ret = json_integer((json_int_t)json_string_length(a[0]));
                else if (json_is_array(a[0]))
                        *ret = json_integer((json_int_t)json_array_size(a[0]));
                else if (json_is_object(a[0]))
                        *ret = json_integer((json_int_t)json_object_size(a[0]));
                else
                        return template_xerr(x, fn, "error calling len: len of type %s", template_type_of(a[0]));
        } else if (streq(f, "print") || streq(f, "println")) {
                FILE *m;
                size_t len = 0;
                bool ln = streq(f, "println");
                m = open_memstream(&s, &len);
                if (!m)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *e = template_to_string(a[i]);
                        /* Sprint: a space between operands when neither is a string */
                        if (i && (ln || (!json_is_string(a[i]) && !json_is_string(a[i - 1]))))
                                fputc(' ', m);
                        fputs(e ? e : "", m);
                }
                if (ln)
                        fputc('\n', m);
                fclose(m);
                *ret = json_string(s ? s : "");
        } else if (streq(f, "printf")) {
                if (n < 1 || !json_is_string(a[0]))
                        return template_xerr(x, fn, "wrong type for value; expected string");
                s = go_printf(json_string_value(a[0]), a + 1, n - 1);
                *ret = json_string(s ? s : "");
        } else if (streq(f, "pad")) {
                /* Docker's: pad(s, prefix, suffix) spaces */
                FILE *m;
                size_t len = 0;
                NEED(3);
                if (json_integer_value(a[1]) < 0 || json_integer_value(a[1]) > 1000000 ||
                    json_integer_value(a[2]) < 0 || json_integer_value(a[2]) > 1000000)
                        return template_xerr(x, fn, "error calling pad: count out of range");
                m = open_memstream(&s, &len);
                if (!m)
                        return -ENOMEM;
                {
                        _cleanup_free_ char *e = template_to_string(a[0]);
                        fprintf(m, "%*s%s%*s", (int)json_integer_value(a[1]), "", e ? e : "",
                                (int)json_integer_value(a[2]), "");
                }
                fclose(m);
                *ret = json_string(s ? s : "");
        } else if (streq(f, "truncate")) {
                json_int_t l;
                NEED(2);
                s = template_to_string(a[0]);
                l = json_integer_value(a[1]);
                if (s && l >= 0 && utf8_len(s) > (size_t)l) {
                        char *p = s;
                        for (json_int_t k = 0; k < l && *p; k++) {
                                p++;
                                while ((*p & 0xc0) == 0x80)
                                        p++;
                        }
                        *p = 0;
                }
                *ret = json_string(s ? s : "");
        } else if (streq(f, "slice")) {
                json_int_t i0 = n > 1 ? json_integer_value(a[1]) : 0, i1;
                if (n < 1 || n > 3)
                        return template_xerr(x, fn, "wrong number of args for slice");
                if (json_is_string(a[0])) {
                        size_t l = json_string_length(a[0]);
                        i1 = n > 2 ? json_integer_value(a[2]) : (json_int_t)l;
                        if (i0 < 0 || i1 < i0 || (size_t)i1 > l)
                                return template_xerr(x, fn, "error calling slice: index out of range");
                        *ret = json_stringn(json_string_value(a[0]) + i0, (size_t)(i1 - i0));
                } else if (json_is_array(a[0])) {
                        size_t l = json_array_size(a[0]);
                        i1 = n > 2 ? json_integer_value(a[2]) : (json_int_t)l;
                        if (i0 < 0 || i1 < i0 || (size_t)i1 > l)
                                return template_xerr(x, fn, "error calling slice: index out of range");
                        *ret = json_array();
                        for (json_int_t k = i0; k < i1; k++)
                                json_array_append(*ret, json_array_get(a[0], (size_t)k));
                } else
                        return template_xerr(x, fn, "error calling slice: can't slice item of type %s",
                                             template_type_of(a[0]));
        } else if (streq(f, "not")) {
                NEED(1);
                *ret = json_boolean(!template_truth(a[0]));
        } else if (streq(f, "and") || streq(f, "or")) {
                size_t i = 0;
                if (n < 1)
                        return template_xerr(x, fn, "wrong number of args for %s: want at least 1 got 0", f);
                /* the first falsy (and) / truthy (or) value, else the last */
                for (; i + 1 < n; i++)
                        if (template_truth(a[i]) == (f[0] == 'o'))
                                break;
                *ret = template_ref(a[i]);
                return 0;
        } else {
                /* comparisons */
                int c = 0, r;
                bool res = false;
                if (n < 2)
                        return template_xerr(x, fn, "wrong number of args for %s: want 2 got %zu", f, n);
                if (streq(f, "eq")) {
                        for (size_t i = 1; i < n && !res; i++) {
                                if (cmp_values(a[0], a[i], &c) < 0)
                                        return template_xerr(x, fn,
                                                             "error calling eq: incompatible types for comparison");
                                res = c == 0;
                        }
                } else {
                        NEED(2);
                        r = cmp_values(a[0], a[1], &c);
                        if (r < 0 || (json_is_boolean(a[0]) && !streq(f, "ne")))
                                return template_xerr(x, fn, "error calling %s: incompatible types for comparison", f);
                        res = streq(f, "ne")   ? c != 0
                              : streq(f, "lt") ? c < 0
                              : streq(f, "le") ? c <= 0
                              : streq(f, "gt") ? c > 0
                                               : c >= 0;
                }
                *ret = json_boolean(res);
        }
#undef NEED
        return *ret ? 0 : -ENOMEM;
}

/* ---- tabwriter ---- */

void template_tabwrite(const char *text, size_t minwidth, FILE *out)
{
        _cleanup_free_ size_t *w = NULL;
        size_t ncol = 0;

        /* pass 1: column widths (cells ended by a tab) */
        for (const char *line = text; *line;) {
                const char *eol = strchr(line, '\n') ?: line + strlen(line);
                size_t col = 0;
                for (const char *c = line; c < eol;) {
                        const char *tab = memchr(c, '\t', (size_t)(eol - c));
                        size_t width = 0;
                        if (!tab)
                                break;
                        for (const char *q = c; q < tab; q++)
                                width += ((unsigned char)*q & 0xc0) != 0x80;
                        if (col >= ncol) {
                                size_t *nw = realloc(w, (col + 1) * sizeof(size_t));
                                if (!nw)
                                        return;
                                w = nw;
                                w[col] = 0;
                                ncol = col + 1;
                        }
                        if (width + 3 > w[col])
                                w[col] = width + 3;
                        col++;
                        c = tab + 1;
                }
                line = *eol ? eol + 1 : eol;
        }
        for (size_t i = 0; i < ncol; i++)
                if (w[i] < minwidth)
                        w[i] = minwidth;
        /* pass 2 */
        for (const char *line = text; *line;) {
                const char *eol = strchr(line, '\n') ?: line + strlen(line);
                size_t col = 0;
                const char *c = line;
                for (;;) {
                        const char *tab = memchr(c, '\t', (size_t)(eol - c));
                        size_t width = 0;
                        if (!tab) {
                                fwrite(c, 1, (size_t)(eol - c), out);
                                break;
                        }
                        fwrite(c, 1, (size_t)(tab - c), out);
                        for (const char *q = c; q < tab; q++)
                                width += ((unsigned char)*q & 0xc0) != 0x80;
                        for (; width < w[col]; width++)
                                fputc(' ', out);
                        col++;
                        c = tab + 1;
                }
                if (*eol)
                        fputc('\n', out);
                line = *eol ? eol + 1 : eol;
        }
}

const char *template_format_body(const char *fmt, bool *ret_table)
{
        *ret_table = false;
        if (streq(fmt, "json"))
                return "{{json .}}";
        if (strncmp(fmt, "table", 5) == 0 && (fmt[5] == 0 || isspace((unsigned char)fmt[5]))) {
                *ret_table = true;
                fmt += 5;
                while (*fmt == ' ')
                        fmt++;
        }
        return fmt;
}
