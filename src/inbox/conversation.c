/*
 * Conversations of the shared inbox: the lists, counts, one conversation,
 * its messages and the workflow changes agents make. See conversation.h for
 * the rules; the SLA arithmetic is in workflow.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "contacts/normalize.h"
#include "contacts/timeline.h"
#include "core/mem.h"
#include "core/text.h"
#include "inbox/conversation.h"
#include "inbox/workflow.h"
#include "core/banned.h"

const char *const inbox_channels[] = {"whatsapp",  "telegram",  "email", "linkedin",
                                      "messenger", "instagram", "x",     "website",
                                      "phone",     "sms",       NULL};

int inbox_channel_valid(const char *name)
{
    for (int i = 0; inbox_channels[i]; i++)
        if (strcmp(inbox_channels[i], name) == 0)
            return 1;
    return 0;
}

static unsigned status_bit(const char *s, size_t n)
{
    static const char *const names[] = {"open", "pending", "snoozed", "resolved"};
    for (unsigned i = 0; i < 4; i++)
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
            return 1u << i;
    return 0;
}

int inbox_status_parse(const char *list, unsigned *mask)
{
    *mask = 0;
    if (strcmp(list, "all") == 0) {
        *mask = INBOX_ST_ALL;
        return 0;
    }
    while (*list) {
        const char *comma = strchr(list, ',');
        size_t n = comma ? (size_t)(comma - list) : strlen(list);
        unsigned b = status_bit(list, n);
        if (!b)
            return PZ_EINVAL;
        *mask |= b;
        list += n;
        if (*list == ',')
            list++;
    }
    return *mask ? 0 : PZ_EINVAL;
}

static void cp(char *dst, size_t sz, const char *src)
{
    snprintf(dst, sz, "%s", src ? src : "");
}

static int64_t int_or(struct pz_stmt *st, int col, int64_t none)
{
    return pz_sql_is_null(st, col) ? none : pz_sql_int(st, col);
}

/* Copies at most MAX bytes of SRC into DST (MAX + 1 bytes), cut at a character boundary. */
static void cut_utf8(char *dst, size_t max, const char *src)
{
    size_t n = 0, len = src ? strlen(src) : 0;

    while (n < len) {
        size_t c = pz_utf8_char_len(src + n, len - n);
        if (c == 0)
            c = 1;
        if (n + c > max)
            break;
        n += c;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/*
 * The columns every conversation query selects, in this order; LEFT JOINs
 * give the names. The status reads "open" once a snooze has passed ($2 is now).
 */
#define CONV_COLUMNS                                                                               \
    "c.id, c.channel, c.title, c.is_group, COALESCE(c.contact_id, 0), ct.display_name,"            \
    " CASE WHEN c.status = 'snoozed' AND c.snoozed_until <= $2 THEN 'open' ELSE c.status END,"     \
    " c.snoozed_until, COALESCE(c.assignee_user_id, 0), u.name, COALESCE(c.team_id, 0), t.name,"   \
    " c.priority, c.message_count, c.first_message_at, c.last_message_at, c.first_response_at,"    \
    " c.resolved_at, c.sla_due_at, c.sla_breached, c.first_response_minutes,"                      \
    " c.resolution_minutes"
#define CONV_JOINS                                                                                 \
    " LEFT JOIN contacts ct ON ct.id = c.contact_id AND ct.workspace_id = c.workspace_id"          \
    " LEFT JOIN users u ON u.id = c.assignee_user_id AND u.workspace_id = c.workspace_id"          \
    " LEFT JOIN inbox_teams t ON t.id = c.team_id AND t.workspace_id = c.workspace_id"

static void read_conv(struct pz_stmt *st, int64_t now, struct inbox_conv *c)
{
    memset(c, 0, sizeof(*c));
    c->id = pz_sql_int(st, 0);
    cp(c->channel, sizeof(c->channel), pz_sql_text(st, 1));
    cp(c->title, sizeof(c->title), pz_sql_text(st, 2));
    c->is_group = (int)pz_sql_int(st, 3);
    c->contact.id = pz_sql_int(st, 4);
    cp(c->contact.name, sizeof(c->contact.name), pz_sql_text(st, 5));
    if (pz_sql_is_null(st, 5))
        c->contact.id = 0;
    cp(c->status, sizeof(c->status), pz_sql_text(st, 6));
    c->snoozed_until = int_or(st, 7, -1);
    c->assignee.id = pz_sql_int(st, 8);
    cp(c->assignee.name, sizeof(c->assignee.name), pz_sql_text(st, 9));
    if (pz_sql_is_null(st, 9))
        c->assignee.id = 0;
    c->team.id = pz_sql_int(st, 10);
    cp(c->team.name, sizeof(c->team.name), pz_sql_text(st, 11));
    if (pz_sql_is_null(st, 11))
        c->team.id = 0;
    cp(c->priority, sizeof(c->priority), pz_sql_text(st, 12));
    c->message_count = pz_sql_int(st, 13);
    c->first_message_at = int_or(st, 14, -1);
    c->last_message_at = int_or(st, 15, -1);
    c->first_response_at = int_or(st, 16, -1);
    c->resolved_at = int_or(st, 17, -1);
    c->sla_due_at = int_or(st, 18, -1);
    c->sla_breached = pz_sql_int(st, 19) != 0;
    if (strcmp(c->status, "resolved") != 0 && c->sla_due_at >= 0 && c->sla_due_at < now)
        c->sla_breached = 1;
    c->first_response_minutes = int_or(st, 20, -1);
    c->resolution_minutes = int_or(st, 21, -1);
}

/* The labels, last message and awaiting_reply of C: index seeks, no scans. */
static int conv_details(struct pz_conn *conn, int64_t ws, struct inbox_conv *c)
{
    struct pz_stmt *st;
    int r;

    st =
        pz_sql(conn, "SELECT l.name FROM conversation_labels cl JOIN inbox_labels l"
                     " ON l.workspace_id = cl.workspace_id AND l.id = cl.label_id"
                     " WHERE cl.workspace_id = $1 AND cl.conversation_id = $2 ORDER BY l.name_key");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, c->id);
    c->n_labels = 0;
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        if (c->n_labels < INBOX_LABELS_MAX)
            cp(c->labels[c->n_labels++], sizeof(c->labels[0]), pz_sql_text(st, 0));
    pz_sql_done(st);
    if (r < 0)
        return r;

    /* A note or reply typed in piazza is signed by its author. */
    st = pz_sql(conn, "SELECT m.direction, m.kind, COALESCE(m.sender_name, u.name, ''),"
                      " substr(m.body, 1, 240) FROM messages m"
                      " LEFT JOIN users u ON u.workspace_id = m.workspace_id"
                      "   AND u.id = m.author_user_id"
                      " WHERE m.workspace_id = $1 AND m.conversation_id = $2"
                      " ORDER BY m.sent_at DESC, m.id DESC LIMIT 1");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, c->id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        c->has_last = 1;
        cp(c->last_direction, sizeof(c->last_direction), pz_sql_text(st, 0));
        cp(c->last_kind, sizeof(c->last_kind), pz_sql_text(st, 1));
        cp(c->last_sender, sizeof(c->last_sender), pz_sql_text(st, 2));
        cut_utf8(c->last_body, INBOX_PREVIEW_MAX, pz_sql_text(st, 3));
    }
    pz_sql_done(st);
    if (r < 0)
        return r;

    /* Notes and system notices say nothing about who must answer. */
    st = pz_sql(conn, "SELECT direction FROM messages WHERE workspace_id = $1"
                      " AND conversation_id = $2 AND direction <> 'note' AND kind <> 'system'"
                      " ORDER BY sent_at DESC, id DESC LIMIT 1");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, c->id);
    r = pz_sql_step(st);
    c->awaiting_reply = r == PZ_SQL_ROW && strcmp(pz_sql_text(st, 0), "incoming") == 0;
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* The SQL of a list, built from its filters (bounded; every piece is a constant). */
struct sqlb {
    char s[2048];
    size_t n;
};

