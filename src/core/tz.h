/*
 * Time zones: converting a local wall-clock time written in a file (a chat
 * export says "21:34" and nothing about its zone) to UTC in a named IANA
 * zone ("Europe/Rome"), and back. Zones are read from the system's compiled
 * tz database (/usr/share/zoneinfo, or $TZDIR) once, into a struct that is
 * read-only afterwards, so conversions are thread-safe and need no TZ
 * environment games. Times past the database's last transition use the
 * zone's last offset.
 *
 * Local times are counted like UTC ones, in seconds since 1970-01-01T00:00
 * of the local calendar ("local epoch seconds"); pz_civil_to_days builds them.
 */
#ifndef PZ_TZ_H
#define PZ_TZ_H

#include <stdint.h>

struct pz_tz;

/* What a local time is in a zone. */
enum pz_tz_kind {
    PZ_TZ_UNIQUE = 0,    /* happens once */
    PZ_TZ_AMBIGUOUS = 1, /* happens twice (the repeated autumn hour) */
    PZ_TZ_GAP = 2,       /* never happens (the skipped spring hour) */
};

/*
 * Loads zone NAME ("UTC", "Europe/Rome"...). Returns 0 and sets *OUT (freed
 * with pz_tz_free), PZ_EINVAL for a name that is not a zone (checked before
 * any file is opened: no "..", no leading '/'), or PZ_ENOTFOUND when the
 * database has no such zone.
 */
int pz_tz_load(const char *name, struct pz_tz **out);

void pz_tz_free(struct pz_tz *tz);

/* The zone's name as loaded (borrowed). */
const char *pz_tz_name(const struct pz_tz *tz);

/* Offset from UTC in seconds (east positive) at UTC second UTC_S. */
int32_t pz_tz_offset(const struct pz_tz *tz, int64_t utc_s);

/*
 * Converts local time LOCAL_S to UTC seconds in *UTC_S and returns what kind
 * of local time it was. An ambiguous time gives the earlier instant, or the
 * later one when LATER is non-zero. A time in a gap is read with the offset
 * in force before the gap (02:30 on the spring-forward day in Rome becomes
 * 01:30 UTC, that is 03:30 summer time), as clocks that were not yet moved
 * would have shown.
 */
enum pz_tz_kind pz_tz_to_utc(const struct pz_tz *tz, int64_t local_s, int later, int64_t *utc_s);

/* Days from 1970-01-01 to the proleptic Gregorian date Y-M-D (M 1-12, D 1-31). */
int64_t pz_civil_to_days(int64_t y, int m, int d);

/* The date of day number DAYS since 1970-01-01. */
void pz_days_to_civil(int64_t days, int64_t *y, int *m, int *d);

/* Non-zero when Y-M-D is a real date (1 <= M <= 12, D within the month). */
int pz_date_valid(int64_t y, int m, int d);

#endif
