/*
 * GET /api/v1/search: full-text search over the caller's workspace's
 * messages (src/inbox/search.c). Reads the query and its filters, answers
 * {"items": [...], "next"} with each message's snippet as segments
 * [{"text", "match"}]. The dates from and to are days in the inbox's time
 * zone (its business-hours zone, else the workspace's), both inclusive.
 * Outside consultants read no conversations: 403.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/tz.h"
#include "inbox/search.h"
#include "inbox/workflow.h"
#include "core/banned.h"

/* A query parameter, NULL when absent or empty. */
static const char *param(struct pz_ctx *c, const char *name)
{
    const char *v = pz_http_query(c->req, name);
    return v && *v ? v : NULL;
}

/* Reads "YYYY-MM-DD" (years 1970-9999, a real date) as its day number since 1970-01-01. */
static int read_date(const char *s, int64_t *day)
{
    int64_t y = 0;
    int m = 0, d = 0;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return PZ_EINVAL;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return PZ_EINVAL;
        if (i < 4)
            y = y * 10 + (s[i] - '0');
        else if (i < 7)
            m = m * 10 + (s[i] - '0');
        else
            d = d * 10 + (s[i] - '0');
    }
    if (y < 1970 || !pz_date_valid(y, m, d))
        return PZ_EINVAL;
    *day = pz_civil_to_days(y, m, d);
    return 0;
}

/*
 * The UTC milliseconds at which local day DAY begins in zone TZ (NULL: UTC).
 * A midnight that does not exist (a zone moving its clocks at 00:00) is read
 * with the offset before the change, which is the day's first instant.
 */
static int64_t day_start_ms(const struct pz_tz *tz, int64_t day)
{
    int64_t utc_s = day * 86400;

    if (tz)
        pz_tz_to_utc(tz, day * 86400, 0, &utc_s);
    return utc_s * 1000;
}

/*
 * Turns the days FROM_DAY and TO_DAY (-1: no bound) into the query's UTC
 * bounds: from the start of the first day to the start of the day after the
 * last (inclusive), as days in the inbox's time zone (the business-hours
 * one, else the workspace's).
 */
static int set_days(struct pz_ctx *c, struct inbox_search_query *q, int64_t from_day,
                    int64_t to_day)
{
    struct inbox_settings s;
    struct pz_tz *tz = NULL;
    int r;

    if (from_day < 0 && to_day < 0)
        return 0;
    r = inbox_settings_get(c->conn, c->who.workspace.id, &s);
    if (r < 0)
        return r;
    if (pz_tz_load(s.time_zone, &tz) < 0)
        tz = NULL; /* a zone the system lost: UTC days rather than no answer */
    if (from_day >= 0)
        q->from_ms = day_start_ms(tz, from_day);
    if (to_day >= 0)
        q->to_ms = day_start_ms(tz, to_day + 1);
    pz_tz_free(tz);
    return 0;
}

static int read_query(struct pz_ctx *c, struct inbox_search_query *q, struct pz_err *err)
{
    const char *v;
    int64_t n, from_day = -1, to_day = -1;
    int r;

    memset(q, 0, sizeof(*q));
    q->workspace_id = c->who.workspace.id;
    q->q = pz_http_query(c->req, "q");
    q->channel = param(c, "channel");
    q->direction = param(c, "direction");
    q->cursor = param(c, "cursor");
    q->limit = 20;
    if ((v = param(c, "contact")) && pz_parse_int64(v, 1, INT64_MAX, &q->contact_id) < 0)
        return pz_err_set(err, "search.bad_filter", "contact", "contact is a contact's id");
    if ((v = param(c, "from")) && read_date(v, &from_day) < 0)
        return pz_err_set(err, "search.bad_filter", "from", "from is a date, YYYY-MM-DD");
    if ((v = param(c, "to")) && read_date(v, &to_day) < 0)
        return pz_err_set(err, "search.bad_filter", "to", "to is a date, YYYY-MM-DD");
    if ((v = param(c, "limit"))) {
        if (pz_parse_int64(v, 1, INBOX_SEARCH_LIMIT_MAX, &n) < 0)
            return pz_err_set(err, "search.bad_filter", "limit", "limit is 1 to %d",
                              INBOX_SEARCH_LIMIT_MAX);
        q->limit = (int)n;
    }
    r = set_days(c, q, from_day, to_day);
    return r < 0 ? r : 0;
}

static void present_hit(struct pz_json *j, const struct inbox_search_hit *h)
{
    char when[32];

    pz_json_begin_object(j);
    pz_json_kint(j, "message_id", h->message_id);
    pz_json_kint(j, "conversation_id", h->conversation_id);
    pz_json_kstr(j, "channel", h->channel);
    pz_json_kstr(j, "conversation_title", h->conversation_title);
    pz_json_key(j, "contact");
    if (h->contact_id) {
        pz_json_begin_object(j);
        pz_json_kint(j, "id", h->contact_id);
        pz_json_kstr(j, "name", h->contact_name ? h->contact_name : "");
        pz_json_end_object(j);
    } else {
        pz_json_null(j);
    }
    pz_json_kstr(j, "direction", h->direction);
    pz_json_kstr(j, "sent_at", pz_time_iso(h->sent_at, when, sizeof(when)));
    if (h->sender_name)
        pz_json_kstr(j, "sender_name", h->sender_name);
    else
        pz_json_knull(j, "sender_name");
    pz_json_key(j, "snippet");
    pz_json_begin_array(j);
    for (size_t i = 0; i < h->n_segments; i++) {
        pz_json_begin_object(j);
        pz_json_kstr(j, "text", h->segments[i].text);
        pz_json_kbool(j, "match", h->segments[i].match);
        pz_json_end_object(j);
    }
    pz_json_end_array(j);
    pz_json_end_object(j);
}

void h_search(struct pz_ctx *c)
{
    struct inbox_search_query q;
    struct inbox_search_result res;
    struct pz_err err = {0};
    struct pz_json *j;
    int r;

    if (c->who.user.role == ROLE_CONSULTANT) {
        reply_error(c, "auth.forbidden", "outside consultants do not read customers' messages");
        return;
    }
    r = read_query(c, &q, &err);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
        return;
    }
    if (r < 0) {
        reply_internal(c, r);
        return;
    }
    r = inbox_search(c->conn, &q, &res, &err);
    if (r == PZ_EINVAL) {
        reply_err(c, &err);
    } else if (r < 0) {
        reply_internal(c, r);
    } else {
        j = reply_begin(c, 200);
        pz_json_begin_object(j);
        pz_json_key(j, "items");
        pz_json_begin_array(j);
        for (size_t i = 0; i < res.n_hits; i++)
            present_hit(j, &res.hits[i]);
        pz_json_end_array(j);
        if (res.next[0])
            pz_json_kstr(j, "next", res.next);
        else
            pz_json_knull(j, "next");
        pz_json_end_object(j);
        reply_end(c);
    }
    inbox_search_result_release(&res);
}