/* Appends TEXT to B. */
static void add(struct sqlb *b, const char *text)
{
    size_t room = sizeof(b->s) - b->n;
    int n = snprintf(b->s + b->n, room, "%s", text);
    if (n > 0 && (size_t)n < room)
        b->n += (size_t)n;
}

/* The WHERE conditions of a filter, after "c.workspace_id = $1". Parameters:
 * $2 now, $3 me, $4 channel, $5 label key, $6 team, $7 assignee, $8 contact. */
static void add_status(struct sqlb *b, unsigned mask)
{
    int first = 1;

    if (mask == INBOX_ST_ALL)
        return;
    add(b, " AND (");
    if (mask & INBOX_ST_OPEN) {
        add(b, "c.status = 'open' OR (c.status = 'snoozed' AND c.snoozed_until <= $2)");
        first = 0;
    }
    if (mask & INBOX_ST_PENDING) {
        add(b, first ? "c.status = 'pending'" : " OR c.status = 'pending'");
        first = 0;
    }
    if (mask & INBOX_ST_SNOOZED) {
        add(b, first ? "" : " OR ");
        add(b, "(c.status = 'snoozed' AND (c.snoozed_until IS NULL OR c.snoozed_until > $2))");
        first = 0;
    }
    if (mask & INBOX_ST_RESOLVED)
        add(b, first ? "c.status = 'resolved'" : " OR c.status = 'resolved'");
    add(b, ")");
}

/*
 * Breaching its SLA: not resolved, and a deadline missed (sla_breached) or the
 * next one passed (sla_due_at < now). Written as one range on the deadline
 * with 0 for "missed", exactly as the partial index conversations_breach
 * (sql/0017) has it, so that counting and listing read that index.
 */
#define BREACHING                                                                                  \
    " AND c.status <> 'resolved'"                                                                  \
    " AND (CASE WHEN c.sla_breached = 1 THEN 0 ELSE c.sla_due_at END) < $2"
/* The same test kept off that index ("+"): for walking the newest first when most breach. */
#define BREACHING_WALK                                                                             \
    " AND c.status <> 'resolved'"                                                                  \
    " AND +(CASE WHEN c.sla_breached = 1 THEN 0 ELSE c.sla_due_at END) < $2"

