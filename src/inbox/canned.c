/*
 * Canned replies with variables, teams and labels. See canned.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts/normalize.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/text.h"
#include "inbox/canned.h"
#include "core/banned.h"

static const char *const var_names[] = {"first_name", "last_name", "name",
                                        "agent_name", "company",   NULL};

void canned_release(struct canned_reply *c)
{
    free(c->body);
    c->body = NULL;
}

/*
 * Finds the next "{{...}}" in S from P: sets *START (at "{{"), *END (after
 * "}}") and the name inside, without spaces, into NAME. Returns 0 when there
 * is none.
 */
static int next_var(const char *p, const char **start, const char **end, char *name, size_t namesz)
{
    for (const char *s = strstr(p, "{{"); s; s = strstr(s + 1, "{{")) {
        const char *close = strstr(s + 2, "}}");
        const char *a = s + 2, *b;
        size_t n;
        if (!close)
            return 0;
        b = close;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        n = (size_t)(b - a);
        *start = s;
        *end = close + 2;
        if (n >= namesz)
            n = namesz - 1;
        memcpy(name, a, n);
        name[n] = '\0';
        return 1;
    }
    return 0;
}

static int var_index(const char *name)
{
    for (int i = 0; var_names[i]; i++)
        if (strcmp(var_names[i], name) == 0)
            return i;
    return -1;
}

int canned_check(const char *body, struct pz_err *err)
{
    const char *p = body, *s, *e;
    char name[64];

    while (next_var(p, &s, &e, name, sizeof(name))) {
        if (var_index(name) < 0)
            return pz_err_set(err, "inbox.bad_variable", "body",
                              "unknown variable {{%.40s}}: use first_name, last_name, name, "
                              "agent_name or company",
                              name);
        p = e;
    }
    return 0;
}

char *canned_render(const char *body, const struct canned_vars *v)
{
    const char *vals[5] = {v->first_name, v->last_name, v->name, v->agent_name, v->company};
    const char *p = body, *s, *e;
    char name[64];
    size_t cap = strlen(body) + 1, n = 0;
    char *out;

    for (int i = 0; i < 5; i++)
        cap += vals[i] ? strlen(vals[i]) * 8 : 0; /* room for every use, roughly */
    out = xmalloc(cap);
    while (next_var(p, &s, &e, name, sizeof(name))) {
        int i = var_index(name);
        const char *val = i >= 0 && vals[i] ? vals[i] : "";
        size_t pre = (size_t)(s - p), vl = i >= 0 ? strlen(val) : (size_t)(e - s);
        if (n + pre + vl + 1 > cap) {
            cap = (n + pre + vl + 1) * 2 + strlen(e);
            out = xrealloc(out, cap);
        }
        memcpy(out + n, p, pre);
        n += pre;
        memcpy(out + n, i >= 0 ? val : s, vl);
        n += vl;
        p = e;
    }
    {
        size_t rest = strlen(p);
        if (n + rest + 1 > cap)
            out = xrealloc(out, n + rest + 1);
        memcpy(out + n, p, rest + 1);
    }
    return out;
}

int canned_vars_for(struct pz_conn *conn, int64_t workspace_id, int64_t conv, const char *agent,
                    const char *company, struct canned_vars *v, char *buf, size_t bufsz)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT ct.given_name, ct.family_name, ct.display_name FROM conversations c"
                     " LEFT JOIN contacts ct ON ct.workspace_id = c.workspace_id"
                     "   AND ct.id = c.contact_id"
                     " WHERE c.workspace_id = $1 AND c.id = $2");
    size_t used = 0;
    int r;

    memset(v, 0, sizeof(*v));
    v->agent_name = agent;
    v->company = company;
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, conv);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        const char *given = pz_sql_text(st, 0), *family = pz_sql_text(st, 1),
                   *display = pz_sql_text(st, 2);
        const char *parts[3];
        size_t lens[3];
        /* Without a given name, the display name's first word ("Franco Rossi" -> "Franco"). */
        parts[0] = given && *given ? given : display;
        lens[0] = parts[0] ? (given && *given ? strlen(given) : strcspn(parts[0], " ")) : 0;
        parts[1] = family;
        lens[1] = family ? strlen(family) : 0;
        parts[2] = display;
        lens[2] = display ? strlen(display) : 0;
        for (int i = 0; i < 3; i++) {
            char *dst = buf + used;
            if (!parts[i] || used + lens[i] + 1 > bufsz)
                continue;
            memcpy(dst, parts[i], lens[i]);
            dst[lens[i]] = '\0';
            used += lens[i] + 1;
            if (i == 0)
                v->first_name = dst;
            else if (i == 1)
                v->last_name = dst;
            else
                v->name = dst;
        }
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

static void read_canned(struct pz_stmt *st, struct canned_reply *c)
{
    memset(c, 0, sizeof(*c));
    c->id = pz_sql_int(st, 0);
    snprintf(c->shortcut, sizeof(c->shortcut), "%s", pz_sql_text(st, 1));
    snprintf(c->title, sizeof(c->title), "%s", pz_sql_text(st, 2));
    c->body = xstrdup(pz_sql_text(st, 3) ? pz_sql_text(st, 3) : "");
}

