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

[activity.reg44_visit]
# The externally commissioned placements visited each year (homes, never
# children) and the month each visit is due by.
placements = Oak House=3; Birch Lodge=9; Willow View=12
CONF

qa() { "$root/build/qa-scheduler" -c "$demo/qa-scheduler.conf" "$@"; }

# Dates in the sample are relative to today, so the demo always shows a
# live mix: NQSWs in each phase, sessions held, one overdue, audit actions.
days_ago() { TZ=Europe/London date -d "today -$1 days" +%F; }
weekend() { (( $(TZ=Europe/London date -d "today -$1 days" +%u) > 5 )); }
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

# A year of history, back-filled in one go as an organisation does at
# go-live (`record import`, all or nothing): supervision every four weeks,
# some sessions late and Eve's stopping (she is overdue); the newly
# qualified weekly in their first six months, then fortnightly; a collaborative audit a month by each practice
# manager (Tom missing two), each action closed by the practitioner's
# manager, on time or late; one audit regraded at moderation; weekly dip
# samples and the monthly reports, some missed. Then the last few weeks by
# hand, below.
history="$demo/history.csv"
{
  echo "activity,staff,date,practitioner,grade,safeguarding,moderator,audit,signed_off_by"
  line=2 # the file's line of the next row
  row() { echo "$1"; line=$((line + 1)); }
  # Supervision as a chain: each session one interval after the last (the
  # interval in force that day), every fifth a week late, on working days.
  for who in ad cp dl gm-fs iro pm-fs1 pm-fs2 qa-lead qa-res scp sl-eh sl-fs \
             sw-amy sw-ben sw-cat sw-dan sw-eve sw-fin; do
    case $who in sw-amy) d=45 ;; sw-ben) d=230 ;; *) d=400 ;; esac # first due
    while weekend "$d"; do d=$((d - 1)); done
    n=0
    while (( d >= 1 )); do
      row "supervision,$who,$(days_ago "$d"),,,,,,"
      n=$((n + 1))
      case $who in # newly qualified: weekly for six months, then fortnightly
        sw-amy) step=7 ;;
        sw-ben) step=$(( d > 48 ? 7 : 14 )) ;;
        sw-dan) step=$(( d > 218 ? 7 : d > 35 ? 14 : 28 )) ;;
        *) step=28 ;;
      esac
      d=$(( d - step - ((n + ${#who}) % 5 == 0 ? 6 : 0) ))
      # Eve's stop in the summer; one session 40 days ago, none since.
      if [[ $who == sw-eve ]] && (( d < 150 && d > 40 )); then d=40; fi
      while weekend "$d"; do d=$((d + 1)); done
      if [[ $who == sw-eve ]] && (( d < 40 )); then break; fi
    done
  done
  grades=(good good requires_improvement outstanding good requires_improvement)
  for ((k = 12; k >= 1; k--)); do
    tenth=$(TZ=Europe/London date -d "$(TZ=Europe/London date +%Y-%m-10) -$k month" +%F)
    ago=$(( ($(date -d "$(TZ=Europe/London date +%F)" +%s) - $(date -d "$tenth" +%s)) / 86400 ))
    for pm in pm-fs1 pm-fs2; do
      if [[ $pm == pm-fs2 && ( $k == 4 || $k == 7 ) ]]; then continue; fi
      if [[ $pm == pm-fs1 ]]; then sw=$([[ $((k % 2)) == 0 ]] && echo sw-ben || echo sw-cat)
      else sw=$([[ $((k % 2)) == 0 ]] && echo sw-dan || echo sw-fin); fi
      grade=${grades[$(( (k + ${#pm}) % 6 ))]}
      audit=$line
      row "collaborative_audit,$pm,$tenth,$sw,$grade,no,,,"
      if [[ $pm == pm-fs2 && $k == 5 ]]; then
        row "moderation,gm-fs,$(days_ago $((ago - 4))),,requires_improvement,no,,line:$audit,"
      fi
      # Closed 12 days on (in time for 28), a third of them 40 days on.
      if (( ago > 45 )); then
        close=$(( k % 3 == 0 ? 40 : 12 ))
        row "audit_action,$sw,$(days_ago $((ago - close))),,,,,line:$audit,$pm"
      fi
    done
  done
  for ((w = 52; w >= 2; w--)); do
    (( w % 5 )) && row "dip_sample,pm-fs1,$(days_ago $((7 * w + 2))),,,,,,"
    (( w % 3 )) && row "dip_sample,pm-fs2,$(days_ago $((7 * w + 2))),,,,,,"
    (( w % 2 )) && row "dip_sample,gm-fs,$(days_ago $((7 * w + 1))),,,,,,"
  done
  for ((k = 12; k >= 2; k--)); do
    twentieth=$(TZ=Europe/London date -d "$(TZ=Europe/London date +%Y-%m-20) -$k month" +%F)
    row "iro_scrutiny,iro,$twentieth,,,,,,"
    (( k % 4 )) && row "cp_chair_scrutiny,cp,$twentieth,,,,,,"
    (( k % 5 )) && row "early_help_audit,sl-eh,$twentieth,,,,,,"
    # The quarter's reports, in its last month (the latest themed audit
    # not done).
    if (( 10#$(date -d "$twentieth" +%m) % 3 == 0 )); then
      row "qa_quarterly_report,qa-lead,$twentieth,,,,,,"
      row "lado_audit,qa-lead,$twentieth,,,,,,"
      row "multi_agency_audit,scp,$twentieth,,,,,,"
      (( k > 3 )) && row "themed_audit,qa-lead,$twentieth,,,,,,"
    fi
  done
} > "$history"
qa record import "$history"

# The last few days: a dip sample, a visit, and audits as a practice
# manager types them, one graded inadequate with a safeguarding concern (5
# working days).
record() { qa record "$@" >/dev/null; }
record dip_sample --staff pm-fs1 --date "$(days_ago 1)"
record reg44_visit --staff qa-res --date "$(days_ago 30)" --home "Birch Lodge"

# The audit workflow (framework lines 148-198), as a practice manager would
# type it: each `record` says what it recorded and what is now due.
echo
echo "The audit workflow:"
audit_number() { sed -n 's/^audit \([0-9]*\) recorded:.*/\1/p'; }
show() { echo "  \$ qa-scheduler record $*"; qa record "$@" | sed 's/^/    /'; }
# Stage 1 by Sarah (pm-fs1) of Ben's case: inadequate, with a safeguarding
# concern (an action within 5 working days), moderation asked of Tom, the
# practice manager of the other team; not held yet.
show collaborative_audit --staff pm-fs1 --practitioner sw-ben --date "$(days_ago 2)" \
  --grade Inadequate --safeguarding --moderator pm-fs2
# Tom's audit of Dan's case, graded good (7 on the old scale); moderated by
# the group manager, who regrades it inadequate with a safeguarding concern:
# the action is re-timed, 5 working days from the moderation.
out=$(qa record collaborative_audit --staff pm-fs2 --practitioner sw-dan --date "$(days_ago 6)" \
  --grade 7 --moderator gm-fs)
echo "  \$ qa-scheduler record collaborative_audit --staff pm-fs2 --practitioner sw-dan ... --grade 7 --moderator gm-fs"
echo "    $out"
dan_audit=$(audit_number <<<"$out")
show moderation --audit "$dan_audit" --staff gm-fs --date "$(days_ago 3)" \
  --grade Inadequate --safeguarding
# Two audits of Cat's case: closing one must say which.
show collaborative_audit --staff pm-fs2 --practitioner sw-cat --date "$(days_ago 20)" --grade good
cat_audit=$(qa record collaborative_audit --staff pm-fs1 --practitioner sw-cat \
  --date "$(days_ago 8)" --grade requires-improvement | audit_number)
echo "  \$ qa-scheduler record audit_action --staff sw-cat --date $(days_ago 1)"
qa record audit_action --staff sw-cat --date "$(days_ago 1)" 2>&1 | sed 's/^/    /' || true
show audit_action --staff sw-cat --date "$(days_ago 1)" --audit "$cat_audit" \
  --signed-off-by pm-fs1

# Personal and team feeds: paste one into a calendar client.
feed_amy=$(qa feed-url --staff sw-amy)
feed_sarah=$(qa feed-url --staff pm-fs1)
feed_team=$(qa feed-url --team "Family Safeguarding 1")
# Managers' pages: who is due, and forms to record it, in a browser.
manager_sarah=$(qa manager-url --staff pm-fs1)
manager_dev=$(qa manager-url --staff gm-fs)

echo
echo "The sample organisation:"
qa staff list
echo
echo "What is due for Sarah Kowalski's team (qa-scheduler due --manager pm-fs1):"
qa due --manager pm-fs1
echo
echo "Moderations waiting, and deadlines the QA team owns (qa-scheduler due --activity ...):"
qa due --activity moderation | tail -n +2
qa due --activity themed_audit | tail -n +2
qa due --activity qa_quarterly_report | tail -n +2
qa due --activity lado_audit | tail -n +2
qa due --activity reg44_visit --format csv | tail -n +2
echo
# Reports: what was done on time or missed, generated afresh from what is
# recorded (this month and the last).
since_month=$(TZ=Europe/London date -d "$(TZ=Europe/London date +%Y-%m-15) -1 month" +%Y-%m)
this_month=$(TZ=Europe/London date +%Y-%m)
echo "The audit actions and how they went (qa-scheduler report actions --from $since_month --to $this_month):"
qa report actions --from "$since_month" --to "$this_month"
echo
six_months_ago=$(TZ=Europe/London date -d "$(TZ=Europe/London date +%Y-%m-15) -6 month" +%Y-%m)
echo "Supervision in date at each month's end in Dev Patel's line (qa-scheduler report supervision --manager gm-fs --from $six_months_ago):"
qa report supervision --manager gm-fs --from "$six_months_ago"
echo
qa report board > "$demo/board.html"
echo "The Performance Board pack for the last 12 months: qa-scheduler report board > demo/board.html"
echo
echo "Sarah Kowalski's weekly dip samples (qa-scheduler report activity dip_sample --team ... --from $this_month):"
qa report activity dip_sample --team "Family Safeguarding 1" --from "$this_month" --to "$this_month"
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
echo "  managers' pages (who is due, and forms to record sessions, audits, sign-offs and moderations):"
echo "    Sarah Kowalski, practice manager:           $manager_sarah"
echo "    Dev Patel, group manager (both teams):      $manager_dev"
echo "  health:   http://$addr/healthz     metrics: http://$addr/metrics"
echo "  board pack: file://$demo/board.html (open it in a browser; print it to PDF, A4)"
echo "  reminders: on a working day, today's digest to each person with something due or overdue, and"
echo "            this week's to each manager: the \"reminder:\" lines in this log (and $log);"
echo "            DEMO_SMTP_URL=smtp://HOST:PORT or DEMO_WEBHOOK_URL=http://... scripts/demo.sh sends them too"
echo "  CLI:      build/qa-scheduler -c demo/qa-scheduler.conf due"
echo "            build/qa-scheduler -c demo/qa-scheduler.conf next corporate_parenting_board"
echo "            build/qa-scheduler -c demo/qa-scheduler.conf export --staff sw-ben"
echo "Ctrl-C to stop."
wait $pid
