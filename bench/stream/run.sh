#!/usr/bin/env bash
# The live updates benchmark (issue 4): how many idle server-sent event streams
# piazza holds, what they cost in memory and threads, and how fast one event
# reaches all of them. Alone:
#
#   bash bench/stream/run.sh
#
# It starts the release build on a temporary database (owner and API token made
# by the CLI), reads its resident memory (VmRSS) and threads, opens
# BENCH_STREAMS streams (default 500) to GET /api/v1/stream from one Node
# process (clients.mjs), reads memory and threads again, uploads a small import
# (whose `ready` event every stream must get) and reports the spread between
# the first and the last stream's copy, then closes the streams and reads
# memory once more after the server noticed (one keep-alive later). It stops
# piazza with SIGTERM and reports how long that took with the streams open.
#
# It prints a table and writes its section of BENCH_REPORT (default
# docs/BENCHMARKS.md) between the markers below, replacing an older one.
# Everything it starts it stops by pid; everything it writes is under a
# temporary folder, removed at the end.
#
# Environment:
#   BENCH_STREAMS  streams to open (default 500)
#   BENCH_REPORT   report file (default docs/BENCHMARKS.md; "-" writes none)
#   PIAZZA_BIN     binary to measure (default build/piazza)
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/stream
PIAZZA_BIN=${PIAZZA_BIN:-$ROOT/build/piazza}
N=${BENCH_STREAMS:-500}
REPORT=${BENCH_REPORT:-$ROOT/docs/BENCHMARKS.md}
BEGIN_MARK='<!-- stream benchmark: written by bench/stream/run.sh -->'
END_MARK='<!-- end of stream benchmark -->'
VCF=$ROOT/tests/fixtures/contacts/google_new.csv

die() { echo "bench/stream: $*" >&2; exit 1; }

for tool in curl node; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[ -x "$PIAZZA_BIN" ] || die "$PIAZZA_BIN is missing: build it first (make)"
case $N in '' | *[!0-9]* | 0) die "BENCH_STREAMS must be a positive integer" ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/piazza-bench-stream.XXXXXX")
PIAZZA_PID=
CLIENTS_PID=

stop() { # TERM, up to 10 s, then KILL; only pids this script started
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
finish() {
    exec 3>&- 4<&- 2>/dev/null
    stop "$CLIENTS_PID"
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
kb() { awk -v k="$2" '$1 == k ":" {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
now_ms() { date +%s%3N; }

DB=$TMP/piazza.db
"$PIAZZA_BIN" migrate --db "$DB" >"$TMP/cli.log" 2>&1 || die "piazza migrate failed"
PASSWORD="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASSWORD" | "$PIAZZA_BIN" user add --db "$DB" --email bench@example.com \
    --name Bench --role owner --password-stdin >>"$TMP/cli.log" 2>&1 || die "piazza user add failed"
TOKEN=$("$PIAZZA_BIN" token create --db "$DB" --email bench@example.com --name bench 2>>"$TMP/cli.log" | tail -n 1)
case $TOKEN in pz_*) ;; *) die "piazza token create gave no pz_ token" ;; esac

# Keep-alive every 2 s so closed streams are noticed quickly; room for N streams.
"$PIAZZA_BIN" serve --db "$DB" --listen 127.0.0.1:0 --log-level warn --max-streams "$N" \
    --stream-keepalive 2 >"$TMP/piazza.out" 2>"$TMP/piazza.err" &
PIAZZA_PID=$!
listening() { grep -q 'piazza listening on http://' "$TMP/piazza.out" 2>/dev/null; }
wait_for 10 listening || die "piazza did not start: $(tail -n 5 "$TMP/piazza.err")"
PORT=$(sed -n 's#.*piazza listening on http://[^/]*:\([0-9][0-9]*\)/.*#\1#p' "$TMP/piazza.out" | head -n 1)
PZ=http://127.0.0.1:$PORT
sleep 2
IDLE_RSS=$(kb "$PIAZZA_PID" VmRSS)
IDLE_THREADS=$(kb "$PIAZZA_PID" Threads)

# The clients, driven through two pipes.
mkfifo "$TMP/in" "$TMP/out"
node "$HERE/clients.mjs" "$PORT" "$TOKEN" "$N" <"$TMP/in" >"$TMP/out" 2>"$TMP/clients.err" &
CLIENTS_PID=$!
exec 3>"$TMP/in" 4<"$TMP/out"
ask() { # ask COMMAND: the clients' one-line answer (bounded wait)
    local line
    echo "$1" >&3
    read -r -t 120 line <&4 || die "the clients did not answer '$1': $(tail -n 5 "$TMP/clients.err")"
    echo "$line"
}

T0=$(now_ms)
OPENED=$(ask open)
OPEN_MS=$(($(now_ms) - T0))
case $OPENED in "open $N") ;; *) die "opening $N streams: $OPENED" ;; esac
sleep 5 # past two keep-alives, so every stream is idle and has written
OPEN_RSS=$(kb "$PIAZZA_PID" VmRSS)
OPEN_THREADS=$(kb "$PIAZZA_PID" Threads)
OPEN_FDS=$(ls "/proc/$PIAZZA_PID/fd" | wc -l)

