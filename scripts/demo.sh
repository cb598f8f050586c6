#!/usr/bin/env bash
# Install, build and run qa-scheduler on a demo database with a sample
# organisation, on 127.0.0.1. Prints where to look; Ctrl-C stops it.
# Usage: scripts/demo.sh      (DEMO_LISTEN=127.0.0.1:9000 to choose the address;
#                              DEMO_SMTP_URL / DEMO_WEBHOOK_URL to send reminders on)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DQA_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" >/dev/null

demo="$root/demo"
mkdir -p "$demo"
# The first free port from 8080, so the URLs printed below are the ones the
# feeds will carry in base_url.
if [ -n "${DEMO_LISTEN:-}" ]; then
  listen=$DEMO_LISTEN
else
  port=8080
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  listen=127.0.0.1:$port
fi
cat > "$demo/qa-scheduler.conf" <<CONF
# The demo's configuration: written by scripts/demo.sh on every run.
[server]
listen = $listen
base_url = http://$listen

[database]
path = $demo/qa-scheduler.db

[plugins]
dir = $root/build/plugins

[calendars]
timezone = Europe/London
holidays = $root/calendars/england-and-wales-bank-holidays.ics

[reminders]
# Reminders always go to the log; DEMO_SMTP_URL=smtp://127.0.0.1:1025 and
# DEMO_WEBHOOK_URL=http://127.0.0.1:9000/hook send them on as well.
smtp_url = ${DEMO_SMTP_URL:-}
from = ${DEMO_SMTP_URL:+qa-scheduler@example.org}
webhook_url = ${DEMO_WEBHOOK_URL:-}
CONF

qa() { "$root/build/qa-scheduler" -c "$demo/qa-scheduler.conf" "$@"; }

# Dates in the sample are relative to today, so the demo always shows a
# live mix: NQSWs in each phase, sessions held, one overdue, audit actions.
days_ago() { TZ=Europe/London date -d "today -$1 days" +%F; }
staff_csv="$demo/staff.csv"
while IFS= read -r line; do
  while [[ $line =~ \{\{days_ago\ ([0-9]+)\}\} ]]; do
    line=${line/"${BASH_REMATCH[0]}"/$(days_ago "${BASH_REMATCH[1]}")}
  done
  printf '%s\n' "$line"
done < "$root/etc/demo/staff.csv" > "$staff_csv"

qa check-config
rm -f "$demo/qa-scheduler.db" "$demo/qa-scheduler.db-wal" "$demo/qa-scheduler.db-shm"
qa staff import "$staff_csv"

# Some history: supervision held (one person left overdue), audits done,
# one graded inadequate with a safeguarding concern (5 working days).
record() { qa record "$@" >/dev/null; }
for who in ad cp dl gm-fs iro pm-fs1 pm-fs2 qa-lead qa-res scp sl-eh sl-fs sw-cat sw-fin; do
  record supervision --staff "$who" --date "$(days_ago $(( (${#who} * 3) % 20 + 1 )))"
done
record supervision --staff sw-eve --date "$(days_ago 40)"   # overdue
record supervision --staff sw-amy --date "$(days_ago 9)"    # NQSW, weekly
record supervision --staff sw-amy --date "$(days_ago 2)"
record supervision --staff sw-ben --date "$(days_ago 12)"   # NQSW, fortnightly
record supervision --staff sw-dan --date "$(days_ago 20)"   # experienced now
record collaborative_audit --staff pm-fs1 --practitioner sw-ben --date "$(days_ago 2)" \
  --grade inadequate --safeguarding
record collaborative_audit --staff pm-fs2 --practitioner sw-dan --date "$(days_ago 6)" --grade 7
record dip_sample --staff pm-fs1 --date "$(days_ago 1)"

# Personal and team feeds: paste one into a calendar client.
feed_amy=$(qa feed-url --staff sw-amy)
feed_sarah=$(qa feed-url --staff pm-fs1)
feed_team=$(qa feed-url --team "Family Safeguarding 1")

echo
echo "The sample organisation:"
qa staff list
echo
echo "What is due for Sarah Kowalski's team (qa-scheduler due --manager pm-fs1):"
qa due --manager pm-fs1
echo
echo "Amy Clarke's next supervision sessions (qa-scheduler next supervision --staff sw-amy):"
qa next supervision --staff sw-amy --count 4
echo
echo "The activities of the framework (qa-scheduler plugins):"
qa plugins | head -n 12
echo "  ... ($(qa plugins | grep -c '^[a-z]') activities; 'qa-scheduler plugins --help ID' for one)"
echo

log="$demo/serve.log"
: > "$log"
qa serve 2> >(tee -a "$log" >&2) &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' INT TERM EXIT

for _ in $(seq 1 100); do
  if addr=$(grep -o 'listening on [^ ]*' "$log" | head -n 1) && [ -n "$addr" ]; then
    break
  fi
  sleep 0.1
done
addr=${addr#listening on }
if [ -z "$addr" ]; then
  echo "demo: the daemon did not start; see the log above" >&2
  exit 1
fi
echo
echo "qa-scheduler is running (pid $pid) on http://$addr"
echo "  feeds (subscribe in Thunderbird, Outlook, Google Calendar, or curl them):"
echo "    Amy Clarke, newly qualified social worker:  $feed_amy"
echo "    Sarah Kowalski, practice manager:           $feed_sarah"
echo "    team Family Safeguarding 1:                 $feed_team"
echo "  health:   http://$addr/healthz     metrics: http://$addr/metrics"
echo "  reminders and overdue escalations: the \"reminder:\" lines in this log (and $log);"
echo "            DEMO_SMTP_URL=smtp://HOST:PORT or DEMO_WEBHOOK_URL=http://... scripts/demo.sh sends them too"
echo "  CLI:      build/qa-scheduler -c demo/qa-scheduler.conf due"
echo "            build/qa-scheduler -c demo/qa-scheduler.conf next corporate_parenting_board"
echo "            build/qa-scheduler -c demo/qa-scheduler.conf export --staff sw-ben"
echo "Ctrl-C to stop."
wait $pid
