/*
 * Writing imported conversations. See import.h for the rules; this file is
 * the sink every chat reader feeds. It is written for speed on big exports:
 * every statement comes from the connection's prepared-statement cache and
 * runs inside the caller's one transaction per file; participants are
 * resolved once per conversation and kept in memory; a message is one
 * INSERT ... ON CONFLICT DO NOTHING (the dedup).
 *
 * The contact's timeline gets one entry per conversation, day and direction:
 * the first message of that day, with its text and a link to it, stands for
 * the day's exchange (the messages themselves are in the conversation, one
 * click away). A chat of a million messages then adds a few thousand
 * entries, not a million copies: the timeline stays readable among calls and
 * meetings, relationship strength counts days of contact rather than
 * messages, and the import writes half as much.
 */
#include "inbox/import.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contacts/contact.h"
#include "contacts/dedup.h"
#include "contacts/normalize.h"
#include "contacts/score.h"
#include "contacts/timeline.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "inbox/workflow.h"
#include "core/banned.h"

#define DEDUP_WINDOW 32768u /* identical messages further apart than this are not counted */
#define DEDUP_SLOTS  (4u * DEDUP_WINDOW)
#define FOLD_MAX     256
#define FILES_MAX    100000 /* attachment files remembered per file for a rollback */
/* The timeline shows the start of a message; the message itself is one click away. */
#define TIMELINE_PREVIEW_MAX 280

struct part {
    char *key;
    char *name;
    char *identity_kind;
    char *identity_value;
    char fold[FOLD_MAX];
    int is_me;
    int64_t user_id; /* the company's user it is (me_chosen); 0 none */
    int resolved;
    int64_t id;         /* conversation_participants row */
    int64_t contact_id; /* 0 none */
    int touched;        /* got a timeline entry: refresh its score at the end */
    char tl_day[16];    /* the last day its incoming messages have a timeline entry for */
};

struct dd_slot {
    uint64_t hash; /* 0: empty */
    uint32_t count;
    uint32_t seq;
};

struct inbox_import {
    struct pz_conn *conn;
    struct inbox_import_options o;
    char (*me_fold)[FOLD_MAX];
    struct inbox_import_counts counts, before_file;
    int failed;
    void (*on_skip)(const struct import_problem *p, void *arg);
    void (*on_note)(const char *file, const char *message, void *arg);
    void (*on_progress)(long long done, long long total, void *arg);
    void *arg;

    /* The conversation being read. */
    int in_conv;
    int64_t conv_id;
    char channel[16];
    char *conv_key;
    uint64_t conv_hash; /* pz_fnv1a64 of conv_key, the start of its messages' keys */
    char *title;
    char title_fold[FOLD_MAX];
    int is_group;
    int64_t conv_contact; /* the other side of a one-to-one chat */
    int resolved_all;     /* announced participants resolved (at the first message) */
    struct part *parts;
    size_t n_parts, cap_parts;
    size_t *index; /* open addressing over parts by key; slot value is part index + 1 */
    size_t index_cap;
    int64_t first_at, last_at, last_in_at;
    long n_new;

    int64_t last_msg_id; /* the message attachments belong to; 0 when it was a duplicate */
    char tl_out_day[16]; /* the last day outgoing messages have an entry on conv_contact's */

    struct dd_slot *dd;
    uint32_t dd_seq, dd_since_sweep;

    char **new_files;
    size_t n_new_files;
};

/* --- small helpers ------------------------------------------------------------------- */

/* Copies S into OUT (OUTSZ) with control characters as spaces, trimmed, cut at a
 * character boundary. */
static void tidy(const char *s, char *out, size_t outsz)
{
    size_t n, o = 0;

    if (!s)
        s = "";
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n >= outsz)
        n = outsz - 1;
    while (n > 0 && !pz_utf8_valid(s, n))
        n--;
    for (size_t i = 0; i < n; i++)
        out[o++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) ? ' ' : s[i];
    out[o] = '\0';
}

static void fold(const char *s, char out[FOLD_MAX])
{
    if (normalize_fold(s ? s : "", out, FOLD_MAX) < 0)
        out[0] = '\0';
}

static uint64_t hash_str(const char *s)
{
    return pz_hash64(s, strlen(s)); /* the participants' table, in memory only */
}

static void problem(struct inbox_import *w, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct inbox_import *w, const char *file, long line, const char *fmt, ...)
{
    struct import_problem p;
    va_list ap;

    w->counts.skipped++;
    if (!w->on_skip)
        return;
    memset(&p, 0, sizeof(p));
    p.file = file;
    p.line = line;
    va_start(ap, fmt);
    vsnprintf(p.message, sizeof(p.message), fmt, ap);
    va_end(ap);
    w->on_skip(&p, w->arg);
}

static int fail(struct inbox_import *w, int code)
{
    if (!w->failed)
        w->failed = code < 0 ? code : PZ_EDB;
    return 1;
}

/* --- participants -------------------------------------------------------------------- */

static struct part *part_find(struct inbox_import *w, const char *key)
{
    size_t mask = w->index_cap - 1, i;

    if (!w->index_cap)
        return NULL;
    for (i = hash_str(key) & mask; w->index[i]; i = (i + 1) & mask) {
        struct part *p = &w->parts[w->index[i] - 1];
        if (strcmp(p->key, key) == 0)
            return p;
    }
    return NULL;
}

static void index_put(struct inbox_import *w, size_t part_index)
{
    size_t mask = w->index_cap - 1, i = hash_str(w->parts[part_index].key) & mask;

    while (w->index[i])
        i = (i + 1) & mask;
    w->index[i] = part_index + 1;
}

