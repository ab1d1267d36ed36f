/*
 * GET /api/v1/stream: live events of the caller's workspace as server-sent
 * events (text/event-stream), from the bus of core/events.h.
 *
 * Each stream is a small state (what it sent up to, bytes not yet sent) on
 * the hub's list. A stream with nothing to send returns
 * PZ_HTTP_STREAM_WAIT and its connection sleeps without a thread (see
 * http/server.h); the hub wakes the streams of a workspace when an event of
 * that workspace is published, and every stream every PZ_STREAM_KEEPALIVE_S
 * seconds, which then sends a comment line so that proxies keep the
 * connection and a client that went away is noticed.
 *
 * What a client reads:
 *
 *     : piazza live events
 *     retry: 3000
 *     id: 1763920800000122
 *
 *     id: 1763920800000123
 *     event: conversation.updated
 *     data: {"conversation_id":7,"status":"resolved",...}
 *
 *     : keep-alive
 *
 * A client that reconnects sends Last-Event-ID (browsers do it by
 * themselves) and gets what it missed, from the bus's ring. When that is no
 * longer possible (too old, or an id of an earlier run of the server), it
 * gets a `stream.reset` event instead: reload what you show.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/events.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/banned.h"

#define PZ_STREAM_RETRY_MS 3000
#define STREAM_OUT         (PZ_EVENTS_DATA_MAX + 2 * PZ_EVENTS_TYPE_MAX + 128)

struct sse {
    struct stream_hub *hub;
    struct pz_http_waker *waker;
    int64_t workspace_id;
    uint64_t after;     /* the last event id sent, or searched past */
    unsigned tick_seen; /* the hub's keep-alive tick when this stream last wrote */
    int greeted;
    struct sse *prev, *next;
    size_t out_len, out_off; /* bytes of OUT staged, and sent */
    char out[STREAM_OUT];
};

struct stream_hub {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct sse *streams;
    unsigned n, max;
    _Atomic unsigned tick;
    int keepalive_s;
    int stopping;
    int sub; /* the events subscription, or -1 */
    pthread_t ticker;
    int started;
};

/* Wakes every stream of WORKSPACE_ID (0: every stream). With hub->lock held. */
static void wake_locked(struct stream_hub *h, int64_t workspace_id)
{
    for (struct sse *s = h->streams; s; s = s->next)
        if (workspace_id == 0 || s->workspace_id == workspace_id)
            pz_http_wake(s->waker);
}

static void on_event(void *arg, int64_t workspace_id, uint64_t id)
{
    struct stream_hub *h = arg;
    (void)id;

    pthread_mutex_lock(&h->lock);
    wake_locked(h, workspace_id);
    pthread_mutex_unlock(&h->lock);
}