# One event to all of them: an import job's `ready`.
JOB=$(curl -sf -H "Authorization: Bearer $TOKEN" -F "file=@$VCF" "$PZ/api/v1/imports") ||
    die "POST /api/v1/imports failed"
JOB_ID=$(echo "$JOB" | sed -n 's/.*"job":{"id":\([0-9]*\).*/\1/p')
[ -n "$JOB_ID" ] || die "no job id in $JOB"
GOT=$(ask "expect $JOB_ID")
SPREAD_MS=$(echo "$GOT" | awk '{print $3}')
case $GOT in "got $N "*) ;; *) die "the event reached: $GOT" ;; esac
sleep 3
AFTER_EVENT_RSS=$(kb "$PIAZZA_PID" VmRSS)

# SIGTERM with every stream open.
T0=$(now_ms)
kill -TERM "$PIAZZA_PID"
wait_for 30 sh -c "! kill -0 $PIAZZA_PID 2>/dev/null" || die "piazza did not stop within 30 s of SIGTERM"
STOP_MS=$(($(now_ms) - T0))
wait "$PIAZZA_PID"
STOP_RC=$?
PIAZZA_PID=
ask close >/dev/null

PER_STREAM_KB=$(awk -v a="$OPEN_RSS" -v b="$IDLE_RSS" -v n="$N" 'BEGIN {printf "%.1f", (a - b) / n}')
printf '%-44s %s\n' "streams open at once" "$N (opened in $OPEN_MS ms)" \
    "RSS idle, before any stream" "$(mb "$IDLE_RSS") MB, $IDLE_THREADS threads" \
    "RSS with $N idle streams" "$(mb "$OPEN_RSS") MB, $OPEN_THREADS threads, $OPEN_FDS fds" \
    "memory per idle stream" "$PER_STREAM_KB kB" \
    "RSS after one event to every stream" "$(mb "$AFTER_EVENT_RSS") MB" \
    "one event: first to last of $N streams" "$SPREAD_MS ms" \
    "SIGTERM with $N streams open" "exit $STOP_RC after $STOP_MS ms"
[ "$STOP_RC" = 0 ] || die "piazza exited $STOP_RC on SIGTERM: $(tail -n 5 "$TMP/piazza.err")"

[ "$REPORT" = - ] && exit 0
SECTION=$TMP/section.md
{
    echo "$BEGIN_MARK"
    echo
    echo "## Live updates: idle event streams"
    echo
    echo "\`bash bench/stream/run.sh\` on $(date -u +%Y-%m-%d) at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'),"
    echo "$(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the end. $N streams to GET /api/v1/stream"
    echo "from one Node process on loopback, one workspace, release build, 2 worker threads."
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| streams open at once | $N (all answered 200 and sent \`retry\`) |"
    echo "| RSS before any stream | $(mb "$IDLE_RSS") MB, $IDLE_THREADS threads |"
    echo "| RSS with $N idle streams | $(mb "$OPEN_RSS") MB, $OPEN_THREADS threads, $OPEN_FDS open files |"
    echo "| memory per idle stream | $PER_STREAM_KB kB |"
    echo "| RSS after one event reached every stream | $(mb "$AFTER_EVENT_RSS") MB |"
    echo "| one event, first to last of $N streams | $SPREAD_MS ms |"
    echo "| SIGTERM with $N streams open | exit $STOP_RC after $STOP_MS ms |"
    echo
    echo "The thread count does not move with the streams: a stream with nothing to send is"
    echo "suspended in libmicrohttpd and holds a connection and its buffers, not a thread."
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
echo "wrote the stream section of ${REPORT#"$ROOT"/}"