/* Adds a participant (not yet resolved); NULL when the conversation has too many. */
static struct part *part_add(struct inbox_import *w, const char *key, const char *name,
                             const char *identity_kind, const char *identity_value, int is_me)
{
    struct part *p;

    if (w->n_parts >= INBOX_PARTICIPANTS_MAX)
        return NULL;
    if (w->n_parts == w->cap_parts) {
        w->cap_parts = w->cap_parts ? 2 * w->cap_parts : 16;
        w->parts = xrealloc(w->parts, w->cap_parts * sizeof(*w->parts));
    }
    if (2 * (w->n_parts + 1) > w->index_cap) {
        free(w->index);
        w->index_cap = w->index_cap ? 2 * w->index_cap : 64;
        w->index = xcalloc(w->index_cap, sizeof(*w->index));
        for (size_t i = 0; i < w->n_parts; i++)
            index_put(w, i);
    }
    p = &w->parts[w->n_parts];
    memset(p, 0, sizeof(*p));
    p->key = xstrdup(key);
    p->name = xstrdup(name ? name : "");
    p->identity_kind = identity_kind && identity_value ? xstrdup(identity_kind) : NULL;
    p->identity_value = identity_kind && identity_value ? xstrdup(identity_value) : NULL;
    p->is_me = is_me;
    fold(p->name[0] ? p->name : p->key, p->fold);
    for (size_t i = 0; !p->is_me && i < w->o.n_me; i++)
        p->is_me = w->me_fold[i][0] && strcmp(w->me_fold[i], p->fold) == 0;
    if (!p->is_me && w->o.n_me) {
        /* --me may also name the handle (an e-mail address, a user name) rather than the name. */
        char other[FOLD_MAX];
        fold(p->identity_value ? p->identity_value : p->key, other);
        for (size_t i = 0; !p->is_me && i < w->o.n_me; i++)
            p->is_me = w->me_fold[i][0] && strcmp(w->me_fold[i], other) == 0;
    }
    if (w->o.me_chosen) {
        p->is_me = 0;
        for (size_t i = 0; !p->is_me && i < w->o.n_me_keys; i++) {
            p->is_me = strcmp(w->o.me_keys[i].key, p->key) == 0;
            p->user_id = p->is_me ? w->o.me_keys[i].user_id : 0;
        }
    }
    index_put(w, w->n_parts);
    w->n_parts++;
    return p;
}

static void parts_clear(struct inbox_import *w)
{
    for (size_t i = 0; i < w->n_parts; i++) {
        free(w->parts[i].key);
        free(w->parts[i].name);
        free(w->parts[i].identity_kind);
        free(w->parts[i].identity_value);
    }
    w->n_parts = 0;
    if (w->index)
        memset(w->index, 0, w->index_cap * sizeof(*w->index));
}

/* Creates a person for participant P, with its identity when it has one. */
static int contact_for(struct inbox_import *w, struct part *p, const char *norm, int64_t *out)
{
    char name[CONTACT_NAME_MAX + 1];
    struct contact_fields f;
    struct contact c;
    struct pz_err err = {0};
    long added = 0;
    int r;

    tidy(p->name[0] ? p->name : (p->identity_value ? p->identity_value : p->key), name,
         sizeof(name));
    if (!name[0])
        snprintf(name, sizeof(name), "%s", "?");
    contact_fields_init(&f);
    f.kind = "person";
    f.display_name = name;
    f.owner_user_id = w->o.user_id > 0 ? w->o.user_id : -1;
    r = contact_create(w->conn, w->o.workspace_id, &f, &c, &err);
    if (r < 0)
        return r;
    *out = c.id;
    contact_release(&c);
    if (norm) {
        r = contact_identity_add_normalized(w->conn, w->o.workspace_id, *out, p->identity_kind,
                                            norm, p->identity_value, NULL, NULL);
        if (r < 0)
            return r;
    }
    r = contact_reindex(w->conn, w->o.workspace_id, *out);
    if (r == 0)
        r = dedup_check_contact(w->conn, w->o.workspace_id, *out, &added);
    return r;
}

/* The participant row of P in this conversation: created, or found with what it had. */
static int part_row(struct inbox_import *w, struct part *p, int64_t *contact_id, int *was_me)
{
    struct pz_stmt *st;
    char name[CONTACT_NAME_MAX + 1];
    int r;

    tidy(p->name[0] ? p->name : p->key, name, sizeof(name));
    st = pz_sql(w->conn, "INSERT INTO conversation_participants (workspace_id, conversation_id,"
                         " handle_key, name, identity_kind, identity_value, is_me, created_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                         " ON CONFLICT (workspace_id, conversation_id, handle_key) DO NOTHING"
                         " RETURNING id");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, w->o.workspace_id);
    pz_sql_bind_int(st, 2, w->conv_id);
    pz_sql_bind_text(st, 3, p->key);
    pz_sql_bind_text(st, 4, name);
    pz_sql_bind_text(st, 5, p->identity_kind);
    pz_sql_bind_text(st, 6, p->identity_value);
    pz_sql_bind_int(st, 7, p->is_me);
    pz_sql_bind_int(st, 8, pz_now_ms());
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        p->id = pz_sql_int(st, 0);
    pz_sql_done(st);
    if (r < 0)
        return r;
    *contact_id = 0;
    *was_me = p->is_me;
    if (r == PZ_SQL_ROW)
        return 0;
    st = pz_sql(w->conn, "SELECT id, COALESCE(contact_id, 0), is_me FROM conversation_participants"
                         " WHERE workspace_id = $1 AND conversation_id = $2 AND handle_key = $3");
    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, w->o.workspace_id);
    pz_sql_bind_int(st, 2, w->conv_id);
    pz_sql_bind_text(st, 3, p->key);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW) {
        p->id = pz_sql_int(st, 0);
        *contact_id = pz_sql_int(st, 1);
        *was_me = (int)pz_sql_int(st, 2);
    }
    pz_sql_done(st);
    return r == PZ_SQL_ROW ? 0 : (r < 0 ? r : PZ_EDB);
}

