/*
 * Tracked links: a short slug that sends a click on to the link's URL with
 * the campaign's utm_* parameters and a click id added. Slugs are unique in
 * the whole installation (a click names nothing else) and always contain an
 * upper-case letter, so they never look like a workspace's slug, which the
 * pixel uses for hits that belong to no link.
 */
#ifndef PZ_LINK_H
#define PZ_LINK_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define LINK_URL_MAX  2048
#define LINK_SLUG_LEN 7

struct link {
    int64_t id;
    int64_t campaign_id; /* -1 when none */
    char slug[16];
    char url[LINK_URL_MAX + 1];
    char name[801];
    int64_t created_by; /* -1 when unknown */
    int64_t created_at;
};

/*
 * Creates a link to URL (http or https, at most LINK_URL_MAX bytes, no spaces
 * or control characters) for CAMPAIGN_ID (> 0) or none (-1). NAME may be
 * NULL. Returns 0 and fills *OUT, PZ_EINVAL with ERR (goals.missing_field,
 * goals.invalid_field on url or name, goals.unknown_reference on
 * campaign_id), or a code.
 */
int link_create(struct pz_conn *conn, int64_t ws, int64_t campaign_id, const char *url,
                const char *name, int64_t user_id, struct link *out, struct pz_err *err);

/* Changes the name and/or URL (NULL leaves one as it is). Returns as link_create, or PZ_ENOTFOUND.
 */
int link_update(struct pz_conn *conn, int64_t ws, int64_t id, const char *url, const char *name,
                struct link *out, struct pz_err *err);

int link_get(struct pz_conn *conn, int64_t ws, int64_t id, struct link *out);

/* Calls FN for up to LIMIT links (of CAMPAIGN_ID when > 0) with id > AFTER, in id order. */
int link_list(struct pz_conn *conn, int64_t ws, int64_t campaign_id, int64_t after, int limit,
              void (*fn)(const struct link *l, void *arg), void *arg);

/* Counts the clicks on link ID (all, and distinct visitors of each day summed). */
int link_clicks(struct pz_conn *conn, int64_t ws, int64_t id, int64_t *clicks, int64_t *unique);

/* What a click on a slug needs: the link, its URL and the campaign's utm values. */
struct link_target {
    int64_t id;
    int64_t workspace_id;
    char url[LINK_URL_MAX + 1];
    char utm_source[32];
    char utm_medium[16];
    char utm_campaign[64];
};

/* Finds the link of SLUG. Returns 0, PZ_ENOTFOUND or a code. */
int link_resolve(struct pz_conn *conn, const char *slug, struct link_target *out);

/*
 * link_resolve through a small cache of recent answers (also of unknown
 * slugs), for the click path. An answer may be up to 5 seconds old when
 * another process changed the link; changes made in this process are seen
 * at once.
 */
int link_resolve_cached(struct pz_conn *conn, const char *slug, struct link_target *out);
/* Drops every cached answer (after a link or campaign changed). */
void link_cache_forget(void);

/* Returns 1 when S has the shape of a link slug (so /t/{slug} is a link, not a workspace). */
int link_slug_shape(const char *s);

#endif
