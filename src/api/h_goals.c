/*
 * Goals and ROI over HTTP: objectives (with their progress), campaigns,
 * tracked links (with their clicks and QR codes), investments in money and
 * staff time, hourly rates, the start/stop timer, conversions and the
 * objective's report. The rules live in src/goals; this file reads requests
 * and writes answers. Amounts travel as decimal numbers in currency units
 * (12.50) and are kept as cents; hours as decimal numbers, kept as minutes.
 * Bad input is a 400 with a goals.* code and the field at fault.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/text.h"
#include "goals/conversion.h"
#include "goals/invest.h"
#include "goals/link.h"
#include "goals/objective.h"
#include "goals/qr.h"
#include "goals/report.h"
#include "core/banned.h"

/* --- reading requests -------------------------------------------------------------------- */

/* Reads string KEY (NULL when absent or null); a non-string or a long one fills ERR. */
static int get_str(json_t *body, const char *key, int required, size_t max, const char **out,
                   struct pz_err *err)
{
    json_t *v = json_object_get(body, key);

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return pz_err_set(err, "goals.missing_field", key, "%s is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return pz_err_set(err, "goals.invalid_field", key, "%s must be a string", key);
    if (strlen(json_string_value(v)) > max ||
        !pz_utf8_valid(json_string_value(v), strlen(json_string_value(v))))
        return pz_err_set(err, "goals.invalid_field", key, "%s is too long or not UTF-8", key);
    *out = json_string_value(v);
    if (required && !**out)
        return pz_err_set(err, "goals.missing_field", key, "%s is required", key);
    return 0;
}

/*
 * Reads number KEY scaled by SCALE (100 for cents, 60 for minutes) into *OUT:
 * ABSENT when missing, NUL_VALUE when null. Anything but a finite number in
 * [0, MAX] fills ERR with goals.bad_amount.
 */
static int get_scaled(json_t *body, const char *key, double scale, int64_t max, int64_t absent,
                      int64_t null_value, int64_t *out, struct pz_err *err)
{
    json_t *v = json_object_get(body, key);
    double d, scaled;

    *out = absent;
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *out = null_value;
        return 0;
    }
    if (!json_is_number(v))
        return pz_err_set(err, "goals.bad_amount", key, "%s must be a number", key);
    d = json_number_value(v);
    scaled = d * scale;
    if (!isfinite(d) || d < 0 || scaled > (double)max)
        return pz_err_set(err, "goals.bad_amount", key, "%s must be a number from 0 to %lld", key,
                          (long long)((double)max / scale));
    *out = (int64_t)(scaled + 0.5); /* non-negative: rounds half up */
    return 0;
}

