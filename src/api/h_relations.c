/*
 * Relationships over HTTP, beyond one contact: duplicate suggestions (list,
 * "not a duplicate", merge), organizations (list, create, one with its
 * people, their combined timeline), memberships (a person joins or leaves an
 * organization, with a title), the going-cold list and its per-stage
 * setting. Who may do what: reading is for everyone who reads contacts;
 * memberships and dismissing a suggestion for agents and up (they lose
 * nothing); merging for managers and up (one of the two records ends, like an
 * erasure, which is theirs too); the going-cold days are a team rule, so
 * managers and up read and set them. The rules live in src/contacts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "api/api.h"
#include "contacts/contact.h"
#include "contacts/dedup.h"
#include "contacts/score.h"
#include "contacts/timeline.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

#define SIDE_IDENTITIES_MAX 20 /* identities shown per side of a suggestion */

static void not_found(struct pz_ctx *c, const char *what)
{
    reply_error(c, "not_found", what);
}

/* Reads ?limit= (1..200, default 50) into *LIMIT; answers 422 and returns -1 on junk. */
static int read_limit(struct pz_ctx *c, int *limit)
{
    const char *l = pz_http_query(c->req, "limit");
    int64_t v;

    *limit = 50;
    if (!l || !*l)
        return 0;
    if (pz_parse_int64(l, 1, 200, &v) < 0) {
        struct pz_err err = {0};
        pz_err_set(&err, "request.invalid", "limit", "limit must be a number from 1 to 200");
        reply_err(c, &err);
        return -1;
    }
    *limit = (int)v;
    return 0;
}

