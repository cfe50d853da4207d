/* The registry client over libcurl; the protocol and its choices are
 * described in registry.h.
 *
 * Threads: a Registry is shared (its auth answer under `lock`), each thread
 * has its own RegistryConn (a curl easy handle, which keeps connections
 * alive between requests). curl_global_init() runs once, in registry_open,
 * before any thread exists. */
#include "image/registry.h"

#include <curl/curl.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "image/ref.h"
#include "lib/macros.h"
#include "lib/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

#define MANIFEST_ACCEPT                                                                                 \
        "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " \
        "application/vnd.docker.distribution.manifest.list.v2+json, "                                   \
        "application/vnd.docker.distribution.manifest.v2+json"
#define MAX_MANIFEST (4u << 20)  /* distribution refuses larger ones too */
#define MAX_SMALL    (64u << 20) /* an image config */
#define MAX_ATTEMPTS 5

struct Registry {
        char *domain; /* "127.0.0.1:5000", for messages */
        char *base;   /* "https://127.0.0.1:5000" (http:// once fallen back) */
        char *repo;   /* "library/busybox" */
        char *user, *pass;
        pthread_mutex_t lock; /* guards auth and base */
        char *auth;           /* "Authorization: ..." header, or NULL */
        /* TLS, as Docker: an insecure registry (loopback, or named by
         * --insecure-registry) is tried over https without verification,
         * then over plain http; the others are verified against the system
         * CAs and the registry's own from certs.d (see registry.h). */
        bool insecure;
        char *ca_file, *cert_file, *key_file;
};

struct RegistryConn {
        Registry *r;
        CURL *h;
};

typedef struct Resp {
        long status;
        char *ctype, *dcd, *www_auth, *location;
        char *body;
        size_t len, max;
        bool overflow;
        /* blob downloads */
        PartialBlob *w;
        int werr;
        bool reset_done;
        uint64_t total; /* Content-Length */
        uint64_t start; /* what the partial file held when the request began */
        RegistryProgressFn progress;
        void *ud;
} Resp;

static void resp_clear(Resp *x)
{
        free(x->ctype);
        free(x->dcd);
        free(x->www_auth);
        free(x->location);
        free(x->body);
        x->ctype = x->dcd = x->www_auth = x->location = x->body = NULL;
        x->len = 0;
        x->status = 0;
        x->overflow = false;
        x->werr = 0;
        x->reset_done = false;
        x->total = 0;
}

static char *header_value(const char *line, size_t n, const char *name)
{
        size_t l = strlen(name);
        const char *v, *e = line + n;

        if (n <= l || strncasecmp(line, name, l) != 0 || line[l] != ':')
                return NULL;
        v = line + l + 1;
        while (v < e && (*v == ' ' || *v == '\t'))
                v++;
        while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
                e--;
        return strndup(v, (size_t)(e - v));
}

static void set_header(char **slot, char *v)
{
        if (!v)
                return;
        free(*slot);
        *slot = v;
}

static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
        Resp *x = ud;
        size_t len = size * n;

        if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
                /* a new response (after a redirect or a 100): forget the last one's headers */
                free(x->ctype);
                free(x->dcd);
                free(x->www_auth);
                x->ctype = x->dcd = x->www_auth = NULL;
                x->total = 0;
                return len;
        }
        set_header(&x->ctype, header_value(buf, len, "Content-Type"));
        set_header(&x->dcd, header_value(buf, len, "Docker-Content-Digest"));
        set_header(&x->www_auth, header_value(buf, len, "WWW-Authenticate"));
        {
                _cleanup_free_ char *cl = header_value(buf, len, "Content-Length");
                uint64_t v;
                if (cl && parse_u64(cl, &v) >= 0)
                        x->total = v;
        }
        return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ud)
{
        Resp *x = ((Resp **)ud)[0];
        CURL *h = ((CURL **)ud)[1];
        size_t len = size * n;
        long status = 0;

        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (x->w && (status == 200 || status == 206)) {
                if (status == 200 && !x->reset_done && partial_size(x->w) > 0) {
                        /* the server sent the whole blob: start over */
                        x->werr = partial_reset(x->w);
                        if (x->werr < 0)
                                return 0;
                }
                x->reset_done = true;
                x->werr = partial_write(x->w, buf, len);
                if (x->werr < 0)
                        return 0;
                if (x->progress &&
                    !x->progress(x->ud, partial_size(x->w), status == 206 ? x->start + x->total : x->total)) {
                        x->werr = -ECANCELED;
                        return 0;
                }
                return len;
        }
        if (x->len + len > x->max) {
                x->overflow = true;
                return 0;
        }
        {
                char *nb = realloc(x->body, x->len + len + 1);
                if (!nb)
                        return 0;
                x->body = nb;
                memcpy(x->body + x->len, buf, len);
                x->len += len;
                x->body[x->len] = 0;
        }
        return len;
}

