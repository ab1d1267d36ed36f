/*
 * Business time and the SLA of conversations. See workflow.h.
 *
 * Every interval is turned into two UTC instants day by day, through the
 * zone's rules for that day, so a local 09:00-18:00 is nine hours on most
 * days and still nine on the days clocks change; an interval reaching
 * midnight (close 24:00) ends at the next local midnight, which is 23 or
 * 25 hours after the previous one on those days.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/workspace.h"
#include "inbox/workflow.h"
#include "core/banned.h"

#define DAY_S 86400LL

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The local day number (days since 1970-01-01 of the local calendar) of UTC ms T. */
static int64_t local_day(const struct pz_tz *tz, int64_t t)
{
    int64_t s = floor_div(t, 1000);
    return floor_div(s + (tz ? pz_tz_offset(tz, s) : 0), DAY_S);
}

/* 1970-01-01 was a Thursday: weekday 3 when Monday is 0. */
static int weekday_of(int64_t day)
{
    return (int)(((day % 7) + 7 + 3) % 7);
}

/* UTC ms of local minute MINUTE (0..1440) of local day DAY. */
static int64_t local_instant(const struct pz_tz *tz, int64_t day, int minute)
{
    int64_t local = day * DAY_S + (int64_t)minute * 60, utc = local;
    if (tz)
        pz_tz_to_utc(tz, local, 0, &utc);
    return utc * 1000;
}

/* The longest span walked day by day; beyond it the rest counts by whole weeks. */
#define MAX_DAYS (366 * 60)

int64_t inbox_business_ms(const struct inbox_hours *h, int64_t from, int64_t to)
{
    int64_t total = 0, d0, d1;

    if (to <= from)
        return 0;
    if (h->n_items == 0)
        return to - from;
    d0 = local_day(h->tz, from);
    d1 = local_day(h->tz, to);
    if (d1 - d0 > MAX_DAYS)
        d0 = d1 - MAX_DAYS; /* sixty years back: older time is not worth counting */
    /* The day before too: an interval of the previous local day cannot reach
     * past its midnight, but a day's instants shift with the offset. */
    for (int64_t d = d0 - 1; d <= d1; d++) {
        int wd = weekday_of(d);
        for (int i = 0; i < h->n_items; i++) {
            const struct inbox_interval *iv = &h->items[i];
            int64_t a, b;
            if (iv->weekday != wd)
                continue;
            a = local_instant(h->tz, d, iv->open);
            b = iv->close >= 1440 ? local_instant(h->tz, d + 1, 0)
                                  : local_instant(h->tz, d, iv->close);
            if (a < from)
                a = from;
            if (b > to)
                b = to;
            if (b > a)
                total += b - a;
        }
    }
    return total;
}

int64_t inbox_business_add(const struct inbox_hours *h, int64_t start, int64_t minutes)
{
    int64_t left = minutes * 60000, d;

    if (minutes <= 0)
        return start;
    if (h->n_items == 0)
        return start + left;
    d = local_day(h->tz, start) - 1;
    for (int64_t n = 0; n < MAX_DAYS + 2; n++, d++) {
        int wd = weekday_of(d);
        for (int i = 0; i < h->n_items; i++) {
            const struct inbox_interval *iv = &h->items[i];
            int64_t a, b;
            if (iv->weekday != wd)
                continue;
            a = local_instant(h->tz, d, iv->open);
            b = iv->close >= 1440 ? local_instant(h->tz, d + 1, 0)
                                  : local_instant(h->tz, d, iv->close);
            if (a < start)
                a = start;
            if (b <= a)
                continue;
            if (b - a >= left)
                return a + left;
            left -= b - a;
        }
    }
    return start + minutes * 60000; /* unreachable with a valid week */
}

int inbox_hhmm_parse(const char *s, int *minutes)
{
    int hh, mm;

    if (!s || strlen(s) != 5 || s[2] != ':')
        return PZ_EINVAL;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return PZ_EINVAL;
    hh = (s[0] - '0') * 10 + (s[1] - '0');
    mm = (s[3] - '0') * 10 + (s[4] - '0');
    if (mm > 59 || hh > 24 || (hh == 24 && mm != 0))
        return PZ_EINVAL;
    *minutes = hh * 60 + mm;
    return 0;
}

static int cmp_interval(const void *pa, const void *pb)
{
    const struct inbox_interval *a = pa, *b = pb;
    if (a->weekday != b->weekday)
        return a->weekday - b->weekday;
    return a->open - b->open;
}

