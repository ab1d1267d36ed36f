/*
 * The one writer of imported conversations: it takes what any chat reader
 * (src/import/chat.h) hands out and stores conversations, participants,
 * messages and attachments in a workspace, resolving participants to
 * contacts and adding messages to the contacts' timelines.
 *
 * Conversations are found by (channel, key) and reused, so a newer export of
 * a chat continues the same conversation. Messages are stored once: the
 * dedup key (see chat.h) is unique in the workspace; a message already there
 * counts as a duplicate skipped.
 *
 * Participants: the company's side is a participant the reader marks is_me
 * or whose name, or else handle (an e-mail address), folded (case and accents
 * ignored) is one of opts->me;
 * without --me, in a one-to-one chat whose title is one participant's name,
 * the other one is "me". Everyone else is resolved to a contact: by identity
 * (a phone number, a Telegram id, an e-mail) through src/contacts, else by
 * the same participant of the same conversation imported before; a person
 * found neither way becomes a new contact (names alone never match an
 * existing contact: the contacts module suggests the duplicate instead).
 * Counted once per participant and file as contacts_created or
 * contacts_matched.
 *
 * Direction: outgoing when the sender is "me", incoming otherwise (system
 * notices are incoming). Text and media messages from or to a contact (to:
 * in one-to-one chats) reach that contact's timeline as one entry per
 * conversation, day (as the chat showed it) and direction: the day's first
 * such message, kind "message", channel the conversation's, source "message"
 * and the message id, with the first 280 bytes of the text as its body. An
 * overlapping export finds the day's entry and adds none.
 *
 * Attachments the export includes are copied into DATA_DIR/attachments/,
 * named by their SHA-256 (so the same file is stored once) and capped at
 * INBOX_ATTACHMENT_MAX bytes.
 *
 * Transactions: everything runs in the caller's transaction, one per file;
 * when the caller rolls it back it must call inbox_import_discard_files so
 * that files stored meanwhile go too. Memory is bounded: one conversation's
 * participants (up to INBOX_PARTICIPANTS_MAX) and a fixed dedup window.
 */
#ifndef PZ_INBOX_IMPORT_H
#define PZ_INBOX_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "import/chat.h"
#include "store/store.h"

#define INBOX_PARTICIPANTS_MAX 4096
#define INBOX_ATTACHMENT_MAX   (256LL * 1024 * 1024)

/* A participant the user chose as the company's side (the web import's participants step). */
struct inbox_import_me {
    const char *key; /* the participant's key as the reader gives it (chat_participant.key) */
    int64_t user_id; /* the workspace's user it is; 0: someone of the company, no user */
};

struct inbox_import_options {
    int64_t workspace_id;
    int64_t import_run_id; /* 0 when none */
    int64_t user_id;       /* who imports (owner of created contacts); 0 none */
    const char *const *me; /* names of the company's side (--me), may be NULL */
    size_t n_me;
    /*
     * When me_chosen is set, the company's side is exactly the participants in
     * me_keys (by key): the reader's marks, the names in me and the guess from
     * a chat's title are not used. Each is stored with its user on the
     * participant and as the author of its messages (messages.author_user_id).
     */
    int me_chosen;
    const struct inbox_import_me *me_keys;
    size_t n_me_keys;
    const char *region;   /* default phone region, NULL "IT" */
    const char *data_dir; /* where attachments go (under DATA_DIR/attachments); NULL: not kept */
};

struct inbox_import_counts {
    long conversations;      /* conversations created or continued */
    long messages;           /* messages stored, system notices included */
    long system_messages;    /* of which system notices */
    long duplicates_skipped; /* already stored */
    long contacts_created;
    long contacts_matched;
    long attachments;  /* attachment rows stored */
    long files_stored; /* of which with their file copied */
    long skipped;      /* records the writer refused (reported through on_skip) */
};

struct inbox_import;

/*
 * Makes a writer for CONN and OPTS (copied; the strings must outlive the
 * writer). Returns it (free with inbox_import_free).
 */
struct inbox_import *inbox_import_new(struct pz_conn *conn,
                                      const struct inbox_import_options *opts);

void inbox_import_free(struct inbox_import *w);

/* Where the writer reports to its caller; every member may be NULL. */
struct inbox_import_hooks {
    void (*on_skip)(const struct import_problem *p, void *arg); /* a record skipped */
    void (*on_note)(const char *file, const char *message, void *arg);
    void (*on_progress)(long long done, long long total, void *arg);
    void *arg;
};

/*
 * Fills SINK with the writer's callbacks; the reader's skipped records,
 * notes and progress, and the writer's own, go to HOOKS (copied). The
 * writer's callbacks stop the reader (return non-zero) only when the
 * database fails: inbox_import_failed then says so.
 */
void inbox_import_sink(struct inbox_import *w, struct chat_sink *sink,
                       const struct inbox_import_hooks *hooks);

/*
 * Records the counts of one file in its import run RUN_ID (the counts the
 * contacts writer keeps too, plus conversations and messages). Outside the
 * file's transaction, after import_run_finish. Returns 0 or a negative code.
 */
int inbox_import_run_record(struct pz_conn *conn, int64_t workspace_id, int64_t run_id,
                            const struct inbox_import_counts *file_counts);

/* The counts of the last file alone (since the previous file_done or discard). */
void inbox_import_file_counts(const struct inbox_import *w, struct inbox_import_counts *out);

/* The negative code of the database failure that stopped the writer, or 0. */
int inbox_import_failed(const struct inbox_import *w);

/* The counts so far (across files). */
const struct inbox_import_counts *inbox_import_counts(const struct inbox_import *w);

/*
 * Called after the caller committed a file: forgets the files stored for it.
 * After a rollback call inbox_import_discard_files instead, which deletes
 * the attachment files this file stored that no committed row names, and
 * restores the counts to what they were before the file.
 */
void inbox_import_file_done(struct inbox_import *w);
void inbox_import_discard_files(struct inbox_import *w);

/* Room for a dedup key: 46 characters and the terminator. */
#define INBOX_KEY_SIZE 47

/*
 * The dedup key of a message as the writer computes it, into OUT: 8 hex
 * digits from the conversation key, 14 digits of the local time as written
 * (YYYYMMDDHHMMSS; the UTC seconds when there is none; zeros for messages
 * with a source id), 24 hex digits of a hash of everything that identifies
 * the message
 * (see chat.h). N is how many identical messages came before it in the file
 * (0 for the first). Exposed for tests and for readers that must name
 * another message (replies).
 */
void inbox_dedup_key(const char *channel, const char *conversation_key,
                     const struct chat_message *m, long n, char out[INBOX_KEY_SIZE]);

#endif
