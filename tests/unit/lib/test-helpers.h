#pragma once

/* Small helpers shared by the lib unit tests: temporary directories that
 * are removed (recursively, never following symlinks) in teardown. */

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline int test_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag == FTW_DP)
                (void)rmdir(path);
        else
                (void)unlink(path);
        return 0;
}

/* rm -rf, staying on this file system and never following symlinks. */
static inline void test_rm_rf(const char *path)
{
        if (path)
                nftw(path, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* A fresh directory under $TMPDIR or /tmp; malloc'd path. */
static inline char *test_mkdtemp(void)
{
        const char *t = getenv("TMPDIR");
        char *p = NULL;

        if (asprintf(&p, "%s/husk-test-XXXXXX", t && *t ? t : "/tmp") < 0)
                return NULL;
        if (!mkdtemp(p)) {
                free(p);
                return NULL;
        }
        return p;
}

static inline int test_write(const char *dir, const char *name, const char *content)
{
        char *path = NULL;
        int fd, r = 0;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -1;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        free(path);
        if (fd < 0)
                return -1;
        if (content && write(fd, content, strlen(content)) != (ssize_t)strlen(content))
                r = -1;
        close(fd);
        return r;
}
