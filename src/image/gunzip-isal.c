/* gzip with ISA-L's igzip inflate (see gunzip.h). It checks each member's
 * header, CRC32 and length itself (crc_flag ISAL_GZIP). */
#include "image/gunzip.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macros.h"

#define IN_BUF (256u << 10)

struct Gunzip {
        int fd;
        bool eof;  /* of the fd */
        bool done; /* of the stream */
        struct inflate_state st;
        uint8_t in[IN_BUF];
};

int gunzip_new(int fd, Gunzip **ret, Error **ret_err)
{
        Gunzip *g = malloc(sizeof(*g));

        if (!g)
                return error_set(ret_err, ENOMEM, "gunzip");
        g->fd = fd;
        g->eof = g->done = false;
        isal_inflate_init(&g->st);
        g->st.crc_flag = ISAL_GZIP;
        g->st.next_in = g->in;
        g->st.avail_in = 0;
        *ret = g;
        return 0;
}

/* More compressed bytes behind what is left: false at the fd's end. */
static int fill(Gunzip *g, Error **ret_err)
{
        ssize_t n;

        if (g->eof)
                return 0;
        if (g->st.avail_in > 0)
                memmove(g->in, g->st.next_in, g->st.avail_in);
        g->st.next_in = g->in;
        do
                n = read(g->fd, g->in + g->st.avail_in, IN_BUF - g->st.avail_in);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return error_set(ret_err, errno, "read layer");
        if (n == 0)
                g->eof = true;
        g->st.avail_in += (uint32_t)n;
        return n > 0;
}

/* A member has ended: another one follows, or the stream ends. */
static int next_member(Gunzip *g, Error **ret_err)
{
        int r;

        while (g->st.avail_in < 2) {
                r = fill(g, ret_err);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
        }
        if (g->st.avail_in == 0) {
                g->done = true;
                return 0;
        }
        if (g->st.avail_in < 2 || g->st.next_in[0] != 0x1f || g->st.next_in[1] != 0x8b)
                return error_setx(ret_err, EBADMSG, "decompress: data after the end of the gzip stream");
        {
                uint8_t *next = g->st.next_in;
                uint32_t avail = g->st.avail_in;
                isal_inflate_reset(&g->st);
                g->st.crc_flag = ISAL_GZIP;
                g->st.next_in = next;
                g->st.avail_in = avail;
        }
        return 1;
}

ssize_t gunzip_read(Gunzip *g, void *buf, size_t size, Error **ret_err)
{
        if (size > UINT32_MAX)
                size = UINT32_MAX;
        while (!g->done) {
                uint32_t in_before;
                int r;

                if (g->st.block_state == ISAL_BLOCK_FINISH) {
                        r = next_member(g, ret_err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (g->st.avail_in == 0) {
                        r = fill(g, ret_err);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                return error_setx(ret_err, EBADMSG, "decompress: gzip stream truncated");
                }
                g->st.next_out = buf;
                g->st.avail_out = (uint32_t)size;
                in_before = g->st.avail_in;
                r = isal_inflate(&g->st);
                if (r == ISAL_END_INPUT) {
                        /* in a member's header: it needs more than there is
                         * (taken whole, or the stream is not gzip) */
                        if (g->st.avail_in > 0 && g->st.avail_in == in_before)
                                return error_setx(ret_err, EBADMSG, "decompress: corrupt gzip header");
                        continue;
                }
                if (r == ISAL_INCORRECT_CHECKSUM)
                        return error_setx(ret_err, EBADMSG, "decompress: gzip checksum mismatch");
                if (r != ISAL_DECOMP_OK)
                        return error_setx(ret_err, EBADMSG, "decompress: corrupt gzip data (igzip error %d)", r);
                if (g->st.avail_out < size)
                        return (ssize_t)(size - g->st.avail_out);
        }
        return 0;
}

void gunzip_free(Gunzip *g)
{
        free(g);
}