static void find_certs(Registry *r);

static void global_init(void)
{
        curl_global_init(CURL_GLOBAL_DEFAULT);
}

int registry_open(const char *domain, const char *repo, const RegistryOpts *o, Registry **ret, Error **ret_err)
{
        static pthread_once_t once = PTHREAD_ONCE_INIT;
        Registry *r;
        const char *host = streq(domain, "docker.io") ? "registry-1.docker.io" : domain;

        (void)pthread_once(&once, global_init);
        r = calloc(1, sizeof(*r));
        if (!r)
                return error_set(ret_err, ENOMEM, "registry %s", domain);
        pthread_mutex_init(&r->lock, NULL);
        r->domain = strdup(domain);
        r->repo = strdup(repo);
        r->insecure = registry_is_insecure(domain, o->insecure);
        if (!r->domain || !r->repo || asprintf(&r->base, "https://%s", host) < 0) {
                registry_free(r);
                return error_set(ret_err, ENOMEM, "registry %s", domain);
        }
        find_certs(r);
        if (o->user) {
                r->user = strdup(o->user);
                r->pass = strdup(o->pass ? o->pass : "");
        } else {
                _cleanup_free_ char *path = docker_config_path(), *text = NULL;
                _cleanup_error_ Error *e = NULL;
                if (path && access(path, F_OK) == 0 && read_full_file(path, &text, NULL, &e) >= 0 &&
                    docker_config_lookup(text, domain, &r->user, &r->pass, &e) < 0) {
                        error_prefix(&e, "%s", path);
                        error_setx(ret_err, EBADMSG, "%s", e->msg);
                        registry_free(r);
                        return -EBADMSG;
                }
        }
        *ret = r;
        return 0;
}

void registry_free(Registry *r)
{
        if (!r)
                return;
        pthread_mutex_destroy(&r->lock);
        free(r->domain);
        free(r->base);
        free(r->repo);
        free(r->user);
        if (r->pass)
                explicit_bzero(r->pass, strlen(r->pass));
        free(r->pass);
        free(r->auth);
        free(r->ca_file);
        free(r->cert_file);
        free(r->key_file);
        free(r);
}

RegistryConn *registry_conn_new(Registry *r)
{
        RegistryConn *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        c->r = r;
        c->h = curl_easy_init();
        if (!c->h) {
                free(c);
                return NULL;
        }
        return c;
}

void registry_conn_free(RegistryConn *c)
{
        if (!c)
                return;
        curl_easy_cleanup(c->h);
        free(c);
}

static char *base64(const char *s)
{
        size_t l = strlen(s);
        char *b = malloc((l + 2) / 3 * 4 + 1);

        if (b)
                EVP_EncodeBlock((unsigned char *)b, (const unsigned char *)s, (int)l);
        return b;
}

/* The message of a registry's error body ({"errors":[{"code","message"}]}),
 * "manifest unknown", or NULL. malloc'd. */
static char *error_body_message(const Resp *x)
{
        _cleanup_json_ json_t *j = x->body ? json_loadb(x->body, x->len, 0, NULL) : NULL;
        json_t *e = json_array_get(json_object_get(j, "errors"), 0);
        const char *m = json_string_value(json_object_get(e, "message"));
        const char *code = json_string_value(json_object_get(e, "code"));
        char *out = NULL;

        if (!m && !code)
                return NULL;
        if (code && m && strcasecmp(code, "MANIFEST_UNKNOWN") == 0)
                return strdup("manifest unknown");
        if (asprintf(&out, "%s", m ? m : code) < 0)
                return NULL;
        for (char *p = out; *p; p++)
                if (*p >= 'A' && *p <= 'Z' && !m)
                        *p = (char)(*p - 'A' + 'a');
        return out;
}

