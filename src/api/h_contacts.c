/*
 * Contacts over HTTP: list with search and filters, create (with its
 * identities, in one transaction, so a refused identity leaves nothing
 * behind), get with identities, organizations, tags and an explained
 * strength, patch, erase; and a contact's timeline, read and logged by hand
 * (calls, meetings, notes). The rules live in src/contacts; this file only
 * reads requests and writes answers.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "contacts/contact.h"
#include "contacts/score.h"
#include "contacts/timeline.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

#define CONTACT_IDENTITIES_MAX 50

/* --- presenters -------------------------------------------------------------------------- */

static void kstr_or_null(struct pz_json *j, const char *key, const char *s)
{
    pz_json_kstr(j, key, s && *s ? s : NULL);
}

/* Writes the members of a contact that every answer shows (the object stays open). */
static void contact_members(struct pz_json *j, const struct contact *c)
{
    pz_json_kint(j, "id", c->id);
    pz_json_kstr(j, "kind", c->kind);
    pz_json_kstr(j, "name", c->display_name);
    kstr_or_null(j, "given_name", c->given_name);
    kstr_or_null(j, "family_name", c->family_name);
    pz_json_kstr(j, "stage", c->stage);
    kstr_or_null(j, "type", c->relationship);
    pz_json_kint_or_null(j, "owner", c->owner_user_id > 0 ? c->owner_user_id : -1);
    pz_json_kint_or_null(j, "strength", c->strength);
    pz_json_kint_or_null(j, "last_contact_at", c->last_contact_at);
    pz_json_kint(j, "created_at", c->created_at);
    pz_json_kint(j, "updated_at", c->updated_at);
}

static void present_identity(const struct contact_identity *ident, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", ident->id);
    pz_json_kstr(j, "kind", ident->kind);
    pz_json_kstr(j, "value", ident->value);
    pz_json_kstr(j, "original", ident->original);
    kstr_or_null(j, "label", ident->label);
    pz_json_end_object(j);
}

struct membership_arg {
    struct pz_json *j;
    int64_t id;
};

static void present_membership(const struct contact_membership *m, void *arg)
{
    struct membership_arg *ma = arg;
    int as_person = m->person_id == ma->id;
    pz_json_begin_object(ma->j);
    pz_json_kint(ma->j, "id", as_person ? m->organization_id : m->person_id);
    pz_json_kstr(ma->j, "name", as_person ? m->organization_name : m->person_name);
    kstr_or_null(ma->j, "title", m->title);
    pz_json_end_object(ma->j);
}

static void present_tag(const char *name, void *arg)
{
    pz_json_str(arg, name);
}

static void present_field_value(const struct contact_field_value *v, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    pz_json_kint(j, "field_id", v->field_id);
    pz_json_kstr(j, "name", v->name);
    pz_json_kstr(j, "type", v->type);
    pz_json_kstr(j, "value", v->value);
    pz_json_end_object(j);
}

static void present_consent(const struct contact_consent *cs, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", cs->id);
    pz_json_kstr(j, "purpose", cs->purpose);
    pz_json_kstr(j, "source", cs->source);
    pz_json_kint(j, "given_at", cs->given_at);
    pz_json_kint_or_null(j, "withdrawn_at", cs->withdrawn_at);
    pz_json_end_object(j);
}

