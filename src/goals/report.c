/*
 * Progress and reports of objectives. See report.h.
 *
 * The report is a handful of grouped queries over the period (clicks, pixel
 * events and conversions by campaign and event; investments by campaign and
 * user; the same by day), folded together here. Conversions of the
 * objective's event count for the objective whether or not a link brought
 * them; by campaign, only those attributed to that campaign's links.
 */
#include "goals/report.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/mem.h"
#include "goals/invest.h"
#include "goals/measure.h"
#include "goals/track.h"
#include "core/banned.h"

static int64_t div_round(int64_t a, int64_t b)
{
    if (b == 0)
        return 0;
    return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

int64_t report_roi_bp(int64_t value_cents, int64_t cost_cents)
{
    if (cost_cents <= 0)
        return INT64_MIN;
    return div_round((value_cents - cost_cents) * 10000, cost_cents);
}

/* --- progress --------------------------------------------------------------------------- */

/* The last instant replies are counted to: the end of the as-of day, or now if sooner. */
static int64_t until_of(int64_t as_of_day)
{
    int64_t end = (as_of_day + 1) * PZ_DAY_MS, now = pz_now_ms();
    return now < end ? now : end;
}

static int median_response(struct pz_conn *conn, int64_t ws, const struct objective *o,
                           int64_t from, int64_t to, int64_t until, int64_t *out)
{
    struct measure_turn *turns;
    size_t n;
    int r = measure_turns(conn, ws, o, from, to, until, &turns, &n);

    if (r < 0)
        return r;
    *out = n ? measure_median_minutes(turns, n) : 0;
    free(turns);
    return 0;
}

static int measure(struct pz_conn *conn, int64_t ws, const struct objective *o, int64_t from,
                   int64_t to, int64_t until, int64_t *out)
{
    int64_t a = 0, b = 0;
    int r;

    *out = 0;
    if (strcmp(o->metric, "contacts") == 0)
        return measure_stage_entries(conn, ws, o->stage, from, to, out, NULL, 0, 0);
    if (strcmp(o->metric, "response_time") == 0)
        return median_response(conn, ws, o, from, to, until, out);
    if (strcmp(o->metric, "clicks") == 0) {
        r = pz_sql_int_query(conn,
                             "SELECT COUNT(*) FROM hits h JOIN links l ON l.workspace_id ="
                             " h.workspace_id AND l.id = h.link_id JOIN campaigns c ON"
                             " c.workspace_id = l.workspace_id AND c.id = l.campaign_id"
                             " WHERE h.workspace_id = $1 AND c.objective_id = $2"
                             " AND h.kind = 'click' AND h.at >= $3 AND h.at < $4",
                             out, "iiii", ws, o->id, from, to);
        return r < 0 ? r : 0;
    }
    if (strcmp(o->metric, "revenue") == 0) {
        r = pz_sql_int_query(conn,
                             "SELECT COALESCE(SUM(value_cents), 0) FROM conversions"
                             " WHERE workspace_id = $1 AND event = $2 AND currency = 'EUR'"
                             " AND at >= $3 AND at < $4",
                             out, "itii", ws, o->event, from, to);
        return r < 0 ? r : 0;
    }
    r = pz_sql_int_query(conn,
                         "SELECT COUNT(*) FROM conversions WHERE workspace_id = $1 AND event = $2"
                         " AND at >= $3 AND at < $4",
                         &a, "itii", ws, o->event, from, to);
    if (r >= 0)
        r = pz_sql_int_query(conn,
                             "SELECT COUNT(*) FROM hits WHERE workspace_id = $1 AND event = $2"
                             " AND kind = 'event' AND at >= $3 AND at < $4",
                             &b, "itii", ws, o->event, from, to);
    *out = a + b;
    return r < 0 ? r : 0;
}

/* Fills the period fields of P (not the value or the status). */
static void period(const struct objective *o, int64_t as_of, struct progress *p)
{
    memset(p, 0, sizeof(*p));
    pz_day_parse(o->start_day, &p->start_day);
    pz_day_parse(o->end_day, &p->end_day);
    p->as_of_day = as_of >= 0 ? as_of : pz_now_ms() / PZ_DAY_MS;
    p->days_total = p->end_day - p->start_day + 1;
    p->days_elapsed = p->as_of_day - p->start_day + 1;
    if (p->days_elapsed < 0)
        p->days_elapsed = 0;
    if (p->days_elapsed > p->days_total)
        p->days_elapsed = p->days_total;
}

/* Response time: lower is better. The target is the most allowed at any time; the median so far
 * is the best forecast; it is reached or missed only when the period is over. */
static void judge_lower(const struct objective *o, struct progress *p)
{
    p->expected_to_date = o->target;
    p->forecast = p->value;
    if (p->as_of_day > p->end_day)
        p->status = p->value <= o->target ? "reached" : "missed";
    else
        p->status = p->value <= o->target ? "on_track" : "at_risk";
}

static void judge(const struct objective *o, struct progress *p)
{
    if (strcmp(o->metric, "response_time") == 0) {
        judge_lower(o, p);
        return;
    }
    p->expected_to_date = div_round(o->target * p->days_elapsed, p->days_total);
    p->forecast = p->days_elapsed > 0 ? div_round(p->value * p->days_total, p->days_elapsed) : 0;
    if (p->value >= o->target)
        p->status = "reached";
    else if (p->as_of_day > p->end_day)
        p->status = "missed";
    else if (p->days_elapsed == 0 || p->forecast >= o->target)
        p->status = "on_track";
    else
        p->status = "at_risk";
}

/* The first and the last instant (exclusive) that count. */
static void window(const struct progress *p, int64_t *from, int64_t *to)
{
    int64_t last = p->as_of_day < p->end_day ? p->as_of_day : p->end_day;
    *from = p->start_day * PZ_DAY_MS;
    *to = (last + 1) * PZ_DAY_MS;
    if (*to < *from)
        *to = *from;
}

int objective_progress(struct pz_conn *conn, int64_t ws, const struct objective *o, int64_t as_of,
                       struct progress *out)
{
    int64_t from, to;
    int r;

    period(o, as_of, out);
    window(out, &from, &to);
    r = measure(conn, ws, o, from, to, until_of(out->as_of_day), &out->value);
    if (r < 0)
        return r;
    judge(o, out);
    return 0;
}

/* --- the report ------------------------------------------------------------------------- */

static struct report_campaign *find_campaign(struct report *r, int64_t id)
{
    for (int i = 0; i < r->n_campaigns; i++)
        if (r->campaigns[i].id == id)
            return &r->campaigns[i];
    return NULL;
}

static void add_money(struct report_money *list, int *n, const char *currency, int64_t cents)
{
    for (int i = 0; i < *n; i++) {
        if (strcmp(list[i].currency, currency) == 0) {
            list[i].cents += cents;
            return;
        }
    }
    if (*n < REPORT_CURRENCIES) {
        snprintf(list[*n].currency, sizeof(list[*n].currency), "%s", currency);
        list[*n].cents = cents;
        (*n)++;
    }
}

static int load_campaigns(struct pz_conn *conn, int64_t ws, const struct objective *o,
                          struct report *r)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id, name, channel, budget_cents, target FROM"
                                      " campaigns WHERE workspace_id = $1 AND objective_id = $2"
                                      " ORDER BY id LIMIT $3");
    int rc;

    if (!st)
        return PZ_EDB;
    r->campaigns = xcalloc(REPORT_CAMPAIGNS_MAX, sizeof(*r->campaigns));
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, o->id);
    pz_sql_bind_int(st, 3, REPORT_CAMPAIGNS_MAX);
    while ((rc = pz_sql_step(st)) == PZ_SQL_ROW) {
        struct report_campaign *c = &r->campaigns[r->n_campaigns++];
        const char *name = pz_sql_text(st, 1), *channel = pz_sql_text(st, 2);
        c->id = pz_sql_int(st, 0);
        snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
        snprintf(c->channel, sizeof(c->channel), "%s", channel ? channel : "");
        c->budget_cents = pz_sql_is_null(st, 3) ? -1 : pz_sql_int(st, 3);
        c->f.expected = pz_sql_is_null(st, 4) ? -1 : pz_sql_int(st, 4);
    }
    pz_sql_done(st);
    return rc < 0 ? rc : 0;
}

