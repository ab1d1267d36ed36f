#!/usr/bin/env bash
# The contacts benchmark (issue 3): 100,000 generated contacts with 300,000
# identities. `make bench` runs it after bench/run.sh; alone:
#
#   bash bench/contacts/run.sh
#
# 1. generate.mjs writes a vCard file of BENCH_CONTACTS Italian people (three
#    identities each; see that file).
# 2. Import: `piazza import FILE --db NEW.db --json` under /usr/bin/time:
#    cards/s and peak resident memory; then the same file again (re-import,
#    which must create nothing). Reference: reference.c, the raw SQLite
#    library writing the same rows into the same schema, in the same run.
# 3. List and search: stages spread over the people (reference.c --stages),
#    `piazza serve` on loopback, shapes.mjs prepares each query shape (and
#    checks its answers), then wrk goes round each shape's paths with
#    BENCH_CONTACTS_CONNECTIONS connections (default 1: one person at a time,
#    so latency is service time, not queueing). Reference: nginx serving the
#    same answer bytes as a static file, with the same wrk settings.
#
# It prints a table and writes its section of BENCH_REPORT (default
# docs/BENCHMARKS.md), between the markers below, replacing an older one.
# Everything it starts it stops by pid; everything it writes is under a
# temporary folder, removed at the end.
#
# Environment:
#   BENCH_CONTACTS              cards to generate (default 100000)
#   BENCH_CONTACTS_SECONDS      seconds of each wrk run (default 5)
#   BENCH_CONTACTS_CONNECTIONS  wrk connections (default 1)
#   BENCH_REPORT                report file (default docs/BENCHMARKS.md; "-" writes none)
#   PIAZZA_BIN                  binary to measure (default build/piazza)
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/contacts
PIAZZA_BIN=${PIAZZA_BIN:-$ROOT/build/piazza}
N=${BENCH_CONTACTS:-100000}
SECONDS_EACH=${BENCH_CONTACTS_SECONDS:-5}
CONNS=${BENCH_CONTACTS_CONNECTIONS:-1}
REPORT=${BENCH_REPORT:-$ROOT/docs/BENCHMARKS.md}
BEGIN_MARK='<!-- contacts benchmark: written by bench/contacts/run.sh -->'
END_MARK='<!-- end of contacts benchmark -->'
IMPORT_TARGET=50000 # cards/s
MEMORY_TARGET_KB=$((64 * 1024))
P99_TARGET_MS=10

die() { echo "bench/contacts: $*" >&2; exit 1; }

for tool in wrk curl node cc; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (make bench installs it)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (apt-get install time)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx is not installed (apt-get install nginx-light)"
[ -x "$PIAZZA_BIN" ] || die "$PIAZZA_BIN is missing: build it first (make)"
case $N in '' | *[!0-9]* | 0) die "BENCH_CONTACTS must be a positive integer" ;; esac
case $SECONDS_EACH in '' | *[!0-9]* | 0) die "BENCH_CONTACTS_SECONDS must be a positive integer" ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/piazza-bench-contacts.XXXXXX")
chmod 755 "$TMP" # nginx workers may run as another user when started by root
PIAZZA_PID=
NGINX_PID=

