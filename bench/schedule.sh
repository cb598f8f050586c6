#!/usr/bin/env bash
# Benchmark of the schedule engine against SPEC section 11 and issue 8: a
# full regeneration for 5,000 staff in < 2 s cold and < 300 ms with nothing
# changed, `staff import` of them in < 2 s, and `due` for all of them in
# < 200 ms; and of issue 8's reports (`report supervision` and `report
# board` over 12 months in < 500 ms); also reports the database size, the number of occurrences and the
# peak RSS of a regeneration.
#
# Usage: bench/schedule.sh
#   BUILD_DIR=DIR  use the qa-scheduler already built in DIR (default: build
#                  Release into build-bench and use that)
#   STAFF=N        size of the organisation (default 5000)
#   RUNS=N         runs of each repeated measurement, median reported (5)
#   SEED=N         seed of the synthetic organisation (1)
#   KEEP=1         keep the temporary directory (config, CSV, database)
#
# Steps: generate an organisation (bench/org.py), `staff import` it (the
# import regenerates the whole schedule from empty), write six months of
# history straight into the database (completions; added_on and since moved back before
# them), then time a full regeneration with the history (the first `due`
# after meta 'generated_for' is deleted: held sessions, audit actions and the
# past periods since added_on are new, projected sessions move), `due
# --format json` with the schedule current, and a full regeneration in which
# nothing changes (the daily one). A regeneration is timed as that `due` minus
# the median plain `due`. Peak RSS is the child's ru_maxrss from wait4(2),
# the figure `/usr/bin/time -v` prints (bench/timecmd.py).
#
# A benchmark prints; it fails only if a command fails, never on a missed goal.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
STAFF=${STAFF:-5000}
RUNS=${RUNS:-5}
SEED=${SEED:-1}

if [[ -z ${BUILD_DIR:-} ]]; then
  BUILD_DIR=$ROOT/build-bench
  "$ROOT/scripts/install-deps.sh"
  echo "schedule.sh: building Release into $BUILD_DIR" >&2
  cmake -S "$ROOT" -B "$BUILD_DIR" -DQA_SANITIZE=OFF \
    -DCMAKE_BUILD_TYPE=Release -DQA_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null
fi
BIN=$BUILD_DIR/qa-scheduler
[[ -x $BIN ]] || { echo "schedule.sh: no $BIN" >&2; exit 1; }
[[ -x $PY ]] || { echo "schedule.sh: needs $PY (Debian's python3)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qa-bench.XXXXXX")
if [[ ${KEEP:-} == 1 ]]; then
  echo "schedule.sh: keeping $tmp" >&2
else
  trap 'rm -rf "$tmp"' EXIT
fi
DB=$tmp/qa-scheduler.db
CONF=$tmp/qa-scheduler.conf
today=$(TZ=Europe/London date +%F)
load=$(cut -d' ' -f1-3 /proc/loadavg)

cat >"$CONF" <<EOF
[server]
listen = 127.0.0.1:0

[database]
path = $DB

[plugins]
dir = $BUILD_DIR/plugins

[calendars]
timezone = Europe/London
holidays = $ROOT/calendars/england-and-wales-bank-holidays.ics

[activity.reg44_visit]
placements = Oak House=1; Birch Lodge=2; Cedar View=3; Elm Court=4; Fern Lodge=5; Hazel House=6; Holly Bank=7; Larch Close=8; Maple House=9; Rowan Lodge=10; Willow House=11
EOF

# run CMD...: time one run; sets T_MS, T_RSS (KB), T_USER, T_SYS (ms).
# stdout of the command goes to $tmp/out.
run() {
  local line
  if ! line=$("$PY" "$ROOT/bench/timecmd.py" --stdout "$tmp/out" -- "$@"); then
    echo "schedule.sh: failed: $*" >&2
    exit 1
  fi
  read -r T_MS T_RSS T_USER T_SYS <<<"$line"
}
median() {
  "$PY" -c 'import statistics, sys
print(f"{statistics.median(float(a) for a in sys.argv[1:]):.1f}")' "$@"
}
occ_count() {
  "$PY" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
print(db.execute("SELECT count(*) FROM occurrences").fetchone()[0])' "$DB"
}
stale() {
  "$PY" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
with db:
    db.execute("DELETE FROM meta WHERE key = '"'"'generated_for'"'"'")
db.close()' "$DB"
}
if ! out=$("$BIN" -c "$CONF" check-config 2>&1); then
  echo "$out" >&2
  exit 1
fi

echo "schedule.sh: $STAFF staff, today $today, in $tmp" >&2
"$PY" "$ROOT/bench/org.py" staff --count "$STAFF" --today "$today" \
  --seed "$SEED" >"$tmp/staff.csv"

run "$BIN" -c "$CONF" staff import "$tmp/staff.csv"
import_ms=$T_MS import_rss=$T_RSS
first_occ=$(occ_count)

history=$("$PY" "$ROOT/bench/org.py" history --db "$DB" --today "$today" \
  --seed "$SEED")
echo "schedule.sh: history: $history" >&2

# Full regeneration with the history, schedule stale.
before_cold=$(occ_count)
run "$BIN" -c "$CONF" due --format json
cold_ms=$T_MS cold_rss=$T_RSS cold_user=$T_USER cold_sys=$T_SYS
after_cold=$(occ_count)
json_rows=$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/out")
json_bytes=$(stat -c %s "$tmp/out")