static int part_store(struct inbox_import *w, const struct part *p)
{
    struct pz_stmt *st = pz_sql(w->conn, "UPDATE conversation_participants SET contact_id = $3,"
                                         " is_me = $4, user_id = CASE WHEN $4 = 0 THEN NULL"
                                         " WHEN $5 > 0 THEN $5 ELSE user_id END"
                                         " WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, w->o.workspace_id);
    pz_sql_bind_int(st, 2, p->id);
    if (p->contact_id)
        pz_sql_bind_int(st, 3, p->contact_id);
    else
        pz_sql_bind_null(st, 3);
    pz_sql_bind_int(st, 4, p->is_me);
    pz_sql_bind_int(st, 5, p->user_id);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}

/* Resolves participant P to its row and, unless it is "me", to a contact. */
static int part_resolve(struct inbox_import *w, struct part *p, const char *file, long line)
{
    int64_t known = 0;
    int was_me = 0, r;

    if (p->resolved)
        return 0;
    p->resolved = 1;
    r = part_row(w, p, &known, &was_me);
    if (r < 0)
        return r;
    if (!p->is_me && was_me && w->o.n_me == 0 && !w->o.me_chosen)
        p->is_me = 1; /* decided in an earlier import */
    if (p->is_me) {
        p->contact_id = 0;
        return was_me && !known && !p->user_id ? 0 : part_store(w, p);
    }
    if (known) {
        p->contact_id = known;
        w->counts.contacts_matched++;
        r = 0;
    } else {
        char norm[NORMALIZE_MAX];
        const char *have_norm = NULL;
        struct pz_err err = {0};
        if (p->identity_kind && p->identity_value) {
            if (normalize_identity(p->identity_kind, p->identity_value, w->o.region, norm,
                                   sizeof(norm), &err) >= 0)
                have_norm = norm;
            else if (w->on_note) {
                char msg[400];
                snprintf(msg, sizeof(msg), "line %ld: %s '%s' not used to find the contact: %s",
                         line, p->identity_kind, p->identity_value, err.message);
                w->on_note(file, msg, w->arg);
            }
        }
        r = have_norm ? contact_find_normalized(w->conn, w->o.workspace_id, p->identity_kind, norm,
                                                &p->contact_id)
                      : PZ_ENOTFOUND;
        if (r == 0) {
            w->counts.contacts_matched++;
        } else if (r == PZ_ENOTFOUND) {
            r = contact_for(w, p, have_norm, &p->contact_id);
            if (r == 0)
                w->counts.contacts_created++;
        }
    }
    if (r == 0)
        r = part_store(w, p);
    if (r == 0 && w->is_group == 0 && !w->conv_contact)
        w->conv_contact = p->contact_id;
    return r;
}

/*
 * At the first message: without --me, in a one-to-one chat named after one
 * of its two participants, the other one is "me"; then every announced
 * participant is resolved.
 */
static int resolve_announced(struct inbox_import *w, const char *file, long line)
{
    int r = 0;

    w->resolved_all = 1;
    if (w->o.n_me == 0 && !w->o.me_chosen && w->is_group != 1 && w->n_parts == 2 &&
        w->title_fold[0] && !w->parts[0].is_me && !w->parts[1].is_me) {
        int a = strcmp(w->parts[0].fold, w->title_fold) == 0;
        int b = strcmp(w->parts[1].fold, w->title_fold) == 0;
        if (a != b)
            w->parts[a ? 1 : 0].is_me = 1;
    }
    for (size_t i = 0; r == 0 && i < w->n_parts; i++)
        r = part_resolve(w, &w->parts[i], file, line);
    return r;
}

/* --- dedup --------------------------------------------------------------------------- */

/*
 * The key's hash input: each field as its length (8 bytes, little-endian) then its bytes,
 * gathered in a buffer and handed to BLAKE2b a buffer at a time (the same hash as field by
 * field, with a fraction of the calls: this runs for every message of an import).
 */
struct key_hash {
    crypto_generichash_state st;
    size_t n;
    unsigned char buf[1024];
};

static void key_bytes(struct key_hash *k, const void *p, size_t n)
{
    if (k->n + n > sizeof(k->buf)) {
        crypto_generichash_update(&k->st, k->buf, k->n);
        k->n = 0;
        if (n > sizeof(k->buf)) {
            crypto_generichash_update(&k->st, p, n);
            return;
        }
    }
    memcpy(k->buf + k->n, p, n);
    k->n += n;
}

static void feed(struct key_hash *k, const char *s, size_t n)
{
    unsigned char len[8];

    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)n >> (8 * i));
    key_bytes(k, len, sizeof(len));
    key_bytes(k, s, n);
}

static void feed_str(struct key_hash *k, const char *s)
{
    feed(k, s ? s : "", s ? strlen(s) : 0);
}