/* Campaigns without a figure of their own share what the others leave of the target. */
static void plan(const struct objective *o, struct report *r)
{
    int64_t left = o->target;
    int open = 0;

    if (strcmp(o->metric, "contacts") == 0 || strcmp(o->metric, "response_time") == 0) {
        for (int i = 0; i < r->n_campaigns; i++)
            r->campaigns[i].f.expected = r->campaigns[i].f.expected_to_date = -1;
        return;
    }
    for (int i = 0; i < r->n_campaigns; i++) {
        if (r->campaigns[i].f.expected > 0)
            left -= r->campaigns[i].f.expected;
        else
            open++;
    }
    if (left < 0)
        left = 0;
    for (int i = 0, k = 0; i < r->n_campaigns; i++) {
        struct report_figures *f = &r->campaigns[i].f;
        if (f->expected <= 0) {
            /* Spread the remainder so the shares add up exactly. */
            f->expected = left / open + (k < left % open ? 1 : 0);
            k++;
        }
        f->expected_to_date = div_round(f->expected * r->p.days_elapsed, r->p.days_total);
    }
}

/* Clicks, pixel events and conversions in the window, by campaign and event. */
static int load_traffic(struct pz_conn *conn, int64_t ws, const struct objective *o,
                        struct report *r, int64_t from, int64_t to)
{
    struct lrow {
        int64_t link, campaign;
    } *links = NULL;
    size_t n_links = 0, cap = 0;
    int64_t goal_hits = 0, goal_linked = 0;
    struct pz_stmt *st;
    int rc;

