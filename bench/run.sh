#!/usr/bin/env bash
# piazza's HTTP benchmark (`make bench`): piazza against nginx serving a static
# file, on this machine, in the same run, with the same load generator.
#
# It builds nothing: it expects the release build at build/piazza. On loopback
# it starts piazza on a temporary database (with an owner and an API token made
# by the CLI) and nginx on a temporary configuration serving a file with the
# very bytes of piazza's /healthz answer, then runs wrk with the same settings
# against: nginx static file, piazza GET /healthz, piazza GET /api/v1/me with a
# bearer token, and the tracking hits: a tracked link GET /l/{slug} (302) and
# the pixel GET /t/{site}.gif. After the rounds, one counting run per tracking
# target (a wrk Lua script sends a fixed number of hits, then /healthz, and
# counts the hit answers) checks that piazza stored exactly the hits wrk got
# answered. It reads piazza's resident memory before and after the load,
# prints a table and writes docs/BENCHMARKS.md. It stops what it started, by
# pid, with bounded waits. Then bench/contacts/run.sh adds its own section
# (contacts at 100,000: import, list and search), and bench/stream/run.sh its
# (idle live event streams).
#
# Environment:
#   BENCH_SECONDS      seconds of each measured wrk run (default 10)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_CONNECTIONS  wrk connections (default 64)
#   BENCH_ROUNDS       rounds in which the targets take turns; medians count (default 3)
#   BENCH_REPORT       where to write the report (default docs/BENCHMARKS.md;
#                      "-" writes none)
#   PIAZZA_BIN         binary to measure (default build/piazza)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PIAZZA_BIN=${PIAZZA_BIN:-$ROOT/build/piazza}
SECONDS_EACH=${BENCH_SECONDS:-10}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-64}
ROUNDS=${BENCH_ROUNDS:-3}
REPORT=${BENCH_REPORT:-$ROOT/docs/BENCHMARKS.md}
LOG_LEVEL=warn
IDLE_TARGET_KB=$((16 * 1024))

die() { echo "bench: $*" >&2; exit 1; }

for tool in wrk curl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (apt-get install $tool)"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx is not installed (apt-get install nginx-light)"
[ -x "$PIAZZA_BIN" ] || die "$PIAZZA_BIN is missing: build it first (make)"
case $SECONDS_EACH in '' | *[!0-9]* | 0) die "BENCH_SECONDS must be a positive integer" ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/piazza-bench.XXXXXX")
chmod 755 "$TMP" # nginx workers may run as another user when started by root
NGINX_PID=
PIAZZA_PID=

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
wait_for() { # wait_for SECONDS COMMAND...
    local n=$(($1 * 10)) i
    shift
    for i in $(seq "$n"); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
kb() { awk -v k="$2" '$1 == k ":" {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# --- piazza: database, owner, token -------------------------------------------
DB=$TMP/piazza.db
"$PIAZZA_BIN" migrate --db "$DB" >"$TMP/cli.log" 2>&1 || die "piazza migrate failed: $(tail -n 3 "$TMP/cli.log")"
PASSWORD="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASSWORD" | "$PIAZZA_BIN" user add --db "$DB" --email bench@example.com \
    --name Bench --role owner --password-stdin >>"$TMP/cli.log" 2>&1 ||
    die "piazza user add failed: $(tail -n 3 "$TMP/cli.log")"
TOKEN=$("$PIAZZA_BIN" token create --db "$DB" --email bench@example.com --name bench 2>>"$TMP/cli.log" | tail -n 1)
case $TOKEN in pz_*) ;; *) die "piazza token create gave no pz_ token: $(tail -n 3 "$TMP/cli.log")" ;; esac

"$PIAZZA_BIN" serve --db "$DB" --listen 127.0.0.1:0 --log-level "$LOG_LEVEL" \
    >"$TMP/piazza.out" 2>"$TMP/piazza.err" &