/*
 * Up to this many breaching conversations, the breaching list reads them all
 * through conversations_breach and sorts them (cheap however few they are);
 * beyond, breaching is common enough that walking the newest conversations
 * first fills a page soon, as the other lists do.
 */
#define BREACH_SORT_MAX 2000

/* 1 when the workspace has at most BREACH_SORT_MAX breaching conversations, 0 if more. */
static int few_breaching(struct pz_conn *conn, int64_t ws, int64_t now)
{
    int64_t n = 0;
    int r = pz_sql_int_query(conn,
                             "SELECT count(*) FROM (SELECT c.id FROM conversations c"
                             " WHERE c.workspace_id = $1" BREACHING " LIMIT $3) AS b",
                             &n, "iii", ws, now, (int64_t)BREACH_SORT_MAX + 1);
    return r < 0 ? r : n <= BREACH_SORT_MAX;
}

/* WALK: a breaching filter is checked on rows met walking another index (see BREACH_SORT_MAX). */
static void add_filter(struct sqlb *b, const struct inbox_filter *f, int walk)
{
    add_status(b, f->status ? f->status : (INBOX_ST_OPEN | INBOX_ST_PENDING));
    if (f->view == 1)
        add(b, " AND c.assignee_user_id = $3");
    else if (f->view == 2)
        add(b, " AND c.assignee_user_id IS NULL");
    if (f->channel)
        add(b, " AND c.channel = $4");
    if (f->label)
        add(b, " AND c.id IN (SELECT cl.conversation_id FROM conversation_labels cl"
               " JOIN inbox_labels l ON l.workspace_id = cl.workspace_id AND l.id = cl.label_id"
               " WHERE l.workspace_id = $1 AND l.name_key = $5)");
    if (f->team_id)
        add(b, " AND c.team_id = $6");
    if (f->assignee_id)
        add(b, " AND c.assignee_user_id = $7");
    if (f->contact_id)
        add(b, " AND c.contact_id = $8");
    if (f->breaching)
        add(b, walk ? BREACHING_WALK : BREACHING);
}

static void bind_filter(struct pz_stmt *st, int64_t ws, const struct inbox_filter *f,
                        const char *label_key)
{
    pz_sql_bind_int(st, 1, ws);
    pz_sql_bind_int(st, 2, f->now);
    pz_sql_bind_int(st, 3, f->me);
    pz_sql_bind_text(st, 4, f->channel);
    pz_sql_bind_text(st, 5, label_key);
    pz_sql_bind_int(st, 6, f->team_id);
    pz_sql_bind_int(st, 7, f->assignee_id);
    pz_sql_bind_int(st, 8, f->contact_id);
}

int inbox_conv_list(struct pz_conn *conn, int64_t workspace_id, const struct inbox_filter *f,
                    const struct inbox_cursor *cursor, int limit,
                    void (*fn)(const struct inbox_conv *c, void *arg), void *arg)
{
    struct sqlb b = {.n = 0};
    char label_key[INBOX_LABEL_CHARS_MAX * 4 + 1] = "";
    struct inbox_conv *c = xmalloc(sizeof(*c));
    struct pz_stmt *st;
    int r, sorted = 0;

    b.s[0] = '\0';
    if (f->label)
        normalize_fold(f->label, label_key, sizeof(label_key));
    if (f->breaching) {
        sorted = few_breaching(conn, workspace_id, f->now);
        if (sorted < 0) {
            free(c);
            return sorted;
        }
    }
    /* Only the ids: each conversation is read whole below, once the page is known. */
    add(&b, "SELECT c.id FROM conversations c WHERE c.workspace_id = $1");
    add_filter(&b, f, !sorted);
    /* Keyset paging on (last_message_at desc, id desc); conversations without messages last. */
    if (cursor && cursor->id > 0) {
        if (cursor->at >= 0)
            add(&b, " AND (c.last_message_at < $9 OR (c.last_message_at = $9 AND c.id < $10)"
                    " OR c.last_message_at IS NULL)");
        else
            add(&b, " AND c.last_message_at IS NULL AND c.id < $10");
    }
    /* "+ 0" keeps the planner from walking the newest-first index: the few breaching ones are
     * read through conversations_breach and sorted. Without it, they are many: BREACHING_WALK
     * keeps the planner from reading them all to sort them, and it walks the newest first. */
    add(&b, sorted ? " ORDER BY c.last_message_at + 0 DESC, c.id DESC LIMIT $11"
                   : " ORDER BY c.last_message_at DESC, c.id DESC LIMIT $11");
    st = pz_sql(conn, b.s);
    if (!st) {
        free(c);
        return PZ_EDB;
    }
    bind_filter(st, workspace_id, f, label_key);
    if (cursor && cursor->id > 0) {
        pz_sql_bind_int(st, 9, cursor->at);
        pz_sql_bind_int(st, 10, cursor->id);
    }
    pz_sql_bind_int(st, 11, limit);
    /* Collect the page first: the details below use other statements. */
    {
        int64_t ids[INBOX_PAGE_MAX];
        int n = 0;
        while ((r = pz_sql_step(st)) == PZ_SQL_ROW && n < INBOX_PAGE_MAX)
            ids[n++] = pz_sql_int(st, 0);
        pz_sql_done(st);
        for (int i = 0; r >= 0 && i < n; i++) {
            r = inbox_conv_get(conn, workspace_id, ids[i], f->now, c);
            if (r == 0)
                fn(c, arg);
        }
    }
    free(c);
    return r < 0 ? r : 0;
}

