/*
 * API tokens for integrations: "pz_" followed by 43 base64url characters
 * (256 random bits). Only a hash is stored; the secret is shown once, at
 * creation. A token acts as the user who created it, with that user's role.
 */
#ifndef PZ_TOKEN_H
#define PZ_TOKEN_H

#include <stdint.h>

#include "accounts/session.h"
#include "store/store.h"

#define TOKEN_SECRET_LEN 48 /* "pz_" + 43 + NUL, rounded */

struct api_token {
    int64_t id;
    int64_t workspace_id;
    int64_t user_id;
    char name[128];
    char prefix[16]; /* the first 8 characters of the secret, to tell tokens apart */
    int64_t created_at;
    int64_t last_used_at; /* -1 when never */
    int revoked;
};

/*
 * Creates a token for U named NAME (1-100 characters; NULL gives
 * "API token"). Writes the secret into SECRET. Returns 0, PZ_EINVAL with ERR
 * (request.invalid, field name), or a negative code.
 */
int token_create(struct pz_conn *conn, const struct user *u, const char *name,
                 struct api_token *out, char secret[TOKEN_SECRET_LEN], struct pz_err *err);

/* Fills *OUT for a live token SECRET. Returns 0, PZ_EAUTH, or a negative code. */
int token_authenticate(struct pz_conn *conn, const char *secret, struct principal *out);

/* Calls FN for up to LIMIT tokens of USER_ID with id > AFTER_ID, in id order. */
int token_list(struct pz_conn *conn, int64_t workspace_id, int64_t user_id, int64_t after_id,
               int limit, void (*fn)(const struct api_token *t, void *arg), void *arg);

/*
 * Revokes token ID of WORKSPACE_ID; when USER_ID is non-zero the token must
 * also be that user's. Returns 0 (and fills *OUT), PZ_ENOTFOUND, or a code.
 */
int token_revoke(struct pz_conn *conn, int64_t workspace_id, int64_t user_id, int64_t id,
                 struct api_token *out);

#endif
