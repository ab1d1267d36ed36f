#!/usr/bin/env bash
# Loopback test of the shipped nginx configuration (deploy/nginx/piazza.conf)
# in front of the real piazza binary.
#
# It makes a throwaway self-signed certificate, renders the shipped file for
# 127.0.0.1 and high ports by substituting only the example values that
# docs/deploy.md tells an operator to change, wraps it in a minimal nginx.conf
# whose pid, logs and temp files live in a temporary folder (so it runs as any
# user and touches nothing under /etc or /var), starts piazza and nginx, and
# checks with curl what a browser would see. It stops only the processes it
# started, by pid, and ends with one line "N passed, N failed".
#
# Needs: nginx (with ssl and http_v2), openssl, curl, and build/piazza (`make`).
# Environment: PIAZZA_BIN to test another binary; KEEP_TMP=1 to keep the folder.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PIAZZA_BIN=${PIAZZA_BIN:-$ROOT/build/piazza}
CONF_SRC=$ROOT/deploy/nginx/piazza.conf
HOST=piazza.test

passed=0
failed=0
ok()   { passed=$((passed + 1)); printf 'ok   - %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL - %s\n' "$1"; [ $# -gt 1 ] && printf '       %s\n' "$2"; }
check() { # check NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/piazza-nginx.XXXXXX")
NGINX_PID=
PIAZZA_PID=

# stop PID: TERM, wait up to 5 s, then KILL; only ever a pid we started.
stop() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    STOP_RC=$?
    return 0
}
STOP_RC=0

finish() {
    stop "$NGINX_PID"
    NGINX_PID=
    stop "$PIAZZA_PID"
    PIAZZA_PID=
    if [ "${KEEP_TMP:-0}" = 1 ]; then
        echo "kept $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap finish EXIT
trap 'exit 1' INT TERM

# A port nobody answers on now. Racy in theory; nginx failing to bind is
# reported by the start check below.
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

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds.
wait_for() {
    local n=$(($1 * 10)) i
    shift
    for i in $(seq "$n"); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

done_line() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

for tool in nginx openssl curl; do
    if ! command -v "$tool" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$tool" ]; then
        fail "tool $tool is installed"
        done_line
    fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$PIAZZA_BIN" ]; then
    fail "piazza binary exists" "$PIAZZA_BIN is missing: run make"
    done_line
fi

mkdir -p "$TMP/log" "$TMP/tmp" "$TMP/www"
# nginx workers drop to an unprivileged user when started by root; they must
# be able to reach their temp folders.
chmod 755 "$TMP"

HTTPS_PORT=$(free_port)
HTTP_PORT=$(free_port)
while [ "$HTTP_PORT" = "$HTTPS_PORT" ]; do HTTP_PORT=$(free_port); done

# --- certificate --------------------------------------------------------------
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$HOST" \
        -addext "subjectAltName=DNS:$HOST" \
        -keyout "$TMP/privkey.pem" -out "$TMP/fullchain.pem" >"$TMP/openssl.log" 2>&1; then
    ok "self-signed certificate generated"
else
    fail "self-signed certificate generated" "$(tail -n 3 "$TMP/openssl.log")"
    done_line
fi

# --- piazza -------------------------------------------------------------------
# An owner and a token made with the CLI, to read the audit log later.
DB=$TMP/piazza.db
PW="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
TOKEN=
if "$PIAZZA_BIN" migrate --db "$DB" >"$TMP/cli.log" 2>&1 &&
    printf '%s\n' "$PW" | "$PIAZZA_BIN" user add --db "$DB" --email owner@piazza.test \
        --name Owner --role owner --password-stdin >>"$TMP/cli.log" 2>&1; then
    TOKEN=$("$PIAZZA_BIN" token create --db "$DB" --email owner@piazza.test --name deploy-test 2>>"$TMP/cli.log" | tail -n 1)
fi
case $TOKEN in
pz_*) ok "owner and API token created with the CLI" ;;
*) fail "owner and API token created with the CLI" "$(tail -n 3 "$TMP/cli.log" | tr '\n' ' ')" ;;
esac

"$PIAZZA_BIN" serve --db "$DB" --listen 127.0.0.1:0 \
    --public-url "https://$HOST:$HTTPS_PORT" >"$TMP/piazza.out" 2>"$TMP/piazza.err" &
PIAZZA_PID=$!
listening() { grep -q 'piazza listening on http://' "$TMP/piazza.out" 2>/dev/null; }
if wait_for 10 listening; then
    PZ_PORT=$(sed -n 's#.*piazza listening on http://[^/]*:\([0-9][0-9]*\)/.*#\1#p' "$TMP/piazza.out" | head -n 1)
    ok "piazza started (port $PZ_PORT)"
else
    fail "piazza started" "$(tail -n 5 "$TMP/piazza.err")"
    done_line
fi

# --- render the shipped configuration -----------------------------------------
# Only the values that docs/deploy.md lists as "to change" are substituted;
# the IPv6 listen lines are dropped since a test sandbox may have no IPv6.
sed -e "/listen \[::\]:/d" \
    -e "s#listen 443 #listen 127.0.0.1:$HTTPS_PORT #" \
    -e "s#listen 80 #listen 127.0.0.1:$HTTP_PORT #" \
    -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
    -e "s#/etc/letsencrypt/live/piazza.example.com/#$TMP/#" \
    -e "s#piazza\.example\.com#$HOST#g" \
    -e "s#127\.0\.0\.1:8080#127.0.0.1:$PZ_PORT#" \
    -e "s#/var/log/nginx/#$TMP/log/#" \
    -e "s#/var/www/letsencrypt#$TMP/www#" \
    "$CONF_SRC" >"$TMP/piazza.conf"

# Every substitution must have matched: no example value may survive.
if grep -vE '^[[:space:]]*#' "$TMP/piazza.conf" |
        grep -E 'example\.com|:8080|/etc/|/var/|listen (80|443)[ ;]' >"$TMP/leftover" 2>&1; then
    fail "shipped file rendered for loopback" "left: $(head -n 3 "$TMP/leftover" | tr '\n' ' ')"
else
    ok "shipped file rendered for loopback"
fi

cat >"$TMP/nginx.conf" <<EOF
# test wrapper: what /etc/nginx/nginx.conf provides on a real host
worker_processes 1;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/log/error.log warn;
events { worker_connections 256; }
http {
    default_type application/octet-stream;
    client_body_temp_path $TMP/tmp/body;
    proxy_temp_path       $TMP/tmp/proxy;
    fastcgi_temp_path     $TMP/tmp/fastcgi;
    uwsgi_temp_path       $TMP/tmp/uwsgi;
    scgi_temp_path        $TMP/tmp/scgi;
    access_log $TMP/log/access.log;
    include $TMP/piazza.conf;
}
EOF

if "$NGINX" -t -p "$TMP" -e "$TMP/log/error.log" -c "$TMP/nginx.conf" >"$TMP/nginx-t.log" 2>&1; then
    ok "nginx -t accepts the configuration"
else
    fail "nginx -t accepts the configuration" "$(grep -v '^$' "$TMP/nginx-t.log" | tail -n 3 | tr '\n' ' ')"
    done_line
fi

"$NGINX" -p "$TMP" -e "$TMP/log/error.log" -c "$TMP/nginx.conf" >"$TMP/nginx.out" 2>&1 &
NGINX_PID=$!
https_up() { curl -sk -o /dev/null --max-time 2 --resolve "$HOST:$HTTPS_PORT:127.0.0.1" "https://$HOST:$HTTPS_PORT/healthz"; }
if wait_for 10 https_up; then
    ok "nginx started (https $HTTPS_PORT, http $HTTP_PORT)"
else
    fail "nginx started" "$(tail -n 3 "$TMP/log/error.log" 2>/dev/null | tr '\n' ' ')"
    done_line
fi

CURL=(curl -sk --max-time 10 --resolve "$HOST:$HTTPS_PORT:127.0.0.1" --resolve "$HOST:$HTTP_PORT:127.0.0.1")
BASE=https://$HOST:$HTTPS_PORT

# --- HTTPS, HTTP/2, health ------------------------------------------------------
out=$("${CURL[@]}" -D "$TMP/h1" -o "$TMP/b1" -w '%{http_code} %{http_version}' "$BASE/healthz")
check "HTTPS /healthz through nginx answers 200" "200" "${out% *}"
check "HTTPS /healthz is served over HTTP/2" "2" "${out#* }"
body=$(tr -d ' \n' <"$TMP/b1")
check "/healthz body is {\"status\":\"ok\"}" '{"status":"ok"}' "$body"
hsts=$(grep -i '^strict-transport-security:' "$TMP/h1" | tr -d '\r')
case $hsts in
*max-age=6307200*) ok "answer carries Strict-Transport-Security ($hsts)" ;;
*) fail "answer carries Strict-Transport-Security" "got [$hsts]" ;;
esac
if grep -qi '^server: nginx/' "$TMP/h1"; then
    fail "nginx version hidden (server_tokens off)" "$(grep -i '^server:' "$TMP/h1")"