int inbox_conv_get(struct pz_conn *conn, int64_t workspace_id, int64_t id, int64_t now,
                   struct inbox_conv *out)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT " CONV_COLUMNS " FROM conversations c" CONV_JOINS
                                      " WHERE c.workspace_id = $1 AND c.id = $3");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, now);
    pz_sql_bind_int(st, 3, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_conv(st, now, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return PZ_ENOTFOUND;
    return conv_details(conn, workspace_id, out);
}

int inbox_participants_each(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                            void (*fn)(const struct inbox_participant *p, void *arg), void *arg)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT id, name, COALESCE(identity_value, handle_key), is_me,"
                     " COALESCE(contact_id, 0), COALESCE(user_id, 0)"
                     " FROM conversation_participants"
                     " WHERE workspace_id = $1 AND conversation_id = $2"
                     " ORDER BY is_me DESC, id LIMIT 4000");
    struct inbox_participant p;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        memset(&p, 0, sizeof(p));
        p.id = pz_sql_int(st, 0);
        cp(p.name, sizeof(p.name), pz_sql_text(st, 1));
        cp(p.handle, sizeof(p.handle), pz_sql_text(st, 2));
        p.is_me = pz_sql_int(st, 3) != 0;
        p.contact_id = pz_sql_int(st, 4);
        p.user_id = pz_sql_int(st, 5);
        fn(&p, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* Runs a count of conversations: SQL's $1 workspace, $2 now, $3 me. */
static int count(struct pz_conn *conn, const char *sql, int64_t ws, int64_t now, int64_t me,
                 int64_t *out)
{
    int r;
    *out = 0;
    r = pz_sql_int_query(conn, sql, out, "iii", ws, now, me);
    return r < 0 ? r : 0;
}

#define NOT_RESOLVED " FROM conversations c WHERE c.workspace_id = $1 AND c.status <> 'resolved'"

int inbox_summary_get(struct pz_conn *conn, int64_t workspace_id, int64_t me, int64_t now,
                      struct inbox_summary *out)
{
    struct pz_stmt *st;
    int r;

    memset(out, 0, sizeof(*out));
    if ((r = count(conn, "SELECT count(*)" NOT_RESOLVED " AND c.assignee_user_id = $3 AND $2 >= 0",
                   workspace_id, now, me, &out->mine)) < 0 ||
        (r = count(conn,
                   "SELECT count(*)" NOT_RESOLVED
                   " AND c.assignee_user_id IS NULL AND $2 + $3 >= 0",
                   workspace_id, now, me, &out->unassigned)) < 0 ||
        (r = count(conn, "SELECT count(*)" NOT_RESOLVED BREACHING " AND $3 >= 0", workspace_id, now,
                   me, &out->breaching)) < 0)
        return r;
    st = pz_sql(conn, "SELECT CASE WHEN status = 'snoozed' AND snoozed_until <= $2 THEN 'open'"
                      " ELSE status END AS s, channel, count(*) FROM conversations"
                      " WHERE workspace_id = $1 GROUP BY s, channel");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, now);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        const char *s = pz_sql_text(st, 0), *ch = pz_sql_text(st, 1);
        int64_t n = pz_sql_int(st, 2);
        if (strcmp(s, "open") == 0)
            out->open += n;
        else if (strcmp(s, "pending") == 0)
            out->pending += n;
        else if (strcmp(s, "snoozed") == 0)
            out->snoozed += n;
        else
            out->resolved += n;
        if (strcmp(s, "resolved") == 0)
            continue;
        out->all += n;
        for (int i = 0; inbox_channels[i]; i++)
            if (strcmp(inbox_channels[i], ch) == 0)
                out->channels[i] += n;
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int inbox_summary_labels(struct pz_conn *conn, int64_t workspace_id, int64_t now,
                         void (*fn)(const char *name, int64_t count, void *arg), void *arg)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT l.name, count(c.id) FROM inbox_labels l"
                     " LEFT JOIN conversation_labels cl"
                     "   ON cl.workspace_id = l.workspace_id AND cl.label_id = l.id"
                     " LEFT JOIN conversations c ON c.workspace_id = cl.workspace_id"
                     "   AND c.id = cl.conversation_id AND c.status <> 'resolved'"
                     " WHERE l.workspace_id = $1 AND $2 >= 0"
                     " GROUP BY l.id ORDER BY l.name_key");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, now);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW)
        fn(pz_sql_text(st, 0), pz_sql_int(st, 1), arg);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* ---- changes ---- */

static int valid_status(const char *s)
{
    return s && status_bit(s, strlen(s)) != 0;
}