/* N in decimal, as "%ld" writes it, without printf (N >= 0). */
static void feed_count(struct key_hash *k, long n)
{
    char num[24];
    size_t o = sizeof(num);

    if (n < 0) {
        snprintf(num, sizeof(num), "%ld", n);
        feed_str(k, num);
        return;
    }
    do {
        num[--o] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    feed(k, num + o, sizeof(num) - o);
}

/* inbox_dedup_key with the conversation key's FNV-1a hash, CONV, worked out by the caller
 * (once per conversation, not per message). */
static void dedup_key(const char *channel, const char *conversation_key, uint64_t conv,
                      const struct chat_message *m, long n, char out[INBOX_KEY_SIZE])
{
    struct key_hash k;
    unsigned char h[12], conv_hi[4];
    char num[32];

    crypto_generichash_init(&k.st, NULL, 0, sizeof(h));
    k.n = 0;
    feed_str(&k, "piazza-message-1");
    feed_str(&k, channel);
    feed_str(&k, conversation_key);
    if (m->source_id) {
        feed_str(&k, "id");
        feed_str(&k, m->source_id);
    } else {
        feed_str(&k, "content");
        if (m->local_time)
            feed_str(&k, m->local_time);
        else {
            snprintf(num, sizeof(num), "%lld", (long long)m->sent_at);
            feed_str(&k, num);
        }
        feed_str(&k, m->sender_name ? m->sender_name : m->sender_key);
        feed(&k, m->text ? m->text : "", m->text ? m->text_len : 0);
        feed_count(&k, n);
    }
    crypto_generichash_update(&k.st, k.buf, k.n);
    crypto_generichash_final(&k.st, h, sizeof(h));
    /*
     * The conversation and, for messages without an id, the time as written come first: a
     * chat's messages then land next to each other in the unique index, which keeps a big
     * import from touching index pages all over the file. The hash decides the rest.
     */
    for (int i = 0; i < 4; i++)
        conv_hi[i] = (unsigned char)(conv >> (56 - 8 * i));
    pz_hex_encode(conv_hi, sizeof(conv_hi), out, INBOX_KEY_SIZE); /* "%08x" of the top half */
    if (m->source_id) {
        memset(out + 8, '0', 14);
    } else if (m->local_time) {
        size_t o = 8;
        for (const char *t = m->local_time; *t && o < 22; t++)
            if (*t >= '0' && *t <= '9')
                out[o++] = *t;
        while (o < 22)
            out[o++] = '0';
    } else {
        snprintf(num, sizeof(num), "%014lld", (long long)(m->sent_at / 1000) % 100000000000000LL);
        memcpy(out + 8, num, 14);
    }
    pz_hex_encode(h, sizeof(h), out + 22, INBOX_KEY_SIZE - 22);
}

void inbox_dedup_key(const char *channel, const char *conversation_key,
                     const struct chat_message *m, long n, char out[INBOX_KEY_SIZE])
{
    dedup_key(channel, conversation_key, pz_fnv1a64(conversation_key, strlen(conversation_key)), m,
              n, out);
}

/* The key of a message's reply target when the source names it by id. */
static void reply_key(const struct inbox_import *w, const char *source_id, char out[INBOX_KEY_SIZE])
{
    struct chat_message t;

    memset(&t, 0, sizeof(t));
    t.source_id = source_id;
    dedup_key(w->channel, w->conv_key, w->conv_hash, &t, 0, out);
}

static void dd_sweep(struct inbox_import *w)
{
    struct dd_slot *old = w->dd;

    w->dd = xcalloc(DEDUP_SLOTS, sizeof(*w->dd));
    for (size_t i = 0; i < DEDUP_SLOTS; i++) {
        if (!old[i].hash || w->dd_seq - old[i].seq > DEDUP_WINDOW)
            continue;
        for (size_t j = old[i].hash & (DEDUP_SLOTS - 1);; j = (j + 1) & (DEDUP_SLOTS - 1)) {
            if (!w->dd[j].hash) {
                w->dd[j] = old[i];
                break;
            }
        }
    }
    free(old);
    w->dd_since_sweep = 0;
}

/* How many messages identical to M came before it in this file (within the window). */
static long dd_count(struct inbox_import *w, const struct chat_message *m)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[4];
    size_t j;

    parts[0] = w->conv_key;
    parts[1] = m->local_time ? m->local_time : "";
    parts[2] = m->sender_name ? m->sender_name : (m->sender_key ? m->sender_key : "");
    parts[3] = NULL;
    for (int i = 0; parts[i]; i++)
        h = (h ^ pz_hash64(parts[i], strlen(parts[i]))) * 1099511628211ULL;
    h = (h ^ (uint64_t)m->sent_at) * 1099511628211ULL;
    h = (h ^ pz_hash64(m->text ? m->text : "", m->text ? m->text_len : 0)) * 1099511628211ULL;
    if (!h)
        h = 1;
    if (w->dd_since_sweep >= DEDUP_WINDOW)
        dd_sweep(w);
    w->dd_seq++;
    w->dd_since_sweep++;
    for (j = h & (DEDUP_SLOTS - 1); w->dd[j].hash; j = (j + 1) & (DEDUP_SLOTS - 1)) {
        if (w->dd[j].hash == h) {
            if (w->dd_seq - w->dd[j].seq > DEDUP_WINDOW)
                w->dd[j].count = 0;
            w->dd[j].seq = w->dd_seq;
            return (long)w->dd[j].count++;
        }
    }
    w->dd[j].hash = h;
    w->dd[j].count = 1;
    w->dd[j].seq = w->dd_seq;
    return 0;
}

/* --- the sink ------------------------------------------------------------------------ */

static int conv_end(struct inbox_import *w);

static int on_begin(const struct chat_conversation *c, void *arg)
{
    struct inbox_import *w = arg;
    char title[CONTACT_NAME_MAX + 1];
    struct pz_stmt *st;
    int64_t now = pz_now_ms();
    int r;

    if (w->in_conv && conv_end(w) != 0)
        return 1;
    if (!c->channel || !c->key || !c->key[0] || strlen(c->channel) >= sizeof(w->channel))
        return fail(w, pz_error(PZ_EINVAL, "chat reader: a conversation without channel or key"));
    snprintf(w->channel, sizeof(w->channel), "%s", c->channel);
    free(w->conv_key);
    free(w->title);
    w->conv_key = xstrdup(c->key);
    w->conv_hash = pz_fnv1a64(w->conv_key, strlen(w->conv_key));
    tidy(c->title, title, sizeof(title));
    w->title = xstrdup(title);
    fold(title, w->title_fold);
    w->is_group = c->is_group;
    w->conv_contact = 0;
    w->resolved_all = 0;
    w->first_at = w->last_at = w->last_in_at = -1;
    w->n_new = 0;
    w->last_msg_id = 0;
    w->tl_out_day[0] = '\0';
    parts_clear(w);
    st = pz_sql(w->conn, "INSERT INTO conversations (workspace_id, channel, external_key, title,"
                         " is_group, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
                         " ON CONFLICT (workspace_id, channel, external_key) DO NOTHING"
                         " RETURNING id");
    if (!st)
        return fail(w, PZ_EDB);
    pz_sql_bind_int(st, 1, w->o.workspace_id);
    pz_sql_bind_text(st, 2, w->channel);
    pz_sql_bind_text(st, 3, w->conv_key);
    pz_sql_bind_text(st, 4, title);
    pz_sql_bind_int(st, 5, c->is_group == 1);
    pz_sql_bind_int(st, 6, now);
    r = pz_sql_step(st);
    if (r == PZ_SQL_ROW)
        w->conv_id = pz_sql_int(st, 0);
    pz_sql_done(st);
    if (r < 0)
        return fail(w, r);
    if (r != PZ_SQL_ROW) {
        r = pz_sql_int_query(w->conn,
                             "SELECT id FROM conversations WHERE workspace_id = $1"
                             " AND channel = $2 AND external_key = $3",
                             &w->conv_id, "itt", w->o.workspace_id, (const char *)w->channel,
                             (const char *)w->conv_key);
        if (r != PZ_SQL_ROW)
            return fail(w, r < 0 ? r : PZ_EDB);
        r = pz_sql_int_query(w->conn,
                             "SELECT COALESCE(contact_id, 0) FROM conversations"
                             " WHERE workspace_id = $1 AND id = $2",
                             &w->conv_contact, "ii", w->o.workspace_id, w->conv_id);
        if (r < 0)
            return fail(w, r);
    }
    w->in_conv = 1;
    w->counts.conversations++;
    return 0;
}

