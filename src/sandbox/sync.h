#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

/* The create <-> init handshake. A SOCK_SEQPACKET socketpair, so every
 * message arrives whole: a header and an optional payload (an encoded Error,
 * a state JSON) and at most one fd (the pty master).
 *
 *   init -> runtime   SYNC_USERNS      "write my id maps" (new user namespace)
 *   runtime -> init   SYNC_USERNS_ACK
 *   init -> runtime   SYNC_PID         the init exists (value: its host pid when
 *                                      an intermediate process spawned it)
 *   runtime -> init   SYNC_CGROUP      the cgroup is ready. Lines "T <file>":
 *                                      the v1 `tasks` files the init writes
 *                                      "0" to (none: the runtime moved it);
 *                                      "M <line>": the host's cgroup mounts
 *                                      (rootfs_describe_cgroup_mounts())
 *   runtime -> init   SYNC_CGROUP_TREE the cgroup mount, built (fd attached;
 *                                      none, value -errno: build your own),
 *                                      when InitConfig.cgroup_tree
 *   runtime -> init   SYNC_STATE       the OCI state JSON, for in-container
 *                                      hooks
 *   init -> runtime   SYNC_CONSOLE     the pty master (fd attached)
 *   init -> runtime   SYNC_HOOKS       "run prestart and createRuntime now"
 *                                      (only if the config has any)
 *   runtime -> init   SYNC_HOOKS_ACK
 *   init -> runtime   SYNC_READY       set up; blocked on exec.fifo until start
 *   either way        SYNC_ERROR       an encoded Error; the sender gives up
 */
typedef enum SyncType {
        SYNC_USERNS = 1,
        SYNC_USERNS_ACK,
        SYNC_PID,
        SYNC_STATE,
        SYNC_CONSOLE,
        SYNC_HOOKS,
        SYNC_HOOKS_ACK,
        SYNC_READY,
        SYNC_ERROR,
        SYNC_CGROUP,
        SYNC_CGROUP_TREE,
} SyncType;

#define SYNC_PAYLOAD_MAX 8192

typedef struct SyncMsg {
        uint32_t type;
        int32_t value;
        uint32_t len; /* payload bytes that follow in the same datagram */
} SyncMsg;

/* Send a message with optional payload and fd (-1 for none). */
int sync_send(int sock, SyncType type, int32_t value, const void *payload, size_t len, int fd);
/* Send an Error as SYNC_ERROR. */
int sync_send_error(int sock, const Error *err);

/* Receive one message. payload (may be NULL) receives up to SYNC_PAYLOAD_MAX
 * bytes, NUL-terminated (so buf must hold SYNC_PAYLOAD_MAX + 1). *ret_fd gets
 * an attached fd or -EBADF. A SYNC_ERROR message is turned into an error
 * return with *ret_err set from the peer's message. EOF is -ECONNRESET. */
int sync_recv(int sock, SyncMsg *ret_msg, char *payload, int *ret_fd, Error **ret_err);

/* Receive and insist on a type: anything else is an error ("expected X"). */
int sync_expect(int sock, SyncType type, SyncMsg *ret_msg, char *payload, int *ret_fd, Error **ret_err);
