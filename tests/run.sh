#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed".
#   unit     C unit tests (cmocka), sanitizer build
#   api      black-box API and CLI tests against the sanitizer build of piazza
#   e2e      browser tests (Playwright driving Debian's Chromium)
#   deploy   nginx in front of piazza, over TLS and HTTP/2
#   fuzz     each libFuzzer target briefly (FUZZ_SECONDS, default 5)
# TESTS="unit api" runs a subset. Logs go to test-artifacts/logs/.
set -uo pipefail
cd "$(dirname "$0")/.."

suites=${TESTS:-unit api e2e deploy fuzz}
logs=test-artifacts/logs
mkdir -p "$logs"
passed=0
failed=0
export PIAZZA_BIN=${PIAZZA_BIN:-build/san/piazza}
# Leaks found at exit fail the run; UBSan stops at the first problem.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

add() { passed=$((passed + $1)); failed=$((failed + $2)); }

# Counts node --test TAP output: "# pass N" / "# fail N".
node_suite() {
  local name=$1; shift
  local log=$logs/$name.log
  node --test --test-reporter=tap "$@" >"$log" 2>&1
  local rc=$?
  local p f
  p=$(grep -E '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "$name: $p passed, $f failed"
  [ "$f" -eq 0 ] || grep -E '^not ok|^# Subtest|error:|expected|actual' "$log" | head -40
  add "$p" "$f"
}

for suite in $suites; do
  case $suite in
  unit)
    for t in build/san/tests/test_*; do
      [ -x "$t" ] || continue
      name=$(basename "$t")
      log=$logs/$name.log
      "$t" >"$log" 2>&1
      rc=$?
      p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s += $4} END {print s + 0}')
      f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s += $4} END {print s + 0}')
      if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
      echo "unit/$name: $p passed, $f failed"
      [ "$f" -eq 0 ] || tail -40 "$log"
      add "$p" "$f"
    done
    ;;
  api) node_suite api tests/api/ ;;
  e2e) node_suite e2e tests/e2e/ ;;
  deploy)
    log=$logs/deploy.log
    bash tests/deploy/nginx.sh >"$log" 2>&1
    rc=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    echo "deploy: $p passed, $f failed"
    [ "$f" -eq 0 ] || tail -30 "$log"
    add "$p" "$f"
    ;;
  fuzz)
    log=$logs/fuzz.log
    FUZZ_SECONDS=${FUZZ_SECONDS:-5} bash tests/fuzz/run.sh >"$log" 2>&1
    rc=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    echo "fuzz: $p passed, $f failed"
    [ "$f" -eq 0 ] || tail -30 "$log"
    add "$p" "$f"
    ;;
  *) echo "unknown suite '$suite'"; add 0 1 ;;
  esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
