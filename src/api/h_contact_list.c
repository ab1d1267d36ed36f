/*
 * Working with the contacts list as a whole: the filters every list request
 * shares (the list itself, bulk changes, saved views and exports read them
 * with the same code, so a view or an export means exactly what the list
 * showed), the people a list can be filtered by (owners, tags), bulk
 * changes, saved views, and exports: CSV and vCard of a filtered list,
 * streamed a page at a time, and one contact's complete data as JSON for a
 * GDPR access request. Exports are audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/audit.h"
#include "accounts/user.h"
#include "api/api.h"
#include "contacts/bulk.h"
#include "contacts/contact.h"
#include "contacts/export.h"
#include "contacts/score.h"
#include "contacts/timeline.h"
#include "contacts/views.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

/* --- filters ------------------------------------------------------------------------------ */

static const char *const filter_keys[CONTACT_FILTER_KEYS] = {
    "q",   "stage",        "type",         "kind",       "owner",
    "tag", "strength_min", "strength_max", "going_cold", "sort",
};

static int bounded_int(const char *s, const char *key, int *out, struct pz_err *err)
{
    int64_t v;

    if (pz_parse_int64(s, 0, 100, &v) < 0)
        return pz_err_set(err, "request.invalid", key, "%s must be a number from 0 to 100", key);
    *out = (int)v;
    return 0;
}

int contacts_filter_read(const struct contact_filter *f, int64_t me, struct contact_query *q,
                         struct pz_err *err)
{
    const char *owner = f->v[4], *sort = f->v[9], *cold = f->v[8];
    int r = 0;

    contact_query_init(q);
    q->q = f->v[0];
    q->stage = f->v[1];
    q->relationship = f->v[2];
    q->kind = f->v[3];
    q->tag = f->v[5];
    if (owner && *owner) {
        if (strcmp(owner, "me") == 0)
            q->owner_user_id = me;
        else if (pz_parse_int64(owner, 1, INT64_MAX, &q->owner_user_id) < 0)
            return pz_err_set(err, "request.invalid", "owner", "owner must be a user id or me");
    }
    if (f->v[6] && *f->v[6])
        r = bounded_int(f->v[6], "strength_min", &q->strength_min, err);
    if (r == 0 && f->v[7] && *f->v[7])
        r = bounded_int(f->v[7], "strength_max", &q->strength_max, err);
    if (r < 0)
        return r;
    if (q->strength_min >= 0 && q->strength_max >= 0 && q->strength_min > q->strength_max)
        return pz_err_set(err, "request.invalid", "strength_min",
                          "strength_min must not be above strength_max");
    if (cold && *cold) {
        if (strcmp(cold, "1") == 0 || strcmp(cold, "true") == 0)
            q->going_cold = 1;
        else if (strcmp(cold, "0") != 0 && strcmp(cold, "false") != 0)
            return pz_err_set(err, "request.invalid", "going_cold", "going_cold must be 1 or 0");
    }
    if (sort && *sort) {
        if (strcmp(sort, "name") == 0)
            q->sort = CONTACT_SORT_NAME;
        else if (strcmp(sort, "newest") == 0)
            q->sort = CONTACT_SORT_NEWEST;
        else if (strcmp(sort, "strength") == 0)
            q->sort = CONTACT_SORT_STRENGTH;
        else
            return pz_err_set(err, "request.invalid", "sort",
                              "sort must be name, newest or strength");
    }
    if (q->stage && *q->stage && !contact_stage_valid(q->stage))
        return pz_err_set(err, "request.invalid", "stage", "unknown stage '%.20s'", q->stage);
    if (q->relationship && *q->relationship && !contact_relationship_valid(q->relationship))
        return pz_err_set(err, "request.invalid", "type", "unknown type '%.20s'", q->relationship);
    if (q->kind && *q->kind && strcmp(q->kind, "person") != 0 &&
        strcmp(q->kind, "organization") != 0)
        return pz_err_set(err, "request.invalid", "kind", "kind must be person or organization");
    if (q->q && strlen(q->q) > 200)
        return pz_err_set(err, "request.invalid", "q", "the search is longer than 200 bytes");
    return 0;
}

void contacts_filter_from_request(struct pz_ctx *c, struct contact_filter *f)
{
    for (int i = 0; i < CONTACT_FILTER_KEYS; i++)
        f->v[i] = pz_http_query(c->req, filter_keys[i]);
}

