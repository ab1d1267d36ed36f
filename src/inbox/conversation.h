/*
 * The shared inbox's conversations: listing them with the inbox's filters
 * (newest activity first, keyset paging), the sidebar's counts, one
 * conversation with its participants, the workflow changes an agent makes
 * (status, snooze, assignee, team, priority, labels), a conversation's
 * messages page by page, and the notes and replies typed in piazza.
 *
 * Lists read conversations and their indexes only: a listed conversation's
 * last message and whether it awaits a reply are one index seek each into
 * messages_conversation, never a count or a scan of its messages.
 *
 * A snoozed conversation whose snoozed_until has passed is open: lists,
 * counts and the object say so without a background job waking it. The
 * SLA measures (first response, resolution, due time, breach) are kept by
 * workflow.h whenever a message arrives, a reply is posted or the
 * conversation is resolved; "breaching" also covers a due time that passed
 * with the conversation still waiting (sla_due_at < now, not resolved).
 */
#ifndef PZ_INBOX_CONVERSATION_H
#define PZ_INBOX_CONVERSATION_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define INBOX_LABELS_MAX      32  /* labels on one conversation */
#define INBOX_LABEL_CHARS_MAX 60  /* characters in a label's name */
#define INBOX_PREVIEW_MAX     200 /* bytes of the last message shown in lists */
#define INBOX_BODY_MAX        20000
#define INBOX_PAGE_MAX        200

/* Status bits of a filter. */
#define INBOX_ST_OPEN     1u
#define INBOX_ST_PENDING  2u
#define INBOX_ST_SNOOZED  4u
#define INBOX_ST_RESOLVED 8u
#define INBOX_ST_ALL      15u

/* Something named: a contact, a user, a team. id 0 means none. */
struct inbox_ref {
    int64_t id;
    char name[201];
};

struct inbox_conv {
    int64_t id;
    char channel[16];
    char title[256];
    int is_group;
    struct inbox_ref contact;
    char status[10];       /* as it stands now: an expired snooze reads "open" */
    int64_t snoozed_until; /* -1 none */
    struct inbox_ref assignee, team;
    char priority[8];
    char labels[INBOX_LABELS_MAX][INBOX_LABEL_CHARS_MAX * 4 + 1];
    int n_labels;
    int64_t message_count;
    int64_t first_message_at, last_message_at; /* -1 none */
    int has_last;                              /* last_* below are set */
    char last_direction[10], last_kind[8], last_sender[201];
    char last_body[INBOX_PREVIEW_MAX + 1]; /* cut at a character boundary */
    int awaiting_reply;
    int64_t first_response_at, resolved_at, sla_due_at; /* -1 none */
    int sla_breached;                                   /* stored breach, or due time passed */
    int64_t first_response_minutes, resolution_minutes; /* -1 none */
};

/* What a list shows. Strings are borrowed; NULL or 0 means any. */
struct inbox_filter {
    int view;            /* 0 all, 1 mine, 2 unassigned */
    unsigned status;     /* INBOX_ST_* bits; 0 means open and pending */
    const char *channel; /* a channel name (checked by inbox_channel_valid) */
    const char *label;   /* a label's name */
    int64_t team_id;     /* 0 any */
    int64_t assignee_id; /* 0 any */
    int64_t contact_id;  /* 0 any */
    int breaching;       /* only conversations breaching their SLA */
    int64_t me;          /* the caller, for view mine */
    int64_t now;         /* UTC ms: snoozes and due times are read against it */
};

/* Where a page of a list starts: after (last_message_at, id); id 0 the first page. */
struct inbox_cursor {
    int64_t at; /* -1 for a conversation without messages */
    int64_t id;
};

/*
 * Checks a label's NAME (1..INBOX_LABEL_CHARS_MAX characters, not blank)
 * and writes its key (folded: labels differing in case or accents are one)
 * into KEY. Returns 0 or PZ_EINVAL with ERR inbox.bad_label.
 */
int inbox_label_key(const char *name, char *key, size_t keysz, struct pz_err *err);

/* Non-zero when NAME is one of the channels conversations have. */
int inbox_channel_valid(const char *name);
/* The channels, in a fixed order, NULL-terminated. */
extern const char *const inbox_channels[];

/*
 * Reads a comma list of statuses ("open,pending", or "all") into *MASK.
 * Returns 0 or PZ_EINVAL.
 */
int inbox_status_parse(const char *list, unsigned *mask);

/*
 * Calls FN for up to LIMIT conversations matching F after CURSOR, newest
 * activity first. Returns 0 or a negative code.
 */
int inbox_conv_list(struct pz_conn *conn, int64_t workspace_id, const struct inbox_filter *f,
                    const struct inbox_cursor *cursor, int limit,
                    void (*fn)(const struct inbox_conv *c, void *arg), void *arg);

