/*
 * Duplicates: suggestions that two contacts are probably one person, and
 * merging them when a user says so. piazza never merges by itself, and never
 * suggests on a name alone: the reasons are a shared normalized identity
 * ("identity": the same phone number stored as one contact's phone and the
 * other's WhatsApp, or an imported record whose identities belonged to two
 * contacts) or similar names within the same organization ("name": equal once
 * folded and with words sorted, or one edit apart when neither has digits;
 * at most 10 such suggestions for a contact at each check).
 *
 * A suggestion is stored once per pair; a dismissed one is not made again.
 */
#ifndef PZ_CONTACTS_DEDUP_H
#define PZ_CONTACTS_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "contacts/contact.h"
#include "core/error.h"
#include "store/store.h"

/*
 * Records that contacts A and B are probably one, for REASON ("identity" or
 * "name") with DETAIL (the shared identity or the organization; may be
 * NULL). *ADDED (may be NULL) is 1 when the pair was not suggested before.
 * Returns 0 or a negative code.
 */
int dedup_suggest(struct pz_conn *conn, int64_t workspace_id, int64_t a, int64_t b,
                  const char *reason, const char *detail, int *added);

/*
 * Looks for duplicates of contact ID by both rules and records them; *ADDED
 * (may be NULL) gets how many suggestions are new. Returns 0 or a negative
 * code.
 */
int dedup_check_contact(struct pz_conn *conn, int64_t workspace_id, int64_t id, long *added);

/*
 * The two halves of dedup_check_contact, for a writer that knows more than
 * the database tells cheaply (an import's caches, src/contacts/import.c):
 * dedup_check_identities suggests the other holders of contact ID's
 * identities; dedup_check_names suggests, among PEOPLE (N_PEOPLE members of
 * one organization, in the order the database lists them, ID itself
 * skipped), those whose name keys are similar to NAME_KEY, at most as many
 * as dedup_check_contact would, with DETAIL (the organization's name). Run
 * in this order they suggest what dedup_check_contact does for a person in
 * at most one organization. *ADDED gets how many suggestions are new.
 */
struct dedup_person {
    int64_t id;
    const char *name_key;
};
int dedup_check_identities(struct pz_conn *conn, int64_t workspace_id, int64_t id, long *added);
int dedup_check_names(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *name_key,
                      const struct dedup_person *people, size_t n_people, const char *detail,
                      long *added);

/* Runs dedup_check_contact over every contact of the workspace. */
int dedup_scan(struct pz_conn *conn, int64_t workspace_id, long *added);

struct dedup_suggestion {
    int64_t id;
    int64_t contact_a;
    int64_t contact_b;
    char name_a[CONTACT_NAME_MAX + 1];
    char name_b[CONTACT_NAME_MAX + 1];
    char reason[16];
    char detail[NORMALIZE_MAX];
    int dismissed;
    int64_t created_at;
};

/*
 * Calls FN for up to LIMIT suggestions with id > AFTER_ID, oldest first;
 * dismissed ones only when INCLUDE_DISMISSED. Returns 0 or a negative code.
 */
int dedup_list(struct pz_conn *conn, int64_t workspace_id, int include_dismissed, int64_t after_id,
               int limit, void (*fn)(const struct dedup_suggestion *s, void *arg), void *arg);

/* Marks suggestion ID as "not duplicates". Returns 0, PZ_ENOTFOUND or a negative code. */
int dedup_dismiss(struct pz_conn *conn, int64_t workspace_id, int64_t id);

/*
 * Merges contact GONE into contact KEEP, in one transaction of its own:
 * every identity, membership, tag, custom field value, consent, timeline
 * entry and import key of GONE moves to KEEP. Where both have a value, KEEP's
 * wins and GONE's is kept in a timeline note ("note" entry); KEEP's empty
 * names, relationship and owner are filled from GONE; GONE's notes are
 * appended to KEEP's. A "merge" entry is written on KEEP, GONE is deleted,
 * the audit log gets "contact.merge" (ids only), and KEEP's score is
 * recomputed. ACTOR_ID is the user who merged (0 for none).
 * Returns 0, PZ_ENOTFOUND, PZ_EINVAL with ERR (contact.merge_invalid: the same
 * contact, or a person with an organization), or a negative code.
 */
int contact_merge(struct pz_conn *conn, int64_t workspace_id, int64_t keep_id, int64_t gone_id,
                  int64_t actor_id, struct pz_err *err);

#endif