static int valid_priority(const char *s)
{
    return s && (strcmp(s, "low") == 0 || strcmp(s, "normal") == 0 || strcmp(s, "high") == 0 ||
                 strcmp(s, "urgent") == 0);
}

int inbox_label_key(const char *name, char *key, size_t keysz, struct pz_err *err)
{
    size_t chars = pz_utf8_count(name);
    const char *p = name;

    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || chars > INBOX_LABEL_CHARS_MAX || !pz_utf8_valid(name, strlen(name)))
        return pz_err_set(err, "inbox.bad_label", "labels", "a label must have 1 to %d characters",
                          INBOX_LABEL_CHARS_MAX);
    if (normalize_fold(name, key, keysz) <= 0)
        return pz_err_set(err, "inbox.bad_label", "labels", "the label '%s' has no usable name",
                          name);
    return 0;
}

/* Finds or creates the label NAME, setting *ID. */
static int label_id(struct pz_conn *conn, int64_t ws, const char *name, int64_t now, int64_t *id,
                    struct pz_err *err)
{
    char key[INBOX_LABEL_CHARS_MAX * 4 + 1];
    int r = inbox_label_key(name, key, sizeof(key), err);

    if (r < 0)
        return r;
    r = pz_sql_int_query(conn,
                         "SELECT id FROM inbox_labels WHERE workspace_id = $1 AND name_key = $2",
                         id, "it", ws, key);
    if (r == PZ_SQL_ROW)
        return 0;
    if (r < 0)
        return r;
    r = pz_sql_int_query(conn,
                         "INSERT INTO inbox_labels (workspace_id, name, name_key, created_at)"
                         " VALUES ($1, $2, $3, $4) RETURNING id",
                         id, "itti", ws, name, key, now);
    return r < 0 ? r : 0;
}

