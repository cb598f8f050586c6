#!/usr/bin/env bash
# Benchmark of the feed server against SPEC section 11: a personal feed served
# at >= 0.8x the rate of nginx (`worker_processes auto`) serving the same
# bytes as a static file in the same run, p99 < 5 ms at 32 connections, no
# errors, and no RSS growth under load.
#
# Usage: bench/feed.sh
#   BUILD_DIR=DIR   use the qa-scheduler already built in DIR (default: build
#                   Release into build-bench and use that)
#   STAFF=N         size of the organisation (default 500)
#   SEED=N          seed of the synthetic organisation (1)
#   FEED_BYTES=N    pick the person whose feed is closest to N bytes (24000,
#                   the size of the SPEC anchors); STAFF_ID=ID picks one
#   DURATION=S      seconds of each wrk run (10)
#   LARGE=0         skip the second, large feed (a practice manager's)
#   NGINX_ONE=0     skip the reference run against nginx with one worker
#   RADICALE=0      skip the peer run against Radicale (Debian's radicale,
#                   3.1, stock [server] settings) serving, as a calendar
#                   collection, the events of the candidate whose feed has
#                   the count closest to 60 (SPEC's anchor: a 60-event
#                   collection), and the daemon serving that person's feed
#                   (SPEC: "500x better"); also whether Radicale answers a
#                   conditional GET with 304
#   SOAK=S          an extra S-second load on the daemon alone, RSS before
#                   and after (default 0; SPEC: no growth over 60 s)
#   EVERYONE=0      skip the "everyone subscribed" run: a token for every
#                   member of staff, and wrk asking for each feed in turn,
#                   so that nearly every request is a cache miss; prints
#                   req/s, the cache's hits and renders, and the RSS after
#                   (SPEC: < 50 MB at 5,000 staff)
#   PERF=1          also `perf record -g` the daemon under a 32-connection
#                   load and print where its time goes
#   KEEP=1          keep the temporary directory
#
# Steps: generate an organisation (bench/org.py) and six months of history,
# start `qa-scheduler serve` on a free loopback port, issue feed URLs
# (`feed-url --staff`) for the first staff in the CSV (the specialists, whose
# feeds run from ~10 KB to ~300 KB) and the first practice manager, fetch
# each once (which renders and caches it) and pick the one closest to
# FEED_BYTES. nginx (nginx-light) serves the fetched bytes as a static file
# at the same path, `default_type text/calendar`, Debian's stock `sendfile
# on; tcp_nopush on;`, access_log off. wrk (bench/feed_wrk.lua prints its
# summary) loads each server in turn with `-t2 -c32` and `-t1 -c1`. Besides
# req/s and latency it reports the CPU time each server used per request
# (utime+stime from /proc, nginx summed over its workers), a figure that
# varies far less than req/s on a shared machine.
#
# Radicale (RADICALE=1) runs as the current user on a free loopback port with
# a config written into the temporary directory ([auth] type = none, [rights]
# type = authenticated, which with auth none lets anonymous requests read and
# write /USER/COLLECTION/; filesystem storage there). The chosen feed is PUT
# whole to /staff/ID/ (bench/feed_radicale.py), which Radicale stores as one
# item per UID; a GET of the collection must give back text/calendar with as
# many VEVENTs as the feed. It is loaded with `-t2 -c32` and wrk's
# `--timeout 10s` (it answers in the hundreds of ms, and wrk's 2 s default
# would count its slow answers as timeouts rather than measure them).
#
# wrk, nginx and the daemon share the machine's cores: on 2 cores wrk's two
# threads take about one of them, so neither server has the machine to
# itself; nginx runs 2 workers and qa-scheduler 2 HTTP event loops
# ([server] threads = auto: one per core).
#
# A benchmark prints; it exits non-zero only if something fails or crashes
# (a command, the daemon, nginx), never on a missed goal. Everything it
# started is stopped on exit, whatever happens.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
STAFF=${STAFF:-500}
SEED=${SEED:-1}
FEED_BYTES=${FEED_BYTES:-24000}
DURATION=${DURATION:-10}
LARGE=${LARGE:-1}
NGINX_ONE=${NGINX_ONE:-1}
SOAK=${SOAK:-0}
RADICALE=${RADICALE:-1}
CANDIDATES=${CANDIDATES:-60}
FETCH=$ROOT/bench/feed_fetch.py
LUA=$ROOT/bench/feed_wrk.lua
LUA_ALL=$ROOT/bench/feed_all.lua
RAD_HELPER=$ROOT/bench/feed_radicale.py
EVERYONE=${EVERYONE:-1}

