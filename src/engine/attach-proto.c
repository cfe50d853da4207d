/* The attach protocol's frames, shared by the monitor, husk-supervise and
 * the clients. libc only (attach-proto.h). */
#include "engine/attach-proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_full(int fd, const void *buf, size_t len)
{
        const uint8_t *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int attach_send(int fd, uint8_t type, const void *data, size_t len)
{
        const uint8_t *p = data;

        do {
                size_t k = len > ATTACH_FRAME_MAX ? ATTACH_FRAME_MAX : len;
                uint8_t h[5] = { type, 0, 0, (uint8_t)(k >> 8), (uint8_t)k };
                int r = write_full(fd, h, sizeof(h));

                if (r >= 0 && k)
                        r = write_full(fd, p, k);
                if (r < 0)
                        return r;
                p += k;
                len -= k;
        } while (len);
        return 0;
}

ssize_t attach_fill(int fd, AttachBuf *b)
{
        ssize_t n;

        if (b->len == sizeof(b->data))
                return -EMSGSIZE;
        do
                n = read(fd, b->data + b->len, sizeof(b->data) - b->len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? 1 : -errno;
        b->len += (size_t)n;
        return n;
}

int attach_next(const AttachBuf *b, uint8_t *ret_type, const uint8_t **ret_data, uint32_t *ret_len)
{
        uint32_t len;

        if (b->len < 5)
                return 0;
        len = (uint32_t)b->data[1] << 24 | (uint32_t)b->data[2] << 16 | (uint32_t)b->data[3] << 8 | b->data[4];
        if (len > ATTACH_FRAME_MAX || b->len < 5 + (size_t)len)
                return 0;
        *ret_type = b->data[0];
        *ret_data = b->data + 5;
        *ret_len = len;
        return 1;
}

void attach_consume(AttachBuf *b, uint32_t len)
{
        memmove(b->data, b->data + 5 + len, b->len - 5 - len);
        b->len -= 5 + (size_t)len;
}

int attach_socket_path(int mon_dir_fd, const char *id, char ret[static 108])
{
        int n = snprintf(ret, 108, "/proc/self/fd/%d/%s.sock", mon_dir_fd, id);

        return n > 0 && n < 108 ? 0 : -ENAMETOOLONG;
}
