/*
 * chat_read on two threads, on the machinery of pipe.h: each sink call is
 * an event, replayed into the real sink on the caller's thread. See
 * chat_pipe.h.
 */
#include "import/chat_pipe.h"

#include <stdint.h>
#include <string.h>

#include "import/pipe.h"
#include "core/banned.h"

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

struct pipe {
    struct event_pipe ep;
    const struct chat_sink *sink; /* the caller's */
    const char *format, *path;
    const struct chat_options *opts;
    struct import_problem *fatal;
    /* The attachment the reader waits on (its batch's last event). */
    const struct chat_attachment *sync_att;
};

/* --- recording (the reader's thread) ------------------------------------------------------ */

static struct pipe_batch *event_begin(struct pipe *p, int tag, int *stop)
{
    return event_pipe_begin(&p->ep, tag, stop);
}

static int event_end(struct pipe *p)
{
    event_pipe_end(&p->ep);
    return 0;
}

static int rec_begin(const struct chat_conversation *c, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_begin(p, EV_BEGIN, &stop);

    if (!b)
        return stop;
    pipe_put_str(b, c->file);
    pipe_put_int(b, c->line);
    pipe_put_str(b, c->channel);
    pipe_put_str(b, c->key);
    pipe_put_str(b, c->title);
    pipe_put_int(b, c->is_group);
    return event_end(p);
}

static int rec_participant(const struct chat_participant *cp, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_begin(p, EV_PARTICIPANT, &stop);

    if (!b)
        return stop;
    pipe_put_str(b, cp->key);
    pipe_put_str(b, cp->name);
    pipe_put_str(b, cp->identity_kind);
    pipe_put_str(b, cp->identity_value);
    pipe_put_int(b, cp->is_me);
    return event_end(p);
}

static int rec_message(const struct chat_message *m, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_begin(p, EV_MESSAGE, &stop);

    if (!b)
        return stop;
    pipe_put_str(b, m->file);
    pipe_put_int(b, m->line);
    pipe_put_str(b, m->source_id);
    pipe_put_str(b, m->sender_key);
    pipe_put_str(b, m->sender_name);
    pipe_put_int(b, m->kind);
    pipe_put_int(b, m->direction);
    pipe_put_int(b, m->sent_at);
    pipe_put_str(b, m->local_time);
    pipe_put_str(b, m->time_zone);
    pipe_put_strn(b, m->text, m->text ? m->text_len : 0);
    pipe_put_str(b, m->reply_to_source_id);
    pipe_put_int(b, m->edited);
    pipe_put_int(b, m->edited_at);
    pipe_put_int(b, m->deleted);
    return event_end(p);
}

static int rec_attachment(const struct chat_attachment *a, void *arg)
{
    struct pipe *p = arg;
    int stop = 0, r;
    struct pipe_batch *b = event_begin(p, a->read ? EV_ATTACHMENT_FILE : EV_ATTACHMENT, &stop);

    if (!b)
        return stop;
    pipe_put_str(b, a->name);
    pipe_put_str(b, a->mime_type);
    pipe_put_int(b, a->size);
    if (!a->read)
        return event_end(p);
    /* The file is read through the reader's own state: the sink reads it while we wait. */
    p->sync_att = a;
    r = event_pipe_end_sync(&p->ep);
    p->sync_att = NULL;
    return r;
}

static int rec_end(void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_begin(p, EV_END, &stop);

    return b ? event_end(p) : stop;
}

static void rec_skip(const struct import_problem *ip, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_begin(p, EV_SKIP, &stop);

    if (!b)
        return;
    pipe_put_problem(b, ip);
    event_end(p);
}

static void rec_note(const char *file, const char *message, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_begin(p, EV_NOTE, &stop);

    if (!b)
        return;
    pipe_put_str(b, file);
    pipe_put_str(b, message);
    event_end(p);
}

static void rec_progress(long long done, long long total, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_begin(p, EV_PROGRESS, &stop);

    if (!b)
        return;
    pipe_put_int(b, done);
    pipe_put_int(b, total);
    event_end(p);
}

static int reader(struct event_pipe *ep, void *arg)
{
    struct pipe *p = arg;
    struct chat_sink rec;

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
    (void)ep;
    return chat_read(p->format, p->path, p->opts, &rec, p->fatal);
}

/* --- replaying (the caller's thread) ------------------------------------------------------ */

/* Replays event TAG from C into the sink; returns the sink's answer. */
static int replay(void *arg, int tag, struct pipe_cursor *c)
{
    struct pipe *p = arg;
    const struct chat_sink *s = p->sink;

    switch (tag) {
    case EV_BEGIN: {
        struct chat_conversation v;
        v.file = pipe_get_str(c);
        v.line = (long)pipe_get_int(c);
        v.channel = pipe_get_str(c);
        v.key = pipe_get_str(c);
        v.title = pipe_get_str(c);
        v.is_group = (int)pipe_get_int(c);
        return s->begin ? s->begin(&v, s->arg) : 0;
    }
    case EV_PARTICIPANT: {
        struct chat_participant v;
        v.key = pipe_get_str(c);
        v.name = pipe_get_str(c);
        v.identity_kind = pipe_get_str(c);
        v.identity_value = pipe_get_str(c);
        v.is_me = (int)pipe_get_int(c);
        return s->participant ? s->participant(&v, s->arg) : 0;
    }
    case EV_MESSAGE: {
        struct chat_message v;
        v.file = pipe_get_str(c);
        v.line = (long)pipe_get_int(c);
        v.source_id = pipe_get_str(c);
        v.sender_key = pipe_get_str(c);
        v.sender_name = pipe_get_str(c);
        v.kind = (enum chat_kind)pipe_get_int(c);
        v.direction = (enum chat_direction)pipe_get_int(c);
        v.sent_at = pipe_get_int(c);
        v.local_time = pipe_get_str(c);
        v.time_zone = pipe_get_str(c);
        v.text = pipe_get_strn(c, &v.text_len);
        v.reply_to_source_id = pipe_get_str(c);
        v.edited = (int)pipe_get_int(c);
        v.edited_at = pipe_get_int(c);
        v.deleted = (int)pipe_get_int(c);
        return s->message ? s->message(&v, s->arg) : 0;
    }
    case EV_ATTACHMENT:
    case EV_ATTACHMENT_FILE: {
        struct chat_attachment v;
        memset(&v, 0, sizeof(v));
        v.name = pipe_get_str(c);
        v.mime_type = pipe_get_str(c);
        v.size = pipe_get_int(c);
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
        pipe_get_problem(c, &v);
        if (s->on_skip)
            s->on_skip(&v, s->arg);
        return 0;
    }
    case EV_NOTE: {
        const char *file = pipe_get_str(c), *msg = pipe_get_str(c);
        if (s->on_note)
            s->on_note(file, msg ? msg : "", s->arg);
        return 0;
    }
    case EV_PROGRESS: {
        long long done = pipe_get_int(c), total = pipe_get_int(c);
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
    int stop = 0, r = 0;

    memset(&p, 0, sizeof(p));
    p.sink = sink;
    p.format = format;
    p.path = path;
    p.opts = opts;
    p.fatal = fatal;
    if (event_pipe_run(&p.ep, reader, replay, &p, &r, &stop) < 0)
        return chat_read(format, path, opts, sink, fatal);
    return stop ? stop : r;
}