say() { echo "feed.sh: $*" >&2; }
die() {
  say "$*"
  exit 1
}
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

# Bench-only tools (not test dependencies): wrk, nginx-light and radicale.
bench_pkgs=(wrk nginx-light)
[[ $RADICALE != 1 ]] || bench_pkgs+=(radicale)
missing=()
for p in "${bench_pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  as_root=()
  [[ $(id -u) -ne 0 ]] && as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "no nginx"
command -v wrk >/dev/null || die "no wrk"

if [[ -z ${BUILD_DIR:-} ]]; then
  BUILD_DIR=$ROOT/build-bench
  "$ROOT/scripts/install-deps.sh"
  say "building Release into $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DQA_SANITIZE=OFF \
    -DCMAKE_BUILD_TYPE=Release -DQA_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null
fi
BIN=$BUILD_DIR/qa-scheduler
[[ -x $BIN ]] || die "no $BIN"
[[ -x $PY ]] || die "needs $PY (Debian's python3)"
rad_version=
if [[ $RADICALE == 1 ]]; then
  rad_version=$("$PY" -m radicale --version 2>/dev/null) || die "no radicale for $PY"
fi

# ---- everything started below is stopped by cleanup ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qa-feed-bench.XXXXXX")
pids=() # daemon, nginx masters and Radicale, in start order
wrk_pid= # the wrk running, if any
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  if [[ -n $wrk_pid ]]; then kill -TERM "$wrk_pid" 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP:-} == 1 ]]; then
    say "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CONF=$tmp/qa-scheduler.conf
today=$(TZ=Europe/London date +%F)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_conf "$CONF" "listen = 127.0.0.1:0"
bench_org "$CONF" "$today"

# ---- the daemon ----
env ${QA_PRELOAD:+LD_PRELOAD=$QA_PRELOAD} "$BIN" -c "$CONF" serve 2>"$tmp/serve.log" &
qa_pid=$!
pids+=("$qa_pid")
qa_addr=
for _ in $(seq 300); do
  qa_addr=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$tmp/serve.log")
  qa_loops=$(sed -n 's/.*listening on .*(\([0-9]* event loops*\)).*/\1/p' "$tmp/serve.log")
  [[ -n $qa_addr ]] && grep -q 'serve: ready' "$tmp/serve.log" && break
  kill -0 "$qa_pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; die "serve died"; }
  sleep 0.1
done
[[ -n $qa_addr ]] || { cat "$tmp/serve.log" >&2; die "serve did not log 'listening on'"; }
alive() { kill -0 "$qa_pid" 2>/dev/null || { tail -n 20 "$tmp/serve.log" >&2; die "the daemon died"; }; }

# Feed URLs for the candidates; only the path is used (base_url is not the
# address the daemon listens on).
mapfile -t candidates < <(tail -n +2 "$tmp/staff.csv" | head -n "$CANDIDATES" | cut -d, -f1)
pm=$(awk -F, '$4 == "practice_manager" { print $1; exit }' "$tmp/staff.csv")
if [[ -n ${STAFF_ID:-} ]]; then
  candidates=("$STAFF_ID")
