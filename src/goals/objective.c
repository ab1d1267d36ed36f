/*
 * Objectives and campaigns. See objective.h. Create and update share one
 * path: the record is filled (from nothing, or from the stored row), the
 * given fields applied, the whole validated, then written.
 */
#include "goals/objective.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts/contact.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/text.h"
#include "goals/link.h"
#include "goals/track.h"
#include "core/banned.h"

static const struct {
    const char *name, *medium;
} channels[] = {
    {"linkedin", "social"},  {"facebook", "social"}, {"instagram", "social"}, {"x", "social"},
    {"tiktok", "social"},    {"youtube", "social"},  {"whatsapp", "chat"},    {"telegram", "chat"},
    {"newsletter", "email"}, {"email", "email"},     {"website", "referral"}, {"google_ads", "cpc"},
    {"meta_ads", "cpc"},     {"print", "print"},     {"event", "offline"},    {"other", "other"},
};

int goal_channel_valid(const char *s)
{
    return goal_channel_medium(s) != NULL;
}

const char *goal_channel_medium(const char *s)
{
    for (size_t i = 0; s && i < sizeof(channels) / sizeof(channels[0]); i++)
        if (strcmp(channels[i].name, s) == 0)
            return channels[i].medium;
    return NULL;
}

static void copy(char *out, size_t outsz, const char *s)
{
    snprintf(out, outsz, "%s", s ? s : "");
}

static int name_ok(const char *s, const char *field, struct pz_err *err)
{
    size_t n;

    if (!s || !*s)
        return pz_err_set(err, "goals.missing_field", field, "%s is required", field);
    n = strlen(s);
    if (!pz_utf8_valid(s, n) || pz_utf8_count(s) > GOAL_NAME_MAX)
        return pz_err_set(err, "goals.invalid_field", field,
                          "%s must be text of at most %d characters", field, GOAL_NAME_MAX);
    return 0;
}

/* Checks DAY ("" allowed when OPTIONAL) and returns its number in *N. */
static int day_ok(const char *day, int optional, const char *field, int64_t *n, struct pz_err *err)
{
    if (!day || !*day) {
        *n = -1;
        if (optional)
            return 0;
        return pz_err_set(err, "goals.missing_field", field, "%s is required (YYYY-MM-DD)", field);
    }
    if (pz_day_parse(day, n) < 0)
        return pz_err_set(err, "goals.bad_date", field, "%s must be a date YYYY-MM-DD, not '%s'",
                          field, day);
    return 0;
}

/* Checks a comma-separated list: each item passes OK; no empty items. */
static int list_ok(const char *list, int (*ok)(const char *), int max_items, const char *field,
                   struct pz_err *err)
{
    char item[64];
    const char *p = list;
    int n = 0;

    if (strlen(list) > GOAL_TEXT_MAX)
        return pz_err_set(err, "goals.invalid_field", field, "%s is too long", field);
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof(item))
            return pz_err_set(err, "goals.invalid_field", field, "%s has an empty or long item",
                              field);
        memcpy(item, p, len);
        item[len] = '\0';
        if (!ok(item))
            return pz_err_set(err, "goals.invalid_field", field, "%s: '%s' is not known", field,
                              item);
        if (++n > max_items)
            return pz_err_set(err, "goals.invalid_field", field, "%s has more than %d items", field,
                              max_items);
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int funnel_step_ok(const char *s)
{
    return strcmp(s, "click") == 0 || track_event_valid(s);
}

/* --- objectives ------------------------------------------------------------------------- */

void objective_fields_init(struct objective_fields *f)
{
    memset(f, 0, sizeof(*f));
    f->target = -2;
    f->owner_user_id = -2;
}

static void apply_objective(struct objective *o, const struct objective_fields *f)
{
    if (f->name)
        copy(o->name, sizeof(o->name), f->name);
    if (f->metric)
        copy(o->metric, sizeof(o->metric), f->metric);
    if (f->event)
        copy(o->event, sizeof(o->event), f->event);
    if (f->stage)
        copy(o->stage, sizeof(o->stage), f->stage);
    if (f->start_day)
        copy(o->start_day, sizeof(o->start_day), f->start_day);
    if (f->end_day)
        copy(o->end_day, sizeof(o->end_day), f->end_day);
    if (f->department)
        copy(o->department, sizeof(o->department), f->department);
    if (f->channels)
        copy(o->channels, sizeof(o->channels), f->channels);
    if (f->funnel)
        copy(o->funnel, sizeof(o->funnel), f->funnel);
    if (f->target != -2)
        o->target = f->target;
    if (f->owner_user_id != -2)
        o->owner_user_id = f->owner_user_id;
}

