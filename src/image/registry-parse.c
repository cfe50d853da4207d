/* The registry client's pure parts: WWW-Authenticate challenges, platform
 * matching in indexes, Docker's config.json auths, which registries are
 * spoken to over http. No I/O except docker_config_store(). */
#include "image/registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/load.h"
#include "lib/macros.h"
#include "lib/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

void registry_challenge_done(RegistryChallenge *c)
{
        free(c->scheme);
        free(c->realm);
        free(c->service);
        free(c->scope);
        *c = (RegistryChallenge){ 0 };
}

static bool is_token_char(char c)
{
        return c && (isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 7235: challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ],
 * auth-param = token BWS "=" BWS ( token / quoted-string ). One pass over
 * the header; parameters of the scheme we keep go into `cur`. */
int registry_parse_challenge(const char *h, RegistryChallenge *ret)
{
        RegistryChallenge best = { 0 }, cur = { 0 };
        const char *p = h;

        while (*p) {
                const char *t0;
                size_t tl;

                while (*p == ' ' || *p == '\t' || *p == ',')
                        p++;
                if (!*p)
                        break;
                t0 = p;
                while (is_token_char(*p))
                        p++;
                tl = (size_t)(p - t0);
                if (tl == 0)
                        goto bad;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p == '=') {
                        /* a parameter of the current challenge */
                        _cleanup_free_ char *key = strndup(t0, tl), *val = NULL;
                        size_t n = 0;

                        if (!key || !cur.scheme)
                                goto bad;
                        p++;
                        while (*p == ' ' || *p == '\t')
                                p++;
                        val = malloc(strlen(p) + 1);
                        if (!val)
                                goto bad;
                        if (*p == '"') {
                                for (p++; *p && *p != '"'; p++) {
                                        if (*p == '\\' && p[1])
                                                p++;
                                        val[n++] = *p;
                                }
                                if (*p != '"')
                                        goto bad;
                                p++;
                        } else {
                                while (is_token_char(*p) || *p == '/' || *p == ':')
                                        val[n++] = *p++;
                        }
                        val[n] = 0;
                        for (char *k = key; *k; k++)
                                *k = (char)tolower((unsigned char)*k);
                        if (streq(key, "realm") && !cur.realm)
                                cur.realm = TAKE_PTR(val);
                        else if (streq(key, "service") && !cur.service)
                                cur.service = TAKE_PTR(val);
                        else if (streq(key, "scope") && !cur.scope)
                                cur.scope = TAKE_PTR(val);
                        continue;
                }
                /* a new challenge: keep the previous one if it is the best so far */
                if (cur.scheme && (!best.scheme || (streq(cur.scheme, "bearer") && !streq(best.scheme, "bearer")))) {
                        registry_challenge_done(&best);
                        best = cur;
                        cur = (RegistryChallenge){ 0 };
                }
                registry_challenge_done(&cur);
                cur.scheme = strndup(t0, tl);
                if (!cur.scheme)
                        goto bad;
                for (char *k = cur.scheme; *k; k++)
                        *k = (char)tolower((unsigned char)*k);
        }
        if (cur.scheme && (!best.scheme || (streq(cur.scheme, "bearer") && !streq(best.scheme, "bearer")))) {
                registry_challenge_done(&best);
                best = cur;
                cur = (RegistryChallenge){ 0 };
        }
        registry_challenge_done(&cur);
        if (!best.scheme || (!streq(best.scheme, "bearer") && !streq(best.scheme, "basic")) ||
            (streq(best.scheme, "bearer") && !best.realm)) {
                registry_challenge_done(&best);
                return -EINVAL;
        }
        *ret = best;
        return 0;
bad:
        registry_challenge_done(&cur);
        registry_challenge_done(&best);
        return -EINVAL;
}

int platform_parse(const char *s, Platform *ret)
{
        Platform p = { 0 };
        const char *a = strchr(s, '/'), *v;

        if (!a || a == s || (size_t)(a - s) >= sizeof(p.os))
                return -EINVAL;
        memcpy(p.os, s, (size_t)(a - s));
        a++;
        v = strchr(a, '/');
        if (v) {
                if (v == a || (size_t)(v - a) >= sizeof(p.arch) || !v[1] || strlen(v + 1) >= sizeof(p.variant) ||
                    strchr(v + 1, '/'))
                        return -EINVAL;
                memcpy(p.arch, a, (size_t)(v - a));
                snprintf(p.variant, sizeof(p.variant), "%s", v + 1);
        } else {
                if (!*a || strlen(a) >= sizeof(p.arch))
                        return -EINVAL;
                snprintf(p.arch, sizeof(p.arch), "%s", a);
        }
        *ret = p;
        return 0;
}

