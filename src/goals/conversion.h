/*
 * Conversions: what the company's site or systems report as a result
 * (a purchase, a newsletter sign-up, a coupon download, a webinar
 * registration), each committed before it is acknowledged.
 *
 * Idempotency: a conversion carries a key chosen by the sender; the same key
 * in the same workspace counts once, so a retried request never counts
 * twice. Attribution is last touch within TRACK_ATTRIBUTION_DAYS days: the
 * click id (pz) the conversion carries names the link clicked, when it is
 * genuine, of this workspace, and at most 30 days older than the conversion;
 * a conversion without a usable pz but naming a contact takes the link of
 * that contact's latest attributed conversion whose click is within the
 * window. Otherwise it is unattributed (it still counts for the objective).
 */
#ifndef PZ_CONVERSION_H
#define PZ_CONVERSION_H

#include <stdint.h>

#include "core/error.h"
#include "goals/track.h"
#include "store/store.h"

#define CONVERSION_KEY_MAX   128
#define CONVERSION_VALUE_MAX 100000000000LL /* cents: one billion */

/* Returns 1 when CODE is a currency piazza accepts (ISO 4217, the usual ones in Europe and beyond).
 */
int goal_currency_valid(const char *code);

struct conversion_in {
    const char *event;
    int64_t value_cents;       /* 0 when none */
    const char *currency;      /* NULL: EUR */
    const char *pz;            /* may be NULL */
    int64_t contact_id;        /* -1 when none */
    const char *contact_email; /* or an e-mail that identities resolve; NULL when none */
    const char *idempotency_key;
    int64_t at; /* -1: now */
};

struct conversion {
    int64_t id;
    char event[TRACK_EVENT_MAX + 1];
    int64_t at;
    int64_t value_cents;
    char currency[4];
    int64_t link_id;     /* -1 unattributed */
    int64_t campaign_id; /* -1 when none */
    int64_t contact_id;  /* -1 when none */
    char idempotency_key[CONVERSION_KEY_MAX + 1];
    int64_t created_at;
};

/*
 * Records a conversion. *DUPLICATE is set when the key was seen before: *OUT
 * is then the first conversion with that key, unchanged. Returns 0,
 * PZ_EINVAL with ERR (goals.missing_field, goals.invalid_field,
 * goals.bad_amount, goals.bad_currency), or a code.
 */
int conversion_record(struct pz_conn *conn, const unsigned char key[TRACK_KEY_LEN], int64_t ws,
                      int64_t user_id, const struct conversion_in *in, struct conversion *out,
                      int *duplicate, struct pz_err *err);

/* Calls FN for up to LIMIT conversions (filtered by EVENT and CAMPAIGN_ID when given), id > AFTER.
 */
int conversion_list(struct pz_conn *conn, int64_t ws, const char *event, int64_t campaign_id,
                    int64_t after, int limit, void (*fn)(const struct conversion *c, void *arg),
                    void *arg);

#endif