/* Validates F's strings before they are copied (so a long value is refused, not cut). */
static int fields_ok(const struct objective_fields *f, struct pz_err *err)
{
    if (f->event && strlen(f->event) > TRACK_EVENT_MAX)
        return pz_err_set(err, "goals.invalid_field", "event", "event is too long");
    if (f->department && strlen(f->department) > GOAL_TEXT_MAX)
        return pz_err_set(err, "goals.invalid_field", "department", "department is too long");
    if (f->start_day && strlen(f->start_day) > 10)
        return pz_err_set(err, "goals.bad_date", "start", "start must be a date YYYY-MM-DD");
    if (f->end_day && strlen(f->end_day) > 10)
        return pz_err_set(err, "goals.bad_date", "end", "end must be a date YYYY-MM-DD");
    if (f->metric && strlen(f->metric) >= 16)
        return pz_err_set(err, "goals.invalid_field", "metric", "unknown metric");
    if (f->stage && strlen(f->stage) >= 16)
        return pz_err_set(err, "goals.invalid_field", "stage", "unknown stage");
    if (f->name && name_ok(f->name, "name", err) < 0)
        return PZ_EINVAL;
    if (f->channels && list_ok(f->channels, goal_channel_valid, 16, "channels", err) < 0)
        return PZ_EINVAL;
    if (f->funnel && list_ok(f->funnel, funnel_step_ok, GOAL_FUNNEL_MAX, "funnel", err) < 0)
        return PZ_EINVAL;
    return 0;
}

static int user_exists(struct pz_conn *conn, int64_t ws, int64_t id)
{
    int64_t one = 0;
    int r = pz_sql_int_query(conn, "SELECT 1 FROM users WHERE workspace_id = $1 AND id = $2", &one,
                             "ii", ws, id);
    return r < 0 ? r : r == PZ_SQL_ROW;
}

static int objective_ok(struct pz_conn *conn, int64_t ws, const struct objective *o,
                        struct pz_err *err)
{
    int64_t start, end;
    int r;

    if (name_ok(o->name, "name", err) < 0)
        return PZ_EINVAL;
    if (!o->metric[0])
        return pz_err_set(err, "goals.missing_field", "metric", "metric is required");
    if (strcmp(o->metric, "conversions") != 0 && strcmp(o->metric, "revenue") != 0 &&
        strcmp(o->metric, "clicks") != 0 && strcmp(o->metric, "contacts") != 0 &&
        strcmp(o->metric, "response_time") != 0)
        return pz_err_set(err, "goals.invalid_field", "metric",
                          "metric must be conversions, revenue, clicks, contacts or response_time");
    if ((strcmp(o->metric, "conversions") == 0 || strcmp(o->metric, "revenue") == 0) &&
        !o->event[0])
        return pz_err_set(err, "goals.missing_field", "event",
                          "event is required: the conversion event the objective counts");
    if (o->event[0] && !track_event_valid(o->event))
        return pz_err_set(err, "goals.invalid_field", "event",
                          "event must be 1-48 of a-z, 0-9, _ . - starting with a letter");
    if (strcmp(o->metric, "contacts") == 0 && !o->stage[0])
        return pz_err_set(err, "goals.missing_field", "stage",
                          "stage is required: the contact stage the objective counts");
    if (o->stage[0] && !contact_stage_valid(o->stage))
        return pz_err_set(err, "goals.invalid_field", "stage",
                          "stage must be stranger, lead, prospect, customer, advocate or former");
    if (o->target == -2)
        return pz_err_set(err, "goals.missing_field", "target", "target is required");
    if (o->target <= 0 || o->target > GOAL_TARGET_MAX)
        return pz_err_set(err, "goals.bad_amount", "target", "target must be positive and sane");
    if (strcmp(o->metric, "response_time") == 0 && o->target > GOAL_RESPONSE_MAX_MIN)
        return pz_err_set(err, "goals.bad_amount", "target",
                          "a response time target is at most %d minutes (a year)",
                          GOAL_RESPONSE_MAX_MIN);
    if (day_ok(o->start_day, 0, "start", &start, err) < 0 ||
        day_ok(o->end_day, 0, "end", &end, err) < 0)
        return PZ_EINVAL;
    if (end < start)
        return pz_err_set(err, "goals.bad_date", "end", "end must not be before start");
    if (end - start + 1 > GOAL_MAX_DAYS)
        return pz_err_set(err, "goals.bad_date", "end", "an objective spans at most %d days",
                          GOAL_MAX_DAYS);
    if (o->owner_user_id > 0) {
        r = user_exists(conn, ws, o->owner_user_id);
        if (r < 0)
            return r;
        if (!r)
            return pz_err_set(err, "goals.unknown_reference", "owner",
                              "owner is not a user of this workspace");
    }
    return 0;
}

