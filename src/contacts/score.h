/*
 * Relationship strength, 0 to 100, derived from a contact's timeline and
 * explained in plain words ("last contact 94 days ago; 4 contacts in the
 * last year; answered 3 of 4 times; 2 channels"). Scores are derived data:
 * contact_scores can be dropped and rebuilt (piazza rebuild scores), and a
 * computation depends only on the timeline and the NOW it is given, so the
 * same inputs always give the same score.
 *
 * Only interactions count (see timeline.h), and only those at or before
 * NOW. With d the whole days since the last one, n90 and n365 the
 * interactions in the last 90 and 365 days:
 *
 *   recency      40 * (180 - d) / 180, 0 from 180 days on          (0-40)
 *   frequency    min(30, 3 * n90 + (n365 - n90))                   (0-30)
 *   reciprocity  20 * answered / outgoing; 20 when they only wrote
 *                to us; 10 when no interaction had a direction     (0-20)
 *   channels     min(10, 4 * distinct channels in the last year)   (0-10)
 *
 * each part rounded down; a contact never interacted with scores 0. An
 * outgoing interaction (direction out, in the last year) counts as answered
 * when the next interaction with a direction after it is incoming.
 *
 * Going cold: customers and prospects whose strength fell at the last
 * change of their score, or with no interaction (or, never contacted, since
 * they were created) for N days, N per stage as managers set it
 * (settings cold_days.customer, default 60; cold_days.prospect, default 30).
 */
#ifndef PZ_CONTACTS_SCORE_H
#define PZ_CONTACTS_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "contacts/contact.h"
#include "core/error.h"
#include "store/store.h"

#define SCORE_DAY_MS                86400000LL
#define SCORE_COLD_CUSTOMER_DEFAULT 60
#define SCORE_COLD_PROSPECT_DEFAULT 30

struct score {
    int strength;            /* 0-100 */
    int64_t last_contact_at; /* -1 when never */
    int64_t days_since;      /* -1 when never */
    int contacts_90;
    int contacts_365;
    int outgoing; /* in the last year */
    int answered;
    int incoming;
    int channels;
    int recency_points, frequency_points, reciprocity_points, channel_points;
    char explanation_en[256];
    char explanation_it[256];
};

/*
 * Computes contact ID's strength at NOW (UTC ms) from its timeline, without
 * storing it. Returns 0, PZ_ENOTFOUND or a negative code.
 */
int score_compute(struct pz_conn *conn, int64_t workspace_id, int64_t id, int64_t now,
                  struct score *out);

/*
 * Computes and stores contact ID's score; the stored previous strength
 * becomes the old one when the strength changed. OUT may be NULL. Returns
 * 0, PZ_ENOTFOUND or a negative code.
 */
int score_update(struct pz_conn *conn, int64_t workspace_id, int64_t id, int64_t now,
                 struct score *out);

/*
 * Loads contact ID's stored score into *OUT and its previous strength into
 * *PREVIOUS (-1 when none; may be NULL). Returns 0, PZ_ENOTFOUND (never
 * computed) or a negative code.
 */
int score_get(struct pz_conn *conn, int64_t workspace_id, int64_t id, struct score *out,
              int *previous);

/* Recomputes the score of every contact of the workspace at NOW; *N_DONE (may be
 * NULL) gets how many. For `piazza rebuild scores`. Returns 0 or a negative code. */
int score_rebuild_all(struct pz_conn *conn, int64_t workspace_id, int64_t now, long *n_done);

/*
 * The days without contact after which a contact of STAGE ("customer" or
 * "prospect") is going cold, into *DAYS. Returns 0, or PZ_EINVAL for another
 * stage, or a negative code.
 */
int score_cold_days(struct pz_conn *conn, int64_t workspace_id, const char *stage, int *days);

/* Sets it (1..3650 days). Returns 0, PZ_EINVAL with ERR (request.invalid, field stage or
 * days), or a negative code. */
int score_set_cold_days(struct pz_conn *conn, int64_t workspace_id, const char *stage, int days,
                        struct pz_err *err);

/*
 * Calls FN for one page of the going-cold list at NOW: customers and
 * prospects of OWNER_USER_ID (0: everybody's), by name. CURSOR and NEXT
 * as contact_list. Returns as contact_list.
 */
int score_going_cold(struct pz_conn *conn, int64_t workspace_id, int64_t owner_user_id, int64_t now,
                     const char *cursor, int limit, void (*fn)(const struct contact *c, void *arg),
                     void *arg, char *next, size_t nextsz, struct pz_err *err);

/*
 * Why contact C, a row of score_going_cold, is on the list at NOW when its
 * stage goes cold after COLD_DAYS: "silent" when nobody has been in touch
 * for COLD_DAYS or more (since it was created, when never contacted),
 * otherwise "fell" (its stored strength dropped at its last change). *DAYS
 * (may be NULL) gets the whole days since the last contact, or since it was
 * created; 0 for a time after NOW. Returns a static string.
 */
const char *score_cold_reason(const struct contact *c, int cold_days, int64_t now, int64_t *days);

#endif
