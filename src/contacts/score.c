/*
 * Relationship strength and the going-cold list. See score.h for the
 * formula; this file walks a contact's interactions once, oldest first, and
 * turns the counts into points and into the same sentence in English and in
 * Italian.
 */
#include "contacts/score.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/banned.h"

#define MAX_CHANNELS  16
#define REBUILD_BATCH 500

/* What one walk over the timeline counts. */
struct tally {
    int64_t last;
    int n90, n365, outgoing, answered, incoming;
    int pending_out; /* an outgoing interaction waits for its answer */
    int n_channels;
    char channels[MAX_CHANNELS][17];
};

static void tally_channel(struct tally *t, const char *channel)
{
    if (!channel || !*channel)
        return;
    for (int i = 0; i < t->n_channels; i++)
        if (strcmp(t->channels[i], channel) == 0)
            return;
    if (t->n_channels < MAX_CHANNELS)
        snprintf(t->channels[t->n_channels++], sizeof(t->channels[0]), "%s", channel);
}

static void tally_entry(struct tally *t, int64_t now, int64_t at, const char *direction,
                        const char *channel)
{
    int in_year = now - at < 365 * SCORE_DAY_MS;

    t->last = at;
    if (in_year) {
        t->n365++;
        tally_channel(t, channel);
    }
    if (now - at < 90 * SCORE_DAY_MS)
        t->n90++;
    if (strcmp(direction, "out") == 0) {
        t->pending_out = in_year;
        t->outgoing += in_year;
    } else if (strcmp(direction, "in") == 0) {
        if (in_year) {
            t->incoming++;
            t->answered += t->pending_out;
        }
        t->pending_out = 0;
    }
}

/* Appends "; " (unless first) and a formatted part to BUF. */
static void __attribute__((format(printf, 3, 4)))
part(char *buf, size_t bufsz, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;

    if (len > 0 && len + 2 < bufsz) {
        buf[len++] = ';';
        buf[len++] = ' ';
        buf[len] = '\0';
    }
    va_start(ap, fmt);
    vsnprintf(buf + len, bufsz - len, fmt, ap);
    va_end(ap);
}

static void explain_en(struct score *s)
{
    char *b = s->explanation_en;
    size_t sz = sizeof(s->explanation_en);

    b[0] = '\0';
    if (s->days_since < 0) {
        part(b, sz, "no contact yet");
        return;
    }
    if (s->days_since == 0)
        part(b, sz, "last contact today");
    else if (s->days_since == 1)
        part(b, sz, "last contact yesterday");
    else
        part(b, sz, "last contact %lld days ago", (long long)s->days_since);
    part(b, sz, "%d contact%s in the last year", s->contacts_365, s->contacts_365 == 1 ? "" : "s");
    if (s->outgoing > 0)
        part(b, sz, "answered %d of %d time%s", s->answered, s->outgoing,
             s->outgoing == 1 ? "" : "s");
    else if (s->incoming > 0)
        part(b, sz, "reached out %d time%s", s->incoming, s->incoming == 1 ? "" : "s");
    if (s->channels > 0)
        part(b, sz, "%d channel%s", s->channels, s->channels == 1 ? "" : "s");
}

static void explain_it(struct score *s)
{
    char *b = s->explanation_it;
    size_t sz = sizeof(s->explanation_it);

    b[0] = '\0';
    if (s->days_since < 0) {
        part(b, sz, "nessun contatto finora");
        return;
    }
    if (s->days_since == 0)
        part(b, sz, "ultimo contatto oggi");
    else if (s->days_since == 1)
        part(b, sz, "ultimo contatto ieri");
    else
        part(b, sz, "ultimo contatto %lld giorni fa", (long long)s->days_since);
    part(b, sz, "%d contatt%s nell'ultimo anno", s->contacts_365, s->contacts_365 == 1 ? "o" : "i");
    if (s->outgoing > 0)
        part(b, sz, "ha risposto %d volt%s su %d", s->answered, s->answered == 1 ? "a" : "e",
             s->outgoing);
    else if (s->incoming > 0)
        part(b, sz, "ci ha cercato %d volt%s", s->incoming, s->incoming == 1 ? "a" : "e");
    if (s->channels > 0)
        part(b, sz, "%d canal%s", s->channels, s->channels == 1 ? "e" : "i");
}

/* Turns the counts into points, the strength and its explanations. */
static void score_from(struct score *s, const struct tally *t, int64_t now)
{
    int directed = t->outgoing + t->incoming;

    memset(s, 0, sizeof(*s));
    s->last_contact_at = t->last;
    s->days_since = t->last >= 0 ? (now - t->last) / SCORE_DAY_MS : -1;
    s->contacts_90 = t->n90;
    s->contacts_365 = t->n365;
    s->outgoing = t->outgoing;
    s->answered = t->answered;
    s->incoming = t->incoming;
    s->channels = t->n_channels;
    if (t->last >= 0) {
        int64_t d = s->days_since;
        int f = 3 * t->n90 + (t->n365 - t->n90);
        s->recency_points = d >= 180 ? 0 : (int)(40 * (180 - d) / 180);
        s->frequency_points = f > 30 ? 30 : f;
        if (t->outgoing > 0)
            s->reciprocity_points = 20 * t->answered / t->outgoing;
        else if (t->incoming > 0)
            s->reciprocity_points = 20;
        else if (directed == 0 && t->n365 > 0)
            s->reciprocity_points = 10;
        s->channel_points = 4 * t->n_channels > 10 ? 10 : 4 * t->n_channels;
    }
    s->strength =
        s->recency_points + s->frequency_points + s->reciprocity_points + s->channel_points;
    explain_en(s);
    explain_it(s);
}

