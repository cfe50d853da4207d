#!/usr/bin/env python3
"""Receive a container's pty master over an OCI --console-socket.

recvtty.py SOCKET OUTPUT [INPUT]

Listens on the unix socket SOCKET, accepts one connection, receives the pty
master the runtime sends with SCM_RIGHTS, writes INPUT (if given, with
backslash escapes such as \\n decoded) to it, and copies everything read from
it to OUTPUT until the container side closes (EIO). The message that came with
the fd is written to OUTPUT.msg. Gives up after 60 seconds.
"""
import errno
import os
import signal
import socket
import sys


def main() -> int:
    sock_path, out_path = sys.argv[1], sys.argv[2]
    data_in = None
    if len(sys.argv) > 3:
        data_in = sys.argv[3].encode().decode("unicode_escape").encode()
    signal.alarm(60)

    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path + ".tmp")
    srv.listen(1)
    # Appear under the final name only once listening: no connect() race.
    os.rename(sock_path + ".tmp", sock_path)

    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 4096, 4)
    conn.close()
    srv.close()
    with open(out_path + ".msg", "wb") as f:
        f.write(msg)
    if not fds:
        print("recvtty: no fd received", file=sys.stderr)
        return 1
    master = fds[0]
    for extra in fds[1:]:
        os.close(extra)
    if data_in:
        os.write(master, data_in)
    with open(out_path, "wb") as out:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError as e:
                if e.errno == errno.EIO:
                    break
                raise
            if not chunk:
                break
            out.write(chunk)
            out.flush()
    os.close(master)
    return 0


if __name__ == "__main__":
    sys.exit(main())
