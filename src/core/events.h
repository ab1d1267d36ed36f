/*
 * Live events: an in-process bus that carries what changed (a message came
 * in, a conversation was assigned, an import moved on) to the people who
 * have the web UI open, through GET /api/v1/stream (server-sent events).
 *
 * Publishing is one call, made after the change is committed (never inside
 * the transaction: a rolled-back change must not be announced):
 *
 *     pz_events_publish(workspace_id, "conversation.updated", "{\"conversation_id\":7}");
 *
 * The bus keeps the last PZ_EVENTS_RING events in a ring, each with an id
 * one greater than the one before, so a client that reconnects with
 * Last-Event-ID gets what it missed. Ids start near the wall clock in
 * microseconds when the process starts, so an id from a previous run is
 * never mistaken for one of this run's. Readers never block the publisher:
 * they copy an event out under a short lock. Subscribers (the HTTP layer)
 * are called after each publish to wake the streams of that workspace.
 *
 * Every function is thread-safe. The bus is process-wide; nothing to open.
 */
#ifndef PZ_EVENTS_H
#define PZ_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#define PZ_EVENTS_RING     512  /* events kept for Last-Event-ID replay */
#define PZ_EVENTS_TYPE_MAX 40   /* bytes of a type, terminator included */
#define PZ_EVENTS_DATA_MAX 4096 /* bytes of an event's JSON, terminator excluded */
#define PZ_EVENTS_MAX_SUBS 8

/*
 * Publishes an event of TYPE ("message.created": lower-case letters, digits,
 * '.', '_' and '-') with DATA_JSON (a JSON object on one line; NULL means
 * "{}") to the streams of WORKSPACE_ID. Returns 0; PZ_EINVAL for a bad type,
 * a DATA_JSON with a line break, or a workspace id below 1; PZ_ETOOBIG past
 * PZ_EVENTS_DATA_MAX. A failure is logged and the event dropped: callers
 * need not check (the change itself is already committed).
 */
int pz_events_publish(int64_t workspace_id, const char *type, const char *data_json);

/* One event as a reader sees it: a copy, the reader's own. */
struct pz_event {
    uint64_t id;
    int64_t workspace_id;
    char type[PZ_EVENTS_TYPE_MAX];
    char data[PZ_EVENTS_DATA_MAX + 1];
    size_t data_len;
};

/* The id of the newest event published, or the id before the first one when none was. */
uint64_t pz_events_last_id(void);

/*
 * Copies into *OUT the first event of WORKSPACE_ID whose id is above AFTER.
 * Returns 1 when there was one, 0 when none (yet). When events after AFTER
 * are no longer in the ring, or AFTER is not an id of this run, sets *GAP
 * (which may be NULL) to 1 and returns 0 with *SCANNED at the newest id:
 * the reader has missed events and should reload what it shows, then go on
 * from there. Else *GAP is 0. *SCANNED (may be NULL) receives the id up to
 * which the ring was searched, to pass as AFTER next time when nothing was
 * found, so a reader skips other workspaces' events once.
 */
int pz_events_next(int64_t workspace_id, uint64_t after, struct pz_event *out, int *gap,
                   uint64_t *scanned);

/*
 * Calls FN(ARG, WORKSPACE_ID, ID) after each event is published, on the
 * publisher's thread, without the bus's lock (FN may read the bus). FN must
 * be quick and must not publish. Returns a handle (>= 0) for
 * pz_events_unsubscribe, or PZ_ELIMIT when PZ_EVENTS_MAX_SUBS are taken.
 * pz_events_unsubscribe returns once no call of FN is running.
 */
int pz_events_subscribe(void (*fn)(void *arg, int64_t workspace_id, uint64_t id), void *arg);
void pz_events_unsubscribe(int handle);

#endif