static int set_labels(struct pz_conn *conn, int64_t ws, int64_t conv, const struct inbox_patch *p,
                      int64_t now, struct pz_err *err)
{
    int r;

    if (p->n_labels > INBOX_LABELS_MAX)
        return pz_err_set(err, "inbox.bad_label", "labels", "at most %d labels on a conversation",
                          INBOX_LABELS_MAX);
    for (size_t i = 0; i < p->n_labels; i++) {
        char key[INBOX_LABEL_CHARS_MAX * 4 + 1];
        if ((r = inbox_label_key(p->labels[i], key, sizeof(key), err)) < 0)
            return r;
    }
    {
        int64_t ignored = 0;
        r = pz_sql_int_query(conn,
                             "DELETE FROM conversation_labels WHERE workspace_id = $1"
                             " AND conversation_id = $2",
                             &ignored, "ii", ws, conv);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < p->n_labels; i++) {
        int64_t lid = 0, ignored = 0;
        if ((r = label_id(conn, ws, p->labels[i], now, &lid, err)) < 0)
            return r;
        r = pz_sql_int_query(conn,
                             "INSERT INTO conversation_labels (workspace_id, conversation_id,"
                             " label_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                             &ignored, "iii", ws, conv, lid);
        if (r < 0)
            return r;
    }
    return 0;
}

static int check_patch(struct pz_conn *conn, int64_t ws, const struct inbox_patch *p, int64_t now,
                       const char *old_status, struct pz_err *err)
{
    int64_t v = 0;
    int r;

    if (p->has_status && !valid_status(p->status))
        return pz_err_set(err, "inbox.bad_status", "status",
                          "status must be open, pending, snoozed or resolved");
    if (p->has_priority && !valid_priority(p->priority))
        return pz_err_set(err, "inbox.bad_priority", "priority",
                          "priority must be low, normal, high or urgent");
    {
        const char *st = p->has_status ? p->status : old_status;
        if (p->has_status && strcmp(st, "snoozed") == 0 &&
            (!p->has_snoozed_until || p->snoozed_until <= now))
            return pz_err_set(err, "inbox.snooze_needs_time", "snoozed_until",
                              "snoozing needs a snoozed_until in the future");
        if (!p->has_status && p->has_snoozed_until &&
            (strcmp(st, "snoozed") != 0 ? p->snoozed_until >= 0 : p->snoozed_until <= now))
            return pz_err_set(err, "inbox.snooze_needs_time", "snoozed_until",
                              "snoozed_until needs status snoozed and a time in the future");
    }
    if (p->has_assignee && p->assignee_id) {
        r = pz_sql_int_query(conn,
                             "SELECT 1 FROM users WHERE workspace_id = $1 AND id = $2"
                             " AND disabled = 0 AND role <> 'consultant'",
                             &v, "ii", ws, p->assignee_id);
        if (r < 0)
            return r;
        if (r != PZ_SQL_ROW)
            return pz_err_set(err, "inbox.bad_assignee", "assignee_id",
                              "assignee_id is not an active user of this workspace who may answer");
    }
    if (p->has_team && p->team_id) {
        r = pz_sql_int_query(conn, "SELECT 1 FROM inbox_teams WHERE workspace_id = $1 AND id = $2",
                             &v, "ii", ws, p->team_id);
        if (r < 0)
            return r;
        if (r != PZ_SQL_ROW)
            return pz_err_set(err, "inbox.bad_team", "team_id",
                              "team_id is not a team of this workspace");
    }
    if (p->has_labels)
        for (size_t i = 0; i < p->n_labels; i++) {
            char key[INBOX_LABEL_CHARS_MAX * 4 + 1];
            if ((r = inbox_label_key(p->labels[i], key, sizeof(key), err)) < 0)
                return r;
        }
    return 0;
}

int inbox_conv_patch(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                     const struct inbox_patch *p, int64_t now, struct pz_err *err)
{
    struct pz_stmt *st;
    char old_status[10] = "";
    int r, resolving = 0, reopening = 0;

    r = pz_tx_begin(conn);
    if (r < 0)
        return r;
    st = pz_sql(conn, "SELECT CASE WHEN status = 'snoozed' AND snoozed_until <= $3 THEN 'open'"
                      " ELSE status END FROM conversations WHERE workspace_id = $1 AND id = $2");
    if (!st) {
        r = PZ_EDB;
        goto out;
    }
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, now);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        cp(old_status, sizeof(old_status), pz_sql_text(st, 0));
    pz_sql_done(st);
    if (r < 0)
        goto out;
    if (r != PZ_SQL_ROW) {
        r = PZ_ENOTFOUND;
        goto out;
    }
    if ((r = check_patch(conn, workspace_id, p, now, old_status, err)) < 0)
        goto out;
    if (p->has_status) {
        resolving = strcmp(p->status, "resolved") == 0 && strcmp(old_status, "resolved") != 0;
        reopening = strcmp(p->status, "resolved") != 0 && strcmp(old_status, "resolved") == 0;
    }
    /* One UPDATE; each member is kept unless its flag says to change it. */
    st = pz_sql(conn, "UPDATE conversations SET"
                      " status = CASE WHEN $3 = 1 THEN $4 ELSE status END,"
                      " snoozed_until = CASE WHEN $3 = 1 AND $4 <> 'snoozed' THEN NULL"
                      "   WHEN $5 = 1 THEN $6 ELSE snoozed_until END,"
                      " assignee_user_id = CASE WHEN $7 = 1 THEN $8 ELSE assignee_user_id END,"
                      " team_id = CASE WHEN $9 = 1 THEN $10 ELSE team_id END,"
                      " priority = CASE WHEN $11 = 1 THEN $12 ELSE priority END,"
                      " resolved_at = CASE WHEN $13 = 1 THEN $15 WHEN $14 = 1 THEN NULL"
                      "   ELSE resolved_at END,"
                      " updated_at = $15"
                      " WHERE workspace_id = $1 AND id = $2");
    if (!st) {
        r = PZ_EDB;
        goto out;
    }
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, id);
    pz_sql_bind_int(st, 3, p->has_status);
    pz_sql_bind_text(st, 4, p->has_status ? p->status : "");
    pz_sql_bind_int(st, 5, p->has_snoozed_until);
    if (p->has_snoozed_until && p->snoozed_until >= 0)
        pz_sql_bind_int(st, 6, p->snoozed_until);
    else
        pz_sql_bind_null(st, 6);
    pz_sql_bind_int(st, 7, p->has_assignee);
    if (p->has_assignee && p->assignee_id)
        pz_sql_bind_int(st, 8, p->assignee_id);
    else
        pz_sql_bind_null(st, 8);
    pz_sql_bind_int(st, 9, p->has_team);
    if (p->has_team && p->team_id)
        pz_sql_bind_int(st, 10, p->team_id);
    else
        pz_sql_bind_null(st, 10);
    pz_sql_bind_int(st, 11, p->has_priority);
    pz_sql_bind_text(st, 12, p->has_priority ? p->priority : "");
    pz_sql_bind_int(st, 13, resolving);
    pz_sql_bind_int(st, 14, reopening);
    pz_sql_bind_int(st, 15, now);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        goto out;
    if (p->has_labels && (r = set_labels(conn, workspace_id, id, p, now, err)) < 0)
        goto out;
    if ((resolving || reopening) && (r = inbox_measure(conn, workspace_id, id, now)) < 0)
        goto out;
    r = pz_tx_commit(conn);
    return r;
out:
    pz_tx_rollback(conn);
    return r;
}

/* ---- messages ---- */

void inbox_message_release(struct inbox_message *m)
{
    free(m->body);
    m->body = NULL;
}

