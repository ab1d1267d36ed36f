/*
 * The live events bus. See events.h.
 *
 * The event with id X sits in slot X % PZ_EVENTS_RING for as long as it is
 * among the newest PZ_EVENTS_RING; ids have no holes, so finding where a
 * reader left off is arithmetic, not a search. Each slot owns a malloc'd
 * copy of its JSON, freed when a newer event takes the slot.
 */
#include "core/events.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/banned.h"

struct slot {
    uint64_t id;
    int64_t workspace_id;
    char type[PZ_EVENTS_TYPE_MAX];
    char *data;
    size_t data_len;
};

struct sub {
    void (*fn)(void *arg, int64_t workspace_id, uint64_t id);
    void *arg;
};

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot ring[PZ_EVENTS_RING];
static uint64_t first_id; /* the id of this run's first event; 0 until the bus is used */
static uint64_t last_id;  /* the newest id, first_id - 1 when none yet */

static pthread_mutex_t subs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sub subs[PZ_EVENTS_MAX_SUBS];

/* With ring_lock held: starts the ids of this run near the clock, once. */
static void ids_start(void)
{
    if (first_id)
        return;
    first_id = (uint64_t)pz_now_ms() * 1000 + 1;
    last_id = first_id - 1;
}

static int type_ok(const char *type)
{
    size_t n = 0;

    if (!type || !*type)
        return 0;
    for (const char *p = type; *p; p++, n++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-'))
            return 0;
    }
    return n < PZ_EVENTS_TYPE_MAX;
}

int pz_events_publish(int64_t workspace_id, const char *type, const char *data_json)
{
    const char *data = data_json ? data_json : "{}";
    size_t len = strlen(data);
    struct slot *s;
    char *copy, *old;
    uint64_t id;

    if (workspace_id < 1 || !type_ok(type) || memchr(data, '\n', len) || memchr(data, '\r', len))
        return pz_error(PZ_EINVAL, "events: refused event '%s' of workspace %lld",
                        type_ok(type) ? type : "?", (long long)workspace_id);
    if (len > PZ_EVENTS_DATA_MAX)
        return pz_error(PZ_ETOOBIG, "events: the data of '%s' is %zu bytes, over %d", type, len,
                        PZ_EVENTS_DATA_MAX);
    copy = xstrndup(data, len);

    pthread_mutex_lock(&ring_lock);
    ids_start();
    id = ++last_id;
    s = &ring[id % PZ_EVENTS_RING];
    old = s->data;
    s->id = id;
    s->workspace_id = workspace_id;
    memcpy(s->type, type, strlen(type) + 1);
    s->data = copy;
    s->data_len = len;
    pthread_mutex_unlock(&ring_lock);
    free(old);

    pthread_mutex_lock(&subs_lock);
    for (int i = 0; i < PZ_EVENTS_MAX_SUBS; i++)
        if (subs[i].fn)
            subs[i].fn(subs[i].arg, workspace_id, id);
    pthread_mutex_unlock(&subs_lock);
    return 0;
}

uint64_t pz_events_last_id(void)
{
    uint64_t id;

    pthread_mutex_lock(&ring_lock);
    ids_start();
    id = last_id;
    pthread_mutex_unlock(&ring_lock);
    return id;
}

int pz_events_next(int64_t workspace_id, uint64_t after, struct pz_event *out, int *gap,
                   uint64_t *scanned)
{
    uint64_t oldest, id;
    int found = 0, missed;

    pthread_mutex_lock(&ring_lock);
    ids_start();
    /* The oldest id still in the ring. */
    oldest = last_id - first_id + 1 > PZ_EVENTS_RING ? last_id - PZ_EVENTS_RING + 1 : first_id;
    /* AFTER must be an id of this run (or the one before its first) still covered by the ring. */
    missed = after < oldest - 1 || after > last_id;
    /* A reader that missed events reloads what it shows: replaying part of them would not do. */
    id = missed ? last_id + 1 : after + 1;
    for (; id <= last_id; id++) {
        const struct slot *s = &ring[id % PZ_EVENTS_RING];
        if (s->workspace_id != workspace_id)
            continue;
        out->id = s->id;
        out->workspace_id = s->workspace_id;
        memcpy(out->type, s->type, sizeof(out->type));
        memcpy(out->data, s->data, s->data_len + 1);
        out->data_len = s->data_len;
        found = 1;
        break;
    }
    if (scanned)
        *scanned = found ? out->id : last_id;
    pthread_mutex_unlock(&ring_lock);
    if (gap)
        *gap = missed;
    return found;
}

int pz_events_subscribe(void (*fn)(void *arg, int64_t workspace_id, uint64_t id), void *arg)
{
    int handle = PZ_ELIMIT;

    pthread_mutex_lock(&subs_lock);
    for (int i = 0; i < PZ_EVENTS_MAX_SUBS; i++) {
        if (!subs[i].fn) {
            subs[i].fn = fn;
            subs[i].arg = arg;
            handle = i;
            break;
        }
    }
    pthread_mutex_unlock(&subs_lock);
    if (handle < 0)
        pz_log(PZ_LOG_ERROR, "events: more than %d subscribers", PZ_EVENTS_MAX_SUBS);
    return handle;
}

void pz_events_unsubscribe(int handle)
{
    if (handle < 0 || handle >= PZ_EVENTS_MAX_SUBS)
        return;
    pthread_mutex_lock(&subs_lock);
    subs[handle].fn = NULL;
    subs[handle].arg = NULL;
    pthread_mutex_unlock(&subs_lock);
}
