/*
 * Signing in and out, and the signed-in user's own account (/me).
 *
 * Sign-in failures are counted per account and per client address; past
 * the limit the answer is 429 with Retry-After, even for the right password,
 * so guessing is slow. An unknown e-mail costs the same time as a wrong
 * password and gets the same answer.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "accounts/audit.h"
#include "accounts/user.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

#define COOKIE_NAME "piazza_session"

void set_session_cookie(struct pz_ctx *c, const char *token)
{
    char cookie[256];
    snprintf(cookie, sizeof(cookie),
             COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%s%s", token ? token : "",
             token ? "2592000" : "0", c->api->public_https ? "; Secure" : "");
    pz_http_add_header(c->req, "Set-Cookie", cookie);
}

void reply_signed_in(struct pz_ctx *c, int status, const struct user *u, const struct workspace *w,
                     const char *token)
{
    char csrf[CSRF_TOKEN_LEN];
    struct pz_json *j;

    csrf_token(c->api->secret, token, csrf);
    set_session_cookie(c, token);
    j = reply_begin(c, status);
    pz_json_begin_object(j);
    pz_json_key(j, "user");
    present_user(j, u, w);
    pz_json_kstr(j, "csrf_token", csrf);
    pz_json_end_object(j);
    reply_end(c);
}

struct sign_in {
    const char *password;
    int64_t first_ws; /* workspace of the first user with that e-mail, for the audit */
    int64_t first_id;
    struct user found;
    int ok;
};

static int try_user(const struct user *u, void *arg)
{
    struct sign_in *s = arg;
    if (!s->first_ws) {
        s->first_ws = u->workspace_id;
        s->first_id = u->id;
    }
    if (password_verify(u->password_hash, s->password)) {
        s->found = *u;
        s->ok = 1;
        return 1;
    }
    return 0;
}

static void rate_limited(struct pz_ctx *c, int wait)
{
    char secs[16];
    char msg[160];
    snprintf(secs, sizeof(secs), "%d", wait);
    snprintf(msg, sizeof(msg), "too many failed sign-ins; try again in %d minute%s",
             (wait + 59) / 60, (wait + 59) / 60 == 1 ? "" : "s");
    pz_http_add_header(c->req, "Retry-After", secs);
    reply_error(c, "auth.rate_limited", msg);
}

