#include "sandbox/sync.h"

#include <string.h>
#include <sys/socket.h>

#include "lib/macros.h"
#include "lib/util.h"

int sync_send(int sock, SyncType type, int32_t value, const void *payload, size_t len, int fd)
{
        SyncMsg hdr = { .type = type, .value = value, .len = (uint32_t)len };
        struct iovec iov[2] = {
                { .iov_base = &hdr, .iov_len = sizeof(hdr) },
                { .iov_base = (void *)payload, .iov_len = len },
        };

        if (len > SYNC_PAYLOAD_MAX)
                return -EMSGSIZE;
        return send_fd_iov(sock, fd, iov, len ? 2 : 1);
}

int sync_send_error(int sock, const Error *err)
{
        char buf[SYNC_PAYLOAD_MAX];
        int n = error_encode(err, buf, sizeof(buf));

        if (n < 0)
                return n;
        return sync_send(sock, SYNC_ERROR, err ? err->code : EINVAL, buf, (size_t)n, -1);
}

static const char *sync_name(uint32_t t)
{
        static const char *names[] = {
                [SYNC_USERNS] = "userns",
                [SYNC_USERNS_ACK] = "userns-ack",
                [SYNC_PID] = "pid",
                [SYNC_STATE] = "state",
                [SYNC_CONSOLE] = "console",
                [SYNC_HOOKS] = "hooks",
                [SYNC_HOOKS_ACK] = "hooks-ack",
                [SYNC_READY] = "ready",
                [SYNC_ERROR] = "error",
                [SYNC_CGROUP] = "cgroup",
                [SYNC_CGROUP_TREE] = "cgroup-tree",
        };
        return t < ELEMENTSOF(names) && names[t] ? names[t] : "unknown";
}

int sync_recv(int sock, SyncMsg *ret_msg, char *payload, int *ret_fd, Error **ret_err)
{
        char buf[sizeof(SyncMsg) + SYNC_PAYLOAD_MAX];
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
        SyncMsg hdr;
        int fd = -EBADF, flags = 0;
        ssize_t n;

        n = recv_fd_iov(sock, &iov, 1, &fd, &flags);
        if (n < 0)
                return error_set(ret_err, (int)-n, "read from sync socket");
        if (n == 0)
                return error_setx(ret_err, ECONNRESET, "container init exited during setup");
        if ((size_t)n < sizeof(hdr) || (flags & MSG_TRUNC)) {
                safe_close(fd);
                return error_setx(ret_err, EPROTO, "malformed message on sync socket");
        }
        memcpy(&hdr, buf, sizeof(hdr));
        if (hdr.len != (size_t)n - sizeof(hdr)) {
                safe_close(fd);
                return error_setx(ret_err, EPROTO, "malformed message on sync socket");
        }
        if (hdr.type == SYNC_ERROR) {
                safe_close(fd);
                return error_decode(ret_err, buf + sizeof(hdr), hdr.len);
        }
        if (payload) {
                memcpy(payload, buf + sizeof(hdr), hdr.len);
                payload[hdr.len] = '\0';
        }
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        if (ret_msg)
                *ret_msg = hdr;
        return (int)hdr.type;
}

int sync_expect(int sock, SyncType type, SyncMsg *ret_msg, char *payload, int *ret_fd, Error **ret_err)
{
        SyncMsg m;
        int r;

        r = sync_recv(sock, &m, payload, ret_fd, ret_err);
        if (r < 0)
                return r;
        if (m.type != type) {
                if (ret_fd && *ret_fd >= 0)
                        *ret_fd = safe_close(*ret_fd);
                return error_setx(ret_err, EPROTO, "sync socket: expected %s, got %s", sync_name(type),
                                  sync_name(m.type));
        }
        if (ret_msg)
                *ret_msg = m;
        return 0;
}
