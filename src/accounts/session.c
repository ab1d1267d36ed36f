/*
 * Sessions, the installation secret and CSRF tokens. See session.h.
 */
#include "accounts/session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

#define SEEN_EVERY_MS (60 * 1000)

/* Reads the stored secret into OUT; returns 1 when found, 0 when not, or a negative code. */
static int read_secret(struct pz_conn *conn, unsigned char out[32])
{
    struct pz_stmt *st;
    int r, found = 0;

    st = pz_sql(conn, "SELECT value FROM settings WHERE workspace_id = 0 AND key = 'secret'");
    if (!st)
        return PZ_EDB;
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        const char *v = pz_sql_text(st, 0);
        size_t bin_len = 0;
        if (v && sodium_hex2bin(out, 32, v, strlen(v), NULL, &bin_len, NULL) == 0 && bin_len == 32)
            found = 1;
    }
    pz_sql_done(st);
    return r < 0 ? r : found;
}

int accounts_secret(struct pz_conn *conn, unsigned char out[32])
{
    struct pz_stmt *st;
    char hex[65];
    int r = read_secret(conn, out);

    if (r != 0)
        return r < 0 ? r : 0;
    randombytes_buf(out, 32);
    pz_hex_encode(out, 32, hex, sizeof(hex));
    st = pz_sql(conn, "INSERT INTO settings (workspace_id, key, value) VALUES (0, 'secret', $1)"
                      " ON CONFLICT (workspace_id, key) DO NOTHING");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, hex);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (pz_sql_changes(conn) > 0)
        return 0;
    /* Another process stored one first: use theirs. */
    r = read_secret(conn, out);
    return r == 1 ? 0 : (r < 0 ? r : PZ_EDB);
}

void accounts_token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    pz_hex_encode(h, sizeof(h), out, 65);
}

int session_create(struct pz_conn *conn, const struct user *u, const char *ip,
                   const char *user_agent, char token[SESSION_TOKEN_LEN])
{
    unsigned char raw[32];
    char hash[65], ua[256];
    struct pz_stmt *st;
    int64_t now = pz_now_ms();
    int r;

    randombytes_buf(raw, sizeof(raw));
    pz_b64url_encode(raw, sizeof(raw), token, SESSION_TOKEN_LEN);
    accounts_token_hash(token, hash);
    snprintf(ua, sizeof(ua), "%s", user_agent ? user_agent : "");
    st = pz_sql(conn, "INSERT INTO sessions (workspace_id, user_id, token_hash, created_at,"
                      " expires_at, last_seen_at, ip, user_agent)"
                      " VALUES ($1, $2, $3, $4, $5, $4, $6, $7)");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, u->workspace_id);
    pz_sql_bind_int(st, 2, u->id);
    pz_sql_bind_text(st, 3, hash);
    pz_sql_bind_int(st, 4, now);
    pz_sql_bind_int(st, 5, now + SESSION_LIFETIME_MS);
    pz_sql_bind_text(st, 6, ip);
    pz_sql_bind_text(st, 7, pz_utf8_valid(ua, strlen(ua)) ? ua : "");
    r = pz_sql_step(st);
    pz_sql_done(st);
    sodium_memzero(raw, sizeof(raw));
    return r < 0 ? r : 0;
}

int session_authenticate(struct pz_conn *conn, const char *token, struct principal *out)
{
    char hash[65];
    struct pz_stmt *st;
    int64_t ws = 0, uid = 0, sid = 0, last_seen = 0, now = pz_now_ms();
    int r;

    memset(out, 0, sizeof(*out));
    if (!token || strlen(token) != SESSION_TOKEN_LEN - 1)
        return PZ_EAUTH;
    accounts_token_hash(token, hash);
    st = pz_sql(conn, "SELECT id, workspace_id, user_id, last_seen_at FROM sessions"
                      " WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, hash);
    pz_sql_bind_int(st, 2, now);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        sid = pz_sql_int(st, 0);
        ws = pz_sql_int(st, 1);
        uid = pz_sql_int(st, 2);
        last_seen = pz_sql_int(st, 3);
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return PZ_EAUTH;
    r = user_get(conn, ws, uid, &out->user);
    if (r == PZ_ENOTFOUND || (r == 0 && out->user.disabled))
        return PZ_EAUTH;
    if (r < 0)
        return r;
    r = workspace_get(conn, ws, &out->workspace);
    if (r < 0)
        return r == PZ_ENOTFOUND ? PZ_EAUTH : r;
    out->via = VIA_COOKIE;
    out->session_id = sid;
    if (now - last_seen > SEEN_EVERY_MS) {
        /* Written at most once a minute, so reads stay reads. */
        st = pz_sql(conn, "UPDATE sessions SET last_seen_at = $2 WHERE id = $1");
        if (st) {
            pz_sql_bind_int(st, 1, sid);
            pz_sql_bind_int(st, 2, now);
            pz_sql_step_nowait(st); /* skipped while a long write holds the lock */
            pz_sql_done(st);
        }
    }
    return 0;
}

static int revoke(struct pz_conn *conn, const char *sql, int64_t ws, int64_t id)
{
    struct pz_stmt *st = pz_sql(conn, sql);
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int session_revoke(struct pz_conn *conn, int64_t ws, int64_t session_id)
{
    return revoke(conn,
                  "UPDATE sessions SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2"
                  " AND revoked_at IS NULL",
                  ws, session_id);
}

int session_revoke_user(struct pz_conn *conn, int64_t ws, int64_t user_id)
{
    return revoke(conn,
                  "UPDATE sessions SET revoked_at = $3 WHERE workspace_id = $1 AND user_id = $2"
                  " AND revoked_at IS NULL",
                  ws, user_id);
}

void csrf_token(const unsigned char secret[32], const char *session_token, char out[CSRF_TOKEN_LEN])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)session_token, strlen(session_token),
                           secret);
    pz_b64url_encode(mac, sizeof(mac), out, CSRF_TOKEN_LEN);
}

int csrf_valid(const unsigned char secret[32], const char *session_token, const char *given)
{
    char want[CSRF_TOKEN_LEN];

    if (!given || strlen(given) != CSRF_TOKEN_LEN - 1)
        return 0;
    csrf_token(secret, session_token, want);
    return sodium_memcmp(want, given, CSRF_TOKEN_LEN - 1) == 0;
}
