#!/usr/bin/env bash
# Installs the Debian packages qa-scheduler needs to build, run and test.
# Idempotent: packages already installed are skipped, so a second run does nothing.
# Usage: scripts/install-deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config
  libical-dev libevent-dev libsqlite3-dev libsodium-dev
  libcurl4-openssl-dev libcsv-dev libjansson-dev zlib1g-dev libjemalloc-dev
  sqlite3
)
test_pkgs=(
  libcmocka-dev python3 valgrind faketime python3-aiosmtpd
  # real calendar clients for tests/integration/test_feed_clients.py (node
  # and npm for ical.js: scripts/test.sh, only when they are missing)
  python3-icalendar python3-recurring-ical-events vdirsyncer khal
  # pages in a real browser (playwright-core and axe-core from npm drive
  # it), printed to PDF and turned into PNGs: tests/integration/test_board.py
  chromium poppler-utils fonts-dejavu-core
  # the manual pages rendered as a reader sees them: tests/integration/test_man.py
  man-db
  # Debian's own check of the .deb (scripts/test.sh)
  lintian
  # libFuzzer for every parser (scripts/fuzz.sh)
  clang libclang-rt-14-dev
)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