/*
 * Reads the filter object OBJ (string values; numbers and booleans are taken
 * as their text) into F, whose strings live in BUF. Unknown members are
 * refused, so a typo never widens a bulk change.
 */
struct filter_json {
    char buf[CONTACT_FILTER_KEYS][256];
};

static int filter_from_json(json_t *obj, struct contact_filter *f, struct filter_json *fj,
                            const char *field, struct pz_err *err)
{
    const char *key;
    json_t *v;

    memset(f, 0, sizeof(*f));
    if (!json_is_object(obj))
        return pz_err_set(err, "request.invalid", field, "%s must be an object", field);
    json_object_foreach(obj, key, v)
    {
        int i = 0;
        while (i < CONTACT_FILTER_KEYS && strcmp(filter_keys[i], key) != 0)
            i++;
        if (i == CONTACT_FILTER_KEYS)
            return pz_err_set(err, "request.invalid", field, "unknown filter '%.40s'", key);
        if (json_is_null(v))
            continue;
        if (json_is_string(v) && json_string_length(v) < sizeof(fj->buf[i]) &&
            strlen(json_string_value(v)) == json_string_length(v))
            snprintf(fj->buf[i], sizeof(fj->buf[i]), "%s", json_string_value(v));
        else if (json_is_integer(v))
            snprintf(fj->buf[i], sizeof(fj->buf[i]), "%lld", (long long)json_integer_value(v));
        else if (json_is_boolean(v))
            snprintf(fj->buf[i], sizeof(fj->buf[i]), "%d", json_is_true(v) ? 1 : 0);
        else
            return pz_err_set(err, "request.invalid", field,
                              "filter '%.40s' must be a short string or a number", key);
        f->v[i] = fj->buf[i];
    }
    return 0;
}

/* Writes the filters F sets as a JSON object of strings. */
static void filter_write(struct pz_json *j, const struct contact_filter *f)
{
    pz_json_begin_object(j);
    for (int i = 0; i < CONTACT_FILTER_KEYS; i++)
        if (f->v[i] && *f->v[i])
            pz_json_kstr(j, filter_keys[i], f->v[i]);
    pz_json_end_object(j);
}

/* --- owners and tags ---------------------------------------------------------------------- */

static void owner_one(const struct user *u, void *arg)
{
    struct pz_json *j = arg;

    pz_json_begin_object(j);
    pz_json_kint(j, "id", u->id);
    pz_json_kstr(j, "name", u->name);
    pz_json_kstr(j, "role", role_name(u->role));
    pz_json_kbool(j, "disabled", u->disabled);
    pz_json_end_object(j);
}

struct owner_page {
    struct pz_json *j;
    int n;
    int64_t last;
};

static void owner_page_one(const struct user *u, void *arg)
{
    struct owner_page *p = arg;
    owner_one(u, p->j);
    p->n++;
    p->last = u->id;
}

void h_contacts_owners(struct pz_ctx *c)
{
    struct owner_page p = {0};
    int r = 0;

    p.j = reply_all_begin(c);
    do {
        p.n = 0;
        r = user_list(c->conn, c->who.workspace.id, p.last, 200, owner_page_one, &p);
    } while (r == 0 && p.n == 200);
    reply_all_end(c, p.j, r);
}

static void tag_one(const char *name, int64_t n, void *arg)
{
    struct pz_json *j = arg;

    pz_json_begin_object(j);
    pz_json_kstr(j, "name", name);
    pz_json_kint(j, "contacts", n);
    pz_json_end_object(j);
}

void h_tags_list(struct pz_ctx *c)
{
    struct pz_json *j = reply_all_begin(c);

    reply_all_end(c, j, contact_tag_list(c->conn, c->who.workspace.id, tag_one, j));
}

/* --- bulk --------------------------------------------------------------------------------- */

/* Reads a list of tag names at KEY of SET into OUT. */
static int read_tags(json_t *set, const char *key, const char **out, size_t *n, size_t room,
                     struct pz_err *err)
{
    json_t *arr = json_object_get(set, key), *v;
    size_t i;

    *n = 0;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return pz_err_set(err, "request.invalid", key, "%s must be a list of tag names", key);
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) > 256)
            return pz_err_set(err, "request.invalid", key, "%s must be a list of tag names", key);
        if (*n == room)
            return pz_err_set(err, "request.invalid", key, "at most %d tags in one change",
                              CONTACT_BULK_TAGS_MAX);
        out[(*n)++] = json_string_value(v);
    }
    return 0;
}

