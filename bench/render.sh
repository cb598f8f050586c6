#!/usr/bin/env bash
# Micro-benchmark of rendering one feed on a cache miss (feed_render: the SQL
# and the iCalendar text), for feeds of about 25, 100 and 170 events, against
# libical serialising the same calendar in the same run (bench/render.c).
#
# Usage: bench/render.sh
#   BUILD_DIR=DIR   link against DIR/core/libqa_core.a and use DIR's
#                   qa-scheduler and plugins (default: build Release into
#                   build-bench and use that)
#   STAFF=N         size of the organisation (default 500)
#   SEED=N          seed of the synthetic organisation (1)
#   EVENTS=LIST     feed sizes to pick, in events (25,100,170)
#   RUNS=N          timed renders per feed (500)
#   CALLGRIND=1     also count instructions per render under callgrind
#   KEEP=1          keep the temporary directory
#
# Steps: generate an organisation (bench/org.py staff), `staff import` it,
# write six months of history (bench/org.py history) and regenerate the
# schedule (`due`), as bench/feed.sh does; compile bench/render.c against
# the build's libqa_core.a; run it. It prints; it exits non-zero only when
# something fails, never on a missed goal.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
STAFF=${STAFF:-500}
SEED=${SEED:-1}
EVENTS=${EVENTS:-25,100,170}
RUNS=${RUNS:-500}

say() { echo "render.sh: $*" >&2; }
die() {
  say "$*"
  exit 1
}
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

if [[ -z ${BUILD_DIR:-} ]]; then
  BUILD_DIR=$ROOT/build-bench
  say "building Release into $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DQA_SANITIZE=OFF \
    -DCMAKE_BUILD_TYPE=Release -DQA_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null
fi
BIN=$BUILD_DIR/qa-scheduler
LIB=$BUILD_DIR/core/libqa_core.a
[[ -x $BIN ]] || die "no $BIN"
[[ -f $LIB ]] || die "no $LIB"
[[ -x $PY ]] || die "needs $PY (Debian's python3)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qa-render-bench.XXXXXX")
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT
  if [[ ${KEEP:-} == 1 ]]; then say "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT

# The headers come from the tree the library was built from.
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD_DIR/CMakeCache.txt")
[[ -d $src/core ]] || die "cannot find the sources of $BUILD_DIR"
PROG=$tmp/render
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -I"$src/core" -I"$src/core/include" \
  "$ROOT/bench/render.c" "$LIB" \
  $(pkg-config --libs libical libevent sqlite3 libsodium libcurl jansson zlib) \
  -lcsv -ldl -lm -pthread -o "$PROG"

CONF=$tmp/qa-scheduler.conf
today=$(TZ=Europe/London date +%F)
bench_conf "$CONF"
bench_org "$CONF" "$today"
"$BIN" -c "$CONF" due --format json >/dev/null

"$PROG" -n "$RUNS" -e "$EVENTS" "$CONF" | tee "$tmp/out"
if [[ ${CALLGRIND:-} == 1 ]]; then
  command -v valgrind >/dev/null || die "CALLGRIND=1: no valgrind"
  n=20
  while read -r _ id events; do
    valgrind --tool=callgrind --toggle-collect=feed_render \
      --callgrind-out-file="$tmp/cg.$id" "$PROG" -n "$n" "$CONF" "$id" \
      >/dev/null 2>"$tmp/cg.$id.log"
    ir=$(sed -n 's/^summary: //p' "$tmp/cg.$id")
    # n timed renders and one warm-up.
    echo "callgrind $id events $events Ir_per_render $((ir / (n + 1)))"
  done < <(grep '^pick ' "$tmp/out")
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