/* The directories of per-registry certificates, as Docker's
 * /etc/docker/certs.d: HUSK_CERTS_D, else /etc/husk/certs.d, then Docker's
 * own. In <dir>/<host[:port]>/: *.crt, CAs trusted for that registry
 * besides the system's; *.cert with its *.key, a client certificate. */
static void find_certs(Registry *r)
{
        const char *env = getenv("HUSK_CERTS_D");
        const char *dirs[] = { env && *env ? env : "/etc/husk/certs.d", env && *env ? NULL : "/etc/docker/certs.d" };

        for (size_t i = 0; i < ELEMENTSOF(dirs) && dirs[i] && !r->ca_file && !r->cert_file; i++) {
                _cleanup_free_ char *dir = NULL;
                struct dirent **ents = NULL;
                int n;

                if (asprintf(&dir, "%s/%s", dirs[i], r->domain) < 0)
                        return;
                n = scandir(dir, &ents, NULL, alphasort);
                for (int k = 0; k < n; k++) {
                        const char *name = ents[k]->d_name;
                        size_t l = strlen(name);
                        char *path = NULL;
                        if (l > 4 && streq(name + l - 4, ".crt") && !r->ca_file &&
                            asprintf(&path, "%s/%s", dir, name) >= 0)
                                r->ca_file = path;
                        else if (l > 5 && streq(name + l - 5, ".cert") && !r->cert_file &&
                                 asprintf(&path, "%s/%s", dir, name) >= 0) {
                                r->cert_file = path;
                                if (asprintf(&r->key_file, "%s/%.*s.key", dir, (int)(l - 5), name) < 0)
                                        r->key_file = NULL;
                        }
                }
                for (int k = 0; k < n; k++)
                        free(ents[k]);
                free(ents);
        }
}

static void tls_opts(const Registry *r, CURL *h)
{
        if (r->insecure) {
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        /* (the system's CAs stay trusted through the default CA path) */
        if (r->ca_file)
                curl_easy_setopt(h, CURLOPT_CAINFO, r->ca_file);
        if (r->cert_file && r->key_file) {
                curl_easy_setopt(h, CURLOPT_SSLCERT, r->cert_file);
                curl_easy_setopt(h, CURLOPT_SSLKEY, r->key_file);
        }
}

/* Whether a failed https request to an insecure registry means it speaks
 * plain http: the TLS handshake failed, or the answer was not TLS. */
static bool tls_unspoken(CURLcode cc)
{
        return cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_RECV_ERROR || cc == CURLE_GOT_NOTHING ||
               cc == CURLE_WEIRD_SERVER_REPLY;
}

static void common_opts(CURL *h)
{
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
        /* a stalled transfer is an error (then retried): under 1 byte/s for 30 s */
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "husk");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
}

/* Answer a challenge: fetch a token (Bearer) or use the credentials
 * (Basic), and keep the header for every later request. */