/* Reads id KEY: ABSENT when missing, -1 when null, else a positive integer. */
static int get_id(json_t *body, const char *key, int64_t absent, int64_t *out, struct pz_err *err)
{
    json_t *v = json_object_get(body, key);

    *out = absent;
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *out = -1;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return pz_err_set(err, "goals.invalid_field", key, "%s must be an id", key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

/* Joins array KEY of strings into OUT with commas (NULL *RES when absent). */
static int get_list(json_t *body, const char *key, char *out, size_t outsz, const char **res,
                    struct pz_err *err)
{
    json_t *v = json_object_get(body, key), *item;
    size_t i, o = 0;

    *res = NULL;
    if (!v)
        return 0;
    out[0] = '\0';
    if (json_is_null(v)) {
        *res = out;
        return 0;
    }
    if (!json_is_array(v))
        return pz_err_set(err, "goals.invalid_field", key, "%s must be a list of names", key);
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        size_t n = s ? strlen(s) : 0;
        if (!s || n == 0 || strchr(s, ',') || o + n + 2 > outsz)
            return pz_err_set(err, "goals.invalid_field", key,
                              "%s must be a short list of non-empty names", key);
        if (o)
            out[o++] = ',';
        memcpy(out + o, s, n);
        o += n;
        out[o] = '\0';
    }
    *res = out;
    return 0;
}

/* Reads ?NAME= as a positive id into *OUT (0 when absent). Answers 400 and returns -1 on junk. */
static int query_id(struct pz_ctx *c, const char *name, int64_t *out)
{
    const char *v = pz_http_query(c->req, name);
    struct pz_err err = {0};

    *out = 0;
    if (!v || !*v)
        return 0;
    if (pz_parse_int64(v, 1, INT64_MAX, out) < 0) {
        pz_err_set(&err, "goals.invalid_field", name, "%s must be an id", name);
        reply_err(c, &err);
        return -1;
    }
    return 0;
}

static const char *lang_of(struct pz_ctx *c)
{
    return c->who.user.locale[0] ? c->who.user.locale : c->who.workspace.locale;
}

/* Answers a failure of the goals module: validation (400), not found (404), else 500. */
static void reply_failure(struct pz_ctx *c, int r, const struct pz_err *err, const char *what)
{
    char msg[96];

    if (r == PZ_EINVAL && err && err->code) {
        reply_err(c, err);
    } else if (r == PZ_ENOTFOUND) {
        snprintf(msg, sizeof(msg), "no such %s in this workspace", what);
        reply_error(c, "not_found", msg);
    } else {
        reply_internal(c, r);
    }
}

/* --- presenting --------------------------------------------------------------------------- */

static void kday(struct pz_json *j, const char *key, const char *day)
{
    pz_json_kstr(j, key, day && *day ? day : NULL);
}

static void klist(struct pz_json *j, const char *key, const char *list)
{
    const char *p = list;

    pz_json_key(j, key);
    pz_json_begin_array(j);
    while (p && *p) {
        size_t n = strcspn(p, ",");
        pz_json_strn(j, p, n);
        p += n;
        if (*p == ',')
            p++;
    }
    pz_json_end_array(j);
}

/* A value in the objective's metric: cents as an amount for revenue, else a count. */
static void kmetric(struct pz_json *j, const char *key, const struct objective *o, int64_t v)
{
    if (v < 0)
        pz_json_knull(j, key);
    else if (strcmp(o->metric, "revenue") == 0)
        pz_json_kfixed(j, key, v, 2);
    else
        pz_json_kint(j, key, v);
}

static void kpct(struct pz_json *j, const char *key, int64_t num, int64_t den)
{
    if (den <= 0)
        pz_json_knull(j, key);
    else
        pz_json_kfixed(j, key, (num * 10000 + den / 2) / den, 2);
}

static void present_progress(struct pz_json *j, const struct objective *o, const struct progress *p)
{
    char day[16];

    pz_json_key(j, "progress");
    pz_json_begin_object(j);
    kmetric(j, "value", o, p->value);
    kmetric(j, "expected_to_date", o, p->expected_to_date);
    kmetric(j, "forecast", o, p->forecast);
    kpct(j, "percent", p->value, o->target);
    kpct(j, "pace_percent", p->value, p->expected_to_date);
    pz_json_kstr(j, "status", p->status);
    pz_json_kint(j, "days_elapsed", p->days_elapsed);
    pz_json_kint(j, "days_total", p->days_total);
    pz_json_kstr(j, "as_of", pz_day_format(p->as_of_day, day, sizeof(day)));
    pz_json_end_object(j);
}

static void objective_members(struct pz_json *j, const struct objective *o)
{
    pz_json_kint(j, "id", o->id);
    pz_json_kstr(j, "name", o->name);
    pz_json_kstr(j, "metric", o->metric);
    pz_json_kstr(j, "event", o->event[0] ? o->event : NULL);
    pz_json_kstr(j, "stage", o->stage[0] ? o->stage : NULL);
    kmetric(j, "target", o, o->target);
    kday(j, "start", o->start_day);
    kday(j, "end", o->end_day);
    pz_json_kint_or_null(j, "owner", o->owner_user_id);
    pz_json_kstr(j, "department", o->department);
    klist(j, "channels", o->channels);
    klist(j, "funnel", o->funnel);
    pz_json_kint(j, "created_at", o->created_at);
    pz_json_kint(j, "updated_at", o->updated_at);
}

/* Writes the objective with its progress as of AS_OF; returns 0 or a code. */
static int present_objective(struct pz_ctx *c, struct pz_json *j, const struct objective *o,
                             int64_t as_of)
{
    struct progress p;
    int r = objective_progress(c->conn, c->who.workspace.id, o, as_of, &p);

    if (r < 0)
        return r;
    pz_json_begin_object(j);
    objective_members(j, o);
    present_progress(j, o, &p);
    pz_json_end_object(j);
    return 0;
}

static void present_campaign(struct pz_json *j, const struct campaign *k)
{
    const char *medium = goal_channel_medium(k->channel);

    pz_json_begin_object(j);
    pz_json_kint(j, "id", k->id);
    pz_json_kint(j, "objective_id", k->objective_id);
    pz_json_kstr(j, "name", k->name);
    pz_json_kstr(j, "channel", k->channel);
    kday(j, "start", k->start_day);
    kday(j, "end", k->end_day);
    if (k->budget_cents >= 0)
        pz_json_kfixed(j, "budget", k->budget_cents, 2);
    else
        pz_json_knull(j, "budget");
    pz_json_kint_or_null(j, "target", k->target);
    pz_json_kstr(j, "utm_source", k->channel);
    pz_json_kstr(j, "utm_medium", medium ? medium : "other");
    pz_json_kstr(j, "utm_campaign", k->utm_campaign);
    pz_json_kint(j, "created_at", k->created_at);
    pz_json_kint(j, "updated_at", k->updated_at);
    pz_json_end_object(j);
}

/* The address links are shared under: the public URL, else the Host the caller used. */
static void base_url(struct pz_ctx *c, char *out, size_t outsz)
{
    const char *host = pz_http_header(c->req, "Host");

    if (c->api->public_host[0])
        snprintf(out, outsz, "%s://%s", c->api->public_https ? "https" : "http",
                 c->api->public_host);
    else
        snprintf(out, outsz, "http://%s", host ? host : "127.0.0.1");
}

static void present_link(struct pz_ctx *c, struct pz_json *j, const struct link *l, int counts)
{
    char base[300], url[400];
    int64_t clicks = 0, unique = 0;

    base_url(c, base, sizeof(base));
    pz_json_begin_object(j);
    pz_json_kint(j, "id", l->id);
    pz_json_kint_or_null(j, "campaign_id", l->campaign_id);
    pz_json_kstr(j, "slug", l->slug);
    pz_json_kstr(j, "url", l->url);
    pz_json_kstr(j, "name", l->name);
    snprintf(url, sizeof(url), "%s/l/%s", base, l->slug);
    pz_json_kstr(j, "short_url", url);
    snprintf(url, sizeof(url), "/api/v1/links/%lld/qr.png", (long long)l->id);
    pz_json_kstr(j, "qr_png", url);
    snprintf(url, sizeof(url), "/api/v1/links/%lld/qr.svg", (long long)l->id);
    pz_json_kstr(j, "qr_svg", url);
    pz_json_kint(j, "created_at", l->created_at);
    if (counts && link_clicks(c->conn, c->who.workspace.id, l->id, &clicks, &unique) == 0) {
        pz_json_kint(j, "clicks", clicks);
        pz_json_kint(j, "unique_visitors", unique);
    }
    pz_json_end_object(j);
}

static void present_investment(struct pz_ctx *c, struct pz_json *j, const struct investment *i)
{
    int money = strcmp(i->kind, "money") == 0;

    pz_json_begin_object(j);
    pz_json_kint(j, "id", i->id);
    pz_json_kstr(j, "kind", i->kind);
    pz_json_kstr(j, "date", i->day);
    pz_json_kint_or_null(j, "objective_id", i->objective_id);
    pz_json_kint_or_null(j, "campaign_id", i->campaign_id);
    if (money) {
        pz_json_kfixed(j, "amount", i->amount_cents, 2);
        pz_json_kstr(j, "currency", i->currency);
        pz_json_kstr(j, "category", i->category);
    } else {
        int64_t rate = -1;
        pz_json_kint(j, "user_id", i->user_id);
        pz_json_kfixed(j, "hours", (i->minutes * 100 + 30) / 60, 2);
        pz_json_kstr(j, "activity", i->activity[0] ? i->activity : NULL);
        /* Priced at today's rate, as the report does. */
        if (rate_for_user(c->conn, c->who.workspace.id, i->user_id, &rate) == 0 && rate >= 0) {
            pz_json_kfixed(j, "rate", rate, 2);
            pz_json_kfixed(j, "amount", (i->minutes * rate + 30) / 60, 2);
        } else {
            pz_json_knull(j, "rate");
            pz_json_knull(j, "amount");
        }
        pz_json_kstr(j, "currency", "EUR");
    }
    pz_json_kstr(j, "note", i->note);
    pz_json_kint_or_null(j, "created_by", i->created_by);
    pz_json_kint(j, "created_at", i->created_at);
    pz_json_end_object(j);
}

static void present_conversion(struct pz_json *j, const struct conversion *v, int duplicate)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "id", v->id);
    pz_json_kstr(j, "event", v->event);
    pz_json_kint(j, "at", v->at);
    pz_json_kfixed(j, "value", v->value_cents, 2);
    pz_json_kstr(j, "currency", v->currency);
    pz_json_kint_or_null(j, "link_id", v->link_id);
    pz_json_kint_or_null(j, "campaign_id", v->campaign_id);
    pz_json_kint_or_null(j, "contact_id", v->contact_id);
    pz_json_kstr(j, "idempotency_key", v->idempotency_key);
    pz_json_kint(j, "created_at", v->created_at);
    if (duplicate >= 0)
        pz_json_kbool(j, "duplicate", duplicate);
    pz_json_end_object(j);
}

