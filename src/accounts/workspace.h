/*
 * Workspaces: one company each. Every row piazza stores belongs to exactly
 * one workspace, and no request ever sees another workspace's rows.
 */
#ifndef PZ_WORKSPACE_H
#define PZ_WORKSPACE_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

struct workspace {
    int64_t id;
    char name[128];
    char slug[64];
    char locale[3]; /* "it" or "en" */
    char timezone[64];
    int64_t created_at;
};

/*
 * Creates a workspace. SLUG may be NULL or empty (derived from NAME); LOCALE
 * NULL means "it"; TIMEZONE NULL means Europe/Rome. Returns 0 and fills *OUT,
 * PZ_EINVAL with ERR filled (request.invalid with field workspace_name,
 * workspace_slug, locale or timezone; workspace.slug_taken),
 * or another negative code.
 */
int workspace_create(struct pz_conn *conn, const char *name, const char *slug, const char *locale,
                     const char *timezone, struct workspace *out, struct pz_err *err);

/* Loads a workspace by id or slug. Returns 0, PZ_ENOTFOUND or a negative code. */
int workspace_get(struct pz_conn *conn, int64_t id, struct workspace *out);
int workspace_find_slug(struct pz_conn *conn, const char *slug, struct workspace *out);

/* Number of workspaces, or a negative code. */
int64_t workspace_count(struct pz_conn *conn);

/* Returns non-zero when TZ names a zone in the system's time zone database. */
int workspace_timezone_valid(const char *tz);

#endif