#define OBJECTIVE_COLUMNS                                                                          \
    "id, name, metric, event, stage, target, start_day, end_day, owner_user_id, department,"       \
    " channels, funnel, created_at, updated_at"

static void read_objective(struct pz_stmt *st, struct objective *o)
{
    memset(o, 0, sizeof(*o));
    o->id = pz_sql_int(st, 0);
    copy(o->name, sizeof(o->name), pz_sql_text(st, 1));
    copy(o->metric, sizeof(o->metric), pz_sql_text(st, 2));
    copy(o->event, sizeof(o->event), pz_sql_text(st, 3));
    copy(o->stage, sizeof(o->stage), pz_sql_text(st, 4));
    o->target = pz_sql_int(st, 5);
    copy(o->start_day, sizeof(o->start_day), pz_sql_text(st, 6));
    copy(o->end_day, sizeof(o->end_day), pz_sql_text(st, 7));
    o->owner_user_id = pz_sql_is_null(st, 8) ? -1 : pz_sql_int(st, 8);
    copy(o->department, sizeof(o->department), pz_sql_text(st, 9));
    copy(o->channels, sizeof(o->channels), pz_sql_text(st, 10));
    copy(o->funnel, sizeof(o->funnel), pz_sql_text(st, 11));
    o->created_at = pz_sql_int(st, 12);
    o->updated_at = pz_sql_int(st, 13);
}

static void bind_objective(struct pz_stmt *st, int64_t ws, const struct objective *o)
{
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, o->name);
    pz_sql_bind_text(st, 3, o->metric);
    pz_sql_bind_text(st, 4, o->event[0] ? o->event : NULL);
    pz_sql_bind_text(st, 5, o->stage[0] ? o->stage : NULL);
    pz_sql_bind_int(st, 6, o->target);
    pz_sql_bind_text(st, 7, o->start_day);
    pz_sql_bind_text(st, 8, o->end_day);
    if (o->owner_user_id > 0)
        pz_sql_bind_int(st, 9, o->owner_user_id);
    else
        pz_sql_bind_null(st, 9);
    pz_sql_bind_text(st, 10, o->department);
    pz_sql_bind_text(st, 11, o->channels);
    pz_sql_bind_text(st, 12, o->funnel);
    pz_sql_bind_int(st, 13, o->updated_at);
}

int objective_create(struct pz_conn *conn, int64_t ws, const struct objective_fields *f,
                     struct objective *out, struct pz_err *err)
{
    struct pz_stmt *st;
    int r;

    memset(out, 0, sizeof(*out));
    out->target = -2;
    out->owner_user_id = -1;
    if (fields_ok(f, err) < 0)
        return PZ_EINVAL;
    apply_objective(out, f);
    r = objective_ok(conn, ws, out, err);
    if (r < 0)
        return r;
    out->created_at = out->updated_at = pz_now_ms();
    st = pz_sql(conn, "INSERT INTO objectives (workspace_id, name, metric, event, stage, target,"
                      " start_day, end_day, owner_user_id, department, channels, funnel,"
                      " updated_at, created_at)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)"
                      " RETURNING id");
    if (!st)
        return PZ_EDB;
    bind_objective(st, ws, out);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        out->id = pz_sql_int(st, 0);
    pz_sql_done(st);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

int objective_update(struct pz_conn *conn, int64_t ws, int64_t id, const struct objective_fields *f,
                     struct objective *out, struct pz_err *err)
{
    struct pz_stmt *st;
    int r = objective_get(conn, ws, id, out);

