#pragma once

#include <stdint.h>
#include <time.h>

#include "image/store.h"
#include "lib/error.h"

/* Resumable blob downloads: <store root>/partial/<hex>, one file per blob
 * being fetched, kept across runs so that an interrupted pull resumes
 * where it stopped. The content is hashed as it is written (what a file
 * held already is hashed when it is opened), and it enters a txn's staging
 * only when its sha256 is the digest that names it; a file whose content
 * turns out wrong is deleted, so the next pull starts it afresh. Each file
 * is flock'ed by its writer: two pulls of one blob take turns. */

typedef struct PartialBlob PartialBlob;

/* Open (creating) the partial file of `digest` in s, waiting for another
 * writer to finish with it. Returns 0 or -errno. */
int partial_open(Store *s, const char *digest, PartialBlob **ret, Error **ret_err);
void partial_free(PartialBlob *p);
static inline void partial_freep(PartialBlob **p)
{
        partial_free(*p);
}
#define _cleanup_partial_ _cleanup_(partial_freep)

/* Remove partial files nobody is writing that were last written more
 * than max_age seconds ago (pulls given up on). Best effort. */
void partial_sweep(Store *s, time_t max_age);

/* Bytes held so far. */
uint64_t partial_size(const PartialBlob *p);
/* Append; 0 or -errno. */
int partial_write(PartialBlob *p, const void *buf, size_t len);
/* Drop what is held (the server did not honour Range). 0 or -errno. */
int partial_reset(PartialBlob *p);
/* Check the content against the digest: on a match the file becomes a
 * staged blob of t; otherwise it is deleted and -EBADMSG returned with an
 * error naming both digests. p is spent either way (free it still). */
int partial_commit(PartialBlob *p, StoreTxn *t, Error **ret_err);
