#!/usr/bin/env bash
# Several `passkeys serve` processes on one PostgreSQL database (Tests/pg, pytest): ceremonies
# across processes, one assertion at two processes, kill -9, shared rate limits, a database
# outage and `passkeys migrate`. Starts its own throwaway cluster (.ci/postgres.sh); needs
# .build/debug/passkeys (or PASSKEYS_BIN). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export PASSKEYS_BIN="${PASSKEYS_BIN:-$ROOT/.build/debug/passkeys}"
VENV="$ROOT/.venv-pg"

if ! "$VENV/bin/python" -c 'import cryptography, pytest' 2>/dev/null; then
  echo "pg: creating $VENV"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV"; then
    # Debian's python3 keeps venv (ensurepip) in a package of its own.
    rm -rf "$VENV"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; apt-get install -y -qq python3-venv </dev/null; fi
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check pytest cryptography
fi
exec "$VENV/bin/python" -m pytest Tests/pg -p no:cacheprovider -ra "$@" </dev/null
