/*
 * Time zones from the compiled tz database (TZif files, RFC 8536). Only the
 * version 2+ 64-bit section is read: transition times, the index of the
 * local time type in force after each, and the types' UTC offsets. A zone is
 * a sorted array of (transition, offset after it) plus the offset before the
 * first transition; lookups are binary searches. See tz.h.
 */
#include "core/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/banned.h"

#define TZ_FILE_MAX (1 << 20)
#define TZ_NAME_MAX 64

struct pz_tz {
    char name[TZ_NAME_MAX + 1];
    int32_t initial; /* offset before the first transition */
    int64_t *at;     /* transition instants, UTC seconds, ascending */
    int32_t *offset; /* offset in force from at[i] */
    size_t n_at;
};

static int name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || strstr(name, ".."))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return 0;
    }
    return 1;
}

static int64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

/* Parses TZif data into TZ. Returns 0 or PZ_EINVAL. */
static int parse(struct pz_tz *tz, const unsigned char *d, size_t len)
{
    size_t off = 0, counts[6], v1, timecnt, typecnt;
    const unsigned char *times, *idx, *types;

    for (int pass = 0; pass < 2; pass++) {
        if (len - off < 44 || memcmp(d + off, "TZif", 4) != 0)
            return PZ_EINVAL;
        if (pass == 0 && d[off + 4] < '2')
            return PZ_EINVAL; /* version 1 only: too old to trust */
        for (int i = 0; i < 6; i++)
            counts[i] = (size_t)(uint32_t)be(d + off + 20 + 4 * i, 4);
        if (pass == 0) {
            /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt of the 32-bit body. */
            v1 = counts[3] * 5 + counts[4] * 6 + counts[5] + counts[2] * 8 + counts[1] + counts[0];
            if (v1 > len - off - 44)
                return PZ_EINVAL;
            off += 44 + v1;
        }
    }
    timecnt = counts[3];
    typecnt = counts[4];
    if (typecnt == 0 || typecnt > 256 || timecnt > 100000)
        return PZ_EINVAL;
    if (timecnt * 9 + typecnt * 6 > len - off - 44)
        return PZ_EINVAL;
    times = d + off + 44;
    idx = times + timecnt * 8;
    types = idx + timecnt;
    tz->n_at = timecnt;
    tz->at = xcalloc(timecnt + 1, sizeof(*tz->at));
    tz->offset = xcalloc(timecnt + 1, sizeof(*tz->offset));
    /* Before the first transition: the first standard-time type, else type 0 (RFC 8536). */
    tz->initial = (int32_t)be(types, 4);
    for (size_t i = 0; i < typecnt; i++)
        if (!types[6 * i + 4]) {
            tz->initial = (int32_t)be(types + 6 * i, 4);
            break;
        }
    for (size_t i = 0; i < timecnt; i++) {
        size_t t = idx[i];
        if (t >= typecnt)
            return PZ_EINVAL;
        tz->at[i] = be(times + 8 * i, 8);
        tz->offset[i] = (int32_t)be(types + 6 * t, 4);
        if (i > 0 && tz->at[i] <= tz->at[i - 1])
            return PZ_EINVAL;
        if (tz->offset[i] < -26 * 3600 || tz->offset[i] > 26 * 3600)
            return PZ_EINVAL;
    }
    return 0;
}

int pz_tz_load(const char *name, struct pz_tz **out)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    unsigned char *data;
    size_t len;
    struct pz_tz *tz;
    FILE *f;
    int r;

    *out = NULL;
    if (!name_valid(name))
        return PZ_EINVAL;
    tz = xcalloc(1, sizeof(*tz));
    snprintf(tz->name, sizeof(tz->name), "%s", name);
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
        *out = tz;
        return 0;
    }
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    f = fopen(path, "rb");
    if (!f) {
        free(tz);
        return PZ_ENOTFOUND;
    }
    data = xmalloc(TZ_FILE_MAX);
    len = fread(data, 1, TZ_FILE_MAX, f);
    fclose(f);
    r = parse(tz, data, len);
    free(data);
    if (r < 0) {
        pz_tz_free(tz);
        return PZ_ENOTFOUND;
    }
    *out = tz;
    return 0;
}

void pz_tz_free(struct pz_tz *tz)
{
    if (!tz)
        return;
    free(tz->at);
    free(tz->offset);
    free(tz);
}

const char *pz_tz_name(const struct pz_tz *tz)
{
    return tz->name;
}

int32_t pz_tz_offset(const struct pz_tz *tz, int64_t utc_s)
{
    size_t lo = 0, hi = tz->n_at;

    if (tz->n_at == 0 || utc_s < tz->at[0])
        return tz->initial;
    /* The last transition at or before utc_s. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= utc_s)
            lo = mid;
        else
            hi = mid;
    }
    return tz->offset[lo];
}

enum pz_tz_kind pz_tz_to_utc(const struct pz_tz *tz, int64_t local_s, int later, int64_t *utc_s)
{
    /* Real zones never change offset twice within two days: the offsets in force a day
     * before and a day after are the only candidates. */
    int32_t before = pz_tz_offset(tz, local_s - 86400 - 26 * 3600);
    int32_t after = pz_tz_offset(tz, local_s + 86400 + 26 * 3600);
    int ok_before = pz_tz_offset(tz, local_s - before) == before;
    int ok_after = pz_tz_offset(tz, local_s - after) == after;

    if (before == after || (ok_before && !ok_after)) {
        *utc_s = local_s - before;
        return PZ_TZ_UNIQUE;
    }
    if (ok_after && !ok_before) {
        *utc_s = local_s - after;
        return PZ_TZ_UNIQUE;
    }
    if (ok_before && ok_after) {
        int64_t a = local_s - before, b = local_s - after;
        int64_t early = a < b ? a : b, late = a < b ? b : a;
        *utc_s = later ? late : early;
        return PZ_TZ_AMBIGUOUS;
    }
    *utc_s = local_s - before;
    return PZ_TZ_GAP;
}

/* Howard Hinnant's days_from_civil. */
int64_t pz_civil_to_days(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void pz_days_to_civil(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int pz_date_valid(int64_t y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (m < 1 || m > 12 || d < 1)
        return 0;
    return d <= days[m - 1] + (m == 2 && leap);
}