fi
declare -A feed_path
for id in "${candidates[@]}" $([[ $LARGE == 1 ]] && echo "$pm"); do
  [[ -z ${feed_path[$id]:-} ]] || continue
  url=$("$BIN" -c "$CONF" feed-url --staff "$id" 2>/dev/null) || die "feed-url --staff $id failed"
  feed_path[$id]=/${url#*://*/}
done
# The daemon notices the CLI's commits once a second and drops its cache;
# fetch after that so the renders below stay cached.
sleep 1.5
best='' best_diff=''
declare -A feed_size feed_events
for id in "${!feed_path[@]}"; do
  read -r status size events < <("$PY" "$FETCH" "http://$qa_addr${feed_path[$id]}" "$tmp/$id.ics")
  [[ $status == 200 ]] || die "GET feed of $id: $status"
  feed_size[$id]=$size feed_events[$id]=$events
  [[ $id == "$pm" && -z ${STAFF_ID:-} ]] && continue
  diff=$((size > FEED_BYTES ? size - FEED_BYTES : FEED_BYTES - size))
  if [[ -z $best ]] || ((diff < best_diff)); then
    best=$id best_diff=$diff
  fi
done
[[ -n $best ]] || die "no candidate feed"
role_of() { awk -F, -v id="$1" '$1 == id { print $4 }' "$tmp/staff.csv"; }

# ---- nginx serving the same bytes at the same paths ----
chmod 711 "$tmp" # nginx's workers run as nobody when started by root
NG=$tmp/nginx
mkdir -p "$NG/www/feeds" "$NG/tmp"
chmod -R a+rX "$NG"
for id in "$best" $([[ $LARGE == 1 ]] && echo "$pm"); do
  cp "$tmp/$id.ics" "$NG/www${feed_path[$id]}"
  chmod 644 "$NG/www${feed_path[$id]}"
done
start_nginx() { # NAME WORKERS -> sets ng_port[NAME], ng_pid[NAME]
  local name=$1 workers=$2 port dir
  port=$("$PY" "$FETCH" --free-port)
  dir=$NG/$name
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type text/calendar;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path $NG/tmp/body-$name;
    proxy_temp_path $NG/tmp/proxy-$name;
    fastcgi_temp_path $NG/tmp/fastcgi-$name;
    uwsgi_temp_path $NG/tmp/uwsgi-$name;
    scgi_temp_path $NG/tmp/scgi-$name;
    server {
        listen 127.0.0.1:$port;
        root $NG/www;
        location /feeds/ { }
    }
}
EOF
  "$NGINX" -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" &
  local pid=$!
  pids+=("$pid")
  "$PY" "$FETCH" --port "$port" || { cat "$dir/error.log" >&2; die "nginx ($name) did not start"; }
  ng_port[$name]=$port ng_pid[$name]=$pid
}
declare -A ng_port ng_pid
start_nginx auto auto
if [[ $NGINX_ONE == 1 ]]; then start_nginx one 1; fi
for id in "$best" $([[ $LARGE == 1 ]] && echo "$pm"); do
  "$PY" "$FETCH" "http://127.0.0.1:${ng_port[auto]}${feed_path[$id]}" "$tmp/nginx.ics" >/dev/null
  cmp -s "$tmp/nginx.ics" "$tmp/$id.ics" || die "nginx does not serve the same bytes for $id"
done

# ---- Radicale serving the events of the candidate closest to 60 events ----
if [[ $RADICALE == 1 ]]; then
  rad_id='' rad_diff=''
  for id in "${candidates[@]}"; do # in CSV order, so ties go the same way
    n=${feed_events[$id]}
    diff=$((n > 60 ? n - 60 : 60 - n))
    if [[ -z $rad_id ]] || ((diff < rad_diff)); then
      rad_id=$id rad_diff=$diff
    fi
  done
  RAD=$tmp/radicale
  mkdir -p "$RAD"
  rad_port=$("$PY" "$FETCH" --free-port)
  rad_path=/staff/$rad_id/
  cat >"$RAD/config" <<EOF
[server]
hosts = 127.0.0.1:$rad_port

[auth]
type = none

[rights]
type = authenticated

[storage]
filesystem_folder = $RAD/collections

[web]
type = none

