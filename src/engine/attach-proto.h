#pragma once

/* The attach protocol between the monitor and its clients, over a unix
 * stream socket: frames of a 1-byte type, a 4-byte big-endian length and
 * the payload. libc only: husk-supervise (supervise/husk-supervise.c),
 * which may be built against another libc, speaks it too. */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
        ATTACH_STDIN = 0,       /* client -> monitor: bytes for the container's stdin */
        ATTACH_STDOUT = 1,      /* monitor -> client */
        ATTACH_STDERR = 2,      /* monitor -> client */
        ATTACH_EXIT = 3,        /* monitor -> client: 4-byte exit code, then close */
        ATTACH_CLOSE_STDIN = 4, /* client -> monitor: EOF on its stdin */
        ATTACH_RESIZE = 5,      /* client -> monitor: rows, cols (2 bytes each) */
        ATTACH_SIGNAL = 6,      /* client -> monitor: 4-byte signal for the init */
};
#define ATTACH_FRAME_MAX 32768

typedef struct AttachBuf {
        uint8_t data[ATTACH_FRAME_MAX + 5];
        size_t len;
} AttachBuf;

/* Send one frame; -errno. */
int attach_send(int fd, uint8_t type, const void *data, size_t len);
/* Read what fd has into b: 0 at EOF, > 0 read, -errno. */
ssize_t attach_fill(int fd, AttachBuf *b);
/* The next whole frame in b (1) or none yet (0); *ret_data points into b
 * until attach_consume(). */
int attach_next(const AttachBuf *b, uint8_t *ret_type, const uint8_t **ret_data, uint32_t *ret_len);
void attach_consume(AttachBuf *b, uint32_t len);
/* The monitor's socket path: /proc/self/fd/<dirfd>/<id>.sock, relative to
 * an O_PATH fd of the monitors dir (no sun_path length limit on the state
 * root). ret must hold 108 bytes. */
int attach_socket_path(int mon_dir_fd, const char *id, char ret[static 108]);