/* --- objectives --------------------------------------------------------------------------- */

static int read_objective_fields(json_t *body, struct objective_fields *f, char *channels,
                                 char *funnel, size_t listsz, struct pz_err *err)
{
    int64_t target;
    int r = 0;

    objective_fields_init(f);
    if (r == 0)
        r = get_str(body, "name", 0, GOAL_NAME_MAX * 4, &f->name, err);
    if (r == 0)
        r = get_str(body, "metric", 0, 32, &f->metric, err);
    if (r == 0)
        r = get_str(body, "event", 0, 64, &f->event, err);
    if (r == 0)
        r = get_str(body, "stage", 0, 32, &f->stage, err);
    if (r == 0)
        r = get_str(body, "start", 0, 32, &f->start_day, err);
    if (r == 0)
        r = get_str(body, "end", 0, 32, &f->end_day, err);
    if (r == 0)
        r = get_str(body, "department", 0, GOAL_TEXT_MAX, &f->department, err);
    if (r == 0)
        r = get_list(body, "channels", channels, listsz, &f->channels, err);
    if (r == 0)
        r = get_list(body, "funnel", funnel, listsz, &f->funnel, err);
    if (r == 0)
        r = get_id(body, "owner", -2, &f->owner_user_id, err);
    if (r < 0)
        return PZ_EINVAL;
    /* A revenue target is an amount (12.50); any other is a count. */
    if (get_scaled(body, "target", f->metric && strcmp(f->metric, "revenue") == 0 ? 100 : 1,
                   GOAL_TARGET_MAX, -2, 0, &target, err) < 0)
        return PZ_EINVAL;
    f->target = target;
    return 0;
}

void h_objectives_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    char channels[GOAL_TEXT_MAX + 1], funnel[GOAL_TEXT_MAX + 1];
    struct objective_fields f;
    struct pz_err err = {0};
    struct objective o = {0};
    int r;

    if (!body)
        return;
    r = read_objective_fields(body, &f, channels, funnel, sizeof(channels), &err);
    if (r == 0) {
        if (!f.name || !*f.name)
            r = pz_err_set(&err, "goals.missing_field", "name", "name is required");
        else
            r = objective_create(c->conn, c->who.workspace.id, &f, &o, &err);
    }
    if (r < 0) {
        reply_failure(c, r, &err, "objective");
        return;
    }
    r = present_objective(c, reply_begin(c, 201), &o, -1);
    if (r < 0)
        reply_internal(c, r);
    else
        reply_end(c);
}

/* Reads ?as_of=YYYY-MM-DD (-1 when absent); answers 400 and returns -2 on junk. */
static int64_t query_as_of(struct pz_ctx *c)
{
    const char *v = pz_http_query(c->req, "as_of");
    struct pz_err err = {0};
    int64_t day;

    if (!v || !*v)
        return -1;
    if (pz_day_parse(v, &day) < 0) {
        pz_err_set(&err, "goals.bad_date", "as_of", "as_of must be a date YYYY-MM-DD");
        reply_err(c, &err);
        return -2;
    }
    return day;
}

struct list_arg {
    struct pz_ctx *c;
    struct reply_list *ls;
    int64_t as_of;
    int r;
};

static void objective_one(const struct objective *o, void *arg)
{
    struct list_arg *a = arg;
    if (a->r < 0)
        return;
    a->r = present_objective(a->c, a->ls->j, o, a->as_of);
    reply_list_item(a->ls, o->id);
}

void h_objectives_list(struct pz_ctx *c)
{
    struct reply_list ls;
    struct list_arg a = {c, &ls, -1, 0};
    int r;

    a.as_of = query_as_of(c);
    if (a.as_of == -2 || reply_list_begin(c, &ls) < 0)
        return;
    r = objective_list(c->conn, c->who.workspace.id, ls.cursor, ls.limit, objective_one, &a);
    reply_list_end(c, &ls, r < 0 ? r : a.r);
}

void h_objectives_get(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0), as_of;
    struct objective o = {0};
    int r;

    if (id < 0 || (as_of = query_as_of(c)) == -2)
        return;
    r = objective_get(c->conn, c->who.workspace.id, id, &o);
    if (r < 0) {
        reply_failure(c, r, NULL, "objective");
        return;
    }
    r = present_objective(c, reply_begin(c, 200), &o, as_of);
    if (r < 0)
        reply_internal(c, r);
    else
        reply_end(c);
}

