/*
 * The inbox's settings and shared lists over HTTP: business hours and SLA
 * targets (GET/PUT /api/v1/settings/inbox), canned replies with their
 * variables rendered for a conversation, labels and teams. Managers change
 * them; every member of the staff reads them (outside consultants read no
 * canned reply: they are written to customers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/text.h"
#include "inbox/canned.h"
#include "inbox/workflow.h"
#include "core/banned.h"

/* "HH:MM" of MINUTES (0..1440) into OUT. */
static void hhmm(char out[6], int minutes)
{
    unsigned m = (unsigned)minutes % 1441u, h = m / 60u, mm = m % 60u;
    out[0] = (char)('0' + h / 10u);
    out[1] = (char)('0' + h % 10u);
    out[2] = ':';
    out[3] = (char)('0' + mm / 10u);
    out[4] = (char)('0' + mm % 10u);
    out[5] = '\0';
}

static void reply_settings(struct pz_ctx *c, const struct inbox_settings *s)
{
    struct pz_json *j = reply_begin(c, 200);
    char a[6], b[6];

    pz_json_begin_object(j);
    pz_json_kstr(j, "time_zone", s->time_zone);
    pz_json_key(j, "hours");
    pz_json_begin_array(j);
    for (int i = 0; i < s->n_hours; i++) {
        hhmm(a, s->hours[i].open);
        hhmm(b, s->hours[i].close);
        pz_json_begin_object(j);
        pz_json_kint(j, "weekday", s->hours[i].weekday);
        pz_json_kstr(j, "open", a);
        pz_json_kstr(j, "close", b);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    pz_json_kint_or_null(j, "first_response_target_minutes", s->first_response_target);
    pz_json_kint_or_null(j, "resolution_target_minutes", s->resolution_target);
    pz_json_end_object(j);
    reply_end(c);
}

void h_inbox_settings_get(struct pz_ctx *c)
{
    struct inbox_settings s;
    int r = inbox_settings_get(c->conn, c->who.workspace.id, &s);

    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_settings(c, &s);
}

/* Reads target KEY: absent or null is none (-1). Returns 0 or -1 (answered). */
static int read_target(struct pz_ctx *c, json_t *body, const char *key, int64_t *out)
{
    json_t *v = json_object_get(body, key);
    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > INBOX_TARGET_MAX_MIN) {
        struct pz_err err = {0};
        pz_err_set(&err, "inbox.bad_target", key,
                   "%s must be a number of minutes from 1 to %d, or null", key,
                   INBOX_TARGET_MAX_MIN);
        reply_err(c, &err);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

static int bad_hours(struct pz_ctx *c, size_t i, const char *what)
{
    struct pz_err err = {0};
    pz_err_set(&err, "inbox.bad_hours", "hours", "hours[%zu]: %s", i, what);
    reply_err(c, &err);
    return -1;
}

static int read_hours(struct pz_ctx *c, json_t *body, struct inbox_settings *s)
{
    json_t *hours = json_object_get(body, "hours"), *item;
    size_t i;

    if (!hours || json_is_null(hours))
        return 0;
    if (!json_is_array(hours) || json_array_size(hours) > INBOX_HOURS_MAX) {
        struct pz_err err = {0};
        pz_err_set(&err, "inbox.bad_hours", "hours", "hours must be a list of at most %d intervals",
                   INBOX_HOURS_MAX);
        reply_err(c, &err);
        return -1;
    }
    json_array_foreach(hours, i, item)
    {
        json_t *wd = json_object_get(item, "weekday"), *o = json_object_get(item, "open"),
               *cl = json_object_get(item, "close");
        struct inbox_interval *iv = &s->hours[i];
        if (!json_is_object(item))
            return bad_hours(c, i, "each interval is {\"weekday\", \"open\", \"close\"}");
        if (!json_is_integer(wd) || json_integer_value(wd) < 0 || json_integer_value(wd) > 6)
            return bad_hours(c, i, "weekday must be 0 (Monday) to 6 (Sunday)");
        if (!json_is_string(o) || inbox_hhmm_parse(json_string_value(o), &iv->open) < 0 ||
            iv->open >= 1440)
            return bad_hours(c, i, "open must be a time such as 09:00");
        if (!json_is_string(cl) || inbox_hhmm_parse(json_string_value(cl), &iv->close) < 0)
            return bad_hours(c, i, "close must be a time such as 18:00 (24:00 for midnight)");
        iv->weekday = (int)json_integer_value(wd);
    }
    s->n_hours = (int)json_array_size(hours);
    return 0;
}

void h_inbox_settings_put(struct pz_ctx *c)
{
    json_t *body = ctx_body(c), *tz;
    struct inbox_settings s, old;
    struct pz_err err = {0};
    int r;

    if (!body)
        return;
    if ((r = inbox_settings_get(c->conn, c->who.workspace.id, &old)) < 0) {
        reply_internal(c, r);
        return;
    }
    memset(&s, 0, sizeof(s));
    tz = json_object_get(body, "time_zone");
    if (tz && !json_is_null(tz) && !json_is_string(tz)) {
        reply_error(c, "inbox.bad_time_zone", "time_zone must be a zone name such as Europe/Rome");
        return;
    }
    snprintf(s.time_zone, sizeof(s.time_zone), "%s",
             json_is_string(tz) ? json_string_value(tz) : old.time_zone);
    if (read_hours(c, body, &s) < 0 ||
        read_target(c, body, "first_response_target_minutes", &s.first_response_target) < 0 ||
        read_target(c, body, "resolution_target_minutes", &s.resolution_target) < 0)
        return;
    r = inbox_settings_put(c->conn, c->who.workspace.id, &s, pz_now_ms(), &err);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r == 0)
        r = inbox_settings_get(c->conn, c->who.workspace.id, &s);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_settings(c, &s);
}

/* ---- canned replies ---- */

struct canned_writer {
    struct pz_json *j;
    const struct canned_vars *vars; /* NULL: rendered is the body */
};

static void canned_write(struct pz_json *j, const struct canned_reply *cr,
                         const struct canned_vars *vars)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", cr->id);
    pz_json_kstr(j, "shortcut", cr->shortcut);
    pz_json_kstr(j, "title", cr->title);
    pz_json_kstr(j, "body", cr->body);
    if (vars) {
        char *text = canned_render(cr->body, vars);
        pz_json_kstr(j, "rendered", text);
        free(text);
    } else {
        pz_json_kstr(j, "rendered", cr->body);
    }
    pz_json_end_object(j);
}