static int authenticate(RegistryConn *c, const char *www, Error **ret_err)
{
        Registry *r = c->r;
        RegistryChallenge ch = { 0 };
        _cleanup_free_ char *hdr = NULL, *url = NULL, *scope = NULL;
        int ret = 0;

        if (!www || registry_parse_challenge(www, &ch) < 0)
                return error_setx(ret_err, EACCES, "%s: unauthorized, and no usable WWW-Authenticate challenge",
                                  r->domain);
        if (streq(ch.scheme, "basic")) {
                _cleanup_free_ char *plain = NULL, *b = NULL;
                if (!r->user) {
                        ret = error_setx(ret_err, EACCES, "%s: unauthorized: authentication required (husk login %s)",
                                         r->domain, r->domain);
                        goto out;
                }
                if (asprintf(&plain, "%s:%s", r->user, r->pass) < 0 || !(b = base64(plain)) ||
                    asprintf(&hdr, "Authorization: Basic %s", b) < 0) {
                        ret = error_set(ret_err, ENOMEM, "auth");
                        goto out;
                }
        } else {
                CURL *h = curl_easy_init();
                Resp x = { .max = 1u << 20 };
                void *udp[2];
                _cleanup_json_ json_t *j = NULL;
                char *svc = NULL, *sc = NULL;
                const char *tok;
                CURLcode cc;

                if (!h) {
                        ret = error_set(ret_err, ENOMEM, "auth");
                        goto out;
                }
                /* no repository (husk login's ping): a token for no scope */
                if (*r->repo && asprintf(&scope, "repository:%s:pull", r->repo) < 0)
                        scope = NULL;
                svc = ch.service ? curl_easy_escape(h, ch.service, 0) : NULL;
                sc = ch.scope || scope ? curl_easy_escape(h, ch.scope ? ch.scope : scope, 0) : NULL;
                if (asprintf(&url, "%s%s%s%s%s%s", ch.realm, strchr(ch.realm, '?') ? "&" : "?", sc ? "scope=" : "",
                             sc ? sc : "", svc ? (sc ? "&service=" : "service=") : "", svc ? svc : "") < 0)
                        url = NULL;
                curl_free(svc);
                curl_free(sc);
                common_opts(h);
                tls_opts(r, h);
                curl_easy_setopt(h, CURLOPT_URL, url);
                curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
                curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
                udp[0] = &x;
                udp[1] = h;
                curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
                curl_easy_setopt(h, CURLOPT_WRITEDATA, (void *)udp);
                if (r->user) {
                        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
                        curl_easy_setopt(h, CURLOPT_USERNAME, r->user);
                        curl_easy_setopt(h, CURLOPT_PASSWORD, r->pass);
                }
                cc = url ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
                curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x.status);
                curl_easy_cleanup(h);
                if (cc != CURLE_OK)
                        ret = error_setx(ret_err, EHOSTUNREACH, "%s: token server %s: %s", r->domain, ch.realm,
                                         curl_easy_strerror(cc));
                else if (x.status == 401 || x.status == 403)
                        ret = error_setx(ret_err, EACCES, "%s: unauthorized: %s", r->domain,
                                         r->user ? "incorrect username or password" : "authentication required");
                else if (x.status != 200)
                        ret = error_setx(ret_err, EACCES, "%s: token server %s answered HTTP %ld", r->domain, ch.realm,
                                         x.status);
                else if (!(j = json_loadb(x.body ? x.body : "", x.len, 0, NULL)) ||
                         !((tok = json_string_value(json_object_get(j, "token"))) ||
                           (tok = json_string_value(json_object_get(j, "access_token")))))
                        ret = error_setx(ret_err, EBADMSG, "%s: token server %s: no token in its answer", r->domain,
                                         ch.realm);
                else if (asprintf(&hdr, "Authorization: Bearer %s", tok) < 0)
                        ret = error_set(ret_err, ENOMEM, "auth");
                resp_clear(&x);
                if (ret < 0)
                        goto out;
        }
        pthread_mutex_lock(&r->lock);
        free(r->auth);
        r->auth = TAKE_PTR(hdr);
        pthread_mutex_unlock(&r->lock);
out:
        registry_challenge_done(&ch);
        return ret;
}

static bool retryable_curl(CURLcode cc)
{
        switch (cc) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_COULDNT_RESOLVE_HOST: return true;
        default: return false;
        }
}

static void backoff(int attempt)
{
        struct timespec ts = { .tv_sec = 0, .tv_nsec = 250000000L };

        for (int i = 0; i < attempt && ts.tv_sec < 8; i++) {
                ts.tv_sec = ts.tv_sec * 2 + (ts.tv_nsec * 2) / 1000000000L;
                ts.tv_nsec = (ts.tv_nsec * 2) % 1000000000L;
        }
        nanosleep(&ts, NULL);
}

/* GET path under the registry's /v2/ with retries and auth, into x (body,
 * or x->w for a blob). Returns 0 with x->status set (any status the caller
 * must judge: 200, 404...), or -errno for a network failure. */