void h_objectives_patch(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    json_t *body;
    char channels[GOAL_TEXT_MAX + 1], funnel[GOAL_TEXT_MAX + 1];
    struct objective_fields f;
    struct pz_err err = {0};
    struct objective o = {0};
    int r;

    if (id < 0 || !(body = ctx_body(c)))
        return;
    r = read_objective_fields(body, &f, channels, funnel, sizeof(channels), &err);
    if (r == 0 && f.metric == NULL && json_object_get(body, "target")) {
        /* The target's unit depends on the stored metric: read it again knowing that. */
        struct objective cur;
        r = objective_get(c->conn, c->who.workspace.id, id, &cur);
        if (r == 0 && strcmp(cur.metric, "revenue") == 0)
            r = get_scaled(body, "target", 100, GOAL_TARGET_MAX, -2, 0, &f.target, &err);
    }
    if (r == 0)
        r = objective_update(c->conn, c->who.workspace.id, id, &f, &o, &err);
    if (r < 0) {
        reply_failure(c, r, &err, "objective");
        return;
    }
    r = present_objective(c, reply_begin(c, 200), &o, -1);
    if (r < 0)
        reply_internal(c, r);
    else
        reply_end(c);
}

/* --- the report --------------------------------------------------------------------------- */

static void figures(struct pz_json *j, const struct objective *o, const struct report_figures *f)
{
    int64_t roi = report_roi_bp(f->value_cents, f->cost_cents);

    pz_json_kfixed(j, "cost", f->cost_cents, 2);
    pz_json_kfixed(j, "cost_money", f->money_cents, 2);
    pz_json_kfixed(j, "cost_time", f->time_cents, 2);
    pz_json_kfixed(j, "hours", (f->minutes * 100 + 30) / 60, 2);
    pz_json_kint(j, "clicks", f->clicks);
    pz_json_kint(j, "visits", f->visits);
    pz_json_kint(j, "conversions", f->conversions);
    pz_json_kfixed(j, "value", f->value_cents, 2);
    if (f->conversions > 0)
        pz_json_kfixed(j, "cost_per_conversion",
                       (f->cost_cents + f->conversions / 2) / f->conversions, 2);
    else
        pz_json_knull(j, "cost_per_conversion");
    if (roi == INT64_MIN)
        pz_json_knull(j, "roi");
    else
        pz_json_kfixed(j, "roi", roi, 2);
    kpct(j, "conversion_rate", f->conversions, f->clicks);
    kmetric(j, "actual", o, f->actual);
    kmetric(j, "expected", o, f->expected);
    kmetric(j, "expected_to_date", o, f->expected_to_date);
}

