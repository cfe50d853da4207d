#pragma once

/* A gzip stream decompressor over an fd, faster than libarchive's zlib
 * filter where the build has one (Intel's ISA-L: gunzip-isal.c, about
 * twice zlib's speed on a layer here); gunzip-fallback.c says "not
 * supported" and the caller keeps libarchive's. Concatenated members are
 * one stream, as Go's gzip reader (Docker's) reads them; anything after
 * the last member that is not another member is an error. */
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

typedef struct Gunzip Gunzip;

/* A decompressor reading `fd` from its current offset. -EOPNOTSUPP when
 * this build has no fast decompressor; *ret freed with gunzip_free. */
int gunzip_new(int fd, Gunzip **ret, Error **ret_err);
/* Up to `size` decompressed bytes into `buf`: the count, 0 at the end of
 * the stream, or -errno with ret_err set (a corrupt stream is -EBADMSG). */
ssize_t gunzip_read(Gunzip *g, void *buf, size_t size, Error **ret_err);
void gunzip_free(Gunzip *g);
