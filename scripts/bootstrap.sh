#!/usr/bin/env bash
# Installs what piazza needs on Debian 12, and only what is missing:
#   scripts/bootstrap.sh run     build and run (compiler, libraries, Node.js for the UI)
#   scripts/bootstrap.sh test    the above plus what the tests use (cmocka, clang for
#                                libFuzzer, Chromium for browser tests, nginx, curl, openssl,
#                                the sqlite3 shell)
#   scripts/bootstrap.sh lint    the above plus clang-format, clang-tidy, cppcheck
#   scripts/bootstrap.sh bench   the above plus wrk and nginx
# Debian packages come from apt (through sudo when not root); the UI's npm packages
# from package-lock.json with `npm ci`. Nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${1:-run}
run_pkgs=(build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libsodium-dev libjansson-dev libcsv-dev
          libqrencode-dev libpng-dev libzip-dev libgmime-3.0-dev libstemmer-dev libutf8proc-dev
          tzdata ca-certificates)
test_pkgs=(libcmocka-dev clang libclang-rt-14-dev chromium nginx-light curl openssl procps sqlite3)
lint_pkgs=(clang-format clang-tidy cppcheck)
bench_pkgs=(wrk nginx-light curl procps time)

case "$profile" in
  run) want=("${run_pkgs[@]}") ;;
  test) want=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
  lint) want=("${run_pkgs[@]}" "${test_pkgs[@]}" "${lint_pkgs[@]}") ;;
  bench) want=("${run_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|lint|bench" >&2; exit 2 ;;
esac
# Node.js and npm build the web UI; Debian's own are enough (Node 18).
if ! command -v node >/dev/null 2>&1; then want+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then want+=(npm); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "bootstrap: these Debian packages are missing and I am not root (and there is no sudo):" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "bootstrap: Node.js 18 or later is needed to build the UI; this machine has $(node --version)" >&2
  exit 1
fi

# npm packages for the UI and the browser tests, exactly as locked.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm packages from package-lock.json"
  # Some npm versions refuse `npm ci` when the lock file leaves out optional packages for
  # other platforms (rollup's and esbuild's native builds); `npm install --no-save` then
  # installs the same locked versions without rewriting the lock file.
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/tmp/piazza-npm-ci.$$; then
    if grep -q 'Missing: .* from lock file' /tmp/piazza-npm-ci.$$; then
      npm install --no-save --no-audit --no-fund --loglevel=error
    else
      cat /tmp/piazza-npm-ci.$$ >&2
      rm -f /tmp/piazza-npm-ci.$$
      exit 1
    fi
  fi
  rm -f /tmp/piazza-npm-ci.$$
  touch node_modules/.package-lock.json
fi