void platform_host(Platform *ret)
{
        const char *arch = image_host_arch();

        *ret = (Platform){ 0 };
        snprintf(ret->os, sizeof(ret->os), "linux");
        snprintf(ret->arch, sizeof(ret->arch), "%s", arch);
        if (streq(arch, "arm64"))
                snprintf(ret->variant, sizeof(ret->variant), "v8");
        else if (streq(arch, "arm"))
                snprintf(ret->variant, sizeof(ret->variant), "v7");
}

int platform_match(const Platform *want, const char *os, const char *arch, const char *variant)
{
        if (!os || !arch || !streq(want->os, os) || !streq(want->arch, arch))
                return -1;
        if (!variant)
                variant = "";
        if (streq(want->variant, variant))
                return 3;
        if (!*variant)
                return 1; /* an entry without a variant: Docker takes it too */
        if (!*want->variant) {
                if (streq(arch, "amd64"))
                        return streq(variant, "v1") ? 2 : -1;
                return 1;
        }
        return -1;
}

int registry_index_select(json_t *index, const Platform *want, const char **ret_digest, Error **ret_err)
{
        json_t *ms = json_object_get(index, "manifests"), *m;
        _cleanup_free_ char *offered = NULL;
        const char *best = NULL;
        int best_score = -1;
        size_t i;

        if (!json_is_array(ms))
                return error_setx(ret_err, EBADMSG, "index has no manifests array");
        json_array_foreach(ms, i, m)
        {
                json_t *pl = json_object_get(m, "platform");
                const char *os = json_string_value(json_object_get(pl, "os"));
                const char *arch = json_string_value(json_object_get(pl, "architecture"));
                const char *variant = json_string_value(json_object_get(pl, "variant"));
                const char *digest = json_string_value(json_object_get(m, "digest"));
                int score = platform_match(want, os, arch, variant);
                char *o = NULL;

                if (os && arch &&
                    asprintf(&o, "%s%s%s/%s%s%s", offered ? offered : "", offered ? ", " : "", os, arch,
                             variant ? "/" : "", variant ? variant : "") >= 0) {
                        free(offered);
                        offered = o;
                }
                if (digest && score > best_score) {
                        best = digest;
                        best_score = score;
                }
        }
        if (!best)
                return error_setx(ret_err, ENOENT,
                                  "no matching manifest for %s/%s%s%s in the manifest list entries%s%s", want->os,
                                  want->arch, *want->variant ? "/" : "", want->variant, offered ? " (offered: " : "",
                                  offered ? offered : "");
        *ret_digest = best;
        return 0;
}

const char *docker_config_key(const char *registry)
{
        return streq(registry, "docker.io") ? "https://index.docker.io/v1/" : registry;
}

