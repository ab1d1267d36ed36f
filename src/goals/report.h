/*
 * Progress and reports of objectives.
 *
 * Progress is measured over whole UTC days from the objective's start to an
 * "as of" day (today unless asked): the metric so far, what the target
 * expects by that day at an even pace, the forecast at the period's end at
 * the pace so far, and a status: reached (the target is met), missed (the
 * period is over and it is not), at_risk (the forecast falls short) or
 * on_track.
 *
 * The report adds the cost (money in EUR plus staff hours at their rates),
 * conversions and their value, cost per conversion and ROI, the same by
 * campaign and by channel with what each was expected to bring, the funnel
 * (ordered steps with the rate between each two), a series per day for
 * charts, and, for an objective at risk or missed, an explanation in words
 * and figures in Italian and English that names the biggest shortfall.
 */
#ifndef PZ_REPORT_H
#define PZ_REPORT_H

#include <stdint.h>

#include "goals/objective.h"
#include "store/store.h"

#define REPORT_CAMPAIGNS_MAX 64
#define REPORT_CHANNELS_MAX  16
#define REPORT_CURRENCIES    8

struct progress {
    int64_t as_of_day, start_day, end_day;
    int64_t days_total, days_elapsed;
    int64_t value;            /* the metric so far: a count, or cents for revenue */
    int64_t expected_to_date; /* the target's share of the days elapsed */
    int64_t forecast;         /* at the period's end, at the pace so far */
    const char *status;       /* "on_track", "at_risk", "missed", "reached" */
};

/* Measures objective O as of day AS_OF (days since 1970; -1: today). Returns 0 or a code. */
int objective_progress(struct pz_conn *conn, int64_t ws, const struct objective *o, int64_t as_of,
                       struct progress *out);

struct report_figures {
    int64_t cost_cents, money_cents, time_cents, minutes, minutes_unpriced;
    int64_t clicks, visits, conversions, value_cents;
    int64_t expected, expected_to_date; /* in the objective's metric; -1 when not planned */
    int64_t actual;                     /* in the objective's metric */
};

struct report_campaign {
    int64_t id;
    char name[GOAL_NAME_MAX * 4 + 1];
    char channel[GOAL_CHANNEL_MAX + 1];
    int64_t budget_cents;
    struct report_figures f;
};

struct report_channel {
    char channel[GOAL_CHANNEL_MAX + 1];
    struct report_figures f;
};

struct report_step {
    char name[49];
    int64_t count;
};

struct report_day {
    int64_t day;
    int64_t value;   /* the metric on that day (response_time: that day's median, -1 none) */
    int64_t to_date; /* response_time: the median up to that day (-1 none); else -1 */
    int64_t conversions, value_cents, clicks, cost_cents;
};

struct report_money {
    char currency[4];
    int64_t cents;
};

/* Response time (metric response_time): customer turns that started in the period. */
struct report_response_channel {
    char channel[16]; /* the conversations' channel: whatsapp, email, messenger... */
    int64_t turns, unanswered, late, median_minutes;
};

struct report_responses {
    int64_t turns;      /* customer messages that waited for a reply */
    int64_t unanswered; /* of which still waiting (counted with the time waited so far) */
    int64_t late;       /* of which waited longer than the target */
    int64_t median_minutes;
    struct report_response_channel channels[REPORT_CHANNELS_MAX];
    int n_channels;
};

struct report {
    struct progress p;
    struct report_figures total;
    int64_t unattributed; /* conversions credited to no campaign of this objective */
    struct report_money other_costs[REPORT_CURRENCIES]; /* money not in EUR: not in cost */
    int n_other_costs;
    struct report_money other_values[REPORT_CURRENCIES];
    int n_other_values;
    struct report_campaign *campaigns;
    int n_campaigns;
    struct report_channel channels[REPORT_CHANNELS_MAX];
    int n_channels;
    struct report_step steps[GOAL_FUNNEL_MAX];
    int n_steps;
    struct report_day *days;
    int n_days;
    struct report_responses responses; /* response_time only */
    /* The explanation, when at risk or missed; "" otherwise. */
    char explanation_it[1536], explanation_en[1536];
    int64_t shortfall_campaign_id; /* -1 when none was named */
};

/* Builds the report of O as of AS_OF (-1: today). Free with report_release. */
int report_build(struct pz_conn *conn, int64_t ws, const struct objective *o, int64_t as_of,
                 struct report *out);
void report_release(struct report *r);

/* The ROI in hundredths of a percent ((value - cost) / cost), or INT64_MIN when cost is 0. */
int64_t report_roi_bp(int64_t value_cents, int64_t cost_cents);

#endif
