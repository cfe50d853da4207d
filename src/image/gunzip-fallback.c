/* No fast gzip decompressor in this build: unpack.c uses libarchive's. */
#include "image/gunzip.h"

#include <errno.h>

int gunzip_new(int fd, Gunzip **ret, Error **ret_err)
{
        return -EOPNOTSUPP;
}

ssize_t gunzip_read(Gunzip *g, void *buf, size_t size, Error **ret_err)
{
        return error_setx(ret_err, EOPNOTSUPP, "gunzip");
}

void gunzip_free(Gunzip *g)
{
}
