#!/usr/bin/env bash
# Build the Debian package: a Release build into build-deb/ with the prefix
# /usr (the paths compiled into the binary are the package's), then
# `cpack -G DEB`. Prints the path of the .deb.
# Usage: scripts/package.sh     (install it with: sudo apt install ./FILE.deb)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >&2
cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DQA_BUILD_TESTS=OFF >/dev/null
cmake --build build-deb -j"$(nproc 2>/dev/null || echo 2)" >&2
(cd build-deb && cpack -G DEB >&2)
ls "$PWD"/build-deb/qa-scheduler_*.deb
