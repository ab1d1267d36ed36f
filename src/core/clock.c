/*
 * Clocks. See clock.h.
 */
#include "core/clock.h"

#include <time.h>

#include "core/banned.h"

int64_t pz_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pz_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

char *pz_time_iso(int64_t ms, char *out, size_t outsz)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && outsz)
        out[0] = '\0';
    return out;
}