int inbox_message_get(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                      struct inbox_message *out)
{
    struct pz_stmt *st = pz_sql(
        conn, "SELECT m.id, m.direction, m.kind, m.body, m.sent_at, m.local_time,"
              " m.time_zone, m.participant_id, m.sender_name, p.name, p.contact_id,"
              " COALESCE(m.author_user_id, 0), u.name, m.sent_outside, m.edited, m.deleted,"
              " r.id"
              " FROM messages m"
              " LEFT JOIN conversation_participants p ON p.workspace_id = m.workspace_id"
              "   AND p.id = m.participant_id"
              " LEFT JOIN users u ON u.workspace_id = m.workspace_id AND u.id = m.author_user_id"
              " LEFT JOIN messages r ON r.workspace_id = m.workspace_id"
              "   AND r.dedup_key = m.reply_to_key"
              " WHERE m.workspace_id = $1 AND m.id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        const char *lt = pz_sql_text(st, 5);
        memset(out, 0, sizeof(*out));
        out->id = pz_sql_int(st, 0);
        cp(out->direction, sizeof(out->direction), pz_sql_text(st, 1));
        cp(out->kind, sizeof(out->kind), pz_sql_text(st, 2));
        out->body = xstrdup(pz_sql_text(st, 3) ? pz_sql_text(st, 3) : "");
        out->sent_at = pz_sql_int(st, 4);
        /* "YYYY-MM-DDTHH:MM:SS" as the source wrote it, shown to the minute. */
        if (lt && strlen(lt) >= 16) {
            snprintf(out->local_time, sizeof(out->local_time), "%.10s %.5s", lt, lt + 11);
        }
        cp(out->time_zone, sizeof(out->time_zone), pz_sql_text(st, 6));
        out->participant_id = int_or(st, 7, 0);
        if (!pz_sql_is_null(st, 8) || !pz_sql_is_null(st, 9)) {
            out->has_sender = 1;
            cp(out->sender_name, sizeof(out->sender_name),
               pz_sql_is_null(st, 8) ? pz_sql_text(st, 9) : pz_sql_text(st, 8));
        }
        out->sender_contact_id = int_or(st, 10, 0);
        out->author.id = pz_sql_int(st, 11);
        cp(out->author.name, sizeof(out->author.name), pz_sql_text(st, 12));
        out->sent_outside = pz_sql_int(st, 13) != 0;
        out->edited = pz_sql_int(st, 14) != 0;
        out->deleted = pz_sql_int(st, 15) != 0;
        out->reply_to_id = int_or(st, 16, 0);
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

int inbox_messages_page(struct pz_conn *conn, int64_t workspace_id, int64_t conv, int64_t before_at,
                        int64_t before_id, int limit,
                        void (*fn)(const struct inbox_message *m, void *arg), void *arg, int *more,
                        int64_t *oldest_at, int64_t *oldest_id)
{
    int64_t ids[INBOX_PAGE_MAX + 1], ats[INBOX_PAGE_MAX + 1], v = 0;
    struct pz_stmt *st;
    int n = 0, r;

    *more = 0;
    *oldest_at = *oldest_id = 0;
    if (limit < 1 || limit > INBOX_PAGE_MAX)
        limit = 50;
    r = pz_sql_int_query(conn, "SELECT 1 FROM conversations WHERE workspace_id = $1 AND id = $2",
                         &v, "ii", workspace_id, conv);
    if (r < 0)
        return r;
    if (r != PZ_SQL_ROW)
        return PZ_ENOTFOUND;
    st = pz_sql(conn,
                before_id > 0
                    ? "SELECT id, sent_at FROM messages WHERE workspace_id = $1"
                      " AND conversation_id = $2 AND (sent_at < $3 OR (sent_at = $3 AND id < $4))"
                      " ORDER BY sent_at DESC, id DESC LIMIT $5"
                    : "SELECT id, sent_at FROM messages WHERE workspace_id = $1"
                      " AND conversation_id = $2 ORDER BY sent_at DESC, id DESC LIMIT $5");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, conv);
    pz_sql_bind_int(st, 3, before_at);
    pz_sql_bind_int(st, 4, before_id);
    pz_sql_bind_int(st, 5, limit + 1);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW && n <= limit) {
        ids[n] = pz_sql_int(st, 0);
        ats[n] = pz_sql_int(st, 1);
        n++;
    }
    pz_sql_done(st);
    if (r < 0)
        return r;
    if (n > limit) {
        *more = 1;
        n = limit;
    }
    if (n) {
        *oldest_at = ats[n - 1];
        *oldest_id = ids[n - 1];
    }
    for (int i = n - 1; i >= 0; i--) {
        struct inbox_message m;
        r = inbox_message_get(conn, workspace_id, ids[i], &m);
        if (r == PZ_ENOTFOUND)
            continue;
        if (r < 0)
            return r;
        fn(&m, arg);
        inbox_message_release(&m);
    }
    return 0;
}

static void read_attachment(struct pz_stmt *st, struct inbox_attachment *a)
{
    memset(a, 0, sizeof(*a));
    a->id = pz_sql_int(st, 0);
    a->message_id = pz_sql_int(st, 1);
    cp(a->name, sizeof(a->name), pz_sql_text(st, 2));
    cp(a->mime_type, sizeof(a->mime_type), pz_sql_text(st, 3));
    a->size = int_or(st, 4, -1);
    cp(a->stored_path, sizeof(a->stored_path), pz_sql_text(st, 5));
}

int inbox_attachments_each(struct pz_conn *conn, int64_t workspace_id, int64_t message_id,
                           void (*fn)(const struct inbox_attachment *a, void *arg), void *arg)
{
    struct pz_stmt *st = pz_sql(conn, "SELECT id, message_id, name, mime_type, size, stored_path"
                                      " FROM message_attachments WHERE workspace_id = $1"
                                      " AND message_id = $2 ORDER BY id LIMIT 1000");
    struct inbox_attachment a;
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, message_id);
    while ((r = pz_sql_step(st)) == PZ_SQL_ROW) {
        read_attachment(st, &a);
        fn(&a, arg);
    }
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