static int contact_exists(struct pz_conn *conn, int64_t ws, int64_t id)
{
    int64_t n = 0;
    int r =
        pz_sql_int_query(conn, "SELECT COUNT(*) FROM contacts WHERE workspace_id = $1 AND id = $2",
                         &n, "ii", ws, id);
    if (r < 0)
        return r;
    return n > 0 ? 0 : PZ_ENOTFOUND;
}

int score_compute(struct pz_conn *conn, int64_t ws, int64_t id, int64_t now, struct score *out)
{
    struct tally t;
    struct pz_stmt *st;
    int r = contact_exists(conn, ws, id);

    if (r < 0)
        return r;
    memset(&t, 0, sizeof(t));
    t.last = -1;
    st = pz_sql(conn, "SELECT at, COALESCE(direction, ''), COALESCE(channel, '')"
                      " FROM timeline_entries WHERE workspace_id = $1 AND contact_id = $2"
                      " AND interaction = 1 AND at <= $3 ORDER BY at, id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, now);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        tally_entry(&t, now, pz_sql_int(st, 0), pz_sql_text(st, 1), pz_sql_text(st, 2));
    pz_sql_done(st);
    if (r < 0)
        return r;
    score_from(out, &t, now);
    return 0;
}

static int store(struct pz_conn *conn, int64_t ws, int64_t id, int64_t now, const struct score *s)
{
    struct pz_stmt *st = pz_sql(
        conn, "INSERT INTO contact_scores (workspace_id, contact_id, strength, last_contact_at,"
              " days_since, contacts_90, contacts_365, outgoing, answered, incoming, channels,"
              " explanation_en, explanation_it, computed_at)"
              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
              " ON CONFLICT (workspace_id, contact_id) DO UPDATE SET"
              " previous_strength = CASE WHEN contact_scores.strength <> excluded.strength"
              " THEN contact_scores.strength ELSE contact_scores.previous_strength END,"
              " strength = excluded.strength, last_contact_at = excluded.last_contact_at,"
              " days_since = excluded.days_since, contacts_90 = excluded.contacts_90,"
              " contacts_365 = excluded.contacts_365, outgoing = excluded.outgoing,"
              " answered = excluded.answered, incoming = excluded.incoming,"
              " channels = excluded.channels, explanation_en = excluded.explanation_en,"
              " explanation_it = excluded.explanation_it, computed_at = excluded.computed_at");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, s->strength);
    if (s->last_contact_at >= 0) {
        pz_sql_bind_int(st, 4, s->last_contact_at);
        pz_sql_bind_int(st, 5, s->days_since);
    } else {
        pz_sql_bind_null(st, 4);
        pz_sql_bind_null(st, 5);
    }
    pz_sql_bind_int(st, 6, s->contacts_90);
    pz_sql_bind_int(st, 7, s->contacts_365);
    pz_sql_bind_int(st, 8, s->outgoing);
    pz_sql_bind_int(st, 9, s->answered);
    pz_sql_bind_int(st, 10, s->incoming);
    pz_sql_bind_int(st, 11, s->channels);
    pz_sql_bind_text(st, 12, s->explanation_en);
    pz_sql_bind_text(st, 13, s->explanation_it);
    pz_sql_bind_int(st, 14, now);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int score_update(struct pz_conn *conn, int64_t ws, int64_t id, int64_t now, struct score *out)
{
    struct score s;
    int r = score_compute(conn, ws, id, now, &s);

    if (r < 0)
        return r;
    r = store(conn, ws, id, now, &s);
    if (r == 0 && out)
        *out = s;
    return r;
}

int score_get(struct pz_conn *conn, int64_t ws, int64_t id, struct score *out, int *previous)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT strength, COALESCE(previous_strength, -1),"
                     " COALESCE(last_contact_at, -1), COALESCE(days_since, -1), contacts_90,"
                     " contacts_365, outgoing, answered, incoming, channels, explanation_en,"
                     " explanation_it FROM contact_scores WHERE workspace_id = $1"
                     " AND contact_id = $2");
    const char *t;
    int r;

    memset(out, 0, sizeof(*out));
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        out->strength = (int)pz_sql_int(st, 0);
        if (previous)
            *previous = (int)pz_sql_int(st, 1);
        out->last_contact_at = pz_sql_int(st, 2);
        out->days_since = pz_sql_int(st, 3);
        out->contacts_90 = (int)pz_sql_int(st, 4);
        out->contacts_365 = (int)pz_sql_int(st, 5);
        out->outgoing = (int)pz_sql_int(st, 6);
        out->answered = (int)pz_sql_int(st, 7);
        out->incoming = (int)pz_sql_int(st, 8);
        out->channels = (int)pz_sql_int(st, 9);
        snprintf(out->explanation_en, sizeof(out->explanation_en), "%s",
                 (t = pz_sql_text(st, 10)) ? t : "");
        snprintf(out->explanation_it, sizeof(out->explanation_it), "%s",
                 (t = pz_sql_text(st, 11)) ? t : "");
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

