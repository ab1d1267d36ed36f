/*
 * Failure counters for sign-in rate limiting, kept in memory. Each key (an
 * account, a client address) may fail MAX times in a fixed window of
 * WINDOW seconds; after that ratelimit_wait() says how long to wait. The
 * table is bounded: when full, the entry whose window started first is
 * reused. Thread-safe.
 */
#ifndef PZ_RATELIMIT_H
#define PZ_RATELIMIT_H

#include <stdint.h>

struct ratelimit;

/* Returns a new limiter with room for CAPACITY keys. */
struct ratelimit *ratelimit_new(int max_failures, int window_seconds, int capacity);
void ratelimit_free(struct ratelimit *rl);

/* Returns 0 when KEY may try now, else the seconds to wait (at least 1). */
int ratelimit_wait(struct ratelimit *rl, const char *key, int64_t now_ms);

/* Counts one failure for KEY. */
void ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now_ms);

/* Forgets KEY's failures (after a success). */
void ratelimit_clear(struct ratelimit *rl, const char *key);

#endif
