/*
 * Users and their roles, and password rules and hashing (argon2id through
 * libsodium). A user belongs to one workspace; the same e-mail may exist in
 * several workspaces as separate users.
 *
 * Roles, from most to least powerful: owner, manager, agent, member. A
 * consultant reads what a manager reads and changes nothing.
 */
#ifndef PZ_USER_H
#define PZ_USER_H

#include <stdint.h>

#include "accounts/workspace.h"
#include "core/error.h"
#include "store/store.h"

enum role { ROLE_NONE = 0, ROLE_CONSULTANT, ROLE_MEMBER, ROLE_AGENT, ROLE_MANAGER, ROLE_OWNER };

/* Parses a role name; returns ROLE_NONE for anything else. */
enum role role_parse(const char *name);
/* Returns the role's name ("owner"...), or "none". */
const char *role_name(enum role r);
/*
 * Returns non-zero when a user with role HAVE may use something that needs
 * role NEED, for reading (CHANGES_STATE 0) or for changing state. A
 * consultant counts as a manager for reading and may change nothing.
 */
int role_allows(enum role have, enum role need, int changes_state);

struct user {
    int64_t id;
    int64_t workspace_id;
    char email[256];
    char name[128];
    enum role role;
    char locale[3]; /* "" when the user has not chosen */
    int disabled;
    int must_change_password;
    int64_t created_at;
    int64_t last_sign_in_at; /* -1 when never */
    char password_hash[128];
};

#define PZ_PASSWORD_MIN 10
#define PZ_PASSWORD_MAX 256

/*
 * Checks a new password against the rules: at least PZ_PASSWORD_MIN
 * characters, at most PZ_PASSWORD_MAX bytes, valid UTF-8, not a common
 * password, not the e-mail or its local part. Returns 0 or PZ_EINVAL with ERR
 * (password.too_short, password.too_long, password.too_common,
 * password.same_as_email) and FIELD as the field name to report.
 */
int password_check(const char *password, const char *email, const char *field, struct pz_err *err);

/* Hashes PASSWORD with argon2id into OUT (at least 128 bytes). Returns 0 or PZ_ENOMEM. */
int password_hash(const char *password, char *out, size_t outsz);

/* Returns 1 when PASSWORD matches HASH, else 0. Takes the same time for unknown users
 * when HASH is NULL (a dummy hash is verified instead). */
int password_verify(const char *hash, const char *password);

/* Makes a random temporary password (16 characters, readable) into OUT (>= 20 bytes). */
void password_generate(char *out, size_t outsz);

/*
 * Creates a user. EMAIL is normalized; PASSWORD is checked and hashed.
 * Returns 0 and fills *OUT, or PZ_EINVAL with ERR (request.invalid with
 * field email, name or role; password.*; user.exists).
 */
int user_create(struct pz_conn *conn, int64_t workspace_id, const char *email, const char *name,
                enum role role, const char *password, int must_change, struct user *out,
                struct pz_err *err);

/* Loads user ID of WORKSPACE_ID. Returns 0, PZ_ENOTFOUND or a negative code. */
int user_get(struct pz_conn *conn, int64_t workspace_id, int64_t id, struct user *out);

/* Loads the user with EMAIL (normalized here) in WORKSPACE_ID. */
int user_find_email(struct pz_conn *conn, int64_t workspace_id, const char *email,
                    struct user *out);

/*
 * Calls FN for each user with EMAIL in any workspace, in id order, until FN
 * returns non-zero (which is then returned). Returns 0 when all were visited.
 */
int user_each_with_email(struct pz_conn *conn, const char *email,
                         int (*fn)(const struct user *u, void *arg), void *arg);

/* Calls FN for up to LIMIT users of WORKSPACE_ID with id > AFTER_ID, in id order. */
int user_list(struct pz_conn *conn, int64_t workspace_id, int64_t after_id, int limit,
              void (*fn)(const struct user *u, void *arg), void *arg);

/* Number of users in all workspaces, or a negative code. */
int64_t user_count(struct pz_conn *conn);

/* Number of enabled owners in a workspace, or a negative code. */
int64_t user_count_active_owners(struct pz_conn *conn, int64_t workspace_id);

/* Changes. Each returns 0, PZ_ENOTFOUND, or a negative code. */
int user_set_role(struct pz_conn *conn, int64_t workspace_id, int64_t id, enum role role);
int user_set_disabled(struct pz_conn *conn, int64_t workspace_id, int64_t id, int disabled);
int user_set_locale(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *locale);
int user_set_name(struct pz_conn *conn, int64_t workspace_id, int64_t id, const char *name);
/* Sets a new password (checked: PZ_EINVAL with ERR) and clears must_change_password. */
int user_set_password(struct pz_conn *conn, const struct user *u, const char *password,
                      struct pz_err *err);
int user_touch_sign_in(struct pz_conn *conn, int64_t workspace_id, int64_t id);

#endif
