#!/usr/bin/env bash
# Benchmark of `record import` (issue 8: 10,000 rows in under 2 s): ROWS
# supervisions of 200 social workers, each row checked as `record` checks it,
# then the whole schedule regenerated once, against SQLite's own CSV import
# of the same file into a bare table (no checks, no schedule) as the peer,
# measured in the same run.
#
# Usage: bench/record_import.sh
#   BUILD_DIR=DIR  use the qa-scheduler already built in DIR (default: build
#                  Release into build-bench and use that)
#   ROWS=N         rows in the file (default 10000, a multiple of 200)
#   RUNS=N         runs of each, median reported (default 3)
# It prints; it fails only if a command fails, never on a missed goal.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
ROWS=${ROWS:-10000}
RUNS=${RUNS:-3}
if [[ -z ${BUILD_DIR:-} ]]; then
  BUILD_DIR=$ROOT/build-bench
  "$ROOT/scripts/install-deps.sh"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DQA_SANITIZE=OFF \
    -DCMAKE_BUILD_TYPE=Release -DQA_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null
fi
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
BIN=$BUILD_DIR/qa-scheduler
command -v sqlite3 >/dev/null || { echo "record_import.sh: needs sqlite3" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qa-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$PY" - "$tmp" "$ROWS" <<'PY'
import datetime, sys
tmp, rows = sys.argv[1], int(sys.argv[2])
staff = ["id,name,email,role,team,manager,nqsw_start,since",
         "gm,G,gm@example.org,group_manager,T,,,2025-01-01"]
staff += [f"pm{p},P{p},pm{p}@example.org,practice_manager,T{p},gm,,2025-01-01"
          for p in range(20)]
staff += [f"sw{i},S{i},sw{i}@example.org,social_worker,T{i % 20},pm{i % 20},,"
          "2025-01-01" for i in range(200)]
open(f"{tmp}/staff.csv", "w").write("\n".join(staff) + "\n")
start = datetime.date(2025, 1, 6)
lines = ["activity,staff,date"]
lines += [f"supervision,sw{i},{start + datetime.timedelta(days=7 * k)}"
          for k in range(rows // 200) for i in range(200)]
open(f"{tmp}/history.csv", "w").write("\n".join(lines) + "\n")
PY
cat >"$tmp/q.conf" <<CONF
[database]
path = $tmp/q.db
[plugins]
dir = $BUILD_DIR/plugins
[calendars]
timezone = Europe/London
holidays = $ROOT/calendars/england-and-wales-bank-holidays.ics
CONF
"$BIN" -c "$tmp/q.conf" staff import "$tmp/staff.csv" >/dev/null 2>"$tmp/log" ||
  { cat "$tmp/log" >&2; exit 1; }
cp "$tmp/q.db" "$tmp/empty.db"

# Seconds a command takes, from a fresh copy of the database each run.
median_of() {
  local times=() t
  for _ in $(seq "$RUNS"); do
    cp "$tmp/empty.db" "$tmp/q.db"
    rm -f "$tmp/q.db-wal" "$tmp/q.db-shm" "$tmp/raw.db"
    t=$("$PY" -c 'import subprocess, sys, time
s = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, text=True)
if r.returncode:
    sys.exit(f"{sys.argv[1:]} failed: {r.stderr}")
print(f"{time.monotonic() - s:.3f}")' "$@") || exit 1
    times+=("$t")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
ours=$(median_of "$BIN" -c "$tmp/q.conf" record import "$tmp/history.csv")
peer=$(median_of sqlite3 "$tmp/raw.db" ".import --csv $tmp/history.csv raw")
echo "record import of $ROWS rows (221 staff), median of $RUNS, $(date -u '+%F %H:%M UTC')"
printf '%-52s %8s s  (goal < 2 s)\n' "qa-scheduler record import (checks + regeneration)" "$ours"
printf '%-52s %8s s\n' "sqlite3 .import into a bare table (the peer)" "$peer"
"$PY" -c "import sys; print(f'ratio {float(sys.argv[1]) / float(sys.argv[2]):.1f}x the bare import')" "$ours" "$peer"