int inbox_settings_get(struct pz_conn *conn, int64_t workspace_id, struct inbox_settings *out)
{
    struct pz_stmt *st;
    int r;

    memset(out, 0, sizeof(*out));
    out->first_response_target = out->resolution_target = -1;
    st = pz_sql(conn, "SELECT w.timezone, s.time_zone, s.first_response_target_min,"
                      " s.resolution_target_min FROM workspaces w"
                      " LEFT JOIN inbox_settings s ON s.workspace_id = w.workspace_id"
                      " WHERE w.workspace_id = $1");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        const char *tz = pz_sql_text(st, 1) ? pz_sql_text(st, 1) : pz_sql_text(st, 0);
        snprintf(out->time_zone, sizeof(out->time_zone), "%s", tz ? tz : "Europe/Rome");
        if (!pz_sql_is_null(st, 2))
            out->first_response_target = pz_sql_int(st, 2);
        if (!pz_sql_is_null(st, 3))
            out->resolution_target = pz_sql_int(st, 3);
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return PZ_ENOTFOUND;
    st = pz_sql(conn, "SELECT weekday, open_minute, close_minute FROM inbox_business_hours"
                      " WHERE workspace_id = $1 ORDER BY weekday, open_minute");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW && out->n_hours < INBOX_HOURS_MAX) {
        struct inbox_interval *iv = &out->hours[out->n_hours++];
        iv->weekday = (int)pz_sql_int(st, 0);
        iv->open = (int)pz_sql_int(st, 1);
        iv->close = (int)pz_sql_int(st, 2);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

static int check_settings(const struct inbox_settings *s, struct inbox_interval *sorted,
                          struct pz_err *err)
{
    if (s->n_hours < 0 || s->n_hours > INBOX_HOURS_MAX)
        return pz_err_set(err, "inbox.bad_hours", "hours", "at most %d opening intervals",
                          INBOX_HOURS_MAX);
    for (int i = 0; i < s->n_hours; i++) {
        const struct inbox_interval *iv = &s->hours[i];
        if (iv->weekday < 0 || iv->weekday > 6)
            return pz_err_set(err, "inbox.bad_hours", "hours",
                              "hours[%d]: weekday must be 0 (Monday) to 6 (Sunday)", i);
        if (iv->open < 0 || iv->close > 1440 || iv->open >= iv->close)
            return pz_err_set(err, "inbox.bad_hours", "hours",
                              "hours[%d]: open must come before close", i);
        sorted[i] = *iv;
    }
    qsort(sorted, (size_t)s->n_hours, sizeof(sorted[0]), cmp_interval);
    for (int i = 1; i < s->n_hours; i++)
        if (sorted[i].weekday == sorted[i - 1].weekday && sorted[i].open < sorted[i - 1].close)
            return pz_err_set(err, "inbox.bad_hours", "hours",
                              "two opening intervals of weekday %d overlap", sorted[i].weekday);
    if (!workspace_timezone_valid(s->time_zone))
        return pz_err_set(err, "inbox.bad_time_zone", "time_zone",
                          "'%s' is not a known time zone (e.g. Europe/Rome)", s->time_zone);
    if (s->first_response_target == 0 || s->first_response_target < -1 ||
        s->first_response_target > INBOX_TARGET_MAX_MIN)
        return pz_err_set(err, "inbox.bad_target", "first_response_target_minutes",
                          "a target is a number of minutes from 1 to %d, or null",
                          INBOX_TARGET_MAX_MIN);
    if (s->resolution_target == 0 || s->resolution_target < -1 ||
        s->resolution_target > INBOX_TARGET_MAX_MIN)
        return pz_err_set(err, "inbox.bad_target", "resolution_target_minutes",
                          "a target is a number of minutes from 1 to %d, or null",
                          INBOX_TARGET_MAX_MIN);
    return 0;
}

/* The settings and loaded zone one measuring pass needs. */
struct measure_ctx {
    struct inbox_settings s;
    struct inbox_hours h;
    struct pz_tz *tz;
};

static int measure_ctx_load(struct pz_conn *conn, int64_t ws, struct measure_ctx *m)
{
    int r = inbox_settings_get(conn, ws, &m->s);

    m->tz = NULL;
    if (r < 0)
        return r;
    /* A zone the system lost since it was chosen: UTC, rather than no measures at all. */
    if (pz_tz_load(m->s.time_zone, &m->tz) < 0)
        m->tz = NULL;
    m->h.tz = m->tz;
    m->h.n_items = m->s.n_hours;
    memcpy(m->h.items, m->s.hours, sizeof(m->s.hours[0]) * (size_t)m->s.n_hours);
    return 0;
}

int inbox_clock_load(struct pz_conn *conn, int64_t workspace_id, struct inbox_clock *c)
{
    struct measure_ctx *m = calloc(1, sizeof(*m));
    int r;

    c->tz = NULL;
    c->h.tz = NULL;
    c->h.n_items = 0;
    if (!m)
        return PZ_ENOMEM;
    r = measure_ctx_load(conn, workspace_id, m);
    if (r == 0) {
        c->h = m->h;
        c->tz = m->tz;
    }
    free(m);
    return r;
}

void inbox_clock_free(struct inbox_clock *c)
{
    pz_tz_free(c->tz);
    c->tz = NULL;
    c->h.tz = NULL;
}

/* The first SQL row's first column into *OUT, -1 when there is none. */
static int first_time(struct pz_conn *conn, const char *sql, int64_t ws, int64_t conv,
                      int64_t after, int64_t *out)
{
    int r;
    *out = -1;
    r = pz_sql_int_query(conn, sql, out, "iii", ws, conv, after);
    return r < 0 ? r : 0;
}

static int measure_with(struct pz_conn *conn, int64_t ws, int64_t conv, const struct measure_ctx *m)
{
    struct pz_stmt *st;
    int64_t fi, fr, resolved_at = -1, frm = -1, rsm = -1, due = -1;
    int resolved = 0, breached = 0, r;

    st = pz_sql(conn, "SELECT status, resolved_at FROM conversations WHERE workspace_id = $1"
                      " AND id = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, conv);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        resolved = strcmp(pz_sql_text(st, 0), "resolved") == 0;
        resolved_at = pz_sql_is_null(st, 1) ? -1 : pz_sql_int(st, 1);
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return PZ_ENOTFOUND;
    /* Walks messages_conversation from the start: stops at the first match. */
    if ((r = first_time(conn,
                        "SELECT sent_at FROM messages WHERE workspace_id = $1"
                        " AND conversation_id = $2 AND direction = 'incoming' AND kind <> 'system'"
                        " AND sent_at >= $3 ORDER BY sent_at, id LIMIT 1",
                        ws, conv, INT64_MIN, &fi)) < 0)
        return r;
    fr = -1;
    if (fi >= 0 &&
        (r = first_time(conn,
                        "SELECT sent_at FROM messages WHERE workspace_id = $1"
                        " AND conversation_id = $2 AND direction = 'outgoing' AND kind <> 'system'"
                        " AND sent_at >= $3 ORDER BY sent_at, id LIMIT 1",
                        ws, conv, fi, &fr)) < 0)
        return r;
    if (fi >= 0) {
        int64_t frt = m->s.first_response_target, rt = m->s.resolution_target;
        int64_t fr_due = frt > 0 ? inbox_business_add(&m->h, fi, frt) : -1;
        int64_t rs_due = rt > 0 ? inbox_business_add(&m->h, fi, rt) : -1;
        if (fr >= 0)
            frm = inbox_business_ms(&m->h, fi, fr) / 60000;
        if (resolved && resolved_at >= 0)
            rsm = inbox_business_ms(&m->h, fi, resolved_at) / 60000;
        if (fr >= 0 && fr_due >= 0 && fr > fr_due)
            breached = 1;
        if (resolved && resolved_at >= 0 && rs_due >= 0 && resolved_at > rs_due)
            breached = 1;
        /* The earliest deadline still to meet. */
        if (!resolved && fr < 0 && fr_due >= 0)
            due = fr_due;
        if (!resolved && rs_due >= 0 && (due < 0 || rs_due < due))
            due = rs_due;
    }
    st = pz_sql(conn, "UPDATE conversations SET first_response_at = $3,"
                      " first_response_minutes = $4, resolution_minutes = $5, sla_due_at = $6,"
                      " sla_breached = $7 WHERE workspace_id = $1 AND id = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, conv);
#define BIND_OPT(i, v)                                                                             \
    do {                                                                                           \
        if ((v) >= 0)                                                                              \
            pz_sql_bind_int(st, (i), (v));                                                         \
        else                                                                                       \
            pz_sql_bind_null(st, (i));                                                             \
    } while (0)
    BIND_OPT(3, fr);
    BIND_OPT(4, frm);
    BIND_OPT(5, rsm);
    BIND_OPT(6, due);
#undef BIND_OPT
    pz_sql_bind_int(st, 7, breached);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int inbox_measure(struct pz_conn *conn, int64_t workspace_id, int64_t conv, int64_t now)
{
    struct measure_ctx *m = calloc(1, sizeof(*m));
    int r;

    (void)now;
    if (!m)
        return PZ_ENOMEM;
    r = measure_ctx_load(conn, workspace_id, m);
    if (r == 0)
        r = measure_with(conn, workspace_id, conv, m);
    pz_tz_free(m->tz);
    free(m);
    return r;
}

int inbox_settings_put(struct pz_conn *conn, int64_t workspace_id, const struct inbox_settings *s,
                       int64_t now, struct pz_err *err)
{
    struct inbox_interval sorted[INBOX_HOURS_MAX] = {{0, 0, 0}};
    struct measure_ctx *m = NULL;
    struct pz_stmt *st;
    int64_t ignored = 0;
    int r;

    if ((r = check_settings(s, sorted, err)) < 0)
        return r;
    if ((r = pz_tx_begin(conn)) < 0)
        return r;
    r = pz_sql_int_query(
        conn,
        "INSERT INTO inbox_settings (workspace_id, first_response_target_min,"
        " resolution_target_min, time_zone, updated_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (workspace_id) DO UPDATE SET"
        " first_response_target_min = excluded.first_response_target_min,"
        " resolution_target_min = excluded.resolution_target_min,"
        " time_zone = excluded.time_zone, updated_at = excluded.updated_at",
        &ignored, "iiiti", workspace_id, s->first_response_target, s->resolution_target,
        s->time_zone, now);
    if (r < 0)
        goto out;
    /* Targets of -1 mean none. */
    r = pz_sql_int_query(conn,
                         "UPDATE inbox_settings SET"
                         " first_response_target_min = NULLIF(first_response_target_min, -1),"
                         " resolution_target_min = NULLIF(resolution_target_min, -1)"
                         " WHERE workspace_id = $1",
                         &ignored, "i", workspace_id);
    if (r < 0)
        goto out;
    r = pz_sql_int_query(conn, "DELETE FROM inbox_business_hours WHERE workspace_id = $1", &ignored,
                         "i", workspace_id);
    if (r < 0)
        goto out;
    for (int i = 0; i < s->n_hours; i++) {
        r = pz_sql_int_query(conn,
                             "INSERT INTO inbox_business_hours (workspace_id, weekday, open_minute,"
                             " close_minute) VALUES ($1, $2, $3, $4)",
                             &ignored, "iiii", workspace_id, (int64_t)sorted[i].weekday,
                             (int64_t)sorted[i].open, (int64_t)sorted[i].close);
        if (r < 0)
            goto out;
    }
    /* The targets changed: every conversation still open gets its due time again. */
    m = calloc(1, sizeof(*m));
    if (!m) {
        r = PZ_ENOMEM;
        goto out;
    }
    if ((r = measure_ctx_load(conn, workspace_id, m)) < 0)
        goto out;
    {
        int64_t after = 0;
        for (;;) {
            int64_t ids[256];
            int n = 0;
            st = pz_sql(conn, "SELECT id FROM conversations WHERE workspace_id = $1"
                              " AND status <> 'resolved' AND id > $2 ORDER BY id LIMIT 256");
            if (!st) {
                r = PZ_EDB;
                goto out;
            }
            pz_sql_bind_int(st, 1, workspace_id);
            pz_sql_bind_int(st, 2, after);
            while ((r = pz_sql_step(st)) == PZ_SQL_ROW && n < 256)
                ids[n++] = pz_sql_int(st, 0);
            pz_sql_done(st);
            if (r < 0)
                goto out;
            for (int i = 0; i < n; i++)
                if ((r = measure_with(conn, workspace_id, ids[i], m)) < 0)
                    goto out;
            if (n < 256)
                break;
            after = ids[n - 1];
        }
    }
    pz_tz_free(m->tz);
    free(m);
    return pz_tx_commit(conn);
out:
    if (m) {
        pz_tz_free(m->tz);
        free(m);
    }
    pz_tx_rollback(conn);
    return r;
}
