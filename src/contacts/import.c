/*
 * Writing imported contact records, and import runs. See import.h for the
 * matching and re-import rules.
 *
 * A record's text comes from someone's address book: names are trimmed, cut
 * to the column limits at a character boundary and rid of control
 * characters rather than refused; only identities are strict, because a
 * wrong identity would attach the record to the wrong person.
 */
#include "contacts/import.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts/contact.h"
#include "contacts/dedup.h"
#include "contacts/normalize.h"
#include "contacts/timeline.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

#define ERRORS_JSON_MAX (1024 * 1024)

/* One identity of the record, normalized, and the contact that holds it (0: nobody). */
struct rec_ident {
    const char *kind;
    const char *original;
    const char *label;
    char norm[NORMALIZE_MAX];
    int64_t owner;
};

/* The run a record belongs to. */
struct run_info {
    int64_t id;
    int64_t user_id;
    char sha256[65];
    char file_name[256];
};

/* Everything about one record while it is written. */
struct rec_state {
    const struct import_contact *rec;
    const char *const *normalized; /* the caller's normalized values, or NULL */
    const struct run_info *run;
    struct contacts_importer *im;
    int maybe_shared; /* an identity's value may be held by someone (under any kind) */
    struct rec_ident *idents;
    size_t n_idents;
    char name[CONTACT_NAME_MAX + 1];
    char given[CONTACT_NAME_MAX + 1];
    char family[CONTACT_NAME_MAX + 1];
    char org[CONTACT_NAME_MAX + 1];
    char title[CONTACT_TEXT_MAX + 1];
};

/*
 * What one file's import keeps between its records, so that a large file
 * does not ask the database the same questions for every card. All of it
 * is bounded, and everything it does not hold is asked as before:
 *
 * - the run's row, read once;
 * - a Bloom filter of every normalized identity value of the workspace
 *   (any kind), built after the first records of a file: a value it has
 *   never seen belongs to nobody, so neither the match nor the duplicate
 *   check needs a query for it (new values join as they are written);
 * - organizations by name key, with their display names;
 * - the people of those organizations with their name keys, for the
 *   similar-name duplicate check of each new member, instead of a join over
 *   the organization's memberships per card.
 *
 * It is only right inside one transaction that holds the write lock (the
 * caller's, for one file), where nobody else changes these rows.
 */
#define FILTER_AFTER     64         /* records of a file before the filter is built */
#define FILTER_MAX       (4L << 20) /* identities beyond which no filter is built */
#define FILTER_BITS_EACH 16         /* bits per value: about 0.2% false "maybe" with 4 probes */
#define ORG_CACHE_MAX    65536      /* organizations remembered */
#define PEOPLE_CACHE_MAX 300000     /* people's name keys remembered, over all organizations */

struct org_entry {
    char *key;     /* the name key; NULL for an empty slot */
    char *display; /* the organization's display name */
    int64_t id;
    int people_state; /* 0 not loaded, 1 loaded, -1 too many to keep */
    struct dedup_person *people;
    size_t n_people, cap_people;
};

struct contacts_importer {
    struct pz_conn *conn;
    int64_t ws;
    char region[8];
    struct run_info run;
    long records;
    /* The identity filter: FILTER_BITS_EACH bits per value, up to filter_cap values. */
    int filter_state; /* 0 not built, 1 built, -1 not used */
    uint64_t *filter;
    uint64_t filter_bits;
    long filter_n, filter_cap;
    /* Organizations, open addressing by name key. */
    struct org_entry *orgs;
    size_t n_orgs, cap_orgs;
    long n_people;
    /* Contacts created whose "import" timeline entry is still to be written (created_flush). */
    int64_t *created;
    size_t n_created;
};

/* The "import" entries of the contacts created are written this many at a time, in one
 * statement each (timeline_add_many), instead of one statement per contact. */
#define CREATED_BATCH 4096

/* Copies S trimmed into OUT, control characters as spaces, cut at a character boundary. */
static void tidy(const char *s, char *out, size_t outsz)
{
    size_t n, o = 0;

    if (!s)
        s = "";
    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= outsz)
        n = outsz - 1;
    while (n > 0 && !pz_utf8_valid(s, n))
        n--;
    for (size_t i = 0; i < n; i++)
        out[o++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) ? ' ' : s[i];
    out[o] = '\0';
}

static int blank(const char *s)
{
    while (s && isspace((unsigned char)*s))
        s++;
    return !s || !*s;
}

/* Non-zero when identities A and B are the same (phone numbers across phone-like kinds). */
static int same_ident(const struct rec_ident *a, const struct rec_ident *b)
{
    if (strcmp(a->norm, b->norm) != 0)
        return 0;
    return strcmp(a->kind, b->kind) == 0 ||
           (normalize_is_phone(a->kind, a->norm) && normalize_is_phone(b->kind, b->norm));
}