    /* Hits through the objective's links, link by link: each count is a range of an index,
     * so the workspace's other hits are never read and nothing is sorted. */
    st = pz_sql(conn, "SELECT l.id, l.campaign_id FROM links l JOIN campaigns c"
                      " ON c.workspace_id = l.workspace_id AND c.id = l.campaign_id"
                      " WHERE l.workspace_id = $1 AND c.objective_id = $2 ORDER BY l.id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, o->id);
    while ((rc = pz_sql_step(st)) == PZ_SQL_ROW) {
        if (n_links == cap) {
            cap = cap ? cap * 2 : 16;
            links = xrealloc(links, cap * sizeof(*links));
        }
        links[n_links].link = pz_sql_int(st, 0);
        links[n_links].campaign = pz_sql_int(st, 1);
        n_links++;
    }
    pz_sql_done(st);
    for (size_t i = 0; i < n_links && rc >= 0; i++) {
        struct report_campaign *c = find_campaign(r, links[i].campaign);
        int64_t clicks = 0, visits = 0, goal = 0;

        rc = pz_sql_int_query(conn,
                              "SELECT COUNT(*) FROM hits WHERE workspace_id = $1 AND link_id = $2"
                              " AND kind = 'click' AND at >= $3 AND at < $4",
                              &clicks, "iiii", ws, links[i].link, from, to);
        if (rc >= 0)
            rc = pz_sql_int_query(conn,
                                  "SELECT COUNT(*) FROM hits WHERE workspace_id = $1"
                                  " AND link_id = $2 AND kind = 'event' AND at >= $3 AND at < $4"
                                  " AND event = $5",
                                  &visits, "iiiit", ws, links[i].link, from, to, "visit");
        if (rc >= 0 && o->event[0])
            rc = pz_sql_int_query(conn,
                                  "SELECT COUNT(*) FROM hits WHERE workspace_id = $1"
                                  " AND link_id = $2 AND kind = 'event' AND at >= $3 AND at < $4"
                                  " AND event = $5",
                                  &goal, "iiiit", ws, links[i].link, from, to, o->event);
        if (!c)
            continue;
        c->f.clicks += clicks;
        c->f.visits += visits;
        c->f.conversions += goal;
        r->total.clicks += clicks;
        r->total.visits += visits;
        goal_linked += goal;
    }
    free(links);
    if (rc < 0)
        return rc;
    /* Every pixel hit of the objective's event counts for it, through a link or not. */
    if (o->event[0]) {
        rc = pz_sql_int_query(conn,
                              "SELECT COUNT(*) FROM hits WHERE workspace_id = $1 AND kind = 'event'"
                              " AND event = $2 AND at >= $3 AND at < $4",
                              &goal_hits, "itii", ws, o->event, from, to);
        if (rc < 0)
            return rc;
        r->total.conversions += goal_hits;
        r->unattributed += goal_hits - goal_linked;
    }
    if (!o->event[0])
        return 0;
    st = pz_sql(conn, "SELECT COALESCE(l.campaign_id, 0), v.currency, COUNT(*), SUM(v.value_cents)"
                      " FROM conversions v LEFT JOIN links l ON l.workspace_id = v.workspace_id"
                      " AND l.id = v.link_id WHERE v.workspace_id = $1 AND v.event = $2"
                      " AND v.at >= $3 AND v.at < $4 GROUP BY 1, 2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, o->event);
    pz_sql_bind_int(st, 3, from);
    pz_sql_bind_int(st, 4, to);
    while ((rc = pz_sql_step(st)) == PZ_SQL_ROW) {
        struct report_campaign *c = find_campaign(r, pz_sql_int(st, 0));
        const char *currency = pz_sql_text(st, 1);
        int64_t n = pz_sql_int(st, 2), cents = pz_sql_int(st, 3);
        int eur = currency && strcmp(currency, "EUR") == 0;

        r->total.conversions += n;
        if (c)
            c->f.conversions += n;
        else
            r->unattributed += n;
        if (eur) {
            r->total.value_cents += cents;
            if (c)
                c->f.value_cents += cents;
        } else if (cents) {
            add_money(r->other_values, &r->n_other_values, currency ? currency : "?", cents);
        }
    }
    pz_sql_done(st);
    return rc < 0 ? rc : 0;
}

/* Investments up to the as-of day (work before the start counts too), by campaign and user. */
static int load_costs(struct pz_conn *conn, int64_t ws, const struct objective *o, struct report *r)
{
    char last[16];
    struct pz_stmt *st;
    int64_t last_day = r->p.as_of_day;
    /* Rates are looked up after the rows are read. */
    struct row {
        int64_t campaign, user, cents, minutes;
        int money;
        char currency[4];
    } *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;

    st = pz_sql(conn, "SELECT COALESCE(campaign_id, 0), kind, COALESCE(user_id, 0),"
                      " COALESCE(currency, ''), SUM(COALESCE(amount_cents, 0)),"
                      " SUM(COALESCE(minutes, 0)) FROM investments WHERE workspace_id = $1"
                      " AND objective_id = $2 AND day <= $3 GROUP BY 1, 2, 3, 4");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, o->id);
    pz_sql_bind_text(st, 3, pz_day_format(last_day, last, sizeof(last)));
    while ((rc = pz_sql_step(st)) == PZ_SQL_ROW) {
        const char *kind = pz_sql_text(st, 1), *cur = pz_sql_text(st, 3);
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            rows = xrealloc(rows, cap * sizeof(*rows));
        }
        rows[n].campaign = pz_sql_int(st, 0);
        rows[n].money = kind && strcmp(kind, "money") == 0;
        rows[n].user = pz_sql_int(st, 2);
        snprintf(rows[n].currency, sizeof(rows[n].currency), "%s", cur ? cur : "");
        rows[n].cents = pz_sql_int(st, 4);
        rows[n].minutes = pz_sql_int(st, 5);
        n++;
    }
    pz_sql_done(st);
    for (size_t i = 0; i < n && rc >= 0; i++) {
        struct report_campaign *c = find_campaign(r, rows[i].campaign);
        int64_t money = 0, time = 0, rate = -1;

        if (rows[i].money) {
            if (strcmp(rows[i].currency, "EUR") != 0) {
                add_money(r->other_costs, &r->n_other_costs, rows[i].currency, rows[i].cents);
                continue;
            }
            money = rows[i].cents;
        } else {
            rc = rate_for_user(conn, ws, rows[i].user, &rate);
            if (rc < 0)
                break;
            if (rate < 0)
                r->total.minutes_unpriced += rows[i].minutes;
            else
                time = div_round(rows[i].minutes * rate, 60);
            r->total.minutes += rows[i].minutes;
            if (c)
                c->f.minutes += rows[i].minutes;
        }
        r->total.money_cents += money;
        r->total.time_cents += time;
        if (c) {
            c->f.money_cents += money;
            c->f.time_cents += time;
        }
    }
    free(rows);
    r->total.cost_cents = r->total.money_cents + r->total.time_cents;
    for (int i = 0; i < r->n_campaigns; i++)
        r->campaigns[i].f.cost_cents = r->campaigns[i].f.money_cents + r->campaigns[i].f.time_cents;
    return rc < 0 ? rc : 0;
}

