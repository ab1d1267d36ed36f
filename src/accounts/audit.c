/*
 * The audit log. See audit.h.
 */
#include "accounts/audit.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/banned.h"

int audit_add(struct pz_conn *conn, int64_t ws, int64_t actor_id, const char *action,
              const char *target, const char *ip, const char *detail)
{
    struct pz_stmt *st = pz_sql(conn, "INSERT INTO audit_log (workspace_id, at, actor_user_id,"
                                      " action, target, ip, detail)"
                                      " VALUES ($1, $2, $3, $4, $5, $6, $7)");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, pz_now_ms());
    if (actor_id > 0)
        pz_sql_bind_int(st, 3, actor_id);
    else
        pz_sql_bind_null(st, 3);
    pz_sql_bind_text(st, 4, action);
    pz_sql_bind_text(st, 5, target);
    pz_sql_bind_text(st, 6, ip);
    pz_sql_bind_text(st, 7, detail);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int audit_list(struct pz_conn *conn, int64_t ws, int64_t before_id, int limit,
               void (*fn)(const struct audit_row *row, void *arg), void *arg)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT a.id, a.at, COALESCE(a.actor_user_id, 0), COALESCE(u.email, ''),"
                     " a.action, COALESCE(a.target, ''), COALESCE(a.ip, ''),"
                     " COALESCE(a.detail, '')"
                     " FROM audit_log a LEFT JOIN users u"
                     " ON u.workspace_id = a.workspace_id AND u.id = a.actor_user_id"
                     " WHERE a.workspace_id = $1 AND ($2 = 0 OR a.id < $2)"
                     " ORDER BY a.id DESC LIMIT $3");
    struct audit_row row;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, before_id);
    pz_sql_bind_int(st, 3, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        const char *s;
        memset(&row, 0, sizeof(row));
        row.id = pz_sql_int(st, 0);
        row.at = pz_sql_int(st, 1);
        row.actor_id = pz_sql_int(st, 2);
        snprintf(row.actor_email, sizeof(row.actor_email), "%s", (s = pz_sql_text(st, 3)) ? s : "");
        snprintf(row.action, sizeof(row.action), "%s", (s = pz_sql_text(st, 4)) ? s : "");
        snprintf(row.target, sizeof(row.target), "%s", (s = pz_sql_text(st, 5)) ? s : "");
        snprintf(row.ip, sizeof(row.ip), "%s", (s = pz_sql_text(st, 6)) ? s : "");
        snprintf(row.detail, sizeof(row.detail), "%s", (s = pz_sql_text(st, 7)) ? s : "");
        fn(&row, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}
