#pragma once

/* Docker's json-file log driver: one JSON object a line,
 * {"log":"...","stream":"stdout","time":"<RFC 3339, nanoseconds>"},
 * rotated past max-size into <path>.1 ... <path>.<max-file - 1>.
 *
 * libc only, no JSON library: the monitor writes it in-process and so does
 * husk-supervise (supervise/husk-supervise.c), which is built to be small.
 * The output is byte for byte what jansson's json_dumps(JSON_COMPACT)
 * gives (tests/unit/engine/test-json-log.c checks it against jansson). */
#include <stddef.h>
#include <stdint.h>

typedef struct JsonLog {
        int fd;            /* O_APPEND; < 0: --log-driver none */
        const char *path;  /* not owned; rotation reopens it */
        uint64_t size;     /* bytes in the current file */
        uint64_t max_size; /* 0: no rotation */
        int max_file;      /* >= 1: files kept, the current one included */
} JsonLog;

/* One entry, '\n'-terminated, malloc'd (*ret_len: its length), or NULL on
 * ENOMEM. `data` that is not UTF-8 keeps its ASCII bytes, the others (and
 * NULs) become '?'. */
char *json_log_line(const char *stream, const char *data, size_t len, const char *time, size_t *ret_len);
/* Append one entry stamped now, rotating first when it would take the
 * file past max_size. Errors are dropped: a full disk must not stop the
 * container's output from reaching the attached. */
void json_log_entry(JsonLog *l, const char *stream, const char *data, size_t len);
