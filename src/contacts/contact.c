/*
 * Contacts, their organizations, identities, tags, custom fields and
 * consents. See contact.h.
 *
 * Constraint violations are checked for before writing rather than caught
 * after: PostgreSQL aborts the whole transaction on a failed statement, and
 * the importer runs a whole file in one transaction.
 */
#include "contacts/contact.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "contacts/score.h"
#include "contacts/timeline.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

#define SEARCH_TEXT_MAX 16384

static const char *const stages[] = {"stranger", "lead",     "prospect",
                                     "customer", "advocate", "former"};
static const char *const relationships[] = {"customer", "supplier",  "partner", "consultant",
                                            "press",    "candidate", "employee"};

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

int contact_stage_valid(const char *s)
{
    return in_list(s, stages, sizeof(stages) / sizeof(stages[0]));
}

int contact_relationship_valid(const char *s)
{
    return in_list(s, relationships, sizeof(relationships) / sizeof(relationships[0]));
}

void contact_release(struct contact *c)
{
    if (!c)
        return;
    free(c->notes_md);
    c->notes_md = NULL;
}

void contact_fields_init(struct contact_fields *f)
{
    memset(f, 0, sizeof(*f));
    f->owner_user_id = -1;
}

void contact_query_init(struct contact_query *q)
{
    memset(q, 0, sizeof(*q));
    q->strength_min = -1;
    q->strength_max = -1;
}

/* Copies S (NULL as "") into OUT, as pz_sql_text's columns are read everywhere here. */
static void copy_col(char *out, size_t outsz, const char *s)
{
    snprintf(out, outsz, "%s", s ? s : "");
}

/*
 * Copies S without surrounding white space into OUT (OUTSZ - 1 bytes at
 * most) after checking it: valid UTF-8, no control characters (MULTILINE
 * allows new lines and tabs). Returns 0 or PZ_EINVAL with ERR naming FIELD.
 */
static int clean_text(const char *s, char *out, size_t outsz, int multiline, const char *field,
                      struct pz_err *err)
{
    size_t n;

    out[0] = '\0';
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n >= outsz)
        return pz_err_set(err, "request.invalid", field, "%s may be at most %zu bytes long", field,
                          outsz - 1);
    if (!pz_utf8_valid(s, n))
        return pz_err_set(err, "request.invalid", field, "%s is not valid UTF-8 text", field);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7F)
            return pz_err_set(err, "request.invalid", field, "%s has control characters", field);
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* Reads contact ID's kind into KIND. Returns 0, PZ_ENOTFOUND or a negative code. */
static int kind_of(struct pz_conn *conn, int64_t ws, int64_t id, char kind[16])
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT kind FROM contacts WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        copy_col(kind, 16, pz_sql_text(st, 0));
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