static int on_participant(const struct chat_participant *p, void *arg)
{
    struct inbox_import *w = arg;
    struct part *have;

    if (!w->in_conv || !p->key || !p->key[0])
        return 0;
    have = part_find(w, p->key);
    if (have) {
        if (p->is_me && !have->is_me && !have->resolved && !w->o.me_chosen)
            have->is_me = 1;
        return 0;
    }
    have = part_add(w, p->key, p->name, p->identity_kind, p->identity_value,
                    p->is_me && !w->o.me_chosen);
    if (have && w->resolved_all) {
        int r = part_resolve(w, have, NULL, 0);
        if (r < 0)
            return fail(w, r);
    }
    return 0;
}

static const char *kind_name(enum chat_kind k)
{
    return k == CHAT_SYSTEM ? "system" : (k == CHAT_MEDIA ? "media" : "text");
}

/* Cuts N bytes of S to at most MAX at a character boundary; returns the new length. */
static size_t cut_utf8(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* The day of M as the chat showed it ("YYYY-MM-DD"), or its UTC day number without one. */
static void message_day(const struct chat_message *m, char out[16])
{
    if (m->local_time && strlen(m->local_time) >= 10)
        snprintf(out, 16, "%.10s", m->local_time);
    else
        snprintf(out, 16, "%lld", (long long)(m->sent_at / 86400000));
}

/*
 * Whether CONTACT's timeline has an entry for a message of this conversation
 * in DIRECTION on the day of M already (from an earlier import of an
 * overlapping export). 1 yes, 0 no, or a negative code.
 */
static int day_on_timeline(struct inbox_import *w, const struct chat_message *m, int64_t contact,
                           int outgoing)
{
    int64_t start, n = 0;
    int r;

    if (m->local_time && strlen(m->local_time) >= 19 && m->local_time[10] == 'T') {
        const char *t = m->local_time + 11;
        int64_t secs = ((t[0] - '0') * 10 + (t[1] - '0')) * 3600 +
                       ((t[3] - '0') * 10 + (t[4] - '0')) * 60 + (t[6] - '0') * 10 + (t[7] - '0');
        start = m->sent_at - secs * 1000;
    } else {
        start = m->sent_at - m->sent_at % 86400000;
    }
    r = pz_sql_int_query(w->conn,
                         "SELECT COUNT(*) FROM timeline_entries t WHERE t.workspace_id = $1"
                         " AND t.contact_id = $2 AND t.at >= $3 AND t.at < $4"
                         " AND t.kind = 'message' AND t.direction = $5"
                         " AND t.source_kind = 'message' AND EXISTS (SELECT 1 FROM messages g"
                         " WHERE g.workspace_id = $1 AND g.id = t.source_id"
                         " AND g.conversation_id = $6)",
                         &n, "iiiiti", w->o.workspace_id, contact, start, start + 86400000,
                         outgoing ? "out" : "in", w->conv_id);
    if (r < 0)
        return r;
    return n > 0;
}

static int add_to_timeline(struct inbox_import *w, struct part *who, const struct chat_message *m,
                           int64_t contact_id, int outgoing, int64_t msg_id)
{
    struct timeline_new e;
    struct pz_err err = {0};
    char *body = NULL, day[16], none[16] = "";
    char *last = none; /* where the day of the last entry is kept: none without a sender */
    size_t n = m->text ? m->text_len : 0;
    int r;

    if (outgoing)
        last = w->tl_out_day;
    else if (who)
        last = who->tl_day;
    message_day(m, day);
    if (strcmp(last, day) == 0)
        return 0; /* the day has its entry */
    snprintf(last, 16, "%s", day);
    r = day_on_timeline(w, m, contact_id, outgoing);
    if (r != 0)
        return r < 0 ? r : 0;
    timeline_new_init(&e);
    e.contact_id = contact_id;
    e.at = m->sent_at > 0 ? m->sent_at : 1;
    e.kind = "message";
    e.channel = w->channel;
    e.direction = outgoing ? "out" : "in";
    if (n > 0) {
        n = cut_utf8(m->text, n, TIMELINE_PREVIEW_MAX);
        body = xstrndup(m->text, n);
        if (!pz_utf8_valid(body, strlen(body)))
            body[0] = '\0';
        e.body = body[0] ? body : NULL;
    }
    e.source_kind = "message";
    e.source_id = msg_id;
    r = timeline_add(w->conn, w->o.workspace_id, &e, NULL, &err);
    free(body);
    if (r == 0 && who)
        who->touched = 1;
    return r == PZ_EINVAL ? 0 : r;
}

static int on_message(const struct chat_message *m, void *arg)
{
    struct inbox_import *w = arg;
    struct part *who = NULL;
    struct pz_stmt *st;
    char key[INBOX_KEY_SIZE], rkey[INBOX_KEY_SIZE], sender[CONTACT_NAME_MAX + 1];
    int outgoing;
    long n = 0;
    int r;

    w->last_msg_id = 0;
    if (!w->in_conv)
        return fail(w, pz_error(PZ_EINVAL, "chat reader: a message outside a conversation"));
    if (!m->text || !pz_utf8_valid(m->text, m->text_len)) {
        problem(w, m->file, m->line, "message text is not valid UTF-8; skipped");
        return 0;
    }
    if (!w->resolved_all && resolve_announced(w, m->file, m->line) < 0)
        return fail(w, PZ_EDB);
    if (m->sender_key && m->sender_key[0]) {
        who = part_find(w, m->sender_key);
        if (!who) {
            who = part_add(w, m->sender_key, m->sender_name, NULL, NULL, 0);
            if (!who) {
                problem(w, m->file, m->line, "more than %d participants in one conversation",
                        INBOX_PARTICIPANTS_MAX);
                return 0;
            }
        }
        r = part_resolve(w, who, m->file, m->line);
        if (r < 0)
            return fail(w, r);
    }
    if (m->direction != CHAT_DIR_UNKNOWN)
        outgoing = m->direction == CHAT_DIR_OUTGOING;
    else
        outgoing = who && who->is_me;
    if (!m->source_id)
        n = dd_count(w, m);
    dedup_key(w->channel, w->conv_key, w->conv_hash, m, n, key);
    if (m->reply_to_source_id)
        reply_key(w, m->reply_to_source_id, rkey);
    tidy(m->sender_name ? m->sender_name : (who ? who->name : NULL), sender, sizeof(sender));

    st = pz_sql(w->conn,
                "INSERT INTO messages (workspace_id, conversation_id, dedup_key, source_id,"
                " direction, kind, sent_at, local_time, time_zone, participant_id, sender_name,"
                " body, reply_to_key, edited, edited_at, deleted, import_run_id, created_at,"
                " author_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                " $14, $15, $16, $17, $18, $19) ON CONFLICT (workspace_id, dedup_key) DO NOTHING");
    if (!st)
        return fail(w, PZ_EDB);
    pz_sql_bind_int(st, 1, w->o.workspace_id);
    pz_sql_bind_int(st, 2, w->conv_id);
    pz_sql_bind_text(st, 3, key);
    pz_sql_bind_text(st, 4, m->source_id);
    pz_sql_bind_text(st, 5, outgoing ? "outgoing" : "incoming");
    pz_sql_bind_text(st, 6, kind_name(m->kind));
    pz_sql_bind_int(st, 7, m->sent_at);
    pz_sql_bind_text(st, 8, m->local_time);
    pz_sql_bind_text(st, 9, m->time_zone);
    if (who && who->id)
        pz_sql_bind_int(st, 10, who->id);
    else
        pz_sql_bind_null(st, 10);
    pz_sql_bind_text(st, 11, sender[0] ? sender : NULL);
    pz_sql_bind_text(st, 12, m->text);
    pz_sql_bind_text(st, 13, m->reply_to_source_id ? rkey : NULL);
    pz_sql_bind_int(st, 14, m->edited != 0);
    if (m->edited_at >= 0 && m->edited)
        pz_sql_bind_int(st, 15, m->edited_at);
    else
        pz_sql_bind_null(st, 15);
    pz_sql_bind_int(st, 16, m->deleted != 0);
    if (w->o.import_run_id > 0)
        pz_sql_bind_int(st, 17, w->o.import_run_id);
    else
        pz_sql_bind_null(st, 17);
    pz_sql_bind_int(st, 18, pz_now_ms());
    if (outgoing && who && who->user_id > 0)
        pz_sql_bind_int(st, 19, who->user_id);
    else
        pz_sql_bind_null(st, 19);
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return fail(w, r);
    if (pz_sql_changes(w->conn) == 0) {
        w->counts.duplicates_skipped++;
        return 0;
    }
    w->last_msg_id = pz_sql_last_id(w->conn);
    w->counts.messages++;
    w->n_new++;
    if (m->kind == CHAT_SYSTEM)
        w->counts.system_messages++;
    if (w->first_at < 0 || m->sent_at < w->first_at)
        w->first_at = m->sent_at;
    if (m->sent_at > w->last_at)
        w->last_at = m->sent_at;
    if (!outgoing && m->kind != CHAT_SYSTEM && m->sent_at > w->last_in_at)
        w->last_in_at = m->sent_at;
    if (m->kind != CHAT_SYSTEM) {
        int64_t contact = 0;
        if (!outgoing && who && who->contact_id)
            contact = who->contact_id;
        else if (outgoing && w->is_group != 1 && w->conv_contact)
            contact = w->conv_contact;
        if (contact) {
            r = add_to_timeline(w, outgoing ? NULL : who, m, contact, outgoing, w->last_msg_id);
            if (r < 0)
                return fail(w, r);
        }
    }
    return 0;
}

/* --- attachments --------------------------------------------------------------------- */

static int mkdirs(const char *path)
{
    char tmp[1024];
    size_t n = strlen(path);

    if (n >= sizeof(tmp))
        return PZ_EINVAL;
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
                return PZ_EIO;
            tmp[i] = c;
        }
    }
    return 0;
}

