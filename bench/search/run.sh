#!/usr/bin/env bash
# Ad-hoc measures of message search (not part of `make bench`; the official
# inbox benchmark is bench/inbox). Builds search_bench.c against the release
# objects (run `make` first), then:
#   1. tokens: words/s and terms/s of the tokenizer's core on 1,000,000 messages;
#   2. fill: a database of BENCH_SEARCH_MESSAGES generated messages (default
#      1,000,000) through the real schema, triggers and deferred indexing;
#   3. query: p50/p95 of inbox_search for common and rare words, a phrase and
#      a prefix, 200 runs each, in-process (no HTTP).
# Everything goes to a temporary folder, removed at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
N=${BENCH_SEARCH_MESSAGES:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/piazza-search-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

PKGS="libmicrohttpd sqlite3 libsodium jansson libqrencode libpng libzip gmime-3.0 libutf8proc"
objs=$(find build/rel -name '*.o' ! -path 'build/rel/cli/*' ! -path 'build/rel/gen/*' | sort)
# shellcheck disable=SC2086
cc -O2 -g -std=c11 -D_GNU_SOURCE -Isrc -o "$work/search_bench" bench/search/search_bench.c \
  $objs build/rel/gen/migrations.o build/rel/gen/web_assets.o \
  $(pkg-config --libs $PKGS) -lcsv -lstemmer -lpthread

"$work/search_bench" tokens 1000000
"$work/search_bench" fill "$work/s.db" "$N"
"$work/search_bench" query "$work/s.db" ciao scarpa fattura "perche grazie" \
  "ordinazione preventivo" '"buona giornata"' "spediz*" zzzz
