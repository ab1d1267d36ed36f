/*
 * In-memory failure counters. See ratelimit.h. A linear table is enough at
 * the sizes used (a few thousand keys) and keeps the code obvious.
 */
#include "accounts/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

struct entry {
    char key[300];
    int64_t window_start;
    int failures;
};

struct ratelimit {
    pthread_mutex_t lock;
    int max_failures;
    int64_t window_ms;
    int capacity;
    struct entry *entries;
};

struct ratelimit *ratelimit_new(int max_failures, int window_seconds, int capacity)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    pthread_mutex_init(&rl->lock, NULL);
    rl->max_failures = max_failures;
    rl->window_ms = (int64_t)window_seconds * 1000;
    rl->capacity = capacity;
    rl->entries = xcalloc((size_t)capacity, sizeof(*rl->entries));
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->entries);
    free(rl);
}

static struct entry *find(struct ratelimit *rl, const char *key)
{
    for (int i = 0; i < rl->capacity; i++)
        /* Keys are stored cut to the slot's size, so compare that much. */
        if (rl->entries[i].key[0] &&
            strncmp(rl->entries[i].key, key, sizeof(rl->entries[i].key) - 1) == 0)
            return &rl->entries[i];
    return NULL;
}

int ratelimit_wait(struct ratelimit *rl, const char *key, int64_t now)
{
    struct entry *e;
    int wait = 0;

    pthread_mutex_lock(&rl->lock);
    e = find(rl, key);
    if (e && now - e->window_start < rl->window_ms && e->failures >= rl->max_failures) {
        int64_t ms = e->window_start + rl->window_ms - now;
        wait = (int)((ms + 999) / 1000);
        if (wait < 1)
            wait = 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

void ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now)
{
    struct entry *e;

    pthread_mutex_lock(&rl->lock);
    e = find(rl, key);
    if (!e) {
        /* A free slot, an expired one, or else the oldest. */
        struct entry *oldest = &rl->entries[0];
        for (int i = 0; i < rl->capacity; i++) {
            struct entry *c = &rl->entries[i];
            if (!c->key[0] || now - c->window_start >= rl->window_ms) {
                oldest = c;
                break;
            }
            if (c->window_start < oldest->window_start)
                oldest = c;
        }
        e = oldest;
        snprintf(e->key, sizeof(e->key), "%s", key);
        e->window_start = now;
        e->failures = 0;
    } else if (now - e->window_start >= rl->window_ms) {
        e->window_start = now;
        e->failures = 0;
    }
    e->failures++;
    pthread_mutex_unlock(&rl->lock);
}

void ratelimit_clear(struct ratelimit *rl, const char *key)
{
    struct entry *e;

    pthread_mutex_lock(&rl->lock);
    e = find(rl, key);
    if (e)
        memset(e, 0, sizeof(*e));
    pthread_mutex_unlock(&rl->lock);
}