/*
 * Copies the attachment's file into the data folder, named by its SHA-256.
 * Sets SHA (65) and REL (the path relative to the data folder); returns 0,
 * PZ_ETOOBIG past the cap, PZ_EIO.
 */
static int store_file(struct inbox_import *w, const struct chat_attachment *a, char sha[65],
                      char *rel, size_t relsz, int64_t *size)
{
    crypto_hash_sha256_state hs;
    unsigned char h[crypto_hash_sha256_BYTES];
    char dir[1024], tmp[1100], final[1100];
    char *buf = xmalloc(65536);
    int64_t total = 0;
    long n;
    int fd, r = 0;

    snprintf(dir, sizeof(dir), "%s/attachments", w->o.data_dir);
    if (mkdirs(dir) < 0) {
        free(buf);
        return PZ_EIO;
    }
    snprintf(tmp, sizeof(tmp), "%s/.incoming-XXXXXX", dir);
    fd = mkstemp(tmp);
    if (fd < 0) {
        free(buf);
        return PZ_EIO;
    }
    crypto_hash_sha256_init(&hs);
    while ((n = a->read(a->ctx, buf, 65536)) > 0) {
        total += n;
        if (total > INBOX_ATTACHMENT_MAX) {
            r = PZ_ETOOBIG;
            break;
        }
        crypto_hash_sha256_update(&hs, (unsigned char *)buf, (unsigned long long)n);
        for (long off = 0; off < n;) {
            ssize_t wr = write(fd, buf + off, (size_t)(n - off));
            if (wr <= 0) {
                r = PZ_EIO;
                break;
            }
            off += wr;
        }
        if (r)
            break;
    }
    if (n < 0)
        r = PZ_EIO;
    if (close(fd) != 0 && !r)
        r = PZ_EIO;
    free(buf);
    if (r) {
        unlink(tmp);
        return r;
    }
    crypto_hash_sha256_final(&hs, h);
    pz_hex_encode(h, sizeof(h), sha, 65);
    snprintf(rel, relsz, "attachments/%.2s/%s", sha, sha);
    snprintf(dir, sizeof(dir), "%s/attachments/%.2s", w->o.data_dir, sha);
    snprintf(final, sizeof(final), "%s/%s", w->o.data_dir, rel);
    *size = total;
    if (access(final, F_OK) == 0) {
        unlink(tmp); /* stored before: the same bytes */
        return 0;
    }
    if (mkdirs(dir) < 0 || rename(tmp, final) != 0) {
        unlink(tmp);
        return PZ_EIO;
    }
    if (w->n_new_files < FILES_MAX) {
        w->new_files = xrealloc(w->new_files, (w->n_new_files + 1) * sizeof(*w->new_files));
        w->new_files[w->n_new_files++] = xstrdup(final);
    }
    return 0;
}