[logging]
level = warning
EOF
  # --config replaces the default paths (/etc/radicale/config, whose Debian
  # [auth] is remote_user, and ~/.config/radicale/config).
  "$PY" -m radicale --config "$RAD/config" 2>"$RAD/radicale.log" &
  rad_pid=$!
  pids+=("$rad_pid")
  if ! "$PY" "$FETCH" --port "$rad_port" || ! kill -0 "$rad_pid" 2>/dev/null; then
    cat "$RAD/radicale.log" >&2
    die "radicale did not start"
  fi
  rad_alive() { kill -0 "$rad_pid" 2>/dev/null || { cat "$RAD/radicale.log" >&2; die "radicale died"; }; }
  "$PY" "$RAD_HELPER" upload "http://127.0.0.1:$rad_port$rad_path" "$tmp/$rad_id.ics" ||
    { cat "$RAD/radicale.log" >&2; die "could not put the feed of $rad_id into radicale"; }
  read -r status rad_size rad_events rad_type < <("$PY" "$RAD_HELPER" get "http://127.0.0.1:$rad_port$rad_path")
  [[ $status == 200 && $rad_type == text/calendar ]] ||
    { cat "$RAD/radicale.log" >&2; die "GET radicale $rad_path: $status $rad_type"; }
  [[ $rad_events == "${feed_events[$rad_id]}" ]] ||
    die "radicale serves $rad_events VEVENTs for $rad_id, the feed has ${feed_events[$rad_id]}"
  rad_304=$("$PY" "$RAD_HELPER" revalidate "http://127.0.0.1:$rad_port$rad_path")
  qa_304=$("$PY" "$RAD_HELPER" revalidate "http://$qa_addr${feed_path[$rad_id]}")
  rad_alive
  say "radicale $rad_version pid $rad_pid: $rad_path, $rad_events events ($rad_size bytes; the feed of $rad_id: ${feed_size[$rad_id]} bytes)"
fi

# ---- measuring ----
hz=$(getconf CLK_TCK)
cpu_ticks() { # PID... -> utime+stime of them all, in clock ticks
  local sum=0 pid f
  for pid in "$@"; do
    f=$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null) || continue
    read -r -a st <<<"$f"
    sum=$((sum + st[11] + st[12]))
  done
  echo "$sum"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$qa_pid/status"; }
