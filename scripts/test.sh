#!/usr/bin/env bash
# Install what the tests need, build with ASan + UBSan, and run every test
# (cmocka unit tests and integration tests that drive the real binary);
# then the daemon's HTTP, serve and reminder suites under ThreadSanitizer, and
# the unit tests once more under valgrind on a plain build; then what
# `cmake --install` lays out and the .deb that scripts/package.sh builds.
# Usage: scripts/test.sh            (from anywhere; exits non-zero on failure)
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it began, in seconds since the start: the whole
# command is to stay under 15 minutes on 2 cores.
step() { printf '== [%4ds] %s\n' "$SECONDS" "$*"; }

scripts/install-deps.sh --test

# ical.js for the feed client tests, and playwright-core and axe-core for the
# page tests (npm, pinned by tests/clients/package-lock.json; playwright-core
# drives Debian's chromium and downloads no browser), into
# tests/clients/node_modules where they look for them. node and npm
# often come from elsewhere than Debian (e.g. a nodejs package of NodeSource's,
# which has npm in it): Debian's are installed only when one is missing.
node_pkgs=()
command -v node >/dev/null 2>&1 || node_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || node_pkgs+=(npm)
if [[ ${#node_pkgs[@]} -gt 0 ]]; then
  echo "test: installing ${node_pkgs[*]}" >&2
  as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    as_root=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${node_pkgs[@]}" >/dev/null
fi
step "npm ci (tests/clients/node_modules)"
npm ci --prefix tests/clients --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null

jobs=$(nproc 2>/dev/null || echo 2)

step "build with ASan + UBSan (build-asan/)"
cmake -S . -B build-asan -DQA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"

step "tests under ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Two tests per core: the longest suites mostly wait for instants of the
# faked clock (test_reminders: 160 s of wall time, 30 s of CPU), so a core
# would otherwise sit idle; the slowest start first (COST in tests/).
ctest --test-dir build-asan --output-on-failure -j"$((jobs * 2))"

step "the threaded daemon under ThreadSanitizer (build-tsan/)"
# The HTTP loops run on their own threads beside the daemon's loop and the
# delivery worker, and the pages and the API write from the HTTP loops: the
# suites that drive them run once more under TSan.
cmake -S . -B build-tsan -DQA_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-tsan -j"$jobs"
TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
  ctest --test-dir build-tsan --output-on-failure -j"$((jobs * 2))" \
  -R 'integration\.test_(feed_http|serve|reminders|digests|manager_page|api)$'

step "every parser fuzzed for a short while (scripts/fuzz.sh 10)"
scripts/fuzz.sh 10

step "unit tests under valgrind (build-valgrind/)"
cmake -S . -B build-valgrind -DQA_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-valgrind -j"$jobs"
status=0
for t in build-valgrind/tests/test_*; do
  [ -x "$t" ] || continue
  if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
       --error-exitcode=97 "$t" >"$t.valgrind.log" 2>&1; then
    echo "valgrind clean: $(basename "$t")"
  else
    echo "valgrind found problems in $(basename "$t"):" >&2
    cat "$t.valgrind.log" >&2
    status=1
  fi
done
[ $status -eq 0 ] || exit 1

step "install (cmake --install build-valgrind) and the .deb (scripts/package.sh)"
/usr/bin/python3 tests/package/check_package.py install build-valgrind
deb=$(scripts/package.sh 2>/dev/null) || { scripts/package.sh; exit 1; }
/usr/bin/python3 tests/package/check_package.py deb "$deb"
step "lintian on the .deb: no error, no warning"
if ! lint=$(lintian --fail-on error,warning --tag-display-limit 0 "$deb" 2>&1); then
  printf '%s\n' "$lint" | grep -v '^running with root privileges' >&2
  echo "lintian: $deb has errors or warnings (above)" >&2
  exit 1
fi
step "all tests passed"
