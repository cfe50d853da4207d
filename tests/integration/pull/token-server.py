#!/usr/bin/env python3
"""token-server.py PORTFILE KEY CERT USER:PASS SERVICE

A token server for docker-registry's `auth: token` in pull.bats: GET
/token?service=...&scope=repository:NAME:ACTIONS with HTTP basic auth
USER:PASS answers {"token": JWT}, a JWT signed RS256 (with `openssl dgst`)
by KEY, carrying CERT in its x5c header (the registry trusts CERT as its
rootcertbundle) and granting the scope's actions. Anything else is 401.
Listens on a free port of 127.0.0.1 and writes it to PORTFILE."""
import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

portfile, key, cert, cred, service = sys.argv[1:6]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                     capture_output=True).stdout


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(access):
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    claims = {"iss": "husk-test-issuer", "sub": cred.split(":")[0], "aud": service,
              "exp": now + 600, "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(),
              "access": access}
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing.encode(),
                         check=True, capture_output=True).stdout
    return signing + "." + b64(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        auth = self.headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(cred.encode()).decode()
        if u.path != "/token" or auth != want:
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        access = []
        for s in q.get("scope", []):
            parts = s.split(":")
            if len(parts) == 3 and parts[0] == "repository":
                access.append({"type": "repository", "name": parts[1], "actions": parts[2].split(",")})
        body = json.dumps({"token": jwt(access)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
