/*
 * Clocks. See clock.h.
 */
#include "core/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"

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

/* Days from 1970-01-01 to Y-M-D in the proleptic Gregorian calendar, counting
 * years from March so that the leap day falls at the end of a year. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int pz_day_parse(const char *s, int64_t *day)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = 0, m = 0, d = 0;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return PZ_EINVAL;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return PZ_EINVAL;
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return PZ_EINVAL;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return PZ_EINVAL;
    *day = days_from_civil(y, m, d);
    return 0;
}

char *pz_day_format(int64_t day, char *out, size_t outsz)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(out, outsz, "%Y-%m-%d", &tm) == 0 && outsz)
        out[0] = '\0';
    return out;
}

/* Two digits at S into *V; 0 or -1. */
static int two_digits(const char *s, int *v)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 0;
}

int pz_time_parse_iso(const char *s, int64_t *ms)
{
    int64_t day;
    int hh, mi, ss = 0, frac = 0, off = 0;
    char date[11];
    const char *p;

    if (!s || strlen(s) < 17 || s[10] != 'T' || s[13] != ':')
        return PZ_EINVAL;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (pz_day_parse(date, &day) < 0 || two_digits(s + 11, &hh) < 0 ||
        two_digits(s + 14, &mi) < 0 || hh > 23 || mi > 59)
        return PZ_EINVAL;
    p = s + 16;
    if (*p == ':') {
        if (two_digits(p + 1, &ss) < 0 || ss > 59)
            return PZ_EINVAL;
        p += 3;
        if (*p == '.') {
            int digits = 0;
            for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                if (digits < 3)
                    frac = frac * 10 + (*p - '0');
            if (digits == 0)
                return PZ_EINVAL;
            for (; digits < 3; digits++)
                frac *= 10;
        }
    }
    if (*p == 'Z' && p[1] == '\0') {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (two_digits(p + 1, &oh) < 0 || two_digits(p + 4, &om) < 0 || oh > 23 || om > 59)
            return PZ_EINVAL;
        off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
    } else {
        return PZ_EINVAL;
    }
    *ms = ((day * 86400 + hh * 3600 + mi * 60 + ss) - (int64_t)off * 60) * 1000 + frac;
    return 0;
}
