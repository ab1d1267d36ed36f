/*
 * Canned replies: answers a workspace writes once and agents insert with a
 * shortcut, with variables filled for the conversation at hand:
 * {{first_name}}, {{last_name}}, {{name}} (the contact's), {{agent_name}}
 * (who is answering) and {{company}} (the workspace's name). A body naming
 * any other {{variable}} is refused, so a typo never reaches a customer.
 * Also the inbox's teams and labels as lists.
 */
#ifndef PZ_INBOX_CANNED_H
#define PZ_INBOX_CANNED_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define CANNED_SHORTCUT_MAX 40
#define CANNED_TITLE_MAX    200
#define CANNED_BODY_MAX     20000
#define CANNED_LIST_MAX     1000
#define TEAM_NAME_MAX       100

struct canned_reply {
    int64_t id;
    char shortcut[CANNED_SHORTCUT_MAX + 1];
    char title[CANNED_TITLE_MAX * 4 + 1];
    char *body; /* owned by whoever filled it: canned_release */
};
void canned_release(struct canned_reply *c);

/* The values variables take; NULL members render as "". */
struct canned_vars {
    const char *first_name, *last_name, *name, *agent_name, *company;
};

/*
 * Checks that BODY names only known variables. Returns 0 or PZ_EINVAL with
 * ERR inbox.bad_variable naming the first unknown one.
 */
int canned_check(const char *body, struct pz_err *err);

/* Renders BODY with V. Returns a new string (the caller frees it). */
char *canned_render(const char *body, const struct canned_vars *v);

/*
 * Fills V for conversation CONV (its contact's names) as answered by AGENT
 * in a workspace called COMPANY; the strings go into BUF (BUFSZ bytes).
 * Returns 0, PZ_ENOTFOUND (no such conversation) or a negative code.
 */
int canned_vars_for(struct pz_conn *conn, int64_t workspace_id, int64_t conv, const char *agent,
                    const char *company, struct canned_vars *v, char *buf, size_t bufsz);

/* Calls FN for each canned reply of the workspace, by shortcut (at most CANNED_LIST_MAX). */
int canned_each(struct pz_conn *conn, int64_t workspace_id,
                void (*fn)(const struct canned_reply *c, void *arg), void *arg);

/* Loads canned reply ID into OUT (canned_release it). 0, PZ_ENOTFOUND or a negative code. */
int canned_get(struct pz_conn *conn, int64_t workspace_id, int64_t id, struct canned_reply *out);

/*
 * Creates (ID 0) or changes canned reply ID: SHORTCUT, TITLE and BODY, any
 * NULL when changing keeps the old value. Sets *OUT_ID. Returns 0,
 * PZ_ENOTFOUND, PZ_EINVAL with ERR (request.invalid shortcut, title, body;
 * inbox.bad_variable; inbox.duplicate_shortcut), or a negative code.
 */
int canned_save(struct pz_conn *conn, int64_t workspace_id, int64_t id, int64_t user_id,
                const char *shortcut, const char *title, const char *body, int64_t now,
                int64_t *out_id, struct pz_err *err);

/* Deletes canned reply ID. Returns 0, PZ_ENOTFOUND or a negative code. */
int canned_delete(struct pz_conn *conn, int64_t workspace_id, int64_t id);

/* Calls FN for each team of the workspace, by name. */
int inbox_teams_each(struct pz_conn *conn, int64_t workspace_id,
                     void (*fn)(int64_t id, const char *name, void *arg), void *arg);

/*
 * Creates team NAME (1..TEAM_NAME_MAX characters) and sets *ID. Returns 0,
 * PZ_EINVAL with ERR (request.invalid name; inbox.team_exists), or a
 * negative code.
 */
int inbox_team_create(struct pz_conn *conn, int64_t workspace_id, const char *name, int64_t now,
                      int64_t *id, struct pz_err *err);

/* Calls FN for each label with the number of conversations that carry it, by name. */
int inbox_labels_each(struct pz_conn *conn, int64_t workspace_id,
                      void (*fn)(int64_t id, const char *name, const char *color, int64_t count,
                                 void *arg),
                      void *arg);

#endif