static int read_set(struct pz_ctx *c, json_t *body, struct contact_bulk_set *set,
                    struct pz_err *err)
{
    json_t *s = json_object_get(body, "set"), *owner;
    int r;

    contact_bulk_set_init(set);
    if (!json_is_object(s))
        return pz_err_set(err, "request.invalid", "set",
                          "set must be an object: tags_add, tags_remove, owner, stage");
    r = read_tags(s, "tags_add", set->tags_add, &set->n_tags_add, CONTACT_BULK_TAGS_MAX, err);
    if (r == 0)
        r = read_tags(s, "tags_remove", set->tags_remove, &set->n_tags_remove,
                      CONTACT_BULK_TAGS_MAX - set->n_tags_add, err);
    if (r == 0)
        r = pz_json_get_str(s, "stage", 1, 32, &set->stage, err);
    if (r < 0)
        return r;
    owner = json_object_get(s, "owner");
    if (!owner) /* unchanged */
        set->owner_user_id = -1;
    else if (json_typeof(owner) == JSON_NULL)
        set->owner_user_id = 0;
    else if (json_typeof(owner) == JSON_STRING && strcmp(json_string_value(owner), "me") == 0)
        set->owner_user_id = c->who.user.id;
    else if (json_typeof(owner) == JSON_INTEGER && json_integer_value(owner) > 0)
        set->owner_user_id = (int64_t)json_integer_value(owner);
    else
        return pz_err_set(err, "request.invalid", "owner", "owner must be a user id, me or null");
    {
        const char *key;
        json_t *v;
        json_object_foreach(s, key, v)
        {
            (void)v;
            if (strcmp(key, "tags_add") != 0 && strcmp(key, "tags_remove") != 0 &&
                strcmp(key, "owner") != 0 && strcmp(key, "stage") != 0)
                return pz_err_set(err, "request.invalid", "set", "set cannot change '%.40s'", key);
        }
    }
    return 0;
}

/* Reads "ids" of BODY into *IDS (the caller frees). */
static int read_ids(json_t *arr, int64_t **ids, size_t *n, struct pz_err *err)
{
    json_t *v;
    size_t i;

    *ids = NULL;
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return pz_err_set(err, "request.invalid", "ids", "ids must be a non-empty list of ids");
    if (json_array_size(arr) > CONTACT_BULK_IDS_MAX)
        return pz_err_set(err, "bulk.too_many", "ids",
                          "at most %d ids at a time; select by filter for more",
                          CONTACT_BULK_IDS_MAX);
    *ids = xmalloc(json_array_size(arr) * sizeof(**ids));
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            free(*ids);
            *ids = NULL;
            return pz_err_set(err, "request.invalid", "ids", "ids must be positive integers");
        }
        (*ids)[(*n)++] = (int64_t)json_integer_value(v);
    }
    return 0;
}

void h_contacts_bulk(struct pz_ctx *c)
{
    json_t *body = ctx_body(c), *ids_json, *filter_json;
    struct contact_bulk_set set;
    struct contact_bulk_result res = {0};
    struct contact_filter f;
    struct filter_json *fj = NULL;
    struct contact_query q;
    struct pz_err err = {0};
    int64_t *ids = NULL;
    size_t n = 0;
    struct pz_json *j;
    int r;

    if (!body)
        return;
    ids_json = json_object_get(body, "ids");
    filter_json = json_object_get(body, "filter");
    r = read_set(c, body, &set, &err);
    if (r == 0 && (ids_json ? 1 : 0) + (filter_json ? 1 : 0) != 1)
        r = pz_err_set(&err, "request.invalid", "ids", "give either ids or filter, not both");
    if (r == 0 && ids_json)
        r = read_ids(ids_json, &ids, &n, &err);
    if (r == 0 && filter_json) {
        fj = xcalloc(1, sizeof(*fj));
        r = filter_from_json(filter_json, &f, fj, "filter", &err);
        if (r == 0)
            r = contacts_filter_read(&f, c->who.user.id, &q, &err);
        if (r == 0)
            r = contact_ids_matching(c->conn, c->who.workspace.id, &q, CONTACT_BULK_MAX, &ids, &n,
                                     &err);
    }
    if (r == 0)
        r = contact_bulk_apply(c->conn, c->who.workspace.id, ids, n, &set, c->who.user.id, &res,
                               &err);
    free(ids);
    free(fj);
    if (r == PZ_EINVAL) {
        if (err.field && strcmp(err.field, "owner_user_id") == 0)
            err.field = "owner";
        reply_err(c, &err);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_kint(j, "matched", res.matched);
    pz_json_kint(j, "changed", res.changed);
    pz_json_end_object(j);
    reply_end(c);
}

/* --- saved views -------------------------------------------------------------------------- */

/* Writes stored filters (a JSON object of strings) back as an object. */
static void present_filters(struct pz_json *j, const char *text)
{
    json_t *obj = json_loads(text, 0, NULL), *v;
    const char *key;

    pz_json_begin_object(j);
    json_object_foreach(obj, key, v)
    {
        if (json_is_string(v))
            pz_json_kstr(j, key, json_string_value(v));
    }
    pz_json_end_object(j);
    json_decref(obj);
}

static void present_view(struct pz_json *j, const struct contact_view *v, int64_t me)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", v->id);
    pz_json_kstr(j, "name", v->name);
    pz_json_key(j, "filters");
    present_filters(j, v->filters);
    pz_json_kbool(j, "shared", v->shared);
    pz_json_kint(j, "owner", v->user_id);
    pz_json_kstr(j, "owner_name", v->user_name);
    pz_json_kbool(j, "mine", v->user_id == me);
    pz_json_kint(j, "created_at", v->created_at);
    pz_json_end_object(j);
}

