#!/usr/bin/env bash
# The allocation-failure test (tests/alloc/alloc_fail.c) on a small fixture
# made with the real CLI: a group manager, a practice manager, two social
# workers, sessions and an audit recorded; a CSV of two more to import.
# Usage: run.sh QA_BIN ALLOC_FAIL PLUGIN_DIR SOURCE_DIR [MAX]
set -euo pipefail
bin=$1 alloc=$2 plugins=$3 source=$4 max=${5:-2000}
dir=$(mktemp -d /tmp/qa-alloc.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/qa.conf" <<CONF
[database]
path = $dir/fixture.db
[plugins]
dir = $plugins
enable = supervision, dip_sample, collaborative_audit
[calendars]
timezone = Europe/London
holidays = $source/calendars/england-and-wales-bank-holidays.ics
CONF
qa() { "$bin" -c "$dir/qa.conf" "$@" >/dev/null; }
qa staff add --id gm1 --name "Gina Boss" --email gm1@example.org --role group_manager --team FS
qa staff add --id pm1 --name "Pat Manager" --email pm1@example.org --role practice_manager --team FS --manager gm1
qa staff add --id sw1 --name "Sam Worker" --email sw1@example.org --role social_worker --team FS --manager pm1
qa staff add --id sw2 --name "Sue Second" --email sw2@example.org --role social_worker --team FS --manager pm1
qa record supervision --staff sw1 --date 2026-11-02
qa record supervision --staff sw2 --date 2026-11-09
qa record collaborative_audit --staff pm1 --practitioner sw1 --date 2026-11-16 --grade good
cat >"$dir/staff.csv" <<CSV
id,name,email,role,team,manager,nqsw_start
sw3,Sol Third,sw3@example.org,social_worker,FS,pm1,2026-09-01
sw4,Sky Fourth,sw4@example.org,social_worker,FS,pm1,
CSV
# The work copy is named in the config the harness opens.
sed "s#$dir/fixture.db#$dir/work.db#" "$dir/qa.conf" >"$dir/work.conf"
ALLOC_FAIL_ONLY=${ALLOC_FAIL_ONLY:-} "$alloc" "$dir/work.conf" "$dir/fixture.db" "$dir/work.db" "$dir/staff.csv" "$max"
