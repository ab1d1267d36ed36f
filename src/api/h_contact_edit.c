/*
 * Editing the parts of one contact that are lists: identities (added with
 * the same normalization and uniqueness as at creation, removed by id), tags
 * (added and removed by name), custom field values (the workspace's fields
 * are defined by managers) and consent records (recorded and withdrawn,
 * never deleted: a withdrawn consent stays as proof of what was given).
 * Every change answers with the whole contact, as GET does.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "contacts/contact.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/banned.h"

/* Answers the model's result R: 404 for a missing contact, ERR for bad input. */
static int reply_failure(struct pz_ctx *c, int r, struct pz_err *err)
{
    if (r == PZ_ENOTFOUND)
        reply_error(c, "not_found", "no such contact in this workspace");
    else if (r == PZ_EINVAL || r == PZ_EEXIST)
        reply_err(c, err);
    else
        reply_internal(c, r);
    return r;
}

void h_identities_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    int64_t id = body ? ctx_param_id(c, 0) : -1;
    const char *kind = NULL, *value = NULL, *label = NULL;
    struct pz_err err = {0};
    int r;

    if (!body || id < 0)
        return;
    r = pz_json_get_str(body, "kind", 0, 32, &kind, &err);
    if (r == 0)
        r = pz_json_get_str(body, "value", 0, NORMALIZE_MAX - 1, &value, &err);
    if (r == 0)
        r = pz_json_get_str(body, "label", 1, CONTACT_TEXT_MAX, &label, &err);
    if (r == 0)
        r = contact_identity_add(c->conn, c->who.workspace.id, id, kind, value, label, NULL, NULL,
                                 NULL, &err);
    if (r < 0) {
        reply_failure(c, r, &err);
        return;
    }
    reply_contact(c, 201, id);
}

void h_identities_delete(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0), identity_id = id < 0 ? -1 : ctx_param_id(c, 1);
    int r;

    if (id < 0 || identity_id < 0)
        return;
    r = contact_identity_remove(c->conn, c->who.workspace.id, id, identity_id);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such identity on this contact");
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_empty(c, 204);
}

/* Applies the names at KEY of BODY (a list of strings) with FN. */
static int tag_names(json_t *body, const char *key, json_t **out, struct pz_err *err)
{
    json_t *arr = json_object_get(body, key), *v;
    size_t i;

    *out = NULL;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > 50)
        return pz_err_set(err, "request.invalid", key, "%s must be a list of at most 50 tags", key);
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v))
            return pz_err_set(err, "request.invalid", key, "%s must be a list of tag names", key);
    }
    *out = arr;
    return 0;
}

void h_contact_tags_patch(struct pz_ctx *c)
{
    json_t *body = ctx_body(c), *add = NULL, *remove = NULL, *v;
    int64_t id = body ? ctx_param_id(c, 0) : -1;
    struct pz_err err = {0};
    size_t i;
    int r, in_tx = 0;

    if (!body || id < 0)
        return;
    r = tag_names(body, "add", &add, &err);
    if (r == 0)
        r = tag_names(body, "remove", &remove, &err);
    if (r == 0 && !add && !remove)
        r = pz_err_set(&err, "request.invalid", "add", "give tags to add or to remove");
    if (r == 0)
        r = pz_tx_begin(c->conn);
    in_tx = r == 0;
    json_array_foreach(add, i, v)
    {
        if (r == 0)
            r = contact_tag_add(c->conn, c->who.workspace.id, id, json_string_value(v), NULL, &err);
    }
    json_array_foreach(remove, i, v)
    {
        if (r == 0) {
            r = contact_tag_remove(c->conn, c->who.workspace.id, id, json_string_value(v));
            if (r == PZ_ENOTFOUND) /* not tagged so; the contact itself is checked below */
                r = 0;
        }
    }
    if (r == 0) {
        struct contact ct;
        r = contact_get(c->conn, c->who.workspace.id, id, &ct);
        contact_release(&ct);
    }
    if (r == 0)
        r = pz_tx_commit(c->conn);
    else if (in_tx)
        pz_tx_rollback(c->conn);
    if (r < 0) {
        reply_failure(c, r, &err);
        return;
    }
    reply_contact(c, 200, id);
}

/* --- custom fields ------------------------------------------------------------------------ */

static void present_field(struct pz_json *j, const struct contact_field *f)
{
    json_t *choices = json_loads(f->choices, 0, NULL), *v;
    size_t i;

    pz_json_begin_object(j);
    pz_json_kint(j, "id", f->id);
    pz_json_kstr(j, "name", f->name);
    pz_json_kstr(j, "type", f->type);
    pz_json_key(j, "choices");
    pz_json_begin_array(j);
    json_array_foreach(choices, i, v)
    {
        if (json_is_string(v))
            pz_json_str(j, json_string_value(v));
    }
    pz_json_end_array(j);
    pz_json_end_object(j);
    json_decref(choices);
}

static void field_one(const struct contact_field *f, void *arg)
{
    present_field(arg, f);
}