PIAZZA_PID=$!
listening() { grep -q 'piazza listening on http://' "$TMP/piazza.out" 2>/dev/null; }
wait_for 10 listening || die "piazza did not start: $(tail -n 5 "$TMP/piazza.err")"
PZ_PORT=$(sed -n 's#.*piazza listening on http://[^/]*:\([0-9][0-9]*\)/.*#\1#p' "$TMP/piazza.out" | head -n 1)
PZ=http://127.0.0.1:$PZ_PORT

# Idle memory: after start, before any request.
sleep 2
IDLE_RSS=$(kb "$PIAZZA_PID" VmRSS)
THREADS_IDLE=$(kb "$PIAZZA_PID" Threads)

curl -sf "$PZ/healthz" -o "$TMP/healthz.body" || die "GET /healthz failed"
ME_CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$PZ/api/v1/me")
[ "$ME_CODE" = 200 ] || die "GET /api/v1/me with the token answered $ME_CODE"
PZ_VERSION=$(curl -s "$PZ/api/v1/version" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')

# --- tracking: a link to follow and the workspace's pixel ----------------------
api() { # api METHOD PATH [JSON]: the answer's body, with the bench owner's token
    curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data "$3"} "$PZ$2"
}
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }
new_link() { api POST /api/v1/links '{"url":"https://www.example.com/landing?lang=it"}'; }
LINK_JSON=$(new_link) || die "POST /api/v1/links failed"
LINK_SLUG=$(echo "$LINK_JSON" | json_field slug)
SITE=$(api GET /api/v1/workspace | json_field slug)
[ -n "$LINK_SLUG" ] && [ -n "$SITE" ] || die "no link slug or workspace slug"
REDIRECT_CODE=$(curl -s -o /dev/null -w '%{http_code}' "$PZ/l/$LINK_SLUG")
[ "$REDIRECT_CODE" = 302 ] || die "GET /l/$LINK_SLUG answered $REDIRECT_CODE"
PIXEL_BYTES=$(curl -sf "$PZ/t/$SITE.gif?e=bench_warmup" | wc -c)
[ "$PIXEL_BYTES" = 43 ] || die "the pixel answered $PIXEL_BYTES bytes, not 43"

# --- nginx: the same bytes as a static file -----------------------------------
mkdir -p "$TMP/www" "$TMP/log" "$TMP/tmp"
cp "$TMP/healthz.body" "$TMP/www/healthz"
NG_PORT=$(free_port)
cat >"$TMP/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/log/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/tmp/body;
    proxy_temp_path $TMP/tmp/proxy;
    fastcgi_temp_path $TMP/tmp/fastcgi;
    uwsgi_temp_path $TMP/tmp/uwsgi;
    scgi_temp_path $TMP/tmp/scgi;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $TMP/www;
        location = /healthz { default_type application/json; }
    }
}
EOF
"$NGINX" -p "$TMP" -e "$TMP/log/error.log" -c "$TMP/nginx.conf" >"$TMP/nginx.out" 2>&1 &
NGINX_PID=$!
NG=http://127.0.0.1:$NG_PORT
nginx_up() { curl -sf -o /dev/null "$NG/healthz"; }
wait_for 10 nginx_up || die "nginx did not start: $(tail -n 3 "$TMP/log/error.log")"
cmp -s "$TMP/healthz.body" <(curl -s "$NG/healthz") || die "nginx does not serve the same bytes as piazza"

# --- load ------------------------------------------------------------------------
ERR_LINES_BEFORE=$(wc -l <"$TMP/piazza.err")
WRK=(wrk -t"$THREADS" -c"$CONNS" --latency)