static int request(RegistryConn *c, const char *path, const char *accept, Resp *x, Error **ret_err)
{
        Registry *r = c->r;
        _cleanup_free_ char *url = NULL;
        bool auth_tried = false;
        int attempt = 0;

        for (;;) {
                struct curl_slist *hs = NULL;
                char range[64], errbuf[CURL_ERROR_SIZE] = "";
                void *udp[2] = { x, c->h };
                CURLcode cc;
                uint64_t before = x->w ? partial_size(x->w) : 0;

                resp_clear(x);
                x->start = before;
                free(url);
                pthread_mutex_lock(&r->lock);
                url = NULL;
                if (asprintf(&url, "%s/v2/%s", r->base, path) < 0)
                        url = NULL;
                pthread_mutex_unlock(&r->lock);
                if (!url)
                        return error_set(ret_err, ENOMEM, "url");
                curl_easy_reset(c->h);
                common_opts(c->h);
                tls_opts(r, c->h);
                curl_easy_setopt(c->h, CURLOPT_URL, url);
                curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, errbuf);
                curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, on_header);
                curl_easy_setopt(c->h, CURLOPT_HEADERDATA, x);
                curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
                curl_easy_setopt(c->h, CURLOPT_WRITEDATA, (void *)udp);
                if (accept)
                        hs = curl_slist_append(hs, accept);
                pthread_mutex_lock(&r->lock);
                if (r->auth)
                        hs = curl_slist_append(hs, r->auth);
                pthread_mutex_unlock(&r->lock);
                if (before > 0) {
                        snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)before);
                        hs = curl_slist_append(hs, range);
                }
                curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hs);
                cc = curl_easy_perform(c->h);
                curl_slist_free_all(hs);
                curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &x->status);
                if (x->werr == -ECANCELED)
                        return error_setx(ret_err, ECANCELED, "download cancelled");
                if (x->werr < 0)
                        return error_set(ret_err, -x->werr, "write blob");
                if (x->overflow)
                        return error_setx(ret_err, EFBIG, "%s: %s: answer too large", r->domain, path);
                if (x->w && partial_size(x->w) > before)
                        attempt = 0; /* progress: this is a new failure, not the same one again */
                if (cc != CURLE_OK && r->insecure && tls_unspoken(cc) && strncmp(url, "https:", 6) == 0) {
                        /* an insecure registry without TLS: plain http,
                         * for this request and every later one */
                        pthread_mutex_lock(&r->lock);
                        if (strncmp(r->base, "https://", 8) == 0)
                                memmove(r->base + 4, r->base + 5, strlen(r->base + 5) + 1);
                        pthread_mutex_unlock(&r->lock);
                        continue;
                }
                if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE)
                        return error_setx(ret_err, EACCES,
                                          "registry %s: %s (trust its CA in %s/%s/ca.crt, or name it with "
                                          "--insecure-registry)",
                                          r->domain, *errbuf ? errbuf : curl_easy_strerror(cc),
                                          getenv("HUSK_CERTS_D") && *getenv("HUSK_CERTS_D") ? getenv("HUSK_CERTS_D")
                                                                                            : "/etc/husk/certs.d",
                                          r->domain);
                if (cc != CURLE_OK) {
                        if (retryable_curl(cc) && ++attempt < MAX_ATTEMPTS) {
                                backoff(attempt);
                                continue;
                        }
                        return error_setx(ret_err, EHOSTUNREACH, "registry %s: %s", r->domain,
                                          *errbuf ? errbuf : curl_easy_strerror(cc));
                }
                if (x->status == 401 && !auth_tried) {
                        int k = authenticate(c, x->www_auth, ret_err);
                        if (k < 0)
                                return k;
                        auth_tried = true;
                        continue;
                }
                if ((x->status >= 500 || x->status == 429) && ++attempt < MAX_ATTEMPTS) {
                        backoff(attempt);
                        continue;
                }
                if (x->status == 416 && x->w && partial_size(x->w) > 0) {
                        /* our partial file is not a prefix the server knows: start over */
                        int k = partial_reset(x->w);
                        if (k < 0)
                                return error_set(ret_err, -k, "reset blob");
                        continue;
                }
                return 0;
        }
}

static int status_error(Registry *r, const Resp *x, const char *what, Error **ret_err)
{
        _cleanup_free_ char *m = error_body_message(x);

        if (x->status == 401 || x->status == 403)
                return error_setx(ret_err, EACCES, "%s: %s: %s", r->domain, what,
                                  m ? m : "unauthorized: authentication required");
        if (x->status == 404)
                return error_setx(ret_err, ENOENT, "%s", m ? m : "not found");
        return error_setx(ret_err, EPROTO, "registry %s: %s: HTTP %ld%s%s", r->domain, what, x->status, m ? ": " : "",
                          m ? m : "");
}

static void sha256_hex(const void *buf, size_t len, char out[72])
{
        unsigned char h[32];

        EVP_Digest(buf, len, h, NULL, EVP_sha256(), NULL);
        strcpy(out, "sha256:");
        for (int i = 0; i < 32; i++)
                snprintf(out + 7 + 2 * i, 3, "%02x", h[i]);
}

