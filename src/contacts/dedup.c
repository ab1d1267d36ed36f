/*
 * Duplicate suggestions and merging. See dedup.h.
 *
 * Candidates are collected first and written after, so no statement reads a
 * table while another writes it. A merge moves rows with UPDATE where the
 * keys cannot collide (identities, consents, timeline entries) and with
 * INSERT ... SELECT ... ON CONFLICT DO NOTHING where KEEP may already hold
 * the row (memberships, tags, field values): KEEP's rows win, and the
 * cascade of deleting GONE removes what did not move.
 */
#include "contacts/dedup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "contacts/score.h"
#include "contacts/timeline.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

#define NAME_MIN_FOR_EDIT 5 /* shorter keys must be equal: "Ada" and "Ida" are two people */
/* A crowd of look-alike names helps nobody: at most this many per contact and check. */
#define NAME_SUGGESTIONS_MAX 10

int dedup_suggest(struct pz_conn *conn, int64_t ws, int64_t a, int64_t b, const char *reason,
                  const char *detail, int *added)
{
    struct pz_stmt *st;
    int r;

    if (added)
        *added = 0;
    if (a == b)
        return 0;
    st = pz_sql(conn, "INSERT INTO duplicate_suggestions (workspace_id, contact_a, contact_b,"
                      " reason, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
                      " ON CONFLICT (workspace_id, contact_a, contact_b) DO NOTHING");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, a < b ? a : b);
    pz_sql_bind_int(st, 3, a < b ? b : a);
    pz_sql_bind_text(st, 4, reason);
    pz_sql_bind_text(st, 5, detail);
    pz_sql_bind_int(st, 6, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (added)
        *added = pz_sql_changes(conn) > 0;
    return 0;
}

/* A pair to suggest, collected before writing. */
struct candidate {
    int64_t other;
    char reason[16];
    char detail[NORMALIZE_MAX];
};

struct candidates {
    struct candidate *items;
    size_t n_items, cap;
};

static void candidate_add(struct candidates *c, int64_t other, const char *reason,
                          const char *detail)
{
    if (c->n_items == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->items = xrealloc(c->items, c->cap * sizeof(*c->items));
    }
    c->items[c->n_items].other = other;
    snprintf(c->items[c->n_items].reason, sizeof(c->items[0].reason), "%s", reason);
    snprintf(c->items[c->n_items].detail, sizeof(c->items[0].detail), "%s", detail ? detail : "");
    c->n_items++;
}

/* Other contacts holding one of contact ID's normalized identities under any kind. */
static int shared_identities(struct pz_conn *conn, int64_t ws, int64_t id, struct candidates *c)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT o.contact_id, i.value_normalized FROM identities i JOIN identities o"
                     " ON o.workspace_id = i.workspace_id"
                     " AND o.value_normalized = i.value_normalized AND o.contact_id <> i.contact_id"
                     " WHERE i.workspace_id = $1 AND i.contact_id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        candidate_add(c, pz_sql_int(st, 0), "identity", pz_sql_text(st, 1));
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* Non-zero when S has a digit: "Sede 1" and "Sede 2" are not one edit from being one. */
static int has_digit(const char *s)
{
    return strpbrk(s, "0123456789") != NULL;
}

static int names_similar(const char *a, const char *b)
{
    size_t la, lb;

    if (!*a || !*b)
        return 0;
    la = strlen(a);
    lb = strlen(b);
    if (la == lb && memcmp(a, b, la) == 0)
        return 1;
    /* One edit apart needs lengths at most one apart: most pairs end here, cheaply. */
    if ((la > lb ? la - lb : lb - la) > 1 || la < NAME_MIN_FOR_EDIT || lb < NAME_MIN_FOR_EDIT)
        return 0;
    return normalize_distance(a, b, 1) <= 1 && !has_digit(a) && !has_digit(b);
}

