/* Docker reference grammar (distribution/reference's regexp.go), written
 * out as small hand parsers so that each failure can say which part is
 * wrong:
 *
 *     reference  := name [ ":" tag ] [ "@" digest ]
 *     name       := [ domain "/" ] path-component [ "/" path-component ]*
 *     domain     := host [ ":" port ]      host: DNS labels or [IPv6]
 *     path-comp  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *     tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *     digest     := algorithm ":" hex      (only sha256 is accepted here)
 *
 * The whole name is at most 255 characters. */
#include "image/ref.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/macros.h"

#define NAME_MAX_TOTAL 255
#define TAG_MAX        128

void ref_free(ImageRef *r)
{
        if (!r)
                return;
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        free(r);
}

bool hex64_is_valid(const char *s)
{
        size_t i;

        for (i = 0; s[i]; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return i == 64;
}

bool digest_is_valid(const char *s)
{
        return strncmp(s, "sha256:", 7) == 0 && hex64_is_valid(s + 7);
}

static bool is_alnum_lower(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component of n bytes. */
static bool path_component_ok(const char *p, size_t n)
{
        size_t i = 0;

        if (n == 0 || !is_alnum_lower(p[0]) || !is_alnum_lower(p[n - 1]))
                return false;
        while (i < n) {
                if (is_alnum_lower(p[i])) {
                        i++;
                        continue;
                }
                /* a separator: ".", "_", "__" or one or more "-" */
                size_t s = i;
                if (p[i] == '.') {
                        i++;
                } else if (p[i] == '_') {
                        i++;
                        if (i < n && p[i] == '_')
                                i++;
                } else if (p[i] == '-') {
                        while (i < n && p[i] == '-')
                                i++;
                } else {
                        return false;
                }
                if (i == s || i >= n || !is_alnum_lower(p[i]))
                        return false;
        }
        return true;
}

static bool has_upper(const char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (isupper((unsigned char)p[i]))
                        return true;
        return false;
}

/* host [":" port]: DNS labels of letters, digits and inner '-', separated by
 * '.', or a bracketed IPv6 address. */
static bool domain_ok(const char *d, size_t n)
{
        size_t i = 0, host_end;
        const char *colon;

        if (n == 0)
                return false;
        if (d[0] == '[') {
                const char *close = memchr(d, ']', n);
                if (!close || close == d + 1)
                        return false;
                for (const char *c = d + 1; c < close; c++)
                        if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
                                return false;
                host_end = (size_t)(close - d) + 1;
        } else {
                colon = memchr(d, ':', n);
                host_end = colon ? (size_t)(colon - d) : n;
                while (i < host_end) {
                        size_t s = i;
                        while (i < host_end && d[i] != '.')
                                i++;
                        if (i == s || !isalnum((unsigned char)d[s]) || !isalnum((unsigned char)d[i - 1]))
                                return false;
                        for (size_t k = s; k < i; k++)
                                if (!isalnum((unsigned char)d[k]) && d[k] != '-')
                                        return false;
                        if (i < host_end)
                                i++; /* the dot */
                        if (i == host_end && d[i - 1] == '.')
                                return false;
                }
        }
        if (host_end == n)
                return true;
        if (d[host_end] != ':' || host_end + 1 == n)
                return false;
        for (i = host_end + 1; i < n; i++)
                if (!isdigit((unsigned char)d[i]))
                        return false;
        return true;
}

static bool tag_ok(const char *t)
{
        size_t n = strlen(t);

        if (n == 0 || n > TAG_MAX)
                return false;
        if (!isalnum((unsigned char)t[0]) && t[0] != '_')
                return false;
        for (size_t i = 1; i < n; i++)
                if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
                        return false;
        return true;
}

static int invalid(Error **ret_err, const char *s, const char *why)
{
        return error_setx(ret_err, EINVAL, "invalid reference format: %s: %s", s, why);
}

static int parse(const char *s, bool default_tag, ImageRef **ret, Error **ret_err)
{
        _cleanup_ref_ ImageRef *r = NULL;
        _cleanup_free_ char *name = NULL;
        const char *at, *slash, *colon, *rest;
        size_t dlen = 0;

        if (!s || !*s)
                return error_setx(ret_err, EINVAL, "invalid reference format: empty reference");
        if (hex64_is_valid(s))
                return error_setx(ret_err, EINVAL,
                                  "invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s);
        r = calloc(1, sizeof(*r));
        if (!r)
                return error_set(ret_err, ENOMEM, "parse reference %s", s);

        at = strchr(s, '@');
        if (at) {
                if (!digest_is_valid(at + 1)) {
                        if (strncmp(at + 1, "sha256:", 7) != 0)
                                return invalid(ret_err, s, "digest must be sha256:<64 hex digits>");
                        return invalid(ret_err, s, "digest is not 64 lower-case hex digits");
                }
                r->digest = strdup(at + 1);
                name = strndup(s, (size_t)(at - s));
        } else {
                name = strdup(s);
        }
        if (!name || (at && !r->digest))
                return error_set(ret_err, ENOMEM, "parse reference %s", s);

        /* the tag: after the last ':' that follows the last '/' */
        slash = strrchr(name, '/');
        colon = strrchr(slash ? slash : name, ':');
        if (colon) {
                if (!tag_ok(colon + 1))
                        return invalid(ret_err, s, "tag must be [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
                r->tag = strdup(colon + 1);
                if (!r->tag)
                        return error_set(ret_err, ENOMEM, "parse reference %s", s);
                name[colon - name] = '\0';
        }
        if (!*name)
                return invalid(ret_err, s, "empty repository name");
        if (strlen(name) > NAME_MAX_TOTAL)
                return invalid(ret_err, s, "repository name longer than 255 characters");

        /* the domain: a first component with '.', ':', upper case, or "localhost" */
        slash = strchr(name, '/');
        if (slash) {
                size_t n = (size_t)(slash - name);
                if (memchr(name, '.', n) || memchr(name, ':', n) || (n == 9 && strncmp(name, "localhost", 9) == 0) ||
                    has_upper(name, n)) {
                        if (!domain_ok(name, n))
                                return invalid(ret_err, s, "registry host is not host[:port]");
                        dlen = n;
                }
        }
        if (dlen > 0) {
                r->domain = strndup(name, dlen);
                rest = name + dlen + 1;
        } else {
                r->domain = strdup("docker.io");
                rest = name;
        }
        if (!r->domain)
                return error_set(ret_err, ENOMEM, "parse reference %s", s);
        if (streq(r->domain, "index.docker.io")) {
                free(r->domain);
                r->domain = strdup("docker.io");
                if (!r->domain)
                        return error_set(ret_err, ENOMEM, "parse reference %s", s);
        }

        /* the path, component by component */
        for (const char *p = rest;;) {
                const char *e = strchrnul(p, '/');
                size_t n = (size_t)(e - p);
                if (n == 0)
                        return invalid(ret_err, s, "empty path component");
                if (has_upper(p, n)) {
                        _cleanup_free_ char *msg = NULL;
                        if (asprintf(&msg, "repository name (%s) must be lowercase", rest) < 0)
                                return error_set(ret_err, ENOMEM, "parse reference %s", s);
                        return invalid(ret_err, s, msg);
                }
                if (!path_component_ok(p, n))
                        return invalid(ret_err, s,
                                       "path components are lower-case letters and digits, "
                                       "separated by '.', '_', '__' or dashes");
                if (!*e)
                        break;
                p = e + 1;
        }
        if (streq(r->domain, "docker.io") && !strchr(rest, '/')) {
                if (asprintf(&r->path, "library/%s", rest) < 0)
                        r->path = NULL;
        } else {
                r->path = strdup(rest);
        }
        if (!r->path)
                return error_set(ret_err, ENOMEM, "parse reference %s", s);
        if (strlen(r->domain) + 1 + strlen(r->path) > NAME_MAX_TOTAL)
                return invalid(ret_err, s, "repository name longer than 255 characters");

        if (default_tag && !r->tag && !r->digest) {
                r->tag = strdup("latest");
                if (!r->tag)
                        return error_set(ret_err, ENOMEM, "parse reference %s", s);
        }
        *ret = TAKE_PTR(r);
        return 0;
}

int ref_parse(const char *s, ImageRef **ret, Error **ret_err)
{
        return parse(s, true, ret, ret_err);
}

int ref_parse_name(const char *s, ImageRef **ret, Error **ret_err)
{
        return parse(s, false, ret, ret_err);
}

char *ref_repo(const ImageRef *r)
{
        char *s = NULL;

        if (asprintf(&s, "%s/%s", r->domain, r->path) < 0)
                return NULL;
        return s;
}

static char *with_suffix(char *repo, const ImageRef *r)
{
        char *s = NULL;

        if (!repo)
                return NULL;
        if (asprintf(&s, "%s%s%s%s%s", repo, r->tag ? ":" : "", r->tag ? r->tag : "", r->digest ? "@" : "",
                     r->digest ? r->digest : "") < 0)
                s = NULL;
        free(repo);
        return s;
}

char *ref_string(const ImageRef *r)
{
        return with_suffix(ref_repo(r), r);
}

char *ref_familiar_repo(const ImageRef *r)
{
        const char *first_end;
        size_t n;

        if (!streq(r->domain, "docker.io"))
                return ref_repo(r);
        if (strncmp(r->path, "library/", 8) == 0 && !strchr(r->path + 8, '/'))
                return strdup(r->path + 8);
        /* "docker.io/a.b/c" shown as "a.b/c" would read back as registry
         * a.b (Docker shows it so; we keep the name unambiguous) */
        first_end = strchrnul(r->path, '/');
        n = (size_t)(first_end - r->path);
        if (*first_end && (memchr(r->path, '.', n) || (n == 9 && strncmp(r->path, "localhost", 9) == 0)))
                return ref_repo(r);
        return strdup(r->path);
}

char *ref_familiar_string(const ImageRef *r)
{
        return with_suffix(ref_familiar_repo(r), r);
}
