/*
 * Sign-in sessions and who a request acts as (the principal).
 *
 * A session is a random 256-bit token given to the browser in a cookie; the
 * database keeps only its BLAKE2b hash, so a copy of the database signs
 * nobody in. Sessions expire after 30 days and are revoked at sign-out and
 * when the user is disabled. The CSRF token of a session is an HMAC of the
 * session token under the installation's secret: nothing more to store, and
 * it cannot be derived without the cookie.
 */
#ifndef PZ_SESSION_H
#define PZ_SESSION_H

#include <stdint.h>

#include "accounts/user.h"
#include "accounts/workspace.h"
#include "store/store.h"

#define SESSION_TOKEN_LEN   44 /* base64url of 32 bytes is 43 characters */
#define SESSION_LIFETIME_MS (30LL * 24 * 3600 * 1000)
#define CSRF_TOKEN_LEN      44

enum principal_via { VIA_NONE = 0, VIA_COOKIE, VIA_TOKEN };

struct principal {
    struct user user;
    struct workspace workspace;
    enum principal_via via;
    int64_t session_id; /* when via cookie */
    int64_t token_id;   /* when via API token */
};

/* The installation secret (32 bytes), created on first use and kept in settings. */
int accounts_secret(struct pz_conn *conn, unsigned char out[32]);

/* Hashes a secret token for storage: hex BLAKE2b-256 into OUT (65 bytes). */
void accounts_token_hash(const char *token, char out[65]);

/*
 * Starts a session for U. Writes the token for the cookie into TOKEN.
 * Returns 0 or a negative code.
 */
int session_create(struct pz_conn *conn, const struct user *u, const char *ip,
                   const char *user_agent, char token[SESSION_TOKEN_LEN]);

/*
 * Finds the live session for TOKEN and fills *OUT. Returns 0, PZ_EAUTH when
 * unknown, expired, revoked or its user is disabled, or a negative code.
 */
int session_authenticate(struct pz_conn *conn, const char *token, struct principal *out);

/* Revokes one session, or every live session of a user. */
int session_revoke(struct pz_conn *conn, int64_t workspace_id, int64_t session_id);
int session_revoke_user(struct pz_conn *conn, int64_t workspace_id, int64_t user_id);

/* Computes the CSRF token of SESSION_TOKEN into OUT. */
void csrf_token(const unsigned char secret[32], const char *session_token,
                char out[CSRF_TOKEN_LEN]);

/* Returns 1 when GIVEN is the CSRF token of SESSION_TOKEN (constant time), else 0. */
int csrf_valid(const unsigned char secret[32], const char *session_token, const char *given);

#endif