else
    ok "nginx version hidden (server_tokens off)"
fi

# An API error passes through unchanged, JSON and all, with HSTS added.
out=$("${CURL[@]}" -D "$TMP/h2" -o "$TMP/b2" -w '%{http_code}' "$BASE/api/v1/me")
code=$(grep -o '"code":"[^"]*"' "$TMP/b2" | head -n 1)
check "GET /api/v1/me without auth → 401 auth.required through nginx" '401 "code":"auth.required"' "$out $code"
if grep -qi '^strict-transport-security:' "$TMP/h2"; then
    ok "error answers carry Strict-Transport-Security too"
else
    fail "error answers carry Strict-Transport-Security too"
fi

# --- TLS versions -----------------------------------------------------------------
out=$("${CURL[@]}" -o /dev/null -w '%{http_code}' --tlsv1.2 --tls-max 1.2 "$BASE/healthz")
check "TLS 1.2 is accepted" "200" "$out"
out=$("${CURL[@]}" -o /dev/null -w '%{http_code}' --tlsv1.3 "$BASE/healthz")
check "TLS 1.3 is accepted" "200" "$out"
if "${CURL[@]}" -o /dev/null --tlsv1.1 --tls-max 1.1 "$BASE/healthz" 2>/dev/null; then
    fail "TLS 1.1 is refused"
