#!/usr/bin/env python3
"""Run a command on a new pty, as a user's terminal would.

ptyrun.py ROWS COLS INPUT COMMAND [ARG...]

The pty gets ROWS x COLS; INPUT (backslash escapes such as \\n and \\x10
decoded) is typed into it after half a second, in one write. Everything
the command writes to the terminal goes to stdout; the exit status is the
command's. Gives up after 60 seconds.
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def main() -> int:
    rows, cols = int(sys.argv[1]), int(sys.argv[2])
    data_in = sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
    signal.alarm(60)
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[4], sys.argv[4:])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    start = time.monotonic()
    sent = not data_in
    out = sys.stdout.buffer
    while True:
        r, _, _ = select.select([fd], [], [], 0.1)
        if not sent and time.monotonic() - start > 0.5:
            os.write(fd, data_in)
            sent = True
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out.write(chunk)
            out.flush()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8


if __name__ == "__main__":
    sys.exit(main())