/* Contact ID's name key into KEY. */
static int name_key_of(struct pz_conn *conn, int64_t ws, int64_t id, char *key, size_t keysz)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT name_key FROM contacts WHERE workspace_id = $1 AND id = $2");
    const char *t;
    int r;

    key[0] = '\0';
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        snprintf(key, keysz, "%s", (t = pz_sql_text(st, 0)) ? t : "");
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* People of contact ID's organizations whose names are similar to its own. */
static int similar_colleagues(struct pz_conn *conn, int64_t ws, int64_t id, struct candidates *c)
{
    struct pz_stmt *st;
    char mine[256];
    int n_found = 0, r = name_key_of(conn, ws, id, mine, sizeof(mine));

    if (r < 0 || !mine[0])
        return r;
    /* Starting from the contact's own organizations keeps this to their members. */
    st = pz_sql(conn, "SELECT p.id, p.name_key, o.display_name FROM memberships m"
                      " JOIN contacts p ON p.workspace_id = m.workspace_id AND p.id = m.person_id"
                      " JOIN contacts o ON o.workspace_id = m.workspace_id"
                      " AND o.id = m.organization_id"
                      " WHERE m.workspace_id = $1 AND m.person_id <> $2"
                      " AND m.organization_id IN (SELECT organization_id FROM memberships"
                      " WHERE workspace_id = $1 AND person_id = $2)");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    while (n_found < NAME_SUGGESTIONS_MAX && (r = pz_sql_step(st)) == PZ_SQL_ROW) {
        const char *theirs = pz_sql_text(st, 1);
        if (theirs && names_similar(mine, theirs)) {
            candidate_add(c, pz_sql_int(st, 0), "name", pz_sql_text(st, 2));
            n_found++;
        }
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int dedup_check_contact(struct pz_conn *conn, int64_t ws, int64_t id, long *added)
{
    struct candidates c = {NULL, 0, 0};
    int r = shared_identities(conn, ws, id, &c);

    if (added)
        *added = 0;
    if (r == 0)
        r = similar_colleagues(conn, ws, id, &c);
    for (size_t i = 0; r == 0 && i < c.n_items; i++) {
        int one = 0;
        r = dedup_suggest(conn, ws, id, c.items[i].other, c.items[i].reason, c.items[i].detail,
                          &one);
        if (added)
            *added += one;
    }
    free(c.items);
    return r;
}

/* Writes the suggestions of C for contact ID, counting the new ones in *ADDED. */
static int suggest_all(struct pz_conn *conn, int64_t ws, int64_t id, const struct candidates *c,
                       long *added)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < c->n_items; i++) {
        int one = 0;
        r = dedup_suggest(conn, ws, id, c->items[i].other, c->items[i].reason, c->items[i].detail,
                          &one);
        if (added)
            *added += one;
    }
    return r;
}

int dedup_check_identities(struct pz_conn *conn, int64_t ws, int64_t id, long *added)
{
    struct candidates c = {NULL, 0, 0};
    int r = shared_identities(conn, ws, id, &c);

    if (added)
        *added = 0;
    if (r == 0)
        r = suggest_all(conn, ws, id, &c, added);
    free(c.items);
    return r;
}

int dedup_check_names(struct pz_conn *conn, int64_t ws, int64_t id, const char *name_key,
                      const struct dedup_person *people, size_t n_people, const char *detail,
                      long *added)
{
    struct candidates c = {NULL, 0, 0};
    int n_found = 0, r;

    if (added)
        *added = 0;
    if (!name_key || !name_key[0])
        return 0;
    for (size_t i = 0; i < n_people && n_found < NAME_SUGGESTIONS_MAX; i++) {
        if (people[i].id == id || !people[i].name_key ||
            !names_similar(name_key, people[i].name_key))
            continue;
        candidate_add(&c, people[i].id, "name", detail);
        n_found++;
    }
    r = suggest_all(conn, ws, id, &c, added);
    free(c.items);
    return r;
}

int dedup_scan(struct pz_conn *conn, int64_t ws, long *added)
{
    struct pz_stmt *st;
    int64_t after = 0, ids[256];
    int n, r = 0;

    if (added)
        *added = 0;
    do {
        st = pz_sql(conn, "SELECT id FROM contacts WHERE workspace_id = $1 AND id > $2"
                          " ORDER BY id LIMIT 256");
        if (!st)
            return PZ_EDB;
        pz_sql_bind_int(st, 1, ws);
        pz_sql_bind_int(st, 2, after);
        n = 0;
        while (n < 256 && (r = pz_sql_step(st)) == PZ_SQL_ROW)
            ids[n++] = pz_sql_int(st, 0);
        pz_sql_done(st);
        if (r < 0)
            return r;
        r = 0;
        for (int i = 0; r == 0 && i < n; i++) {
            long one = 0;
            r = dedup_check_contact(conn, ws, ids[i], &one);
            if (added)
                *added += one;
        }
        if (n > 0)
            after = ids[n - 1];
    } while (r == 0 && n == 256);
    return r;
}

