/* The json-file log (json-log.h). */
#include "engine/json-log.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/macros.h"

/* The length of the UTF-8 sequence at s (at most n bytes), 0 when it is
 * not one: the rules of jansson's utf8_check_full (no overlong forms, no
 * surrogates, nothing past U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *ret_cp)
{
        size_t k;
        uint32_t cp;

        if (s[0] < 0x80) {
                *ret_cp = s[0];
                return 1;
        }
        if (s[0] >= 0xC2 && s[0] <= 0xDF) {
                k = 2;
                cp = s[0] & 0x1F;
        } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
                k = 3;
                cp = s[0] & 0x0F;
        } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
                k = 4;
                cp = s[0] & 0x07;
        } else {
                return 0;
        }
        if (k > n)
                return 0;
        for (size_t i = 1; i < k; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3F);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000))
                return 0;
        *ret_cp = cp;
        return k;
}

static bool utf8_valid(const char *data, size_t len)
{
        uint32_t cp;

        for (size_t i = 0, k; i < len; i += k) {
                k = utf8_seq((const unsigned char *)data + i, len - i, &cp);
                if (k == 0)
                        return false;
        }
        return true;
}

/* data as a JSON string's contents at p, escaped as jansson escapes:
 * '"', '\\', the short forms of \b \f \n \r \t, \u00XX for the other
 * controls; everything else as it is. p must hold 6 * len bytes. */
static char *escape(char *p, const char *data, size_t len, bool utf8)
{
        static const char hex[] = "0123456789ABCDEF";

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)data[i];

                if (!utf8 && (c >= 0x80 || c == 0))
                        c = '?';
                switch (c) {
                case '"': p = stpcpy(p, "\\\""); break;
                case '\\': p = stpcpy(p, "\\\\"); break;
                case '\b': p = stpcpy(p, "\\b"); break;
                case '\f': p = stpcpy(p, "\\f"); break;
                case '\n': p = stpcpy(p, "\\n"); break;
                case '\r': p = stpcpy(p, "\\r"); break;
                case '\t': p = stpcpy(p, "\\t"); break;
                default:
                        if (c < 0x20) {
                                p = stpcpy(p, "\\u00");
                                *p++ = hex[c >> 4];
                                *p++ = hex[c & 0xF];
                        } else {
                                *p++ = (char)c;
                        }
                }
        }
        return p;
}

char *json_log_line(const char *stream, const char *data, size_t len, const char *time, size_t *ret_len)
{
        size_t cap;
        char *line, *p;

        /* the escaped log at most 6 bytes a byte, plus the rest */
        if (len > (SIZE_MAX - 64 - strlen(stream) - strlen(time)) / 6)
                return NULL;
        cap = 6 * len + 64 + strlen(stream) + strlen(time);
        line = malloc(cap);
        if (!line)
                return NULL;
        p = stpcpy(line, "{\"log\":\"");
        p = escape(p, data, len, utf8_valid(data, len));
        p = stpcpy(p, "\",\"stream\":\"");
        p = escape(p, stream, strlen(stream), true);
        p = stpcpy(p, "\",\"time\":\"");
        p = escape(p, time, strlen(time), true);
        p = stpcpy(p, "\"}\n");
        *ret_len = (size_t)(p - line);
        return line;
}

/* Move <path> to .1, .1 to .2, ... (dropping the last) and start a new
 * one, as Docker's json-file does past max-size; with max-file 1, empty
 * the one file. */
static void json_log_rotate(JsonLog *l)
{
        int n = l->max_file;

        if (n > 1) {
                for (int i = n - 1; i > 0; i--) {
                        _cleanup_free_ char *from = NULL, *to = NULL;
                        if (i == 1)
                                from = strdup(l->path);
                        else if (asprintf(&from, "%s.%d", l->path, i - 1) < 0)
                                from = NULL;
                        if (asprintf(&to, "%s.%d", l->path, i) < 0)
                                to = NULL;
                        if (from && to)
                                (void)rename(from, to);
                }
                safe_close(l->fd);
                l->fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
        } else if (ftruncate(l->fd, 0) < 0) {
                return;
        }
        l->size = 0;
}

void json_log_entry(JsonLog *l, const char *stream, const char *data, size_t len)
{
        _cleanup_free_ char *line = NULL;
        struct timespec ts;
        struct tm tm;
        char now[64] = "";
        size_t n;

        if (l->fd < 0)
                return;
        clock_gettime(CLOCK_REALTIME, &ts);
        if (gmtime_r(&ts.tv_sec, &tm)) {
                size_t k = strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%S", &tm);
                snprintf(now + k, sizeof(now) - k, ".%09ldZ", (long)ts.tv_nsec);
        }
        line = json_log_line(stream, data, len, now, &n);
        if (!line)
                return;
        if (l->max_size && l->size > 0 && l->size + n > l->max_size)
                json_log_rotate(l);
        if (l->fd < 0)
                return;
        for (size_t done = 0; done < n;) {
                ssize_t k = write(l->fd, line + done, n - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return;
                done += (size_t)k;
        }
        l->size += n;
}
