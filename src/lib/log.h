#pragma once

#include <stdbool.h>

#include "lib/macros.h"

/* Logging for the binaries. Library code does not log: it returns errors.
 * The runtime CLI logs to --log FILE in text or JSON (runc's shape:
 * {"level":"error","msg":"...","time":"..."}), which podman and containerd
 * read the last error line of. */

typedef enum LogLevel { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG } LogLevel;

/* Configure: path NULL means stderr. json selects the JSON line format.
 * Returns 0 or -errno (the file could not be opened). */
int log_open(const char *path, bool json, bool debug);
void log_close(void);

void log_msg(LogLevel level, const char *fmt, ...) _printf_(2, 3);
#define log_error(...)   log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* Whether the error line also goes to stderr (when a log file is set, runc
 * writes the error to both). */
bool log_to_file(void);