/* A step's count through the objective's links in the window. */
static int step_count(struct pz_conn *conn, int64_t ws, const struct objective *o, const char *step,
                      int64_t from, int64_t to, int64_t *out)
{
    int64_t a = 0, b = 0;
    int r;

    r = pz_sql_int_query(conn,
                         "SELECT COUNT(*) FROM hits h JOIN links l ON l.workspace_id ="
                         " h.workspace_id AND l.id = h.link_id JOIN campaigns c ON c.workspace_id"
                         " = l.workspace_id AND c.id = l.campaign_id WHERE h.workspace_id = $1"
                         " AND c.objective_id = $2 AND h.kind = 'event' AND h.event = $3"
                         " AND h.at >= $4 AND h.at < $5",
                         &a, "iitii", ws, o->id, step, from, to);
    if (r >= 0)
        r = pz_sql_int_query(conn,
                             "SELECT COUNT(*) FROM conversions v JOIN links l ON l.workspace_id ="
                             " v.workspace_id AND l.id = v.link_id JOIN campaigns c ON"
                             " c.workspace_id = l.workspace_id AND c.id = l.campaign_id"
                             " WHERE v.workspace_id = $1 AND c.objective_id = $2 AND v.event = $3"
                             " AND v.at >= $4 AND v.at < $5",
                             &b, "iitii", ws, o->id, step, from, to);
    *out = a + b;
    return r < 0 ? r : 0;
}

static int load_funnel(struct pz_conn *conn, int64_t ws, const struct objective *o,
                       struct report *r, int64_t from, int64_t to)
{
    char list[GOAL_TEXT_MAX + 64];
    const char *p;

    if (o->funnel[0])
        snprintf(list, sizeof(list), "%s", o->funnel);
    else if (o->event[0])
        snprintf(list, sizeof(list), "click,visit,%s", o->event);
    else if (strcmp(o->metric, "clicks") == 0)
        snprintf(list, sizeof(list), "click,visit");
    else
        list[0] = '\0';
    p = list;
    while (*p && r->n_steps < GOAL_FUNNEL_MAX) {
        size_t len = strcspn(p, ",");
        struct report_step *s = &r->steps[r->n_steps];
        int rc;

        if (len == 0 || len >= sizeof(s->name))
            break;
        memcpy(s->name, p, len);
        s->name[len] = '\0';
        if (strcmp(s->name, "click") == 0) {
            s->count = r->total.clicks;
        } else {
            rc = step_count(conn, ws, o, s->name, from, to, &s->count);
            if (rc < 0)
                return rc;
        }
        r->n_steps++;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static struct report_day *day_at(struct report *r, int64_t day)
{
    if (r->n_days == 0)
        return NULL;
    if (day < r->days[0].day)
        return &r->days[0];
    if (day > r->days[r->n_days - 1].day)
        return &r->days[r->n_days - 1];
    return &r->days[day - r->days[0].day];
}

/* Runs SQL ($1 ws, $2 text, $3 from, $4 to) giving (day, n[, cents]) rows and adds them up. */
static int add_daily(struct pz_conn *conn, struct report *r, const char *sql, int64_t ws,
                     const char *text, int64_t objective, int64_t from, int64_t to, int what)
{
    struct pz_stmt *st = pz_sql(conn, sql);
    int rc;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    if (text)
        pz_sql_bind_text(st, 2, text);
    else
        pz_sql_bind_int(st, 2, objective);
    pz_sql_bind_int(st, 3, from);
    pz_sql_bind_int(st, 4, to);
    while ((rc = pz_sql_step(st)) == PZ_SQL_ROW) {
        struct report_day *d = day_at(r, pz_sql_int(st, 0));
        if (!d)
            continue;
        if (what == 'c') {
            d->conversions += pz_sql_int(st, 1);
            if (pz_sql_is_null(st, 2) == 0)
                d->value_cents += pz_sql_int(st, 2);
        } else if (what == 'e') {
            d->conversions += pz_sql_int(st, 1);
        } else if (what == 'k') {
            d->clicks += pz_sql_int(st, 1);
        } else {
            d->value += pz_sql_int(st, 1);
        }
    }
    pz_sql_done(st);
    return rc < 0 ? rc : 0;
}

static int cmp_start(const void *a, const void *b)
{
    const struct measure_turn *x = a, *y = b;
    return x->start < y->start ? -1 : (x->start > y->start);
}

static int64_t median_of_sorted(const int64_t *v, size_t n)
{
    int64_t ms = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return (ms + 30000) / 60000;
}

/* Response times: totals, by channel, and per day (that day's median and the median so far). */
static int load_responses(struct pz_conn *conn, int64_t ws, const struct objective *o,
                          struct report *r, int64_t from, int64_t to)
{
    struct report_responses *x = &r->responses;
    struct measure_turn *turns;
    int64_t *sorted, late_ms = o->target * 60000;
    size_t n, k = 0, n_sorted = 0;
    int rc = measure_turns(conn, ws, o, from, to, until_of(r->p.as_of_day), &turns, &n);

    if (rc < 0)
        return rc;
    x->turns = (int64_t)n;
    for (size_t i = 0; i < n; i++) {
        struct report_response_channel *ch = NULL;
        x->unanswered += !turns[i].answered;
        x->late += turns[i].wait_ms > late_ms;
        for (int c = 0; c < x->n_channels; c++)
            if (strcmp(x->channels[c].channel, turns[i].channel) == 0)
                ch = &x->channels[c];
        if (!ch && x->n_channels < REPORT_CHANNELS_MAX) {
            ch = &x->channels[x->n_channels++];
            snprintf(ch->channel, sizeof(ch->channel), "%s", turns[i].channel);
        }
        if (ch) {
            ch->turns++;
            ch->unanswered += !turns[i].answered;
            ch->late += turns[i].wait_ms > late_ms;
        }
    }
    /* Each channel's median: its turns gathered in a copy. */
    for (int c = 0; c < x->n_channels; c++) {
        struct report_response_channel *ch = &x->channels[c];
        struct measure_turn *mine = xcalloc((size_t)ch->turns, sizeof(*mine));
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(turns[i].channel, ch->channel) == 0)
                mine[m++] = turns[i];
        ch->median_minutes = measure_median_minutes(mine, m);
        free(mine);
    }
    /* Day by day, in order of the turns' start: a sorted list of every wait so far. */
    if (n)
        qsort(turns, n, sizeof(*turns), cmp_start);
    sorted = xcalloc(n ? n : 1, sizeof(*sorted));
    for (int d = 0; d < r->n_days; d++) {
        size_t day_first = k;
        while (k < n && turns[k].start / PZ_DAY_MS <= r->days[d].day) {
            int64_t w = turns[k].wait_ms;
            size_t lo = 0, hi = n_sorted;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (sorted[mid] < w)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            memmove(sorted + lo + 1, sorted + lo, (n_sorted - lo) * sizeof(*sorted));
            sorted[lo] = w;
            n_sorted++;
            k++;
        }
        r->days[d].value = measure_median_minutes(turns + day_first, k - day_first);
        r->days[d].to_date = n_sorted ? median_of_sorted(sorted, n_sorted) : -1;
    }
    x->median_minutes = r->p.value;
    free(sorted);
    free(turns);
    return 0;
}

static int load_series(struct pz_conn *conn, int64_t ws, const struct objective *o,
                       struct report *r, int64_t from, int64_t to)
{
    int64_t first = from / PZ_DAY_MS, last = to / PZ_DAY_MS - 1;
    char day[16];
    struct pz_stmt *st;
    int rc = 0;

