/* Small helpers of the cgroup layer: reading and writing cgroup files
 * (one write() per value: the kernel takes one value per write), keyed
 * files, errors, sleeping. */
#include "cgroup/cgroup-internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/macros.h"
#include "lib/path.h"
#include "lib/util.h"

void cgroup_sleep_us(unsigned long us)
{
        struct timespec ts = { .tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000 };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

uint64_t cgroup_now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int (*cgroup_write_hook)(const char *dir, const char *file, const char *value);

int cgroup_write(const char *dir, const char *file, const char *value, Error **ret_err)
{
        CgroupFile f = CGROUP_FILE(dir, file);
        int r = cgroup_file_write(&f, value, ret_err);

        cgroup_file_close(&f);
        return r;
}

int cgroup_file_write(CgroupFile *f, const char *value, Error **ret_err)
{
        size_t len = strlen(value);
        ssize_t n;

        if (cgroup_write_hook) {
                int r = cgroup_write_hook(f->dir, f->file, value);
                return r < 0 ? error_set(ret_err, -r, "write %s = %s", f->file, value) : 0;
        }
        if (f->fd < 0) {
                /* One open of the whole path: a container's setup writes a
                 * couple of dozen of these. */
                char path[PATH_MAX];

                if ((size_t)snprintf(path, sizeof(path), "%s/%s", f->dir, f->file) >= sizeof(path))
                        return error_setx(ret_err, ENAMETOOLONG, "write %s/%s: path too long", f->dir, f->file);
                f->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (f->fd < 0)
                        return error_set(ret_err, errno, "write %s = %s", path, value);
        }
        n = write(f->fd, value, len);
        if (n < 0 || (size_t)n != len)
                return error_set(ret_err, n < 0 ? errno : EIO, "write %s/%s = %s", f->dir, f->file, value);
        return 0;
}

void cgroup_file_close(CgroupFile *f)
{
        if (f->fd >= 0)
                close(f->fd);
        f->fd = -1;
}

int cgroup_writef(const char *dir, const char *file, Error **ret_err, const char *fmt, ...)
{
        _cleanup_free_ char *value = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&value, fmt, ap);
        va_end(ap);
        if (r < 0) {
                value = NULL;
                return error_set(ret_err, ENOMEM, "write %s", file);
        }
        return cgroup_write(dir, file, value, ret_err);
}

int cgroup_read(const char *dir, const char *file, char **ret)
{
        _cleanup_free_ char *p = path_join(dir, file);
        char *buf = NULL;
        size_t len;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_full_file(p, &buf, &len, NULL);
        if (r < 0)
                return r;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
                buf[--len] = '\0';
        *ret = buf;
        return 0;
}

int cgroup_read_u64(const char *dir, const char *file, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = cgroup_read(dir, file, &s);

        if (r < 0)
                return r;
        if (streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        return parse_u64(s, ret);
}

bool cgroup_file_exists(const char *dir, const char *file)
{
        _cleanup_free_ char *p = path_join(dir, file);

        return p && access(p, F_OK) == 0;
}

int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        size_t kl = strlen(key);
        int r = cgroup_read(dir, file, &s);

        if (r < 0)
                return r;
        for (char *line = s; line && *line;) {
                char *nl = strchr(line, '\n');

                if (nl)
                        *nl = '\0';
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
                        if (streq(line + kl + 1, "max")) {
                                *ret = UINT64_MAX;
                                return 0;
                        }
                        return parse_u64(line + kl + 1, ret);
                }
                line = nl ? nl + 1 : NULL;
        }
        return -ENOENT;
}

bool cgroup_v2_has_controller(const char *dir, const char *ctrl)
{
        _cleanup_free_ char *s = NULL;
        char *save = NULL;

        if (cgroup_read(dir, "cgroup.controllers", &s) < 0)
                return false;
        for (char *t = strtok_r(s, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
                if (streq(t, ctrl))
                        return true;
        return false;
}

int cgroup_prefix(int r, Error **ret_err, const char *fmt, ...)
{
        _cleanup_free_ char *prefix = NULL;
        va_list ap;
        int q;

        if (!ret_err)
                return r < 0 ? r : -EINVAL;
        va_start(ap, fmt);
        q = vasprintf(&prefix, fmt, ap);
        va_end(ap);
        if (q < 0) {
                prefix = NULL;
                return r < 0 ? r : error_code(*ret_err);
        }
        q = error_prefix(ret_err, "%s", prefix);
        return r < 0 ? r : q;
}

int cgroup_error_take(Error **ret_err, Error **src)
{
        int code = *src ? (*src)->code : EINVAL;

        if (ret_err) {
                error_free(*ret_err);
                *ret_err = *src;
        } else {
                error_free(*src);
        }
        *src = NULL;
        return -code;
}