void h_fields_list(struct pz_ctx *c)
{
    struct pz_json *j = reply_all_begin(c);

    reply_all_end(c, j, contact_field_list(c->conn, c->who.workspace.id, field_one, j));
}

void h_fields_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c), *arr, *v;
    const char *name = NULL, *type = NULL, *choices[100];
    struct contact_field f = {0};
    struct pz_err err = {0};
    size_t n = 0, i;
    struct pz_json *j;
    int r;

    if (!body)
        return;
    r = pz_json_get_str(body, "name", 0, 256, &name, &err);
    if (r == 0)
        r = pz_json_get_str(body, "type", 0, 16, &type, &err);
    arr = json_object_get(body, "choices");
    if (r == 0 && arr && !json_is_null(arr) && (!json_is_array(arr) || json_array_size(arr) > 100))
        r = pz_err_set(&err, "request.invalid", "choices", "choices must be a list of at most 100");
    json_array_foreach(arr, i, v)
    {
        if (r == 0 && !json_is_string(v))
            r = pz_err_set(&err, "request.invalid", "choices", "choices must be strings");
        if (r == 0)
            choices[n++] = json_string_value(v);
    }
    if (r == 0)
        r = contact_field_define(c->conn, c->who.workspace.id, name, type, choices, n, &f, &err);
    if (r < 0) {
        reply_failure(c, r, &err);
        return;
    }
    j = reply_begin(c, 201);
    pz_json_begin_object(j);
    pz_json_key(j, "field");
    present_field(j, &f);
    pz_json_end_object(j);
    reply_end(c);
}

void h_contact_fields_patch(struct pz_ctx *c)
{
    json_t *body = ctx_body(c), *v;
    int64_t id = body ? ctx_param_id(c, 0) : -1;
    struct pz_err err = {0};
    const char *name;
    int r;

    if (!body || id < 0)
        return;
    if (json_object_size(body) == 0 || json_object_size(body) > 100) {
        pz_err_set(&err, "request.invalid", NULL, "give 1 to 100 fields as {\"name\": value}");
        reply_err(c, &err);
        return;
    }
    r = pz_tx_begin(c->conn);
    json_object_foreach(body, name, v)
    {
        if (r < 0)
            break;
        if (!json_is_string(v) && !json_is_null(v))
            r = pz_err_set(&err, "request.invalid", name, "a field's value is a string or null");
        else
            r = contact_field_set(c->conn, c->who.workspace.id, id, name,
                                  json_is_null(v) ? NULL : json_string_value(v), &err);
    }
    if (r == 0)
        r = pz_tx_commit(c->conn);
    else
        pz_tx_rollback(c->conn);
    if (r < 0) {
        reply_failure(c, r, &err);
        return;
    }
    reply_contact(c, 200, id);
}

/* --- consents ----------------------------------------------------------------------------- */

void h_consents_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c), *at;
    int64_t id = body ? ctx_param_id(c, 0) : -1, given_at = pz_now_ms();
    const char *purpose = NULL, *source = NULL;
    struct pz_err err = {0};
    int r;

    if (!body || id < 0)
        return;
    r = pz_json_get_str(body, "purpose", 0, CONTACT_TEXT_MAX * 4, &purpose, &err);
    if (r == 0)
        r = pz_json_get_str(body, "source", 0, CONTACT_TEXT_MAX * 4, &source, &err);
    at = json_object_get(body, "given_at");
    if (r == 0 && at && !json_is_null(at)) {
        if (!json_is_integer(at) || json_integer_value(at) <= 0 ||
            json_integer_value(at) > pz_now_ms() + 86400000LL)
            r = pz_err_set(&err, "request.invalid", "given_at",
                           "given_at is a past time in UTC milliseconds");
        else
            given_at = (int64_t)json_integer_value(at);
    }
    if (r == 0)
        r = contact_consent_add(c->conn, c->who.workspace.id, id, purpose, source, given_at, NULL,
                                &err);
    if (r < 0) {
        reply_failure(c, r, &err);
        return;
    }
    reply_contact(c, 201, id);
}

struct consent_find {
    int64_t id;
    int found, withdrawn;
};

static void consent_match(const struct contact_consent *cs, void *arg)
{
    struct consent_find *f = arg;
    if (cs->id == f->id) {
        f->found = 1;
        f->withdrawn = cs->withdrawn_at >= 0;
    }
}

void h_consents_withdraw(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0), cid = id < 0 ? -1 : ctx_param_id(c, 1);
    struct consent_find f = {0};
    int r;

    if (id < 0 || cid < 0)
        return;
    f.id = cid;
    r = contact_consents_each(c->conn, c->who.workspace.id, id, consent_match, &f);
    if (r == 0 && !f.found) {
        reply_error(c, "not_found", "no such consent on this contact");
        return;
    }
    if (r == 0 && f.withdrawn) {
        reply_error(c, "consent.withdrawn", NULL);
        return;
    }
    if (r == 0)
        r = contact_consent_withdraw(c->conn, c->who.workspace.id, cid, pz_now_ms());
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_contact(c, 200, id);
}