int inbox_attachment_get(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                         struct inbox_attachment *out)
{
    struct pz_stmt *st =
        pz_sql(conn, "SELECT id, message_id, name, mime_type, size, stored_path"
                     " FROM message_attachments WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, id);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        read_attachment(st, out);
    pz_sql_done(st);
    if (r < 0)
        return r;
    return r == PZ_SQL_ROW ? 0 : PZ_ENOTFOUND;
}

/* Adds message ID to the conversation contact's timeline. */
static int to_timeline(struct pz_conn *conn, int64_t ws, int64_t contact_id, const char *channel,
                       int note, const char *body, int64_t user_id, int64_t id, int64_t now)
{
    struct timeline_new e;
    struct pz_err err = {0};
    char preview[281];
    int r;

    timeline_new_init(&e);
    e.contact_id = contact_id;
    e.at = now;
    e.kind = note ? "note" : "message";
    e.channel = channel;
    e.direction = note ? NULL : "out";
    cut_utf8(preview, 280, body);
    e.body = preview;
    e.author_user_id = user_id;
    e.source_kind = "message";
    e.source_id = id;
    r = timeline_add(conn, ws, &e, NULL, &err);
    /* A contact erased meanwhile, or a channel the timeline does not name: the message stays. */
    if (r == PZ_ENOTFOUND || r == PZ_EINVAL)
        return 0;
    return r;
}

int inbox_message_post(struct pz_conn *conn, int64_t workspace_id, int64_t conv, int64_t user_id,
                       const char *kind, const char *body, int64_t now, int64_t *id,
                       struct pz_err *err)
{
    struct pz_stmt *st;
    char channel[16] = "", key[64];
    unsigned char rnd[12];
    char hex[25];
    int64_t contact_id = 0;
    int note, r;
    size_t len;

    if (!kind || (strcmp(kind, "note") != 0 && strcmp(kind, "reply") != 0))
        return pz_err_set(err, "inbox.bad_kind", "kind", "kind must be note or reply");
    note = strcmp(kind, "note") == 0;
    len = body ? strlen(body) : 0;
    {
        const char *p = body ? body : "";
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        if (!*p)
            return pz_err_set(err, "inbox.empty_body", "body", "the message is empty");
    }
    if (len > INBOX_BODY_MAX)
        return pz_err_set(err, "inbox.body_too_long", "body", "the message is over %d bytes",
                          INBOX_BODY_MAX);
    if (!pz_utf8_valid(body, len))
        return pz_err_set(err, "request.invalid", "body", "the message is not valid UTF-8");

    if ((r = pz_tx_begin(conn)) < 0)
        return r;
    st = pz_sql(conn, "SELECT channel, COALESCE(contact_id, 0) FROM conversations"
                      " WHERE workspace_id = $1 AND id = $2");
    if (!st) {
        r = PZ_EDB;
        goto out;
    }
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, conv);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        cp(channel, sizeof(channel), pz_sql_text(st, 0));
        contact_id = pz_sql_int(st, 1);
    }
    pz_sql_done(st);
    if (r < 0)
        goto out;
    if (r != PZ_SQL_ROW) {
        r = PZ_ENOTFOUND;
        goto out;
    }
    /* Typed here, so no export will ever bring it: a random key keeps it unique. */
    randombytes_buf(rnd, sizeof(rnd));
    pz_hex_encode(rnd, sizeof(rnd), hex, sizeof(hex));
    snprintf(key, sizeof(key), "piazza:%s", hex);
    r = pz_sql_int_query(
        conn,
        "INSERT INTO messages (workspace_id, conversation_id, dedup_key, direction,"
        " kind, sent_at, author_user_id, body, sent_outside, created_at)"
        " VALUES ($1, $2, $3, $4, 'text', $5, $6, $7, $8, $5) RETURNING id",
        id, "iittiiti", workspace_id, conv, key, note ? "note" : "outgoing", now, user_id, body,
        (int64_t)(note ? 0 : 1));
    if (r < 0)
        goto out;
    st = pz_sql(conn, "UPDATE conversations SET message_count = message_count + 1,"
                      " first_message_at = COALESCE(first_message_at, $3),"
                      " last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < $3"
                      "   THEN $3 ELSE last_message_at END, updated_at = $3"
                      " WHERE workspace_id = $1 AND id = $2");
    if (!st) {
        r = PZ_EDB;
        goto out;
    }
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, conv);
    pz_sql_bind_int(st, 3, now);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        goto out;
    if (!note && (r = inbox_measure(conn, workspace_id, conv, now)) < 0)
        goto out;
    if (contact_id && (r = to_timeline(conn, workspace_id, contact_id, channel, note, body, user_id,
                                       *id, now)) < 0)
        goto out;
    return pz_tx_commit(conn);
out:
    pz_tx_rollback(conn);
    return r;
}
