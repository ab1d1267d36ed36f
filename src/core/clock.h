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

/*
 * Calendar days as numbers: days since 1970-01-01 (UTC), so that periods can
 * be compared and counted with arithmetic. pz_day_parse reads exactly
 * "YYYY-MM-DD" (a real date, years 2000-2199) into *DAY and returns 0, or
 * PZ_EINVAL. pz_day_format writes "YYYY-MM-DD" into OUT (11 bytes or more).
 */
/*
 * Reads an ISO 8601 time with its offset, "2026-11-23T18:04:05Z" (seconds,
 * milliseconds and "+01:00" offsets optional: "2026-11-23T19:04+01:00"), into
 * UTC milliseconds. Years 2000-2199. Returns 0 or PZ_EINVAL.
 */
int pz_time_parse_iso(const char *s, int64_t *ms);

#define PZ_DAY_MS (86400LL * 1000)
int pz_day_parse(const char *s, int64_t *day);
char *pz_day_format(int64_t day, char *out, size_t outsz);

#endif
