#include "runtime/console.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lib/util.h"

int console_send(const char *socket_path, int master, Error **ret_err)
{
        _cleanup_close_ int s = -EBADF;
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int r;

        if (strlen(socket_path) >= sizeof(addr.sun_path))
                return error_setx(ret_err, ENAMETOOLONG, "console socket path %s is too long", socket_path);
        strcpy(addr.sun_path, socket_path);
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return error_set(ret_err, errno, "socket");
        if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_set(ret_err, errno, "connect to console socket %s", socket_path);
        /* runc sends the pty's name as the payload; clients ignore it. */
        r = send_fd(s, master, "/dev/ptmx", 9);
        if (r < 0)
                return error_set(ret_err, -r, "send console to %s", socket_path);
        return 0;
}
