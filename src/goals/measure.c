/*
 * Contacts entering a stage, and response times of conversations. See
 * measure.h. Both are read with indexed ranges: stage changes through the
 * timeline's (workspace, kind, time) index, conversations through their
 * latest activity and each one's messages through (conversation, time).
 */
#include "goals/measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "inbox/workflow.h"
#include "core/banned.h"

/* --- contacts entering a stage -------------------------------------------------------- */

struct entry {
    int64_t contact, at;
};

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->contact != y->contact)
        return x->contact < y->contact ? -1 : 1;
    return x->at < y->at ? -1 : (x->at > y->at);
}

static int add_rows(struct pz_stmt *st, struct entry **items, size_t *n, size_t *cap)
{
    int r;

    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *items = xrealloc(*items, *cap * sizeof(**items));
        }
        (*items)[*n].contact = pz_sql_int(st, 0);
        (*items)[*n].at = pz_sql_int(st, 1);
        (*n)++;
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int measure_stage_entries(struct pz_conn *conn, int64_t ws, const char *stage, int64_t from,
                          int64_t to, int64_t *count, int64_t *per_day, int64_t first_day,
                          int n_days)
{
    struct entry *items = NULL;
    size_t n = 0, cap = 0, unique = 0;
    char like[32];
    struct pz_stmt *st;
    int r;

    *count = 0;
    /* Changes into the stage. */
    st = pz_sql(conn, "SELECT contact_id, at FROM timeline_entries WHERE workspace_id = $1"
                      " AND kind = 'stage_change' AND at >= $2 AND at < $3 AND outcome = $4");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, from);
    pz_sql_bind_int(st, 3, to);
    pz_sql_bind_text(st, 4, stage);
    r = add_rows(st, &items, &n, &cap);
    /* Contacts created in the stage: the stage they had before their first change (the
     * entry's body is "from → to"), else the stage they are in now. */
    snprintf(like, sizeof(like), "%s %%", stage);
    if (r == 0) {
        st = pz_sql(conn,
                    "SELECT c.id, c.created_at FROM contacts c WHERE c.workspace_id = $1"
                    " AND c.created_at >= $2 AND c.created_at < $3 AND COALESCE((SELECT t.body"
                    " FROM timeline_entries t WHERE t.workspace_id = $1 AND t.contact_id = c.id"
                    " AND t.kind = 'stage_change' ORDER BY t.at, t.id LIMIT 1),"
                    " c.stage || ' ') LIKE $4");
        if (!st)
            r = PZ_EDB;
    }
    if (r == 0) {
        pz_sql_bind_int(st, 1, ws);
        pz_sql_bind_int(st, 2, from);
        pz_sql_bind_int(st, 3, to);
        pz_sql_bind_text(st, 4, like);
        r = add_rows(st, &items, &n, &cap);
    }
    if (r < 0) {
        free(items);
        return r;
    }
    /* Each contact once, on the first day it entered. */
    if (n)
        qsort(items, n, sizeof(*items), cmp_entry);
    for (size_t i = 0; i < n; i++) {
        int64_t d;
        if (i > 0 && items[i].contact == items[i - 1].contact)
            continue;
        unique++;
        d = items[i].at / PZ_DAY_MS - first_day;
        if (per_day && d >= 0 && d < n_days)
            per_day[d]++;
    }
    free(items);
    *count = (int64_t)unique;
    return 0;
}

/* --- response time --------------------------------------------------------------------- */

static const struct {
    const char *goal, *conversation;
} conv_channels[] = {
    {"linkedin", "linkedin"},   {"facebook", "messenger"},
    {"instagram", "instagram"}, {"x", "x"},
    {"whatsapp", "whatsapp"},   {"telegram", "telegram"},
    {"email", "email"},         {"newsletter", "email"},
    {"website", "website"},
};

const char *measure_conversation_channel(const char *goal_channel)
{
    for (size_t i = 0; i < sizeof(conv_channels) / sizeof(conv_channels[0]); i++)
        if (strcmp(conv_channels[i].goal, goal_channel) == 0)
            return conv_channels[i].conversation;
    return NULL;
}

