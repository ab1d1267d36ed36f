/*
 * Handlers for the routes that need no account: health, version, and the
 * first-run set-up, which creates the first workspace and its owner. Set-up
 * is guarded by a one-time code printed on the server's console, so only
 * whoever started piazza can claim it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "accounts/audit.h"
#include "accounts/user.h"
#include "accounts/workspace.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

#ifndef PZ_VERSION
#define PZ_VERSION "0.0.0-dev"
#endif

void h_healthz(struct pz_ctx *c)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    if (c->api->healthz) {
        c->req->prebuilt = c->api->healthz;
        return;
    }
    c->req->status = 200;
    c->req->content_type = "application/json";
    c->req->static_body = ok;
    c->req->static_len = sizeof(ok) - 1;
}

void h_version(struct pz_ctx *c)
{
    struct pz_json *j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_kstr(j, "name", "piazza");
    pz_json_kstr(j, "version", PZ_VERSION);
    pz_json_kint(j, "schema_version", pz_store_schema_version(c->api->store));
    pz_json_end_object(j);
    reply_end(c);
}

void h_setup_get(struct pz_ctx *c)
{
    struct pz_json *j;
    int needed;

    pthread_mutex_lock(&c->api->setup_lock);
    needed = c->api->setup_code[0] != '\0';
    if (needed) {
        /* A user may have been added from the command line meanwhile. */
        struct pz_conn *conn = pz_store_conn(c->api->store);
        if (conn && user_count(conn) > 0) {
            c->api->setup_code[0] = '\0';
            needed = 0;
        }
    }
    pthread_mutex_unlock(&c->api->setup_lock);
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_kbool(j, "needed", needed);
    pz_json_end_object(j);
    reply_end(c);
}

/* Compares a typed code with the real one: case and dashes do not matter. */
static int code_matches(const char *want, const char *given)
{
    char a[16] = {0}, b[16] = {0};
    size_t na = 0, nb = 0;

    for (; *want && na < sizeof(a) - 1; want++)
        if (*want != '-')
            a[na++] = *want;
    for (; *given && nb < sizeof(b) - 1; given++)
        if (*given != '-' && *given != ' ')
            b[nb++] = (char)((*given >= 'a' && *given <= 'z') ? *given - 32 : *given);
    return na == nb && na > 0 && sodium_memcmp(a, b, sizeof(a)) == 0;
}

void h_setup_post(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *code, *ws_name, *ws_slug, *locale, *tz, *name, *email, *password;
    struct pz_err err = {0};
    struct workspace ws = {0};
    struct user owner = {0};
    char token[SESSION_TOKEN_LEN], key[64];
    int wait, r;

    if (!body)
        return;
    if (pz_json_get_str(body, "code", 0, 32, &code, &err) < 0 ||
        pz_json_get_str(body, "workspace_name", 0, 200, &ws_name, &err) < 0 ||
        pz_json_get_str(body, "workspace_slug", 1, 100, &ws_slug, &err) < 0 ||
        pz_json_get_str(body, "locale", 1, 8, &locale, &err) < 0 ||
        pz_json_get_str(body, "timezone", 1, 64, &tz, &err) < 0 ||
        pz_json_get_str(body, "name", 0, 200, &name, &err) < 0 ||
        pz_json_get_str(body, "email", 0, 300, &email, &err) < 0 ||
        pz_json_get_str(body, "password", 0, 1024, &password, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    snprintf(key, sizeof(key), "setup:%s", c->req->ip);
    wait = ratelimit_wait(c->api->rl_setup, key, pz_now_ms());
    if (wait > 0) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", wait);
        pz_http_add_header(c->req, "Retry-After", secs);
        reply_error(c, "auth.rate_limited",
                    "too many wrong set-up codes; wait before trying again");
        return;
    }
    c->conn = pz_store_conn(c->api->store);
    if (!c->conn) {
        reply_internal(c, PZ_EDB);
        return;
    }
    pthread_mutex_lock(&c->api->setup_lock);
    if (!c->api->setup_code[0]) {
        pthread_mutex_unlock(&c->api->setup_lock);
        reply_error(c, "setup.done", NULL);
        return;
    }
    if (!code_matches(c->api->setup_code, code)) {
        pthread_mutex_unlock(&c->api->setup_lock);
        ratelimit_fail(c->api->rl_setup, key, pz_now_ms());
        reply_error(c, "setup.bad_code",
                    "the set-up code is wrong; it is printed on the console where piazza started");
        return;
    }
    r = pz_tx_begin(c->conn);
    if (r == 0 && user_count(c->conn) != 0)
        r = PZ_EEXIST;
    if (r == 0)
        r = workspace_create(c->conn, ws_name, ws_slug, locale, tz, &ws, &err);
    if (r == 0)
        r = user_create(c->conn, ws.id, email, name, ROLE_OWNER, password, 0, &owner, &err);
    if (r == 0)
        r = user_set_locale(c->conn, ws.id, owner.id,
                            ws.locale); /* the language chosen at set-up */
    if (r == 0)
        r = audit_add(c->conn, ws.id, owner.id, "setup.complete", owner.email, c->req->ip, NULL);
    if (r == 0)
        r = session_create(c->conn, &owner, c->req->ip, pz_http_header(c->req, "User-Agent"),
                           token);
    if (r == 0)
        r = user_touch_sign_in(c->conn, ws.id, owner.id);
    if (r == 0)
        r = pz_tx_commit(c->conn);
    if (r < 0) {
        pz_tx_rollback(c->conn);
        pthread_mutex_unlock(&c->api->setup_lock);
        if (r == PZ_EEXIST)
            reply_error(c, "setup.done", NULL);
        else if (r == PZ_EINVAL)
            reply_err(c, &err);
        else
            reply_internal(c, r);
        return;
    }
    c->api->setup_code[0] = '\0';
    pthread_mutex_unlock(&c->api->setup_lock);
    user_get(c->conn, ws.id, owner.id, &owner);
    reply_signed_in(c, 201, &owner, &ws, token);
}
