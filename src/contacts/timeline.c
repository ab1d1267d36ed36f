/*
 * The timeline of a contact. See timeline.h.
 *
 * Pages are cut by keyset on (at, id), newest first: entries are often
 * written after the fact (a call logged in the evening, a file of old
 * messages imported), so ids do not follow time and an id alone cannot be
 * the cursor.
 */
#include "contacts/timeline.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

#define DURATION_MAX (7LL * 24 * 3600)
#define OUTCOME_MAX  200

void timeline_new_init(struct timeline_new *e)
{
    memset(e, 0, sizeof(*e));
    e->duration_s = -1;
}

/* Non-zero when S is 1..MAX of [a-z0-9_], starting with a letter. */
static int word_valid(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > max || s[0] < 'a' || s[0] > 'z')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* The channel an entry of KIND goes through when none is given. */
static const char *default_channel(const char *kind)
{
    if (strcmp(kind, "call") == 0)
        return "phone";
    if (strcmp(kind, "meeting") == 0)
        return "meeting";
    if (strcmp(kind, "email") == 0)
        return "email";
    return NULL;
}

static int is_interaction(const char *kind, const char *direction)
{
    return (direction && *direction) || strcmp(kind, "call") == 0 || strcmp(kind, "meeting") == 0 ||
           strcmp(kind, "message") == 0 || strcmp(kind, "email") == 0;
}

static int text_valid(const char *s, size_t max)
{
    return !s || (strlen(s) <= max && pz_utf8_valid(s, strlen(s)));
}

static int entry_check(const struct timeline_new *e, struct pz_err *err)
{
    if (!word_valid(e->kind, 32))
        return pz_err_set(err, "request.invalid", "kind",
                          "kind must be 1 to 32 lower-case letters, digits or _");
    if (e->channel && !word_valid(e->channel, 16))
        return pz_err_set(err, "request.invalid", "channel",
                          "channel must be 1 to 16 lower-case letters, digits or _");
    if (e->direction && *e->direction && strcmp(e->direction, "in") != 0 &&
        strcmp(e->direction, "out") != 0)
        return pz_err_set(err, "request.invalid", "direction", "direction must be in or out");
    if (e->duration_s < -1 || e->duration_s > DURATION_MAX)
        return pz_err_set(err, "request.invalid", "duration_s",
                          "the duration must be 0 to %lld seconds", (long long)DURATION_MAX);
    if (!text_valid(e->outcome, OUTCOME_MAX))
        return pz_err_set(err, "request.invalid", "outcome",
                          "the outcome must be UTF-8 text of at most %d bytes", OUTCOME_MAX);
    if (!text_valid(e->body, TIMELINE_BODY_MAX))
        return pz_err_set(err, "request.invalid", "body",
                          "the text must be UTF-8 of at most %d bytes", TIMELINE_BODY_MAX);
    if (e->source_kind && !word_valid(e->source_kind, 32))
        return pz_err_set(err, "request.invalid", "source_kind",
                          "source_kind must be 1 to 32 lower-case letters, digits or _");
    return 0;
}

static int contact_exists(struct pz_conn *conn, int64_t ws, int64_t id, int organization_only)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT kind FROM contacts WHERE workspace_id = $1"
                                      " AND id = $2");
    int r, org = 0;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        org = pz_sql_text(st, 0) && strcmp(pz_sql_text(st, 0), "organization") == 0;
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return PZ_ENOTFOUND;
    return organization_only && !org ? PZ_EINVAL : 0;
}

/* The columns of an entry, and its values but the contact's ($2), bound from E. */
#define ENTRY_INSERT                                                                               \
    "INSERT INTO timeline_entries (workspace_id, contact_id, at, kind, channel, direction,"        \
    " duration_s, outcome, body, author_user_id, source_kind, source_id, interaction,"             \
    " created_at)"