    if (r < 0)
        return r;
    if (fields_ok(f, err) < 0)
        return PZ_EINVAL;
    apply_objective(out, f);
    r = objective_ok(conn, ws, out, err);
    if (r < 0)
        return r;
    out->updated_at = pz_now_ms();
    st = pz_sql(conn, "UPDATE objectives SET name = $2, metric = $3, event = $4, stage = $5,"
                      " target = $6, start_day = $7, end_day = $8, owner_user_id = $9,"
                      " department = $10, channels = $11, funnel = $12, updated_at = $13"
                      " WHERE workspace_id = $1 AND id = $14");
    if (!st)
        return PZ_EDB;
    bind_objective(st, ws, out);
    pz_sql_bind_int(st, 14, id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int objective_get(struct pz_conn *conn, int64_t ws, int64_t id, struct objective *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " OBJECTIVE_COLUMNS
                                      " FROM objectives WHERE workspace_id = $1 AND id = $2");
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_objective(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int objective_list(struct pz_conn *conn, int64_t ws, int64_t after, int limit,
                   void (*fn)(const struct objective *o, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " OBJECTIVE_COLUMNS " FROM objectives"
                                      " WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3");
    struct objective *o = xmalloc(sizeof(*o));
    int r;

    if (!st) {
        free(o);
        return PZ_EDB;
    }
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, after);
    pz_sql_bind_int(st, 3, limit);
    /* FN may query (progress): the rows are read one by one into O first. */
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_objective(st, o);
        fn(o, arg);
    }
    pz_sql_done(st);
    free(o);
    return r < 0 ? r : 0;
}

/* --- campaigns -------------------------------------------------------------------------- */

void campaign_fields_init(struct campaign_fields *f)
{
    memset(f, 0, sizeof(*f));
    f->objective_id = -2;
    f->budget_cents = -2;
    f->target = -2;
}

#define CAMPAIGN_COLUMNS                                                                           \
    "id, objective_id, name, channel, start_day, end_day, budget_cents, target, utm_campaign,"     \
    " created_at, updated_at"

static void read_campaign(struct pz_stmt *st, struct campaign *c)
{
    memset(c, 0, sizeof(*c));
    c->id = pz_sql_int(st, 0);
    c->objective_id = pz_sql_int(st, 1);
    copy(c->name, sizeof(c->name), pz_sql_text(st, 2));
    copy(c->channel, sizeof(c->channel), pz_sql_text(st, 3));
    copy(c->start_day, sizeof(c->start_day), pz_sql_text(st, 4));
    copy(c->end_day, sizeof(c->end_day), pz_sql_text(st, 5));
    c->budget_cents = pz_sql_is_null(st, 6) ? -1 : pz_sql_int(st, 6);
    c->target = pz_sql_is_null(st, 7) ? -1 : pz_sql_int(st, 7);
    copy(c->utm_campaign, sizeof(c->utm_campaign), pz_sql_text(st, 8));
    c->created_at = pz_sql_int(st, 9);
    c->updated_at = pz_sql_int(st, 10);
}

static int campaign_ok(struct pz_conn *conn, int64_t ws, const struct campaign_fields *f,
                       struct campaign *c, struct pz_err *err)
{
    int64_t start, end, one = 0;
    int r;

    if (f->name) {
        if (name_ok(f->name, "name", err) < 0)
            return PZ_EINVAL;
        copy(c->name, sizeof(c->name), f->name);
    }
    if (f->channel) {
        if (!goal_channel_valid(f->channel))
            return pz_err_set(err, "goals.invalid_field", "channel",
                              "channel must be one of linkedin, facebook, instagram, x, tiktok,"
                              " youtube, whatsapp, telegram, newsletter, email, website,"
                              " google_ads, meta_ads, print, event, other");
        copy(c->channel, sizeof(c->channel), f->channel);
    }
    if (f->start_day) {
        if (strlen(f->start_day) > 10)
            return pz_err_set(err, "goals.bad_date", "start", "start must be a date YYYY-MM-DD");
        copy(c->start_day, sizeof(c->start_day), f->start_day);
    }
    if (f->end_day) {
        if (strlen(f->end_day) > 10)
            return pz_err_set(err, "goals.bad_date", "end", "end must be a date YYYY-MM-DD");
        copy(c->end_day, sizeof(c->end_day), f->end_day);
    }
    if (f->objective_id != -2)
        c->objective_id = f->objective_id;
    if (f->budget_cents != -2)
        c->budget_cents = f->budget_cents;
    if (f->target != -2)
        c->target = f->target;
    if (name_ok(c->name, "name", err) < 0)
        return PZ_EINVAL;
    if (!c->channel[0])
        return pz_err_set(err, "goals.missing_field", "channel", "channel is required");
    if (c->objective_id <= 0)
        return pz_err_set(err, "goals.missing_field", "objective_id", "objective_id is required");
    r = pz_sql_int_query(conn, "SELECT 1 FROM objectives WHERE workspace_id = $1 AND id = $2", &one,
                         "ii", ws, c->objective_id);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return pz_err_set(err, "goals.unknown_reference", "objective_id",
                          "no objective %lld in this workspace", (long long)c->objective_id);
    if (day_ok(c->start_day, 1, "start", &start, err) < 0 ||
        day_ok(c->end_day, 1, "end", &end, err) < 0)
        return PZ_EINVAL;
    if (start >= 0 && end >= 0 && end < start)
        return pz_err_set(err, "goals.bad_date", "end", "end must not be before start");
    if (c->budget_cents < -1 || c->budget_cents > 100000000000LL)
        return pz_err_set(err, "goals.bad_amount", "budget",
                          "budget must be a positive amount up to 1,000,000,000");
    if (c->target < -1 || c->target == 0 || c->target > GOAL_TARGET_MAX)
        return pz_err_set(err, "goals.bad_amount", "target", "target must be positive");
    return 0;
}

static void bind_campaign(struct pz_stmt *st, int64_t ws, const struct campaign *c)
{
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, c->objective_id);
    pz_sql_bind_text(st, 3, c->name);
    pz_sql_bind_text(st, 4, c->channel);
    pz_sql_bind_text(st, 5, c->start_day[0] ? c->start_day : NULL);
    pz_sql_bind_text(st, 6, c->end_day[0] ? c->end_day : NULL);
    if (c->budget_cents >= 0)
        pz_sql_bind_int(st, 7, c->budget_cents);
    else
        pz_sql_bind_null(st, 7);
    if (c->target > 0)
        pz_sql_bind_int(st, 8, c->target);
    else
        pz_sql_bind_null(st, 8);
    pz_sql_bind_text(st, 9, c->utm_campaign);
    pz_sql_bind_int(st, 10, c->updated_at);
}

int campaign_create(struct pz_conn *conn, int64_t ws, const struct campaign_fields *f,
                    struct campaign *out, struct pz_err *err)
{
    struct pz_stmt *st;
    int r;