/* Marks contact ID as changed now. */
static int touch(struct pz_conn *conn, int64_t ws, int64_t id)
{
    struct pz_stmt *st =
        pz_sql(conn, "UPDATE contacts SET updated_at = $3 WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* --- reading rows ---------------------------------------------------------------------- */

#define CONTACT_FROM                                                                               \
    " FROM contacts c LEFT JOIN contact_scores s"                                                  \
    " ON s.workspace_id = c.workspace_id AND s.contact_id = c.id"

#define LAST_CONTACT                                                                               \
    "(SELECT MAX(t.at) FROM timeline_entries t WHERE t.workspace_id = c.workspace_id"              \
    " AND t.contact_id = c.id AND t.interaction = 1)"

#define CONTACT_COLUMNS                                                                            \
    "c.id, c.workspace_id, c.kind, c.display_name, COALESCE(c.given_name, ''),"                    \
    " COALESCE(c.family_name, ''), c.stage, COALESCE(c.relationship, ''),"                         \
    " COALESCE(c.owner_user_id, 0), c.created_at, c.updated_at, COALESCE(s.strength, -1),"         \
    " COALESCE(s.previous_strength, -1), COALESCE(" LAST_CONTACT ", -1), c.sort_name"

enum { COL_SORT_NAME = 14, COL_NOTES = 15 };

static void read_contact(struct pz_stmt *st, struct contact *c)
{
    memset(c, 0, sizeof(*c));
    c->id = pz_sql_int(st, 0);
    c->workspace_id = pz_sql_int(st, 1);
    copy_col(c->kind, sizeof(c->kind), pz_sql_text(st, 2));
    copy_col(c->display_name, sizeof(c->display_name), pz_sql_text(st, 3));
    copy_col(c->given_name, sizeof(c->given_name), pz_sql_text(st, 4));
    copy_col(c->family_name, sizeof(c->family_name), pz_sql_text(st, 5));
    copy_col(c->stage, sizeof(c->stage), pz_sql_text(st, 6));
    copy_col(c->relationship, sizeof(c->relationship), pz_sql_text(st, 7));
    c->owner_user_id = pz_sql_int(st, 8);
    c->created_at = pz_sql_int(st, 9);
    c->updated_at = pz_sql_int(st, 10);
    c->strength = (int)pz_sql_int(st, 11);
    c->previous_strength = (int)pz_sql_int(st, 12);
    c->last_contact_at = pz_sql_int(st, 13);
}

int contact_get(struct pz_conn *conn, int64_t ws, int64_t id, struct contact *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " CONTACT_COLUMNS ", c.notes_md" CONTACT_FROM
                                      " WHERE c.workspace_id = $1 AND c.id = $2");
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        read_contact(st, out);
        out->notes_md = xstrdup(pz_sql_text(st, COL_NOTES) ? pz_sql_text(st, COL_NOTES) : "");
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

/* --- the search index ------------------------------------------------------------------ */

/*
 * Appends the words of S (folded already) that the text does not hold yet, each after a
 * space. Search matches a query's words anywhere in the text (LIKE '%word%'), and a word
 * has no space, so a word found inside the text already matches nothing more: a contact's
 * name is often its given and family names again, and an identity as written its
 * normalized value, and leaving them out keeps the text and its trigram index about a
 * third smaller. A full buffer only shortens the search text.
 */
static void add_words(struct pz_buf *b, const char *s)
{
    char word[1024];

    while (*s) {
        size_t n = strcspn(s, " ");
        if (n > 0 && n < sizeof(word)) {
            memcpy(word, s, n);
            word[n] = '\0';
            if (!b->len || !strstr(pz_buf_str(b), word)) {
                if (b->len > 0)
                    pz_buf_addch(b, ' ');
                pz_buf_addstr(b, word);
            }
        }
        s += n;
        while (*s == ' ')
            s++;
    }
}

/* Appends S folded (its new words). */
static void add_folded(struct pz_buf *b, const char *s)
{
    char folded[1024];

    if (!s || !*s || normalize_fold(s, folded, sizeof(folded)) <= 0)
        return;
    add_words(b, folded);
}

/* Appends name S folded and, when it differs, as a name key without punctuation, so that
 * "srl" finds "S.r.l." and "dangelo" finds "D'Angelo". */
static void add_name(struct pz_buf *b, const char *s)
{
    char folded[1024], key[1024];

    if (!s || !*s || normalize_fold(s, folded, sizeof(folded)) <= 0)
        return;
    add_words(b, folded);
    if (normalize_name_key(s, 0, key, sizeof(key)) > 0 && strcmp(key, folded) != 0)
        add_words(b, key);
}

/* The derived columns of one contact. */
struct index_row {
    char sort_name[256];
    char name_key[256];
    struct pz_buf search;
    int found;
};

/*
 * Adds one part of what the search text is made of: the contact's own names
 * (PART 0: display, given and family name; the display name also gives the
 * sort name and name key), an organization's name (1, in A) or an identity
 * (2: normalized in A, as written in B). contact_reindex feeds it the rows,
 * contact_create_indexed what is about to be written, so both make the same
 * text.
 */
static void index_add_part(struct index_row *ix, int part, const char *a, const char *b,
                           const char *c)
{
    if (part == 0) {
        ix->found = 1;
        normalize_fold(a, ix->sort_name, sizeof(ix->sort_name));
        normalize_name_key(a, 1, ix->name_key, sizeof(ix->name_key));
    }
    if (part < 2) {
        add_name(&ix->search, a);
        add_name(&ix->search, b);
        add_name(&ix->search, c);
    } else {
        add_folded(&ix->search, a);
        add_folded(&ix->search, b);
    }
}

/*
 * Reads in one query what the search text of contact ID is made of: its
 * names (part 0), its organizations' names (1) and its identities (2).
 */
static int index_read(struct pz_conn *conn, int64_t ws, int64_t id, struct index_row *ix)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT 0, display_name, given_name, family_name FROM contacts"
                     " WHERE workspace_id = $1 AND id = $2"
                     " UNION ALL SELECT 1, o.display_name, NULL, NULL FROM memberships m"
                     " JOIN contacts o ON o.workspace_id = m.workspace_id"
                     " AND o.id = m.organization_id WHERE m.workspace_id = $1 AND m.person_id = $2"
                     " UNION ALL SELECT 2, value_normalized, value_original, NULL FROM identities"
                     " WHERE workspace_id = $1 AND contact_id = $2 ORDER BY 1");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        index_add_part(ix, (int)pz_sql_int(st, 0), pz_sql_text(st, 1), pz_sql_text(st, 2),
                       pz_sql_text(st, 3));
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int contact_reindex(struct pz_conn *conn, int64_t ws, int64_t id)
{
    struct index_row ix;
    struct pz_stmt *st;
    int r;

    memset(&ix, 0, sizeof(ix));
    pz_buf_init(&ix.search, SEARCH_TEXT_MAX);
    r = index_read(conn, ws, id, &ix);
    if (r == 0 && !ix.found)
        r = PZ_ENOTFOUND;
    st = r < 0 ? NULL
               : pz_sql(conn, "UPDATE contacts SET sort_name = $3, name_key = $4,"
                              " search_text = $5 WHERE workspace_id = $1 AND id = $2");
    if (st) {
        pz_sql_bind_int(st, 1, ws);
        pz_sql_bind_int(st, 2, id);
        pz_sql_bind_text(st, 3, ix.sort_name);
        pz_sql_bind_text(st, 4, ix.name_key);
        pz_sql_bind_text(st, 5, pz_buf_str(&ix.search));
        r = pz_sql_step(st);
        pz_sql_done(st);
        r = r < 0 ? r : 0;
    } else if (r == 0) {
        r = PZ_EDB;
    }
    pz_buf_release(&ix.search);
    return r;
}

/*
 * Collects into *IDS (the caller frees) up to MAX ids from SQL, which has
 * $1 = the workspace and $2 = P2 and returns one id column.
 */
static int collect_ids(struct pz_conn *conn, const char *sql, int64_t ws, int64_t p2, int64_t **ids,
                       size_t *n_ids)
{
    struct pz_stmt *st = pz_sql(conn, sql);
    size_t cap = 0;
    int r;

    *ids = NULL;
    *n_ids = 0;
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    if (strstr(sql, "$2"))
        pz_sql_bind_int(st, 2, p2);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        if (*n_ids == cap) {
            cap = cap ? cap * 2 : 16;
            *ids = xrealloc(*ids, cap * sizeof(**ids));
        }
        (*ids)[(*n_ids)++] = pz_sql_int(st, 0);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int contact_reindex_members(struct pz_conn *conn, int64_t ws, int64_t org_id)
{
    int64_t *ids;
    size_t n;
    int r = collect_ids(conn,
                        "SELECT person_id FROM memberships WHERE workspace_id = $1"
                        " AND organization_id = $2",
                        ws, org_id, &ids, &n);

    for (size_t i = 0; r == 0 && i < n; i++)
        r = contact_reindex(conn, ws, ids[i]);
    free(ids);
    return r;
}

int contact_reindex_all(struct pz_conn *conn, int64_t ws, long *n_done)
{
    int64_t *ids;
    size_t n;
    int r = collect_ids(conn, "SELECT id FROM contacts WHERE workspace_id = $1 ORDER BY id", ws, 0,
                        &ids, &n);

    for (size_t i = 0; r == 0 && i < n; i++)
        r = contact_reindex(conn, ws, ids[i]);
    free(ids);
    /* The index follows the search text by itself; rebuilding it too mends one that does not
     * (a database file copied in the middle of a write, say). */
    if (r == 0)
        r = pz_store_text_rebuild(conn, "contacts");
    if (n_done)
        *n_done = r == 0 ? (long)n : 0;
    return r;
}

/* --- create, update, delete ------------------------------------------------------------ */

/* The values a contact row will hold, checked. */
struct contact_row {
    char kind[16];
    char display_name[CONTACT_NAME_MAX + 1];
    char given_name[CONTACT_NAME_MAX + 1];
    char family_name[CONTACT_NAME_MAX + 1];
    char stage[16];
    char relationship[16];
    int64_t owner_user_id;
    char *notes_md; /* owned */
};

static int owner_valid(struct pz_conn *conn, int64_t ws, int64_t user_id)
{
    int64_t n = 0;
    int r = pz_sql_int_query(conn, "SELECT COUNT(*) FROM users WHERE workspace_id = $1 AND id = $2",
                             &n, "ii", ws, user_id);
    return r < 0 ? r : n > 0;
}

/* Applies the names F gives to ROW and derives the display name when needed. */
static int apply_names(struct contact_row *row, const struct contact_fields *f, int creating,
                       struct pz_err *err)
{
    int r = 0;

    if (f->given_name)
        r = clean_text(f->given_name, row->given_name, sizeof(row->given_name), 0, "given_name",
                       err);
    if (r == 0 && f->family_name)
        r = clean_text(f->family_name, row->family_name, sizeof(row->family_name), 0, "family_name",
                       err);
    if (r == 0 && f->display_name)
        r = clean_text(f->display_name, row->display_name, sizeof(row->display_name), 0,
                       "display_name", err);
    if (r < 0)
        return r;
    if (creating && !row->display_name[0]) {
        char both[2 * CONTACT_NAME_MAX + 2];
        size_t n;
        snprintf(both, sizeof(both), "%s%s%s", row->given_name,
                 row->given_name[0] && row->family_name[0] ? " " : "", row->family_name);
        /* Two long names may not fit: cut at a character boundary. */
        n = strlen(both);
        while (n > CONTACT_NAME_MAX || (n > 0 && !pz_utf8_valid(both, n)))
            n--;
        memcpy(row->display_name, both, n);
        row->display_name[n] = '\0';
    }
    if (!row->display_name[0])
        return pz_err_set(err, "request.invalid", "display_name", "a contact needs a name");
    return 0;
}

/* Applies F to ROW (which holds the current values, or zeroes on create) and checks it all. */
static int apply_fields(struct pz_conn *conn, int64_t ws, struct contact_row *row,
                        const struct contact_fields *f, int creating, struct pz_err *err)
{
    int r;

    if (creating) {
        const char *kind = f->kind ? f->kind : "person";
        if (strcmp(kind, "person") != 0 && strcmp(kind, "organization") != 0)
            return pz_err_set(err, "request.invalid", "kind",
                              "kind must be person or organization");
        snprintf(row->kind, sizeof(row->kind), "%s", kind);
        snprintf(row->stage, sizeof(row->stage), "stranger");
    }
    r = apply_names(row, f, creating, err);
    if (r < 0)
        return r;
    if (f->stage) {
        if (!contact_stage_valid(f->stage))
            return pz_err_set(err, "request.invalid", "stage",
                              "stage must be stranger, lead, prospect, customer, advocate or"
                              " former");
        snprintf(row->stage, sizeof(row->stage), "%s", f->stage);
    }
    if (f->relationship) {
        if (*f->relationship && !contact_relationship_valid(f->relationship))
            return pz_err_set(err, "request.invalid", "relationship",
                              "relationship must be customer, supplier, partner, consultant,"
                              " press, candidate or employee");
        snprintf(row->relationship, sizeof(row->relationship), "%s", f->relationship);
    }
    if (f->owner_user_id > 0) {
        r = owner_valid(conn, ws, f->owner_user_id);
        if (r < 0)
            return r;
        if (r == 0)
            return pz_err_set(err, "request.invalid", "owner_user_id",
                              "the owner must be a user of this workspace");
    }
    if (f->owner_user_id >= 0)
        row->owner_user_id = f->owner_user_id;
    if (f->notes_md) {
        char *notes = xmalloc(CONTACT_NOTES_MAX + 1);
        r = clean_text(f->notes_md, notes, CONTACT_NOTES_MAX + 1, 1, "notes_md", err);
        if (r < 0) {
            free(notes);
            return r;
        }
        free(row->notes_md);
        row->notes_md = notes;
    }
    return 0;
}

/* Binds ROW's values as $3..$10 of an INSERT or UPDATE. */
static void bind_row(struct pz_stmt *st, const struct contact_row *row)
{
    pz_sql_bind_text(st, 3, row->kind);
    pz_sql_bind_text(st, 4, row->display_name);
    pz_sql_bind_text(st, 5, row->given_name[0] ? row->given_name : NULL);
    pz_sql_bind_text(st, 6, row->family_name[0] ? row->family_name : NULL);
    pz_sql_bind_text(st, 7, row->stage);
    pz_sql_bind_text(st, 8, row->relationship[0] ? row->relationship : NULL);
    if (row->owner_user_id > 0)
        pz_sql_bind_int(st, 9, row->owner_user_id);
    else
        pz_sql_bind_null(st, 9);
    pz_sql_bind_text(st, 10, row->notes_md ? row->notes_md : "");
    pz_sql_bind_int(st, 11, pz_now_ms());
}

/*
 * Checks F and inserts the contact with its derived columns made from its
 * names, ORGS and IDENTS (see contact_create_indexed). Sets *ID.
 */
static int insert_indexed(struct pz_conn *conn, int64_t ws, const struct contact_fields *f,
                          const char *const *orgs, size_t n_orgs, const char *const *idents,
                          size_t n_idents, int64_t *id, struct pz_err *err)
{
    struct contact_row row;
    struct index_row ix;
    struct pz_stmt *st;
    int r;

    memset(&row, 0, sizeof(row));
    memset(&ix, 0, sizeof(ix));
    r = apply_fields(conn, ws, &row, f, 1, err);
    if (r < 0)
        goto done;
    pz_buf_init(&ix.search, SEARCH_TEXT_MAX);
    index_add_part(&ix, 0, row.display_name, row.given_name, row.family_name);
    for (size_t i = 0; i < n_orgs; i++)
        index_add_part(&ix, 1, orgs[i], NULL, NULL);
    for (size_t i = 0; i < n_idents; i++)
        index_add_part(&ix, 2, idents[2 * i], idents[2 * i + 1], NULL);
    st = pz_sql(conn, "INSERT INTO contacts (workspace_id, kind, display_name, given_name,"
                      " family_name, stage, relationship, owner_user_id, notes_md, created_at,"
                      " updated_at, sort_name, name_key, search_text)"
                      " VALUES ($1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14)");
    if (!st) {
        r = PZ_EDB;
        goto done;
    }
    pz_sql_bind_int(st, 1, ws);
    bind_row(st, &row);
    pz_sql_bind_text(st, 12, ix.sort_name);
    pz_sql_bind_text(st, 13, ix.name_key);
    pz_sql_bind_text(st, 14, pz_buf_str(&ix.search));
    r = pz_sql_step(st);
    if (r == PZ_SQL_DONE)
        *id = pz_sql_last_id(conn);
    pz_sql_done(st);
    r = r == PZ_SQL_DONE ? 0 : (r < 0 ? r : PZ_EDB);
done:
    pz_buf_release(&ix.search);
    free(row.notes_md);
    return r;
}

int contact_create(struct pz_conn *conn, int64_t ws, const struct contact_fields *f,
                   struct contact *out, struct pz_err *err)
{
    int64_t id = 0;
    int r;

    if (out)
        memset(out, 0, sizeof(*out));
    r = insert_indexed(conn, ws, f, NULL, 0, NULL, 0, &id, err);
    if (r == 0 && out)
        r = contact_get(conn, ws, id, out);
    return r;
}

int contact_create_indexed(struct pz_conn *conn, int64_t ws, const struct contact_fields *f,
                           const char *const *orgs, size_t n_orgs, const char *const *idents,
                           size_t n_idents, int64_t *id, struct pz_err *err)
{
    return insert_indexed(conn, ws, f, orgs, n_orgs, idents, n_idents, id, err);
}

/* Writes the stage_change entry for FROM -> TO. */
static int log_stage_change(struct pz_conn *conn, int64_t ws, int64_t id, const char *from,
                            const char *to, int64_t actor_id)
{
    struct timeline_new e;
    char body[64];

    snprintf(body, sizeof(body), "%s \xE2\x86\x92 %s", from, to);
    timeline_new_init(&e);
    e.contact_id = id;
    e.kind = "stage_change";
    e.outcome = to;
    e.body = body;
    e.author_user_id = actor_id;
    return timeline_add(conn, ws, &e, NULL, NULL);
}

static int update_row(struct pz_conn *conn, int64_t ws, int64_t id, const struct contact_row *row)
{
    struct pz_stmt *st =
        pz_sql(conn, "UPDATE contacts SET kind = $3, display_name = $4, given_name = $5,"
                     " family_name = $6, stage = $7, relationship = $8, owner_user_id = $9,"
                     " notes_md = $10, updated_at = $11 WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    bind_row(st, row);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* contact_update's work, inside its transaction. */
static int update_in_tx(struct pz_conn *conn, int64_t ws, int64_t id,
                        const struct contact_fields *f, int64_t actor_id, struct pz_err *err)
{
    struct contact cur;
    struct contact_row row;
    int r = contact_get(conn, ws, id, &cur);

    if (r < 0)
        return r;
    memset(&row, 0, sizeof(row));
    snprintf(row.kind, sizeof(row.kind), "%s", cur.kind);
    snprintf(row.display_name, sizeof(row.display_name), "%s", cur.display_name);
    snprintf(row.given_name, sizeof(row.given_name), "%s", cur.given_name);
    snprintf(row.family_name, sizeof(row.family_name), "%s", cur.family_name);
    snprintf(row.stage, sizeof(row.stage), "%s", cur.stage);
    snprintf(row.relationship, sizeof(row.relationship), "%s", cur.relationship);
    row.owner_user_id = cur.owner_user_id;
    row.notes_md = cur.notes_md;
    cur.notes_md = NULL;
    r = apply_fields(conn, ws, &row, f, 0, err);
    if (r == 0)
        r = update_row(conn, ws, id, &row);
    if (r == 0 && strcmp(cur.stage, row.stage) != 0)
        r = log_stage_change(conn, ws, id, cur.stage, row.stage, actor_id);
    if (r == 0)
        r = contact_reindex(conn, ws, id);
    if (r == 0 && strcmp(row.kind, "organization") == 0 &&
        strcmp(cur.display_name, row.display_name) != 0)
        r = contact_reindex_members(conn, ws, id);
    free(row.notes_md);
    return r;
}

int contact_update(struct pz_conn *conn, int64_t ws, int64_t id, const struct contact_fields *f,
                   int64_t actor_id, struct contact *out, struct pz_err *err)
{
    int r;

    if (out)
        memset(out, 0, sizeof(*out));
    r = pz_tx_begin(conn);
    if (r < 0)
        return r;
    r = update_in_tx(conn, ws, id, f, actor_id, err);
    if (r < 0) {
        pz_tx_rollback(conn);
        return r;
    }
    r = pz_tx_commit(conn);
    if (r == 0 && out)
        r = contact_get(conn, ws, id, out);
    return r;
}

int contact_stage_set(struct pz_conn *conn, int64_t ws, int64_t id, const char *stage,
                      int64_t actor_id, int *changed, struct pz_err *err)
{
    char cur[16];
    struct pz_stmt *st;
    int r;

    *changed = 0;
    if (!contact_stage_valid(stage))
        return pz_err_set(err, "request.invalid", "stage",
                          "stage must be stranger, lead, prospect, customer, advocate or former");
    st = pz_sql(conn, "SELECT stage FROM contacts WHERE workspace_id = $1 AND id = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        copy_col(cur, sizeof(cur), pz_sql_text(st, 0));
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return PZ_ENOTFOUND;
    if (strcmp(cur, stage) == 0)
        return 0;
    st = pz_sql(conn, "UPDATE contacts SET stage = $3, updated_at = $4"
                      " WHERE workspace_id = $1 AND id = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, stage);
    pz_sql_bind_int(st, 4, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    *changed = 1;
    return log_stage_change(conn, ws, id, cur, stage, actor_id);
}

int contact_owner_set(struct pz_conn *conn, int64_t ws, int64_t id, int64_t owner_user_id,
                      int *changed, struct pz_err *err)
{
    struct pz_stmt *st;
    int r;

    *changed = 0;
    if (owner_user_id > 0) {
        r = owner_valid(conn, ws, owner_user_id);
        if (r < 0)
            return r;
        if (r == 0)
            return pz_err_set(err, "request.invalid", "owner_user_id",
                              "the owner must be a user of this workspace");
    }
    st = pz_sql(conn, "UPDATE contacts SET owner_user_id = $3, updated_at = $4"
                      " WHERE workspace_id = $1 AND id = $2"
                      " AND COALESCE(owner_user_id, 0) <> COALESCE($3, 0)");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    if (owner_user_id > 0)
        pz_sql_bind_int(st, 3, owner_user_id);
    else
        pz_sql_bind_null(st, 3);
    pz_sql_bind_int(st, 4, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    *changed = pz_sql_changes(conn) > 0;
    return 0;
}

/* contact_delete's work, inside its transaction. */
static int delete_in_tx(struct pz_conn *conn, int64_t ws, int64_t id, int64_t actor_id)
{
    char kind[16], target[32];
    int64_t *members = NULL;
    size_t n_members = 0;
    struct pz_stmt *st;
    int r = kind_of(conn, ws, id, kind);

    if (r < 0)
        return r;
    if (strcmp(kind, "organization") == 0)
        r = collect_ids(conn,
                        "SELECT person_id FROM memberships WHERE workspace_id = $1"
                        " AND organization_id = $2",
                        ws, id, &members, &n_members);
    st = r < 0 ? NULL : pz_sql(conn, "DELETE FROM contacts WHERE workspace_id = $1 AND id = $2");
    if (st) {
        pz_sql_bind_int(st, 1, ws);
        pz_sql_bind_int(st, 2, id);
        r = pz_sql_step(st);
        pz_sql_done(st);
    } else if (r == 0) {
        r = PZ_EDB;
    }
    /* The people of an erased organization lose its name from their search text. */
    for (size_t i = 0; r >= 0 && i < n_members; i++)
        r = contact_reindex(conn, ws, members[i]);
    free(members);
    if (r < 0)
        return r;
    snprintf(target, sizeof(target), "contact:%lld", (long long)id);
    return audit_add(conn, ws, actor_id, "contact.delete", target, NULL, NULL);
}

int contact_delete(struct pz_conn *conn, int64_t ws, int64_t id, int64_t actor_id)
{
    int r = pz_tx_begin(conn);

    if (r < 0)
        return r;
    r = delete_in_tx(conn, ws, id, actor_id);
    if (r < 0) {
        pz_tx_rollback(conn);
        return r;
    }
    return pz_tx_commit(conn);
}

int contact_note_append(struct pz_conn *conn, int64_t ws, int64_t id, const char *text,
                        int *appended, struct pz_err *err)
{
    struct contact c;
    struct pz_buf b;
    char *clean = xmalloc(CONTACT_NOTES_MAX + 1);
    struct pz_stmt *st;
    int r;

    if (appended)
        *appended = 0;
    r = clean_text(text ? text : "", clean, CONTACT_NOTES_MAX + 1, 1, "note", err);
    if (r < 0 || !clean[0]) {
        free(clean);
        return r;
    }
    r = contact_get(conn, ws, id, &c);
    if (r < 0 || strstr(c.notes_md, clean)) {
        free(clean);
        contact_release(&c);
        return r;
    }
    pz_buf_init(&b, CONTACT_NOTES_MAX);
    if (pz_buf_addstr(&b, c.notes_md) < 0 || (c.notes_md[0] && pz_buf_addstr(&b, "\n\n") < 0) ||
        pz_buf_addstr(&b, clean) < 0) {
        r = pz_err_set(err, "request.invalid", "note", "the notes would be longer than %d bytes",
                       CONTACT_NOTES_MAX);
    } else if (!(st = pz_sql(conn, "UPDATE contacts SET notes_md = $3, updated_at = $4"
                                   " WHERE workspace_id = $1 AND id = $2"))) {
        r = PZ_EDB;
    } else {
        pz_sql_bind_int(st, 1, ws);
        pz_sql_bind_int(st, 2, id);
        pz_sql_bind_text(st, 3, pz_buf_str(&b));
        pz_sql_bind_int(st, 4, pz_now_ms());
        r = pz_sql_step(st);
        pz_sql_done(st);
        r = r < 0 ? r : 0;
        if (r == 0 && appended)
            *appended = 1;
    }
    pz_buf_release(&b);
    free(clean);
    contact_release(&c);
    return r;
}

/* --- listing --------------------------------------------------------------------------- */

#define LIST_WHERE                                                                                 \
    " WHERE c.workspace_id = $1 AND ($2 = '' OR c.kind = $2) AND ($3 = '' OR c.stage = $3)"        \
    " AND ($4 = '' OR c.relationship = $4) AND ($5 = 0 OR c.owner_user_id = $5)"                   \
    " AND ($6 = '' OR c.id IN (SELECT ct.contact_id FROM contact_tags ct JOIN tags g"              \
    " ON g.workspace_id = ct.workspace_id AND g.id = ct.tag_id"                                    \
    " WHERE ct.workspace_id = $1 AND g.name_key = $6))"                                            \
    " AND ($7 < 0 OR COALESCE(s.strength, 0) >= $7) AND ($8 < 0 OR COALESCE(s.strength, 0) <= $8)" \
    " AND ($9 = '' OR c.search_text LIKE $9 ESCAPE '\\')"                                          \
    " AND ($10 = '' OR c.search_text LIKE $10 ESCAPE '\\')"                                        \
    " AND ($11 = '' OR c.search_text LIKE $11 ESCAPE '\\')"                                        \
    " AND ($12 = 0 OR (c.stage IN ('customer', 'prospect')"                                        \
    " AND (COALESCE(s.strength, 0) < COALESCE(s.previous_strength, -1)"                            \
    " OR COALESCE(" LAST_CONTACT ", c.created_at)"                                                 \
    " <= $13 - (CASE WHEN c.stage = 'customer' THEN $14 ELSE $15 END))))"

/* Pages are cut by keyset; the first page binds a key before every row. */
#define LIST_SQL(keyset, order, limit)                                                             \
    "SELECT " CONTACT_COLUMNS CONTACT_FROM LIST_WHERE " AND " keyset " ORDER BY " order            \
    " LIMIT " limit

static const char *const list_sql[] = {
    [CONTACT_SORT_NAME] = LIST_SQL("(c.sort_name, c.id) > ($16, $17)", "c.sort_name, c.id", "$18"),
    [CONTACT_SORT_NEWEST] = LIST_SQL("c.id < $16", "c.id DESC", "$17"),
    [CONTACT_SORT_STRENGTH] =
        LIST_SQL("(COALESCE(s.strength, -1) < $16 OR (COALESCE(s.strength, -1) = $16"
                 " AND c.id > $17))",
                 "COALESCE(s.strength, -1) DESC, c.id", "$18"),
};

static const char sort_letters[] = {
    [CONTACT_SORT_NAME] = 'n', [CONTACT_SORT_NEWEST] = 'i', [CONTACT_SORT_STRENGTH] = 's'};

/* Where the previous page ended. */
struct list_cursor {
    int set;
    int64_t id;
    int64_t strength;
    char name[256];
};

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes lower-case hex S into OUT as a string; -1 when it is not hex of UTF-8 text. */
static int unhex(const char *s, char *out, size_t outsz)
{
    size_t n = strlen(s);

    if (n % 2 || n / 2 >= outsz)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexdigit(s[i]), lo = hexdigit(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (char)(hi * 16 + lo);
    }
    out[n / 2] = '\0';
    return pz_utf8_valid(out, n / 2) ? 0 : -1;
}

/* Parses CURSOR ("n<id>.<hex name>", "i<id>", "s<strength>.<id>") for SORT. */
static int cursor_parse(const char *cursor, enum contact_sort sort, struct list_cursor *cur,
                        struct pz_err *err)
{
    char num[24];
    const char *dot;
    size_t k;

    memset(cur, 0, sizeof(*cur));
    if (!cursor || !*cursor)
        return 0;
    if (cursor[0] != sort_letters[sort])
        goto bad;
    dot = strchr(cursor + 1, '.');
    k = dot ? (size_t)(dot - cursor - 1) : strlen(cursor + 1);
    if (k == 0 || k >= sizeof(num))
        goto bad;
    memcpy(num, cursor + 1, k);
    num[k] = '\0';
    if (sort == CONTACT_SORT_NEWEST) {
        if (dot || pz_parse_int64(num, 1, INT64_MAX, &cur->id) < 0)
            goto bad;
    } else if (sort == CONTACT_SORT_NAME) {
        if (!dot || pz_parse_int64(num, 1, INT64_MAX, &cur->id) < 0 ||
            unhex(dot + 1, cur->name, sizeof(cur->name)) < 0)
            goto bad;
    } else {
        if (!dot || pz_parse_int64(num, -1, 100, &cur->strength) < 0 ||
            pz_parse_int64(dot + 1, 1, INT64_MAX, &cur->id) < 0)
            goto bad;
    }
    cur->set = 1;
    return 0;
bad:
    return pz_err_set(err, "request.invalid", "cursor", "the cursor is not valid");
}

static void cursor_make(enum contact_sort sort, const struct contact *c, const char *sort_name,
                        char *next, size_t nextsz)
{
    if (sort == CONTACT_SORT_NEWEST) {
        snprintf(next, nextsz, "i%lld", (long long)c->id);
    } else if (sort == CONTACT_SORT_STRENGTH) {
        snprintf(next, nextsz, "s%d.%lld", c->strength, (long long)c->id);
    } else {
        int len = snprintf(next, nextsz, "n%lld.", (long long)c->id);
        if (len > 0 && (size_t)len < nextsz)
            pz_hex_encode((const unsigned char *)sort_name, strlen(sort_name), next + len,
                          nextsz - (size_t)len);
    }
}

/* Makes a LIKE pattern "%WORD%" with % _ and \ escaped. */
static void like_pattern(const char *word, size_t n, char *out, size_t outsz)
{
    size_t o = 0;

    out[o++] = '%';
    for (size_t i = 0; i < n && o + 3 < outsz; i++) {
        if (word[i] == '%' || word[i] == '_' || word[i] == '\\')
            out[o++] = '\\';
        out[o++] = word[i];
    }
    out[o++] = '%';
    out[o] = '\0';
}

/* Non-zero when Q looks like (part of) a phone number: digits and phone punctuation only. */
static int phone_like(const char *q, char *digits, size_t digitsz)
{
    size_t n = 0;

    for (const char *p = q; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n + 1 < digitsz)
                digits[n++] = *p;
        } else if (!strchr(" +-./()", *p)) {
            return 0;
        }
    }
    digits[n] = '\0';
    /* 00 39 ... is +39 ...: the stored numbers have no 00. */
    if (n > 2 && digits[0] == '0' && digits[1] == '0')
        memmove(digits, digits + 2, n - 1);
    return n >= 3;
}

/* Splits search Q into up to three LIKE patterns (the last takes the rest of the words). */
static void search_patterns(const char *q, char pats[3][600])
{
    char folded[512], digits[64];
    const char *p = folded;

    pats[0][0] = pats[1][0] = pats[2][0] = '\0';
    if (!q || !*q)
        return;
    if (phone_like(q, digits, sizeof(digits))) {
        like_pattern(digits, strlen(digits), pats[0], sizeof(pats[0]));
        return;
    }
    normalize_fold(q, folded, sizeof(folded));
    for (int i = 0; i < 3 && *p; i++) {
        size_t n = i < 2 ? strcspn(p, " ") : strlen(p);
        like_pattern(p, n, pats[i], sizeof(pats[i]));
        p += n;
        while (*p == ' ')
            p++;
    }
}

/*
 * Narrowing a page. The list is read in its order until a page is full,
 * which is quick when most rows match and slow when few do: a rare word, or
 * a tag few contacts carry. Then an index names the rows that can match (the
 * search index, pz_store_text_candidates, for the words; the tag's rows for
 * a tag) and only those are read and sorted. That loses when they are many,
 * so an index is used only when it names at most NARROW_MAX rows (a tag,
 * TAG_NARROW_MAX: reading the list in order costs less per row when the tag
 * is the only test, measured by bench/contacts); with both, the rows both
 * name. The ids are bound as $31, away from the list's own
 * parameters. Whatever names the rows, the list's own conditions still
 * decide, so the answers are the same.
 */
#define NARROW_MAX       2000
#define NARROW_PARAM     31
#define NARROW_LIMIT_SQL " LIMIT 2001" /* NARROW_MAX + 1: one more says "too many" */
#define TAG_NARROW_MAX   1000

/* The index query for the words of Q (split as search_patterns splits them) into IQ; returns
 * how many of them the index can narrow by. */
static int search_index_query(struct pz_conn *conn, const char *q, char *iq, size_t iqsz)
{
    char folded[512], digits[64];
    const char *p = folded;
    int n = 0, r;

    iq[0] = '\0';
    if (!q || !*q)
        return 0;
    if (phone_like(q, digits, sizeof(digits)))
        return pz_store_text_query_add(conn, iq, iqsz, digits, strlen(digits)) == 1;
    normalize_fold(q, folded, sizeof(folded));
    for (int i = 0; i < 3 && *p; i++) {
        size_t len = i < 2 ? strcspn(p, " ") : strlen(p);
        r = pz_store_text_query_add(conn, iq, iqsz, p, len);
        if (r < 0)
            break;
        n += r;
        p += len;
        while (*p == ' ')
            p++;
    }
    return n;
}

/* Steps ST (then hands it back) for at most NARROW_MAX + 1 ids into *IDS (malloc'd). */
static int narrow_collect(struct pz_stmt *st, int64_t **ids, size_t *n_ids)
{
    int r;

    *ids = xmalloc((NARROW_MAX + 1) * sizeof(**ids));
    *n_ids = 0;
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW && *n_ids <= NARROW_MAX)
        (*ids)[(*n_ids)++] = pz_sql_int(st, 0);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Keeps in A (*NA ids) those also in B; both are sorted on the way. */
static void ids_intersect(int64_t *a, size_t *na, int64_t *b, size_t nb)
{
    size_t i = 0, j = 0, o = 0;

    qsort(a, *na, sizeof(*a), id_cmp);
    qsort(b, nb, sizeof(*b), id_cmp);
    while (i < *na && j < nb) {
        if (a[i] < b[j]) {
            i++;
        } else if (a[i] > b[j]) {
            j++;
        } else {
            a[o++] = a[i++];
            j++;
        }
    }
    *na = o;
}

/* Adds the N ids of MORE to what narrows the page so far, unless there are more than MAX;
 * takes MORE. */
static void narrow_add(int64_t **ids, size_t *n_ids, int *use, int64_t *more, size_t n, size_t max)
{
    if (n > max) {
        free(more);
    } else if (!*use) {
        *ids = more;
        *n_ids = n;
        *use = 1;
    } else {
        ids_intersect(*ids, n_ids, more, n);
        free(more);
    }
}

/*
 * Finds what narrows the page of query Q, if anything does: sets *USE and
 * puts the ids in *IDS (the caller frees; none at all means nothing can
 * match). Returns 0 or a negative code.
 */
static int narrow(struct pz_conn *conn, int64_t ws, const struct contact_query *q, int64_t **ids,
                  size_t *n_ids, int *use)
{
    char iq[1024], cand[300], tag_key[256];
    struct pz_stmt *st;
    int64_t *more;
    size_t n;
    int64_t pending = 0;
    int r;

    *ids = NULL;
    *n_ids = 0;
    *use = 0;
    /* Contacts a big import left to be indexed later are not in the index yet: while any
     * wait, the words narrow nothing and the rows themselves are read. */
    r = pz_store_text_pending(conn, "contacts", &pending);
    if (r < 0)
        return r;
    if (!pending && search_index_query(conn, q->q, iq, sizeof(iq)) > 0 &&
        pz_store_text_candidates(conn, "contacts", NARROW_PARAM, cand, sizeof(cand) - 16) == 0) {
        snprintf(cand + strlen(cand), 16, "%s", NARROW_LIMIT_SQL);
        st = pz_sql(conn, cand);
        if (!st)
            return PZ_EDB;
        pz_sql_bind_text(st, NARROW_PARAM, iq);
        r = narrow_collect(st, &more, &n);
        if (r < 0) {
            free(more);
            return r;
        }
        narrow_add(ids, n_ids, use, more, n, NARROW_MAX);
    }
    if (q->tag && normalize_fold(q->tag, tag_key, sizeof(tag_key)) > 0) {
        st = pz_sql(conn, "SELECT ct.contact_id FROM tags g JOIN contact_tags ct"
                          " ON ct.workspace_id = g.workspace_id AND ct.tag_id = g.id"
                          " WHERE g.workspace_id = $1 AND g.name_key = $2" NARROW_LIMIT_SQL);
        if (!st)
            return PZ_EDB;
        pz_sql_bind_int(st, 1, ws);
        pz_sql_bind_text(st, 2, tag_key);
        r = narrow_collect(st, &more, &n);
        if (r < 0) {
            free(more);
            return r;
        }
        narrow_add(ids, n_ids, use, more, n, TAG_NARROW_MAX);
    }
    return 0;
}

/*
 * Writes into SQL the list query LIST narrowed to the ids bound as
 * NARROW_PARAM; returns 1, or 0 when it cannot. The ids come first in a
 * CROSS JOIN, which SQLite takes as the order of its loops (and PostgreSQL
 * as a plain join): otherwise SQLite prefers to walk the whole sort index
 * and test each row against them. The page's ids are chosen first and only
 * then are its columns read (the last contact is a query of its own), for
 * the page's rows instead of every candidate's.
 */
static int narrowed_sql(struct pz_conn *conn, const char *list, char *sql, size_t sqlsz)
{
    static const char from_c[] = " FROM contacts c";
    char from_ids[200];
    const char *from = strstr(list, " FROM contacts c "), *where, *order, *limit;
    int len;

    if (!from || strncmp(list, "SELECT ", 7) != 0 ||
        pz_store_ids_sql(conn, NARROW_PARAM, from_ids, sizeof(from_ids)) < 0)
        return 0;
    where = strstr(from, " WHERE ");
    order = where ? strstr(where, " ORDER BY ") : NULL;
    limit = order ? strstr(order, " LIMIT ") : NULL;
    if (!limit)
        return 0;
    from += strlen(from_c);
    /* SELECT columns FROM (SELECT c.id AS page_id FROM (ids) AS f CROSS JOIN contacts c joins
     * WHERE ... AND c.id = f.id ORDER BY ... LIMIT ...) AS page CROSS JOIN contacts c joins
     * WHERE c.id = page.page_id ORDER BY ... */
    len = snprintf(sql, sqlsz,
                   "%.*s FROM (SELECT c.id AS page_id FROM (%s) AS f CROSS JOIN contacts c%.*s"
                   " AND c.id = f.id%s) AS page CROSS JOIN contacts c%.*s"
                   " WHERE c.id = page.page_id%.*s",
                   (int)(from - strlen(from_c) - list), list, from_ids, (int)(order - from), from,
                   order, (int)(where - from), from, (int)(limit - order), order);
    return len > 0 && (size_t)len < sqlsz;
}

static int query_check(const struct contact_query *q, struct pz_err *err)
{
    if (q->limit < 0 || q->limit > CONTACT_LIST_MAX)
        return pz_err_set(err, "request.invalid", "limit", "limit must be 1 to %d",
                          CONTACT_LIST_MAX);
    if ((int)q->sort < (int)CONTACT_SORT_NAME || (int)q->sort > (int)CONTACT_SORT_STRENGTH)
        return pz_err_set(err, "request.invalid", "sort", "unknown sort order");
    if (q->stage && *q->stage && !contact_stage_valid(q->stage))
        return pz_err_set(err, "request.invalid", "stage", "unknown stage '%.20s'", q->stage);
    if (q->relationship && *q->relationship && !contact_relationship_valid(q->relationship))
        return pz_err_set(err, "request.invalid", "relationship", "unknown relationship '%.20s'",
                          q->relationship);
    if (q->kind && *q->kind && strcmp(q->kind, "person") != 0 &&
        strcmp(q->kind, "organization") != 0)
        return pz_err_set(err, "request.invalid", "kind", "kind must be person or organization");
    if (q->strength_min > 100 || q->strength_max > 100 ||
        (q->strength_max >= 0 && q->strength_min > q->strength_max))
        return pz_err_set(err, "request.invalid", "strength_min",
                          "strength bounds must be 0 to 100, the minimum first");
    return 0;
}

/* Binds the filters of Q as $1..$15 (the going-cold bounds read the settings). */
static int bind_filters(struct pz_conn *conn, struct pz_stmt *st, int64_t ws,
                        const struct contact_query *q, char pats[3][600])
{
    char tag_key[256];
    int cold_customer = SCORE_COLD_CUSTOMER_DEFAULT, cold_prospect = SCORE_COLD_PROSPECT_DEFAULT;
    int r = 0;

    if (q->going_cold) {
        r = score_cold_days(conn, ws, "customer", &cold_customer);
        if (r == 0)
            r = score_cold_days(conn, ws, "prospect", &cold_prospect);
    }
    normalize_fold(q->tag ? q->tag : "", tag_key, sizeof(tag_key));
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, q->kind ? q->kind : "");
    pz_sql_bind_text(st, 3, q->stage ? q->stage : "");
    pz_sql_bind_text(st, 4, q->relationship ? q->relationship : "");
    pz_sql_bind_int(st, 5, q->owner_user_id > 0 ? q->owner_user_id : 0);
    pz_sql_bind_text(st, 6, tag_key);
    pz_sql_bind_int(st, 7, q->strength_min);
    pz_sql_bind_int(st, 8, q->strength_max);
    for (int i = 0; i < 3; i++)
        pz_sql_bind_text(st, 9 + i, pats[i]);
    pz_sql_bind_int(st, 12, q->going_cold ? 1 : 0);
    pz_sql_bind_int(st, 13, q->now > 0 ? q->now : pz_now_ms());
    pz_sql_bind_int(st, 14, (int64_t)cold_customer * SCORE_DAY_MS);
    pz_sql_bind_int(st, 15, (int64_t)cold_prospect * SCORE_DAY_MS);
    return r;
}

/* Binds where the page starts ($16, $17) and the row limit, as list_sql[SORT] numbers them. */
static void bind_keyset(struct pz_stmt *st, enum contact_sort sort, const struct list_cursor *cur,
                        int rows)
{
    if (sort == CONTACT_SORT_NEWEST) {
        pz_sql_bind_int(st, 16, cur->set ? cur->id : INT64_MAX);
        pz_sql_bind_int(st, 17, rows);
        return;
    }
    if (sort == CONTACT_SORT_NAME)
        pz_sql_bind_text(st, 16, cur->name); /* "" and id 0 come before every contact */
    else
        pz_sql_bind_int(st, 16, cur->set ? cur->strength : 101);
    pz_sql_bind_int(st, 17, cur->id);
    pz_sql_bind_int(st, 18, rows);
}

int contact_list(struct pz_conn *conn, int64_t ws, const struct contact_query *q,
                 void (*fn)(const struct contact *c, void *arg), void *arg, char *next,
                 size_t nextsz, struct pz_err *err)
{
    struct list_cursor cur;
    struct pz_stmt *st;
    struct contact c;
    char pats[3][600], narrowed[4096], last_name[256] = "";
    int limit = q->limit > 0 ? q->limit : 50, n = 0, use_index = 0, r;
    int64_t *ids = NULL;
    size_t n_ids = 0;

    next[0] = '\0';
    memset(&cur, 0, sizeof(cur));
    r = query_check(q, err);
    if (r == 0)
        r = cursor_parse(q->cursor, q->sort, &cur, err);
    if (r < 0)
        return r;
    search_patterns(q->q, pats);
    r = narrow(conn, ws, q, &ids, &n_ids, &use_index);
    if (r < 0 || (use_index && n_ids == 0)) { /* nothing can match */
        free(ids);
        return r;
    }
    if (use_index)
        use_index = narrowed_sql(conn, list_sql[q->sort], narrowed, sizeof(narrowed));
    st = pz_sql(conn, use_index ? narrowed : list_sql[q->sort]);
    if (!st) {
        free(ids);
        return PZ_EDB;
    }
    r = bind_filters(conn, st, ws, q, pats);
    bind_keyset(st, q->sort, &cur, limit + 1);
    if (use_index)
        pz_sql_bind_ids(st, NARROW_PARAM, ids, n_ids);
    free(ids);
    while (r == 0 && (r = pz_sql_step(st)) == PZ_SQL_ROW) {
        if (n == limit) {
            cursor_make(q->sort, &c, last_name, next, nextsz);
            break;
        }
        read_contact(st, &c);
        copy_col(last_name, sizeof(last_name), pz_sql_text(st, COL_SORT_NAME));
        fn(&c, arg);
        n++;
        r = 0;
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* --- organizations and memberships ------------------------------------------------------ */

/* Finds the organization called NAME; its display name into DISPLAY when not NULL. */
static int org_find(struct pz_conn *conn, int64_t ws, const char *name, int64_t *org_id,
                    char *display, size_t displaysz)
{
    struct pz_stmt *st;
    char key[256];
    int r;

    if (!name || normalize_name_key(name, 1, key, sizeof(key)) <= 0)
        return PZ_ENOTFOUND;
    st = pz_sql(conn, "SELECT id, display_name FROM contacts WHERE workspace_id = $1"
                      " AND kind = 'organization' AND name_key = $2 ORDER BY id LIMIT 1");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, key);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        *org_id = pz_sql_int(st, 0);
        if (display)
            copy_col(display, displaysz, pz_sql_text(st, 1));
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int contact_org_find(struct pz_conn *conn, int64_t ws, const char *name, int64_t *org_id)
{
    return org_find(conn, ws, name, org_id, NULL, 0);
}

int contact_org_resolve(struct pz_conn *conn, int64_t ws, const char *name, int64_t *org_id,
                        char *display, size_t displaysz, int *created, struct pz_err *err)
{
    struct contact_fields f;
    char clean[CONTACT_NAME_MAX + 1], key[256];
    int r;

    if (created)
        *created = 0;
    r = clean_text(name ? name : "", clean, sizeof(clean), 0, "organization", err);
    if (r < 0)
        return r;
    if (normalize_name_key(clean, 1, key, sizeof(key)) <= 0)
        return pz_err_set(err, "request.invalid", "organization", "the organization needs a name");
    r = org_find(conn, ws, clean, org_id, display, displaysz);
    if (r != PZ_ENOTFOUND)
        return r;
    contact_fields_init(&f);
    f.kind = "organization";
    f.display_name = clean;
    r = insert_indexed(conn, ws, &f, NULL, 0, NULL, 0, org_id, err);
    if (r < 0)
        return r;
    if (display)
        copy_col(display, displaysz, clean);
    if (created)
        *created = 1;
    return 0;
}

int contact_org_find_or_create(struct pz_conn *conn, int64_t ws, const char *name, int64_t *org_id,
                               int *created, struct pz_err *err)
{
    return contact_org_resolve(conn, ws, name, org_id, NULL, 0, created, err);
}

int contact_membership_set(struct pz_conn *conn, int64_t ws, int64_t person_id, int64_t org_id,
                           const char *title, struct pz_err *err)
{
    char kind[16], clean[CONTACT_TEXT_MAX + 1];
    struct pz_stmt *st;
    int r = clean_text(title ? title : "", clean, sizeof(clean), 0, "title", err);

    if (r < 0)
        return r;
    r = kind_of(conn, ws, person_id, kind);
    if (r < 0)
        return r;
    if (strcmp(kind, "person") != 0)
        return pz_err_set(err, "contact.not_person", "person_id",
                          "contact %lld is an organization, not a person", (long long)person_id);
    r = kind_of(conn, ws, org_id, kind);
    if (r < 0)
        return r;
    if (strcmp(kind, "organization") != 0)
        return pz_err_set(err, "contact.not_organization", "organization_id",
                          "contact %lld is not an organization", (long long)org_id);
    st = pz_sql(conn, "INSERT INTO memberships (workspace_id, person_id, organization_id, title,"
                      " created_at) VALUES ($1, $2, $3, $4, $5)"
                      " ON CONFLICT (workspace_id, person_id, organization_id)"
                      " DO UPDATE SET title = excluded.title");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, person_id);
    pz_sql_bind_int(st, 3, org_id);
    pz_sql_bind_text(st, 4, clean[0] ? clean : NULL);
    pz_sql_bind_int(st, 5, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    r = touch(conn, ws, person_id);
    return r < 0 ? r : contact_reindex(conn, ws, person_id);
}

int contact_membership_add_new(struct pz_conn *conn, int64_t ws, int64_t person_id, int64_t org_id,
                               const char *title, struct pz_err *err)
{
    char clean[CONTACT_TEXT_MAX + 1];
    struct pz_stmt *st;
    int r = clean_text(title ? title : "", clean, sizeof(clean), 0, "title", err);

    if (r < 0)
        return r;
    st = pz_sql(conn, "INSERT INTO memberships (workspace_id, person_id, organization_id, title,"
                      " created_at) VALUES ($1, $2, $3, $4, $5)");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, person_id);
    pz_sql_bind_int(st, 3, org_id);
    pz_sql_bind_text(st, 4, clean[0] ? clean : NULL);
    pz_sql_bind_int(st, 5, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int contact_membership_remove(struct pz_conn *conn, int64_t ws, int64_t person_id, int64_t org_id)
{
    struct pz_stmt *st = pz_sql(conn, "DELETE FROM memberships WHERE workspace_id = $1"
                                      " AND person_id = $2 AND organization_id = $3");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, person_id);
    pz_sql_bind_int(st, 3, org_id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (pz_sql_changes(conn) == 0)
        return PZ_ENOTFOUND;
    r = touch(conn, ws, person_id);
    return r < 0 ? r : contact_reindex(conn, ws, person_id);
}

int contact_memberships_each(struct pz_conn *conn, int64_t ws, int64_t id,
                             void (*fn)(const struct contact_membership *m, void *arg), void *arg)
{
    /* Two halves, each through its own index: with "person_id = $2 OR organization_id = $2"
     * SQLite read every membership of the workspace (85 ms at 75,000 of them). */
    struct pz_stmt *st =
        pz_sql(conn, "SELECT m.person_id, m.organization_id, p.display_name, o.display_name,"
                     " COALESCE(m.title, ''), o.sort_name FROM memberships m"
                     " JOIN contacts p ON p.workspace_id = m.workspace_id AND p.id = m.person_id"
                     " JOIN contacts o ON o.workspace_id = m.workspace_id"
                     " AND o.id = m.organization_id"
                     " WHERE m.workspace_id = $1 AND m.person_id = $2"
                     " UNION ALL"
                     " SELECT m.person_id, m.organization_id, p.display_name, o.display_name,"
                     " COALESCE(m.title, ''), p.sort_name FROM memberships m"
                     " JOIN contacts p ON p.workspace_id = m.workspace_id AND p.id = m.person_id"
                     " JOIN contacts o ON o.workspace_id = m.workspace_id"
                     " AND o.id = m.organization_id"
                     " WHERE m.workspace_id = $1 AND m.organization_id = $2"
                     " ORDER BY 6, 1, 2");
    struct contact_membership m;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        memset(&m, 0, sizeof(m));
        m.person_id = pz_sql_int(st, 0);
        m.organization_id = pz_sql_int(st, 1);
        copy_col(m.person_name, sizeof(m.person_name), pz_sql_text(st, 2));
        copy_col(m.organization_name, sizeof(m.organization_name), pz_sql_text(st, 3));
        copy_col(m.title, sizeof(m.title), pz_sql_text(st, 4));
        fn(&m, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* --- identities ------------------------------------------------------------------------ */

int contact_find_normalized(struct pz_conn *conn, int64_t ws, const char *kind,
                            const char *normalized, int64_t *contact_id)
{
    struct pz_stmt *st;
    int r;

    int phone = normalize_is_phone(kind, normalized);

    if (phone)
        st = pz_sql(conn, "SELECT contact_id FROM identities WHERE workspace_id = $1"
                          " AND value_normalized = $2"
                          " AND kind IN ('phone', 'whatsapp', 'telegram') ORDER BY id LIMIT 1");
    else
        st = pz_sql(conn, "SELECT contact_id FROM identities WHERE workspace_id = $1"
                          " AND value_normalized = $2 AND kind = $3");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, normalized);
    if (!phone)
        pz_sql_bind_text(st, 3, kind);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        *contact_id = pz_sql_int(st, 0);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int contact_find_identity(struct pz_conn *conn, int64_t ws, const char *kind, const char *value,
                          const char *region, int64_t *contact_id, struct pz_err *err)
{
    char norm[NORMALIZE_MAX];
    int r = normalize_identity(kind, value, region, norm, sizeof(norm), err);

    if (r < 0)
        return r;
    return contact_find_normalized(conn, ws, kind, norm, contact_id);
}

/* Finds the id of identity KIND/NORM of contact ID, if it has it. */
static int identity_of(struct pz_conn *conn, int64_t ws, int64_t id, const char *kind,
                       const char *norm, int64_t *identity_id)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id FROM identities WHERE workspace_id = $1"
                                      " AND contact_id = $2 AND kind = $3"
                                      " AND value_normalized = $4");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, kind);
    pz_sql_bind_text(st, 4, norm);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        *identity_id = pz_sql_int(st, 0);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

static int identity_insert(struct pz_conn *conn, int64_t ws, int64_t id, const char *kind,
                           const char *norm, const char *original, const char *label,
                           int64_t *identity_id)
{
    struct pz_stmt *st =
        pz_sql(conn, "INSERT INTO identities (workspace_id, contact_id, kind, value_normalized,"
                     " value_original, label, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, kind);
    pz_sql_bind_text(st, 4, norm);
    pz_sql_bind_text(st, 5, original);
    pz_sql_bind_text(st, 6, label && *label ? label : NULL);
    pz_sql_bind_int(st, 7, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_DONE && identity_id)
        *identity_id = pz_sql_last_id(conn);
    pz_sql_done(st);
    return r == PZ_SQL_DONE ? 0 : (r < 0 ? r : PZ_EDB);
}

int contact_identity_add(struct pz_conn *conn, int64_t ws, int64_t id, const char *kind,
                         const char *value, const char *label, const char *region,
                         int64_t *identity_id, int64_t *other_id, struct pz_err *err)
{
    char norm[NORMALIZE_MAX], original[NORMALIZE_MAX], clean_label[CONTACT_TEXT_MAX + 1];
    char ckind[16];
    int64_t owner = 0, existing = 0;
    int r = normalize_identity(kind, value, region, norm, sizeof(norm), err);

    if (r < 0)
        return r;
    r = clean_text(value, original, sizeof(original), 0, "value", err);
    if (r == 0)
        r = clean_text(label ? label : "", clean_label, sizeof(clean_label), 0, "label", err);
    if (r == 0)
        r = kind_of(conn, ws, id, ckind);
    if (r < 0)
        return r;
    r = identity_of(conn, ws, id, kind, norm, &existing);
    if (r == 0) {
        if (identity_id)
            *identity_id = existing;
        return 0;
    }
    if (r != PZ_ENOTFOUND)
        return r;
    r = contact_find_normalized(conn, ws, kind, norm, &owner);
    if (r == 0 && owner != id) {
        if (other_id)
            *other_id = owner;
        pz_err_set(err, "contact.identity_taken", "value", "%s %s already belongs to contact %lld",
                   kind, norm, (long long)owner);
        return PZ_EEXIST;
    }
    if (r < 0 && r != PZ_ENOTFOUND)
        return r;
    r = identity_insert(conn, ws, id, kind, norm, original, clean_label, identity_id);
    if (r == 0)
        r = touch(conn, ws, id);
    return r < 0 ? r : contact_reindex(conn, ws, id);
}

void contact_identity_stored_original(const char *original, const char *normalized, char *out,
                                      size_t outsz)
{
    const char *s = original ? original : normalized;
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n >= outsz || (n > 0 && !pz_utf8_valid(s, n)))
        n--;
    memcpy(out, s, n);
    out[n] = '\0';
}

int contact_identity_add_normalized(struct pz_conn *conn, int64_t ws, int64_t id, const char *kind,
                                    const char *normalized, const char *original, const char *label,
                                    int64_t *identity_id)
{
    char orig[NORMALIZE_MAX], lab[CONTACT_TEXT_MAX + 1];
    size_t n;

    contact_identity_stored_original(original, normalized, orig, sizeof(orig));
    snprintf(lab, sizeof(lab), "%s", label ? label : "");
    n = strlen(lab);
    while (n > 0 && !pz_utf8_valid(lab, n))
        lab[--n] = '\0';
    return identity_insert(conn, ws, id, kind, normalized, orig, lab, identity_id);
}

int contact_identity_remove(struct pz_conn *conn, int64_t ws, int64_t id, int64_t identity_id)
{
    struct pz_stmt *st = pz_sql(conn, "DELETE FROM identities WHERE workspace_id = $1"
                                      " AND contact_id = $2 AND id = $3");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, identity_id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (pz_sql_changes(conn) == 0)
        return PZ_ENOTFOUND;
    r = touch(conn, ws, id);
    return r < 0 ? r : contact_reindex(conn, ws, id);
}

int contact_identities_each(struct pz_conn *conn, int64_t ws, int64_t id,
                            void (*fn)(const struct contact_identity *ident, void *arg), void *arg)
{
    /* "kind || ''": ordered by the bare columns, SQLite walked the unique (workspace_id,
     * kind, value_normalized) index over every identity of the workspace (seconds at
     * 300,000) instead of reading the contact's few through identities_contact. */
    struct pz_stmt *st =
        pz_sql(conn, "SELECT id, contact_id, kind, value_normalized, value_original,"
                     " COALESCE(label, ''), created_at FROM identities"
                     " WHERE workspace_id = $1 AND contact_id = $2"
                     " ORDER BY kind || '', value_normalized");
    struct contact_identity ident;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        memset(&ident, 0, sizeof(ident));
        ident.id = pz_sql_int(st, 0);
        ident.contact_id = pz_sql_int(st, 1);
        copy_col(ident.kind, sizeof(ident.kind), pz_sql_text(st, 2));
        copy_col(ident.value, sizeof(ident.value), pz_sql_text(st, 3));
        copy_col(ident.original, sizeof(ident.original), pz_sql_text(st, 4));
        copy_col(ident.label, sizeof(ident.label), pz_sql_text(st, 5));
        ident.created_at = pz_sql_int(st, 6);
        fn(&ident, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* --- tags ------------------------------------------------------------------------------ */

#define TAG_MAX 64

/* Checks tag NAME into CLEAN and its folded key into KEY. */
static int tag_clean(const char *name, char clean[TAG_MAX + 1], char key[256], struct pz_err *err)
{
    int r = clean_text(name ? name : "", clean, TAG_MAX + 1, 0, "tag", err);

    if (r < 0)
        return r;
    if (normalize_fold(clean, key, 256) <= 0)
        return pz_err_set(err, "request.invalid", "tag", "a tag needs a name");
    return 0;
}

/* Tags contact ID, which the caller has checked or just written, with the tag CLEAN (name
 * key KEY), made when missing; *ADDED 1 when it was not tagged so before. */
static int tag_insert(struct pz_conn *conn, int64_t ws, int64_t id, const char *clean,
                      const char *key, int *added)
{
    struct pz_stmt *st;
    int r;

    *added = 0;
    st = pz_sql(conn, "INSERT INTO tags (workspace_id, name, name_key, created_at)"
                      " VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, name_key) DO NOTHING");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, clean);
    pz_sql_bind_text(st, 3, key);
    pz_sql_bind_int(st, 4, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    st = pz_sql(conn, "INSERT INTO contact_tags (workspace_id, contact_id, tag_id)"
                      " SELECT $1, $2, id FROM tags WHERE workspace_id = $1 AND name_key = $3"
                      " ON CONFLICT (workspace_id, contact_id, tag_id) DO NOTHING");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, key);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    *added = pz_sql_changes(conn) > 0;
    return 0;
}

int contact_tag_add(struct pz_conn *conn, int64_t ws, int64_t id, const char *name, int *added,
                    struct pz_err *err)
{
    char clean[TAG_MAX + 1], key[256], kind[16];
    int r = tag_clean(name, clean, key, err), now = 0;

    if (added)
        *added = 0;
    if (r == 0)
        r = kind_of(conn, ws, id, kind);
    if (r == 0)
        r = tag_insert(conn, ws, id, clean, key, &now);
    if (r < 0)
        return r;
    if (added)
        *added = now;
    return now ? touch(conn, ws, id) : 0;
}

int contact_tag_add_new(struct pz_conn *conn, int64_t ws, int64_t id, const char *name,
                        struct pz_err *err)
{
    char clean[TAG_MAX + 1], key[256];
    int added = 0, r = tag_clean(name, clean, key, err);

    return r < 0 ? r : tag_insert(conn, ws, id, clean, key, &added);
}

int contact_tag_remove(struct pz_conn *conn, int64_t ws, int64_t id, const char *name)
{
    char key[256];
    struct pz_stmt *st;
    int r;

    normalize_fold(name ? name : "", key, sizeof(key));
    st = pz_sql(conn, "DELETE FROM contact_tags WHERE workspace_id = $1 AND contact_id = $2"
                      " AND tag_id IN (SELECT id FROM tags WHERE workspace_id = $1"
                      " AND name_key = $3)");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, key);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (pz_sql_changes(conn) == 0)
        return PZ_ENOTFOUND;
    return touch(conn, ws, id);
}

int contact_tags_each(struct pz_conn *conn, int64_t ws, int64_t id,
                      void (*fn)(const char *name, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT g.name FROM contact_tags ct JOIN tags g"
                                      " ON g.workspace_id = ct.workspace_id AND g.id = ct.tag_id"
                                      " WHERE ct.workspace_id = $1 AND ct.contact_id = $2"
                                      " ORDER BY g.name_key");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        fn(pz_sql_text(st, 0), arg);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int contact_tag_list(struct pz_conn *conn, int64_t ws,
                     void (*fn)(const char *name, int64_t n_contacts, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT g.name, (SELECT COUNT(*) FROM contact_tags ct"
                                      " WHERE ct.workspace_id = g.workspace_id"
                                      " AND ct.tag_id = g.id) FROM tags g"
                                      " WHERE g.workspace_id = $1 ORDER BY g.name_key");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        fn(pz_sql_text(st, 0), pz_sql_int(st, 1), arg);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* --- custom fields --------------------------------------------------------------------- */

#define FIELD_NAME_MAX    64
#define FIELD_CHOICES_MAX 100

static int field_type_valid(const char *type)
{
    return type && (strcmp(type, "text") == 0 || strcmp(type, "number") == 0 ||
                    strcmp(type, "date") == 0 || strcmp(type, "choice") == 0);
}

/* Writes CHOICES as a JSON array into OUT (OUTSZ bytes), checking each. */
static int choices_json(const char *type, const char *const *choices, size_t n_choices, char *out,
                        size_t outsz, struct pz_err *err)
{
    struct pz_buf b;
    struct pz_json j;
    int r = 0;

    if (strcmp(type, "choice") != 0) {
        snprintf(out, outsz, "[]");
        return 0;
    }
    if (n_choices == 0 || n_choices > FIELD_CHOICES_MAX)
        return pz_err_set(err, "request.invalid", "choices", "a choice field needs 1 to %d choices",
                          FIELD_CHOICES_MAX);
    pz_buf_init(&b, outsz - 1);
    pz_json_init(&j, &b);
    pz_json_begin_array(&j);
    for (size_t i = 0; r == 0 && i < n_choices; i++) {
        char clean[CONTACT_TEXT_MAX + 1];
        r = clean_text(choices[i] ? choices[i] : "", clean, sizeof(clean), 0, "choices", err);
        if (r == 0 && !clean[0])
            r = pz_err_set(err, "request.invalid", "choices", "a choice may not be empty");
        for (size_t k = 0; r == 0 && k < i; k++)
            if (choices[k] && pz_str_ieq(choices[k], clean))
                r = pz_err_set(err, "request.invalid", "choices", "the choice '%.60s' is repeated",
                               clean);
        if (r == 0)
            pz_json_str(&j, clean);
    }
    pz_json_end_array(&j);
    if (r == 0 && pz_json_error(&j))
        r = pz_err_set(err, "request.invalid", "choices", "the choices are too long");
    if (r == 0)
        snprintf(out, outsz, "%s", pz_buf_str(&b));
    pz_buf_release(&b);
    return r;
}

static void read_field(struct pz_stmt *st, struct contact_field *f)
{
    memset(f, 0, sizeof(*f));
    f->id = pz_sql_int(st, 0);
    copy_col(f->name, sizeof(f->name), pz_sql_text(st, 1));
    copy_col(f->type, sizeof(f->type), pz_sql_text(st, 2));
    copy_col(f->choices, sizeof(f->choices), pz_sql_text(st, 3));
}

int contact_field_define(struct pz_conn *conn, int64_t ws, const char *name, const char *type,
                         const char *const *choices, size_t n_choices, struct contact_field *out,
                         struct pz_err *err)
{
    char clean[FIELD_NAME_MAX + 1], json[sizeof(out->choices)];
    struct contact_field f;
    struct pz_stmt *st;
    int r = clean_text(name ? name : "", clean, sizeof(clean), 0, "name", err);

    if (r < 0)
        return r;
    if (!clean[0])
        return pz_err_set(err, "request.invalid", "name", "a field needs a name");
    if (!field_type_valid(type))
        return pz_err_set(err, "request.invalid", "type",
                          "type must be text, number, date or choice");
    r = choices_json(type, choices, n_choices, json, sizeof(json), err);
    if (r < 0)
        return r;
    st = pz_sql(conn, "INSERT INTO custom_fields (workspace_id, name, type, choices, created_at)"
                      " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, name) DO NOTHING"
                      " RETURNING id, name, type, choices");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, clean);
    pz_sql_bind_text(st, 3, type);
    pz_sql_bind_text(st, 4, json);
    pz_sql_bind_int(st, 5, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_field(st, &f);
    pz_sql_done(st);
    if (r == PZ_SQL_DONE)
        return pz_err_set(err, "contact.field_exists", "name", "a field called '%s' exists", clean);
    if (r < 0)
        return r;
    if (out)
        *out = f;
    return 0;
}

int contact_field_list(struct pz_conn *conn, int64_t ws,
                       void (*fn)(const struct contact_field *f, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id, name, type, COALESCE(choices, '[]')"
                                      " FROM custom_fields WHERE workspace_id = $1 ORDER BY name");
    struct contact_field f;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_field(st, &f);
        fn(&f, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int contact_field_remove(struct pz_conn *conn, int64_t ws, int64_t field_id)
{
    struct pz_stmt *st =
        pz_sql(conn, "DELETE FROM custom_fields WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, field_id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

/* A decimal number, optionally signed, with '.' or ',' as the decimal point. */
static int number_clean(const char *v, char *out, size_t outsz)
{
    size_t n = strlen(v), digits = 0;
    int point = 0;

    if (n == 0 || n >= outsz || n > 30)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (isdigit((unsigned char)c)) {
            digits++;
            out[i] = c;
        } else if ((c == '-' || c == '+') && i == 0) {
            out[i] = c;
        } else if ((c == '.' || c == ',') && !point && digits > 0 && i + 1 < n) {
            point = 1;
            out[i] = '.';
        } else {
            return -1;
        }
    }
    out[n] = '\0';
    return digits > 0 ? 0 : -1;
}

/* Reads exactly N digits at S; -1 when they are not all digits. */
static int digits_at(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* A calendar date, YYYY-MM-DD or DD/MM/YYYY (day and month may have one digit), written back
 * as YYYY-MM-DD. */
static int date_clean(const char *v, char *out, size_t outsz)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = strlen(v);
    int y, m, d;

    if (n == 10 && v[4] == '-' && v[7] == '-') {
        y = digits_at(v, 4);
        m = digits_at(v + 5, 2);
        d = digits_at(v + 8, 2);
    } else {
        const char *s1 = strchr(v, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
        int dl = s1 ? (int)(s1 - v) : 0, ml = s2 ? (int)(s2 - s1 - 1) : 0;
        if (!s2 || dl < 1 || dl > 2 || ml < 1 || ml > 2 || strlen(s2 + 1) != 4)
            return -1;
        d = digits_at(v, dl);
        m = digits_at(s1 + 1, ml);
        y = digits_at(s2 + 1, 4);
    }
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return -1;
    if (d > days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
        return -1;
    snprintf(out, outsz, "%04d-%02d-%02d", y, m, d);
    return 0;
}

/* Finds CLEAN among the JSON array CHOICES (case-insensitively) and copies the defined
 * spelling into OUT. */
static int choice_clean(const char *choices, const char *clean, char *out, size_t outsz)
{
    json_t *arr = json_loads(choices, 0, NULL);
    size_t i;
    json_t *v;
    int r = -1;

    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && pz_str_ieq(json_string_value(v), clean)) {
            snprintf(out, outsz, "%s", json_string_value(v));
            r = 0;
            break;
        }
    }
    json_decref(arr);
    return r;
}

/* Checks VALUE for field F into OUT. */
static int field_value_clean(const struct contact_field *f, const char *value, char *out,
                             size_t outsz, struct pz_err *err)
{
    char clean[CONTACT_FIELD_VALUE_MAX + 1];
    int r = clean_text(value, clean, sizeof(clean), 1, "value", err);

    if (r < 0)
        return r;
    if (strcmp(f->type, "number") == 0)
        r = number_clean(clean, out, outsz);
    else if (strcmp(f->type, "date") == 0)
        r = date_clean(clean, out, outsz);
    else if (strcmp(f->type, "choice") == 0)
        r = choice_clean(f->choices, clean, out, outsz);
    else
        snprintf(out, outsz, "%s", clean);
    if (r < 0)
        return pz_err_set(err, "contact.field_invalid", "value",
                          "'%.60s' is not a valid %s for the field '%s'", clean, f->type, f->name);
    return 0;
}

static int field_find(struct pz_conn *conn, int64_t ws, const char *name, struct contact_field *f)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id, name, type, COALESCE(choices, '[]')"
                                      " FROM custom_fields WHERE workspace_id = $1 AND name = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, name);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_field(st, f);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int contact_field_set(struct pz_conn *conn, int64_t ws, int64_t id, const char *name,
                      const char *value, struct pz_err *err)
{
    struct contact_field f;
    char kind[16], clean[CONTACT_FIELD_VALUE_MAX + 1];
    struct pz_stmt *st;
    int r = kind_of(conn, ws, id, kind), clear = !value || !*value;

    if (r < 0)
        return r;
    r = field_find(conn, ws, name ? name : "", &f);
    if (r == PZ_ENOTFOUND)
        return pz_err_set(err, "contact.field_unknown", "name", "there is no field called '%.60s'",
                          name ? name : "");
    if (r < 0)
        return r;
    if (!clear) {
        r = field_value_clean(&f, value, clean, sizeof(clean), err);
        if (r < 0)
            return r;
    }
    st = pz_sql(conn, clear ? "DELETE FROM contact_field_values WHERE workspace_id = $1"
                              " AND contact_id = $2 AND field_id = $3"
                            : "INSERT INTO contact_field_values (workspace_id, contact_id,"
                              " field_id, value) VALUES ($1, $2, $3, $4)"
                              " ON CONFLICT (workspace_id, contact_id, field_id)"
                              " DO UPDATE SET value = excluded.value");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, f.id);
    if (!clear)
        pz_sql_bind_text(st, 4, clean);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : touch(conn, ws, id);
}

int contact_field_values_each(struct pz_conn *conn, int64_t ws, int64_t id,
                              void (*fn)(const struct contact_field_value *v, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT f.id, f.name, f.type, v.value"
                                      " FROM contact_field_values v JOIN custom_fields f"
                                      " ON f.workspace_id = v.workspace_id AND f.id = v.field_id"
                                      " WHERE v.workspace_id = $1 AND v.contact_id = $2"
                                      " ORDER BY f.name");
    struct contact_field_value v;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        memset(&v, 0, sizeof(v));
        v.field_id = pz_sql_int(st, 0);
        copy_col(v.name, sizeof(v.name), pz_sql_text(st, 1));
        copy_col(v.type, sizeof(v.type), pz_sql_text(st, 2));
        copy_col(v.value, sizeof(v.value), pz_sql_text(st, 3));
        fn(&v, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* --- consents -------------------------------------------------------------------------- */

int contact_consent_add(struct pz_conn *conn, int64_t ws, int64_t id, const char *purpose,
                        const char *source, int64_t given_at, int64_t *consent_id,
                        struct pz_err *err)
{
    char p[CONTACT_TEXT_MAX + 1] = "", s[CONTACT_TEXT_MAX + 1] = "", kind[16];
    struct pz_stmt *st;
    int r = clean_text(purpose ? purpose : "", p, sizeof(p), 0, "purpose", err);

    if (r == 0)
        r = clean_text(source ? source : "", s, sizeof(s), 0, "source", err);
    if (r < 0)
        return r;
    if (!p[0])
        return pz_err_set(err, "request.invalid", "purpose", "a consent needs a purpose");
    if (!s[0])
        return pz_err_set(err, "request.invalid", "source", "a consent needs a source");
    if (given_at <= 0)
        return pz_err_set(err, "request.invalid", "given_at", "a consent needs a date");
    r = kind_of(conn, ws, id, kind);
    if (r < 0)
        return r;
    st = pz_sql(conn, "INSERT INTO consents (workspace_id, contact_id, purpose, source, given_at,"
                      " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, p);
    pz_sql_bind_text(st, 4, s);
    pz_sql_bind_int(st, 5, given_at);
    pz_sql_bind_int(st, 6, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW && consent_id)
        *consent_id = pz_sql_int(st, 0);
    pz_sql_done(st);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

int contact_consent_withdraw(struct pz_conn *conn, int64_t ws, int64_t consent_id, int64_t at)
{
    struct pz_stmt *st = pz_sql(conn, "UPDATE consents SET withdrawn_at = $3"
                                      " WHERE workspace_id = $1 AND id = $2"
                                      " AND withdrawn_at IS NULL");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, consent_id);
    pz_sql_bind_int(st, 3, at);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

int contact_consents_each(struct pz_conn *conn, int64_t ws, int64_t id,
                          void (*fn)(const struct contact_consent *c, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id, contact_id, purpose, source, given_at,"
                                      " COALESCE(withdrawn_at, -1), created_at FROM consents"
                                      " WHERE workspace_id = $1 AND contact_id = $2"
                                      " ORDER BY given_at, id");
    struct contact_consent c;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        memset(&c, 0, sizeof(c));
        c.id = pz_sql_int(st, 0);
        c.contact_id = pz_sql_int(st, 1);
        copy_col(c.purpose, sizeof(c.purpose), pz_sql_text(st, 2));
        copy_col(c.source, sizeof(c.source), pz_sql_text(st, 3));
        c.given_at = pz_sql_int(st, 4);
        c.withdrawn_at = pz_sql_int(st, 5);
        c.created_at = pz_sql_int(st, 6);
        fn(&c, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}