/* Normalizes the record's identities into S->idents, dropping empty and repeated ones. */
static int normalize_all(struct rec_state *s, const char *region, struct pz_err *err)
{
    const struct import_contact *rec = s->rec;

    for (size_t i = 0; i < rec->n_identities && i < IMPORT_MAX_IDENTITIES; i++) {
        const struct import_identity *id = &rec->identities[i];
        struct rec_ident *ri = &s->idents[s->n_idents];
        int r, dup = 0;

        if (blank(id->value))
            continue;
        if (s->normalized && s->normalized[i] && strlen(s->normalized[i]) < sizeof(ri->norm))
            memcpy(ri->norm, s->normalized[i], strlen(s->normalized[i]) + 1);
        else if ((r = normalize_identity(id->kind, id->value, region, ri->norm, sizeof(ri->norm),
                                         err)) < 0)
            return r;
        ri->kind = id->kind;
        ri->original = id->value;
        ri->label = id->label;
        ri->owner = 0;
        for (size_t k = 0; k < s->n_idents && !dup; k++)
            dup = same_ident(&s->idents[k], ri);
        if (!dup)
            s->n_idents++;
    }
    return 0;
}

static int run_load(struct pz_conn *conn, int64_t ws, int64_t run_id, struct run_info *run)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT COALESCE(user_id, 0), sha256, file_name"
                                      " FROM import_runs WHERE workspace_id = $1 AND id = $2");
    const char *t;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, run_id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        run->id = run_id;
        run->user_id = pz_sql_int(st, 0);
        snprintf(run->sha256, sizeof(run->sha256), "%s", (t = pz_sql_text(st, 1)) ? t : "");
        snprintf(run->file_name, sizeof(run->file_name), "%s", (t = pz_sql_text(st, 2)) ? t : "");
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

/* --- the importer's caches ------------------------------------------------------------- */

/* A well-mixed 64-bit hash of S, for the tables below (memory only: pz_hash64). */
static uint64_t hash_str(const char *s)
{
    return pz_hash64(s, strlen(s));
}

static void filter_add(struct contacts_importer *im, const char *value)
{
    uint64_t h = hash_str(value), step = (h >> 32) | 1;

    for (int k = 0; k < 4; k++, h += step) {
        uint64_t bit = h % im->filter_bits;
        im->filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
    }
    im->filter_n++;
}

/* 0 when no identity of the workspace has VALUE (under any kind); 1 when one may. */
static int filter_maybe(const struct contacts_importer *im, const char *value)
{
    uint64_t h, step;

    if (im->filter_state != 1)
        return 1;
    h = hash_str(value);
    step = (h >> 32) | 1;
    for (int k = 0; k < 4; k++, h += step) {
        uint64_t bit = h % im->filter_bits;
        if (!(im->filter[bit >> 6] & ((uint64_t)1 << (bit & 63))))
            return 0;
    }
    return 1;
}

/* (Re)builds the filter from the workspace's identities, with room for as many again. */
static int filter_build(struct contacts_importer *im)
{
    struct pz_stmt *st;
    int64_t n = 0;
    int r = pz_sql_int_query(im->conn, "SELECT COUNT(*) FROM identities WHERE workspace_id = $1",
                             &n, "i", im->ws);

    free(im->filter);
    im->filter = NULL;
    im->filter_state = -1;
    if (r < 0)
        return r;
    if (n > FILTER_MAX)
        return 0; /* asked of the database one by one, as without the filter */
    im->filter_cap = 2 * (long)n > 65536 ? 2 * (long)n : 65536;
    im->filter_bits = (uint64_t)im->filter_cap * FILTER_BITS_EACH;
    im->filter = xcalloc((size_t)(im->filter_bits / 64 + 1), sizeof(uint64_t));
    im->filter_n = 0;
    st = pz_sql(im->conn, "SELECT value_normalized FROM identities WHERE workspace_id = $1");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, im->ws);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        const char *v = pz_sql_text(st, 0);
        if (v)
            filter_add(im, v);
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    im->filter_state = 1;
    return 0;
}

/* Notes VALUE, just written; the filter grows (from the rows) when it is full. */
static int filter_note(struct contacts_importer *im, const char *value)
{
    if (im->filter_state != 1)
        return 0;
    if (im->filter_n >= im->filter_cap)
        return filter_build(im); /* the rows hold VALUE already */
    filter_add(im, value);
    return 0;
}

static void org_entry_forget_people(struct contacts_importer *im, struct org_entry *e)
{
    for (size_t i = 0; i < e->n_people; i++)
        free((char *)e->people[i].name_key);
    free(e->people);
    im->n_people -= (long)e->n_people;
    e->people = NULL;
    e->n_people = e->cap_people = 0;
    e->people_state = 0;
}

/* The slot of name key KEY: its entry, or the empty slot where it would go. */
static struct org_entry *org_slot(struct contacts_importer *im, const char *key)
{
    size_t mask = im->cap_orgs - 1, i = (size_t)hash_str(key) & mask;

    while (im->orgs[i].key && strcmp(im->orgs[i].key, key) != 0)
        i = (i + 1) & mask;
    return &im->orgs[i];
}

/* The remembered organization with name key KEY, or NULL. */
static struct org_entry *org_cached(struct contacts_importer *im, const char *key)
{
    struct org_entry *e;

    if (!im->cap_orgs)
        return NULL;
    e = org_slot(im, key);
    return e->key ? e : NULL;
}