int dedup_list(struct pz_conn *conn, int64_t ws, int include_dismissed, int64_t after_id, int limit,
               void (*fn)(const struct dedup_suggestion *s, void *arg), void *arg)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT d.id, d.contact_a, d.contact_b, a.display_name, b.display_name,"
                     " d.reason, COALESCE(d.detail, ''), d.dismissed, d.created_at"
                     " FROM duplicate_suggestions d"
                     " JOIN contacts a ON a.workspace_id = d.workspace_id AND a.id = d.contact_a"
                     " JOIN contacts b ON b.workspace_id = d.workspace_id AND b.id = d.contact_b"
                     " WHERE d.workspace_id = $1 AND ($2 = 1 OR d.dismissed = 0) AND d.id > $3"
                     " ORDER BY d.id LIMIT $4");
    struct dedup_suggestion s;
    const char *t;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, include_dismissed ? 1 : 0);
    pz_sql_bind_int(st, 3, after_id);
    pz_sql_bind_int(st, 4, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        memset(&s, 0, sizeof(s));
        s.id = pz_sql_int(st, 0);
        s.contact_a = pz_sql_int(st, 1);
        s.contact_b = pz_sql_int(st, 2);
        snprintf(s.name_a, sizeof(s.name_a), "%s", (t = pz_sql_text(st, 3)) ? t : "");
        snprintf(s.name_b, sizeof(s.name_b), "%s", (t = pz_sql_text(st, 4)) ? t : "");
        snprintf(s.reason, sizeof(s.reason), "%s", (t = pz_sql_text(st, 5)) ? t : "");
        snprintf(s.detail, sizeof(s.detail), "%s", (t = pz_sql_text(st, 6)) ? t : "");
        s.dismissed = (int)pz_sql_int(st, 7);
        s.created_at = pz_sql_int(st, 8);
        fn(&s, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int dedup_dismiss(struct pz_conn *conn, int64_t ws, int64_t id)
{
    struct pz_stmt *st = pz_sql(conn, "UPDATE duplicate_suggestions SET dismissed = 1"
                                      " WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

/* --- merging --------------------------------------------------------------------------- */

/* Runs SQL whose $1 is the workspace, $2 KEEP and $3 GONE. */
static int run3(struct pz_conn *conn, const char *sql, int64_t ws, int64_t keep, int64_t gone)
{
    struct pz_stmt *st = pz_sql(conn, sql);
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, keep);
    pz_sql_bind_int(st, 3, gone);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* Moves what needs no decision. */
static const char *const move_sql[] = {
    "UPDATE identities SET contact_id = $2 WHERE workspace_id = $1 AND contact_id = $3",
    "UPDATE consents SET contact_id = $2 WHERE workspace_id = $1 AND contact_id = $3",
    "UPDATE timeline_entries SET contact_id = $2 WHERE workspace_id = $1 AND contact_id = $3",
    "UPDATE contact_import_keys SET contact_id = $2 WHERE workspace_id = $1 AND contact_id = $3",
    "INSERT INTO contact_tags (workspace_id, contact_id, tag_id)"
    " SELECT workspace_id, $2, tag_id FROM contact_tags WHERE workspace_id = $1"
    " AND contact_id = $3 ON CONFLICT (workspace_id, contact_id, tag_id) DO NOTHING",
    "INSERT INTO contact_field_values (workspace_id, contact_id, field_id, value)"
    " SELECT workspace_id, $2, field_id, value FROM contact_field_values WHERE workspace_id = $1"
    " AND contact_id = $3 ON CONFLICT (workspace_id, contact_id, field_id) DO NOTHING",
    "INSERT INTO memberships (workspace_id, person_id, organization_id, title, created_at)"
    " SELECT workspace_id, $2, organization_id, title, created_at FROM memberships"
    " WHERE workspace_id = $1 AND person_id = $3 AND organization_id <> $2"
    " ON CONFLICT (workspace_id, person_id, organization_id) DO NOTHING",
    "INSERT INTO memberships (workspace_id, person_id, organization_id, title, created_at)"
    " SELECT workspace_id, person_id, $2, title, created_at FROM memberships"
    " WHERE workspace_id = $1 AND organization_id = $3 AND person_id <> $2"
    " ON CONFLICT (workspace_id, person_id, organization_id) DO NOTHING",
};

/*
 * Writes into B, as Markdown lines, GONE's field values and titles that
 * differ from KEEP's (KEEP's win and GONE's would be lost).
 */
static int collect_conflicts(struct pz_conn *conn, int64_t ws, int64_t keep, int64_t gone,
                             struct pz_buf *b)
{
    struct pz_stmt *st = pz_sql(
        conn, "SELECT f.name, g.value FROM contact_field_values g"
              " JOIN custom_fields f ON f.workspace_id = g.workspace_id AND f.id = g.field_id"
              " JOIN contact_field_values k ON k.workspace_id = g.workspace_id"
              " AND k.contact_id = $2 AND k.field_id = g.field_id"
              " WHERE g.workspace_id = $1 AND g.contact_id = $3 AND k.value <> g.value"
              " UNION ALL"
              " SELECT o.display_name, g.title FROM memberships g"
              " JOIN contacts o ON o.workspace_id = g.workspace_id"
              " AND o.id = g.organization_id"
              " JOIN memberships k ON k.workspace_id = g.workspace_id AND k.person_id = $2"
              " AND k.organization_id = g.organization_id"
              " WHERE g.workspace_id = $1 AND g.person_id = $3 AND g.title IS NOT NULL"
              " AND COALESCE(k.title, '') <> g.title");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, keep);
    pz_sql_bind_int(st, 3, gone);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        pz_buf_printf(b, "\n- %s: %s", pz_sql_text(st, 0), pz_sql_text(st, 1));
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* Fills KEEP's empty names, relationship and owner from GONE and appends GONE's notes. */
static int merge_fields(struct pz_conn *conn, int64_t ws, const struct contact *keep,
                        const struct contact *gone)
{
    struct pz_stmt *st;
    struct pz_buf notes;
    int r;

    pz_buf_init(&notes, 2 * CONTACT_NOTES_MAX + 2);
    pz_buf_addstr(&notes, keep->notes_md);
    if (gone->notes_md[0] && !strstr(keep->notes_md, gone->notes_md)) {
        if (notes.len > 0)
            pz_buf_addstr(&notes, "\n\n");
        pz_buf_addstr(&notes, gone->notes_md);
    }
    st = pz_sql(conn, "UPDATE contacts SET given_name = COALESCE(given_name, $3),"
                      " family_name = COALESCE(family_name, $4),"
                      " relationship = COALESCE(relationship, $5),"
                      " owner_user_id = COALESCE(owner_user_id, $6), notes_md = $7,"
                      " updated_at = $8 WHERE workspace_id = $1 AND id = $2");
    if (!st) {
        pz_buf_release(&notes);
        return PZ_EDB;
    }
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, keep->id);
    pz_sql_bind_text(st, 3, gone->given_name[0] ? gone->given_name : NULL);
    pz_sql_bind_text(st, 4, gone->family_name[0] ? gone->family_name : NULL);
    pz_sql_bind_text(st, 5, gone->relationship[0] ? gone->relationship : NULL);
    if (gone->owner_user_id > 0)
        pz_sql_bind_int(st, 6, gone->owner_user_id);
    else
        pz_sql_bind_null(st, 6);
    pz_sql_bind_text(st, 7, pz_buf_str(&notes));
    pz_sql_bind_int(st, 8, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    pz_buf_release(&notes);
    return r < 0 ? r : 0;
}

/* Writes a timeline entry of KIND with BODY on contact ID, authored by ACTOR_ID. */
static int log_entry(struct pz_conn *conn, int64_t ws, int64_t id, const char *kind,
                     const char *body, int64_t actor_id, int64_t gone_id)
{
    struct timeline_new e;

    timeline_new_init(&e);
    e.contact_id = id;
    e.kind = kind;
    e.body = body;
    e.author_user_id = actor_id;
    e.source_kind = "contact";
    e.source_id = gone_id;
    return timeline_add(conn, ws, &e, NULL, NULL);
}

static int delete_contact(struct pz_conn *conn, int64_t ws, int64_t id)
{
    struct pz_stmt *st = pz_sql(conn, "DELETE FROM contacts WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* contact_merge's work on two loaded contacts, inside its transaction. */
static int merge_loaded(struct pz_conn *conn, int64_t ws, const struct contact *keep,
                        const struct contact *gone, int64_t actor_id)
{
    struct pz_buf conflicts, body;
    char target[32], detail[48];
    int r;

    pz_buf_init(&conflicts, TIMELINE_BODY_MAX / 2);
    pz_buf_init(&body, TIMELINE_BODY_MAX);
    r = collect_conflicts(conn, ws, keep->id, gone->id, &conflicts);
    for (size_t i = 0; r == 0 && i < sizeof(move_sql) / sizeof(move_sql[0]); i++)
        r = run3(conn, move_sql[i], ws, keep->id, gone->id);
    if (r == 0)
        r = merge_fields(conn, ws, keep, gone);
    if (r == 0 && conflicts.len > 0) {
        pz_buf_printf(&body, "Values of the merged contact %s (#%lld) that differed:%s",
                      gone->display_name, (long long)gone->id, pz_buf_str(&conflicts));
        r = log_entry(conn, ws, keep->id, "note", pz_buf_str(&body), actor_id, gone->id);
    }
    if (r == 0) {
        pz_buf_reset(&body);
        pz_buf_printf(&body, "%s (#%lld)", gone->display_name, (long long)gone->id);
        r = log_entry(conn, ws, keep->id, "merge", pz_buf_str(&body), actor_id, gone->id);
    }
    if (r == 0)
        r = delete_contact(conn, ws, gone->id);
    if (r == 0)
        r = contact_reindex(conn, ws, keep->id);
    if (r == 0 && strcmp(keep->kind, "organization") == 0)
        r = contact_reindex_members(conn, ws,
                                    keep->id); /* the people who moved carry the old name */
    if (r == 0)
        r = score_update(conn, ws, keep->id, pz_now_ms(), NULL);
    if (r == 0)
        r = dedup_check_contact(conn, ws, keep->id, NULL);
    if (r == 0) {
        snprintf(target, sizeof(target), "contact:%lld", (long long)keep->id);
        snprintf(detail, sizeof(detail), "merged contact:%lld", (long long)gone->id);
        r = audit_add(conn, ws, actor_id, "contact.merge", target, NULL, detail);
    }
    pz_buf_release(&conflicts);
    pz_buf_release(&body);
    return r;
}

static int merge_in_tx(struct pz_conn *conn, int64_t ws, int64_t keep_id, int64_t gone_id,
                       int64_t actor_id, struct pz_err *err)
{
    struct contact keep, gone;
    int r;

    memset(&gone, 0, sizeof(gone));
    r = contact_get(conn, ws, keep_id, &keep);
    if (r == 0)
        r = contact_get(conn, ws, gone_id, &gone);
    if (r != 0) {
        contact_release(&keep);
        return r;
    }
    if (strcmp(keep.kind, gone.kind) != 0)
        r = pz_err_set(err, "contact.merge_invalid", "gone_id",
                       "a person and an organization cannot be merged");
    else
        r = merge_loaded(conn, ws, &keep, &gone, actor_id);
    contact_release(&keep);
    contact_release(&gone);
    return r;
}

int contact_merge(struct pz_conn *conn, int64_t ws, int64_t keep_id, int64_t gone_id,
                  int64_t actor_id, struct pz_err *err)
{
    int r;

    if (keep_id == gone_id)
        return pz_err_set(err, "contact.merge_invalid", "gone_id",
                          "a contact cannot be merged with itself");
    r = pz_tx_begin(conn);
    if (r < 0)
        return r;
    r = merge_in_tx(conn, ws, keep_id, gone_id, actor_id, err);
    if (r < 0) {
        pz_tx_rollback(conn);
        return r;
    }
    return pz_tx_commit(conn);
}
