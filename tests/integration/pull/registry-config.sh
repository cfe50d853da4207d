#!/usr/bin/env bash
# registry-config.sh DIR ADDR [AUTH_YAML [TLS_DIR]]: write DIR/config.yml for
# docker-registry (Debian's distribution 2.8): storage in DIR/storage,
# listening on ADDR (127.0.0.1:PORT), quiet logs, and AUTH_YAML (one line
# of YAML flow style, e.g. "auth: {htpasswd: {realm: r, path: FILE}}"),
# and with TLS_DIR, https with TLS_DIR/server.crt and server.key.
# Used by pull.bats and bench/pull-bench.sh.
set -euo pipefail
dir=$1 addr=$2 auth=${3:-} tls=${4:-}
mkdir -p "$dir/storage"
cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
http:
  addr: $addr
$auth
YAML
if [[ -n $tls ]]; then
	# (tls: goes under http:, right after its addr)
	sed -i "s|^  addr: $addr\$|  addr: $addr\n  tls:\n    certificate: $tls/server.crt\n    key: $tls/server.key|" "$dir/config.yml"
fi