struct view_arg {
    struct pz_json *j;
    int64_t me;
};

static void view_one(const struct contact_view *v, void *arg)
{
    struct view_arg *va = arg;
    present_view(va->j, v, va->me);
}

void h_views_list(struct pz_ctx *c)
{
    struct view_arg va;
    int r;

    va.j = reply_all_begin(c);
    va.me = c->who.user.id;
    r = contact_view_list(c->conn, c->who.workspace.id, c->who.user.id, view_one, &va);
    reply_all_end(c, va.j, r);
}

void h_views_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    struct contact_filter f;
    struct filter_json *fj;
    struct contact_query q;
    struct contact_view v = {0};
    struct pz_err err = {0};
    struct pz_buf b;
    struct pz_json jw;
    const char *name = NULL;
    int shared = 0, present = 0, r;

    if (!body)
        return;
    fj = xcalloc(1, sizeof(*fj));
    r = pz_json_get_str(body, "name", 0, VIEW_NAME_MAX * 4, &name, &err);
    if (r == 0)
        r = pz_json_get_bool(body, "shared", &present, &shared, &err);
    if (r == 0)
        r = filter_from_json(json_object_get(body, "filters"), &f, fj, "filters", &err);
    if (r == 0)
        r = contacts_filter_read(&f, c->who.user.id, &q, &err);
    if (r == 0 && shared && c->who.user.role < ROLE_AGENT) {
        free(fj);
        reply_error(c, "auth.forbidden", "sharing a view with the workspace needs the agent role");
        return;
    }
    pz_buf_init(&b, VIEW_FILTERS_MAX);
    pz_json_init(&jw, &b);
    if (r == 0) {
        filter_write(&jw, &f);
        if (pz_json_error(&jw))
            r = pz_err_set(&err, "request.invalid", "filters", "the filters are too long");
    }
    if (r == 0)
        r = contact_view_create(c->conn, c->who.workspace.id, c->who.user.id, name, pz_buf_str(&b),
                                shared, &v, &err);
    pz_buf_release(&b);
    free(fj);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    {
        struct pz_json *j = reply_begin(c, 201);
        pz_json_begin_object(j);
        pz_json_key(j, "view");
        present_view(j, &v, c->who.user.id);
        pz_json_end_object(j);
        reply_end(c);
    }
}

void h_views_delete(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    int r;

    if (id < 0)
        return;
    r = contact_view_delete(c->conn, c->who.workspace.id, c->who.user.id, id,
                            c->who.user.role >= ROLE_MANAGER);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such saved view");
        return;
    }
    if (r == PZ_EPERM) {
        reply_error(c, "auth.forbidden", "only its owner or a manager may delete a shared view");
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_empty(c, 204);
}

/* --- export of a list --------------------------------------------------------------------- */

#define EXPORT_PAGE 200

/* A list export in progress, owned by the HTTP server once the handler returned. */
struct export_stream {
    struct pz_store *store;
    int64_t ws;
    int vcard;
    struct contact_query q;
    char *strings[5]; /* copies of the query's strings */
    char cursor[CONTACT_CURSOR_MAX];
    int started, done, failed;
    int64_t ids[EXPORT_PAGE];
    int n_ids;
    struct pz_buf pending;
    size_t sent;
};

