/*
 * Values that every contacts export spells its own way, read the same way by
 * every contacts reader: which service a profile URL belongs to, what an
 * identity's label means ("* Mobile", "_$!<Mobile>!$_", "Cellulare" are all
 * "cell"), which group names are the exporter's own bookkeeping rather than
 * the user's tags, and the dates LinkedIn writes.
 */
#ifndef PZ_IMPORT_VALUES_H
#define PZ_IMPORT_VALUES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns the identity kind of a profile or web address: "linkedin" for
 * linkedin.com/in/... (and /pub/...), "facebook" (facebook.com, fb.com),
 * "instagram", "x" (x.com, twitter.com), else "website". The scheme and
 * "www." are optional; a country subdomain (it.linkedin.com) is accepted.
 * Static strings.
 */
const char *values_url_kind(const char *url);

/*
 * Returns the identity kind a service name stands for ("LinkedIn",
 * "twitter", "Telegram"...), or NULL when it is none of piazza's kinds.
 */
const char *values_service_kind(const char *name, size_t n);

/*
 * Cleans a label in place and says what it means. Markers are removed
 * (Google's leading "* " for the primary value, Apple's "_$!<...>!$_"); a
 * label piazza knows becomes its static name ("cell", "home", "work", "fax",
 * "pager", "main", "other"); any other label is returned as cleaned (inside S).
 * Returns NULL when nothing is left.
 */
const char *values_label(char *s);

/*
 * Cleans a group or category name in place (a leading "* " goes) and returns
 * it, or NULL when it is empty or one of the exporters' own groups that every
 * contact is in ("My Contacts", Google's "myContacts"), which are no tags.
 */
const char *values_tag(char *s);

/*
 * Parses a date as LinkedIn writes it ("05 Mar 2024", "5 Mar 2024") or as
 * ISO ("2024-03-05") into UTC milliseconds at midnight; returns -1 when S is
 * no such date or one before 1970 (which would be negative).
 */
int64_t values_date_ms(const char *s);

/* Removes ASCII white space (space, tab, CR, LF) at both ends of S in place; returns S. */
char *values_trim(char *s);

#endif
