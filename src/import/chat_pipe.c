/*
 * chat_read on two threads. See chat_pipe.h.
 *
 * The reader's thread records each sink call into the batch being filled
 * (a tag, then its fields: integers as 8 bytes, strings as a length, -1 for
 * NULL, and their bytes with a NUL); a full batch goes to the queue, from
 * which the caller's thread replays it into the real sink, the strings
 * pointing into the batch for the length of the call, as the contract says.
 * Batches are reused: BATCHES of them exist at most.
 */
#include "import/chat_pipe.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

#define BATCHES    4
#define BATCH_FULL (256 * 1024) /* bytes after which a batch is handed over */

enum {
    EV_BEGIN = 1,
    EV_PARTICIPANT,
    EV_MESSAGE,
    EV_ATTACHMENT,
    EV_ATTACHMENT_FILE, /* handed over synchronously: read and ctx as they are */
    EV_END,
    EV_SKIP,
    EV_NOTE,
    EV_PROGRESS,
};

struct batch {
    char *data;
    size_t len, cap;
};

struct pipe {
    const struct chat_sink *sink; /* the caller's */
    const char *format, *path;
    const struct chat_options *opts;
    struct import_problem *fatal;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch slots[BATCHES];
    int ready[BATCHES]; /* queue of filled slots, in order */
    int n_ready, head;
    int free_slots[BATCHES];
    int n_free;
    int filling; /* the reader's slot, -1 none */
    int done;    /* the reader returned */
    int result;  /* what it returned */
    int stop;    /* a sink call's non-zero value: the reader stops */
    /* A synchronous attachment: the reader waits for the sink's answer. */
    const struct chat_attachment *sync_att;
    int sync_waiting, sync_answered, sync_result;
};

/* --- recording (the reader's thread) ------------------------------------------------------ */

static void put(struct batch *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap)
            b->cap = b->cap ? 2 * b->cap : BATCH_FULL + 4096;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_int(struct batch *b, int64_t v)
{
    put(b, &v, sizeof(v));
}

static void put_strn(struct batch *b, const char *s, size_t n)
{
    put_int(b, s ? (int64_t)n : -1);
    if (s) {
        put(b, s, n);
        put(b, "", 1);
    }
}

static void put_str(struct batch *b, const char *s)
{
    put_strn(b, s, s ? strlen(s) : 0);
}

/* The slot to record into (waiting for a free one); the lock is held. */
static struct batch *filling(struct pipe *p)
{
    if (p->filling < 0) {
        while (p->n_free == 0)
            pthread_cond_wait(&p->cv, &p->mu);
        p->filling = p->free_slots[--p->n_free];
        p->slots[p->filling].len = 0;
    }
    return &p->slots[p->filling];
}

/* Hands the slot being filled to the queue; the lock is held. */
static void hand_over(struct pipe *p)
{
    if (p->filling < 0)
        return;
    p->ready[(p->head + p->n_ready) % BATCHES] = p->filling;
    p->n_ready++;
    p->filling = -1;
    pthread_cond_broadcast(&p->cv);
}

/*
 * Starts recording an event: returns the batch with the lock held, or NULL
 * (the lock released) when the sink has asked to stop, *STOP then its value.
 * The slot being filled belongs to the reader alone, but the lock is cheap
 * next to parsing a message and keeps the rules simple.
 */
static struct batch *event_begin(struct pipe *p, int tag, int *stop)
{
    struct batch *b;

