#!/usr/bin/env bash
# Build the Debian package: a Release build into build-deb/ with the prefix
# /usr (the paths compiled into the binary are the package's), then
# `cpack -G DEB`. Prints the path of the .deb it has just built, and nothing
# else on standard output.
# Usage: scripts/package.sh     (install it with: sudo apt install ./FILE.deb)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >&2
cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DQA_BUILD_TESTS=OFF >/dev/null
cmake --build build-deb -j"$(nproc 2>/dev/null || echo 2)" >&2
# Only the package this run built: cpack names it (an older version's .deb
# may still lie in build-deb/).
out=$(cd build-deb && cpack -G DEB 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
printf '%s\n' "$out" >&2
deb=$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' <<<"$out")
[ -n "$deb" ] && [ -f "$deb" ] || { echo "package.sh: cpack named no .deb" >&2; exit 1; }
echo "$deb"