/* Reads up to REBUILD_BATCH contact ids after AFTER into IDS; returns how many or a code. */
static int next_batch(struct pz_conn *conn, int64_t ws, int64_t after, int64_t *ids)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id FROM contacts WHERE workspace_id = $1"
                                      " AND id > $2 ORDER BY id LIMIT $3");
    int n = 0, r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, after);
    pz_sql_bind_int(st, 3, REBUILD_BATCH);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW && n < REBUILD_BATCH)
        ids[n++] = pz_sql_int(st, 0);
    pz_sql_done(st);
    return r < 0 ? r : n;
}

int score_rebuild_all(struct pz_conn *conn, int64_t ws, int64_t now, long *n_done)
{
    int64_t ids[REBUILD_BATCH], after = 0;
    long done = 0;
    int n = 0, r = 0;

    if (n_done)
        *n_done = 0;
    /* One transaction per batch: fast, and a long rebuild does not hold the writer lock. */
    while (r == 0 && (n = next_batch(conn, ws, after, ids)) > 0) {
        r = pz_tx_begin(conn);
        for (int i = 0; r == 0 && i < n; i++)
            r = score_update(conn, ws, ids[i], now, NULL);
        if (r == 0)
            r = pz_tx_commit(conn);
        else
            pz_tx_rollback(conn);
        after = ids[n - 1];
        done += r == 0 ? n : 0;
    }
    if (n < 0)
        r = n;
    if (n_done)
        *n_done = done;
    return r;
}

/* --- going cold ------------------------------------------------------------------------ */

static const char *cold_key(const char *stage)
{
    if (stage && strcmp(stage, "customer") == 0)
        return "cold_days.customer";
    if (stage && strcmp(stage, "prospect") == 0)
        return "cold_days.prospect";
    return NULL;
}

int score_cold_days(struct pz_conn *conn, int64_t ws, const char *stage, int *days)
{
    const char *key = cold_key(stage);
    struct pz_stmt *st;
    int64_t v = 0;
    int r, found = 0;

    if (!key)
        return PZ_EINVAL;
    *days =
        strcmp(stage, "customer") == 0 ? SCORE_COLD_CUSTOMER_DEFAULT : SCORE_COLD_PROSPECT_DEFAULT;
    st = pz_sql(conn, "SELECT value FROM settings WHERE workspace_id = $1 AND key = $2");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, key);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        found = pz_parse_int64(pz_sql_text(st, 0), 1, 3650, &v) == 0;
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (found)
        *days = (int)v;
    return 0;
}

int score_set_cold_days(struct pz_conn *conn, int64_t ws, const char *stage, int days,
                        struct pz_err *err)
{
    const char *key = cold_key(stage);
    struct pz_stmt *st;
    char value[16];
    int r;

    if (!key)
        return pz_err_set(err, "request.invalid", "stage", "stage must be customer or prospect");
    if (days < 1 || days > 3650)
        return pz_err_set(err, "request.invalid", "days", "days must be 1 to 3650");
    snprintf(value, sizeof(value), "%d", days);
    st = pz_sql(conn, "INSERT INTO settings (workspace_id, key, value) VALUES ($1, $2, $3)"
                      " ON CONFLICT (workspace_id, key) DO UPDATE SET value = excluded.value");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_text(st, 2, key);
    pz_sql_bind_text(st, 3, value);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int score_going_cold(struct pz_conn *conn, int64_t ws, int64_t owner_user_id, int64_t now,
                     const char *cursor, int limit, void (*fn)(const struct contact *c, void *arg),
                     void *arg, char *next, size_t nextsz, struct pz_err *err)
{
    struct contact_query q;

    contact_query_init(&q);
    q.owner_user_id = owner_user_id;
    q.going_cold = 1;
    q.now = now;
    q.cursor = cursor;
    q.limit = limit;
    return contact_list(conn, ws, &q, fn, arg, next, nextsz, err);
}

const char *score_cold_reason(const struct contact *c, int cold_days, int64_t now, int64_t *days)
{
    int64_t since = c->last_contact_at >= 0 ? c->last_contact_at : c->created_at;
    int64_t d = since <= now ? (now - since) / SCORE_DAY_MS : 0;
    int fell = c->previous_strength >= 0 && c->strength >= 0 && c->strength < c->previous_strength;

    if (days)
        *days = d;
    return fell && d < cold_days ? "fell" : "silent";
}