server_pids() { # NAME -> the processes that serve (nginx: its workers)
  if [[ $1 == qa ]]; then echo "$qa_pid"
  elif [[ $1 == rad ]]; then echo "$rad_pid"
  else pgrep -P "${ng_pid[$1]}" | tr '\n' ' '; fi
}
url_of() { # SERVER FEED_ID (Radicale serves one collection)
  if [[ $1 == qa ]]; then echo "http://$qa_addr${feed_path[$2]}"
  elif [[ $1 == rad ]]; then echo "http://127.0.0.1:$rad_port$rad_path"
  else echo "http://127.0.0.1:${ng_port[$1]}${feed_path[$2]}"; fi
}
declare -A R # R[key.field]: rps p50 p99 errors cpu bytes
run_wrk() { # KEY SERVER FEED_ID THREADS CONNS [WRK_OPTION...]
  local key=$1 server=$2 id=$3 t=$4 c=$5 line t0 t1 spids
  spids=$(server_pids "$server")
  # shellcheck disable=SC2086
  t0=$(cpu_ticks $spids)
  wrk -t"$t" -c"$c" -d"${DURATION}s" --latency -s "$LUA" "${@:6}" \
    "$(url_of "$server" "$id")" >"$tmp/wrk.out" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid" || { cat "$tmp/wrk.out" >&2; die "wrk failed against $server"; }
  wrk_pid=
  line=$(grep '^FEED_WRK ' "$tmp/wrk.out") || die "no summary from wrk against $server"
  # shellcheck disable=SC2086
  t1=$(cpu_ticks $spids)
  alive
  local -A w
  local kv
  for kv in ${line#FEED_WRK }; do w[${kv%%=*}]=${kv#*=}; done
  "$PY" - "$key" "$t0" "$t1" "$hz" "${w[requests]}" "${w[duration_us]}" "${w[bytes]}" \
    "${w[p50_us]}" "${w[p99_us]}" "${w[connect]}" "${w[read]}" "${w[write]}" \
    "${w[status]}" "${w[timeout]}" >"$tmp/r" <<'EOF'
import sys
key, t0, t1, hz, req, dur, nbytes, p50, p99, *err = sys.argv[1:]
req, dur = int(req), int(dur)
print(f"{key}.rps {req / (dur / 1e6):.0f}")
print(f"{key}.p50 {int(p50) / 1000:.2f}")
print(f"{key}.p99 {int(p99) / 1000:.2f}")
e = [int(x) for x in err]
print(f"{key}.errors {sum(e)}")
print(f"{key}.errdetail connect {e[0]} read {e[1]} write {e[2]} status {e[3]} timeout {e[4]}")
cpu_s = (int(t1) - int(t0)) / int(hz)
print(f"{key}.cpu {cpu_s * 1e6 / req:.1f}" if req else f"{key}.cpu -")
print(f"{key}.util {cpu_s / (dur / 1e6):.2f}")
print(f"{key}.bytes {int(nbytes) // req if req else 0}")
EOF
  local k v
  while read -r k v; do R[$k]=$v; done <"$tmp/r"
  say "$key: ${R[$key.rps]} req/s, p99 ${R[$key.p99]} ms, errors ${R[$key.errors]}"
}

"$PY" "$FETCH" "http://$qa_addr${feed_path[$best]}" >/dev/null # cached now
sleep 1
rss_before=$(rss_kb)
say "daemon pid $qa_pid, RSS $rss_before kB; nginx auto pid ${ng_pid[auto]} ($(server_pids auto| wc -w) workers); ${DURATION}s per run"
# Interleaved, nginx first each time.
run_wrk ng32 auto "$best" 2 32
run_wrk qa32 qa "$best" 2 32
if [[ $NGINX_ONE == 1 ]]; then run_wrk one32 one "$best" 2 32; fi
run_wrk ng1 auto "$best" 1 1
run_wrk qa1 qa "$best" 1 1
if [[ $LARGE == 1 ]]; then
  run_wrk ngL auto "$pm" 2 32
  run_wrk qaL qa "$pm" 2 32
fi
if [[ $RADICALE == 1 ]]; then
  "$PY" "$FETCH" "$(url_of qa "$rad_id")" >/dev/null # cached now
  run_wrk rad32 rad "$rad_id" 2 32 --timeout 10s
  rad_alive
  run_wrk qaR32 qa "$rad_id" 2 32
fi
rss_after=$(rss_kb)
if ((SOAK > 0)); then
  saved=$DURATION DURATION=$SOAK
  run_wrk soak qa "$best" 2 32
  DURATION=$saved
fi
rss_end=$(rss_kb)
if [[ ${PERF:-} == 1 ]]; then
  if command -v perf >/dev/null; then
    wrk -t2 -c32 -d"$((DURATION + 2))s" "$(url_of qa "$best")" >/dev/null &
    wrk_pid=$!
    sleep 1
    perf record -q -g -p "$qa_pid" -o "$tmp/perf.data" -- sleep "$DURATION" 2>/dev/null || true
    wait "$wrk_pid" || true
    wrk_pid=
    alive
  else
    say "PERF=1: no perf (Debian linux-perf)"
  fi
fi
if [[ $EVERYONE == 1 ]]; then
  # A token for everyone still here who has none, written as feed-url
  # would (only the BLAKE2b hash of the text is stored).
  "$PY" - "$tmp/qa-scheduler.db" "$tmp/all.paths" <<'EOF'
import base64, hashlib, os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
ids = [r[0] for r in db.execute(
    "SELECT id FROM staff WHERE left_on IS NULL AND id NOT IN"
    " (SELECT subject FROM feed_tokens WHERE kind = 'staff'"
    "  AND revoked_at IS NULL) ORDER BY id")]
now = int(time.time())
with open(sys.argv[2], "w") as out, db:
    for i in ids:
        text = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=")
        db.execute("INSERT INTO feed_tokens (kind, subject, token_hash,"
                   " created_at) VALUES ('staff', ?, ?, ?)",
                   (i, hashlib.blake2b(text, digest_size=32).digest(), now))
        out.write(f"/feeds/{text.decode()}.ics\n")
EOF
  sleep 1.5 # the daemon sees the commit
  metric() { "$PY" "$FETCH" --metric "$1" "http://$qa_addr/metrics"; }
  hits0=$(metric 'qa_feed_cache_total{result="hit"}')
  renders0=$(metric 'qa_feed_cache_total{result="render"}')
  t0=$(cpu_ticks "$qa_pid")
  wrk -t2 -c32 -d"${DURATION}s" --latency -s "$LUA_ALL" "http://$qa_addr/" \
    -- "$tmp/all.paths" >"$tmp/wrk.out" 2>&1 || { cat "$tmp/wrk.out" >&2; die "wrk failed (everyone)"; }
  t1=$(cpu_ticks "$qa_pid")
  alive
  line=$(grep '^FEED_WRK ' "$tmp/wrk.out") || die "no summary from wrk (everyone)"
  declare -A W
  for kv in ${line#FEED_WRK }; do W[${kv%%=*}]=${kv#*=}; done
  all_hits=$(($(metric 'qa_feed_cache_total{result="hit"}') - hits0))
  all_renders=$(($(metric 'qa_feed_cache_total{result="render"}') - renders0))
  all_rss=$(rss_kb)
  sleep 15 # freed pages go back to the system as the allocator decays them
  all_rss_later=$(rss_kb)
  all_cache=$(metric qa_feed_cache_bytes)
  all_staff=$(wc -l <"$tmp/all.paths")
  all_errors=$((W[connect] + W[read] + W[write] + W[status] + W[timeout]))
  all_rps=$("$PY" -c 'import sys; print(f"{int(sys.argv[1]) / (int(sys.argv[2]) / 1e6):.0f}")' "${W[requests]}" "${W[duration_us]}")
  all_cpu=$("$PY" -c 'import sys; print(f"{(int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3]) * 1e6 / int(sys.argv[4]):.0f}")' "$t0" "$t1" "$hz" "${W[requests]}")
  say "everyone: $all_rps req/s, $all_renders renders, $all_hits hits, RSS $all_rss kB"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ----
ratio() { "$PY" -c 'import sys; a, b = map(float, sys.argv[1:]); print(f"{a / b:.2f}" if b else "inf")' "$1" "$2"; }
ge() { "$PY" -c 'import sys; print("met" if float(sys.argv[1]) >= float(sys.argv[2]) else "NOT met")' "$1" "$2"; }
lt() { "$PY" -c 'import sys; print("met" if float(sys.argv[1]) < float(sys.argv[2]) else "NOT met")' "$1" "$2"; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
small="${feed_size[$best]} bytes, ${feed_events[$best]} events ($best, $(role_of "$best"))"
echo
echo "qa-scheduler feed benchmark, $(date -u +'%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}; $(uname -sr); load average before: $load_before, after: $load_after"
echo "  wrk, nginx and qa-scheduler share these cores; nginx 'auto' = $(server_pids auto | wc -w) workers, qa-scheduler = $qa_loops"
echo "  $($NGINX -v 2>&1 | sed 's/^nginx version: //'), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)${rad_version:+, radicale $rad_version}, ${DURATION}s per run"
echo "organisation: $STAFF staff (seed $SEED); feed: $small"
[[ $LARGE != 1 ]] || echo "large feed: ${feed_size[$pm]} bytes, ${feed_events[$pm]} events ($pm, practice_manager)"
[[ $RADICALE != 1 ]] || echo "radicale peer: ${feed_events[$rad_id]} events ($rad_id, $(role_of "$rad_id")); qa-scheduler's feed ${feed_size[$rad_id]} bytes, Radicale's collection GET $rad_size bytes"
echo
fmt='%-34s %9s %8s %8s %7s %10s %6s\n'
# shellcheck disable=SC2059
{
  printf "$fmt" "run" "req/s" "p50 ms" "p99 ms" "errors" "CPU us/req" "CPUs"
  row() { printf "$fmt" "$1" "${R[$2.rps]}" "${R[$2.p50]}" "${R[$2.p99]}" "${R[$2.errors]}" "${R[$2.cpu]}" "${R[$2.util]}"; }
  row "nginx auto,  -t2 -c32" ng32
  row "qa-scheduler, -t2 -c32" qa32
  if [[ $NGINX_ONE == 1 ]]; then row "nginx 1 worker, -t2 -c32" one32; fi
  row "nginx auto,  -t1 -c1" ng1
  row "qa-scheduler, -t1 -c1" qa1
  if [[ $LARGE == 1 ]]; then
    row "nginx auto, large feed, -c32" ngL
    row "qa-scheduler, large feed, -c32" qaL
  fi
  if [[ $RADICALE == 1 ]]; then
    row "radicale $rad_version, $rad_events events, -c32" rad32
    row "qa-scheduler, same feed, -c32" qaR32
  fi
  if ((SOAK > 0)); then row "qa-scheduler, ${SOAK}s soak, -c32" soak; fi
}
for k in ng32 qa32 ng1 qa1 $([[ $RADICALE == 1 ]] && echo rad32 qaR32); do
  [[ ${R[$k.errors]} == 0 ]] || echo "errors in $k: ${R[$k.errdetail]}"
done
echo "(CPU us/req: the server's utime+stime per request, nginx summed over its workers; CPUs: that time / wall time)"
[[ $RADICALE != 1 ]] || echo "(radicale: -t2, wrk --timeout 10s; stock max_connections = 8, HTTP/1.0, so a new connection per request)"
echo
r32=$(ratio "${R[qa32.rps]}" "${R[ng32.rps]}")
r1=$(ratio "${R[qa1.rps]}" "${R[ng1.rps]}")
errs=$((${R[qa32.errors]} + ${R[qa1.errors]}))
gfmt='%-52s %10s  %-12s %s\n'
# shellcheck disable=SC2059
{
  printf "$gfmt" "goal" "measured" "target" ""
  printf "$gfmt" "req/s qa-scheduler / nginx auto, 32 connections" "$r32" ">= 0.8" "$(ge "$r32" 0.8)"
  if [[ $NGINX_ONE == 1 ]]; then printf "$gfmt" "  (against nginx with 1 worker)" "$(ratio "${R[qa32.rps]}" "${R[one32.rps]}")" "" ""; fi
  printf "$gfmt" "  (1 connection)" "$r1" "" ""
  if [[ $LARGE == 1 ]]; then printf "$gfmt" "  (large feed, 32 connections)" "$(ratio "${R[qaL.rps]}" "${R[ngL.rps]}")" "" ""; fi
  if [[ $RADICALE == 1 ]]; then
    rr=$(ratio "${R[qaR32.rps]}" "${R[rad32.rps]}")
    printf "$gfmt" "req/s qa-scheduler / Radicale (same events)" "$rr" ">= 500" "$(ge "$rr" 500)"
  fi
  printf "$gfmt" "qa-scheduler p99 at 32 connections" "${R[qa32.p99]} ms" "< 5 ms" "$(lt "${R[qa32.p99]}" 5)"
  printf "$gfmt" "qa-scheduler errors (non-2xx/3xx + socket)" "$errs" "0" "$( ((errs == 0)) && echo met || echo "NOT met")"
  printf "$gfmt" "daemon RSS before / after the load" "$rss_before kB" "no growth" "after: $rss_after kB$( ((SOAK > 0)) && echo ", after ${SOAK}s soak: $rss_end kB")"
}
if [[ $RADICALE == 1 ]]; then
  echo "conditional GET (If-None-Match: the ETag it sent): Radicale $rad_304, qa-scheduler $qa_304 (SPEC: Radicale never a 304)"
fi
if [[ $EVERYONE == 1 ]]; then
  ms() { printf '%d.%02d' $(($1 / 1000)) $(($1 % 1000 / 10)); }
  echo
  echo "everyone subscribed: $all_staff more feed URLs, each asked for in turn by wrk -t2 -c32 for ${DURATION}s"
  echo "  $all_rps req/s, p50 $(ms "${W[p50_us]}") ms, p99 $(ms "${W[p99_us]}") ms, errors $all_errors, $all_cpu us of CPU a request"
  echo "  feed cache: $all_renders renders, $all_hits hits; $all_cache bytes held ([server] feed_cache_size)"
  # shellcheck disable=SC2059
  printf "$gfmt" "daemon RSS, everyone subscribed: under that load" "$all_rss kB" "< 50 MB" "$( ((all_rss < 50 * 1024)) && echo met || echo "NOT met")"
  # shellcheck disable=SC2059
  printf "$gfmt" "  and 15 s after it" "$all_rss_later kB" "< 50 MB" "$( ((all_rss_later < 50 * 1024)) && echo met || echo "NOT met")"
fi
if [[ ${PERF:-} == 1 && -s $tmp/perf.data ]]; then
  echo
  echo "perf: where the daemon's time goes under -c32 (self time, >= 1%)"
  perf report -i "$tmp/perf.data" --no-children --sort dso,symbol -g none \
    --percent-limit 1 --stdio 2>/dev/null | grep '%' | head -n 40 || true
fi
exit 0
