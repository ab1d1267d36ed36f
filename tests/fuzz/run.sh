#!/usr/bin/env bash
# Runs every libFuzzer target briefly and ends with one line "N passed, N failed".
#
#   FUZZ_SECONDS   how long each target runs (default 5)
#
# Each target in tests/fuzz/fuzz_*.c must have been built as build/fuzz/fuzz_*
# (make build/fuzz/fuzz_NAME). A target runs on a copy of its seed corpus
# (tests/fuzz/corpus/fuzz_NAME/) in a temporary folder, so the committed corpus
# never grows. A crash, a leak, a sanitizer report or a failed check fails the
# target; its reproducer and log go to test-artifacts/fuzz/. Replay one with
#   build/fuzz/fuzz_NAME test-artifacts/fuzz/fuzz_NAME-crash-...
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-5}
artifacts=test-artifacts/fuzz
mkdir -p "$artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/piazza-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
shopt -s nullglob
sources=(tests/fuzz/fuzz_*.c)
if ((${#sources[@]} == 0)); then
  echo "no fuzz targets in tests/fuzz/"
  echo "0 passed, 1 failed"
  exit 1
fi

for src in "${sources[@]}"; do
  name=$(basename "$src" .c)
  bin=build/fuzz/$name
  log=$artifacts/$name.log
  if [ ! -x "$bin" ]; then
    echo "$name: FAILED, not built ($bin; run make $bin)"
    failed=$((failed + 1))
    continue
  fi
  corpus=$work/$name
  mkdir -p "$corpus"
  if [ -d "tests/fuzz/corpus/$name" ]; then
    cp -R "tests/fuzz/corpus/$name/." "$corpus/"
  fi
  rm -f "$artifacts/$name"-crash-* "$artifacts/$name"-leak-* "$artifacts/$name"-timeout-* \
    "$artifacts/$name"-oom-* "$artifacts/$name"-slow-unit-*
  # The wall-clock guard covers start-up, the corpus replay and a slow final input.
  timeout --kill-after=10 $((seconds + 120)) "$bin" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" "$corpus" >"$log" 2>&1
  rc=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  [ -n "$runs" ] || runs=$(grep -oE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -1)
  runs=${runs:-0}
  crash=$(grep -oE 'Test unit written to .*' "$log" | tail -1 | sed 's/^Test unit written to //')
  if [ "$rc" -eq 0 ] && [ -z "$crash" ] && [ "$runs" -gt 0 ]; then
    echo "$name: ok, $runs runs"
    passed=$((passed + 1))
  else
    # The first line that says what went wrong, on the same line.
    reason=$(grep -m1 -E '^fuzz_[a-z_]+: |ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log" | cut -c1-200)
    if [ -n "$crash" ]; then
      what="crash file $crash"
    elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      what="did not finish in time"
    else
      what="exit $rc after $runs runs"
    fi
    echo "$name: FAILED, $what (log $log)${reason:+: $reason}"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
