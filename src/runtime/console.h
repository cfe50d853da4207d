#pragma once

#include "lib/error.h"

/* Hand a pty master to a client's --console-socket (runc's protocol: one
 * SCM_RIGHTS message on a SOCK_STREAM unix socket). */
int console_send(const char *socket_path, int master, Error **ret_err);
