#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on loopback, in a temporary folder.
#
#   eval "$(bash .ci/postgres.sh start)"   # starts one; prints the export lines below
#   bash .ci/postgres.sh halt  "$PASSKEYS_PG_DIR"   # stops the server, keeps the cluster
#   bash .ci/postgres.sh resume "$PASSKEYS_PG_DIR"  # starts it again on the same port (if stopped)
#   bash .ci/postgres.sh stop  "$PASSKEYS_PG_DIR"   # stops it and removes the folder
#
# `start` prints
#   export PASSKEYS_PG_DIR=…                 (the cluster's folder)
#   export PASSKEYS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres
#   export PASSKEYS_TEST_POSTGRES_SOCKET_URL=postgres://postgres@:PORT/postgres?host=…
#                                                   (the same server through its Unix socket)
#   export PASSKEYS_TEST_POSTGRES_CA=…/server.crt   (the server's self-signed certificate; TLS is
#                                                    on when openssl is installed)
# PostgreSQL refuses to run as root, and CI runs as root: the server runs as the `postgres`
# system user (created with the Debian package), which owns the folder. fsync is off (test data;
# set PASSKEYS_PG_FSYNC=on to measure with durable commits). Authentication is
# `trust` on loopback only: the cluster holds test data and lives as long as the test run.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Runs a command as the postgres user (or as ourselves when we are not root).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

bindir() {
  local dir
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

install_postgres() {
  if bindir >/dev/null; then return 0; fi
  echo "postgres.sh: installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >&2
  # The first install sometimes fails with "failed to read archive"; a second try works.
  as_root apt-get install -y -qq postgresql </dev/null >&2 \
    || as_root apt-get install -y -qq postgresql </dev/null >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
  local dir=$1 port tls=""
  port=$(cat "$dir/port")
  if as_postgres "$(bindir)/pg_ctl -D '$dir/data' status" >/dev/null 2>&1; then return 0; fi
  if [ -f "$dir/server.crt" ]; then
    tls="-c ssl=on -c ssl_cert_file='$dir/server.crt' -c ssl_key_file='$dir/server.key'"
  fi
  as_postgres "$(bindir)/pg_ctl -D '$dir/data' -w -t 60 -l '$dir/log' \
    -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=${PASSKEYS_PG_FSYNC:-off} -c max_connections=400 $tls\" start" >&2
}

# A self-signed certificate for localhost and 127.0.0.1, so tests can connect with sslmode=require
# and with sslmode=verify-full&sslrootcert=$dir/server.crt.
make_certificate() {
  local dir=$1
  command -v openssl >/dev/null || return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.crt" 2>/dev/null || return 0
  chmod 600 "$dir/server.key"
}

stop_server() {
  local dir=$1
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_postgres "$(bindir)/pg_ctl -D '$dir/data' -w -t 60 -m fast stop" >&2 || true
  fi
}

case "${1:-}" in
  start)
    install_postgres
    dir=$(mktemp -d /tmp/passkeys-pg.XXXXXX)
    chmod 755 "$dir"
    free_port > "$dir/port"
    make_certificate "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$dir"; fi
    as_postgres "$(bindir)/initdb -D '$dir/data' -A trust -U postgres -E UTF8 --no-locale" >/dev/null
    start_server "$dir"
    echo "export PASSKEYS_PG_DIR=$dir"
    echo "export PASSKEYS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
    # The same server through its Unix socket (-k above puts it in $dir).
    echo "export PASSKEYS_TEST_POSTGRES_SOCKET_URL=postgres://postgres@:$(cat "$dir/port")/postgres?host=$dir"
    if [ -f "$dir/server.crt" ]; then echo "export PASSKEYS_TEST_POSTGRES_CA=$dir/server.crt"; fi
    ;;
  halt)
    stop_server "${2:?usage: postgres.sh halt DIR}"
    ;;
  resume)
    start_server "${2:?usage: postgres.sh resume DIR}"
    ;;
  stop)
    dir=${2:?usage: postgres.sh stop DIR}
    stop_server "$dir"
    case "$dir" in
      /tmp/passkeys-pg.*) rm -rf "$dir" ;;
    esac
    ;;
  *)
    echo "usage: postgres.sh start | halt DIR | resume DIR | stop DIR" >&2
    exit 2
    ;;
esac
