#!/usr/bin/env bash
# Browser tests of the web app (Tests/e2e): Debian's Chromium driven by Selenium
# against the real `passkeys serve`. Installs what it needs when it is missing;
# runs unattended (CI=true, no stdin, as root).
#
#   PASSKEYS_BIN          server binary (default .build/debug/passkeys)
#   PASSKEYS_SCREENSHOTS  where page screenshots go (default .ci/artifacts/screenshots)
#   NGINX                 nginx for the forward-auth test (default /usr/sbin/nginx, installed when missing)
#   PASSKEYS_PUBLIC_DIR   read by the server itself: serve the pages from this folder instead
#                         of the copy bundled at build time (Sources/PasskeyServer/Public,
#                         to try page changes without rebuilding)
#   Extra arguments go to pytest, e.g. .ci/e2e.sh -k autofill
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"

export PASSKEYS_BIN="${PASSKEYS_BIN:-$ROOT/.build/debug/passkeys}"
export PASSKEYS_SCREENSHOTS="${PASSKEYS_SCREENSHOTS:-$ROOT/.ci/artifacts/screenshots}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export SE_OFFLINE=true   # Selenium must not try to download a browser or driver
export DEBIAN_FRONTEND=noninteractive
VENV="$ROOT/.venv-e2e"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
  echo "e2e: installing chromium and chromium-driver"
  as_root apt-get update -qq
  # The first install sometimes fails with "failed to read archive"; a second try works.
  as_root apt-get install -y -qq chromium chromium-driver </dev/null \
    || as_root apt-get install -y -qq chromium chromium-driver </dev/null
fi

# nginx for the forward-auth test (Tests/e2e/test_forward_auth.py), which starts its own on a free
# loopback port. The package would also start a system nginx on port 80 (and fail to install when
# the port is taken): a policy-rc.d that says no keeps it from starting.
# The Japanese pages (test_core_shell.py) need a font with Japanese glyphs, or their
# screenshots show boxes.
if ! fc-list :lang=ja 2>/dev/null | grep -q .; then
  echo "e2e: installing a Japanese font"
  as_root apt-get update -qq
  as_root apt-get install -y -qq fonts-ipafont-gothic </dev/null \
    || as_root apt-get install -y -qq fonts-ipafont-gothic </dev/null
fi

export NGINX="${NGINX:-/usr/sbin/nginx}"
if [ ! -x "$NGINX" ]; then
  echo "e2e: installing nginx"
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    policy=/usr/sbin/policy-rc.d
  fi
  as_root apt-get update -qq
  as_root apt-get install -y -qq nginx </dev/null \
    || as_root apt-get install -y -qq nginx </dev/null
  if [ -n "$policy" ]; then as_root rm -f "$policy"; fi
fi

if ! "$VENV/bin/python" -c 'import selenium, pytest, authlib, requests, aiosmtpd' 2>/dev/null; then
  echo "e2e: creating $VENV"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV"; then
    # Debian's python3 keeps venv (ensurepip) in a package of its own.
    rm -rf "$VENV"
    as_root apt-get update -qq
    as_root apt-get install -y -qq python3-venv </dev/null
    python3 -m venv "$VENV"
  fi
  # authlib: an OpenID Connect client someone else wrote drives test_oidc.py.
  # aiosmtpd: the SMTP sink the recovery tests read their codes from (Tests/e2e/smtp_sink.py).
  "$VENV/bin/pip" install --quiet --disable-pip-version-check selenium pytest authlib requests aiosmtpd
fi

if [ ! -x "$PASSKEYS_BIN" ]; then
  echo "e2e: no server binary at $PASSKEYS_BIN; build it first: swift build --product passkeys" >&2
  exit 1
fi

mkdir -p "$PASSKEYS_SCREENSHOTS"
rm -f "$PASSKEYS_SCREENSHOTS"/*.png

status=0
"$VENV/bin/python" -m pytest Tests/e2e -p no:cacheprovider -ra "$@" </dev/null || status=$?

echo "e2e: screenshots in $PASSKEYS_SCREENSHOTS ($(find "$PASSKEYS_SCREENSHOTS" -name '*.png' | wc -l) files)"
exit "$status"