/* Reads an optional positive id member KEY of BODY into *OUT (0 when absent). */
static int get_id(json_t *body, const char *key, int64_t *out, struct pz_err *err)
{
    json_t *v = json_object_get(body, key);

    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return pz_err_set(err, "request.invalid", key, "%s must be a contact id", key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

/* --- duplicates ------------------------------------------------------------------------ */

struct suggestions {
    struct dedup_suggestion *items;
    size_t n_items, cap;
};

static void suggestion_keep(const struct dedup_suggestion *s, void *arg)
{
    struct suggestions *ss = arg;
    if (ss->n_items == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 16;
        ss->items = xrealloc(ss->items, ss->cap * sizeof(*ss->items));
    }
    ss->items[ss->n_items++] = *s;
}

struct side_arg {
    struct pz_json *j;
    int64_t id;
    int n;
};

static void side_identity(const struct contact_identity *ident, void *arg)
{
    struct side_arg *sa = arg;
    if (sa->n++ >= SIDE_IDENTITIES_MAX)
        return;
    pz_json_begin_object(sa->j);
    pz_json_kstr(sa->j, "kind", ident->kind);
    pz_json_kstr(sa->j, "value", ident->value);
    pz_json_kstr(sa->j, "original", ident->original);
    pz_json_end_object(sa->j);
}

static void side_membership(const struct contact_membership *m, void *arg)
{
    struct side_arg *sa = arg;
    int as_person = m->person_id == sa->id;
    pz_json_begin_object(sa->j);
    pz_json_kint(sa->j, "id", as_person ? m->organization_id : m->person_id);
    pz_json_kstr(sa->j, "name", as_person ? m->organization_name : m->person_name);
    pz_json_kstr(sa->j, "title", m->title[0] ? m->title : NULL);
    pz_json_end_object(sa->j);
}

/*
 * Writes one side of a suggestion: enough of the contact to tell the two
 * apart at a glance (names, stage, owner, identities, organizations, how
 * much history each has).
 */
static int present_side(struct pz_ctx *c, struct pz_json *j, int64_t id)
{
    int64_t ws = c->who.workspace.id, n_entries = 0;
    struct contact ct = {0};
    struct side_arg sa;
    int r = contact_get(c->conn, ws, id, &ct);

    if (r < 0)
        return r;
    r = pz_sql_int_query(c->conn,
                         "SELECT COUNT(*) FROM timeline_entries WHERE workspace_id = $1"
                         " AND contact_id = $2",
                         &n_entries, "ii", ws, id);
    pz_json_begin_object(j);
    pz_json_kint(j, "id", ct.id);
    pz_json_kstr(j, "kind", ct.kind);
    pz_json_kstr(j, "name", ct.display_name);
    pz_json_kstr(j, "stage", ct.stage);
    pz_json_kstr(j, "type", ct.relationship[0] ? ct.relationship : NULL);
    pz_json_kint_or_null(j, "owner", ct.owner_user_id > 0 ? ct.owner_user_id : -1);
    pz_json_kint(j, "created_at", ct.created_at);
    pz_json_kint(j, "timeline_entries", n_entries);
    pz_json_kbool(j, "has_notes", ct.notes_md && ct.notes_md[0]);
    sa.j = j;
    sa.id = id;
    sa.n = 0;
    pz_json_key(j, "identities");
    pz_json_begin_array(j);
    if (r >= 0)
        r = contact_identities_each(c->conn, ws, id, side_identity, &sa);
    pz_json_end_array(j);
    pz_json_key(j, strcmp(ct.kind, "organization") == 0 ? "people" : "organizations");
    pz_json_begin_array(j);
    if (r >= 0)
        r = contact_memberships_each(c->conn, ws, id, side_membership, &sa);
    pz_json_end_array(j);
    pz_json_end_object(j);
    contact_release(&ct);
    return r < 0 ? r : 0;
}

void h_duplicates_list(struct pz_ctx *c)
{
    struct suggestions ss = {NULL, 0, 0};
    struct reply_list ls;
    int r;

    if (reply_list_begin(c, &ls) < 0)
        return;
    /* The page is read whole first: presenting a side runs queries of its own. */
    r = dedup_list(c->conn, c->who.workspace.id, 0, ls.cursor, ls.limit, suggestion_keep, &ss);
    for (size_t i = 0; r == 0 && i < ss.n_items; i++) {
        const struct dedup_suggestion *s = &ss.items[i];
        pz_json_begin_object(ls.j);
        pz_json_kint(ls.j, "id", s->id);
        pz_json_kstr(ls.j, "reason", s->reason);
        pz_json_kstr(ls.j, "detail", s->detail[0] ? s->detail : NULL);
        pz_json_kint(ls.j, "created_at", s->created_at);
        pz_json_key(ls.j, "a");
        r = present_side(c, ls.j, s->contact_a);
        pz_json_key(ls.j, "b");
        if (r == 0)
            r = present_side(c, ls.j, s->contact_b);
        pz_json_end_object(ls.j);
        reply_list_item(&ls, s->id);
    }
    free(ss.items);
    reply_list_end(c, &ls, r);
}

void h_duplicates_dismiss(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    char target[48];
    int r;

    if (id < 0)
        return;
    r = dedup_dismiss(c->conn, c->who.workspace.id, id);
    if (r == PZ_ENOTFOUND) {
        not_found(c, "no such duplicate suggestion in this workspace");
        return;
    }
    snprintf(target, sizeof(target), "duplicate_suggestion:%lld", (long long)id);
    if (r == 0)
        r = audit_add(c->conn, c->who.workspace.id, c->who.user.id, "duplicate.dismiss", target,
                      c->req->ip, NULL);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_empty(c, 204);
}

void h_contacts_merge(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    int64_t id = body ? ctx_param_id(c, 0) : -1;
    int64_t other = 0;
    struct pz_err err = {0};
    int r;

    if (!body || id < 0)
        return;
    if (get_id(body, "other_id", &other, &err) < 0 ||
        (other == 0 && pz_err_set(&err, "request.invalid", "other_id",
                                  "other_id (the contact merged into this one) is required") < 0)) {
        reply_err(c, &err);
        return;
    }
    r = contact_merge(c->conn, c->who.workspace.id, id, other, c->who.user.id, &err);
    if (r == PZ_ENOTFOUND) {
        not_found(c, "no such contact in this workspace");
        return;
    }
    if (r == PZ_EINVAL) {
        if (err.field && strcmp(err.field, "gone_id") == 0)
            err.field = "other_id";
        reply_err(c, &err);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_contact(c, 200, id);
}

/* --- organizations --------------------------------------------------------------------- */

/* Answers 404 and returns -1 unless contact ID is an organization of the workspace. */
static int need_organization(struct pz_ctx *c, int64_t id)
{
    struct contact ct = {0};
    int r = contact_get(c->conn, c->who.workspace.id, id, &ct);
    int is_org = r == 0 && strcmp(ct.kind, "organization") == 0;

    contact_release(&ct);
    if (r < 0 && r != PZ_ENOTFOUND) {
        reply_internal(c, r);
        return -1;
    }
    if (!is_org) {
        not_found(c, "no such organization in this workspace");
        return -1;
    }
    return 0;
}

struct org_list_arg {
    struct pz_ctx *c;
    struct pz_json *j;
    int r;
};

static void org_one(const struct contact *ct, void *arg)
{
    struct org_list_arg *a = arg;
    struct pz_json *j = a->j;
    int64_t n_people = 0;

    if (a->r == 0 && pz_sql_int_query(a->c->conn,
                                      "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1"
                                      " AND organization_id = $2",
                                      &n_people, "ii", ct->workspace_id, ct->id) < 0)
        a->r = PZ_EDB;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", ct->id);
    pz_json_kstr(j, "kind", ct->kind);
    pz_json_kstr(j, "name", ct->display_name);
    pz_json_kstr(j, "stage", ct->stage);
    pz_json_kstr(j, "type", ct->relationship[0] ? ct->relationship : NULL);
    pz_json_kint_or_null(j, "owner", ct->owner_user_id > 0 ? ct->owner_user_id : -1);
    pz_json_kint_or_null(j, "strength", ct->strength);
    pz_json_kint_or_null(j, "last_contact_at", ct->last_contact_at);
    pz_json_kint(j, "people", n_people);
    pz_json_kint(j, "created_at", ct->created_at);
    pz_json_kint(j, "updated_at", ct->updated_at);
    pz_json_end_object(j);
}

void h_organizations_list(struct pz_ctx *c)
{
    struct contact_query q;
    char next[CONTACT_CURSOR_MAX];
    struct org_list_arg a;
    struct pz_err err = {0};
    int limit, r;

    if (read_limit(c, &limit) < 0)
        return;
    contact_query_init(&q);
    q.kind = "organization";
    q.q = pz_http_query(c->req, "q");
    q.cursor = pz_http_query(c->req, "cursor");
    if (q.cursor && !*q.cursor)
        q.cursor = NULL;
    q.limit = limit;
    next[0] = '\0';
    a.c = c;
    a.j = reply_begin(c, 200);
    a.r = 0;
    pz_json_begin_object(a.j);
    pz_json_key(a.j, "items");
    pz_json_begin_array(a.j);
    r = contact_list(c->conn, c->who.workspace.id, &q, org_one, &a, next, sizeof(next), &err);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r == 0)
        r = a.r;
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    pz_json_end_array(a.j);
    pz_json_kstr(a.j, "next", next[0] ? next : NULL);
    pz_json_end_object(a.j);
    reply_end(c);
}

void h_organizations_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    struct contact_fields f;
    struct contact ct = {0};
    struct pz_err err = {0};
    const char *website = NULL;
    int64_t existing = 0;
    int r;

    if (!body)
        return;
    contact_fields_init(&f);
    f.kind = "organization";
    if (pz_json_get_str(body, "name", 0, CONTACT_NAME_MAX * 4, &f.display_name, &err) < 0 ||
        pz_json_get_str(body, "stage", 1, 32, &f.stage, &err) < 0 ||
        pz_json_get_str(body, "type", 1, 32, &f.relationship, &err) < 0 ||
        pz_json_get_str(body, "notes", 1, CONTACT_NOTES_MAX, &f.notes_md, &err) < 0 ||
        pz_json_get_str(body, "website", 1, NORMALIZE_MAX - 1, &website, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if (f.stage && !contact_stage_valid(f.stage)) {
        pz_err_set(&err, "request.invalid", "stage",
                   "stage must be stranger, lead, prospect, customer, advocate or former");
        reply_err(c, &err);
        return;
    }
    if (f.relationship && *f.relationship && !contact_relationship_valid(f.relationship)) {
        pz_err_set(&err, "request.invalid", "type", "unknown relationship type");
        reply_err(c, &err);
        return;
    }
    f.owner_user_id = c->who.user.id;
    r = contact_org_find(c->conn, c->who.workspace.id, f.display_name, &existing);
    if (r == 0) {
        pz_err_set(&err, "contact.organization_exists", "name",
                   "organization %lld already has this name", (long long)existing);
        reply_err(c, &err);
        return;
    }
    if (r != PZ_ENOTFOUND) {
        reply_internal(c, r);
        return;
    }
    r = pz_tx_begin(c->conn);
    if (r == 0)
        r = contact_create(c->conn, c->who.workspace.id, &f, &ct, &err);
    if (r == 0 && website && *website) {
        r = contact_identity_add(c->conn, c->who.workspace.id, ct.id, "website", website, NULL,
                                 NULL, NULL, NULL, &err);
        if ((r == PZ_EINVAL || r == PZ_EEXIST) && err.field && strcmp(err.field, "value") == 0)
            err.field = "website";
    }
    if (r == 0)
        r = pz_tx_commit(c->conn);
    contact_release(&ct);
    if (r < 0) {
        pz_tx_rollback(c->conn);
        if (r == PZ_EINVAL || r == PZ_EEXIST) {
            if (err.field && strcmp(err.field, "display_name") == 0)
                err.field = "name";
            reply_err(c, &err);
        } else {
            reply_internal(c, r);
        }
        return;
    }
    reply_contact(c, 201, ct.id);
}

void h_organizations_get(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    if (id < 0 || need_organization(c, id) < 0)
        return;
    reply_contact(c, 200, id);
}

static void timeline_one(const struct timeline_entry *e, void *arg)
{
    present_timeline_entry(arg, e);
}

void h_organizations_timeline(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    const char *cursor = pz_http_query(c->req, "cursor");
    char next[TIMELINE_CURSOR_MAX + 16];
    struct pz_err err = {0};
    struct pz_json *j;
    int limit, r;

    if (id < 0 || read_limit(c, &limit) < 0)
        return;
    next[0] = '\0';
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "items");
    pz_json_begin_array(j);
    r = timeline_list_organization(c->conn, c->who.workspace.id, id, cursor, limit, timeline_one, j,
                                   next, sizeof(next), &err);
    if (r == PZ_ENOTFOUND ||
        (r == PZ_EINVAL && err.code && strcmp(err.code, "contact.not_organization") == 0)) {
        not_found(c, "no such organization in this workspace");
        return;
    }
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    pz_json_end_array(j);
    pz_json_kstr(j, "next", next[0] ? next : NULL);
    pz_json_end_object(j);
    reply_end(c);
}

/* --- memberships ----------------------------------------------------------------------- */

/*
 * POST /contacts/{id}/organizations {"organization_id" | "organization", "title"}:
 * person ID joins the organization (by id, or by name, created when new), or
 * gets the new title when already a member. A new colleague with a similar
 * name becomes a duplicate suggestion.
 */
void h_memberships_set(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    int64_t id = body ? ctx_param_id(c, 0) : -1;
    int64_t ws = c->who.workspace.id, org_id = 0;
    const char *org_name = NULL, *title = NULL;
    struct pz_err err = {0};
    int r;

    if (!body || id < 0)
        return;
    if (get_id(body, "organization_id", &org_id, &err) < 0 ||
        pz_json_get_str(body, "organization", 1, CONTACT_NAME_MAX * 4, &org_name, &err) < 0 ||
        pz_json_get_str(body, "title", 1, CONTACT_TEXT_MAX * 4, &title, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if ((org_id == 0) == (org_name == NULL)) {
        pz_err_set(&err, "request.invalid", "organization_id",
                   "give either organization_id or organization (a name)");
        reply_err(c, &err);
        return;
    }
    r = pz_tx_begin(c->conn);
    if (r == 0 && org_name)
        r = contact_org_find_or_create(c->conn, ws, org_name, &org_id, NULL, &err);
    if (r == 0)
        r = contact_membership_set(c->conn, ws, id, org_id, title, &err);
    if (r == 0)
        r = dedup_check_contact(c->conn, ws, id, NULL);
    if (r == 0)
        r = pz_tx_commit(c->conn);
    if (r < 0) {
        pz_tx_rollback(c->conn);
        if (r == PZ_ENOTFOUND)
            not_found(c, org_name ? "no such contact in this workspace"
                                  : "no such contact or organization in this workspace");
        else if (r == PZ_EINVAL)
            reply_err(c, &err);
        else
            reply_internal(c, r);
        return;
    }
    reply_contact(c, 200, id);
}

void h_memberships_delete(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    int64_t org_id = id < 0 ? -1 : ctx_param_id(c, 1);
    int r;

    if (org_id < 0)
        return;
    r = contact_membership_remove(c->conn, c->who.workspace.id, id, org_id);
    if (r == PZ_ENOTFOUND) {
        not_found(c, "this person is not a member of that organization");
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_contact(c, 200, id);
}

/* --- going cold ------------------------------------------------------------------------ */

struct cold_rows {
    struct contact *items;
    size_t n_items, cap;
};

static void cold_keep(const struct contact *ct, void *arg)
{
    struct cold_rows *cr = arg;
    if (cr->n_items == cr->cap) {
        cr->cap = cr->cap ? cr->cap * 2 : 16;
        cr->items = xrealloc(cr->items, cr->cap * sizeof(*cr->items));
    }
    cr->items[cr->n_items] = *ct;
    cr->items[cr->n_items].notes_md = NULL; /* list rows own nothing */
    cr->n_items++;
}

/*
 * Writes one going-cold row: the contact, why it is on the list ("fell":
 * its strength dropped at its last change; "silent": no contact for the
 * stage's days), the days since the last contact (or since it was created
 * when never contacted) and its strength computed now, explained.
 */
static int present_cold(struct pz_ctx *c, const struct contact *ct, int64_t now, int cold_customer,
                        int cold_prospect, const char *lang)
{
    struct pz_json *j = &c->json;
    struct score sc;
    int limit = strcmp(ct->stage, "customer") == 0 ? cold_customer : cold_prospect;
    int64_t days = 0;
    const char *reason = score_cold_reason(ct, limit, now, &days);
    int r = score_compute(c->conn, c->who.workspace.id, ct->id, now, &sc);

    if (r < 0)
        return r;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", ct->id);
    pz_json_kstr(j, "kind", ct->kind);
    pz_json_kstr(j, "name", ct->display_name);
    pz_json_kstr(j, "stage", ct->stage);
    pz_json_kstr(j, "type", ct->relationship[0] ? ct->relationship : NULL);
    pz_json_kint_or_null(j, "owner", ct->owner_user_id > 0 ? ct->owner_user_id : -1);
    pz_json_kint(j, "strength", sc.strength);
    pz_json_kint_or_null(j, "previous_strength", ct->previous_strength);
    pz_json_kstr(j, "strength_explanation",
                 strcmp(lang, "it") == 0 ? sc.explanation_it : sc.explanation_en);
    pz_json_kint_or_null(j, "last_contact_at", sc.last_contact_at);
    pz_json_kint(j, "days_since", days);
    pz_json_kbool(j, "never_contacted", sc.last_contact_at < 0);
    pz_json_kint(j, "cold_days", limit);
    pz_json_kstr(j, "reason", reason);
    pz_json_end_object(j);
    return 0;
}

void h_going_cold_list(struct pz_ctx *c)
{
    const char *owner = pz_http_query(c->req, "owner");
    const char *cursor = pz_http_query(c->req, "cursor");
    const char *lang = c->who.user.locale[0] ? c->who.user.locale : c->who.workspace.locale;
    int64_t ws = c->who.workspace.id, owner_id = c->who.user.id, now = pz_now_ms();
    struct cold_rows cr = {NULL, 0, 0};
    char next[CONTACT_CURSOR_MAX];
    struct pz_err err = {0};
    int limit, cold_customer = 0, cold_prospect = 0, r;

    if (read_limit(c, &limit) < 0)
        return;
    if (owner && *owner && strcmp(owner, "me") != 0) {
        if (strcmp(owner, "all") == 0)
            owner_id = 0;
        else if (pz_parse_int64(owner, 1, INT64_MAX, &owner_id) < 0) {
            pz_err_set(&err, "request.invalid", "owner", "owner must be me, all or a user id");
            reply_err(c, &err);
            return;
        }
    }
    next[0] = '\0';
    r = score_going_cold(c->conn, ws, owner_id, now, cursor && *cursor ? cursor : NULL, limit,
                         cold_keep, &cr, next, sizeof(next), &err);
    if (r == PZ_EINVAL) {
        free(cr.items);
        reply_err(c, &err);
        return;
    }
    if (r == 0)
        r = score_cold_days(c->conn, ws, "customer", &cold_customer);
    if (r == 0)
        r = score_cold_days(c->conn, ws, "prospect", &cold_prospect);
    if (r == 0) {
        struct pz_json *j = reply_begin(c, 200);
        pz_json_begin_object(j);
        pz_json_key(j, "items");
        pz_json_begin_array(j);
        for (size_t i = 0; r == 0 && i < cr.n_items; i++)
            r = present_cold(c, &cr.items[i], now, cold_customer, cold_prospect, lang);
        pz_json_end_array(j);
        pz_json_kstr(j, "next", next[0] ? next : NULL);
        pz_json_end_object(j);
    }
    free(cr.items);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_end(c);
}

static void reply_cold_settings(struct pz_ctx *c)
{
    int customer = 0, prospect = 0;
    int r = score_cold_days(c->conn, c->who.workspace.id, "customer", &customer);
    struct pz_json *j;

    if (r == 0)
        r = score_cold_days(c->conn, c->who.workspace.id, "prospect", &prospect);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_kint(j, "customer_days", customer);
    pz_json_kint(j, "prospect_days", prospect);
    pz_json_end_object(j);
    reply_end(c);
}

void h_going_cold_settings_get(struct pz_ctx *c)
{
    reply_cold_settings(c);
}

/* Reads member KEY of BODY as a number of days into *DAYS (0 when absent). */
static int get_days(json_t *body, const char *key, int *days, struct pz_err *err)
{
    json_t *v = json_object_get(body, key);

    *days = 0;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 3650)
        return pz_err_set(err, "request.invalid", key, "%s must be a number of days from 1 to 3650",
                          key);
    *days = (int)json_integer_value(v);
    return 0;
}

void h_going_cold_settings_put(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    struct pz_err err = {0};
    int customer = 0, prospect = 0, r = 0;
    char detail[64];

    if (!body)
        return;
    if (get_days(body, "customer_days", &customer, &err) < 0 ||
        get_days(body, "prospect_days", &prospect, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if (!customer && !prospect) {
        pz_err_set(&err, "request.invalid", "customer_days",
                   "give customer_days, prospect_days or both");
        reply_err(c, &err);
        return;
    }
    r = pz_tx_begin(c->conn);
    if (r == 0 && customer)
        r = score_set_cold_days(c->conn, c->who.workspace.id, "customer", customer, &err);
    if (r == 0 && prospect)
        r = score_set_cold_days(c->conn, c->who.workspace.id, "prospect", prospect, &err);
    if (r == 0) {
        snprintf(detail, sizeof(detail), "customer %d, prospect %d", customer, prospect);
        r = audit_add(c->conn, c->who.workspace.id, c->who.user.id, "settings.going_cold",
                      "settings:going-cold", c->req->ip, detail);
    }
    if (r == 0)
        r = pz_tx_commit(c->conn);
    if (r < 0) {
        pz_tx_rollback(c->conn);
        if (r == PZ_EINVAL)
            reply_err(c, &err);
        else
            reply_internal(c, r);
        return;
    }
    reply_cold_settings(c);
}