int canned_each(struct pz_conn *conn, int64_t workspace_id,
                void (*fn)(const struct canned_reply *c, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id, shortcut, title, body FROM canned_replies"
                                      " WHERE workspace_id = $1 ORDER BY shortcut LIMIT 1000");
    struct canned_reply c;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_canned(st, &c);
        fn(&c, arg);
        canned_release(&c);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int canned_get(struct pz_conn *conn, int64_t workspace_id, int64_t id, struct canned_reply *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id, shortcut, title, body FROM canned_replies"
                                      " WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_canned(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int check_fields(const char *shortcut, const char *title, const char *body,
                        struct pz_err *err)
{
    if (shortcut) {
        size_t n = strlen(shortcut);
        if (n == 0 || n > CANNED_SHORTCUT_MAX)
            return pz_err_set(err, "request.invalid", "shortcut",
                              "a shortcut has 1 to %d letters, digits, '-' or '_'",
                              CANNED_SHORTCUT_MAX);
        for (size_t i = 0; i < n; i++) {
            char ch = shortcut[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
                return pz_err_set(err, "request.invalid", "shortcut",
                                  "a shortcut has 1 to %d letters, digits, '-' or '_'",
                                  CANNED_SHORTCUT_MAX);
        }
    }
    if (title && (blank(title) || pz_utf8_count(title) > CANNED_TITLE_MAX ||
                  !pz_utf8_valid(title, strlen(title))))
        return pz_err_set(err, "request.invalid", "title", "a title has 1 to %d characters",
                          CANNED_TITLE_MAX);
    if (body) {
        if (blank(body) || strlen(body) > CANNED_BODY_MAX || !pz_utf8_valid(body, strlen(body)))
            return pz_err_set(err, "request.invalid", "body", "a body has 1 to %d bytes of text",
                              CANNED_BODY_MAX);
        if (canned_check(body, err) < 0)
            return PZ_EINVAL;
    }
    return 0;
}

int canned_save(struct pz_conn *conn, int64_t workspace_id, int64_t id, int64_t user_id,
                const char *shortcut, const char *title, const char *body, int64_t now,
                int64_t *out_id, struct pz_err *err)
{
    int r;

    if (!id && (!shortcut || !title || !body)) {
        const char *field = !shortcut ? "shortcut" : !title ? "title" : "body";
        return pz_err_set(err, "request.invalid", field, "%s is required", field);
    }
    if ((r = check_fields(shortcut, title, body, err)) < 0)
        return r;
    if (!id) {
        r = pz_sql_int_query(conn,
                             "INSERT INTO canned_replies (workspace_id, shortcut, title, body,"
                             " created_by, created_at, updated_at)"
                             " VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                             out_id, "itttii", workspace_id, shortcut, title, body, user_id, now);
    } else {
        int64_t found = 0;
        r = pz_sql_int_query(conn,
                             "UPDATE canned_replies SET shortcut = COALESCE($3, shortcut),"
                             " title = COALESCE($4, title), body = COALESCE($5, body),"
                             " updated_at = $6 WHERE workspace_id = $1 AND id = $2 RETURNING id",
                             &found, "iittti", workspace_id, id, shortcut, title, body, now);
        if (r == PZ_SQL_DONE)
            return PZ_ENOTFOUND;
        *out_id = id;
    }
    if (r == PZ_EEXIST)
        return pz_err_set(err, "inbox.duplicate_shortcut", "shortcut",
                          "a canned reply with the shortcut '%s' already exists", shortcut);
    return r < 0 ? r : 0;
}

int canned_delete(struct pz_conn *conn, int64_t workspace_id, int64_t id)
{
    int64_t found = 0;
    int r = pz_sql_int_query(conn,
                             "DELETE FROM canned_replies WHERE workspace_id = $1 AND id = $2"
                             " RETURNING id",
                             &found, "ii", workspace_id, id);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int inbox_teams_each(struct pz_conn *conn, int64_t workspace_id,
                     void (*fn)(int64_t id, const char *name, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id, name FROM inbox_teams WHERE workspace_id = $1"
                                      " ORDER BY name LIMIT 1000");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        fn(pz_sql_int(st, 0), pz_sql_text(st, 1), arg);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int inbox_team_create(struct pz_conn *conn, int64_t workspace_id, const char *name, int64_t now,
                      int64_t *id, struct pz_err *err)
{
    int r;

    if (!name || blank(name) || pz_utf8_count(name) > TEAM_NAME_MAX ||
        !pz_utf8_valid(name, strlen(name)))
        return pz_err_set(err, "request.invalid", "name", "a team's name has 1 to %d characters",
                          TEAM_NAME_MAX);
    r = pz_sql_int_query(conn,
                         "INSERT INTO inbox_teams (workspace_id, name, created_at)"
                         " VALUES ($1, $2, $3) RETURNING id",
                         id, "iti", workspace_id, name, now);
    if (r == PZ_EEXIST)
        return pz_err_set(err, "inbox.team_exists", "name", "a team called '%s' already exists",
                          name);
    return r < 0 ? r : 0;
}

int inbox_labels_each(struct pz_conn *conn, int64_t workspace_id,
                      void (*fn)(int64_t id, const char *name, const char *color, int64_t count,
                                 void *arg),
                      void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT l.id, l.name, l.color,"
                                      " (SELECT count(*) FROM conversation_labels cl"
                                      "  WHERE cl.workspace_id = l.workspace_id"
                                      "  AND cl.label_id = l.id)"
                                      " FROM inbox_labels l WHERE l.workspace_id = $1"
                                      " ORDER BY l.name_key LIMIT 1000");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        fn(pz_sql_int(st, 0), pz_sql_text(st, 1), pz_sql_text(st, 2), pz_sql_int(st, 3), arg);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}
