/*
 * Saved views of the contacts list. See views.h.
 */
#include "contacts/views.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

#define VIEW_COLUMNS                                                                               \
    "v.id, v.user_id, COALESCE(u.name, ''), v.name, v.filters, v.shared, v.created_at"             \
    " FROM saved_views v LEFT JOIN users u ON u.id = v.user_id"

static void read_view(struct pz_stmt *st, struct contact_view *v)
{
    const char *s;

    memset(v, 0, sizeof(*v));
    v->id = pz_sql_int(st, 0);
    v->user_id = pz_sql_int(st, 1);
    snprintf(v->user_name, sizeof(v->user_name), "%s", (s = pz_sql_text(st, 2)) ? s : "");
    snprintf(v->name, sizeof(v->name), "%s", (s = pz_sql_text(st, 3)) ? s : "");
    snprintf(v->filters, sizeof(v->filters), "%s", (s = pz_sql_text(st, 4)) ? s : "{}");
    v->shared = pz_sql_int(st, 5) != 0;
    v->created_at = pz_sql_int(st, 6);
}

/* Trims NAME into OUT and checks it. */
static int name_clean(const char *name, char *out, size_t outsz, struct pz_err *err)
{
    size_t n;

    while (*name == ' ' || *name == '\t')
        name++;
    n = strlen(name);
    while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    if (n == 0)
        return pz_err_set(err, "request.invalid", "name", "a view needs a name");
    if (n >= outsz)
        return pz_err_set(err, "request.invalid", "name", "a view's name may be at most %zu bytes",
                          outsz - 1);
    if (!pz_utf8_valid(name, n))
        return pz_err_set(err, "request.invalid", "name", "the name is not valid UTF-8 text");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7F)
            return pz_err_set(err, "request.invalid", "name", "the name has control characters");
    memcpy(out, name, n);
    out[n] = '\0';
    return 0;
}

int contact_view_create(struct pz_conn *conn, int64_t ws, int64_t user_id, const char *name,
                        const char *filters_json, int shared, struct contact_view *out,
                        struct pz_err *err)
{
    char clean[VIEW_NAME_MAX + 1];
    int64_t n = 0, id = 0;
    struct pz_stmt *st;
    int r = name_clean(name ? name : "", clean, sizeof(clean), err);

    if (r < 0)
        return r;
    if (!filters_json || filters_json[0] != '{' || strlen(filters_json) > VIEW_FILTERS_MAX)
        return pz_err_set(err, "request.invalid", "filters", "filters must be a small object");
    r = pz_sql_int_query(conn,
                         "SELECT COUNT(*) FROM saved_views WHERE workspace_id = $1"
                         " AND user_id = $2",
                         &n, "ii", ws, user_id);
    if (r < 0)
        return r;
    if (n >= VIEWS_PER_USER)
        return pz_err_set(err, "view.too_many", NULL, "you have %d saved views; delete some first",
                          VIEWS_PER_USER);
    st = pz_sql(conn, "INSERT INTO saved_views (workspace_id, user_id, name, filters, shared,"
                      " created_at) VALUES ($1, $2, $3, $4, $5, $6)"
                      " ON CONFLICT (workspace_id, user_id, name) DO NOTHING RETURNING id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, user_id);
    pz_sql_bind_text(st, 3, clean);
    pz_sql_bind_text(st, 4, filters_json);
    pz_sql_bind_int(st, 5, shared ? 1 : 0);
    pz_sql_bind_int(st, 6, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        id = pz_sql_int(st, 0);
    pz_sql_done(st);
    if (r == PZ_SQL_DONE)
        return pz_err_set(err, "view.exists", "name", "you already have a view called '%s'", clean);
    if (r < 0)
        return r;
    return out ? contact_view_get(conn, ws, user_id, id, out) : 0;
}

int contact_view_list(struct pz_conn *conn, int64_t ws, int64_t user_id,
                      void (*fn)(const struct contact_view *v, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " VIEW_COLUMNS " WHERE v.workspace_id = $1"
                                      " AND (v.user_id = $2 OR v.shared = 1)"
                                      " ORDER BY v.name, v.id");
    struct contact_view v;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, user_id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_view(st, &v);
        fn(&v, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int contact_view_get(struct pz_conn *conn, int64_t ws, int64_t user_id, int64_t id,
                     struct contact_view *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " VIEW_COLUMNS " WHERE v.workspace_id = $1"
                                      " AND v.id = $3 AND (v.user_id = $2 OR v.shared = 1)");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, user_id);
    pz_sql_bind_int(st, 3, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_view(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int contact_view_delete(struct pz_conn *conn, int64_t ws, int64_t user_id, int64_t id,
                        int any_shared)
{
    struct contact_view v;
    struct pz_stmt *st;
    int r = contact_view_get(conn, ws, user_id, id, &v);

    if (r < 0)
        return r;
    if (v.user_id != user_id && !(any_shared && v.shared))
        return PZ_EPERM;
    st = pz_sql(conn, "DELETE FROM saved_views WHERE workspace_id = $1 AND id = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}
