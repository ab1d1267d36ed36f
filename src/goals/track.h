/*
 * Tracking: what a click on a tracked link or a pixel hit becomes, and the
 * queue that writes those hits to the database in batches.
 *
 * A click id ("pz") carries the workspace, the link and the time of the
 * click, signed with a key derived from the installation secret, so that a
 * conversion reported later is attributed without looking the click up, and
 * a forged or altered pz is refused. Hits keep no raw IP address: the
 * visitor is a hash of address and browser under a salt that changes every
 * day (so unique visitors can be counted within a day and never linked
 * across days); the referrer is kept as its domain only; the browser as a
 * coarse device class.
 *
 * Hits go into an in-memory queue and one writer thread writes whatever has
 * gathered in one transaction (group commit): under load, batches grow;
 * when idle, each hit is written at once. hitq_stop writes every hit pushed
 * before it returns, so a graceful shutdown loses nothing that was answered.
 */
#ifndef PZ_TRACK_H
#define PZ_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define TRACK_PZ_MAX       48
#define TRACK_EVENT_MAX    48
#define TRACK_REFERRER_MAX 64
#define TRACK_KEY_LEN      16
/* A click counts for conversions reported within this many days (last touch). */
#define TRACK_ATTRIBUTION_DAYS 30

/* Derives the key that signs click ids from the installation SECRET. */
void track_key_derive(const unsigned char secret[32], unsigned char key[TRACK_KEY_LEN]);

/*
 * Makes a click id for a click on LINK_ID of WS at AT_MS into OUT
 * (TRACK_PZ_MAX bytes): "<ws>.<link>.<seconds>.<nonce><mac>", base 36 and
 * base64url, about 30 characters.
 */
void track_pz_make(const unsigned char key[TRACK_KEY_LEN], int64_t ws, int64_t link_id,
                   int64_t at_ms, char *out);

/*
 * Reads click id PZ: returns 0 and sets *WS, *LINK_ID and *AT_MS (to the
 * second), or PZ_EINVAL when it is malformed or its signature is wrong.
 */
int track_pz_read(const unsigned char key[TRACK_KEY_LEN], const char *pz, int64_t *ws,
                  int64_t *link_id, int64_t *at_ms);

/* Returns 1 when a click at CLICK_MS may be credited with something at AT_MS (last touch window).
 */
int track_pz_in_window(int64_t click_ms, int64_t at_ms);

/* The coarse device class of a User-Agent: "bot", "tablet", "mobile", "desktop" or "other". */
const char *track_device(const char *user_agent);

/*
 * Writes the lower-case host of the Referer URL REF into OUT (at most
 * TRACK_REFERRER_MAX bytes, without "www."); "" when there is none or it is
 * not an http(s) URL.
 */
void track_referrer_domain(const char *ref, char *out, size_t outsz);

/* Returns 1 when EVENT is a valid event name: 1-48 of [a-z0-9_.-], starting with a letter. */
int track_event_valid(const char *event);

/*
 * Writes into OUT (OUTSZ bytes) the URL a click is sent to: TARGET with
 * utm_source, utm_medium and utm_campaign added (unless TARGET names them
 * already, or the value is NULL) and pz, before any "#fragment". Returns the
 * length, or PZ_ETOOBIG.
 */
int track_redirect_url(const char *target, const char *utm_source, const char *utm_medium,
                       const char *utm_campaign, const char *pz, char *out, size_t outsz);

/* One hit, as queued. */
enum hit_kind { HIT_CLICK = 1, HIT_EVENT = 2 };
struct hit {
    int64_t workspace_id;
    int64_t link_id; /* 0 when none */
    int64_t at;
    enum hit_kind kind;
    const char *device; /* static, from track_device */
    char event[TRACK_EVENT_MAX + 1];
    char pz[TRACK_PZ_MAX];
    char referrer[TRACK_REFERRER_MAX + 1];
    char visitor[17];
};

struct hit_queue;

/*
 * Starts the writer thread over STORE, queueing at most CAPACITY hits.
 * Returns NULL on failure (logged).
 */
struct hit_queue *hitq_start(struct pz_store *store, size_t capacity);

/*
 * Queues a copy of H. When the queue is full, waits up to a second for the
 * writer; returns 0, or PZ_EBUSY when still full (the caller answers 503:
 * the hit was not taken).
 */
int hitq_push(struct hit_queue *q, const struct hit *h);

/*
 * Waits (up to TIMEOUT_MS) until every hit queued before the call is written,
 * so that a count read afterwards includes them. Returns 0 or PZ_EBUSY.
 */
int hitq_sync(struct hit_queue *q, int timeout_ms);

/* Hits written so far by this queue. */
uint64_t hitq_written(struct hit_queue *q);

/* Writes every queued hit, stops the writer and frees Q. Accepts NULL. */
void hitq_stop(struct hit_queue *q);

/*
 * Finds the workspace whose slug is SLUG (a site of the pixel), through a
 * small cache of a few seconds. Returns 0 and sets *WS, PZ_ENOTFOUND, or a
 * negative code.
 */
int track_site(struct pz_conn *conn, const char *slug, int64_t *ws);

/*
 * Writes the visitor hash of IP and USER_AGENT for day DAY into OUT (17
 * bytes, hex): the day's salt is made at random the first time it is needed,
 * kept in the settings table (so every process and a restart agree) and
 * deleted the next day. Returns 0 or a negative code.
 */
int track_visitor(struct pz_conn *conn, int64_t day, const char *ip, const char *user_agent,
                  char out[17]);

#endif
