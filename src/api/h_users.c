/*
 * Users of a workspace, for its owners: list, add with a temporary
 * password, change role, disable and enable. A workspace always keeps at
 * least one active owner. Also the workspace itself, for everyone in it.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "accounts/audit.h"
#include "accounts/user.h"
#include "core/banned.h"

void h_workspace_get(struct pz_ctx *c)
{
    struct pz_json *j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "workspace");
    present_workspace(j, &c->who.workspace);
    pz_json_end_object(j);
    reply_end(c);
}

struct user_list {
    struct reply_list list;
    const struct workspace *w;
};

static void list_one(const struct user *u, void *arg)
{
    struct user_list *ul = arg;
    present_user(ul->list.j, u, ul->w);
    reply_list_item(&ul->list, u->id);
}

void h_users_list(struct pz_ctx *c)
{
    struct user_list ul;

    if (reply_list_begin(c, &ul.list) < 0)
        return;
    ul.w = &c->who.workspace;
    reply_list_end(
        c, &ul.list,
        user_list(c->conn, c->who.workspace.id, ul.list.cursor, ul.list.limit, list_one, &ul));
}

void h_users_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *email, *name, *role;
    char temp[32];
    struct pz_err err = {0};
    struct user u;
    struct pz_json *j;
    int r;

    if (!body)
        return;
    if (pz_json_get_str(body, "email", 0, 300, &email, &err) < 0 ||
        pz_json_get_str(body, "name", 0, 200, &name, &err) < 0 ||
        pz_json_get_str(body, "role", 0, 32, &role, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    password_generate(temp, sizeof(temp));
    r = user_create(c->conn, c->who.workspace.id, email, name, role_parse(role), temp, 1, &u, &err);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r == 0)
        r = audit_add(c->conn, c->who.workspace.id, c->who.user.id, "user.create", u.email,
                      c->req->ip, role_name(u.role));
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 201);
    pz_json_begin_object(j);
    pz_json_key(j, "user");
    present_user(j, &u, &c->who.workspace);
    pz_json_kstr(j, "temporary_password", temp);
    pz_json_end_object(j);
    reply_end(c);
}

void h_users_patch(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    int64_t id = body ? ctx_param_id(c, 0) : -1;
    const char *role_str;
    int has_disabled, disabled, r;
    enum role role = ROLE_NONE;
    struct pz_err err = {0};
    struct user u;
    struct pz_json *j;
    int64_t ws = c->who.workspace.id;

    if (!body || id < 0)
        return;
    if (pz_json_get_str(body, "role", 1, 32, &role_str, &err) < 0 ||
        pz_json_get_bool(body, "disabled", &has_disabled, &disabled, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if (role_str && (role = role_parse(role_str)) == ROLE_NONE) {
        pz_err_set(&err, "request.invalid", "role",
                   "the role must be owner, manager, agent, member or consultant");
        reply_err(c, &err);
        return;
    }
    r = pz_tx_begin(c->conn);
    if (r == 0)
        r = user_get(c->conn, ws, id, &u);
    if (r == 0 && u.role == ROLE_OWNER && !u.disabled &&
        ((role != ROLE_NONE && role != ROLE_OWNER) || (has_disabled && disabled))) {
        int64_t owners = user_count_active_owners(c->conn, ws);
        if (owners < 0)
            r = (int)owners;
        else if (owners <= 1)
            r = pz_err_set(&err, "user.last_owner", role_str ? "role" : "disabled",
                           "%s is the only active owner; make someone else owner first", u.email);
    }
    if (r == 0 && role != ROLE_NONE && role != u.role) {
        char detail[64];
        snprintf(detail, sizeof(detail), "%s -> %s", role_name(u.role), role_name(role));
        r = user_set_role(c->conn, ws, id, role);
        if (r == 0)
            r = audit_add(c->conn, ws, c->who.user.id, "user.role_change", u.email, c->req->ip,
                          detail);
    }
    if (r == 0 && has_disabled && disabled != u.disabled) {
        r = user_set_disabled(c->conn, ws, id, disabled);
        if (r == 0 && disabled)
            r = session_revoke_user(c->conn, ws, id);
        if (r == 0)
            r = audit_add(c->conn, ws, c->who.user.id, disabled ? "user.disable" : "user.enable",
                          u.email, c->req->ip, NULL);
    }
    if (r == 0)
        r = user_get(c->conn, ws, id, &u);
    if (r == 0)
        r = pz_tx_commit(c->conn);
    if (r < 0) {
        pz_tx_rollback(c->conn);
        if (r == PZ_ENOTFOUND)
            reply_error(c, "not_found", "no such user in this workspace");
        else if (r == PZ_EINVAL)
            reply_err(c, &err);
        else
            reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "user");
    present_user(j, &u, &c->who.workspace);
    pz_json_end_object(j);
    reply_end(c);
}