/* Remembers organization ID called DISPLAY under KEY; NULL when the cache is full. */
static struct org_entry *org_remember(struct contacts_importer *im, const char *key, int64_t id,
                                      const char *display)
{
    struct org_entry *e;

    if (im->n_orgs >= ORG_CACHE_MAX)
        return NULL;
    if (2 * (im->n_orgs + 1) > im->cap_orgs) {
        struct org_entry *old = im->orgs;
        size_t old_cap = im->cap_orgs;
        im->cap_orgs = old_cap ? 2 * old_cap : 256;
        im->orgs = xcalloc(im->cap_orgs, sizeof(*im->orgs));
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].key)
                *org_slot(im, old[i].key) = old[i];
        free(old);
    }
    e = org_slot(im, key);
    memset(e, 0, sizeof(*e));
    e->key = xstrdup(key);
    e->display = xstrdup(display);
    e->id = id;
    im->n_orgs++;
    return e;
}

static void org_add_person(struct contacts_importer *im, struct org_entry *e, int64_t id,
                           const char *name_key)
{
    if (e->people_state != 1)
        return;
    if (im->n_people >= PEOPLE_CACHE_MAX) {
        org_entry_forget_people(im, e);
        e->people_state = -1;
        return;
    }
    if (e->n_people == e->cap_people) {
        e->cap_people = e->cap_people ? 2 * e->cap_people : 8;
        e->people = xrealloc(e->people, e->cap_people * sizeof(*e->people));
    }
    e->people[e->n_people].id = id;
    e->people[e->n_people].name_key = xstrdup(name_key ? name_key : "");
    e->n_people++;
    im->n_people++;
}