    if (to <= from)
        return 0;
    r->n_days = (int)(last - first + 1);
    r->days = xcalloc((size_t)r->n_days, sizeof(*r->days));
    for (int i = 0; i < r->n_days; i++) {
        r->days[i].day = first + i;
        r->days[i].to_date = -1;
    }
    if (o->event[0]) {
        rc = add_daily(conn, r,
                       "SELECT at / 86400000, COUNT(*), SUM(CASE WHEN currency = 'EUR' THEN"
                       " value_cents ELSE 0 END) FROM conversions WHERE workspace_id = $1"
                       " AND event = $2 AND at >= $3 AND at < $4 GROUP BY 1",
                       ws, o->event, 0, from, to, 'c');
        if (rc == 0)
            rc = add_daily(conn, r,
                           "SELECT at / 86400000, COUNT(*) FROM hits WHERE workspace_id = $1"
                           " AND event = $2 AND kind = 'event' AND at >= $3 AND at < $4"
                           " GROUP BY 1",
                           ws, o->event, 0, from, to, 'e');
    }
    if (rc == 0)
        rc = add_daily(conn, r,
                       "SELECT h.at / 86400000, COUNT(*) FROM hits h JOIN links l ON"
                       " l.workspace_id = h.workspace_id AND l.id = h.link_id JOIN campaigns c"
                       " ON c.workspace_id = l.workspace_id AND c.id = l.campaign_id"
                       " WHERE h.workspace_id = $1 AND c.objective_id = $2 AND h.kind = 'click'"
                       " AND h.at >= $3 AND h.at < $4 GROUP BY 1",
                       ws, NULL, o->id, from, to, 'k');
    if (rc == 0 && strcmp(o->metric, "contacts") == 0) {
        int64_t *per_day = xcalloc((size_t)r->n_days, sizeof(*per_day)), count;
        rc = measure_stage_entries(conn, ws, o->stage, from, to, &count, per_day, first, r->n_days);
        for (int i = 0; i < r->n_days; i++)
            r->days[i].value = per_day[i];
        free(per_day);
    }
    if (rc == 0 && strcmp(o->metric, "response_time") == 0)
        rc = load_responses(conn, ws, o, r, from, to);
    if (rc < 0)
        return rc;
    for (int i = 0; i < r->n_days; i++) {
        struct report_day *d = &r->days[i];
        if (strcmp(o->metric, "conversions") == 0)
            d->value = d->conversions;
        else if (strcmp(o->metric, "revenue") == 0)
            d->value = d->value_cents;
        else if (strcmp(o->metric, "clicks") == 0)
            d->value = d->clicks;
    }
    /* Costs per day, hours priced at today's rates. */
    st = pz_sql(conn, "SELECT day, COALESCE(user_id, 0), SUM(COALESCE(amount_cents, 0)),"
                      " SUM(COALESCE(minutes, 0)) FROM investments WHERE workspace_id = $1"
                      " AND objective_id = $2 AND day <= $3 AND (kind = 'time' OR currency ="
                      " 'EUR') GROUP BY 1, 2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, o->id);
    pz_sql_bind_text(st, 3, pz_day_format(r->p.as_of_day, day, sizeof(day)));
    {
        struct drow {
            int64_t day, user, cents, minutes;
        } *rows = NULL;
        size_t n = 0, cap = 0;
        while ((rc = pz_sql_step(st)) == PZ_SQL_ROW) {
            const char *d = pz_sql_text(st, 0);
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                rows = xrealloc(rows, cap * sizeof(*rows));
            }
            if (pz_day_parse(d, &rows[n].day) < 0)
                continue;
            rows[n].user = pz_sql_int(st, 1);
            rows[n].cents = pz_sql_int(st, 2);
            rows[n].minutes = pz_sql_int(st, 3);
            n++;
        }
        pz_sql_done(st);
        for (size_t i = 0; i < n && rc >= 0; i++) {
            struct report_day *d = day_at(r, rows[i].day);
            int64_t rate = -1;
            if (!d)
                continue;
            d->cost_cents += rows[i].cents;
            if (rows[i].user > 0 && rows[i].minutes > 0) {
                rc = rate_for_user(conn, ws, rows[i].user, &rate);
                if (rate > 0)
                    d->cost_cents += div_round(rows[i].minutes * rate, 60);
            }
        }
        free(rows);
    }
    return rc < 0 ? rc : 0;
}

static int64_t actual_of(const struct objective *o, const struct report_figures *f)
{
    if (strcmp(o->metric, "conversions") == 0)
        return f->conversions;
    if (strcmp(o->metric, "revenue") == 0)
        return f->value_cents;
    if (strcmp(o->metric, "clicks") == 0)
        return f->clicks;
    return -1;
}

static void by_channel(const struct objective *o, struct report *r)
{
    for (int i = 0; i < r->n_campaigns; i++) {
        struct report_campaign *c = &r->campaigns[i];
        struct report_channel *ch = NULL;
        for (int k = 0; k < r->n_channels; k++)
            if (strcmp(r->channels[k].channel, c->channel) == 0)
                ch = &r->channels[k];
        if (!ch) {
            if (r->n_channels == REPORT_CHANNELS_MAX)
                continue;
            ch = &r->channels[r->n_channels++];
            snprintf(ch->channel, sizeof(ch->channel), "%s", c->channel);
            ch->f.expected = ch->f.expected_to_date = 0;
        }
        c->f.actual = actual_of(o, &c->f);
        ch->f.cost_cents += c->f.cost_cents;
        ch->f.money_cents += c->f.money_cents;
        ch->f.time_cents += c->f.time_cents;
        ch->f.minutes += c->f.minutes;
        ch->f.clicks += c->f.clicks;
        ch->f.visits += c->f.visits;
        ch->f.conversions += c->f.conversions;
        ch->f.value_cents += c->f.value_cents;
        if (c->f.expected >= 0) {
            ch->f.expected += c->f.expected;
            ch->f.expected_to_date += c->f.expected_to_date;
        } else {
            ch->f.expected = ch->f.expected_to_date = -1;
        }
    }
    for (int k = 0; k < r->n_channels; k++)
        r->channels[k].f.actual = actual_of(o, &r->channels[k].f);
    r->total.actual = r->p.value;
    r->total.expected = o->target;
    r->total.expected_to_date = r->p.expected_to_date;
}

/* --- the explanation -------------------------------------------------------------------- */

/* Writes N as a number in the metric's unit: cents as "1234.50" (it: "1234,50"). */
static void fmt_amount(const struct objective *o, int64_t n, int it, char *out, size_t outsz)
{
    if (strcmp(o->metric, "revenue") == 0)
        snprintf(out, outsz, "%lld%c%02lld EUR", (long long)(n / 100), it ? ',' : '.',
                 (long long)(llabs(n) % 100));
    else
        snprintf(out, outsz, "%lld", (long long)n);
}

/* A rate in basis points as "2.0%" (it: "2,0%"). */
static void fmt_rate(int64_t bp, int it, char *out, size_t outsz)
{
    int64_t tenths = div_round(bp, 10);
    snprintf(out, outsz, "%lld%c%lld%%", (long long)(tenths / 10), it ? ',' : '.',
             (long long)(tenths % 10));
}

static const char *what_en(const struct objective *o)
{
    if (strcmp(o->metric, "revenue") == 0)
        return "of revenue";
    if (strcmp(o->metric, "clicks") == 0)
        return "clicks";
    if (strcmp(o->metric, "contacts") == 0)
        return "contacts entering the stage";
    return o->event;
}

static const char *what_it(const struct objective *o)
{
    if (strcmp(o->metric, "revenue") == 0)
        return "di ricavi";
    if (strcmp(o->metric, "clicks") == 0)
        return "clic";
    if (strcmp(o->metric, "contacts") == 0)
        return "contatti entrati nella fase";
    return o->event;
}

/* The explanation of a response time over its maximum: the figures, how many waited too long,
 * and the slowest channel. */
static void explain_response(const struct objective *o, struct report *r)
{
    const struct report_responses *x = &r->responses;
    const struct report_response_channel *slow = NULL;
    int missed = strcmp(r->p.status, "missed") == 0;

    if (missed)
        snprintf(r->explanation_en, sizeof(r->explanation_en),
                 "The period ended with a median response time of %lld minutes against a"
                 " maximum of %lld.",
                 (long long)r->p.value, (long long)o->target);
    else
        snprintf(r->explanation_en, sizeof(r->explanation_en),
                 "Day %lld of %lld: the median response time is %lld minutes against a maximum"
                 " of %lld.",
                 (long long)r->p.days_elapsed, (long long)r->p.days_total, (long long)r->p.value,
                 (long long)o->target);
    if (missed)
        snprintf(r->explanation_it, sizeof(r->explanation_it),
                 "Il periodo si è chiuso con un tempo di risposta mediano di %lld minuti su un"
                 " massimo di %lld.",
                 (long long)r->p.value, (long long)o->target);
    else
        snprintf(r->explanation_it, sizeof(r->explanation_it),
                 "Giorno %lld di %lld: il tempo di risposta mediano è di %lld minuti su un"
                 " massimo di %lld.",
                 (long long)r->p.days_elapsed, (long long)r->p.days_total, (long long)r->p.value,
                 (long long)o->target);
    for (int i = 0; i < x->n_channels; i++)
        if (!slow || x->channels[i].median_minutes > slow->median_minutes)
            slow = &x->channels[i];
    {
        struct pz_buf en, it;
        pz_buf_init(&en, sizeof(r->explanation_en) - 1);
        pz_buf_init(&it, sizeof(r->explanation_it) - 1);
        pz_buf_addstr(&en, r->explanation_en);
        pz_buf_addstr(&it, r->explanation_it);
        pz_buf_printf(&en, " %lld of %lld customer messages waited longer than %lld minutes",
                      (long long)x->late, (long long)x->turns, (long long)o->target);
        pz_buf_printf(&it, " %lld messaggi di clienti su %lld hanno atteso più di %lld minuti",
                      (long long)x->late, (long long)x->turns, (long long)o->target);
        if (x->unanswered) {
            pz_buf_printf(&en, "; %lld still have no reply", (long long)x->unanswered);
            pz_buf_printf(&it, "; %lld sono ancora senza risposta", (long long)x->unanswered);
        }
        pz_buf_addstr(&en, ".");
        pz_buf_addstr(&it, ".");
        if (slow && x->n_channels > 1) {
            pz_buf_printf(&en,
                          " The slowest channel is %s: a median of %lld minutes over %lld"
                          " messages.",
                          slow->channel, (long long)slow->median_minutes, (long long)slow->turns);
            pz_buf_printf(&it,
                          " Il canale più lento è %s: una mediana di %lld minuti su %lld"
                          " messaggi.",
                          slow->channel, (long long)slow->median_minutes, (long long)slow->turns);
        }
        snprintf(r->explanation_en, sizeof(r->explanation_en), "%s", pz_buf_str(&en));
        snprintf(r->explanation_it, sizeof(r->explanation_it), "%s", pz_buf_str(&it));
        pz_buf_release(&en);
        pz_buf_release(&it);
    }
}

static void explain(const struct objective *o, struct report *r)
{
    struct pz_buf en, it;
    char a[48], b[48], c[48], ra[24], rb[24];
    const struct report_campaign *worst = NULL, *best = NULL;
    int64_t worst_gap = 0, best_rate = -1;
    int missed = strcmp(r->p.status, "missed") == 0;

    r->shortfall_campaign_id = -1;
    if (strcmp(r->p.status, "at_risk") != 0 && !missed)
        return;
    if (strcmp(o->metric, "response_time") == 0) {
        explain_response(o, r);
        return;
    }
    pz_buf_init(&en, sizeof(r->explanation_en) - 1);
    pz_buf_init(&it, sizeof(r->explanation_it) - 1);
    fmt_amount(o, r->p.value, 0, a, sizeof(a));
    fmt_amount(o, o->target, 0, b, sizeof(b));
    if (missed) {
        pz_buf_printf(&en, "The period ended with %s %s against a target of %s (%lld%%).", a,
                      what_en(o), b, (long long)(r->p.value * 100 / o->target));
        fmt_amount(o, r->p.value, 1, a, sizeof(a));
        fmt_amount(o, o->target, 1, b, sizeof(b));
        pz_buf_printf(&it, "Il periodo si è chiuso con %s %s su un obiettivo di %s (%lld%%).", a,
                      what_it(o), b, (long long)(r->p.value * 100 / o->target));
    } else {
        fmt_amount(o, r->p.expected_to_date, 0, c, sizeof(c));
        pz_buf_printf(&en,
                      "Day %lld of %lld: %s %s against %s expected by now (target %s); at this"
                      " pace the period ends at ",
                      (long long)r->p.days_elapsed, (long long)r->p.days_total, a, what_en(o), c,
                      b);
        fmt_amount(o, r->p.forecast, 0, c, sizeof(c));
        pz_buf_printf(&en, "%s.", c);
        fmt_amount(o, r->p.value, 1, a, sizeof(a));
        fmt_amount(o, o->target, 1, b, sizeof(b));
        fmt_amount(o, r->p.expected_to_date, 1, c, sizeof(c));
        pz_buf_printf(&it,
                      "Giorno %lld di %lld: %s %s contro %s attesi a oggi (obiettivo %s); a questo"
                      " ritmo il periodo si chiude a ",
                      (long long)r->p.days_elapsed, (long long)r->p.days_total, a, what_it(o), c,
                      b);
        fmt_amount(o, r->p.forecast, 1, c, sizeof(c));
        pz_buf_printf(&it, "%s.", c);
    }

    /* The campaign furthest behind what it was expected to bring by now. */
    for (int i = 0; i < r->n_campaigns; i++) {
        const struct report_campaign *k = &r->campaigns[i];
        int64_t want = missed ? k->f.expected : k->f.expected_to_date;
        if (want < 0 || k->f.actual < 0)
            continue;
        if (want - k->f.actual > worst_gap) {
            worst_gap = want - k->f.actual;
            worst = k;
        }
    }
    if (worst) {
        int64_t want = missed ? worst->f.expected : worst->f.expected_to_date;
        r->shortfall_campaign_id = worst->id;
        fmt_amount(o, worst->f.actual, 0, a, sizeof(a));
        fmt_amount(o, want, 0, b, sizeof(b));
        pz_buf_printf(
            &en,
            " The biggest shortfall is the %s campaign \"%s\": it brought %s of the %s expected",
            worst->channel, worst->name, a, b);
        fmt_amount(o, worst->f.actual, 1, a, sizeof(a));
        fmt_amount(o, want, 1, b, sizeof(b));
        pz_buf_printf(&it,
                      " Lo scarto maggiore è della campagna %s \"%s\": ha portato %s dei %s attesi",
                      worst->channel, worst->name, a, b);
        if (!missed) {
            pz_buf_addstr(&en, " by now");
            pz_buf_addstr(&it, " a oggi");
        }
        /* Its clicks against the best-converting other campaign's. */
        for (int i = 0; i < r->n_campaigns; i++) {
            const struct report_campaign *k = &r->campaigns[i];
            int64_t rate;
            if (k == worst || k->f.clicks == 0)
                continue;
            rate = k->f.conversions * 10000 / k->f.clicks;
            if (rate > best_rate) {
                best_rate = rate;
                best = k;
            }
        }
        if (worst->f.clicks == 0) {
            pz_buf_addstr(&en, "; its links got no clicks.");
            pz_buf_addstr(&it, "; i suoi link non hanno avuto clic.");
        } else {
            int64_t rate = worst->f.conversions * 10000 / worst->f.clicks;
            fmt_rate(rate, 0, ra, sizeof(ra));
            pz_buf_printf(&en, "; its %lld clicks converted at %s", (long long)worst->f.clicks, ra);
            fmt_rate(rate, 1, ra, sizeof(ra));
            pz_buf_printf(&it, "; i suoi %lld clic hanno convertito al %s",
                          (long long)worst->f.clicks, ra);
            if (best && best_rate > rate) {
                fmt_rate(best_rate, 0, rb, sizeof(rb));
                pz_buf_printf(&en, " against %s for the %s campaign \"%s\"", rb, best->channel,
                              best->name);
                fmt_rate(best_rate, 1, rb, sizeof(rb));
                pz_buf_printf(&it, " contro %s della campagna %s \"%s\"", rb, best->channel,
                              best->name);
            }
            pz_buf_addstr(&en, ".");
            pz_buf_addstr(&it, ".");
        }
    } else if (r->n_campaigns == 0) {
        pz_buf_addstr(&en, " No campaign works towards it yet.");
        pz_buf_addstr(&it, " Nessuna campagna lavora ancora per questo obiettivo.");
    }

    /* The weakest step of the funnel. */
    {
        int weakest = -1;
        int64_t weakest_rate = 0;
        for (int i = 1; i < r->n_steps; i++) {
            int64_t rate;
            if (r->steps[i - 1].count == 0)
                continue;
            rate = r->steps[i].count * 10000 / r->steps[i - 1].count;
            if (weakest < 0 || rate < weakest_rate) {
                weakest = i;
                weakest_rate = rate;
            }
        }
        if (weakest > 0) {
            fmt_rate(weakest_rate, 0, ra, sizeof(ra));
            pz_buf_printf(&en, " In the funnel, the weakest step is %s → %s at %s (%lld of %lld).",
                          r->steps[weakest - 1].name, r->steps[weakest].name, ra,
                          (long long)r->steps[weakest].count,
                          (long long)r->steps[weakest - 1].count);
            fmt_rate(weakest_rate, 1, ra, sizeof(ra));
            pz_buf_printf(
                &it, " Nel funnel, il passaggio più debole è %s → %s al %s (%lld su %lld).",
                r->steps[weakest - 1].name, r->steps[weakest].name, ra,
                (long long)r->steps[weakest].count, (long long)r->steps[weakest - 1].count);
        }
    }
    snprintf(r->explanation_en, sizeof(r->explanation_en), "%s", pz_buf_str(&en));
    snprintf(r->explanation_it, sizeof(r->explanation_it), "%s", pz_buf_str(&it));
    pz_buf_release(&en);
    pz_buf_release(&it);
}

int report_build(struct pz_conn *conn, int64_t ws, const struct objective *o, int64_t as_of,
                 struct report *out)
{
    int64_t from, to;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = objective_progress(conn, ws, o, as_of, &out->p);
    if (rc == 0)
        rc = load_campaigns(conn, ws, o, out);
    if (rc < 0)
        return rc;
    window(&out->p, &from, &to);
    plan(o, out);
    rc = load_traffic(conn, ws, o, out, from, to);
    if (rc == 0)
        rc = load_costs(conn, ws, o, out);
    if (rc == 0)
        rc = load_funnel(conn, ws, o, out, from, to);
    if (rc == 0)
        rc = load_series(conn, ws, o, out, from, to);
    if (rc < 0)
        return rc;
    by_channel(o, out);
    explain(o, out);
    return 0;
}

void report_release(struct report *r)
{
    free(r->campaigns);
    free(r->days);
    r->campaigns = NULL;
    r->days = NULL;
}