static void bind_entry(struct pz_stmt *st, int64_t ws, const struct timeline_new *e, int64_t now)
{
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 3, e->at ? e->at : now);
    pz_sql_bind_text(st, 4, e->kind);
    pz_sql_bind_text(st, 5, e->channel ? e->channel : default_channel(e->kind));
    pz_sql_bind_text(st, 6, e->direction && *e->direction ? e->direction : NULL);
    if (e->duration_s >= 0)
        pz_sql_bind_int(st, 7, e->duration_s);
    else
        pz_sql_bind_null(st, 7);
    pz_sql_bind_text(st, 8, e->outcome && *e->outcome ? e->outcome : NULL);
    pz_sql_bind_text(st, 9, e->body);
    if (e->author_user_id > 0)
        pz_sql_bind_int(st, 10, e->author_user_id);
    else
        pz_sql_bind_null(st, 10);
    pz_sql_bind_text(st, 11, e->source_kind);
    if (e->source_id > 0)
        pz_sql_bind_int(st, 12, e->source_id);
    else
        pz_sql_bind_null(st, 12);
    pz_sql_bind_int(st, 13, is_interaction(e->kind, e->direction));
    pz_sql_bind_int(st, 14, now);
}

int timeline_add(struct pz_conn *conn, int64_t ws, const struct timeline_new *e, int64_t *entry_id,
                 struct pz_err *err)
{
    struct pz_stmt *st;
    int r = entry_check(e, err);