int contact_write_lists(struct pz_ctx *c, struct pz_json *j, int64_t id, const char *kind)
{
    int64_t ws = c->who.workspace.id;
    struct membership_arg ma;
    int r;

    pz_json_key(j, "identities");
    pz_json_begin_array(j);
    r = contact_identities_each(c->conn, ws, id, present_identity, j);
    pz_json_end_array(j);
    ma.j = j;
    ma.id = id;
    pz_json_key(j, strcmp(kind, "organization") == 0 ? "people" : "organizations");
    pz_json_begin_array(j);
    if (r == 0)
        r = contact_memberships_each(c->conn, ws, id, present_membership, &ma);
    pz_json_end_array(j);
    pz_json_key(j, "tags");
    pz_json_begin_array(j);
    if (r == 0)
        r = contact_tags_each(c->conn, ws, id, present_tag, j);
    pz_json_end_array(j);
    pz_json_key(j, "custom_fields");
    pz_json_begin_array(j);
    if (r == 0)
        r = contact_field_values_each(c->conn, ws, id, present_field_value, j);
    pz_json_end_array(j);
    pz_json_key(j, "consents");
    pz_json_begin_array(j);
    if (r == 0)
        r = contact_consents_each(c->conn, ws, id, present_consent, j);
    pz_json_end_array(j);
    return r;
}

/*
 * Answers STATUS with {"contact": ...}: the contact with its notes,
 * identities, organizations (a person's) or people (an organization's),
 * tags, and its strength computed now, explained in the caller's language.
 */
void reply_contact(struct pz_ctx *c, int status, int64_t id)
{
    int64_t ws = c->who.workspace.id;
    const char *lang = c->who.user.locale[0] ? c->who.user.locale : c->who.workspace.locale;
    struct contact ct = {0};
    struct score sc = {0};
    struct pz_json *j;
    int r;

    r = contact_get(c->conn, ws, id, &ct);
    if (r == 0)
        r = score_compute(c->conn, ws, id, pz_now_ms(), &sc);
    if (r < 0) {
        contact_release(&ct);
        if (r == PZ_ENOTFOUND)
            reply_error(c, "not_found", "no such contact in this workspace");
        else
            reply_internal(c, r);
        return;
    }
    ct.strength = sc.strength;
    ct.last_contact_at = sc.last_contact_at;
    j = reply_begin(c, status);
    pz_json_begin_object(j);
    pz_json_key(j, "contact");
    pz_json_begin_object(j);
    contact_members(j, &ct);
    pz_json_kstr(j, "notes", ct.notes_md ? ct.notes_md : "");
    pz_json_kstr(j, "strength_explanation",
                 strcmp(lang, "it") == 0 ? sc.explanation_it : sc.explanation_en);
    r = contact_write_lists(c, j, id, ct.kind);
    pz_json_end_object(j);
    pz_json_end_object(j);
    contact_release(&ct);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_end(c);
}

/* --- request reading --------------------------------------------------------------------- */

/*
 * Reads member KEY of BODY as an optional integer into *OUT (left as is when
 * absent; NULL_VALUE when null). Returns 0 or PZ_EINVAL with ERR.
 */