/* Reads the people of organization E once (in the order the duplicate check lists them). */
static int org_load_people(struct contacts_importer *im, struct org_entry *e)
{
    struct pz_stmt *st;
    int r;

    if (e->people_state != 0)
        return 0;
    st = pz_sql(im->conn, "SELECT m.person_id, p.name_key FROM memberships m"
                          " JOIN contacts p ON p.workspace_id = m.workspace_id"
                          " AND p.id = m.person_id"
                          " WHERE m.workspace_id = $1 AND m.organization_id = $2"
                          " ORDER BY m.person_id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, im->ws);
    pz_sql_bind_int(st, 2, e->id);
    e->people_state = 1;
    while (e->people_state == 1 && (r = pz_sql_step(st)) == PZ_SQL_ROW)
        org_add_person(im, e, pz_sql_int(st, 0), pz_sql_text(st, 1));
    pz_sql_done(st);
    if (e->people_state != 1)
        return 0; /* too many: checked by the database */
    return r < 0 ? r : 0;
}

int contacts_importer_new(struct pz_conn *conn, int64_t ws, int64_t import_run_id,
                          const char *default_region, struct contacts_importer **out)
{
    struct contacts_importer *im = xcalloc(1, sizeof(*im));
    int r;

    *out = NULL;
    im->conn = conn;
    im->ws = ws;
    snprintf(im->region, sizeof(im->region), "%s", default_region ? default_region : "IT");
    r = run_load(conn, ws, import_run_id, &im->run);
    if (r < 0) {
        free(im);
        return r;
    }
    *out = im;
    return 0;
}

void contacts_importer_free(struct contacts_importer *im)
{
    if (!im)
        return;
    free(im->created);
    for (size_t i = 0; i < im->cap_orgs; i++) {
        if (!im->orgs[i].key)
            continue;
        org_entry_forget_people(im, &im->orgs[i]);
        free(im->orgs[i].key);
        free(im->orgs[i].display);
    }
    free(im->orgs);
    free(im->filter);
    free(im);
}

/* Fills the record's names; the display name falls back to the organization, then to the
 * first identity as written. */
static void record_names(struct rec_state *s)
{
    const struct import_contact *rec = s->rec;

    tidy(rec->given_name, s->given, sizeof(s->given));
    tidy(rec->family_name, s->family, sizeof(s->family));
    tidy(rec->organization, s->org, sizeof(s->org));
    tidy(rec->title, s->title, sizeof(s->title));
    tidy(rec->full_name, s->name, sizeof(s->name));
    if (!s->name[0] && (s->given[0] || s->family[0])) {
        char both[2 * CONTACT_NAME_MAX + 2];
        snprintf(both, sizeof(both), "%s%s%s", s->given, s->given[0] && s->family[0] ? " " : "",
                 s->family);
        tidy(both, s->name, sizeof(s->name));
    }
}

/* Finds who holds each identity; suggests a duplicate for each holder after the first.
 * Sets *TARGET to the first holder (0 when none). */
static int match(struct pz_conn *conn, int64_t ws, struct rec_state *s, int64_t *target,
                 struct contacts_import_counts *counts)
{
    int r = 0;

    *target = 0;
    s->maybe_shared = 0;
    for (size_t i = 0; r == 0 && i < s->n_idents; i++) {
        struct rec_ident *ri = &s->idents[i];
        ri->owner = 0;
        if (!filter_maybe(s->im, ri->norm))
            continue; /* nobody has this value */
        s->maybe_shared = 1;
        r = contact_find_normalized(conn, ws, ri->kind, ri->norm, &ri->owner);
        if (r == PZ_ENOTFOUND) {
            ri->owner = 0;
            r = 0;
        }
        if (r == 0 && ri->owner && !*target)
            *target = ri->owner;
    }
    for (size_t i = 0; r == 0 && i < s->n_idents; i++) {
        int added = 0;
        if (!s->idents[i].owner || s->idents[i].owner == *target)
            continue;
        r = dedup_suggest(conn, ws, *target, s->idents[i].owner, "identity", s->idents[i].norm,
                          &added);
        counts->duplicates_suggested += added;
    }
    return r;
}

/* The key of an identity-less record: this file, this name, this organization. */
static void import_key(const struct rec_state *s, char *key, size_t keysz)
{
    char name[256], org[256];

    normalize_name_key(s->name, 1, name, sizeof(name));
    normalize_name_key(s->org, 1, org, sizeof(org));
    snprintf(key, keysz, "%s|%s|%s", s->run->sha256, name, org);
}

static int key_find(struct pz_conn *conn, int64_t ws, const char *key, int64_t *contact_id)
{
    int r = pz_sql_int_query(conn,
                             "SELECT contact_id FROM contact_import_keys"
                             " WHERE workspace_id = $1 AND import_key = $2",
                             contact_id, "it", ws, key);
    return r < 0 ? r : 0;
}

static int key_add(struct pz_conn *conn, int64_t ws, const char *key, int64_t contact_id)
{
    struct pz_stmt *st = pz_sql(conn, "INSERT INTO contact_import_keys (workspace_id, import_key,"
                                      " contact_id) VALUES ($1, $2, $3)"
                                      " ON CONFLICT (workspace_id, import_key) DO NOTHING");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, key);
    pz_sql_bind_int(st, 3, contact_id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* Fills the contact's missing given and family names from the record. */
static int fill_names(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                      int *changed)
{
    struct pz_stmt *st;
    int r;

    if (!s->given[0] && !s->family[0])
        return 0;
    st = pz_sql(conn, "UPDATE contacts SET given_name = COALESCE(given_name, $3),"
                      " family_name = COALESCE(family_name, $4), updated_at = $5"
                      " WHERE workspace_id = $1 AND id = $2 AND kind = 'person'"
                      " AND ((given_name IS NULL AND $3 IS NOT NULL)"
                      " OR (family_name IS NULL AND $4 IS NOT NULL))");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_text(st, 3, s->given[0] ? s->given : NULL);
    pz_sql_bind_text(st, 4, s->family[0] ? s->family : NULL);
    pz_sql_bind_int(st, 5, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (pz_sql_changes(conn) > 0)
        *changed = 1;
    return 0;
}

/* Adds the record's identities nobody holds yet. */
static int add_identities(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                          int *changed)
{
    for (size_t i = 0; i < s->n_idents; i++) {
        const struct rec_ident *ri = &s->idents[i];
        int r;
        if (ri->owner)
            continue;
        r = contact_identity_add_normalized(conn, ws, id, ri->kind, ri->norm, ri->original,
                                            ri->label, NULL);
        if (r < 0 && r != PZ_EEXIST)
            return r;
        if (r == 0) {
            *changed = 1;
            r = filter_note(s->im, ri->norm);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* The title of person ID at organization ORG_ID into TITLE; 0, or PZ_ENOTFOUND when not a
 * member. */
static int membership_title(struct pz_conn *conn, int64_t ws, int64_t id, int64_t org_id,
                            char *title, size_t titlesz)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT COALESCE(title, '') FROM memberships"
                                      " WHERE workspace_id = $1 AND person_id = $2"
                                      " AND organization_id = $3");
    const char *t;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, org_id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        snprintf(title, titlesz, "%s", (t = pz_sql_text(st, 0)) ? t : "");
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

/* Makes person ID a member of the record's organization, with its title when it has one. */
static int add_membership(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                          int *changed, struct pz_err *err)
{
    char title[CONTACT_TEXT_MAX + 1];
    struct pz_err ignored = {0};
    int64_t org_id = 0;
    int r;

    if (!s->org[0])
        return 0;
    r = contact_org_find_or_create(conn, ws, s->org, &org_id, NULL, &ignored);
    if (r < 0)
        return r == PZ_EINVAL ? 0 : r; /* an organization name of punctuation only */
    r = membership_title(conn, ws, id, org_id, title, sizeof(title));
    if (r == 0 && (!s->title[0] || strcmp(title, s->title) == 0))
        return 0;
    if (r < 0 && r != PZ_ENOTFOUND)
        return r;
    r = contact_membership_set(conn, ws, id, org_id, s->title, err);
    if (r == 0)
        *changed = 1;
    return r;
}

/* Tags the contact with the record's categories; bad tags are ignored. */
static int add_tags(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                    int *changed)
{
    for (size_t i = 0; i < s->rec->n_tags && i < IMPORT_MAX_TAGS; i++) {
        struct pz_err ignored = {0};
        int added = 0, r;
        if (blank(s->rec->tags[i]))
            continue;
        r = contact_tag_add(conn, ws, id, s->rec->tags[i], &added, &ignored);
        if (r < 0 && r != PZ_EINVAL)
            return r;
        if (added)
            *changed = 1;
    }
    return 0;
}

static int add_note(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                    int *changed)
{
    struct pz_err ignored = {0};
    int appended = 0, r;

    if (blank(s->rec->note))
        return 0;
    r = contact_note_append(conn, ws, id, s->rec->note, &appended, &ignored);
    if (r < 0 && r != PZ_EINVAL)
        return r;
    if (appended)
        *changed = 1;
    return 0;
}

/* The LinkedIn "connected on" entry, once per contact and date. */
static int add_connected(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                         int *changed)
{
    struct timeline_new e;
    int64_t n = 0;
    struct pz_stmt *st;
    int r;

    if (s->rec->connected_on < 0)
        return 0;
    st = pz_sql(conn, "SELECT COUNT(*) FROM timeline_entries WHERE workspace_id = $1"
                      " AND contact_id = $2 AND kind = 'connected' AND at = $3");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, s->rec->connected_on);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        n = pz_sql_int(st, 0);
    pz_sql_done(st);
    if (r < 0 || n > 0)
        return r < 0 ? r : 0;
    timeline_new_init(&e);
    e.contact_id = id;
    e.at = s->rec->connected_on;
    e.kind = "connected";
    e.channel = "linkedin";
    e.source_kind = "import_run";
    e.source_id = s->run->id;
    r = timeline_add(conn, ws, &e, NULL, NULL);
    if (r == 0)
        *changed = 1;
    return r;
}

/* Adds to contact ID what the record has and the contact lacks. */
static int apply_record(struct pz_conn *conn, int64_t ws, int64_t id, int person,
                        const struct rec_state *s, int *changed, struct pz_err *err)
{
    int r = fill_names(conn, ws, id, s, changed);

    if (r == 0)
        r = add_identities(conn, ws, id, s, changed);
    if (r == 0 && person)
        r = add_membership(conn, ws, id, s, changed, err);
    if (r == 0)
        r = add_tags(conn, ws, id, s, changed);
    if (r == 0)
        r = add_note(conn, ws, id, s, changed);
    if (r == 0)
        r = add_connected(conn, ws, id, s, changed);
    return r;
}

static void import_entry(struct timeline_new *e, const struct run_info *run, const char *outcome)
{
    timeline_new_init(e);
    e->kind = "import";
    e->outcome = outcome;
    e->body = run->file_name;
    e->author_user_id = run->user_id;
    e->source_kind = "import_run";
    e->source_id = run->id;
}

/* Writes the "import" entries of the contacts created so far. */
static int created_flush(struct contacts_importer *im)
{
    struct timeline_new e;
    int r;

    if (im->n_created == 0)
        return 0;
    import_entry(&e, &im->run, "created");
    r = timeline_add_many(im->conn, im->ws, &e, im->created, im->n_created, NULL);
    im->n_created = 0;
    return r;
}

int contacts_importer_finish(struct contacts_importer *im)
{
    return created_flush(im);
}

static int log_import(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                      const char *outcome)
{
    struct contacts_importer *im = s->im;
    struct timeline_new e;
    int r;

    if (strcmp(outcome, "created") == 0) {
        if (!im->created)
            im->created = xmalloc(CREATED_BATCH * sizeof(*im->created));
        im->created[im->n_created++] = id;
        return im->n_created == CREATED_BATCH ? created_flush(im) : 0;
    }
    /* Those created before come first on any timeline this one shares. */
    r = created_flush(im);
    if (r < 0)
        return r;
    import_entry(&e, s->run, outcome);
    e.contact_id = id;
    e.contact_written = 1; /* updated just now */
    return timeline_add(conn, ws, &e, NULL, NULL);
}

/*
 * The record's organization for a new person: from the importer's cache, or
 * found (or made) by name and remembered with its people. Sets *ORG_ID (0
 * for a name of punctuation only), NAME to its display name and *ENTRY to
 * its cache entry (NULL when not remembered).
 */
static int resolve_org(struct pz_conn *conn, int64_t ws, const struct rec_state *s, int64_t *org_id,
                       char *name, size_t namesz, struct org_entry **entry)
{
    struct contacts_importer *im = s->im;
    struct pz_err ignored = {0};
    char key[256];
    struct org_entry *e = NULL;
    int r;

    *org_id = 0;
    *entry = NULL;
    key[0] = '\0';
    if (normalize_name_key(s->org, 1, key, sizeof(key)) > 0)
        e = org_cached(im, key);
    if (!e) {
        r = contact_org_resolve(conn, ws, s->org, org_id, name, namesz, NULL, &ignored);
        if (r == PZ_EINVAL) /* an organization name of punctuation only */
            return 0;
        if (r < 0)
            return r;
        e = key[0] ? org_remember(im, key, *org_id, name) : NULL;
    }
    if (e) {
        *org_id = e->id;
        snprintf(name, namesz, "%s", e->display);
        r = org_load_people(im, e);
        if (r < 0)
            return r;
        *entry = e;
    }
    return 0;
}

/*
 * The duplicate check of new contact ID: by the importer's caches where they
 * know the answer (no identity value seen before; the people of its one
 * organization), else by the database (dedup_check_contact).
 */
static int check_new(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                     int person, int64_t org_id, struct org_entry *org, long *added)
{
    char key[256];
    long by_names = 0;
    int r = 0;

    *added = 0;
    if (person && org_id && (!org || org->people_state != 1))
        return dedup_check_contact(conn, ws, id, added);
    if (s->maybe_shared)
        r = dedup_check_identities(conn, ws, id, added);
    if (r < 0 || !org)
        return r;
    normalize_name_key(s->name, 1, key, sizeof(key));
    r = dedup_check_names(conn, ws, id, key, org->people, org->n_people, org->display, &by_names);
    *added += by_names;
    if (r == 0)
        org_add_person(s->im, org, id, key);
    return r;
}

/*
 * A new contact from the record, written in as few statements as it takes:
 * its organization is found (or made) first, so that the contact row goes in
 * with its search text already complete and nothing is re-indexed after.
 */
static int create_from(struct pz_conn *conn, int64_t ws, const struct rec_state *s,
                       struct contacts_import_counts *counts, struct pz_err *err)
{
    struct contact_fields f;
    const char *orgs[1], **idents = xcalloc(2 * s->n_idents + 1, sizeof(*idents));
    char(*stored)[NORMALIZE_MAX] = xcalloc(s->n_idents + 1, sizeof(*stored));
    char org_name[CONTACT_NAME_MAX + 1];
    struct org_entry *org = NULL;
    int person = s->name[0] != '\0', changed = 0, reindex = 0;
    int64_t id = 0, org_id = 0;
    long added = 0;
    int r = 0;

    if (person && s->org[0])
        r = resolve_org(conn, ws, s, &org_id, org_name, sizeof(org_name), &org);
    orgs[0] = org_name;
    for (size_t i = 0; i < s->n_idents; i++) {
        contact_identity_stored_original(s->idents[i].original, s->idents[i].norm, stored[i],
                                         sizeof(stored[i]));
        idents[2 * i] = s->idents[i].norm;
        idents[2 * i + 1] = stored[i];
    }
    contact_fields_init(&f);
    f.kind = person ? "person" : "organization";
    f.display_name = person ? s->name : s->org;
    f.given_name = person && s->given[0] ? s->given : NULL;
    f.family_name = person && s->family[0] ? s->family : NULL;
    f.owner_user_id = s->run->user_id > 0 ? s->run->user_id : -1;
    if (r == 0)
        r = contact_create_indexed(conn, ws, &f, orgs, org_id ? 1 : 0, idents, s->n_idents, &id,
                                   err);
    if (r == 0 && s->n_idents == 0) {
        char key[700];
        import_key(s, key, sizeof(key));
        r = key_add(conn, ws, key, id);
    }
    for (size_t i = 0; r == 0 && i < s->n_idents; i++) {
        r = contact_identity_add_normalized(conn, ws, id, s->idents[i].kind, s->idents[i].norm,
                                            s->idents[i].original, s->idents[i].label, NULL);
        if (r == PZ_EEXIST) { /* not in the search text after all: index from the rows */
            reindex = 1;
            r = 0;
        } else if (r == 0) {
            r = filter_note(s->im, s->idents[i].norm);
        }
    }
    if (r == 0 && org_id)
        r = contact_membership_add_new(conn, ws, id, org_id, s->title, err);
    for (size_t i = 0; r == 0 && i < s->rec->n_tags && i < IMPORT_MAX_TAGS; i++) {
        struct pz_err ignored = {0};
        if (!blank(s->rec->tags[i]) &&
            (r = contact_tag_add_new(conn, ws, id, s->rec->tags[i], &ignored)) == PZ_EINVAL)
            r = 0; /* a bad tag is left out, as add_tags does */
    }
    if (r == 0)
        r = add_note(conn, ws, id, s, &changed);
    if (r == 0)
        r = add_connected(conn, ws, id, s, &changed);
    if (r == 0 && reindex)
        r = contact_reindex(conn, ws, id);
    if (r == 0)
        r = log_import(conn, ws, id, s, "created");
    if (r == 0)
        r = check_new(conn, ws, id, s, person, org_id, org, &added);
    if (r == 0) {
        counts->created++;
        counts->duplicates_suggested += added;
    }
    free(stored);
    free(idents);
    return r;
}

static int update_from(struct pz_conn *conn, int64_t ws, int64_t id, const struct rec_state *s,
                       struct contacts_import_counts *counts, struct pz_err *err)
{
    struct contact c;
    char key[256];
    struct org_entry *org;
    int changed = 0, person;
    int r = contact_get(conn, ws, id, &c);

    if (r < 0)
        return r;
    person = strcmp(c.kind, "person") == 0;
    contact_release(&c);
    r = apply_record(conn, ws, id, person, s, &changed, err);
    /* A membership may have been added: the organization's people are read again when needed. */
    if (person && s->org[0] && normalize_name_key(s->org, 1, key, sizeof(key)) > 0 &&
        (org = org_cached(s->im, key)) != NULL && org->people_state == 1)
        org_entry_forget_people(s->im, org);
    if (r == 0 && changed)
        r = contact_reindex(conn, ws, id);
    if (r == 0 && changed)
        r = log_import(conn, ws, id, s, "updated");
    if (r == 0) {
        if (changed)
            counts->updated++;
        else
            counts->unchanged++;
    }
    return r;
}

int contacts_importer_record(struct contacts_importer *im, const struct import_contact *rec,
                             struct contacts_import_counts *counts, struct pz_err *err)
{
    return contacts_importer_record_normalized(im, rec, NULL, counts, err);
}

int contacts_importer_record_normalized(struct contacts_importer *im,
                                        const struct import_contact *rec,
                                        const char *const *normalized,
                                        struct contacts_import_counts *counts, struct pz_err *err)
{
    struct pz_conn *conn = im->conn;
    int64_t ws = im->ws;
    struct rec_state *s = xcalloc(1, sizeof(*s));
    int64_t target = 0;
    int r = 0;

    s->rec = rec;
    s->normalized = normalized;
    s->run = &im->run;
    s->im = im;
    /* Room for the record's identities only: each holds its normalized value (NORMALIZE_MAX
     * bytes), and zeroing room for IMPORT_MAX_IDENTITIES of them cost more than a card. */
    s->idents = xmalloc((rec->n_identities ? rec->n_identities : 1) * sizeof(*s->idents));
    if (++im->records == FILTER_AFTER && im->filter_state == 0)
        r = filter_build(im);
    if (r == 0)
        r = normalize_all(s, im->region, err);
    if (r < 0)
        goto done;
    record_names(s);
    if (!s->name[0] && !s->org[0] && s->n_idents > 0)
        tidy(s->idents[0].original, s->name, sizeof(s->name));
    if (!s->name[0] && !s->org[0]) {
        r = pz_err_set(err, "import.empty_record", NULL,
                       "the record has neither a name nor an identity");
        goto done;
    }
    r = match(conn, ws, s, &target, counts);
    if (r == 0 && s->n_idents == 0) {
        char key[700];
        import_key(s, key, sizeof(key));
        r = key_find(conn, ws, key, &target);
    }
    /* An organization's own card: organizations are found by name (contact_org_find). */
    if (r == 0 && !target && !s->name[0]) {
        r = contact_org_find(conn, ws, s->org, &target);
        if (r == PZ_ENOTFOUND)
            r = 0;
    }
    if (r == 0)
        r = target ? update_from(conn, ws, target, s, counts, err)
                   : create_from(conn, ws, s, counts, err);
done:
    free(s->idents);
    free(s);
    return r;
}

int contacts_import_record(struct pz_conn *conn, int64_t ws, int64_t import_run_id,
                           const char *default_region, const struct import_contact *rec,
                           struct contacts_import_counts *counts, struct pz_err *err)
{
    struct contacts_importer *im;
    int r = contacts_importer_new(conn, ws, import_run_id, default_region, &im);

    if (r < 0)
        return r;
    r = contacts_importer_record(im, rec, counts, err);
    if (r == 0)
        r = contacts_importer_finish(im);
    contacts_importer_free(im);
    return r;
}

/* --- import runs ----------------------------------------------------------------------- */

static int sha256_clean(const char *in, char out[65])
{
    size_t n = in ? strlen(in) : 0;

    if (n != 64)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)in[i]))
            return -1;
        out[i] = (char)tolower((unsigned char)in[i]);
    }
    out[64] = '\0';
    return 0;
}

