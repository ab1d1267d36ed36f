/*
 * The audit log, for owners: newest first, paged by a cursor.
 */
#include "api/api.h"
#include "accounts/audit.h"
#include "core/banned.h"

static void list_one(const struct audit_row *row, void *arg)
{
    struct reply_list *ls = arg;
    struct pz_json *j = ls->j;

    pz_json_begin_object(j);
    pz_json_kint(j, "id", row->id);
    pz_json_kint(j, "at", row->at);
    pz_json_kstr(j, "action", row->action);
    pz_json_key(j, "actor");
    if (row->actor_id > 0) {
        pz_json_begin_object(j);
        pz_json_kint(j, "id", row->actor_id);
        pz_json_kstr(j, "email", row->actor_email);
        pz_json_end_object(j);
    } else {
        pz_json_null(j);
    }
    pz_json_kstr(j, "ip", row->ip);
    pz_json_kstr(j, "target", row->target[0] ? row->target : NULL);
    pz_json_kstr(j, "detail", row->detail[0] ? row->detail : NULL);
    pz_json_end_object(j);
    reply_list_item(ls, row->id);
}

void h_audit_list(struct pz_ctx *c)
{
    struct reply_list ls;

    if (reply_list_begin(c, &ls) < 0)
        return;
    reply_list_end(c, &ls,
                   audit_list(c->conn, c->who.workspace.id, ls.cursor, ls.limit, list_one, &ls));
}