/* Keeps the last path component of NAME without control characters, at most 255 bytes. */
static void safe_name(const char *name, char *out, size_t outsz)
{
    const char *base = name ? name : "";
    const char *s;

    for (s = base; *s; s++)
        if (*s == '/' || *s == '\\')
            base = s + 1;
    tidy(base, out, outsz < 256 ? outsz : 256);
}

static int on_attachment(const struct chat_attachment *a, void *arg)
{
    struct inbox_import *w = arg;
    char name[256], sha[65] = "", rel[128] = "";
    int64_t size = a->size;
    struct pz_stmt *st;
    int stored = 0, r;

    if (!w->last_msg_id)
        return 0; /* the message was there already, with its attachments */
    safe_name(a->name, name, sizeof(name));
    if (a->read && w->o.data_dir) {
        r = store_file(w, a, sha, rel, sizeof(rel), &size);
        if (r == 0)
            stored = 1;
        else if (w->on_note) {
            char msg[400];
            snprintf(msg, sizeof(msg), "attachment '%s' not kept: %s", name,
                     r == PZ_ETOOBIG ? "larger than the limit" : "cannot be copied");
            w->on_note(NULL, msg, w->arg);
        }
    }
    st = pz_sql(w->conn, "INSERT INTO message_attachments (workspace_id, message_id, name,"
                         " mime_type, size, sha256, stored_path, created_at)"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    if (!st)
        return fail(w, PZ_EDB);
    pz_sql_bind_int(st, 1, w->o.workspace_id);
    pz_sql_bind_int(st, 2, w->last_msg_id);
    pz_sql_bind_text(st, 3, name);
    pz_sql_bind_text(st, 4, a->mime_type ? a->mime_type : chat_mime_type(name));
    if (size >= 0)
        pz_sql_bind_int(st, 5, size);
    else
        pz_sql_bind_null(st, 5);
    pz_sql_bind_text(st, 6, stored ? sha : NULL);
    pz_sql_bind_text(st, 7, stored ? rel : NULL);
    pz_sql_bind_int(st, 8, pz_now_ms());
    r = pz_sql_step(st);
    pz_sql_done(st);
    if (r < 0)
        return fail(w, r);
    w->counts.attachments++;
    w->counts.files_stored += stored;
    return 0;
}

/* Writes what the conversation learned: its times, count, other side; refreshes scores. */
static int conv_end(struct inbox_import *w)
{
    struct pz_stmt *st;
    int64_t now = pz_now_ms();
    int r = 0;

    if (!w->in_conv)
        return 0;
    w->in_conv = 0;
    if (!w->resolved_all && resolve_announced(w, NULL, 0) < 0)
        return fail(w, PZ_EDB);
    st = pz_sql(w->conn, "UPDATE conversations SET"
                         " first_message_at = CASE WHEN $3 < 0 THEN first_message_at"
                         "   WHEN first_message_at IS NULL OR first_message_at > $3 THEN $3"
                         "   ELSE first_message_at END,"
                         " last_message_at = CASE WHEN $4 < 0 THEN last_message_at"
                         "   WHEN last_message_at IS NULL OR last_message_at < $4 THEN $4"
                         "   ELSE last_message_at END,"
                         " last_incoming_at = CASE WHEN $5 < 0 THEN last_incoming_at"
                         "   WHEN last_incoming_at IS NULL OR last_incoming_at < $5 THEN $5"
                         "   ELSE last_incoming_at END,"
                         " message_count = message_count + $6,"
                         " contact_id = COALESCE(contact_id, $7),"
                         " updated_at = $8"
                         " WHERE workspace_id = $1 AND id = $2");
    if (!st)
        return fail(w, PZ_EDB);
    pz_sql_bind_int(st, 1, w->o.workspace_id);
    pz_sql_bind_int(st, 2, w->conv_id);
    pz_sql_bind_int(st, 3, w->first_at);
    pz_sql_bind_int(st, 4, w->last_at);
    pz_sql_bind_int(st, 5, w->last_in_at);
    pz_sql_bind_int(st, 6, w->n_new);
    if (w->is_group != 1 && w->conv_contact)
        pz_sql_bind_int(st, 7, w->conv_contact);
    else
        pz_sql_bind_null(st, 7);
    pz_sql_bind_int(st, 8, now);
    r = pz_sql_step(st);
    pz_sql_done(st);
    /* First response, business minutes and SLA of the history just stored (workflow.h). */
    if (r >= 0 && w->n_new > 0)
        r = inbox_measure(w->conn, w->o.workspace_id, w->conv_id, now);
    if (r < 0)
        return fail(w, r);
    for (size_t i = 0; i < w->n_parts; i++) {
        if (!w->parts[i].touched || !w->parts[i].contact_id)
            continue;
        r = score_update(w->conn, w->o.workspace_id, w->parts[i].contact_id, now, NULL);
        if (r < 0 && r != PZ_ENOTFOUND)
            return fail(w, r);
    }
    if (w->conv_contact && w->is_group != 1) {
        r = score_update(w->conn, w->o.workspace_id, w->conv_contact, now, NULL);
        if (r < 0 && r != PZ_ENOTFOUND)
            return fail(w, r);
    }
    parts_clear(w);
    return 0;
}

static int on_end(void *arg)
{
    return conv_end(arg);
}

/* The reader's own reports go to the caller's, and skipped records are counted. */
static void on_reader_skip(const struct import_problem *p, void *arg)
{
    struct inbox_import *w = arg;

    w->counts.skipped++;
    if (w->on_skip)
        w->on_skip(p, w->arg);
}

static void on_reader_note(const char *file, const char *message, void *arg)
{
    struct inbox_import *w = arg;

    if (w->on_note)
        w->on_note(file, message, w->arg);
}

static void on_reader_progress(long long done, long long total, void *arg)
{
    struct inbox_import *w = arg;

    if (w->on_progress)
        w->on_progress(done, total, w->arg);
}

/* --- lifecycle ----------------------------------------------------------------------- */

struct inbox_import *inbox_import_new(struct pz_conn *conn, const struct inbox_import_options *o)
{
    struct inbox_import *w = xcalloc(1, sizeof(*w));

    w->conn = conn;
    w->o = *o;
    if (!w->o.region)
        w->o.region = NORMALIZE_DEFAULT_REGION;
    if (w->o.n_me) {
        w->me_fold = xcalloc(w->o.n_me, sizeof(*w->me_fold));
        for (size_t i = 0; i < w->o.n_me; i++)
            fold(w->o.me[i], w->me_fold[i]);
    }
    w->dd = xcalloc(DEDUP_SLOTS, sizeof(*w->dd));
    return w;
}

void inbox_import_free(struct inbox_import *w)
{
    if (!w)
        return;
    parts_clear(w);
    free(w->parts);
    free(w->index);
    free(w->conv_key);
    free(w->title);
    free(w->me_fold);
    free(w->dd);
    for (size_t i = 0; i < w->n_new_files; i++)
        free(w->new_files[i]);
    free(w->new_files);
    free(w);
}

void inbox_import_sink(struct inbox_import *w, struct chat_sink *sink,
                       const struct inbox_import_hooks *hooks)
{
    w->on_skip = hooks ? hooks->on_skip : NULL;
    w->on_note = hooks ? hooks->on_note : NULL;
    w->on_progress = hooks ? hooks->on_progress : NULL;
    w->arg = hooks ? hooks->arg : NULL;
    memset(sink, 0, sizeof(*sink));
    sink->begin = on_begin;
    sink->participant = on_participant;
    sink->message = on_message;
    sink->attachment = on_attachment;
    sink->end = on_end;
    sink->on_skip = on_reader_skip;
    sink->on_note = on_reader_note;
    sink->on_progress = on_reader_progress;
    sink->arg = w;
}

int inbox_import_failed(const struct inbox_import *w)
{
    return w->failed;
}

const struct inbox_import_counts *inbox_import_counts(const struct inbox_import *w)
{
    return &w->counts;
}

static void forget_files(struct inbox_import *w, int remove)
{
    for (size_t i = 0; i < w->n_new_files; i++) {
        if (remove)
            unlink(w->new_files[i]);
        free(w->new_files[i]);
    }
    w->n_new_files = 0;
}

void inbox_import_file_done(struct inbox_import *w)
{
    forget_files(w, 0);
    w->in_conv = 0;
    parts_clear(w);
    w->before_file = w->counts;
}

void inbox_import_discard_files(struct inbox_import *w)
{
    forget_files(w, 1);
    w->in_conv = 0;
    parts_clear(w);
    w->counts = w->before_file;
}

void inbox_import_file_counts(const struct inbox_import *w, struct inbox_import_counts *out)
{
    const struct inbox_import_counts *a = &w->counts, *b = &w->before_file;

    out->conversations = a->conversations - b->conversations;
    out->messages = a->messages - b->messages;
    out->system_messages = a->system_messages - b->system_messages;
    out->duplicates_skipped = a->duplicates_skipped - b->duplicates_skipped;
    out->contacts_created = a->contacts_created - b->contacts_created;
    out->contacts_matched = a->contacts_matched - b->contacts_matched;
    out->attachments = a->attachments - b->attachments;
    out->files_stored = a->files_stored - b->files_stored;
    out->skipped = a->skipped - b->skipped;
}

int inbox_import_run_record(struct pz_conn *conn, int64_t workspace_id, int64_t run_id,
                            const struct inbox_import_counts *c)
{
    struct pz_stmt *st = pz_sql(conn, "UPDATE import_runs SET conversations = $3, messages = $4,"
                                      " system_messages = $5, duplicates = $6, created = $7,"
                                      " unchanged = $8 WHERE workspace_id = $1 AND id = $2");
    int r;

    if (!st)
        return PZ_EDB;
    pz_sql_bind_int(st, 1, workspace_id);
    pz_sql_bind_int(st, 2, run_id);
    pz_sql_bind_int(st, 3, c->conversations);
    pz_sql_bind_int(st, 4, c->messages);
    pz_sql_bind_int(st, 5, c->system_messages);
    pz_sql_bind_int(st, 6, c->duplicates_skipped);
    pz_sql_bind_int(st, 7, c->contacts_created);
    pz_sql_bind_int(st, 8, c->contacts_matched);
    r = pz_sql_step(st);
    pz_sql_done(st);
    return r < 0 ? r : 0;
}