static void canned_one(const struct canned_reply *cr, void *arg)
{
    struct canned_writer *w = arg;
    canned_write(w->j, cr, w->vars);
}

void h_canned_list(struct pz_ctx *c)
{
    const char *conv = pz_http_query(c->req, "conversation");
    struct canned_vars vars;
    struct canned_writer w = {NULL, NULL};
    char buf[1024];
    int r;

    if (!inbox_staff_only(c))
        return;
    if (conv) {
        int64_t id;
        if (pz_parse_int64(conv, 1, INT64_MAX, &id) < 0) {
            reply_error(c, "inbox.bad_filter", "conversation must be an id");
            return;
        }
        r = canned_vars_for(c->conn, c->who.workspace.id, id, c->who.user.name,
                            c->who.workspace.name, &vars, buf, sizeof(buf));
        if (r == PZ_ENOTFOUND) {
            reply_error(c, "inbox.not_found", NULL);
            return;
        }
        if (r < 0) {
            reply_internal(c, r);
            return;
        }
        w.vars = &vars;
    }
    w.j = reply_all_begin(c);
    r = canned_each(c->conn, c->who.workspace.id, canned_one, &w);
    reply_all_end(c, w.j, r);
}

/* Reads an optional string member; answers 422 request.invalid for another type. */
static int opt_str(struct pz_ctx *c, json_t *body, const char *key, const char **out)
{
    struct pz_err err = {0};
    if (pz_json_get_str(body, key, 1, 64 * 1024, out, &err) < 0) {
        reply_err(c, &err);
        return -1;
    }
    return 0;
}

static void canned_save_reply(struct pz_ctx *c, int64_t id, int status)
{
    json_t *body = ctx_body(c);
    const char *shortcut, *title, *text;
    struct canned_reply cr = {0};
    struct pz_err err = {0};
    struct pz_json *j;
    int64_t saved = 0;
    int r;

    if (!body || opt_str(c, body, "shortcut", &shortcut) < 0 ||
        opt_str(c, body, "title", &title) < 0 || opt_str(c, body, "body", &text) < 0)
        return;
    r = canned_save(c->conn, c->who.workspace.id, id, c->who.user.id, shortcut, title, text,
                    pz_now_ms(), &saved, &err);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such canned reply");
        return;
    }
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r == 0)
        r = canned_get(c->conn, c->who.workspace.id, saved, &cr);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, status);
    canned_write(j, &cr, NULL);
    canned_release(&cr);
    reply_end(c);
}

void h_canned_create(struct pz_ctx *c)
{
    canned_save_reply(c, 0, 201);
}

void h_canned_patch(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    if (id < 0)
        return;
    canned_save_reply(c, id, 200);
}

void h_canned_delete(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    int r;

    if (id < 0)
        return;
    r = canned_delete(c->conn, c->who.workspace.id, id);
    if (r == PZ_ENOTFOUND) {
        reply_error(c, "not_found", "no such canned reply");
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    reply_empty(c, 204);
}

/* ---- labels and teams ---- */

static void label_one(int64_t id, const char *name, const char *color, int64_t count, void *arg)
{
    struct pz_json *j = arg;
    pz_json_begin_object(j);
    pz_json_kint(j, "id", id);
    pz_json_kstr(j, "name", name);
    pz_json_kstr(j, "color", color);
    pz_json_kint(j, "count", count);
    pz_json_end_object(j);
}

void h_labels_list(struct pz_ctx *c)
{
    struct pz_json *j;

    if (!inbox_staff_only(c))
        return;
    j = reply_all_begin(c);
    reply_all_end(c, j, inbox_labels_each(c->conn, c->who.workspace.id, label_one, j));
}

static void team_write(struct pz_json *j, int64_t id, const char *name)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", id);
    pz_json_kstr(j, "name", name);
    pz_json_end_object(j);
}

static void team_one(int64_t id, const char *name, void *arg)
{
    team_write(arg, id, name);
}

void h_teams_list(struct pz_ctx *c)
{
    struct pz_json *j;

    if (!inbox_staff_only(c))
        return;
    j = reply_all_begin(c);
    reply_all_end(c, j, inbox_teams_each(c->conn, c->who.workspace.id, team_one, j));
}

void h_teams_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *name;
    struct pz_err err = {0};
    int64_t id = 0;
    int r;

    if (!body)
        return;
    if (pz_json_get_str(body, "name", 0, 1024, &name, &err) < 0) {
        reply_err(c, &err);
        return;
    }
    r = inbox_team_create(c->conn, c->who.workspace.id, name, pz_now_ms(), &id, &err);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    team_write(reply_begin(c, 201), id, name);
    reply_end(c);
}