int import_run_begin(struct pz_conn *conn, int64_t ws, int64_t user_id, const char *format,
                     const char *file_name, const char *sha256, int64_t *run_id, struct pz_err *err)
{
    char hash[65], name[256];
    struct pz_stmt *st;
    size_t flen = format ? strlen(format) : 0;
    int r;

    if (flen == 0 || flen > 31)
        return pz_err_set(err, "request.invalid", "format", "the format must be 1 to 31 bytes");
    for (size_t i = 0; i < flen; i++)
        if (!islower((unsigned char)format[i]) && !isdigit((unsigned char)format[i]) &&
            format[i] != '-' && format[i] != '_')
            return pz_err_set(err, "request.invalid", "format",
                              "the format is written in lower-case letters, digits, - and _");
    tidy(file_name, name, sizeof(name));
    if (!name[0])
        return pz_err_set(err, "request.invalid", "file_name", "the file needs a name");
    if (sha256_clean(sha256, hash) < 0)
        return pz_err_set(err, "request.invalid", "sha256",
                          "the SHA-256 of the file must be 64 hex digits");
    st = pz_sql(conn, "INSERT INTO import_runs (workspace_id, user_id, started_at, format,"
                      " file_name, sha256) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    if (user_id > 0)
        pz_sql_bind_int(st, 2, user_id);
    else
        pz_sql_bind_null(st, 2);
    pz_sql_bind_int(st, 3, pz_now_ms());
    pz_sql_bind_text(st, 4, format);
    pz_sql_bind_text(st, 5, name);
    pz_sql_bind_text(st, 6, hash);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        *run_id = pz_sql_int(st, 0);
    pz_sql_done(st);
    if (r == PZ_SQL_ROW)
        pz_store_bulk(conn, 1); /* a speed-up only: the run goes on without it */
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

static int errors_valid(const char *json)
{
    json_t *v;
    int ok;

    if (strlen(json) > ERRORS_JSON_MAX)
        return 0;
    v = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    ok = json_is_array(v);
    json_decref(v);
    return ok;
}

int import_run_finish(struct pz_conn *conn, int64_t ws, int64_t run_id, const char *status,
                      long records, const struct contacts_import_counts *counts, long skipped,
                      const char *errors_json)
{
    static const struct contacts_import_counts zero = {0, 0, 0, 0};
    struct pz_stmt *st;
    int r;

    if (!counts)
        counts = &zero;
    if (!errors_json)
        errors_json = "[]";
    if (!status || (strcmp(status, "done") != 0 && strcmp(status, "refused") != 0 &&
                    strcmp(status, "failed") != 0))
        return pz_error(PZ_EINVAL, "import run %lld: bad status", (long long)run_id);
    pz_store_bulk(conn, 0);
    if (!errors_valid(errors_json))
        return pz_error(PZ_EINVAL, "import run %lld: the errors are not a JSON array",
                        (long long)run_id);
    st = pz_sql(conn, "UPDATE import_runs SET finished_at = $3, status = $4, records = $5,"
                      " created = $6, updated = $7, unchanged = $8, duplicates = $9,"
                      " skipped = $10, errors = $11 WHERE workspace_id = $1 AND id = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, run_id);
    pz_sql_bind_int(st, 3, pz_now_ms());
    pz_sql_bind_text(st, 4, status);
    pz_sql_bind_int(st, 5, records);
    pz_sql_bind_int(st, 6, counts->created);
    pz_sql_bind_int(st, 7, counts->updated);
    pz_sql_bind_int(st, 8, counts->unchanged);
    pz_sql_bind_int(st, 9, counts->duplicates_suggested);
    pz_sql_bind_int(st, 10, skipped);
    pz_sql_bind_text(st, 11, errors_json);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return pz_sql_changes(conn) > 0 ? 0 : PZ_ENOTFOUND;
}

void import_run_release(struct import_run *run)
{
    if (!run)
        return;
    free(run->errors_json);
    run->errors_json = NULL;
}

#define RUN_COLUMNS                                                                                \
    "SELECT id, COALESCE(user_id, 0), started_at, COALESCE(finished_at, -1), status, format,"      \
    " file_name, sha256, records, created, updated, unchanged, duplicates, skipped, errors"        \
    " FROM import_runs"

static void read_run(struct pz_stmt *st, struct import_run *run)
{
    const char *t;

    memset(run, 0, sizeof(*run));
    run->id = pz_sql_int(st, 0);
    run->user_id = pz_sql_int(st, 1);
    run->started_at = pz_sql_int(st, 2);
    run->finished_at = pz_sql_int(st, 3);
    snprintf(run->status, sizeof(run->status), "%s", (t = pz_sql_text(st, 4)) ? t : "");
    snprintf(run->format, sizeof(run->format), "%s", (t = pz_sql_text(st, 5)) ? t : "");
    snprintf(run->file_name, sizeof(run->file_name), "%s", (t = pz_sql_text(st, 6)) ? t : "");
    snprintf(run->sha256, sizeof(run->sha256), "%s", (t = pz_sql_text(st, 7)) ? t : "");
    run->records = (long)pz_sql_int(st, 8);
    run->created = (long)pz_sql_int(st, 9);
    run->updated = (long)pz_sql_int(st, 10);
    run->unchanged = (long)pz_sql_int(st, 11);
    run->duplicates = (long)pz_sql_int(st, 12);
    run->skipped = (long)pz_sql_int(st, 13);
    run->errors_json = xstrdup((t = pz_sql_text(st, 14)) ? t : "[]");
}

int import_run_get(struct pz_conn *conn, int64_t ws, int64_t run_id, struct import_run *out)
{
    struct pz_stmt *st = pz_sql(conn, RUN_COLUMNS " WHERE workspace_id = $1 AND id = $2");
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, run_id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_run(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int import_run_list(struct pz_conn *conn, int64_t ws, int64_t before_id, int limit,
                    void (*fn)(const struct import_run *run, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, RUN_COLUMNS " WHERE workspace_id = $1"
                                                  " AND ($2 = 0 OR id < $2) ORDER BY id DESC"
                                                  " LIMIT $3");
    struct import_run run;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, before_id);
    pz_sql_bind_int(st, 3, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_run(st, &run);
        fn(&run, arg);
        import_run_release(&run);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int import_run_find_sha256(struct pz_conn *conn, int64_t ws, const char *sha256, int64_t *run_id)
{
    char hash[65];
    int r;

    if (sha256_clean(sha256, hash) < 0)
        return PZ_ENOTFOUND;
    r = pz_sql_int_query(conn,
                         "SELECT id FROM import_runs WHERE workspace_id = $1 AND sha256 = $2"
                         " AND status = 'done' ORDER BY id DESC LIMIT 1",
                         run_id, "it", ws, (const char *)hash);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}
