#!/usr/bin/env python3
"""A seccomp notify listener for the OCI linux.seccomp.listenerPath.

seccomp-listener.py SOCKET OUTPUT

Listens on the unix socket SOCKET, accepts one connection, receives the
seccomp notify fd (SCM_RIGHTS) and the containerProcessState JSON, writes the
JSON to OUTPUT and "fds=N" to OUTPUT.fds, then closes the fd: from then on the
container's notified syscalls fail with ENOSYS. Gives up after 60 seconds.
"""
import os
import signal
import socket
import sys


def main() -> int:
    sock_path, out_path = sys.argv[1], sys.argv[2]
    signal.alarm(60)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path + ".tmp")
    srv.listen(1)
    os.rename(sock_path + ".tmp", sock_path)
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 65536, 4)
    while True:
        more = conn.recv(65536)
        if not more:
            break
        msg += more
    with open(out_path + ".tmp", "wb") as f:
        f.write(msg)
    with open(out_path + ".fds", "w") as f:
        f.write("fds=%d\n" % len(fds))
    os.rename(out_path + ".tmp", out_path)
    for fd in fds:
        os.close(fd)
    conn.close()
    srv.close()
    os.unlink(sock_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
