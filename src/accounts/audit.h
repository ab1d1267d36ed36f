/*
 * The audit log: who did what to the accounts of a workspace, and when.
 * Sign-ins, failed sign-ins, role changes, disabling, token creation and
 * revocation. Rows are never changed; owners read them newest first.
 */
#ifndef PZ_AUDIT_H
#define PZ_AUDIT_H

#include <stdint.h>

#include "store/store.h"

struct audit_row {
    int64_t id;
    int64_t at;
    int64_t actor_id; /* 0 when nobody was signed in */
    char actor_email[256];
    char action[48];
    char target[256];
    char ip[48];
    char detail[256];
};

/*
 * Records ACTION in WORKSPACE_ID by ACTOR_ID (0 for none). TARGET, IP and
 * DETAIL may be NULL. Returns 0 or a negative code (logged; an audit failure
 * is reported, never ignored, by the callers that must not proceed).
 */
int audit_add(struct pz_conn *conn, int64_t workspace_id, int64_t actor_id, const char *action,
              const char *target, const char *ip, const char *detail);

/* Calls FN for up to LIMIT rows with id < BEFORE_ID (0: from the newest), newest first. */
int audit_list(struct pz_conn *conn, int64_t workspace_id, int64_t before_id, int limit,
               void (*fn)(const struct audit_row *row, void *arg), void *arg);

#endif
