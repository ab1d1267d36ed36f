/*
 * A reader on a thread of its own. See pipe.h.
 */
#include "import/pipe.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

#define BATCH_FULL (256 * 1024) /* bytes after which a batch is handed over */

/* --- recording (the reader's thread) ------------------------------------------------------ */

static void put(struct pipe_batch *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap)
            b->cap = b->cap ? 2 * b->cap : BATCH_FULL + 4096;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

void pipe_put_int(struct pipe_batch *b, int64_t v)
{
    put(b, &v, sizeof(v));
}

void pipe_put_strn(struct pipe_batch *b, const char *s, size_t n)
{
    pipe_put_int(b, s ? (int64_t)n : -1);
    if (s) {
        put(b, s, n);
        put(b, "", 1);
    }
}

void pipe_put_str(struct pipe_batch *b, const char *s)
{
    pipe_put_strn(b, s, s ? strlen(s) : 0);
}

void pipe_put_problem(struct pipe_batch *b, const struct import_problem *ip)
{
    pipe_put_str(b, ip->file);
    pipe_put_int(b, ip->line);
    pipe_put_str(b, ip->message);
}

/* The slot to record into (waiting for a free one); the lock is held. */
static struct pipe_batch *filling(struct event_pipe *p)
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
static void hand_over(struct event_pipe *p)
{
    if (p->filling < 0)
        return;
    p->ready[(p->head + p->n_ready) % PIPE_BATCHES] = p->filling;
    p->n_ready++;
    p->filling = -1;
    pthread_cond_broadcast(&p->cv);
}

/* The slot being filled belongs to the reader alone, but the lock is cheap next to parsing
 * a record and keeps the rules simple. */
struct pipe_batch *event_pipe_begin(struct event_pipe *p, int tag, int *stop)
{
    struct pipe_batch *b;

    pthread_mutex_lock(&p->mu);
    if (p->stop) {
        *stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    b = filling(p);
    pipe_put_int(b, tag);
    return b;
}

void event_pipe_end(struct event_pipe *p)
{
    if (p->slots[p->filling].len >= BATCH_FULL)
        hand_over(p);
    pthread_mutex_unlock(&p->mu);
}

int event_pipe_end_sync(struct event_pipe *p)
{
    int r;

    p->sync_waiting = 1;
    p->sync_answered = 0;
    hand_over(p);
    while (!p->sync_answered)
        pthread_cond_wait(&p->cv, &p->mu);
    p->sync_waiting = 0;
    r = p->sync_result;
    pthread_mutex_unlock(&p->mu);
    return r;
}

struct reader_call {
    struct event_pipe *p;
    int (*read)(struct event_pipe *p, void *arg);
    void *arg;
    int result;
};

static void *reader(void *arg)
{
    struct reader_call *rc = arg;
    int r = rc->read(rc->p, rc->arg);

    pthread_mutex_lock(&rc->p->mu);
    hand_over(rc->p);
    rc->result = r;
    rc->p->done = 1;
    pthread_cond_broadcast(&rc->p->cv);
    pthread_mutex_unlock(&rc->p->mu);
    return NULL;
}

/* --- replaying (the caller's thread) ------------------------------------------------------ */

int64_t pipe_get_int(struct pipe_cursor *c)
{
    int64_t v = 0;

    if (c->at + sizeof(v) <= c->end) {
        memcpy(&v, c->at, sizeof(v));
        c->at += sizeof(v);
    }
    return v;
}

const char *pipe_get_strn(struct pipe_cursor *c, size_t *n)
{
    int64_t len = pipe_get_int(c);
    const char *s;

    *n = 0;
    if (len < 0 || c->at + len + 1 > c->end)
        return NULL;
    s = c->at;
    c->at += len + 1;
    *n = (size_t)len;
    return s;
}

const char *pipe_get_str(struct pipe_cursor *c)
{
    size_t n;
    return pipe_get_strn(c, &n);
}

void pipe_get_problem(struct pipe_cursor *c, struct import_problem *ip)
{
    const char *msg;

    memset(ip, 0, sizeof(*ip));
    ip->file = pipe_get_str(c);
    ip->line = (long)pipe_get_int(c);
    msg = pipe_get_str(c);
    if (msg) {
        size_t n = strlen(msg);
        if (n >= sizeof(ip->message))
            n = sizeof(ip->message) - 1;
        memcpy(ip->message, msg, n);
    }
}

int event_pipe_run(struct event_pipe *p, int (*read)(struct event_pipe *p, void *arg),
                   int (*replay)(void *arg, int tag, struct pipe_cursor *c), void *arg,
                   int *read_result, int *stop)
{
    struct reader_call rc = {p, read, arg, 0};
    pthread_t th;

    *read_result = 0;
    *stop = 0;
    memset(p, 0, sizeof(*p));
    p->filling = -1;
    for (int i = 0; i < PIPE_BATCHES; i++)
        p->free_slots[p->n_free++] = i;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&th, NULL, reader, &rc) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        return -1;
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct pipe_cursor c;
        int slot;

        while (p->n_ready == 0 && !p->done)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->n_ready == 0)
            break; /* the reader returned and everything it recorded was replayed */
        slot = p->ready[p->head];
        p->head = (p->head + 1) % PIPE_BATCHES;
        p->n_ready--;
        pthread_mutex_unlock(&p->mu);
        c.at = p->slots[slot].data;
        c.end = c.at + p->slots[slot].len;
        while (!*stop && c.at < c.end) {
            int tag = (int)pipe_get_int(&c);
            *stop = replay(arg, tag, &c);
        }
        pthread_mutex_lock(&p->mu);
        if (*stop && !p->stop)
            p->stop = *stop;
        p->free_slots[p->n_free++] = slot;
        if (p->sync_waiting && p->n_ready == 0) {
            /* That batch ended with the event the reader waits on (replayed, or dropped
             * after a stop). */
            p->sync_result = *stop;
            p->sync_answered = 1;
        }
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    pthread_join(th, NULL);
    *read_result = rc.result;
    for (int i = 0; i < PIPE_BATCHES; i++)
        free(p->slots[i].data);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    return 0;
}