static int get_int(json_t *body, const char *key, int64_t null_value, int64_t *out,
                   struct pz_err *err)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *out = null_value;
        return 0;
    }
    if (!json_is_integer(v))
        return pz_err_set(err, "request.invalid", key, "%s must be an integer", key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

/* Reads the fields create and patch share into F (borrowed from BODY). */
static int read_fields(json_t *body, struct contact_fields *f, struct pz_err *err)
{
    int64_t owner = -1;
    int r = 0;

    contact_fields_init(f);
    if (r == 0)
        r = pz_json_get_str(body, "name", 1, CONTACT_NAME_MAX * 4, &f->display_name, err);
    if (r == 0)
        r = pz_json_get_str(body, "given_name", 1, CONTACT_NAME_MAX * 4, &f->given_name, err);
    if (r == 0)
        r = pz_json_get_str(body, "family_name", 1, CONTACT_NAME_MAX * 4, &f->family_name, err);
    if (r == 0)
        r = pz_json_get_str(body, "stage", 1, 32, &f->stage, err);
    if (r == 0)
        r = pz_json_get_str(body, "type", 1, 32, &f->relationship, err);
    if (r == 0)
        r = pz_json_get_str(body, "notes", 1, CONTACT_NOTES_MAX, &f->notes_md, err);
    if (r == 0)
        r = get_int(body, "owner", 0, &owner, err);
    if (r == 0 && owner < -1)
        r = pz_err_set(err, "request.invalid", "owner", "owner must be a user id or null");
    if (r < 0)
        return PZ_EINVAL;
    if (f->stage && !contact_stage_valid(f->stage))
        return pz_err_set(err, "request.invalid", "stage",
                          "stage must be stranger, lead, prospect, customer, advocate or former");
    if (f->relationship && *f->relationship && !contact_relationship_valid(f->relationship))
        return pz_err_set(err, "request.invalid", "type", "unknown relationship type");
    f->owner_user_id = owner;
    return 0;
}

/* The model names the relationship and owner after its columns; the API after what they mean. */
static void rename_field(struct pz_err *err)
{
    if (!err->field)
        return;
    if (strcmp(err->field, "relationship") == 0)
        err->field = "type";
    else if (strcmp(err->field, "owner_user_id") == 0)
        err->field = "owner";
    else if (strcmp(err->field, "display_name") == 0)
        err->field = "name";
    else if (strcmp(err->field, "notes_md") == 0)
        err->field = "notes";
}

/* --- contacts ---------------------------------------------------------------------------- */

static void list_one(const struct contact *ct, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    contact_members(j, ct);
    pz_json_end_object(j);
}

void h_contacts_list(struct pz_ctx *c)
{
    struct contact_query q;
    struct contact_filter f;
    const char *limit = pz_http_query(c->req, "limit");
    char next[CONTACT_CURSOR_MAX];
    struct pz_err err = {0};
    struct pz_json *j;
    int64_t v;
    int r;

    contacts_filter_from_request(c, &f);
    if (contacts_filter_read(&f, c->who.user.id, &q, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    q.cursor = pz_http_query(c->req, "cursor");
    if (q.cursor && !*q.cursor)
        q.cursor = NULL;
    if (limit && *limit) {
        if (pz_parse_int64(limit, 1, 200, &v) < 0) {
            pz_err_set(&err, "request.invalid", "limit", "limit must be a number from 1 to 200");
            reply_err(c, &err);
            return;
        }
        q.limit = (int)v;
    }
    next[0] = '\0';
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "items");
    pz_json_begin_array(j);
    r = contact_list(c->conn, c->who.workspace.id, &q, list_one, j, next, sizeof(next), &err);
    if (r == PZ_EINVAL) {
        rename_field(&err);
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

/* Adds the identities of BODY to contact ID. Returns as contact_identity_add. */
static int add_identities(struct pz_ctx *c, json_t *body, int64_t id, struct pz_err *err)
{
    json_t *arr = json_object_get(body, "identities");
    size_t i;
    json_t *item;

    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > CONTACT_IDENTITIES_MAX)
        return pz_err_set(err, "request.invalid", "identities",
                          "identities must be a list of at most %d {kind, value} objects",
                          CONTACT_IDENTITIES_MAX);
    json_array_foreach(arr, i, item)
    {
        const char *kind, *value, *label;
        int r;

        if (!json_is_object(item))
            return pz_err_set(err, "request.invalid", "identities",
                              "each identity must be an object {kind, value}");
        if (pz_json_get_str(item, "kind", 0, 32, &kind, err) < 0 ||
            pz_json_get_str(item, "value", 0, NORMALIZE_MAX - 1, &value, err) < 0 ||
            pz_json_get_str(item, "label", 1, CONTACT_TEXT_MAX, &label, err) < 0) {
            err->field = "identities";
            return PZ_EINVAL;
        }
        r = contact_identity_add(c->conn, c->who.workspace.id, id, kind, value, label, NULL, NULL,
                                 NULL, err);
        if (r == PZ_EINVAL || r == PZ_EEXIST) {
            if (!err->field)
                err->field = "identities";
            return r;
        }
        if (r < 0)
            return r;
    }
    return 0;
}

/* Adds the tags of BODY (a list of strings) to contact ID. */
static int add_tags(struct pz_ctx *c, json_t *body, int64_t id, struct pz_err *err)
{
    json_t *arr = json_object_get(body, "tags");
    size_t i;
    json_t *item;

    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > CONTACT_IDENTITIES_MAX)
        return pz_err_set(err, "request.invalid", "tags", "tags must be a list of strings");
    json_array_foreach(arr, i, item)
    {
        int r;
        if (!json_is_string(item))
            return pz_err_set(err, "request.invalid", "tags", "tags must be a list of strings");
        r = contact_tag_add(c->conn, c->who.workspace.id, id, json_string_value(item), NULL, err);
        if (r < 0)
            return r;
    }
    return 0;
}

void h_contacts_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    struct contact_fields f;
    struct contact ct = {0};
    struct pz_err err = {0};
    int r;

    if (!body)
        return;
    if (read_fields(body, &f, &err) < 0 ||
        pz_json_get_str(body, "kind", 1, 32, &f.kind, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if (f.owner_user_id < 0)
        f.owner_user_id = c->who.user.id;
    r = pz_tx_begin(c->conn);
    if (r == 0)
        r = contact_create(c->conn, c->who.workspace.id, &f, &ct, &err);
    if (r == 0)
        r = add_identities(c, body, ct.id, &err);
    if (r == 0)
        r = add_tags(c, body, ct.id, &err);
    if (r == 0)
        r = pz_tx_commit(c->conn);
    contact_release(&ct);
    if (r < 0) {
        pz_tx_rollback(c->conn);
        if (r == PZ_EINVAL || r == PZ_EEXIST) {
            rename_field(&err);
            reply_err(c, &err);
        } else {
            reply_internal(c, r);
        }
        return;
    }
    reply_contact(c, 201, ct.id);
}

void h_contacts_get(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    if (id < 0)
        return;
    reply_contact(c, 200, id);
}

void h_contacts_patch(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    int64_t id = body ? ctx_param_id(c, 0) : -1;
    struct contact_fields f;
    struct pz_err err = {0};
    int r;

    if (!body || id < 0)
        return;
    if (json_object_get(body, "kind")) {
        pz_err_set(&err, "request.invalid", "kind", "the kind of a contact cannot change");
        reply_err(c, &err);
        return;
    }
    if (read_fields(body, &f, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    r = contact_update(c->conn, c->who.workspace.id, id, &f, c->who.user.id, NULL, &err);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such contact in this workspace");
        return;
    }
    if (r == PZ_EINVAL || r == PZ_EEXIST) {
        rename_field(&err);
        reply_err(c, &err);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_contact(c, 200, id);
}

void h_contacts_delete(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    int r;

    if (id < 0)
        return;
    r = contact_delete(c->conn, c->who.workspace.id, id, c->who.user.id);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such contact in this workspace");
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_empty(c, 204);
}

/* --- timeline ---------------------------------------------------------------------------- */

void present_timeline_entry(struct pz_json *j, const struct timeline_entry *e)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", e->id);
    pz_json_kint(j, "contact_id", e->contact_id);
    kstr_or_null(j, "contact_name", e->contact_name);
    pz_json_kint(j, "at", e->at);
    pz_json_kstr(j, "kind", e->kind);
    kstr_or_null(j, "channel", e->channel);
    kstr_or_null(j, "direction", e->direction);
    pz_json_kint_or_null(j, "duration_s", e->duration_s);
    kstr_or_null(j, "outcome", e->outcome);
    pz_json_kstr(j, "body", e->body);
    pz_json_kint_or_null(j, "author", e->author_user_id > 0 ? e->author_user_id : -1);
    kstr_or_null(j, "source_kind", e->source_kind);
    pz_json_kint_or_null(j, "source_id", e->source_id > 0 ? e->source_id : -1);
    pz_json_kbool(j, "interaction", e->interaction);
    pz_json_kint(j, "created_at", e->created_at);
    pz_json_end_object(j);
}

static void timeline_one(const struct timeline_entry *e, void *arg)
{
    present_timeline_entry(arg, e);
}

void h_timeline_list(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    const char *cursor = pz_http_query(c->req, "cursor");
    const char *limit = pz_http_query(c->req, "limit");
    char next[TIMELINE_CURSOR_MAX + 16];
    struct pz_err err = {0};
    struct pz_json *j;
    int64_t v = 0;
    int r;

    if (id < 0)
        return;
    if (limit && *limit && pz_parse_int64(limit, 1, 200, &v) < 0) {
        pz_err_set(&err, "request.invalid", "limit", "limit must be a number from 1 to 200");
        reply_err(c, &err);
        return;
    }
    next[0] = '\0';
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "items");
    pz_json_begin_array(j);
    r = timeline_list(c->conn, c->who.workspace.id, id, cursor, (int)v, timeline_one, j, next,
                      sizeof(next), &err);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such contact in this workspace");
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

void h_timeline_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    int64_t id = body ? ctx_param_id(c, 0) : -1;
    int64_t now = pz_now_ms(), entry_id = 0;
    struct timeline_new e;
    struct timeline_entry out;
    struct pz_err err = {0};
    struct pz_json *j;
    int r;

    if (!body || id < 0)
        return;
    timeline_new_init(&e);
    e.contact_id = id;
    e.at = 0;
    e.author_user_id = c->who.user.id;
    if (pz_json_get_str(body, "kind", 0, 32, &e.kind, &err) < 0 ||
        pz_json_get_str(body, "channel", 1, 16, &e.channel, &err) < 0 ||
        pz_json_get_str(body, "direction", 1, 8, &e.direction, &err) < 0 ||
        pz_json_get_str(body, "outcome", 1, 200, &e.outcome, &err) < 0 ||
        pz_json_get_str(body, "body", 1, TIMELINE_BODY_MAX, &e.body, &err) < 0 ||
        get_int(body, "duration_s", -1, &e.duration_s, &err) < 0 ||
        get_int(body, "at", 0, &e.at, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    if (strcmp(e.kind, "call") != 0 && strcmp(e.kind, "meeting") != 0 &&
        strcmp(e.kind, "note") != 0) {
        pz_err_set(&err, "request.invalid", "kind", "kind must be call, meeting or note");
        reply_err(c, &err);
        return;
    }
    if (e.at < 0) {
        pz_err_set(&err, "request.invalid", "at", "at must be a time in UTC milliseconds");
        reply_err(c, &err);
        return;
    }
    if (e.at == 0)
        e.at = now;
    r = timeline_add(c->conn, c->who.workspace.id, &e, &entry_id, &err);
    if (r == 0)
        r = score_update(c->conn, c->who.workspace.id, id, now, NULL);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such contact in this workspace");
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
    memset(&out, 0, sizeof(out));
    out.id = entry_id;
    out.contact_id = id;
    out.at = e.at;
    snprintf(out.kind, sizeof(out.kind), "%s", e.kind);
    snprintf(out.channel, sizeof(out.channel), "%s",
             e.channel                        ? e.channel
             : strcmp(e.kind, "call") == 0    ? "phone"
             : strcmp(e.kind, "meeting") == 0 ? "meeting"
                                              : "");
    snprintf(out.direction, sizeof(out.direction), "%s", e.direction ? e.direction : "");
    out.duration_s = e.duration_s;
    snprintf(out.outcome, sizeof(out.outcome), "%s", e.outcome ? e.outcome : "");
    out.body = e.body && *e.body ? e.body : NULL;
    out.author_user_id = e.author_user_id;
    out.interaction = strcmp(e.kind, "note") != 0 || (e.direction && *e.direction);
    out.created_at = now;
    j = reply_begin(c, 201);
    pz_json_begin_object(j);
    pz_json_key(j, "entry");
    present_timeline_entry(j, &out);
    pz_json_end_object(j);
    reply_end(c);
}