stop() { # TERM, up to 5 s, then KILL; only pids this script started
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
finish() {
    stop "$NGINX_PID"
    stop "$PIAZZA_PID"
    rm -rf "$TMP"
}
trap finish EXIT
trap 'exit 1' INT TERM

wait_for() { # wait_for SECONDS COMMAND...
    local n=$(($1 * 10)) i
    shift
    for i in $(seq "$n"); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
free_port() {
    local p i
    for i in $(seq 100); do
        p=$((30000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time of PID
fmt() { awk -v v="$1" -v d="${2:-0}" 'BEGIN {printf (d ? "%.2f" : "%.0f"), v}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }
new_db() { # new_db PATH: migrated, with one workspace
    "$PIAZZA_BIN" migrate --db "$1" >>"$TMP/cli.log" 2>&1 &&
        "$PIAZZA_BIN" workspace add --name Bench --slug bench --db "$1" >>"$TMP/cli.log" 2>&1 ||
        die "cannot make a database: $(tail -n 3 "$TMP/cli.log")"
}

# --- 1. the file ----------------------------------------------------------------------------
CARDS=$TMP/contacts.vcf
echo "generating $N cards..." >&2
node "$HERE/generate.mjs" "$N" "$CARDS" || die "generate.mjs failed"
FILE_MB=$(awk -v b="$(wc -c <"$CARDS")" 'BEGIN {printf "%.1f", b / 1048576}')

# --- 2. import --------------------------------------------------------------------------------
DB=$TMP/piazza.db
new_db "$DB"
import() { # import OUT: elapsed seconds and peak KB into OUT.time, the JSON summary into OUT.json
    /usr/bin/time -f '%e %M %U %S' -o "$1.time" "$PIAZZA_BIN" import "$CARDS" --db "$DB" --json \
        >"$1.json" 2>"$1.err" || die "piazza import failed: $(tail -n 3 "$1.err")"
}
json_int() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1"; }
echo "importing $N cards..." >&2
import "$TMP/import1"
read -r IMPORT_S IMPORT_KB IMPORT_US IMPORT_SS <"$TMP/import1.time"
CREATED=$(json_int "$TMP/import1.json" contacts_created)
[ "$CREATED" = "$N" ] || die "the import created $CREATED contacts, not $N: $(head -c 300 "$TMP/import1.json")"
echo "importing the same file again..." >&2
import "$TMP/import2"
read -r REIMPORT_S REIMPORT_KB REIMPORT_US REIMPORT_SS <"$TMP/import2.time"
[ "$(json_int "$TMP/import2.json" contacts_created)" = 0 ] || die "the re-import created contacts"

echo "reference: raw SQLite writing the same rows..." >&2
cc -O2 -o "$TMP/reference" "$HERE/reference.c" -lsqlite3 || die "cannot build reference.c"
new_db "$TMP/reference.db"
/usr/bin/time -f '%e %M %U %S' -o "$TMP/reference.time" "$TMP/reference" "$TMP/reference.db" "$N" \
    >"$TMP/reference.out" 2>&1 || die "reference failed: $(tail -n 3 "$TMP/reference.out")"
read -r REF_S REF_KB REF_US REF_SS <"$TMP/reference.time"
# Both left the new contacts' search index for afterwards (pz_store_text_leave); the reference
# builds it here, piazza's server when it starts (below).
REF_INDEX_S=$("$TMP/reference" --index "$TMP/reference.db" | sed -n 's/^indexed in \([0-9.]*\) s$/\1/p')
[ -n "$REF_INDEX_S" ] || die "reference --index failed"
read -r PEOPLE IDENTITIES < <("$TMP/reference" --count "$DB")

rate() { awk -v n="$N" -v s="$1" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}'; }
cpu_s() { awk -v u="$1" -v s="$2" 'BEGIN {printf "%.2f", u + s}'; }
IMPORT_RATE=$(rate "$IMPORT_S")
REIMPORT_RATE=$(rate "$REIMPORT_S")
REF_RATE=$(rate "$REF_S")
IMPORT_CPU=$(cpu_s "$IMPORT_US" "$IMPORT_SS")
REIMPORT_CPU=$(cpu_s "$REIMPORT_US" "$REIMPORT_SS")
REF_CPU=$(cpu_s "$REF_US" "$REF_SS")
# Cards per second of CPU time: what the rate would be with a core to itself.
IMPORT_CPU_RATE=$(rate "$IMPORT_CPU")
REIMPORT_CPU_RATE=$(rate "$REIMPORT_CPU")
REF_CPU_RATE=$(rate "$REF_CPU")

# --- 3. list and search over HTTP -------------------------------------------------------------
"$TMP/reference" --stages "$DB" || die "cannot spread stages"
printf 'bench-%s\n' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" |
    "$PIAZZA_BIN" user add --db "$DB" --workspace bench --email bench@example.com --name Bench \
        --role owner --password-stdin >>"$TMP/cli.log" 2>&1 ||
    die "piazza user add failed: $(tail -n 3 "$TMP/cli.log")"
TOKEN=$("$PIAZZA_BIN" token create --db "$DB" --workspace bench --email bench@example.com \
    --name bench 2>>"$TMP/cli.log" | tail -n 1)
case $TOKEN in pz_*) ;; *) die "piazza token create gave no token: $(tail -n 3 "$TMP/cli.log")" ;; esac
awaiting() { "$PIAZZA_BIN" stats --db "$DB" --json | sed -n 's/.*"contacts_awaiting_index":\([0-9]*\).*/\1/p'; }
WAITING=$(awaiting)
[ "${WAITING:-0}" -ge "$N" ] || die "$WAITING contacts wait for the search index after the import, not all $N people and their organizations"
INDEX_T0=$(date +%s.%N)
"$PIAZZA_BIN" serve --db "$DB" --listen 127.0.0.1:0 --log-level warn \
    >"$TMP/piazza.out" 2>"$TMP/piazza.err" &
PIAZZA_PID=$!
listening() { grep -q 'piazza listening on http://' "$TMP/piazza.out" 2>/dev/null; }
wait_for 10 listening || die "piazza did not start: $(tail -n 5 "$TMP/piazza.err")"
# The server indexes what the import left as it starts; nothing is measured before it has.
# The time is from its launch until `piazza stats` counts none waiting (polled every 0.1 s; the
# log's exact figure is at info level, which would log every request below).
indexed() { [ "$(awaiting)" = 0 ]; }
wait_for 60 indexed || die "the server did not index the imported contacts: $(tail -n 5 "$TMP/piazza.err")"
INDEX_S=$(awk -v a="$INDEX_T0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
PZ_PORT=$(sed -n 's#.*piazza listening on http://[^/]*:\([0-9][0-9]*\)/.*#\1#p' "$TMP/piazza.out" | head -n 1)
PZ=http://127.0.0.1:$PZ_PORT

mkdir -p "$TMP/shapes" "$TMP/www" "$TMP/log" "$TMP/tmp"
echo "preparing the query shapes (and checking their answers)..." >&2
node "$HERE/shapes.mjs" "$PZ" "$TOKEN" "$CARDS.probes.json" "$TMP/shapes" >"$TMP/shapes.txt" ||
    die "shapes.mjs failed"
cp "$TMP"/shapes/*.body "$TMP/www/"

NG_PORT=$(free_port) || die "no free port for nginx"
cat >"$TMP/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/log/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/tmp/body;
    proxy_temp_path $TMP/tmp/proxy;
    fastcgi_temp_path $TMP/tmp/fastcgi;
    uwsgi_temp_path $TMP/tmp/uwsgi;
    scgi_temp_path $TMP/tmp/scgi;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $TMP/www;
        default_type application/json;
    }
}
EOF
"$NGINX" -p "$TMP" -e "$TMP/log/error.log" -c "$TMP/nginx.conf" >"$TMP/nginx.out" 2>&1 &
NGINX_PID=$!
NG=http://127.0.0.1:$NG_PORT
nginx_up() { curl -sf -o /dev/null "$NG/first_page.body"; }
wait_for 10 nginx_up || die "nginx did not start: $(tail -n 3 "$TMP/log/error.log")"

# wrk_run OUT URL [PATHS]: one measured run after a 1 s warm-up, going round the request paths
# of file PATHS with the token when given; prints "rps p50_ms p99_ms bad requests".
wrk_run() {
    local out=$1 url=$2 args
    args=(-t1 -c"$CONNS" --latency)
    [ $# -ge 3 ] && args+=(-H "Authorization: Bearer $TOKEN" -s "$HERE/paths.lua" "$url" -- "$3")
    [ $# -ge 3 ] || args+=("$url")
    wrk -d1s "${args[@]}" >/dev/null 2>&1
    wrk -d"${SECONDS_EACH}s" "${args[@]}" >"$out" 2>&1 ||
        die "wrk failed on $url: $(tail -n 3 "$out")"
    awk '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /s$/) return v * 1000
            return v
        }
        /requests in/ { n = $1 }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { bad += $NF }
        /Socket errors:/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
        END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, bad, n }
    ' "$out"
}

: >"$TMP/results"
while read -r shape n_paths rows; do
    echo "measuring $shape ($n_paths paths)..." >&2
    cpu0=$(cpu_ticks "$PIAZZA_PID")
    read -r rps p50 p99 bad reqs < <(wrk_run "$TMP/wrk-$shape.txt" "$PZ/" "$TMP/shapes/$shape.paths")
    cpu1=$(cpu_ticks "$PIAZZA_PID")
    # CPU time the server spent per request (the warm-up's share estimated at the same rate),
    # which waiting for a core on a busy machine does not inflate as it does latency.
    cpu_ms=$(awk -v t=$((cpu1 - cpu0)) -v hz="$HZ" -v n="$reqs" -v s="$SECONDS_EACH" \
        'BEGIN {printf "%.2f", (n > 0 ? t * 1000 / hz / (n * (s + 1) / s) : 0)}')
    read -r ng_rps ng_p50 ng_p99 ng_bad ng_reqs < <(wrk_run "$TMP/wrk-ng-$shape.txt" "$NG/$shape.body")
    echo "$shape $n_paths $rows $rps $p50 $p99 $bad $ng_rps $ng_p50 $ng_p99 $ng_bad $cpu_ms" >>"$TMP/results"
done <"$TMP/shapes.txt"
SERVER_KB=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$PIAZZA_PID/status")
stop "$NGINX_PID"
NGINX_PID=
stop "$PIAZZA_PID"
PIAZZA_PID=

# --- figures ----------------------------------------------------------------------------------
WORST_P99=$(awk 'BEGIN {m = 0} $6 > m {m = $6} END {print m}' "$TMP/results")
BAD=$(awk '{s += $7 + $11} END {print s + 0}' "$TMP/results")
IMPORT_OK=$(awk -v r="$IMPORT_RATE" -v t="$IMPORT_TARGET" 'BEGIN {print (r >= t)}')
MEMORY_OK=$((IMPORT_KB < MEMORY_TARGET_KB))
P99_OK=$(awk -v w="$WORST_P99" -v t="$P99_TARGET_MS" 'BEGIN {print (w < t)}')

import_table() {
    echo "| run | time | cards/s | CPU time | cards per CPU second | peak memory | vs. raw SQLite (CPU) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    echo "| \`piazza import\`, new database | $(fmt "$IMPORT_S" 2) s | $IMPORT_RATE | $IMPORT_CPU s | $IMPORT_CPU_RATE | $((IMPORT_KB / 1024)) MB | $(ratio "$IMPORT_CPU_RATE" "$REF_CPU_RATE")× |"
    echo "| \`piazza import\`, same file again (0 created) | $(fmt "$REIMPORT_S" 2) s | $REIMPORT_RATE | $REIMPORT_CPU s | $REIMPORT_CPU_RATE | $((REIMPORT_KB / 1024)) MB | $(ratio "$REIMPORT_CPU_RATE" "$REF_CPU_RATE")× |"
    echo "| reference: raw SQLite, same rows (\`reference.c\`) | $(fmt "$REF_S" 2) s | $REF_RATE | $REF_CPU s | $REF_CPU_RATE | $((REF_KB / 1024)) MB | 1.00× |"
    echo "| search index of the new contacts, built afterwards by \`piazza serve\` (from its launch) | $INDEX_S s | | | | | $(ratio "$REF_INDEX_S" "$INDEX_S")× |"
    echo "| reference: the same index (\`reference --index\`) | $(fmt "$REF_INDEX_S" 2) s | | | | | 1.00× |"
}
query_table() {
    echo "| shape | paths | rows in first answer | piazza p50 | piazza p99 | piazza CPU per request | piazza req/s | nginx static p99 | p99 vs. nginx |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk '{
        printf "| %s | %s | %s | %.2f ms | %.2f ms | %.2f ms | %s | %.2f ms | %.1f× |\n", $1, $2, $3, $5, $6, $12, $4, $10, ($10 > 0 ? $6 / $10 : 0)
    }' "$TMP/results"
}

echo
import_table
echo
query_table
echo
echo "import: $IMPORT_RATE cards/s, $IMPORT_CPU_RATE per CPU second ($(verdict "$IMPORT_OK"), target >= $IMPORT_TARGET), peak $((IMPORT_KB / 1024)) MB ($(verdict "$MEMORY_OK"), target < 64 MB)"
echo "search index built by the server afterwards within $INDEX_S s of its launch; with it, $(rate "$(awk -v a="$IMPORT_S" -v b="$INDEX_S" 'BEGIN {print a + b}')") cards/s"
echo "list and search: worst p99 $WORST_P99 ms ($(verdict "$P99_OK"), target < $P99_TARGET_MS ms)"
[ "$BAD" -eq 0 ] || echo "warning: $BAD non-2xx answers or socket errors; figures are suspect" >&2

[ "$REPORT" = - ] && exit 0

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
SECTION=$TMP/section.md
{
    echo "$BEGIN_MARK"
    echo
    echo "## Contacts: $PEOPLE people, $IDENTITIES identities (issue 3)"
    echo
    echo "Written by \`bench/contacts/run.sh\` (also run by \`make bench\`); re-run alone with:"
    echo
    echo '```'
    echo "bash bench/contacts/run.sh"
    echo '```'
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); piazza commit $COMMIT, release build"
    echo "- machine: ${CPU:-$(uname -m)}, $(nproc) cores, shared with other work (load average"
    echo "  $(cut -d' ' -f1-3 /proc/loadavg) when it ended)"
    echo "- data: \`bench/contacts/generate.mjs $N\`: Italian people, three identities each (an"
    echo "  e-mail, a mobile number written the ways Italians write them, and a work e-mail, an office"
    echo "  number or a LinkedIn profile), three in four at one of $((N / 50)) organizations with a"
    echo "  title, one in five with a category; a $FILE_MB MB vCard 3.0/4.0 file."
    echo
    echo "### Import"
    echo
    echo "\`/usr/bin/time -f '%e %M' piazza import contacts.vcf --db new.db --json\` into a migrated"
    echo "database with one workspace. The reference, \`bench/contacts/reference.c\`, is the raw SQLite"
    echo "library writing the same rows (contact, three identities looked up then inserted, membership,"
    echo "timeline entry) into the same schema with statements prepared once, in one transaction, with"
    echo "the search index kept as piazza's import keeps it for a big file (deferred, its insert trigger"
    echo "dropped for the transaction, the new contacts left to be indexed after the commit: sql/0013,"
    echo "pz_store_text_leave), foreign keys unchecked and the rollback journal, as piazza writes a file"
    echo "when it has the database to itself, and with no parsing, normalization or duplicate checks:"
    echo "the floor under any importer of this schema. The search index of the new contacts is then"
    echo "built afterwards: by \`piazza serve\` as it starts (timed from its launch until \`piazza stats\`"
    echo "counts no contact waiting; search finds them meanwhile by reading them, and nothing below is"
    echo "measured before it has finished), and by \`reference --index\` with the same INSERT ... SELECT."
    echo "Import and index together: $(rate "$(awk -v a="$IMPORT_S" -v b="$INDEX_S" 'BEGIN {print a + b}')") cards/s."
    echo "CPU time is user plus system time: on a machine shared with other work, cards per CPU"
    echo "second say what the rate would be with a core to itself, and the ratio compares those."
    echo
    import_table
    echo
    echo "### List and search over HTTP"
    echo
    echo "\`GET /api/v1/contacts\` with a bearer token, \`wrk -t1 -c$CONNS -d${SECONDS_EACH}s --latency\`"
    echo "going round each shape's paths (\`bench/contacts/paths.lua\`; $CONNS connection: latency is"
    echo "service time, not queueing); stages spread over the people first (15% customers, 10%"
    echo "prospects, 2% former...). Every path was checked once: 200, and rows where rows are expected,"
    echo "none for the no-hit shape. Reference: nginx serving the first answer's bytes as a static file,"
    echo "same wrk settings. CPU per request: the server's user and system time over the run"
    echo "(\`/proc/PID/stat\`) divided by its requests; unlike latency, waiting for a core on a busy"
    echo "machine does not inflate it. Server peak memory over all shapes: $((SERVER_KB / 1024)) MB (the"
    echo "database file is read through a memory map, whose pages count there although they are the"
    echo "kernel's page cache)."
    echo
    query_table
    echo
    echo "### Targets (issue 3)"
    echo
    echo "| target | measured | verdict |"
    echo "|---|---:|---|"
    echo "| import at least $IMPORT_TARGET cards/s | $IMPORT_RATE cards/s ($IMPORT_CPU_RATE per CPU second); $(rate "$(awk -v a="$IMPORT_S" -v b="$INDEX_S" 'BEGIN {print a + b}')") counting the search index the server builds after | $(verdict "$IMPORT_OK") |"
    echo "| import peak memory under 64 MB | $((IMPORT_KB / 1024)) MB | $(verdict "$MEMORY_OK") |"
    echo "| list and search p99 under $P99_TARGET_MS ms | worst $WORST_P99 ms | $(verdict "$P99_OK") |"
    if [ "$BAD" -ne 0 ]; then
        echo
        echo "**Warning:** $BAD non-2xx answers or socket errors during the runs; the figures are suspect."
    fi
    echo
    echo "$END_MARK"
} >"$SECTION"

mkdir -p "$(dirname "$REPORT")"
if [ -f "$REPORT" ] && grep -qF "$BEGIN_MARK" "$REPORT"; then
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v f="$SECTION" '
        $0 == b { while ((getline line < f) > 0) print line; skip = 1; next }
        $0 == e { skip = 0; next }
        !skip { print }
    ' "$REPORT" >"$REPORT.tmp"
else
    { [ -f "$REPORT" ] && cat "$REPORT" && echo; cat "$SECTION"; } >"$REPORT.tmp"
fi
mv "$REPORT.tmp" "$REPORT"
echo "wrote the contacts section of ${REPORT#"$ROOT"/}"
