/*
 * Investments: the money and the staff time an objective or a campaign
 * costs. Money has a day, an amount, a currency (EUR by default) and a
 * category; time has a user, a day, minutes and an activity, and costs
 * minutes / 60 x the user's hourly rate (else the rate of the user's role,
 * else nothing: the report counts such hours apart). Rates are set by an
 * owner and read at report time, so setting a rate later prices the hours
 * already logged. A timer per user turns start and stop into a time entry.
 *
 * Validation fills ERR with goals.missing_field, goals.invalid_field,
 * goals.bad_amount (negative, zero or absurd), goals.bad_currency,
 * goals.bad_date or goals.unknown_reference.
 */
#ifndef PZ_INVEST_H
#define PZ_INVEST_H

#include <stdint.h>

#include "accounts/user.h"
#include "core/error.h"
#include "store/store.h"

#define INVEST_AMOUNT_MAX  100000000000LL /* cents: one billion per entry */
#define INVEST_MINUTES_MAX (24 * 60)      /* one entry is one day's work at most */
#define INVEST_RATE_MAX    10000000LL     /* cents: 100,000 an hour */
#define INVEST_TEXT_MAX    500

struct investment {
    int64_t id;
    char kind[8]; /* "money" or "time" */
    char day[11];
    int64_t objective_id; /* -1 when none */
    int64_t campaign_id;  /* -1 when none */
    int64_t amount_cents; /* money */
    char currency[4];
    char category[16];
    int64_t user_id; /* time; -1 for money */
    int64_t minutes;
    char activity[INVEST_TEXT_MAX + 1];
    char note[INVEST_TEXT_MAX + 1];
    int64_t created_by;
    int64_t created_at;
};

/* What a create gives; strings may be NULL. */
struct investment_in {
    const char *kind, *day, *currency, *category, *activity, *note;
    int64_t objective_id, campaign_id; /* -1 when not given */
    int64_t amount_cents;              /* -1 when not given */
    int64_t user_id;                   /* -1: the caller */
    int64_t minutes;                   /* -1 when not given */
};

void investment_in_init(struct investment_in *in);

/*
 * Records an investment by CREATOR. A campaign's objective is filled in from
 * the campaign. Returns 0 and fills *OUT, PZ_EINVAL with ERR, or a code.
 */
int investment_create(struct pz_conn *conn, int64_t ws, int64_t creator,
                      const struct investment_in *in, struct investment *out, struct pz_err *err);
int investment_get(struct pz_conn *conn, int64_t ws, int64_t id, struct investment *out);
int investment_delete(struct pz_conn *conn, int64_t ws, int64_t id);
/* Calls FN for up to LIMIT investments (filters when > 0 / non-NULL), id > AFTER, in id order. */
int investment_list(struct pz_conn *conn, int64_t ws, int64_t objective_id, int64_t campaign_id,
                    const char *kind, int64_t after, int limit,
                    void (*fn)(const struct investment *i, void *arg), void *arg);

/* Hourly rates. SCOPE "user" (SUBJECT a user id) or "role" (SUBJECT a role name). */
int rate_set(struct pz_conn *conn, int64_t ws, const char *scope, const char *subject,
             int64_t rate_cents, struct pz_err *err);
/* Removes a rate; returns 0 or PZ_ENOTFOUND. */
int rate_clear(struct pz_conn *conn, int64_t ws, const char *scope, const char *subject);
int rate_list(struct pz_conn *conn, int64_t ws,
              void (*fn)(const char *scope, const char *subject, int64_t rate_cents,
                         int64_t updated_at, void *arg),
              void *arg);
/* The rate that prices USER_ID's hours: the user's, else the role's; -1 when none. */
int rate_for_user(struct pz_conn *conn, int64_t ws, int64_t user_id, int64_t *rate_cents);

struct timer {
    int64_t started_at;
    int64_t objective_id, campaign_id; /* -1 when none */
    char activity[INVEST_TEXT_MAX + 1];
};

/* Starts USER_ID's timer. Returns 0, PZ_EEXIST (one runs), PZ_EINVAL with ERR, or a code. */
int timer_start(struct pz_conn *conn, int64_t ws, int64_t user_id, int64_t objective_id,
                int64_t campaign_id, const char *activity, struct timer *out, struct pz_err *err);
/* Reads USER_ID's running timer. Returns 0, PZ_ENOTFOUND, or a code. */
int timer_get(struct pz_conn *conn, int64_t ws, int64_t user_id, struct timer *out);
/*
 * Stops USER_ID's timer and records its time (at least a minute, at most a
 * day) as an investment of the day it started. Returns 0 and fills *OUT,
 * PZ_ENOTFOUND (no timer), or a code.
 */
int timer_stop(struct pz_conn *conn, int64_t ws, int64_t user_id, struct investment *out);

#endif