static void money_list(struct pz_json *j, const char *key, const struct report_money *m, int n)
{
    pz_json_key(j, key);
    pz_json_begin_array(j);
    for (int i = 0; i < n; i++) {
        pz_json_begin_object(j);
        pz_json_kstr(j, "currency", m[i].currency);
        pz_json_kfixed(j, "amount", m[i].cents, 2);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
}

static void response_members(struct pz_json *j, int64_t turns, int64_t unanswered, int64_t late,
                             int64_t median)
{
    pz_json_kint(j, "messages", turns);
    pz_json_kint(j, "unanswered", unanswered);
    pz_json_kint(j, "late", late);
    pz_json_kint_or_null(j, "median_minutes", turns ? median : -1);
}

/* The response-time figures of the report: totals and by conversation channel. */
static void present_responses(struct pz_json *j, const struct report_responses *x)
{
    pz_json_key(j, "responses");
    pz_json_begin_object(j);
    response_members(j, x->turns, x->unanswered, x->late, x->median_minutes);
    pz_json_key(j, "channels");
    pz_json_begin_array(j);
    for (int i = 0; i < x->n_channels; i++) {
        const struct report_response_channel *ch = &x->channels[i];
        pz_json_begin_object(j);
        pz_json_kstr(j, "channel", ch->channel);
        response_members(j, ch->turns, ch->unanswered, ch->late, ch->median_minutes);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    pz_json_end_object(j);
}

void h_objectives_report(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0), as_of, cum = 0, cum_cost = 0, cum_value = 0, roi;
    struct objective o = {0};
    struct report *rep;
    struct pz_json *j;
    char day[16];
    int r;

    if (id < 0 || (as_of = query_as_of(c)) == -2)
        return;
    r = objective_get(c->conn, c->who.workspace.id, id, &o);
    if (r < 0) {
        reply_failure(c, r, NULL, "objective");
        return;
    }
    /* Hits answered before this request are in the figures. */
    hitq_sync(c->api->hits, 2000);
    rep = xcalloc(1, sizeof(*rep));
    r = report_build(c->conn, c->who.workspace.id, &o, as_of, rep);
    if (r < 0) {
        report_release(rep);
        free(rep);
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "objective");
    pz_json_begin_object(j);
    objective_members(j, &o);
    present_progress(j, &o, &rep->p);
    pz_json_end_object(j);
    pz_json_kstr(j, "as_of", pz_day_format(rep->p.as_of_day, day, sizeof(day)));
    pz_json_kstr(j, "currency", "EUR");
    figures(j, &o, &rep->total);
    pz_json_kfixed(j, "hours_without_rate", (rep->total.minutes_unpriced * 100 + 30) / 60, 2);
    pz_json_kint(j, "unattributed_conversions", rep->unattributed);
    pz_json_key(j, "other_currencies");
    pz_json_begin_object(j);
    money_list(j, "costs", rep->other_costs, rep->n_other_costs);
    money_list(j, "values", rep->other_values, rep->n_other_values);
    pz_json_end_object(j);
    pz_json_key(j, "campaigns");
    pz_json_begin_array(j);
    for (int i = 0; i < rep->n_campaigns; i++) {
        const struct report_campaign *k = &rep->campaigns[i];
        pz_json_begin_object(j);
        pz_json_kint(j, "id", k->id);
        pz_json_kstr(j, "name", k->name);
        pz_json_kstr(j, "channel", k->channel);
        if (k->budget_cents >= 0)
            pz_json_kfixed(j, "budget", k->budget_cents, 2);
        else
            pz_json_knull(j, "budget");
        figures(j, &o, &k->f);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    pz_json_key(j, "channels");
    pz_json_begin_array(j);
    for (int i = 0; i < rep->n_channels; i++) {
        pz_json_begin_object(j);
        pz_json_kstr(j, "channel", rep->channels[i].channel);
        figures(j, &o, &rep->channels[i].f);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    pz_json_key(j, "funnel");
    pz_json_begin_array(j);
    for (int i = 0; i < rep->n_steps; i++) {
        pz_json_begin_object(j);
        pz_json_kstr(j, "step", rep->steps[i].name);
        pz_json_kint(j, "count", rep->steps[i].count);
        if (i == 0)
            pz_json_knull(j, "rate");
        else
            kpct(j, "rate", rep->steps[i].count, rep->steps[i - 1].count);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    pz_json_key(j, "series");
    pz_json_begin_array(j);
    for (int i = 0; i < rep->n_days; i++) {
        const struct report_day *d = &rep->days[i];
        int64_t elapsed = d->day - rep->p.start_day + 1;
        int lower = strcmp(o.metric, "response_time") == 0;
        cum += d->value > 0 ? d->value : 0;
        cum_cost += d->cost_cents;
        pz_json_begin_object(j);
        pz_json_kstr(j, "date", pz_day_format(d->day, day, sizeof(day)));
        kmetric(j, "value", &o, d->value);
        /* Response time: the median so far against the maximum, not a running sum. */
        kmetric(j, "cumulative", &o, lower ? d->to_date : cum);
        kmetric(j, "pace", &o,
                lower ? o.target
                      : (o.target * elapsed * 2 + rep->p.days_total) / (2 * rep->p.days_total));
        pz_json_kint(j, "conversions", d->conversions);
        pz_json_kint(j, "clicks", d->clicks);
        pz_json_kfixed(j, "cost", d->cost_cents, 2);
        pz_json_kfixed(j, "cumulative_cost", cum_cost, 2);
        /* ROI over time: the value and the cost so far, in euros. */
        cum_value += d->value_cents;
        pz_json_kfixed(j, "cumulative_value", cum_value, 2);
        roi = report_roi_bp(cum_value, cum_cost);
        if (roi == INT64_MIN)
            pz_json_knull(j, "roi");
        else
            pz_json_kfixed(j, "roi", roi, 2);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    if (strcmp(o.metric, "response_time") == 0)
        present_responses(j, &rep->responses);
    if (rep->explanation_en[0]) {
        pz_json_key(j, "explanation");
        pz_json_begin_object(j);
        pz_json_kstr(j, "text",
                     strcmp(lang_of(c), "it") == 0 ? rep->explanation_it : rep->explanation_en);
        pz_json_kstr(j, "it", rep->explanation_it);
        pz_json_kstr(j, "en", rep->explanation_en);
        pz_json_kint_or_null(j, "shortfall_campaign_id", rep->shortfall_campaign_id);
        pz_json_end_object(j);
    } else {
        pz_json_knull(j, "explanation");
    }
    pz_json_end_object(j);
    report_release(rep);
    free(rep);
    reply_end(c);
}

/* --- campaigns ---------------------------------------------------------------------------- */

static int read_campaign_fields(json_t *body, struct campaign_fields *f, struct pz_err *err)
{
    int r = 0;

    campaign_fields_init(f);
    if (r == 0)
        r = get_str(body, "name", 0, GOAL_NAME_MAX * 4, &f->name, err);
    if (r == 0)
        r = get_str(body, "channel", 0, 32, &f->channel, err);
    if (r == 0)
        r = get_str(body, "start", 0, 32, &f->start_day, err);
    if (r == 0)
        r = get_str(body, "end", 0, 32, &f->end_day, err);
    if (r == 0)
        r = get_id(body, "objective_id", -2, &f->objective_id, err);
    if (r == 0)
        r = get_scaled(body, "budget", 100, 100000000000LL, -2, -1, &f->budget_cents, err);
    if (r == 0)
        r = get_scaled(body, "target", 1, GOAL_TARGET_MAX, -2, -1, &f->target, err);
    if (r == 0 && f->target == 0)
        r = pz_err_set(err, "goals.bad_amount", "target", "target must be positive");
    return r < 0 ? PZ_EINVAL : 0;
}

void h_campaigns_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    struct campaign_fields f;
    struct pz_err err = {0};
    struct campaign k = {0};
    int r;

    if (!body)
        return;
    r = read_campaign_fields(body, &f, &err);
    if (r == 0 && (!f.name || !*f.name))
        r = pz_err_set(&err, "goals.missing_field", "name", "name is required");
    if (r == 0)
        r = campaign_create(c->conn, c->who.workspace.id, &f, &k, &err);
    if (r < 0) {
        reply_failure(c, r, &err, "campaign");
        return;
    }
    present_campaign(reply_begin(c, 201), &k);
    reply_end(c);
}

static void campaign_one(const struct campaign *k, void *arg)
{
    struct reply_list *ls = arg;
    present_campaign(ls->j, k);
    reply_list_item(ls, k->id);
}

void h_campaigns_list(struct pz_ctx *c)
{
    struct reply_list ls;
    int64_t objective;

    if (query_id(c, "objective_id", &objective) < 0 || reply_list_begin(c, &ls) < 0)
        return;
    reply_list_end(c, &ls,
                   campaign_list(c->conn, c->who.workspace.id, objective, ls.cursor, ls.limit,
                                 campaign_one, &ls));
}

void h_campaigns_get(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    struct campaign k = {0};
    int r;

    if (id < 0)
        return;
    r = campaign_get(c->conn, c->who.workspace.id, id, &k);
    if (r < 0) {
        reply_failure(c, r, NULL, "campaign");
        return;
    }
    present_campaign(reply_begin(c, 200), &k);
    reply_end(c);
}

void h_campaigns_patch(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    json_t *body;
    struct campaign_fields f;
    struct pz_err err = {0};
    struct campaign k = {0};
    int r;

    if (id < 0 || !(body = ctx_body(c)))
        return;
    r = read_campaign_fields(body, &f, &err);
    if (r == 0)
        r = campaign_update(c->conn, c->who.workspace.id, id, &f, &k, &err);
    if (r < 0) {
        reply_failure(c, r, &err, "campaign");
        return;
    }
    present_campaign(reply_begin(c, 200), &k);
    reply_end(c);
}

/* --- links -------------------------------------------------------------------------------- */

void h_links_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *url = NULL, *name = NULL;
    int64_t campaign = -1;
    struct pz_err err = {0};
    struct link l = {0};
    int r;

    if (!body)
        return;
    r = get_str(body, "url", 1, LINK_URL_MAX + 1, &url, &err);
    if (r == 0)
        r = get_str(body, "name", 0, GOAL_NAME_MAX * 4, &name, &err);
    if (r == 0)
        r = get_id(body, "campaign_id", -1, &campaign, &err);
    if (r == 0)
        r = link_create(c->conn, c->who.workspace.id, campaign, url, name, c->who.user.id, &l,
                        &err);
    if (r < 0) {
        reply_failure(c, r, &err, "link");
        return;
    }
    present_link(c, reply_begin(c, 201), &l, 1);
    reply_end(c);
}

struct link_arg {
    struct pz_ctx *c;
    struct reply_list *ls;
};

static void link_one(const struct link *l, void *arg)
{
    struct link_arg *a = arg;
    present_link(a->c, a->ls->j, l, 1);
    reply_list_item(a->ls, l->id);
}

void h_links_list(struct pz_ctx *c)
{
    struct reply_list ls;
    struct link_arg a = {c, &ls};
    int64_t campaign;

    if (query_id(c, "campaign_id", &campaign) < 0 || reply_list_begin(c, &ls) < 0)
        return;
    hitq_sync(c->api->hits, 2000);
    reply_list_end(
        c, &ls,
        link_list(c->conn, c->who.workspace.id, campaign, ls.cursor, ls.limit, link_one, &a));
}

void h_links_get(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    struct link l = {0};
    int r;

    if (id < 0)
        return;
    r = link_get(c->conn, c->who.workspace.id, id, &l);
    if (r < 0) {
        reply_failure(c, r, NULL, "link");
        return;
    }
    /* Clicks answered before this request are counted. */
    hitq_sync(c->api->hits, 2000);
    present_link(c, reply_begin(c, 200), &l, 1);
    reply_end(c);
}

void h_links_patch(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    json_t *body;
    const char *url = NULL, *name = NULL;
    struct pz_err err = {0};
    struct link l = {0};
    int r;

    if (id < 0 || !(body = ctx_body(c)))
        return;
    /* Clicks count for the campaign through their link: moving a link would move its past. */
    if (json_object_get(body, "campaign_id")) {
        pz_err_set(&err, "goals.invalid_field", "campaign_id",
                   "a link's campaign cannot change (its clicks belong to it): make a new link");
        reply_err(c, &err);
        return;
    }
    r = get_str(body, "url", 0, LINK_URL_MAX + 1, &url, &err);
    if (r == 0)
        r = get_str(body, "name", 0, GOAL_NAME_MAX * 4, &name, &err);
    if (r == 0)
        r = link_update(c->conn, c->who.workspace.id, id, url, name, &l, &err);
    if (r < 0) {
        reply_failure(c, r, &err, "link");
        return;
    }
    present_link(c, reply_begin(c, 200), &l, 1);
    reply_end(c);
}

static void reply_qr(struct pz_ctx *c, int svg)
{
    int64_t id = ctx_param_id(c, 0);
    char base[300], url[400];
    struct link l = {0};
    int r;

    if (id < 0)
        return;
    r = link_get(c->conn, c->who.workspace.id, id, &l);
    if (r < 0) {
        reply_failure(c, r, NULL, "link");
        return;
    }
    base_url(c, base, sizeof(base));
    snprintf(url, sizeof(url), "%s/l/%s", base, l.slug);
    reply_empty(c, 200);
    r = svg ? qr_svg(url, &c->req->out) : qr_png(url, 8, &c->req->out);
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    c->req->content_type = svg ? "image/svg+xml" : "image/png";
    pz_http_add_header_static(c->req, "Content-Disposition",
                              svg ? "inline; filename=\"qr.svg\"" : "inline; filename=\"qr.png\"");
}

void h_links_qr_png(struct pz_ctx *c)
{
    reply_qr(c, 0);
}

void h_links_qr_svg(struct pz_ctx *c)
{
    reply_qr(c, 1);
}

/* --- investments -------------------------------------------------------------------------- */

void h_investments_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    struct investment_in in;
    struct pz_err err = {0};
    struct investment i = {0};
    int r;

    if (!body)
        return;
    investment_in_init(&in);
    r = get_str(body, "kind", 1, 16, &in.kind, &err);
    if (r == 0)
        r = get_str(body, "date", 0, 32, &in.day, &err);
    if (r == 0)
        r = get_str(body, "currency", 0, 8, &in.currency, &err);
    if (r == 0)
        r = get_str(body, "category", 0, 32, &in.category, &err);
    if (r == 0)
        r = get_str(body, "activity", 0, INVEST_TEXT_MAX, &in.activity, &err);
    if (r == 0)
        r = get_str(body, "note", 0, INVEST_TEXT_MAX, &in.note, &err);
    if (r == 0)
        r = get_id(body, "objective_id", -1, &in.objective_id, &err);
    if (r == 0)
        r = get_id(body, "campaign_id", -1, &in.campaign_id, &err);
    if (r == 0)
        r = get_id(body, "user_id", -1, &in.user_id, &err);
    /* Amounts past the limit are refused by the model with its own words; cap the parse only. */
    if (r == 0)
        r = get_scaled(body, "amount", 100, INT64_MAX / 4, -1, -1, &in.amount_cents, &err);
    if (r == 0)
        r = get_scaled(body, "hours", 60, INT64_MAX / 4, -1, -1, &in.minutes, &err);
    if (r == 0 && json_is_number(json_object_get(body, "amount")) && in.amount_cents == 0)
        r = pz_err_set(&err, "goals.bad_amount", "amount", "amount must be more than 0");
    if (r == 0 && json_is_number(json_object_get(body, "hours")) && in.minutes == 0)
        r = pz_err_set(&err, "goals.bad_amount", "hours", "hours must be more than 0");
    if (r == 0 && !in.day) {
        static _Thread_local char today[16];
        in.day = pz_day_format(pz_now_ms() / PZ_DAY_MS, today, sizeof(today));
    }
    if (r < 0) {
        reply_err(c, &err);
        return;
    }
    /* Spending is a manager's call; anyone logs their own hours, a manager anyone's. */
    if (strcmp(in.kind, "money") == 0 && !role_allows(c->who.user.role, ROLE_MANAGER, 1)) {
        reply_error(c, "auth.forbidden", "only a manager or an owner records money spent");
        return;
    }
    if (strcmp(in.kind, "time") == 0 && in.user_id > 0 && in.user_id != c->who.user.id &&
        !role_allows(c->who.user.role, ROLE_MANAGER, 1)) {
        reply_error(c, "auth.forbidden", "only a manager or an owner logs someone else's hours");
        return;
    }
    r = investment_create(c->conn, c->who.workspace.id, c->who.user.id, &in, &i, &err);
    if (r < 0) {
        reply_failure(c, r, &err, "investment");
        return;
    }
    present_investment(c, reply_begin(c, 201), &i);
    reply_end(c);
}

struct inv_arg {
    struct pz_ctx *c;
    struct reply_list *ls;
};

static void investment_one(const struct investment *i, void *arg)
{
    struct inv_arg *a = arg;
    present_investment(a->c, a->ls->j, i);
    reply_list_item(a->ls, i->id);
}

void h_investments_list(struct pz_ctx *c)
{
    struct reply_list ls;
    struct inv_arg a = {c, &ls};
    const char *kind = pz_http_query(c->req, "kind");
    int64_t objective, campaign;

    if (query_id(c, "objective_id", &objective) < 0 || query_id(c, "campaign_id", &campaign) < 0)
        return;
    if (kind && *kind && strcmp(kind, "money") != 0 && strcmp(kind, "time") != 0) {
        struct pz_err err = {0};
        pz_err_set(&err, "goals.invalid_field", "kind", "kind must be money or time");
        reply_err(c, &err);
        return;
    }
    if (reply_list_begin(c, &ls) < 0)
        return;
    reply_list_end(c, &ls,
                   investment_list(c->conn, c->who.workspace.id, objective, campaign, kind,
                                   ls.cursor, ls.limit, investment_one, &a));
}

void h_investments_delete(struct pz_ctx *c)
{
    int64_t id = ctx_param_id(c, 0);
    struct investment i = {0};
    int r;

    if (id < 0)
        return;
    r = investment_get(c->conn, c->who.workspace.id, id, &i);
    if (r < 0) {
        reply_failure(c, r, NULL, "investment");
        return;
    }
    if (!role_allows(c->who.user.role, ROLE_MANAGER, 1) &&
        !(strcmp(i.kind, "time") == 0 && i.user_id == c->who.user.id)) {
        reply_error(c, "auth.forbidden", "only a manager deletes an entry that is not your time");
        return;
    }
    r = investment_delete(c->conn, c->who.workspace.id, id);
    if (r < 0) {
        reply_failure(c, r, NULL, "investment");
        return;
    }
    reply_empty(c, 204);
}

/* --- hourly rates ------------------------------------------------------------------------- */

static void rate_one(const char *scope, const char *subject, int64_t cents, int64_t at, void *arg)
{
    struct reply_list *ls = arg;
    struct pz_json *j = ls->j;
    int64_t id = 0;

    pz_json_begin_object(j);
    if (strcmp(scope, "user") == 0 && pz_parse_int64(subject, 1, INT64_MAX, &id) == 0) {
        pz_json_kint(j, "user_id", id);
        pz_json_knull(j, "role");
    } else {
        pz_json_knull(j, "user_id");
        pz_json_kstr(j, "role", subject);
    }
    pz_json_kfixed(j, "rate", cents, 2);
    pz_json_kstr(j, "currency", "EUR");
    pz_json_kint(j, "updated_at", at);
    pz_json_end_object(j);
    ls->n++;
}

void h_rates_list(struct pz_ctx *c)
{
    struct reply_list ls;

    memset(&ls, 0, sizeof(ls));
    ls.j = reply_all_begin(c);
    reply_all_end(c, ls.j, rate_list(c->conn, c->who.workspace.id, rate_one, &ls));
}

void h_rates_put(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *role = NULL;
    int64_t user = -2, cents = -2;
    char subject[24];
    struct pz_err err = {0};
    struct pz_json *j;
    int r;

    if (!body)
        return;
    r = get_str(body, "role", 0, 16, &role, &err);
    if (r == 0)
        r = get_id(body, "user_id", -2, &user, &err);
    if (r == 0)
        r = get_scaled(body, "rate", 100, INVEST_RATE_MAX, -2, -1, &cents, &err);
    if (r == 0 && (user > 0) == (role != NULL))
        r = pz_err_set(&err, "goals.missing_field", "user_id", "give either user_id or role");
    if (r == 0 && cents == -2)
        r = pz_err_set(&err, "goals.missing_field", "rate",
                       "rate is required (an amount an hour; null removes it)");
    if (r < 0) {
        reply_err(c, &err);
        return;
    }
    if (user > 0)
        snprintf(subject, sizeof(subject), "%lld", (long long)user);
    else
        snprintf(subject, sizeof(subject), "%s", role);
    if (cents == -1) {
        r = rate_clear(c->conn, c->who.workspace.id, user > 0 ? "user" : "role", subject);
        if (r == PZ_ENOTFOUND)
            r = 0;
    } else {
        r = rate_set(c->conn, c->who.workspace.id, user > 0 ? "user" : "role", subject, cents,
                     &err);
    }
    if (r < 0) {
        reply_failure(c, r, &err, "rate");
        return;
    }
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    if (user > 0) {
        pz_json_kint(j, "user_id", user);
        pz_json_knull(j, "role");
    } else {
        pz_json_knull(j, "user_id");
        pz_json_kstr(j, "role", role);
    }
    if (cents >= 0)
        pz_json_kfixed(j, "rate", cents, 2);
    else
        pz_json_knull(j, "rate");
    pz_json_kstr(j, "currency", "EUR");
    pz_json_end_object(j);
    reply_end(c);
}

/* --- the timer ---------------------------------------------------------------------------- */

static void present_timer(struct pz_json *j, const struct timer *t)
{
    pz_json_begin_object(j);
    pz_json_kint(j, "started_at", t->started_at);
    pz_json_kint_or_null(j, "objective_id", t->objective_id);
    pz_json_kint_or_null(j, "campaign_id", t->campaign_id);
    pz_json_kstr(j, "activity", t->activity[0] ? t->activity : NULL);
    pz_json_kint(j, "elapsed_seconds", (pz_now_ms() - t->started_at) / 1000);
    pz_json_end_object(j);
}

void h_timer_get(struct pz_ctx *c)
{
    struct timer t = {0};
    struct pz_json *j;
    int r = timer_get(c->conn, c->who.workspace.id, c->who.user.id, &t);

    if (r < 0 && r != PZ_ENOTFOUND) {
        reply_internal(c, r);
        return;
    }
    j = reply_begin(c, 200);
    pz_json_begin_object(j);
    pz_json_key(j, "timer");
    if (r == 0)
        present_timer(j, &t);
    else
        pz_json_null(j);
    pz_json_end_object(j);
    reply_end(c);
}

void h_timer_start(struct pz_ctx *c)
{
    json_t *body = ctx_body(c);
    const char *activity = NULL;
    int64_t objective = -1, campaign = -1;
    struct pz_err err = {0};
    struct timer t = {0};
    struct pz_json *j;
    int r;

    if (!body)
        return;
    r = get_str(body, "activity", 0, INVEST_TEXT_MAX, &activity, &err);
    if (r == 0)
        r = get_id(body, "objective_id", -1, &objective, &err);
    if (r == 0)
        r = get_id(body, "campaign_id", -1, &campaign, &err);
    if (r == 0)
        r = timer_start(c->conn, c->who.workspace.id, c->who.user.id, objective, campaign, activity,
                        &t, &err);
    if (r == PZ_EEXIST) {
        reply_error(c, "goals.timer_running", NULL);
        return;
    }
    if (r < 0) {
        reply_failure(c, r, &err, "timer");
        return;
    }
    j = reply_begin(c, 201);
    pz_json_begin_object(j);
    pz_json_key(j, "timer");
    present_timer(j, &t);
    pz_json_end_object(j);
    reply_end(c);
}

void h_timer_stop(struct pz_ctx *c)
{
    struct investment i = {0};
    int r = timer_stop(c->conn, c->who.workspace.id, c->who.user.id, &i);

    if (r == PZ_ENOTFOUND) {
        reply_error(c, "goals.no_timer", NULL);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    present_investment(c, reply_begin(c, 201), &i);
    reply_end(c);
}

/* --- conversions -------------------------------------------------------------------------- */

void h_conversions_create(struct pz_ctx *c)
{
    json_t *body = ctx_body(c), *contact;
    struct conversion_in in = {0};
    struct pz_err err = {0};
    struct conversion v = {0};
    int duplicate = 0, r;

    if (!body)
        return;
    in.contact_id = -1;
    in.at = -1;
    r = get_str(body, "event", 1, 64, &in.event, &err);
    if (r == 0)
        r = get_str(body, "currency", 0, 8, &in.currency, &err);
    if (r == 0)
        r = get_str(body, "pz", 0, TRACK_PZ_MAX, &in.pz, &err);
    if (r == 0)
        r = get_str(body, "idempotency_key", 1, CONVERSION_KEY_MAX + 1, &in.idempotency_key, &err);
    if (r == 0)
        r = get_scaled(body, "value", 100, INT64_MAX / 4, 0, 0, &in.value_cents, &err);
    contact = json_object_get(body, "contact");
    if (r == 0 && contact && !json_is_null(contact)) {
        if (json_is_integer(contact) && json_integer_value(contact) > 0)
            in.contact_id = (int64_t)json_integer_value(contact);
        else if (json_is_string(contact) && strlen(json_string_value(contact)) < 320)
            in.contact_email = json_string_value(contact);
        else
            r = pz_err_set(&err, "goals.invalid_field", "contact",
                           "contact must be a contact id or an e-mail address");
    }
    if (r == 0 && json_object_get(body, "at")) {
        json_t *at = json_object_get(body, "at");
        if (!json_is_integer(at) || json_integer_value(at) < 0)
            r = pz_err_set(&err, "goals.bad_date", "at",
                           "at must be milliseconds since 1970 (UTC)");
        else
            in.at = (int64_t)json_integer_value(at);
    }
    if (r == 0)
        r = conversion_record(c->conn, c->api->track_key, c->who.workspace.id, c->who.user.id, &in,
                              &v, &duplicate, &err);
    if (r < 0) {
        reply_failure(c, r, &err, "conversion");
        return;
    }
    present_conversion(reply_begin(c, duplicate ? 200 : 201), &v, duplicate);
    reply_end(c);
}

static void conversion_one(const struct conversion *v, void *arg)
{
    struct reply_list *ls = arg;
    present_conversion(ls->j, v, -1);
    reply_list_item(ls, v->id);
}

void h_conversions_list(struct pz_ctx *c)
{
    struct reply_list ls;
    const char *event = pz_http_query(c->req, "event");
    int64_t campaign;

    if (query_id(c, "campaign_id", &campaign) < 0 || reply_list_begin(c, &ls) < 0)
        return;
    reply_list_end(c, &ls,
                   conversion_list(c->conn, c->who.workspace.id, event, campaign, ls.cursor,
                                   ls.limit, conversion_one, &ls));
}