# due with the schedule current.
due_runs=()
for ((i = 0; i < RUNS; i++)); do
  run "$BIN" -c "$CONF" due --format json
  due_runs+=("$T_MS")
  due_rss=$T_RSS
done
due_ms=$(median "${due_runs[@]}")

# Full regeneration in which nothing changes (the daily steady state).
steady_runs=()
steady_rss=0
for ((i = 0; i < RUNS; i++)); do
  stale
  run "$BIN" -c "$CONF" due --format json
  steady_runs+=("$T_MS")
  if ((T_RSS > steady_rss)); then steady_rss=$T_RSS; fi
done
steady_due_ms=$(median "${steady_runs[@]}")

# due with the schedule current, table format, for comparison.
run "$BIN" -c "$CONF" due
table_ms=$T_MS

# The reports over the last 12 whole months (issue 8): report supervision
# (its JSON), and the Performance Board pack, which runs the supervision,
# audits, actions and every activity's deadlines reports and draws them.
report_timed() { # name args... -> sets <name>_ms (median), <name>_rss (max)
  local name=$1 runs=() rss=0
  shift
  for ((i = 0; i < RUNS; i++)); do
    run "$BIN" -c "$CONF" report "$@"
    runs+=("$T_MS")
    if ((T_RSS > rss)); then rss=$T_RSS; fi
  done
  printf -v "${name}_ms" '%s' "$(median "${runs[@]}")"
  printf -v "${name}_rss" '%s' "$rss"
  printf -v "${name}_runs" '%s' "${runs[*]}"
}
report_timed supervision supervision --format json
supervision_rows=$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/out")
report_timed board board
board_bytes=$(stat -c %s "$tmp/out")

declare -A st
while read -r k v; do st[$k]=$v; done < <("$PY" "$ROOT/bench/org.py" stats --db "$DB")

ms_minus() { "$PY" -c 'import sys; print(f"{float(sys.argv[1]) - float(sys.argv[2]):.1f}")' "$1" "$2"; }
cold_regen=$(ms_minus "$cold_ms" "$due_ms")
steady_regen=$(ms_minus "$steady_due_ms" "$due_ms")
verdict() { # value goal -> "met" / "NOT met"
  "$PY" -c 'import sys; print("met" if float(sys.argv[1]) < float(sys.argv[2]) else "NOT met")' "$1" "$2"
}
mb() { "$PY" -c 'import sys; print(f"{int(sys.argv[1]) / 1048576:.1f} MB")' "$1"; }
kb() { "$PY" -c 'import sys; print(f"{int(sys.argv[1]) / 1024:.1f} MB")' "$1"; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo
echo "qa-scheduler schedule benchmark, $(date -u +'%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}; $(uname -sr); load average before: $load"
echo "organisation: ${st[staff]} staff, ${st[completions]} completions over 6 months (seed $SEED)"
echo
fmt='%-52s %14s  %-10s %s\n'
# shellcheck disable=SC2059
{
  printf "$fmt" "figure" "measured" "goal" ""
  printf "$fmt" "staff import (empty schedule -> full regeneration)" "$import_ms ms" "< 2000 ms" "$(verdict "$import_ms" 2000); $first_occ occurrences"
  printf "$fmt" "full regeneration with history, cold" "$cold_regen ms" "< 2000 ms" "$(verdict "$cold_regen" 2000); $before_cold -> $after_cold occurrences"
  printf "$fmt" "  (first due: regeneration + due; user/sys ms)" "$cold_ms ms" "" "$cold_user / $cold_sys"
  printf "$fmt" "full regeneration, nothing changed (median of $RUNS)" "$steady_regen ms" "< 300 ms" "$(verdict "$steady_regen" 300)"
  printf "$fmt" "  (due after it; runs)" "$steady_due_ms ms" "" "${steady_runs[*]}"
  printf "$fmt" "due --format json, all staff (median of $RUNS)" "$due_ms ms" "< 200 ms" "$(verdict "$due_ms" 200)"
  printf "$fmt" "  (runs; rows, bytes)" "" "" "${due_runs[*]}; $json_rows rows, $json_bytes bytes"
  printf "$fmt" "due (table), all staff" "$table_ms ms" "" ""
  printf "$fmt" "report supervision, 12 months (median of $RUNS)" "$supervision_ms ms" "< 500 ms" "$(verdict "$supervision_ms" 500); $supervision_rows rows; $(kb "$supervision_rss") peak RSS"
  printf "$fmt" "report board, 12 months (median of $RUNS)" "$board_ms ms" "< 500 ms" "$(verdict "$board_ms" 500); $board_bytes bytes of HTML; $(kb "$board_rss") peak RSS"
  printf "$fmt" "  (runs: supervision; board)" "" "" "$supervision_runs; $board_runs"
  printf "$fmt" "peak RSS: import / cold / steady regeneration" "$(kb "$import_rss")" "" "$(kb "$cold_rss") / $(kb "$steady_rss") (daemon goal < 50 MB)"
  printf "$fmt" "peak RSS: due, schedule current" "$(kb "$due_rss")" "" ""
  printf "$fmt" "database size (after wal_checkpoint(TRUNCATE))" "$(mb "${st[db_bytes]}")" "" "${st[db_bytes]} bytes"
  printf "$fmt" "occurrences (confirmed/tentative/cancelled)" "${st[occurrences]}" "" "${st[occurrences_confirmed]} / ${st[occurrences_tentative]} / ${st[occurrences_cancelled]}"
}
exit 0
