#!/usr/bin/env python3
"""proxy.py PORTFILE UPSTREAM_PORT LOG [RATE_BYTES_PER_S [FAIL_BLOBS]]

A plain HTTP proxy in front of a registry on 127.0.0.1 for pull.bats: it
forwards GETs (with their Range, Accept and Authorization headers), sends
blob bodies at most RATE bytes a second (0: as fast as it can), and logs
one line per request: "GET <path> range=<Range or -> status=<code>
bytes=<body bytes sent>", also when the client went away mid-body. The
first FAIL_BLOBS blob requests are answered 503 (a registry having a bad
moment). It
listens on a free port of 127.0.0.1 and writes it to PORTFILE."""
import http.client
import http.server
import sys
import time

portfile, upstream, logpath = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rate = int(sys.argv[4]) if len(sys.argv) > 4 else 0
fail_blobs = [int(sys.argv[5]) if len(sys.argv) > 5 else 0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if "/blobs/" in self.path and fail_blobs[0] > 0:
            fail_blobs[0] -= 1
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with open(logpath, "a") as f:
                f.write("GET %s range=%s status=503 bytes=0\n" % (self.path, self.headers.get("Range", "-")))
            return
        conn = http.client.HTTPConnection("127.0.0.1", upstream)
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("range", "accept", "authorization")}
        conn.request("GET", self.path, headers=headers)
        resp = conn.getresponse()
        sent = 0
        try:
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("connection", "transfer-encoding"):
                    self.send_header(k, v)
            self.end_headers()
            start = time.monotonic()
            while True:
                chunk = resp.read(16384)
                if not chunk:
                    break
                self.wfile.write(chunk)
                sent += len(chunk)
                if rate and "/blobs/" in self.path:
                    ahead = sent / rate - (time.monotonic() - start)
                    if ahead > 0:
                        time.sleep(ahead)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            with open(logpath, "a") as f:
                f.write("GET %s range=%s status=%d bytes=%d\n" % (
                    self.path, self.headers.get("Range", "-"), resp.status, sent))
            conn.close()


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