    if (r < 0)
        return r;
    r = e->contact_written ? 0 : contact_exists(conn, ws, e->contact_id, 0);
    if (r < 0)
        return r;
    st = pz_sql(conn, ENTRY_INSERT
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");
    if (!st)
        return PZ_EDB;
    bind_entry(st, ws, e, pz_now_ms());
    pz_sql_bind_int(st, 2, e->contact_id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_DONE && entry_id)
        *entry_id = pz_sql_last_id(conn);
    pz_sql_done(st);
    return r == PZ_SQL_DONE ? 0 : (r < 0 ? r : PZ_EDB);
}

int timeline_add_many(struct pz_conn *conn, int64_t ws, const struct timeline_new *e,
                      const int64_t *contact_ids, size_t n, struct pz_err *err)
{
    char ids[128], sql[800];
    struct pz_stmt *st;
    int r = entry_check(e, err);

    if (r < 0 || n == 0)
        return r;
    if (pz_store_ids_sql(conn, 2, ids, sizeof(ids)) < 0)
        return PZ_EDB;
    snprintf(sql, sizeof(sql),
             ENTRY_INSERT " SELECT $1, c.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14"
                          " FROM (%s) c ORDER BY c.id",
             ids);
    st = pz_sql(conn, sql);
    if (!st)
        return PZ_EDB;
    bind_entry(st, ws, e, pz_now_ms());
    pz_sql_bind_ids(st, 2, contact_ids, n);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r == PZ_SQL_DONE ? 0 : (r < 0 ? r : PZ_EDB);
}

int timeline_remove(struct pz_conn *conn, int64_t ws, int64_t entry_id)
{
    struct pz_stmt *st =
        pz_sql(conn, "DELETE FROM timeline_entries WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, entry_id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

/* --- listing --------------------------------------------------------------------------- */

#define ENTRY_COLUMNS                                                                              \
    "SELECT t.id, t.contact_id, c.display_name, t.at, t.kind, COALESCE(t.channel, ''),"            \
    " COALESCE(t.direction, ''), COALESCE(t.duration_s, -1), COALESCE(t.outcome, ''), t.body,"     \
    " COALESCE(t.author_user_id, 0), COALESCE(t.source_kind, ''), COALESCE(t.source_id, 0),"       \
    " t.interaction, t.created_at FROM timeline_entries t JOIN contacts c"                         \
    " ON c.workspace_id = t.workspace_id AND c.id = t.contact_id"

#define PAGE_ORDER " AND (t.at, t.id) < ($3, $4) ORDER BY t.at DESC, t.id DESC LIMIT $5"

static const char *const contact_sql =
    ENTRY_COLUMNS " WHERE t.workspace_id = $1 AND t.contact_id = $2" PAGE_ORDER;

static const char *const organization_sql =
    ENTRY_COLUMNS " WHERE t.workspace_id = $1 AND (t.contact_id = $2 OR t.contact_id IN"
                  " (SELECT m.person_id FROM memberships m WHERE m.workspace_id = $1"
                  " AND m.organization_id = $2))" PAGE_ORDER;

static void copy_col(char *out, size_t outsz, const char *s)
{
    snprintf(out, outsz, "%s", s ? s : "");
}

static void read_entry(struct pz_stmt *st, struct timeline_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->id = pz_sql_int(st, 0);
    e->contact_id = pz_sql_int(st, 1);
    copy_col(e->contact_name, sizeof(e->contact_name), pz_sql_text(st, 2));
    e->at = pz_sql_int(st, 3);
    copy_col(e->kind, sizeof(e->kind), pz_sql_text(st, 4));
    copy_col(e->channel, sizeof(e->channel), pz_sql_text(st, 5));
    copy_col(e->direction, sizeof(e->direction), pz_sql_text(st, 6));
    e->duration_s = pz_sql_int(st, 7);
    copy_col(e->outcome, sizeof(e->outcome), pz_sql_text(st, 8));
    e->body = pz_sql_text(st, 9);
    e->author_user_id = pz_sql_int(st, 10);
    copy_col(e->source_kind, sizeof(e->source_kind), pz_sql_text(st, 11));
    e->source_id = pz_sql_int(st, 12);
    e->interaction = (int)pz_sql_int(st, 13);
    e->created_at = pz_sql_int(st, 14);
}

/* Parses "<at>.<id>" into *AT and *ID. */
static int cursor_parse(const char *cursor, int64_t *at, int64_t *id, struct pz_err *err)
{
    char num[24];
    const char *dot = strchr(cursor, '.');
    size_t k = dot ? (size_t)(dot - cursor) : 0;

    if (!dot || k == 0 || k >= sizeof(num))
        goto bad;
    memcpy(num, cursor, k);
    num[k] = '\0';
    if (pz_parse_int64(num, INT64_MIN, INT64_MAX, at) < 0 ||
        pz_parse_int64(dot + 1, 1, INT64_MAX, id) < 0)
        goto bad;
    return 0;
bad:
    return pz_err_set(err, "request.invalid", "cursor", "the cursor is not valid");
}

/* Runs one page of SQL (contact_sql or organization_sql) for contact or organization ID. */
static int list_page(struct pz_conn *conn, const char *sql, int64_t ws, int64_t id,
                     const char *cursor, int limit,
                     void (*fn)(const struct timeline_entry *e, void *arg), void *arg, char *next,
                     size_t nextsz, struct pz_err *err)
{
    struct timeline_entry e;
    struct pz_stmt *st;
    int64_t at = 0, after = 0;
    int n = 0, r = 0, has_cursor = cursor && *cursor;

    next[0] = '\0';
    memset(&e, 0, sizeof(e));
    if (limit < 0 || limit > TIMELINE_LIST_MAX)
        return pz_err_set(err, "request.invalid", "limit", "limit must be 1 to %d",
                          TIMELINE_LIST_MAX);
    if (limit == 0)
        limit = 50;
    if (has_cursor)
        r = cursor_parse(cursor, &at, &after, err);
    if (r < 0)
        return r;
    st = pz_sql(conn, sql);
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    /* The first page starts after the last possible entry. */
    pz_sql_bind_int(st, 3, has_cursor ? at : INT64_MAX);
    pz_sql_bind_int(st, 4, has_cursor ? after : INT64_MAX);
    pz_sql_bind_int(st, 5, limit + 1);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        if (n == limit) {
            snprintf(next, nextsz, "%lld.%lld", (long long)e.at, (long long)e.id);
            break;
        }
        read_entry(st, &e);
        fn(&e, arg);
        n++;
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int timeline_list(struct pz_conn *conn, int64_t ws, int64_t contact_id, const char *cursor,
                  int limit, void (*fn)(const struct timeline_entry *e, void *arg), void *arg,
                  char *next, size_t nextsz, struct pz_err *err)
{
    int r = contact_exists(conn, ws, contact_id, 0);

    next[0] = '\0';
    if (r < 0)
        return r;
    return list_page(conn, contact_sql, ws, contact_id, cursor, limit, fn, arg, next, nextsz, err);
}

int timeline_list_organization(struct pz_conn *conn, int64_t ws, int64_t org_id, const char *cursor,
                               int limit, void (*fn)(const struct timeline_entry *e, void *arg),
                               void *arg, char *next, size_t nextsz, struct pz_err *err)
{
    int r = contact_exists(conn, ws, org_id, 1);

    next[0] = '\0';
    if (r == PZ_EINVAL)
        return pz_err_set(err, "contact.not_organization", "id",
                          "contact %lld is not an organization", (long long)org_id);
    if (r < 0)
        return r;
    return list_page(conn, organization_sql, ws, org_id, cursor, limit, fn, arg, next, nextsz, err);
}