/* Loads conversation ID as of NOW. Returns 0, PZ_ENOTFOUND or a negative code. */
int inbox_conv_get(struct pz_conn *conn, int64_t workspace_id, int64_t id, int64_t now,
                   struct inbox_conv *out);

struct inbox_participant {
    int64_t id;
    char name[256];
    char handle[256];
    int is_me;
    int64_t contact_id, user_id; /* 0 none */
};

/* Calls FN for every participant of conversation ID (at most INBOX_PAGE_MAX * 20). */
int inbox_participants_each(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                            void (*fn)(const struct inbox_participant *p, void *arg), void *arg);

/* The sidebar's counts of conversations not resolved, as of NOW. */
struct inbox_summary {
    int64_t mine, unassigned, all, breaching;
    int64_t open, pending, snoozed, resolved;
    int64_t channels[16]; /* by the index of inbox_channels */
};
int inbox_summary_get(struct pz_conn *conn, int64_t workspace_id, int64_t me, int64_t now,
                      struct inbox_summary *out);
/* Calls FN for each label with the number of its conversations not resolved (by name). */
int inbox_summary_labels(struct pz_conn *conn, int64_t workspace_id, int64_t now,
                         void (*fn)(const char *name, int64_t count, void *arg), void *arg);

/* A change to a conversation: only the members whose has_ flag is set. */
struct inbox_patch {
    int has_status;
    const char *status;
    int has_snoozed_until;
    int64_t snoozed_until; /* -1 null */
    int has_assignee;
    int64_t assignee_id; /* 0 null */
    int has_team;
    int64_t team_id; /* 0 null */
    int has_priority;
    const char *priority;
    int has_labels;
    const char *const *labels;
    size_t n_labels;
};

/*
 * Applies P to conversation ID at NOW, in one transaction. Resolving sets
 * resolved_at and the resolution measures; reopening clears them. Returns
 * 0, PZ_ENOTFOUND, PZ_EINVAL with ERR (inbox.bad_status,
 * inbox.snooze_needs_time, inbox.bad_assignee, inbox.bad_team,
 * inbox.bad_priority, inbox.bad_label), or a negative code.
 */
int inbox_conv_patch(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                     const struct inbox_patch *p, int64_t now, struct pz_err *err);

struct inbox_message {
    int64_t id;
    char direction[10], kind[8];
    char *body; /* owned: inbox_message_release */
    int64_t sent_at;
    char local_time[20]; /* "YYYY-MM-DD HH:MM" or "" */
    char time_zone[64];  /* "" none */
    int has_sender;
    char sender_name[256];
    int64_t participant_id, sender_contact_id; /* 0 none */
    struct inbox_ref author;
    int sent_outside, edited, deleted;
    int64_t reply_to_id; /* 0 none */
};
void inbox_message_release(struct inbox_message *m);

/* Loads message ID. Returns 0, PZ_ENOTFOUND or a negative code. */
int inbox_message_get(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                      struct inbox_message *out);

/*
 * Calls FN for one page of conversation CONV's messages: the LIMIT newest
 * before (BEFORE_AT, BEFORE_ID) (BEFORE_ID 0: the newest), handed oldest
 * first. *MORE is set when older messages remain; *OLDEST_AT and *OLDEST_ID
 * name the page's oldest one, for the next cursor. Returns 0,
 * PZ_ENOTFOUND (no such conversation) or a negative code.
 */
int inbox_messages_page(struct pz_conn *conn, int64_t workspace_id, int64_t conv, int64_t before_at,
                        int64_t before_id, int limit,
                        void (*fn)(const struct inbox_message *m, void *arg), void *arg, int *more,
                        int64_t *oldest_at, int64_t *oldest_id);

struct inbox_attachment {
    int64_t id;
    int64_t message_id;
    char name[256];
    char mime_type[128];
    int64_t size;          /* -1 unknown */
    char stored_path[200]; /* relative to the data folder; "" when the export had no file */
};
int inbox_attachments_each(struct pz_conn *conn, int64_t workspace_id, int64_t message_id,
                           void (*fn)(const struct inbox_attachment *a, void *arg), void *arg);
int inbox_attachment_get(struct pz_conn *conn, int64_t workspace_id, int64_t id,
                         struct inbox_attachment *out);

/*
 * Posts a note or a reply ("note" or "reply") written by USER_ID into
 * conversation CONV at NOW, in one transaction: a reply is stored outgoing
 * and sent_outside (sent from the channel's own app), a note as a note; the
 * conversation's measures follow (workflow.h), and the conversation's
 * contact gets it on their timeline. Sets *ID. Returns 0, PZ_ENOTFOUND,
 * PZ_EINVAL with ERR (inbox.bad_kind, inbox.empty_body,
 * inbox.body_too_long), or a negative code.
 */
int inbox_message_post(struct pz_conn *conn, int64_t workspace_id, int64_t conv, int64_t user_id,
                       const char *kind, const char *body, int64_t now, int64_t *id,
                       struct pz_err *err);

#endif