/* "https://host:port/v1/" -> "host:port" */
static char *auth_key_host(const char *key)
{
        const char *p = key, *e;

        if (strncmp(p, "https://", 8) == 0)
                p += 8;
        else if (strncmp(p, "http://", 7) == 0)
                p += 7;
        e = strchr(p, '/');
        return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

int docker_config_lookup(const char *json_text, const char *registry, char **ret_user, char **ret_pass, Error **ret_err)
{
        _cleanup_json_ json_t *j = NULL;
        json_error_t je;
        const char *key, *want = streq(registry, "docker.io") ? "index.docker.io" : registry;
        json_t *v, *found = NULL;

        j = json_loads(json_text, 0, &je);
        if (!j)
                return error_setx(ret_err, EBADMSG, "%d:%d: %s", je.line, je.column, je.text);
        json_object_foreach(json_object_get(j, "auths"), key, v)
        {
                _cleanup_free_ char *host = auth_key_host(key);
                if (host && streq(host, want)) {
                        found = v;
                        if (streq(key, docker_config_key(registry)))
                                break; /* the exact key wins */
                }
        }
        if (!found)
                return 0;
        {
                const char *b64 = json_string_value(json_object_get(found, "auth"));
                const char *user = json_string_value(json_object_get(found, "username"));
                const char *pass = json_string_value(json_object_get(found, "password"));
                _cleanup_free_ char *dec = NULL;
                char *colon;
                int n;

                if (b64 && *b64) {
                        size_t l = strlen(b64);
                        dec = malloc(l / 4 * 3 + 4);
                        if (!dec)
                                return error_set(ret_err, ENOMEM, "auth");
                        n = EVP_DecodeBlock((unsigned char *)dec, (const unsigned char *)b64, (int)l);
                        if (n < 0)
                                return error_setx(ret_err, EBADMSG, "auths.%s.auth: not base64", key);
                        /* EVP_DecodeBlock counts the padding as zero bytes */
                        while (n > 0 && l > 0 && b64[l - 1] == '=') {
                                n--;
                                l--;
                        }
                        dec[n] = 0;
                        colon = strchr(dec, ':');
                        if (!colon)
                                return error_setx(ret_err, EBADMSG, "auths.%s.auth: not user:password", key);
                        *colon = 0;
                        user = dec;
                        pass = colon + 1;
                }
                if (!user || !pass)
                        return 0;
                *ret_user = strdup(user);
                *ret_pass = strdup(pass);
                if (!*ret_user || !*ret_pass)
                        return error_set(ret_err, ENOMEM, "auth");
        }
        return 1;
}

char *docker_config_path(void)
{
        const char *d = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
        char *p = NULL;

        if (d && *d)
                return asprintf(&p, "%s/config.json", d) < 0 ? NULL : p;
        if (!home || !*home)
                home = "/root";
        return asprintf(&p, "%s/.docker/config.json", home) < 0 ? NULL : p;
}

int docker_config_store(const char *path, const char *registry, const char *user, const char *pass, Error **ret_err)
{
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *text = NULL, *plain = NULL, *b64 = NULL, *dir = NULL;
        json_t *auths;
        json_error_t je;
        const char *key = docker_config_key(registry);
        char *slash;

        if (access(path, F_OK) == 0) {
                j = json_load_file(path, 0, &je);
                if (!j || !json_is_object(j))
                        return error_setx(ret_err, EBADMSG, "%s:%d:%d: %s", path, je.line, je.column,
                                          j ? "not an object" : je.text);
        } else {
                j = json_object();
        }
        if (!j)
                return error_set(ret_err, ENOMEM, "%s", path);
        auths = json_object_get(j, "auths");
        if (!json_is_object(auths)) {
                auths = json_object();
                json_object_set_new(j, "auths", auths);
        }
        if (user) {
                size_t l;
                if (asprintf(&plain, "%s:%s", user, pass ? pass : "") < 0)
                        return error_set(ret_err, ENOMEM, "auth");
                l = strlen(plain);
                b64 = malloc((l + 2) / 3 * 4 + 1);
                if (!b64)
                        return error_set(ret_err, ENOMEM, "auth");
                EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain, (int)l);
                json_object_set_new(auths, key, json_pack("{s:s}", "auth", b64));
        } else if (json_object_del(auths, key) < 0) {
                return -ENOENT;
        }
        text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
        dir = strdup(path);
        if (!text || !dir)
                return error_set(ret_err, ENOMEM, "%s", path);
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                if (mkdir_p(dir, 0700) < 0)
                        return error_set(ret_err, errno, "mkdir %s", dir);
        }
        return write_file_atomic(path, text, strlen(text), 0600, ret_err);
}

bool registry_is_insecure(const char *registry, const char *insecure)
{
        _cleanup_free_ char *host = NULL, *list = NULL;
        struct in_addr a4;
        char *colon, *save = NULL;

        if (registry[0] == '[') {
                const char *e = strchr(registry, ']');
                host = strndup(registry + 1, e ? (size_t)(e - registry - 1) : 0);
        } else {
                host = strdup(registry);
                if (host && (colon = strchr(host, ':')))
                        *colon = 0;
        }
        if (!host)
                return false;
        if (streq(host, "localhost") || streq(host, "::1"))
                return true;
        if (inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127)
                return true;
        if (!insecure || !(list = strdup(insecure)))
                return false;
        for (char *e = strtok_r(list, ", ", &save); e; e = strtok_r(NULL, ", ", &save))
                if (streq(e, registry) || streq(e, host))
                        return true;
        return false;
}