static void export_collect(const struct contact *ct, void *arg)
{
    struct export_stream *x = arg;
    if (x->n_ids < EXPORT_PAGE)
        x->ids[x->n_ids++] = ct->id;
}

/* Fills x->pending with the next page; sets done after the last. */
static int export_next_page(struct export_stream *x)
{
    struct pz_conn *conn = pz_store_conn(x->store);
    char next[CONTACT_CURSOR_MAX] = "";
    struct pz_err err = {0};
    int r;

    if (!conn)
        return PZ_EDB;
    pz_buf_reset(&x->pending);
    x->sent = 0;
    if (!x->started) {
        x->started = 1;
        if (!x->vcard) {
            pz_buf_addstr(&x->pending, "\xEF\xBB\xBF"); /* so spreadsheets read UTF-8 */
            r = contact_export_csv_header(&x->pending);
            if (r < 0)
                return r;
        }
    }
    x->q.cursor = x->cursor[0] ? x->cursor : NULL;
    x->q.limit = EXPORT_PAGE;
    x->n_ids = 0;
    r = contact_list(conn, x->ws, &x->q, export_collect, x, next, sizeof(next), &err);
    if (r < 0)
        return r;
    for (int i = 0; i < x->n_ids; i++) {
        r = x->vcard ? contact_export_vcard(conn, x->ws, x->ids[i], &x->pending)
                     : contact_export_csv_row(conn, x->ws, x->ids[i], &x->pending);
        if (r == PZ_ENOTFOUND) /* erased meanwhile */
            r = 0;
        if (r < 0)
            return r;
    }
    snprintf(x->cursor, sizeof(x->cursor), "%s", next);
    if (!next[0])
        x->done = 1;
    return 0;
}

static long export_read(void *arg, char *buf, size_t max)
{
    struct export_stream *x = arg;
    size_t n;

    while (x->sent == x->pending.len) {
        if (x->done)
            return 0;
        if (export_next_page(x) < 0) {
            pz_log(PZ_LOG_ERROR, "contacts export cut off: reading the next page failed");
            return -1;
        }
    }
    n = x->pending.len - x->sent;
    if (n > max)
        n = max;
    memcpy(buf, x->pending.data + x->sent, n);
    x->sent += n;
    return (long)n;
}

static void export_free(void *arg)
{
    struct export_stream *x = arg;

    for (int i = 0; i < 5; i++)
        free(x->strings[i]);
    pz_buf_release(&x->pending);
    free(x);
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

void h_contacts_export(struct pz_ctx *c)
{
    const char *format = pz_http_query(c->req, "format");
    struct contact_filter f;
    struct contact_query q;
    struct export_stream *x;
    struct pz_err err = {0};
    char disposition[128], date[16], detail[200];
    time_t now = (time_t)(pz_now_ms() / 1000);
    struct tm tm;
    int vcard, r;

    if (!format || (strcmp(format, "csv") != 0 && strcmp(format, "vcard") != 0)) {
        pz_err_set(&err, "request.invalid", "format", "format must be csv or vcard");
        reply_err(c, &err);
        return;
    }
    vcard = strcmp(format, "vcard") == 0;
    contacts_filter_from_request(c, &f);
    r = contacts_filter_read(&f, c->who.user.id, &q, &err);
    if (r < 0) {
        reply_err(c, &err);
        return;
    }
    snprintf(detail, sizeof(detail), "%s", format);
    r = audit_add(c->conn, c->who.workspace.id, c->who.user.id, "contacts.export", "contacts",
                  c->req->ip, detail);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    x = xcalloc(1, sizeof(*x));
    x->store = c->api->store;
    x->ws = c->who.workspace.id;
    x->vcard = vcard;
    x->q = q;
    x->q.q = x->strings[0] = dup_or_null(q.q);
    x->q.stage = x->strings[1] = dup_or_null(q.stage);
    x->q.relationship = x->strings[2] = dup_or_null(q.relationship);
    x->q.kind = x->strings[3] = dup_or_null(q.kind);
    x->q.tag = x->strings[4] = dup_or_null(q.tag);
    x->q.now = pz_now_ms();
    pz_buf_init(&x->pending, 16 * 1024 * 1024);
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"piazza-contacts-%s.%s\"",
             date, vcard ? "vcf" : "csv");
    c->req->status = 200;
    c->req->content_type = vcard ? "text/vcard; charset=utf-8" : "text/csv; charset=utf-8";
    pz_http_add_header(c->req, "Content-Disposition", disposition);
    pz_http_add_header_static(c->req, "Cache-Control", "no-store");
    c->req->stream = export_read;
    c->req->stream_free = export_free;
    c->req->stream_arg = x;
}

