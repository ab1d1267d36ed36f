/*
 * Helpers handlers use to read their input and write their answer, so that
 * every answer has the same shape: JSON through the one writer, errors as
 * {"error": {"code", "message"[, "field"]}}.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/text.h"
#include "core/banned.h"

json_t *ctx_body(struct pz_ctx *c)
{
    struct pz_err err = {0};

    if (c->body)
        return c->body;
    c->body = pz_json_parse_object(c->req->body.data, c->req->body.len, &err);
    if (!c->body)
        reply_err(c, &err);
    return c->body;
}

int64_t ctx_param_id(struct pz_ctx *c, int i)
{
    int64_t id;
    if (i >= c->match->n_params || pz_parse_int64(c->match->params[i], 1, INT64_MAX, &id) < 0) {
        reply_error(c, "not_found", NULL);
        return -1;
    }
    return id;
}

int ctx_page(struct pz_ctx *c, int *limit, int64_t *cursor)
{
    const char *l = pz_http_query(c->req, "limit");
    const char *cur = pz_http_query(c->req, "cursor");
    int64_t v;

    *limit = 50;
    *cursor = 0;
    if (l) {
        if (pz_parse_int64(l, 1, 200, &v) < 0) {
            struct pz_err err = {0};
            pz_err_set(&err, "request.invalid", "limit", "limit must be a number from 1 to 200");
            reply_err(c, &err);
            return -1;
        }
        *limit = (int)v;
    }
    if (cur && *cur) {
        if (pz_parse_int64(cur, 0, INT64_MAX, &v) < 0) {
            struct pz_err err = {0};
            pz_err_set(&err, "request.invalid", "cursor", "the cursor is not valid");
            reply_err(c, &err);
            return -1;
        }
        *cursor = v;
    }
    return 0;
}

struct pz_json *reply_begin(struct pz_ctx *c, int status)
{
    c->req->status = status;
    c->req->content_type = "application/json";
    pz_buf_reset(&c->req->out);
    pz_json_init(&c->json, &c->req->out);
    return &c->json;
}

void reply_end(struct pz_ctx *c)
{
    if (pz_json_error(&c->json) < 0)
        reply_internal(c, pz_json_error(&c->json));
}

void reply_empty(struct pz_ctx *c, int status)
{
    c->req->status = status;
    c->req->content_type = NULL;
    pz_buf_reset(&c->req->out);
}

static void write_error(struct pz_ctx *c, const char *code, const char *message, const char *field)
{
    struct pz_json *j = reply_begin(c, pz_error_status(code));
    pz_json_begin_object(j);
    pz_json_key(j, "error");
    pz_json_begin_object(j);
    pz_json_kstr(j, "code", code);
    pz_json_kstr(j, "message", message ? message : pz_error_message(code));
    if (field)
        pz_json_kstr(j, "field", field);
    pz_json_end_object(j);
    pz_json_end_object(j);
}

void reply_error(struct pz_ctx *c, const char *code, const char *message)
{
    write_error(c, code, message, NULL);
}

void reply_err(struct pz_ctx *c, const struct pz_err *err)
{
    if (!err->code) {
        reply_internal(c, PZ_EINVAL);
        return;
    }
    write_error(c, err->code, err->message[0] ? err->message : NULL, err->field);
}

void reply_internal(struct pz_ctx *c, int code)
{
    /* Already logged where it happened. A write that waited the whole busy timeout for
     * another one (an import holds the write lock for its file) may well work again soon. */
    if (code == PZ_EBUSY) {
        pz_http_add_header_static(c->req, "Retry-After", "5");
        write_error(c, "store.busy", NULL, NULL);
        return;
    }
    write_error(c, "internal", NULL, NULL);
}

int reply_list_begin(struct pz_ctx *c, struct reply_list *ls)
{
    memset(ls, 0, sizeof(*ls));
    if (ctx_page(c, &ls->limit, &ls->cursor) < 0)
        return -1;
    ls->j = reply_begin(c, 200);
    pz_json_begin_object(ls->j);
    pz_json_key(ls->j, "items");
    pz_json_begin_array(ls->j);
    return 0;
}

void reply_list_item(struct reply_list *ls, int64_t id)
{
    ls->n++;
    ls->last = id;
}

struct pz_json *reply_all_begin(struct pz_ctx *c)
{
    struct pz_json *j = reply_begin(c, 200);

    pz_json_begin_object(j);
    pz_json_key(j, "items");
    pz_json_begin_array(j);
    return j;
}

void reply_all_end(struct pz_ctx *c, struct pz_json *j, int r)
{
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    pz_json_end_array(j);
    pz_json_knull(j, "next");
    pz_json_end_object(j);
    reply_end(c);
}

void reply_list_end(struct pz_ctx *c, struct reply_list *ls, int r)
{
    struct pz_json *j = ls->j;

    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    pz_json_end_array(j);
    pz_json_key(j, "next");
    if (ls->n == ls->limit && ls->last > 0) {
        char buf[24];
        snprintf(buf, sizeof(buf), "%lld", (long long)ls->last);
        pz_json_str(j, buf);
    } else {
        pz_json_null(j);
    }
    pz_json_end_object(j);
    reply_end(c);
}