    pthread_mutex_lock(&p->mu);
    if (p->stop) {
        *stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    b = filling(p);
    put_int(b, tag);
    return b;
}

static int event_end(struct pipe *p, struct batch *b)
{
    if (b->len >= BATCH_FULL)
        hand_over(p);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static int rec_begin(const struct chat_conversation *c, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct batch *b = event_begin(p, EV_BEGIN, &stop);

    if (!b)
        return stop;
    put_str(b, c->file);
    put_int(b, c->line);
    put_str(b, c->channel);
    put_str(b, c->key);
    put_str(b, c->title);
    put_int(b, c->is_group);
    return event_end(p, b);
}

static int rec_participant(const struct chat_participant *cp, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct batch *b = event_begin(p, EV_PARTICIPANT, &stop);

    if (!b)
        return stop;
    put_str(b, cp->key);
    put_str(b, cp->name);
    put_str(b, cp->identity_kind);
    put_str(b, cp->identity_value);
    put_int(b, cp->is_me);
    return event_end(p, b);
}

static int rec_message(const struct chat_message *m, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct batch *b = event_begin(p, EV_MESSAGE, &stop);

    if (!b)
        return stop;
    put_str(b, m->file);
    put_int(b, m->line);
    put_str(b, m->source_id);
    put_str(b, m->sender_key);
    put_str(b, m->sender_name);
    put_int(b, m->kind);
    put_int(b, m->direction);
    put_int(b, m->sent_at);
    put_str(b, m->local_time);
    put_str(b, m->time_zone);
    put_strn(b, m->text, m->text ? m->text_len : 0);
    put_str(b, m->reply_to_source_id);
    put_int(b, m->edited);
    put_int(b, m->edited_at);
    put_int(b, m->deleted);
    return event_end(p, b);
}

static int rec_attachment(const struct chat_attachment *a, void *arg)
{
    struct pipe *p = arg;
    int stop = 0, r;
    struct batch *b = event_begin(p, a->read ? EV_ATTACHMENT_FILE : EV_ATTACHMENT, &stop);

    if (!b)
        return stop;
    put_str(b, a->name);
    put_str(b, a->mime_type);
    put_int(b, a->size);
    if (!a->read)
        return event_end(p, b);
    /* The file is read through the reader's own state: the sink reads it while we wait. */
    p->sync_att = a;
    p->sync_waiting = 1;
    p->sync_answered = 0;
    hand_over(p);
    while (!p->sync_answered)
        pthread_cond_wait(&p->cv, &p->mu);
    p->sync_waiting = 0;
    p->sync_att = NULL;
    r = p->sync_result;
    pthread_mutex_unlock(&p->mu);
    return r;
}

static int rec_end(void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct batch *b = event_begin(p, EV_END, &stop);

    return b ? event_end(p, b) : stop;
}

static void rec_skip(const struct import_problem *ip, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct batch *b = event_begin(p, EV_SKIP, &stop);

    if (!b)
        return;
    put_str(b, ip->file);
    put_int(b, ip->line);
    put_str(b, ip->message);
    event_end(p, b);
}

static void rec_note(const char *file, const char *message, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct batch *b = event_begin(p, EV_NOTE, &stop);

    if (!b)
        return;
    put_str(b, file);
    put_str(b, message);
    event_end(p, b);
}

static void rec_progress(long long done, long long total, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct batch *b = event_begin(p, EV_PROGRESS, &stop);

    if (!b)
        return;
    put_int(b, done);
    put_int(b, total);
    event_end(p, b);
}

static void *reader(void *arg)
{
    struct pipe *p = arg;
    struct chat_sink rec;
    int r;

    memset(&rec, 0, sizeof(rec));
    rec.begin = rec_begin;
    rec.participant = rec_participant;
    rec.message = rec_message;
    rec.attachment = rec_attachment;
    rec.end = rec_end;
    rec.on_skip = rec_skip;
    rec.on_note = p->sink->on_note ? rec_note : NULL;
    rec.on_progress = p->sink->on_progress ? rec_progress : NULL;
    rec.arg = p;
    r = chat_read(p->format, p->path, p->opts, &rec, p->fatal);
    pthread_mutex_lock(&p->mu);
    hand_over(p);
    p->result = r;
    p->done = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* --- replaying (the caller's thread) ------------------------------------------------------ */

struct cursor {
    const char *at, *end;
};

static int64_t get_int(struct cursor *c)
{
    int64_t v = 0;

    if (c->at + sizeof(v) <= c->end) {
        memcpy(&v, c->at, sizeof(v));
        c->at += sizeof(v);
    }
    return v;
}

static const char *get_strn(struct cursor *c, size_t *n)
{
    int64_t len = get_int(c);
    const char *s;

    *n = 0;
    if (len < 0 || c->at + len + 1 > c->end)
        return NULL;
    s = c->at;
    c->at += len + 1;
    *n = (size_t)len;
    return s;
}

static const char *get_str(struct cursor *c)
{
    size_t n;
    return get_strn(c, &n);
}

/* Replays one event of C into the sink; returns the sink's answer. */
static int replay(struct pipe *p, struct cursor *c)
{
    const struct chat_sink *s = p->sink;
    int tag = (int)get_int(c);

    switch (tag) {
    case EV_BEGIN: {
        struct chat_conversation v;
        v.file = get_str(c);
        v.line = (long)get_int(c);
        v.channel = get_str(c);
        v.key = get_str(c);
        v.title = get_str(c);
        v.is_group = (int)get_int(c);
        return s->begin ? s->begin(&v, s->arg) : 0;
    }
    case EV_PARTICIPANT: {
        struct chat_participant v;
        v.key = get_str(c);
        v.name = get_str(c);
        v.identity_kind = get_str(c);
        v.identity_value = get_str(c);
        v.is_me = (int)get_int(c);
        return s->participant ? s->participant(&v, s->arg) : 0;
    }
    case EV_MESSAGE: {
        struct chat_message v;
        v.file = get_str(c);
        v.line = (long)get_int(c);
        v.source_id = get_str(c);
        v.sender_key = get_str(c);
        v.sender_name = get_str(c);
        v.kind = (enum chat_kind)get_int(c);
        v.direction = (enum chat_direction)get_int(c);
        v.sent_at = get_int(c);
        v.local_time = get_str(c);
        v.time_zone = get_str(c);
        v.text = get_strn(c, &v.text_len);
        v.reply_to_source_id = get_str(c);
        v.edited = (int)get_int(c);
        v.edited_at = get_int(c);
        v.deleted = (int)get_int(c);
        return s->message ? s->message(&v, s->arg) : 0;
    }
    case EV_ATTACHMENT:
    case EV_ATTACHMENT_FILE: {
        struct chat_attachment v;
        memset(&v, 0, sizeof(v));
        v.name = get_str(c);
        v.mime_type = get_str(c);
        v.size = get_int(c);
        if (tag == EV_ATTACHMENT_FILE) {
            /* The reader waits on this very attachment (the last event of its batch). */
            v.read = p->sync_att->read;
            v.ctx = p->sync_att->ctx;
        }
        return s->attachment ? s->attachment(&v, s->arg) : 0;
    }
    case EV_END:
        return s->end ? s->end(s->arg) : 0;
    case EV_SKIP: {
        struct import_problem v;
        const char *msg;
        memset(&v, 0, sizeof(v));
        v.file = get_str(c);
        v.line = (long)get_int(c);
        msg = get_str(c);
        if (msg) {
            size_t n = strlen(msg);
            if (n >= sizeof(v.message))
                n = sizeof(v.message) - 1;
            memcpy(v.message, msg, n);
        }
        if (s->on_skip)
            s->on_skip(&v, s->arg);
        return 0;
    }
    case EV_NOTE: {
        const char *file = get_str(c), *msg = get_str(c);
        if (s->on_note)
            s->on_note(file, msg ? msg : "", s->arg);
        return 0;
    }
    case EV_PROGRESS: {
        long long done = get_int(c), total = get_int(c);
        if (s->on_progress)
            s->on_progress(done, total, s->arg);
        return 0;
    }
    default:
        c->at = c->end; /* cannot happen: the batch is ours */
        return 0;
    }
}

int chat_read_pipelined(const char *format, const char *path, const struct chat_options *opts,
                        const struct chat_sink *sink, struct import_problem *fatal)
{
    struct pipe p;
    pthread_t th;
    int stop = 0, r;

    memset(&p, 0, sizeof(p));
    p.sink = sink;
    p.format = format;
    p.path = path;
    p.opts = opts;
    p.fatal = fatal;
    p.filling = -1;
    for (int i = 0; i < BATCHES; i++)
        p.free_slots[p.n_free++] = i;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    if (pthread_create(&th, NULL, reader, &p) != 0) {
        pthread_cond_destroy(&p.cv);
        pthread_mutex_destroy(&p.mu);
        return chat_read(format, path, opts, sink, fatal);
    }
    pthread_mutex_lock(&p.mu);
    for (;;) {
        int slot;
        struct cursor c;

        while (p.n_ready == 0 && !p.done)
            pthread_cond_wait(&p.cv, &p.mu);
        if (p.n_ready == 0)
            break; /* the reader returned and everything it recorded was replayed */
        slot = p.ready[p.head];
        p.head = (p.head + 1) % BATCHES;
        p.n_ready--;
        pthread_mutex_unlock(&p.mu);
        c.at = p.slots[slot].data;
        c.end = c.at + p.slots[slot].len;
        while (!stop && c.at < c.end)
            stop = replay(&p, &c);
        pthread_mutex_lock(&p.mu);
        if (stop && !p.stop)
            p.stop = stop;
        p.free_slots[p.n_free++] = slot;
        if (p.sync_waiting && p.n_ready == 0) {
            /* That batch ended with the attachment the reader waits on (replayed, or dropped
             * after a stop). */
            p.sync_result = stop;
            p.sync_answered = 1;
        }
        pthread_cond_broadcast(&p.cv);
    }
    pthread_mutex_unlock(&p.mu);
    pthread_join(th, NULL);
    r = p.result;
    for (int i = 0; i < BATCHES; i++)
        free(p.slots[i].data);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    return stop ? stop : r;
}