else
    ok "TLS 1.1 is refused"
fi

# --- HTTP → HTTPS -------------------------------------------------------------------
out=$("${CURL[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "http://$HOST:$HTTP_PORT/healthz?x=1")
check "http:// answers 301 to https://" "301 https://$HOST/healthz?x=1" "$out"

# --- other hosts --------------------------------------------------------------------
# Right SNI, wrong Host header: nginx's default server answers 421.
out=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -H "Host: evil.example" "$BASE/healthz")
case $out in
2*|3*) fail "HTTPS request with a bogus Host is refused" "got $out" ;;
*) ok "HTTPS request with a bogus Host is refused ($out)" ;;
esac
# Unknown SNI name: the TLS handshake itself is refused.
curl -sk --max-time 5 -o /dev/null --resolve "evil.example:$HTTPS_PORT:127.0.0.1" \
    "https://evil.example:$HTTPS_PORT/healthz" 2>/dev/null
rc=$?
if [ "$rc" -ne 0 ]; then ok "TLS handshake for an unknown name is refused (curl exit $rc)"; else fail "TLS handshake for an unknown name is refused"; fi
# Plain HTTP with a bogus Host: connection closed without an answer.
out=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Host: evil.example" "http://127.0.0.1:$HTTP_PORT/")
case $out in
2*|3*) fail "HTTP request with a bogus Host is refused" "got $out" ;;
*) ok "HTTP request with a bogus Host is refused ($out)" ;;
esac
# piazza's own allow-list, for anyone who reaches its port directly.
out=$(curl -s --max-time 5 -o "$TMP/b3" -w '%{http_code}' -H "Host: evil.example" "http://127.0.0.1:$PZ_PORT/healthz")
code=$(grep -o '"code":"[^"]*"' "$TMP/b3" | head -n 1)
check "piazza itself answers a bogus Host with 421 http.bad_host" '421 "code":"http.bad_host"' "$out $code"
out=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Host: $HOST:$HTTPS_PORT" "http://127.0.0.1:$PZ_PORT/healthz")
check "piazza accepts the host of --public-url" "200" "$out"

# --- limits ---------------------------------------------------------------------------
head -c 70000 /dev/zero | tr '\0' 'a' >"$TMP/big.json"
out=$("${CURL[@]}" -o "$TMP/b4" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$TMP/big.json" "$BASE/api/v1/session")
code=$(grep -o '"code":"[^"]*"' "$TMP/b4" | head -n 1)
check "a body over 64 KiB → 413 http.body_too_large from nginx" '413 "code":"http.body_too_large"' "$out $code"

# Sign-in flood: nginx counts POSTs to /api/v1/session per address (30/min,
# burst 20). Bodies that are not JSON cost piazza nothing (400), so every 429
# here comes from nginx. From 127.0.0.3, to leave other checks' address alone.
codes=$(for i in $(seq 30); do
    "${CURL[@]}" --interface 127.0.0.3 -o /dev/null -w '%{http_code}\n' --data 'x' "$BASE/api/v1/session"
done | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')
case $codes in
*×429*) ok "a sign-in flood is slowed by nginx ($codes)" ;;
*) fail "a sign-in flood is slowed by nginx" "got $codes" ;;
esac

