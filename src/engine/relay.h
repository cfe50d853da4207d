#pragma once

/* The relay of one run of a container: its output (pipes, or the pty
 * master with -t) to the json-file log, the user's stdio when `husk run`
 * is itself the monitor, and the attach clients; what they type to the
 * container's stdin; until its init has exited and the output is drained.
 * One poll loop, no threads.
 *
 * libc only: the monitor runs it in-process (monitor.c) and so does
 * husk-supervise (supervise/husk-supervise.c), the small program a
 * detached monitor execs into while its container runs. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/attach-proto.h"
#include "engine/json-log.h"

#define RELAY_MAX_CLIENTS 16

typedef struct RelayClient {
        int fd;
        AttachBuf in;
} RelayClient;

typedef struct Relay {
        bool tty, open_stdin;
        /* the user's stdio when this process is `husk run`, else -1 */
        int user_in, user_out, user_err;
        bool user_in_eof;
        JsonLog log;
        int listen_fd; /* the attach socket, or -1 */
        RelayClient *clients[RELAY_MAX_CLIENTS];
        int sfd; /* a signalfd: SIGCHLD, and attached, what goes to the init */
        /* the current run */
        pid_t pid;
        int out, err; /* pipes' read ends; with -t out is the console, err -1 */
        int stdin_w;  /* -i without -t: the container's stdin pipe */
        int console;  /* -t: the pty master */
        /* what is on its way to the container's stdin: written as the
         * container reads it (never blocking the relay, which must go on
         * reading the container's output); the user's stdin and the
         * attach clients are not read while it is full */
        uint8_t *in_buf;
        size_t in_len;
        bool in_eof; /* close the stdin once in_buf is written */
} Relay;

/* A Relay with no fds. */
#define RELAY_INIT                                                                                              \
        (Relay)                                                                                                 \
        {                                                                                                       \
                .user_in = -1, .user_out = -1, .user_err = -1, .log = { .fd = -1 }, .listen_fd = -1, .sfd = -1, \
                .out = -1, .err = -1, .stdin_w = -1, .console = -1                                              \
        }

/* Take fd as an attach client (closed when there is no room). */
void relay_client_add(Relay *r, int fd);
void relay_client_drop(Relay *r, size_t i);
/* One frame to every client; those that do not take it are dropped. */
void relay_clients_send(Relay *r, uint8_t type, const void *data, size_t len);
/* Take the connections waiting on listen_fd. */
void relay_accept(Relay *r);
/* Relay until the init (r->pid, our child) has exited and its output is
 * drained: the output stops mattering 200 ms after the exit, since
 * whoever still holds a pipe (a daemon outside the container's pid
 * namespace) does not keep the container running. Closes out, err,
 * console and stdin_w; returns the init's wait status. */
int relay_run(Relay *r);
/* The exit code of a wait status, as Docker reports it. */
int relay_exit_code(int status);
