/*
 * import_read on two threads. See record_pipe.h.
 */
#include "import/record_pipe.h"

#include <string.h>

#include "import/detect.h"
#include "import/pipe.h"
#include "core/banned.h"

enum {
    EV_RECORD = 1,
    EV_SKIP,
};

struct pipe {
    struct event_pipe ep;
    const struct import_sink *sink; /* the caller's */
    const char *format, *path;
    struct import_problem *fatal;
};

/* --- recording (the reader's thread) ------------------------------------------------------ */

static int rec_record(const struct import_contact *r, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_pipe_begin(&p->ep, EV_RECORD, &stop);
    size_t n_tags = r->n_tags < IMPORT_MAX_TAGS ? r->n_tags : IMPORT_MAX_TAGS;
    size_t n_ids =
        r->n_identities < IMPORT_MAX_IDENTITIES ? r->n_identities : IMPORT_MAX_IDENTITIES;

    if (!b)
        return stop;
    pipe_put_str(b, r->file);
    pipe_put_int(b, r->line);
    pipe_put_str(b, r->full_name);
    pipe_put_str(b, r->given_name);
    pipe_put_str(b, r->family_name);
    pipe_put_str(b, r->organization);
    pipe_put_str(b, r->title);
    pipe_put_str(b, r->note);
    pipe_put_int(b, (int64_t)n_tags);
    for (size_t i = 0; i < n_tags; i++)
        pipe_put_str(b, r->tags[i]);
    pipe_put_int(b, (int64_t)n_ids);
    for (size_t i = 0; i < n_ids; i++) {
        pipe_put_str(b, r->identities[i].kind);
        pipe_put_str(b, r->identities[i].value);
        pipe_put_str(b, r->identities[i].label);
    }
    pipe_put_int(b, r->connected_on);
    event_pipe_end(&p->ep);
    return 0;
}

static void rec_skip(const struct import_problem *ip, void *arg)
{
    struct pipe *p = arg;
    int stop = 0;
    struct pipe_batch *b = event_pipe_begin(&p->ep, EV_SKIP, &stop);

    if (!b)
        return;
    pipe_put_problem(b, ip);
    event_pipe_end(&p->ep);
}

static int reader(struct event_pipe *ep, void *arg)
{
    struct pipe *p = arg;
    struct import_sink rec = {rec_record, rec_skip, p};

    (void)ep;
    return import_read(p->format, p->path, &rec, p->fatal);
}

/* --- replaying (the caller's thread) ------------------------------------------------------ */

static int replay(void *arg, int tag, struct pipe_cursor *c)
{
    struct pipe *p = arg;
    const struct import_sink *s = p->sink;

    if (tag == EV_RECORD) {
        struct import_contact r;
        memset(&r, 0, sizeof(r));
        r.file = pipe_get_str(c);
        r.line = (long)pipe_get_int(c);
        r.full_name = pipe_get_str(c);
        r.given_name = pipe_get_str(c);
        r.family_name = pipe_get_str(c);
        r.organization = pipe_get_str(c);
        r.title = pipe_get_str(c);
        r.note = pipe_get_str(c);
        r.n_tags = (size_t)pipe_get_int(c);
        for (size_t i = 0; i < r.n_tags && i < IMPORT_MAX_TAGS; i++)
            r.tags[i] = pipe_get_str(c);
        r.n_identities = (size_t)pipe_get_int(c);
        for (size_t i = 0; i < r.n_identities && i < IMPORT_MAX_IDENTITIES; i++) {
            r.identities[i].kind = pipe_get_str(c);
            r.identities[i].value = pipe_get_str(c);
            r.identities[i].label = pipe_get_str(c);
        }
        r.connected_on = pipe_get_int(c);
        return s->on_record ? s->on_record(&r, s->arg) : 0;
    }
    if (tag == EV_SKIP) {
        struct import_problem v;
        pipe_get_problem(c, &v);
        if (s->on_skip)
            s->on_skip(&v, s->arg);
        return 0;
    }
    c->at = c->end; /* cannot happen: the batch is ours */
    return 0;
}

int import_read_pipelined(const char *format, const char *path, const struct import_sink *sink,
                          struct import_problem *fatal)
{
    struct pipe p;
    int stop = 0, r = 0;

    memset(&p, 0, sizeof(p));
    p.sink = sink;
    p.format = format;
    p.path = path;
    p.fatal = fatal;
    if (event_pipe_run(&p.ep, reader, replay, &p, &r, &stop) < 0)
        return import_read(format, path, sink, fatal);
    return stop ? stop : r;
}
