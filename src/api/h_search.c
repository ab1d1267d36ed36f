/*
 * GET /api/v1/search: full-text search over the caller's workspace's
 * messages (src/inbox/search.c). Reads the query and its filters, answers
 * {"items": [...], "next"} with each message's snippet as segments
 * [{"text", "match"}]. Outside consultants read no conversations: 403.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/text.h"
#include "inbox/search.h"
#include "core/banned.h"

/* A query parameter, NULL when absent or empty. */
static const char *param(struct pz_ctx *c, const char *name)
{
    const char *v = pz_http_query(c->req, name);
    return v && *v ? v : NULL;
}

/* Days since 1970-01-01 of the civil date Y-M-D (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads "YYYY-MM-DD" (years 1970-9999, a real date) as UTC milliseconds at its midnight. */
static int read_date(const char *s, int64_t *ms)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y = 0, m = 0, d = 0;

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
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return PZ_EINVAL;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return PZ_EINVAL;
    *ms = days_from_civil(y, m, d) * PZ_DAY_MS;
    return 0;
}

static int read_query(struct pz_ctx *c, struct inbox_search_query *q, struct pz_err *err)
{
    const char *v;
    int64_t n;

    memset(q, 0, sizeof(*q));
    q->workspace_id = c->who.workspace.id;
    q->q = pz_http_query(c->req, "q");
    q->channel = param(c, "channel");
    q->direction = param(c, "direction");
    q->cursor = param(c, "cursor");
    q->limit = 20;
    if ((v = param(c, "contact")) && pz_parse_int64(v, 1, INT64_MAX, &q->contact_id) < 0)
        return pz_err_set(err, "search.bad_filter", "contact", "contact is a contact's id");
    if ((v = param(c, "from")) && read_date(v, &q->from_ms) < 0)
        return pz_err_set(err, "search.bad_filter", "from", "from is a date, YYYY-MM-DD");
    if ((v = param(c, "to")) && read_date(v, &q->to_ms) < 0)
        return pz_err_set(err, "search.bad_filter", "to", "to is a date, YYYY-MM-DD");
    if (q->to_ms)
        q->to_ms += PZ_DAY_MS; /* inclusive: up to the end of that day */
    if ((v = param(c, "limit"))) {
        if (pz_parse_int64(v, 1, INBOX_SEARCH_LIMIT_MAX, &n) < 0)
            return pz_err_set(err, "search.bad_filter", "limit", "limit is 1 to %d",
                              INBOX_SEARCH_LIMIT_MAX);
        q->limit = (int)n;
    }
    return 0;
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
    if (read_query(c, &q, &err) < 0) {
        reply_err(c, &err);
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
