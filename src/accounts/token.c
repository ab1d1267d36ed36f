/*
 * API tokens. See token.h.
 */
#include "accounts/token.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

#define USED_EVERY_MS (60 * 1000)
#define TOKEN_COLUMNS                                                                              \
    "id, workspace_id, user_id, name, prefix, created_at, COALESCE(last_used_at, -1),"             \
    " revoked_at IS NOT NULL"

static void read_row(struct pz_stmt *st, struct api_token *t)
{
    const char *s;
    memset(t, 0, sizeof(*t));
    t->id = pz_sql_int(st, 0);
    t->workspace_id = pz_sql_int(st, 1);
    t->user_id = pz_sql_int(st, 2);
    snprintf(t->name, sizeof(t->name), "%s", (s = pz_sql_text(st, 3)) ? s : "");
    snprintf(t->prefix, sizeof(t->prefix), "%s", (s = pz_sql_text(st, 4)) ? s : "");
    t->created_at = pz_sql_int(st, 5);
    t->last_used_at = pz_sql_int(st, 6);
    t->revoked = (int)pz_sql_int(st, 7);
}

int token_create(struct pz_conn *conn, const struct user *u, const char *name,
                 struct api_token *out, char secret[TOKEN_SECRET_LEN], struct pz_err *err)
{
    unsigned char raw[32];
    char hash[65], prefix[9];
    struct pz_stmt *st;
    size_t n;
    int r;

    if (!name)
        name = "API token";
    n = strlen(name);
    if (n == 0 || n > 100 || !pz_utf8_valid(name, n))
        return pz_err_set(err, "request.invalid", "name",
                          "the token name must be 1 to 100 characters");
    randombytes_buf(raw, sizeof(raw));
    secret[0] = 'p';
    secret[1] = 'z';
    secret[2] = '_';
    pz_b64url_encode(raw, sizeof(raw), secret + 3, TOKEN_SECRET_LEN - 3);
    sodium_memzero(raw, sizeof(raw));
    accounts_token_hash(secret, hash);
    snprintf(prefix, sizeof(prefix), "%.8s", secret);
    st = pz_sql(conn, "INSERT INTO api_tokens (workspace_id, user_id, name, prefix, token_hash,"
                      " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING " TOKEN_COLUMNS);
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, u->workspace_id);
    pz_sql_bind_int(st, 2, u->id);
    pz_sql_bind_text(st, 3, name);
    pz_sql_bind_text(st, 4, prefix);
    pz_sql_bind_text(st, 5, hash);
    pz_sql_bind_int(st, 6, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_row(st, out);
    pz_sql_done(st);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

int token_authenticate(struct pz_conn *conn, const char *secret, struct principal *out)
{
    char hash[65];
    struct pz_stmt *st;
    struct api_token t;
    int64_t now = pz_now_ms();
    int r;

    memset(out, 0, sizeof(*out));
    if (!secret || strlen(secret) != 46 || strncmp(secret, "pz_", 3) != 0)
        return PZ_EAUTH;
    accounts_token_hash(secret, hash);
    st = pz_sql(conn, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE token_hash = $1"
                      " AND revoked_at IS NULL");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_text(st, 1, hash);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_row(st, &t);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return PZ_EAUTH;
    r = user_get(conn, t.workspace_id, t.user_id, &out->user);
    if (r == PZ_ENOTFOUND || (r == 0 && out->user.disabled))
        return PZ_EAUTH;
    if (r < 0)
        return r;
    r = workspace_get(conn, t.workspace_id, &out->workspace);
    if (r < 0)
        return r == PZ_ENOTFOUND ? PZ_EAUTH : r;
    out->via = VIA_TOKEN;
    out->token_id = t.id;
    if (now - t.last_used_at > USED_EVERY_MS) {
        st = pz_sql(conn, "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1");
        if (st) {
            pz_sql_bind_int(st, 1, t.id);
            pz_sql_bind_int(st, 2, now);
            pz_sql_step_nowait(st); /* skipped while a long write holds the lock */
            pz_sql_done(st);
        }
    }
    return 0;
}

int token_list(struct pz_conn *conn, int64_t ws, int64_t user_id, int64_t after_id, int limit,
               void (*fn)(const struct api_token *t, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " TOKEN_COLUMNS " FROM api_tokens"
                                      " WHERE workspace_id = $1 AND user_id = $2 AND id > $3"
                                      " AND revoked_at IS NULL ORDER BY id LIMIT $4");
    struct api_token t;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, user_id);
    pz_sql_bind_int(st, 3, after_id);
    pz_sql_bind_int(st, 4, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_row(st, &t);
        fn(&t, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int token_revoke(struct pz_conn *conn, int64_t ws, int64_t user_id, int64_t id,
                 struct api_token *out)
{
    struct pz_stmt *st = pz_sql(conn, "UPDATE api_tokens SET revoked_at = $4"
                                      " WHERE workspace_id = $1 AND id = $2"
                                      " AND ($3 = 0 OR user_id = $3) AND revoked_at IS NULL"
                                      " RETURNING " TOKEN_COLUMNS);
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, user_id);
    pz_sql_bind_int(st, 4, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_row(st, out);
    if (r == PZ_SQL_ROW)
        r = pz_sql_step(st); /* finish the statement so the change is complete */
    else if (r == PZ_SQL_DONE)
        r = PZ_ENOTFOUND;
    pz_sql_done(st);
    return r < 0 ? r : 0;
}
