/*
 * The two objective metrics that read other capabilities' tables: contacts
 * entering a stage (the contacts and their timeline) and the response time
 * of conversations (the inbox's messages).
 *
 * A contact enters a stage when it is created in that stage or when its
 * stage changes to it (the timeline's stage_change entries say when); each
 * contact counts once in a window, on the first day it entered.
 *
 * Response time is measured per customer turn: a customer's message that
 * follows a message of the company (or opens the conversation) starts the
 * clock, further customer messages before a reply belong to the same turn,
 * and the company's next message stops it. Notes and system notices do not
 * count. A turn still unanswered counts with the time it has waited so far
 * (a lower bound of its response time), so that silence never looks fast.
 * Times are wall-clock minutes.
 */
#ifndef PZ_MEASURE_H
#define PZ_MEASURE_H

#include <stdint.h>

#include "goals/objective.h"
#include "store/store.h"

/*
 * Counts the contacts of WS that entered STAGE in [FROM, TO) (UTC ms). When
 * PER_DAY is not NULL, adds each contact to PER_DAY[day - FIRST_DAY] for the
 * day it first entered (days outside 0..N_DAYS-1 are not added).
 * Returns 0 and sets *COUNT, or a negative code.
 */
int measure_stage_entries(struct pz_conn *conn, int64_t ws, const char *stage, int64_t from,
                          int64_t to, int64_t *count, int64_t *per_day, int64_t first_day,
                          int n_days);

struct measure_turn {
    int64_t start;   /* the customer's first message of the turn, UTC ms */
    int64_t wait_ms; /* until the reply, or until UNTIL when unanswered */
    int answered;
    char channel[16]; /* the conversation's channel (whatsapp, email, messenger...) */
};

/*
 * The customer turns of WS's conversations on the channels of O (all when O
 * names none) that started in [FROM, TO), with replies counted up to UNTIL.
 * *TURNS is the caller's to free. Returns 0, or a negative code.
 */
int measure_turns(struct pz_conn *conn, int64_t ws, const struct objective *o, int64_t from,
                  int64_t to, int64_t until, struct measure_turn **turns, size_t *n_turns);

/* The median of the waits of TURNS[0..N) in minutes (rounded); -1 when N is 0. Sorts TURNS. */
int64_t measure_median_minutes(struct measure_turn *turns, size_t n);

/* The conversation channel an objective's channel measures ("facebook" -> "messenger"), or NULL.
 */
const char *measure_conversation_channel(const char *goal_channel);

#endif
