#include "error.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int error_vset(Error **ret_err, int code, bool with_strerror, const char *fmt, va_list ap)
{
        char *msg = NULL;

        if (code < 0)
                code = -code;
        if (code == 0)
                code = EINVAL;
        if (!ret_err)
                return -code;

        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        if (msg && with_strerror) {
                char *full = NULL;
                if (asprintf(&full, "%s: %s", msg, strerror(code)) >= 0) {
                        free(msg);
                        msg = full;
                }
        }

        if (*ret_err) {
                free((*ret_err)->msg);
        } else {
                *ret_err = calloc(1, sizeof(Error));
                if (!*ret_err) {
                        free(msg);
                        return -code;
                }
        }
        (*ret_err)->code = code;
        (*ret_err)->msg = msg;
        return -code;
}

int error_set(Error **ret_err, int code, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_vset(ret_err, code, true, fmt, ap);
        va_end(ap);
        return r;
}

int error_setx(Error **ret_err, int code, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_vset(ret_err, code, false, fmt, ap);
        va_end(ap);
        return r;
}

int error_prefix(Error **ret_err, const char *fmt, ...)
{
        _cleanup_free_ char *prefix = NULL;
        char *full = NULL;
        va_list ap;

        if (!ret_err)
                return -EINVAL;
        if (!*ret_err)
                return error_setx(ret_err, EINVAL, "unknown error");

        va_start(ap, fmt);
        if (vasprintf(&prefix, fmt, ap) < 0)
                prefix = NULL;
        va_end(ap);
        if (!prefix)
                return -(*ret_err)->code;

        if (asprintf(&full, "%s: %s", prefix, (*ret_err)->msg ? (*ret_err)->msg : "") < 0)
                return -(*ret_err)->code;
        free((*ret_err)->msg);
        (*ret_err)->msg = full;
        return -(*ret_err)->code;
}

int error_code(const Error *err)
{
        return err ? -err->code : -EINVAL;
}

void error_free(Error *err)
{
        if (!err)
                return;
        free(err->msg);
        free(err);
}

/* Wire format: 4 bytes errno (host order), then the message, no NUL. */
int error_encode(const Error *err, char *buf, size_t size)
{
        int32_t code = err ? err->code : EINVAL;
        const char *msg = err && err->msg ? err->msg : "unknown error";
        size_t len = strlen(msg);

        if (size < sizeof(code))
                return -ENOBUFS;
        if (len > size - sizeof(code))
                len = size - sizeof(code);
        memcpy(buf, &code, sizeof(code));
        memcpy(buf + sizeof(code), msg, len);
        return (int)(sizeof(code) + len);
}

int error_decode(Error **ret_err, const char *buf, size_t len)
{
        int32_t code;

        if (len < sizeof(code))
                return error_setx(ret_err, EPROTO, "short error message from child");
        memcpy(&code, buf, sizeof(code));
        return error_setx(ret_err, code, "%.*s", (int)(len - sizeof(code)), buf + sizeof(code));
}
