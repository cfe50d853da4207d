#!/usr/bin/env bash
# registry-config.sh DIR ADDR [AUTH_YAML]: write DIR/config.yml for
# docker-registry (Debian's distribution 2.8): storage in DIR/storage,
# listening on ADDR (127.0.0.1:PORT), quiet logs, and AUTH_YAML (one line
# of YAML flow style, e.g. "auth: {htpasswd: {realm: r, path: FILE}}").
# Used by pull.bats and bench/pull-bench.sh.
set -euo pipefail
dir=$1 addr=$2 auth=${3:-}
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
