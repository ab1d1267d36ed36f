/*
 * Time: wall-clock milliseconds since the epoch (UTC), which is how piazza
 * stores every time, and a monotonic clock for durations.
 */
#ifndef PZ_CLOCK_H
#define PZ_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since 1970-01-01T00:00:00Z. */
int64_t pz_now_ms(void);

/* Monotonic microseconds, for measuring durations. */
int64_t pz_mono_us(void);

/* Formats MS as "2026-11-23T12:42:31Z" into OUT; returns OUT. */
char *pz_time_iso(int64_t ms, char *out, size_t outsz);

#endif
