#!/usr/bin/env bash
# Fuzz every parser that reads what someone else wrote (issue 14): the
# config file, CSV files (staff, completions), holiday calendars, URL tokens,
# request paths and queries as routed, the manager page's form bodies, the API's JSON bodies, and the feed writer.
# libFuzzer with ASan and UBSan, built with clang into build-fuzz/.
#
# Usage: scripts/fuzz.sh [SECONDS [TARGET...]]
#   SECONDS  how long each target runs (default 60; the test command runs 10)
#   TARGET   fuzz_config, fuzz_csv, ... (default: all, tests/fuzz/CMakeLists.txt)
# Each target starts from its seed corpus, tests/fuzz/corpus/TARGET/, kept in
# build-fuzz/corpus/TARGET/ (grown from run to run); a crash is written to
# build-fuzz/crashes/ and fails the run. Reproduce one with
#   build-fuzz/tests/fuzz/TARGET build-fuzz/crashes/crash-...
# and turn it into a regression test beside the parser's unit test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
command -v clang >/dev/null || { echo "fuzz.sh: clang not found (scripts/install-deps.sh --test installs it)" >&2; exit 1; }
# clang warns where gcc does not (positional initialisers): -Werror is the
# gcc builds' gate, not this one's.
CC=clang cmake -S . -B build-fuzz -DQA_FUZZ=ON -DQA_BUILD_TESTS=OFF \
  -DQA_WERROR=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(sed -n 's/^set(QA_FUZZERS \(.*\)$/\1/p; s/^    \(fuzz_.*\))$/\1/p' tests/fuzz/CMakeLists.txt))
fi
mkdir -p build-fuzz/crashes
status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  log=build-fuzz/$t.log
  if (cd build-fuzz && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      tests/fuzz/"$t" -max_total_time="$seconds" -max_len=16384 -timeout=20 \
      -rss_limit_mb=2048 -artifact_prefix=crashes/"$t"- \
      -print_final_stats=1 corpus/"$t" >"$t.log" 2>&1); then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $t: ${runs:-?} inputs in ${seconds}s, nothing found"
  else
    echo "fuzz: $t: FOUND a problem; see $log and build-fuzz/crashes/$t-*" >&2
    grep -E "ERROR|SUMMARY|runtime error" "$log" | head -5 >&2 || true
    status=1
  fi
done
exit $status
