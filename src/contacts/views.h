/*
 * Saved views of the contacts list: a name and a set of filters, per user,
 * optionally shared with the workspace. The filters are stored as the JSON
 * object of list parameters the caller checked (the API reads them with the
 * same code as the list's query string); this module only keeps them.
 */
#ifndef PZ_CONTACTS_VIEWS_H
#define PZ_CONTACTS_VIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define VIEW_NAME_MAX    80   /* bytes of a view's name */
#define VIEW_FILTERS_MAX 2048 /* bytes of its filters as JSON */
#define VIEWS_PER_USER   100  /* views one user may save */

struct contact_view {
    int64_t id;
    int64_t user_id;
    char user_name[128];
    char name[VIEW_NAME_MAX + 1];
    char filters[VIEW_FILTERS_MAX + 1]; /* a JSON object */
    int shared;
    int64_t created_at;
};

/*
 * Saves view NAME with FILTERS_JSON (a JSON object, already checked) for
 * USER_ID, shared with the workspace when SHARED. Fills *OUT (may be NULL).
 * Returns 0, PZ_EINVAL with ERR (request.invalid fields name, filters;
 * view.exists when the user has a view of that name; view.too_many), or a
 * negative code.
 */
int contact_view_create(struct pz_conn *conn, int64_t workspace_id, int64_t user_id,
                        const char *name, const char *filters_json, int shared,
                        struct contact_view *out, struct pz_err *err);

/* Calls FN for USER_ID's views and the workspace's shared ones, by name. */
int contact_view_list(struct pz_conn *conn, int64_t workspace_id, int64_t user_id,
                      void (*fn)(const struct contact_view *v, void *arg), void *arg);

/* Loads view ID if USER_ID may see it (theirs or shared). Returns 0, PZ_ENOTFOUND or a code. */
int contact_view_get(struct pz_conn *conn, int64_t workspace_id, int64_t user_id, int64_t id,
                     struct contact_view *out);

/*
 * Deletes view ID. Its owner may; so may ANY_SHARED callers (managers) for a
 * shared view. Returns 0, PZ_ENOTFOUND (no such view visible to the user),
 * PZ_EPERM (visible but not theirs to delete), or a negative code.
 */
int contact_view_delete(struct pz_conn *conn, int64_t workspace_id, int64_t user_id, int64_t id,
                        int any_shared);

#endif