/* Every keepalive_s seconds, a new tick and every stream woken to say so. */
static void *ticker_main(void *arg)
{
    struct stream_hub *h = arg;

    pthread_mutex_lock(&h->lock);
    while (!h->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += h->keepalive_s;
        if (pthread_cond_timedwait(&h->cond, &h->lock, &ts) != 0 && !h->stopping) {
            h->tick++;
            wake_locked(h, 0);
        }
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

struct stream_hub *stream_hub_start(unsigned max_streams, int keepalive_s)
{
    struct stream_hub *h = xcalloc(1, sizeof(*h));

    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cond, NULL);
    h->max = max_streams ? max_streams : PZ_STREAM_MAX_DEFAULT;
    h->keepalive_s = keepalive_s > 0 ? keepalive_s : PZ_STREAM_KEEPALIVE_S;
    h->sub = pz_events_subscribe(on_event, h);
    if (h->sub < 0 || pthread_create(&h->ticker, NULL, ticker_main, h) != 0) {
        pz_log(PZ_LOG_ERROR, "stream: cannot start the live events hub");
        stream_hub_stop(h);
        return NULL;
    }
    h->started = 1;
    return h;
}

void stream_hub_stop(struct stream_hub *h)
{
    if (!h)
        return;
    pz_events_unsubscribe(h->sub);
    pthread_mutex_lock(&h->lock);
    h->stopping = 1;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    if (h->started)
        pthread_join(h->ticker, NULL);
    /* The HTTP server stopped first: every stream has been freed. */
    if (h->streams)
        pz_log(PZ_LOG_WARN, "stream: %u streams still open at shutdown", h->n);
    pthread_cond_destroy(&h->cond);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

unsigned stream_hub_count(struct stream_hub *h)
{
    unsigned n;

    pthread_mutex_lock(&h->lock);
    n = h->n;
    pthread_mutex_unlock(&h->lock);
    return n;
}

/* Appends to the stream's staged bytes; returns -1 (nothing appended) when they do not fit. */
__attribute__((format(printf, 2, 3))) static int stage(struct sse *s, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(s->out + s->out_len, sizeof(s->out) - s->out_len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(s->out) - s->out_len) {
        s->out[s->out_len] = '\0';
        return -1;
    }
    s->out_len += (size_t)n;
    return 0;
}

/* Stages what the stream has to say now; returns the bytes staged (0: nothing). */
static size_t fill(struct sse *s)
{
    struct pz_event ev;
    uint64_t scanned;
    unsigned tick = s->hub->tick;
    int gap;

    s->out_len = s->out_off = 0;
    if (!s->greeted) {
        s->greeted = 1;
        /* The id, although no event comes with it, is what the browser sends back as
         * Last-Event-ID if it reconnects before any event came: nothing is missed then. */
        stage(s, ": piazza live events\nretry: %d\nid: %" PRIu64 "\n\n", PZ_STREAM_RETRY_MS,
              s->after);
    }
    /* As many events as fit; one that does not is taken again next time. */
    for (;;) {
        size_t before = s->out_len;
        if (!pz_events_next(s->workspace_id, s->after, &ev, &gap, &scanned)) {
            /* Missed events are gone: the client reloads instead (said next time if the
             * reset does not fit now). */
            if (gap && stage(s, "id: %" PRIu64 "\nevent: stream.reset\ndata: {}\n\n", scanned) < 0)
                break;
            s->after = scanned; /* other workspaces' events are skipped once */
            break;
        }
        if (stage(s, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", ev.id, ev.type, ev.data) < 0) {
            s->out_len = before;
            break;
        }
        s->after = ev.id;
    }
    if (s->out_len == 0 && tick != s->tick_seen)
        stage(s, ": keep-alive\n\n");
    if (s->out_len)
        s->tick_seen = tick;
    return s->out_len;
}

static long sse_read(void *arg, char *buf, size_t max)
{
    struct sse *s = arg;
    size_t n;

    if (s->out_off == s->out_len && fill(s) == 0)
        return PZ_HTTP_STREAM_WAIT;
    n = s->out_len - s->out_off;
    if (n > max)
        n = max;
    memcpy(buf, s->out + s->out_off, n);
    s->out_off += n;
    return (long)n;
}

static void sse_free(void *arg)
{
    struct sse *s = arg;
    struct stream_hub *h = s->hub;

    pthread_mutex_lock(&h->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        h->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    h->n--;
    pthread_mutex_unlock(&h->lock);
    free(s);
}

void h_stream(struct pz_ctx *c)
{
    struct stream_hub *h = c->api->streams;
    const char *last = pz_http_header(c->req, "Last-Event-ID");
    struct sse *s;
    int64_t id;

    /* Outside consultants do not read customers' conversations, live or not. */
    if (c->who.user.role == ROLE_CONSULTANT) {
        reply_error(c, "auth.forbidden", NULL);
        return;
    }
    s = xcalloc(1, sizeof(*s));
    s->hub = h;
    s->workspace_id = c->who.workspace.id;
    if (!last || !*last)
        s->after = pz_events_last_id(); /* from now on */
    else if (pz_parse_int64(last, 1, INT64_MAX, &id) == 0)
        s->after = (uint64_t)id; /* what was missed, when the ring still has it */
    else
        s->after = 0; /* not an id of ours: a reset */
    s->tick_seen = h->tick;

    pthread_mutex_lock(&h->lock);
    if (h->n >= h->max || h->stopping) {
        pthread_mutex_unlock(&h->lock);
        free(s);
        pz_log(PZ_LOG_WARN, "stream: refused a stream of workspace %" PRId64 ": %u are open",
               c->who.workspace.id, h->max);
        reply_error(c, "stream.too_many", NULL);
        return;
    }
    s->waker = pz_http_stream_waker(c->req);
    s->next = h->streams;
    if (h->streams)
        h->streams->prev = s;
    h->streams = s;
    h->n++;
    pthread_mutex_unlock(&h->lock);

    c->req->status = 200;
    c->req->content_type = "text/event-stream; charset=utf-8";
    /* Cache-Control: no-store comes with every API answer (dispatch.c). */
    /* nginx: pass each event through at once, whatever the location's buffering. */
    pz_http_add_header_static(c->req, "X-Accel-Buffering", "no");
    c->req->stream = sse_read;
    c->req->stream_free = sse_free;
    c->req->stream_arg = s;
}
