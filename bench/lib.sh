# Shared by bench/feed.sh and bench/render.sh (sourced): the organisation
# they measure. Expects ROOT, PY, BIN, BUILD_DIR, STAFF, SEED and tmp, and
# say/die functions.

# bench_conf CONF [SERVER_LINES]: the config, its database in $tmp.
bench_conf() {
  local conf=$1 server=${2:-}
  {
    if [[ -n $server ]]; then printf '[server]\n%s\n\n' "$server"; fi
    cat <<CONF
[database]
path = $tmp/qa-scheduler.db

[plugins]
dir = $BUILD_DIR/plugins

[calendars]
timezone = Europe/London
holidays = $ROOT/calendars/england-and-wales-bank-holidays.ics

[activity.reg44_visit]
placements = Oak House=1; Birch Lodge=2; Cedar View=3; Elm Court=4; Fern Lodge=5; Hazel House=6
CONF
  } >"$conf"
  local out
  out=$("$BIN" -c "$conf" check-config 2>&1) || die "$out"
}

# bench_org CONF TODAY: STAFF people (bench/org.py, SEED) imported into
# $tmp/staff.csv and the database, and six months of history written.
bench_org() {
  local conf=$1 today=$2
  say "$STAFF staff, today $today, in $tmp"
  "$PY" "$ROOT/bench/org.py" staff --count "$STAFF" --today "$today" \
    --seed "$SEED" >"$tmp/staff.csv"
  "$BIN" -c "$conf" staff import "$tmp/staff.csv" >/dev/null 2>"$tmp/import.log" ||
    { cat "$tmp/import.log" >&2; die "staff import failed"; }
  say "history: $("$PY" "$ROOT/bench/org.py" history --db "$tmp/qa-scheduler.db" \
    --today "$today" --seed "$SEED")"
}