# Slow client: send half a request head and nothing more; nginx must hang up
# after client_header_timeout (10 s), not keep the connection for ever.
start=$(date +%s)
(
    exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT" || exit 2
    printf 'GET /healthz HTTP/1.1\r\nHost: %s\r\n' "$HOST" >&3
    timeout 20 cat <&3 >/dev/null  # ends on close or reset; 124 on timeout
) 2>/dev/null
rc=$?
elapsed=$(($(date +%s) - start))
if [ "$rc" -ne 124 ] && [ "$rc" -ne 2 ] && [ "$elapsed" -le 15 ]; then
    ok "a client stalling in its headers is cut off (after ${elapsed}s)"
else
    fail "a client stalling in its headers is cut off" "exit $rc after ${elapsed}s"
fi

# --- forwarding -------------------------------------------------------------------------
# A sign-in through nginx from 127.0.0.2 (loopback answers on all of 127/8)
# with forged address headers: piazza must record 127.0.0.2, the address nginx
# saw, in its audit log, and mark the session cookie Secure (https public URL).
out=$("${CURL[@]}" --interface 127.0.0.2 -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' -H 'X-Real-IP: 203.0.113.9' -H 'X-Forwarded-For: 203.0.113.9' \
    --data '{"email":"owner@piazza.test","password":"not-the-password-1"}' "$BASE/api/v1/session")
check "wrong password through nginx → 401" "401" "$out"
out=$("${CURL[@]}" --interface 127.0.0.2 -D "$TMP/h5" -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' \
    --data "{\"email\":\"owner@piazza.test\",\"password\":\"$PW\"}" "$BASE/api/v1/session")
check "sign-in through nginx → 200" "200" "$out"
cookie=$(grep -i '^set-cookie: *piazza_session=' "$TMP/h5" | tr -d '\r')
case $cookie in
*[Ss]ecure*) ok "session cookie is Secure behind the https public URL" ;;
*) fail "session cookie is Secure behind the https public URL" "got [$cookie]" ;;
esac
"${CURL[@]}" -o "$TMP/audit.json" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/audit?limit=10"
ips=$(grep -o '"ip":"[^"]*"' "$TMP/audit.json" | sort -u | tr '\n' ' ')
case $ips in
*'"ip":"127.0.0.2"'*) ok "audit log records the client address nginx saw ($ips)" ;;
*) fail "audit log records the client address nginx saw" "ips: [$ips]" ;;
esac
case $ips in
*203.0.113.9*) fail "a client cannot forge its address through nginx" "ips: [$ips]" ;;
*) ok "a client cannot forge its address through nginx" ;;
esac
if grep -qF 'proxy_set_header X-Forwarded-Proto $scheme;' "$TMP/piazza.conf"; then
    ok "forwards X-Forwarded-Proto"
else
    fail "forwards X-Forwarded-Proto"
fi
if "$NGINX" -T -p "$TMP" -e "$TMP/log/error.log" -c "$TMP/nginx.conf" 2>/dev/null |
        awk '/location = \/api\/v1\/stream/ {s=1} s && /proxy_buffering off;/ {f=1} s && /^    }/ {s=0} END {exit !f}'; then
    ok "buffering off for /api/v1/stream"
else
    fail "buffering off for /api/v1/stream"
fi

# piazza logged the proxied requests and nothing went wrong in nginx.
if grep -q '\[emerg\]\|\[alert\]\|\[crit\]' "$TMP/log/error.log" 2>/dev/null; then
    fail "nginx error log has no emerg/alert/crit" "$(grep '\[emerg\]\|\[alert\]\|\[crit\]' "$TMP/log/error.log" | head -n 2)"
else
    ok "nginx error log has no emerg/alert/crit"
fi

# --- stop ---------------------------------------------------------------------------------
stop "$NGINX_PID"
NGINX_PID=
stop "$PIAZZA_PID"
PIAZZA_PID=
check "piazza exits 0 on SIGTERM" "0" "$STOP_RC"
done_line