# run NAME URL [HEADER]: a 1 s warm-up, then the measured run; fills R_* vars.
# CPU ticks used so far by the server a target measures (nginx: its workers).
server_ticks() {
    local pid s=0
    if [ "$1" = nginx-static ]; then
        for pid in $(pgrep -P "$NGINX_PID"); do
            s=$((s + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
        done
        echo "$s"
    else
        awk '{print $14 + $15}' "/proc/$PIAZZA_PID/stat"
    fi
}
TICK=$(getconf CLK_TCK)

run() {
    local name=$1 url=$2 out=$TMP/wrk-$1.txt t0 t1
    shift 2
    "${WRK[@]}" -d1s "$@" "$url" >/dev/null 2>&1
    t0=$(server_ticks "$name")
    "${WRK[@]}" -d"${SECONDS_EACH}s" "$@" "$url" >"$out" 2>&1 || die "wrk failed on $url: $(tail -n 3 "$out")"
    t1=$(server_ticks "$name")
    awk -v name="$name" -v ticks=$((t1 - t0)) -v tick="$TICK" '
        /^Requests\/sec:/ { rps = $2 }
        $1 == "Latency" && NF >= 5 { avg = $2 }
        $1 == "50%" { p50 = $2 }
        $1 == "99%" { p99 = $2 }
        /requests in/ { n = $1 }
        /Non-2xx or 3xx responses:/ { bad = $NF }
        /Socket errors:/ { gsub(",", ""); serr = $4 + $6 + $8 + $10 }
        END { printf "%s %s %s %s %s %s %d %d %.2f\n", name, rps, avg, p50, p99, n, bad + 0, serr + 0,
              (n > 0 ? ticks / tick * 1e6 / n : 0) }
    ' "$out" >>"$TMP/results"
}

: >"$TMP/results"
# The targets take turns, ROUNDS times, and each is judged by its median run: other work on
# the machine then weighs on all of them alike instead of on whichever ran at a bad moment.
echo "wrk -t$THREADS -c$CONNS -d${SECONDS_EACH}s, $ROUNDS rounds of five targets..." >&2
for round in $(seq "$ROUNDS"); do
    run nginx-static "$NG/healthz"
    run piazza-healthz "$PZ/healthz"
    run piazza-me "$PZ/api/v1/me" -H "Authorization: Bearer $TOKEN"
    run piazza-redirect "$PZ/l/$LINK_SLUG"
    run piazza-pixel "$PZ/t/$SITE.gif?e=bench_pixel"
done
cp "$TMP/results" "$TMP/results.all"
# Keep each target's median run (by requests/s).
sort -k1,1 -k2,2g "$TMP/results.all" | awk '
    { n[$1]++; line[$1, n[$1]] = $0 }
    END { for (k in n) print line[k, int((n[k] + 1) / 2)] }' | sort >"$TMP/results"
ROUND_RPS=$(awk '{r[$1] = r[$1] (r[$1] == "" ? "" : ", ") sprintf("%.0f", $2)} END {for (k in r) print k ": " r[k]}' "$TMP/results.all" | sort)

# --- counting runs: every hit wrk got an answer for is stored, and no other ------
# wrk stops in the middle of requests, so a timed run always leaves some answered
# by piazza but not counted by wrk. Here each wrk thread sends hits for about 3 s
# (at most 3 s worth at the measured rate), then only /healthz until the 10 s run
# ends, and counts the hit answers itself; piazza's count must equal it.
cat >"$TMP/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
    quota = tonumber(os.getenv("BENCH_QUOTA"))
    sent, answered = 0, 0
    hit = wrk.format("GET", os.getenv("BENCH_HIT_PATH"))
    idle = wrk.format("GET", "/healthz")
    stop_at = os.time() + 3
end
function request()
    -- Hits for at most about 3 s of the 10 s run, so the last ones are answered before wrk stops.
    if sent < quota and os.time() < stop_at then sent = sent + 1; return hit end
    return idle
end
function response(status, headers, body)
    if status == 302 or headers["Content-Type"] == "image/gif" then answered = answered + 1 end
end
function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do total = total + t:get("answered") end
    io.write(string.format("hits answered: %d\n", total))
end
LUA
count_run() { # count_run NAME PATH: prints "answered"
    local rate quota
    rate=$(awk -v n="$1" '$1 == n {printf "%d", $2}' "$TMP/results")
    quota=$((rate * 3 / THREADS + 1))
    BENCH_QUOTA=$quota BENCH_HIT_PATH=$2 "${WRK[@]}" -d10s -s "$TMP/count.lua" "$PZ/healthz" \
        >"$TMP/count-$1.txt" 2>&1 || die "wrk counting run failed: $(tail -n 3 "$TMP/count-$1.txt")"
    sed -n 's/^hits answered: //p' "$TMP/count-$1.txt"
}
echo "counting runs..." >&2
COUNT_LINK_JSON=$(new_link) || die "POST /api/v1/links failed"
COUNT_LINK_ID=$(echo "$COUNT_LINK_JSON" | json_field id)
COUNT_LINK_SLUG=$(echo "$COUNT_LINK_JSON" | json_field slug)
REDIRECT_ANSWERED=$(count_run piazza-redirect "/l/$COUNT_LINK_SLUG")
# Reading a link waits for the hits answered before it to be written.
REDIRECT_STORED=$(api GET "/api/v1/links/$COUNT_LINK_ID" | json_field clicks)
TODAY=$(date -u +%Y-%m-%d)
COUNT_OBJ_ID=$(api POST /api/v1/objectives "{\"name\":\"bench\",\"metric\":\"conversions\",\"event\":\"bench_count\",\"target\":1,\"start\":\"$TODAY\",\"end\":\"$TODAY\"}" | json_field id)
PIXEL_ANSWERED=$(count_run piazza-pixel "/t/$SITE.gif?e=bench_count")
PIXEL_STORED=$(api GET "/api/v1/objectives/$COUNT_OBJ_ID/report" | sed -n 's/.*"progress":{"value":\([0-9]*\).*/\1/p')
count_verdict() { [ -n "$1" ] && [ "$1" = "$2" ] && [ "$1" -gt 0 ] && echo PASS || echo MISS; }
REDIRECT_COUNT_VERDICT=$(count_verdict "$REDIRECT_ANSWERED" "$REDIRECT_STORED")
PIXEL_COUNT_VERDICT=$(count_verdict "$PIXEL_ANSWERED" "$PIXEL_STORED")

sleep 1
LOAD_RSS=$(kb "$PIAZZA_PID" VmRSS)
LOAD_ANON=$(kb "$PIAZZA_PID" RssAnon)
LOAD_FILE=$(kb "$PIAZZA_PID" RssFile)
PEAK_RSS=$(kb "$PIAZZA_PID" VmHWM)
THREADS_LOAD=$(kb "$PIAZZA_PID" Threads)
ERR_LINES=$(($(wc -l <"$TMP/piazza.err") - ERR_LINES_BEFORE))
TOTAL_PZ_REQ=$(awk '$1 ~ /^piazza/ {s += $6} END {print s + 0}' "$TMP/results.all")

stop "$NGINX_PID"
NGINX_PID=
stop "$PIAZZA_PID"
PIAZZA_PID=

# --- figures -----------------------------------------------------------------------
rps() { awk -v n="$1" '$1 == n {print $2}' "$TMP/results"; }
NG_RPS=$(rps nginx-static)
HZ_RPS=$(rps piazza-healthz)
ME_RPS=$(rps piazza-me)
RD_RPS=$(rps piazza-redirect)
PX_RPS=$(rps piazza-pixel)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
HZ_RATIO=$(ratio "$HZ_RPS" "$NG_RPS")
ME_RATIO=$(ratio "$ME_RPS" "$NG_RPS")
RD_RATIO=$(ratio "$RD_RPS" "$NG_RPS")
cpu() { awk -v n="$1" '$1 == n {print $9}' "$TMP/results"; }
RD_CPU_RATIO=$(ratio "$(cpu nginx-static)" "$(cpu piazza-redirect)")
PX_CPU_RATIO=$(ratio "$(cpu nginx-static)" "$(cpu piazza-pixel)")
PX_RATIO=$(ratio "$PX_RPS" "$NG_RPS")
verdict() { awk -v c="$1" 'BEGIN {print (c ? "PASS" : "MISS")}'; }
HZ_VERDICT=$(verdict "$(awk -v r="$HZ_RATIO" 'BEGIN {print (r + 0 >= 1.0)}')")
IDLE_VERDICT=$(verdict "$((IDLE_RSS < IDLE_TARGET_KB))")
RD_VERDICT=$(verdict "$(awk -v r="$RD_RATIO" 'BEGIN {print (r + 0 >= 1.0)}')")
PX_VERDICT=$(verdict "$(awk -v r="$PX_RATIO" 'BEGIN {print (r + 0 >= 1.0)}')")
# p99 as wrk prints it (us, ms or s) in milliseconds.
p99_ms() { awk -v n="$1" '$1 == n {v = $5; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    print (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : v))}' "$TMP/results"; }
RD_P99=$(p99_ms piazza-redirect)
PX_P99=$(p99_ms piazza-pixel)
RD_P99_VERDICT=$(verdict "$(awk -v p="$RD_P99" 'BEGIN {print (p + 0 < 5)}')")
PX_P99_VERDICT=$(verdict "$(awk -v p="$PX_P99" 'BEGIN {print (p + 0 < 5)}')")
BAD=$(awk '{s += $7 + $8} END {print s + 0}' "$TMP/results.all")

table() {
    echo "| target | requests/s | avg latency | p50 | p99 | requests | non-2xx | socket errors | server CPU per request |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk '{
        label = $1
        if ($1 == "nginx-static") label = "nginx static file `/healthz`"
        if ($1 == "piazza-healthz") label = "piazza `GET /healthz`"
        if ($1 == "piazza-me") label = "piazza `GET /api/v1/me` (bearer token)"
        if ($1 == "piazza-redirect") label = "piazza tracked link `GET /l/{slug}` (302, click stored)"
        if ($1 == "piazza-pixel") label = "piazza pixel `GET /t/{site}.gif` (hit stored)"
        printf "| %s | %.0f | %s | %s | %s | %s | %s | %s | %s us |\n", label, $2, $3, $4, $5, $6, $7, $8, $9
    }' "$TMP/results"
}

echo
table
echo
echo "piazza/nginx  /healthz: ${HZ_RATIO}x ($HZ_VERDICT, target >= 1.0x)   /api/v1/me: ${ME_RATIO}x"
echo "server CPU per request: nginx $(cpu nginx-static) us, redirect $(cpu piazza-redirect) us, pixel $(cpu piazza-pixel) us, healthz $(cpu piazza-healthz) us"
echo "tracking/nginx  redirect: ${RD_RATIO}x ($RD_VERDICT), p99 ${RD_P99} ms ($RD_P99_VERDICT, < 5 ms)   pixel: ${PX_RATIO}x ($PX_VERDICT), p99 ${PX_P99} ms ($PX_P99_VERDICT)"
echo "counting runs: redirect answered $REDIRECT_ANSWERED, stored $REDIRECT_STORED ($REDIRECT_COUNT_VERDICT); pixel answered $PIXEL_ANSWERED, stored $PIXEL_STORED ($PIXEL_COUNT_VERDICT)"
echo "piazza memory idle $(mb "$IDLE_RSS") MB ($IDLE_VERDICT, target < 16 MB), after load $(mb "$LOAD_RSS") MB, peak $(mb "$PEAK_RSS") MB"
echo "piazza after load: $(mb "$LOAD_ANON") MB anonymous, $(mb "$LOAD_FILE") MB of mapped files (the database read through SQLite's memory map)"
echo "piazza stderr lines during the load: $ERR_LINES for $TOTAL_PZ_REQ requests (--log-level $LOG_LEVEL)"
[ "$BAD" -eq 0 ] || echo "warning: $BAD non-2xx answers or socket errors; figures are suspect" >&2

[ "$REPORT" = - ] && exit 0

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
[ -n "$CPU" ] || CPU=$(uname -m)
NGINX_V=$("$NGINX" -v 2>&1 | sed 's/^nginx version: nginx\///')
WRK_V=$(wrk -v 2>&1 | head -n 1 | awk '{print $2}')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$ERR_LINES" -eq 0 ]; then
    LOG_NOTE="at \`--log-level $LOG_LEVEL\` piazza wrote no log line during the load (its one-line-per-request access log is at info level), so the figures do not include logging."
else
    LOG_NOTE="piazza wrote $ERR_LINES lines to stderr during the load ($TOTAL_PZ_REQ requests) even at \`--log-level $LOG_LEVEL\`; stderr went to a file on disk, and the figures include that cost."
fi

# Notes written by hand at the end of the report (what a change measured, and why) are kept:
# from NOTES_MARK up to the next section another script writes between its own markers.
NOTES_MARK='<!-- notes written by hand: bench/run.sh keeps them from this line on -->'
NOTES=""
if [ -f "$REPORT" ]; then
    NOTES=$(awk -v m="$NOTES_MARK" '$0 == m {on = 1} on && /^<!-- [a-z]+ benchmark: written by / {on = 0} on' "$REPORT")
fi

mkdir -p "$(dirname "$REPORT")"
{
    echo "# Benchmarks"
    echo
    echo "Written by \`bench/run.sh\`; do not edit by hand, except the notes at the end (kept from their marker on). Re-run with:"
    echo
    echo '```'
    echo "make bench"
    echo '```'
    echo
    echo "(\`BENCH_SECONDS=N make bench\` changes the length of each run.)"
    echo
    echo "## Machine and versions"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $CPU, $(nproc) cores available; $(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) memory"
    echo "- kernel: $(uname -sr)"
    echo "- piazza $PZ_VERSION (commit $COMMIT), release build \`build/piazza\`"
    echo "- nginx $NGINX_V, wrk $WRK_V"
    echo
    echo "## Method"
    echo
    echo "Everything on loopback, one after the other, in the same run: wrk shares the cores with the"
    echo "server it measures, so the figures compare servers on this machine, not absolute capacity."
    echo
    echo "- load: \`wrk -t$THREADS -c$CONNS -d${SECONDS_EACH}s --latency URL\` for each target, after a 1 s warm-up;"
    echo "  the five targets take turns for $ROUNDS rounds and each row below is that target's median run"
    echo "  (so other work on the machine weighs on all of them alike)."
    echo "- nginx: \`worker_processes auto\`, \`access_log off\`, \`sendfile on\`, keep-alive on"
    echo "  (\`keepalive_requests 1000000\`), serving a file that holds exactly the bytes of piazza's"
    echo "  \`/healthz\` answer ($(wc -c <"$TMP/healthz.body") bytes)."
    echo "- piazza: \`piazza serve --db <temp> --listen 127.0.0.1:0 --log-level $LOG_LEVEL\`, stderr to a file;"
    echo "  an owner made by \`piazza user add\` and a token by \`piazza token create\`, on an otherwise empty"
    echo "  SQLite database."
    echo "- server CPU per request: user + system time of the server's processes (nginx: its workers;"
    echo "  piazza: all its threads, the tracking writer included) over the measured run, divided by"
    echo "  the requests wrk completed. It does not depend on what else the machine runs, as requests/s does."
    echo "- logging: $LOG_NOTE"
    echo "- memory: VmRSS from \`/proc/PID/status\` 2 s after start before any request (idle), and after the"
    echo "  all runs; VmHWM is the peak. Threads: $THREADS_IDLE idle, $THREADS_LOAD after load."
    echo
    echo "## Results"
    echo
    table
    echo
    echo "Requests/s of every round:"
    echo
    echo "$ROUND_RPS" | sed 's/^/- /'
    echo
    echo "| measure | value |"
    echo "|---|---:|"
    echo "| piazza \`/healthz\` / nginx static | ${HZ_RATIO}× |"
    echo "| piazza \`/api/v1/me\` / nginx static | ${ME_RATIO}× |"
    echo "| piazza tracked link \`/l/{slug}\` / nginx static | ${RD_RATIO}× |"
    echo "| piazza pixel \`/t/{site}.gif\` / nginx static | ${PX_RATIO}× |"
    echo "| nginx CPU per request / piazza tracked link CPU per request | ${RD_CPU_RATIO}× |"
    echo "| nginx CPU per request / piazza pixel CPU per request | ${PX_CPU_RATIO}× |"
    echo "| piazza resident memory, idle | $(mb "$IDLE_RSS") MB |"
    echo "| piazza resident memory, after load | $(mb "$LOAD_RSS") MB |"
    echo "| piazza resident memory, peak | $(mb "$PEAK_RSS") MB |"
    echo "| of which after load: anonymous / mapped files (the database, through SQLite's memory map) | $(mb "$LOAD_ANON") MB / $(mb "$LOAD_FILE") MB |"
    echo
    echo "## Targets (the design's performance budget)"
    echo
    echo "| target | measured | verdict |"
    echo "|---|---:|---|"
    echo "| \`GET /healthz\` at least 1.0× nginx's static-file rate | ${HZ_RATIO}× | $HZ_VERDICT |"
    echo "| idle server under 16 MB resident | $(mb "$IDLE_RSS") MB | $IDLE_VERDICT |"
    echo "| tracked link hits recorded at least at nginx's static-file rate | ${RD_RATIO}× | $RD_VERDICT |"
    echo "| pixel hits recorded at least at nginx's static-file rate | ${PX_RATIO}× | $PX_VERDICT |"
    echo "| tracked link p99 under 5 ms (wrk -c$CONNS) | ${RD_P99} ms | $RD_P99_VERDICT |"
    echo "| pixel p99 under 5 ms (wrk -c$CONNS) | ${PX_P99} ms | $PX_P99_VERDICT |"
    echo "| clicks stored = redirect answers wrk counted | $REDIRECT_STORED of $REDIRECT_ANSWERED | $REDIRECT_COUNT_VERDICT |"
    echo "| pixel hits stored = pixel answers wrk counted | $PIXEL_STORED of $PIXEL_ANSWERED | $PIXEL_COUNT_VERDICT |"
    echo
    echo "Tracking hits are queued in memory and written by one writer thread in batches"
    echo "(\`src/goals/track.c\`); a hit is stored before the next read of the figures. The counting"
    echo "runs use \`wrk -t$THREADS -c$CONNS -d10s -s count.lua\`: each wrk thread sends hits for about 3 s"
    echo "(at most 3 s worth at the measured rate), then \`/healthz\` only, and counts the hit answers it received;"
    echo "piazza's count (\`GET /api/v1/links/{id}\` clicks, the pixel objective's progress) must equal it."
    if [ "$BAD" -ne 0 ]; then
        echo
        echo "**Warning:** $BAD non-2xx answers or socket errors during the runs; the figures are suspect."
    fi
    if [ -n "$NOTES" ]; then
        echo
        printf '%s\n' "$NOTES"
    fi
} >"$REPORT.tmp" && mv "$REPORT.tmp" "$REPORT"
echo "wrote ${REPORT#"$ROOT"/}"

# Contacts at 100,000 (issue 3) add their own section to the same report.
bash "$ROOT/bench/contacts/run.sh" || exit 1
# Conversations at 1,000,000 messages (issue 4): parse, import, list and search.
bash "$ROOT/bench/inbox/run.sh" || exit 1

# Live updates (issue 4): idle event streams, their memory and one event's fan-out.
bash "$ROOT/bench/stream/run.sh" || exit 1
