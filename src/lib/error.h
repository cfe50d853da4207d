#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

/* The one error object of husk: an errno and a message that reads like a
 * sentence, built from the innermost failure outwards:
 *
 *     create web: bind mount /srv on /data: open_tree /srv: No such file or directory
 *
 * A function that fails records what it attempted with error_set() (which
 * appends strerror(code) when code names an errno), and each caller on the way
 * up may add context with error_prefix(). Only cli/ prints it. */
typedef struct Error {
        int code;  /* positive errno */
        char *msg; /* full message, owned */
} Error;

/* Record a new error in *ret_err (which must be NULL or an earlier error,
 * which is replaced). `code` is an errno (sign ignored; 0 means EINVAL).
 * The message is fmt followed by ": strerror(code)" unless `code` is given
 * as the negative of ERROR_NO_STRERROR-tagged value via error_setx().
 * ret_err may be NULL. Returns -code, so `return error_set(...)` works. */
int error_set(Error **ret_err, int code, const char *fmt, ...) _printf_(3, 4);

/* Like error_set() but without the strerror suffix: for errors that are not
 * a failing syscall (a bad config field, a missing argument). */
int error_setx(Error **ret_err, int code, const char *fmt, ...) _printf_(3, 4);

/* Prepend "fmt: " to the message in *ret_err. If there is no error recorded,
 * records one with EINVAL. Returns -code. */
int error_prefix(Error **ret_err, const char *fmt, ...) _printf_(2, 3);

/* The errno of err, negative, or -EINVAL when err is NULL. */
int error_code(const Error *err);

void error_free(Error *err);
static inline void error_freep(Error **e)
{
        error_free(*e);
        *e = NULL;
}
#define _cleanup_error_ _cleanup_(error_freep)

/* Call a function whose error nobody reads: it is given an error slot
 * (`&ign_`) all the same, as the callee expects. */
#define ERROR_IGNORE(call)                          \
        do {                                        \
                _cleanup_error_ Error *ign_ = NULL; \
                (void)(call);                       \
        } while (0)

/* Serialise an error for the sync socket and back: a child reports
 * {errno, message} to its parent and _exit()s. */
int error_encode(const Error *err, char *buf, size_t size);
int error_decode(Error **ret_err, const char *buf, size_t len);
