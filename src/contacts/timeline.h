/*
 * The timeline: everything that happened with a contact, in one
 * chronological list. Notes, calls and meetings logged by hand, stage
 * changes, imports, LinkedIn connections and merges are written here by
 * src/contacts; later capabilities (messages, conversions) add their own
 * kinds through timeline_add, the one interface for all of them.
 *
 * An entry is an interaction, and counts for relationship strength
 * (score.h), when it is contact with the person: kinds call, meeting,
 * message and email, or any entry with a direction. The channel of an
 * interaction is what the contact was reached through (phone, email,
 * whatsapp, meeting...); calls, meetings and e-mails get theirs by default.
 */
#ifndef PZ_CONTACTS_TIMELINE_H
#define PZ_CONTACTS_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define TIMELINE_BODY_MAX   (64 * 1024)
#define TIMELINE_CURSOR_MAX 48
#define TIMELINE_LIST_MAX   500

/* A new entry. timeline_new_init sets every optional member to "none". */
struct timeline_new {
    int64_t contact_id;
    int64_t at;              /* UTC ms; 0 for now */
    const char *kind;        /* [a-z_]{1,32}: note, call, meeting, message, email, stage_change,
                                import, connected, merge, or a later capability's own */
    const char *channel;     /* [a-z_]{1,16} or NULL (derived from kind when there is one) */
    const char *direction;   /* "in" (from the contact), "out" (from us) or NULL */
    int64_t duration_s;      /* -1 none */
    const char *outcome;     /* free text up to 200 bytes ("answered", "voicemail"...) or NULL */
    const char *body;        /* Markdown or NULL */
    int64_t author_user_id;  /* 0 none */
    const char *source_kind; /* what produced it ("import_run", "message"...) or NULL */
    int64_t source_id;       /* 0 none */
    int contact_written;     /* 1: the caller wrote the contact in this transaction, so it is
                                not looked up again (an import's own entries) */
};

void timeline_new_init(struct timeline_new *e);

/*
 * Adds entry E to its contact's timeline and sets *ENTRY_ID (may be NULL).
 * Does not touch the stored score: call score_update when the strength
 * shown must be fresh at once. Returns 0, PZ_ENOTFOUND (no such contact in
 * the workspace), PZ_EINVAL with ERR (request.invalid fields kind, channel,
 * direction, duration_s, outcome, body, source_kind), or a negative code.
 */
int timeline_add(struct pz_conn *conn, int64_t workspace_id, const struct timeline_new *e,
                 int64_t *entry_id, struct pz_err *err);

/*
 * For bulk writers (the importer): adds entry E (its contact_id ignored) to
 * the timelines of the N contacts of CONTACT_IDS, which the caller wrote in
 * this transaction, in one statement. The entries share E's time (now when
 * 0). Returns 0, PZ_EINVAL with ERR as timeline_add, or a negative code.
 */
int timeline_add_many(struct pz_conn *conn, int64_t workspace_id, const struct timeline_new *e,
                      const int64_t *contact_ids, size_t n, struct pz_err *err);

struct timeline_entry {
    int64_t id;
    int64_t contact_id;
    char contact_name[201]; /* the contact's display name (useful in combined timelines) */
    int64_t at;
    char kind[33];
    char channel[17];   /* "" when none */
    char direction[4];  /* "in", "out" or "" */
    int64_t duration_s; /* -1 when none */
    char outcome[201];
    const char *body;       /* borrowed for the callback; NULL when none */
    int64_t author_user_id; /* 0 when none */
    char source_kind[33];
    int64_t source_id; /* 0 when none */
    int interaction;
    int64_t created_at;
};

/*
 * Calls FN for one page of contact ID's timeline, newest first (by time,
 * then by id). CURSOR is "" or NULL for the first page, else the NEXT of the
 * previous one; NEXT (NEXTSZ >= TIMELINE_CURSOR_MAX) gets the cursor of the
 * following page, "" at the end. LIMIT is 1..TIMELINE_LIST_MAX (0 for 50).
 * Returns 0, PZ_ENOTFOUND, PZ_EINVAL with ERR (request.invalid cursor or
 * limit), or a negative code.
 */
int timeline_list(struct pz_conn *conn, int64_t workspace_id, int64_t contact_id,
                  const char *cursor, int limit,
                  void (*fn)(const struct timeline_entry *e, void *arg), void *arg, char *next,
                  size_t nextsz, struct pz_err *err);

/*
 * The same for an organization: its own entries and those of the people
 * who are its members now, combined, newest first. Returns PZ_EINVAL with
 * ERR contact.not_organization for a person.
 */
int timeline_list_organization(struct pz_conn *conn, int64_t workspace_id, int64_t org_id,
                               const char *cursor, int limit,
                               void (*fn)(const struct timeline_entry *e, void *arg), void *arg,
                               char *next, size_t nextsz, struct pz_err *err);

/* Removes entry ENTRY_ID (an entry logged by mistake). Returns 0, PZ_ENOTFOUND or a negative
 * code. */
int timeline_remove(struct pz_conn *conn, int64_t workspace_id, int64_t entry_id);

#endif
