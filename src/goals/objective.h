/*
 * Objectives and the campaigns that work towards them.
 *
 * An objective measures one thing over a period of whole days (UTC): the
 * count of a conversion event, the revenue of an event, the clicks on its
 * campaigns' links, the contacts that entered a stage, or the response time
 * of its channels' conversations. Its target is a count, cents for revenue,
 * or the most minutes allowed for response_time (where lower is better). A campaign belongs to one
 * objective, runs on one channel, and may say how many conversions it is expected to bring (else it
 * is expected to bring an equal share of what the campaigns with no figure of their own leave of
 * the target).
 *
 * Validation failures fill a struct pz_err with codes "goals.missing_field"
 * or "goals.invalid_field" (the field named), "goals.bad_date",
 * "goals.bad_amount", and "goals.unknown_reference" for an id that is not in
 * the workspace.
 */
#ifndef PZ_OBJECTIVE_H
#define PZ_OBJECTIVE_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define GOAL_NAME_MAX         200 /* characters */
#define GOAL_TEXT_MAX         256 /* bytes of department, channels, funnel */
#define GOAL_TARGET_MAX       1000000000000LL
#define GOAL_MAX_DAYS         1100 /* an objective spans at most about three years */
#define GOAL_FUNNEL_MAX       8
#define GOAL_CHANNEL_MAX      24
#define GOAL_RESPONSE_MAX_MIN 525600 /* a response time target: at most a year of minutes */

struct objective {
    int64_t id;
    char name[GOAL_NAME_MAX * 4 + 1];
    char metric[16];
    char event[49]; /* "" when none */
    char stage[16]; /* "" when none */
    int64_t target;
    char start_day[11], end_day[11];
    int64_t owner_user_id; /* -1 when none */
    char department[GOAL_TEXT_MAX + 1];
    char channels[GOAL_TEXT_MAX + 1]; /* comma-separated */
    char funnel[GOAL_TEXT_MAX + 1];   /* comma-separated; "" = click,visit,EVENT */
    int64_t created_at, updated_at;
};

/*
 * The fields of a create or an update; NULL (or -2 for numbers) leaves a
 * field as it is on update. OWNER -1 clears the owner. CHANNELS and FUNNEL
 * are comma-separated lists (the API joins its arrays).
 */
struct objective_fields {
    const char *name, *metric, *event, *stage, *start_day, *end_day, *department, *channels,
        *funnel;
    int64_t target;
    int64_t owner_user_id;
};

void objective_fields_init(struct objective_fields *f);

/* Returns 1 when S names a known channel (linkedin, facebook, newsletter...). */
int goal_channel_valid(const char *s);
/* The utm_medium of a channel ("social", "email", "cpc"...). */
const char *goal_channel_medium(const char *channel);

/* Creates an objective. Returns 0 and fills *OUT, PZ_EINVAL with ERR, or a code. */
int objective_create(struct pz_conn *conn, int64_t ws, const struct objective_fields *f,
                     struct objective *out, struct pz_err *err);
/* Changes objective ID. Returns 0 and fills *OUT, PZ_ENOTFOUND, PZ_EINVAL with ERR, or a code. */
int objective_update(struct pz_conn *conn, int64_t ws, int64_t id, const struct objective_fields *f,
                     struct objective *out, struct pz_err *err);
/* Loads objective ID of WS. Returns 0, PZ_ENOTFOUND or a code. */
int objective_get(struct pz_conn *conn, int64_t ws, int64_t id, struct objective *out);
/* Calls FN for up to LIMIT objectives with id > AFTER, in id order. */
int objective_list(struct pz_conn *conn, int64_t ws, int64_t after, int limit,
                   void (*fn)(const struct objective *o, void *arg), void *arg);

struct campaign {
    int64_t id;
    int64_t objective_id;
    char name[GOAL_NAME_MAX * 4 + 1];
    char channel[GOAL_CHANNEL_MAX + 1];
    char start_day[11], end_day[11]; /* "" when open */
    int64_t budget_cents;            /* -1 when none */
    int64_t target;                  /* -1 when none: a share of the objective's */
    char utm_campaign[64];
    int64_t created_at, updated_at;
};

struct campaign_fields {
    const char *name, *channel, *start_day, *end_day;
    int64_t objective_id; /* -2 unchanged */
    int64_t budget_cents; /* -2 unchanged, -1 none */
    int64_t target;       /* -2 unchanged, -1 none */
};

void campaign_fields_init(struct campaign_fields *f);

int campaign_create(struct pz_conn *conn, int64_t ws, const struct campaign_fields *f,
                    struct campaign *out, struct pz_err *err);
int campaign_update(struct pz_conn *conn, int64_t ws, int64_t id, const struct campaign_fields *f,
                    struct campaign *out, struct pz_err *err);
int campaign_get(struct pz_conn *conn, int64_t ws, int64_t id, struct campaign *out);
/* Calls FN for up to LIMIT campaigns (of OBJECTIVE_ID when > 0) with id > AFTER, in id order. */
int campaign_list(struct pz_conn *conn, int64_t ws, int64_t objective_id, int64_t after, int limit,
                  void (*fn)(const struct campaign *c, void *arg), void *arg);

#endif