void h_session_post(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *email, *password, *ws_slug;
    char norm[256], acct_key[300], addr_key[64], token[SESSION_TOKEN_LEN];
    struct pz_err err = {0};
    struct sign_in s;
    struct workspace ws;
    int64_t now = pz_now_ms();
    int wait, r;

    if (!body)
        return;
    if (pz_json_get_str(body, "email", 0, 300, &email, &err) < 0 ||
        pz_json_get_str(body, "password", 0, 1024, &password, &err) < 0 ||
        pz_json_get_str(body, "workspace", 1, 64, &ws_slug, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if (pz_email_normalize(email, norm, sizeof(norm)) < 0)
        snprintf(norm, sizeof(norm), "%s", email);
    snprintf(acct_key, sizeof(acct_key), "account:%s", norm);
    snprintf(addr_key, sizeof(addr_key), "address:%s", c->req->ip);
    wait = ratelimit_wait(c->api->rl_account, acct_key, now);
    if (wait == 0)
        wait = ratelimit_wait(c->api->rl_address, addr_key, now);
    if (wait > 0) {
        rate_limited(c, wait);
        return;
    }
    c->conn = pz_store_conn(c->api->store);
    if (!c->conn) {
        reply_internal(c, PZ_EDB);
        return;
    }
    memset(&s, 0, sizeof(s));
    s.password = password;
    if (ws_slug && *ws_slug) {
        r = workspace_find_slug(c->conn, ws_slug, &ws);
        if (r == 0) {
            r = user_find_email(c->conn, ws.id, norm, &s.found);
            if (r == 0) {
                s.first_ws = ws.id;
                s.first_id = s.found.id;
                s.ok = password_verify(s.found.password_hash, password);
            } else if (r == PZ_ENOTFOUND) {
                password_verify(NULL, password);
                r = 0;
            }
        } else if (r == PZ_ENOTFOUND) {
            password_verify(NULL, password);
            r = 0;
        }
    } else {
        r = user_each_with_email(c->conn, norm, try_user, &s);
        if (r >= 0 && !s.first_ws)
            password_verify(NULL, password);
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    if (!s.ok) {
        ratelimit_fail(c->api->rl_account, acct_key, now);
        ratelimit_fail(c->api->rl_address, addr_key, now);
        if (s.first_ws)
            audit_add(c->conn, s.first_ws, 0, "session.sign_in_failed", norm, c->req->ip,
                      "wrong password");
        reply_error(c, "auth.bad_credentials", NULL);
        return;
    }
    if (s.found.disabled) {
        audit_add(c->conn, s.found.workspace_id, s.found.id, "session.sign_in_failed", norm,
                  c->req->ip, "account disabled");
        reply_error(c, "user.disabled", NULL);
        return;
    }
    ratelimit_clear(c->api->rl_account, acct_key);
    r = workspace_get(c->conn, s.found.workspace_id, &ws);
    if (r == 0)
        r = session_create(c->conn, &s.found, c->req->ip, pz_http_header(c->req, "User-Agent"),
                           token);
    if (r == 0)
        r = user_touch_sign_in(c->conn, ws.id, s.found.id);
    if (r == 0)
        r = audit_add(c->conn, ws.id, s.found.id, "session.sign_in", norm, c->req->ip, NULL);
    if (r == 0)
        r = user_get(c->conn, ws.id, s.found.id, &s.found);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_signed_in(c, 200, &s.found, &ws, token);
}

void h_session_delete(struct pz_ctx *c)
{
    if (c->who.via == VIA_COOKIE) {
        int r = session_revoke(c->conn, c->who.workspace.id, c->who.session_id);
        if (r < 0) {
            reply_internal(c, r);
            return;
        }
        audit_add(c->conn, c->who.workspace.id, c->who.user.id, "session.sign_out",
                  c->who.user.email, c->req->ip, NULL);
        set_session_cookie(c, NULL);
    }
    reply_empty(c, 204);
}

static void reply_me(struct pz_ctx *c)
{
    struct pz_json *j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "user");
    present_user(j, &c->who.user, &c->who.workspace);
    if (c->who.via == VIA_COOKIE) {
        char csrf[CSRF_TOKEN_LEN];
        csrf_token(c->api->secret, c->session_token, csrf);
        pz_json_kstr(j, "csrf_token", csrf);
    } else {
        pz_json_knull(j, "csrf_token");
    }
    pz_json_end_object(j);
    reply_end(c);
}

void h_me_get(struct pz_ctx *c)
{
    reply_me(c);
}

void h_me_patch(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *locale, *name;
    struct pz_err err = {0};
    int r = 0;

    if (!body)
        return;
    if (pz_json_get_str(body, "locale", 1, 8, &locale, &err) < 0 ||
        pz_json_get_str(body, "name", 1, 200, &name, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if (locale && strcmp(locale, "it") != 0 && strcmp(locale, "en") != 0) {
        pz_err_set(&err, "request.invalid", "locale", "the language must be 'it' or 'en'");
        reply_err(c, &err);
        return;
    }
    if (name && (!*name || strlen(name) > 120)) {
        pz_err_set(&err, "request.invalid", "name", "the name must be 1 to 120 characters");
        reply_err(c, &err);
        return;
    }
    if (locale)
        r = user_set_locale(c->conn, c->who.workspace.id, c->who.user.id, locale);
    if (r == 0 && name)
        r = user_set_name(c->conn, c->who.workspace.id, c->who.user.id, name);
    if (r == 0)
        r = user_get(c->conn, c->who.workspace.id, c->who.user.id, &c->who.user);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_me(c);
}

void h_me_password(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *current, *next;
    struct pz_err err = {0};
    int r;

    if (!body)
        return;
    if (pz_json_get_str(body, "current_password", 0, 1024, &current, &err) < 0 ||
        pz_json_get_str(body, "new_password", 0, 1024, &next, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if (!password_verify(c->who.user.password_hash, current)) {
        pz_err_set(&err, "password.wrong", "current_password", "the current password is wrong");
        reply_err(c, &err);
        return;
    }
    r = user_set_password(c->conn, &c->who.user, next, &err);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r == 0)
        r = audit_add(c->conn, c->who.workspace.id, c->who.user.id, "user.password_change",
                      c->who.user.email, c->req->ip, NULL);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_empty(c, 204);
}