/* 1 when conversation channel CH is one O measures (every one when O names no channel). */
static int channel_wanted(const struct objective *o, const char *ch)
{
    const char *p = o->channels;
    char item[GOAL_CHANNEL_MAX + 1];

    if (!o->channels[0])
        return 1;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *conv;
        if (len < sizeof(item)) {
            memcpy(item, p, len);
            item[len] = '\0';
            conv = measure_conversation_channel(item);
            if (conv && strcmp(conv, ch) == 0)
                return 1;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

struct turns {
    struct measure_turn *items;
    size_t n, cap;
};

static void add_turn(struct turns *t, const char *channel, int64_t start, int64_t wait,
                     int answered)
{
    struct measure_turn *m;

    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->items = xrealloc(t->items, t->cap * sizeof(*t->items));
    }
    m = &t->items[t->n++];
    m->start = start;
    m->wait_ms = wait > 0 ? wait : 0;
    m->answered = answered;
    snprintf(m->channel, sizeof(m->channel), "%s", channel);
}

/* The turns of conversation CONV. */
static int conversation_turns(struct pz_conn *conn, int64_t ws, int64_t conv, const char *channel,
                              int64_t from, int64_t to, int64_t until,
                              const struct inbox_hours *hours, struct turns *t)
{
    enum { NONE, FOREIGN, OPEN } state = NONE;
    int64_t start = 0;
    struct pz_stmt *st;
    int r;

    /* A customer turn already open when the window starts is not the window's. */
    st = pz_sql(conn, "SELECT direction FROM messages WHERE workspace_id = $1"
                      " AND conversation_id = $2 AND sent_at < $3 AND direction <> 'note'"
                      " AND kind <> 'system' ORDER BY sent_at DESC, id DESC LIMIT 1");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, conv);
    pz_sql_bind_int(st, 3, from);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        const char *dir = pz_sql_text(st, 0);
        if (dir && strcmp(dir, "incoming") == 0)
            state = FOREIGN;
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    st = pz_sql(conn, "SELECT direction, sent_at FROM messages WHERE workspace_id = $1"
                      " AND conversation_id = $2 AND sent_at >= $3 AND sent_at < $4"
                      " AND direction <> 'note' AND kind <> 'system' ORDER BY sent_at, id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, conv);
    pz_sql_bind_int(st, 3, from);
    pz_sql_bind_int(st, 4, until);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        const char *dir = pz_sql_text(st, 0);
        int64_t at = pz_sql_int(st, 1);
        int incoming = dir && strcmp(dir, "incoming") == 0;

        if (incoming && state == NONE) {
            if (at < to) {
                state = OPEN;
                start = at;
            } else {
                state = FOREIGN; /* after the window: not its turn */
            }
        } else if (!incoming) {
            if (state == OPEN)
                add_turn(t, channel, start, inbox_business_ms(hours, start, at), 1);
            state = NONE;
        }
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (state == OPEN)
        add_turn(t, channel, start, inbox_business_ms(hours, start, until), 0);
    return 0;
}

int measure_turns(struct pz_conn *conn, int64_t ws, const struct objective *o, int64_t from,
                  int64_t to, int64_t until, struct measure_turn **turns, size_t *n_turns)
{
    struct crow {
        int64_t id;
        char channel[16];
    } *convs = NULL;
    size_t n = 0, cap = 0;
    struct turns t = {0};
    struct pz_stmt *st;
    int r;

    *turns = NULL;
    *n_turns = 0;
    if (until < to)
        to = until;
    if (to <= from)
        return 0;
    /* Only conversations with a message since the window opened can have a turn in it. */
    st = pz_sql(conn, "SELECT id, channel FROM conversations WHERE workspace_id = $1"
                      " AND last_message_at >= $2 ORDER BY id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, from);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        const char *ch = pz_sql_text(st, 1);
        if (!ch || !channel_wanted(o, ch))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            convs = xrealloc(convs, cap * sizeof(*convs));
        }
        convs[n].id = pz_sql_int(st, 0);
        snprintf(convs[n].channel, sizeof(convs[n].channel), "%s", ch);
        n++;
    }
    pz_sql_done(st);
    /* Waits are counted in the inbox's business time, as its SLA is. */
    if (r >= 0 && n > 0) {
        struct inbox_clock clock;
        r = inbox_clock_load(conn, ws, &clock);
        for (size_t i = 0; i < n && r >= 0; i++)
            r = conversation_turns(conn, ws, convs[i].id, convs[i].channel, from, to, until,
                                   &clock.h, &t);
        inbox_clock_free(&clock);
    }
    free(convs);
    if (r < 0) {
        free(t.items);
        return r;
    }
    *turns = t.items;
    *n_turns = t.n;
    return 0;
}

static int cmp_wait(const void *a, const void *b)
{
    const struct measure_turn *x = a, *y = b;
    return x->wait_ms < y->wait_ms ? -1 : (x->wait_ms > y->wait_ms);
}

int64_t measure_median_minutes(struct measure_turn *turns, size_t n)
{
    int64_t ms;

    if (n == 0)
        return -1;
    qsort(turns, n, sizeof(*turns), cmp_wait);
    ms = n % 2 ? turns[n / 2].wait_ms : (turns[n / 2 - 1].wait_ms + turns[n / 2].wait_ms) / 2;
    return (ms + 30000) / 60000;
}