/* --- one contact's complete data (GDPR access) -------------------------------------------- */

static void gdpr_entry(const struct timeline_entry *e, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", e->id);
    pz_json_kint(j, "at", e->at);
    pz_json_kstr(j, "kind", e->kind);
    pz_json_kstr(j, "channel", e->channel[0] ? e->channel : NULL);
    pz_json_kstr(j, "direction", e->direction[0] ? e->direction : NULL);
    pz_json_kint_or_null(j, "duration_s", e->duration_s);
    pz_json_kstr(j, "outcome", e->outcome[0] ? e->outcome : NULL);
    pz_json_kstr(j, "body", e->body);
    pz_json_kint_or_null(j, "author", e->author_user_id > 0 ? e->author_user_id : -1);
    pz_json_kstr(j, "source_kind", e->source_kind[0] ? e->source_kind : NULL);
    pz_json_kint(j, "created_at", e->created_at);
    pz_json_end_object(j);
}

/* Writes the whole timeline of contact ID, oldest page last as timeline_list gives it. */
static int gdpr_timeline(struct pz_ctx *c, int64_t id, struct pz_json *j)
{
    char next[TIMELINE_CURSOR_MAX + 16] = "", cursor[TIMELINE_CURSOR_MAX + 16] = "";
    struct pz_err err = {0};
    int r;

    do {
        r = timeline_list(c->conn, c->who.workspace.id, id, cursor[0] ? cursor : NULL, 200,
                          gdpr_entry, j, next, sizeof(next), &err);
        snprintf(cursor, sizeof(cursor), "%s", next);
    } while (r == 0 && next[0]);
    return r;
}

void h_contact_export(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0), ws = c->who.workspace.id;
    struct contact ct = {0};
    struct score sc = {0};
    struct pz_json *j;
    char target[40], disposition[128];
    int r;

    if (id < 0)
        return;
    r = contact_get(c->conn, ws, id, &ct);
    if (r == 0)
        r = score_compute(c->conn, ws, id, pz_now_ms(), &sc);
    snprintf(target, sizeof(target), "contact:%lld", (long long)id);
    if (r == 0)
        r = audit_add(c->conn, ws, c->who.user.id, "contact.export", target, c->req->ip, NULL);
    if (r < 0) {
        contact_release(&ct);
        if (r == PZ_ENOTFOUND)
            reply_error(c, "not_found", "no such contact in this workspace");
        else
            reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_kint(j, "exported_at", pz_now_ms());
    pz_json_key(j, "workspace");
    pz_json_begin_object(j);
    pz_json_kint(j, "id", ws);
    pz_json_kstr(j, "name", c->who.workspace.name);
    pz_json_end_object(j);
    pz_json_key(j, "contact");
    pz_json_begin_object(j);
    pz_json_kint(j, "id", ct.id);
    pz_json_kstr(j, "kind", ct.kind);
    pz_json_kstr(j, "name", ct.display_name);
    pz_json_kstr(j, "given_name", ct.given_name[0] ? ct.given_name : NULL);
    pz_json_kstr(j, "family_name", ct.family_name[0] ? ct.family_name : NULL);
    pz_json_kstr(j, "stage", ct.stage);
    pz_json_kstr(j, "type", ct.relationship[0] ? ct.relationship : NULL);
    pz_json_kint_or_null(j, "owner", ct.owner_user_id > 0 ? ct.owner_user_id : -1);
    pz_json_kstr(j, "notes", ct.notes_md ? ct.notes_md : "");
    pz_json_kint(j, "created_at", ct.created_at);
    pz_json_kint(j, "updated_at", ct.updated_at);
    pz_json_kint(j, "strength", sc.strength);
    pz_json_kstr(j, "strength_explanation", sc.explanation_en);
    pz_json_kint_or_null(j, "last_contact_at", sc.last_contact_at);
    pz_json_end_object(j);
    r = contact_write_lists(c, j, id, ct.kind);
    pz_json_key(j, "timeline");
    pz_json_begin_array(j);
    if (r == 0)
        r = gdpr_timeline(c, id, j);
    pz_json_end_array(j);
    pz_json_end_object(j);
    contact_release(&ct);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"piazza-contact-%lld.json\"",
             (long long)id);
    pz_http_add_header(c->req, "Content-Disposition", disposition);
    pz_http_add_header_static(c->req, "Cache-Control", "no-store");
    reply_end(c);
}
