/*
 * The inbox's clock: business hours per workspace, time measured in
 * business minutes, and the SLA of a conversation.
 *
 * Business hours are opening intervals per weekday (0 Monday .. 6 Sunday)
 * in minutes from local midnight, read in the workspace's inbox time zone
 * (its own setting, else the workspace's zone), so 09:00 stays 09:00 across
 * a change to or from summer time. No interval at all means always open.
 *
 * Measures of a conversation (inbox_measure), from its messages and status:
 * the clock starts at the first incoming message (system notices aside);
 * first_response_at is the first outgoing message after it; the first
 * response and resolution times are the business minutes from the start to
 * those moments. sla_due_at is the next deadline still to meet: the first
 * response's while none was given, then the resolution's until resolved
 * (NULL without a target or before anyone wrote in). sla_breached says a
 * deadline was missed by an answer or a resolution that came late; one that
 * passes unanswered shows as breaching by itself (sla_due_at < now, not
 * resolved), so nothing has to wake up to flag it.
 */
#ifndef PZ_INBOX_WORKFLOW_H
#define PZ_INBOX_WORKFLOW_H

#include <stdint.h>

#include "core/error.h"
#include "core/tz.h"
#include "store/store.h"

#define INBOX_HOURS_MAX      70     /* opening intervals in a week */
#define INBOX_TARGET_MAX_MIN 525600 /* a year of business minutes */

struct inbox_interval {
    int weekday;     /* 0 Monday .. 6 Sunday */
    int open, close; /* minutes from local midnight, 0 <= open < close <= 1440 */
};

struct inbox_hours {
    const struct pz_tz *tz;
    struct inbox_interval items[INBOX_HOURS_MAX]; /* sorted by weekday, then open */
    int n_items;                                  /* 0: always open */
};

/*
 * Milliseconds of business time between FROM and TO (UTC ms; 0 when TO is
 * not after FROM). Divide by 60000 for minutes.
 */
int64_t inbox_business_ms(const struct inbox_hours *h, int64_t from, int64_t to);

/*
 * The instant (UTC ms) when MINUTES business minutes have passed since START.
 * A week without any open interval cannot happen (n_items > 0 means some).
 */
int64_t inbox_business_add(const struct inbox_hours *h, int64_t start, int64_t minutes);

/* A workspace's inbox settings, as GET/PUT /api/v1/settings/inbox show them. */
struct inbox_settings {
    char time_zone[64];
    struct inbox_interval hours[INBOX_HOURS_MAX];
    int n_hours;
    int64_t first_response_target; /* business minutes, -1 none */
    int64_t resolution_target;     /* business minutes, -1 none */
};

/* Loads the settings of WORKSPACE_ID (defaults: the workspace's zone, always open, no targets). */
int inbox_settings_get(struct pz_conn *conn, int64_t workspace_id, struct inbox_settings *out);

/*
 * Checks and stores S for WORKSPACE_ID and measures again every conversation
 * not resolved, in one transaction. Returns 0, PZ_EINVAL with ERR
 * (inbox.bad_hours: weekday, times, overlaps; inbox.bad_time_zone;
 * inbox.bad_target), or a negative code.
 */
int inbox_settings_put(struct pz_conn *conn, int64_t workspace_id, const struct inbox_settings *s,
                       int64_t now, struct pz_err *err);

/*
 * A workspace's business hours with their zone loaded, for measuring time
 * elsewhere (goals' response time). inbox_clock_load returns 0 or a negative
 * code; a zone the system no longer has reads as UTC. Free with
 * inbox_clock_free (also after a failed load).
 */
struct inbox_clock {
    struct inbox_hours h;
    struct pz_tz *tz;
};
int inbox_clock_load(struct pz_conn *conn, int64_t workspace_id, struct inbox_clock *c);
void inbox_clock_free(struct inbox_clock *c);

/* Reads "HH:MM" (00:00..24:00) into minutes. Returns 0 or PZ_EINVAL. */
int inbox_hhmm_parse(const char *s, int *minutes);

/*
 * Measures conversation CONV again (see above) and stores first_response_at,
 * the minutes, sla_due_at and sla_breached. Runs inside the caller's
 * transaction. Returns 0 or a negative code.
 */
int inbox_measure(struct pz_conn *conn, int64_t workspace_id, int64_t conv, int64_t now);

#endif
