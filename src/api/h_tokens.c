/*
 * API tokens of the signed-in user: list, create (the secret is shown once),
 * revoke. An owner may revoke any token of the workspace.
 */
#include <string.h>

#include "api/api.h"
#include "accounts/audit.h"
#include "accounts/token.h"
#include "core/banned.h"

static void present_token(struct pz_json *j, const struct api_token *t)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", t->id);
    pz_json_kstr(j, "name", t->name);
    pz_json_kstr(j, "prefix", t->prefix);
    pz_json_kint(j, "user_id", t->user_id);
    pz_json_kint(j, "created_at", t->created_at);
    pz_json_kint_or_null(j, "last_used_at", t->last_used_at);
    pz_json_kbool(j, "revoked", t->revoked);
    pz_json_end_object(j);
}

static void list_one(const struct api_token *t, void *arg)
{
    struct reply_list *ls = arg;
    present_token(ls->j, t);
    reply_list_item(ls, t->id);
}

void h_tokens_list(struct pz_ctx *c)
{
    struct reply_list ls;

    if (reply_list_begin(c, &ls) < 0)
        return;
    reply_list_end(c, &ls,
                   token_list(c->conn, c->who.workspace.id, c->who.user.id, ls.cursor, ls.limit,
                              list_one, &ls));
}

void h_tokens_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *name;
    char secret[TOKEN_SECRET_LEN];
    struct pz_err err = {0};
    struct api_token t;
    struct pz_json *j;
    int r;

    if (!body)
        return;
    if (pz_json_get_str(body, "name", 0, 300, &name, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    r = token_create(c->conn, &c->who.user, name, &t, secret, &err);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r == 0)
        r = audit_add(c->conn, c->who.workspace.id, c->who.user.id, "token.create", t.name,
                      c->req->ip, t.prefix);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 201);
    pz_json_begin_object(j);
    pz_json_key(j, "token");
    present_token(j, &t);
    pz_json_kstr(j, "secret", secret);
    pz_json_end_object(j);
    reply_end(c);
}

void h_tokens_delete(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    struct api_token t;
    int r;

    if (id < 0)
        return;
    r = token_revoke(c->conn, c->who.workspace.id,
                     c->who.user.role == ROLE_OWNER ? 0 : c->who.user.id, id, &t);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such token");
        return;
    }
    if (r == 0)
        r = audit_add(c->conn, c->who.workspace.id, c->who.user.id, "token.revoke", t.name,
                      c->req->ip, t.prefix);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_empty(c, 204);
}