    memset(out, 0, sizeof(*out));
    out->budget_cents = -1;
    out->target = -1;
    r = campaign_ok(conn, ws, f, out, err);
    if (r < 0)
        return r;
    if (pz_slugify(out->name, out->utm_campaign, sizeof(out->utm_campaign)) <= 0)
        copy(out->utm_campaign, sizeof(out->utm_campaign), "campaign");
    out->created_at = out->updated_at = pz_now_ms();
    st = pz_sql(conn, "INSERT INTO campaigns (workspace_id, objective_id, name, channel, start_day,"
                      " end_day, budget_cents, target, utm_campaign, updated_at, created_at)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id");
    if (!st)
        return PZ_EDB;
    bind_campaign(st, ws, out);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        out->id = pz_sql_int(st, 0);
    pz_sql_done(st);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

int campaign_update(struct pz_conn *conn, int64_t ws, int64_t id, const struct campaign_fields *f,
                    struct campaign *out, struct pz_err *err)
{
    struct pz_stmt *st;
    int r = campaign_get(conn, ws, id, out);

    if (r < 0)
        return r;
    r = campaign_ok(conn, ws, f, out, err);
    if (r < 0)
        return r;
    out->updated_at = pz_now_ms();
    /* utm_campaign stays: links already handed out carry it. */
    st = pz_sql(conn, "UPDATE campaigns SET objective_id = $2, name = $3, channel = $4,"
                      " start_day = $5, end_day = $6, budget_cents = $7, target = $8,"
                      " utm_campaign = $9, updated_at = $10 WHERE workspace_id = $1 AND id = $11");
    if (!st)
        return PZ_EDB;
    bind_campaign(st, ws, out);
    pz_sql_bind_int(st, 11, id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    link_cache_forget(); /* the channel gives the links' utm_source */
    return r < 0 ? r : 0;
}

int campaign_get(struct pz_conn *conn, int64_t ws, int64_t id, struct campaign *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " CAMPAIGN_COLUMNS
                                      " FROM campaigns WHERE workspace_id = $1 AND id = $2");
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_campaign(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int campaign_list(struct pz_conn *conn, int64_t ws, int64_t objective_id, int64_t after, int limit,
                  void (*fn)(const struct campaign *c, void *arg), void *arg)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE workspace_id = $1"
                     " AND ($2 = 0 OR objective_id = $2) AND id > $3 ORDER BY id LIMIT $4");
    struct campaign *c = xmalloc(sizeof(*c));
    int r;

    if (!st) {
        free(c);
        return PZ_EDB;
    }
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, objective_id > 0 ? objective_id : 0);
    pz_sql_bind_int(st, 3, after);
    pz_sql_bind_int(st, 4, limit);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_campaign(st, c);
        fn(c, arg);
    }
    pz_sql_done(st);
    free(c);
    return r < 0 ? r : 0;
}
