/*
 * Bulk changes to contacts: the ids a list filter matches, and one change
 * (tags added or removed, an owner, a stage) applied to many contacts in one
 * transaction, so that it happens to all of them or to none, and is audited
 * once ("contact.bulk", with how many and what, never who).
 */
#ifndef PZ_CONTACTS_BULK_H
#define PZ_CONTACTS_BULK_H

#include <stddef.h>
#include <stdint.h>

#include "contacts/contact.h"
#include "core/error.h"
#include "store/store.h"

#define CONTACT_BULK_MAX      10000 /* the most contacts one bulk change may touch */
#define CONTACT_BULK_IDS_MAX  5000  /* the most ids one request may list (its body is 64 KiB) */
#define CONTACT_BULK_TAGS_MAX 20    /* tags added plus removed in one change */

/*
 * Collects into *IDS (the caller frees; ascending) the ids of every contact
 * matching Q (its cursor and limit are ignored). Returns 0, PZ_EINVAL with
 * ERR (the filter's own request.invalid errors, or bulk.too_many when more
 * than MAX contacts match: the message says how many at least), or a
 * negative code.
 */
int contact_ids_matching(struct pz_conn *conn, int64_t workspace_id, const struct contact_query *q,
                         size_t max, int64_t **ids, size_t *n_ids, struct pz_err *err);

/* What a bulk change does; NULL / 0 / -1 for "leave as is". */
struct contact_bulk_set {
    const char *tags_add[CONTACT_BULK_TAGS_MAX];
    size_t n_tags_add;
    const char *tags_remove[CONTACT_BULK_TAGS_MAX];
    size_t n_tags_remove;
    int64_t owner_user_id; /* -1 unchanged, 0 nobody, else a user of the workspace */
    const char *stage;
};

void contact_bulk_set_init(struct contact_bulk_set *set);

struct contact_bulk_result {
    long matched; /* distinct contacts asked for */
    long changed; /* of those, the ones that changed */
};

/*
 * Applies SET to the N_IDS contacts IDS (duplicates count once) in its own
 * transaction, by ACTOR_ID, and audits it. A stage change writes each
 * contact's stage_change entry. Returns 0 and fills *RES, or PZ_EINVAL with
 * ERR (bulk.nothing_to_do; bulk.too_many past CONTACT_BULK_MAX;
 * bulk.unknown_contact naming the first id not in the workspace;
 * request.invalid fields stage, owner, tags), nothing changed, or a negative
 * code.
 */
int contact_bulk_apply(struct pz_conn *conn, int64_t workspace_id, const int64_t *ids, size_t n_ids,
                       const struct contact_bulk_set *set, int64_t actor_id,
                       struct contact_bulk_result *res, struct pz_err *err);

#endif