int registry_get_manifest(RegistryConn *c, const char *reference, char **ret_body, size_t *ret_len,
                          char **ret_media_type, char **ret_digest, Error **ret_err)
{
        Registry *r = c->r;
        _cleanup_free_ char *path = NULL, *mt = NULL, *dg = NULL;
        Resp x = { .max = MAX_MANIFEST };
        char got[72];
        int k;

        if (asprintf(&path, "%s/manifests/%s", r->repo, reference) < 0)
                return error_set(ret_err, ENOMEM, "url");
        k = request(c, path, MANIFEST_ACCEPT, &x, ret_err);
        if (k < 0)
                goto out;
        if (x.status != 200) {
                k = status_error(r, &x, "manifest", ret_err);
                goto out;
        }
        sha256_hex(x.body ? x.body : "", x.len, got);
        if (digest_is_valid(reference) && !streq(reference, got)) {
                k = error_setx(ret_err, EBADMSG, "manifest %s: content has digest %s (corrupted or tampered)",
                               reference, got);
                goto out;
        }
        if (x.dcd && strncmp(x.dcd, "sha256:", 7) == 0 && !streq(x.dcd, got)) {
                k = error_setx(ret_err, EBADMSG,
                               "manifest %s: content has digest %s, the registry says %s (corrupted or tampered)",
                               reference, got, x.dcd);
                goto out;
        }
        mt = x.ctype ? strndup(x.ctype, strcspn(x.ctype, "; ")) : strdup("");
        dg = strdup(got);
        if (!mt || !dg) {
                k = error_set(ret_err, ENOMEM, "manifest");
                goto out;
        }
        if (!x.body && !(x.body = strdup(""))) {
                k = error_set(ret_err, ENOMEM, "manifest");
                goto out;
        }
        *ret_body = TAKE_PTR(x.body);
        *ret_len = x.len;
        *ret_media_type = TAKE_PTR(mt);
        *ret_digest = TAKE_PTR(dg);
        k = 0;
out:
        resp_clear(&x);
        return k;
}

int registry_get_blob_mem(RegistryConn *c, const char *digest, char **ret_body, size_t *ret_len, Error **ret_err)
{
        Registry *r = c->r;
        _cleanup_free_ char *path = NULL;
        Resp x = { .max = MAX_SMALL };
        char got[72];
        int k;

        if (asprintf(&path, "%s/blobs/%s", r->repo, digest) < 0)
                return error_set(ret_err, ENOMEM, "url");
        k = request(c, path, NULL, &x, ret_err);
        if (k >= 0 && x.status != 200)
                k = status_error(r, &x, digest, ret_err);
        if (k >= 0) {
                sha256_hex(x.body ? x.body : "", x.len, got);
                if (!streq(got, digest))
                        k = error_setx(ret_err, EBADMSG, "blob %s: content has digest %s (corrupted or tampered)",
                                       digest, got);
        }
        if (k >= 0) {
                *ret_body = x.body ? TAKE_PTR(x.body) : strdup("");
                *ret_len = x.len;
        }
        resp_clear(&x);
        return k;
}

int registry_get_blob(RegistryConn *c, const char *digest, PartialBlob *w, RegistryProgressFn progress, void *userdata,
                      Error **ret_err)
{
        Registry *r = c->r;
        _cleanup_free_ char *path = NULL;
        Resp x = { .max = 1u << 16, .w = w, .progress = progress, .ud = userdata };
        int k;

        if (asprintf(&path, "%s/blobs/%s", r->repo, digest) < 0)
                return error_set(ret_err, ENOMEM, "url");
        k = request(c, path, NULL, &x, ret_err);
        if (k >= 0 && x.status != 200 && x.status != 206)
                k = status_error(r, &x, digest, ret_err);
        resp_clear(&x);
        return k;
}

int registry_ping(RegistryConn *c, Error **ret_err)
{
        Resp x = { .max = 1u << 16 };
        int k = request(c, "", NULL, &x, ret_err);

        if (k >= 0 && x.status != 200)
                k = x.status == 401 ? error_setx(ret_err, EACCES, "%s: unauthorized: incorrect username or password",
                                                 c->r->domain)
                                    : status_error(c->r, &x, "/v2/", ret_err);
        resp_clear(&x);
        return k;
}
