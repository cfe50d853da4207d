#include "lib/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

static int log_fd = -1;
static bool log_json;
static bool log_debug_on;

int log_open(const char *path, bool json, bool debug)
{
        log_json = json;
        log_debug_on = debug;
        if (path && *path) {
                int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (fd < 0)
                        return -errno;
                if (log_fd >= 0)
                        close(log_fd);
                log_fd = fd;
        }
        return 0;
}

void log_close(void)
{
        if (log_fd >= 0)
                close(log_fd);
        log_fd = -1;
}

bool log_to_file(void)
{
        return log_fd >= 0;
}

static void json_escape(FILE *f, const char *s)
{
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c == '\t')
                        fputs("\\t", f);
                else if (c < 0x20)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
}

void log_msg(LogLevel level, const char *fmt, ...)
{
        static const char *names[] = { "error", "warning", "info", "debug" };
        _cleanup_free_ char *msg = NULL, *line = NULL, *ts = NULL;
        size_t len = 0;
        FILE *f;
        va_list ap;

        if (level == LOG_LEVEL_DEBUG && !log_debug_on)
                return;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                return;

        if (log_fd < 0) {
                /* stderr, text: the way a user reads it */
                fprintf(stderr, "husk-runtime: %s%s\n", level == LOG_LEVEL_ERROR ? "" : "", msg);
                return;
        }

        f = open_memstream(&line, &len);
        if (!f)
                return;
        ts = now_rfc3339();
        if (log_json) {
                fprintf(f, "{\"level\":\"%s\",\"msg\":\"", names[level]);
                json_escape(f, msg);
                fprintf(f, "\",\"time\":\"%s\"}\n", ts ? ts : "");
        } else {
                fprintf(f, "time=\"%s\" level=%s msg=\"", ts ? ts : "", names[level]);
                json_escape(f, msg);
                fputs("\"\n", f);
        }
        fclose(f);
        if (line)
                (void)write_all(log_fd, line, len);
}
